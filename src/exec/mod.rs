//! Running commands: each under `bash` with `set -euo pipefail` in its own process group,
//! values as environment variables, output streamed line by line (sanitised, redacted,
//! bounded), cancel by SIGINT → SIGTERM → SIGKILL to the whole group, and a per-run timeout.

pub mod runner;

pub use runner::{RunEvent, RunHandle, RunSpec, RunStatus, Stream, spawn};
