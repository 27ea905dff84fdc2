//! Step Functions state machines: one ListExecutions per machine per refresh (the latest 100,
//! any status) counted over the last hour, and DescribeExecution of the latest failure for
//! its error and cause.

use super::errors::{AwsError, AwsResult};
use super::kind::{Described, Kind, above, last_segment, metric};
use crate::config::Watch;
use crate::model::MetricDef;
use crate::model::{Detail, Health, Resource, ResourceKind, SfnDetail, SfnFailure};
use aws_sdk_sfn::Client;
use futures::future::BoxFuture;

/// Failures are counted over this window.
pub const WINDOW_MS: i64 = 3_600_000;
/// Failed or timed-out executions in the window from which the machine is critical.
pub const FAILED_CRIT: i64 = 5;

pub async fn list(c: &Client) -> AwsResult<Vec<String>> {
    let mut out = Vec::new();
    let mut pages = c.list_state_machines().into_paginator().send();
    while let Some(p) = pages.next().await {
        let p = p.map_err(AwsError::from)?;
        out.extend(
            p.state_machines()
                .iter()
                .map(|m| m.state_machine_arn().to_string()),
        );
    }
    Ok(out)
}

/// One execution as the counting needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    pub arn: String,
    pub name: String,
    pub status: String,
    pub start_ms: i64,
    pub stop_ms: Option<i64>,
}

/// Counts over the window; the running ones oldest first; the latest failure (not yet
/// described).
pub fn count(arn: &str, execs: &[Execution], now_ms: i64) -> SfnDetail {
    let mut d = SfnDetail {
        arn: arn.into(),
        ..SfnDetail::default()
    };
    let recent = |e: &&Execution| e.stop_ms.is_some_and(|t| t >= now_ms - WINDOW_MS);
    let mut running: Vec<&Execution> = execs.iter().filter(|e| e.status == "RUNNING").collect();
    running.sort_by_key(|e| e.start_ms);
    d.running = running.len() as i64;
    d.running_arns = running.iter().map(|e| e.arn.clone()).collect();
    for e in execs.iter().filter(recent) {
        match e.status.as_str() {
            "FAILED" => d.failed += 1,
            "TIMED_OUT" => d.timed_out += 1,
            "ABORTED" => d.aborted += 1,
            _ => {}
        }
    }
    d.last_failure = execs
        .iter()
        .filter(recent)
        .filter(|e| e.status == "FAILED" || e.status == "TIMED_OUT")
        .max_by_key(|e| e.stop_ms)
        .map(|e| SfnFailure {
            execution_arn: e.arn.clone(),
            name: e.name.clone(),
            status: e.status.clone(),
            error: None,
            cause: None,
        });
    d
}

/// Health: a failed or timed-out execution in the last hour warns, five are critical.
/// Aborted executions were stopped on purpose: told, not rated.
pub fn row(name: &str, d: SfnDetail) -> Resource {
    let mut r = Resource::new(d.arn.clone(), name, Detail::Sfn(SfnDetail::default()));
    let bad = d.failed + d.timed_out;
    r.health = if bad >= FAILED_CRIT {
        Health::Crit
    } else if bad > 0 {
        Health::Warn
    } else {
        Health::Ok
    };
    let mut status = format!("{} running · {} failed", d.running, d.failed);
    if d.timed_out > 0 {
        status.push_str(&format!(" · {} timed out", d.timed_out));
    }
    if d.aborted > 0 {
        status.push_str(&format!(" · {} aborted", d.aborted));
    }
    status.push_str(" (1h)");
    if let Some(f) = &d.last_failure {
        let why = match (&f.error, &f.cause) {
            (Some(e), Some(c)) => format!("{e}: {c}"),
            (Some(e), None) => e.clone(),
            (None, Some(c)) => c.clone(),
            (None, None) => f.status.clone(),
        };
        status.push_str(&format!(" · last {}: {why}", f.name));
    }
    r.status = status;
    r.detail = Detail::Sfn(d);
    r
}

async fn fetch(
    c: &Client,
    arn: &str,
    now_ms: i64,
    memo: &super::kind::Memo,
) -> AwsResult<Resource> {
    let name = last_segment(arn).to_string();
    let r = c
        .list_executions()
        .state_machine_arn(arn)
        .max_results(100)
        .send()
        .await
        .map_err(|e| AwsError::from(e).about(&name))?;
    let execs: Vec<Execution> = r
        .executions()
        .iter()
        .map(|e| Execution {
            arn: e.execution_arn().to_string(),
            name: e.name().to_string(),
            status: e.status().as_str().to_string(),
            start_ms: e.start_date().to_millis().unwrap_or(0),
            stop_ms: e.stop_date().and_then(|t| t.to_millis().ok()),
        })
        .collect();
    let mut d = count(arn, &execs, now_ms);
    // A failed execution's error and cause never change: asked for once.
    if let Some(f) = &mut d.last_failure
        && let Ok(x) = memo
            .or_ask::<String, _, AwsError>(
                &format!("failure {}", f.execution_arn),
                i64::MAX,
                now_ms,
                async {
                    let x = c
                        .describe_execution()
                        .execution_arn(&f.execution_arn)
                        .send()
                        .await
                        .map_err(AwsError::from)?;
                    Ok(serde_json::json!([x.error(), x.cause()]).to_string())
                },
            )
            .await
        && let Ok((error, cause)) = serde_json::from_str::<(Option<String>, Option<String>)>(&x)
    {
        f.error = error;
        f.cause = cause.map(|c| crate::text::truncate(&c, 200));
    }
    Ok(row(&name, d))
}

pub fn error_row(target: &str, error: &str) -> Resource {
    let d = SfnDetail {
        arn: target.into(),
        ..SfnDetail::default()
    };
    super::kind::failed_row(target, last_segment(target), Detail::Sfn(d), error)
}

pub struct Sfn;

impl Kind for Sfn {
    fn apply<'a>(
        &'a self,
        c: &'a super::Clients,
        m: &'a crate::sources::Mutation,
    ) -> Option<futures::future::BoxFuture<'a, AwsResult<String>>> {
        match m {
            crate::sources::Mutation::Sfn(m) => Some(Box::pin(apply(c, m))),
            _ => None,
        }
    }

    fn kind(&self) -> ResourceKind {
        ResourceKind::Sfn
    }

    fn configured(&self, w: &Watch) -> Vec<String> {
        w.state_machines.clone()
    }

    fn discover<'a>(
        &'a self,
        c: &'a super::Clients,
    ) -> BoxFuture<'a, super::errors::AwsResult<Vec<String>>> {
        Box::pin(list(&c.sfn))
    }

    fn describe<'a>(
        &'a self,
        cx: &'a super::kind::Cx<'a>,
        targets: &'a [String],
    ) -> BoxFuture<'a, Described> {
        let (c, now_ms, memo) = (cx.c, cx.now_ms, cx.memo);
        Box::pin(async move {
            // Machines named without their ARN are looked up by name (one listing).
            let all = if targets.iter().any(|t| !t.starts_with("arn:")) {
                list(&c.sfn).await.ok()
            } else {
                None
            };
            let mut out = Vec::new();
            for t in targets {
                let arn = if t.starts_with("arn:") {
                    Some(t.clone())
                } else {
                    all.as_ref()
                        .and_then(|a| a.iter().find(|x| last_segment(x) == t).cloned())
                };
                let r = match arn {
                    Some(a) => fetch(&c.sfn, &a, now_ms, memo).await.map(|r| vec![r]),
                    None => Err(AwsError::from(format!("{t}: StateMachineDoesNotExist"))),
                };
                out.push((t.clone(), r));
            }
            out
        })
    }

    fn error_row(&self, target: &str, error: &str) -> Resource {
        error_row(target, error)
    }

    /// Per machine: failed and timed-out executions (1 / 5) and execution time.
    fn metrics(&self, rows: &[Resource]) -> Vec<MetricDef> {
        let mut out = Vec::new();
        for r in rows {
            let Detail::Sfn(d) = &r.detail else { continue };
            let dims: &[(&str, &str)] = &[("StateMachineArn", &d.arn)];
            let ns = "AWS/States";
            out.push(metric(
                format!("{} failed", r.name),
                ns,
                "ExecutionsFailed",
                dims,
                "Sum",
                None,
                above(1.0, 5.0),
            ));
            out.push(metric(
                format!("{} timed out", r.name),
                ns,
                "ExecutionsTimedOut",
                dims,
                "Sum",
                None,
                above(1.0, 5.0),
            ));
            out.push(metric(
                format!("{} time", r.name),
                ns,
                "ExecutionTime",
                dims,
                "Average",
                Some("ms"),
                Default::default(),
            ));
        }
        out
    }
}

/// This kind's built-in mutations through the SDK (the same ones the demo fleet applies).
pub(super) async fn apply(
    c: &super::Clients,
    m: &crate::sources::SfnMutation,
) -> AwsResult<String> {
    use crate::sources::SfnMutation;
    match m {
        SfnMutation::StopExecution {
            machine,
            execution_arn,
        } => {
            c.sfn
                .stop_execution()
                .execution_arn(execution_arn)
                .error("opsdeck.Stopped")
                .cause("stopped by the operator from opsdeck")
                .send()
                .await
                .map_err(AwsError::from)?;
            Ok(format!(
                "{machine}: execution {} stopped",
                super::kind::last_segment(execution_arn)
            ))
        }
        SfnMutation::RedriveExecution {
            machine,
            execution_arn,
        } => {
            c.sfn
                .redrive_execution()
                .execution_arn(execution_arn)
                .send()
                .await
                .map_err(AwsError::from)?;
            Ok(format!(
                "{machine}: execution {} redriven",
                super::kind::last_segment(execution_arn)
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(n: &str, status: &str, start: i64, stop: Option<i64>) -> Execution {
        Execution {
            arn: format!("arn:x:{n}"),
            name: n.into(),
            status: status.into(),
            start_ms: start,
            stop_ms: stop,
        }
    }

    #[test]
    fn failures_in_the_last_hour_rate_the_machine() {
        let now = 10 * WINDOW_MS;
        let execs = vec![
            ex("a", "RUNNING", now - 50, None),
            ex("b", "RUNNING", now - 900, None),
            ex("c", "FAILED", now - 2000, Some(now - 1000)),
            ex("d", "FAILED", now - 3000, Some(now - 2500)),
            ex(
                "old",
                "FAILED",
                now - 2 * WINDOW_MS,
                Some(now - 2 * WINDOW_MS + 10),
            ),
            ex("e", "ABORTED", now - 300, Some(now - 200)),
            ex("f", "SUCCEEDED", now - 300, Some(now - 200)),
        ];
        let mut d = count(
            "arn:aws:states:eu-west-1:1:stateMachine:settle",
            &execs,
            now,
        );
        assert_eq!((d.running, d.failed, d.aborted, d.timed_out), (2, 2, 1, 0));
        assert_eq!(d.running_arns, vec!["arn:x:b", "arn:x:a"], "oldest first");
        assert_eq!(d.last_failure.as_ref().unwrap().name, "c");
        d.last_failure.as_mut().unwrap().error = Some("States.TaskFailed".into());
        d.last_failure.as_mut().unwrap().cause = Some("ledger timeout".into());
        let r = row("settle", d.clone());
        assert_eq!(r.health, Health::Warn);
        assert_eq!(
            r.status,
            "2 running · 2 failed · 1 aborted (1h) · last c: States.TaskFailed: ledger timeout"
        );
        d.failed = 5;
        assert_eq!(row("settle", d).health, Health::Crit);
        let quiet = count(
            "arn:m",
            &[ex("f", "SUCCEEDED", now - 300, Some(now - 200))],
            now,
        );
        assert_eq!(row("m", quiet).health, Health::Ok);
    }
}
