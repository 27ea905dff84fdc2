//! The runbook side of a session: loaded runbooks, the values typed for their placeholders
//! (and which are secret), checklist ticks, "run all" progress, the runs and their output,
//! and the secret values to mask everywhere.

use super::LoadedRunbook;
use super::procedure::RunView;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default)]
pub struct Session {
    pub runbooks: Vec<LoadedRunbook>,
    /// Values typed for placeholders, per runbook path and placeholder name.
    pub values: BTreeMap<(String, String), String>,
    /// Which of those are secret (never saved, always masked).
    pub secret_names: BTreeSet<(String, String)>,
    /// Checklist ticks: (runbook, procedure, item) → checked.
    pub ticks: BTreeMap<(usize, usize, usize), bool>,
    /// "Run all": the procedure whose runnable steps run one after another, confirming each,
    /// and the step to run next.
    pub run_all: Option<(usize, usize, usize)>,
    /// The next step prepared is only shown, fully rendered, not run.
    pub dry_pending: bool,
    /// The step being prepared is to be pinned as a watch, not run.
    pub pin_pending: bool,
    pub runs: Vec<RunView>,
    /// The run the run pane shows (index into `runs`); `None` follows the newest.
    pub run_shown: Option<usize>,
    /// Secret values of this session (typed into secret fields, secret defaults): masked in
    /// everything shown, journaled or copied.
    pub secrets: crate::redact::Redactor,
}

impl Session {
    /// Adds a runbook; its secret placeholders' defaults are secrets from now on.
    pub fn add_runbook(&mut self, rb: LoadedRunbook) {
        for step in rb.runbook.procedures.iter().flat_map(|p| &p.steps) {
            for ph in step.placeholders.iter().filter(|p| p.secret) {
                if let Some(d) = &ph.default {
                    self.secrets.add(d);
                }
            }
        }
        self.runbooks.push(rb);
    }

    /// Steps still running.
    pub fn running(&self) -> usize {
        self.runs.iter().filter(|r| r.status.is_none()).count()
    }
}
