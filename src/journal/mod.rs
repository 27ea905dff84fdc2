//! The incident journal: an append-only JSONL file, one entry per line, flushed and synced
//! per entry so a crash loses nothing. Every string is redacted before it is written (known
//! secret values, AWS keys, tokens, `--*password*` arguments, `PGPASSWORD=`…). Exported as a
//! postmortem timeline in Markdown or JSON.

use crate::redact;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

/// Output kept per entry; the rest is cut with a marker.
pub const MAX_OUTPUT: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Action,
    Confirmed,
    Refused,
    Blocked,
    DryRun,
    Start,
    End,
    Check,
    Note,
    /// A change seen in the feeds (an alarm firing, a rollout completing…), not an action.
    Event,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Action => "Action",
            Kind::Confirmed => "Confirmed",
            Kind::Refused => "Refused",
            Kind::Blocked => "Blocked",
            Kind::DryRun => "Dry run",
            Kind::Start => "Start",
            Kind::End => "End",
            Kind::Check => "Check",
            Kind::Note => "Note",
            Kind::Event => "Event",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub time: String,
    pub user: String,
    pub host: String,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
    pub kind: Kind,
    pub what: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runbook: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Why a run was cancelled: `operator`, `quit`, or the signal that ended opsdeck.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// For an event: the resource, and its state before and after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// Who and where, stamped on every entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Context {
    pub user: String,
    pub host: String,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
}

impl Context {
    pub fn from_env(
        profile: Option<String>,
        region: Option<String>,
        account: Option<String>,
    ) -> Context {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| os_user());
        let mut buf = [0u8; 256];
        // SAFETY: gethostname writes at most buf.len() bytes into the buffer we own.
        let host = if unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0 {
            let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
            String::from_utf8_lossy(&buf[..end]).into_owned()
        } else {
            "unknown".into()
        };
        Context {
            user,
            host,
            profile,
            region,
            account,
        }
    }

    pub fn entry(&self, kind: Kind, what: impl Into<String>, now: DateTime<Utc>) -> Entry {
        Entry {
            time: now.to_rfc3339_opts(SecondsFormat::Millis, true),
            user: self.user.clone(),
            host: self.host.clone(),
            profile: self.profile.clone(),
            region: self.region.clone(),
            account: self.account.clone(),
            kind,
            what: what.into(),
            runbook: None,
            procedure: None,
            step: None,
            risk: None,
            status: None,
            reason: None,
            exit_code: None,
            duration_ms: None,
            output: None,
            resource: None,
            before: None,
            after: None,
        }
    }
}

/// The account name of the effective uid, when no USER/LOGNAME is set (cron, sudo -i…).
fn os_user() -> String {
    // SAFETY: getpwuid returns a pointer to static storage or null; we copy the name out
    // before any other call that could overwrite it.
    unsafe {
        let pw = libc::getpwuid(libc::geteuid());
        if pw.is_null() || (*pw).pw_name.is_null() {
            return format!("uid{}", libc::geteuid());
        }
        std::ffi::CStr::from_ptr((*pw).pw_name)
            .to_string_lossy()
            .into_owned()
    }
}

pub fn default_path(data_dir: Option<&Path>) -> PathBuf {
    data_dir
        .map(|d| d.join("journal.jsonl"))
        .unwrap_or_else(|| PathBuf::from("opsdeck-journal.jsonl"))
}

pub struct Journal {
    path: PathBuf,
    file: File,
    secrets: redact::Redactor,
}

impl Journal {
    pub fn open(path: &Path) -> io::Result<Journal> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)?;
        // A crash can leave a torn last line: start the next entry on a line of its own so
        // it is not glued to the fragment (and lost with it).
        if ends_mid_line(&mut file)? {
            file.write_all(b"\n")?;
            file.flush()?;
        }
        Ok(Journal {
            path: path.to_path_buf(),
            file,
            secrets: redact::Redactor::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A value that must never reach the file (a secret placeholder's value).
    pub fn add_secret(&mut self, value: &str) {
        self.secrets.add(value);
    }

    pub fn scrub(&self, s: &str) -> String {
        self.secrets.scrub(s)
    }

    pub fn append(&mut self, mut e: Entry) -> io::Result<()> {
        e.what = self.scrub(&e.what);
        e.output = e.output.map(|o| {
            let o = self.scrub(&o);
            if o.len() > MAX_OUTPUT {
                let mut cut = MAX_OUTPUT;
                while !o.is_char_boundary(cut) {
                    cut -= 1;
                }
                format!("{}…[{} more bytes]", &o[..cut], o.len() - cut)
            } else {
                o
            }
        });
        let mut line = serde_json::to_string(&e).map_err(io::Error::other)?;
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.flush()?;
        self.file.sync_data()
    }
}

/// Whether a non-empty file's last byte is not a newline.
fn ends_mid_line(f: &mut File) -> io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let len = f.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    f.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    f.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

/// Reads a journal; malformed lines (a torn last write) are skipped and counted.
pub fn read(path: &Path) -> io::Result<(Vec<Entry>, usize)> {
    let f = File::open(path)?;
    let mut entries = Vec::new();
    let mut bad = 0;
    for line in io::BufReader::new(f).lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Entry>(&line) {
            Ok(e) => entries.push(e),
            Err(_) => bad += 1,
        }
    }
    Ok((entries, bad))
}

pub fn between(
    entries: &[Entry],
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Vec<&Entry> {
    entries
        .iter()
        .filter(|e| {
            let Ok(t) = DateTime::parse_from_rfc3339(&e.time) else {
                return false;
            };
            let t = t.with_timezone(&Utc);
            since.is_none_or(|s| t >= s) && until.is_none_or(|u| t <= u)
        })
        .collect()
}

fn result_of(e: &Entry) -> String {
    match (e.kind, &e.status, e.exit_code) {
        (_, Some(s), _) => s.clone(),
        (_, None, Some(c)) => format!("exit {c}"),
        (Kind::Refused, ..) => "refused".into(),
        (Kind::Blocked, ..) => "blocked".into(),
        (Kind::Confirmed, ..) => "confirmed".into(),
        _ => String::new(),
    }
}

/// A Markdown timeline ready to paste into a postmortem.
pub fn markdown(entries: &[&Entry]) -> String {
    let mut o = String::from("| Time (UTC) | Who | What | Result |\n| --- | --- | --- | --- |\n");
    for e in entries {
        let time = e
            .time
            .replace('T', " ")
            .trim_end_matches('Z')
            .chars()
            .take(19)
            .collect::<String>();
        let who = format!("{}@{}", e.user, e.host);
        let mut what = format!("{}: {}", e.kind.label(), e.what);
        if let Some(p) = &e.procedure {
            what.push_str(&format!(
                " ({p}{})",
                e.step
                    .as_ref()
                    .map(|s| format!(", {s}"))
                    .unwrap_or_default()
            ));
        }
        let mut result = result_of(e);
        if let Some(ms) = e.duration_ms {
            result.push_str(&format!(" in {:.1}s", ms as f64 / 1000.0));
        }
        let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        o.push_str(&format!(
            "| {time} | {} | {} | {} |\n",
            cell(&who),
            cell(&what),
            cell(result.trim())
        ));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context {
            user: "alice".into(),
            host: "bastion".into(),
            profile: Some("prod".into()),
            region: Some("eu-west-1".into()),
            account: None,
        }
    }

    #[test]
    fn append_redact_read_and_export() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j/journal.jsonl");
        let mut j = Journal::open(&path).unwrap();
        j.add_secret("s3cr3t-value");
        let t0 = DateTime::parse_from_rfc3339("2026-11-22T04:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut e = ctx().entry(
            Kind::Start,
            "PGPASSWORD=hunter2 psql -c 'select 1' --password s3cr3t-value",
            t0,
        );
        e.procedure = Some("db/restart".into());
        j.append(e).unwrap();
        let mut e = ctx().entry(
            Kind::End,
            "aws ecs update-service",
            t0 + chrono::Duration::seconds(5),
        );
        e.exit_code = Some(0);
        e.duration_ms = Some(1200);
        e.output = Some(format!("key AKIAIOSFODNN7EXAMPLE {}", "x".repeat(10_000)));
        j.append(e).unwrap();
        let raw = std::fs::read_to_string(&path).unwrap();
        for leak in ["hunter2", "s3cr3t-value", "AKIAIOSFODNN7EXAMPLE"] {
            assert!(!raw.contains(leak), "{leak} written to the journal");
        }
        assert_eq!(raw.lines().count(), 2, "one line per entry");
        // A torn write at the end is skipped, not fatal.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"time\": \"2026")
            .unwrap();
        let (entries, bad) = read(&path).unwrap();
        assert_eq!((entries.len(), bad), (2, 1));
        // The next session appends after the torn fragment without losing its own entry.
        let mut j = Journal::open(&path).unwrap();
        j.append(ctx().entry(Kind::Note, "after the crash", t0))
            .unwrap();
        let (after, bad) = read(&path).unwrap();
        assert_eq!((after.len(), bad), (3, 1));
        assert_eq!(after[2].what, "after the crash");
        assert!(entries[1].output.as_ref().unwrap().len() < MAX_OUTPUT + 64);
        let md = markdown(&between(
            &entries,
            Some(t0 + chrono::Duration::seconds(1)),
            None,
        ));
        assert_eq!(md.lines().count(), 3);
        assert!(md.contains("| 2026-11-22 04:00:05 | alice@bastion | End: aws ecs update-service | exit 0 in 1.2s |"), "{md}");
    }
}
