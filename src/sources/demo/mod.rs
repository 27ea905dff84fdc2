//! The embedded demo fleet as a [`DataSource`]: a tokio task steps the simulation every
//! 250 ms of wall time and delivers what a real source would, through the same channel.

pub mod fleet;
pub mod insights;

/// The runbook the demo ships with (embedded, so `--demo` needs no files).
pub const DEMO_RUNBOOK: &str = include_str!("runbook.md");
pub mod loggen;
pub mod scale;

use super::{DataSource, Feed, Payload, SourceCommand, SourceEvent, SourceInfo};
use fleet::Fleet;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::model::ResourceKind;

pub const FEEDS: [(Feed, i64); 12] = [
    (Feed::ECS, 1000),
    (Feed::LAMBDA, 1000),
    (Feed::HEALTH, 1000),
    (Feed::Kind(ResourceKind::Sqs), 1000),
    (Feed::Kind(ResourceKind::Rds), 1000),
    (Feed::Kind(ResourceKind::Dynamodb), 1000),
    (Feed::Kind(ResourceKind::Elb), 1000),
    (Feed::Kind(ResourceKind::Sfn), 1000),
    (Feed::Kind(ResourceKind::Elasticache), 1000),
    (Feed::Metrics, fleet::METRIC_PERIOD_MS),
    (Feed::Alarms, 1000),
    (Feed::Logs, 250),
];

#[derive(Debug, Clone)]
pub struct DemoSource {
    pub seed: u64,
    /// Wall-clock start (ms since the epoch, UTC); simulated time runs from here.
    pub start_ms: i64,
    /// Seconds of quiet log history delivered at start.
    pub backfill_seconds: f64,
    /// Seconds of the script already played when the cockpit opens (100: the incident at
    /// its peak); `start_ms` is that much earlier so the fleet's clock is the wall clock.
    pub skip_seconds: f64,
    /// Contexts of the fleet (`--scale`): 1 is the plain demo.
    pub scale: u16,
}

impl DemoSource {
    pub fn new(seed: u64, start_ms: i64) -> Self {
        DemoSource {
            seed,
            start_ms,
            backfill_seconds: 300.0,
            skip_seconds: 0.0,
            scale: 1,
        }
    }

    /// Everything the source delivers first, in order. Also used by tests to build a
    /// deterministic cockpit without a runtime.
    pub fn initial_events(fleet: &mut Fleet, backfill_seconds: f64) -> Vec<SourceEvent> {
        let at = fleet.now_ms();
        let mut out = vec![SourceEvent {
            ctx: 0,
            feed: Feed::Metrics,
            at_ms: at,
            payload: Payload::MetricSeries(fleet.metric_series()),
        }];
        if backfill_seconds > 0.0 {
            out.push(SourceEvent {
                ctx: 0,
                feed: Feed::Logs,
                at_ms: at,
                payload: Payload::Logs(fleet.backfill_logs(backfill_seconds)),
            });
        }
        out.extend(Self::periodic_events(fleet));
        out
    }

    /// The once-a-second deliveries.
    pub fn periodic_events(fleet: &mut Fleet) -> Vec<SourceEvent> {
        let at = fleet.now_ms();
        let mut out = vec![
            SourceEvent {
                ctx: 0,
                feed: Feed::ECS,
                at_ms: at,
                payload: Payload::Services(fleet.ecs_services()),
            },
            SourceEvent {
                ctx: 0,
                feed: Feed::LAMBDA,
                at_ms: at,
                payload: Payload::Services(fleet.lambdas()),
            },
            SourceEvent {
                ctx: 0,
                feed: Feed::HEALTH,
                at_ms: at,
                payload: Payload::Services(fleet.health_checks()),
            },
            SourceEvent {
                ctx: 0,
                feed: Feed::Kind(ResourceKind::Sqs),
                at_ms: at,
                payload: Payload::Services(fleet.queues()),
            },
        ];
        for (kind, rows) in [
            (ResourceKind::Rds, fleet.databases()),
            (ResourceKind::Dynamodb, fleet.tables()),
            (ResourceKind::Elb, fleet.target_groups()),
            (ResourceKind::Sfn, fleet.state_machines()),
            (ResourceKind::Elasticache, fleet.cache_groups()),
        ] {
            out.push(SourceEvent {
                ctx: 0,
                feed: Feed::Kind(kind),
                at_ms: at,
                payload: Payload::Services(rows),
            });
        }
        let points = fleet.metric_points();
        if !points.is_empty() {
            out.push(SourceEvent {
                ctx: 0,
                feed: Feed::Metrics,
                at_ms: at,
                payload: Payload::MetricPoints(points),
            });
        }
        out.push(SourceEvent {
            ctx: 0,
            feed: Feed::Alarms,
            at_ms: at,
            payload: Payload::Alarms(fleet.alarms()),
        });
        out
    }

    /// One simulation step: its log lines, plus the periodic deliveries once a second.
    pub fn step_events(fleet: &mut Fleet, step: u64) -> Vec<SourceEvent> {
        let logs = fleet.step();
        let mut out = vec![SourceEvent {
            ctx: 0,
            feed: Feed::Logs,
            at_ms: fleet.now_ms(),
            payload: Payload::Logs(logs),
        }];
        if step.is_multiple_of(4) {
            out.extend(Self::periodic_events(fleet));
        }
        out
    }
}

/// Keeps the newest log lines of `evs` for Insights queries.
fn remember(history: &mut std::collections::VecDeque<crate::model::LogEvent>, evs: &[SourceEvent]) {
    for ev in evs {
        if let Payload::Logs(lines) = &ev.payload {
            history.extend(lines.iter().cloned());
        }
    }
    let excess = history.len().saturating_sub(insights::HISTORY);
    history.drain(..excess);
}

impl DataSource for DemoSource {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            label: if self.scale > 1 {
                format!(
                    "demo · seed {} · simulated fleet × {} contexts",
                    self.seed, self.scale
                )
            } else {
                format!("demo · seed {} · simulated fleet", self.seed)
            },
            feeds: FEEDS.to_vec(),
        }
    }

    fn start(
        self: Box<Self>,
        events: mpsc::Sender<SourceEvent>,
        mut commands: mpsc::Receiver<SourceCommand>,
    ) -> JoinHandle<()> {
        if self.scale > 1 {
            let fleet = scale::ScaledFleet::new(self.seed, self.start_ms, self.scale);
            return tokio::spawn(scale::run(fleet, self.backfill_seconds, events, commands));
        }
        tokio::spawn(async move {
            let mut fleet = Fleet::new(self.seed, self.start_ms);
            // The script played up to `skip_seconds`: its metric points are kept (the
            // charts show the incident so far), everything else is state that the first
            // deliveries carry anyway.
            let mut skipped: Vec<(crate::model::MetricKey, Vec<(i64, f64)>)> = Vec::new();
            for step in 1..=(self.skip_seconds * 4.0) as u64 {
                for ev in DemoSource::step_events(&mut fleet, step) {
                    if let Payload::MetricPoints(p) = ev.payload {
                        skipped.extend(p);
                    }
                }
            }
            // What Insights queries search (the newest lines the fleet produced).
            let mut history: std::collections::VecDeque<crate::model::LogEvent> =
                std::collections::VecDeque::new();

            let mut first = DemoSource::initial_events(&mut fleet, self.backfill_seconds);
            if !skipped.is_empty() {
                first.insert(
                    1,
                    SourceEvent {
                        ctx: 0,
                        feed: Feed::Metrics,
                        at_ms: fleet.now_ms(),
                        payload: Payload::MetricPoints(skipped),
                    },
                );
            }
            remember(&mut history, &first);
            for ev in first {
                if events.send(ev).await.is_err() {
                    return;
                }
            }
            let mut interval =
                tokio::time::interval(Duration::from_millis((fleet::DT * 1000.0) as u64));
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            interval.tick().await;
            let mut step = 0u64;
            loop {
                tokio::select! {
                    _ = interval.tick() => {
                        step += 1;
                        let evs = DemoSource::step_events(&mut fleet, step);
                        remember(&mut history, &evs);
                        for ev in evs {
                            if events.send(ev).await.is_err() {
                                return;
                            }
                        }
                    }
                    cmd = commands.recv() => match cmd {
                        // The demo keeps 12 h of history, so a window change needs no fetch.
                        // Replay controls are a replay source's.
                        Some(
                            SourceCommand::SetMetricWindow(_)
                            | SourceCommand::Replay(_)
                            | SourceCommand::Focus { .. },
                        ) => {}
                        Some(SourceCommand::Mutate { id, mutation, .. }) => {
                            let result = fleet.apply(&mutation);
                            let ev = SourceEvent { ctx: 0, feed: Feed::Actions, at_ms: fleet.now_ms(), payload: Payload::ActionResult { id, result } };
                            if events.send(ev).await.is_err() {
                                return;
                            }
                        }
                        Some(SourceCommand::LogsQuery { query, since_ms, groups, .. }) => {
                            let result = insights::run(&history, &query, since_ms, &groups);
                            let ev = SourceEvent { ctx: 0, feed: Feed::Insights, at_ms: fleet.now_ms(), payload: Payload::Insights { query, result } };
                            if events.send(ev).await.is_err() {
                                return;
                            }
                        }
                        None => return,
                    },
                }
            }
        })
    }
}
