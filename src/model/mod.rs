//! The data model shared by sources, the application state, the views and `snapshot --format
//! json`. Field names here are a public contract (tests and scripts read the JSON): add
//! fields, never rename.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

pub mod kinds;

pub use kinds::apigateway::ApigatewayDetail;
pub use kinds::dynamodb::DynamodbDetail;
pub use kinds::ecs::EcsDetail;
pub use kinds::elasticache::ElasticacheDetail;
pub use kinds::elb::ElbDetail;
pub use kinds::http::HttpDetail;
pub use kinds::lambda::{Alias, LambdaDetail};
pub use kinds::rds::RdsDetail;
pub use kinds::sfn::{SfnDetail, SfnFailure};
pub use kinds::sqs::SqsDetail;
pub use kinds::{Builtin, Detail, Mutation, ResourceKind, SysEvent};

/// Health as shown everywhere: by colour role *and* by symbol, so it reads in monochrome.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Crit,
    Warn,
    #[default]
    Unknown,
    Ok,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Warn => "warn",
            Health::Crit => "crit",
            Health::Unknown => "unknown",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Health::Ok => "✓",
            Health::Warn => "⚠",
            Health::Crit => "✗",
            Health::Unknown => "?",
        }
    }

    /// Severity rank for sorting: the worst first.
    pub fn rank(self) -> u8 {
        match self {
            Health::Crit => 0,
            Health::Warn => 1,
            Health::Unknown => 2,
            Health::Ok => 3,
        }
    }

    pub fn worst(self, other: Health) -> Health {
        if other.rank() < self.rank() {
            other
        } else {
            self
        }
    }
}

/// Task counts of a resource that runs copies of itself (ECS: desired / running / pending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Counts {
    pub desired: i64,
    pub running: i64,
    pub pending: i64,
}

/// One row of the services pane, whatever its kind: identity, where it lives, health, a
/// short status, counts where they apply, and the kind's own detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ResourceRepr")]
pub struct Resource {
    pub kind: ResourceKind,
    /// Stable identity within its kind and context (`cluster/service`, a function name, a
    /// URL): keeps the selection on the same row across refreshes.
    pub id: String,
    pub name: String,
    /// The AWS context (region/account label) it was seen in, when several are watched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    pub health: Health,
    /// Short state text: ECS rollout state, Lambda state, or HTTP status line.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<Counts>,
    pub detail: Detail,
    /// Health and status as the source said them, before its metrics rated the row (see
    /// [`Resource::rate_by_metrics`]).
    #[serde(skip)]
    pub source_rating: Option<(Health, String)>,
    /// Listed but not described yet: the row shows its name and `…` until its describe
    /// lands (progressive first paint); health changes from it are not events.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub loading: bool,
}

/// A row as written (recordings): `detail` is read by the row's `kind`, since the untagged
/// details cannot tell themselves apart.
#[derive(Deserialize)]
struct ResourceRepr {
    kind: ResourceKind,
    id: String,
    name: String,
    #[serde(default)]
    context: Option<String>,
    health: Health,
    status: String,
    #[serde(default)]
    counts: Option<Counts>,
    detail: serde_json::Value,
    #[serde(default)]
    loading: bool,
}

impl TryFrom<ResourceRepr> for Resource {
    type Error = serde_json::Error;

    fn try_from(r: ResourceRepr) -> Result<Self, Self::Error> {
        let detail = Detail::from_json(r.kind, r.detail)?;
        Ok(Resource {
            kind: r.kind,
            id: r.id,
            name: r.name,
            context: r.context,
            health: r.health,
            status: r.status,
            counts: r.counts,
            detail,
            source_rating: None,
            loading: r.loading,
        })
    }
}

impl Resource {
    /// A row of any kind: its kind follows from the detail.
    pub fn new(id: impl Into<String>, name: impl Into<String>, detail: Detail) -> Self {
        Resource {
            kind: detail.kind(),
            id: id.into(),
            name: name.into(),
            context: None,
            health: Health::Unknown,
            status: String::new(),
            counts: None,
            source_rating: None,
            loading: false,
            detail,
        }
    }

    /// A row listed but not described yet: its name, `…`, health unknown.
    pub fn listed(mut self) -> Self {
        self.status = "…".into();
        self.health = Health::Unknown;
        self.loading = true;
        self
    }

    /// Whether the row's kind is rated by its metrics too.
    pub fn rated(&self) -> bool {
        self.kind.rated()
    }

    /// Rates the row by its own metrics as well as by what the source said: the worse of
    /// the two, and the status names the metric that made it worse. Idempotent: the
    /// source's rating is kept aside and each call starts from it.
    pub fn rate_by_metrics(&mut self, series: &[MetricSeries]) {
        let (base_health, base_status) = self
            .source_rating
            .get_or_insert_with(|| (self.health, self.status.clone()))
            .clone();
        let worst = series
            .iter()
            .filter(|m| self.owns_metric(&m.key))
            .filter(|m| matches!(m.health(), Health::Warn | Health::Crit))
            .min_by_key(|m| m.health().rank());
        let Some(m) = worst else {
            // Nothing breached: an API Gateway stage (no state of its own) is as good as
            // its metrics once they arrived.
            let own = series
                .iter()
                .any(|m| self.owns_metric(&m.key) && m.last().is_some());
            self.health = if own && base_health == Health::Unknown && self.kind.ok_by_metrics() {
                Health::Ok
            } else {
                base_health
            };
            self.status = base_status;
            return;
        };
        self.health = base_health.worst(m.health());
        let v = m.last().unwrap_or(0.0);
        let value = if v.fract() == 0.0 || v.abs() >= 100.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.2}")
        };
        // The metric first: it is why the row is worse than its state says.
        self.status = format!(
            "{} {value}{} {} · {base_status}",
            m.label,
            m.unit
                .as_deref()
                .filter(|u| *u != "Count" && *u != "None")
                .map(|u| format!(" {u}"))
                .unwrap_or_default(),
            m.health().as_str()
        );
    }

    /// Stable identity across refreshes (keeps the selection on the same row).
    pub fn key(&self) -> String {
        format!(
            "{:?}/{}/{}",
            self.kind,
            self.context.as_deref().unwrap_or(""),
            self.id
        )
    }

    /// As the services pane names it: `cluster/service` for ECS, else the name.
    pub fn display_name(&self) -> String {
        match self.cluster() {
            Some(c) => format!("{c}/{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// Whether larger values are worse (CPU, errors) or better (healthy hosts, throughput).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Above,
    Below,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Thresholds {
    pub warn: Option<f64>,
    pub crit: Option<f64>,
    #[serde(default)]
    pub direction: Direction,
}

impl Thresholds {
    pub fn classify(&self, v: f64) -> Health {
        let breach = |t: Option<f64>| match (t, self.direction) {
            (Some(t), Direction::Above) => v >= t,
            (Some(t), Direction::Below) => v <= t,
            (None, _) => false,
        };
        if breach(self.crit) {
            Health::Crit
        } else if breach(self.warn) {
            Health::Warn
        } else {
            Health::Ok
        }
    }

    pub fn is_empty(&self) -> bool {
        self.warn.is_none() && self.crit.is_none()
    }
}

/// Identity of a metric series.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MetricKey {
    pub namespace: String,
    pub metric: String,
    pub dimensions: BTreeMap<String, String>,
    pub stat: String,
    /// The linked source account it is read from (CloudWatch cross-account observability);
    /// `None`: the context's own account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// A metric to chart: its label, CloudWatch key, unit, thresholds and period.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricDef {
    pub label: String,
    pub key: MetricKey,
    pub unit: Option<String>,
    pub thresholds: Thresholds,
    /// A fixed period (seconds); otherwise fitted to the window.
    pub period: Option<i64>,
}

/// A metric definition plus its points (time in ms since the epoch, UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSeries {
    pub label: String,
    /// The context it was read in, when several are watched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    pub key: MetricKey,
    pub unit: Option<String>,
    pub thresholds: Thresholds,
    pub points: Vec<(i64, f64)>,
}

impl MetricSeries {
    /// Points at or after `since_ms`.
    pub fn window(&self, since_ms: i64) -> &[(i64, f64)] {
        let start = self.points.partition_point(|(t, _)| *t < since_ms);
        &self.points[start..]
    }

    pub fn last(&self) -> Option<f64> {
        self.points.last().map(|p| p.1)
    }

    pub fn health(&self) -> Health {
        match self.last() {
            None => Health::Unknown,
            Some(_) if self.thresholds.is_empty() => Health::Ok,
            Some(v) => self.thresholds.classify(v),
        }
    }

    /// Merges newer points in, keeping time order and dropping duplicates by timestamp.
    pub fn merge_points(&mut self, mut new: Vec<(i64, f64)>, keep_since_ms: i64) {
        new.sort_by_key(|p| p.0);
        for (t, v) in new {
            match self.points.last() {
                Some((lt, _)) if *lt < t => self.points.push((t, v)),
                None => self.points.push((t, v)),
                _ => match self.points.binary_search_by_key(&t, |p| p.0) {
                    Ok(i) => self.points[i].1 = v,
                    Err(i) => self.points.insert(i, (t, v)),
                },
            }
        }
        let cut = self.points.partition_point(|(t, _)| *t < keep_since_ms);
        if cut > 0 {
            self.points.drain(..cut);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub name: String,
    /// `ALARM`, `OK` or `INSUFFICIENT_DATA`, as CloudWatch says it.
    pub state: String,
    pub reason: Option<String>,
    /// When the state last changed (ms since the epoch, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_ms: Option<i64>,
    /// The context it was read in, when several are watched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

impl Alarm {
    pub fn health(&self) -> Health {
        match self.state.as_str() {
            "ALARM" => Health::Crit,
            "OK" => Health::Ok,
            _ => Health::Unknown,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
        }
    }
}

/// The group of a Logs Insights row that names no group of its own (no `@log` field).
pub const INSIGHTS_GROUP: &str = "insights";

/// One log event as delivered by a source (before sanitising). Short names when written:
/// recordings hold hundreds of thousands of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEvent {
    #[serde(rename = "t")]
    pub time_ms: i64,
    #[serde(rename = "g")]
    pub group: Arc<str>,
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<Arc<str>>,
    #[serde(rename = "m")]
    pub message: String,
}

/// Risk of a command, and of a step as the highest of its commands. Ordered so that `max`
/// gives the one to confirm for: an unrecognised command is treated as riskier than a known
/// write (when unsure, classify higher), and destructive is the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    #[default]
    Read,
    Write,
    Unknown,
    Destructive,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Read => "read",
            Risk::Write => "write",
            Risk::Unknown => "unknown",
            Risk::Destructive => "destructive",
        }
    }

    pub fn parse(s: &str) -> Option<Risk> {
        match s.trim().to_ascii_lowercase().as_str() {
            "read" => Some(Risk::Read),
            "write" => Some(Risk::Write),
            "unknown" => Some(Risk::Unknown),
            "destructive" => Some(Risk::Destructive),
            _ => None,
        }
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
