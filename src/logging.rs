//! tracing to a file in the XDG state dir; never to the screen while the TUI runs.

use std::path::Path;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts file logging (`OPSDECK_LOG` sets the filter, default `info`). Returns the guard that
/// flushes on drop; `None` when the directory cannot be created, in which case nothing is
/// logged rather than anything reaching the terminal.
pub fn init(state_dir: Option<&Path>) -> Option<WorkerGuard> {
    let dir = state_dir?;
    std::fs::create_dir_all(dir).ok()?;
    let appender = tracing_appender::rolling::never(dir, "opsdeck.log");
    // A few thousand lines in flight are plenty for a log at info level; the default
    // (128 000) reserved 4 MB up front, the cockpit's largest allocation.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(4096)
        .finish(appender);
    let filter = EnvFilter::try_from_env("OPSDECK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
