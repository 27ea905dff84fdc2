//! The live-AWS parts of `opsdeck.toml`: which account (`[aws]`), what to watch (`[watch]`)
//! and how often to refresh (`[refresh]`). Parsed from the raw TOML with spans so every bad
//! value is reported with its file and line.

use super::FileError;
use crate::model::{Direction, Thresholds};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AwsSettings {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// `adaptive` adds client-side rate limiting to the standard retries.
    pub adaptive_retries: Option<bool>,
    pub max_attempts: Option<u32>,
    /// A role (`ReadOnlyAccess`-style) assumed in read-only mode for every SDK call and every
    /// step, so AWS refuses what the classifier gets wrong.
    pub read_only_role: Option<String>,
    /// Read-only mode is on (the role applies only then).
    pub read_only: bool,
    /// A role assumed for every call (a context in another account).
    pub assume_role: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WatchMetric {
    pub label: Option<String>,
    pub namespace: String,
    pub metric: String,
    pub dimensions: BTreeMap<String, String>,
    pub stat: String,
    pub period: Option<i64>,
    pub thresholds: Thresholds,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WatchLogGroup {
    pub name: String,
    /// A CloudWatch Logs filter pattern applied server-side.
    pub filter: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WatchHealth {
    pub name: String,
    pub url: String,
}

/// What to watch. An empty list means "the config is silent about this": the runbooks'
/// targets and then discovery fill it in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Watch {
    /// Every service of these clusters.
    pub clusters: Vec<String>,
    /// `(cluster, service)`.
    pub services: Vec<(String, String)>,
    pub functions: Vec<String>,
    pub metrics: Vec<WatchMetric>,
    pub log_groups: Vec<WatchLogGroup>,
    pub alarm_prefixes: Vec<String>,
    pub health: Vec<WatchHealth>,
    /// SQS queues by name or URL.
    pub queues: Vec<String>,
    /// RDS DB instance and Aurora cluster identifiers.
    pub databases: Vec<String>,
    /// DynamoDB table names.
    pub tables: Vec<String>,
    /// Load balancer target groups by name or ARN.
    pub target_groups: Vec<String>,
    /// Step Functions state machines by name or ARN.
    pub state_machines: Vec<String>,
    /// ElastiCache replication group ids.
    pub cache_groups: Vec<String>,
    /// API Gateway stages as `API/STAGE` (REST API name or HTTP API id).
    pub api_stages: Vec<String>,
    /// `[[watch.commands]]`: read commands shown as live watches.
    pub commands: Vec<WatchCommand>,
    /// `limit = N`: discovery watches at most N resources of each kind (the first N it
    /// lists), and says so in the kind's pane. Unset: everything.
    pub limit: Option<usize>,
}

/// How often a command watch runs when nothing says otherwise, and at most.
pub const DEFAULT_WATCH_INTERVAL_MS: i64 = 30_000;
pub const MIN_WATCH_INTERVAL_MS: i64 = 2_000;

/// A command re-run on an interval and shown as a live pane (`kubectl get pods`,
/// `pg_isready`, `redis-cli INFO replication`…). Read commands only.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchCommand {
    pub name: String,
    pub command: String,
    pub interval_ms: i64,
    /// Healthy only when the output matches this regex (else: exit status 0).
    pub expect: Option<String>,
    /// With several contexts: the label it runs in, or `*` for each one. Unset: each context
    /// when the command calls the `aws` CLI, else once.
    pub context: Option<String>,
}

/// Refresh intervals in milliseconds, and the shared log-polling budget.
#[derive(Debug, Clone, PartialEq)]
pub struct Refresh {
    pub ecs_ms: i64,
    pub lambda_ms: i64,
    pub metrics_ms: i64,
    pub alarms_ms: i64,
    pub health_ms: i64,
    pub sqs_ms: i64,
    /// RDS, DynamoDB, target groups, state machines, ElastiCache, API Gateway.
    pub resources_ms: i64,
    /// A steady resource (healthy, nothing rolling out, not just acted on) is described at
    /// most this often; the feed intervals above apply to the others.
    pub steady_ms: i64,
    pub logs_ms: i64,
    /// FilterLogEvents requests per second for all groups together.
    pub logs_rate: f64,
    pub logs_backfill_ms: i64,
    /// Followed groups stream through CloudWatch Logs Live Tail when it is available
    /// (`[logs] live_tail = false`: always poll).
    pub live_tail: bool,
}

impl Refresh {}

impl Default for Refresh {
    fn default() -> Self {
        Refresh {
            ecs_ms: 5_000,
            lambda_ms: 30_000,
            metrics_ms: 60_000,
            alarms_ms: 30_000,
            health_ms: 15_000,
            sqs_ms: 30_000,
            resources_ms: 30_000,
            steady_ms: 60_000,
            logs_ms: 2_000,
            logs_rate: 4.0,
            logs_backfill_ms: 5 * 60_000,
            live_tail: true,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAws {
    profile: Option<String>,
    region: Option<String>,
    endpoint_url: Option<Spanned<String>>,
    read_only_role: Option<Spanned<String>>,
    retry_mode: Option<Spanned<String>>,
    max_attempts: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawLogGroup {
    Name(String),
    Full {
        name: String,
        filter: Option<String>,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawHealth {
    Url(String),
    Full { name: String, url: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetric {
    label: Option<String>,
    namespace: String,
    metric: String,
    #[serde(default)]
    dimensions: BTreeMap<String, String>,
    stat: Option<String>,
    period: Option<Spanned<i64>>,
    warn: Option<f64>,
    crit: Option<f64>,
    direction: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWatch {
    #[serde(default)]
    clusters: Vec<String>,
    #[serde(default)]
    services: Vec<Spanned<String>>,
    #[serde(default)]
    functions: Vec<String>,
    #[serde(default)]
    metrics: Vec<Spanned<RawMetric>>,
    #[serde(default)]
    log_groups: Vec<Spanned<RawLogGroup>>,
    #[serde(default)]
    alarm_prefixes: Vec<String>,
    #[serde(default)]
    health: Vec<Spanned<RawHealth>>,
    #[serde(default)]
    commands: Vec<Spanned<RawCommand>>,
    #[serde(default)]
    queues: Vec<String>,
    #[serde(default)]
    databases: Vec<String>,
    #[serde(default)]
    tables: Vec<String>,
    #[serde(default)]
    target_groups: Vec<String>,
    #[serde(default)]
    state_machines: Vec<String>,
    #[serde(default)]
    cache_groups: Vec<String>,
    #[serde(default)]
    api_stages: Vec<Spanned<String>>,
    limit: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommand {
    name: String,
    command: Spanned<String>,
    interval: Option<Spanned<toml::Value>>,
    expect: Option<Spanned<String>>,
    context: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRefresh {
    ecs: Option<Spanned<toml::Value>>,
    lambda: Option<Spanned<toml::Value>>,
    metrics: Option<Spanned<toml::Value>>,
    alarms: Option<Spanned<toml::Value>>,
    health: Option<Spanned<toml::Value>>,
    sqs: Option<Spanned<toml::Value>>,
    resources: Option<Spanned<toml::Value>>,
    steady: Option<Spanned<toml::Value>>,
    logs: Option<Spanned<toml::Value>>,
    logs_rate: Option<Spanned<f64>>,
    logs_backfill: Option<Spanned<toml::Value>>,
    /// The older spelling, in minutes (its name says so).
    logs_backfill_minutes: Option<Spanned<i64>>,
}

/// `key = "…"` must be an http(s) URL; the error names the file and line.
pub(super) fn check_endpoint(
    path: &Path,
    src: &str,
    key: &str,
    u: Option<&Spanned<String>>,
) -> Result<(), FileError> {
    match u {
        Some(u) if !(u.get_ref().starts_with("http://") || u.get_ref().starts_with("https://")) => {
            Err(FileError::at(
                path,
                src,
                u.span().start,
                format!("{key} = `{}`: use an http:// or https:// URL", u.get_ref()),
            ))
        }
        _ => Ok(()),
    }
}

/// `key = "…"` must be a role ARN; the error names the file and line.
pub(super) fn check_role(
    path: &Path,
    src: &str,
    key: &str,
    r: Option<&Spanned<String>>,
) -> Result<(), FileError> {
    match r {
        Some(r) if !is_role_arn(r.get_ref()) => Err(FileError::at(
            path,
            src,
            r.span().start,
            format!(
                "{key} = `{}`: use a role ARN, arn:aws:iam::ACCOUNT:role/NAME",
                r.get_ref()
            ),
        )),
        _ => Ok(()),
    }
}

pub(super) fn aws(path: &Path, src: &str, raw: RawAws) -> Result<AwsSettings, FileError> {
    check_endpoint(path, src, "aws.endpoint_url", raw.endpoint_url.as_ref())?;
    check_role(path, src, "aws.read_only_role", raw.read_only_role.as_ref())?;
    let adaptive_retries = match &raw.retry_mode {
        None => None,
        Some(m) if m.get_ref() == "standard" => Some(false),
        Some(m) if m.get_ref() == "adaptive" => Some(true),
        Some(m) => {
            return Err(FileError::at(
                path,
                src,
                m.span().start,
                format!(
                    "aws.retry_mode = `{}`: use standard or adaptive",
                    m.get_ref()
                ),
            ));
        }
    };
    let max_attempts = match &raw.max_attempts {
        None => None,
        Some(n) if (1..=10).contains(n.get_ref()) => Some(*n.get_ref() as u32),
        Some(n) => {
            return Err(FileError::at(
                path,
                src,
                n.span().start,
                format!("aws.max_attempts = {}: use 1 to 10", n.get_ref()),
            ));
        }
    };
    Ok(AwsSettings {
        adaptive_retries,
        max_attempts,
        profile: raw.profile,
        region: raw.region,
        endpoint_url: raw.endpoint_url.map(Spanned::into_inner),
        read_only_role: raw.read_only_role.map(Spanned::into_inner),
        read_only: false,
        assume_role: None,
    })
}

/// `arn:PARTITION:iam::ACCOUNT:role/NAME`.
pub fn is_role_arn(s: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5].starts_with("role/")
        && parts[5].len() > 5
}

pub(super) fn watch(path: &Path, src: &str, raw: RawWatch) -> Result<Watch, FileError> {
    let mut w = Watch {
        clusters: raw.clusters,
        functions: raw.functions,
        alarm_prefixes: raw.alarm_prefixes,
        queues: raw.queues,
        databases: raw.databases,
        tables: raw.tables,
        target_groups: raw.target_groups,
        state_machines: raw.state_machines,
        cache_groups: raw.cache_groups,
        ..Watch::default()
    };
    if let Some(n) = raw.limit {
        if !(1..=1_000_000).contains(n.get_ref()) {
            return Err(FileError::at(
                path,
                src,
                n.span().start,
                format!(
                    "watch.limit = {}: use 1 or more (resources of each kind discovery watches)",
                    n.get_ref()
                ),
            ));
        }
        w.limit = Some(*n.get_ref() as usize);
    }
    for s in raw.api_stages {
        match s.get_ref().split_once('/') {
            Some((a, st)) if !a.is_empty() && !st.is_empty() && !st.contains('/') => {
                w.api_stages.push(s.into_inner())
            }
            _ => {
                return Err(FileError::at(
                    path,
                    src,
                    s.span().start,
                    format!(
                        "watch.api_stages: `{}`: write API/STAGE (the REST API's name or the HTTP API's id, then the stage)",
                        s.get_ref()
                    ),
                ));
            }
        }
    }
    for s in raw.services {
        match s.get_ref().split_once('/') {
            Some((c, n)) if !c.is_empty() && !n.is_empty() && !n.contains('/') => {
                w.services.push((c.to_string(), n.to_string()))
            }
            _ => {
                return Err(FileError::at(
                    path,
                    src,
                    s.span().start,
                    format!("watch.services: `{}` is not CLUSTER/SERVICE", s.get_ref()),
                ));
            }
        }
    }
    for g in raw.log_groups {
        w.log_groups.push(match g.into_inner() {
            RawLogGroup::Name(name) => WatchLogGroup { name, filter: None },
            RawLogGroup::Full { name, filter } => WatchLogGroup { name, filter },
        });
    }
    for h in raw.health {
        let at = h.span().start;
        let (name, url) = match h.into_inner() {
            RawHealth::Url(url) => (url.clone(), url),
            RawHealth::Full { name, url } => (name, url),
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(FileError::at(
                path,
                src,
                at,
                format!("watch.health: `{url}` is not an http:// or https:// URL"),
            ));
        }
        w.health.push(WatchHealth { name, url });
    }
    for c in raw.commands {
        let c = c.into_inner();
        let err = |at: usize, msg: String| Err(FileError::at(path, src, at, msg));
        let interval_ms = match &c.interval {
            None => DEFAULT_WATCH_INTERVAL_MS,
            Some(v) => {
                let ms = crate::duration::from_toml_ms(v.get_ref()).ok();
                match ms {
                    Some(ms) if ms >= MIN_WATCH_INTERVAL_MS => ms,
                    _ => {
                        return err(
                            v.span().start,
                            format!(
                                "watch.commands `{}`: interval {}: give seconds or 30s/2m/1h, at least 2s",
                                c.name,
                                v.get_ref()
                            ),
                        );
                    }
                }
            }
        };
        let cmd_at = c.command.span().start;
        let command = c.command.into_inner();
        if command.trim().is_empty() {
            return err(
                cmd_at,
                format!("watch.commands `{}`: empty command", c.name),
            );
        }
        let risk = crate::runbook::risk::classify(&command);
        if risk != crate::model::Risk::Read {
            return err(
                cmd_at,
                format!(
                    "watch.commands `{}`: `{}` is {risk}, not read: only read commands can be watched",
                    c.name,
                    command.lines().next().unwrap_or("")
                ),
            );
        }
        if let Some(e) = &c.expect
            && let Err(why) = regex::Regex::new(e.get_ref())
        {
            return err(
                e.span().start,
                format!("watch.commands `{}`: expect is not a regex: {why}", c.name),
            );
        }
        w.commands.push(WatchCommand {
            name: c.name,
            command,
            interval_ms,
            expect: c.expect.map(Spanned::into_inner),
            context: c.context,
        });
    }
    for m in raw.metrics {
        let at = m.span().start;
        let m = m.into_inner();
        let direction = match m.direction.as_ref().map(|d| d.get_ref().as_str()) {
            None | Some("above") => Direction::Above,
            Some("below") => Direction::Below,
            Some(other) => {
                return Err(FileError::at(
                    path,
                    src,
                    m.direction.as_ref().map_or(at, |d| d.span().start),
                    format!("watch.metrics.direction = `{other}`: use above or below"),
                ));
            }
        };
        if let Some(p) = &m.period
            && (*p.get_ref() < 1 || (*p.get_ref() >= 60 && p.get_ref() % 60 != 0))
        {
            return Err(FileError::at(
                path,
                src,
                p.span().start,
                format!(
                    "watch.metrics.period = {}: CloudWatch accepts 1, 5, 10, 30 or a multiple of 60 seconds",
                    p.get_ref()
                ),
            ));
        }
        w.metrics.push(WatchMetric {
            label: m.label,
            namespace: m.namespace,
            metric: m.metric,
            dimensions: m.dimensions,
            stat: m.stat.unwrap_or_else(|| "Average".into()),
            period: m.period.map(Spanned::into_inner),
            thresholds: Thresholds {
                warn: m.warn,
                crit: m.crit,
                direction,
            },
        });
    }
    Ok(w)
}

pub(super) fn refresh(path: &Path, src: &str, raw: RawRefresh) -> Result<Refresh, FileError> {
    let mut r = Refresh::default();
    let secs =
        |v: &Option<Spanned<toml::Value>>, key: &str, slot: &mut i64| -> Result<(), FileError> {
            if let Some(s) = v {
                match crate::duration::from_toml_ms(s.get_ref()) {
                    Ok(ms) if (500..=3_600_000).contains(&ms) => *slot = ms,
                    Ok(_) => {
                        return Err(FileError::at(
                            path,
                            src,
                            s.span().start,
                            format!("refresh.{key} = {}: use 0.5s to 1h", s.get_ref()),
                        ));
                    }
                    Err(e) => {
                        return Err(FileError::at(
                            path,
                            src,
                            s.span().start,
                            format!("refresh.{key} = {}: {e}", s.get_ref()),
                        ));
                    }
                }
            }
            Ok(())
        };
    secs(&raw.ecs, "ecs", &mut r.ecs_ms)?;
    secs(&raw.lambda, "lambda", &mut r.lambda_ms)?;
    secs(&raw.metrics, "metrics", &mut r.metrics_ms)?;
    secs(&raw.alarms, "alarms", &mut r.alarms_ms)?;
    secs(&raw.health, "health", &mut r.health_ms)?;
    secs(&raw.sqs, "sqs", &mut r.sqs_ms)?;
    secs(&raw.resources, "resources", &mut r.resources_ms)?;
    secs(&raw.steady, "steady", &mut r.steady_ms)?;
    secs(&raw.logs, "logs", &mut r.logs_ms)?;
    if let Some(s) = &raw.logs_rate {
        let x = *s.get_ref();
        if !(0.1..=5.0).contains(&x) {
            return Err(FileError::at(
                path,
                src,
                s.span().start,
                format!(
                    "refresh.logs_rate = {x}: use 0.1 to 5 requests/s (the account's FilterLogEvents quota is 5/s per region, shared with every other tool)"
                ),
            ));
        }
        r.logs_rate = x;
    }
    if let Some(s) = &raw.logs_backfill_minutes {
        let x = *s.get_ref();
        if !(0..=1440).contains(&x) {
            return Err(FileError::at(
                path,
                src,
                s.span().start,
                format!("refresh.logs_backfill_minutes = {x}: use 0 to 1440"),
            ));
        }
        r.logs_backfill_ms = x * 60_000;
    }
    if let Some(s) = &raw.logs_backfill {
        match crate::duration::from_toml_ms(s.get_ref()) {
            Ok(ms) if ms <= 86_400_000 => r.logs_backfill_ms = ms,
            got => {
                let why = match got {
                    Err(e) => e,
                    Ok(_) => "use 0 to 1d".to_string(),
                };
                return Err(FileError::at(
                    path,
                    src,
                    s.span().start,
                    format!("refresh.logs_backfill = {}: {why}", s.get_ref()),
                ));
            }
        }
    }
    Ok(r)
}
