//! The help overlay: every key binding, scrolled.

use super::{Action, App, Effect, Overlay};

impl App {
    /// Help and the other scrolled views: `true` when the key was theirs.
    pub(super) fn scroll_action(&mut self, a: Action, help: bool) -> bool {
        let Some(Overlay::Help(s) | Overlay::Timeline(s)) = self.overlays.last_mut() else {
            return false;
        };
        // The timeline counts back from the newest entry: up goes further back.
        let (less, more) = if help {
            (Action::Up, Action::Down)
        } else {
            (Action::Down, Action::Up)
        };
        match a {
            Action::Close | Action::Help if help => {
                self.close_top();
            }
            x if x == less => *s = s.saturating_sub(1),
            x if x == more => *s = s.saturating_add(1),
            Action::PageUp if help => *s = s.saturating_sub(10),
            Action::PageDown if help => *s = s.saturating_add(10),
            Action::Top if help => *s = 0,
            _ => return false,
        }
        true
    }
}

/// Help's keys: scroll, close.
pub struct HelpKeys;

impl super::handler::Handler for HelpKeys {
    fn action(&self, app: &mut App, a: Action, _fx: &mut Vec<Effect>) -> bool {
        app.scroll_action(a, true)
    }
}
