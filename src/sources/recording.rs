//! Recordings: every source delivery and journal entry of a cockpit session, with the time it
//! arrived, for `opsdeck replay`, `snapshot --replay` and the report's charts.
//!
//! The file is append-only JSON lines in zstd frames: one streaming frame, flushed every
//! second (a crash loses at most the last second) and closed every minute (a frame bad in the
//! middle costs a minute, not the rest). `zstd -dc FILE` reads it. Every string is sanitised
//! and redacted before it is written, like everything the cockpit shows, and the session's
//! secret values are masked: a recording can be shared the way a screen is.

use crate::journal::Entry;
use crate::sources::{Feed, Payload, SourceEvent, SourceInfo};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const VERSION: u32 = 1;
/// A frame is closed and a new one started this often.
const FRAME: Duration = Duration::from_secs(60);
/// zstd level: 6 makes the demo's logs (200 lines/s) 12 % smaller than zstd's default 3 for
/// well under a millisecond a second of data; 9 and above gain 3 % more for twice the time.
const LEVEL: i32 = 6;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub version: u32,
    pub opsdeck: String,
    pub started_ms: i64,
    /// The source's status-bar label (`demo · seed 42`, `prod · eu-west-1 · 1234…`).
    pub label: String,
    pub feeds: Vec<(Feed, i64)>,
    /// The labels of the contexts watched, when there were several.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contexts: Vec<String>,
}

/// One line of a recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "r", rename_all = "snake_case")]
pub enum Record {
    Header(Box<Header>),
    /// A delivery, `t` when the cockpit received it.
    Event {
        t: i64,
        /// The context (index) that delivered it; absent for the first.
        #[serde(default, skip_serializing_if = "is_zero")]
        ctx: u16,
        feed: Feed,
        at: i64,
        p: Payload,
    },
    /// What went into the journal (system events, operator actions), already masked.
    Journal {
        t: i64,
        e: Box<Entry>,
    },
}

fn is_zero(n: &u16) -> bool {
    *n == 0
}

/// Writes a recording while the cockpit runs.
pub struct Recorder {
    path: PathBuf,
    enc: Option<zstd::stream::write::Encoder<'static, std::fs::File>>,
    frame_started: Instant,
    pending: bool,
    /// Uncompressed bytes written (for the figures).
    pub raw_bytes: u64,
    /// Private key blocks open per log stream.
    pem: crate::redact::PemStreams,
}

impl Recorder {
    /// Creates `path` (never overwrites: a recording is evidence) readable by its owner only.
    /// `contexts`: the labels of the contexts watched, when several are.
    pub fn create(
        path: &Path,
        info: &SourceInfo,
        contexts: &[String],
        now_ms: i64,
    ) -> Result<Recorder> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.append(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let file = opts.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow::anyhow!(
                    "{} already exists; a recording is never overwritten, name another file",
                    path.display()
                )
            } else {
                anyhow::anyhow!("cannot create the recording {}: {e}", path.display())
            }
        })?;
        let mut r = Recorder {
            path: path.to_path_buf(),
            enc: Some(zstd::stream::write::Encoder::new(file, LEVEL)?),
            frame_started: Instant::now(),
            pending: false,
            raw_bytes: 0,
            pem: Default::default(),
        };
        r.write(&Record::Header(Box::new(Header {
            version: VERSION,
            opsdeck: env!("CARGO_PKG_VERSION").into(),
            started_ms: now_ms,
            label: info.label.clone(),
            feeds: info.feeds.clone(),
            contexts: contexts.to_vec(),
        })));
        r.flush();
        Ok(r)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A delivery as the cockpit received it, every string cleaned and `scrub` applied (the
    /// session's secret values). Action results are not recorded: a replay cannot act.
    pub fn event(&mut self, t: i64, ev: &SourceEvent, scrub: &dyn Fn(&str) -> String) {
        if matches!(
            ev.payload,
            Payload::ActionResult { .. }
                | Payload::Replay(_)
                | Payload::Reset
                | Payload::Journal(_)
        ) {
            return;
        }
        // Log lines first through the per-stream private-key state (each line is alone).
        let masked;
        let payload = match &ev.payload {
            Payload::Logs(lines) => {
                let lines = lines
                    .iter()
                    .map(|l| {
                        let key = format!("{}\u{0}{}", l.group, l.stream.as_deref().unwrap_or(""));
                        crate::model::LogEvent {
                            message: self.pem.line(&key, l.message.clone()),
                            ..l.clone()
                        }
                    })
                    .collect();
                masked = Payload::Logs(lines);
                &masked
            }
            other => other,
        };
        let p = match serde_json::to_value(payload) {
            Ok(mut v) => {
                clean_strings(&mut v, scrub);
                match serde_json::from_value(v) {
                    Ok(p) => p,
                    Err(e) => {
                        tracing::warn!("recording: payload not recorded: {e}");
                        return;
                    }
                }
            }
            Err(e) => {
                tracing::warn!("recording: payload not recorded: {e}");
                return;
            }
        };
        self.write(&Record::Event {
            t,
            ctx: ev.ctx,
            feed: ev.feed,
            at: ev.at_ms,
            p,
        });
    }

    /// A journal entry (already masked by the cockpit).
    pub fn journal(&mut self, t: i64, e: &Entry) {
        self.write(&Record::Journal {
            t,
            e: Box::new(e.clone()),
        });
    }

    fn write(&mut self, rec: &Record) {
        let Some(enc) = self.enc.as_mut() else {
            return;
        };
        let mut line = match serde_json::to_vec(rec) {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!("recording: not serialisable: {e}");
                return;
            }
        };
        line.push(b'\n');
        self.raw_bytes += line.len() as u64;
        if let Err(e) = enc.write_all(&line) {
            self.fail(e);
            return;
        }
        self.pending = true;
    }

    /// Called once a second (the event loop's tick): what arrived since the last tick reaches
    /// the file, so a crash loses at most that second; a frame older than a minute is closed.
    pub fn tick(&mut self) {
        if self.frame_started.elapsed() >= FRAME {
            self.next_frame();
        } else if self.pending {
            self.flush();
        }
    }

    /// Data so far reaches the file (the event loop does this each second through `tick`).
    pub fn flush(&mut self) {
        if let Some(enc) = self.enc.as_mut()
            && let Err(e) = enc.flush()
        {
            self.fail(e);
        }
        self.pending = false;
    }

    /// Closes the frame and starts the next (each minute through `tick`).
    pub fn next_frame(&mut self) {
        let Some(enc) = self.enc.take() else { return };
        match enc.finish() {
            Ok(file) => match zstd::stream::write::Encoder::new(file, LEVEL) {
                Ok(e) => self.enc = Some(e),
                Err(e) => self.fail(e),
            },
            Err(e) => self.fail(e),
        }
        self.frame_started = Instant::now();
        self.pending = false;
    }

    fn fail(&mut self, e: std::io::Error) {
        tracing::error!("recording {} stopped: {e}", self.path.display());
        self.enc = None;
    }

    /// Closes the last frame.
    pub fn finish(mut self) {
        if let Some(enc) = self.enc.take()
            && let Err(e) = enc.finish().and_then(|mut f| f.flush())
        {
            tracing::error!("recording {}: {e}", self.path.display());
        }
    }
}

/// Every string of a payload through the cockpit's own cleaning: sanitised, redacted, and
/// the session's secrets masked.
fn clean_strings(v: &mut serde_json::Value, scrub: &dyn Fn(&str) -> String) {
    match v {
        serde_json::Value::String(s) => {
            let cleaned =
                crate::redact::redact_owned(crate::sanitize::sanitize_owned(std::mem::take(s)));
            *s = scrub(&cleaned);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| clean_strings(x, scrub)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| clean_strings(x, scrub)),
        _ => {}
    }
}

/// A recording read back: deliveries and journal entries in time order.
#[derive(Debug, Clone)]
pub struct Recording {
    pub header: Header,
    pub events: Vec<(i64, SourceEvent)>,
    pub journal: Vec<(i64, Entry)>,
    /// Why part of it could not be read (a cut-off last frame, bad lines), for the operator.
    pub warnings: Vec<String>,
}

impl Recording {
    pub fn start_ms(&self) -> i64 {
        self.header.started_ms
    }

    pub fn end_ms(&self) -> i64 {
        let last_event = self.events.last().map_or(i64::MIN, |e| e.0);
        let last_entry = self.journal.last().map_or(i64::MIN, |e| e.0);
        last_event.max(last_entry).max(self.header.started_ms)
    }

    pub fn info(&self) -> SourceInfo {
        SourceInfo {
            label: format!("replay · {}", self.header.label),
            feeds: self.header.feeds.clone(),
        }
    }
}

const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Largest record read back (one delivery; opsdeck's own stay far below): a longer line is a
/// decompression bomb or damage, and reading stops there.
pub const MAX_RECORD_BYTES: u64 = 64 << 20;
/// Most decompressed bytes read from one recording, so a small file that decompresses to
/// gigabytes cannot take the machine's memory: what comes after is left, and said.
pub const MAX_TOTAL_BYTES: u64 = 512 << 20;

/// Reads a recording. A cut-off tail (opsdeck killed mid-write) and lines that cannot be read
/// are skipped and said in `warnings`; a file that is not a recording is an error naming it.
pub fn load(path: &Path) -> Result<Recording> {
    let name = path.display();
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot open the recording {name}"))?;
    let mut magic = [0u8; 4];
    use std::io::Read;
    if file.read_exact(&mut magic).is_err() || magic != ZSTD_MAGIC {
        bail!("{name}: not an opsdeck recording (no zstd frame at its start)");
    }
    let file = std::fs::File::open(path)?;
    let dec = zstd::stream::read::Decoder::new(file)?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, dec);
    let mut header = None;
    let (mut events, mut journal, mut warnings) = (Vec::new(), Vec::new(), Vec::new());
    let mut bad = Vec::new();
    let mut buf = Vec::new();
    let mut n = 0usize;
    let mut total = 0u64;
    loop {
        buf.clear();
        if total >= MAX_TOTAL_BYTES {
            warnings.push(format!(
                "{name}: stopped reading after {} MiB decompressed (record {n}): the rest is not played",
                MAX_TOTAL_BYTES >> 20
            ));
            break;
        }
        match (&mut reader)
            .take(MAX_RECORD_BYTES + 1)
            .read_until(b'\n', &mut buf)
        {
            Ok(0) => break,
            Ok(len) if len as u64 > MAX_RECORD_BYTES => {
                warnings.push(format!(
                    "{name}: record {} decompresses past {} MiB: refused, and the rest with it (not an opsdeck record)",
                    n + 1,
                    MAX_RECORD_BYTES >> 20
                ));
                if header.is_none() {
                    bail!(
                        "{name}: its first record decompresses past {} MiB: not an opsdeck recording",
                        MAX_RECORD_BYTES >> 20
                    );
                }
                break;
            }
            Ok(len) => total += len as u64,
            Err(e) => {
                warnings.push(format!(
                    "{name}: the recording stops early after record {n} ({e}); opsdeck was probably stopped while writing it"
                ));
                break;
            }
        }
        if buf.last() != Some(&b'\n') {
            warnings.push(format!(
                "{name}: record {} is cut off; opsdeck was probably stopped while writing it",
                n + 1
            ));
            break;
        }
        n += 1;
        match serde_json::from_slice::<Record>(&buf) {
            Ok(Record::Header(h)) if header.is_none() => {
                if h.version > VERSION {
                    bail!(
                        "{name}: recording format {} is newer than this opsdeck reads ({VERSION}); upgrade opsdeck",
                        h.version
                    );
                }
                header = Some(*h)
            }
            Ok(Record::Header(_)) => bad.push(n),
            Ok(Record::Event {
                t,
                ctx,
                feed,
                at,
                p,
            }) => events.push((
                t,
                SourceEvent {
                    ctx,
                    feed,
                    at_ms: at,
                    payload: p,
                },
            )),
            Ok(Record::Journal { t, e }) => journal.push((t, *e)),
            Err(e) => {
                if header.is_none() {
                    bail!("{name}: record 1 is not a recording header: {e}");
                }
                bad.push(n);
            }
        }
    }
    let Some(header) = header else {
        bail!("{name}: empty recording (no header)");
    };
    if !bad.is_empty() {
        let shown: Vec<String> = bad.iter().take(5).map(|n| n.to_string()).collect();
        warnings.push(format!(
            "{name}: skipped {} unreadable record(s) (record {}{})",
            bad.len(),
            shown.join(", "),
            if bad.len() > 5 { ", …" } else { "" }
        ));
    }
    // Arrival order is time order, except across a clock step: keep it sorted for seeks.
    events.sort_by_key(|e| e.0);
    journal.sort_by_key(|e| e.0);
    Ok(Recording {
        header,
        events,
        journal,
        warnings,
    })
}

/// The recording's default place: `recordings/<start time>.opsrec` in the state dir.
pub fn default_path(state_dir: Option<&Path>, now_ms: i64) -> Option<PathBuf> {
    let t = chrono::DateTime::from_timestamp_millis(now_ms)?;
    Some(
        state_dir?
            .join("recordings")
            .join(format!("{}.opsrec", t.format("%Y-%m-%dT%H-%M-%SZ"))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LogEvent, Resource};

    fn info() -> SourceInfo {
        SourceInfo {
            label: "demo · seed 1".into(),
            feeds: vec![(Feed::ECS, 2000), (Feed::Logs, 1000)],
        }
    }

    fn logs(msg: &str, t: i64) -> SourceEvent {
        SourceEvent {
            ctx: 0,
            feed: Feed::Logs,
            at_ms: t,
            payload: Payload::Logs(vec![LogEvent {
                time_ms: t,
                group: "/ecs/api".into(),
                stream: None,
                message: msg.into(),
            }]),
        }
    }

    #[test]
    fn round_trips_rows_logs_and_journal_with_secrets_masked_and_escapes_neutralised() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.opsrec");
        let mut r = Recorder::create(&path, &info(), &[], 1_000).unwrap();
        let mut row = Resource::ecs("prod", "api");
        row.status = "PRIMARY".into();
        r.event(
            1_100,
            &SourceEvent {
                ctx: 0,
                feed: Feed::ECS,
                at_ms: 1_050,
                payload: Payload::Services(vec![row.clone()]),
            },
            &|s| s.to_string(),
        );
        let scrub = |s: &str| s.replace("hunter2", "••••");
        r.event(
            1_200,
            &logs(
                "login password=hunter2 \x1b]52;c;Zm9v\x07 token hunter2",
                1_150,
            ),
            &scrub,
        );
        let entry = crate::journal::Context::from_env(None, None, None).entry(
            crate::journal::Kind::Note,
            "looked",
            chrono::DateTime::from_timestamp_millis(1_300).unwrap(),
        );
        r.journal(1_300, &entry);
        r.finish();
        let rec = load(&path).unwrap();
        assert!(rec.warnings.is_empty(), "{:?}", rec.warnings);
        assert_eq!(rec.header.label, "demo · seed 1");
        assert_eq!(rec.events.len(), 2);
        assert_eq!(rec.events[0].1.payload, Payload::Services(vec![row]));
        let Payload::Logs(l) = &rec.events[1].1.payload else {
            panic!("logs")
        };
        assert!(!l[0].message.contains("hunter2"), "{}", l[0].message);
        assert!(!l[0].message.contains('\x1b'), "{}", l[0].message);
        assert_eq!(rec.journal[0].1.what, "looked");
        assert_eq!(rec.end_ms(), 1_300);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by others: {mode:o}");
        }
    }

    #[test]
    fn never_overwrites_and_says_what_is_wrong_with_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.opsrec");
        std::fs::write(&path, "not zstd").unwrap();
        let e = Recorder::create(&path, &info(), &[], 0)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("already exists"), "{e}");
        let e = load(&path).unwrap_err().to_string();
        assert!(e.contains("not an opsdeck recording"), "{e}");
    }

    #[test]
    fn a_cut_off_tail_keeps_what_was_flushed_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.opsrec");
        let mut r = Recorder::create(&path, &info(), &[], 0).unwrap();
        for i in 0..50 {
            r.event(i * 100, &logs(&format!("line {i}"), i * 100), &|s| s.into());
        }
        r.flush();
        // Killed here: the frame is never closed, and a torn write follows.
        std::mem::forget(r);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(&[0x12, 0x34]).unwrap();
        let rec = load(&path).unwrap();
        assert_eq!(rec.events.len(), 50);
        assert_eq!(rec.warnings.len(), 1, "{:?}", rec.warnings);
        assert!(rec.warnings[0].contains("stopped while writing"));
    }
}
