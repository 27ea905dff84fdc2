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
    /// The watched context it happened in, when several are watched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
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
        let host = rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned();
        let host = if host.is_empty() {
            "unknown".to_string()
        } else {
            host
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
            context: None,
        }
    }
}

/// The account name of the effective uid, when no USER/LOGNAME is set (cron, sudo -i…).
fn os_user() -> String {
    crate::sys::user_name()
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

/// Reads a journal; malformed lines (a torn last write, bytes that are not UTF-8, damage)
/// are skipped and counted: the rest is read.
pub fn read(path: &Path) -> io::Result<(Vec<Entry>, usize)> {
    let f = File::open(path)?;
    let mut reader = io::BufReader::new(f);
    let mut entries = Vec::new();
    let mut bad = 0;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let Ok(line) = std::str::from_utf8(&buf) else {
            bad += 1;
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Entry>(line.trim_end()) {
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

/// Buckets of the health strips in the incident report.
const STRIP: usize = 48;

fn state_symbol(s: &str) -> Option<char> {
    match s {
        "ok" | "OK" => Some('✓'),
        "warn" => Some('⚠'),
        "crit" | "ALARM" => Some('✗'),
        "unknown" | "INSUFFICIENT_DATA" => Some('?'),
        _ => None,
    }
}

/// Who acted (`user@host`), each once, sorted.
pub fn people(entries: &[&Entry]) -> Vec<String> {
    let mut people: Vec<String> = entries
        .iter()
        .filter(|e| e.kind != Kind::Event)
        .map(|e| format!("{}@{}", e.user, e.host))
        .collect();
    people.sort();
    people.dedup();
    people
}

/// The AWS accounts involved (`profile · region · account`), each once, sorted.
pub fn accounts(entries: &[&Entry]) -> Vec<String> {
    let mut accounts: Vec<String> = entries
        .iter()
        .filter(|e| e.profile.is_some() || e.account.is_some())
        .map(|e| {
            [
                e.profile.as_deref(),
                e.region.as_deref(),
                e.account.as_deref(),
            ]
            .into_iter()
            .map(|x| x.unwrap_or("?"))
            .collect::<Vec<_>>()
            .join(" · ")
        })
        .collect();
    accounts.sort();
    accounts.dedup();
    accounts
}

/// The incident as a postmortem document: its window, the people and AWS accounts involved,
/// what it did and what the system did, a strip per resource or alarm that changed health
/// over the window with the operator's actions marked on a line above, then the timeline.
pub fn incident_markdown(entries: &[&Entry]) -> String {
    let mut o = String::new();
    let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
        return "# Incident report\n\nThe journal has no entry in this window.\n".into();
    };
    let t = |e: &Entry| {
        chrono::DateTime::parse_from_rfc3339(&e.time)
            .ok()
            .map(|d| d.timestamp_millis())
    };
    let (start, end) = (t(first).unwrap_or(0), t(last).unwrap_or(0));
    let short = |s: &str| {
        s.replace('T', " ")
            .trim_end_matches('Z')
            .chars()
            .take(19)
            .collect::<String>()
    };
    let span = (end - start).max(0) / 1000;
    o.push_str(&format!(
        "# Incident report\n\n{} → {} UTC ({} min {} s)\n\n",
        short(&first.time),
        short(&last.time),
        span / 60,
        span % 60
    ));
    let (people, accounts) = (people(entries), accounts(entries));
    let count = |k: Kind| entries.iter().filter(|e| e.kind == k).count();
    let verified = entries
        .iter()
        .filter(|e| e.kind == Kind::Check && e.what.starts_with("verified"))
        .count();
    o.push_str(&format!(
        "- People: {}\n- AWS: {}\n- {} system events, {} operator actions ({} confirmed, {} refused or blocked), {} changes verified, {} notes\n\n",
        if people.is_empty() { "none recorded".into() } else { md_text(&people.join(", ")) },
        if accounts.is_empty() { "none recorded".into() } else { md_text(&accounts.join("; ")) },
        count(Kind::Event),
        count(Kind::Action),
        count(Kind::Confirmed),
        count(Kind::Refused) + count(Kind::Blocked),
        verified,
        count(Kind::Note),
    ));
    // Health over the window: one strip per resource or alarm with transitions.
    let bucket = |ms: i64| -> usize {
        if end <= start {
            return STRIP - 1;
        }
        (((ms - start) as f64 / (end - start) as f64) * (STRIP - 1) as f64).round() as usize
    };
    let mut subjects: Vec<String> = Vec::new();
    for e in entries.iter().filter(|e| e.kind == Kind::Event) {
        if let (Some(r), Some(a)) = (&e.resource, &e.after)
            && state_symbol(a).is_some()
            && !subjects.contains(r)
        {
            subjects.push(r.clone());
        }
    }
    if !subjects.is_empty() {
        let mut actions = [' '; STRIP];
        for e in entries
            .iter()
            .filter(|e| matches!(e.kind, Kind::Confirmed | Kind::Note))
        {
            if let Some(ms) = t(e) {
                actions[bucket(ms).min(STRIP - 1)] = '▲';
            }
        }
        o.push_str("## What changed health\n\n");
        o.push_str(&format!(
            "Each strip spans the window above, left to right ({} s a cell); ▲ marks an operator's confirmed action or note.\n\n",
            ((end - start).max(0) / 1000) / STRIP as i64 + 1
        ));
        o.push_str("| | Over the window | Last |\n| --- | --- | --- |\n");
        o.push_str(&format!(
            "| operator | `{}` | |\n",
            actions.iter().collect::<String>()
        ));
        for subject in &subjects {
            let changes: Vec<(i64, &str, &str)> = entries
                .iter()
                .filter(|e| e.kind == Kind::Event && e.resource.as_ref() == Some(subject))
                .filter_map(|e| {
                    let (b, a) = (e.before.as_deref()?, e.after.as_deref()?);
                    state_symbol(a)?;
                    Some((t(e)?, b, a))
                })
                .collect();
            let Some(&(_, initial, _)) = changes.first() else {
                continue;
            };
            let mut strip = [state_symbol(initial).unwrap_or(' '); STRIP];
            for &(ms, _, after) in &changes {
                let from = bucket(ms).min(STRIP - 1);
                let sym = state_symbol(after).unwrap_or('?');
                for c in strip.iter_mut().skip(from) {
                    *c = sym;
                }
            }
            let now = changes.last().map_or("", |c| c.2);
            o.push_str(&format!(
                "| {} | `{}` | {} |\n",
                md_cell(subject),
                strip.iter().collect::<String>(),
                md_cell(now)
            ));
        }
        o.push('\n');
    }
    o.push_str("## Timeline\n\n");
    o.push_str(&markdown(entries));
    o
}

/// A timeline row's text: what was done (with its procedure and step) and its result (with
/// its duration).
pub fn what_and_result(e: &Entry) -> (String, String) {
    let mut what = e.what.clone();
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
    (what, result)
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
        let (what, result) = what_and_result(e);
        let what = format!("{}: {what}", e.kind.label());
        o.push_str(&format!(
            "| {time} | {} | {} | {} |\n",
            md_cell(&who),
            md_cell(&what),
            md_cell(result.trim())
        ));
    }
    o
}

/// Text from outside (commands, output, names, notes) as Markdown text: raw HTML is escaped
/// (`<script>`, `<img onerror=…>`, autolinks), so a renderer shows it as written and never
/// runs or fetches it.
pub fn md_text(s: &str) -> String {
    escape_markup(s, false)
}

/// `&`, `<`, `>` as entities, and with `quotes` `"` and `'` too (HTML attributes): the one
/// escaper of text from outside in Markdown and HTML output.
pub fn escape_markup(s: &str, quotes: bool) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' if quotes => o.push_str("&quot;"),
            '\'' if quotes => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// [`md_text`] fit for a table cell: one line, `|` escaped.
pub fn md_cell(s: &str) -> String {
    md_text(s).replace('|', "\\|").replace(['\r', '\n'], " ")
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
        // Bytes that are not UTF-8 (damage, another program's write) are one bad line each.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"\xff\xfe not utf-8 \xc3\x28\n")
            .unwrap();
        let mut j = Journal::open(&path).unwrap();
        j.append(ctx().entry(Kind::Note, "after the damage", t0))
            .unwrap();
        let (after, bad) = read(&path).unwrap();
        assert_eq!((after.len(), bad), (4, 2));
        assert_eq!(after[2].what, "after the crash");
        assert!(entries[1].output.as_ref().unwrap().len() < MAX_OUTPUT + 64);
        let md = markdown(&between(
            &entries,
            Some(t0 + chrono::Duration::seconds(1)),
            None,
        ));
        assert_eq!(md.lines().count(), 3);
        assert!(md.contains("| 2026-11-22 04:00:05 | alice@bastion | End: aws ecs update-service | exit 0 in 1.2s |"), "{md}");
        // Raw HTML from outside is shown as written, never rendered.
        let mut e = ctx().entry(
            Kind::Note,
            "<script>alert(1)</script> <img src=x onerror=y> a|b",
            t0,
        );
        e.host = "<b>host</b>".into();
        let md = incident_markdown(&[&e]);
        assert!(
            !md.contains("<script") && !md.contains("<img") && !md.contains("<b>"),
            "{md}"
        );
        assert!(
            md.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && md.contains("a\\|b"),
            "{md}"
        );
    }
}

#[cfg(test)]
mod incident_tests {
    use super::*;

    fn entry(time: &str, kind: Kind, what: &str, change: Option<(&str, &str, &str)>) -> Entry {
        Entry {
            time: time.into(),
            user: "alice".into(),
            host: "bastion".into(),
            profile: Some("prod".into()),
            region: Some("eu-west-1".into()),
            account: Some("123456789012".into()),
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
            resource: change.map(|c| c.0.to_string()),
            before: change.map(|c| c.1.to_string()),
            after: change.map(|c| c.2.to_string()),
            context: None,
        }
    }

    #[test]
    fn the_incident_report_has_its_window_people_strips_and_timeline() {
        let es = [
            entry(
                "2026-12-02T10:00:00Z",
                Kind::Event,
                "alarm prod-api-5xx-high: OK → ALARM",
                Some(("prod-api-5xx-high", "OK", "ALARM")),
            ),
            entry(
                "2026-12-02T10:01:00Z",
                Kind::Event,
                "ECS prod/api: health ok → crit",
                Some(("prod/api", "ok", "crit")),
            ),
            entry(
                "2026-12-02T10:02:00Z",
                Kind::Confirmed,
                "ECS UpdateService … desiredCount=8 [write]",
                None,
            ),
            entry(
                "2026-12-02T10:03:00Z",
                Kind::Check,
                "verified after 43s: prod/api running 8/8 COMPLETED",
                None,
            ),
            entry(
                "2026-12-02T10:03:00Z",
                Kind::Event,
                "ECS prod/api: health crit → ok",
                Some(("prod/api", "crit", "ok")),
            ),
            entry(
                "2026-12-02T10:04:00Z",
                Kind::Event,
                "alarm prod-api-5xx-high: ALARM → OK",
                Some(("prod-api-5xx-high", "ALARM", "OK")),
            ),
        ];
        let refs: Vec<&Entry> = es.iter().collect();
        let md = incident_markdown(&refs);
        assert!(
            md.starts_with(
                "# Incident report\n\n2026-12-02 10:00:00 → 2026-12-02 10:04:00 UTC (4 min 0 s)"
            ),
            "{md}"
        );
        assert!(
            md.contains("- People: alice@bastion\n- AWS: prod · eu-west-1 · 123456789012\n"),
            "{md}"
        );
        assert!(md.contains("4 system events, 0 operator actions (1 confirmed, 0 refused or blocked), 1 changes verified"), "{md}");
        let line = |name: &str| {
            md.lines()
                .find(|l| l.starts_with(&format!("| {name} |")))
                .unwrap()
                .to_string()
        };
        let strip = |l: &str| l.split('`').nth(1).unwrap().chars().collect::<Vec<char>>();
        let api = strip(&line("prod/api"));
        assert_eq!(api.len(), STRIP);
        assert_eq!(api[0], '✓', "before its first change: its before-state");
        assert_eq!(api[STRIP / 2 - 1], '✗');
        assert_eq!(*api.last().unwrap(), '✓');
        let op = strip(&line("operator"));
        assert_eq!(op.iter().filter(|c| **c == '▲').count(), 1);
        assert_eq!(
            op.iter().position(|c| *c == '▲'),
            Some(STRIP / 2),
            "halfway through the window"
        );
        assert!(line("prod-api-5xx-high").ends_with("| OK |"));
        assert!(md.contains("## Timeline\n\n| Time (UTC) | Who | What | Result |"));
        assert_eq!(
            incident_markdown(&[]).lines().nth(2),
            Some("The journal has no entry in this window.")
        );
    }
}
