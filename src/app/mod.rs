//! Application state and the pure `update` function. No I/O, no clock reads, no `.await`:
//! time arrives in messages and side effects leave as [`Effect`]s for the event loop.
//!
//! What is on screen over the panes is one stack of [`Overlay`]s: its top decides the
//! keymap mode, where keys go and what the hints say (`overlay.rs`).

pub mod alarms;
pub mod builtin;
pub mod confirm;
pub mod contexts;
pub mod events;
pub mod freshness;
mod handler;
mod help;
pub mod layout;
pub mod logs;
pub mod metrics;
pub mod overlay;
pub mod palette;
mod panes;
pub mod preview;
pub mod procedure;
pub mod prompt;
mod quit;
pub mod replay;
pub mod services;
pub mod session;
pub mod timeline;
pub mod verify;
pub mod watches;

pub use crate::action::Action;
pub use overlay::{Overlay, PickContext, ProcedureView};
pub use prompt::{Input, InputTarget, Insights};
pub use session::Session;

use crate::config::Mode;
use crate::sources::{Payload, SourceEvent, SourceInfo};
use freshness::Feeds;

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

    /// Whether a feed's failures show in this pane.
    pub fn shows(self, feed: crate::sources::Feed) -> bool {
        use crate::sources::Feed;
        match self {
            Pane::Services => feed.rows(),
            Pane::Metrics => feed == Feed::Metrics,
            Pane::Alarms => feed == Feed::Alarms,
            Pane::Logs => feed == Feed::Logs,
        }
    }
}

/// What a text-entry overlay receives for keys its keymap mode leaves unbound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKey {
    Char(char),
    Backspace,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A key the keymap bound in the active mode.
    Action(Action),
    /// A key typed into the active text field (palette, form, prompt, typed confirmation).
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
    /// Start a prepared step (`exec::prepare`) with the one launcher. Its timeout, box,
    /// interactivity and hidden output are as its owner set them (a watch and a verification
    /// always run boxed, with their own timeouts); `ctx` says whose credentials the box gets.
    RunStep {
        id: u64,
        run: Box<crate::exec::Prepared>,
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
    Command(crate::sources::SourceCommand),
}

/// Who started a run, so its events find their way back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOwner {
    /// A runbook step or a built-in action's command (the run pane, the journal).
    Step,
    /// A pinned command watch.
    Watch,
    /// A `{verify=…}` try.
    Check,
}

impl App {
    /// A fresh run id.
    pub(super) fn next_run_id(&mut self) -> u64 {
        let id = self.next_action;
        self.next_action += 1;
        id
    }

    /// Starts `run` under `id` for `owner`: its events go back to the owner by id.
    pub(super) fn launch(
        &mut self,
        id: u64,
        owner: RunOwner,
        run: crate::exec::Prepared,
        fx: &mut Vec<Effect>,
    ) {
        self.run_owners.insert(id, owner);
        fx.push(Effect::RunStep {
            id,
            run: Box::new(run),
        });
    }
}

/// One watched AWS context as the cockpit shows and acts on it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContextView {
    pub label: String,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
    /// Its confirmations say so in the danger colour.
    pub production: bool,
    /// Nothing acts on it.
    pub read_only: bool,
    /// What a runbook step gets to act on it (AWS_PROFILE, AWS_REGION, endpoint).
    pub env: std::collections::BTreeMap<String, String>,
}

impl ContextView {
    /// `label · region · account`, for dialogs and the journal.
    pub fn describe(&self) -> String {
        format!(
            "{} · {} · {}",
            self.label,
            self.region.as_deref().unwrap_or("no region"),
            self.account.as_deref().unwrap_or("account unknown")
        )
    }
}

/// How the cockpit is set up for this session, given once to [`App::new`].
#[derive(Debug, Clone, Default)]
pub struct AppConfig {
    /// Log lines kept in memory.
    pub log_capacity: usize,
    pub read_only: bool,
    /// Read steps ask for confirmation too (`confirm_read = true` in opsdeck.toml).
    pub confirm_read: bool,
    /// `[aws] read_only_role`: in read-only mode, AWS enforces it too.
    pub read_only_role: Option<String>,
    /// Which layers enforce read-only here (`READ-ONLY (kernel + AWS)`, see
    /// `sandbox::Layers::label`): what the status bar says in read-only mode.
    pub read_only_label: String,
    /// The embedded demo: runbook commands are shown as a dry run, except recognised AWS
    /// mutations, which act on the simulated fleet.
    pub demo: bool,
    /// Who and where, stamped on every journal entry.
    pub journal_ctx: crate::journal::Context,
    /// Variables exported to every runbook command: the AWS context the cockpit shows.
    pub aws_env: std::collections::BTreeMap<String, String>,
    pub runbooks: Vec<LoadedRunbook>,
    /// Placeholder values remembered from earlier sessions.
    pub values: std::collections::BTreeMap<(String, String), String>,
    /// Files that could not be loaded (a runbook with a NUL byte…), each with its reason.
    pub load_errors: Vec<String>,
    /// `[[watch.commands]]`: read commands pinned as live watches from the start.
    pub command_watches: Vec<crate::config::WatchCommand>,
    /// On a recording (`opsdeck replay`): the replay keys work and nothing acts.
    pub replay: bool,
    /// The AWS contexts watched when there are several (empty: one, as `aws_env` says).
    pub contexts: Vec<ContextView>,
}

#[derive(Debug, Clone)]
pub struct App {
    pub now_ms: i64,
    pub focus: Pane,
    pub zoomed: bool,
    /// The procedure view over the whole screen instead of docked beside the live panes.
    pub procedure_full: bool,
    /// What covers the panes, bottom first; the last one has the keys.
    pub overlays: Vec<Overlay>,
    pub services: services::ServicesState,
    pub metrics: metrics::MetricsState,
    pub alarms: alarms::AlarmsState,
    pub logs: logs::LogsState,
    pub feeds: Feeds,
    pub source_label: String,
    pub size: (u16, u16),
    /// Labels of palette entries run, most recent first.
    pub recent: Vec<String>,
    pub read_only: bool,
    pub confirm_read: bool,
    pub read_only_role: Option<String>,
    pub read_only_label: String,
    /// A short message in the status bar (action results), with its health.
    pub toast: Option<(String, crate::model::Health)>,
    pub journal_ctx: crate::journal::Context,
    /// Runbooks, values, runs and the secrets among them.
    pub session: Session,
    pub demo: bool,
    /// What this session journaled, newest last (the journal overlay).
    pub timeline: timeline::Timeline,
    /// Notes from the source (discovery caps), shown once as a toast and kept for snapshot.
    pub source_notes: Vec<String>,
    /// Files that could not be loaded at start (sanitised), kept for snapshot's `errors`.
    pub load_errors: Vec<String>,
    pub aws_env: std::collections::BTreeMap<String, String>,
    /// The last Logs Insights query and its outcome (`None` while it runs).
    pub insights: Option<Insights>,
    next_action: u64,
    pending: std::collections::BTreeMap<u64, crate::sources::Mutation>,
    /// The context each pending mutation acts on.
    pending_ctx: std::collections::BTreeMap<u64, u16>,
    /// Changes being verified against live state (see `verify`).
    pub verifications: Vec<verify::Verification>,
    /// `{verify=…}` commands being retried until they exit 0.
    pub command_checks: Vec<verify::CommandCheck>,
    /// Built-in mutations a step made (the demo's dry runs): action id → run id.
    mutation_runs: std::collections::BTreeMap<u64, u64>,
    /// Who started each run still going: its events go there, found by id, never by trial.
    run_owners: std::collections::BTreeMap<u64, RunOwner>,
    /// Something visible changed since the last frame.
    pub dirty: bool,
    /// Pinned command watches, in the order pinned.
    pub watches: Vec<watches::CommandWatch>,
    /// What the timeline overlay shows.
    pub timeline_filter: TimelineFilter,
    /// On a recording: nothing acts, the replay keys move the clock.
    replay_mode: bool,
    /// Where the replay is (its last clock).
    pub replay: Option<crate::sources::ReplayClock>,
    /// A resource to select once a replay's jump has landed.
    pending_select: Option<String>,
    /// The AWS contexts watched, when there are several.
    pub contexts: Vec<ContextView>,
    /// `c`: the one context the cockpit is narrowed to.
    pub context_filter: Option<u16>,
    /// Log lines delivered in this batch, ingested in time order when it settles.
    pub(super) pending_logs: Vec<crate::model::LogEvent>,
}

/// The timeline's filter: everything, what the system did, or what operators did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimelineFilter {
    #[default]
    All,
    Events,
    Actions,
}

impl TimelineFilter {
    pub fn next(self) -> Self {
        match self {
            TimelineFilter::All => TimelineFilter::Events,
            TimelineFilter::Events => TimelineFilter::Actions,
            TimelineFilter::Actions => TimelineFilter::All,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TimelineFilter::All => "all",
            TimelineFilter::Events => "events",
            TimelineFilter::Actions => "actions",
        }
    }

    pub fn keeps(self, e: &crate::journal::Entry) -> bool {
        let event = e.kind == crate::journal::Kind::Event;
        match self {
            TimelineFilter::All => true,
            TimelineFilter::Events => event,
            TimelineFilter::Actions => !event,
        }
    }
}

impl App {
    pub fn new(info: &SourceInfo, config: AppConfig, now_ms: i64) -> App {
        let mut app = App {
            now_ms,
            focus: Pane::Services,
            zoomed: false,
            procedure_full: false,
            overlays: Vec::new(),
            services: Default::default(),
            metrics: Default::default(),
            alarms: Default::default(),
            logs: logs::LogsState::new(config.log_capacity.max(1)),
            feeds: Feeds::new(&info.feeds, config.contexts.len()),
            source_label: info.label.clone(),
            size: (80, 24),
            recent: Vec::new(),
            read_only: config.read_only,
            confirm_read: config.confirm_read,
            read_only_role: config.read_only_role,
            read_only_label: config.read_only_label,
            toast: None,
            journal_ctx: config.journal_ctx,
            session: Session {
                values: config.values,
                ..Session::default()
            },
            demo: config.demo,
            timeline: Default::default(),
            source_notes: Vec::new(),
            load_errors: config.load_errors.into_iter().map(clean).collect(),
            aws_env: config.aws_env,
            insights: None,
            next_action: 1,
            pending: Default::default(),
            pending_ctx: Default::default(),
            verifications: Vec::new(),
            command_checks: Vec::new(),
            mutation_runs: Default::default(),
            run_owners: Default::default(),
            dirty: true,
            watches: Vec::new(),
            timeline_filter: TimelineFilter::All,
            replay_mode: config.replay,
            replay: None,
            pending_select: None,
            contexts: config.contexts,
            context_filter: None,
            pending_logs: Vec::new(),
        };
        for rb in config.runbooks {
            app.add_runbook(rb);
        }
        for c in config.command_watches {
            app.watch_command(&c);
        }
        if let Some(first) = app.load_errors.first() {
            let more = match app.load_errors.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            app.toast = Some((
                format!("not loaded: {first}{more}; the other runbooks are"),
                crate::model::Health::Warn,
            ));
        }
        app
    }

    /// The keymap mode: the top overlay's, else the focused pane's.
    pub fn mode(&self) -> Mode {
        self.overlays
            .last()
            .map_or_else(|| self.focus.mode(), Overlay::mode)
    }

    /// What a key does now: the action the keymap binds in the active mode, else, in a
    /// text field, the character it types. The event loop and the tests both come here.
    pub fn key(
        &self,
        keymap: &crate::config::Keymap,
        key: crate::config::keys::KeyCombo,
    ) -> Option<Msg> {
        let mode = self.mode();
        // On a recording the replay keys come first while no overlay is open.
        if self.replay_mode
            && self.overlays.is_empty()
            && let Some(a) = keymap.action(Mode::Replay, key)
        {
            return Some(Msg::Action(a));
        }
        if let Some(a) = keymap.action(mode, key) {
            return Some(Msg::Action(a));
        }
        if !mode.text_entry() {
            return None;
        }
        if let Some(c) = key.typed_char() {
            return Some(Msg::Input(InputKey::Char(c)));
        }
        (key == crate::config::keys::KeyCombo::parse("backspace").ok()?)
            .then_some(Msg::Input(InputKey::Backspace))
    }

    fn entry(&self, kind: crate::journal::Kind, what: String) -> Effect {
        let now = chrono::DateTime::from_timestamp_millis(self.now_ms).unwrap_or_default();
        Effect::Journal(Box::new(self.journal_ctx.entry(kind, what, now)))
    }

    /// An entry about something done in one context: its profile, region and account (and
    /// its label in `context`) instead of the session's, when several are watched.
    fn entry_in(&self, ctx: Option<u16>, kind: crate::journal::Kind, what: String) -> Effect {
        let mut fx = self.entry(kind, what);
        if let (Effect::Journal(e), Some(c)) = (
            &mut fx,
            ctx.filter(|_| self.multi_context())
                .and_then(|c| self.contexts.get(c as usize)),
        ) {
            e.profile = c.profile.clone();
            e.region = c.region.clone();
            e.account = c.account.clone();
            e.context = Some(c.label.clone());
        }
        fx
    }

    /// Rows of a pane's body, from the same layout the view uses.
    fn page(&self, pane: Pane) -> usize {
        let area = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
        let areas = layout::compute(area, self);
        areas
            .get(pane)
            .map_or(10, |r| r.height.saturating_sub(2).max(1) as usize)
    }

    /// Adds a runbook to the palette; its secret placeholders' defaults are secrets from now
    /// on (masked in the procedure view, copies and the journal), and its `{watch=…}` read
    /// steps are pinned (a step that cannot be watched is reported, not run).
    pub fn add_runbook(&mut self, rb: LoadedRunbook) {
        let path = rb.path.clone();
        let mut pins = Vec::new();
        for p in &rb.runbook.procedures {
            for s in p.steps.iter().chain(p.steps.iter().flat_map(|s| &s.parts)) {
                if let Some(every) = &s.attributes.watch {
                    pins.push((p.clone(), s.clone(), every.clone()));
                }
            }
        }
        self.session.add_runbook(rb);
        for (p, s, every) in pins {
            let values = self.values_for(&path, &s);
            let run = crate::exec::prepare(&path, &p, &s, &values, &self.aws_env, &self.policy());
            let interval = watches::parse_interval(&every);
            match (watches::refusal(&run), interval) {
                (None, Some(ms)) => {
                    let key = format!("{path}#{}", run.step_id);
                    let name = run.title.clone();
                    let w = watches::CommandWatch::new(key, name, run, ms, self.now_ms);
                    self.add_watch(w);
                }
                (Some(why), _) => self
                    .load_errors
                    .push(format!("{path}: {{watch={every}}}: {why}")),
                (None, None) => self.load_errors.push(format!(
                    "{path}: `{}` {{watch={every}}}: not an interval (30s, 2m, 1h)",
                    s.title
                )),
            }
        }
    }

    /// The values a step's placeholders have now: typed this session, remembered, defaults.
    pub(crate) fn values_for(
        &self,
        path: &str,
        step: &crate::runbook::Step,
    ) -> std::collections::BTreeMap<String, String> {
        step.placeholders
            .iter()
            .filter_map(|ph| {
                self.session
                    .values
                    .get(&(path.to_string(), ph.name.clone()))
                    .cloned()
                    .or_else(|| ph.default.clone())
                    .map(|v| (ph.name.clone(), v))
            })
            .collect()
    }

    /// What this session allows: read-only, confirm_read, the read-only role.
    pub fn policy(&self) -> crate::exec::Policy {
        crate::exec::Policy {
            read_only: self.read_only,
            confirm_read: self.confirm_read,
            read_only_role: self.read_only_role.clone(),
            box_unrated: false,
        }
    }

    /// Steps still running.
    pub fn running(&self) -> usize {
        self.session.running()
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let fx = self.update_deferred(msg);
        self.settle();
        fx
    }

    /// Several messages, the derived views settled once at the end (what the event loop
    /// does with a batch).
    pub fn update_batch(&mut self, msgs: impl IntoIterator<Item = Msg>) -> Vec<Effect> {
        let mut fx = Vec::new();
        for m in msgs {
            fx.extend(self.update_deferred(m));
        }
        self.settle();
        fx
    }

    /// Rebuilds what deliveries left stale (the sorted rows): once per batch, before a
    /// frame.
    pub fn settle(&mut self) {
        self.services.settle();
        if !self.pending_logs.is_empty() {
            // Each context's lines come in time order; a batch holds several contexts'
            // (or one context's several groups): merged by time, each stream's order kept.
            let mut lines = std::mem::take(&mut self.pending_logs);
            lines.sort_by_key(|l| l.time_ms);
            self.logs.ingest(lines);
        }
    }

    /// [`Self::update`] without settling after a source's delivery: the event loop settles
    /// once per batch. A key, click or tick settles first, so it acts on current rows.
    pub fn update_deferred(&mut self, msg: Msg) -> Vec<Effect> {
        if !matches!(msg, Msg::Source(_)) {
            self.settle();
        }
        let mut fx = self.update_inner(msg);
        if self.replay_mode {
            // A replay never acts and never writes the journal: its timeline is the
            // recording's. Whatever asked for it (a path not closed above) goes nowhere.
            fx.retain(|e| {
                !matches!(
                    e,
                    Effect::Journal(_)
                        | Effect::RunStep { .. }
                        | Effect::SaveValues(_)
                        | Effect::Command(crate::sources::SourceCommand::Mutate { .. })
                )
            });
        }
        // Nothing leaves the cockpit with a secret in it: journal entries and clipboard
        // copies are masked here, once, whatever produced them.
        for e in &mut fx {
            match e {
                Effect::Journal(entry) => {
                    entry.what = self.session.secrets.scrub(&entry.what);
                    entry.output = entry
                        .output
                        .as_deref()
                        .map(|o| self.session.secrets.scrub(o));
                    self.timeline.push((**entry).clone());
                }
                Effect::Copy(text) => *text = self.session.secrets.scrub(text),
                _ => {}
            }
        }
        fx
    }

    fn update_inner(&mut self, msg: Msg) -> Vec<Effect> {
        let mut fx = Vec::new();
        match msg {
            Msg::Tick { now_ms } => {
                // On a recording, time is the replay's (its clock payloads).
                if !self.replay_mode {
                    self.now_ms = now_ms;
                }
                self.tick_watches(&mut fx);
                self.tick_command_checks(&mut fx);
                self.check_verifications(&mut fx);
            }
            Msg::Resize { width, height } => self.size = (width, height),
            Msg::Source(ev) => {
                if let Payload::ActionResult { id, result } = &ev.payload {
                    self.action_result(*id, result.clone(), &mut fx);
                }
                self.apply_source(ev, &mut fx);
                self.check_verifications(&mut fx);
            }
            Msg::Input(key) => self.input(key, &mut fx),
            Msg::Scroll { pane, lines } => self.scroll(pane, lines),
            Msg::Run(ev) => {
                let id = ev.id();
                let owner = if matches!(ev, crate::exec::RunEvent::Finished { .. }) {
                    self.run_owners.remove(&id)
                } else {
                    self.run_owners.get(&id).copied()
                };
                match owner {
                    Some(RunOwner::Watch) => self.watch_event(&ev),
                    Some(RunOwner::Check) => self.command_check_event(&ev, &mut fx),
                    Some(RunOwner::Step) => self.run_event(ev, &mut fx),
                    // Not started by this app (a run from before a reset): nobody's.
                    None => {}
                }
            }
            Msg::Click { pane } => self.focus = pane,
            Msg::Action(a) => self.action(a, &mut fx),
        }
        self.dirty = true;
        fx
    }

    /// Journals the changes between two deliveries, once each.
    fn system_events(&self, ctx: u16, events: Vec<events::SysEvent>, fx: &mut Vec<Effect>) {
        for e in events {
            let mut entry = self.entry_in(Some(ctx), crate::journal::Kind::Event, e.what);
            if let Effect::Journal(j) = &mut entry {
                j.resource = Some(e.resource);
                j.before = Some(e.before);
                j.after = Some(e.after);
            }
            fx.push(entry);
        }
    }

    /// A context finished connecting: its account and region (from STS and the profile:
    /// cleaned like outside text) and its steps' environment replace what was known before. What was known stays where the
    /// connection could not tell (no answer from STS).
    fn context_connected(&mut self, ctx: u16, info: crate::sources::ContextInfo) {
        let Some(c) = self.contexts.get_mut(ctx as usize) else {
            return;
        };
        if let Some(a) = info.account {
            c.account = Some(clean(a));
        }
        if let Some(r) = info.region {
            c.region = Some(clean(r));
        }
        // What a step gets to act on the context, and nothing else: a recording's replayed
        // `Connected` is outside text, and a step's environment is no place for it.
        c.env = info
            .env
            .into_iter()
            .filter(|(k, _)| {
                matches!(
                    k.as_str(),
                    "AWS_PROFILE" | "AWS_REGION" | "AWS_DEFAULT_REGION" | "AWS_ENDPOINT_URL"
                )
            })
            .collect();
        if ctx == 0 {
            self.journal_ctx.account = self.journal_ctx.account.take().or(c.account.clone());
            self.journal_ctx.region = self.journal_ctx.region.take().or(c.region.clone());
        }
    }

    fn apply_source(&mut self, ev: SourceEvent, fx: &mut Vec<Effect>) {
        let at = ev.at_ms;
        match ev.payload {
            Payload::Replay(c) => return self.replay_clock(c),
            Payload::Reset => return self.reset_data(),
            Payload::Connected(info) => return self.context_connected(ev.ctx, info),
            Payload::Journal(entries) => {
                // A recording is a file like any other: its entries are outside text.
                for mut e in entries {
                    clean_all(&mut e);
                    self.timeline.push(e);
                }
                return;
            }
            _ => {}
        }
        // A feed going into error, and coming back, is an event too (once each).
        let id = ev.feed_id();
        let was_failing = self.feeds.get(id).is_some_and(|f| f.error.is_some());
        let shown = self.feed_name(id);
        let name = shown.as_str();
        let label = self.context_tag(ev.ctx);
        match ev.payload {
            Payload::Error(message) => {
                let message = clean(message);
                if !was_failing {
                    self.system_events(
                        ev.ctx,
                        vec![events::SysEvent {
                            resource: format!("feed {name}"),
                            before: "ok".into(),
                            after: "failing".into(),
                            what: format!("feed {name} failing: {message}"),
                        }],
                        fx,
                    );
                }
                self.feeds.failed(id, message);
                // Rows listed but never described are not data: the pane shows the error.
                self.services.drop_loading(id);
                return;
            }
            _ if was_failing && !matches!(ev.payload, Payload::Note(_)) => {
                self.system_events(
                    ev.ctx,
                    vec![events::SysEvent {
                        resource: format!("feed {name}"),
                        before: "failing".into(),
                        after: "ok".into(),
                        what: format!("feed {name} recovered"),
                    }],
                    fx,
                );
            }
            _ => {}
        }
        match ev.payload {
            Payload::Error(_)
            | Payload::Replay(_)
            | Payload::Reset
            | Payload::Journal(_)
            | Payload::Connected(_) => {
                return;
            }
            Payload::Services(rows) => {
                let series = &self.metrics.series;
                let rows: Vec<crate::model::Resource> = rows
                    .into_iter()
                    .map(clean_service)
                    .map(|mut r| {
                        if label.is_some() {
                            r.context = label.clone();
                        }
                        if r.rated() {
                            r.source_rating = None;
                            r.rate_by_metrics(series);
                        }
                        r
                    })
                    .collect();
                if self.services.has_feed(id) {
                    let changes = events::diff_resources(self.services.feed_rows(id), &rows);
                    self.system_events(ev.ctx, changes, fx);
                }
                // Rows still loading are painted, but the feed has not delivered yet.
                let loading = rows.iter().any(|r| r.loading);
                self.services.set_feed(id, rows);
                if loading {
                    return;
                }
            }
            Payload::MetricSeries(series) => {
                self.metrics.replace_context(
                    label.as_deref(),
                    series
                        .into_iter()
                        .map(|mut m| {
                            m.label = match &label {
                                Some(l) => format!("{l} · {}", clean(m.label)),
                                None => clean(m.label),
                            };
                            m.context = label.clone();
                            m
                        })
                        .collect(),
                );
                self.services.rate(&self.metrics.series);
            }
            Payload::MetricPoints(points) => {
                self.metrics
                    .add_context_points(label.as_deref(), points, at.max(self.now_ms));
                self.services.rate(&self.metrics.series);
            }
            Payload::Alarms(alarms) => {
                let alarms: Vec<crate::model::Alarm> = alarms
                    .into_iter()
                    .map(|mut a| {
                        a.name = match &label {
                            Some(l) => format!("{l}/{}", clean(a.name)),
                            None => clean(a.name),
                        };
                        a.state = clean(a.state);
                        a.reason = a.reason.map(clean);
                        a.context = label.clone();
                        a
                    })
                    .collect();
                let before: Vec<crate::model::Alarm> = self
                    .alarms
                    .alarms
                    .iter()
                    .filter(|a| a.context == label)
                    .cloned()
                    .collect();
                let changes = events::diff_alarms(&before, &alarms);
                self.system_events(ev.ctx, changes, fx);
                let mut all: Vec<crate::model::Alarm> = std::mem::take(&mut self.alarms.alarms)
                    .into_iter()
                    .filter(|a| a.context != label)
                    .collect();
                all.extend(alarms);
                self.alarms.replace(all)
            }
            // Held until the batch settles, so several contexts' lines interleave by time.
            Payload::Logs(events) => self.pending_logs.extend(tag_logs(&label, events)),
            Payload::LogsPartial { events, error } => {
                self.pending_logs.extend(tag_logs(&label, events));
                self.feeds.ok(id, at);
                self.feeds.failed(id, clean(error));
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
                self.insights_result(query, result);
                return;
            }
        }
        self.feeds.ok(id, at);
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
}

/// A context's log lines: its label before the group (`staging:/ecs/api`; `:` never occurs
/// in a log group's name).
fn tag_logs(
    label: &Option<String>,
    mut events: Vec<crate::model::LogEvent>,
) -> Vec<crate::model::LogEvent> {
    if let Some(l) = label {
        for e in &mut events {
            e.group = std::sync::Arc::from(format!("{l}:{}", e.group));
        }
    }
    events
}

/// Every string from a source is outside text: neutralise escapes and mask secrets once, at
/// the boundary, so no view can forget to.
fn clean(s: String) -> String {
    crate::redact::redact_owned(crate::sanitize::sanitize_owned(s))
}

fn clean_service(mut s: crate::model::Resource) -> crate::model::Resource {
    s.id = clean(s.id);
    s.name = clean(s.name);
    s.context = s.context.map(clean);
    s.status = clean(s.status);
    s.detail = clean_detail(s.detail);
    s
}

/// Cleans every string of a detail, whatever its kind and fields: through its JSON form, so
/// neither a kind nor a field added to one can be forgotten here.
fn clean_detail(d: crate::model::Detail) -> crate::model::Detail {
    let kind = d.kind();
    match serde_json::to_value(&d) {
        Ok(mut v) => {
            clean_json(&mut v);
            crate::model::Detail::from_json(kind, v).unwrap_or(d)
        }
        Err(_) => d,
    }
}

fn clean_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => *s = clean(std::mem::take(s)),
        serde_json::Value::Array(a) => a.iter_mut().for_each(clean_json),
        serde_json::Value::Object(o) => o.values_mut().for_each(clean_json),
        _ => {}
    }
}

/// Cleans every string of a value, whatever its fields, through its JSON form.
fn clean_all<T: serde::Serialize + serde::de::DeserializeOwned>(d: &mut T) {
    if let Ok(mut v) = serde_json::to_value(&*d) {
        clean_json(&mut v);
        if let Ok(x) = serde_json::from_value(v) {
            *d = x;
        }
    }
}

#[cfg(test)]
mod tests;
