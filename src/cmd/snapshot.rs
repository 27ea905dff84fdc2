//! `opsdeck snapshot`: the sources run without a terminal until every feed has delivered once
//! (or `--after` passed), then the cockpit printed as text or its data as JSON; or, with
//! `--replay`, the cockpit as a recording shows it at `--at`.

use super::replay::{load_recording, replay_config};
use crate::app::App;
use crate::cli::{Common, Format, SnapshotArgs};
use crate::cockpit::{Setup, load_runbooks, log_capacity, runtime, source};
use crate::snapshot;
use anyhow::Result;

pub fn run_snapshot(common: &Common, s: &Setup, args: &SnapshotArgs) -> Result<i32> {
    let rt = runtime()?;
    let runbooks = load_runbooks(common, &s.config)?;
    // One picture, then gone: a Live Tail session (billed by the minute) would only delay it;
    // the backfill poll has the lines.
    let mut one_shot = s.config.clone();
    one_shot.refresh.live_tail = false;
    let (source, _ctx, _role, contexts) = source(common, &one_shot, &runbooks.targets, &rt)?;
    let config = crate::app::AppConfig {
        log_capacity: log_capacity(s),
        load_errors: runbooks.errors,
        contexts,
        ..Default::default()
    };
    let app = rt.block_on(snapshot::collect(source, config, args.after));
    let out = match args.format {
        Format::Text => snapshot::text(&app, &s.theme, &s.keymap, args.width, args.height),
        Format::Json => snapshot::json(&app)? + "\n",
    };
    crate::out::print(&out)?;
    Ok(0)
}

/// The cockpit as it was at `--at` in a recording: the same condensed state a replay's jump
/// hands the cockpit, so the text is the replay's screen.
pub fn run_snapshot_replay(s: &Setup, args: &SnapshotArgs) -> Result<i32> {
    let path = args.replay.as_ref().expect("checked by the caller");
    let rec = load_recording(path)?;
    let at = match &args.at {
        Some(t) => crate::sources::replay::parse_at(t, &rec)?,
        None => rec.end_ms(),
    }
    .clamp(rec.start_ms(), rec.end_ms());
    let mut app = App::new(&rec.info(), replay_config(s, &rec), rec.start_ms());
    let clock = crate::sources::ReplayClock {
        at_ms: at,
        start_ms: rec.start_ms(),
        end_ms: rec.end_ms(),
        speed: 1.0,
        paused: true,
    };
    for ev in crate::sources::replay::state_at(&rec, at, log_capacity(s), clock) {
        app.update(crate::app::Msg::Source(ev));
    }
    let out = match args.format {
        Format::Text => snapshot::text(&app, &s.theme, &s.keymap, args.width, args.height),
        Format::Json => snapshot::json(&app)? + "\n",
    };
    crate::out::print(&out)?;
    Ok(0)
}
