//! `opsdeck replay`: a recording played in the cockpit; nothing acts.

use crate::app::App;
use crate::cockpit::{Setup, log_capacity, runtime};
use crate::event_loop::Options;
use crate::sources::DataSource;
use crate::{event_loop, logging, tui};
use anyhow::{Result, bail};

/// A cockpit on a recording: read-only, no runbooks, no watches, no journal; the contexts
/// it watched, by label.
pub fn replay_config(
    s: &Setup,
    rec: &crate::sources::recording::Recording,
) -> crate::app::AppConfig {
    crate::app::AppConfig {
        log_capacity: log_capacity(s),
        read_only: true,
        replay: true,
        contexts: rec
            .header
            .contexts
            .iter()
            .map(|l| crate::app::ContextView {
                label: l.clone(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

pub fn run_replay(
    s: &Setup,
    args: &crate::cli::ReplayArgs,
    exit_after_frames: Option<u64>,
) -> Result<i32> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        bail!(
            "the replay needs a terminal; for scripts use `opsdeck snapshot --replay FILE --at T`"
        );
    }
    let rec = load_recording(&args.file)?;
    let _log_guard = logging::init(s.dirs.state.as_deref());
    let from = match &args.from {
        Some(t) => crate::sources::replay::parse_at(t, &rec)?,
        None => rec.start_ms(),
    };
    let capacity = log_capacity(s);
    let config = replay_config(s, &rec);
    let mut src = crate::sources::replay::ReplaySource::new(rec, capacity);
    src.from_ms = from;
    src.speed = args.speed;
    src.paused = args.paused;
    let source: Box<dyn DataSource> = Box::new(src);
    let mut app = App::new(&source.info(), config, from);
    let rt = runtime()?;
    tui::install_panic_hook();
    let mut term = tui::init(s.settings.mouse.value)?;
    let opts = Options {
        values_file: None,
        journal: None,
        exit_after_frames,
        panic_after_frames: None,
        roles: Vec::new(),
        recorder: None,
        sandbox: Default::default(),
    };
    let result = rt.block_on(event_loop::run(
        &mut term, &mut app, source, &s.keymap, &s.theme, opts,
    ));
    tui::restore()?;
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    Ok(result?.code())
}

/// A recording, its problems said on stderr before the screen is taken.
pub fn load_recording(path: &std::path::Path) -> Result<crate::sources::recording::Recording> {
    let rec = crate::sources::recording::load(path)?;
    for w in &rec.warnings {
        eprintln!("opsdeck: {}", crate::sanitize::sanitize(w));
    }
    Ok(rec)
}
