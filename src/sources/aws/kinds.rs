//! The resource kinds beyond ECS services, Lambda functions and HTTP checks. Each kind is one
//! module implementing [`Kind`]: what `[watch]` and the runbooks select, discovery, describe →
//! rows with its health rule, and its standard CloudWatch metrics with default thresholds.
//! [`KINDS`] registers them; one generic feed task per kind polls it
//! ([`super::feeds::kind_feed`]) and the plan, the metrics feed and the source's feed list go
//! through the registry, so a new kind is its module, its line in [`KINDS`], and its tests
//! (plus its variant in `model::Detail` and, when it has built-in actions, their mutations).

use super::Clients;
use super::plan::MetricDef;
use crate::config::Watch;
use crate::model::{Direction, MetricKey, Resource, ResourceKind, Thresholds};
use crate::runbook::targets::Targets;
use futures::future::BoxFuture;
use std::collections::BTreeMap;

/// What describing one target gave: its rows (an Aurora cluster is a row and so are its
/// instances), or why it could not be read.
pub type Described = Vec<(String, Result<Vec<Resource>, String>)>;

pub trait Kind: Send + Sync + 'static {
    fn kind(&self) -> ResourceKind;
    /// What `[watch]` in opsdeck.toml names for this kind (empty: silent).
    fn configured(&self, w: &Watch) -> Vec<String>;
    /// What the runbooks' commands name (placeholders already left out by the caller's
    /// filter on `template`).
    fn selected(&self, t: &Targets) -> Vec<String>;
    /// At most this many discovered resources are watched (a note says when more exist).
    fn cap(&self) -> usize {
        50
    }
    /// Every resource of the kind in the account and region (identifiers).
    fn discover<'a>(&'a self, c: &'a Clients) -> BoxFuture<'a, Result<Vec<String>, String>>;
    /// Rows for the targets, one entry per target. `now_ms` for windows (failed executions
    /// in the last hour, backup age).
    fn describe<'a>(
        &'a self,
        c: &'a Clients,
        targets: &'a [String],
        now_ms: i64,
    ) -> BoxFuture<'a, Described>;
    /// A target that could not be read: its name and why, health unknown.
    fn error_row(&self, target: &str, error: &str) -> Resource;
    /// Cross-row rules after describing (an SQS dead-letter queue rated as one).
    fn finish(&self, _rows: &mut [Resource]) {}
    /// The standard metrics of these rows, with default thresholds.
    fn metrics(&self, rows: &[Resource]) -> Vec<MetricDef>;
}

/// Every kind with its own feed.
pub static KINDS: &[&dyn Kind] = &[
    &super::sqs::Sqs,
    &super::rds::Rds,
    &super::dynamodb::Dynamodb,
    &super::elb::Elb,
    &super::sfn::Sfn,
    &super::elasticache::Elasticache,
    &super::apigateway::Apigateway,
];

pub fn get(kind: ResourceKind) -> Option<&'static dyn Kind> {
    KINDS.iter().copied().find(|k| k.kind() == kind)
}

/// Warn at `warn`, crit at `crit`, larger is worse.
pub fn above(warn: f64, crit: f64) -> Thresholds {
    Thresholds {
        warn: Some(warn),
        crit: Some(crit),
        direction: Direction::Above,
    }
}

/// Smaller is worse (free storage).
pub fn below(warn: f64, crit: f64) -> Thresholds {
    Thresholds {
        warn: Some(warn),
        crit: Some(crit),
        direction: Direction::Below,
    }
}

/// One standard metric of a resource.
pub fn metric(
    label: String,
    namespace: &str,
    name: &str,
    dimensions: &[(&str, &str)],
    stat: &str,
    unit: Option<&str>,
    thresholds: Thresholds,
) -> MetricDef {
    MetricDef {
        label,
        key: MetricKey {
            namespace: namespace.into(),
            metric: name.into(),
            dimensions: dimensions
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            stat: stat.into(),
        },
        unit: unit.map(str::to_string),
        thresholds,
        period: None,
    }
}

pub use crate::text::last_segment;
