//! The feed tasks of the live source: one per kind of data, each polling on its interval,
//! backing off after failures and recovering by itself, so one failing API shows in its own
//! pane while the others keep updating. Discovery results are shared through [`Found`].

use super::errors::{AwsError, AwsResult};
use super::kind::Kind;
use super::plan::{self, Plan};
use super::registry::KINDS;
use super::{alarms, ecs, errors, health, lambda, metrics};
use crate::model::ResourceKind;
use crate::sources::{Feed, Payload, SourceEvent, Window};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};

/// What discovery found, shared between feeds through a `watch` channel: the metrics and
/// logs feeds follow the services and functions the ECS and Lambda feeds watch.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Found {
    services: Option<Vec<(String, String)>>,
    functions: Option<Vec<(String, Option<i64>)>>,
    /// The standard metrics of each other kind's rows, once its feed has delivered.
    kinds: BTreeMap<ResourceKind, Vec<plan::MetricDef>>,
}

/// Exponential backoff after failures: the interval doubled per failure, capped at eight
/// intervals (two minutes at most), with ±20 % jitter so feeds do not retry in lockstep.
#[derive(Debug, Clone)]
pub struct Backoff {
    pub interval: Duration,
    pub failures: u32,
}

impl Backoff {
    pub fn new(interval_ms: i64) -> Self {
        Backoff {
            interval: Duration::from_millis(interval_ms.max(100) as u64),
            failures: 0,
        }
    }

    /// The wait before the next attempt.
    pub fn next(&mut self, ok: bool) -> Duration {
        if ok {
            self.failures = 0;
            return self.interval;
        }
        self.failures = self.failures.saturating_add(1);
        let cap = (self.interval * 8)
            .min(Duration::from_secs(120))
            .max(self.interval);
        let d = (self.interval * 2u32.saturating_pow(self.failures.min(16))).min(cap);
        let jitter = 0.8 + rand::random::<f64>() * 0.4;
        d.mul_f64(jitter)
    }
}

pub(super) fn now_ms() -> i64 {
    crate::clock::now_ms()
}

pub(super) async fn send(tx: &mpsc::Sender<SourceEvent>, feed: Feed, payload: Payload) -> bool {
    tx.send(SourceEvent {
        ctx: 0,
        feed,
        at_ms: now_ms(),
        payload,
    })
    .await
    .is_ok()
}

async fn send_result(tx: &mpsc::Sender<SourceEvent>, feed: Feed, r: AwsResult<Payload>) -> bool {
    send(tx, feed, r.unwrap_or_else(|e| Payload::Error(e.message))).await
}

/// Rows for what a feed asked about, one each: a target that failed is a row with its
/// error (one missing function or queue is not a failed pane); the feed fails only when
/// every target did, with the first error.
fn rows_or_error<T>(
    results: Vec<(String, AwsResult<T>)>,
    row: impl Fn(T) -> Vec<crate::model::Resource>,
    error_row: impl Fn(&str, &str) -> crate::model::Resource,
) -> AwsResult<Vec<crate::model::Resource>> {
    let any_ok = results.iter().any(|(_, r)| r.is_ok());
    let mut rows = Vec::new();
    for (name, r) in results {
        match r {
            Ok(t) => rows.extend(row(t)),
            Err(e) if !any_ok => return Err(e),
            Err(e) => rows.push(error_row(&name, &e.message)),
        }
    }
    Ok(rows)
}

/// Sleeps `d`, or less when poked (after an action, to show its effect at once).
async fn pace(d: Duration, poke: &Notify) {
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = poke.notified() => {}
    }
}

/// ECS targets: `(cluster, services)`, from the plan or by listing (every 5 minutes).
async fn ecs_targets(
    c: &aws_sdk_ecs::Client,
    plan: &Plan,
) -> Result<(Vec<(String, Vec<String>)>, bool), String> {
    let mut by_cluster: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut capped = false;
    let mut total = 0usize;
    let clusters: Vec<String> =
        if plan.discover_ecs || plan.services.iter().any(|(c, _)| c.is_none()) {
            ecs::list_clusters(c).await?
        } else {
            plan.clusters.clone()
        };
    let list_all: Vec<String> = if plan.discover_ecs {
        clusters.clone()
    } else {
        plan.clusters.clone()
    };
    for cl in &list_all {
        for s in ecs::list_services(c, cl).await? {
            if plan.discover_ecs && total >= plan::MAX_DISCOVERED_SERVICES {
                capped = true;
                break;
            }
            total += 1;
            by_cluster.entry(cl.clone()).or_default().push(s);
        }
    }
    // A service named without its cluster is looked for in every cluster, each listed once.
    let mut listed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (cl, s) in &plan.services {
        match cl {
            Some(cl) => by_cluster.entry(cl.clone()).or_default().push(s.clone()),
            None => {
                for cand in &clusters {
                    if !listed.contains_key(cand) {
                        listed.insert(cand.clone(), ecs::list_services(c, cand).await?);
                    }
                    if listed.get(cand).is_some_and(|l| l.contains(s)) {
                        by_cluster.entry(cand.clone()).or_default().push(s.clone());
                    }
                }
            }
        }
    }
    for v in by_cluster.values_mut() {
        v.sort();
        v.dedup();
    }
    Ok((by_cluster.into_iter().collect(), capped))
}

/// `(cluster, services)` the ECS feed describes.
type EcsTargets = Vec<(String, Vec<String>)>;

const REDISCOVER: Duration = Duration::from_secs(300);

pub(super) async fn ecs_feed(
    c: aws_sdk_ecs::Client,
    plan: Arc<Plan>,
    interval: i64,
    tx: mpsc::Sender<SourceEvent>,
    found: Arc<watch::Sender<Found>>,
    poke: Arc<Notify>,
) {
    let mut backoff = Backoff::new(interval);
    let mut targets: Option<(EcsTargets, tokio::time::Instant)> = None;
    let needs_listing = plan.discover_ecs
        || !plan.clusters.is_empty()
        || plan.services.iter().any(|(c, _)| c.is_none());
    if !needs_listing && plan.services.is_empty() {
        found.send_modify(|f| f.services = Some(Vec::new()));
    }
    loop {
        let r: AwsResult<Payload> = async {
            let stale = targets
                .as_ref()
                .is_none_or(|(_, at)| needs_listing && at.elapsed() > REDISCOVER);
            if stale {
                let (t, capped) = ecs_targets(&c, &plan).await?;
                if capped {
                    send(
                        &tx,
                        Feed::Ecs,
                        Payload::Note(format!(
                            "ECS discovery capped at {} services; name them in [watch] to choose",
                            plan::MAX_DISCOVERED_SERVICES
                        )),
                    )
                    .await;
                }
                let flat: Vec<(String, String)> = t
                    .iter()
                    .flat_map(|(cl, ss)| ss.iter().map(move |s| (cl.clone(), s.clone())))
                    .collect();
                found.send_if_modified(|f| {
                    let changed = f.services.as_ref() != Some(&flat);
                    f.services = Some(flat);
                    changed
                });
                targets = Some((t, tokio::time::Instant::now()));
            }
            let mut rows = Vec::new();
            let (mut described, mut first_error) = (0, None);
            // Invariant: `stale` is true while `targets` is None, so it was set just above.
            for (cl, ss) in &targets.as_ref().expect("set above").0 {
                match ecs::describe_services(&c, cl, ss, now_ms()).await {
                    Ok(r) => {
                        described += 1;
                        rows.extend(r);
                    }
                    // A missing cluster is rows saying so, not a failed pane.
                    Err(e) => {
                        rows.extend(ss.iter().map(|s| ecs::error_row(cl, s, &e.message)));
                        first_error.get_or_insert(e);
                    }
                }
            }
            match first_error {
                Some(e) if described == 0 => Err(e),
                _ => Ok(Payload::Services(rows)),
            }
        }
        .await;
        let ok = r.is_ok();
        if !send_result(&tx, Feed::Ecs, r).await {
            return;
        }
        pace(backoff.next(ok), &poke).await;
    }
}

/// Functions fetched at once by the Lambda feed (12 calls in flight, well under Lambda's
/// control-plane rate).
const LAMBDA_AT_ONCE: usize = 4;

pub(super) async fn lambda_feed(
    c: aws_sdk_lambda::Client,
    plan: Arc<Plan>,
    interval: i64,
    tx: mpsc::Sender<SourceEvent>,
    found: Arc<watch::Sender<Found>>,
    poke: Arc<Notify>,
) {
    let mut backoff = Backoff::new(interval);
    loop {
        let r: AwsResult<Payload> = async {
            let names: Vec<String> = match &plan.functions {
                Some(f) => f.clone(),
                None => {
                    let mut all = lambda::list_functions(&c).await?;
                    if all.len() > plan::MAX_DISCOVERED_FUNCTIONS {
                        send(&tx, Feed::Lambda, Payload::Note(format!("Lambda discovery capped at {} functions; name them in [watch] to choose", plan::MAX_DISCOVERED_FUNCTIONS))).await;
                        all.truncate(plan::MAX_DISCOVERED_FUNCTIONS);
                    }
                    all.into_iter().map(|(n, _)| n).collect()
                }
            };
            // A few functions at once (three calls each), in order: 50 functions one after
            // another would take 150 round trips a refresh.
            use futures::StreamExt;
            let results: Vec<(String, AwsResult<lambda::FunctionInfo>)> =
                futures::stream::iter(names.iter().cloned().map(|n| {
                    let c = c.clone();
                    async move {
                        let r = lambda::fetch(&c, &n).await;
                        (n, r)
                    }
                }))
                .buffered(LAMBDA_AT_ONCE)
                .collect()
                .await;
            let fns: Vec<(String, Option<i64>)> = results
                .iter()
                .filter_map(|(_, r)| r.as_ref().ok().map(|f| (f.name.clone(), f.timeout_s)))
                .collect();
            let rows = rows_or_error(results, |f| vec![lambda::row(&f)], lambda::error_row)?;
            found.send_if_modified(|f| {
                let changed = f.functions.as_ref() != Some(&fns);
                f.functions = Some(fns);
                changed
            });
            Ok(Payload::Services(rows))
        }
        .await;
        let ok = r.is_ok();
        if !send_result(&tx, Feed::Lambda, r).await {
            return;
        }
        pace(backoff.next(ok), &poke).await;
    }
}

/// The feed of one resource kind: the plan's targets, or what discovery lists (every five
/// minutes, capped, a note saying so); one describe per target per refresh; the rows, and the
/// kind's standard metrics shared with the metrics feed. A kind found by discovery that the
/// credentials may not list says so once in a note and stays empty, instead of a failing
/// pane for a service the team may not use.
pub(super) async fn kind_feed(
    kind: &'static dyn Kind,
    clients: super::Clients,
    plan: Arc<Plan>,
    interval: i64,
    tx: mpsc::Sender<SourceEvent>,
    found: Arc<watch::Sender<Found>>,
    poke: Arc<Notify>,
) {
    let k = kind.kind();
    let feed = Feed::Kind(k);
    let planned = plan.kinds.get(&k).cloned().flatten();
    let mut backoff = Backoff::new(interval);
    let mut listed: Option<(Vec<String>, tokio::time::Instant)> = None;
    let memo = super::kind::Memo::default();
    let mut told_denied = false;
    loop {
        let r: AwsResult<Payload> = async {
            let targets: Vec<String> = match &planned {
                Some(t) => t.clone(),
                None => {
                    if listed
                        .as_ref()
                        .is_none_or(|(_, at)| at.elapsed() > REDISCOVER)
                    {
                        let all = match kind.discover(&clients).await {
                            Ok(mut all) => {
                                if all.len() > kind.cap() {
                                    send(&tx, feed, Payload::Note(format!("{} discovery capped at {} of {}; name them in [watch] to choose", k.label(), kind.cap(), all.len()))).await;
                                    all.truncate(kind.cap());
                                }
                                all
                            }
                            Err(e) if e.fault == super::errors::Fault::Denied => {
                                // Said once; discovery keeps trying quietly in case the
                                // permission is granted.
                                if !std::mem::replace(&mut told_denied, true) {
                                    send(&tx, feed, Payload::Note(format!("{} not watched: {e}", k.label()))).await;
                                }
                                Vec::new()
                            }
                            Err(e) => return Err(e),
                        };
                        listed = Some((all, tokio::time::Instant::now()));
                    }
                    listed.as_ref().map(|l| l.0.clone()).unwrap_or_default()
                }
            };
            let results = kind.describe(&clients, &targets, now_ms(), &memo).await;
            let mut rows = rows_or_error(results, |r| r, |t, e| kind.error_row(t, e))?;
            kind.finish(&mut rows);
            let defs = kind.metrics(&rows);
            found.send_if_modified(|f| {
                let changed = f.kinds.get(&k) != Some(&defs);
                f.kinds.insert(k, defs);
                changed
            });
            Ok(Payload::Services(rows))
        }
        .await;
        let ok = r.is_ok();
        if !ok {
            // Failing: nothing to chart for this kind, and nobody should wait for it.
            found.send_if_modified(|f| {
                let first = !f.kinds.contains_key(&k);
                f.kinds.entry(k).or_default();
                first
            });
        }
        if !send_result(&tx, feed, r).await {
            return;
        }
        pace(backoff.next(ok), &poke).await;
    }
}

/// Waits (at most `limit`) until the ECS, Lambda and other kinds' feeds have said what they
/// watch.
pub(super) async fn wait_found(rx: &mut watch::Receiver<Found>, limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        {
            let f = rx.borrow();
            if f.services.is_some()
                && f.functions.is_some()
                && KINDS.iter().all(|k| f.kinds.contains_key(&k.kind()))
            {
                return;
            }
        }
        if tokio::time::timeout_at(deadline, rx.changed())
            .await
            .is_err()
        {
            return;
        }
    }
}

/// How often a monitoring account's linked metrics are listed again.
const LINKED_RELIST: Duration = Duration::from_secs(600);

pub(super) async fn metrics_feed(
    c: aws_sdk_cloudwatch::Client,
    plan: Arc<Plan>,
    interval: i64,
    tx: mpsc::Sender<SourceEvent>,
    mut found_rx: watch::Receiver<Found>,
    mut window_rx: watch::Receiver<Window>,
    own_account: Option<String>,
) {
    let mut backoff = Backoff::new(interval);
    if plan.metrics.is_none() {
        wait_found(&mut found_rx, Duration::from_secs(5)).await;
    }
    // The linked accounts' metrics, listed again every LINKED_RELIST.
    let mut linked: Vec<plan::MetricDef> = Vec::new();
    let mut linked_at: Option<tokio::time::Instant> = None;
    let mut linked_failed = false;
    loop {
        if plan.cross_account && linked_at.is_none_or(|t| t.elapsed() >= LINKED_RELIST) {
            linked_at = Some(tokio::time::Instant::now());
            match metrics::linked(&c, &plan, own_account.as_deref()).await {
                Ok(d) => {
                    linked = d;
                    linked_failed = false;
                }
                Err(e) => {
                    tracing::warn!("cross-account ListMetrics: {e}");
                    if !linked_failed {
                        linked_failed = true;
                        let note = format!("cross-account metrics: {e}");
                        if !send(&tx, Feed::Metrics, Payload::Note(note)).await {
                            return;
                        }
                    }
                }
            }
        }
        let mut defs = match &plan.metrics {
            Some(d) => d.clone(),
            None => {
                let f = found_rx.borrow_and_update().clone();
                let mut defs = plan.standard_metrics(
                    &f.services.unwrap_or_default(),
                    &f.functions.unwrap_or_default(),
                );
                for mut d in f.kinds.into_values().flatten() {
                    d.thresholds = plan.thresholds_for(&d.key, d.thresholds);
                    defs.push(d);
                }
                defs
            }
        };
        defs.extend(linked.iter().cloned());
        let window = *window_rx.borrow_and_update();
        let r = if defs.is_empty() {
            // Nothing to chart (yet): one cheap call still tells whether CloudWatch answers,
            // so a credentials or network problem shows in this pane too.
            c.list_metrics()
                .namespace("AWS/ECS")
                .send()
                .await
                .map(|_| Payload::MetricSeries(Vec::new()))
                .map_err(|e| errors::describe(&e))
        } else {
            metrics::fetch(&c, &defs, window, now_ms())
                .await
                .map(|(s, calls)| {
                    tracing::debug!(series = s.len(), calls, "GetMetricData");
                    Payload::MetricSeries(s)
                })
        };
        let ok = r.is_ok();
        if !send_result(&tx, Feed::Metrics, r.map_err(AwsError::from)).await {
            return;
        }
        let wait = backoff.next(ok);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = window_rx.changed() => {}
            _ = found_rx.changed(), if plan.metrics.is_none() => {}
        }
    }
}

pub(super) async fn alarms_feed(
    c: aws_sdk_cloudwatch::Client,
    plan: Arc<Plan>,
    interval: i64,
    tx: mpsc::Sender<SourceEvent>,
) {
    let mut backoff = Backoff::new(interval);
    loop {
        let r = alarms::fetch(&c, &plan.alarm_prefixes, &plan.alarm_names)
            .await
            .map(Payload::Alarms);
        let ok = r.is_ok();
        if !send_result(&tx, Feed::Alarms, r.map_err(AwsError::from)).await {
            return;
        }
        tokio::time::sleep(backoff.next(ok)).await;
    }
}

pub(super) async fn health_feed(plan: Arc<Plan>, interval: i64, tx: mpsc::Sender<SourceEvent>) {
    let client = health::client(Duration::from_millis(
        (interval as u64 / 2).clamp(1000, 5000),
    ));
    loop {
        let rows =
            futures::future::join_all(plan.health.iter().map(|h| health::check(&client, h))).await;
        // A failing endpoint is data (a red row), not a failing feed.
        if !send(&tx, Feed::Health, Payload::Services(rows)).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(interval as u64)).await;
    }
}

impl Found {
    /// The discovered service names and function names (what log groups are picked by).
    pub(super) fn names(&self) -> (Vec<String>, Vec<String>) {
        let services = self
            .services
            .iter()
            .flatten()
            .map(|(_, s)| s.clone())
            .collect();
        let functions = self
            .functions
            .iter()
            .flatten()
            .map(|(n, _)| n.clone())
            .collect();
        (services, functions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_resets() {
        let mut b = Backoff::new(10_000);
        let d1 = b.next(false);
        assert!(
            d1 >= Duration::from_secs(16) && d1 <= Duration::from_secs(24),
            "{d1:?}"
        );
        for _ in 0..10 {
            b.next(false);
        }
        let capped = b.next(false);
        assert!(capped <= Duration::from_secs(96), "{capped:?}");
        assert_eq!(b.next(true), Duration::from_secs(10));
        let mut slow = Backoff::new(60_000);
        for _ in 0..10 {
            assert!(slow.next(false) <= Duration::from_secs(144));
        }
    }
}
