//! Logs pane state: a bounded ring buffer of sanitised, redacted lines, follow/pause, search
//! with match flags computed at ingest, a matches-only filter, wrap, and a lines/second meter.
//!
//! Lines carry a monotonically increasing sequence number. The view is anchored on the
//! sequence of its bottom line, so scrolling back stays put while new lines arrive and old
//! ones are evicted.

use crate::model::{Level, LogEvent};
use crate::{redact, sanitize};
use regex::{Regex, RegexBuilder};
use std::collections::VecDeque;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct LogLine {
    pub seq: u64,
    pub time_ms: i64,
    pub group: Arc<str>,
    pub stream: Option<Arc<str>>,
    pub level: Option<Level>,
    pub message: String,
    /// Compact `msg key=value…` form of a JSON line, shown and searched instead of the raw
    /// JSON (level and time already have their own columns).
    pub display: Option<String>,
    pub matched: bool,
}

impl LogLine {
    /// The text the pane shows and search matches.
    pub fn text(&self) -> &str {
        self.display.as_deref().unwrap_or(&self.message)
    }
}

#[derive(Debug, Clone)]
pub struct Search {
    pub text: String,
    pub regex: Regex,
}

impl Search {
    /// Smart case: case-insensitive unless the text has an upper-case letter. Text that is not
    /// a valid regex is searched literally, so `/[ERROR` still finds something.
    pub fn new(text: &str) -> Option<Search> {
        if text.is_empty() {
            return None;
        }
        let insensitive = !text.chars().any(char::is_uppercase);
        let build = |pat: &str| {
            RegexBuilder::new(pat)
                .case_insensitive(insensitive)
                .size_limit(1 << 20)
                .build()
        };
        let regex = build(text).or_else(|_| build(&regex::escape(text))).ok()?;
        Some(Search {
            text: text.to_string(),
            regex,
        })
    }
}

/// Events per second of log time over the last few whole seconds: a ring of per-second
/// counters keyed by the events' own timestamps, so backfilled history never inflates the
/// live rate and late-arriving lines still land in their second.
#[derive(Debug, Clone, Default)]
pub struct RateMeter {
    ring: [(i64, u32); RING],
}

const RING: usize = 8;
const RATE_SECONDS: i64 = 5;

impl RateMeter {
    pub fn add(&mut self, time_ms: i64, n: usize) {
        let sec = time_ms.div_euclid(1000);
        let slot = &mut self.ring[sec.rem_euclid(RING as i64) as usize];
        if slot.0 == sec {
            slot.1 += n as u32;
        } else if sec > slot.0 {
            *slot = (sec, n as u32);
        }
    }

    /// Rate over the last complete seconds before `now_ms`.
    pub fn per_second(&self, now_ms: i64) -> f64 {
        let now = now_ms.div_euclid(1000);
        let total: u32 = self
            .ring
            .iter()
            .filter(|(s, _)| *s < now && *s >= now - RATE_SECONDS)
            .map(|b| b.1)
            .sum();
        f64::from(total) / RATE_SECONDS as f64
    }
}

/// How far back a late line may be placed among the newer ones (see [`LogsState::merge`]):
/// it bounds the work a late delivery costs.
pub const REORDER_WINDOW: usize = 2_000;

#[derive(Debug, Clone)]
pub struct LogsState {
    lines: VecDeque<LogLine>,
    capacity: usize,
    next_seq: u64,
    pub follow: bool,
    /// Sequence of the bottom visible line while not following.
    pub anchor: Option<u64>,
    /// Lines that arrived since the view was paused.
    pub waiting: usize,
    pub search: Option<Search>,
    pub filter: bool,
    pub wrap: bool,
    /// The match that n/N last jumped to.
    pub current_match: Option<u64>,
    pub rate: RateMeter,
    pub total_matches: usize,
    /// `label:`: only the lines of that context show.
    pub context_prefix: Option<String>,
    /// Private key blocks open per log stream (each line arrives alone).
    pem: redact::PemStreams,
}

impl LogsState {
    pub fn new(capacity: usize) -> Self {
        LogsState {
            // Grows as it fills: a quiet tail does not hold the whole buffer's memory.
            lines: VecDeque::new(),
            capacity: capacity.max(1),
            next_seq: 0,
            follow: true,
            anchor: None,
            waiting: 0,
            search: None,
            filter: false,
            wrap: false,
            current_match: None,
            rate: RateMeter::default(),
            total_matches: 0,
            context_prefix: None,
            pem: Default::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Every line gone (a replay's jump); follow, search, filter and wrap stay.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.anchor = None;
        self.waiting = 0;
        self.current_match = None;
        self.rate = RateMeter::default();
        self.total_matches = 0;
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn lines(&self) -> &VecDeque<LogLine> {
        &self.lines
    }

    /// Ingests events from a source. Sanitising, redaction, level detection and the search
    /// match all happen here, once per line, so rendering only reads.
    pub fn ingest(&mut self, events: Vec<LogEvent>) {
        let n = events.len();
        let mut incoming: Vec<LogLine> = events
            .into_iter()
            .map(|ev| {
                self.rate.add(ev.time_ms, 1);
                let message = redact::redact_owned(sanitize::sanitize_owned(ev.message));
                let key = format!("{}\u{0}{}", ev.group, ev.stream.as_deref().unwrap_or(""));
                let message = self.pem.line(&key, message);
                let level = detect_level(&message);
                let display = compact_json(&message);
                let matched = self
                    .search
                    .as_ref()
                    .is_some_and(|s| s.regex.is_match(display.as_deref().unwrap_or(&message)));
                self.total_matches += usize::from(matched);
                LogLine {
                    seq: 0,
                    time_ms: ev.time_ms,
                    group: clean_arc(ev.group),
                    stream: ev.stream.map(clean_arc),
                    level,
                    message,
                    display,
                    matched,
                }
            })
            .collect();
        // Stable: lines of the same time keep their order of arrival.
        incoming.sort_by_key(|l| l.time_ms);
        // Room first (the buffer never grows past its capacity), then whatever a delivery
        // larger than the buffer leaves over.
        let room = (self.lines.len() + incoming.len()).saturating_sub(self.capacity);
        self.evict(room);
        self.merge(incoming);
        self.evict(self.lines.len().saturating_sub(self.capacity));
        if !self.follow {
            self.waiting += n;
        }
    }

    /// Drops the `n` oldest lines.
    fn evict(&mut self, n: usize) {
        for _ in 0..n {
            match self.lines.pop_front() {
                Some(old) => self.total_matches -= usize::from(old.matched),
                None => return,
            }
        }
    }

    /// Adds lines (in time order) keeping the buffer in time order: each goes after the
    /// newest line at or before its time, looking back at most [`REORDER_WINDOW`] lines.
    /// Lines that arrive after newer ones (a context that connected later, a group's
    /// backfill, a linked account polled after the others) take their place among them
    /// instead of below them. The buffer's lines after the first such place are merged with
    /// the new ones in one pass and numbered on; the anchor and current match that named
    /// them follow them, so a paused view stays on the lines it shows.
    fn merge(&mut self, incoming: Vec<LogLine>) {
        let Some(oldest) = incoming.first().map(|l| l.time_ms) else {
            return;
        };
        let len = self.lines.len();
        let floor = len.saturating_sub(REORDER_WINDOW);
        let mut at = len;
        while at > floor && self.lines[at - 1].time_ms > oldest {
            at -= 1;
        }
        let tail: Vec<LogLine> = self.lines.drain(at..).collect();
        let mut seq = tail.first().map_or(self.next_seq, |l| l.seq);
        let (anchor, current) = (self.anchor, self.current_match);
        let mut old = tail.into_iter().peekable();
        let mut new = incoming.into_iter().peekable();
        loop {
            // Of two lines of the same time, the one already shown stays first.
            let from_old = match (old.peek(), new.peek()) {
                (Some(o), Some(n)) => o.time_ms <= n.time_ms,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let next = if from_old { old.next() } else { new.next() };
            let Some(mut line) = next else { break };
            if from_old {
                if anchor == Some(line.seq) {
                    self.anchor = Some(seq);
                }
                if current == Some(line.seq) {
                    self.current_match = Some(seq);
                }
            }
            line.seq = seq;
            seq += 1;
            self.lines.push_back(line);
        }
        self.next_seq = seq;
    }

    pub fn set_search(&mut self, search: Option<Search>) {
        self.total_matches = 0;
        for l in self.lines.iter_mut() {
            l.matched = search.as_ref().is_some_and(|s| s.regex.is_match(l.text()));
            self.total_matches += usize::from(l.matched);
        }
        self.search = search;
        self.current_match = None;
        if self.search.is_none() {
            self.filter = false;
        }
    }

    fn index_of(&self, seq: u64) -> Option<usize> {
        let first = self.lines.front()?.seq;
        let i = seq.checked_sub(first)? as usize;
        (i < self.lines.len()).then_some(i)
    }

    fn visible(&self, l: &LogLine) -> bool {
        (!self.filter || l.matched)
            && self
                .context_prefix
                .as_deref()
                .is_none_or(|p| l.group.starts_with(p))
    }

    /// `c`: only one context's lines (`None`: all).
    pub fn set_context(&mut self, label: Option<&str>) {
        self.context_prefix = label.map(|l| format!("{l}:"));
        self.anchor = None;
    }

    /// Index of the bottom line the view shows.
    pub fn bottom_index(&self) -> Option<usize> {
        if self.lines.is_empty() {
            return None;
        }
        let start = match (self.follow, self.anchor) {
            (false, Some(a)) => self.index_of(a).unwrap_or(if a < self.lines[0].seq {
                0
            } else {
                self.lines.len() - 1
            }),
            _ => self.lines.len() - 1,
        };
        // Under the filter the anchor may sit on a hidden line: take the nearest visible one
        // at or above it.
        (0..=start).rev().find(|i| self.visible(&self.lines[*i]))
    }

    /// Visible lines ending at the bottom line, newest last, at most `n`.
    pub fn tail(&self, n: usize) -> Vec<&LogLine> {
        let mut out = Vec::with_capacity(n);
        if let Some(b) = self.bottom_index() {
            for i in (0..=b).rev() {
                let l = &self.lines[i];
                if self.visible(l) {
                    out.push(l);
                    if out.len() == n {
                        break;
                    }
                }
            }
        }
        out.reverse();
        out
    }

    fn pause_at_bottom(&mut self) {
        if self.follow {
            self.follow = false;
            self.waiting = 0;
            self.anchor = self.bottom_index().map(|i| self.lines[i].seq);
        }
    }

    /// Moves the view by `delta` visible lines (negative is older). Scrolling back pauses
    /// follow; reaching the newest line does not resume it (G does).
    pub fn scroll(&mut self, delta: i64) {
        let Some(mut i) = self.bottom_index() else {
            return;
        };
        self.pause_at_bottom();
        let mut left = delta.unsigned_abs();
        while left > 0 {
            let next = if delta < 0 {
                (0..i).rev().find(|j| self.visible(&self.lines[*j]))
            } else {
                (i + 1..self.lines.len()).find(|j| self.visible(&self.lines[*j]))
            };
            match next {
                Some(j) => i = j,
                None => break,
            }
            left -= 1;
        }
        self.anchor = Some(self.lines[i].seq);
    }

    pub fn to_top(&mut self, page: usize) {
        self.pause_at_bottom();
        // The oldest page: anchor the bottom line `page` visible lines from the start.
        let mut seen = 0;
        let mut anchor = None;
        for l in self.lines.iter().filter(|l| self.visible(l)) {
            anchor = Some(l.seq);
            seen += 1;
            if seen >= page.max(1) {
                break;
            }
        }
        self.anchor = anchor;
    }

    pub fn to_bottom_and_follow(&mut self) {
        self.follow = true;
        self.anchor = None;
        self.waiting = 0;
    }

    pub fn toggle_follow(&mut self) {
        if self.follow {
            self.pause_at_bottom();
        } else {
            self.to_bottom_and_follow();
        }
    }

    /// Jumps to the next match older (`older = true`) or newer than the current one, placing
    /// it half a page above the bottom so there is context on both sides.
    pub fn jump_match(&mut self, older: bool, page: usize) -> bool {
        let from = self
            .current_match
            .and_then(|s| self.index_of(s))
            .or_else(|| self.bottom_index().map(|b| if older { b + 1 } else { b }));
        let Some(from) = from else { return false };
        let found = if older {
            (0..from.min(self.lines.len()))
                .rev()
                .find(|i| self.lines[*i].matched)
        } else {
            (from + 1..self.lines.len()).find(|i| self.lines[*i].matched)
        };
        let Some(i) = found else { return false };
        self.pause_at_bottom();
        let seq = self.lines[i].seq;
        self.current_match = Some(seq);
        let below = (page / 2).max(1);
        let mut bottom = i;
        let mut n = 0;
        for j in i + 1..self.lines.len() {
            if n >= below {
                break;
            }
            if self.visible(&self.lines[j]) {
                bottom = j;
                n += 1;
            }
        }
        self.anchor = Some(self.lines[bottom].seq);
        true
    }
}

/// Group and stream names are outside text too; they are shared `Arc`s, so only a dirty one
/// is copied.
fn clean_arc(s: Arc<str>) -> Arc<str> {
    match sanitize::sanitize(&s) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(o) => Arc::from(o),
    }
}

const HIDDEN_KEYS: [&str; 9] = [
    "level",
    "severity",
    "lvl",
    "log.level",
    "ts",
    "time",
    "timestamp",
    "@timestamp",
    "msg",
];

/// `{"level":"info","msg":"done","status":200}` → `done status=200`. `None` for anything that
/// is not a JSON object.
pub fn compact_json(msg: &str) -> Option<String> {
    let t = msg.trim();
    if !(t.starts_with('{') && t.ends_with('}')) {
        return None;
    }
    let serde_json::Value::Object(map) = serde_json::from_str::<serde_json::Value>(t).ok()? else {
        return None;
    };
    let mut out = String::with_capacity(t.len());
    for key in ["msg", "message"] {
        if let Some(v) = map.get(key) {
            match v {
                serde_json::Value::String(s) => out.push_str(s),
                other => out.push_str(&other.to_string()),
            }
            break;
        }
    }
    for (k, v) in &map {
        if HIDDEN_KEYS.contains(&k.as_str()) || (k == "message" && !map.contains_key("msg")) {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(k);
        out.push('=');
        match v {
            serde_json::Value::String(s) if !s.is_empty() && !s.contains(char::is_whitespace) => {
                out.push_str(s)
            }
            other => out.push_str(&other.to_string()),
        }
    }
    // Values came from outside: they may hold escapes that JSON decoding just turned into
    // real control characters.
    Some(redact::redact_owned(sanitize::sanitize_owned(out)))
}

/// Level from a JSON line's `level`/`severity`/`lvl` field, else the first level word in the
/// first 96 bytes of a plain line (`ERROR`, `[WARN]`, `level=info`...).
pub fn detect_level(msg: &str) -> Option<Level> {
    let t = msg.trim_start();
    if t.starts_with('{') {
        for key in ["\"level\"", "\"severity\"", "\"lvl\"", "\"log.level\""] {
            if let Some(p) = t.find(key) {
                let rest = t[p + key.len()..]
                    .trim_start()
                    .strip_prefix(':')?
                    .trim_start();
                let rest = rest.strip_prefix('"').unwrap_or(rest);
                let word: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect();
                return level_word(&word);
            }
        }
    }
    let head = &t[..floor_boundary(t, 96)];
    let bytes = head.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphabetic() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let end = (i..bytes.len())
                .find(|j| !bytes[*j].is_ascii_alphabetic())
                .unwrap_or(bytes.len());
            let w = &head[i..end];
            if (3..=8).contains(&w.len())
                && let Some(l) =
                    level_word_plain(w, head.as_bytes().get(i.wrapping_sub(1)).copied())
            {
                return Some(l);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    None
}

fn floor_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn level_word(w: &str) -> Option<Level> {
    match w.to_ascii_lowercase().as_str() {
        "error" | "err" | "fatal" | "critical" | "crit" | "panic" | "alert" | "emerg" => {
            Some(Level::Error)
        }
        "warn" | "warning" => Some(Level::Warn),
        "info" | "notice" => Some(Level::Info),
        "debug" | "trace" => Some(Level::Debug),
        _ => None,
    }
}

/// In plain text only upper-case level words count (or lower-case after `level=`), so "an
/// error occurred" in a message does not turn a line red by accident.
fn level_word_plain(w: &str, prev: Option<u8>) -> Option<Level> {
    let after_eq = prev == Some(b'=');
    if w.chars().all(|c| c.is_ascii_uppercase()) || after_eq {
        level_word(w)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(msg: &str) -> LogEvent {
        LogEvent {
            time_ms: 0,
            group: Arc::from("g"),
            stream: None,
            message: msg.to_string(),
        }
    }

    fn state_with(n: usize, cap: usize) -> LogsState {
        let mut s = LogsState::new(cap);
        s.ingest(
            (0..n)
                .map(|i| {
                    ev(&format!(
                        "line {i}{}",
                        if i % 10 == 0 { " ERROR boom" } else { "" }
                    ))
                })
                .collect(),
        );
        s
    }

    fn at(t: i64, msg: &str) -> LogEvent {
        LogEvent {
            time_ms: t,
            ..ev(msg)
        }
    }

    #[test]
    fn a_late_line_takes_its_place_in_time_and_the_view_stays_on_its_lines() {
        let mut s = LogsState::new(100);
        s.ingest(vec![at(10, "a"), at(20, "b"), at(30, "c")]);
        // Paused on `b`, with `c` below it.
        s.scroll(-1);
        assert_eq!(s.tail(1)[0].message, "b");
        s.ingest(vec![at(15, "late"), at(40, "d"), at(20, "same time as b")]);
        let order: Vec<&str> = s.lines().iter().map(|l| l.message.as_str()).collect();
        assert_eq!(order, ["a", "late", "b", "same time as b", "c", "d"]);
        let seqs: Vec<u64> = s.lines().iter().map(|l| l.seq).collect();
        assert_eq!(seqs, [0, 1, 2, 3, 4, 5], "contiguous, oldest first");
        assert_eq!(s.tail(1)[0].message, "b", "the view stays on b");
        assert_eq!(
            s.tail(3)
                .iter()
                .map(|l| l.message.as_str())
                .collect::<Vec<_>>(),
            ["a", "late", "b"]
        );
        // Following, a late line shows in its place above the newest.
        s.to_bottom_and_follow();
        s.ingest(vec![at(35, "late too")]);
        assert_eq!(s.tail(2)[0].message, "late too");
        assert_eq!(s.tail(2)[1].message, "d");
    }

    #[test]
    fn a_line_later_than_the_window_goes_no_further_back_than_it() {
        let n = REORDER_WINDOW + 100;
        let mut s = LogsState::new(n + 10);
        s.ingest((0..n).map(|i| at(1_000 + i as i64, "x")).collect());
        s.ingest(vec![at(0, "very late")]);
        assert_eq!(s.lines()[100].message, "very late");
        assert_eq!(s.lines()[99].time_ms, 1_099);
        assert!(s.lines().iter().enumerate().all(|(i, l)| l.seq == i as u64));
    }

    #[test]
    fn json_lines_are_shown_compactly_and_safely() {
        assert_eq!(
            compact_json(r#"{"level":"info","ts":"x","msg":"request completed","status":200,"path":"/v1/a b"}"#).as_deref(),
            Some(r#"request completed status=200 path="/v1/a b""#)
        );
        assert_eq!(compact_json("plain"), None);
        let hostile = compact_json(r#"{"msg":"\u001b]0;pwned\u0007x","token":"abc"}"#).unwrap();
        assert!(
            !hostile.contains('\u{1b}') && !hostile.contains("abc"),
            "{hostile}"
        );
    }

    #[test]
    fn levels_from_plain_and_json() {
        assert_eq!(
            detect_level(r#"{"level":"error","msg":"x"}"#),
            Some(Level::Error)
        );
        assert_eq!(
            detect_level(r#"{"ts":1, "severity": "WARNING"}"#),
            Some(Level::Warn)
        );
        assert_eq!(
            detect_level("2026-11-22T04:00:00Z INFO started"),
            Some(Level::Info)
        );
        assert_eq!(
            detect_level("[ERROR] 2026 Task timed out"),
            Some(Level::Error)
        );
        assert_eq!(detect_level("ts=1 level=debug msg=x"), Some(Level::Debug));
        assert_eq!(detect_level("an error occurred in the info desk"), None);
        assert_eq!(detect_level("START RequestId: 1 Version: 12"), None);
    }

    #[test]
    fn ring_buffer_is_bounded_and_keeps_match_count() {
        let mut s = LogsState::new(100);
        s.set_search(Search::new("ERROR"));
        s.ingest(
            (0..1000)
                .map(|i| ev(&format!("{i} {}", if i % 2 == 0 { "ERROR" } else { "ok" })))
                .collect(),
        );
        assert_eq!(s.len(), 100);
        assert_eq!(s.total_matches, 50);
        assert_eq!(s.lines().front().unwrap().seq, 900);
    }

    #[test]
    fn hostile_and_secret_text_is_neutralised_at_ingest() {
        let mut s = LogsState::new(10);
        s.ingest(vec![ev("\x1b]0;owned\x07\x1b[2Jpassword=hunter2 done")]);
        let m = &s.lines()[0].message;
        assert!(!m.contains('\x1b') && !m.contains("hunter2"), "{m}");
    }

    #[test]
    fn pause_buffers_and_counts_waiting() {
        let mut s = state_with(50, 1000);
        s.toggle_follow();
        let before = s.tail(5).last().unwrap().seq;
        s.ingest(vec![ev("new 1"), ev("new 2")]);
        assert_eq!(s.waiting, 2);
        assert_eq!(
            s.tail(5).last().unwrap().seq,
            before,
            "paused view does not move"
        );
        s.toggle_follow();
        assert_eq!(s.waiting, 0);
        assert_eq!(s.tail(1)[0].message, "new 2");
    }

    #[test]
    fn scroll_and_filter() {
        let mut s = state_with(100, 1000);
        s.scroll(-10);
        assert!(!s.follow);
        assert_eq!(s.tail(1)[0].seq, 89);
        s.set_search(Search::new("error"));
        s.filter = true;
        let t = s.tail(3);
        assert!(t.iter().all(|l| l.matched));
        assert_eq!(
            t.iter().map(|l| l.seq).collect::<Vec<_>>(),
            vec![60, 70, 80]
        );
        s.to_bottom_and_follow();
        assert_eq!(s.tail(1)[0].seq, 90);
    }

    #[test]
    fn n_and_shift_n_walk_matches() {
        let mut s = state_with(100, 1000);
        s.set_search(Search::new("ERROR"));
        assert_eq!(s.total_matches, 10);
        assert!(s.jump_match(true, 10));
        assert_eq!(s.current_match, Some(90));
        assert!(s.jump_match(true, 10));
        assert_eq!(s.current_match, Some(80));
        assert!(s.jump_match(false, 10));
        assert_eq!(s.current_match, Some(90));
        assert!(!s.jump_match(false, 10), "no newer match");
        // the match is in view with context below it
        let tail = s.tail(10);
        assert!(tail.iter().any(|l| l.seq == 90));
    }

    #[test]
    fn invalid_regex_falls_back_to_literal() {
        let s = Search::new("[ERROR").unwrap();
        assert!(s.regex.is_match("x [ERROR] y"));
        let smart = Search::new("Error").unwrap();
        assert!(!smart.regex.is_match("ERROR"));
    }

    #[test]
    fn rate_meter_counts_whole_seconds() {
        let mut r = RateMeter::default();
        for s in 0..10 {
            r.add(s * 1000 + 500, 100);
        }
        assert_eq!(r.per_second(10_000), 100.0);
        assert_eq!(r.per_second(20_000), 0.0);
        // History far older than the ring is ignored.
        r.add(-500_000, 1_000_000);
        assert_eq!(r.per_second(10_000), 100.0);
    }
}
