//! What a resource kind is to the live source: the [`Kind`] trait each kind's module
//! implements — what `[watch]` and the runbooks select, discovery, describe → rows with its
//! health rule, and its standard CloudWatch metrics with default thresholds — and the helpers
//! they share. [`super::registry`] lists the kinds.

use super::Clients;
use super::errors::{AwsError, AwsResult};
use super::plan::Plan;
use crate::config::Refresh;
use crate::config::Watch;
use crate::model::MetricDef;
use crate::model::{Direction, MetricKey, Resource, ResourceKind, Thresholds};
use crate::runbook::targets::Targets;
use futures::future::BoxFuture;
use std::collections::BTreeMap;

/// What describing one target gave: its rows (an Aurora cluster is a row and so are its
/// instances), or why it could not be read.
pub type Described = Vec<(String, AwsResult<Vec<Resource>>)>;

pub trait Kind: Send + Sync + 'static {
    fn kind(&self) -> ResourceKind;
    /// What `[watch]` in opsdeck.toml names for this kind (empty: silent).
    fn configured(&self, w: &Watch) -> Vec<String>;
    /// What the runbooks' commands name (placeholders already left out by the caller's
    /// filter on `template`).
    fn selected(&self, t: &Targets) -> Vec<String> {
        named(t.named(self.kind()))
    }
    /// Writes what the plan watches of this kind: `[watch]` first, else what the runbooks
    /// name, else everything discovery finds (`plan.kinds[kind] = None`).
    fn plan(&self, p: &mut Plan, watch: &Watch, targets: &[Targets]) {
        let chosen = super::plan::choose(
            &mut p.origin,
            self.kind().name(),
            &self.configured(watch),
            || targets.iter().flat_map(|t| self.selected(t)).collect(),
            "discovery",
        );
        p.kinds.insert(self.kind(), chosen);
    }
    /// The targets the plan names, when it names them all (nothing to list); `None`: the
    /// feed lists them ([`Kind::list`]).
    fn planned(&self, p: &Plan) -> Option<Vec<String>> {
        p.kinds.get(&self.kind()).cloned().flatten()
    }
    /// Every resource of the kind in the account and region (identifiers), all of them (page
    /// by page).
    fn discover<'a>(&'a self, c: &'a Clients) -> BoxFuture<'a, AwsResult<Vec<String>>>;
    /// What the feed watches when the plan does not name it all: by default what discovery
    /// finds. A kind whose listing says what changed (Lambda's `LastModified`) gives a marker
    /// per target; a target whose marker moved is described at once.
    fn list<'a>(&'a self, cx: &'a Cx<'a>) -> BoxFuture<'a, AwsResult<Listing>> {
        Box::pin(async move { self.discover(cx.c).await.map(Listing::from) })
    }
    /// The feed's interval, from `[refresh]` (most kinds share `resources`).
    fn refresh_ms(&self, r: &Refresh) -> i64 {
        r.resources_ms
    }
    /// How often the listing is asked again (new resources, gone ones).
    fn relist(&self) -> std::time::Duration {
        std::time::Duration::from_secs(300)
    }
    /// How long a steady target goes undescribed, given `[refresh] steady` (a health check
    /// is cheap: every refresh).
    fn steady(&self, configured: std::time::Duration) -> std::time::Duration {
        configured
    }
    /// How describes are split: `(targets per call, calls in flight)`. `None`: one call
    /// with every due target (the kind batches or paces inside). With a split the feed fills
    /// each call with the targets due soonest (the call costs the same) and repaints as the
    /// answers land.
    fn split(&self) -> Option<(usize, usize)> {
        None
    }
    /// An action touched `target`: forget what would hide its effect (the feed describes it
    /// at once).
    fn poked(&self, _memo: &Memo, _target: &str) {}
    /// Targets described in one call share this (an ECS service's cluster).
    fn group<'t>(&self, _target: &'t str) -> &'t str {
        ""
    }
    /// Rows for the targets, one entry per target. `cx.now_ms` for windows (failed
    /// executions in the last hour, backup age).
    fn describe<'a>(&'a self, cx: &'a Cx<'a>, targets: &'a [String]) -> BoxFuture<'a, Described>;
    /// A target that could not be read: its name and why, health unknown.
    fn error_row(&self, target: &str, error: &str) -> Resource;
    /// Cross-row rules after describing (an SQS dead-letter queue rated as one).
    fn finish(&self, _rows: &mut [Resource]) {}
    /// What picks these rows' log groups when `[watch]` names none.
    fn log_names(&self, _rows: &[Resource]) -> LogNames {
        LogNames::default()
    }
    /// A metric every resource of the kind has (namespace, name): a monitoring account
    /// finds its linked accounts' resources in its dimensions ([`Kind::of_dimensions`]).
    fn linked_metric(&self) -> Option<(&'static str, &'static str)> {
        None
    }
    /// A row for a resource seen only in a linked account's metrics (a monitoring
    /// account charts their standard metrics), from the metric's dimension `dim`.
    fn of_dimensions(&self, _dim: &dyn Fn(&str) -> Option<String>) -> Option<Resource> {
        None
    }
    /// The standard metrics of these rows, with default thresholds.
    fn metrics(&self, rows: &[Resource]) -> Vec<MetricDef>;
    /// Its built-in mutations through the SDK (`None`: `m` is not one of them).
    fn apply<'a>(
        &'a self,
        _c: &'a Clients,
        _m: &'a crate::sources::Mutation,
    ) -> Option<BoxFuture<'a, AwsResult<String>>> {
        None
    }
}

/// What a kind's describe works with: the context's clients, the plan, the feed's memo and
/// the time.
pub struct Cx<'a> {
    pub c: &'a Clients,
    pub plan: &'a Plan,
    pub memo: &'a Memo,
    pub now_ms: i64,
}

/// How a kind's rows name their log groups: exactly (`/aws/lambda/<function>`) or as part
/// of the name (a service's groups hold its name).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogNames {
    pub exact: Vec<String>,
    pub containing: Vec<String>,
}

impl LogNames {
    pub fn extend(&mut self, other: LogNames) {
        self.exact.extend(other.exact);
        self.containing.extend(other.containing);
    }
}

/// What a listing found: the targets, and for some a marker that changes when the target
/// changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    pub targets: Vec<String>,
    pub markers: std::collections::HashMap<String, String>,
}

impl From<Vec<String>> for Listing {
    fn from(targets: Vec<String>) -> Self {
        Listing {
            targets,
            markers: Default::default(),
        }
    }
}

/// What a kind's feed remembers between refreshes: answers that change rarely or never (a
/// queue's URL, a table's backup settings, a failed execution's cause), each with when it
/// was learnt, so they are asked for once or every few minutes instead of every refresh.
/// One per feed, so per account and region.
#[derive(Default)]
pub struct Memo(std::sync::Mutex<std::collections::HashMap<String, (i64, Learnt)>>);

type Learnt = std::sync::Arc<dyn std::any::Any + Send + Sync>;

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        f.debug_set().entries(m.keys()).finish()
    }
}

impl Memo {
    /// The value learnt under `key` at most `max_age_ms` ago (of type `T`).
    pub fn get<T: Clone + 'static>(&self, key: &str, max_age_ms: i64, now_ms: i64) -> Option<T> {
        let m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.get(key)
            .filter(|(at, _)| now_ms - *at <= max_age_ms)
            .and_then(|(_, v)| v.downcast_ref::<T>().cloned())
    }

    pub fn put<T: Send + Sync + 'static>(&self, key: &str, value: T, now_ms: i64) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.insert(key.to_string(), (now_ms, std::sync::Arc::new(value)));
    }

    /// Forgets what was learnt under `key`.
    pub fn forget(&self, key: &str) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.remove(key);
    }

    /// Forgets what `keep` does not keep (targets no longer watched).
    pub fn retain(&self, keep: impl Fn(&str) -> bool) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.retain(|k, _| keep(k));
    }

    /// The memoised value, or `ask`'s answer remembered (an error is not remembered).
    pub async fn or_ask<T, F, E>(
        &self,
        key: &str,
        max_age_ms: i64,
        now_ms: i64,
        ask: F,
    ) -> Result<T, E>
    where
        T: Clone + Send + Sync + 'static,
        F: std::future::Future<Output = Result<T, E>>,
    {
        if let Some(v) = self.get::<T>(key, max_age_ms, now_ms) {
            return Ok(v);
        }
        let v = ask.await?;
        self.put(key, v.clone(), now_ms);
        Ok(v)
    }
}

/// Settings that change rarely (backups, maintenance) are asked for again after this long.
pub const SLOW_MS: i64 = 300_000;

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
            account: None,
        },
        unit: unit.map(str::to_string),
        thresholds,
        period: None,
    }
}

pub use crate::text::last_segment;

/// The names the runbooks give, placeholders (`<cluster>`, `$TABLE`) left out.
pub fn named(found: &[crate::runbook::targets::Found]) -> Vec<String> {
    found
        .iter()
        .filter(|x| !x.template)
        .map(|x| x.name.clone())
        .collect()
}

/// A target that could not be read: a row with its name and why, health unknown.
pub fn failed_row(id: &str, name: &str, detail: crate::model::Detail, error: &str) -> Resource {
    let mut r = Resource::new(id, name, detail);
    r.status = error.to_string();
    r
}

/// Every target failed the same way (the kind's one batch call failed).
pub fn all_failed(targets: &[String], error: &AwsError) -> Described {
    targets
        .iter()
        .map(|t| (t.clone(), Err(error.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_remembers_for_its_age_and_not_errors() {
        let m = Memo::default();
        m.put("url orders", "https://q/orders".to_string(), 1_000);
        assert_eq!(
            m.get::<String>("url orders", 500, 1_400).as_deref(),
            Some("https://q/orders")
        );
        assert_eq!(m.get::<String>("url orders", 500, 1_600), None, "too old");
        assert_eq!(m.get::<i64>("url orders", 500, 1_400), None, "another type");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let asked = std::cell::Cell::new(0);
        let ask = |v: Result<String, String>| {
            asked.set(asked.get() + 1);
            async move { v }
        };
        rt.block_on(async {
            assert!(
                m.or_ask("k", 100, 0, ask(Err("throttled".into())))
                    .await
                    .is_err()
            );
            assert_eq!(
                m.or_ask("k", 100, 0, ask(Ok("v".into()))).await,
                Ok("v".into())
            );
            assert_eq!(
                m.or_ask("k", 100, 50, ask(Ok("w".into()))).await,
                Ok("v".into())
            );
        });
        assert_eq!(
            asked.get(),
            3,
            "the third call built its future but the memo answered"
        );
        assert_eq!(m.get::<String>("k", 100, 50).as_deref(), Some("v"));
    }
}
