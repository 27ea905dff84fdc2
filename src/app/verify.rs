//! Verification after acting: a change opsdeck recognises (see [`super::preview`]) is
//! followed by a watch of live state until it holds or times out: after a scale, running ==
//! desired and the rollout completed; after an alias change, the alias points at the new
//! version; after a forced deployment, a rollout seen in progress and then completed; after a
//! reboot, the database seen rebooting and available again; after a purge, an empty queue.
//! The outcome (`verified after 43 s`, `not verified after 10 min: running 5/8`) goes to the
//! journal, the status bar and the step's run, when a step made the change.

use super::preview::Change;
use super::{App, Effect};
use crate::model::{Detail, Health, Resource};

/// How long a change may take before it is reported as not verified.
pub const TIMEOUT_MS: i64 = 10 * 60_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    pub change: Change,
    pub started_ms: i64,
    pub deadline_ms: i64,
    /// A transition that must be seen first (a rollout in progress, a reboot).
    pub seen_progress: bool,
    /// What the row showed when the change was made (a cluster's writer).
    pub baseline: Option<String>,
    /// The step run that made the change, if a step did.
    pub run: Option<u64>,
    /// The latest state seen, for the report on timeout.
    pub last: String,
    /// The context the change was made in: only its rows verify it.
    pub ctx: u16,
}

fn rollout(r: &Resource) -> &str {
    r.status
        .split([' ', '·'])
        .find(|w| !w.is_empty())
        .unwrap_or("")
}

impl Verification {
    pub fn new(change: Change, rows: &[&Resource], now_ms: i64, run: Option<u64>) -> Self {
        let baseline = change
            .find(rows.iter().copied())
            .and_then(|r| match (&change, &r.detail) {
                (Change::DbClusterFailover { .. }, Detail::Rds(d)) => {
                    d.cluster_members.first().cloned()
                }
                _ => None,
            });
        Verification {
            change,
            started_ms: now_ms,
            deadline_ms: now_ms + TIMEOUT_MS,
            seen_progress: false,
            baseline,
            run,
            last: String::new(),
            ctx: 0,
        }
    }

    /// Whether the watched row shows the change done; notes what it shows meanwhile.
    pub fn holds(&mut self, r: Option<&Resource>, now_ms: i64) -> bool {
        let Some(r) = r else {
            self.last = "not among the watched resources".into();
            return false;
        };
        let counts = r.counts.unwrap_or_default();
        let (done, now) = match (&self.change, &r.detail) {
            (Change::Desired { desired, .. }, _) => (
                counts.desired == *desired
                    && counts.running == *desired
                    && counts.pending == 0
                    && rollout(r) == "COMPLETED",
                format!(
                    "running {}/{} {}",
                    counts.running,
                    counts.desired,
                    rollout(r)
                ),
            ),
            (Change::Redeploy { .. } | Change::TaskDefinition { .. }, Detail::Ecs(d)) => {
                if rollout(r) == "IN_PROGRESS" {
                    self.seen_progress = true;
                }
                let td_ok = match &self.change {
                    Change::TaskDefinition {
                        task_definition, ..
                    } => d.task_definition.as_deref().is_some_and(|t| {
                        t.ends_with(crate::text::last_segment(task_definition))
                            || t.starts_with(task_definition.as_str())
                    }),
                    _ => self.seen_progress,
                };
                (
                    td_ok && rollout(r) == "COMPLETED" && counts.running == counts.desired,
                    format!(
                        "{} running {}/{}",
                        rollout(r),
                        counts.running,
                        counts.desired
                    ),
                )
            }
            (Change::Alias { alias, version, .. }, Detail::Lambda(d)) => {
                let v = d
                    .aliases
                    .iter()
                    .chain(d.alias.iter())
                    .find(|a| &a.name == alias)
                    .map(|a| a.version.clone());
                (
                    v.as_deref() == Some(version.trim_start_matches('v')),
                    format!("alias {alias} → v{}", v.unwrap_or_else(|| "?".into())),
                )
            }
            (Change::Concurrency { value, .. }, Detail::Lambda(d)) => (
                d.reserved_concurrency == *value,
                format!(
                    "reserved concurrency {}",
                    d.reserved_concurrency
                        .map_or("unreserved".into(), |v| v.to_string())
                ),
            ),
            (Change::Memory { mb, .. }, Detail::Lambda(d)) => (
                d.memory_mb == Some(*mb),
                format!("memory {} MB", d.memory_mb.unwrap_or(0)),
            ),
            (Change::DbReboot { .. }, Detail::Rds(d)) => {
                if d.status != "available" {
                    self.seen_progress = true;
                }
                // A reboot too quick to be seen between two refreshes counts once it has
                // had half a minute.
                let waited = now_ms - self.started_ms >= 30_000;
                (
                    d.status == "available" && (self.seen_progress || waited),
                    d.status.clone(),
                )
            }
            (Change::DbClusterFailover { .. }, Detail::Rds(d)) => {
                let w = d.cluster_members.first().cloned();
                (
                    w.is_some() && w != self.baseline && d.status == "available",
                    format!("writer {} {}", w.unwrap_or_else(|| "?".into()), d.status),
                )
            }
            (Change::Purge { .. }, Detail::Sqs(d)) => {
                (d.visible == 0, format!("{} waiting", d.visible))
            }
            _ => (false, r.status.clone()),
        };
        self.last = format!("{} {now}", self.change.subject());
        done
    }
}

/// What a step asks to be checked after it exits 0: `{verify="…"}`, `{expect="…"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct AfterStep {
    pub verify: Option<Result<CommandCheck, String>>,
    pub expect: Option<String>,
}

impl AfterStep {
    pub fn of(run: &crate::exec::Prepared) -> Option<Box<AfterStep>> {
        if run.verify.is_none() && run.expect_match.is_none() {
            return None;
        }
        let verify = run.verify.clone().map(|v| {
            v.map(|script| CommandCheck {
                run: 0,
                shown: run.redactor().scrub(&script),
                check: {
                    // The step's values, role and context; its own script, always boxed
                    // (a verification is promised to be a read), with its own timeout.
                    let mut c = run.clone();
                    c.hide_output = crate::exec::prepare::prints_secrets(&script);
                    c.script = script;
                    c.timeout = Some(TRY_TIMEOUT);
                    c.interactive = false;
                    c.boxed = true;
                    c.verify = None;
                    c.expect_match = None;
                    c
                },
                started_ms: 0,
                deadline_ms: 0,
                next_ms: 0,
                running: None,
                last: String::new(),
                code: None,
            })
        });
        Some(Box::new(AfterStep {
            verify,
            expect: run.expect_match.clone(),
        }))
    }
}

/// Between two tries of a `{verify=…}` command.
pub const RETRY_MS: i64 = 10_000;
/// Longest a single try may run.
pub const TRY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// A `{verify="…"}` read command, run after its step until it exits 0 or times out.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandCheck {
    /// The step run it verifies.
    pub run: u64,
    /// The command as shown (secrets masked).
    pub shown: String,
    /// Each try as started: the verify command with the step's values, role and context.
    pub check: crate::exec::Prepared,
    pub started_ms: i64,
    pub deadline_ms: i64,
    pub next_ms: i64,
    /// The try running now.
    pub running: Option<u64>,
    /// Its last output line, for the report.
    pub last: String,
    pub code: Option<i32>,
}

impl App {
    /// A step exited 0: its `{expect=…}` is checked against its output now, its
    /// `{verify=…}` command starts.
    pub(super) fn after_step(
        &mut self,
        run: u64,
        after: AfterStep,
        output: &str,
        fx: &mut Vec<Effect>,
    ) {
        if let Some(re) = after
            .expect
            .as_deref()
            .and_then(|e| regex::Regex::new(e).ok())
        {
            let (what, health) = if output.lines().any(|l| re.is_match(l)) {
                (format!("verified: the output matched /{re}/"), Health::Ok)
            } else {
                (
                    format!("not verified: the output did not match /{re}/"),
                    Health::Crit,
                )
            };
            self.report_check(Some(run), what, health, fx);
        }
        match after.verify {
            Some(Ok(mut c)) => {
                c.run = run;
                c.started_ms = self.now_ms;
                c.deadline_ms = self.now_ms + TIMEOUT_MS;
                c.next_ms = self.now_ms;
                self.command_checks.push(c);
                self.tick_command_checks(fx);
            }
            Some(Err(why)) => self.report_check(Some(run), why, Health::Warn, fx),
            None => {}
        }
    }

    fn report_check(
        &mut self,
        run: Option<u64>,
        what: String,
        health: Health,
        fx: &mut Vec<Effect>,
    ) {
        fx.push(self.entry(crate::journal::Kind::Check, what.clone()));
        if let Some(id) = run {
            self.note_on_run(id, &what, health);
        }
        self.toast = Some((what, health));
    }

    /// Starts the `{verify=…}` tries that are due.
    pub(super) fn tick_command_checks(&mut self, fx: &mut Vec<Effect>) {
        let now = self.now_ms;
        for i in 0..self.command_checks.len() {
            let c = &self.command_checks[i];
            if c.running.is_some() || c.next_ms > now {
                continue;
            }
            let id = self.next_run_id();
            let c = &mut self.command_checks[i];
            c.running = Some(id);
            let run = c.check.clone();
            self.launch(id, super::RunOwner::Check, run, fx);
        }
    }

    /// A run event of a `{verify=…}` try.
    pub(super) fn command_check_event(&mut self, ev: &crate::exec::RunEvent, fx: &mut Vec<Effect>) {
        use crate::exec::RunEvent;
        let id = ev.id();
        let Some(i) = self
            .command_checks
            .iter()
            .position(|c| c.running == Some(id))
        else {
            return; // its step was reset meanwhile
        };
        match ev {
            RunEvent::Output { line, .. } if !line.trim().is_empty() => {
                let c = &mut self.command_checks[i];
                let masked = c.check.redactor().scrub(line);
                c.last = crate::text::truncate(&self.session.secrets.scrub(&masked), 120);
            }
            RunEvent::Finished { status, .. } => {
                let now = self.now_ms;
                let c = &mut self.command_checks[i];
                c.running = None;
                let first_try = c.code.is_none();
                c.code = Some(status.code());
                let elapsed = crate::text::age((now - c.started_ms).max(0));
                if status.success() {
                    let c = self.command_checks.remove(i);
                    self.report_check(
                        Some(c.run),
                        format!("verified after {elapsed}: `{}` exited 0", c.shown),
                        Health::Ok,
                        fx,
                    );
                } else if now >= c.deadline_ms {
                    let c = self.command_checks.remove(i);
                    let last = if c.last.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", c.last)
                    };
                    self.report_check(
                        Some(c.run),
                        format!(
                            "not verified after {elapsed}: `{}` {}{last}",
                            c.shown,
                            status.label()
                        ),
                        Health::Crit,
                        fx,
                    );
                } else {
                    c.next_ms = now + RETRY_MS;
                    // Said once, under the step's output: why it is not verified yet.
                    let note = first_try.then(|| {
                        let last = if c.last.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", c.last)
                        };
                        (
                            c.run,
                            format!(
                                "not verified yet: `{}` {}{last}; trying again every {} s",
                                c.shown,
                                status.label(),
                                RETRY_MS / 1000
                            ),
                        )
                    });
                    c.last.clear();
                    if let Some((run, what)) = note {
                        self.note_on_run(run, &what, Health::Warn);
                    }
                }
            }
            _ => {}
        }
    }

    /// Starts verifying what a confirmed change does, when opsdeck recognises it.
    pub(super) fn verify_changes(&mut self, changes: Vec<Change>, run: Option<u64>, ctx: u16) {
        let rows = self.rows_in(ctx);
        let now = self.now_ms;
        let new: Vec<Verification> = changes
            .into_iter()
            .map(|c| {
                let mut v = Verification::new(c, &rows, now, run);
                v.ctx = ctx;
                v
            })
            .collect();
        self.verifications.extend(new);
    }

    /// Checks every pending verification against the rows (after a delivery or a tick):
    /// the ones that hold or time out are reported and dropped.
    pub(super) fn check_verifications(&mut self, fx: &mut Vec<Effect>) {
        if self.verifications.is_empty() {
            return;
        }
        let now = self.now_ms;
        let mut pending = std::mem::take(&mut self.verifications);
        let mut reports = Vec::new();
        pending.retain_mut(|v| {
            let row = v.change.find(self.rows_in(v.ctx).into_iter());
            let elapsed = crate::text::age((now - v.started_ms).max(0));
            if v.holds(row, now) {
                reports.push((
                    v.run,
                    format!("verified after {elapsed}: {}", v.last),
                    Health::Ok,
                ));
                false
            } else if now >= v.deadline_ms {
                reports.push((
                    v.run,
                    format!("not verified after {elapsed}: {}", v.last),
                    Health::Crit,
                ));
                false
            } else {
                true
            }
        });
        self.verifications = pending;
        for (run, what, health) in reports {
            self.report_check(run, what, health, fx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Counts;

    fn api(desired: i64, running: i64, status: &str) -> Resource {
        let mut r = Resource::ecs("prod", "api");
        r.counts = Some(Counts {
            desired,
            running,
            pending: 0,
        });
        r.status = status.into();
        r
    }

    #[test]
    fn a_scale_holds_when_running_reaches_desired_and_the_rollout_completed() {
        let change = Change::Desired {
            cluster: Some("prod".into()),
            service: "api".into(),
            desired: 8,
        };
        let before = api(6, 3, "COMPLETED");
        let mut v = Verification::new(change, &[&before], 0, None);
        assert!(!v.holds(Some(&api(8, 5, "IN_PROGRESS")), 1_000));
        assert_eq!(v.last, "prod/api running 5/8 IN_PROGRESS");
        assert!(!v.holds(Some(&api(8, 8, "IN_PROGRESS")), 2_000));
        assert!(v.holds(Some(&api(8, 8, "COMPLETED · 1 deployment")), 3_000));
        // A redeploy needs the rollout seen in progress first.
        let mut v = Verification::new(
            Change::Redeploy {
                cluster: Some("prod".into()),
                service: "api".into(),
            },
            &[&before],
            0,
            None,
        );
        assert!(
            !v.holds(Some(&api(6, 6, "COMPLETED")), 1_000),
            "not started yet"
        );
        assert!(!v.holds(Some(&api(6, 4, "IN_PROGRESS")), 2_000));
        assert!(v.holds(Some(&api(6, 6, "COMPLETED")), 3_000));
        // A row that is gone never verifies.
        assert!(!v.holds(None, 4_000));
        assert_eq!(v.last, "not among the watched resources");
    }
}
