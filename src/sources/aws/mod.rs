//! Live AWS through the official SDK, behind the same [`DataSource`] boundary as the demo.
//!
//! One task per feed (ECS, Lambda, metrics, alarms, health, logs), each polling on its own
//! interval and backing off on failure, so a throttled or failing API shows in its pane while
//! the others keep updating. Built-in actions run through the SDK on a task of their own.

pub mod actions;
pub mod alarms;
pub mod ecs;
pub mod errors;
mod feeds;
pub use feeds::Backoff;
pub mod apigateway;
pub mod dynamodb;
pub mod elasticache;
pub mod elb;
pub mod health;
pub mod kind;
pub mod lambda;
pub mod logs;
pub mod metrics;
pub mod multi;
pub mod plan;
pub mod rds;
pub mod readonly;
pub mod registry;
pub mod schedule;
pub mod sfn;
pub mod sqs;

use super::{DataSource, Feed, Payload, SourceCommand, SourceEvent, SourceInfo, Window};
use crate::config::AwsSettings;
use crate::config::Refresh;
use crate::model::ResourceKind;
use feeds::{Found, alarms_feed, kind_feed, metrics_feed, now_ms, send};
use logs::logs_feed;
use plan::Plan;
use schedule::{Focus, Poke};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// The account the cockpit shows and acts on; also exported to runbook commands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AwsContext {
    /// The profile in use (`default` when none was chosen).
    pub profile: String,
    /// Chosen by flag, config or AWS_PROFILE: exported to commands. The implicit `default`
    /// is not (a CLI given AWS_PROFILE=default without such a profile refuses to run).
    pub profile_explicit: bool,
    pub region: Option<String>,
    pub account: Option<String>,
    pub endpoint_url: Option<String>,
    /// Its label when several contexts are watched.
    pub label: Option<String>,
    /// `production = true`: confirmations say so in the danger colour.
    pub production: bool,
    /// `read_only = true` on the context: nothing acts on it.
    pub read_only: bool,
}

impl AwsContext {
    /// This context as `[[contexts]]` names and marks it: label, production, read-only.
    pub fn mark(&mut self, spec: &crate::config::contexts::ContextSpec) {
        self.label = Some(spec.label.clone());
        self.production = spec.production;
        self.read_only = spec.read_only;
    }

    /// The label, else the region, else the profile: what a row of it shows.
    pub fn short_label(&self) -> String {
        self.label
            .clone()
            .or_else(|| self.region.clone())
            .unwrap_or_else(|| self.profile.clone())
    }

    /// `profile · region · account`, as the status bar and confirmation dialogs show it.
    pub fn label(&self) -> String {
        let mut s = format!(
            "{} · {} · {}",
            self.profile,
            self.region.as_deref().unwrap_or("no region"),
            self.account.as_deref().unwrap_or("account unknown")
        );
        if let Some(u) = &self.endpoint_url {
            s.push_str(&format!(" · {u}"));
        }
        s
    }

    /// The variables a runbook command gets so it acts on exactly this account.
    pub fn env(&self) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        if self.profile_explicit {
            env.insert("AWS_PROFILE".to_string(), self.profile.clone());
        }
        if let Some(r) = &self.region {
            env.insert("AWS_REGION".to_string(), r.clone());
            env.insert("AWS_DEFAULT_REGION".to_string(), r.clone());
        }
        if let Some(u) = &self.endpoint_url {
            env.insert("AWS_ENDPOINT_URL".to_string(), u.clone());
        }
        env
    }
}

#[derive(Clone)]
pub struct Clients {
    pub ecs: aws_sdk_ecs::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub rds: aws_sdk_rds::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
    pub sfn: aws_sdk_sfn::Client,
    pub elasticache: aws_sdk_elasticache::Client,
    /// Health checks' HTTP client.
    pub http: reqwest::Client,
}

/// Environment of a step run under the read-only role: its credentials, and none of the
/// operator's. The shared config and credentials files point at an empty file so even an
/// explicit `--profile` in a command cannot reach the operator's own credentials; instance
/// and container metadata are off.
pub fn role_env(
    creds: &aws_credential_types::Credentials,
    empty_file: &std::path::Path,
) -> crate::exec::RoleEnv {
    let mut set = BTreeMap::new();
    set.insert(
        "AWS_ACCESS_KEY_ID".to_string(),
        creds.access_key_id().to_string(),
    );
    set.insert(
        "AWS_SECRET_ACCESS_KEY".to_string(),
        creds.secret_access_key().to_string(),
    );
    if let Some(t) = creds.session_token() {
        set.insert("AWS_SESSION_TOKEN".to_string(), t.to_string());
    }
    let empty = empty_file.display().to_string();
    set.insert("AWS_CONFIG_FILE".to_string(), empty.clone());
    set.insert("AWS_SHARED_CREDENTIALS_FILE".to_string(), empty);
    set.insert("AWS_EC2_METADATA_DISABLED".to_string(), "true".to_string());
    crate::exec::RoleEnv {
        set,
        remove: [
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_SECURITY_TOKEN",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_ROLE_ARN",
            "AWS_CREDENTIAL_EXPIRATION",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        note: None,
    }
}

/// A context as its options say before it connects: the profile chosen (flag, config or
/// AWS_PROFILE), the region given, the endpoint, and a role's account. Connecting adds the
/// account STS names and a region from the profile.
pub fn planned_context(opts: &AwsSettings) -> AwsContext {
    let chosen = opts
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    AwsContext {
        profile_explicit: chosen.is_some(),
        profile: chosen.unwrap_or_else(|| "default".into()),
        region: opts.region.clone(),
        account: opts.assume_role.as_deref().and_then(account_of_role),
        endpoint_url: opts.endpoint_url.clone().or_else(|| {
            std::env::var("AWS_ENDPOINT_URL")
                .ok()
                .filter(|u| !u.is_empty())
        }),
        ..AwsContext::default()
    }
}

/// The account of a role ARN (`arn:aws:iam::123456789012:role/name`, any partition).
fn account_of_role(arn: &str) -> Option<String> {
    let mut parts = arn.split(':');
    let (arn_, _partition, service, _region, account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (arn_ == "arn"
        && service == "iam"
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit()))
    .then(|| account.to_string())
}

/// An HTTPS client as the SDK's default (rustls with aws-lc, a proxy from the environment),
/// to share. Without one, every SDK client builds its own: its own connection pool, and the
/// system's root certificates parsed again (13 clients a context).
pub fn http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::{Builder, ConnectorBuilder, proxy::ProxyConfig, tls};
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut b = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ));
        b.set_connector_settings(settings.cloned());
        if let Some(c) = components {
            b.set_sleep_impl(c.sleep_impl());
        }
        b.set_proxy_config(Some(ProxyConfig::from_env()));
        b.build()
    })
}

/// The SDK configuration: the standard chain (environment, ~/.aws, profiles, SSO,
/// assume-role, credential_process) under `opts`, standard retries with 3 attempts (or
/// adaptive), and opsdeck's timeouts; every client made from it uses `http`.
pub async fn load_sdk_config(
    opts: &AwsSettings,
    http: aws_smithy_runtime_api::client::http::SharedHttpClient,
) -> aws_config::SdkConfig {
    use aws_config::retry::RetryConfig;
    use aws_config::timeout::TimeoutConfig;
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(http);
    let env_retry = std::env::var_os("AWS_RETRY_MODE").is_some();
    if opts.adaptive_retries.is_some() || opts.max_attempts.is_some() || !env_retry {
        let base = if opts.adaptive_retries == Some(true) {
            RetryConfig::adaptive()
        } else {
            RetryConfig::standard()
        };
        loader = loader.retry_config(base.with_max_attempts(opts.max_attempts.unwrap_or(3)));
    }
    loader = loader.timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(3))
            .read_timeout(Duration::from_secs(10))
            .operation_attempt_timeout(Duration::from_secs(10))
            .operation_timeout(Duration::from_secs(25))
            .build(),
    );
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &opts.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    if let Some(u) = &opts.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    loader.load().await
}

/// [`load_sdk_config`], and for a context in another account (`role_arn`) its role, assumed
/// from the profile's credentials.
pub async fn context_sdk_config(
    opts: &AwsSettings,
    http: aws_smithy_runtime_api::client::http::SharedHttpClient,
) -> aws_config::SdkConfig {
    let conf = load_sdk_config(opts, http).await;
    let Some(arn) = &opts.assume_role else {
        return conf;
    };
    let provider = aws_config::sts::AssumeRoleProvider::builder(arn)
        .session_name("opsdeck")
        .configure(&conf)
        .build()
        .await;
    conf.into_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(provider),
        )
        .build()
}

/// With a custom endpoint (`--endpoint-url`, a VPC endpoint, a local fake), operations the
/// model gives a host prefix (StartLiveTail's `stream-`) go to the endpoint as given: the
/// prefix would make a host that resolves nowhere (`stream-127.0.0.1`). AWS's own endpoints
/// keep it.
#[derive(Debug)]
struct NoHostPrefix;

impl aws_smithy_runtime_api::client::interceptors::Intercept for NoHostPrefix {
    fn name(&self) -> &'static str {
        "NoHostPrefix"
    }

    fn modify_before_serialization(
        &self,
        _context: &mut aws_sdk_cloudwatchlogs::config::interceptors::BeforeSerializationInterceptorContextMut<'_>,
        _components: &aws_sdk_cloudwatchlogs::config::RuntimeComponents,
        cfg: &mut aws_sdk_cloudwatchlogs::config::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        // The operation stored its prefix before this hook runs; the endpoint is resolved
        // after it.
        cfg.interceptor_state()
            .unset::<aws_smithy_runtime_api::client::endpoint::EndpointPrefix>();
        Ok(())
    }
}

fn logs_client(
    conf: &aws_config::SdkConfig,
    custom_endpoint: bool,
) -> aws_sdk_cloudwatchlogs::Client {
    if !custom_endpoint {
        return aws_sdk_cloudwatchlogs::Client::new(conf);
    }
    let c = aws_sdk_cloudwatchlogs::config::Builder::from(conf)
        .interceptor(NoHostPrefix)
        .build();
    aws_sdk_cloudwatchlogs::Client::from_conf(c)
}

/// Loads the SDK configuration (standard chain, standard retries with 3 attempts, timeouts)
/// and asks STS who we are (3 s at most: the cockpit starts anyway, with "unknown").
/// `opts`: where to connect, command-line options already merged over `[aws]` (which win
/// over the environment and ~/.aws, the SDK's standard chain). In read-only mode with a
/// read-only role, every client uses that role's credentials, and the returned
/// [`RoleSource`](crate::exec::RoleSource) gives them to steps.
pub async fn connect(opts: &AwsSettings) -> (Clients, AwsContext, Option<crate::exec::RoleSource>) {
    connect_with(opts, http_client()).await
}

/// [`connect`] with an HTTPS client shared with other contexts: one connection pool and one
/// parse of the root certificates for all of them.
pub async fn connect_with(
    opts: &AwsSettings,
    http: aws_smithy_runtime_api::client::http::SharedHttpClient,
) -> (Clients, AwsContext, Option<crate::exec::RoleSource>) {
    let mut conf = context_sdk_config(opts, http).await;
    // The box's credentials (read-only steps, watches, verifications): the read-only role,
    // else minted from the operator's with a read-only session policy.
    let role = Some(readonly::box_source(
        conf.clone(),
        opts.read_only_role.clone(),
    ));
    if opts.read_only
        && let Some(arn) = &opts.read_only_role
    {
        let provider = aws_config::sts::AssumeRoleProvider::builder(arn)
            .session_name("opsdeck-read-only")
            .configure(&conf)
            .build()
            .await;
        let shared = aws_credential_types::provider::SharedCredentialsProvider::new(provider);
        conf = conf.into_builder().credentials_provider(shared).build();
    }
    // A role names its account: asking STS would add a round trip before the first call.
    let role_account = if opts.read_only && opts.read_only_role.is_some() {
        opts.read_only_role.as_deref()
    } else {
        opts.assume_role.as_deref()
    }
    .and_then(account_of_role);
    let sts = aws_sdk_sts::Client::new(&conf);
    let account = if role_account.is_some() {
        role_account
    } else {
        match tokio::time::timeout(Duration::from_secs(3), sts.get_caller_identity().send()).await {
            Ok(Ok(id)) => id.account().map(str::to_string),
            Ok(Err(e)) => {
                tracing::warn!("STS GetCallerIdentity: {}", errors::describe(&e));
                None
            }
            Err(_) => {
                tracing::warn!("STS GetCallerIdentity: no answer within 3 s");
                None
            }
        }
    };
    let ctx = AwsContext {
        region: conf.region().map(|r| r.to_string()),
        account,
        ..planned_context(opts)
    };
    let clients = Clients {
        ecs: aws_sdk_ecs::Client::new(&conf),
        lambda: aws_sdk_lambda::Client::new(&conf),
        cloudwatch: aws_sdk_cloudwatch::Client::new(&conf),
        logs: logs_client(
            &conf,
            opts.endpoint_url.is_some() || ctx.endpoint_url.is_some(),
        ),
        sqs: aws_sdk_sqs::Client::new(&conf),
        rds: aws_sdk_rds::Client::new(&conf),
        dynamodb: aws_sdk_dynamodb::Client::new(&conf),
        elb: aws_sdk_elasticloadbalancingv2::Client::new(&conf),
        sfn: aws_sdk_sfn::Client::new(&conf),
        elasticache: aws_sdk_elasticache::Client::new(&conf),
        http: health::client(health::TIMEOUT),
    };
    (clients, ctx, role)
}

pub struct AwsSource {
    pub clients: Clients,
    pub ctx: AwsContext,
    pub plan: Plan,
    pub refresh: Refresh,
}

impl AwsSource {
    /// The feeds a context runs, with their refresh intervals.
    pub fn feeds(r: &Refresh) -> Vec<(Feed, i64)> {
        let mut feeds: Vec<(Feed, i64)> = registry::KINDS
            .iter()
            .map(|k| (Feed::Kind(k.kind()), k.refresh_ms(r)))
            .collect();
        feeds.extend([
            (Feed::Metrics, r.metrics_ms),
            (Feed::Alarms, r.alarms_ms),
            (Feed::Logs, r.logs_ms),
        ]);
        feeds
    }
}

impl DataSource for AwsSource {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            label: self.ctx.label(),
            feeds: Self::feeds(&self.refresh),
        }
    }

    fn start(
        self: Box<Self>,
        events: mpsc::Sender<SourceEvent>,
        mut commands: mpsc::Receiver<SourceCommand>,
    ) -> JoinHandle<()> {
        // Long on purpose: starts each feed task, then serves commands.
        let me = *self;
        tokio::spawn(async move {
            let plan = Arc::new(me.plan);
            let refresh = me.refresh;
            let clients = me.clients;
            // Live Tail takes log group ARNs: it needs the region and the account.
            let live_prefix = match (&me.ctx.region, &me.ctx.account) {
                (Some(r), Some(a)) if refresh.live_tail => Some(logs::arn_prefix(r, a)),
                _ => None,
            };
            let (found_tx, found_rx) = watch::channel(Found::default());
            let found = Arc::new(found_tx);
            let (window_tx, window_rx) = watch::channel(Window::default());
            // The selected row, shared by every feed (each keeps its own row fresh).
            let focus = Arc::new(Focus::default());
            let poke_kinds: Vec<Arc<Poke>> = registry::KINDS
                .iter()
                .map(|_| Arc::new(Poke::new(focus.clone())))
                .collect();
            let mut tasks = vec![
                tokio::spawn(metrics_feed(
                    clients.cloudwatch.clone(),
                    plan.clone(),
                    refresh.metrics_ms,
                    events.clone(),
                    found_rx.clone(),
                    window_rx,
                    me.ctx.account.clone(),
                )),
                tokio::spawn(alarms_feed(
                    clients.cloudwatch.clone(),
                    plan.clone(),
                    refresh.alarms_ms,
                    events.clone(),
                )),
                tokio::spawn(logs_feed(
                    clients.logs.clone(),
                    plan.clone(),
                    refresh.clone(),
                    events.clone(),
                    found_rx.clone(),
                    live_prefix,
                    me.ctx.account.clone(),
                )),
            ];
            for (kind, poke) in registry::KINDS.iter().zip(&poke_kinds) {
                tasks.push(tokio::spawn(kind_feed(
                    *kind,
                    clients.clone(),
                    plan.clone(),
                    (kind.refresh_ms(&refresh), refresh.steady_ms),
                    events.clone(),
                    found.clone(),
                    poke.clone(),
                )));
            }
            while let Some(cmd) = commands.recv().await {
                match cmd {
                    SourceCommand::SetMetricWindow(w) => {
                        let _ = window_tx.send(w);
                    }
                    // Replay controls are a replay source's.
                    SourceCommand::Replay(_) => {}
                    SourceCommand::Focus { id, .. } => focus.set(id),
                    SourceCommand::Mutate { id, mutation, .. } => {
                        let (c, tx) = (clients.clone(), events.clone());
                        let pk = poke_kinds.clone();
                        tokio::spawn(async move {
                            let result = actions::apply(&c, &mutation).await;
                            send(&tx, Feed::Actions, Payload::ActionResult { id, result }).await;
                            // Every feed looks again (an action may show elsewhere: a
                            // target group, a queue); the kind acted on, at its target.
                            let target = Some(mutation.target());
                            let of = |k: ResourceKind| target.filter(|_| mutation.kind() == k);
                            for (kind, p) in registry::KINDS.iter().zip(pk) {
                                p.poke(of(kind.kind()));
                            }
                        });
                    }
                    SourceCommand::LogsQuery {
                        query,
                        since_ms,
                        groups: asked,
                        ..
                    } => {
                        let (c, tx, plan, found, own) = (
                            clients.logs.clone(),
                            events.clone(),
                            plan.clone(),
                            found_rx.borrow().clone(),
                            me.ctx.account.clone(),
                        );
                        tokio::spawn(async move {
                            let groups: Result<Vec<String>, String> = match &plan.log_groups {
                                // A query from a runbook names its own group.
                                _ if !asked.is_empty() => Ok(asked),
                                Some(g) => Ok(g.iter().map(|g| g.name.clone()).collect()),
                                // What the logs pane follows, linked accounts' included.
                                None => logs::followed_groups(&c, &found, &plan, own.as_deref())
                                    .await
                                    .map(|(g, _)| g)
                                    .map_err(|e| format!("insights: {e}")),
                            };
                            let r = match groups {
                                Err(e) => Err(e),
                                Ok(g) if g.is_empty() => {
                                    Err("insights: no log group to query".to_string())
                                }
                                Ok(g) => {
                                    logs::insights(
                                        &c,
                                        &g,
                                        own.as_deref(),
                                        &query,
                                        since_ms,
                                        now_ms(),
                                        Duration::from_secs(60),
                                    )
                                    .await
                                }
                            };
                            send(&tx, Feed::Insights, Payload::Insights { query, result: r }).await;
                        });
                    }
                }
            }
            for t in tasks {
                t.abort();
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_arn_names_its_account() {
        assert_eq!(
            account_of_role("arn:aws:iam::222222222222:role/opsdeck").as_deref(),
            Some("222222222222")
        );
        assert_eq!(
            account_of_role("arn:aws-cn:iam::222222222222:role/path/ro").as_deref(),
            Some("222222222222")
        );
        assert_eq!(account_of_role("arn:aws:iam::2222:role/x"), None);
        assert_eq!(
            account_of_role("arn:aws:sts::222222222222:assumed-role/x/y"),
            None
        );
        assert_eq!(account_of_role("opsdeck"), None);
    }

    #[test]
    fn context_label_and_exported_environment() {
        let ctx = AwsContext {
            profile: "prod".into(),
            profile_explicit: true,
            region: Some("eu-west-1".into()),
            account: Some("123456789012".into()),
            endpoint_url: None,
            ..AwsContext::default()
        };
        assert_eq!(ctx.label(), "prod · eu-west-1 · 123456789012");
        let env = ctx.env();
        assert_eq!(env["AWS_PROFILE"], "prod");
        assert_eq!(env["AWS_REGION"], "eu-west-1");
        assert_eq!(env["AWS_DEFAULT_REGION"], "eu-west-1");
        assert!(!env.contains_key("AWS_ENDPOINT_URL"));
        let unknown = AwsContext {
            account: None,
            endpoint_url: Some("http://127.0.0.1:5000".into()),
            ..ctx
        };
        assert_eq!(
            unknown.label(),
            "prod · eu-west-1 · account unknown · http://127.0.0.1:5000"
        );
        assert_eq!(unknown.env()["AWS_ENDPOINT_URL"], "http://127.0.0.1:5000");
        let implicit = AwsContext {
            profile: "default".into(),
            profile_explicit: false,
            ..unknown
        };
        assert!(!implicit.env().contains_key("AWS_PROFILE"));
        assert!(implicit.label().starts_with("default · "));
    }
}
