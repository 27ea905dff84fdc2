//! The quit question, asked when steps are running (quitting cancels them).

use super::{Action, App, Effect, Overlay};

impl App {
    /// Quit, or ask first when steps are running (they would be cancelled).
    pub(super) fn quit(&mut self, fx: &mut Vec<Effect>) {
        match self.running() {
            0 => fx.push(Effect::Quit),
            n => self.open(Overlay::Quit(n)),
        }
    }

    fn quit_action(&mut self, a: Action, fx: &mut Vec<Effect>) -> bool {
        match a {
            Action::Confirm => {
                self.close_top();
                fx.push(self.entry(
                    crate::journal::Kind::Action,
                    format!("quit with {} step(s) running: cancelled", self.running()),
                ));
                fx.push(Effect::Quit);
            }
            Action::Refuse | Action::Close | Action::Submit | Action::Cancel => {
                self.close_top();
            }
            _ => {}
        }
        true
    }
}

/// The quit question's keys: confirm, refuse.
pub struct QuitKeys;

impl super::handler::Handler for QuitKeys {
    fn action(&self, app: &mut App, a: Action, fx: &mut Vec<Effect>) -> bool {
        app.quit_action(a, fx)
    }
}
