//! The demo fleet's databases, table, target group, state machine and Redis group, rated by
//! the live source's own row builders so the demo shows exactly what AWS would. The scripted
//! incident runs through them: the API's targets turn unhealthy, settlement executions fail,
//! the database's connections climb (its metric is in the fleet's metrics); acting on the fix
//! recovers them all.

use super::Fleet;
use crate::model::{
    DynamodbDetail, ElasticacheDetail, ElbDetail, RdsDetail, Resource, SfnDetail, SfnFailure,
};
use crate::sources::Mutation;
use crate::sources::aws::{dynamodb, elasticache, elb, rds, sfn};
use crate::sources::{DynamodbMutation, ElasticacheMutation, RdsMutation, SfnMutation};

pub const TARGET_GROUP_ARN: &str =
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/prod-api/73e2d6bc24d8a067";
const LB_ARN: &str = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/prod-api/50dc6c495c0c9188";
pub const STATE_MACHINE_ARN: &str =
    "arn:aws:states:eu-west-1:123456789012:stateMachine:order-settlement";

/// What the operator did to the demo's other kinds, and when (simulated seconds).
#[derive(Debug, Clone, Default)]
pub struct KindsSim {
    /// A reboot of `prod-db` (with failover or not) until this time.
    pub db_rebooting_until: Option<f64>,
    pub db_failed_over: bool,
    pub snapshots: Vec<String>,
    pub backups: Vec<(String, f64)>,
    /// Failed settlement executions so far, and the ones redriven or stopped.
    pub failed_executions: f64,
    pub redriven: u32,
    pub stopped: u32,
    /// A cache failover in progress until this time; primaries swap when it ends.
    pub cache_failover_until: Option<f64>,
    pub cache_swapped: bool,
}

impl Fleet {
    pub(super) fn step_kinds(&mut self, sev: f64) {
        // Settlement calls the API: while it fails, so do executions (about one every
        // ten seconds at the worst).
        if sev > 0.4 {
            self.kinds.failed_executions += sev * 0.1;
        }
        if self.kinds.cache_failover_until.is_some_and(|u| self.t >= u) {
            self.kinds.cache_failover_until = None;
            self.kinds.cache_swapped = !self.kinds.cache_swapped;
        }
        if self.kinds.db_rebooting_until.is_some_and(|u| self.t >= u) {
            self.kinds.db_rebooting_until = None;
        }
    }

    /// `prod-db` (writer, Multi-AZ) and its read replica.
    pub fn databases(&self) -> Vec<Resource> {
        let rebooting = self.kinds.db_rebooting_until.is_some();
        let writer = RdsDetail {
            status: if rebooting { "rebooting" } else { "available" }.into(),
            engine: "postgres 16.4".into(),
            role: "primary of prod-db-ro".into(),
            multi_az: true,
            instance_class: Some("db.r6g.xlarge".into()),
            allocated_gib: Some(500),
            ..RdsDetail::default()
        };
        let reader = RdsDetail {
            status: "available".into(),
            engine: "postgres 16.4".into(),
            role: "replica of prod-db".into(),
            instance_class: Some("db.r6g.large".into()),
            allocated_gib: Some(500),
            pending_maintenance: vec!["system-update".into()],
            ..RdsDetail::default()
        };
        vec![rds::row("prod-db", writer), rds::row("prod-db-ro", reader)]
    }

    pub fn tables(&self) -> Vec<Resource> {
        let d = DynamodbDetail {
            status: "ACTIVE".into(),
            billing_mode: "PAY_PER_REQUEST".into(),
            item_count: 184_220 + (self.t as i64) * 3,
            pitr: Some(true),
            latest_backup_ms: Some(
                self.kinds
                    .backups
                    .last()
                    .map(|(_, t)| self.base_ms + (*t * 1000.0) as i64)
                    .unwrap_or(self.base_ms - 6 * 3_600_000),
            ),
            ..DynamodbDetail::default()
        };
        vec![dynamodb::row("carts", d, self.now_ms())]
    }

    /// The API's target group: targets fail their health checks as the incident grows.
    pub fn target_groups(&self) -> Vec<Resource> {
        let total = 6i64;
        let sev = self.severity();
        let unhealthy = ((sev * 7.0) as i64).min(total);
        let mut d = ElbDetail {
            arn: TARGET_GROUP_ARN.into(),
            load_balancers: vec![LB_ARN.into()],
            healthy: total - unhealthy,
            unhealthy,
            ..ElbDetail::default()
        };
        for i in 0..unhealthy {
            d.reasons.push(format!(
                "10.0.{}.{}:8080: Target.ResponseCodeMismatch (Health checks failed with these codes: [503])",
                1 + i % 3,
                20 + i
            ));
        }
        vec![elb::row("prod-api", d)]
    }

    pub fn state_machines(&self) -> Vec<Resource> {
        let failed = self.kinds.failed_executions as i64 - self.kinds.redriven as i64;
        let failed = failed.max(0);
        let running = 3 + (self.severity() * 4.0) as i64 - self.kinds.stopped as i64;
        let running_arns = (0..running.max(0))
            .map(|i| {
                format!("{STATE_MACHINE_ARN}:run-{}", 4100 + i).replace("stateMachine", "execution")
            })
            .collect();
        let d = SfnDetail {
            arn: STATE_MACHINE_ARN.into(),
            running: running.max(0),
            failed,
            running_arns,
            last_failure: (failed > 0).then(|| SfnFailure {
                execution_arn: format!("{STATE_MACHINE_ARN}:run-{}", 4000 + failed)
                    .replace("stateMachine", "execution"),
                name: format!("run-{}", 4000 + failed),
                status: "FAILED".into(),
                error: Some("States.TaskFailed".into()),
                cause: Some("POST https://api.internal/settle: 503 Service Unavailable".into()),
            }),
            ..SfnDetail::default()
        };
        vec![sfn::row("order-settlement", d)]
    }

    pub fn cache_groups(&self) -> Vec<Resource> {
        let (a, b) = ("sessions-001".to_string(), "sessions-002".to_string());
        let (p, r) = if self.kinds.cache_swapped {
            (b, a)
        } else {
            (a, b)
        };
        let d = ElasticacheDetail {
            status: if self.kinds.cache_failover_until.is_some() {
                "modifying"
            } else {
                "available"
            }
            .into(),
            node_groups: vec!["0001".into()],
            primaries: vec![p],
            replicas: vec![r],
            automatic_failover: "enabled".into(),
            multi_az: true,
        };
        vec![elasticache::row("sessions", d)]
    }

    pub(super) fn apply_kinds(&mut self, m: &Mutation) -> Result<String, String> {
        let t = self.t;
        match m {
            Mutation::Rds(RdsMutation::RebootDb { instance, failover })
                if instance == "prod-db" =>
            {
                self.kinds.db_rebooting_until = Some(t + if *failover { 30.0 } else { 60.0 });
                self.kinds.db_failed_over ^= *failover;
                Ok(format!(
                    "prod-db: reboot{} started (rebooting)",
                    if *failover { " with failover" } else { "" }
                ))
            }
            Mutation::Rds(RdsMutation::SnapshotDb { id, snapshot, .. })
                if id == "prod-db" || id == "prod-db-ro" =>
            {
                self.kinds.snapshots.push(snapshot.clone());
                Ok(format!("{id}: snapshot {snapshot} started"))
            }
            Mutation::Dynamodb(DynamodbMutation::BackupTable { table, backup })
                if table == "carts" =>
            {
                self.kinds.backups.push((backup.clone(), t));
                Ok(format!("carts: backup {backup} AVAILABLE"))
            }
            Mutation::Sfn(SfnMutation::StopExecution {
                machine,
                execution_arn,
            }) if machine == "order-settlement" => {
                self.kinds.stopped += 1;
                Ok(format!(
                    "order-settlement: execution {} stopped",
                    crate::text::last_segment(execution_arn)
                ))
            }
            Mutation::Sfn(SfnMutation::RedriveExecution {
                machine,
                execution_arn,
            }) if machine == "order-settlement" => {
                if self.severity() > 0.4 {
                    // Redriven into the same failure: it fails again.
                    return Ok(format!(
                        "order-settlement: execution {} redriven (the API still fails: it will fail again)",
                        crate::text::last_segment(execution_arn)
                    ));
                }
                // After the fix, the settlement retry job re-runs every failed execution.
                let n = (self.kinds.failed_executions as i64 - self.kinds.redriven as i64).max(0);
                self.kinds.redriven += n as u32;
                Ok(format!(
                    "order-settlement: execution {} redriven ({n} failed executions re-run)",
                    crate::text::last_segment(execution_arn)
                ))
            }
            Mutation::Elasticache(ElasticacheMutation::TestFailover { group, node_group })
                if group == "sessions" =>
            {
                if self.kinds.cache_failover_until.is_some() {
                    return Err(
                        "InvalidReplicationGroupState: a failover is already in progress".into(),
                    );
                }
                self.kinds.cache_failover_until = Some(t + 20.0);
                Ok(format!(
                    "sessions: failover of shard {node_group} started (modifying)"
                ))
            }
            Mutation::Rds(RdsMutation::FailoverDbCluster { cluster }) => {
                Err(format!("DBClusterNotFoundFault: {cluster} not found"))
            }
            other => Err(format!("ResourceNotFound: {} not found", other.target())),
        }
    }
}
