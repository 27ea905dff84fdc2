//! The simulated fleet: two ECS clusters, four Lambda functions, two health checks, ten
//! metrics, alarms and three log groups, with a scripted incident.
//!
//! Script (simulated seconds from start): a rollout of `prod/worker` finishes around 50 s; from
//! 40 s the API's database pool saturates, error rate and latency climb, by ~75 s the 5xx
//! alarm fires, and past ~95 s `prod/api` loses running tasks to failed health checks. It
//! stays degraded until someone acts (force a new deployment of `prod/api` or scale it up),
//! then recovers over about a minute.
//!
//! Everything is a deterministic function of the seed and the number of steps taken.

use super::loggen;
use crate::sources::{EcsMutation, LambdaMutation, SqsMutation};

mod kinds;
use crate::model::{
    Alarm, Direction, Health, LogEvent, MetricKey, MetricSeries, Resource, Thresholds,
};
pub use kinds::KindsSim;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::sync::Arc;

pub const METRIC_PERIOD_MS: i64 = 10_000;
/// Simulated seconds per step.
pub const DT: f64 = 0.25;
const STEPS_PER_SECOND: u64 = 4;
const HISTORY_MS: i64 = 12 * 3_600_000;
const ONSET_S: f64 = 40.0;
const RAMP_S: f64 = 60.0;
const RECOVERY_S: f64 = 60.0;

pub use crate::sources::Mutation;

#[derive(Debug, Clone)]
struct EcsSim {
    cluster: &'static str,
    name: &'static str,
    desired: i64,
    running: i64,
    pending: i64,
    rollout: &'static str,
    rollout_until: Option<f64>,
    last_event: String,
    /// Task definition revision in service.
    revision: u32,
}

#[derive(Debug, Clone)]
struct LambdaSim {
    name: &'static str,
    /// Published versions 1..=latest.
    latest: u32,
    alias: Option<(&'static str, u32)>,
    memory: i64,
    reserved: Option<i64>,
    updating_until: Option<f64>,
}

#[derive(Debug, Clone)]
struct MetricSim {
    label: &'static str,
    namespace: &'static str,
    metric: &'static str,
    dims: &'static [(&'static str, &'static str)],
    stat: &'static str,
    unit: &'static str,
    base: f64,
    noise: f64,
    incident: f64,
    thresholds: Thresholds,
    value: f64,
}

impl MetricSim {
    fn key(&self) -> MetricKey {
        MetricKey {
            namespace: self.namespace.into(),
            metric: self.metric.into(),
            dimensions: self
                .dims
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            stat: self.stat.into(),
            account: None,
        }
    }

    fn sample(&self, rng: &mut ChaCha8Rng, sev: f64, t_ms: i64) -> f64 {
        // A slow daily-ish wave so history is not flat, plus noise and the incident.
        let wave = 1.0 + 0.12 * ((t_ms as f64 / 3_600_000.0) * std::f64::consts::TAU / 6.0).sin();
        let n: f64 = rng.random_range(-1.0..1.0);
        (self.base * wave + self.noise * n + self.incident * sev).max(0.0)
    }
}

struct AlarmSim {
    name: &'static str,
    metric: usize,
    threshold: f64,
    state: &'static str,
    since_ms: i64,
    reason: String,
}

pub struct Fleet {
    rng: ChaCha8Rng,
    /// Simulated seconds since start (`steps * DT`, never accumulated, so it stays exact).
    pub t: f64,
    steps: u64,
    pub base_ms: i64,
    mitigated_at: Option<f64>,
    ecs: Vec<EcsSim>,
    metrics: Vec<MetricSim>,
    alarms: Vec<AlarmSim>,
    lambdas: Vec<LambdaSim>,
    log_carry: [f64; 3],
    next_metric_ms: i64,
    /// Messages in orders-dlq: the incident's failed orders pile up there until redriven.
    dead_letters: f64,
    /// When the orders queue was purged (it shows empty for a while after).
    purged_at: Option<f64>,
    /// The databases, table, target group, state machine and Redis group.
    kinds: KindsSim,
}

fn th(warn: f64, crit: f64) -> Thresholds {
    Thresholds {
        warn: Some(warn),
        crit: Some(crit),
        direction: Direction::Above,
    }
}

fn ecs(cluster: &'static str, name: &'static str, desired: i64) -> EcsSim {
    EcsSim {
        cluster,
        name,
        desired,
        running: desired,
        pending: 0,
        rollout: "COMPLETED",
        rollout_until: None,
        last_event: format!("(service {name}) has reached a steady state."),
        revision: 7 + name.len() as u32 * 3,
    }
}

#[allow(clippy::too_many_arguments)]
fn metric(
    label: &'static str,
    namespace: &'static str,
    metric: &'static str,
    dims: &'static [(&'static str, &'static str)],
    stat: &'static str,
    unit: &'static str,
    (base, noise, incident): (f64, f64, f64),
    thresholds: Thresholds,
) -> MetricSim {
    MetricSim {
        label,
        namespace,
        metric,
        dims,
        stat,
        unit,
        base,
        noise,
        incident,
        thresholds,
        value: base,
    }
}

fn smoothstep(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

impl Fleet {
    pub fn new(seed: u64, base_ms: i64) -> Fleet {
        // Long on purpose: this is the demo fleet's data, written out.
        let api_dims: &'static [(&str, &str)] = &[("ClusterName", "prod"), ("ServiceName", "api")];
        let metrics = vec![
            metric(
                "api CPU",
                "AWS/ECS",
                "CPUUtilization",
                api_dims,
                "Average",
                "Percent",
                (38.0, 4.0, 55.0),
                th(70.0, 85.0),
            ),
            metric(
                "api memory",
                "AWS/ECS",
                "MemoryUtilization",
                api_dims,
                "Average",
                "Percent",
                (52.0, 2.0, 14.0),
                th(75.0, 90.0),
            ),
            metric(
                "api 5xx",
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                &[("LoadBalancer", "app/prod-api/50dc6c495c0c9188")],
                "Sum",
                "Count",
                (1.0, 1.0, 420.0),
                th(20.0, 100.0),
            ),
            metric(
                "api p99",
                "AWS/ApplicationELB",
                "TargetResponseTime",
                &[("LoadBalancer", "app/prod-api/50dc6c495c0c9188")],
                "p99",
                "Seconds",
                (0.22, 0.04, 3.4),
                th(1.0, 2.0),
            ),
            metric(
                "checkout p99",
                "AWS/ApplicationELB",
                "TargetResponseTime",
                &[("LoadBalancer", "app/prod-checkout/7f3a1b2c3d4e5f60")],
                "p99",
                "Seconds",
                (0.31, 0.05, 2.2),
                th(1.5, 3.0),
            ),
            metric(
                "db connections",
                "AWS/RDS",
                "DatabaseConnections",
                &[("DBInstanceIdentifier", "prod-db")],
                "Maximum",
                "Count",
                (62.0, 6.0, 136.0),
                th(160.0, 190.0),
            ),
            metric(
                "orders queue",
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                &[("QueueName", "orders")],
                "Maximum",
                "Count",
                (40.0, 15.0, 5200.0),
                th(1000.0, 5000.0),
            ),
            metric(
                "orders errors",
                "AWS/Lambda",
                "Errors",
                &[("FunctionName", "orders-processor")],
                "Sum",
                "Count",
                (0.0, 0.6, 38.0),
                th(5.0, 20.0),
            ),
            metric(
                "orders throttles",
                "AWS/Lambda",
                "Throttles",
                &[("FunctionName", "orders-processor")],
                "Sum",
                "Count",
                (0.0, 0.0, 24.0),
                th(1.0, 10.0),
            ),
            metric(
                "orders duration",
                "AWS/Lambda",
                "Duration",
                &[("FunctionName", "orders-processor")],
                "p95",
                "Milliseconds",
                (240.0, 40.0, 5200.0),
                th(3000.0, 5500.0),
            ),
        ];
        let alarms = vec![
            ("prod-api-5xx-high", 2, 100.0),
            ("prod-api-latency-p99", 3, 2.0),
            ("prod-db-connections-high", 5, 190.0),
            ("orders-processor-throttles", 8, 10.0),
            ("orders-queue-backlog", 6, 5000.0),
        ]
        .into_iter()
        .map(|(name, metric, threshold)| AlarmSim {
            name,
            metric,
            threshold,
            state: "OK",
            since_ms: base_ms - 3 * 3_600_000,
            reason: format!("Threshold Crossed: 1 datapoint was not greater than or equal to the threshold ({threshold})."),
        })
        .collect();
        let mut worker = ecs("prod", "worker", 4);
        worker.running = 2;
        worker.pending = 2;
        worker.rollout = "IN_PROGRESS";
        worker.rollout_until = Some(50.0);
        worker.last_event =
            "(service worker) has started 2 tasks: (task 9f2c41d7) (task 0b7e5a13).".into();
        let mut fleet = Fleet {
            rng: ChaCha8Rng::seed_from_u64(seed),
            t: 0.0,
            steps: 0,
            base_ms,
            mitigated_at: None,
            ecs: vec![
                ecs("prod", "api", 6),
                ecs("prod", "checkout", 4),
                worker,
                ecs("internal", "auth", 3),
                ecs("internal", "reports", 2),
                ecs("internal", "scheduler", 1),
            ],
            metrics,
            alarms,
            lambdas: vec![
                LambdaSim {
                    name: "orders-processor",
                    latest: 12,
                    alias: Some(("live", 12)),
                    memory: 512,
                    reserved: Some(50),
                    updating_until: None,
                },
                LambdaSim {
                    name: "thumbnailer",
                    latest: 7,
                    alias: Some(("live", 7)),
                    memory: 1024,
                    reserved: None,
                    updating_until: None,
                },
                LambdaSim {
                    name: "billing-sync",
                    latest: 31,
                    alias: Some(("live", 31)),
                    memory: 256,
                    reserved: Some(5),
                    updating_until: None,
                },
                LambdaSim {
                    name: "audit-export",
                    latest: 3,
                    alias: None,
                    memory: 128,
                    reserved: None,
                    updating_until: Some(30.0),
                },
            ],
            log_carry: [0.0; 3],
            next_metric_ms: base_ms - base_ms.rem_euclid(METRIC_PERIOD_MS) + METRIC_PERIOD_MS,
            dead_letters: 0.0,
            purged_at: None,
            kinds: KindsSim::default(),
        };
        fleet.update_alarms();
        fleet
    }

    pub fn now_ms(&self) -> i64 {
        self.base_ms + (self.t * 1000.0) as i64
    }

    /// 0 before the incident, 1 at its worst; falls back to 0 after mitigation.
    pub fn severity(&self) -> f64 {
        let onset = smoothstep((self.t - ONSET_S) / RAMP_S);
        match self.mitigated_at {
            Some(m) => onset.min(1.0 - smoothstep((self.t - m) / RECOVERY_S)),
            None => onset,
        }
    }

    /// No incident in this fleet (the other contexts at `--scale`).
    pub fn quiet(&mut self) {
        self.mitigated_at = Some(-1e9);
    }

    /// How many metric series the fleet has.
    pub fn metric_count(&self) -> usize {
        self.metrics.len()
    }

    pub fn mitigated(&self) -> bool {
        self.mitigated_at.is_some()
    }

    pub fn apply(&mut self, m: &Mutation) -> Result<String, String> {
        match m {
            Mutation::Ecs(EcsMutation::ScaleService {
                cluster, service, ..
            })
            | Mutation::Ecs(EcsMutation::ForceNewDeployment { cluster, service })
            | Mutation::Ecs(EcsMutation::RollbackService { cluster, service }) => {
                self.apply_ecs(m, cluster, service)
            }
            Mutation::Lambda(LambdaMutation::SetAlias { function, .. })
            | Mutation::Lambda(LambdaMutation::SetReservedConcurrency { function, .. })
            | Mutation::Lambda(LambdaMutation::SetMemory { function, .. }) => {
                self.apply_lambda(m, function)
            }
            Mutation::Sqs(SqsMutation::PurgeQueue { .. })
            | Mutation::Sqs(SqsMutation::RedriveQueue { .. }) => self.apply_sqs(m),
            _ => self.apply_kinds(m),
        }
    }

    fn apply_ecs(&mut self, m: &Mutation, cluster: &str, service: &str) -> Result<String, String> {
        let t = self.t;
        let sev = self.severity();
        let svc = self
            .ecs
            .iter_mut()
            .find(|s| s.cluster == cluster && s.name == service)
            .ok_or_else(|| {
                format!("ServiceNotFoundException: service {cluster}/{service} not found")
            })?;
        let msg = match m {
            Mutation::Ecs(EcsMutation::ScaleService { desired, .. }) => {
                if *desired < 0 {
                    return Err(format!(
                        "InvalidParameterException: desiredCount {desired} must be >= 0"
                    ));
                }
                svc.desired = *desired;
                svc.last_event = format!("(service {service}) desired count changed to {desired}.");
                format!("{cluster}/{service} desired count set to {desired}")
            }
            Mutation::Ecs(EcsMutation::RollbackService { .. }) => {
                if svc.revision <= 1 {
                    return Err(format!(
                        "ClientException: {cluster}/{service} has no previous task definition revision"
                    ));
                }
                svc.revision -= 1;
                svc.rollout = "IN_PROGRESS";
                svc.rollout_until = Some(t + 45.0);
                svc.last_event = format!(
                    "(service {service}) rolled back to task definition {cluster}-{service}:{}.",
                    svc.revision
                );
                format!(
                    "{cluster}/{service} rolling back to revision {}",
                    svc.revision
                )
            }
            _ => {
                svc.rollout = "IN_PROGRESS";
                svc.rollout_until = Some(t + 45.0);
                svc.last_event = format!("(service {service}) has started a new deployment.");
                format!("{cluster}/{service} new deployment started")
            }
        };
        // Fresh tasks (or more of them) relieve the exhausted pool on the API.
        let relieves = cluster == "prod"
            && service == "api"
            && match m {
                Mutation::Ecs(EcsMutation::ScaleService { desired, .. }) => *desired >= 8,
                _ => true,
            };
        if relieves && self.mitigated_at.is_none() && sev > 0.05 {
            self.mitigated_at = Some(t);
        }
        Ok(msg)
    }

    fn apply_lambda(&mut self, m: &Mutation, function: &str) -> Result<String, String> {
        let t = self.t;
        let f = self
            .lambdas
            .iter_mut()
            .find(|f| f.name == function)
            .ok_or_else(|| format!("ResourceNotFoundException: function {function} not found"))?;
        match m {
            Mutation::Lambda(LambdaMutation::SetAlias { alias, version, .. }) => {
                let v: u32 = version.trim_start_matches('v').parse().map_err(|_| {
                    format!("InvalidParameterValueException: `{version}` is not a version number")
                })?;
                if v == 0 || v > f.latest {
                    return Err(format!(
                        "ResourceNotFoundException: version {v} of {function} does not exist (1 to {})",
                        f.latest
                    ));
                }
                match &mut f.alias {
                    Some((name, target)) if name == alias => *target = v,
                    _ => {
                        return Err(format!(
                            "ResourceNotFoundException: alias {alias} of {function} does not exist"
                        ));
                    }
                }
                Ok(format!("{function}:{alias} now points at version {v}"))
            }
            Mutation::Lambda(LambdaMutation::SetReservedConcurrency { value, .. }) => {
                if value.is_some_and(|v| !(0..=1000).contains(&v)) {
                    return Err(
                        "InvalidParameterValueException: reserved concurrency must be 0 to 1000"
                            .into(),
                    );
                }
                f.reserved = *value;
                Ok(match value {
                    Some(v) => format!("{function} reserved concurrency set to {v}"),
                    None => format!("{function} reservation removed"),
                })
            }
            Mutation::Lambda(LambdaMutation::SetMemory { mb, .. }) => {
                if !(128..=10240).contains(mb) {
                    return Err(
                        "InvalidParameterValueException: MemorySize must be between 128 and 10240"
                            .into(),
                    );
                }
                f.memory = *mb;
                f.updating_until = Some(t + 5.0);
                Ok(format!("{function} memory set to {mb} MB"))
            }
            _ => unreachable!("ECS mutations are applied by apply_ecs"),
        }
    }

    /// Advances the simulation by one step of [`DT`] seconds and returns that interval's logs.
    pub fn step(&mut self) -> Vec<LogEvent> {
        let start_ms = self.now_ms();
        self.steps += 1;
        self.t = self.steps as f64 * DT;
        let sev = self.severity();
        if self.steps.is_multiple_of(STEPS_PER_SECOND) {
            self.step_ecs(sev);
            // Orders that fail five times land in the dead-letter queue.
            if sev > 0.3 {
                self.dead_letters += sev * 3.0;
            }
            self.step_kinds(sev);
        }
        self.gen_logs(start_ms, DT, sev)
    }

    fn step_ecs(&mut self, sev: f64) {
        let t = self.t;
        let mitigated = self.mitigated_at.is_some();
        for s in &mut self.ecs {
            if let Some(until) = s.rollout_until
                && t >= until
            {
                s.rollout_until = None;
                s.rollout = "COMPLETED";
                s.last_event = format!("(service {}) has reached a steady state.", s.name);
            }
            let mut target = s.desired;
            if s.cluster == "prod" && s.name == "api" && sev > 0.75 && !mitigated {
                target = (s.desired / 2).max(1);
            }
            if s.rollout == "IN_PROGRESS"
                && s.rollout_until.is_some_and(|u| u - t > 15.0)
                && s.name == "worker"
            {
                target = s.desired / 2;
            }
            // Converge one task per second towards the target, like a scheduler would.
            if s.running > target {
                s.running -= 1;
                s.pending = (s.desired - s.running).min(2);
                s.last_event = format!(
                    "(service {}) has stopped 1 running tasks: (task {:08x}). Reason: Task failed ELB health checks in (target-group prod-{}-tg)",
                    s.name,
                    (t * 1000.0) as u64 ^ 0x5eed,
                    s.name
                );
            } else if s.running < target {
                s.running += 1;
                s.pending = (s.desired - s.running).clamp(0, 2);
                s.last_event = format!(
                    "(service {}) has started 1 tasks: (task {:08x}).",
                    s.name,
                    (t * 1000.0) as u64 ^ 0xf00d
                );
            } else if s.running == s.desired {
                s.pending = 0;
            }
        }
    }

    fn gen_logs(&mut self, start_ms: i64, dt: f64, sev: f64) -> Vec<LogEvent> {
        let mut out = Vec::new();
        for (gi, group) in loggen::GROUPS.iter().enumerate() {
            let want = loggen::rate(group, sev) * dt + self.log_carry[gi];
            let n = want.floor() as usize;
            self.log_carry[gi] = want - n as f64;
            let g: Arc<str> = Arc::from(*group);
            let stream: Arc<str> = Arc::from(match gi {
                0 => "ecs/api/7c1e9a0f3b2d4e5f",
                1 => "ecs/checkout/2a4b6c8d0e1f3a5b",
                _ => "2026/11/22/[12]5d8e3f1a2b4c6d7e",
            });
            for i in 0..n {
                let ms = start_ms + ((i as f64 + 0.5) / n as f64 * dt * 1000.0) as i64;
                let lines = match gi {
                    0 => vec![loggen::api_line(&mut self.rng, ms, sev)],
                    1 => vec![loggen::checkout_line(&mut self.rng, ms, sev)],
                    _ => loggen::orders_lines(&mut self.rng, ms, sev),
                };
                for message in lines {
                    out.push(LogEvent {
                        time_ms: ms,
                        group: g.clone(),
                        stream: Some(stream.clone()),
                        message,
                    });
                }
            }
        }
        out.sort_by_key(|e| e.time_ms);
        out
    }

    /// Quiet log history before the start, so the pane is not empty on a newcomer's first look.
    pub fn backfill_logs(&mut self, seconds: f64) -> Vec<LogEvent> {
        let (t0, carry) = (self.t, self.log_carry);
        let mut out = Vec::new();
        let step = 1.0;
        let mut s = -seconds;
        while s < 0.0 {
            let ms = self.base_ms + (s * 1000.0) as i64;
            out.extend(self.gen_logs(ms, step, 0.0));
            s += step;
        }
        self.t = t0;
        self.log_carry = carry;
        out
    }

    /// Produces a metric point for every series at each period boundary passed.
    pub fn metric_points(&mut self) -> Vec<(MetricKey, Vec<(i64, f64)>)> {
        let now = self.now_ms();
        let sev = self.severity();
        let mut batch: Vec<(MetricKey, Vec<(i64, f64)>)> =
            self.metrics.iter().map(|m| (m.key(), Vec::new())).collect();
        while self.next_metric_ms <= now {
            let t = self.next_metric_ms;
            for (i, m) in self.metrics.iter_mut().enumerate() {
                m.value = m.sample(&mut self.rng, sev, t);
                batch[i].1.push((t, m.value));
            }
            self.next_metric_ms += METRIC_PERIOD_MS;
        }
        batch.retain(|(_, p)| !p.is_empty());
        if !batch.is_empty() {
            self.update_alarms();
        }
        batch
    }

    /// Full series with 12 h of quiet history (one earlier deploy blip for texture).
    pub fn metric_series(&mut self) -> Vec<MetricSeries> {
        let end = self.next_metric_ms - METRIC_PERIOD_MS;
        let mut hist_rng = ChaCha8Rng::seed_from_u64(self.rng.random());
        self.metrics
            .iter()
            .map(|m| {
                let mut points = Vec::with_capacity((HISTORY_MS / METRIC_PERIOD_MS) as usize);
                let mut t = end - HISTORY_MS;
                while t <= end {
                    let ago_h = (end - t) as f64 / 3_600_000.0;
                    let blip = if (5.0..5.15).contains(&ago_h) {
                        0.25
                    } else {
                        0.0
                    };
                    points.push((t, m.sample(&mut hist_rng, blip, t)));
                    t += METRIC_PERIOD_MS;
                }
                MetricSeries {
                    context: None,
                    label: m.label.to_string(),
                    key: m.key(),
                    unit: Some(m.unit.to_string()),
                    thresholds: m.thresholds,
                    points,
                }
            })
            .collect()
    }

    fn update_alarms(&mut self) {
        let now = self.now_ms();
        for a in &mut self.alarms {
            let v = self.metrics[a.metric].value;
            let state = if v >= a.threshold { "ALARM" } else { "OK" };
            if state != a.state {
                a.state = state;
                a.since_ms = now;
                let when = chrono::DateTime::from_timestamp_millis(now)
                    .map(|d| d.format("%d/%m/%y %H:%M:%S").to_string())
                    .unwrap_or_default();
                a.reason = format!(
                    "Threshold Crossed: 1 datapoint [{v:.2} ({when})] was {}greater than or equal to the threshold ({}).",
                    if state == "OK" { "not " } else { "" },
                    a.threshold
                );
            }
        }
    }

    pub fn alarms(&self) -> Vec<Alarm> {
        let mut out: Vec<Alarm> = self
            .alarms
            .iter()
            .map(|a| Alarm {
                context: None,
                name: a.name.into(),
                state: a.state.into(),
                reason: Some(a.reason.clone()),
                updated_ms: Some(a.since_ms),
            })
            .collect();
        out.push(Alarm {
            context: None,
            name: "billing-sync-duration".into(),
            state: "INSUFFICIENT_DATA".into(),
            reason: Some("Insufficient Data: 1 datapoint was unknown.".into()),
            updated_ms: Some(self.base_ms - 2 * 86_400_000),
        });
        out
    }

    pub fn ecs_services(&self) -> Vec<Resource> {
        self.ecs
            .iter()
            .map(|s| {
                let mut r = Resource::ecs(s.cluster, s.name);
                r.counts = Some(crate::model::Counts {
                    desired: s.desired,
                    running: s.running,
                    pending: s.pending,
                });
                r.status = s.rollout.into();
                r.detail = crate::model::Detail::Ecs(crate::model::EcsDetail {
                    cluster: s.cluster.into(),
                    task_definition: Some(format!("{}-{}:{}", s.cluster, s.name, s.revision)),
                    last_event: Some(s.last_event.clone()),
                });
                let rolling = s.rollout == "IN_PROGRESS";
                r.health = if s.desired == 0 {
                    Health::Warn
                } else if s.running == 0 || (!rolling && s.running * 2 <= s.desired) {
                    Health::Crit
                } else if s.running < s.desired || rolling {
                    Health::Warn
                } else {
                    Health::Ok
                };
                r
            })
            .collect()
    }

    pub fn lambdas(&self) -> Vec<Resource> {
        let sev = self.severity();
        let throttles = self.metrics[8].value;
        let errors = self.metrics[7].value;
        self.lambdas
            .iter()
            .map(|l| {
                let mut s = Resource::lambda(l.name);
                let alias = l.alias.map(|(a, v)| crate::model::Alias {
                    name: a.to_string(),
                    version: v.to_string(),
                });
                s.detail = crate::model::Detail::Lambda(crate::model::LambdaDetail {
                    version: Some(
                        alias
                            .as_ref()
                            .map_or_else(|| "$LATEST".into(), crate::model::Alias::label),
                    ),
                    alias,
                    aliases: Vec::new(),
                    versions: (1..=l.latest).rev().map(|v| v.to_string()).collect(),
                    memory_mb: Some(l.memory),
                    reserved_concurrency: l.reserved,
                    timeout_s: None,
                });
                let updating = l.updating_until.is_some_and(|u| self.t < u);
                s.status = if updating {
                    "Active · update InProgress".into()
                } else {
                    "Active".into()
                };
                s.health = if l.reserved == Some(0) {
                    s.status = "Active · throttled (reserved 0)".into();
                    Health::Crit
                } else if l.name == "orders-processor" && (errors >= 20.0 || throttles >= 10.0) {
                    Health::Crit
                } else if updating
                    || (l.name == "orders-processor"
                        && (errors >= 5.0 || throttles >= 1.0 || sev > 0.3))
                {
                    Health::Warn
                } else {
                    Health::Ok
                };
                s
            })
            .collect()
    }

    /// The orders queue and its dead-letter queue.
    pub fn queues(&self) -> Vec<Resource> {
        const BASE: &str = "https://sqs.eu-west-1.amazonaws.com/123456789012";
        const ARN: &str = "arn:aws:sqs:eu-west-1:123456789012";
        let sev = self.severity();
        let purged = self.purged_at.is_some_and(|p| self.t - p < 120.0);
        let visible = if purged {
            0
        } else {
            self.metrics[6].value.max(0.0) as i64
        };
        let dead = self.dead_letters as i64;
        let orders = crate::model::SqsDetail {
            url: format!("{BASE}/orders"),
            visible,
            in_flight: (8.0 + sev * 60.0) as i64,
            delayed: 0,
            dlq: Some("orders-dlq".into()),
            dlq_depth: Some(dead),
            dead_letter_of: None,
            arn: Some(format!("{ARN}:orders")),
            dlq_arn: Some(format!("{ARN}:orders-dlq")),
        };
        let dlq = crate::model::SqsDetail {
            url: format!("{BASE}/orders-dlq"),
            visible: dead,
            arn: Some(format!("{ARN}:orders-dlq")),
            ..Default::default()
        };
        let mut rows = vec![
            crate::sources::aws::sqs::row("orders", orders),
            crate::sources::aws::sqs::row("orders-dlq", dlq),
        ];
        crate::sources::aws::sqs::mark_dead_letter_queues(&mut rows);
        rows
    }

    fn apply_sqs(&mut self, m: &Mutation) -> Result<String, String> {
        match m {
            Mutation::Sqs(SqsMutation::PurgeQueue { queue, .. }) if queue == "orders" => {
                self.purged_at = Some(self.t);
                Ok("orders: purged".into())
            }
            Mutation::Sqs(SqsMutation::PurgeQueue { queue, .. }) if queue == "orders-dlq" => {
                self.dead_letters = 0.0;
                Ok("orders-dlq: purged".into())
            }
            Mutation::Sqs(SqsMutation::RedriveQueue { queue, .. }) if queue == "orders" => {
                let n = self.dead_letters as i64;
                self.dead_letters = 0.0;
                Ok(format!(
                    "orders: redrive from orders-dlq started ({n} messages)"
                ))
            }
            Mutation::Sqs(SqsMutation::PurgeQueue { queue, .. })
            | Mutation::Sqs(SqsMutation::RedriveQueue { queue, .. }) => Err(format!(
                "AWS.SimpleQueueService.NonExistentQueue: {queue} does not exist"
            )),
            _ => Err("not an SQS change".into()),
        }
    }

    pub fn health_checks(&mut self) -> Vec<Resource> {
        let sev = self.severity();
        let jitter: f64 = self.rng.random_range(0.0..1.0);
        let mut api = Resource::http("api health", "https://api.example.com/health");
        let failing = sev > 0.55;
        if let Some(d) = api.http_detail_mut() {
            d.status_code = Some(if failing { 503 } else { 200 });
            d.latency_ms = Some((28.0 + 20.0 * jitter + sev * 2300.0) as u64);
        }
        api.status = if failing {
            "unhealthy".into()
        } else {
            "healthy".into()
        };
        api.health = if failing {
            Health::Crit
        } else if sev > 0.2 {
            Health::Warn
        } else {
            Health::Ok
        };
        let mut co = Resource::http("checkout ready", "https://checkout.example.com/ready");
        let lat = 70.0 + 30.0 * jitter + sev * 950.0;
        if let Some(d) = co.http_detail_mut() {
            d.status_code = Some(200);
            d.latency_ms = Some(lat as u64);
        }
        co.status = "ok".into();
        co.health = if lat > 800.0 {
            Health::Warn
        } else {
            Health::Ok
        };
        vec![api, co]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: &mut Fleet, secs: f64) {
        let steps = (secs / DT) as usize;
        for _ in 0..steps {
            f.step();
            f.metric_points();
        }
    }

    #[test]
    fn incident_unfolds_and_stays_until_acted_on() {
        let mut f = Fleet::new(7, 1_800_000_000_000);
        run(&mut f, 20.0);
        assert!(
            f.alarms().iter().all(|a| a.state != "ALARM"),
            "quiet at first"
        );
        run(&mut f, 120.0);
        let alarms = f.alarms();
        assert!(
            alarms
                .iter()
                .any(|a| a.name == "prod-api-5xx-high" && a.state == "ALARM")
        );
        let api = f
            .ecs_services()
            .into_iter()
            .find(|s| s.name == "api")
            .unwrap();
        assert!(api.counts.unwrap().running < api.counts.unwrap().desired);
        assert_eq!(api.health, Health::Crit);
        run(&mut f, 240.0);
        assert!(f.severity() > 0.99, "no recovery without action");
    }

    #[test]
    fn acting_recovers() {
        let mut f = Fleet::new(7, 1_800_000_000_000);
        run(&mut f, 150.0);
        f.apply(&Mutation::Ecs(EcsMutation::ForceNewDeployment {
            cluster: "prod".into(),
            service: "api".into(),
        }))
        .unwrap();
        run(&mut f, 90.0);
        assert_eq!(f.severity(), 0.0);
        let api = f
            .ecs_services()
            .into_iter()
            .find(|s| s.name == "api")
            .unwrap();
        assert_eq!(api.counts.map(|c| c.running), Some(6));
        assert_eq!(api.status, "COMPLETED");
        assert!(f.alarms().iter().all(|a| a.state != "ALARM"));
    }

    #[test]
    fn scale_validates_and_unknown_service_errors() {
        let mut f = Fleet::new(1, 0);
        assert!(
            f.apply(&Mutation::Ecs(EcsMutation::ScaleService {
                cluster: "prod".into(),
                service: "nope".into(),
                desired: 2
            }))
            .is_err()
        );
        assert!(
            f.apply(&Mutation::Ecs(EcsMutation::ScaleService {
                cluster: "prod".into(),
                service: "api".into(),
                desired: -1
            }))
            .is_err()
        );
        f.apply(&Mutation::Ecs(EcsMutation::ScaleService {
            cluster: "internal".into(),
            service: "auth".into(),
            desired: 5,
        }))
        .unwrap();
        run(&mut f, 10.0);
        let auth = f
            .ecs_services()
            .into_iter()
            .find(|s| s.name == "auth")
            .unwrap();
        assert_eq!(auth.counts.map(|c| (c.desired, c.running)), Some((5, 5)));
    }

    #[test]
    fn dead_letters_pile_up_in_the_incident_until_redriven() {
        let mut f = Fleet::new(3, 0);
        let q = |f: &Fleet, name: &str| f.queues().into_iter().find(|r| r.name == name).unwrap();
        assert_eq!(q(&f, "orders").health, Health::Ok);
        // Well into the incident: failed orders in the DLQ, the queue backs up.
        while f.t < ONSET_S + RAMP_S + 60.0 {
            f.step();
        }
        let dlq = q(&f, "orders-dlq");
        assert_eq!(dlq.health, Health::Crit, "{}", dlq.status);
        assert!(dlq.status.starts_with("dead letters of orders"));
        assert_eq!(q(&f, "orders").health, Health::Crit);
        f.apply(&Mutation::Sqs(SqsMutation::PurgeQueue {
            queue: "orders".into(),
            url: String::new(),
        }))
        .unwrap();
        assert_eq!(q(&f, "orders").sqs_detail().unwrap().visible, 0);
        let msg = f
            .apply(&Mutation::Sqs(SqsMutation::RedriveQueue {
                queue: "orders".into(),
                dlq_arn: String::new(),
                queue_arn: String::new(),
            }))
            .unwrap();
        assert!(msg.contains("redrive"), "{msg}");
        assert_eq!(q(&f, "orders-dlq").sqs_detail().unwrap().visible, 0);
        assert!(
            f.apply(&Mutation::Sqs(SqsMutation::PurgeQueue {
                queue: "nope".into(),
                url: String::new()
            }))
            .is_err()
        );
    }

    #[test]
    fn rollback_and_lambda_changes() {
        let mut f = Fleet::new(3, 0);
        let before = f
            .ecs_services()
            .into_iter()
            .find(|s| s.name == "api")
            .unwrap()
            .version()
            .unwrap()
            .to_string();
        let msg = f
            .apply(&Mutation::Ecs(EcsMutation::RollbackService {
                cluster: "prod".into(),
                service: "api".into(),
            }))
            .unwrap();
        assert!(msg.contains("rolling back"));
        let api = f
            .ecs_services()
            .into_iter()
            .find(|s| s.name == "api")
            .unwrap();
        assert_ne!(api.version().unwrap(), before);
        assert_eq!(api.status, "IN_PROGRESS");
        let alias = |f: &Fleet| {
            f.lambdas()
                .into_iter()
                .find(|l| l.name == "orders-processor")
                .unwrap()
        };
        assert_eq!(alias(&f).version(), Some("live→v12"));
        assert_eq!(
            alias(&f)
                .lambda_detail()
                .unwrap()
                .versions
                .first()
                .map(String::as_str),
            Some("12")
        );
        f.apply(&Mutation::Lambda(LambdaMutation::SetAlias {
            function: "orders-processor".into(),
            alias: "live".into(),
            version: "11".into(),
        }))
        .unwrap();
        assert_eq!(alias(&f).version(), Some("live→v11"));
        assert!(
            f.apply(&Mutation::Lambda(LambdaMutation::SetAlias {
                function: "orders-processor".into(),
                alias: "live".into(),
                version: "99".into()
            }))
            .is_err()
        );
        f.apply(&Mutation::Lambda(LambdaMutation::SetReservedConcurrency {
            function: "orders-processor".into(),
            value: Some(0),
        }))
        .unwrap();
        assert_eq!(alias(&f).health, Health::Crit);
        f.apply(&Mutation::Lambda(LambdaMutation::SetReservedConcurrency {
            function: "orders-processor".into(),
            value: None,
        }))
        .unwrap();
        assert_eq!(
            alias(&f).lambda_detail().unwrap().reserved_concurrency,
            None
        );
        assert!(
            f.apply(&Mutation::Lambda(LambdaMutation::SetMemory {
                function: "orders-processor".into(),
                mb: 64
            }))
            .is_err()
        );
        f.apply(&Mutation::Lambda(LambdaMutation::SetMemory {
            function: "orders-processor".into(),
            mb: 1024,
        }))
        .unwrap();
        assert_eq!(alias(&f).lambda_detail().unwrap().memory_mb, Some(1024));
        assert!(
            f.apply(&Mutation::Lambda(LambdaMutation::SetMemory {
                function: "nope".into(),
                mb: 1024
            }))
            .is_err()
        );
    }

    #[test]
    fn same_seed_same_fleet() {
        let mut a = Fleet::new(42, 1_000_000);
        let mut b = Fleet::new(42, 1_000_000);
        for _ in 0..40 {
            assert_eq!(a.step(), b.step());
        }
        assert_eq!(a.metric_points(), b.metric_points());
    }
}
