//! The select loop: terminal events, source events (drained in batches), run events, a 1 s
//! tick and signals, all feeding the pure `App::update`; redraws only when something
//! changed, at most once per frame interval. What `update` asks for is carried out by the
//! [`Effects`] runner.

use crate::app::{App, Effect, Msg};
use crate::config::keys::KeyCombo;
use crate::config::{Keymap, Theme};
use crate::exec::{CancelReason, RoleSource, RunEvent, RunHandle, Signal};
use crate::sources::{COMMAND_CHANNEL, DataSource, EVENT_CHANNEL, SourceCommand};
use crate::tui::{self, Term};
use crate::ui;
use crossterm::event::{Event, EventStream, KeyEventKind, MouseEventKind};
use futures::StreamExt;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

pub const FRAME: Duration = Duration::from_millis(16);
const BATCH: usize = 512;
/// Every this many one-second ticks the heap's free pages go back to the system.
const TRIM_EVERY_TICKS: u64 = 30;
/// How long steps get to end after a cancel when opsdeck stops (SIGINT, SIGTERM, SIGKILL
/// escalation takes at most two grace periods).
const SHUTDOWN_WAIT: Duration = Duration::from_secs(10);

pub struct Options {
    /// Where remembered placeholder values are saved (`values.json` in the state dir).
    pub values_file: Option<std::path::PathBuf>,
    /// Where journal effects are appended; `None` keeps no journal.
    pub journal: Option<crate::journal::Journal>,
    /// Quit after this many frames (startup measurements).
    pub exit_after_frames: Option<u64>,
    /// Panic after this many frames (proves the panic hook restores the terminal).
    pub panic_after_frames: Option<u64>,
    /// Each context's read-only credentials for the box (the read-only role, else minted).
    pub roles: Vec<RoleSource>,
    /// `[sandbox]`: the box's settings.
    pub sandbox: crate::sandbox::Settings,
    /// Where the session is recorded (`--record`, `record = true`).
    pub recorder: Option<crate::sources::recording::Recorder>,
}

pub use crate::clock::now_ms;

/// How the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Quit,
    Signal(Signal),
    /// The terminal went away (its input closed).
    TerminalClosed,
    FramesDone,
}

impl Exit {
    /// Why running steps are cancelled when the loop ends this way.
    pub fn cancel_reason(self) -> CancelReason {
        match self {
            Exit::Signal(s) => CancelReason::Signal(s),
            Exit::TerminalClosed => CancelReason::Signal(Signal::Hup),
            Exit::Quit | Exit::FramesDone => CancelReason::Quit,
        }
    }

    /// The process exit code: 128 + signal when a signal ended it.
    pub fn code(self) -> i32 {
        match self {
            Exit::Signal(s) => s.exit_code(),
            Exit::TerminalClosed => Signal::Hup.exit_code(),
            Exit::Quit | Exit::FramesDone => 0,
        }
    }
}

/// Carries out effects: journal writes, steps, source commands, clipboard, terminal.
pub struct Effects {
    journal: Option<crate::journal::Journal>,
    recorder: Option<crate::sources::recording::Recorder>,
    values_file: Option<std::path::PathBuf>,
    roles: Vec<RoleSource>,
    sandbox: crate::sandbox::Settings,
    runs: HashMap<u64, RunHandle>,
    run_tx: mpsc::Sender<RunEvent>,
    cmd_tx: mpsc::Sender<SourceCommand>,
}

impl Effects {
    fn new(
        opts: &mut Options,
        run_tx: mpsc::Sender<RunEvent>,
        cmd_tx: mpsc::Sender<SourceCommand>,
    ) -> Effects {
        Effects {
            journal: opts.journal.take(),
            recorder: opts.recorder.take(),
            values_file: opts.values_file.take(),
            roles: std::mem::take(&mut opts.roles),
            sandbox: opts.sandbox.clone(),
            runs: HashMap::new(),
            run_tx,
            cmd_tx,
        }
    }

    fn journal(&mut self, entry: crate::journal::Entry) {
        if let Some(r) = self.recorder.as_mut() {
            r.journal(now_ms(), &entry);
        }
        if let Some(j) = self.journal.as_mut()
            && let Err(e) = j.append(entry)
        {
            tracing::error!("journal {}: {e}", j.path().display());
        }
    }

    /// One effect. `Quit` ends the loop; an interactive step's end comes back on `queue`.
    fn apply(
        &mut self,
        fx: Effect,
        term: &mut Term,
        app: &mut App,
        queue: &mut VecDeque<Msg>,
    ) -> anyhow::Result<Option<Exit>> {
        // Long on purpose: one arm per effect.
        match fx {
            Effect::Quit => return Ok(Some(Exit::Quit)),
            Effect::Suspend => {
                tui::suspend(term)?;
                app.dirty = true;
            }
            Effect::Repaint => {
                term.clear()?;
                app.dirty = true;
            }
            Effect::Journal(entry) => self.journal(*entry),
            Effect::RunStep { id, run } => {
                let crate::exec::Prepared {
                    script,
                    env,
                    secrets,
                    timeout,
                    interactive,
                    read_only_role,
                    boxed,
                    hide_output,
                    ctx,
                    ..
                } = *run;
                let mut spec = crate::exec::RunSpec {
                    id,
                    script,
                    env,
                    env_remove: Vec::new(),
                    timeout,
                    grace: Duration::from_secs(3),
                    secrets,
                    boxed,
                    sandbox: self.sandbox.clone(),
                    hide_output,
                };
                // A step meant to run under the read-only role never runs without it.
                // The box of a context gets that context's read-only credentials.
                let role = self.roles.get(ctx as usize).or(self.roles.first()).cloned();
                if let (Some(arn), None) = (&read_only_role, &role) {
                    let status = crate::exec::RunStatus::FailedToStart(format!(
                        "the read-only role {arn} is not available (no AWS connection)"
                    ));
                    queue.push_back(Msg::Run(RunEvent::Finished {
                        id,
                        status,
                        elapsed: Duration::ZERO,
                    }));
                    return Ok(None);
                }
                if interactive {
                    let started = Instant::now();
                    let status = tokio::task::block_in_place(|| {
                        let got = tokio::runtime::Handle::current()
                            .block_on(spec.box_credentials(role.as_ref()));
                        if let Err(e) = got {
                            return Ok(crate::exec::RunStatus::FailedToStart(e));
                        }
                        tui::run_in_terminal(term, &spec)
                    })?;
                    queue.push_back(Msg::Run(RunEvent::Finished {
                        id,
                        status,
                        elapsed: started.elapsed(),
                    }));
                    app.dirty = true;
                } else {
                    self.runs.insert(
                        id,
                        crate::exec::runner::spawn_as(spec, role, self.run_tx.clone()),
                    );
                }
            }
            Effect::SaveValues(values) => {
                if let Some(path) = &self.values_file
                    && let Err(e) = crate::state::save_values(path, &values)
                {
                    tracing::warn!("cannot save {}: {e}", path.display());
                }
            }
            Effect::CancelRun(id) => {
                if let Some(h) = self.runs.get_mut(&id) {
                    h.cancel(CancelReason::Operator);
                }
            }
            Effect::Copy(text) => {
                use base64::Engine;
                use std::io::Write;
                // OSC 52: the terminal (local, through SSH and tmux) sets its clipboard.
                let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
                let w = term.backend_mut();
                let _ = write!(w, "\x1b]52;c;{b64}\x07");
                let _ = w.flush();
            }
            Effect::Command(c) => {
                if self.cmd_tx.try_send(c).is_err() {
                    tracing::warn!("source command channel full; command dropped");
                }
            }
        }
        Ok(None)
    }

    /// A run ended: its handle is no longer needed.
    fn finished(&mut self, ev: &RunEvent) {
        if let RunEvent::Finished { id, .. } = ev {
            self.runs.remove(id);
        }
    }

    /// Nothing started here outlives the cockpit: every running step is cancelled (its group
    /// killed), and its end goes through `update` so the journal records it with the reason.
    async fn shutdown(
        &mut self,
        reason: CancelReason,
        app: &mut App,
        run_rx: &mut mpsc::Receiver<RunEvent>,
    ) {
        for h in self.runs.values_mut() {
            h.cancel(reason);
        }
        let deadline = tokio::time::Instant::now() + SHUTDOWN_WAIT;
        while !self.runs.is_empty() {
            let Ok(Some(ev)) = tokio::time::timeout_at(deadline, run_rx.recv()).await else {
                break;
            };
            self.finished(&ev);
            for fx in app.update(Msg::Run(ev)) {
                if let Effect::Journal(entry) = fx {
                    self.journal(*entry);
                }
            }
        }
    }
}

pub async fn run(
    term: &mut Term,
    app: &mut App,
    source: Box<dyn DataSource>,
    keymap: &Keymap,
    theme: &Theme,
    mut opts: Options,
) -> anyhow::Result<Exit> {
    // Long on purpose: the select loop and its setup; effects are in `Effects`.
    let (tx, mut rx) = mpsc::channel(EVENT_CHANNEL);
    let (cmd_tx, cmd_rx) = mpsc::channel(COMMAND_CHANNEL);
    let source_task = source.start(tx, cmd_rx);
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut ticks: u64 = 0;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    // In raw mode Ctrl-C is a key; SIGINT only comes from `kill`, and must not kill opsdeck
    // without its steps.
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut batch = Vec::with_capacity(BATCH);
    let (run_tx, mut run_rx) = mpsc::channel::<RunEvent>(EVENT_CHANNEL);
    let mut run_batch = Vec::with_capacity(BATCH);
    let mut effects = Effects::new(&mut opts, run_tx, cmd_tx);
    let mut last_draw: Option<Instant> = None;
    let mut frames = 0u64;
    let mut source_open = true;
    let size = term.size()?;
    app.update(Msg::Resize {
        width: size.width,
        height: size.height,
    });

    let mut last_focus: Option<(u16, String)> = None;
    let exit = 'outer: loop {
        let due = last_draw.is_none_or(|t| t.elapsed() >= FRAME);
        if app.dirty && due {
            term.draw(|f| ui::render(f, app, theme, keymap))?;
            app.dirty = false;
            last_draw = Some(Instant::now());
            frames += 1;
            if opts.exit_after_frames.is_some_and(|n| frames >= n) {
                break Exit::FramesDone;
            }
            if opts.panic_after_frames.is_some_and(|n| frames >= n) {
                panic!("deliberate panic after {frames} frames (--panic-after-frames)");
            }
        }
        let next_draw = last_draw.map_or_else(tokio::time::Instant::now, |t| (t + FRAME).into());
        let mut msgs = Vec::new();
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => {
                    if let Some(m) = terminal_msg(&ev, app, keymap) {
                        msgs.push(m);
                    }
                }
                Some(Err(e)) => tracing::warn!("terminal event error: {e}"),
                None => break 'outer Exit::TerminalClosed,
            },
            n = rx.recv_many(&mut batch, BATCH), if source_open => {
                if n == 0 {
                    source_open = false;
                    tracing::warn!("data source stopped");
                }
                if let Some(r) = effects.recorder.as_mut() {
                    let t = now_ms();
                    let scrub = |s: &str| app.session.secrets.scrub(s);
                    for ev in &batch {
                        r.event(t, ev, &scrub);
                    }
                }
                msgs.extend(batch.drain(..).map(Msg::Source));
            }
            _ = run_rx.recv_many(&mut run_batch, BATCH) => {
                for ev in run_batch.drain(..) {
                    effects.finished(&ev);
                    msgs.push(Msg::Run(ev));
                }
            }
            _ = tick.tick() => {
                if let Some(r) = effects.recorder.as_mut() {
                    r.tick();
                }
                ticks += 1;
                if ticks.is_multiple_of(TRIM_EVERY_TICKS) {
                    crate::sys::trim_heap();
                }
                msgs.push(Msg::Tick { now_ms: now_ms() });
            }
            _ = sigterm.recv() => break 'outer Exit::Signal(Signal::Term),
            _ = sighup.recv() => break 'outer Exit::Signal(Signal::Hup),
            _ = sigint.recv() => break 'outer Exit::Signal(Signal::Int),
            _ = tokio::time::sleep_until(next_draw), if app.dirty => {}
        }
        // A queue, so messages produced while handling effects (an interactive step's end)
        // go through the same path as everything else.
        let mut queue: VecDeque<Msg> = msgs.into();
        while let Some(m) = queue.pop_front() {
            for fx in app.update_deferred(m) {
                if let Some(exit) = effects.apply(fx, term, app, &mut queue)? {
                    break 'outer exit;
                }
            }
        }
        app.settle();
        // The selected row, told to its source (which keeps it fresh) when it changes.
        let focus = app
            .services
            .selected_row()
            .map(|r| (app.context_of(Some(r)), r.id.clone()));
        if focus != last_focus {
            if let Some((ctx, id)) = focus.clone() {
                // Best effort: a full queue only delays freshness.
                let _ = effects.cmd_tx.try_send(SourceCommand::Focus { ctx, id });
            }
            last_focus = focus;
        }
    };
    effects
        .shutdown(exit.cancel_reason(), app, &mut run_rx)
        .await;
    if let Some(r) = effects.recorder.take() {
        r.finish();
    }
    source_task.abort();
    Ok(exit)
}

fn terminal_msg(ev: &Event, app: &App, keymap: &Keymap) -> Option<Msg> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => {
            app.key(keymap, KeyCombo::from_event(k)?)
        }
        Event::Resize(w, h) => Some(Msg::Resize {
            width: *w,
            height: *h,
        }),
        Event::Mouse(m) => {
            let area = ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1);
            let pane = crate::app::layout::compute(area, app).pane_at(m.column, m.row)?;
            match m.kind {
                MouseEventKind::ScrollUp => Some(Msg::Scroll { pane, lines: -3 }),
                MouseEventKind::ScrollDown => Some(Msg::Scroll { pane, lines: 3 }),
                MouseEventKind::Down(_) => Some(Msg::Click { pane }),
                _ => None,
            }
        }
        _ => None,
    }
}
