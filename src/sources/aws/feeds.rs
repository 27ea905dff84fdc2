//! The feed tasks of the live source: one per kind of data, each polling on its interval,
//! backing off after failures and recovering by itself, so one failing API shows in its own
//! pane while the others keep updating. Discovery results are shared through [`Found`].

use super::errors::{AwsError, AwsResult};
use super::kind::Kind;
use super::plan::{self, Plan};
use super::registry::KINDS;
use super::schedule::{self, Poke, Schedule};
use super::{alarms, ecs, errors, health, lambda, metrics};
use crate::model::{Resource, ResourceKind};
use crate::sources::{Feed, Payload, SourceEvent, Window};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

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
async fn pace(d: Duration, poke: &Poke) {
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = poke.notify.notified() => {}
    }
}

/// ECS targets: `(cluster, services)`, from the plan or by listing every cluster's services
/// (all of them, page by page; every 5 minutes).
async fn ecs_targets(c: &aws_sdk_ecs::Client, plan: &Plan) -> AwsResult<EcsTargets> {
    let mut by_cluster: BTreeMap<String, Vec<String>> = BTreeMap::new();
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
    // What each cluster holds, each cluster listed once.
    let mut listed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for cl in &list_all {
        let ss = ecs::list_services(c, cl).await?;
        by_cluster
            .entry(cl.clone())
            .or_default()
            .extend(ss.iter().cloned());
        listed.insert(cl.clone(), ss);
    }
    // A service named without its cluster is looked for in every cluster.
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
    Ok(by_cluster.into_iter().collect())
}

/// `(cluster, services)` the ECS feed describes.
type EcsTargets = Vec<(String, Vec<String>)>;

const REDISCOVER: Duration = Duration::from_secs(300);

/// DescribeServices calls in flight at once.
const ECS_AT_ONCE: usize = 4;

/// While rows are still loading, what has landed is painted at most this often.
const PAINT_EVERY: Duration = Duration::from_millis(250);

/// The rows of a feed, in a stable order.
fn all_rows(rows: &BTreeMap<String, Resource>) -> Vec<Resource> {
    rows.values().cloned().collect()
}

/// Keeps the rows of what is still watched, and adds the newly found ones as just listed.
fn relist(
    rows: &mut BTreeMap<String, Resource>,
    schedule: &mut Schedule,
    listed: impl IntoIterator<Item = Resource>,
) {
    let listed: BTreeMap<String, Resource> =
        listed.into_iter().map(|r| (r.id.clone(), r)).collect();
    rows.retain(|id, _| listed.contains_key(id));
    schedule.retain(|id| listed.contains_key(id));
    for (id, r) in listed {
        rows.entry(id).or_insert_with(|| r.listed());
    }
}

pub(super) async fn ecs_feed(
    c: aws_sdk_ecs::Client,
    plan: Arc<Plan>,
    refresh: (i64, i64),
    tx: mpsc::Sender<SourceEvent>,
    found: Arc<watch::Sender<Found>>,
    poke: Arc<Poke>,
) {
    let (interval, steady) = refresh;
    let mut backoff = Backoff::new(interval);
    let mut schedule = Schedule::new(ms(interval), ms(steady));
    let mut targets: Option<(EcsTargets, tokio::time::Instant)> = None;
    let mut rows: BTreeMap<String, Resource> = BTreeMap::new();
    let needs_listing = plan.discover_ecs
        || !plan.clusters.is_empty()
        || plan.services.iter().any(|(c, _)| c.is_none());
    if !needs_listing && plan.services.is_empty() {
        found.send_modify(|f| f.services = Some(Vec::new()));
    }
    loop {
        poke.apply(&mut schedule, rows.values());
        let r: AwsResult<Payload> = async {
            let stale = targets
                .as_ref()
                .is_none_or(|(_, at)| needs_listing && at.elapsed() > REDISCOVER);
            if stale {
                let t = ecs_targets(&c, &plan).await?;
                let flat: Vec<(String, String)> = t
                    .iter()
                    .flat_map(|(cl, ss)| ss.iter().map(move |s| (cl.clone(), s.clone())))
                    .collect();
                relist(
                    &mut rows,
                    &mut schedule,
                    flat.iter().map(|(cl, s)| Resource::ecs(cl, s)),
                );
                found.send_if_modified(|f| {
                    let changed = f.services.as_ref() != Some(&flat);
                    f.services = Some(flat);
                    changed
                });
                targets = Some((t, tokio::time::Instant::now()));
                // Names on screen before the describes (progressive first paint).
                if rows.values().any(|r| r.loading) {
                    send(&tx, Feed::Ecs, Payload::Services(all_rows(&rows))).await;
                }
            }
            // Invariant: `stale` is true while `targets` is None, so it was set just above.
            let t = &targets.as_ref().expect("set above").0;
            let now = tokio::time::Instant::now();
            let mut picks: Vec<(&String, Vec<String>)> = t
                .iter()
                .map(|(cl, ss)| {
                    let ids: Vec<String> = ss.iter().map(|s| format!("{cl}/{s}")).collect();
                    (cl, schedule.pick(&ids, now, ecs::DESCRIBE_BATCH))
                })
                .collect();
            // Nothing due: still one call, the soonest due, so a failing API or network
            // shows in this pane at the feed's pace.
            if picks.iter().all(|(_, p)| p.is_empty())
                && let Some((cl, ss)) = t.iter().find(|(_, ss)| !ss.is_empty())
            {
                let ids: Vec<String> = ss.iter().map(|s| format!("{cl}/{s}")).collect();
                let soonest = schedule.pick(&ids, now + schedule.steady(), ecs::DESCRIBE_BATCH);
                picks = vec![(cl, soonest.into_iter().take(ecs::DESCRIBE_BATCH).collect())];
            }
            let (mut described, mut first_error) = (0, None);
            let mut painted = tokio::time::Instant::now();
            // A few batches in flight (well under DescribeServices' rate), answers taken in
            // order: 300 services are 30 round trips.
            let batches: Vec<(String, Vec<String>)> = picks
                .into_iter()
                .flat_map(|(cl, ids)| {
                    let names: Vec<String> = ids
                        .iter()
                        .map(|id| id[cl.len() + 1..].to_string())
                        .collect();
                    names
                        .chunks(ecs::DESCRIBE_BATCH)
                        .map(|b| (cl.clone(), b.to_vec()))
                        .collect::<Vec<_>>()
                })
                .collect();
            use futures::StreamExt;
            let mut answers = futures::stream::iter(batches.into_iter().map(|(cl, batch)| {
                let c = &c;
                async move {
                    let r = ecs::describe_services(c, &cl, &batch, now_ms()).await;
                    (cl, batch, r)
                }
            }))
            .buffered(ECS_AT_ONCE);
            while let Some((cl, batch, r)) = answers.next().await {
                match r {
                    Ok(described_rows) => {
                        described += 1;
                        for r in described_rows {
                            schedule.described(
                                &r.id,
                                schedule::busy(&r),
                                tokio::time::Instant::now(),
                            );
                            rows.insert(r.id.clone(), r);
                        }
                    }
                    // A missing cluster is rows saying so, not a failed pane; asked again
                    // next refresh.
                    Err(e) => {
                        for s in &batch {
                            let r = ecs::error_row(&cl, s, &e.message);
                            rows.insert(r.id.clone(), r);
                        }
                        first_error.get_or_insert(e);
                    }
                }
                if painted.elapsed() >= PAINT_EVERY && rows.values().any(|r| r.loading) {
                    send(&tx, Feed::Ecs, Payload::Services(all_rows(&rows))).await;
                    painted = tokio::time::Instant::now();
                }
            }
            match first_error {
                Some(e) if described == 0 => Err(e),
                _ => Ok(Payload::Services(all_rows(&rows))),
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

fn ms(v: i64) -> Duration {
    Duration::from_millis(v.max(100) as u64)
}

pub(super) async fn lambda_feed(
    c: aws_sdk_lambda::Client,
    plan: Arc<Plan>,
    interval: i64,
    tx: mpsc::Sender<SourceEvent>,
    found: Arc<watch::Sender<Found>>,
    poke: Arc<Poke>,
) {
    let mut backoff = Backoff::new(interval);
    let mut watcher = lambda::Watcher::default();
    let mut painted = false;
    loop {
        let (urgent, focus) = poke.urgent();
        let r: AwsResult<Payload> = async {
            // Named functions are asked for one by one; discovered ones are listed (one call
            // per 50), which also says which of them changed.
            let (names, listed): (Vec<String>, Option<Vec<lambda::Listed>>) = match &plan.functions
            {
                Some(f) => (f.clone(), None),
                None => {
                    let all = lambda::list_functions(&c).await?;
                    (all.iter().map(|l| l.name.clone()).collect(), Some(all))
                }
            };
            if !std::mem::replace(&mut painted, true) && names.len() > 1 {
                let rows = names.iter().map(|n| Resource::lambda(n).listed()).collect();
                send(&tx, Feed::Lambda, Payload::Services(rows)).await;
            }
            let markers: Option<HashMap<String, String>> = listed.as_ref().map(|l| {
                l.iter()
                    .map(|f| (f.name.clone(), f.changed.clone()))
                    .collect()
            });
            let results = watcher
                .refresh(
                    &c,
                    &names,
                    markers.as_ref(),
                    (&urgent, focus.as_deref()),
                    tokio::time::Instant::now(),
                )
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

/// The feed of one resource kind: the plan's targets, or everything discovery lists (every
/// five minutes); rows as soon as they are listed, then each target described on its
/// [`Schedule`] (at the feed's pace while busy, once per `steady` when not); the rows, and
/// the kind's standard metrics shared with the metrics feed. A kind found by discovery that
/// the credentials may not list says so once in a note and stays empty, instead of a failing
/// pane for a service the team may not use.
pub(super) async fn kind_feed(
    kind: &'static dyn Kind,
    clients: super::Clients,
    plan: Arc<Plan>,
    refresh: (i64, i64),
    tx: mpsc::Sender<SourceEvent>,
    found: Arc<watch::Sender<Found>>,
    poke: Arc<Poke>,
) {
    let (interval, steady) = refresh;
    let k = kind.kind();
    let feed = Feed::Kind(k);
    let planned = plan.kinds.get(&k).cloned().flatten();
    let mut backoff = Backoff::new(interval);
    let mut schedule = Schedule::new(ms(interval), ms(steady));
    let mut listed: Option<(Vec<String>, tokio::time::Instant)> = None;
    // Each target's rows (an Aurora cluster is a row and so are its instances).
    let mut by_target: BTreeMap<String, Vec<Resource>> = BTreeMap::new();
    let memo = super::kind::Memo::default();
    let mut told_denied = false;
    loop {
        // A poke names a row (or a target); its target is described at once.
        let (poked, focus) = poke.urgent();
        // The selected row's target is kept fresh while selected.
        schedule.focus = focus.and_then(|f| {
            by_target
                .iter()
                .find(|(t, rs)| **t == f || rs.iter().any(|r| r.id == f))
                .map(|(t, _)| t.clone())
        });
        if !poked.is_empty() {
            for (t, rs) in &by_target {
                if poked.contains(t)
                    || rs
                        .iter()
                        .any(|r| poked.iter().any(|x| *x == r.id || *x == r.name))
                {
                    schedule.urgent(t);
                }
            }
        }
        let r: AwsResult<Payload> = async {
            let targets: Vec<String> = match &planned {
                Some(t) => t.clone(),
                None => {
                    if listed
                        .as_ref()
                        .is_none_or(|(_, at)| at.elapsed() > REDISCOVER)
                    {
                        let all = match kind.discover(&clients).await {
                            Ok(all) => all,
                            Err(e) if e.fault == super::errors::Fault::Denied => {
                                // Said once; discovery keeps trying quietly in case the
                                // permission is granted.
                                if !std::mem::replace(&mut told_denied, true) {
                                    send(
                                        &tx,
                                        feed,
                                        Payload::Note(format!("{} not watched: {e}", k.label())),
                                    )
                                    .await;
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
            by_target.retain(|t, _| targets.contains(t));
            schedule.retain(|t| targets.contains(&t.to_string()));
            let fresh: Vec<&String> = targets
                .iter()
                .filter(|t| !by_target.contains_key(*t))
                .collect();
            if !fresh.is_empty() && targets.len() > 1 {
                // Names on screen before the describes (progressive first paint).
                let mut rows: Vec<Resource> = by_target.values().flatten().cloned().collect();
                rows.extend(fresh.iter().map(|t| kind.error_row(t, "").listed()));
                send(&tx, feed, Payload::Services(rows)).await;
            }
            let now = tokio::time::Instant::now();
            let mut due = schedule.pick(&targets, now, 1);
            if due.is_empty() && !targets.is_empty() {
                // Nothing due: still one call, so a failing API shows at the feed's pace.
                due = schedule
                    .pick(&targets, now + schedule.steady(), 1)
                    .into_iter()
                    .take(1)
                    .collect();
            }
            let results = kind.describe(&clients, &due, now_ms(), &memo).await;
            let any_ok = results.iter().any(|(_, r)| r.is_ok());
            for (t, r) in results {
                match r {
                    Ok(rows) => {
                        let busy = rows.iter().any(schedule::busy);
                        schedule.described(&t, busy, tokio::time::Instant::now());
                        by_target.insert(t, rows);
                    }
                    Err(e) if !any_ok => return Err(e),
                    Err(e) => {
                        by_target.insert(t.clone(), vec![kind.error_row(&t, &e.message)]);
                    }
                }
            }
            let mut rows: Vec<Resource> = by_target.values().flatten().cloned().collect();
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
