//! FilterLogEvents polling per group with a cursor made of the newest timestamp seen (asked
//! for inclusively next time) and the ids of the events already seen at that millisecond, so
//! nothing is shown twice or missed; events of all streams interleaved by time; every request
//! paced by one limiter shared by all groups. Also the group listings discovery reads.

use super::super::errors::describe;
use super::label;
use crate::model::LogEvent;
use crate::sources::aws::kind::LogNames;
use aws_sdk_cloudwatchlogs::Client;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::HashSet;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// Pages read per group per poll; a burst larger than this is read over the next polls.
pub const MAX_PAGES_PER_POLL: usize = 10;
/// Undecodable milliseconds skipped per group per poll.
pub const MAX_SKIPS_PER_POLL: usize = 5;

/// One limiter for all log polling: `rate` requests per second, no bursts.
pub fn limiter(rate: f64) -> Arc<DefaultDirectRateLimiter> {
    let per_ms = (1000.0 / rate.max(0.01)).round().max(1.0) as u64;
    let quota = Quota::with_period(Duration::from_millis(per_ms))
        .expect("non-zero period")
        .allow_burst(NonZeroU32::MIN);
    Arc::new(RateLimiter::direct(quota))
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawEvent {
    pub time_ms: i64,
    pub id: String,
    pub stream: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub newest_ms: i64,
    seen_at_newest: HashSet<String>,
}

impl Cursor {
    pub fn new(start_ms: i64) -> Self {
        Cursor {
            newest_ms: start_ms,
            seen_at_newest: HashSet::new(),
        }
    }

    /// Resumes reading at `ms` when that is ahead of the cursor (a Live Tail session showed
    /// the events before it); what is read again there is dropped by the session's `Seen`.
    pub fn resume_at(&mut self, ms: i64) {
        if ms > self.newest_ms {
            self.newest_ms = ms;
            self.seen_at_newest.clear();
        }
    }

    /// Moves past millisecond `ms` entirely (its events could not be read).
    pub fn skip_past(&mut self, ms: i64) {
        if ms + 1 > self.newest_ms {
            self.newest_ms = ms + 1;
            self.seen_at_newest.clear();
        }
    }

    /// Keeps the events not delivered yet, in time order, and moves the cursor past them.
    pub fn accept(&mut self, mut events: Vec<RawEvent>) -> Vec<RawEvent> {
        events.sort_by(|a, b| a.time_ms.cmp(&b.time_ms).then_with(|| a.id.cmp(&b.id)));
        let mut out = Vec::with_capacity(events.len());
        let mut batch_ids: HashSet<String> = HashSet::new();
        for e in events {
            if e.time_ms < self.newest_ms
                || (e.time_ms == self.newest_ms && self.seen_at_newest.contains(&e.id))
                || !batch_ids.insert(e.id.clone())
            {
                continue;
            }
            if e.time_ms > self.newest_ms {
                self.newest_ms = e.time_ms;
                self.seen_at_newest.clear();
            }
            self.seen_at_newest.insert(e.id.clone());
            out.push(e);
        }
        out
    }
}

/// What one poll of one group brought.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Polled {
    pub events: Vec<LogEvent>,
    /// A note when events that could not be decoded were skipped.
    pub skipped: Option<String>,
}

/// Why a range could not be read.
enum Failure {
    /// The response could not be decoded (invalid text in an event): skippable.
    Undecodable(String),
    Other(String),
}

/// A 2xx answer the SDK could not turn into a response, or a body it could not parse: the
/// data is bad, not the service (moto serves a lone surrogate `\ud800` this way).
fn undecodable<E>(
    e: &aws_sdk_cloudwatchlogs::error::SdkError<
        E,
        aws_sdk_cloudwatchlogs::config::http::HttpResponse,
    >,
) -> bool {
    use aws_sdk_cloudwatchlogs::error::SdkError;
    match e {
        SdkError::ResponseError(_) => true,
        SdkError::ServiceError(s) => s.raw().status().is_success(),
        _ => false,
    }
}

/// Every page of `[start, end]` (end `None`: up to now), at most [`MAX_PAGES_PER_POLL`].
async fn fetch(
    c: &Client,
    limiter: &DefaultDirectRateLimiter,
    group: &str,
    filter: Option<&str>,
    start: i64,
    end: Option<i64>,
) -> Result<Vec<RawEvent>, Failure> {
    let mut raw = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES_PER_POLL {
        limiter.until_ready().await;
        let req = c.filter_log_events();
        // A linked account's group goes by its ARN (cross-account observability).
        let req = if group.starts_with("arn:") {
            req.log_group_identifier(group)
        } else {
            req.log_group_name(group)
        };
        let resp = req
            .start_time(start)
            .set_end_time(end)
            .set_filter_pattern(filter.map(str::to_string))
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| {
                let msg = format!("{group}: {}", describe(&e));
                if undecodable(&e) {
                    Failure::Undecodable(msg)
                } else {
                    Failure::Other(msg)
                }
            })?;
        raw.extend(resp.events().iter().map(|e| RawEvent {
            time_ms: e.timestamp().unwrap_or(0),
            id: e.event_id().unwrap_or("").to_string(),
            stream: e.log_stream_name().map(str::to_string),
            message: e.message().unwrap_or("").trim_end_matches('\n').to_string(),
        }));
        token = resp.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(raw)
}

/// One poll of one group: every page from the cursor (inclusive), then the cursor moves. When
/// an event cannot be decoded, the millisecond holding it is found by halving the time range
/// (a few requests), the events before it are kept, that millisecond is skipped with a note,
/// and following goes on from the next one: one bad event never stops a group.
pub async fn poll(
    c: &Client,
    limiter: &DefaultDirectRateLimiter,
    group: &str,
    filter: Option<&str>,
    cursor: &mut Cursor,
) -> Result<Polled, String> {
    let mut kept = Vec::new();
    let mut skipped_at = Vec::new();
    // A few bad milliseconds per poll at most; more wait for the next poll.
    for _ in 0..MAX_SKIPS_PER_POLL {
        let start = cursor.newest_ms;
        let e = match fetch(c, limiter, group, filter, start, None).await {
            Ok(raw) => {
                kept.extend(cursor.accept(raw));
                break;
            }
            Err(Failure::Other(e)) if kept.is_empty() => return Err(e),
            Err(Failure::Other(_)) => break,
            Err(Failure::Undecodable(e)) => e,
        };
        let mut lo = start;
        let mut hi = crate::clock::now_ms() + 60_000;
        // The earliest end at which [start, end] fails is the bad millisecond.
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match fetch(c, limiter, group, filter, start, Some(mid)).await {
                Ok(_) => lo = mid + 1,
                Err(Failure::Undecodable(_)) => hi = mid,
                Err(Failure::Other(other)) => return Err(other),
            }
        }
        let bad = lo;
        if bad > start {
            match fetch(c, limiter, group, filter, start, Some(bad - 1)).await {
                Ok(r) => kept.extend(cursor.accept(r)),
                Err(Failure::Undecodable(_)) => return Err(e),
                Err(Failure::Other(other)) => return Err(other),
            }
        }
        cursor.skip_past(bad);
        skipped_at.push(bad);
        kept.push(RawEvent {
            time_ms: bad,
            id: format!("opsdeck-skipped-{bad}"),
            stream: None,
            message: "⚠ opsdeck: event(s) at this millisecond could not be decoded (invalid text) and were skipped".into(),
        });
    }
    let skipped = (!skipped_at.is_empty()).then(|| {
        let at: Vec<String> = skipped_at
            .iter()
            .map(|ms| {
                chrono::DateTime::from_timestamp_millis(*ms)
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string())
                    .unwrap_or_else(|| ms.to_string())
            })
            .collect();
        format!(
            "{group}: skipped event(s) at {} that CloudWatch Logs returned as undecodable text; following goes on",
            at.join(", ")
        )
    });
    kept.sort_by_key(|a| a.time_ms);
    Ok(Polled {
        events: to_events(group, kept),
        skipped,
    })
}

/// The linked source accounts' log groups (DescribeLogGroups with includeLinkedAccounts):
/// ARNs without the trailing `:*`, the monitoring account's own left out.
pub async fn linked_groups(
    c: &Client,
    own: Option<&str>,
    max_pages: usize,
) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..max_pages {
        let resp = c
            .describe_log_groups()
            .include_linked_accounts(true)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| describe(&e))?;
        for g in resp.log_groups() {
            let arn = g
                .log_group_arn()
                .map(str::to_string)
                .or_else(|| g.arn().map(|a| a.trim_end_matches(":*").to_string()));
            if let Some(arn) = arn
                && own.is_none_or(|o| arn.split(':').nth(4) != Some(o))
            {
                out.push(arn);
            }
        }
        token = resp.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(out)
}

fn to_events(group: &str, raw: Vec<RawEvent>) -> Vec<LogEvent> {
    let g: Arc<str> = Arc::from(label(group).as_str());
    raw.into_iter()
        .map(|e| LogEvent {
            time_ms: e.time_ms,
            group: g.clone(),
            stream: e.stream.map(Arc::from),
            message: e.message,
        })
        .collect()
}

/// Log group names (paginated, up to `max_pages` pages of 50).
pub async fn list_groups(c: &Client, max_pages: usize) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..max_pages {
        let resp = c
            .describe_log_groups()
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| describe(&e))?;
        out.extend(
            resp.log_groups()
                .iter()
                .filter_map(|g| g.log_group_name())
                .map(str::to_string),
        );
        token = resp.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(out)
}

/// Groups discovery picks: those the watched kinds name exactly (`/aws/lambda/<function>`)
/// and those holding a name they give (a service's).
pub fn pick_groups(all: &[String], names: &LogNames, cap: usize) -> (Vec<String>, bool) {
    let mut out: Vec<String> = all
        .iter()
        .filter(|g| {
            names.exact.iter().any(|x| *g == x)
                || names
                    .containing
                    .iter()
                    .any(|s| !s.is_empty() && g.contains(s.as_str()))
        })
        .cloned()
        .collect();
    let capped = out.len() > cap;
    out.truncate(cap);
    (out, capped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(t: i64, id: &str) -> RawEvent {
        RawEvent {
            time_ms: t,
            id: id.into(),
            stream: Some("s".into()),
            message: id.into(),
        }
    }

    fn ids(v: &[RawEvent]) -> Vec<&str> {
        v.iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn cursor_never_repeats_and_never_skips_events_at_the_same_millisecond() {
        let mut c = Cursor::new(1000);
        // Out of order across streams; one before the start.
        let got = c.accept(vec![
            ev(1005, "b"),
            ev(999, "old"),
            ev(1001, "a"),
            ev(1005, "c"),
        ]);
        assert_eq!(ids(&got), ["a", "b", "c"]);
        assert_eq!(c.newest_ms, 1005);
        // The next poll asks from 1005 inclusive: b and c come back, plus d that arrived at
        // the same millisecond after the previous poll.
        let got = c.accept(vec![
            ev(1005, "b"),
            ev(1005, "c"),
            ev(1005, "d"),
            ev(1006, "e"),
        ]);
        assert_eq!(ids(&got), ["d", "e"]);
        let got = c.accept(vec![ev(1006, "e")]);
        assert!(got.is_empty());
        // Duplicates inside one batch (pages overlapping) are dropped too.
        let got = c.accept(vec![ev(1007, "f"), ev(1007, "f")]);
        assert_eq!(ids(&got), ["f"]);
    }

    #[test]
    fn discovery_picks_lambda_groups_and_groups_naming_services() {
        let all: Vec<String> = [
            "/aws/lambda/checkout",
            "/aws/lambda/other",
            "/ecs/prod/api",
            "/ecs/prod/web",
            "/misc",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let names = |containing: &[&str]| LogNames {
            exact: vec!["/aws/lambda/checkout".into()],
            containing: containing.iter().map(|s| s.to_string()).collect(),
        };
        let (g, capped) = pick_groups(&all, &names(&["api"]), 10);
        assert_eq!(g, ["/aws/lambda/checkout", "/ecs/prod/api"]);
        assert!(!capped);
        let (g, capped) = pick_groups(&all, &names(&["api", "web"]), 2);
        assert_eq!(g.len(), 2);
        assert!(capped);
    }

    #[tokio::test]
    async fn the_limiter_paces_requests_without_bursts() {
        // 20/s: five requests need at least four gaps of 50 ms (a lower bound on pacing,
        // not a speed target).
        let l = limiter(20.0);
        let t0 = std::time::Instant::now();
        for _ in 0..5 {
            l.until_ready().await;
        }
        assert!(
            t0.elapsed() >= Duration::from_millis(190),
            "{:?}",
            t0.elapsed()
        );
    }
}
