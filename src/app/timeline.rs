//! What this session journaled, newest last, for the timeline overlay: at most [`CAP`]
//! entries, the oldest dropped first. The one place the cap is kept.

use super::{Action, App, Effect, Overlay, Pane};
use crate::journal::Entry;
use std::collections::VecDeque;

/// Entries kept in memory (the journal file keeps them all).
pub const CAP: usize = 1000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline(VecDeque<Entry>);

impl Timeline {
    /// Adds the newest entry, dropping the oldest past [`CAP`].
    pub fn push(&mut self, e: Entry) {
        if self.0.len() == CAP {
            self.0.pop_front();
        }
        self.0.push_back(e);
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// Read access as a deque (`len`, `back`, `iter`…); writes only through [`Timeline::push`].
impl std::ops::Deref for Timeline {
    type Target = VecDeque<Entry>;
    fn deref(&self) -> &VecDeque<Entry> {
        &self.0
    }
}

impl<'a> IntoIterator for &'a Timeline {
    type Item = &'a Entry;
    type IntoIter = std::collections::vec_deque::Iter<'a, Entry>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// The journal timeline overlay: scroll back, filter, jump to an entry's resource (or, in a
/// replay, to its moment).
impl App {
    fn timeline_action(&mut self, a: Action, fx: &mut Vec<Effect>) -> bool {
        match a {
            Action::Close | Action::Journal => {
                self.close_top();
                true
            }
            Action::Note => {
                self.close_top();
                self.open_prompt(super::InputTarget::Note);
                true
            }
            Action::Submit if self.replaying() => {
                if let Some(e) = self.timeline_marked().cloned() {
                    self.seek_to_entry(&e, fx);
                }
                true
            }
            Action::Submit => {
                self.select_event_resource();
                true
            }
            Action::ToggleFilter => {
                self.timeline_filter = self.timeline_filter.next();
                if let Some(Overlay::Timeline(s)) = self.overlays.last_mut() {
                    *s = 0;
                }
                true
            }
            _ => {
                let _ = fx;
                self.scroll_action(a, false)
            }
        }
    }

    /// The timeline's marked entry: the newest one shown, or older as it scrolls back.
    pub fn timeline_marked(&self) -> Option<&crate::journal::Entry> {
        let scroll = self.timeline_scroll()? as usize;
        let shown: Vec<&crate::journal::Entry> = self
            .timeline
            .iter()
            .filter(|e| self.timeline_filter.keeps(e))
            .collect();
        let i = shown.len().checked_sub(1 + scroll)?;
        shown.get(i).copied()
    }

    /// Enter on a timeline event: its resource selected in its pane (the services filter
    /// cleared so it shows), the timeline closed.
    fn select_event_resource(&mut self) {
        let Some(e) = self.timeline_marked() else {
            return;
        };
        let Some(name) = e.resource.clone() else {
            self.toast = Some((
                "this entry names no resource".into(),
                crate::model::Health::Unknown,
            ));
            return;
        };
        let alarm = e.what.starts_with("alarm ");
        if alarm {
            let found = self.alarms.visible().position(|a| a.name == name);
            if let Some(i) = found {
                self.close_top();
                self.focus = Pane::Alarms;
                self.alarms.selected = i;
                return;
            }
        } else if self.services.all().any(|r| r.display_name() == name) {
            self.close_top();
            self.services.set_filter("");
            self.focus = Pane::Services;
            self.services.select_where(|r| r.display_name() == name);
            return;
        }
        self.toast = Some((
            format!("{name} is not among the rows on screen"),
            crate::model::Health::Warn,
        ));
    }
}

/// The timeline's keys.
pub struct TimelineKeys;

impl super::handler::Handler for TimelineKeys {
    fn action(&self, app: &mut App, a: Action, fx: &mut Vec<Effect>) -> bool {
        app.timeline_action(a, fx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_cap_entries() {
        let mut t = Timeline::default();
        for i in 0..CAP + 5 {
            let ctx = crate::journal::Context::default();
            t.push(ctx.entry(
                crate::journal::Kind::Note,
                format!("{i}"),
                chrono::Utc::now(),
            ));
        }
        assert_eq!(t.len(), CAP);
        assert_eq!(t.front().unwrap().what, "5");
        assert_eq!(t.back().unwrap().what, format!("{}", CAP + 4));
    }
}
