//! `opsdeck doctor`: what a new user runs when the cockpit shows errors. It resolves the AWS
//! context (profile, region, account, endpoint, where the credentials come from and when they
//! expire), then makes one cheap read per feed and says, per row, ok / denied (with the IAM
//! action to grant) / throttled / credentials / network. Exit 0 when every row passes.

use crate::cli::{Common, DoctorArgs, Format};
use crate::config::{Config, Dirs};
use crate::sources::aws::errors::{Fault, describe, fault};
use anyhow::{Context as _, Result};
use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};
use serde::Serialize;
use std::future::Future;
use std::time::{Duration, Instant};

/// Longest a probe may take: a hang is reported as one.
const PROBE_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Denied,
    Throttled,
    Credentials,
    Network,
    Error,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub feed: &'static str,
    pub call: &'static str,
    pub outcome: Outcome,
    /// What to do (for `denied`, the IAM action to grant) or what happened.
    pub detail: String,
    pub ms: u64,
}

/// Runs a probe with a timeout and classifies how it ended; the answer when there is one.
async fn probe<T, E, F>(feed: &'static str, call: &'static str, iam: &str, f: F) -> (Row, Option<T>)
where
    F: Future<Output = Result<T, SdkError<E>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let started = Instant::now();
    let r = tokio::time::timeout(PROBE_TIMEOUT, f).await;
    let ms = started.elapsed().as_millis() as u64;
    let mut answer = None;
    let (outcome, detail) = match r {
        Err(_) => (
            Outcome::Network,
            format!("no answer within {} s", PROBE_TIMEOUT.as_secs()),
        ),
        Ok(Ok(t)) => {
            answer = Some(t);
            (Outcome::Ok, String::new())
        }
        Ok(Err(e)) => {
            let text = describe(&e);
            match fault(&e) {
                Fault::Denied => (Outcome::Denied, format!("grant {iam} ({text})")),
                Fault::Throttled => (Outcome::Throttled, text),
                Fault::Credentials => (Outcome::Credentials, text),
                Fault::Network => (Outcome::Network, text),
                Fault::Service | Fault::Unsupported | Fault::Other => (Outcome::Error, text),
            }
        }
    };
    let row = Row {
        feed,
        call,
        outcome,
        detail: crate::sanitize::sanitize(&detail).into_owned(),
        ms,
    };
    (row, answer)
}

pub async fn run(common: &Common, args: &DoctorArgs) -> Result<i32> {
    let dirs = Dirs::from_env();
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let config = Config::discover(common.config.as_deref(), &cwd, dirs.config.as_deref())?;
    let base = crate::settings::aws_options(common, &config);
    let specs = crate::settings::contexts(common, &config)?;
    let http = crate::sources::aws::http_client();
    let env_profile = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
    if specs.is_empty() {
        let profile = match (&common.profile, &env_profile, &config.aws.profile) {
            (Some(p), _, _) => format!("{p} (--profile)"),
            (None, Some(p), _) => format!("{p} (AWS_PROFILE)"),
            (None, _, Some(p)) => format!("{p} (opsdeck.toml)"),
            _ => "default (none chosen)".into(),
        };
        let (context, mut rows) = check(&base, profile, http, false).await;
        rows.push(sandbox_row(&config.sandbox));
        let ok = rows.iter().all(|r| r.outcome == Outcome::Ok);
        match args.format {
            Format::Text => crate::out::print(&text(None, &context, &rows))?,
            Format::Json => crate::out::println(&serde_json::to_string_pretty(
                &serde_json::json!({ "context": map(&context), "checks": rows, "ok": ok }),
            )?)?,
        }
        return Ok(if ok { 0 } else { 1 });
    }
    // Several contexts: each checked with its own profile, region, role and endpoint, all at
    // once; the report lists them in order.
    let checked = futures::future::join_all(specs.iter().map(|spec| {
        let opts = crate::settings::context_options(spec, &base);
        let profile = match (&spec.profile, &env_profile) {
            (Some(p), _) => p.clone(),
            (None, Some(p)) => format!("{p} (AWS_PROFILE)"),
            _ => "default (none chosen)".into(),
        };
        let http = http.clone();
        async move {
            let (mut context, rows) = check(&opts, profile, http, spec.cross_account).await;
            if let Some(arn) = &spec.role_arn {
                context.insert(1, ("role", arn.clone()));
            }
            (spec, context, rows)
        }
    }))
    .await;
    let mut checked = checked;
    // The box is the machine's: said once, under the first context.
    checked[0].2.push(sandbox_row(&config.sandbox));
    let ok = checked
        .iter()
        .all(|(_, _, rows)| rows.iter().all(|r| r.outcome == Outcome::Ok));
    match args.format {
        Format::Text => {
            let out: Vec<String> = checked
                .iter()
                .map(|(spec, context, rows)| text(Some(&spec.label), context, rows))
                .collect();
            crate::out::print(&out.join("\n"))?
        }
        Format::Json => {
            let contexts: Vec<serde_json::Value> = checked
                .iter()
                .map(|(spec, context, rows)| {
                    serde_json::json!({
                        "label": spec.label,
                        "context": map(context),
                        "checks": rows,
                        "ok": rows.iter().all(|r| r.outcome == Outcome::Ok),
                    })
                })
                .collect();
            // `context` and `checks` stay the first context's, as with one (additive).
            let (_, first_context, first_rows) = &checked[0];
            crate::out::println(&serde_json::to_string_pretty(&serde_json::json!({
                "context": map(first_context),
                "checks": first_rows,
                "contexts": contexts,
                "ok": ok,
            }))?)?
        }
    }
    Ok(if ok { 0 } else { 1 })
}

fn map(context: &[(&str, String)]) -> std::collections::BTreeMap<String, String> {
    context
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// One context: where it connects, whose credentials and when they expire, and one cheap
/// read per feed; on a monitoring account (`cross_account`), which linked accounts it sees.
async fn check(
    aws: &crate::config::AwsSettings,
    profile: String,
    http: aws_smithy_runtime_api::client::http::SharedHttpClient,
    cross_account: bool,
) -> (Vec<(&'static str, String)>, Vec<Row>) {
    let conf = crate::sources::aws::context_sdk_config(aws, http).await;
    let mut context: Vec<(&'static str, String)> = vec![("profile", profile)];
    context.push((
        "region",
        conf.region().map_or(
            "none: set --region, [aws] region or AWS_REGION".into(),
            |r| r.to_string(),
        ),
    ));
    context.push((
        "endpoint",
        aws.endpoint_url
            .clone()
            .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
            .unwrap_or_else(|| "AWS (default)".into()),
    ));
    let creds = match conf.credentials_provider() {
        None => "none configured".to_string(),
        Some(p) => match tokio::time::timeout(PROBE_TIMEOUT, p.provide_credentials()).await {
            Err(_) => "no answer from the credentials provider".into(),
            Ok(Err(e)) => crate::sources::aws::errors::describe_credentials(&e),
            Ok(Ok(c)) => {
                let expiry = c.expiry().map_or("never expire".to_string(), |t| {
                    let left = t
                        .duration_since(std::time::SystemTime::now())
                        .map(|d| crate::text::age(d.as_millis() as i64))
                        .unwrap_or_else(|_| "already".into());
                    format!("expire in {left}")
                });
                // The provider's name has no getter; its Debug output (which redacts the
                // secret) carries it.
                let dbg = format!("{c:?}");
                let source = dbg
                    .split("provider_name: \"")
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .unwrap_or("an unknown provider")
                    .to_string();
                format!("from {source}, {expiry}")
            }
        },
    };
    context.push(("credentials", creds));

    let ecs = aws_sdk_ecs::Client::new(&conf);
    let lambda = aws_sdk_lambda::Client::new(&conf);
    let cw = aws_sdk_cloudwatch::Client::new(&conf);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&conf);
    let sts = aws_sdk_sts::Client::new(&conf);
    let (identity, ecs_row, lambda_row, metrics_row, alarms_row, logs_row) = tokio::join!(
        probe(
            "identity",
            "STS GetCallerIdentity",
            "sts:GetCallerIdentity",
            sts.get_caller_identity().send()
        ),
        probe(
            "ecs",
            "ECS ListClusters",
            "ecs:ListClusters",
            ecs.list_clusters().max_results(1).send()
        ),
        probe(
            "lambda",
            "Lambda ListFunctions",
            "lambda:ListFunctions",
            lambda.list_functions().max_items(1).send()
        ),
        probe(
            "metrics",
            "CloudWatch ListMetrics",
            "cloudwatch:ListMetrics",
            cw.list_metrics().send()
        ),
        probe(
            "alarms",
            "CloudWatch DescribeAlarms",
            "cloudwatch:DescribeAlarms",
            cw.describe_alarms().max_records(1).send()
        ),
        probe(
            "logs",
            "Logs DescribeLogGroups",
            "logs:DescribeLogGroups",
            logs.describe_log_groups().limit(1).send()
        ),
    );
    let (identity_row, who) = identity;
    context.insert(
        2,
        (
            "account",
            who.as_ref()
                .and_then(|w| w.account().map(str::to_string))
                .unwrap_or_else(|| "unknown (see the identity row)".into()),
        ),
    );
    let mut rows = vec![
        identity_row,
        ecs_row.0,
        lambda_row.0,
        metrics_row.0,
        alarms_row.0,
        logs_row.0,
    ];
    if cross_account {
        let own = who.as_ref().and_then(|w| w.account().map(str::to_string));
        rows.push(linked_row(&cw, own.as_deref()).await);
    }
    if let Some(arn) = &aws.read_only_role {
        rows.push(role_row(&conf, arn).await);
    } else {
        rows.push(box_credentials_row(&conf).await);
    }
    (context, rows)
}

/// The source accounts a monitoring account sees metrics of (ListMetrics with
/// IncludeLinkedAccounts, first page): none means `cross_account = true` has nothing to show.
async fn linked_row(cw: &aws_sdk_cloudwatch::Client, own: Option<&str>) -> Row {
    let (mut row, answer) = probe(
        "linked accounts",
        "CloudWatch ListMetrics (linked)",
        "cloudwatch:ListMetrics",
        cw.list_metrics().include_linked_accounts(true).send(),
    )
    .await;
    if let Some(page) = answer {
        let mut linked: Vec<&str> = page
            .owning_accounts()
            .iter()
            .map(String::as_str)
            .filter(|a| Some(*a) != own)
            .collect();
        linked.sort_unstable();
        linked.dedup();
        if linked.is_empty() {
            row.outcome = Outcome::Error;
            row.detail = "no linked account's metrics: is this context a CloudWatch monitoring account with source accounts linked (OAM sink and links sharing AWS::CloudWatch::Metric)?".into();
        } else {
            row.detail = crate::sanitize::sanitize(&format!(
                "{} linked: {}",
                linked.len(),
                linked.join(", ")
            ))
            .into_owned();
        }
    }
    row
}

/// How the read-only box gets its AWS credentials without a read-only role: minted from the
/// operator's with `ReadOnlyAccess` as session policy, or not at all (then say how to fix).
async fn box_credentials_row(conf: &aws_config::SdkConfig) -> Row {
    let started = Instant::now();
    let (outcome, detail, call) = match crate::sources::aws::readonly::mint(conf, None).await {
        Ok((_, how)) => (
            Outcome::Ok,
            how.describe(),
            match how {
                crate::sources::aws::readonly::Minted::FederationToken => "STS GetFederationToken",
                _ => "STS AssumeRole",
            },
        ),
        Err(e) => (
            // An unreachable STS is the network's fault, as the feeds' rows say.
            if e.contains("network:") || e.contains("no answer") {
                Outcome::Network
            } else {
                Outcome::Error
            },
            crate::sources::aws::readonly::no_credentials(&e),
            "STS (mint read-only)",
        ),
    };
    Row {
        feed: "box credentials",
        call,
        outcome,
        detail: crate::sanitize::sanitize(&detail).into_owned(),
        ms: started.elapsed().as_millis() as u64,
    }
}

/// Which kernel layers of the read-only box hold on this machine.
pub fn sandbox_row(settings: &crate::sandbox::Settings) -> Row {
    let l = crate::sandbox::Layers::probe();
    let (outcome, detail) = if l.kernel() {
        (Outcome::Ok, l.kernel_detail())
    } else if settings.allow_unenforced {
        (
            Outcome::Error,
            format!(
                "{}: read-only steps run with the AWS layer alone ([sandbox] allow_unenforced = true)",
                l.kernel_detail()
            ),
        )
    } else {
        (
            Outcome::Error,
            format!(
                "{}: read-only steps, watches and verifications are refused (Linux 6.7+ with Landlock, or [sandbox] allow_unenforced = true)",
                l.kernel_detail()
            ),
        )
    };
    Row {
        feed: "read-only box",
        call: "Landlock, seccomp",
        outcome,
        detail,
        ms: 0,
    }
}

/// Whether the read-only role can be assumed (read-only mode would need it).
async fn role_row(conf: &aws_config::SdkConfig, arn: &str) -> Row {
    let started = Instant::now();
    let provider = aws_config::sts::AssumeRoleProvider::builder(arn)
        .session_name("opsdeck-doctor")
        .configure(conf)
        .build()
        .await;
    let r = tokio::time::timeout(PROBE_TIMEOUT, provider.provide_credentials()).await;
    let (outcome, detail) = match r {
        Err(_) => (Outcome::Network, "no answer".to_string()),
        Ok(Ok(_)) => (Outcome::Ok, String::new()),
        Ok(Err(e)) => {
            let text = crate::sources::aws::errors::describe_credentials(&e);
            let lower = text.to_lowercase();
            if lower.contains("accessdenied") || lower.contains("not authorized") {
                (
                    Outcome::Denied,
                    format!(
                        "grant sts:AssumeRole on {arn} and trust this principal in its trust policy ({text})"
                    ),
                )
            } else {
                (Outcome::Error, text)
            }
        }
    };
    Row {
        feed: "read-only role",
        call: "STS AssumeRole",
        outcome,
        detail: crate::sanitize::sanitize(&detail).into_owned(),
        ms: started.elapsed().as_millis() as u64,
    }
}

fn text(label: Option<&str>, context: &[(&str, String)], rows: &[Row]) -> String {
    let mut o = match label {
        Some(l) => format!("AWS context {}\n", crate::sanitize::sanitize(l)),
        None => String::from("AWS context\n"),
    };
    for (k, v) in context {
        o.push_str(&format!("  {k:<12}{}\n", crate::sanitize::sanitize(v)));
    }
    o.push_str(&format!(
        "\n{:<16}{:<28}{:<13}{}\n",
        "FEED", "CALL", "RESULT", "DETAIL"
    ));
    for r in rows {
        let result = match r.outcome {
            Outcome::Ok => format!("ok {} ms", r.ms),
            Outcome::Denied => "denied".into(),
            Outcome::Throttled => "throttled".into(),
            Outcome::Credentials => "credentials".into(),
            Outcome::Network => "network".into(),
            Outcome::Error => "error".into(),
        };
        o.push_str(&format!(
            "{:<16}{:<28}{:<13}{}\n",
            r.feed, r.call, result, r.detail
        ));
    }
    let failing = rows.iter().filter(|r| r.outcome != Outcome::Ok).count();
    o.push_str(&if failing == 0 {
        "\nevery check passed\n".to_string()
    } else {
        format!("\n{failing} check(s) failed: the cockpit will show these feeds' errors\n")
    });
    o
}
