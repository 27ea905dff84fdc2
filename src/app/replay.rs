//! The cockpit on a recording: the clock follows the replay, the replay keys move it, and
//! nothing acts (no palette, no steps, no notes, no journal writes).

use super::{App, Effect, Pane};
use crate::action::Action;
use crate::sources::{ReplayClock, ReplayControl, SourceCommand};

/// `←`/`→` jump this far (recorded time).
pub const SEEK_MS: i64 = 10_000;

impl App {
    pub fn replaying(&self) -> bool {
        self.replay_mode
    }

    /// The replay keys: `None` when the action is not one.
    pub(super) fn replay_action(&mut self, a: Action, fx: &mut Vec<Effect>) -> bool {
        let clock = self.replay.unwrap_or(ReplayClock {
            at_ms: self.now_ms,
            start_ms: self.now_ms,
            end_ms: self.now_ms,
            speed: 1.0,
            paused: false,
        });
        let c = match a {
            Action::ReplayPause => ReplayControl::TogglePause,
            Action::ReplayBack => ReplayControl::Seek(-SEEK_MS),
            Action::ReplayForward => ReplayControl::Seek(SEEK_MS),
            Action::ReplaySlower => ReplayControl::Slower,
            Action::ReplayFaster => ReplayControl::Faster,
            Action::ReplayStart => ReplayControl::SeekTo(clock.start_ms),
            Action::ReplayEnd => ReplayControl::SeekTo(clock.end_ms),
            _ => return false,
        };
        fx.push(Effect::Command(SourceCommand::Replay(c)));
        true
    }

    /// What a replay refuses, said where the operator looks.
    pub(super) fn refuse_in_replay(&mut self, what: &str) {
        self.toast = Some((
            format!("replay: {what} is off (a recording cannot act); run opsdeck live to act"),
            crate::model::Health::Warn,
        ));
    }

    /// A jump: every feed's data forgotten (what was true at the new position follows), the
    /// view's settings kept.
    pub(super) fn reset_data(&mut self) {
        self.services.clear_rows();
        self.metrics.series.clear();
        self.alarms.alarms.clear();
        self.alarms.selected = 0;
        self.logs.clear();
        self.pending_logs.clear();
        for st in self.feeds.feeds.values_mut() {
            st.last_ok_ms = None;
            st.error = None;
        }
        self.timeline.clear();
        self.source_notes.clear();
        self.insights = None;
        self.toast = None;
    }

    /// The replay's clock moved: the cockpit's time is the recording's.
    pub(super) fn replay_clock(&mut self, c: ReplayClock) {
        self.replay = Some(c);
        self.now_ms = c.at_ms;
        if let Some(name) = self.pending_select.take() {
            self.select_resource_named(&name);
        }
    }

    /// Enter on a timeline entry in a replay: jump to it, then select its resource.
    pub(super) fn seek_to_entry(&mut self, e: &crate::journal::Entry, fx: &mut Vec<Effect>) {
        let Ok(t) = chrono::DateTime::parse_from_rfc3339(&e.time) else {
            return;
        };
        self.pending_select = e.resource.clone();
        self.close_top();
        fx.push(Effect::Command(SourceCommand::Replay(
            ReplayControl::SeekTo(t.timestamp_millis()),
        )));
    }

    fn select_resource_named(&mut self, name: &str) {
        let found = self.alarms.visible().position(|a| a.name == name);
        if let Some(i) = found {
            self.focus = Pane::Alarms;
            self.alarms.selected = i;
        } else if self.services.all().any(|r| r.display_name() == name) {
            self.services.set_filter("");
            self.focus = Pane::Services;
            self.services.select_where(|r| r.display_name() == name);
        }
    }
}

/// `REPLAY 21:04:10 ×10` (and `paused`), for the status bar.
pub fn status(c: &ReplayClock) -> String {
    let t = chrono::DateTime::from_timestamp_millis(c.at_ms).unwrap_or_default();
    let speed = if c.speed.fract() == 0.0 {
        format!("{}", c.speed as i64)
    } else {
        format!("{}", c.speed)
    };
    let state = if c.paused { " paused" } else { "" };
    format!("REPLAY {} ×{speed}{state}", t.format("%H:%M:%S"))
}
