//! Built-in actions on the selected resource (ECS: force a new deployment, scale, roll
//! back; Lambda: alias, reserved concurrency, memory), the one-field value form some of them
//! need, and their results. Every change is carried out from a confirmed state only.

use super::confirm::Confirm;
use super::{Action, App, Effect, InputKey, Overlay};
use crate::model::Resource;
use crate::sources::{Mutation, SourceCommand};

pub use crate::model::kinds::{Builtin, Then};

/// Built-in actions for a services-pane row (its kind's); `now_ms` names snapshots and
/// backups.
pub fn builtins_for(s: &Resource, now_ms: i64) -> Vec<Builtin> {
    s.builtins(now_ms)
}

/// A one-field value form (the desired count for a scale).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub title: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub action: Builtin,
    /// Values to pick from (Tab cycles), e.g. a function's published versions.
    pub suggestions: Vec<String>,
}

impl App {
    /// A built-in action chosen in the palette: its value form, or straight to confirmation.
    pub(super) fn start_builtin(&mut self, chosen: Builtin) {
        match &chosen.then {
            Then::Confirm { prompt, mutation } => {
                self.open_confirm(prompt.clone(), mutation.clone())
            }
            Then::Ask {
                title,
                field,
                value,
                suggestions,
                ..
            } => {
                let form = Form {
                    title: title.clone(),
                    label: field.clone(),
                    value: value.clone(),
                    error: None,
                    suggestions: suggestions.clone(),
                    action: chosen.clone(),
                };
                self.open(Overlay::Form(Box::new(form)));
            }
        }
    }

    pub(super) fn form_input(&mut self, key: InputKey) {
        let Some(f) = self.form_mut() else { return };
        match key {
            InputKey::Char(c) if !c.is_control() => {
                f.value.push(c);
                f.error = None;
            }
            InputKey::Char(_) => {}
            InputKey::Backspace => {
                f.value.pop();
            }
        }
    }

    pub(super) fn form_action(&mut self, a: Action, _fx: &mut Vec<Effect>) -> bool {
        let Some(f) = self.form_mut() else {
            return false;
        };
        match a {
            Action::ClearLine => f.value.clear(),
            Action::Complete if !f.suggestions.is_empty() => {
                let next = f
                    .suggestions
                    .iter()
                    .position(|x| *x == f.value)
                    .map_or(0, |i| (i + 1) % f.suggestions.len());
                f.value = f.suggestions[next].clone();
            }
            Action::Close => {
                self.close_top();
            }
            Action::Submit => match f.mutation() {
                Ok((title, m)) => {
                    self.close_top();
                    self.open_confirm(title, m);
                }
                Err(e) => f.error = Some(e),
            },
            _ => return false,
        }
        true
    }

    /// Sends a confirmed mutation; returns its action id.
    pub(super) fn start_mutation(
        &mut self,
        title: String,
        mutation: Mutation,
        ctx: u16,
        fx: &mut Vec<Effect>,
    ) -> u64 {
        fx.push(self.entry_in(Some(ctx), crate::journal::Kind::Start, mutation.describe()));
        let id = self.next_action;
        self.next_action += 1;
        self.pending.insert(id, mutation.clone());
        self.pending_ctx.insert(id, ctx);
        self.toast = Some((format!("… {title}"), crate::model::Health::Unknown));
        fx.push(Effect::Command(SourceCommand::Mutate { id, mutation, ctx }));
        id
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
        let ctx = self.pending_ctx.remove(&id);
        let run = self.mutation_runs.remove(&id);
        if result.is_ok()
            && let Some(change) = super::preview::Change::from_mutation(&m)
        {
            self.verify_changes(vec![change], run, ctx.unwrap_or(0));
        }
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
        let mut entry = self.entry_in(ctx, crate::journal::Kind::End, m.describe());
        if let Effect::Journal(e) = &mut entry {
            e.status = Some(status);
        }
        fx.push(entry);
    }

    pub(super) fn open_confirm(&mut self, title: String, mutation: Mutation) {
        // The selected row's context acts; a context marked read-only refuses like the
        // session's mode.
        let ctx = self.context_of(self.services.selected_row());
        let read_only =
            self.read_only || self.contexts.get(ctx as usize).is_some_and(|c| c.read_only);
        let mut c = Confirm::new(title, mutation, read_only);
        c.ctx = ctx;
        self.preview(&mut c);
        self.open(Overlay::Confirm(Box::new(c)));
    }
}

impl Form {
    /// The mutation the value asks for, or why the value is not acceptable.
    fn mutation(&self) -> Result<(String, Mutation), String> {
        match &self.action.then {
            Then::Ask { template, .. } => template.with_value(&self.value, &self.suggestions),
            Then::Confirm { .. } => Err("this action takes no value".into()),
        }
    }
}

/// A built-in action's value form: type, Tab through suggestions, submit.
pub struct FormKeys;

impl super::handler::Handler for FormKeys {
    fn action(&self, app: &mut App, a: Action, fx: &mut Vec<Effect>) -> bool {
        app.form_action(a, fx)
    }

    fn input(&self, app: &mut App, key: InputKey, fx: &mut Vec<Effect>) {
        let _ = fx;
        app.form_input(key)
    }
}
