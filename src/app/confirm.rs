//! The confirmation dialog, graded by risk (gitui's pattern: an operation is only ever
//! carried out from the confirmed state, and the default answer is No). Write and unknown
//! ask yes/no; destructive wants the target's name typed; read-only and other refusals
//! say why and cannot be talked around.

use super::{Action, App, Effect, InputKey, Overlay};
use crate::model::Risk;
use crate::sources::Mutation;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Mutation(Mutation),
    /// A prepared runbook step and its index in the procedure.
    Step(Box<crate::exec::Prepared>, usize),
}

impl Subject {
    pub fn describe(&self) -> String {
        match self {
            Subject::Mutation(m) => m.describe(),
            Subject::Step(s, _) => s.describe(),
        }
    }

    pub fn target(&self) -> &str {
        match self {
            Subject::Mutation(m) => m.target(),
            Subject::Step(s, _) => &s.target,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    pub subject: Subject,
    pub risk: Risk,
    /// Destructive: what must be typed before Enter is accepted.
    pub typed: String,
    pub blocked_read_only: bool,
    /// Why it cannot run (read-only mode, a reference-only block), when it cannot.
    pub refused: Option<String>,
    /// What will change, from live state (see [`super::preview`]).
    pub preview: Vec<super::preview::Line>,
    /// The AWS context it acts on (the selected row's).
    pub ctx: u16,
}

impl Confirm {
    /// The changes it makes that opsdeck recognises.
    pub fn changes(&self) -> Vec<super::preview::Change> {
        match &self.subject {
            Subject::Mutation(m) => super::preview::Change::from_mutation(m)
                .into_iter()
                .collect(),
            Subject::Step(run, _) => {
                super::preview::Change::from_script(&run.script, &run.shown_env())
            }
        }
    }

    pub fn new(title: String, mutation: Mutation, read_only: bool) -> Confirm {
        let risk = mutation.risk();
        let blocked = read_only && risk != Risk::Read;
        Confirm {
            title,
            risk,
            subject: Subject::Mutation(mutation),
            typed: String::new(),
            blocked_read_only: blocked,
            refused: blocked.then(|| "Read-only mode: this action cannot run.".to_string()),
            preview: Vec::new(),
            ctx: 0,
        }
    }

    /// A prepared step's dialog: what its gate says (ask, ask for the name, or refuse).
    pub fn step(run: crate::exec::Prepared, index: usize) -> Confirm {
        let risk = run.risk;
        let refused = match &run.gate {
            crate::exec::Gate::Refused(why) => Some(why.clone()),
            _ => None,
        };
        Confirm {
            title: format!("Run step: {}", run.title),
            risk,
            blocked_read_only: refused.is_some(),
            refused,
            subject: Subject::Step(Box::new(run), index),
            typed: String::new(),
            preview: Vec::new(),
            ctx: 0,
        }
    }

    pub fn needs_typing(&self) -> bool {
        match &self.subject {
            Subject::Step(run, _) => run.gate == crate::exec::Gate::ConfirmTyped,
            Subject::Mutation(_) => self.risk == Risk::Destructive,
        }
    }

    pub fn typed_ok(&self) -> bool {
        self.typed == self.subject.target()
    }
}

impl App {
    /// Fills the dialog's preview from the watched rows.
    pub(super) fn preview(&self, c: &mut Confirm) {
        c.preview = c
            .changes()
            .iter()
            .map(|ch| ch.preview(self.rows_in(c.ctx).into_iter()))
            .collect();
    }

    /// The name typed for a destructive confirmation.
    pub(super) fn confirm_input(&mut self, key: InputKey) {
        let Some(c) = self.confirm_mut() else { return };
        if !c.needs_typing() || c.blocked_read_only {
            return;
        }
        match key {
            InputKey::Char(ch) if !ch.is_control() => c.typed.push(ch),
            InputKey::Char(_) => {}
            InputKey::Backspace => {
                c.typed.pop();
            }
        }
    }

    pub(super) fn confirm_action(&mut self, a: Action, fx: &mut Vec<Effect>) -> bool {
        use crate::journal::Kind;
        let Some(c) = self.confirm_mut() else {
            return false;
        };
        if c.blocked_read_only {
            // Nothing gets through: any answer closes it, and the refusal is journaled.
            // `y` does nothing here: there is nothing to say yes to.
            if matches!(
                a,
                Action::Refuse | Action::Close | Action::Submit | Action::Cancel
            ) {
                let why = c.refused.clone().unwrap_or_default();
                let what = format!("{why}: {} refused", c.subject.describe());
                self.close_top();
                fx.push(self.entry(Kind::Blocked, what));
                self.session.run_all = None;
            }
            return true;
        }
        let decision = if c.needs_typing() {
            match a {
                Action::ClearLine => {
                    c.typed.clear();
                    None
                }
                Action::Submit if c.typed_ok() => Some(true),
                Action::Submit => None,
                Action::Refuse | Action::Close | Action::Cancel => Some(false),
                _ => return false,
            }
        } else {
            match a {
                Action::Confirm => Some(true),
                // No is the default: Enter, n and Esc all refuse.
                Action::Refuse | Action::Close | Action::Submit | Action::Cancel => Some(false),
                _ => return false,
            }
        };
        let Some(yes) = decision else { return true };
        let Some(Overlay::Confirm(c)) = self.close_top() else {
            return true;
        };
        if !yes {
            fx.push(self.entry(Kind::Refused, c.subject.describe()));
            if self.session.run_all.take().is_some() {
                self.toast = Some((
                    "run all stopped: step refused".into(),
                    crate::model::Health::Warn,
                ));
            }
            return true;
        }
        fx.push(self.entry_in(
            Some(c.ctx),
            Kind::Confirmed,
            format!("{} [{}]", c.subject.describe(), c.risk),
        ));
        match c.subject {
            Subject::Mutation(mutation) => {
                self.start_mutation(c.title, mutation, c.ctx, fx);
            }
            Subject::Step(run, index) => self.start_step_run(*run, index, fx),
        }
        true
    }
}

/// A confirmation: confirm, refuse, or type the target of a destructive change.
pub struct ConfirmKeys;

impl super::handler::Handler for ConfirmKeys {
    fn action(&self, app: &mut App, a: Action, fx: &mut Vec<Effect>) -> bool {
        app.confirm_action(a, fx)
    }

    fn input(&self, app: &mut App, key: InputKey, fx: &mut Vec<Effect>) {
        let _ = fx;
        app.confirm_input(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::EcsMutation;

    #[test]
    fn scale_to_zero_is_destructive_and_needs_the_name() {
        let mut c = Confirm::new(
            "x".into(),
            Mutation::Ecs(EcsMutation::ScaleService {
                cluster: "prod".into(),
                service: "api".into(),
                desired: 0,
            }),
            false,
        );
        assert!(c.needs_typing());
        c.typed = "ap".into();
        assert!(!c.typed_ok());
        c.typed = "api".into();
        assert!(c.typed_ok());
        let ro = Confirm::new(
            "x".into(),
            Mutation::Ecs(EcsMutation::ForceNewDeployment {
                cluster: "prod".into(),
                service: "api".into(),
            }),
            true,
        );
        assert!(ro.blocked_read_only);
    }
}
