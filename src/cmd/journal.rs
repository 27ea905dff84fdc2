//! `opsdeck journal export`: the incident journal as a postmortem timeline.

use crate::cli::Common;
use crate::cockpit::journal_path;
use anyhow::{Context, Result};

/// RFC 3339, or an age (`90s`, `30m`, `2h`, `1d`; [`crate::duration`]) before now.
fn parse_when(s: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    let ms = crate::duration::parse_ms(s).map_err(|e| {
        if e == crate::duration::DurationError::TooLong {
            return anyhow::anyhow!(
                "`{s}` is too far in the past; use an RFC 3339 time or a smaller age"
            );
        }
        anyhow::anyhow!(
            "`{s}`: {e}; use an RFC 3339 time (2026-11-22T04:00:00Z) or an age like 90s, 30m, 2h, 1d (a bare number is seconds)"
        )
    })?;
    // Ages beyond what a date can hold are refused rather than wrapped or panicked on.
    chrono::Duration::try_milliseconds(ms)
        .and_then(|d| chrono::Utc::now().checked_sub_signed(d))
        .ok_or_else(|| {
            anyhow::anyhow!("`{s}` is too far in the past; use an RFC 3339 time or a smaller age")
        })
}

pub fn run_journal(common: &Common, cmd: &crate::cli::JournalCommand) -> Result<i32> {
    let crate::cli::JournalCommand::Export {
        since,
        until,
        format,
        recording,
        ..
    } = cmd;
    let path = journal_path(common);
    let (entries, bad) = crate::journal::read(&path)
        .with_context(|| format!("cannot read the journal {}", path.display()))?;
    if bad > 0 {
        eprintln!("opsdeck: {}: skipped {bad} malformed lines", path.display());
    }
    let since = since.as_deref().map(parse_when).transpose()?;
    let until = until.as_deref().map(parse_when).transpose()?;
    let picked = crate::journal::between(&entries, since, until);
    let rec = recording
        .as_deref()
        .map(super::replay::load_recording)
        .transpose()?;
    let window = crate::report::window(&picked, rec.as_ref());
    let charts = match (&rec, window) {
        (Some(r), Some((start, end))) => crate::report::charts_from_recording(r, start, end),
        _ => Vec::new(),
    };
    match format {
        // Journals and recordings are files: nothing in them reaches a terminal raw.
        crate::cli::ExportFormat::Markdown => crate::out::print(&crate::sanitize::lines(
            &crate::report::markdown(&picked, &charts, window),
        ))?,
        crate::cli::ExportFormat::Html => crate::out::print(&crate::sanitize::lines(
            &crate::report::html(&picked, &charts, window),
        ))?,
        crate::cli::ExportFormat::Json => {
            crate::out::println(&serde_json::to_string_pretty(&picked)?)?
        }
    }
    Ok(0)
}
