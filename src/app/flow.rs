//! The palette → form → confirmation flow for built-in actions, and their results. Every
//! change is only carried out from the confirmed state, and every step is journaled.

use super::{App, Effect, InputKey, actions};

impl App {
    pub(super) fn palette_key(&mut self, key: InputKey, fx: &mut Vec<Effect>) {
        let Some(p) = self.palette.as_mut() else {
            return;
        };
        match key {
            InputKey::Char(c) if !c.is_control() => {
                p.query.push(c);
                p.refilter(&self.recent);
            }
            InputKey::Backspace => {
                p.query.pop();
                p.refilter(&self.recent);
            }
            InputKey::ClearLine => {
                p.query.clear();
                p.refilter(&self.recent);
            }
            InputKey::Up => p.selected = p.selected.saturating_sub(1),
            InputKey::Down => p.selected = (p.selected + 1).min(p.matches.len().saturating_sub(1)),
            InputKey::Esc => self.palette = None,
            InputKey::Enter => {
                let Some(chosen) = p.chosen().cloned() else {
                    return;
                };
                self.palette = None;
                self.recent.retain(|r| *r != chosen.label());
                self.recent.insert(0, chosen.label());
                fx.push(self.entry(crate::journal::Kind::Action, chosen.label()));
                let chosen = match chosen {
                    actions::Item::Procedure { rb, proc_, .. } => {
                        self.procedure = Some((rb, proc_, 0));
                        return;
                    }
                    actions::Item::Builtin(b) => b,
                };
                let form = |title: String, label: &str, value: String, suggestions: Vec<String>| {
                    actions::Form {
                        title,
                        label: label.into(),
                        value,
                        error: None,
                        action: chosen.clone(),
                        suggestions,
                    }
                };
                match &chosen {
                    actions::Builtin::ForceNewDeployment { cluster, service } => {
                        let label = format!("Force new deployment of {cluster}/{service}");
                        let m = crate::sources::Mutation::ForceNewDeployment {
                            cluster: cluster.clone(),
                            service: service.clone(),
                        };
                        self.open_confirm(label, m, fx);
                    }
                    actions::Builtin::Rollback {
                        cluster,
                        service,
                        revision,
                    } => {
                        let label = format!(
                            "Roll back {cluster}/{service} from {revision} to the previous revision"
                        );
                        let m = crate::sources::Mutation::RollbackService {
                            cluster: cluster.clone(),
                            service: service.clone(),
                        };
                        self.open_confirm(label, m, fx);
                    }
                    actions::Builtin::Scale {
                        cluster,
                        service,
                        current,
                    } => {
                        self.form = Some(form(
                            format!("Scale {cluster}/{service}"),
                            "desired count",
                            current.to_string(),
                            Vec::new(),
                        ));
                    }
                    actions::Builtin::SetAlias {
                        function,
                        alias,
                        current,
                        versions,
                    } => {
                        let title = format!("Point {function}:{alias} at version (now {current})");
                        self.form = Some(form(title, "version", String::new(), versions.clone()));
                    }
                    actions::Builtin::SetReservedConcurrency { function, current } => {
                        let value = current.map(|c| c.to_string()).unwrap_or_default();
                        self.form = Some(form(
                            format!("Reserved concurrency of {function} (empty: unreserved)"),
                            "reserved",
                            value,
                            Vec::new(),
                        ));
                    }
                    actions::Builtin::SetMemory { function, current } => {
                        self.form = Some(form(
                            format!("Memory of {function}"),
                            "memory (MB)",
                            current.to_string(),
                            Vec::new(),
                        ));
                    }
                }
            }
            _ => {}
        }
    }

    pub(super) fn form_key(&mut self, key: InputKey, fx: &mut Vec<Effect>) {
        use crate::sources::Mutation;
        let Some(f) = self.form.as_mut() else { return };
        match key {
            InputKey::Char(c) if !c.is_control() => {
                f.value.push(c);
                f.error = None;
            }
            InputKey::Backspace => {
                f.value.pop();
            }
            InputKey::ClearLine => f.value.clear(),
            InputKey::Tab if !f.suggestions.is_empty() => {
                let next = f
                    .suggestions
                    .iter()
                    .position(|x| *x == f.value)
                    .map_or(0, |i| (i + 1) % f.suggestions.len());
                f.value = f.suggestions[next].clone();
            }
            InputKey::Esc => self.form = None,
            InputKey::Enter => {
                let v = f.value.trim().to_string();
                let number =
                    |lo: i64, hi: i64| v.parse::<i64>().ok().filter(|n| (lo..=hi).contains(n));
                let outcome: Result<(String, Mutation), String> = match f.action.clone() {
                    actions::Builtin::Scale {
                        cluster, service, ..
                    } => match number(0, 1000) {
                        Some(n) => Ok((
                            format!("Scale {cluster}/{service} to {n}"),
                            Mutation::ScaleService {
                                cluster,
                                service,
                                desired: n,
                            },
                        )),
                        None => Err(format!("`{v}` is not a task count from 0 to 1000")),
                    },
                    actions::Builtin::SetAlias {
                        function,
                        alias,
                        versions,
                        ..
                    } => {
                        if versions.contains(&v) {
                            let title = format!("Point {function}:{alias} at version {v}");
                            Ok((
                                title,
                                Mutation::SetAlias {
                                    function,
                                    alias,
                                    version: v.clone(),
                                },
                            ))
                        } else {
                            Err(format!(
                                "`{v}` is not a published version (Tab cycles through them)"
                            ))
                        }
                    }
                    actions::Builtin::SetReservedConcurrency { function, .. } => {
                        if v.is_empty() {
                            Ok((
                                format!("Remove the reservation of {function}"),
                                Mutation::SetReservedConcurrency {
                                    function,
                                    value: None,
                                },
                            ))
                        } else {
                            match number(0, 1000) {
                                Some(n) => Ok((
                                    format!("Reserve {n} concurrent executions for {function}"),
                                    Mutation::SetReservedConcurrency {
                                        function,
                                        value: Some(n),
                                    },
                                )),
                                None => Err(format!(
                                    "`{v}` is not a concurrency from 0 to 1000 (empty removes it)"
                                )),
                            }
                        }
                    }
                    actions::Builtin::SetMemory { function, .. } => match number(128, 10240) {
                        Some(n) => Ok((
                            format!("Set memory of {function} to {n} MB"),
                            Mutation::SetMemory { function, mb: n },
                        )),
                        None => Err(format!("`{v}` is not a memory size from 128 to 10240 MB")),
                    },
                    _ => Err("this action takes no value".into()),
                };
                match outcome {
                    Ok((title, m)) => {
                        self.form = None;
                        self.open_confirm(title, m, fx);
                    }
                    Err(e) => f.error = Some(e),
                }
            }
            _ => {}
        }
    }

    pub(super) fn open_confirm(
        &mut self,
        title: String,
        mutation: crate::sources::Mutation,
        _fx: &mut Vec<Effect>,
    ) {
        self.confirm = Some(actions::Confirm::new(title, mutation, self.read_only));
    }

    pub(super) fn confirm_key(&mut self, key: InputKey, fx: &mut Vec<Effect>) {
        use crate::journal::Kind;
        let Some(c) = self.confirm.as_mut() else {
            return;
        };
        if c.blocked_read_only {
            if matches!(
                key,
                InputKey::Esc | InputKey::Enter | InputKey::Char('n') | InputKey::Char('q')
            ) {
                let why = c.refused.clone().unwrap_or_default();
                let what = format!("{why}: {} refused", c.subject.describe());
                self.confirm = None;
                fx.push(self.entry(Kind::Blocked, what));
            }
            return;
        }
        let decision = if c.needs_typing() {
            match key {
                InputKey::Char(ch) if !ch.is_control() => {
                    c.typed.push(ch);
                    None
                }
                InputKey::Backspace => {
                    c.typed.pop();
                    None
                }
                InputKey::ClearLine => {
                    c.typed.clear();
                    None
                }
                InputKey::Enter if c.typed_ok() => Some(true),
                InputKey::Esc => Some(false),
                _ => None,
            }
        } else {
            match key {
                InputKey::Char('y') | InputKey::Char('Y') => Some(true),
                // No is the default: Enter, n and Esc all refuse.
                InputKey::Char('n') | InputKey::Char('N') | InputKey::Esc | InputKey::Enter => {
                    Some(false)
                }
                _ => None,
            }
        };
        let Some(yes) = decision else { return };
        let Some(c) = self.confirm.take() else { return };
        if !yes {
            fx.push(self.entry(Kind::Refused, c.subject.describe()));
            if self.run_all.take().is_some() {
                self.toast = Some((
                    "run all stopped: step refused".into(),
                    crate::model::Health::Warn,
                ));
            }
            return;
        }
        fx.push(self.entry(
            Kind::Confirmed,
            format!("{} [{}]", c.subject.describe(), c.risk),
        ));
        match c.subject {
            actions::Subject::Mutation(mutation) => self.start_mutation(c.title, mutation, fx),
            actions::Subject::Step(run, index) => self.start_step_run(*run, index, fx),
        }
    }

    pub(super) fn start_mutation(
        &mut self,
        title: String,
        mutation: crate::sources::Mutation,
        fx: &mut Vec<Effect>,
    ) {
        fx.push(self.entry(crate::journal::Kind::Start, mutation.describe()));
        let id = self.next_action;
        self.next_action += 1;
        self.pending.insert(id, mutation.clone());
        self.toast = Some((format!("… {title}"), crate::model::Health::Unknown));
        fx.push(Effect::Command(crate::sources::SourceCommand::Mutate {
            id,
            mutation,
        }));
    }

    pub(super) fn action_result(
        &mut self,
        id: u64,
        result: Result<String, String>,
        fx: &mut Vec<Effect>,
    ) {
        let Some(m) = self.pending.remove(&id) else {
            return;
        };
        let (what, health, status) = match &result {
            Ok(msg) => (
                format!("✓ {msg}"),
                crate::model::Health::Ok,
                "ok".to_string(),
            ),
            Err(e) => (
                format!("✗ {}: {e}", m.describe()),
                crate::model::Health::Crit,
                format!("failed: {e}"),
            ),
        };
        self.toast = Some((what, health));
        let mut entry = self.entry(crate::journal::Kind::End, m.describe());
        if let Effect::Journal(e) = &mut entry {
            e.status = Some(status);
        }
        fx.push(entry);
    }
}
