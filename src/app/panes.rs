//! Keys for the panes themselves, when no overlay is open: focus, zoom, scrolling, search
//! and filter, follow, sort, metric windows, copy, and opening overlays.

use super::{Action, App, Effect, InputTarget, Overlay, Pane};
use crate::sources::SourceCommand;

impl App {
    pub(super) fn pane_action(&mut self, a: Action, fx: &mut Vec<Effect>) {
        let page = self.page(self.focus) as i64;
        match a {
            Action::Quit => self.quit(fx),
            Action::Cancel => self.cancel(fx),
            Action::Help => self.open(Overlay::Help(0)),
            Action::Journal => self.open(Overlay::Timeline(0)),
            Action::Palette => self.open_palette(),
            Action::Context => self.next_context(),
            Action::Note => self.open_prompt(InputTarget::Note),
            Action::Insights => self.open_prompt(InputTarget::Insights),
            Action::Suspend => fx.push(Effect::Suspend),
            Action::Redraw => fx.push(Effect::Repaint),
            Action::PrevRun | Action::NextRun => self.switch_run(a == Action::NextRun),
            Action::Close => self.zoomed = false,
            Action::FocusNext | Action::FocusPrev => {
                let i = Pane::ORDER
                    .iter()
                    .position(|p| *p == self.focus)
                    .unwrap_or(0) as i64;
                let d = if a == Action::FocusNext { 1 } else { -1 };
                self.focus = Pane::ORDER[(i + d).rem_euclid(Pane::ORDER.len() as i64) as usize];
            }
            Action::FocusServices => self.focus = Pane::Services,
            Action::FocusMetrics => self.focus = Pane::Metrics,
            Action::FocusAlarms => self.focus = Pane::Alarms,
            Action::FocusLogs => self.focus = Pane::Logs,
            Action::Zoom => self.zoomed = !self.zoomed,
            Action::Up => self.scroll(self.focus, -1),
            Action::Down => self.scroll(self.focus, 1),
            Action::PageUp => self.scroll(self.focus, -page),
            Action::PageDown => self.scroll(self.focus, page),
            Action::Top => match self.focus {
                Pane::Logs => self.logs.to_top(page as usize),
                p => self.scroll(p, i64::MIN / 2),
            },
            Action::Bottom => match self.focus {
                Pane::Logs => self.logs.to_bottom_and_follow(),
                p => self.scroll(p, i64::MAX / 2),
            },
            Action::Search => {
                if self.focus != Pane::Services {
                    self.focus = Pane::Logs;
                }
                let target = match self.focus {
                    Pane::Services => InputTarget::ServiceFilter,
                    _ => InputTarget::LogSearch,
                };
                self.open_prompt(target);
            }
            // Esc clears what is there to clear, and otherwise leaves zoom.
            Action::ClearSearch => match self.focus {
                Pane::Services if !self.services.filter.is_empty() => self.services.set_filter(""),
                Pane::Logs if self.logs.search.is_some() => self.logs.set_search(None),
                _ => self.zoomed = false,
            },
            Action::NextMatch => {
                self.logs.jump_match(true, page as usize);
            }
            Action::PrevMatch => {
                self.logs.jump_match(false, page as usize);
            }
            Action::ToggleFollow => self.logs.toggle_follow(),
            Action::ToggleFilter if self.logs.search.is_some() => {
                self.logs.filter = !self.logs.filter;
            }
            Action::ToggleWrap => self.logs.wrap = !self.logs.wrap,
            Action::Sort => self.services.set_sort(self.services.sort.next()),
            Action::Yank => self.yank(fx),
            Action::NextWindow | Action::PrevWindow => {
                self.metrics.window = self.metrics.window.step(a == Action::NextWindow);
                fx.push(Effect::Command(SourceCommand::SetMetricWindow(
                    self.metrics.window,
                )));
            }
            _ => {}
        }
    }

    /// `y`: the selected row, the current log line, alarm or metric to the clipboard.
    fn yank(&mut self, fx: &mut Vec<Effect>) {
        let text = match self.focus {
            Pane::Logs => {
                let pick = self
                    .logs
                    .current_match
                    .and_then(|seq| self.logs.lines().iter().find(|l| l.seq == seq));
                pick.or_else(|| self.logs.tail(1).into_iter().next())
                    .map(|l| l.message.clone())
            }
            Pane::Services => self.services.selected_row().map(|s| match s.ecs_detail() {
                Some(d) if d.last_event.is_some() => format!(
                    "{}/{} {}",
                    d.cluster,
                    s.name,
                    d.last_event.as_deref().unwrap_or("")
                ),
                _ => s.name.clone(),
            }),
            Pane::Alarms => self.alarms.visible().nth(self.alarms.selected).map(|a| {
                format!(
                    "{} {} {}",
                    a.name,
                    a.state,
                    a.reason.clone().unwrap_or_default()
                )
            }),
            Pane::Metrics => self
                .metrics
                .visible()
                .nth(self.metrics.selected)
                .map(|m| format!("{} {}", m.key.namespace, m.key.metric)),
        };
        if let Some(t) = text {
            self.toast = Some((
                format!("copied {} bytes (OSC 52)", t.len()),
                crate::model::Health::Ok,
            ));
            fx.push(Effect::Copy(t));
        }
    }
}
