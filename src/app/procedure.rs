//! Runbook procedures in the cockpit: the procedure view (steps, risks, commands), the
//! placeholder form, the risk-graded run of a step and the run pane's state.
//!
//! In the embedded demo, runbook commands are not executed: the step is shown as a dry run,
//! except recognised AWS mutations (`aws ecs update-service --force-new-deployment`,
//! `--desired-count N`), which act on the simulated fleet.

use super::confirm::Confirm;
use super::{Action, App, Effect, InputKey, Overlay, ProcedureView};
use crate::exec::{Gate, Prepared, RunEvent, RunStatus, Stream};
use crate::journal::Kind;
use crate::sources::Mutation;
use std::collections::{BTreeMap, VecDeque};

/// Lines kept per run in the run pane.
pub const RUN_LINES: usize = 2000;

#[derive(Debug, Clone, PartialEq)]
pub struct RunView {
    pub id: u64,
    pub title: String,
    pub step_id: String,
    /// Row of the step in its procedure view (sub-steps have rows of their own).
    pub step: usize,
    pub lines: VecDeque<(Stream, String)>,
    pub status: Option<RunStatus>,
    pub started_ms: i64,
    pub elapsed_ms: Option<u64>,
    pub expect: Option<String>,
    /// Shown as a dry run (the demo): nothing was executed.
    pub dry_run: bool,
    /// What it changes that opsdeck recognises: verified once it exits 0.
    pub changes: Vec<super::preview::Change>,
    /// `{verify=…}` and `{expect=…}`: checked once it exits 0.
    pub after: Option<Box<super::verify::AfterStep>>,
    /// The watched context it acts on.
    pub ctx: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub secret: bool,
    pub hint: Option<String>,
    /// What the cockpit already knows that fits this field (Tab cycles through them).
    pub suggestions: Vec<String>,
}

/// Names the cockpit knows that fit a placeholder, by what its name says it is.
pub fn suggestions_for(name: &str, app: &App) -> Vec<String> {
    let n = name.to_ascii_lowercase();
    let mut out: Vec<String> = Vec::new();
    let ecs = || {
        app.services
            .all()
            .filter(|s| s.kind == crate::model::ResourceKind::Ecs)
    };
    if n.contains("cluster") {
        out.extend(ecs().filter_map(|s| s.cluster().map(str::to_string)));
    } else if n.contains("service") {
        out.extend(ecs().map(|s| s.name.clone()));
    } else if n.contains("function") || n.contains("lambda") {
        out.extend(
            app.services
                .all()
                .filter(|s| s.kind == crate::model::ResourceKind::Lambda)
                .map(|s| s.name.clone()),
        );
    } else if n.contains("log") && n.contains("group") {
        let mut groups: Vec<String> = app
            .logs
            .lines()
            .iter()
            .map(|l| l.group.to_string())
            .collect();
        groups.sort();
        groups.dedup();
        out.extend(groups);
    } else if n.contains("alarm") {
        out.extend(app.alarms.alarms.iter().map(|a| a.name.clone()));
    }
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|x| seen.insert(x.clone()));
    out
}

/// Values for a step's placeholders, one field each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepForm {
    pub rb: usize,
    pub proc_: usize,
    pub step: usize,
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
}

/// The first change of a rendered demo command that the demo fleet can apply (the same
/// recognition as the confirmation's preview).
fn demo_mutation(script: &str, env: &BTreeMap<String, String>) -> Option<Mutation> {
    super::preview::Change::from_script(script, env)
        .into_iter()
        .find_map(|c| c.to_mutation())
}

impl App {
    /// Keys of the procedure view.
    pub(super) fn procedure_action(&mut self, a: Action, fx: &mut Vec<Effect>) -> bool {
        let Some(ProcedureView {
            rb, proc_: p, sel, ..
        }) = self.procedure_view().copied()
        else {
            return false;
        };
        let n = self
            .session
            .runbooks
            .get(rb)
            .and_then(|l| l.runbook.procedures.get(p))
            .map_or(0, |p| p.rows().len());
        let set_sel = |app: &mut App, sel: usize| {
            if let Some(v) = app.procedure_view_mut() {
                v.sel = sel;
            }
        };
        match a {
            Action::Close => {
                self.close_top();
            }
            Action::Zoom => self.procedure_full = !self.procedure_full,
            Action::Up => set_sel(self, sel.saturating_sub(1)),
            Action::Down => set_sel(self, (sel + 1).min(n.saturating_sub(1))),
            Action::RunStep => self.prepare_step(rb, p, sel, fx),
            Action::DryRun => {
                self.session.dry_pending = true;
                self.prepare_step(rb, p, sel, fx);
            }
            Action::PinWatch => {
                // Pinned already: unpin at once, whatever its values.
                let key = self.session.runbooks.get(rb).and_then(|l| {
                    let s = l.runbook.procedures.get(p)?.at(sel)?;
                    Some(format!("{}#{}", l.path, s.id))
                });
                let pinned = key
                    .as_ref()
                    .and_then(|k| self.watches.iter().find(|w| &w.key == k))
                    .map(|w| (w.run.clone(), w.interval_ms));
                match pinned {
                    Some((run, every)) => self.toggle_watch(run, every, fx),
                    None => {
                        // A step that is not read is refused before any value is asked.
                        let risk = self
                            .procedure_at(rb, p)
                            .and_then(|pr| pr.at(sel))
                            .filter(|s| s.runnable && s.alternatives.is_none())
                            .map(|s| (s.risk, s.title.clone()));
                        match risk {
                            Some((r, title)) if r != crate::model::Risk::Read => {
                                self.toast = Some((
                                    format!("`{title}` is {r}: only read steps can be watched"),
                                    crate::model::Health::Warn,
                                ));
                            }
                            _ => {
                                self.session.pin_pending = true;
                                self.prepare_step(rb, p, sel, fx);
                            }
                        }
                    }
                }
            }
            Action::RunAll => {
                // Every runnable unit from the selected row on, in order, each confirmed by
                // its risk (a block's sub-steps one by one); stops at the first failure or
                // refusal, and at a block of alternatives, where the operator picks one.
                let Some(proc_) = self.procedure_at(rb, p) else {
                    return true;
                };
                let title = proc_.title.clone();
                let next = proc_.next_unit(sel, true);
                let number = match next {
                    crate::runbook::Next::Run(i) => proc_
                        .at(i)
                        .map_or(String::new(), |s| s.number().to_string()),
                    _ => String::new(),
                };
                match next {
                    crate::runbook::Next::Run(i) => {
                        self.session.run_all = Some((rb, p, i));
                        let from = if sel == 0 {
                            String::new()
                        } else {
                            format!(" from {number}")
                        };
                        fx.push(
                            self.entry(Kind::Action, format!("run all steps of `{title}`{from}")),
                        );
                        set_sel(self, i);
                        self.prepare_step(rb, p, i, fx);
                    }
                    crate::runbook::Next::Choose(i) => {
                        set_sel(self, i);
                        self.stop_at_alternatives(rb, p, i);
                    }
                    crate::runbook::Next::End => {
                        self.toast = Some(("no runnable step".into(), crate::model::Health::Warn))
                    }
                }
            }
            Action::Insights => {
                let step = self.procedure_at(rb, p).and_then(|p| p.at(sel)).cloned();
                match step {
                    Some(s) if s.lang.as_deref() == Some("logs-insights") => {
                        let query = crate::runbook::lang::insights_query(&s.code);
                        self.open_insights_with(query, s.log_group.into_iter().collect());
                    }
                    _ => {
                        self.toast = Some((
                            "not a Logs Insights query: only a query block goes to Logs Insights"
                                .into(),
                            crate::model::Health::Warn,
                        ))
                    }
                }
            }
            Action::CopyStep => {
                if let Some(s) = self.procedure_at(rb, p).and_then(|p| p.at(sel)).cloned() {
                    self.toast = Some((
                        format!("copied step `{}` (OSC 52)", s.title),
                        crate::model::Health::Ok,
                    ));
                    fx.push(Effect::Copy(s.code.clone()));
                }
            }
            t if t.tick_index().is_some() => {
                let i = t.tick_index().unwrap_or(0);
                let item = self
                    .session
                    .runbooks
                    .get(rb)
                    .and_then(|l| l.runbook.procedures.get(p))
                    .and_then(|pr| pr.checklist.get(i))
                    .cloned();
                if let Some(item) = item {
                    let ticks = &mut self.session.ticks;
                    let now = !ticks.get(&(rb, p, i)).copied().unwrap_or(item.checked);
                    ticks.insert((rb, p, i), now);
                    fx.push(self.entry(
                        Kind::Check,
                        format!("{} {}", if now { "☑" } else { "☐" }, item.text),
                    ));
                }
            }
            _ => return false,
        }
        true
    }

    fn procedure_at(&self, rb: usize, p: usize) -> Option<&crate::runbook::Procedure> {
        self.session.runbooks.get(rb)?.runbook.procedures.get(p)
    }

    /// "Run all" met a block of alternatives: it stops there, saying which to pick from.
    fn stop_at_alternatives(&mut self, rb: usize, p: usize, row: usize) {
        self.session.run_all = None;
        let Some(s) = self.procedure_at(rb, p).and_then(|p| p.at(row)) else {
            return;
        };
        if let Some(c) = &s.choice {
            self.toast = Some((
                format!(
                    "run all stopped at a choice: {} (select it and press Enter, or run all from it)",
                    c.why
                ),
                crate::model::Health::Warn,
            ));
            return;
        }
        let numbers: Vec<&str> = s.parts.iter().map(|x| x.number()).collect();
        self.toast = Some((
            format!(
                "run all stopped at alternatives: pick one of {} (Enter), or run all from it",
                numbers.join(", ")
            ),
            crate::model::Health::Warn,
        ));
    }

    /// After a unit of "run all" succeeded: the next one, or the end.
    fn continue_run_all(&mut self, finished: usize, fx: &mut Vec<Effect>) {
        let Some((rb, p, current)) = self.session.run_all else {
            return;
        };
        if current != finished {
            return;
        }
        let next = self
            .procedure_at(rb, p)
            .map_or(crate::runbook::Next::End, |pr| {
                pr.next_unit(current + 1, false)
            });
        match next {
            crate::runbook::Next::Run(next) => {
                self.session.run_all = Some((rb, p, next));
                if let Some(v) = self.procedure_view_mut() {
                    v.sel = next;
                }
                self.prepare_step(rb, p, next, fx);
            }
            crate::runbook::Next::Choose(row) => {
                if let Some(v) = self.procedure_view_mut() {
                    v.sel = row;
                }
                self.stop_at_alternatives(rb, p, row);
            }
            crate::runbook::Next::End => {
                self.session.run_all = None;
                self.toast = Some(("all steps done".into(), crate::model::Health::Ok));
            }
        }
    }

    /// Asks for missing placeholder values, then confirms by risk.
    fn prepare_step(&mut self, rb: usize, p: usize, sel: usize, fx: &mut Vec<Effect>) {
        let Some(l) = self.session.runbooks.get(rb) else {
            return;
        };
        let Some(step) = l.runbook.procedures.get(p).and_then(|p| p.at(sel)) else {
            return;
        };
        if step.alternatives.is_some() {
            // Nothing is attempted: the block is a choice, not a sequence.
            let numbers: Vec<&str> = step.parts.iter().map(|x| x.number()).collect();
            // The why is on the view, under the block; the toast says what to do.
            self.toast = Some((
                format!(
                    "this block never runs as a whole: pick one of {}",
                    numbers.join(", ")
                ),
                crate::model::Health::Warn,
            ));
            self.session.run_all = None;
            self.session.dry_pending = false;
            self.session.pin_pending = false;
            return;
        }
        if !step.runnable {
            self.session.dry_pending = false;
            self.session.pin_pending = false;
            // The keys are on the view's hint line (they depend on the keymap).
            let what = step.lang.as_deref().unwrap_or("text");
            let next = match what {
                "logs-insights" => "send it to Logs Insights or copy it",
                _ => "copy it",
            };
            self.toast = Some((
                format!(
                    "`{}` is {what}, not shell: shown, never run; {next}",
                    step.title
                ),
                crate::model::Health::Warn,
            ));
            return;
        }
        let path = l.path.clone();
        let fields: Vec<Field> = step
            .placeholders
            .iter()
            .map(|ph| Field {
                name: ph.name.clone(),
                value: self
                    .session
                    .values
                    .get(&(path.clone(), ph.name.clone()))
                    .cloned()
                    .or_else(|| ph.default.clone())
                    .unwrap_or_default(),
                secret: ph.secret,
                hint: ph.hint.clone(),
                suggestions: suggestions_for(&ph.name, self),
            })
            .collect();
        if fields.iter().any(|f| f.value.is_empty()) {
            let form = StepForm {
                rb,
                proc_: p,
                step: sel,
                title: step.title.clone(),
                fields,
                focus: 0,
            };
            self.open(Overlay::StepForm(form));
            return;
        }
        self.confirm_step(rb, p, sel, fx);
    }

    pub(super) fn step_form_input(&mut self, key: InputKey) {
        let Some(f) = self.step_form_mut() else {
            return;
        };
        let Some(field) = f.fields.get_mut(f.focus) else {
            return;
        };
        match key {
            InputKey::Char(c) if !c.is_control() => field.value.push(c),
            InputKey::Char(_) => {}
            InputKey::Backspace => {
                field.value.pop();
            }
        }
    }

    pub(super) fn step_form_action(&mut self, a: Action, fx: &mut Vec<Effect>) -> bool {
        let Some(f) = self.step_form_mut() else {
            return false;
        };
        let last = f.fields.len().saturating_sub(1);
        match a {
            Action::ClearLine => {
                if let Some(field) = f.fields.get_mut(f.focus) {
                    field.value.clear();
                }
            }
            Action::Up => f.focus = f.focus.saturating_sub(1),
            Action::Down => f.focus = (f.focus + 1).min(last),
            Action::Complete => {
                if let Some(field) = f.fields.get_mut(f.focus)
                    && !field.suggestions.is_empty()
                {
                    let next = field
                        .suggestions
                        .iter()
                        .position(|x| *x == field.value)
                        .map_or(0, |i| (i + 1) % field.suggestions.len());
                    field.value = field.suggestions[next].clone();
                }
            }
            Action::Close => {
                self.close_top();
                self.session.run_all = None;
                self.session.dry_pending = false;
                self.session.pin_pending = false;
            }
            Action::Submit if f.focus < last => f.focus += 1,
            Action::Submit => {
                // A step with an unresolved placeholder cannot run.
                if let Some(i) = f.fields.iter().position(|x| x.value.is_empty()) {
                    f.focus = i;
                    return true;
                }
                let Some(Overlay::StepForm(f)) = self.close_top() else {
                    return true;
                };
                let path = self.session.runbooks[f.rb].path.clone();
                for field in &f.fields {
                    let key = (path.clone(), field.name.clone());
                    self.session.values.insert(key.clone(), field.value.clone());
                    if field.secret {
                        self.session.secret_names.insert(key);
                        self.session.secrets.add(&field.value);
                    }
                }
                // Non-secret values are remembered across sessions too; secrets never are.
                let keep: BTreeMap<(String, String), String> = self
                    .session
                    .values
                    .iter()
                    .filter(|(k, _)| !self.session.secret_names.contains(*k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                fx.push(Effect::SaveValues(keep));
                self.confirm_step(f.rb, f.proc_, f.step, fx);
            }
            _ => return false,
        }
        true
    }

    /// The step through the one pipeline, then by its gate: run, ask, or refuse. With several
    /// contexts and nothing saying which one it acts on, the chooser asks first.
    pub(super) fn confirm_step(&mut self, rb: usize, p: usize, sel: usize, fx: &mut Vec<Effect>) {
        match self.acting_context() {
            Some(ctx) => self.confirm_step_in(ctx, rb, p, sel, fx),
            None => self.ask_context(rb, p, sel),
        }
    }

    /// [`Self::confirm_step`] on context `ctx`: its profile, region and endpoint; its
    /// read-only mark applies.
    pub(super) fn confirm_step_in(
        &mut self,
        ctx: u16,
        rb: usize,
        p: usize,
        sel: usize,
        fx: &mut Vec<Effect>,
    ) {
        let l = &self.session.runbooks[rb];
        let proc_ = &l.runbook.procedures[p];
        let Some(step) = proc_.at(sel) else {
            return;
        };
        let values: BTreeMap<String, String> = step
            .placeholders
            .iter()
            .filter_map(|ph| {
                self.session
                    .values
                    .get(&(l.path.clone(), ph.name.clone()))
                    .map(|v| (ph.name.clone(), v.clone()))
            })
            .collect();
        let mut run = crate::exec::prepare(
            &l.path,
            proc_,
            step,
            &values,
            self.env_for(ctx),
            &self.policy_for(ctx),
        );
        run.ctx = ctx;
        for s in &run.secrets {
            self.session.secrets.add(s);
        }
        if std::mem::take(&mut self.session.pin_pending) {
            let every = step
                .attributes
                .watch
                .as_deref()
                .and_then(super::watches::parse_interval)
                .unwrap_or(super::watches::DEFAULT_INTERVAL_MS);
            self.toggle_watch(run, every, fx);
            return;
        }
        if std::mem::take(&mut self.session.dry_pending) {
            let id = self.next_action;
            self.next_action += 1;
            let mut lines: VecDeque<(Stream, String)> = VecDeque::new();
            lines.push_back((Stream::Stdout, "set -euo pipefail".into()));
            for l in run.describe().lines() {
                lines.push_back((Stream::Stdout, l.to_string()));
            }
            fx.push(self.entry_in(Some(run.ctx), Kind::DryRun, run.describe()));
            self.session.runs.push(RunView {
                id,
                title: format!("{} (dry run)", run.title),
                step_id: run.step_id.clone(),
                step: sel,
                lines,
                status: Some(RunStatus::Exited(0)),
                started_ms: self.now_ms,
                elapsed_ms: Some(0),
                expect: run.expect.clone(),
                dry_run: true,
                changes: Vec::new(),
                after: None,
                ctx: run.ctx,
            });
            return;
        }
        fx.push(self.entry_in(
            Some(run.ctx),
            Kind::Action,
            format!("step {} `{}`", run.step_id, run.title),
        ));
        match run.gate {
            Gate::Run => {
                // Read steps run at once; the journal still records it.
                fx.push(self.entry_in(
                    Some(run.ctx),
                    Kind::Confirmed,
                    format!("{} [read]", run.describe()),
                ));
                self.start_step_run(run, sel, fx);
            }
            Gate::Confirm | Gate::ConfirmTyped | Gate::Refused(_) => {
                let ctx = run.ctx;
                let mut c = Confirm::step(run, sel);
                c.ctx = ctx;
                self.preview(&mut c);
                self.open(Overlay::Confirm(Box::new(c)));
            }
        }
    }

    pub(super) fn start_step_run(&mut self, run: Prepared, step: usize, fx: &mut Vec<Effect>) {
        let id = self.next_action;
        self.next_action += 1;
        let mut view = RunView {
            id,
            title: run.title.clone(),
            step_id: run.step_id.clone(),
            step,
            lines: VecDeque::new(),
            status: None,
            started_ms: self.now_ms,
            elapsed_ms: None,
            expect: run.expect.clone(),
            dry_run: false,
            changes: super::preview::Change::from_script(&run.script, &run.shown_env()),
            after: super::verify::AfterStep::of(&run),
            ctx: run.ctx,
        };
        let mut start = self.entry_in(Some(run.ctx), Kind::Start, run.describe());
        if let Effect::Journal(e) = &mut start {
            e.step = Some(run.step_id.clone());
            e.risk = Some(run.risk.to_string());
        }
        fx.push(start);
        if self.demo {
            view.dry_run = true;
            for line in run.describe().lines() {
                view.lines.push_back((Stream::Stdout, format!("$ {line}")));
            }
            match demo_mutation(&run.script, &run.env) {
                Some(m) => {
                    view.lines
                        .push_back((Stream::Stdout, format!("→ demo: {}", m.describe())));
                    let action = self.start_mutation(run.title.clone(), m, 0, fx);
                    // Verified when the demo has applied it, on this run.
                    self.mutation_runs.insert(action, id);
                    view.changes.clear();
                }
                None => view.lines.push_back((
                    Stream::Stderr,
                    "demo: shown as a dry run, nothing executed".into(),
                )),
            }
            if let Some(Ok(c)) = view.after.as_ref().and_then(|a| a.verify.as_ref()) {
                view.lines.push_back((
                    Stream::Stdout,
                    format!("demo: would verify with `{}`, not run", c.shown),
                ));
            }
            view.after = None;
            view.status = Some(RunStatus::Exited(0));
            view.elapsed_ms = Some(0);
            self.session.runs.push(view);
            self.continue_run_all(step, fx);
            return;
        }
        self.session.runs.push(view);
        if self.session.runs.len() > 20 {
            self.session.runs.remove(0);
        }
        self.launch(id, super::RunOwner::Step, run, fx);
    }

    pub(super) fn run_event(&mut self, ev: RunEvent, fx: &mut Vec<Effect>) {
        let id = ev.id();
        let Some(view) = self.session.runs.iter_mut().find(|r| r.id == id) else {
            return;
        };
        match ev {
            RunEvent::Started { .. } => {}
            RunEvent::Output { stream, line, .. } => {
                if view.lines.len() == RUN_LINES {
                    view.lines.pop_front();
                }
                view.lines
                    .push_back((stream, self.session.secrets.scrub(&line)));
            }
            RunEvent::Truncated {
                stream, dropped, ..
            } => view
                .lines
                .push_back((stream, format!("… {dropped} more lines not kept"))),
            RunEvent::Finished {
                status, elapsed, ..
            } => {
                view.elapsed_ms = Some(elapsed.as_millis() as u64);
                view.status = Some(status.clone());
                let changes = std::mem::take(&mut view.changes);
                let after = view.after.take();
                let ctx = view.ctx;
                let output: String = view
                    .lines
                    .iter()
                    .map(|(_, l)| l.as_str())
                    .collect::<Vec<_>>()
                    .join("\n");
                let (title, step_id, step) = (view.title.clone(), view.step_id.clone(), view.step);
                let health = if status.success() {
                    crate::model::Health::Ok
                } else {
                    crate::model::Health::Crit
                };
                self.toast = Some((format!("{title}: {}", status.label()), health));
                let mut end = self.entry(Kind::End, title.clone());
                if let Effect::Journal(e) = &mut end {
                    e.step = Some(step_id);
                    e.status = Some(status.journal_status());
                    e.reason = status.cancel_reason();
                    e.exit_code = Some(status.code());
                    e.duration_ms = Some(elapsed.as_millis() as u64);
                    e.output = Some(output.clone());
                }
                fx.push(end);
                if status.success() {
                    self.verify_changes(changes, Some(id), ctx);
                    if let Some(after) = after {
                        self.after_step(id, *after, &output, fx);
                    }
                    self.continue_run_all(step, fx);
                } else if self.session.run_all.take().is_some() {
                    self.toast = Some((
                        format!("run all stopped at `{title}`: {}", status.label()),
                        crate::model::Health::Crit,
                    ));
                }
            }
        }
    }
}

impl App {
    /// A line at the end of a run's output (its verification).
    pub(super) fn note_on_run(&mut self, id: u64, what: &str, health: crate::model::Health) {
        if let Some(view) = self.session.runs.iter_mut().find(|r| r.id == id) {
            let stream = if health == crate::model::Health::Ok {
                Stream::Stdout
            } else {
                Stream::Stderr
            };
            let mark = if health == crate::model::Health::Ok {
                "✓"
            } else {
                "✗"
            };
            view.lines.push_back((stream, format!("{mark} {what}")));
        }
    }
}

/// The procedure view: move between steps, run, copy, open the runbook.
pub struct ProcedureKeys;

impl super::handler::Handler for ProcedureKeys {
    fn action(&self, app: &mut App, a: Action, fx: &mut Vec<Effect>) -> bool {
        app.procedure_action(a, fx)
    }
}

/// A step's placeholder form.
pub struct StepFormKeys;

impl super::handler::Handler for StepFormKeys {
    fn action(&self, app: &mut App, a: Action, fx: &mut Vec<Effect>) -> bool {
        app.step_form_action(a, fx)
    }

    fn input(&self, app: &mut App, key: InputKey, fx: &mut Vec<Effect>) {
        let _ = fx;
        app.step_form_input(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{EcsMutation, LambdaMutation};

    #[test]
    fn demo_recognises_ecs_mutations() {
        let env: BTreeMap<String, String> = [("P".to_string(), "prod".to_string())].into();
        assert_eq!(
            demo_mutation(
                "aws ecs update-service \\\n --cluster ${P} --service api --desired-count 0",
                &env
            ),
            Some(Mutation::Ecs(EcsMutation::ScaleService {
                cluster: "prod".into(),
                service: "api".into(),
                desired: 0
            }))
        );
        assert_eq!(
            demo_mutation(
                "echo hi\naws ecs update-service --cluster prod --service api --force-new-deployment",
                &env
            ),
            Some(Mutation::Ecs(EcsMutation::ForceNewDeployment {
                cluster: "prod".into(),
                service: "api".into()
            }))
        );
        assert_eq!(
            demo_mutation("aws ecs describe-services --cluster prod", &env),
            None
        );
        assert_eq!(
            demo_mutation(
                "aws lambda update-alias --function-name orders-processor --name live --function-version 11",
                &env
            ),
            Some(Mutation::Lambda(LambdaMutation::SetAlias {
                function: "orders-processor".into(),
                alias: "live".into(),
                version: "11".into()
            }))
        );
    }
}
