//! Running runbook steps: [`prepare`] turns a step, values, the AWS context and the policy
//! into one prepared step (the only place that happens); [`launch`] is the one bash launcher
//! (own process group, tied to opsdeck's life); [`runner`] streams output (sanitised,
//! redacted, bounded), cancels by SIGINT → SIGTERM → SIGKILL to the whole group, and times
//! out.

pub mod launch;
pub mod prepare;
pub mod runner;

pub use prepare::{Gate, Policy, Prepared, prepare};
pub use runner::{CancelReason, RunEvent, RunHandle, RunSpec, RunStatus, Signal, Stream, spawn};

/// Credentials a step gets instead of the operator's (the read-only role's): variables to
/// set and inherited ones to remove.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleEnv {
    pub set: std::collections::BTreeMap<String, String>,
    pub remove: Vec<String>,
    /// Said at the start of the step's output: why it has no AWS credentials.
    pub note: Option<String>,
}

impl RoleEnv {
    /// No AWS credentials at all (none could be had read-only): why, in `note`.
    pub fn none(why: String) -> RoleEnv {
        RoleEnv {
            set: Default::default(),
            remove: crate::sandbox::CREDENTIAL_VARS
                .iter()
                .chain(crate::sandbox::BOX_REMOVED)
                .map(|s| s.to_string())
                .collect(),
            note: Some(why),
        }
    }
}

/// Fetches [`RoleEnv`] (fresh credentials) for each step run under the read-only role.
pub type RoleSource = std::sync::Arc<
    dyn Fn() -> futures::future::BoxFuture<'static, Result<RoleEnv, String>> + Send + Sync,
>;
