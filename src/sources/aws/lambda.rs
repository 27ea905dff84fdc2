//! Lambda: the paged ListFunctions (one call per 50 functions) says which functions exist
//! and which changed (`LastModified`, `CodeSha256`); GetFunction (state, last update status,
//! reserved concurrency, memory, timeout) and ListAliases / ListVersionsByFunction are asked
//! again only when a function changed, is changing, was just acted on, or their answer is
//! older than [`CONFIG_EVERY`] / [`ALIASES_EVERY`]: the kind feed's schedule and memo.

use super::Clients;
use super::errors::{AwsError, AwsResult};
use super::kind::{Cx, Described, Kind, Listing, LogNames, Memo, above, metric};
use crate::config::Refresh;
use crate::config::Watch;
use crate::model::{Health, MetricDef, Resource, ResourceKind, Thresholds};
use crate::runbook::targets::Targets;
use aws_sdk_lambda::Client;
use futures::future::BoxFuture;
use std::time::Duration;

/// What ListFunctions says of a function.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub name: String,
    pub timeout_s: Option<i64>,
    /// `LastModified` and `CodeSha256`: a new value means its configuration or code changed.
    pub changed: String,
}

/// Every function (paginated).
pub async fn list_functions(c: &Client) -> AwsResult<Vec<Listed>> {
    let mut out = Vec::new();
    let mut pages = c.list_functions().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(AwsError::from)?;
        for f in page.functions() {
            if let Some(n) = f.function_name() {
                out.push(Listed {
                    name: n.to_string(),
                    timeout_s: f.timeout().map(i64::from),
                    changed: format!(
                        "{} {}",
                        f.last_modified().unwrap_or(""),
                        f.code_sha256().unwrap_or("")
                    ),
                });
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunctionInfo {
    pub name: String,
    pub state: Option<String>,
    pub last_update: Option<String>,
    pub memory_mb: Option<i64>,
    pub timeout_s: Option<i64>,
    pub reserved: Option<i64>,
    /// `(alias, version)`.
    pub aliases: Vec<(String, String)>,
    /// Published versions, newest first (without `$LATEST`).
    pub versions: Vec<String>,
}

/// GetFunction is asked again after this long at most: reserved concurrency changes nothing
/// that ListFunctions shows.
pub const CONFIG_EVERY: Duration = Duration::from_secs(120);
/// Aliases and versions are listed again after this long at most: an alias moved or a version
/// published changes nothing that ListFunctions shows either.
pub const ALIASES_EVERY: Duration = Duration::from_secs(600);

/// GetFunction: configuration and reserved concurrency, and its change marker.
async fn get_config(c: &Client, name: &str) -> AwsResult<(FunctionInfo, String)> {
    let f = c
        .get_function()
        .function_name(name)
        .send()
        .await
        .map_err(|e| AwsError::from(e).about(name))?;
    let cfg = f.configuration();
    let changed = format!(
        "{} {}",
        cfg.and_then(|c| c.last_modified()).unwrap_or(""),
        cfg.and_then(|c| c.code_sha256()).unwrap_or("")
    );
    let info = FunctionInfo {
        name: name.to_string(),
        state: cfg.and_then(|c| c.state()).map(|s| s.as_str().to_string()),
        last_update: cfg
            .and_then(|c| c.last_update_status())
            .map(|s| s.as_str().to_string()),
        memory_mb: cfg.and_then(|c| c.memory_size()).map(i64::from),
        timeout_s: cfg.and_then(|c| c.timeout()).map(i64::from),
        reserved: f
            .concurrency()
            .and_then(|c| c.reserved_concurrent_executions())
            .map(i64::from),
        aliases: Vec::new(),
        versions: Vec::new(),
    };
    Ok((info, changed))
}

/// `(alias, version)` pairs and published versions, newest first.
type AliasesAndVersions = (Vec<(String, String)>, Vec<String>);

/// ListAliases and ListVersionsByFunction, at once.
async fn aliases_and_versions(c: &Client, name: &str) -> AwsResult<AliasesAndVersions> {
    let aliases = async {
        let mut out = Vec::new();
        let mut pages = c.list_aliases().function_name(name).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| AwsError::from(e).about(name))?;
            for a in page.aliases() {
                out.push((
                    a.name().unwrap_or("?").to_string(),
                    a.function_version().unwrap_or("?").to_string(),
                ));
            }
        }
        Ok::<_, AwsError>(out)
    };
    let versions = async {
        let mut out = Vec::new();
        let mut pages = c
            .list_versions_by_function()
            .function_name(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| AwsError::from(e).about(name))?;
            out.extend(
                page.versions()
                    .iter()
                    .filter_map(|v| v.version())
                    .filter(|v| *v != "$LATEST")
                    .map(str::to_string),
            );
        }
        Ok::<_, AwsError>(out)
    };
    let (aliases, mut versions) = futures::try_join!(aliases, versions)?;
    versions.sort_by_key(|v| std::cmp::Reverse(v.parse::<u64>().unwrap_or(0)));
    Ok((aliases, versions))
}

/// How long learnt aliases and versions are trusted while the function's marker stays.
const ALIASES_EVERY_MS: i64 = ALIASES_EVERY.as_millis() as i64;

/// One function: GetFunction, and its aliases and versions unless the feed learnt them less
/// than [`ALIASES_EVERY`] ago for the same `LastModified` and code hash (both at once the
/// first time).
async fn describe_one(cx: &Cx<'_>, name: &str) -> AwsResult<FunctionInfo> {
    let c = &cx.c.lambda;
    let key = format!("aliases {name}");
    let known = cx
        .memo
        .get::<(String, AliasesAndVersions)>(&key, ALIASES_EVERY_MS, cx.now_ms);
    let ((mut info, marker), av) = match known {
        None => futures::try_join!(get_config(c, name), aliases_and_versions(c, name))?,
        Some((m, av)) => {
            let (info, marker) = get_config(c, name).await?;
            let av = if marker == m {
                av
            } else {
                aliases_and_versions(c, name).await?
            };
            ((info, marker), av)
        }
    };
    cx.memo.put(&key, (marker, av.clone()), cx.now_ms);
    (info.aliases, info.versions) = av;
    Ok(info)
}

/// Lambda functions: the paged ListFunctions every refresh (one call per 50 functions) says
/// which exist and which changed; GetFunction (state, update status, reserved concurrency)
/// for a changed, changing, selected or acted-on function, else every [`CONFIG_EVERY`];
/// aliases and versions when the function changed, was acted on, or after
/// [`ALIASES_EVERY`]. Four functions at once.
pub struct Lambda;

impl Kind for Lambda {
    fn kind(&self) -> ResourceKind {
        ResourceKind::Lambda
    }

    fn configured(&self, w: &Watch) -> Vec<String> {
        w.functions.clone()
    }

    /// Functions the runbooks name, and the functions of the aliases they name.
    fn selected(&self, t: &Targets) -> Vec<String> {
        let functions = t.lambda_functions.iter().filter(|x| !x.template);
        let aliases = t.lambda_aliases.iter().filter(|x| !x.template);
        functions
            .map(|x| x.name.clone())
            .chain(aliases.map(|x| x.function.clone()))
            .collect()
    }

    fn discover<'a>(&'a self, c: &'a Clients) -> BoxFuture<'a, AwsResult<Vec<String>>> {
        Box::pin(async move {
            Ok(list_functions(&c.lambda)
                .await?
                .into_iter()
                .map(|l| l.name)
                .collect())
        })
    }

    fn list<'a>(&'a self, cx: &'a Cx<'a>) -> BoxFuture<'a, AwsResult<Listing>> {
        Box::pin(async move {
            let all = list_functions(&cx.c.lambda).await?;
            Ok(Listing {
                targets: all.iter().map(|l| l.name.clone()).collect(),
                markers: all.into_iter().map(|l| (l.name, l.changed)).collect(),
            })
        })
    }

    /// Every refresh: the listing is what says a function changed.
    fn relist(&self) -> Duration {
        Duration::ZERO
    }

    /// Reserved concurrency is not in the listing: asked every [`CONFIG_EVERY`] at least.
    fn steady(&self, configured: Duration) -> Duration {
        configured.max(CONFIG_EVERY)
    }

    fn split(&self) -> Option<(usize, usize)> {
        Some((1, 4))
    }

    fn refresh_ms(&self, r: &Refresh) -> i64 {
        r.lambda_ms
    }

    fn log_names(&self, rows: &[Resource]) -> LogNames {
        LogNames {
            exact: rows
                .iter()
                .map(|r| format!("/aws/lambda/{}", r.name))
                .collect(),
            ..LogNames::default()
        }
    }

    fn linked_metric(&self) -> Option<(&'static str, &'static str)> {
        Some(("AWS/Lambda", "Errors"))
    }

    fn of_dimensions(&self, dim: &dyn Fn(&str) -> Option<String>) -> Option<Resource> {
        Some(Resource::lambda(dim("FunctionName")?))
    }

    fn describe<'a>(&'a self, cx: &'a Cx<'a>, targets: &'a [String]) -> BoxFuture<'a, Described> {
        Box::pin(async move {
            let mut out: Described = Vec::new();
            for t in targets {
                out.push((t.clone(), describe_one(cx, t).await.map(|f| vec![row(&f)])));
            }
            out
        })
    }

    /// An action on a function may move an alias, which changes no marker: its aliases are
    /// asked again.
    fn poked(&self, memo: &Memo, target: &str) {
        memo.forget(&format!("aliases {target}"));
    }

    fn error_row(&self, target: &str, error: &str) -> Resource {
        error_row(target, error)
    }

    /// Per function: errors, throttles, p99 duration against its timeout, concurrency.
    fn metrics(&self, rows: &[Resource]) -> Vec<MetricDef> {
        rows.iter()
            .flat_map(|r| standard_metrics(&r.name, r.lambda_detail().and_then(|d| d.timeout_s)))
            .collect()
    }

    fn apply<'a>(
        &'a self,
        c: &'a Clients,
        m: &'a crate::sources::Mutation,
    ) -> Option<BoxFuture<'a, AwsResult<String>>> {
        match m {
            crate::sources::Mutation::Lambda(m) => Some(Box::pin(apply(c, m))),
            _ => None,
        }
    }
}

/// The alias shown on the row: a conventional live alias if there is one, else the first.
fn main_alias(aliases: &[(String, String)]) -> Option<&(String, String)> {
    ["live", "prod", "production", "current"]
        .iter()
        .find_map(|n| aliases.iter().find(|(a, _)| a == n))
        .or(aliases.first())
}

pub fn row(f: &FunctionInfo) -> Resource {
    let mut s = Resource::lambda(&f.name);
    let alias = main_alias(&f.aliases).map(|(a, v)| crate::model::Alias {
        name: a.clone(),
        version: v.clone(),
    });
    let version = Some(
        alias
            .as_ref()
            .map_or_else(|| "$LATEST".into(), crate::model::Alias::label),
    );
    let aliases = if f.aliases.len() > 1 {
        f.aliases
            .iter()
            .map(|(a, v)| crate::model::Alias {
                name: a.clone(),
                version: v.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    s.detail = crate::model::Detail::Lambda(crate::model::LambdaDetail {
        version,
        alias,
        aliases,
        versions: f.versions.clone(),
        memory_mb: f.memory_mb,
        reserved_concurrency: f.reserved,
        timeout_s: f.timeout_s,
    });
    let state = f.state.clone().unwrap_or_else(|| "Active".into());
    let update = f.last_update.as_deref().unwrap_or("Successful");
    s.status = if update == "Successful" {
        state.clone()
    } else {
        format!("{state} · update {update}")
    };
    s.health = if f.reserved == Some(0) {
        s.status = format!("{state} · throttled (reserved 0)");
        Health::Crit
    } else {
        match (state.as_str(), update) {
            ("Failed", _) | (_, "Failed") => Health::Crit,
            ("Pending", _) | (_, "InProgress") | ("Inactive", _) => Health::Warn,
            ("Active", _) => Health::Ok,
            _ => Health::Unknown,
        }
    };
    s
}

/// A function's standard metrics: invocations, errors (1 / 10), average duration (80 % /
/// 95 % of its timeout, when known) and throttles (1 / 10).
pub fn standard_metrics(function: &str, timeout_s: Option<i64>) -> Vec<MetricDef> {
    let duration = match timeout_s {
        Some(t) if t > 0 => above(t as f64 * 800.0, t as f64 * 950.0),
        _ => Thresholds::default(),
    };
    [
        ("Invocations", "Sum", None, Thresholds::default()),
        ("Errors", "Sum", None, above(1.0, 10.0)),
        ("Duration", "Average", Some("ms"), duration),
        ("Throttles", "Sum", None, above(1.0, 10.0)),
    ]
    .into_iter()
    .map(|(name, stat, unit, t)| {
        metric(
            format!("{function} {}", name.to_lowercase()),
            "AWS/Lambda",
            name,
            &[("FunctionName", function)],
            stat,
            unit,
            t,
        )
    })
    .collect()
}

/// A function that could not be read: its name and why, health unknown.
pub fn error_row(name: &str, error: &str) -> Resource {
    let mut s = Resource::lambda(name);
    s.status = error
        .strip_prefix(&format!("{name}: "))
        .unwrap_or(error)
        .to_string();
    s.health = Health::Unknown;
    s
}

/// This kind's built-in mutations through the SDK (the same ones the demo fleet applies).
pub(super) async fn apply(
    c: &super::Clients,
    m: &crate::sources::LambdaMutation,
) -> AwsResult<String> {
    use crate::sources::LambdaMutation;
    let lambda = &c.lambda;
    match m {
        LambdaMutation::SetAlias {
            function,
            alias,
            version,
        } => {
            lambda
                .update_alias()
                .function_name(function)
                .name(alias)
                .function_version(version)
                .send()
                .await
                .map_err(AwsError::from)?;
            Ok(format!("{function}: alias {alias} → version {version}"))
        }
        LambdaMutation::SetReservedConcurrency {
            function,
            value: Some(v),
        } => {
            lambda
                .put_function_concurrency()
                .function_name(function)
                .reserved_concurrent_executions(*v as i32)
                .send()
                .await
                .map_err(AwsError::from)?;
            Ok(format!("{function}: reserved concurrency {v}"))
        }
        LambdaMutation::SetReservedConcurrency {
            function,
            value: None,
        } => {
            lambda
                .delete_function_concurrency()
                .function_name(function)
                .send()
                .await
                .map_err(AwsError::from)?;
            Ok(format!("{function}: reserved concurrency removed"))
        }
        LambdaMutation::SetMemory { function, mb } => {
            lambda
                .update_function_configuration()
                .function_name(function)
                .memory_size(*mb as i32)
                .send()
                .await
                .map_err(AwsError::from)?;
            Ok(format!("{function}: memory {mb} MB"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> FunctionInfo {
        FunctionInfo {
            name: "checkout".into(),
            state: Some("Active".into()),
            last_update: Some("Successful".into()),
            memory_mb: Some(512),
            timeout_s: Some(30),
            reserved: None,
            aliases: vec![("canary".into(), "3".into()), ("live".into(), "2".into())],
            versions: vec!["3".into(), "2".into(), "1".into()],
        }
    }

    #[test]
    fn rows_show_the_live_alias_state_and_settings() {
        let r = row(&info());
        assert_eq!(r.version(), Some("live→v2"));
        assert_eq!(r.status, "Active");
        assert_eq!(r.health, Health::Ok);
        let d = r.lambda_detail().unwrap();
        assert_eq!(d.memory_mb, Some(512));
        let all: Vec<String> = d.aliases.iter().map(|a| a.label()).collect();
        assert_eq!(all, ["canary→v3", "live→v2"]);
        let mut f = info();
        f.last_update = Some("InProgress".into());
        assert_eq!(row(&f).health, Health::Warn);
        assert_eq!(row(&f).status, "Active · update InProgress");
        f.reserved = Some(0);
        assert_eq!(row(&f).health, Health::Crit);
        f.reserved = None;
        f.state = Some("Failed".into());
        assert_eq!(row(&f).health, Health::Crit);
        let e = error_row(
            "gone",
            "gone: ResourceNotFoundException (HTTP 404): Function not found",
        );
        assert_eq!(
            e.status,
            "ResourceNotFoundException (HTTP 404): Function not found"
        );
        assert_eq!(e.health, Health::Unknown);
    }
}
