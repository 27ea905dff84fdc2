//! System events: what changed between two consecutive deliveries of a feed — health
//! transitions of every resource kind, ECS rollouts starting, completing or failing, running
//! tasks falling below desired and recovering, Lambda alias and configuration changes, the
//! first dead letters of a queue, alarm transitions. Pure: old and new states in, events out;
//! each change is reported once, on the delivery where it is first seen.

use crate::model::{Alarm, Resource};

pub use crate::model::SysEvent;

fn event(resource: &str, before: String, after: String, what: String) -> SysEvent {
    SysEvent::new(resource, before, after, what)
}

/// Changes between two deliveries of one feed's rows (matched by identity). Rows that
/// appear or vanish are not events: discovery and filters change the set.
pub fn diff_resources(old: &[Resource], new: &[Resource]) -> Vec<SysEvent> {
    let mut out = Vec::new();
    // By identity, once: thousands of rows per delivery must stay linear.
    let before: std::collections::HashMap<String, &Resource> =
        old.iter().map(|o| (o.key(), o)).collect();
    for n in new {
        // A row just listed had no health yet: its first describe is not a change.
        let Some(o) = before
            .get(&n.key())
            .copied()
            .filter(|o| !o.loading && !n.loading)
        else {
            continue;
        };
        let name = n.display_name();
        let kind = n.kind.label();
        if o.health != n.health {
            out.push(event(
                &name,
                o.health.as_str().to_string(),
                n.health.as_str().to_string(),
                format!(
                    "{kind} {name}: health {} → {} ({})",
                    o.health.as_str(),
                    n.health.as_str(),
                    n.status
                ),
            ));
        }
        out.extend(n.kind_events(o));
    }
    out
}

/// Alarm state transitions (with CloudWatch's reason, which carries the value and the
/// threshold).
pub fn diff_alarms(old: &[Alarm], new: &[Alarm]) -> Vec<SysEvent> {
    new.iter()
        .filter_map(|n| {
            let o = old.iter().find(|o| o.name == n.name)?;
            (o.state != n.state).then(|| {
                let reason = n
                    .reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default();
                event(
                    &n.name,
                    o.state.clone(),
                    n.state.clone(),
                    format!("alarm {}: {} → {}{reason}", n.name, o.state, n.state),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Counts, Detail, Health};

    fn ecs(status: &str, desired: i64, running: i64, h: Health) -> Resource {
        let mut r = Resource::ecs("prod", "api");
        r.status = status.into();
        r.counts = Some(Counts {
            desired,
            running,
            pending: 0,
        });
        r.health = h;
        r
    }

    #[test]
    fn ecs_rollouts_and_running_counts() {
        let a = ecs("COMPLETED", 6, 6, Health::Ok);
        assert!(diff_resources(std::slice::from_ref(&a), std::slice::from_ref(&a)).is_empty());
        let b = ecs(
            "IN_PROGRESS · 2 deployments (api:7 1/6)",
            6,
            3,
            Health::Warn,
        );
        let ev = diff_resources(std::slice::from_ref(&a), std::slice::from_ref(&b));
        let what: Vec<&str> = ev.iter().map(|e| e.what.as_str()).collect();
        assert_eq!(
            what,
            [
                "ECS prod/api: health ok → warn (IN_PROGRESS · 2 deployments (api:7 1/6))",
                "ECS prod/api: deployment started (COMPLETED → IN_PROGRESS)",
                "ECS prod/api: running 3/6, below desired",
            ]
        );
        // The same state again: nothing new.
        assert!(diff_resources(std::slice::from_ref(&b), std::slice::from_ref(&b)).is_empty());
        let c = ecs("COMPLETED", 8, 8, Health::Ok);
        let what: Vec<String> = diff_resources(&[b], &[c])
            .into_iter()
            .map(|e| e.what)
            .collect();
        assert_eq!(
            what,
            [
                "ECS prod/api: health warn → ok (COMPLETED)",
                "ECS prod/api: deployment completed (IN_PROGRESS → COMPLETED)",
                "ECS prod/api: desired 6 → 8",
                "ECS prod/api: running 8/8, back at desired",
            ]
        );
    }

    #[test]
    fn alarms_lambda_and_queues() {
        let alarm = |state: &str| Alarm {
            context: None,
            name: "prod-api-5xx-high".into(),
            state: state.into(),
            reason: Some("Threshold Crossed: 1 datapoint [142.0] was >= 100.0".into()),
            updated_ms: None,
        };
        let ev = diff_alarms(&[alarm("OK")], &[alarm("ALARM")]);
        assert_eq!(
            ev[0].what,
            "alarm prod-api-5xx-high: OK → ALARM: Threshold Crossed: 1 datapoint [142.0] was >= 100.0"
        );
        assert_eq!(
            (ev[0].before.as_str(), ev[0].after.as_str()),
            ("OK", "ALARM")
        );
        assert!(diff_alarms(&[alarm("ALARM")], &[alarm("ALARM")]).is_empty());

        let mut f = Resource::lambda("orders-processor");
        if let Detail::Lambda(d) = &mut f.detail {
            d.version = Some("live→v12".into());
        }
        let mut g = f.clone();
        if let Detail::Lambda(d) = &mut g.detail {
            d.version = Some("live→v11".into());
            d.reserved_concurrency = Some(0);
        }
        let what: Vec<String> = diff_resources(&[f], &[g])
            .into_iter()
            .map(|e| e.what)
            .collect();
        assert_eq!(
            what,
            [
                "λ orders-processor: version live→v12 → live→v11",
                "λ orders-processor: reserved concurrency unreserved → 0",
            ]
        );

        let q = |n: i64| {
            crate::sources::aws::sqs::row(
                "orders",
                crate::model::SqsDetail {
                    url: "u".into(),
                    dlq: Some("orders-dlq".into()),
                    dlq_depth: Some(n),
                    ..Default::default()
                },
            )
        };
        let what: Vec<String> = diff_resources(&[q(0)], &[q(3)])
            .into_iter()
            .map(|e| e.what)
            .collect();
        assert_eq!(
            what,
            [
                "SQS orders: health ok → warn (0 waiting · 0 in flight · DLQ orders-dlq 3)",
                "SQS orders: first dead letters (3 in orders-dlq)",
            ]
        );
        assert!(diff_resources(&[q(3)], &[q(5)]).is_empty());
    }

    #[test]
    fn stopped_tasks_are_events_once() {
        let with = |ev: &str| {
            let mut r = ecs("COMPLETED", 6, 6, Health::Ok);
            if let Detail::Ecs(d) = &mut r.detail {
                d.last_event = Some(ev.into());
            }
            r
        };
        let steady = with("(service api) has reached a steady state.");
        let stopped = with(
            "(service api) has stopped 2 running tasks: (task 0a1) (task 0b2). Reason: Task failed ELB health checks",
        );
        let ev = diff_resources(
            std::slice::from_ref(&steady),
            std::slice::from_ref(&stopped),
        );
        assert_eq!(ev.len(), 1);
        assert!(
            ev[0]
                .what
                .starts_with("ECS prod/api: (service api) has stopped 2 running tasks"),
            "{}",
            ev[0].what
        );
        assert!(
            diff_resources(
                std::slice::from_ref(&stopped),
                std::slice::from_ref(&stopped)
            )
            .is_empty()
        );
        assert!(
            diff_resources(
                std::slice::from_ref(&stopped),
                std::slice::from_ref(&steady)
            )
            .is_empty()
        );
    }

    #[test]
    fn failovers_and_new_execution_failures() {
        use crate::model::{ElasticacheDetail, RdsDetail, SfnDetail, SfnFailure};
        use crate::sources::aws::{elasticache, rds, sfn};
        let cluster = |w: &str, r: &str| {
            rds::row(
                "ledger",
                RdsDetail {
                    status: "available".into(),
                    role: "cluster".into(),
                    cluster_members: vec![w.into(), r.into()],
                    ..RdsDetail::default()
                },
            )
        };
        let ev = diff_resources(
            &[cluster("ledger-1", "ledger-2")],
            &[cluster("ledger-2", "ledger-1")],
        );
        assert_eq!(ev.len(), 1);
        assert_eq!(
            ev[0].what,
            "RDS ledger: writer ledger-1 → ledger-2 (failover)"
        );
        let redis = |p: &str| {
            elasticache::row(
                "sessions",
                ElasticacheDetail {
                    status: "available".into(),
                    node_groups: vec!["0001".into()],
                    primaries: vec![p.into()],
                    ..ElasticacheDetail::default()
                },
            )
        };
        let ev = diff_resources(&[redis("sessions-001")], &[redis("sessions-002")]);
        assert_eq!(
            ev[0].what,
            "REDIS sessions: primary sessions-001 → sessions-002"
        );
        let machine = |failed: i64, last: Option<&str>| {
            sfn::row(
                "settle",
                SfnDetail {
                    arn: "arn:m".into(),
                    failed,
                    last_failure: last.map(|n| SfnFailure {
                        execution_arn: format!("arn:e:{n}"),
                        name: n.into(),
                        status: "FAILED".into(),
                        error: Some("States.TaskFailed".into()),
                        cause: Some("ledger timeout".into()),
                    }),
                    ..SfnDetail::default()
                },
            )
        };
        let ev = diff_resources(&[machine(1, Some("run-1"))], &[machine(2, Some("run-2"))]);
        assert_eq!(ev.len(), 1, "{ev:?}");
        assert_eq!(
            ev[0].what,
            "SFN settle: execution run-2 failed: States.TaskFailed: ledger timeout"
        );
        assert!(
            diff_resources(&[machine(2, Some("run-2"))], &[machine(2, Some("run-2"))]).is_empty()
        );
        // The first failure is also a health transition: both are told.
        let ev = diff_resources(&[machine(0, None)], &[machine(1, Some("run-1"))]);
        assert_eq!(ev.len(), 2, "{ev:?}");
    }
}
