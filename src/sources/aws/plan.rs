//! What the live cockpit watches. Each kind of resource comes from `[watch]` in opsdeck.toml;
//! where the config is silent about a kind, from the loaded runbooks' targets; where both are
//! silent, from discovery (done by the feeds at run time, all of it). Pure: tested without AWS.

use crate::config::Watch;
use crate::config::live::{WatchHealth, WatchLogGroup};
use crate::model::{MetricKey, ResourceKind, Thresholds};
use crate::runbook::targets::{MetricTarget, Targets};
use crate::sources::Window;
use std::collections::BTreeMap;

/// Log groups discovery follows at most (each followed group is polled or tailed; resources
/// themselves are never capped).
pub const MAX_DISCOVERED_LOG_GROUPS: usize = 10;
/// GetMetricData accepts up to 500 queries per call.
pub const METRICS_PER_CALL: usize = 500;

pub use crate::model::MetricDef;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// A monitoring account: the linked source accounts' metrics are charted too
    /// (`cross_account = true` on the context).
    pub cross_account: bool,
    /// ECS: every service of these clusters.
    pub clusters: Vec<String>,
    /// ECS: `(cluster, service)`; a `None` cluster is searched for in every cluster.
    pub services: Vec<(Option<String>, String)>,
    /// Neither clusters nor services named: discover all.
    pub discover_ecs: bool,
    /// The other kinds (SQS, RDS, DynamoDB…): what to watch of each; `None`: discover.
    pub kinds: BTreeMap<ResourceKind, Option<Vec<String>>>,
    /// `None`: the standard metrics of what is watched.
    pub metrics: Option<Vec<MetricDef>>,
    /// `None`: `/aws/lambda/<function>` and groups naming a watched service.
    pub log_groups: Option<Vec<WatchLogGroup>>,
    /// Empty: all alarms.
    pub alarm_prefixes: Vec<String>,
    pub alarm_names: Vec<String>,
    pub health: Vec<WatchHealth>,
    /// Thresholds named in runbooks, applied to standard metrics that match.
    pub runbook_thresholds: Vec<(MetricKey, Thresholds)>,
    /// `[watch] limit`: discovery keeps at most this many of each kind.
    pub limit: Option<usize>,
    /// Where each kind came from, for the log and `--help`-style explanations.
    pub origin: BTreeMap<&'static str, &'static str>,
}

fn dedup<T: PartialEq + Clone>(v: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for x in v {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

/// Config first; where it is silent, the runbooks' (deduplicated); where both are silent,
/// `None`, recorded as `fallback` (what the feeds do instead).
pub(super) fn choose<T: PartialEq + Clone>(
    origin: &mut BTreeMap<&'static str, &'static str>,
    kind: &'static str,
    config: &[T],
    runbooks: impl FnOnce() -> Vec<T>,
    fallback: &'static str,
) -> Option<Vec<T>> {
    if !config.is_empty() {
        origin.insert(kind, "config");
        return Some(config.to_vec());
    }
    let found = dedup(runbooks());
    if found.is_empty() {
        origin.insert(kind, fallback);
        None
    } else {
        origin.insert(kind, "runbooks");
        Some(found)
    }
}

/// A name still holding a placeholder (`<cluster>`, `$SERVICE`) is no real resource.
pub(super) fn templated(s: &str) -> bool {
    s.contains('<') || s.contains('$')
}

/// The series a runbook's metric names (its first statistic, else Average).
fn runbook_key(m: &MetricTarget) -> MetricKey {
    MetricKey {
        namespace: m.namespace.clone(),
        metric: m.metric.clone(),
        dimensions: m.dimensions.clone(),
        stat: m
            .statistics
            .first()
            .cloned()
            .unwrap_or_else(|| "Average".into()),
        account: None,
    }
}

impl Plan {
    /// What every kind shares (metrics, log groups, alarms, the limit); each kind then writes
    /// its own part ([`super::kind::Kind::plan`]): the whole plan is [`super::registry::plan`].
    pub fn shared(watch: &Watch, targets: &[Targets]) -> Plan {
        let mut p = Plan {
            limit: watch.limit,
            ..Plan::default()
        };
        let o = &mut p.origin;
        let configured: Vec<MetricDef> = watch
            .metrics
            .iter()
            .map(|m| MetricDef {
                label: m
                    .label
                    .clone()
                    .unwrap_or_else(|| default_label(&m.metric, &m.dimensions)),
                key: MetricKey {
                    namespace: m.namespace.clone(),
                    metric: m.metric.clone(),
                    dimensions: m.dimensions.clone(),
                    stat: m.stat.clone(),
                    account: None,
                },
                unit: unit_of(&m.metric),
                thresholds: m.thresholds,
                period: m.period,
            })
            .collect();
        let rb_metrics = || {
            targets
                .iter()
                .flat_map(|t| t.metrics.iter())
                .filter(|m| !m.template)
        };
        p.runbook_thresholds = rb_metrics()
            .filter_map(|m| m.thresholds.map(|th| (runbook_key(m), th)))
            .collect();
        p.metrics = choose(
            o,
            "metrics",
            &configured,
            || {
                rb_metrics()
                    .filter(|m| !m.dimensions.values().any(|v| templated(v)))
                    .map(|m| MetricDef {
                        label: default_label(&m.metric, &m.dimensions),
                        key: runbook_key(m),
                        unit: unit_of(&m.metric),
                        thresholds: m.thresholds.unwrap_or_default(),
                        period: m.period,
                    })
                    .collect()
            },
            "standard",
        );
        p.log_groups = choose(
            o,
            "logs",
            &watch.log_groups,
            || {
                targets
                    .iter()
                    .flat_map(|t| t.log_groups.iter())
                    .filter(|g| !g.template)
                    .map(|g| WatchLogGroup {
                        name: g.name.clone(),
                        filter: None,
                    })
                    .collect()
            },
            "discovery",
        );
        // Alarms: configured prefixes, else the names and prefixes runbooks use, else all.
        let rb_alarms = || {
            targets
                .iter()
                .flat_map(|t| t.alarms.iter())
                .filter(|a| !a.template)
        };
        p.alarm_names = if watch.alarm_prefixes.is_empty() {
            dedup(rb_alarms().filter_map(|a| a.name.clone()).collect())
        } else {
            Vec::new()
        };
        p.alarm_prefixes = choose(
            o,
            "alarms",
            &watch.alarm_prefixes,
            || rb_alarms().filter_map(|a| a.prefix.clone()).collect(),
            "all",
        )
        .unwrap_or_default();
        if !p.alarm_names.is_empty() {
            o.insert("alarms", "runbooks");
        }
        p
    }

    /// Thresholds for a standard metric: a runbook's, else the defaults below.
    pub fn thresholds_for(&self, key: &MetricKey, default: Thresholds) -> Thresholds {
        self.runbook_thresholds
            .iter()
            .find(|(k, _)| {
                k.namespace == key.namespace
                    && k.metric == key.metric
                    && k.dimensions
                        .iter()
                        .all(|(dk, dv)| key.dimensions.get(dk) == Some(dv))
            })
            .map(|(_, t)| *t)
            .unwrap_or(default)
    }

    /// The kinds' standard metrics with the runbooks' thresholds where they name some.
    pub fn rated(&self, defs: impl IntoIterator<Item = MetricDef>) -> Vec<MetricDef> {
        defs.into_iter()
            .map(|mut d| {
                d.thresholds = self.thresholds_for(&d.key, d.thresholds);
                d
            })
            .collect()
    }
}

/// The period for a window: about 60 to 180 points, never below one minute (standard
/// resolution).
pub fn period_for(window: Window) -> i64 {
    match window {
        Window::M15 | Window::H1 => 60,
        Window::H3 => 120,
        Window::H12 => 300,
    }
}

/// `[start, end)` for a window ending now, with the start on a period boundary so every
/// refresh asks for the same buckets.
pub fn aligned_range(now_ms: i64, window: Window, period_s: i64) -> (i64, i64) {
    let p = period_s * 1000;
    let start = (now_ms - window.millis()).div_euclid(p) * p;
    let end = (now_ms.div_euclid(p) + 1) * p;
    (start, end)
}

fn default_label(metric: &str, dims: &BTreeMap<String, String>) -> String {
    let subject = [
        "ServiceName",
        "FunctionName",
        "LoadBalancer",
        "TargetGroup",
        "DBInstanceIdentifier",
        "TableName",
        "QueueName",
    ]
    .iter()
    .find_map(|k| dims.get(*k))
    .or_else(|| dims.values().next());
    match subject {
        Some(s) => format!("{} {metric}", s.rsplit('/').next().unwrap_or(s)),
        None => metric.to_string(),
    }
}

fn unit_of(metric: &str) -> Option<String> {
    let m = metric.to_ascii_lowercase();
    if m.contains("utilization") || m.ends_with("percent") {
        Some("%".into())
    } else if m.contains("latency") || m.contains("duration") || m.contains("responsetime") {
        Some("ms".into())
    } else {
        None
    }
}

pub(super) fn health_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::live::WatchMetric;
    use crate::model::{Direction, Resource};

    fn targets_of(md: &str) -> Targets {
        crate::runbook::targets::extract(&crate::runbook::parse::parse_full(md))
    }

    #[test]
    fn config_wins_then_runbooks_then_discovery_per_kind() {
        let rb = targets_of(
            "# Api\n\n## Check\n\n```bash\naws ecs describe-services --cluster prod --services api\naws logs tail /ecs/prod/api --follow\ncurl -fsS https://api.shop.internal/health\n```\n",
        );
        let watch = Watch {
            functions: vec!["checkout".into()],
            ..Watch::default()
        };
        let p = super::super::registry::plan(&watch, &[rb]);
        assert_eq!(p.services, vec![(Some("prod".into()), "api".into())]);
        assert_eq!(p.origin["ecs"], "runbooks");
        assert_eq!(
            p.kinds[&ResourceKind::Lambda],
            Some(vec!["checkout".into()])
        );
        assert_eq!(p.origin["lambda"], "config");
        assert_eq!(p.log_groups.as_ref().unwrap()[0].name, "/ecs/prod/api");
        assert_eq!(p.health[0].url, "https://api.shop.internal/health");
        assert_eq!(p.health[0].name, "api.shop.internal");
        assert!(p.metrics.is_none(), "standard metrics of what is watched");
        let empty = super::super::registry::plan(&Watch::default(), &[]);
        assert!(empty.discover_ecs);
        assert!(empty.kinds[&ResourceKind::Lambda].is_none() && empty.log_groups.is_none());
        assert_eq!(empty.origin["alarms"], "all");
    }

    #[test]
    fn standard_metrics_take_runbook_thresholds() {
        let mut p = Plan::default();
        p.runbook_thresholds.push((
            MetricKey {
                namespace: "AWS/ECS".into(),
                metric: "CPUUtilization".into(),
                dimensions: [("ServiceName".to_string(), "api".to_string())].into(),
                stat: "Average".into(),
                account: None,
            },
            Thresholds {
                warn: Some(50.0),
                crit: Some(60.0),
                direction: Direction::Above,
            },
        ));
        use super::super::kind::Kind;
        let mut f = Resource::lambda("checkout");
        if let Some(d) = f.lambda_detail_mut() {
            d.timeout_s = Some(3);
        }
        let ecs = |rows: &[Resource]| super::super::ecs::Ecs.metrics(rows);
        let m = p.rated(
            ecs(&[Resource::ecs("prod", "api")])
                .into_iter()
                .chain(super::super::lambda::Lambda.metrics(&[f])),
        );
        assert_eq!(m.len(), 6);
        assert_eq!(m[0].label, "api CPU");
        assert_eq!(m[0].thresholds.warn, Some(50.0));
        assert_eq!(m[1].thresholds.warn, Some(80.0));
        let duration = m.iter().find(|d| d.key.metric == "Duration").unwrap();
        assert_eq!(
            duration.thresholds.crit,
            Some(2850.0),
            "95 % of a 3 s timeout"
        );
        assert_eq!(
            m.iter().filter(|d| d.key.namespace == "AWS/Lambda").count(),
            4
        );
        let two = ecs(&[
            Resource::ecs("prod", "api"),
            Resource::ecs("staging", "api"),
        ]);
        assert_eq!(two[0].label, "prod/api CPU");
        assert_eq!(two[2].label, "staging/api CPU");
    }

    #[test]
    fn configured_metrics_keep_their_settings() {
        let watch = Watch {
            metrics: vec![WatchMetric {
                label: None,
                namespace: "AWS/ApplicationELB".into(),
                metric: "TargetResponseTime".into(),
                dimensions: [("LoadBalancer".to_string(), "app/prod-alb/123".to_string())].into(),
                stat: "p99".into(),
                period: Some(60),
                thresholds: Thresholds {
                    warn: Some(0.5),
                    crit: Some(1.0),
                    direction: Direction::Above,
                },
            }],
            ..Watch::default()
        };
        let p = super::super::registry::plan(&watch, &[]);
        let m = &p.metrics.unwrap()[0];
        assert_eq!(m.label, "123 TargetResponseTime");
        assert_eq!(m.key.stat, "p99");
        assert_eq!(m.unit.as_deref(), Some("ms"));
    }

    #[test]
    fn ranges_are_aligned_to_the_period() {
        let now = 1_700_000_123_456;
        for w in Window::ALL {
            let p = period_for(w);
            let (s, e) = aligned_range(now, w, p);
            assert_eq!(s % (p * 1000), 0);
            assert_eq!(e % (p * 1000), 0);
            assert!(s <= now - w.millis() && e > now);
            assert!((e - s) / (p * 1000) <= 181);
        }
    }
}
