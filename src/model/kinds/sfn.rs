//! Step Functions state machines: running executions and the failures of the last hour, the
//! latest with its error and cause; stop the oldest running execution, redrive a failed one.

use super::{Act, Builtin, Mutation, Named, Rules, SysEvent};
use crate::model::{MetricKey, Resource, Risk};
use serde::{Deserialize, Serialize};

/// A Step Functions state machine and its recent executions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SfnDetail {
    pub arn: String,
    pub running: i64,
    /// Failed, timed out and aborted in the window (the last hour).
    pub failed: i64,
    pub timed_out: i64,
    pub aborted: i64,
    /// The running executions, oldest first (for stopping one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub running_arns: Vec<String>,
    /// The latest failed execution: its ARN, error and cause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_failure: Option<SfnFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SfnFailure {
    pub execution_arn: String,
    pub name: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}

/// A Step Functions state machine.
pub struct Sfn;

/// What the Step Functions built-in actions change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SfnMutation {
    /// Stops a running execution: its work is abandoned mid-way.
    StopExecution {
        machine: String,
        execution_arn: String,
    },
    /// Re-runs a failed execution from the state that failed.
    RedriveExecution {
        machine: String,
        execution_arn: String,
    },
}

impl Act for SfnMutation {
    fn describe(&self) -> String {
        match self {
            SfnMutation::StopExecution { execution_arn, .. } => {
                format!("StepFunctions StopExecution executionArn={execution_arn}")
            }
            SfnMutation::RedriveExecution { execution_arn, .. } => {
                format!("StepFunctions RedriveExecution executionArn={execution_arn}")
            }
        }
    }

    fn target(&self) -> &str {
        match self {
            SfnMutation::StopExecution { machine, .. }
            | SfnMutation::RedriveExecution { machine, .. } => machine,
        }
    }

    fn risk(&self) -> Risk {
        match self {
            // A stopped execution's work is abandoned half done.
            SfnMutation::StopExecution { .. } => Risk::Destructive,
            SfnMutation::RedriveExecution { .. } => Risk::Write,
        }
    }
}

impl Rules for Sfn {
    type Detail = SfnDetail;
    type Mutation = SfnMutation;
    const NAMED: Option<Named> = Some(Named {
        flags: &[("stepfunctions", "--state-machine-arn")],
        key: "state_machines",
        title: "State machines",
    });

    fn detail_line(_r: &Resource, d: &SfnDetail) -> String {
        match &d.last_failure {
            Some(f) => format!(
                "{} {}: {} {}",
                f.status,
                f.name,
                f.error.as_deref().unwrap_or(""),
                f.cause.as_deref().unwrap_or("")
            ),
            None => d.arn.clone(),
        }
    }

    fn owns_metric(_r: &Resource, d: &SfnDetail, key: &MetricKey) -> bool {
        key.namespace == "AWS/States" && key.dimensions.get("StateMachineArn") == Some(&d.arn)
    }

    fn builtins(r: &Resource, d: &SfnDetail, _now_ms: i64) -> Vec<Builtin> {
        let machine = &r.name;
        let mut out = Vec::new();
        if let Some(oldest) = d.running_arns.first() {
            let ex = crate::text::last_segment(oldest);
            out.push(Builtin::confirm(
                format!("Step Functions › Stop the oldest running execution of {machine} ({ex})"),
                format!("Stop execution {ex} of {machine}: its remaining steps are abandoned"),
                Mutation::Sfn(SfnMutation::StopExecution {
                    machine: machine.clone(),
                    execution_arn: oldest.clone(),
                }),
            ));
        }
        if let Some(f) = &d.last_failure {
            out.push(Builtin::confirm(
                format!(
                    "Step Functions › Redrive the latest failed execution of {machine} ({})",
                    f.name
                ),
                format!(
                    "Re-run execution {} of {machine} from the state that failed",
                    f.name
                ),
                Mutation::Sfn(SfnMutation::RedriveExecution {
                    machine: machine.clone(),
                    execution_arn: f.execution_arn.clone(),
                }),
            ));
        }
        out
    }

    fn events(_o: &Resource, a: &SfnDetail, n: &Resource, b: &SfnDetail) -> Vec<SysEvent> {
        let name = n.display_name();
        let seen = |d: &SfnDetail| d.last_failure.as_ref().map(|f| f.execution_arn.clone());
        let Some(f) = &b.last_failure else {
            return Vec::new();
        };
        if seen(a) == seen(b) {
            return Vec::new();
        }
        let why = [f.error.as_deref(), f.cause.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ");
        vec![SysEvent::new(
            &name,
            format!("{} failed", a.failed + a.timed_out),
            format!("{} failed", b.failed + b.timed_out),
            format!(
                "SFN {name}: execution {} {}{}",
                f.name,
                f.status.to_lowercase().replace('_', " "),
                if why.is_empty() {
                    String::new()
                } else {
                    format!(": {why}")
                }
            ),
        )]
    }
}
