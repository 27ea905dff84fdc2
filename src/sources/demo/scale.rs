//! `--demo --scale N`: the demo fleet as N AWS contexts, for measuring the cockpit at the
//! size of a real multi-account on-call. Context 0 carries the scripted incident; the others
//! are the same fleet, quiet, each with a different seed. Each context is filled up to
//! [`ROWS`] rows (more ECS services, some of them rolling out now and then), [`METRICS`]
//! metric series (per-service CPU, one point a minute like CloudWatch's default) and
//! [`LINES_PER_SECOND`] log lines a second (the fleet's own groups plus one busy edge group).
//! `--scale 10` is the issue's target: 10 contexts, 2 000 rows, 500 metrics, 5 000 lines/s.

use super::fleet::{self, Fleet};
use super::{DemoSource, insights};
use crate::model::{Counts, Direction, Health, LogEvent, MetricKey, MetricSeries, Resource};
use crate::sources::{Feed, Payload, SourceCommand, SourceEvent};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Rows per context (the fleet's own plus filler services).
pub const ROWS: usize = 200;
/// Metric series per context.
pub const METRICS: usize = 50;
/// Log lines per second per context, all groups together.
pub const LINES_PER_SECOND: f64 = 500.0;
/// The filler metrics' period: CloudWatch's one minute.
const FILLER_PERIOD_MS: i64 = 60_000;
/// The filler metrics' history: the default one-hour window and a margin.
const FILLER_HISTORY_MS: i64 = 3 * 3_600_000;
/// The busy group each context adds to reach its line rate.
const EDGE_GROUP: &str = "/ecs/fleet/edge";

const LABELS: [&str; 10] = [
    "prod",
    "prod-dr",
    "staging",
    "payments",
    "payments-dr",
    "data",
    "edge",
    "sandbox",
    "shared",
    "audit",
];
const REGIONS: [&str; 4] = ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"];

/// The label of context `i` at scale.
pub fn label(i: u16) -> String {
    LABELS
        .get(i as usize)
        .map_or_else(|| format!("ctx{:02}", i + 1), |l| l.to_string())
}

/// Context `i` at scale: its label, region, a fake account id, and whether it is marked
/// production. (The cockpit makes its view of it; steps in the demo are dry runs.)
pub fn context(i: u16) -> (String, String, String, bool) {
    let label = label(i);
    let region = REGIONS[i as usize % REGIONS.len()].to_string();
    let account = format!("{:012}", 210_987_654_000u64 + i as u64 * 1_111);
    let production = label.starts_with("prod") || label.starts_with("payments");
    (label, region, account, production)
}

struct FillerService {
    name: String,
    desired: i64,
    running: i64,
    /// Simulated second a rollout ends, while one runs.
    rolling_until: Option<f64>,
    revision: u32,
}

struct FillerMetric {
    label: String,
    key: MetricKey,
    base: f64,
    noise: f64,
    value: f64,
}

/// What a context adds to its fleet to reach the per-context targets.
struct Filler {
    rng: ChaCha8Rng,
    services: Vec<FillerService>,
    metrics: Vec<FillerMetric>,
    group: Arc<str>,
    streams: Vec<Arc<str>>,
    /// The edge group's lines per second (the rest of the rate is the fleet's own).
    carry: f64,
    next_metric_ms: i64,
}

impl Filler {
    fn new(seed: u64, fleet_rows: usize, fleet_metrics: usize, now_ms: i64) -> Filler {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5ca1e);
        let services = (0..ROWS.saturating_sub(fleet_rows))
            .map(|i| {
                let desired = rng.random_range(2..12);
                FillerService {
                    name: format!("svc-{i:03}"),
                    desired,
                    running: desired,
                    rolling_until: None,
                    revision: rng.random_range(3..90),
                }
            })
            .collect::<Vec<_>>();
        let metrics = services
            .iter()
            .take(METRICS.saturating_sub(fleet_metrics))
            .map(|s| {
                let base = rng.random_range(15.0..55.0);
                FillerMetric {
                    label: format!("{} CPU", s.name),
                    key: MetricKey {
                        namespace: "AWS/ECS".into(),
                        metric: "CPUUtilization".into(),
                        dimensions: [
                            ("ClusterName".to_string(), "fleet".to_string()),
                            ("ServiceName".to_string(), s.name.clone()),
                        ]
                        .into(),
                        stat: "Average".into(),
                        account: None,
                    },
                    base,
                    noise: base * 0.08,
                    value: base,
                }
            })
            .collect();
        let streams = (0..8)
            .map(|i| Arc::from(format!("ecs/edge/{:016x}", seed.wrapping_mul(31) ^ i)))
            .collect();
        Filler {
            rng,
            services,
            metrics,
            group: Arc::from(EDGE_GROUP),
            streams,
            carry: 0.0,
            next_metric_ms: now_ms - now_ms.rem_euclid(FILLER_PERIOD_MS) + FILLER_PERIOD_MS,
        }
    }

    fn thresholds() -> crate::model::Thresholds {
        crate::model::Thresholds {
            warn: Some(70.0),
            crit: Some(85.0),
            direction: Direction::Above,
        }
    }

    fn sample(&mut self, i: usize) -> f64 {
        let m = &mut self.metrics[i];
        let v = m.base + self.rng.random_range(-m.noise..=m.noise);
        m.value = v.clamp(0.0, 100.0);
        m.value
    }

    /// Three hours of one-minute history for each filler metric.
    fn series(&mut self) -> Vec<MetricSeries> {
        let end = self.next_metric_ms - FILLER_PERIOD_MS;
        (0..self.metrics.len())
            .map(|i| {
                let mut points =
                    Vec::with_capacity((FILLER_HISTORY_MS / FILLER_PERIOD_MS) as usize);
                let mut t = end - FILLER_HISTORY_MS;
                while t <= end {
                    points.push((t, self.sample(i)));
                    t += FILLER_PERIOD_MS;
                }
                let m = &self.metrics[i];
                MetricSeries {
                    label: m.label.clone(),
                    context: None,
                    key: m.key.clone(),
                    unit: Some("Percent".into()),
                    thresholds: Self::thresholds(),
                    points,
                }
            })
            .collect()
    }

    fn points(&mut self, now_ms: i64) -> Vec<(MetricKey, Vec<(i64, f64)>)> {
        let mut out: Vec<(MetricKey, Vec<(i64, f64)>)> = Vec::new();
        while self.next_metric_ms <= now_ms {
            let t = self.next_metric_ms;
            for i in 0..self.metrics.len() {
                let v = self.sample(i);
                match out.get_mut(i) {
                    Some((_, p)) => p.push((t, v)),
                    None => out.push((self.metrics[i].key.clone(), vec![(t, v)])),
                }
            }
            self.next_metric_ms += FILLER_PERIOD_MS;
        }
        out
    }

    /// Once a second: a service now and then starts a rollout that replaces a task.
    fn step_second(&mut self, t: f64) {
        for s in &mut self.services {
            match s.rolling_until {
                Some(until) if t >= until => {
                    s.rolling_until = None;
                    s.running = s.desired;
                }
                Some(_) => {}
                None if self.rng.random_bool(1.0 / 900.0) => {
                    s.rolling_until = Some(t + 20.0);
                    s.running = s.desired - 1;
                    s.revision += 1;
                }
                None => {}
            }
        }
    }

    fn rows(&self) -> Vec<Resource> {
        self.services
            .iter()
            .map(|s| {
                let mut r = Resource::ecs("fleet", s.name.clone());
                let rolling = s.rolling_until.is_some();
                r.counts = Some(Counts {
                    desired: s.desired,
                    running: s.running,
                    pending: s.desired - s.running,
                });
                r.status = if rolling { "IN_PROGRESS" } else { "COMPLETED" }.into();
                r.health = if rolling { Health::Warn } else { Health::Ok };
                r.detail = crate::model::Detail::Ecs(crate::model::EcsDetail {
                    cluster: "fleet".into(),
                    task_definition: Some(format!("fleet-{}:{}", s.name, s.revision)),
                    last_event: Some(if rolling {
                        format!("(service {}) has started 1 tasks.", s.name)
                    } else {
                        format!("(service {}) has reached a steady state.", s.name)
                    }),
                });
                r
            })
            .collect()
    }

    /// The edge group's lines for `dt` seconds from `start_ms`, topping the context up to
    /// [`LINES_PER_SECOND`] given the fleet's own `fleet_lines`.
    fn logs(&mut self, start_ms: i64, dt: f64, fleet_lines: usize) -> Vec<LogEvent> {
        let want = (LINES_PER_SECOND * dt - fleet_lines as f64).max(0.0) + self.carry;
        let n = want.floor() as usize;
        self.carry = want - n as f64;
        let codes = [200, 200, 200, 200, 200, 200, 201, 204, 304, 404];
        (0..n)
            .map(|i| {
                let ms = start_ms + ((i as f64 + 0.5) / n as f64 * dt * 1000.0) as i64;
                let svc = self.rng.random_range(0..self.services.len().max(1));
                let code = codes[self.rng.random_range(0..codes.len())];
                let took = self.rng.random_range(2..180);
                LogEvent {
                    time_ms: ms,
                    group: self.group.clone(),
                    stream: Some(self.streams[svc % self.streams.len()].clone()),
                    message: format!(
                        r#"{{"level":"info","svc":"svc-{svc:03}","msg":"GET /v2/items {code}","took_ms":{took}}}"#
                    ),
                }
            })
            .collect()
    }

    fn apply(&mut self, m: &crate::sources::Mutation) -> Option<Result<String, String>> {
        let crate::sources::Mutation::Ecs(crate::sources::EcsMutation::ScaleService {
            cluster,
            service,
            desired,
        }) = m
        else {
            return None;
        };
        if cluster != "fleet" {
            return None;
        }
        let s = self.services.iter_mut().find(|s| &s.name == service)?;
        s.desired = (*desired).max(0);
        s.running = s.desired;
        Some(Ok(format!("desired count set to {desired}")))
    }
}

/// One context at scale: its fleet and its filler.
struct Context {
    fleet: Fleet,
    filler: Filler,
    /// The newest lines, for Insights (each context keeps its share of the demo's budget).
    history: VecDeque<LogEvent>,
}

/// The fleet as `n` contexts.
pub struct ScaledFleet {
    contexts: Vec<Context>,
    step: u64,
    history_per_context: usize,
}

impl ScaledFleet {
    pub fn new(seed: u64, start_ms: i64, n: u16) -> ScaledFleet {
        let n = n.max(1);
        let contexts = (0..n)
            .map(|i| {
                let mut fleet = Fleet::new(seed.wrapping_add(i as u64), start_ms);
                if i > 0 {
                    fleet.quiet();
                }
                let rows: usize = DemoSource::periodic_events(&mut fleet)
                    .iter()
                    .map(|e| match &e.payload {
                        Payload::Services(r) => r.len(),
                        _ => 0,
                    })
                    .sum();
                let metrics = fleet.metric_count();
                let filler = Filler::new(seed.wrapping_add(i as u64), rows, metrics, start_ms);
                Context {
                    fleet,
                    filler,
                    history: VecDeque::new(),
                }
            })
            .collect();
        ScaledFleet {
            contexts,
            step: 0,
            history_per_context: insights::HISTORY / n as usize,
        }
    }

    pub fn len(&self) -> usize {
        self.contexts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.contexts.is_empty()
    }

    pub fn now_ms(&self) -> i64 {
        self.contexts[0].fleet.now_ms()
    }

    /// What each context delivers first, tagged with its index.
    /// The log history is shared out: `backfill_seconds` of one fleet's lines in all, so the
    /// cockpit's buffer gets as many lines as the plain demo's, not ten times as many at once.
    pub fn initial_events(&mut self, backfill_seconds: f64) -> Vec<SourceEvent> {
        let mut out = Vec::new();
        let backfill_seconds = backfill_seconds / self.contexts.len() as f64;
        for (i, c) in self.contexts.iter_mut().enumerate() {
            let mut evs = DemoSource::initial_events(&mut c.fleet, backfill_seconds);
            let at = c.fleet.now_ms();
            // A series delivery is the context's whole set: the filler's go in the same one.
            let extra = c.filler.series();
            if let Some(Payload::MetricSeries(series)) = evs
                .iter_mut()
                .map(|e| &mut e.payload)
                .find(|p| matches!(p, Payload::MetricSeries(_)))
            {
                series.extend(extra);
            }
            Self::fill(c, &mut evs, at, backfill_seconds.min(10.0));
            for mut e in evs {
                e.ctx = i as u16;
                out.push(e);
            }
        }
        out
    }

    /// One step of every context: the fleet's events with the filler's rows, points and
    /// lines added to the matching deliveries.
    pub fn step_events(&mut self) -> Vec<SourceEvent> {
        self.step += 1;
        let step = self.step;
        let keep = self.history_per_context;
        let mut out = Vec::new();
        for (i, c) in self.contexts.iter_mut().enumerate() {
            let start = c.fleet.now_ms();
            let mut evs = DemoSource::step_events(&mut c.fleet, step);
            if step.is_multiple_of(4) {
                c.filler.step_second(c.fleet.t);
            }
            Self::fill(c, &mut evs, start, fleet::DT);
            for e in &evs {
                if let Payload::Logs(lines) = &e.payload {
                    c.history.extend(lines.iter().cloned());
                }
            }
            let excess = c.history.len().saturating_sub(keep);
            c.history.drain(..excess);
            for mut e in evs {
                e.ctx = i as u16;
                out.push(e);
            }
        }
        out
    }

    /// Adds the filler to a batch of the fleet's deliveries: rows to ECS, points to metrics,
    /// `dt` seconds of edge lines to the logs.
    fn fill(c: &mut Context, evs: &mut Vec<SourceEvent>, start_ms: i64, dt: f64) {
        let now = c.fleet.now_ms();
        for e in evs.iter_mut() {
            match (&e.feed, &mut e.payload) {
                (&Feed::ECS, Payload::Services(rows)) => rows.extend(c.filler.rows()),
                (Feed::Logs, Payload::Logs(lines)) if e.at_ms >= start_ms => {
                    let extra = c.filler.logs(start_ms, dt, lines.len());
                    lines.extend(extra);
                    lines.sort_by_key(|l| l.time_ms);
                }
                _ => {}
            }
        }
        let points = c.filler.points(now);
        if !points.is_empty() {
            evs.push(SourceEvent {
                ctx: 0,
                feed: Feed::Metrics,
                at_ms: now,
                payload: Payload::MetricPoints(points),
            });
        }
    }

    /// A command for context `ctx`.
    pub fn command(&mut self, cmd: SourceCommand) -> Option<SourceEvent> {
        match cmd {
            SourceCommand::SetMetricWindow(_)
            | SourceCommand::Replay(_)
            | SourceCommand::Focus { .. } => None,
            SourceCommand::Mutate { id, mutation, ctx } => {
                let c = self.contexts.get_mut(ctx as usize)?;
                let result = c
                    .filler
                    .apply(&mutation)
                    .unwrap_or_else(|| c.fleet.apply(&mutation));
                Some(SourceEvent {
                    ctx,
                    feed: Feed::Actions,
                    at_ms: c.fleet.now_ms(),
                    payload: Payload::ActionResult { id, result },
                })
            }
            SourceCommand::LogsQuery {
                query,
                since_ms,
                groups,
                ctx,
            } => {
                let c = self.contexts.get_mut(ctx as usize)?;
                let result = insights::run(&c.history, &query, since_ms, &groups);
                Some(SourceEvent {
                    ctx,
                    feed: Feed::Insights,
                    at_ms: c.fleet.now_ms(),
                    payload: Payload::Insights { query, result },
                })
            }
        }
    }
}

/// The scaled fleet's task: a step every 250 ms of wall time, like the demo.
pub async fn run(
    mut fleet: ScaledFleet,
    backfill_seconds: f64,
    events: mpsc::Sender<SourceEvent>,
    mut commands: mpsc::Receiver<SourceCommand>,
) {
    for ev in fleet.initial_events(backfill_seconds) {
        if events.send(ev).await.is_err() {
            return;
        }
    }
    let mut interval = tokio::time::interval(Duration::from_millis((fleet::DT * 1000.0) as u64));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.tick().await;
    loop {
        tokio::select! {
            _ = interval.tick() => {
                for ev in fleet.step_events() {
                    if events.send(ev).await.is_err() {
                        return;
                    }
                }
            }
            cmd = commands.recv() => match cmd {
                Some(cmd) => {
                    if let Some(ev) = fleet.command(cmd)
                        && events.send(ev).await.is_err()
                    {
                        return;
                    }
                }
                None => return,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_contexts_reach_the_targets() {
        let mut f = ScaledFleet::new(42, 1_700_000_000_000, 10);
        let first = f.initial_events(0.0);
        let rows: usize = first
            .iter()
            .map(|e| match &e.payload {
                Payload::Services(r) => r.len(),
                _ => 0,
            })
            .sum();
        let series: usize = first
            .iter()
            .map(|e| match &e.payload {
                Payload::MetricSeries(s) => s.len(),
                _ => 0,
            })
            .sum();
        assert_eq!(rows, 10 * ROWS);
        assert_eq!(series, 10 * METRICS);
        let ctxs: std::collections::BTreeSet<u16> = first.iter().map(|e| e.ctx).collect();
        assert_eq!(ctxs.len(), 10);
        // Twenty steps: five seconds of lines.
        let mut lines = 0;
        for _ in 0..20 {
            for e in f.step_events() {
                if let Payload::Logs(l) = &e.payload {
                    lines += l.len();
                }
            }
        }
        let per_s = lines as f64 / 5.0;
        assert!((4_900.0..=5_100.0).contains(&per_s), "{per_s} lines/s");
    }

    #[test]
    fn commands_go_to_their_context() {
        let mut f = ScaledFleet::new(42, 1_700_000_000_000, 3);
        let ev = f
            .command(SourceCommand::Mutate {
                id: 7,
                ctx: 2,
                mutation: crate::sources::Mutation::Ecs(
                    crate::sources::EcsMutation::ScaleService {
                        cluster: "fleet".into(),
                        service: "svc-004".into(),
                        desired: 30,
                    },
                ),
            })
            .unwrap();
        assert_eq!(ev.ctx, 2);
        let rows = f.contexts[2].filler.rows();
        let svc = rows.iter().find(|r| r.name == "svc-004").unwrap();
        assert_eq!(svc.counts.unwrap().desired, 30);
        let other = f.contexts[1].filler.rows();
        let svc = other.iter().find(|r| r.name == "svc-004").unwrap();
        assert_ne!(svc.counts.unwrap().desired, 30);
        assert!(
            f.command(SourceCommand::SetMetricWindow(Default::default()))
                .is_none()
        );
    }
}
