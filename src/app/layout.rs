//! Where each pane goes for a terminal size. Pure, shared by the renderer, mouse hit-testing
//! and paging so they always agree.

use crate::app::{App, Pane};
use ratatui::layout::{Constraint, Layout, Position, Rect};

/// Smallest terminal the cockpit draws in; below it a short notice is shown instead.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub services: Option<Rect>,
    pub metrics: Option<Rect>,
    pub alarms: Option<Rect>,
    pub logs: Option<Rect>,
    pub status: Rect,
    /// Output of the latest step run, under the logs, once something has run.
    pub run: Option<Rect>,
    /// Pinned command watches, beside the logs (under them on narrow screens).
    pub watches: Option<Rect>,
    pub too_small: bool,
}

impl Areas {
    pub fn get(&self, pane: Pane) -> Option<Rect> {
        match pane {
            Pane::Services => self.services,
            Pane::Metrics => self.metrics,
            Pane::Alarms => self.alarms,
            Pane::Logs => self.logs,
        }
    }

    pub fn pane_at(&self, column: u16, row: u16) -> Option<Pane> {
        Pane::ORDER.into_iter().find(|p| {
            self.get(*p)
                .is_some_and(|r| r.contains(Position::new(column, row)))
        })
    }
}

pub fn compute(area: Rect, app: &App) -> Areas {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return Areas {
            status: area,
            too_small: true,
            ..Areas::default()
        };
    }
    let [body, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let mut a = Areas {
        status,
        ..Areas::default()
    };
    if app.zoomed {
        match app.focus {
            Pane::Services => a.services = Some(body),
            Pane::Metrics => a.metrics = Some(body),
            Pane::Alarms => a.alarms = Some(body),
            Pane::Logs => a.logs = Some(body),
        }
        return a;
    }
    // Compact screens give the top row a bit more so services and metrics both show rows.
    let top_pct = if body.height < 34 { 55 } else { 50 };
    let top_h = (body.height as u32 * top_pct / 100) as u16;
    let [top, logs] =
        Layout::vertical([Constraint::Length(top_h.max(7)), Constraint::Min(4)]).areas(body);
    let left_pct = if top.width >= 140 { 46 } else { 50 };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(left_pct), Constraint::Min(1)]).areas(top);
    // Alarms get what they need (a border and one line each) up to half the column.
    let want = app.alarms.alarms.len().max(1) as u16 + 2;
    let share = if body.height < 34 {
        left.height / 3
    } else {
        left.height / 2
    };
    let alarms_h = want.clamp(3, share.max(4));
    let [services, alarms] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(alarms_h)]).areas(left);
    a.services = Some(services);
    a.alarms = Some(alarms);
    a.metrics = Some(right);
    let logs = if app.watches.is_empty() {
        logs
    } else if logs.width >= 100 {
        let [logs, watches] =
            Layout::horizontal([Constraint::Percentage(60), Constraint::Min(20)]).areas(logs);
        a.watches = Some(watches);
        logs
    } else {
        let want = (app.watches.len() as u16 * 3 + 2).min(logs.height / 2);
        let [logs, watches] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(want.max(3))]).areas(logs);
        a.watches = Some(watches);
        logs
    };
    if app.session.runs.is_empty() || logs.height < 8 {
        a.logs = Some(logs);
    } else {
        let run_h = (logs.height / 2).clamp(4, 10);
        let [logs, run] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(run_h)]).areas(logs);
        a.logs = Some(logs);
        a.run = Some(run);
    }
    a
}
