//! Application state and the pure `update` function. No I/O, no clock reads, no `.await`:
//! time arrives in messages and side effects leave as [`Effect`]s for the event loop.

pub mod actions;
pub mod alarms;
pub mod feeds;
mod flow;
pub mod layout;
pub mod logs;
pub mod metrics;
pub mod procedure;
pub mod services;

pub use crate::action::Action;

use crate::config::Mode;
use crate::sources::{Payload, SourceCommand, SourceEvent, SourceInfo};
use feeds::Feeds;

/// A runbook loaded for the palette.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedRunbook {
    pub path: String,
    pub runbook: crate::runbook::Runbook,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Services,
    Metrics,
    Alarms,
    Logs,
}

impl Pane {
    pub const ORDER: [Pane; 4] = [Pane::Services, Pane::Metrics, Pane::Alarms, Pane::Logs];

    pub fn mode(self) -> Mode {
        match self {
            Pane::Services => Mode::Services,
            Pane::Metrics => Mode::Metrics,
            Pane::Alarms => Mode::Alarms,
            Pane::Logs => Mode::Logs,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Services => "Services",
            Pane::Metrics => "Metrics",
            Pane::Alarms => "Alarms",
            Pane::Logs => "Logs",
        }
    }

    /// Feeds whose failures show in this pane.
    pub fn feeds(self) -> &'static [&'static str] {
        match self {
            Pane::Services => &["ecs", "lambda", "health"],
            Pane::Metrics => &["metrics"],
            Pane::Alarms => &["alarms"],
            Pane::Logs => &["logs"],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputTarget {
    LogSearch,
    ServiceFilter,
    /// An operator note for the journal.
    Note,
    /// A Logs Insights query (committed on Enter, never previewed).
    Insights,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub target: InputTarget,
    pub text: String,
    /// What was in effect before the prompt opened, restored on Esc.
    previous: String,
}

/// Keys while a text prompt is open; the keymap is bypassed so every character types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKey {
    Char(char),
    Backspace,
    ClearLine,
    Enter,
    Esc,
    Up,
    Down,
    Tab,
}

/// A Logs Insights query, its rows (sanitised, redacted) or its error, and the overlay scroll.
#[derive(Debug, Clone, PartialEq)]
pub struct Insights {
    pub query: String,
    pub since_ms: i64,
    pub result: Option<Result<Vec<crate::model::LogEvent>, String>>,
    pub scroll: u16,
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Action(Action),
    Input(InputKey),
    Source(SourceEvent),
    Tick {
        now_ms: i64,
    },
    /// Terminal size; pages and zoom are computed from it.
    Resize {
        width: u16,
        height: u16,
    },
    /// Mouse wheel over a pane: negative is up.
    Scroll {
        pane: Pane,
        lines: i64,
    },
    Click {
        pane: Pane,
    },
    /// Progress of a command started by `Effect::RunStep`.
    Run(crate::exec::RunEvent),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append to the incident journal.
    Journal(Box<crate::journal::Entry>),
    /// Put text on the local clipboard (OSC 52, works over SSH and tmux).
    Copy(String),
    /// Start a prepared runbook step (`exec::prepare`) with the one launcher.
    RunStep {
        id: u64,
        script: String,
        env: std::collections::BTreeMap<String, String>,
        /// Masked in every line of its output.
        secrets: Vec<String>,
        /// `None`: runs until it ends or is cancelled (`--follow`, `watch`).
        timeout: Option<std::time::Duration>,
        /// Needs the real terminal (psql without a command, `-it`, ssh, editors): the TUI
        /// steps aside until it exits.
        interactive: bool,
        /// Run with this read-only role's credentials, not the operator's.
        read_only_role: Option<String>,
    },
    CancelRun(u64),
    /// Remember non-secret placeholder values across sessions (XDG state dir).
    SaveValues(std::collections::BTreeMap<(String, String), String>),
    Quit,
    Suspend,
    /// Clear and repaint the whole terminal.
    Repaint,
    /// Ask the source for something: a change (`Mutate`, whose result returns as an
    /// `ActionResult`), a metric window, a Logs Insights query.
    Command(SourceCommand),
}

#[derive(Debug, Clone)]
pub struct App {
    pub now_ms: i64,
    pub focus: Pane,
    pub zoomed: bool,
    pub help: Option<u16>,
    pub input: Option<Input>,
    pub services: services::ServicesState,
    pub metrics: metrics::MetricsState,
    pub alarms: alarms::AlarmsState,
    pub logs: logs::LogsState,
    pub feeds: Feeds,
    pub source_label: String,
    pub size: (u16, u16),
    pub palette: Option<actions::Palette>,
    pub form: Option<actions::Form>,
    pub confirm: Option<actions::Confirm>,
    /// Labels of palette entries run, most recent first.
    pub recent: Vec<String>,
    pub read_only: bool,
    /// Read steps ask for confirmation too (`confirm_read = true` in opsdeck.toml).
    pub confirm_read: bool,
    /// `[aws] read_only_role`: in read-only mode, AWS enforces it too.
    pub read_only_role: Option<String>,
    /// Secret values of this session (typed into secret fields, secret defaults): masked in
    /// everything shown, journaled or copied.
    pub secrets: crate::redact::Redactor,
    /// Quit was asked while steps run: how many (the dialog asks first).
    pub quit_pending: Option<usize>,
    /// A short message in the status bar (action results), with its health.
    pub toast: Option<(String, crate::model::Health)>,
    pub journal_ctx: crate::journal::Context,
    pub runbooks: Vec<LoadedRunbook>,
    /// The procedure view: (runbook, procedure, selected step).
    pub procedure: Option<(usize, usize, usize)>,
    pub step_form: Option<procedure::StepForm>,
    /// "Run all": the procedure whose runnable steps run one after another, confirming each,
    /// and the step to run next.
    pub run_all: Option<(usize, usize, usize)>,
    /// The next step prepared is only shown, fully rendered, not run.
    pub dry_pending: bool,
    /// Checklist ticks this session: (runbook, procedure, item) → checked.
    pub ticks: std::collections::BTreeMap<(usize, usize, usize), bool>,
    /// Values typed for placeholders this session, per runbook and name.
    pub values: std::collections::BTreeMap<(String, String), String>,
    /// Which of those are secret (never saved).
    pub secret_names: std::collections::BTreeSet<(String, String)>,
    pub runs: Vec<procedure::RunView>,
    /// The run the run pane shows (index into `runs`); `None` follows the newest.
    pub run_shown: Option<usize>,
    /// The embedded demo: runbook commands are shown as a dry run, except recognised AWS
    /// mutations, which act on the simulated fleet.
    pub demo: bool,
    /// What this session journaled, newest last (the journal overlay), and its scroll.
    pub timeline: std::collections::VecDeque<crate::journal::Entry>,
    pub timeline_open: Option<u16>,
    /// Notes from the source (discovery caps), shown once as a toast and kept for snapshot.
    pub source_notes: Vec<String>,
    /// Variables exported to every runbook command: the AWS context the cockpit shows
    /// (AWS_PROFILE, AWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL when set).
    pub aws_env: std::collections::BTreeMap<String, String>,
    /// The last Logs Insights query and its outcome (`None` while it runs).
    pub insights: Option<Insights>,
    /// Effects of a prompt committed with Enter (a note, an Insights query).
    input_fx: Vec<Effect>,
    next_action: u64,
    pending: std::collections::BTreeMap<u64, crate::sources::Mutation>,
    /// Something visible changed since the last frame.
    pub dirty: bool,
}

impl App {
    pub fn new(info: &SourceInfo, log_capacity: usize, now_ms: i64) -> App {
        App {
            now_ms,
            focus: Pane::Services,
            zoomed: false,
            help: None,
            input: None,
            services: Default::default(),
            metrics: Default::default(),
            alarms: Default::default(),
            logs: logs::LogsState::new(log_capacity),
            feeds: Feeds::new(&info.feeds),
            source_label: info.label.clone(),
            size: (80, 24),
            palette: None,
            form: None,
            confirm: None,
            recent: Vec::new(),
            read_only: false,
            confirm_read: false,
            read_only_role: None,
            secrets: Default::default(),
            quit_pending: None,
            toast: None,
            journal_ctx: crate::journal::Context::default(),
            runbooks: Vec::new(),
            procedure: None,
            step_form: None,
            run_all: None,
            dry_pending: false,
            ticks: Default::default(),
            values: Default::default(),
            secret_names: Default::default(),
            runs: Vec::new(),
            run_shown: None,
            demo: false,
            timeline: Default::default(),
            timeline_open: None,
            source_notes: Vec::new(),
            aws_env: Default::default(),
            insights: None,
            input_fx: Vec::new(),
            next_action: 1,
            pending: Default::default(),
            dirty: true,
        }
    }

    /// The keymap mode for the current focus and overlays.
    pub fn mode(&self) -> Mode {
        if self.help.is_some()
            || self.timeline_open.is_some()
            || self.insights.as_ref().is_some_and(|i| i.open)
        {
            Mode::Help
        } else {
            self.focus.mode()
        }
    }

    /// Whether keys go to a text field (search prompt, palette, form, confirmation) rather
    /// than the keymap.
    pub fn input_active(&self) -> bool {
        self.quit_pending.is_some()
            || self.input.is_some()
            || self.palette.is_some()
            || self.form.is_some()
            || self.confirm.is_some()
            || self.step_form.is_some()
            || self.procedure.is_some()
    }

    fn entry(&self, kind: crate::journal::Kind, what: String) -> Effect {
        let now = chrono::DateTime::from_timestamp_millis(self.now_ms).unwrap_or_default();
        Effect::Journal(Box::new(self.journal_ctx.entry(kind, what, now)))
    }

    /// Rows of the logs pane body, from the same layout the view uses.
    fn page(&self, pane: Pane) -> usize {
        let area = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
        let areas = layout::compute(area, self);
        let rect = match pane {
            Pane::Services => areas.services,
            Pane::Metrics => areas.metrics,
            Pane::Alarms => areas.alarms,
            Pane::Logs => areas.logs,
        };
        rect.map_or(10, |r| r.height.saturating_sub(2).max(1) as usize)
    }

    /// Adds a runbook to the palette; its secret placeholders' defaults are secrets from now
    /// on (masked in the procedure view, copies and the journal).
    pub fn add_runbook(&mut self, rb: LoadedRunbook) {
        for step in rb.runbook.procedures.iter().flat_map(|p| &p.steps) {
            for ph in step.placeholders.iter().filter(|p| p.secret) {
                if let Some(d) = &ph.default {
                    self.secrets.add(d);
                }
            }
        }
        self.runbooks.push(rb);
    }

    /// What this session allows: read-only, confirm_read, the read-only role.
    pub fn policy(&self) -> crate::exec::Policy {
        crate::exec::Policy {
            read_only: self.read_only,
            confirm_read: self.confirm_read,
            read_only_role: self.read_only_role.clone(),
        }
    }

    /// Steps still running.
    pub fn running(&self) -> usize {
        self.runs.iter().filter(|r| r.status.is_none()).count()
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let mut fx = self.update_inner(msg);
        // Nothing leaves the cockpit with a secret in it: journal entries and clipboard
        // copies are masked here, once, whatever produced them.
        for e in &mut fx {
            match e {
                Effect::Journal(entry) => {
                    entry.what = self.secrets.scrub(&entry.what);
                    entry.output = entry.output.as_deref().map(|o| self.secrets.scrub(o));
                    if self.timeline.len() == 1000 {
                        self.timeline.pop_front();
                    }
                    self.timeline.push_back((**entry).clone());
                }
                Effect::Copy(text) => *text = self.secrets.scrub(text),
                _ => {}
            }
        }
        fx
    }

    fn update_inner(&mut self, msg: Msg) -> Vec<Effect> {
        let mut fx = Vec::new();
        match msg {
            Msg::Tick { now_ms } => {
                self.now_ms = now_ms;
                self.dirty = true;
            }
            Msg::Resize { width, height } => {
                self.size = (width, height);
                self.dirty = true;
            }
            Msg::Source(ev) => {
                if let Payload::ActionResult { id, result } = &ev.payload {
                    self.action_result(*id, result.clone(), &mut fx);
                }
                self.apply_source(ev);
                self.dirty = true;
            }
            Msg::Input(key) => {
                if self.quit_pending.is_some() {
                    self.quit_key(key, &mut fx);
                } else if self.confirm.is_some() {
                    self.confirm_key(key, &mut fx);
                } else if self.form.is_some() {
                    self.form_key(key, &mut fx);
                } else if self.step_form.is_some() {
                    self.step_form_key(key, &mut fx);
                } else if self.palette.is_some() {
                    self.palette_key(key, &mut fx);
                } else if self.procedure.is_some() && self.input.is_none() {
                    self.procedure_key(key, &mut fx);
                } else {
                    self.input_key(key);
                    fx.extend(std::mem::take(&mut self.input_fx));
                }
                self.dirty = true;
            }
            Msg::Scroll { pane, lines } => {
                self.scroll(pane, lines);
                self.dirty = true;
            }
            Msg::Run(ev) => {
                self.run_event(ev, &mut fx);
                self.dirty = true;
            }
            Msg::Click { pane } => {
                self.focus = pane;
                self.dirty = true;
            }
            Msg::Action(a) => {
                self.action(a, &mut fx);
                self.dirty = true;
            }
        }
        fx
    }

    fn apply_source(&mut self, ev: SourceEvent) {
        let at = ev.at_ms;
        match ev.payload {
            Payload::Error(message) => {
                self.feeds.failed(ev.feed, clean(message));
                return;
            }
            Payload::Services(rows) => self
                .services
                .set_feed(ev.feed, rows.into_iter().map(clean_service).collect()),
            Payload::MetricSeries(series) => self.metrics.replace(
                series
                    .into_iter()
                    .map(|mut m| {
                        m.label = clean(m.label);
                        m
                    })
                    .collect(),
            ),
            Payload::MetricPoints(points) => self.metrics.add_points(points, at.max(self.now_ms)),
            Payload::Alarms(alarms) => self.alarms.replace(
                alarms
                    .into_iter()
                    .map(|mut a| {
                        a.name = clean(a.name);
                        a.state = clean(a.state);
                        a.reason = a.reason.map(clean);
                        a
                    })
                    .collect(),
            ),
            Payload::Logs(events) => self.logs.ingest(events),
            Payload::LogsPartial { events, error } => {
                self.logs.ingest(events);
                self.feeds.ok(ev.feed, at);
                self.feeds.failed(ev.feed, clean(error));
                return;
            }
            Payload::ActionResult { .. } => return,
            Payload::Note(n) => {
                let n = clean(n);
                self.toast = Some((n.clone(), crate::model::Health::Warn));
                if !self.source_notes.contains(&n) {
                    self.source_notes.push(n);
                }
                return;
            }
            Payload::Insights { query, result } => {
                if let Some(i) = self.insights.as_mut().filter(|i| i.query == query) {
                    i.result = Some(
                        result
                            .map(|rows| {
                                rows.into_iter()
                                    .map(|mut e| {
                                        e.message = clean(e.message);
                                        e
                                    })
                                    .collect()
                            })
                            .map_err(clean),
                    );
                }
                return;
            }
        }
        self.feeds.ok(ev.feed, at);
        // Before the first tick, take time from the data.
        if self.now_ms < at {
            self.now_ms = at;
        }
    }

    fn scroll(&mut self, pane: Pane, lines: i64) {
        match pane {
            Pane::Services => self.services.move_by(lines),
            Pane::Metrics => self.metrics.move_by(lines),
            Pane::Alarms => self.alarms.move_by(lines),
            Pane::Logs => self.logs.scroll(lines),
        }
    }

    fn action(&mut self, a: Action, fx: &mut Vec<Effect>) {
        if let Some(ins) = self.insights.as_mut().filter(|i| i.open) {
            match a {
                Action::Close | Action::Insights | Action::Help => ins.open = false,
                Action::Quit => self.quit(fx),
                Action::Up => ins.scroll = ins.scroll.saturating_sub(1),
                Action::Down => ins.scroll = ins.scroll.saturating_add(1),
                Action::PageUp => ins.scroll = ins.scroll.saturating_sub(10),
                Action::PageDown => ins.scroll = ins.scroll.saturating_add(10),
                Action::Top => ins.scroll = 0,
                Action::Yank => {
                    if let Some(Ok(rows)) = &ins.result {
                        let text: Vec<String> = rows
                            .iter()
                            .map(|e| format!("{} {}", crate::text::clock(e.time_ms), e.message))
                            .collect();
                        let text = text.join("\n");
                        self.toast = Some((
                            format!("copied {} rows (OSC 52)", rows.len()),
                            crate::model::Health::Ok,
                        ));
                        fx.push(Effect::Copy(text));
                    }
                }
                _ => {}
            }
            return;
        }
        if let Some(scroll) = self.timeline_open {
            match a {
                Action::Close | Action::Journal | Action::Help => self.timeline_open = None,
                Action::Quit => self.quit(fx),
                Action::Up => self.timeline_open = Some(scroll.saturating_add(1)),
                Action::Down => self.timeline_open = Some(scroll.saturating_sub(1)),
                Action::Note => {
                    self.timeline_open = None;
                    self.input = Some(Input {
                        target: InputTarget::Note,
                        text: String::new(),
                        previous: String::new(),
                    });
                }
                _ => {}
            }
            return;
        }
        if let Some(scroll) = self.help {
            match a {
                Action::Close | Action::Help => self.help = None,
                Action::Quit => self.quit(fx),
                Action::Up => self.help = Some(scroll.saturating_sub(1)),
                Action::Down => self.help = Some(scroll.saturating_add(1)),
                Action::PageUp => self.help = Some(scroll.saturating_sub(10)),
                Action::PageDown => self.help = Some(scroll.saturating_add(10)),
                Action::Top => self.help = Some(0),
                Action::Suspend => fx.push(Effect::Suspend),
                _ => {}
            }
            return;
        }
        let page = self.page(self.focus) as i64;
        match a {
            Action::Quit => self.quit(fx),
            Action::PrevRun | Action::NextRun => {
                if !self.runs.is_empty() {
                    let last = self.runs.len() - 1;
                    let cur = self.run_shown.unwrap_or(last);
                    let next = if a == Action::PrevRun {
                        cur.saturating_sub(1)
                    } else {
                        (cur + 1).min(last)
                    };
                    self.run_shown = if next == last { None } else { Some(next) };
                }
            }
            Action::Cancel => match self.runs.iter().rev().find(|r| r.status.is_none()) {
                Some(r) => fx.push(Effect::CancelRun(r.id)),
                None => self.quit(fx),
            },
            Action::Help => self.help = Some(0),
            Action::Close => {
                if self.zoomed {
                    self.zoomed = false;
                }
            }
            Action::Suspend => fx.push(Effect::Suspend),
            Action::Redraw => fx.push(Effect::Repaint),
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
                let (target, previous) = match self.focus {
                    Pane::Services => (InputTarget::ServiceFilter, self.services.filter.clone()),
                    _ => {
                        self.focus = Pane::Logs;
                        (
                            InputTarget::LogSearch,
                            self.logs
                                .search
                                .as_ref()
                                .map(|s| s.text.clone())
                                .unwrap_or_default(),
                        )
                    }
                };
                self.input = Some(Input {
                    target,
                    text: previous.clone(),
                    previous,
                });
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
            Action::ToggleFilter => {
                if self.logs.search.is_some() {
                    self.logs.filter = !self.logs.filter;
                }
            }
            Action::ToggleWrap => self.logs.wrap = !self.logs.wrap,
            Action::Sort => self.services.set_sort(self.services.sort.next()),
            Action::Journal => {
                self.timeline_open = if self.timeline_open.is_some() {
                    None
                } else {
                    Some(0)
                }
            }
            Action::Insights => {
                let previous = self
                    .insights
                    .as_ref()
                    .map(|i| i.query.clone())
                    .unwrap_or_default();
                self.input = Some(Input {
                    target: InputTarget::Insights,
                    text: previous.clone(),
                    previous,
                });
            }
            Action::Note => {
                self.input = Some(Input {
                    target: InputTarget::Note,
                    text: String::new(),
                    previous: String::new(),
                });
            }
            Action::Yank => {
                let text =
                    match self.focus {
                        Pane::Logs => {
                            let pick = self
                                .logs
                                .current_match
                                .and_then(|seq| self.logs.lines().iter().find(|l| l.seq == seq));
                            pick.or_else(|| self.logs.tail(1).into_iter().next())
                                .map(|l| l.message.clone())
                        }
                        Pane::Services => self.services.selected_row().map(|s| {
                            match (&s.cluster, &s.last_event) {
                                (Some(c), Some(e)) => format!("{c}/{} {e}", s.name),
                                _ => s.name.clone(),
                            }
                        }),
                        Pane::Alarms => self.alarms.alarms.get(self.alarms.selected).map(|a| {
                            format!(
                                "{} {} {}",
                                a.name,
                                a.state,
                                a.reason.clone().unwrap_or_default()
                            )
                        }),
                        Pane::Metrics => self
                            .metrics
                            .series
                            .get(self.metrics.selected)
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
            Action::Palette => {
                let mut entries: Vec<actions::Item> = self
                    .services
                    .selected_row()
                    .map(actions::builtins_for)
                    .unwrap_or_default()
                    .into_iter()
                    .map(actions::Item::Builtin)
                    .collect();
                entries.extend(actions::procedure_items(&self.runbooks));
                self.palette = Some(actions::Palette::new(entries, &self.recent));
            }
            Action::NextWindow | Action::PrevWindow => {
                self.metrics.window = self.metrics.window.step(a == Action::NextWindow);
                fx.push(Effect::Command(SourceCommand::SetMetricWindow(
                    self.metrics.window,
                )));
            }
        }
    }

    /// Quit, or ask first when steps are running (they would be cancelled).
    fn quit(&mut self, fx: &mut Vec<Effect>) {
        match self.running() {
            0 => fx.push(Effect::Quit),
            n => self.quit_pending = Some(n),
        }
    }

    fn quit_key(&mut self, key: InputKey, fx: &mut Vec<Effect>) {
        match key {
            InputKey::Char('y') | InputKey::Char('Y') => {
                self.quit_pending = None;
                fx.push(self.entry(
                    crate::journal::Kind::Action,
                    format!("quit with {} step(s) running: cancelled", self.running()),
                ));
                fx.push(Effect::Quit);
            }
            InputKey::Char('n') | InputKey::Char('N') | InputKey::Esc | InputKey::Enter => {
                self.quit_pending = None;
            }
            _ => {}
        }
    }

    fn input_key(&mut self, key: InputKey) {
        let Some(input) = self.input.as_mut() else {
            return;
        };
        match key {
            InputKey::Char(c) if !c.is_control() => input.text.push(c),
            InputKey::Char(_) => {}
            InputKey::Backspace => {
                input.text.pop();
            }
            InputKey::ClearLine => input.text.clear(),
            InputKey::Up | InputKey::Down | InputKey::Tab => {}
            InputKey::Enter => {
                let input = self.input.take();
                if let Some(i) = input {
                    if i.target == InputTarget::Insights {
                        self.start_insights(&i.text);
                    } else if i.target == InputTarget::Note {
                        if !i.text.trim().is_empty() {
                            let e =
                                self.entry(crate::journal::Kind::Note, i.text.trim().to_string());
                            self.input_fx.push(e);
                        }
                    } else {
                        self.apply_input(i.target, &i.text);
                    }
                }
                return;
            }
            InputKey::Esc => {
                let input = self.input.take();
                if let Some(i) = input {
                    self.apply_input(i.target, &i.previous);
                }
                return;
            }
        }
        // Live preview while typing.
        let (target, text) = (input.target, input.text.clone());
        self.apply_input(target, &text);
    }

    /// `[-30m|-3h|-2d ]QUERY`: a Logs Insights query over the watched groups, from that long
    /// ago (default one hour) to now. The query goes in the journal.
    fn start_insights(&mut self, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let (range_ms, query) = parse_insights(text);
        let since_ms = self.now_ms - range_ms;
        self.insights = Some(Insights {
            query: query.to_string(),
            since_ms,
            result: None,
            scroll: 0,
            open: true,
        });
        let e = self.entry(
            crate::journal::Kind::Action,
            format!(
                "Logs Insights over the last {}: {query}",
                crate::text::age(range_ms)
            ),
        );
        self.input_fx.push(e);
        self.input_fx
            .push(Effect::Command(SourceCommand::LogsQuery {
                query: query.to_string(),
                since_ms,
            }));
    }

    fn apply_input(&mut self, target: InputTarget, text: &str) {
        match target {
            // Notes and queries are committed on Enter only (see `input_key`), never previewed.
            InputTarget::Note | InputTarget::Insights => {}
            InputTarget::ServiceFilter => self.services.set_filter(text),
            InputTarget::LogSearch => {
                let same = self.logs.search.as_ref().map(|s| s.text.as_str()) == Some(text)
                    || (self.logs.search.is_none() && text.is_empty());
                if !same {
                    self.logs.set_search(logs::Search::new(text));
                }
            }
        }
    }
}

/// Splits an optional leading range (`-30m`, `-3h`, `-2d`) from an Insights query.
pub fn parse_insights(text: &str) -> (i64, &str) {
    const HOUR: i64 = 3_600_000;
    if let Some(rest) = text.strip_prefix('-')
        && let Some((range, query)) = rest.split_once(char::is_whitespace)
    {
        let (num, unit) = range.split_at(range.len().saturating_sub(1));
        if let Ok(n) = num.parse::<i64>() {
            let ms = match unit {
                "m" => Some(n * 60_000),
                "h" => Some(n * HOUR),
                "d" => Some(n * 24 * HOUR),
                _ => None,
            };
            if let Some(ms) = ms.filter(|ms| *ms > 0) {
                return (ms, query.trim());
            }
        }
    }
    (HOUR, text)
}

/// Every string from a source is outside text: neutralise escapes and mask secrets once, at
/// the boundary, so no view can forget to.
fn clean(s: String) -> String {
    crate::redact::redact_owned(crate::sanitize::sanitize_owned(s))
}

fn clean_service(mut s: crate::model::Service) -> crate::model::Service {
    s.name = clean(s.name);
    s.cluster = s.cluster.map(clean);
    s.status = clean(s.status);
    s.last_event = s.last_event.map(clean);
    s.version = s.version.map(clean);
    s.url = s.url.map(clean);
    s
}

#[cfg(test)]
mod tests;
