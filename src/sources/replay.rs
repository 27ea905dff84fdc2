//! The replay source: a recording played back behind the same boundary as the live sources,
//! at its own speed, paused, or jumped anywhere in it.
//!
//! A jump never replays the recording from its start: [`state_at`] condenses what was true at
//! the new position (each feed's last delivery that replaces its data, with what came after
//! it; the newest log lines; the timeline so far), so a seek costs the same at minute 1 and at
//! hour 10. `snapshot --replay --at` goes through the same function, so its screen is the
//! replay's.

use super::{
    DataSource, Feed, FeedId, Payload, ReplayClock, ReplayControl, SourceCommand, SourceEvent,
    SourceInfo,
};
use crate::sources::recording::Recording;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Playback speeds `[` and `]` step through.
pub const SPEEDS: [f64; 9] = [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 500.0];
/// How often playback advances (wall time).
const STEP: Duration = Duration::from_millis(100);
/// Most timeline entries handed over on a jump (the cockpit keeps 1000).
const TIMELINE: usize = 1000;

/// Whether a payload replaces everything its feed delivered before.
fn replaces(p: &Payload) -> bool {
    matches!(
        p,
        Payload::Services(_) | Payload::MetricSeries(_) | Payload::Alarms(_)
    )
}

/// What the cockpit must receive, after a `Reset`, to show the recording as it was at `t`:
/// per feed the last replacing delivery and what followed it (metric points merged), the
/// newest `log_lines` log lines, the source's notes, the timeline up to `t`, and the clock.
pub fn state_at(rec: &Recording, t: i64, log_lines: usize, clock: ReplayClock) -> Vec<SourceEvent> {
    let n = rec.events.partition_point(|e| e.0 <= t);
    let past = &rec.events[..n];
    // Walking back: the index where each feed's kept history starts.
    let mut from: BTreeMap<FeedId, usize> = BTreeMap::new();
    let mut done: BTreeMap<FeedId, bool> = BTreeMap::new();
    let mut lines = 0usize;
    let mut notes = Vec::new();
    for (i, (_, ev)) in past.iter().enumerate().rev() {
        if let Payload::Note(_) = ev.payload {
            notes.push(i);
            continue;
        }
        if done.get(&ev.feed_id()).copied().unwrap_or(false) {
            continue;
        }
        from.insert(ev.feed_id(), i);
        let finished = match &ev.payload {
            p if replaces(p) => true,
            Payload::Logs(l) | Payload::LogsPartial { events: l, .. } => {
                lines += l.len();
                lines >= log_lines
            }
            // Only the last result of a query is on screen.
            Payload::Insights { .. } => true,
            _ => false,
        };
        if finished {
            done.insert(ev.feed_id(), true);
        }
    }
    let mut out = vec![SourceEvent {
        ctx: 0,
        feed: Feed::Replay,
        at_ms: t,
        payload: Payload::Reset,
    }];
    // Feed by feed, in recorded order, with runs of metric points and of log lines merged
    // into one delivery (what the cockpit would have had; one update instead of thousands).
    for (feed, start) in &from {
        let mut kept: Vec<SourceEvent> = Vec::new();
        for (_, ev) in &past[*start..] {
            if ev.feed_id() != *feed || matches!(ev.payload, Payload::Note(_)) {
                continue;
            }
            if let Some(last) = kept.last_mut() {
                match (&mut last.payload, &ev.payload) {
                    (Payload::MetricPoints(a), Payload::MetricPoints(b)) => {
                        a.extend(b.iter().cloned());
                        last.at_ms = ev.at_ms;
                        continue;
                    }
                    (Payload::Logs(a), Payload::Logs(b)) => {
                        a.extend(b.iter().cloned());
                        last.at_ms = ev.at_ms;
                        continue;
                    }
                    _ => {}
                }
            }
            kept.push(ev.clone());
        }
        out.extend(kept);
    }
    notes.reverse();
    out.extend(notes.into_iter().map(|i| past[i].1.clone()));
    let j = rec.journal.partition_point(|e| e.0 <= t);
    let entries: Vec<_> = rec.journal[j.saturating_sub(TIMELINE)..j]
        .iter()
        .map(|e| e.1.clone())
        .collect();
    if !entries.is_empty() {
        out.push(SourceEvent {
            ctx: 0,
            feed: Feed::Replay,
            at_ms: t,
            payload: Payload::Journal(entries),
        });
    }
    out.push(SourceEvent {
        ctx: 0,
        feed: Feed::Replay,
        at_ms: t,
        payload: Payload::Replay(clock),
    });
    out
}

/// Parses a position in a recording: an offset from its start (`90s`, `10m`, `1h5m`, `+30s`),
/// a time of day as the status bar shows it (`21:04:10`, UTC, within the recording), or an
/// RFC 3339 time.
pub fn parse_at(s: &str, rec: &Recording) -> anyhow::Result<i64> {
    let s = s.trim();
    let start = rec.start_ms();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    if let Ok(tod) = chrono::NaiveTime::parse_from_str(s, "%H:%M:%S") {
        let day = chrono::DateTime::from_timestamp_millis(start)
            .unwrap_or_default()
            .date_naive();
        let mut t = day.and_time(tod).and_utc().timestamp_millis();
        if t < start {
            t += 86_400_000;
        }
        return Ok(t);
    }
    let body = s.strip_prefix('+').unwrap_or(s);
    let total = crate::duration::parse_ms(body).map_err(|e| {
        anyhow::anyhow!(
            "`{s}`: {e}; give an offset (90s, 10m, 1h5m), a time of day (21:04:10 UTC) or an RFC 3339 time"
        )
    })?;
    Ok(start.saturating_add(total))
}

/// Plays a recording.
pub struct ReplaySource {
    pub recording: Arc<Recording>,
    /// Where playback starts (recorded time).
    pub from_ms: i64,
    pub speed: f64,
    /// Start paused (the snapshot and the tests).
    pub paused: bool,
    /// The cockpit's log buffer: how many lines a jump hands over.
    pub log_lines: usize,
}

impl ReplaySource {
    pub fn new(recording: Recording, log_lines: usize) -> ReplaySource {
        let from_ms = recording.start_ms();
        ReplaySource {
            recording: Arc::new(recording),
            from_ms,
            speed: 1.0,
            paused: false,
            log_lines,
        }
    }
}

struct Player {
    rec: Arc<Recording>,
    at: i64,
    /// Next delivery and journal entry to play.
    next: usize,
    next_entry: usize,
    speed: f64,
    paused: bool,
    log_lines: usize,
}

impl Player {
    fn clock(&self) -> ReplayClock {
        ReplayClock {
            at_ms: self.at,
            start_ms: self.rec.start_ms(),
            end_ms: self.rec.end_ms(),
            speed: self.speed,
            paused: self.paused,
        }
    }

    fn jump(&mut self, t: i64) -> Vec<SourceEvent> {
        self.at = t.clamp(self.rec.start_ms(), self.rec.end_ms());
        self.next = self.rec.events.partition_point(|e| e.0 <= self.at);
        self.next_entry = self.rec.journal.partition_point(|e| e.0 <= self.at);
        state_at(&self.rec, self.at, self.log_lines, self.clock())
    }

    /// Plays `ms` of recorded time: what was delivered in it, in order, and the clock.
    fn advance(&mut self, ms: i64) -> Vec<SourceEvent> {
        let end = self.rec.end_ms();
        self.at = (self.at + ms).min(end);
        let mut out = Vec::new();
        while let Some((t, ev)) = self.rec.events.get(self.next)
            && *t <= self.at
        {
            out.push(ev.clone());
            self.next += 1;
        }
        let mut entries = Vec::new();
        while let Some((t, e)) = self.rec.journal.get(self.next_entry)
            && *t <= self.at
        {
            entries.push(e.clone());
            self.next_entry += 1;
        }
        if !entries.is_empty() {
            out.push(self.event(Payload::Journal(entries)));
        }
        if self.at >= end {
            // The end: stay there, paused, rather than loop.
            self.paused = true;
        }
        out.push(self.event(Payload::Replay(self.clock())));
        out
    }

    fn event(&self, payload: Payload) -> SourceEvent {
        SourceEvent {
            ctx: 0,
            feed: Feed::Replay,
            at_ms: self.at,
            payload,
        }
    }

    fn control(&mut self, c: ReplayControl) -> Vec<SourceEvent> {
        match c {
            ReplayControl::TogglePause => {
                self.paused = !self.paused;
                if !self.paused && self.at >= self.rec.end_ms() {
                    return self.jump(self.rec.start_ms());
                }
                vec![self.event(Payload::Replay(self.clock()))]
            }
            ReplayControl::Seek(d) => self.jump(self.at.saturating_add(d)),
            ReplayControl::SeekTo(t) => self.jump(t),
            ReplayControl::Faster | ReplayControl::Slower => {
                let i = SPEEDS
                    .iter()
                    .position(|s| *s >= self.speed)
                    .unwrap_or(SPEEDS.len() - 1);
                let i = if c == ReplayControl::Faster {
                    (i + 1).min(SPEEDS.len() - 1)
                } else {
                    i.saturating_sub(1)
                };
                self.speed = SPEEDS[i];
                vec![self.event(Payload::Replay(self.clock()))]
            }
        }
    }
}

impl DataSource for ReplaySource {
    fn info(&self) -> SourceInfo {
        self.recording.info()
    }

    fn start(
        self: Box<Self>,
        events: mpsc::Sender<SourceEvent>,
        mut commands: mpsc::Receiver<SourceCommand>,
    ) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut p = Player {
                rec: self.recording.clone(),
                at: self.from_ms,
                next: 0,
                next_entry: 0,
                speed: self.speed,
                paused: self.paused,
                log_lines: self.log_lines,
            };
            let send = |evs: Vec<SourceEvent>| {
                let events = events.clone();
                async move {
                    for e in evs {
                        if events.send(e).await.is_err() {
                            return false;
                        }
                    }
                    true
                }
            };
            if !send(p.jump(self.from_ms)).await {
                return;
            }
            let mut tick = tokio::time::interval(STEP);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut last = tokio::time::Instant::now();
            loop {
                let out = tokio::select! {
                    _ = tick.tick() => {
                        let now = tokio::time::Instant::now();
                        let wall = now.duration_since(last).as_millis() as f64;
                        last = now;
                        if p.paused {
                            continue;
                        }
                        p.advance((wall * p.speed) as i64)
                    }
                    c = commands.recv() => match c {
                        None => return,
                        Some(SourceCommand::Replay(c)) => p.control(c),
                        Some(SourceCommand::Mutate { id, .. }) => vec![SourceEvent { ctx: 0,
                            feed: Feed::Actions,
                            at_ms: p.at,
                            payload: Payload::ActionResult {
                                id,
                                result: Err("a replay cannot act".into()),
                            },
                        }],
                        Some(SourceCommand::LogsQuery { query, .. }) => vec![SourceEvent { ctx: 0,
                            feed: Feed::Insights,
                            at_ms: p.at,
                            payload: Payload::Insights {
                                query,
                                result: Err("a replay cannot query Logs Insights".into()),
                            },
                        }],
                        Some(SourceCommand::SetMetricWindow(_) | SourceCommand::Focus { .. }) => Vec::new(),
                    }
                };
                if !send(out).await {
                    return;
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LogEvent, MetricKey, Resource};
    use crate::sources::recording::Header;

    fn rec() -> Recording {
        let ev = |t: i64, feed, payload| {
            (
                t,
                SourceEvent {
                    ctx: 0,
                    feed,
                    at_ms: t,
                    payload,
                },
            )
        };
        let row = |status: &str| {
            let mut r = Resource::ecs("prod", "api");
            r.status = status.into();
            Payload::Services(vec![r])
        };
        let line = |t: i64| {
            Payload::Logs(vec![LogEvent {
                time_ms: t,
                group: "g".into(),
                stream: None,
                message: format!("line {t}"),
            }])
        };
        let key = MetricKey {
            namespace: "AWS/ECS".into(),
            metric: "CPUUtilization".into(),
            dimensions: Default::default(),
            stat: "Average".into(),
            account: None,
        };
        Recording {
            header: Header {
                version: 1,
                opsdeck: "0".into(),
                started_ms: 0,
                label: "demo".into(),
                feeds: vec![],
                contexts: vec![],
            },
            events: vec![
                ev(1_000, Feed::ECS, row("one")),
                ev(2_000, Feed::Logs, line(2_000)),
                ev(
                    3_000,
                    Feed::Metrics,
                    Payload::MetricPoints(vec![(key.clone(), vec![(3_000, 1.0)])]),
                ),
                ev(4_000, Feed::ECS, row("two")),
                ev(5_000, Feed::Logs, line(5_000)),
                ev(
                    6_000,
                    Feed::Metrics,
                    Payload::MetricPoints(vec![(key, vec![(6_000, 2.0)])]),
                ),
                ev(7_000, Feed::ECS, Payload::Error("throttled".into())),
                ev(8_000, Feed::Logs, line(8_000)),
            ],
            journal: vec![],
            warnings: vec![],
        }
    }

    fn clock(at: i64) -> ReplayClock {
        ReplayClock {
            at_ms: at,
            start_ms: 0,
            end_ms: 8_000,
            speed: 1.0,
            paused: true,
        }
    }

    #[test]
    fn the_state_at_a_time_is_the_last_rows_and_what_followed_with_points_and_lines_merged() {
        let r = rec();
        let out = state_at(&r, 7_500, 2, clock(7_500));
        let kinds: Vec<_> = out
            .iter()
            .map(|e| {
                let p = match &e.payload {
                    Payload::Services(s) => format!("rows {}", s[0].status),
                    Payload::Logs(l) => format!("logs {}", l.len()),
                    Payload::MetricPoints(p) => format!("points {}", p.len()),
                    Payload::Error(e) => format!("error {e}"),
                    Payload::Reset => "reset".into(),
                    Payload::Replay(c) => format!("clock {}", c.at_ms),
                    other => format!("{other:?}"),
                };
                format!("{} {p}", e.feed)
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "replay reset",
                "ecs rows two",
                "ecs error throttled",
                "metrics points 2",
                "logs logs 2",
                "replay clock 7500",
            ]
            .map(String::from)
            .to_vec(),
            "the older rows and lines beyond the buffer are not handed over"
        );
    }

    #[test]
    fn playback_delivers_in_order_and_stops_paused_at_the_end() {
        let mut p = Player {
            rec: Arc::new(rec()),
            at: 0,
            next: 0,
            next_entry: 0,
            speed: 1.0,
            paused: false,
            log_lines: 100,
        };
        p.jump(0);
        let first = p.advance(2_500);
        assert_eq!(first.len(), 3, "two deliveries and the clock");
        let rest = p.advance(60_000);
        assert_eq!(rest.len(), 7);
        assert!(p.paused);
        assert_eq!(p.at, 8_000);
        // Space at the end plays again from the start.
        let again = p.control(ReplayControl::TogglePause);
        assert!(matches!(again[0].payload, Payload::Reset));
        assert_eq!(p.at, 0);
        p.control(ReplayControl::Faster);
        assert_eq!(p.speed, 2.0);
        p.control(ReplayControl::Slower);
        p.control(ReplayControl::Slower);
        p.control(ReplayControl::Slower);
        assert_eq!(p.speed, 0.5);
    }

    #[test]
    fn positions_are_offsets_times_of_day_or_rfc3339() {
        let mut r = rec();
        r.header.started_ms = chrono::DateTime::parse_from_rfc3339("2026-12-02T21:00:00Z")
            .unwrap()
            .timestamp_millis();
        let s = r.header.started_ms;
        assert_eq!(parse_at("90s", &r).unwrap(), s + 90_000);
        assert_eq!(parse_at("+1h5m", &r).unwrap(), s + 3_900_000);
        assert_eq!(parse_at("30", &r).unwrap(), s + 30_000);
        assert_eq!(parse_at("21:04:10", &r).unwrap(), s + 250_000);
        assert_eq!(parse_at("2026-12-02T21:00:05Z", &r).unwrap(), s + 5_000);
        assert!(
            parse_at("later", &r)
                .unwrap_err()
                .to_string()
                .contains("offset")
        );
        assert!(
            parse_at("m5", &r)
                .unwrap_err()
                .to_string()
                .contains("number must come")
        );
    }
}
