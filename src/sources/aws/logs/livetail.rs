//! CloudWatch Logs Live Tail: followed groups streamed as CloudWatch ingests them
//! (StartLiveTail, an event stream of at most 10 groups per session, updates about every
//! second), instead of polling FilterLogEvents. Polling stays the fallback and the backfill:
//! a session that cannot start, or ends, hands its groups back to polling from just before
//! the newest event it showed; a session that starts is caught up by one poll from the
//! polling cursor. [`Seen`] makes both hand-overs lossless and duplicate-free, although live
//! events carry no event id: it counts, per millisecond and (stream, message), how many
//! copies each side has shown, and lets through only what goes beyond that.

use super::super::errors::{Fault, describe};
use crate::model::LogEvent;
use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::types::StartLiveTailResponseStream;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Log groups per session (the API's limit).
pub const MAX_GROUPS: usize = 10;
/// How far back (by event time) [`Seen`] remembers what it let through.
pub const WINDOW_MS: i64 = 120_000;
/// A group handed back to polling is read again from this long before the newest event
/// the session showed (late arrivals; [`Seen`] drops what was shown).
pub const RESUME_MARGIN_MS: i64 = 10_000;

/// What a session tells the logs feed.
#[derive(Debug)]
pub enum LiveMsg {
    /// The session is up for these groups: what is ingested from now on comes through it.
    Started(Vec<String>),
    /// New events, each with the followed group it belongs to (a name, or a linked
    /// account's ARN); empty: the session's heartbeat.
    Events(Vec<(String, LogEvent)>),
    /// The session could not start or ended: its groups go back to polling. `retry`: worth
    /// trying again later (a network loss, a session that timed out); not when the API or
    /// the permission is missing.
    Ended {
        groups: Vec<String>,
        why: String,
        retry: bool,
    },
}

/// Whether trying again can help: not when the permission or the endpoint's support for the
/// operation is missing (the SDK's error code says which, read once in `errors::fault`).
fn retryable(fault: Fault) -> bool {
    !matches!(fault, Fault::Denied | Fault::Unsupported)
}

/// One session for `groups` (at most [`MAX_GROUPS`]), until it ends or `tx` closes.
pub async fn run(c: Client, prefix: String, groups: Vec<String>, tx: mpsc::Sender<LiveMsg>) {
    // A linked account's group is already an ARN.
    let idents: Vec<String> = groups
        .iter()
        .map(|g| {
            if g.starts_with("arn:") {
                g.clone()
            } else {
                format!("{prefix}{g}")
            }
        })
        .collect();
    let watched: HashMap<String, String> =
        idents.iter().cloned().zip(groups.iter().cloned()).collect();
    let which = |ident: &str| -> String {
        let ident = ident.strip_suffix(":*").unwrap_or(ident);
        watched
            .get(ident)
            .cloned()
            .unwrap_or_else(|| super::group_of(ident))
    };
    let ended = |why: String, retry: bool| LiveMsg::Ended {
        groups: groups.clone(),
        why,
        retry,
    };
    let mut out = match c
        .start_live_tail()
        .set_log_group_identifiers(Some(idents))
        .send()
        .await
    {
        Ok(o) => o,
        Err(e) => {
            let retry = retryable(super::super::errors::fault(&e));
            let _ = tx
                .send(ended(format!("live tail: {}", describe(&e)), retry))
                .await;
            return;
        }
    };
    loop {
        let msg = match out.response_stream.recv().await {
            Ok(Some(StartLiveTailResponseStream::SessionStart(_))) => {
                LiveMsg::Started(groups.clone())
            }
            Ok(Some(StartLiveTailResponseStream::SessionUpdate(u))) => LiveMsg::Events(
                u.session_results()
                    .iter()
                    .map(|e| {
                        let g = which(e.log_group_identifier().unwrap_or(""));
                        let event = LogEvent {
                            time_ms: e.timestamp().unwrap_or(0),
                            group: Arc::from(super::label(&g).as_str()),
                            stream: e.log_stream_name().map(Arc::from),
                            message: e.message().unwrap_or("").trim_end_matches('\n').to_string(),
                        };
                        (g, event)
                    })
                    .collect(),
            ),
            Ok(Some(_)) => continue,
            Ok(None) => ended("live tail: the session ended".into(), true),
            Err(e) => {
                let text = aws_sdk_cloudwatchlogs::error::DisplayErrorContext(&e).to_string();
                ended(
                    format!(
                        "live tail: the session broke: {}",
                        text.split_whitespace().collect::<Vec<_>>().join(" ")
                    ),
                    true,
                )
            }
        };
        let last = matches!(msg, LiveMsg::Ended { .. });
        if tx.send(msg).await.is_err() || last {
            return;
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    /// Copies let through, whichever side brought them.
    shown: u32,
    /// Copies the live session brought.
    live: u32,
    /// Copies polling brought (each a distinct event id).
    polled: u32,
}

/// What was shown of a group around the hand-overs (see the module's doc).
#[derive(Debug, Default)]
pub struct Seen {
    by_ms: BTreeMap<i64, HashMap<u64, Counts>>,
    newest_ms: i64,
}

fn key(e: &LogEvent) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    e.stream.hash(&mut h);
    e.message.hash(&mut h);
    h.finish()
}

impl Seen {
    /// Events from the live session: each one is a distinct event.
    pub fn live(&mut self, events: Vec<LogEvent>) -> Vec<LogEvent> {
        self.keep(events, true)
    }

    /// Events from polling (each new to the polling cursor, so each a distinct event).
    pub fn polled(&mut self, events: Vec<LogEvent>) -> Vec<LogEvent> {
        self.keep(events, false)
    }

    /// The newest event time seen.
    pub fn newest_ms(&self) -> i64 {
        self.newest_ms
    }

    fn keep(&mut self, events: Vec<LogEvent>, live: bool) -> Vec<LogEvent> {
        let floor = self.newest_ms - WINDOW_MS;
        let mut out = Vec::with_capacity(events.len());
        for e in events {
            if e.time_ms < floor {
                // Older than what is remembered: polling's cursor is past it already, and a
                // live event this late is new (AWS streams each event once).
                if live {
                    out.push(e);
                }
                continue;
            }
            let c = self
                .by_ms
                .entry(e.time_ms)
                .or_default()
                .entry(key(&e))
                .or_default();
            let n = if live {
                c.live += 1;
                c.live
            } else {
                c.polled += 1;
                c.polled
            };
            if n > c.shown {
                c.shown = n;
                self.newest_ms = self.newest_ms.max(e.time_ms);
                out.push(e);
            }
        }
        let floor = self.newest_ms - WINDOW_MS;
        while let Some((&ms, _)) = self.by_ms.first_key_value() {
            if ms >= floor {
                break;
            }
            self.by_ms.pop_first();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::aws::logs::{arn_prefix, group_of};

    /// `_id`: polling's event id, which [`Seen`] never needs.
    fn ev(ms: i64, _id: &str, msg: &str) -> LogEvent {
        LogEvent {
            time_ms: ms,
            group: Arc::from("/g"),
            stream: Some(Arc::from("s")),
            message: msg.into(),
        }
    }

    fn texts(v: &[LogEvent]) -> Vec<String> {
        v.iter()
            .map(|e| format!("{} {}", e.time_ms, e.message))
            .collect()
    }

    #[test]
    fn the_catch_up_poll_after_a_session_starts_shows_only_what_the_session_did_not() {
        let mut s = Seen::default();
        // Live brings two events, one of them a repeated line at the same millisecond.
        let got = s.live(vec![ev(100, "", "a"), ev(100, "", "a")]);
        assert_eq!(got.len(), 2);
        // The catch-up poll sees the same two (ids of their own) and one the session did
        // not have (ingested before it started).
        let got = s.polled(vec![
            ev(90, "1", "before"),
            ev(100, "2", "a"),
            ev(100, "3", "a"),
        ]);
        assert_eq!(texts(&got), ["90 before"]);
        // A third copy of the repeated line is new whichever side brings it.
        assert_eq!(s.live(vec![ev(100, "", "a")]).len(), 1);
        assert!(s.polled(vec![ev(100, "4", "a")]).is_empty());
    }

    #[test]
    fn polling_again_after_a_session_ends_repeats_nothing() {
        let mut s = Seen::default();
        s.live(vec![ev(1_000, "", "x"), ev(2_000, "", "y")]);
        // Back to polling from before the newest: the overlap is dropped, the rest kept.
        let got = s.polled(vec![
            ev(1_000, "10", "x"),
            ev(2_000, "11", "y"),
            ev(2_500, "12", "z"),
        ]);
        assert_eq!(texts(&got), ["2500 z"]);
    }

    #[test]
    fn memory_is_bounded_by_the_window() {
        let mut s = Seen::default();
        for i in 0..10_000 {
            s.live(vec![ev(i * 100, "", "line")]);
        }
        let kept = s.by_ms.len() as i64;
        assert!(kept <= WINDOW_MS / 100 + 1, "{kept}");
        // A late live event is still shown.
        assert_eq!(s.live(vec![ev(5, "", "late")]).len(), 1);
    }

    #[test]
    fn identifiers_and_retry() {
        assert_eq!(
            group_of("arn:aws:logs:us-east-1:123456789012:log-group:/ecs/api:*"),
            "/ecs/api"
        );
        assert_eq!(group_of("/ecs/api"), "/ecs/api");
        assert_eq!(
            arn_prefix("eu-west-1", "1"),
            "arn:aws:logs:eu-west-1:1:log-group:"
        );
        assert!(!retryable(Fault::Denied));
        assert!(!retryable(Fault::Unsupported));
        assert!(retryable(Fault::Network));
        assert!(retryable(Fault::Throttled));
        assert!(
            retryable(Fault::Credentials),
            "expired credentials refresh by themselves"
        );
    }
}
