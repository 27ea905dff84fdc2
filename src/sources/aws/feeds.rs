//! The feed tasks of the live source: one per kind of data, each polling on its interval,
//! backing off after failures and recovering by itself, so one failing API shows in its own
//! pane while the others keep updating. Discovery results are shared through [`Found`].

use super::errors::{AwsError, AwsResult};
use super::kind::{Cx, Described, Kind, LogNames, Memo};
use super::plan::{self, Plan};
use super::registry::KINDS;
use super::schedule::{self, Poke, Schedule};
use super::{alarms, errors, metrics};
use crate::model::{Resource, ResourceKind};
use crate::sources::{Feed, Payload, SourceEvent, Window};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// What each kind's feed watches, shared through a `watch` channel: the metrics feed charts
/// the kinds' standard metrics, the logs feed follows the groups of the services and
/// functions watched.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Found {
    kinds: BTreeMap<ResourceKind, Watched>,
}

/// One kind's rows as the other feeds need them.
#[derive(Debug, Clone, Default, PartialEq)]
struct Watched {
    logs: LogNames,
    metrics: Vec<plan::MetricDef>,
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

/// Sleeps `d`, or less when poked (after an action, to show its effect at once).
async fn pace(d: Duration, poke: &Poke) {
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = poke.notify.notified() => {}
    }
}

/// While rows are still loading, what has landed is painted at most this often.
const PAINT_EVERY: Duration = Duration::from_millis(250);

fn ms(v: i64) -> Duration {
    Duration::from_millis(v.max(100) as u64)
}

/// The feed of one resource kind: the plan's targets, or what the kind's listing finds
/// (every [`Kind::relist`]); rows as soon as they are listed, then each target described on
/// its [`Schedule`] (at the feed's pace while busy, selected or just acted on, once per
/// [`Kind::steady`] when not), in calls as the kind splits them, repainting while rows are
/// still loading; the rows' names and standard metrics shared with the metrics and logs
/// feeds. A kind found by discovery that the credentials may not list says so once in a
/// note and stays empty, instead of a failing pane for a service the team may not use.
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
    let planned = kind.planned(&plan);
    let mut backoff = Backoff::new(interval);
    let mut schedule = Schedule::new(ms(interval), kind.steady(ms(steady)));
    let mut listed: Option<(Vec<String>, tokio::time::Instant)> = None;
    let mut markers: HashMap<String, String> = HashMap::new();
    // Each target's rows (an Aurora cluster is a row and so are its instances).
    let mut by_target: BTreeMap<String, Vec<Resource>> = BTreeMap::new();
    let memo = Memo::default();
    let mut told_denied = false;
    let mut told_limit: Option<usize> = None;
    loop {
        // A poke names a row (or a target); its target is described at once.
        let (poked, focus) = poke.urgent();
        // The selected row's target is kept fresh while selected.
        schedule.focus = focus.and_then(|f| target_of(&by_target, &f));
        for p in &poked {
            if let Some(t) = target_of(&by_target, p) {
                kind.poked(&memo, &t);
                schedule.urgent(&t);
            }
        }
        let r: AwsResult<Payload> = async {
            let targets: Vec<String> = match &planned {
                Some(t) => t.clone(),
                None => {
                    if listed
                        .as_ref()
                        .is_none_or(|(_, at)| at.elapsed() >= kind.relist())
                    {
                        let cx = Cx {
                            c: &clients,
                            plan: &plan,
                            memo: &memo,
                            now_ms: now_ms(),
                        };
                        let all = match kind.list(&cx).await {
                            Ok(mut l) => {
                                if let Some(n) = plan.limit.filter(|n| l.targets.len() > *n) {
                                    // Said when the count found changes.
                                    if told_limit != Some(l.targets.len()) {
                                        told_limit = Some(l.targets.len());
                                        let note = format!(
                                            "{}: {} found, the first {n} watched ([watch] limit)",
                                            k.label(),
                                            l.targets.len()
                                        );
                                        send(&tx, feed, Payload::Note(note)).await;
                                    }
                                    l.targets.truncate(n);
                                }
                                // A target whose marker moved changed: described at once.
                                for (t, m) in &l.markers {
                                    if markers.get(t).is_some_and(|old| old != m) {
                                        schedule.urgent(t);
                                    }
                                }
                                markers = l.markers;
                                l.targets
                            }
                            Err(e) if e.fault == super::errors::Fault::Denied => {
                                // Said once; discovery keeps trying quietly in case the
                                // permission is granted.
                                if !std::mem::replace(&mut told_denied, true) {
                                    let note = format!("{} not watched: {e}", k.label());
                                    send(&tx, feed, Payload::Note(note)).await;
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
            let watched: HashSet<&str> = targets.iter().map(String::as_str).collect();
            by_target.retain(|t, _| watched.contains(t.as_str()));
            schedule.retain(|t| watched.contains(t));
            // Names on screen before the describes (progressive first paint).
            let mut fresh = 0;
            for t in &targets {
                if !by_target.contains_key(t) {
                    by_target.insert(t.clone(), vec![kind.error_row(t, "").listed()]);
                    fresh += 1;
                }
            }
            if fresh > 0 && targets.len() > 1 {
                send(&tx, feed, Payload::Services(all_rows(&by_target))).await;
            }
            let calls = due_calls(kind, &schedule, &targets, tokio::time::Instant::now());
            let cx = Cx {
                c: &clients,
                plan: &plan,
                memo: &memo,
                now_ms: now_ms(),
            };
            let at_once = kind.split().map_or(1, |s| s.1.max(1));
            use futures::StreamExt;
            let asks: Vec<futures::future::BoxFuture<'_, Described>> =
                calls.iter().map(|ts| kind.describe(&cx, ts)).collect();
            let mut answers = futures::stream::iter(asks).buffered(at_once);
            let (mut any_ok, mut failed) = (false, Vec::new());
            let mut painted = tokio::time::Instant::now();
            while let Some(results) = answers.next().await {
                for (t, r) in results {
                    match r {
                        Ok(rows) => {
                            any_ok = true;
                            let busy = rows.iter().any(schedule::busy);
                            schedule.described(&t, busy, tokio::time::Instant::now());
                            by_target.insert(t, rows);
                        }
                        Err(e) => failed.push((t, e)),
                    }
                }
                let loading = || by_target.values().flatten().any(|r| r.loading);
                if painted.elapsed() >= PAINT_EVERY && loading() {
                    send(&tx, feed, Payload::Services(all_rows(&by_target))).await;
                    painted = tokio::time::Instant::now();
                }
            }
            // Every call failed: the pane says why (its rows stay as they were). Else a
            // target that failed is a row with its error, asked again next refresh.
            if !any_ok && let Some((_, e)) = failed.first() {
                return Err(e.clone());
            }
            for (t, e) in failed {
                let row = kind.error_row(&t, &e.message);
                by_target.insert(t, vec![row]);
            }
            let mut rows = all_rows(&by_target);
            kind.finish(&mut rows);
            let w = Watched {
                logs: kind.log_names(&rows),
                metrics: kind.metrics(&rows),
            };
            found.send_if_modified(|f| {
                let changed = f.kinds.get(&k) != Some(&w);
                f.kinds.insert(k, w);
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

/// The rows of a feed, in a stable order.
fn all_rows(by_target: &BTreeMap<String, Vec<Resource>>) -> Vec<Resource> {
    by_target.values().flatten().cloned().collect()
}

/// The target a row id or name (or a target) stands for.
fn target_of(by_target: &BTreeMap<String, Vec<Resource>>, x: &str) -> Option<String> {
    if by_target.contains_key(x) {
        return Some(x.to_string());
    }
    by_target
        .iter()
        .find(|(_, rs)| rs.iter().any(|r| r.id == x || r.name == x))
        .map(|(t, _)| t.clone())
}

/// The describe calls of this refresh: per group (an ECS cluster), the due targets, filled
/// up to whole calls with those due soonest and split as the kind says. Nothing due: still
/// one call, the soonest due, so a failing API or network shows at the feed's pace.
fn due_calls(
    kind: &dyn Kind,
    schedule: &Schedule,
    targets: &[String],
    now: tokio::time::Instant,
) -> Vec<Vec<String>> {
    let per_call = kind.split().map(|s| s.0.max(1));
    let fill = per_call.unwrap_or(1);
    let mut groups: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for t in targets {
        groups.entry(kind.group(t)).or_default().push(t.clone());
    }
    let split = |due: Vec<String>| -> Vec<Vec<String>> {
        match per_call {
            Some(n) => due.chunks(n).map(<[String]>::to_vec).collect(),
            None if due.is_empty() => Vec::new(),
            None => vec![due],
        }
    };
    let mut calls: Vec<Vec<String>> = groups
        .values()
        .flat_map(|ids| split(schedule.pick(ids, now, fill)))
        .collect();
    if calls.is_empty()
        && let Some(ids) = groups.values().next()
    {
        let soonest = schedule.pick(ids, now + schedule.steady(), fill);
        calls = vec![soonest.into_iter().take(fill).collect()];
    }
    calls
}

/// Waits (at most `limit`) until every kind's feed has said what it watches.
pub(super) async fn wait_found(rx: &mut watch::Receiver<Found>, limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        {
            let f = rx.borrow();
            if KINDS.iter().all(|k| f.kinds.contains_key(&k.kind())) {
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
                plan.rated(f.kinds.into_values().flat_map(|w| w.metrics))
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

impl Found {
    /// What picks the log groups of everything watched.
    pub(super) fn log_names(&self) -> LogNames {
        let mut all = LogNames::default();
        for w in self.kinds.values() {
            all.extend(w.logs.clone());
        }
        all
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

    #[test]
    fn describes_are_grouped_filled_and_split_as_the_kind_says() {
        use super::super::{ecs::Ecs, sqs::Sqs};
        let now = tokio::time::Instant::now();
        let fast = Duration::from_secs(5);
        let mut s = Schedule::new(fast, Duration::from_secs(60));
        // 23 services in prod, 3 in staging, none described yet: all due, per cluster, in
        // calls of at most ten.
        let mut targets: Vec<String> = (0..23).map(|i| format!("prod/s{i:02}")).collect();
        targets.extend((0..3).map(|i| format!("staging/s{i}")));
        let calls = due_calls(&Ecs, &s, &targets, now);
        let sizes: Vec<usize> = calls.iter().map(Vec::len).collect();
        assert_eq!(sizes, [10, 10, 3, 3]);
        assert!(calls[3].iter().all(|t| t.starts_with("staging/")));
        // All described and steady, one of them busy: its call is filled up with the nine
        // due soonest of its cluster (the call costs the same), nothing else is asked.
        for t in &targets {
            s.described(t, t == "prod/s05", now);
        }
        let later = now + fast + Duration::from_millis(1);
        let calls = due_calls(&Ecs, &s, &targets, later);
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].len(), 10);
        assert!(calls[0].contains(&"prod/s05".to_string()));
        assert!(calls[0].iter().all(|t| t.starts_with("prod/")));
        // Nothing due at all: still one call (the soonest due), so a failing API shows.
        let mut quiet = Schedule::new(fast, Duration::from_secs(60));
        for t in &targets {
            quiet.described(t, false, now);
        }
        let calls = due_calls(&Ecs, &quiet, &targets, now);
        assert_eq!(calls.len(), 1);
        assert!(!calls[0].is_empty() && calls[0].len() <= 10);
        // A kind without a split: one call with every due target.
        let queues: Vec<String> = (0..5).map(|i| format!("q{i}")).collect();
        let fresh = Schedule::new(fast, Duration::from_secs(60));
        assert_eq!(due_calls(&Sqs, &fresh, &queues, now), vec![queues.clone()]);
        assert!(due_calls(&Sqs, &fresh, &[], now).is_empty());
    }
}
