//! Runbook procedures in the cockpit: the procedure view (steps, risks, commands), the
//! placeholder form, the risk-graded run of a step and the run pane's state.
//!
//! In the embedded demo, runbook commands are not executed: the step is shown as a dry run,
//! except recognised AWS mutations (`aws ecs update-service --force-new-deployment`,
//! `--desired-count N`), which act on the simulated fleet.

use super::actions::Confirm;
use super::{App, Effect, InputKey};
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
    /// Index of the step in its procedure.
    pub step: usize,
    pub lines: VecDeque<(Stream, String)>,
    pub status: Option<RunStatus>,
    pub started_ms: i64,
    pub elapsed_ms: Option<u64>,
    pub expect: Option<String>,
    /// Shown as a dry run (the demo): nothing was executed.
    pub dry_run: bool,
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
            .filter(|s| s.kind == crate::model::ServiceKind::Ecs)
    };
    if n.contains("cluster") {
        out.extend(ecs().filter_map(|s| s.cluster.clone()));
    } else if n.contains("service") {
        out.extend(ecs().map(|s| s.name.clone()));
    } else if n.contains("function") || n.contains("lambda") {
        out.extend(
            app.services
                .all()
                .filter(|s| s.kind == crate::model::ServiceKind::Lambda)
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

/// Recognised ECS mutations in a rendered demo command.
fn demo_mutation(script: &str, env: &BTreeMap<String, String>) -> Option<Mutation> {
    for words in crate::runbook::targets::simple_commands(script) {
        let w: Vec<String> = words
            .iter()
            .map(|x| {
                let mut v = x.clone();
                for (k, val) in env {
                    v = v
                        .replace(&format!("${{{k}}}"), val)
                        .replace(&format!("${k}"), val);
                }
                v
            })
            .collect();
        if w.len() < 3 || w[0] != "aws" || w[1] != "ecs" || w[2] != "update-service" {
            continue;
        }
        let val = |flag: &str| {
            w.iter()
                .position(|a| a == flag)
                .and_then(|i| w.get(i + 1))
                .cloned()
        };
        let (Some(cluster), Some(service)) = (val("--cluster"), val("--service")) else {
            continue;
        };
        if let Some(n) = val("--desired-count").and_then(|n| n.parse().ok()) {
            return Some(Mutation::ScaleService {
                cluster,
                service,
                desired: n,
            });
        }
        if w.iter().any(|a| a == "--force-new-deployment") {
            return Some(Mutation::ForceNewDeployment { cluster, service });
        }
    }
    None
}

impl App {
    pub(super) fn procedure_key(&mut self, key: InputKey, fx: &mut Vec<Effect>) {
        let Some((rb, p, sel)) = self.procedure else {
            return;
        };
        let n = self
            .runbooks
            .get(rb)
            .and_then(|l| l.runbook.procedures.get(p))
            .map_or(0, |p| p.steps.len());
        match key {
            InputKey::Esc => self.procedure = None,
            InputKey::Up => self.procedure = Some((rb, p, sel.saturating_sub(1))),
            InputKey::Down => self.procedure = Some((rb, p, (sel + 1).min(n.saturating_sub(1)))),
            InputKey::Enter | InputKey::Char('r') => self.prepare_step(rb, p, sel, fx),
            InputKey::Char('d') => {
                self.dry_pending = true;
                self.prepare_step(rb, p, sel, fx);
            }
            InputKey::Char('a') => {
                // Every runnable step in order, each confirmed by its risk; stops at the
                // first failure or refusal.
                let first = self.next_runnable(rb, p, 0);
                match first {
                    Some(i) => {
                        self.run_all = Some((rb, p, i));
                        fx.push(self.entry(
                            Kind::Action,
                            format!(
                                "run all steps of `{}`",
                                self.runbooks[rb].runbook.procedures[p].title
                            ),
                        ));
                        self.prepare_step(rb, p, i, fx);
                    }
                    None => {
                        self.toast = Some(("no runnable step".into(), crate::model::Health::Warn))
                    }
                }
            }
            InputKey::Char(d @ '1'..='9') => {
                let i = d as usize - '1' as usize;
                let item = self
                    .runbooks
                    .get(rb)
                    .and_then(|l| l.runbook.procedures.get(p))
                    .and_then(|pr| pr.checklist.get(i))
                    .cloned();
                if let Some(item) = item {
                    let now = !self.ticks.get(&(rb, p, i)).copied().unwrap_or(item.checked);
                    self.ticks.insert((rb, p, i), now);
                    fx.push(self.entry(
                        Kind::Check,
                        format!("{} {}", if now { "☑" } else { "☐" }, item.text),
                    ));
                }
            }
            InputKey::Char('c') => {
                if let Some(s) = self
                    .runbooks
                    .get(rb)
                    .and_then(|l| l.runbook.procedures.get(p))
                    .and_then(|p| p.steps.get(sel))
                {
                    self.toast = Some((
                        format!("copied step `{}` (OSC 52)", s.title),
                        crate::model::Health::Ok,
                    ));
                    fx.push(Effect::Copy(s.code.clone()));
                }
            }
            _ => {}
        }
    }

    fn next_runnable(&self, rb: usize, p: usize, from: usize) -> Option<usize> {
        let steps = &self.runbooks.get(rb)?.runbook.procedures.get(p)?.steps;
        (from..steps.len()).find(|i| steps[*i].runnable)
    }

    /// After a step of "run all" succeeded: the next runnable step, or the end.
    fn continue_run_all(&mut self, finished_step: usize, fx: &mut Vec<Effect>) {
        let Some((rb, p, current)) = self.run_all else {
            return;
        };
        if current != finished_step {
            return;
        }
        match self.next_runnable(rb, p, current + 1) {
            Some(next) => {
                self.run_all = Some((rb, p, next));
                self.procedure = Some((rb, p, next));
                self.prepare_step(rb, p, next, fx);
            }
            None => {
                self.run_all = None;
                self.toast = Some(("all steps done".into(), crate::model::Health::Ok));
            }
        }
    }

    /// Asks for missing placeholder values, then confirms by risk.
    fn prepare_step(&mut self, rb: usize, p: usize, sel: usize, fx: &mut Vec<Effect>) {
        let Some(l) = self.runbooks.get(rb) else {
            return;
        };
        let Some(step) = l.runbook.procedures.get(p).and_then(|p| p.steps.get(sel)) else {
            return;
        };
        if !step.runnable {
            self.toast = Some((
                format!(
                    "`{}` is reference-only ({}): shown, never run",
                    step.title,
                    step.lang.as_deref().unwrap_or("text")
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
            self.step_form = Some(StepForm {
                rb,
                proc_: p,
                step: sel,
                title: step.title.clone(),
                fields,
                focus: 0,
            });
            return;
        }
        self.confirm_step(rb, p, sel, fx);
    }

    pub(super) fn step_form_key(&mut self, key: InputKey, fx: &mut Vec<Effect>) {
        let Some(f) = self.step_form.as_mut() else {
            return;
        };
        let last = f.fields.len().saturating_sub(1);
        match key {
            InputKey::Char(c) if !c.is_control() => {
                if let Some(field) = f.fields.get_mut(f.focus) {
                    field.value.push(c);
                }
            }
            InputKey::Backspace => {
                if let Some(field) = f.fields.get_mut(f.focus) {
                    field.value.pop();
                }
            }
            InputKey::ClearLine => {
                if let Some(field) = f.fields.get_mut(f.focus) {
                    field.value.clear();
                }
            }
            InputKey::Up => f.focus = f.focus.saturating_sub(1),
            InputKey::Down => f.focus = (f.focus + 1).min(last),
            InputKey::Tab => {
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
            InputKey::Esc => {
                self.step_form = None;
                self.run_all = None;
                self.dry_pending = false;
            }
            InputKey::Enter if f.focus < last => f.focus += 1,
            InputKey::Enter => {
                // A step with an unresolved placeholder cannot run.
                if let Some(i) = f.fields.iter().position(|x| x.value.is_empty()) {
                    f.focus = i;
                    return;
                }
                let Some(f) = self.step_form.take() else {
                    return;
                };
                let path = self.runbooks[f.rb].path.clone();
                for field in &f.fields {
                    self.values
                        .insert((path.clone(), field.name.clone()), field.value.clone());
                    if field.secret {
                        self.secret_names.insert((path.clone(), field.name.clone()));
                    }
                }
                // Non-secret values are remembered across sessions too; secrets never are.
                let keep: BTreeMap<(String, String), String> = self
                    .values
                    .iter()
                    .filter(|(k, _)| !self.secret_names.contains(*k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                fx.push(Effect::SaveValues(keep));
                self.confirm_step(f.rb, f.proc_, f.step, fx);
            }
            _ => {}
        }
    }

    /// The step through the one pipeline, then by its gate: run, ask, or refuse.
    fn confirm_step(&mut self, rb: usize, p: usize, sel: usize, fx: &mut Vec<Effect>) {
        let l = &self.runbooks[rb];
        let proc_ = &l.runbook.procedures[p];
        let step = &proc_.steps[sel];
        let values: BTreeMap<String, String> = step
            .placeholders
            .iter()
            .filter_map(|ph| {
                self.values
                    .get(&(l.path.clone(), ph.name.clone()))
                    .map(|v| (ph.name.clone(), v.clone()))
            })
            .collect();
        let run =
            crate::exec::prepare(&l.path, proc_, step, &values, &self.aws_env, &self.policy());
        for s in &run.secrets {
            self.secrets.add(s);
        }
        if std::mem::take(&mut self.dry_pending) {
            let id = self.next_action;
            self.next_action += 1;
            let mut lines: VecDeque<(Stream, String)> = VecDeque::new();
            lines.push_back((Stream::Stdout, "set -euo pipefail".into()));
            for l in run.describe().lines() {
                lines.push_back((Stream::Stdout, l.to_string()));
            }
            fx.push(self.entry(Kind::DryRun, run.describe()));
            self.runs.push(RunView {
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
            });
            return;
        }
        fx.push(self.entry(
            Kind::Action,
            format!("step {} `{}`", run.step_id, run.title),
        ));
        match run.gate {
            Gate::Run => {
                // Read steps run at once; the journal still records it.
                fx.push(self.entry(Kind::Confirmed, format!("{} [read]", run.describe())));
                self.start_step_run(run, sel, fx);
            }
            Gate::Confirm | Gate::ConfirmTyped | Gate::Refused(_) => {
                self.confirm = Some(Confirm::step(run, sel));
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
        };
        let mut start = self.entry(Kind::Start, run.describe());
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
                    self.start_mutation(run.title.clone(), m, fx);
                }
                None => view.lines.push_back((
                    Stream::Stderr,
                    "demo: shown as a dry run, nothing executed".into(),
                )),
            }
            view.status = Some(RunStatus::Exited(0));
            view.elapsed_ms = Some(0);
            self.runs.push(view);
            self.continue_run_all(step, fx);
            return;
        }
        self.runs.push(view);
        if self.runs.len() > 20 {
            self.runs.remove(0);
        }
        fx.push(Effect::RunStep {
            id,
            script: run.script,
            env: run.env,
            secrets: run.secrets,
            timeout: run.timeout,
            interactive: run.interactive,
            read_only_role: run.read_only_role,
        });
    }

    pub(super) fn run_event(&mut self, ev: RunEvent, fx: &mut Vec<Effect>) {
        let id = match &ev {
            RunEvent::Started { id, .. }
            | RunEvent::Output { id, .. }
            | RunEvent::Truncated { id, .. }
            | RunEvent::Finished { id, .. } => *id,
        };
        let Some(view) = self.runs.iter_mut().find(|r| r.id == id) else {
            return;
        };
        match ev {
            RunEvent::Started { .. } => {}
            RunEvent::Output { stream, line, .. } => {
                if view.lines.len() == RUN_LINES {
                    view.lines.pop_front();
                }
                view.lines.push_back((stream, self.secrets.scrub(&line)));
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
                    e.output = Some(output);
                }
                fx.push(end);
                if status.success() {
                    self.continue_run_all(step, fx);
                } else if self.run_all.take().is_some() {
                    self.toast = Some((
                        format!("run all stopped at `{title}`: {}", status.label()),
                        crate::model::Health::Crit,
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_recognises_ecs_mutations() {
        let env: BTreeMap<String, String> = [("P".to_string(), "prod".to_string())].into();
        assert_eq!(
            demo_mutation(
                "aws ecs update-service \\\n --cluster ${P} --service api --desired-count 0",
                &env
            ),
            Some(Mutation::ScaleService {
                cluster: "prod".into(),
                service: "api".into(),
                desired: 0
            })
        );
        assert_eq!(
            demo_mutation(
                "echo hi\naws ecs update-service --cluster prod --service api --force-new-deployment",
                &env
            ),
            Some(Mutation::ForceNewDeployment {
                cluster: "prod".into(),
                service: "api".into()
            })
        );
        assert_eq!(
            demo_mutation("aws ecs describe-services --cluster prod", &env),
            None
        );
    }
}
