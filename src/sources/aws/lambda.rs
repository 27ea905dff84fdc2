//! Lambda: the paged ListFunctions (one call per 50 functions) says which functions exist
//! and which changed (`LastModified`, `CodeSha256`); GetFunction (state, last update status,
//! reserved concurrency, memory, timeout) and ListAliases / ListVersionsByFunction are asked
//! again only when a function changed, is changing, was just acted on, or their answer is
//! older than [`CONFIG_EVERY`] / [`ALIASES_EVERY`] — [`Watcher`] keeps what it learnt.

use super::errors::{AwsError, AwsResult};
use crate::model::{Health, Resource};
use aws_sdk_lambda::Client;
use std::collections::HashMap;
use tokio::time::{Duration, Instant};

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

/// What the Lambda feed knows of each function between refreshes.
#[derive(Debug, Default)]
pub struct Watcher {
    known: HashMap<String, Known>,
}

#[derive(Debug, Clone)]
struct Known {
    info: FunctionInfo,
    changed: String,
    config_at: Instant,
    aliases_at: Instant,
    /// Its row was not steady (changing, failed, throttled): configuration every refresh.
    busy: bool,
}

/// What one function needs asked this refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub config: bool,
    pub aliases: bool,
}

/// Functions asked at once (two or three calls each, well under Lambda's control-plane rate).
const AT_ONCE: usize = 4;

impl Watcher {
    /// What `name` needs: everything when unknown, changed since (by `listed`'s marker) or
    /// `urgent`; its configuration while busy or older than [`CONFIG_EVERY`]; its aliases
    /// when older than [`ALIASES_EVERY`].
    pub fn due(&self, name: &str, listed: Option<&str>, urgent: bool, now: Instant) -> Due {
        let Some(k) = self.known.get(name) else {
            return Due {
                config: true,
                aliases: true,
            };
        };
        let changed = listed.is_some_and(|m| m != k.changed);
        Due {
            config: changed || urgent || k.busy || now >= k.config_at + CONFIG_EVERY,
            aliases: changed || urgent || now >= k.aliases_at + ALIASES_EVERY,
        }
    }

    /// Rows' data for `names`: what is due is asked (a few functions at once), the rest is
    /// what was learnt. `listed` holds ListFunctions' markers when the feed listed them.
    pub async fn refresh(
        &mut self,
        c: &Client,
        names: &[String],
        listed: Option<&HashMap<String, String>>,
        (urgent, focus): (&[String], Option<&str>),
        now: Instant,
    ) -> Vec<(String, AwsResult<FunctionInfo>)> {
        use futures::StreamExt;
        self.known.retain(|n, _| names.contains(n));
        let asks: Vec<(String, Due)> = names
            .iter()
            .map(|n| {
                let marker = listed.and_then(|l| l.get(n)).map(String::as_str);
                let mut due = self.due(n, marker, urgent.contains(n), now);
                // The selected function's configuration at the feed's pace.
                due.config |= focus == Some(n.as_str());
                (n.clone(), due)
            })
            .collect();
        let answers: Vec<(String, AwsResult<Answer>)> =
            futures::stream::iter(asks.into_iter().map(|(n, due)| {
                let prev = self.known.get(&n).map(|k| k.changed.clone());
                async move {
                    let r = ask(c, &n, due, prev.as_deref()).await;
                    (n, r)
                }
            }))
            .buffered(AT_ONCE)
            .collect()
            .await;
        let mut out = Vec::with_capacity(answers.len());
        for (n, r) in answers {
            let r = r.map(|a| self.learn(&n, a, now));
            out.push((n, r));
        }
        out
    }

    fn learn(&mut self, name: &str, a: Answer, now: Instant) -> FunctionInfo {
        // The first answers are dated back by a share of the period, so the functions come
        // due again spread over it rather than all in one refresh.
        let first = !self.known.contains_key(name);
        let back = |every: Duration| {
            if first {
                now.checked_sub(every.mul_f64(super::schedule::spread(name) * 0.5))
                    .unwrap_or(now)
            } else {
                now
            }
        };
        let k = self.known.entry(name.to_string()).or_insert_with(|| Known {
            info: FunctionInfo {
                name: name.to_string(),
                ..FunctionInfo::default()
            },
            changed: String::new(),
            config_at: now,
            aliases_at: now,
            busy: true,
        });
        if let Some((info, changed)) = a.config {
            let (aliases, versions) = (
                std::mem::take(&mut k.info.aliases),
                std::mem::take(&mut k.info.versions),
            );
            k.info = FunctionInfo {
                aliases,
                versions,
                ..info
            };
            k.changed = changed;
            k.config_at = back(CONFIG_EVERY);
        }
        if let Some((aliases, versions)) = a.aliases {
            k.info.aliases = aliases;
            k.info.versions = versions;
            k.aliases_at = back(ALIASES_EVERY);
        }
        k.busy = super::schedule::busy(&row(&k.info));
        k.info.clone()
    }
}

/// What was asked of one function.
struct Answer {
    config: Option<(FunctionInfo, String)>,
    aliases: Option<AliasesAndVersions>,
}

/// Asks what is due; the aliases too when the configuration shows a change since `prev`.
async fn ask(c: &Client, name: &str, due: Due, prev: Option<&str>) -> AwsResult<Answer> {
    if due.config && due.aliases {
        let (config, aliases) =
            futures::try_join!(get_config(c, name), aliases_and_versions(c, name))?;
        return Ok(Answer {
            config: Some(config),
            aliases: Some(aliases),
        });
    }
    let config = if due.config {
        Some(get_config(c, name).await?)
    } else {
        None
    };
    let changed = matches!((&config, prev), (Some((_, m)), Some(p)) if m != p);
    let aliases = if due.aliases || changed {
        Some(aliases_and_versions(c, name).await?)
    } else {
        None
    };
    Ok(Answer { config, aliases })
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
    fn functions_are_asked_again_only_when_changed_busy_poked_or_old() {
        let mut w = Watcher::default();
        let t0 = Instant::now();
        let none = |w: &Watcher, marker: &str, urgent: bool, at: Instant| {
            w.due("checkout", Some(marker), urgent, at)
        };
        assert_eq!(
            none(&w, "m1", false, t0),
            Due {
                config: true,
                aliases: true
            },
            "unknown"
        );
        let mut cfg = info();
        cfg.aliases.clear();
        w.learn(
            "checkout",
            Answer {
                config: Some((cfg.clone(), "m1".into())),
                aliases: Some((info().aliases, info().versions)),
            },
            t0,
        );
        let soon = t0 + Duration::from_secs(30);
        assert_eq!(
            none(&w, "m1", false, soon),
            Due {
                config: false,
                aliases: false
            },
            "steady and listed unchanged"
        );
        assert_eq!(
            none(&w, "m2", false, soon),
            Due {
                config: true,
                aliases: true
            },
            "LastModified or code changed"
        );
        assert_eq!(
            none(&w, "m1", true, soon),
            Due {
                config: true,
                aliases: true
            },
            "just acted on"
        );
        let later = t0 + CONFIG_EVERY + Duration::from_secs(1);
        assert_eq!(
            none(&w, "m1", false, later),
            Due {
                config: true,
                aliases: false
            },
            "configuration (reserved concurrency) grows old first"
        );
        let much_later = t0 + ALIASES_EVERY + Duration::from_secs(1);
        assert!(none(&w, "m1", false, much_later).aliases);
        // A throttled function (reserved 0) is not steady: its configuration every refresh.
        cfg.reserved = Some(0);
        w.learn(
            "checkout",
            Answer {
                config: Some((cfg, "m1".into())),
                aliases: None,
            },
            soon,
        );
        assert!(none(&w, "m1", false, soon + Duration::from_secs(1)).config);
        assert!(!none(&w, "m1", false, soon + Duration::from_secs(1)).aliases);
        // What was learnt is kept: aliases stay when only the configuration was asked.
        assert_eq!(w.known["checkout"].info.aliases, info().aliases);
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
