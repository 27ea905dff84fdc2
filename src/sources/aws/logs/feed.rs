//! The logs feed: the watched (or discovered) log groups followed, streamed by Live Tail
//! sessions where they can be (groups without a filter pattern, ARNs known), polled with
//! FilterLogEvents otherwise, for backfill, and whenever a session is not (yet) up. One
//! delivery per poll, and one per session update as it arrives.

use super::livetail::{self, LiveMsg, Seen};
use super::poll;
use crate::config::Refresh;
use crate::config::live::WatchLogGroup;
use crate::model::LogEvent;
use crate::sources::aws::Found;
use crate::sources::aws::feeds::{Backoff, now_ms, send, wait_found};
use crate::sources::aws::plan::{self, Plan};
use crate::sources::{Feed, Payload, SourceEvent};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// After a session failed for a reason worth retrying (network, a session timeout), polling
/// carries the groups this long before another session is tried.
const LIVE_RETRY: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Live {
    /// Session asked for; polling goes on meanwhile.
    Starting,
    /// Session up; one more poll (the catch-up) hands the group over.
    Started,
    /// Session up and caught up: the group is no longer polled.
    Streaming,
}

/// The Live Tail sessions of one feed.
struct Sessions {
    /// `arn:aws:logs:REGION:ACCOUNT:log-group:`; `None`: no Live Tail (account unknown, or
    /// `[logs] live_tail = false`).
    prefix: Option<String>,
    state: HashMap<String, Live>,
    /// What each group showed around its hand-overs.
    seen: HashMap<String, Seen>,
    tasks: Vec<JoinHandle<()>>,
    tx: mpsc::Sender<LiveMsg>,
    rx: mpsc::Receiver<LiveMsg>,
    retry_at: Option<tokio::time::Instant>,
}

impl Sessions {
    fn new(prefix: Option<String>) -> Self {
        let (tx, rx) = mpsc::channel(64);
        Sessions {
            prefix,
            state: HashMap::new(),
            seen: HashMap::new(),
            tasks: Vec::new(),
            tx,
            rx,
            retry_at: None,
        }
    }

    /// Every session ends (the group list changed); its groups are polled again.
    fn stop_all(&mut self) {
        for t in self.tasks.drain(..) {
            t.abort();
        }
        self.state.clear();
        let (tx, rx) = mpsc::channel(64);
        (self.tx, self.rx) = (tx, rx);
    }

    /// Sessions for the groups that can stream and have none, ten to a session.
    fn start(&mut self, c: &aws_sdk_cloudwatchlogs::Client, groups: &[WatchLogGroup]) {
        self.tasks.retain(|t| !t.is_finished());
        let Some(prefix) = &self.prefix else { return };
        if self
            .retry_at
            .is_some_and(|t| tokio::time::Instant::now() < t)
        {
            return;
        }
        let todo: Vec<String> = groups
            .iter()
            .filter(|g| g.filter.is_none() && !self.state.contains_key(&g.name))
            .map(|g| g.name.clone())
            .collect();
        for chunk in todo.chunks(livetail::MAX_GROUPS) {
            for g in chunk {
                self.state.insert(g.clone(), Live::Starting);
                self.seen.entry(g.clone()).or_default();
            }
            self.tasks.push(tokio::spawn(livetail::run(
                c.clone(),
                prefix.clone(),
                chunk.to_vec(),
                self.tx.clone(),
            )));
        }
    }

    fn streaming(&self, group: &str) -> bool {
        self.state.get(group) == Some(&Live::Streaming)
    }
}

/// A session never outlives its feed (the source stopped, opsdeck quits): dropping a task's
/// handle would leave it streaming until its next update failed to send.
impl Drop for Sessions {
    fn drop(&mut self) {
        for t in self.tasks.drain(..) {
            t.abort();
        }
    }
}

/// A session's events, each group's through its [`Seen`], in time order.
fn live_events(s: &mut Sessions, events: Vec<(String, LogEvent)>) -> Vec<LogEvent> {
    let mut by_group: BTreeMap<String, Vec<LogEvent>> = BTreeMap::new();
    for (g, e) in events {
        by_group.entry(g).or_default().push(e);
    }
    let mut out = Vec::new();
    for (g, evs) in by_group {
        let seen = s.seen.entry(g).or_default();
        out.extend(seen.live(evs));
    }
    out.sort_by_key(|e| e.time_ms);
    out
}

/// The linked source accounts' groups whose names the own discovery would pick (the same
/// services and functions), as ARNs.
async fn linked_groups(
    c: &aws_sdk_cloudwatchlogs::Client,
    found: &Found,
    own: Option<&str>,
) -> Result<Vec<String>, String> {
    let arns = poll::linked_groups(c, own, 20).await?;
    let names: Vec<String> = arns.iter().map(|a| super::group_of(a)).collect();
    let (picked, _) = poll::pick_groups(&names, &found.log_names(), usize::MAX);
    Ok(arns
        .into_iter()
        .zip(names)
        .filter(|(_, n)| picked.contains(n))
        .map(|(a, _)| a)
        .take(plan::MAX_DISCOVERED_LOG_GROUPS)
        .collect())
}

/// The groups discovery follows: the own account's of the watched services and functions,
/// and on a monitoring account (`cross_account`) the linked accounts' of the same, by ARN.
/// `bool`: the own discovery was capped. Logs Insights queries the same groups.
pub(in crate::sources::aws) async fn followed_groups(
    c: &aws_sdk_cloudwatchlogs::Client,
    found: &Found,
    plan: &Plan,
    own_account: Option<&str>,
) -> Result<(Vec<String>, bool), String> {
    let (mut groups, capped) = discovered_groups(c, found.clone()).await?;
    if plan.cross_account {
        let more = linked_groups(c, found, own_account)
            .await
            .map_err(|e| format!("linked accounts' log groups: {e}"))?;
        groups.extend(more);
    }
    Ok((groups, capped))
}

pub(in crate::sources::aws) async fn logs_feed(
    c: aws_sdk_cloudwatchlogs::Client,
    plan: Arc<Plan>,
    refresh: Refresh,
    tx: mpsc::Sender<SourceEvent>,
    mut found_rx: watch::Receiver<Found>,
    live_prefix: Option<String>,
    own_account: Option<String>,
) {
    let limiter = poll::limiter(refresh.logs_rate);
    let mut backoff = Backoff::new(refresh.logs_ms);
    let start = now_ms() - refresh.logs_backfill_ms;
    let mut cursors: BTreeMap<String, poll::Cursor> = BTreeMap::new();
    let mut groups: Option<Vec<WatchLogGroup>> = plan.log_groups.clone();
    let mut live = Sessions::new(live_prefix);
    if groups.is_none() {
        wait_found(&mut found_rx, Duration::from_secs(5)).await;
    }
    loop {
        if plan.log_groups.is_none()
            && (groups.is_none() || found_rx.has_changed().unwrap_or(false))
        {
            let found = found_rx.borrow_and_update().clone();
            let discovered = followed_groups(&c, &found, &plan, own_account.as_deref()).await;
            match discovered {
                Ok((g, capped)) => {
                    if capped {
                        send(&tx, Feed::Logs, Payload::Note(format!("log group discovery capped at {} groups; name them in [watch] to choose", plan::MAX_DISCOVERED_LOG_GROUPS))).await;
                    }
                    let g: Vec<WatchLogGroup> = g
                        .into_iter()
                        .map(|name| WatchLogGroup { name, filter: None })
                        .collect();
                    if groups.as_ref() != Some(&g) {
                        live.stop_all();
                    }
                    groups = Some(g);
                }
                Err(e) => {
                    if !send(&tx, Feed::Logs, Payload::Error(e)).await {
                        return;
                    }
                    tokio::time::sleep(backoff.next(false)).await;
                    continue;
                }
            }
        }
        let watched = groups.clone().unwrap_or_default();
        live.start(&c, &watched);
        let mut all = Vec::new();
        let mut failed = Vec::new();
        let mut answered = 0;
        for g in &watched {
            if live.streaming(&g.name) {
                continue;
            }
            let cursor = cursors
                .entry(g.name.clone())
                .or_insert_with(|| poll::Cursor::new(start));
            match poll::poll(&c, &limiter, &g.name, g.filter.as_deref(), cursor).await {
                Ok(p) => {
                    answered += 1;
                    match live.seen.get_mut(&g.name) {
                        Some(seen) => all.extend(seen.polled(p.events)),
                        None => all.extend(p.events),
                    }
                    if live.state.get(&g.name) == Some(&Live::Started) {
                        // Caught up: from here on the session alone carries the group.
                        live.state.insert(g.name.clone(), Live::Streaming);
                    }
                    if let Some(note) = p.skipped
                        && !send(&tx, Feed::Logs, Payload::Note(note)).await
                    {
                        return;
                    }
                }
                Err(e) => failed.push(e),
            }
        }
        all.sort_by_key(|e| e.time_ms);
        let ok = failed.is_empty();
        // One delivery per poll: data and the failing groups' errors together. With every
        // group streaming there is no poll: the sessions' updates are the deliveries.
        // No group to follow (none found, none named) is an answer too: the pane says
        // so instead of waiting, and a snapshot does not wait its whole limit for it.
        if answered > 0 || !failed.is_empty() || watched.is_empty() {
            let payload = match (ok, answered) {
                (true, _) => Payload::Logs(all),
                (false, 0) => Payload::Error(failed.join("; ")),
                (false, _) => Payload::LogsPartial {
                    events: all,
                    error: failed.join("; "),
                },
            };
            if !send(&tx, Feed::Logs, payload).await {
                return;
            }
        }
        // Until the next poll: each session update is delivered as it comes; a session
        // that starts or ends means a poll now (the catch-up, or the hand-back).
        let until = tokio::time::Instant::now() + backoff.next(ok);
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => break,
                Some(msg) = live.rx.recv() => match msg {
                    LiveMsg::Started(gs) => {
                        for g in gs {
                            live.state.insert(g, Live::Started);
                        }
                        break;
                    }
                    LiveMsg::Events(evs) => {
                        let evs = live_events(&mut live, evs);
                        if !send(&tx, Feed::Logs, Payload::Logs(evs)).await {
                            return;
                        }
                    }
                    LiveMsg::Ended { groups: gs, why, retry } => {
                        tracing::warn!("{why}; following {} group(s) by polling", gs.len());
                        for g in &gs {
                            live.state.remove(g);
                            // Polling resumes from just before the newest streamed event.
                            let newest = live.seen.get(g).map_or(0, Seen::newest_ms);
                            if let Some(cur) = cursors.get_mut(g) {
                                cur.resume_at(newest - livetail::RESUME_MARGIN_MS);
                            }
                        }
                        if retry {
                            live.retry_at = Some(tokio::time::Instant::now() + LIVE_RETRY);
                        } else {
                            live.prefix = None;
                            let note = format!("{why}: Live Tail is off for this session, logs are polled");
                            if !send(&tx, Feed::Logs, Payload::Note(note)).await {
                                return;
                            }
                        }
                        break;
                    }
                },
            }
        }
    }
}

/// The groups discovery follows: Lambda functions' and those naming a watched service.
async fn discovered_groups(
    c: &aws_sdk_cloudwatchlogs::Client,
    f: Found,
) -> Result<(Vec<String>, bool), String> {
    let all = poll::list_groups(c, 20).await?;
    Ok(poll::pick_groups(
        &all,
        &f.log_names(),
        plan::MAX_DISCOVERED_LOG_GROUPS,
    ))
}
