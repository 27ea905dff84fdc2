//! Lambda: ListFunctions (paginated, for discovery), then per function GetFunction (state,
//! last update status, reserved concurrency, memory, timeout), ListAliases and
//! ListVersionsByFunction.

use super::errors::{AwsError, AwsResult};
use crate::model::{Health, Resource};
use aws_sdk_lambda::Client;

/// `(name, timeout seconds)` of every function (paginated).
pub async fn list_functions(c: &Client) -> AwsResult<Vec<(String, Option<i64>)>> {
    let mut out = Vec::new();
    let mut pages = c.list_functions().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(AwsError::from)?;
        for f in page.functions() {
            if let Some(n) = f.function_name() {
                out.push((n.to_string(), f.timeout().map(i64::from)));
            }
        }
    }
    Ok(out)
}

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

/// A function's configuration, aliases and versions: the three calls at once.
pub async fn fetch(c: &Client, name: &str) -> AwsResult<FunctionInfo> {
    let function = async {
        c.get_function()
            .function_name(name)
            .send()
            .await
            .map_err(|e| AwsError::from(e).about(name))
    };
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
    let (f, aliases, mut versions) = futures::try_join!(function, aliases, versions)?;
    let cfg = f.configuration();
    versions.sort_by_key(|v| std::cmp::Reverse(v.parse::<u64>().unwrap_or(0)));
    Ok(FunctionInfo {
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
        aliases,
        versions,
    })
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
