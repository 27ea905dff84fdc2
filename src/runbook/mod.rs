//! Runbook engine: Markdown runbooks into procedures, steps, commands, placeholders and risk.

pub mod arith;
pub mod lang;
pub mod lint;
pub mod model;
pub mod parse;
pub mod parts;
pub mod placeholders;
pub mod prose;
pub mod render;
pub mod risk;
pub mod shell;
pub mod show;
pub mod targets;
pub mod units;

pub use model::{Command, Next, Placeholder, Procedure, Risk, Row, Runbook, Step};

use crate::file::FileError;
use std::path::Path;

/// Files larger than this (32 MiB) are refused rather than parsed slowly.
pub const MAX_BYTES: u64 = 32 << 20;

/// Reads and parses a runbook file. Empty, binary, non-UTF-8 or oversized files are errors
/// that name the file; CRLF line ends are accepted.
pub fn load(path: &Path) -> Result<(Runbook, Vec<parse::ParseNote>), FileError> {
    load_full(path).map(|p| (p.runbook, p.notes))
}

/// Like [`load`], with the prose and tables that target extraction and lint read.
pub fn load_full(path: &Path) -> Result<parse::Parsed, FileError> {
    let bytes = crate::file::read_bytes(path, MAX_BYTES)?;
    if bytes.contains(&0) {
        return Err(FileError::whole(
            path,
            "binary file (NUL bytes), not a Markdown runbook",
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let upto = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..upto].iter().filter(|b| **b == b'\n').count() + 1;
        FileError {
            path: path.to_path_buf(),
            line: Some(line),
            message: "not valid UTF-8".into(),
        }
    })?;
    if text.trim().is_empty() {
        return Err(FileError::whole(
            path,
            "empty file: no headings, no procedures",
        ));
    }
    // Commands nested past what the shell reader takes are refused here, at the line where
    // they pass it, before any parser recurses into them.
    if let Some(line) = shell::too_deep_at(&text) {
        return Err(FileError {
            path: path.to_path_buf(),
            line: Some(line),
            message: format!(
                "commands nested more than {} deep (`$(`, `(`, `{{`): opsdeck does not read them",
                shell::MAX_NESTING
            ),
        });
    }
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    Ok(parse::parse_full(&text))
}
