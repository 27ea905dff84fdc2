//! Live AWS through the official SDK, behind the same [`DataSource`] boundary as the demo.
//!
//! One task per feed (ECS, Lambda, metrics, alarms, health, logs), each polling on its own
//! interval and backing off on failure, so a throttled or failing API shows in its pane while
//! the others keep updating. Built-in actions run through the SDK on a task of their own.

pub mod actions;
pub mod alarms;
pub mod ecs;
pub mod errors;
pub mod health;
pub mod lambda;
pub mod logs;
pub mod metrics;
pub mod plan;

use super::{DataSource, Payload, SourceCommand, SourceEvent, SourceInfo, Window};
use crate::config::Refresh;
use crate::config::live::WatchLogGroup;
use plan::Plan;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

/// Where to connect: command-line options win over `[aws]` in opsdeck.toml, which wins over
/// the environment and ~/.aws (the SDK's standard chain).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// `Some(true)`: adaptive retries; `None` with AWS_RETRY_MODE set: the SDK's own reading.
    pub adaptive_retries: Option<bool>,
    pub max_attempts: Option<u32>,
}

/// The account the cockpit shows and acts on; also exported to runbook commands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AwsContext {
    /// The profile in use (`default` when none was chosen).
    pub profile: String,
    /// Chosen by flag, config or AWS_PROFILE: exported to commands. The implicit `default`
    /// is not (a CLI given AWS_PROFILE=default without such a profile refuses to run).
    pub profile_explicit: bool,
    pub region: Option<String>,
    pub account: Option<String>,
    pub endpoint_url: Option<String>,
}

impl AwsContext {
    /// `profile · region · account`, as the status bar and confirmation dialogs show it.
    pub fn label(&self) -> String {
        let mut s = format!(
            "{} · {} · {}",
            self.profile,
            self.region.as_deref().unwrap_or("no region"),
            self.account.as_deref().unwrap_or("account unknown")
        );
        if let Some(u) = &self.endpoint_url {
            s.push_str(&format!(" · {u}"));
        }
        s
    }

    /// The variables a runbook command gets so it acts on exactly this account.
    pub fn env(&self) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        if self.profile_explicit {
            env.insert("AWS_PROFILE".to_string(), self.profile.clone());
        }
        if let Some(r) = &self.region {
            env.insert("AWS_REGION".to_string(), r.clone());
            env.insert("AWS_DEFAULT_REGION".to_string(), r.clone());
        }
        if let Some(u) = &self.endpoint_url {
            env.insert("AWS_ENDPOINT_URL".to_string(), u.clone());
        }
        env
    }
}

#[derive(Clone)]
pub struct Clients {
    pub ecs: aws_sdk_ecs::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
}

/// Loads the SDK configuration (standard chain, standard retries with 3 attempts, timeouts)
/// and asks STS who we are (3 s at most: the cockpit starts anyway, with "unknown").
pub async fn connect(opts: &AwsOptions) -> (Clients, AwsContext) {
    use aws_config::retry::RetryConfig;
    use aws_config::timeout::TimeoutConfig;
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    let env_retry = std::env::var_os("AWS_RETRY_MODE").is_some();
    if opts.adaptive_retries.is_some() || opts.max_attempts.is_some() || !env_retry {
        let base = if opts.adaptive_retries == Some(true) {
            RetryConfig::adaptive()
        } else {
            RetryConfig::standard()
        };
        loader = loader.retry_config(base.with_max_attempts(opts.max_attempts.unwrap_or(3)));
    }
    loader = loader.timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(3))
            .read_timeout(Duration::from_secs(10))
            .operation_attempt_timeout(Duration::from_secs(10))
            .operation_timeout(Duration::from_secs(25))
            .build(),
    );
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &opts.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    if let Some(u) = &opts.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    let conf = loader.load().await;
    let sts = aws_sdk_sts::Client::new(&conf);
    let account = match tokio::time::timeout(
        Duration::from_secs(3),
        sts.get_caller_identity().send(),
    )
    .await
    {
        Ok(Ok(id)) => id.account().map(str::to_string),
        Ok(Err(e)) => {
            tracing::warn!("STS GetCallerIdentity: {}", errors::describe(&e));
            None
        }
        Err(_) => {
            tracing::warn!("STS GetCallerIdentity: no answer within 3 s");
            None
        }
    };
    let chosen = opts
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    let ctx = AwsContext {
        profile_explicit: chosen.is_some(),
        profile: chosen.unwrap_or_else(|| "default".into()),
        region: conf.region().map(|r| r.to_string()),
        account,
        endpoint_url: opts.endpoint_url.clone().or_else(|| {
            std::env::var("AWS_ENDPOINT_URL")
                .ok()
                .filter(|u| !u.is_empty())
        }),
    };
    let clients = Clients {
        ecs: aws_sdk_ecs::Client::new(&conf),
        lambda: aws_sdk_lambda::Client::new(&conf),
        cloudwatch: aws_sdk_cloudwatch::Client::new(&conf),
        logs: aws_sdk_cloudwatchlogs::Client::new(&conf),
    };
    (clients, ctx)
}

pub struct AwsSource {
    pub clients: Clients,
    pub ctx: AwsContext,
    pub plan: Plan,
    pub refresh: Refresh,
}

/// What discovery found, shared between feeds: the metrics and logs feeds follow the
/// services and functions the ECS and Lambda feeds watch.
#[derive(Debug, Clone, Default)]
struct Found {
    services: Option<Vec<(String, String)>>,
    functions: Option<Vec<(String, Option<i64>)>>,
}

/// Exponential backoff after failures: the interval doubled per failure, capped at eight
/// intervals (two minutes at most), with ±20 % jitter so feeds do not retry in lockstep.
#[derive(Debug, Clone)]
pub struct Backoff {
    pub interval: Duration,
    pub failures: u32,
}

impl Backoff {
    pub fn new(interval_ms: i64) -> Self {
        Backoff {
            interval: Duration::from_millis(interval_ms.max(100) as u64),
            failures: 0,
        }
    }

    /// The wait before the next attempt.
    pub fn next(&mut self, ok: bool) -> Duration {
        if ok {
            self.failures = 0;
            return self.interval;
        }
        self.failures = self.failures.saturating_add(1);
        let cap = (self.interval * 8)
            .min(Duration::from_secs(120))
            .max(self.interval);
        let d = (self.interval * 2u32.saturating_pow(self.failures.min(16))).min(cap);
        let jitter = 0.8 + rand::random::<f64>() * 0.4;
        d.mul_f64(jitter)
    }
}

fn now_ms() -> i64 {
    crate::event_loop::now_ms()
}

async fn send(tx: &mpsc::Sender<SourceEvent>, feed: &'static str, payload: Payload) -> bool {
    tx.send(SourceEvent {
        feed,
        at_ms: now_ms(),
        payload,
    })
    .await
    .is_ok()
}

async fn send_result(
    tx: &mpsc::Sender<SourceEvent>,
    feed: &'static str,
    r: Result<Payload, String>,
) -> bool {
    send(tx, feed, r.unwrap_or_else(Payload::Error)).await
}

/// Sleeps `d`, or less when poked (after an action, to show its effect at once).
async fn pace(d: Duration, poke: &Notify) {
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = poke.notified() => {}
    }
}

impl DataSource for AwsSource {
    fn info(&self) -> SourceInfo {
        let r = &self.refresh;
        SourceInfo {
            label: self.ctx.label(),
            feeds: vec![
                ("ecs", r.ecs_ms),
                ("lambda", r.lambda_ms),
                ("health", r.health_ms),
                ("metrics", r.metrics_ms),
                ("alarms", r.alarms_ms),
                ("logs", r.logs_ms),
            ],
        }
    }

    fn start(
        self: Box<Self>,
        events: mpsc::Sender<SourceEvent>,
        mut commands: mpsc::Receiver<SourceCommand>,
    ) -> JoinHandle<()> {
        let me = *self;
        tokio::spawn(async move {
            let plan = Arc::new(me.plan);
            let refresh = me.refresh;
            let clients = me.clients;
            let found = Arc::new(Mutex::new(Found::default()));
            let (found_tx, found_rx) = watch::channel(0u64);
            let found_tx = Arc::new(found_tx);
            let (window_tx, window_rx) = watch::channel(Window::default());
            let poke_ecs = Arc::new(Notify::new());
            let poke_lambda = Arc::new(Notify::new());
            let mut tasks = Vec::new();
            tasks.push(tokio::spawn(ecs_feed(
                clients.ecs.clone(),
                plan.clone(),
                refresh.ecs_ms,
                events.clone(),
                found.clone(),
                found_tx.clone(),
                poke_ecs.clone(),
            )));
            tasks.push(tokio::spawn(lambda_feed(
                clients.lambda.clone(),
                plan.clone(),
                refresh.lambda_ms,
                events.clone(),
                found.clone(),
                found_tx.clone(),
                poke_lambda.clone(),
            )));
            tasks.push(tokio::spawn(metrics_feed(
                clients.cloudwatch.clone(),
                plan.clone(),
                refresh.metrics_ms,
                events.clone(),
                found.clone(),
                found_rx.clone(),
                window_rx,
            )));
            tasks.push(tokio::spawn(alarms_feed(
                clients.cloudwatch.clone(),
                plan.clone(),
                refresh.alarms_ms,
                events.clone(),
            )));
            tasks.push(tokio::spawn(health_feed(
                plan.clone(),
                refresh.health_ms,
                events.clone(),
            )));
            tasks.push(tokio::spawn(logs_feed(
                clients.logs.clone(),
                plan.clone(),
                refresh.clone(),
                events.clone(),
                found.clone(),
                found_rx,
            )));
            while let Some(cmd) = commands.recv().await {
                match cmd {
                    SourceCommand::SetMetricWindow(w) => {
                        let _ = window_tx.send(w);
                    }
                    SourceCommand::Mutate { id, mutation } => {
                        let (c, tx) = (clients.clone(), events.clone());
                        let (pe, pl) = (poke_ecs.clone(), poke_lambda.clone());
                        tokio::spawn(async move {
                            let result = actions::apply(&c.ecs, &c.lambda, &mutation).await;
                            send(&tx, "actions", Payload::ActionResult { id, result }).await;
                            pe.notify_one();
                            pl.notify_one();
                        });
                    }
                    SourceCommand::LogsQuery { query, since_ms } => {
                        let (c, tx, plan, found) = (
                            clients.logs.clone(),
                            events.clone(),
                            plan.clone(),
                            found.clone(),
                        );
                        tokio::spawn(async move {
                            let groups: Vec<String> = match &plan.log_groups {
                                Some(g) => g.iter().map(|g| g.name.clone()).collect(),
                                None => discovered_groups(&c, &found)
                                    .await
                                    .map(|(g, _)| g)
                                    .unwrap_or_default(),
                            };
                            let r = if groups.is_empty() {
                                Err("insights: no log group to query".to_string())
                            } else {
                                logs::insights(
                                    &c,
                                    &groups,
                                    &query,
                                    since_ms,
                                    now_ms(),
                                    Duration::from_secs(60),
                                )
                                .await
                            };
                            send(&tx, "insights", Payload::Insights { query, result: r }).await;
                        });
                    }
                }
            }
            for t in tasks {
                t.abort();
            }
        })
    }
}

/// ECS targets: `(cluster, services)`, from the plan or by listing (every 5 minutes).
async fn ecs_targets(
    c: &aws_sdk_ecs::Client,
    plan: &Plan,
) -> Result<(Vec<(String, Vec<String>)>, bool), String> {
    let mut by_cluster: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut capped = false;
    let mut total = 0usize;
    let clusters: Vec<String> =
        if plan.discover_ecs || plan.services.iter().any(|(c, _)| c.is_none()) {
            ecs::list_clusters(c).await?
        } else {
            plan.clusters.clone()
        };
    let list_all: Vec<String> = if plan.discover_ecs {
        clusters.clone()
    } else {
        plan.clusters.clone()
    };
    for cl in &list_all {
        for s in ecs::list_services(c, cl).await? {
            if plan.discover_ecs && total >= plan::MAX_DISCOVERED_SERVICES {
                capped = true;
                break;
            }
            total += 1;
            by_cluster.entry(cl.clone()).or_default().push(s);
        }
    }
    for (cl, s) in &plan.services {
        match cl {
            Some(cl) => by_cluster.entry(cl.clone()).or_default().push(s.clone()),
            None => {
                for cand in &clusters {
                    if ecs::list_services(c, cand).await?.contains(s) {
                        by_cluster.entry(cand.clone()).or_default().push(s.clone());
                    }
                }
            }
        }
    }
    for v in by_cluster.values_mut() {
        v.sort();
        v.dedup();
    }
    Ok((by_cluster.into_iter().collect(), capped))
}

const REDISCOVER: Duration = Duration::from_secs(300);

async fn ecs_feed(
    c: aws_sdk_ecs::Client,
    plan: Arc<Plan>,
    interval: i64,
    tx: mpsc::Sender<SourceEvent>,
    found: Arc<Mutex<Found>>,
    found_tx: Arc<watch::Sender<u64>>,
    poke: Arc<Notify>,
) {
    let mut backoff = Backoff::new(interval);
    let mut targets: Option<(Vec<(String, Vec<String>)>, tokio::time::Instant)> = None;
    let needs_listing = plan.discover_ecs
        || !plan.clusters.is_empty()
        || plan.services.iter().any(|(c, _)| c.is_none());
    if !needs_listing && plan.services.is_empty() {
        found.lock().unwrap().services = Some(Vec::new());
        found_tx.send_modify(|v| *v += 1);
    }
    loop {
        let r: Result<Payload, String> = async {
            let stale = targets
                .as_ref()
                .is_none_or(|(_, at)| needs_listing && at.elapsed() > REDISCOVER);
            if stale {
                let (t, capped) = ecs_targets(&c, &plan).await?;
                if capped {
                    send(
                        &tx,
                        "ecs",
                        Payload::Note(format!(
                            "ECS discovery capped at {} services; name them in [watch] to choose",
                            plan::MAX_DISCOVERED_SERVICES
                        )),
                    )
                    .await;
                }
                let flat: Vec<(String, String)> = t
                    .iter()
                    .flat_map(|(cl, ss)| ss.iter().map(move |s| (cl.clone(), s.clone())))
                    .collect();
                let changed = found.lock().unwrap().services.as_ref() != Some(&flat);
                if changed {
                    found.lock().unwrap().services = Some(flat);
                    found_tx.send_modify(|v| *v += 1);
                }
                targets = Some((t, tokio::time::Instant::now()));
            }
            let mut rows = Vec::new();
            for (cl, ss) in &targets.as_ref().expect("set above").0 {
                rows.extend(ecs::describe_services(&c, cl, ss, now_ms()).await?);
            }
            Ok(Payload::Services(rows))
        }
        .await;
        let ok = r.is_ok();
        if !send_result(&tx, "ecs", r).await {
            return;
        }
        pace(backoff.next(ok), &poke).await;
    }
}

async fn lambda_feed(
    c: aws_sdk_lambda::Client,
    plan: Arc<Plan>,
    interval: i64,
    tx: mpsc::Sender<SourceEvent>,
    found: Arc<Mutex<Found>>,
    found_tx: Arc<watch::Sender<u64>>,
    poke: Arc<Notify>,
) {
    let mut backoff = Backoff::new(interval);
    loop {
        let r: Result<Payload, String> = async {
            let names: Vec<String> = match &plan.functions {
                Some(f) => f.clone(),
                None => {
                    let mut all = lambda::list_functions(&c).await?;
                    if all.len() > plan::MAX_DISCOVERED_FUNCTIONS {
                        send(&tx, "lambda", Payload::Note(format!("Lambda discovery capped at {} functions; name them in [watch] to choose", plan::MAX_DISCOVERED_FUNCTIONS))).await;
                        all.truncate(plan::MAX_DISCOVERED_FUNCTIONS);
                    }
                    all.into_iter().map(|(n, _)| n).collect()
                }
            };
            let mut rows = Vec::new();
            let mut fns = Vec::new();
            for n in &names {
                let f = lambda::fetch(&c, n).await?;
                fns.push((f.name.clone(), f.timeout_s));
                rows.push(lambda::row(&f));
            }
            let changed = found.lock().unwrap().functions.as_ref() != Some(&fns);
            if changed {
                found.lock().unwrap().functions = Some(fns);
                found_tx.send_modify(|v| *v += 1);
            }
            Ok(Payload::Services(rows))
        }
        .await;
        let ok = r.is_ok();
        if !send_result(&tx, "lambda", r).await {
            return;
        }
        pace(backoff.next(ok), &poke).await;
    }
}

/// Waits (at most `limit`) until the ECS and Lambda feeds have said what they watch.
async fn wait_found(found: &Mutex<Found>, rx: &mut watch::Receiver<u64>, limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        {
            let f = found.lock().unwrap();
            if f.services.is_some() && f.functions.is_some() {
                return;
            }
        }
        if tokio::time::timeout_at(deadline, rx.changed())
            .await
            .is_err()
        {
            return;
        }
    }
}

async fn metrics_feed(
    c: aws_sdk_cloudwatch::Client,
    plan: Arc<Plan>,
    interval: i64,
    tx: mpsc::Sender<SourceEvent>,
    found: Arc<Mutex<Found>>,
    mut found_rx: watch::Receiver<u64>,
    mut window_rx: watch::Receiver<Window>,
) {
    let mut backoff = Backoff::new(interval);
    if plan.metrics.is_none() {
        wait_found(&found, &mut found_rx, Duration::from_secs(5)).await;
    }
    loop {
        let defs = match &plan.metrics {
            Some(d) => d.clone(),
            None => {
                let f = found.lock().unwrap().clone();
                plan.standard_metrics(
                    &f.services.unwrap_or_default(),
                    &f.functions.unwrap_or_default(),
                )
            }
        };
        let window = *window_rx.borrow_and_update();
        let r = if defs.is_empty() {
            // Nothing to chart (yet): one cheap call still tells whether CloudWatch answers,
            // so a credentials or network problem shows in this pane too.
            c.list_metrics()
                .namespace("AWS/ECS")
                .send()
                .await
                .map(|_| Payload::MetricSeries(Vec::new()))
                .map_err(|e| errors::describe(&e))
        } else {
            metrics::fetch(&c, &defs, window, now_ms())
                .await
                .map(|(s, calls)| {
                    tracing::debug!(series = s.len(), calls, "GetMetricData");
                    Payload::MetricSeries(s)
                })
        };
        let ok = r.is_ok();
        if !send_result(&tx, "metrics", r).await {
            return;
        }
        let wait = backoff.next(ok);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = window_rx.changed() => {}
            _ = found_rx.changed(), if plan.metrics.is_none() => {}
        }
    }
}

async fn alarms_feed(
    c: aws_sdk_cloudwatch::Client,
    plan: Arc<Plan>,
    interval: i64,
    tx: mpsc::Sender<SourceEvent>,
) {
    let mut backoff = Backoff::new(interval);
    loop {
        let r = alarms::fetch(&c, &plan.alarm_prefixes, &plan.alarm_names)
            .await
            .map(Payload::Alarms);
        let ok = r.is_ok();
        if !send_result(&tx, "alarms", r).await {
            return;
        }
        tokio::time::sleep(backoff.next(ok)).await;
    }
}

async fn health_feed(plan: Arc<Plan>, interval: i64, tx: mpsc::Sender<SourceEvent>) {
    let client = health::client(Duration::from_millis(
        (interval as u64 / 2).clamp(1000, 5000),
    ));
    loop {
        let rows =
            futures::future::join_all(plan.health.iter().map(|h| health::check(&client, h))).await;
        // A failing endpoint is data (a red row), not a failing feed.
        if !send(&tx, "health", Payload::Services(rows)).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(interval as u64)).await;
    }
}

async fn discovered_groups(
    c: &aws_sdk_cloudwatchlogs::Client,
    found: &Mutex<Found>,
) -> Result<(Vec<String>, bool), String> {
    let f = found.lock().unwrap().clone();
    let functions: Vec<String> = f
        .functions
        .unwrap_or_default()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let services: Vec<String> = f
        .services
        .unwrap_or_default()
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    let all = logs::list_groups(c, 20).await?;
    Ok(logs::pick_groups(
        &all,
        &functions,
        &services,
        plan::MAX_DISCOVERED_LOG_GROUPS,
    ))
}

async fn logs_feed(
    c: aws_sdk_cloudwatchlogs::Client,
    plan: Arc<Plan>,
    refresh: Refresh,
    tx: mpsc::Sender<SourceEvent>,
    found: Arc<Mutex<Found>>,
    mut found_rx: watch::Receiver<u64>,
) {
    let limiter = logs::limiter(refresh.logs_rate);
    let mut backoff = Backoff::new(refresh.logs_ms);
    let start = now_ms() - refresh.logs_backfill_minutes * 60_000;
    let mut cursors: BTreeMap<String, logs::Cursor> = BTreeMap::new();
    let mut groups: Option<Vec<WatchLogGroup>> = plan.log_groups.clone();
    if groups.is_none() {
        wait_found(&found, &mut found_rx, Duration::from_secs(5)).await;
    }
    loop {
        if plan.log_groups.is_none()
            && (groups.is_none() || found_rx.has_changed().unwrap_or(false))
        {
            found_rx.borrow_and_update();
            match discovered_groups(&c, &found).await {
                Ok((g, capped)) => {
                    if capped {
                        send(&tx, "logs", Payload::Note(format!("log group discovery capped at {} groups; name them in [watch] to choose", plan::MAX_DISCOVERED_LOG_GROUPS))).await;
                    }
                    groups = Some(
                        g.into_iter()
                            .map(|name| WatchLogGroup { name, filter: None })
                            .collect(),
                    );
                }
                Err(e) => {
                    if !send(&tx, "logs", Payload::Error(e)).await {
                        return;
                    }
                    tokio::time::sleep(backoff.next(false)).await;
                    continue;
                }
            }
        }
        let mut all = Vec::new();
        let mut failed = Vec::new();
        for g in groups.as_deref().unwrap_or_default() {
            let cursor = cursors
                .entry(g.name.clone())
                .or_insert_with(|| logs::Cursor::new(start));
            match logs::poll(&c, &limiter, &g.name, g.filter.as_deref(), cursor).await {
                Ok(ev) => all.extend(ev),
                Err(e) => failed.push(e),
            }
        }
        all.sort_by_key(|e| e.time_ms);
        let ok = failed.is_empty();
        if (ok || !all.is_empty()) && !send(&tx, "logs", Payload::Logs(all)).await {
            return;
        }
        if !ok && !send(&tx, "logs", Payload::Error(failed.join("; "))).await {
            return;
        }
        tokio::time::sleep(backoff.next(ok)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_resets() {
        let mut b = Backoff::new(10_000);
        let d1 = b.next(false);
        assert!(
            d1 >= Duration::from_secs(16) && d1 <= Duration::from_secs(24),
            "{d1:?}"
        );
        for _ in 0..10 {
            b.next(false);
        }
        let capped = b.next(false);
        assert!(capped <= Duration::from_secs(96), "{capped:?}");
        assert_eq!(b.next(true), Duration::from_secs(10));
        let mut slow = Backoff::new(60_000);
        for _ in 0..10 {
            assert!(slow.next(false) <= Duration::from_secs(144));
        }
    }

    #[test]
    fn context_label_and_exported_environment() {
        let ctx = AwsContext {
            profile: "prod".into(),
            profile_explicit: true,
            region: Some("eu-west-1".into()),
            account: Some("123456789012".into()),
            endpoint_url: None,
        };
        assert_eq!(ctx.label(), "prod · eu-west-1 · 123456789012");
        let env = ctx.env();
        assert_eq!(env["AWS_PROFILE"], "prod");
        assert_eq!(env["AWS_REGION"], "eu-west-1");
        assert_eq!(env["AWS_DEFAULT_REGION"], "eu-west-1");
        assert!(!env.contains_key("AWS_ENDPOINT_URL"));
        let unknown = AwsContext {
            account: None,
            endpoint_url: Some("http://127.0.0.1:5000".into()),
            ..ctx
        };
        assert_eq!(
            unknown.label(),
            "prod · eu-west-1 · account unknown · http://127.0.0.1:5000"
        );
        assert_eq!(unknown.env()["AWS_ENDPOINT_URL"], "http://127.0.0.1:5000");
        let implicit = AwsContext {
            profile: "default".into(),
            profile_explicit: false,
            ..unknown
        };
        assert!(!implicit.env().contains_key("AWS_PROFILE"));
        assert!(implicit.label().starts_with("default · "));
    }
}
