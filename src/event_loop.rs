//! The select loop: terminal events, source events (drained in batches), a 1 s tick and
//! signals, all feeding the pure `App::update`; redraws only when something changed, at
//! most once per frame interval.

use crate::app::{App, Effect, InputKey, Msg};
use crate::config::keys::KeyCombo;
use crate::config::{Keymap, Theme};
use crate::sources::{COMMAND_CHANNEL, DataSource, EVENT_CHANNEL};
use crate::tui::{self, Term};
use crate::ui;
use crossterm::event::{
    Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind,
};
use futures::StreamExt;
use std::time::{Duration, Instant};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

pub const FRAME: Duration = Duration::from_millis(16);
const BATCH: usize = 512;

pub struct Options {
    /// Where remembered placeholder values are saved (`values.json` in the state dir).
    pub values_file: Option<std::path::PathBuf>,
    /// Where journal effects are appended; `None` keeps no journal.
    pub journal: Option<crate::journal::Journal>,
    /// Quit after this many frames (startup measurements).
    pub exit_after_frames: Option<u64>,
    /// Panic after this many frames (proves the panic hook restores the terminal).
    pub panic_after_frames: Option<u64>,
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// How the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Quit,
    Signal(&'static str),
    FramesDone,
}

pub async fn run(
    term: &mut Term,
    app: &mut App,
    source: Box<dyn DataSource>,
    keymap: &Keymap,
    theme: &Theme,
    mut opts: Options,
) -> anyhow::Result<Exit> {
    let (tx, mut rx) = mpsc::channel(EVENT_CHANNEL);
    let (cmd_tx, cmd_rx) = mpsc::channel(COMMAND_CHANNEL);
    let source_task = source.start(tx, cmd_rx);
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut batch = Vec::with_capacity(BATCH);
    let (run_tx, mut run_rx) = mpsc::channel::<crate::exec::RunEvent>(EVENT_CHANNEL);
    let mut run_batch = Vec::with_capacity(BATCH);
    let mut runs: std::collections::HashMap<u64, crate::exec::RunHandle> =
        std::collections::HashMap::new();
    let mut last_draw: Option<Instant> = None;
    let mut frames = 0u64;
    let mut source_open = true;
    let size = term.size()?;
    app.update(Msg::Resize {
        width: size.width,
        height: size.height,
    });

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
                None => break 'outer Exit::Signal("stdin closed"),
            },
            n = rx.recv_many(&mut batch, BATCH), if source_open => {
                if n == 0 {
                    source_open = false;
                    tracing::warn!("data source stopped");
                }
                msgs.extend(batch.drain(..).map(Msg::Source));
            }
            _ = run_rx.recv_many(&mut run_batch, BATCH) => {
                for ev in run_batch.drain(..) {
                    if let crate::exec::RunEvent::Finished { id, .. } = &ev {
                        runs.remove(id);
                    }
                    msgs.push(Msg::Run(ev));
                }
            }
            _ = tick.tick() => msgs.push(Msg::Tick { now_ms: now_ms() }),
            _ = sigterm.recv() => break 'outer Exit::Signal("SIGTERM"),
            _ = sighup.recv() => break 'outer Exit::Signal("SIGHUP"),
            _ = tokio::time::sleep_until(next_draw), if app.dirty => {}
        }
        // A queue, so messages produced while handling effects (an interactive step's end)
        // go through the same path as everything else.
        let mut queue: std::collections::VecDeque<Msg> = msgs.into();
        while let Some(m) = queue.pop_front() {
            for fx in app.update(m) {
                match fx {
                    Effect::Quit => break 'outer Exit::Quit,
                    Effect::Suspend => {
                        tui::suspend(term)?;
                        app.dirty = true;
                    }
                    Effect::Repaint => {
                        term.clear()?;
                        app.dirty = true;
                    }
                    Effect::Mutate { id, mutation } => {
                        if cmd_tx
                            .try_send(crate::sources::SourceCommand::Mutate { id, mutation })
                            .is_err()
                        {
                            tracing::warn!("source command channel full; action {id} dropped");
                        }
                    }
                    Effect::Journal(entry) => {
                        if let Some(j) = opts.journal.as_mut()
                            && let Err(e) = j.append(*entry)
                        {
                            tracing::error!("journal {}: {e}", j.path().display());
                        }
                    }
                    Effect::RunStep {
                        id,
                        script,
                        env,
                        interactive: true,
                        ..
                    } => {
                        // The TUI steps aside; the command gets the real terminal.
                        let started = Instant::now();
                        let status = tokio::task::block_in_place(|| {
                            tui::run_in_terminal(term, &script, &env)
                        })?;
                        queue.push_back(Msg::Run(crate::exec::RunEvent::Finished {
                            id,
                            status,
                            elapsed: started.elapsed(),
                        }));
                        app.dirty = true;
                    }
                    Effect::RunStep {
                        id,
                        script,
                        env,
                        timeout_secs,
                        interactive: false,
                    } => {
                        let spec = crate::exec::RunSpec {
                            id,
                            script,
                            env,
                            timeout: timeout_secs.map(Duration::from_secs),
                            grace: Duration::from_secs(3),
                        };
                        runs.insert(id, crate::exec::spawn(spec, run_tx.clone()));
                    }
                    Effect::SaveValues(values) => {
                        if let Some(path) = &opts.values_file
                            && let Err(e) = crate::app::procedure::save_values(path, &values)
                        {
                            tracing::warn!("cannot save {}: {e}", path.display());
                        }
                    }
                    Effect::CancelRun(id) => {
                        if let Some(h) = runs.get_mut(&id) {
                            h.cancel();
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
                        if cmd_tx.try_send(c).is_err() {
                            tracing::warn!("source command channel full; command dropped");
                        }
                    }
                }
            }
        }
    };
    // Nothing started here outlives the cockpit.
    for h in runs.values_mut() {
        h.cancel();
    }
    for (_, h) in runs.drain() {
        let _ = tokio::time::timeout(Duration::from_secs(8), h.task).await;
    }
    source_task.abort();
    Ok(exit)
}

fn terminal_msg(ev: &Event, app: &App, keymap: &Keymap) -> Option<Msg> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => {
            if app.input_active() {
                input_key(k).map(Msg::Input)
            } else {
                let combo = KeyCombo::from_event(k)?;
                keymap.action(app.mode(), combo).map(Msg::Action)
            }
        }
        Event::Resize(w, h) => Some(Msg::Resize {
            width: *w,
            height: *h,
        }),
        Event::Mouse(m) => {
            let area = ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1);
            let pane = ui::layout::compute(area, app).pane_at(m.column, m.row)?;
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

fn input_key(k: &KeyEvent) -> Option<InputKey> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    Some(match k.code {
        KeyCode::Char('u') if ctrl => InputKey::ClearLine,
        KeyCode::Char('c') if ctrl => InputKey::Esc,
        KeyCode::Char(c) if !ctrl => InputKey::Char(c),
        KeyCode::Backspace => InputKey::Backspace,
        KeyCode::Enter => InputKey::Enter,
        KeyCode::Esc => InputKey::Esc,
        KeyCode::Up => InputKey::Up,
        KeyCode::Down => InputKey::Down,
        KeyCode::Tab => InputKey::Tab,
        _ => return None,
    })
}
