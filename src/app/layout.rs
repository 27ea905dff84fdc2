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
    /// The procedure view, docked beside (wide) or under (tall) the live panes.
    pub procedure: Option<Rect>,
    /// A one-line live status over a procedure that takes a small screen.
    pub strip: Option<Rect>,
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
    if app.procedure().is_some() && !app.procedure_full {
        return docked(body, a, app);
    }
    if app.zoomed {
        match app.focus {
            Pane::Services => a.services = Some(body),
            Pane::Metrics => a.metrics = Some(body),
            Pane::Alarms => a.alarms = Some(body),
            Pane::Logs => a.logs = Some(body),
        }
        return a;
    }
    panes(body, &mut a, app, true);
    a
}

/// The procedure view docked so the live panes stay in sight while its steps run: beside them
/// from 160 columns, under them from 36 rows, else alone under a one-line status strip. The
/// run pane sits under the procedure.
fn docked(body: Rect, mut a: Areas, app: &App) -> Areas {
    let side = if body.width >= 160 {
        let [cockpit, side] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Min(40)]).areas(body);
        panes(cockpit, &mut a, app, false);
        side
    } else if body.height >= 36 {
        let [cockpit, side] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Min(12)]).areas(body);
        panes(cockpit, &mut a, app, false);
        side
    } else {
        let [strip, side] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(4)]).areas(body);
        a.strip = Some(strip);
        side
    };
    if !app.session.runs.is_empty() && side.height >= 12 {
        let run_h = (side.height / 3).clamp(4, 12);
        let [procedure, run] =
            Layout::vertical([Constraint::Min(6), Constraint::Length(run_h)]).areas(side);
        a.procedure = Some(procedure);
        a.run = Some(run);
    } else {
        a.procedure = Some(side);
    }
    a
}

/// The live panes in `body`: services and alarms left, metrics right, logs (and watches, and
/// the run pane when `with_run`) under them.
fn panes(body: Rect, a: &mut Areas, app: &App, with_run: bool) {
    // Compact screens give the top row a bit more so services and metrics both show rows.
    let top_pct = if body.height < 34 { 55 } else { 50 };
    let top_h = (body.height as u32 * top_pct / 100) as u16;
    let [top, logs] =
        Layout::vertical([Constraint::Length(top_h.max(7)), Constraint::Min(4)]).areas(body);
    let left_pct = if top.width >= 140 { 46 } else { 50 };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(left_pct), Constraint::Min(1)]).areas(top);
    // Alarms get what they need (a border and one line each) up to half the column.
    let want = app.alarms.shown().max(1) as u16 + 2;
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
    if !with_run || app.session.runs.is_empty() || logs.height < 8 {
        a.logs = Some(logs);
    } else {
        let run_h = (logs.height / 2).clamp(4, 10);
        let [logs, run] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(run_h)]).areas(logs);
        a.logs = Some(logs);
        a.run = Some(run);
    }
}
