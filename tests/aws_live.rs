//! Live AWS against a real local fake: moto, started by the test on a free loopback port,
//! behind a CBOR↔JSON bridge for CloudWatch and a fault injector (tests/aws/fakeaws.py).
//! The real SDK clients, the real binary, real HTTP.

#[path = "common/fakeaws.rs"]
mod fakeaws;

use fakeaws::FakeAws;
use opsdeck::config::AwsSettings;
use opsdeck::config::{Refresh, Watch};
use opsdeck::model::{Health, Resource, ResourceKind};
use opsdeck::sources::Feed;
use opsdeck::sources::aws::plan::Plan;
use opsdeck::sources::aws::{AwsSource, connect};
use opsdeck::sources::{DataSource, Mutation, Payload, SourceCommand, SourceEvent};
use opsdeck::sources::{
    DynamodbMutation, EcsMutation, ElasticacheMutation, LambdaMutation, RdsMutation, SfnMutation,
    SqsMutation,
};
use serde_json::Value;
use std::time::Duration;
use tokio::sync::mpsc;

fn snapshot(fake: &FakeAws, dir: &std::path::Path, extra: &[&str]) -> Value {
    // `--after` is how long the snapshot may wait for every feed's first delivery (it
    // returns as soon as they have all delivered): generous, so a loaded machine is waited
    // for rather than read early (an SQS test once saw no queue at all after 20 s).
    let mut args = vec![
        "snapshot",
        "--format",
        "json",
        "--after",
        "180",
        "--endpoint-url",
        &fake.endpoint,
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = fake.opsdeck(dir, &args);
    assert_eq!(code, 0, "snapshot failed: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}"))
}

fn service<'a>(doc: &'a Value, cluster: Option<&str>, name: &str) -> &'a Value {
    doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name && s["cluster"].as_str() == cluster)
        .unwrap_or_else(|| panic!("no service {cluster:?}/{name} in {}", doc["services"]))
}

fn metric<'a>(doc: &'a Value, label: &str) -> &'a Value {
    doc["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["label"] == label)
        .unwrap_or_else(|| {
            panic!(
                "no metric {label} in {:?}",
                doc["metrics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| &m["label"])
                    .collect::<Vec<_>>()
            )
        })
}

fn alarm_state(doc: &Value, name: &str) -> String {
    doc["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap()["state"]
        .as_str()
        .unwrap()
        .to_string()
}

fn log_messages(doc: &Value) -> Vec<String> {
    doc["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn snapshot_reports_the_discovered_fleet_and_then_its_changes() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    let dir = tempfile::tempdir().unwrap();
    let doc = snapshot(&fake, dir.path(), &[]);
    assert_eq!(doc["errors"], serde_json::json!([]), "{}", doc["errors"]);
    assert!(
        doc["source"]
            .as_str()
            .unwrap()
            .contains("us-east-1 · 123456789012"),
        "{}",
        doc["source"]
    );
    // ECS: every cluster and service, counts and task definition.
    let api = service(&doc, Some("prod"), "api");
    assert_eq!(
        (api["desired"].as_i64(), api["running"].as_i64()),
        (Some(4), Some(4))
    );
    assert_eq!(api["version"], "api:2");
    service(&doc, Some("prod"), "worker");
    service(&doc, Some("staging"), "api");
    // Lambda: alias → version, versions, memory, reserved concurrency.
    let checkout = service(&doc, None, "checkout");
    assert_eq!(checkout["version"], "live→v1");
    assert_eq!(checkout["versions"], serde_json::json!(["2", "1"]));
    assert_eq!(checkout["memory_mb"], 512);
    assert_eq!(checkout["health"], "ok");
    let thumb = service(&doc, None, "thumbnailer");
    assert_eq!(thumb["reserved_concurrency"], 5);
    assert_eq!(thumb["memory_mb"], 1024);
    // Standard metrics of what was found, with data where moto has it.
    let cpu = metric(&doc, "prod/api CPU");
    assert_eq!(cpu["namespace"], "AWS/ECS");
    assert_eq!(cpu["dimensions"]["ClusterName"], "prod");
    assert_eq!(cpu["last"].as_f64(), Some(39.0));
    assert_eq!(cpu["health"], "ok");
    assert_eq!(cpu["thresholds"]["crit"].as_f64(), Some(90.0));
    assert_eq!(metric(&doc, "checkout errors")["last"].as_f64(), Some(0.0));
    metric(&doc, "thumbnailer duration");
    // Alarms with state and reason.
    assert_eq!(alarm_state(&doc, "prod-api-cpu-high"), "ALARM");
    assert_eq!(alarm_state(&doc, "checkout-errors"), "OK");
    // Logs: the Lambda group and the group naming a service; both streams; events at the
    // same millisecond in two streams once each; the unrelated group not followed.
    let logs = log_messages(&doc);
    assert!(
        logs.iter().any(|m| m.contains("upstream timeout")),
        "{logs:?}"
    );
    assert!(logs.iter().any(|m| m == "checkout ok order=42"), "{logs:?}");
    assert_eq!(
        logs.iter()
            .filter(|m| m.as_str() == "/ecs/prod/api s2 same-ms")
            .count(),
        1
    );
    assert!(!logs.iter().any(|m| m.contains("not watched")), "{logs:?}");
    assert_eq!(logs.len(), 7, "{logs:?}");

    fake.fleet(&["mutate"]);
    let after = snapshot(&fake, dir.path(), &[]);
    assert_eq!(service(&after, Some("prod"), "api")["desired"], 7);
    assert_eq!(alarm_state(&after, "prod-api-cpu-high"), "OK");
    let cpu = metric(&after, "prod/api CPU");
    assert_eq!(cpu["last"].as_f64(), Some(97.5));
    assert_eq!(cpu["health"], "crit");
    assert!(
        log_messages(&after)
            .iter()
            .any(|m| m.contains("after-mutation marker"))
    );
}

#[test]
fn config_names_what_to_watch_with_filters_thresholds_and_health_checks() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("opsdeck.toml"),
        format!(
            r#"
[watch]
services = ["prod/api", "nocluster/api"]
functions = ["checkout", "gone"]
alarm_prefixes = ["prod-"]
log_groups = [{{ name = "/ecs/prod/api", filter = "ERROR" }}]
health = [
  {{ name = "api", url = "{ep}/__fake/health/ok" }},
  {{ name = "search", url = "{ep}/__fake/health/degraded" }},
  {{ name = "billing", url = "{ep}/__fake/health/down" }},
]

[[watch.metrics]]
label = "api cpu"
namespace = "AWS/ECS"
metric = "CPUUtilization"
dimensions = {{ ClusterName = "prod", ServiceName = "api" }}
stat = "Maximum"
warn = 35
crit = 38
"#,
            ep = fake.endpoint
        ),
    )
    .unwrap();
    let doc = snapshot(&fake, dir.path(), &[]);
    assert_eq!(doc["errors"], serde_json::json!([]));
    let names: Vec<String> = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}/{}",
                s["cluster"].as_str().unwrap_or("-"),
                s["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(names.len(), 7, "{names:?}");
    let lost = service(&doc, Some("nocluster"), "api");
    assert_eq!(lost["health"], "unknown");
    assert!(
        lost["status"].as_str().unwrap().contains("ClusterNotFound"),
        "{lost}"
    );
    // A function that does not exist is a row saying so, not a failed pane.
    let gone = service(&doc, None, "gone");
    assert_eq!(gone["health"], "unknown");
    assert!(
        gone["status"]
            .as_str()
            .unwrap()
            .contains("ResourceNotFound"),
        "{gone}"
    );
    assert!(
        names.contains(&"prod/api".to_string()) && names.contains(&"-/checkout".to_string()),
        "{names:?}"
    );
    // Healthy, unless the fake (busy with the other feeds on a loaded machine) took over a
    // second to answer, which the health rule rates as slow.
    let api = service(&doc, None, "api");
    let slow = api["latency_ms"].as_u64().is_some_and(|l| l > 1000);
    assert_eq!(api["health"], if slow { "warn" } else { "ok" }, "{api}");
    assert_eq!(service(&doc, None, "api")["status_code"], 200);
    assert_eq!(service(&doc, None, "search")["health"], "warn");
    assert_eq!(service(&doc, None, "billing")["health"], "crit");
    assert_eq!(service(&doc, None, "billing")["status_code"], 503);
    let m = doc["metrics"].as_array().unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["stat"], "Maximum");
    assert_eq!(m[0]["last"].as_f64(), Some(39.0));
    assert_eq!(m[0]["health"], "crit", "39 ≥ crit 38 from the config");
    let alarms: Vec<&str> = doc["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(alarms, ["prod-api-cpu-high"]);
    assert_eq!(
        log_messages(&doc),
        ["ERROR upstream timeout talking to db"],
        "server-side filter pattern"
    );
}

#[test]
fn runbook_targets_choose_what_to_watch_when_the_config_is_silent() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("worker.md"),
        "# Worker\n\n## Check the worker\n\nCPU Utilization should be < 50%.\n\n```bash\naws ecs describe-services --cluster prod --services worker\naws logs tail /aws/lambda/checkout --since 10m\naws cloudwatch describe-alarms --alarm-name-prefix checkout-\n```\n",
    )
    .unwrap();
    let doc = snapshot(&fake, dir.path(), &["--runbook", "worker.md"]);
    assert_eq!(doc["errors"], serde_json::json!([]));
    let ecs: Vec<&Value> = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "ecs")
        .collect();
    assert_eq!(ecs.len(), 1);
    assert_eq!(ecs[0]["name"], "worker");
    let groups: std::collections::BTreeSet<&str> = doc["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["group"].as_str().unwrap())
        .collect();
    assert_eq!(
        groups.into_iter().collect::<Vec<_>>(),
        ["/aws/lambda/checkout"]
    );
    let alarms: Vec<&str> = doc["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(alarms, ["checkout-errors"]);
}

#[test]
fn missing_credentials_and_a_dead_endpoint_are_reported_per_feed_not_fatal() {
    let fake = FakeAws::start();
    let dir = tempfile::tempdir().unwrap();
    // No credentials anywhere.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"));
    fake.env(&mut cmd);
    cmd.current_dir(dir.path())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args([
            "snapshot",
            "--format",
            "json",
            "--after",
            "10",
            "--endpoint-url",
            &fake.endpoint,
        ]);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["source"].as_str().unwrap().contains("account unknown"),
        "{}",
        doc["source"]
    );
    let errors = doc["errors"].as_array().unwrap();
    for feed in ["ecs", "lambda", "metrics", "alarms"] {
        let e = errors
            .iter()
            .find(|e| e["source"] == feed)
            .unwrap_or_else(|| panic!("no {feed} error in {errors:?}"));
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("credentials"),
            "{e}"
        );
    }
    // Nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead = format!("http://127.0.0.1:{port}");
    let (code, out, err) = fake.opsdeck(
        dir.path(),
        &[
            "snapshot",
            "--format",
            "json",
            "--after",
            "10",
            "--endpoint-url",
            &dead,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let errors = doc["errors"].as_array().unwrap();
    let ecs = errors
        .iter()
        .find(|e| e["source"] == "ecs")
        .expect("ecs error");
    assert!(
        ecs["message"].as_str().unwrap().starts_with("network:"),
        "{ecs}"
    );
}

#[test]
fn snapshot_lists_a_throttled_api_under_errors_while_other_feeds_deliver() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    fake.fault("ecs", "throttle");
    let dir = tempfile::tempdir().unwrap();
    let doc = snapshot(&fake, dir.path(), &[]);
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["source"], "ecs");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("throttled: ThrottlingException"),
        "{}",
        errors[0]
    );
    assert_eq!(service(&doc, None, "checkout")["health"], "ok");
    assert_eq!(alarm_state(&doc, "prod-api-cpu-high"), "ALARM");
}

// ------------------------------------------------------------------ in-process live source

fn fast() -> Refresh {
    Refresh {
        ecs_ms: 1000,
        lambda_ms: 1000,
        metrics_ms: 1000,
        alarms_ms: 1000,
        health_ms: 1000,
        sqs_ms: 1000,
        resources_ms: 1000,
        // Everything at the feed's pace, as if busy; the large-fleet test sets its own.
        steady_ms: 1000,
        logs_ms: 500,
        logs_rate: 5.0,
        logs_backfill_ms: 5 * 60_000,
        live_tail: true,
    }
}

struct Live {
    rx: mpsc::Receiver<SourceEvent>,
    /// Received while waiting for another feed; looked at by later waits.
    pending: std::collections::VecDeque<SourceEvent>,
    cmd: mpsc::Sender<SourceCommand>,
    _task: tokio::task::JoinHandle<()>,
}

async fn live(fake: &FakeAws, refresh: Refresh) -> Live {
    live_with(
        fake,
        refresh,
        opsdeck::sources::aws::registry::plan(&Watch::default(), &[]),
    )
    .await
}

async fn live_with(fake: &FakeAws, refresh: Refresh, plan: Plan) -> Live {
    fake.env_in_process();
    let opts = AwsSettings {
        endpoint_url: Some(fake.endpoint.clone()),
        region: Some("us-east-1".into()),
        profile: None,
        adaptive_retries: None,
        max_attempts: None,
        ..AwsSettings::default()
    };
    let (clients, ctx, _role) = connect(&opts).await;
    assert_eq!(ctx.account.as_deref(), Some("123456789012"));
    let src = Box::new(AwsSource {
        clients,
        ctx,
        plan,
        refresh,
    });
    let (tx, rx) = mpsc::channel(1024);
    let (cmd, crx) = mpsc::channel(64);
    let task = src.start(tx, crx);
    Live {
        rx,
        pending: Default::default(),
        cmd,
        _task: task,
    }
}

impl Live {
    /// A Logs Insights query over the last hour of the groups the source follows: its rows.
    async fn insights(&mut self, query: &str) -> Vec<opsdeck::model::LogEvent> {
        self.cmd
            .send(SourceCommand::LogsQuery {
                ctx: 0,
                query: query.into(),
                since_ms: opsdeck::event_loop::now_ms() - 3_600_000,
                groups: Vec::new(),
            })
            .await
            .unwrap();
        self.wait(Feed::Insights, Duration::from_secs(30), |p| match p {
            Payload::Insights { result, .. } => Some(result.clone()),
            _ => None,
        })
        .await
        .expect("query succeeds")
    }

    /// The first event of `feed` that `pred` accepts, within `limit`.
    /// Events of other feeds are kept for later waits; those of this feed before the match
    /// are dropped.
    async fn wait<T>(
        &mut self,
        feed: Feed,
        limit: Duration,
        mut pred: impl FnMut(&Payload) -> Option<T>,
    ) -> T {
        let mut keep = std::collections::VecDeque::new();
        let mut found = None;
        while let Some(ev) = self.pending.pop_front() {
            if ev.feed != feed {
                keep.push_back(ev);
            } else if let Some(t) = pred(&ev.payload) {
                found = Some(t);
                break;
            }
        }
        keep.extend(self.pending.drain(..));
        self.pending = keep;
        if let Some(t) = found {
            return t;
        }
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let ev = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .unwrap_or_else(|_| panic!("no matching {feed} event within {limit:?}"))
                .expect("source running");
            if ev.feed != feed {
                self.pending.push_back(ev);
            } else if let Some(t) = pred(&ev.payload) {
                return t;
            }
        }
    }
}

fn rows(p: &Payload) -> Option<Vec<Resource>> {
    match p {
        Payload::Services(r) => Some(r.clone()),
        _ => None,
    }
}

fn error(p: &Payload) -> Option<String> {
    match p {
        Payload::Error(e) => Some(e.clone()),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_source_sees_a_change_within_one_refresh() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    let mut l = live(&fake, fast()).await;
    l.wait(Feed::ECS, Duration::from_secs(20), rows).await;
    fake.fleet(&["mutate"]);
    let changed_at = tokio::time::Instant::now();
    l.wait(Feed::ECS, Duration::from_secs(5), |p| {
        rows(p).filter(|r| {
            r.iter().any(|s| {
                s.name == "api"
                    && s.cluster() == Some("prod")
                    && s.counts.map(|c| c.desired) == Some(7)
            })
        })
    })
    .await;
    // One refresh is 1 s here; allow for the describe round trip.
    assert!(
        changed_at.elapsed() < Duration::from_millis(2500),
        "{:?}",
        changed_at.elapsed()
    );
    l.wait(Feed::Logs, Duration::from_secs(5), |p| match p {
        Payload::Logs(ev)
            if ev
                .iter()
                .any(|e| e.message.contains("after-mutation marker")) =>
        {
            Some(())
        }
        _ => None,
    })
    .await;
    l.wait(Feed::Alarms, Duration::from_secs(5), |p| match p {
        Payload::Alarms(a)
            if a.iter()
                .any(|a| a.name == "prod-api-cpu-high" && a.state == "OK") =>
        {
            Some(())
        }
        _ => None,
    })
    .await;
    // Follow: many new lines arrive once each, in order.
    fake.fleet(&["logs", "300"]);
    let mut seen = Vec::new();
    while seen.len() < 300 {
        let batch = l
            .wait(Feed::Logs, Duration::from_secs(10), |p| match p {
                Payload::Logs(ev) => Some(
                    ev.iter()
                        .filter(|e| e.message.starts_with("follow line"))
                        .map(|e| e.message.clone())
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            })
            .await;
        seen.extend(batch);
    }
    let expected: Vec<String> = (0..300).map(|i| format!("follow line {i}")).collect();
    assert_eq!(seen, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_show_in_their_feed_while_others_keep_updating_and_recover() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    let mut l = live(&fake, fast()).await;
    l.wait(Feed::ECS, Duration::from_secs(20), rows).await;
    for (service, mode, feed, expect) in [
        ("ecs", "throttle", Feed::ECS, "throttled"),
        ("monitoring", "500", Feed::Metrics, "service error"),
        ("logs", "drop", Feed::Logs, "network"),
        (
            "lambda",
            "expired",
            Feed::LAMBDA,
            "credentials: ExpiredTokenException",
        ),
    ] {
        fake.fault(service, mode);
        let e = l.wait(feed, Duration::from_secs(30), error).await;
        assert!(e.contains(expect), "{feed}: {e}");
        // The other feeds keep delivering meanwhile.
        let other = if feed == Feed::ECS {
            Feed::LAMBDA
        } else {
            Feed::ECS
        };
        l.wait(other, Duration::from_secs(10), rows).await;
        fake.fault(service, "none");
        // Recovers by itself (backoff at most 8 refreshes here).
        l.wait(feed, Duration::from_secs(20), |p| {
            (!matches!(p, Payload::Error(_))).then_some(())
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_api_times_out_in_its_feed_and_recovers() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    let mut l = live(&fake, fast()).await;
    l.wait(Feed::LAMBDA, Duration::from_secs(20), rows).await;
    fake.fault("lambda", "hang");
    let e = l.wait(Feed::LAMBDA, Duration::from_secs(60), error).await;
    assert!(e.contains("timed out") || e.contains("timeout"), "{e}");
    l.wait(Feed::ECS, Duration::from_secs(10), rows).await;
    fake.fault("lambda", "none");
    l.wait(Feed::LAMBDA, Duration::from_secs(60), rows).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn built_in_actions_change_the_fleet() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    let mut l = live(&fake, fast()).await;
    l.wait(Feed::ECS, Duration::from_secs(20), rows).await;
    let mutations = [
        Mutation::Ecs(EcsMutation::ScaleService {
            cluster: "prod".into(),
            service: "api".into(),
            desired: 9,
        }),
        Mutation::Ecs(EcsMutation::RollbackService {
            cluster: "prod".into(),
            service: "api".into(),
        }),
        Mutation::Ecs(EcsMutation::ForceNewDeployment {
            cluster: "prod".into(),
            service: "worker".into(),
        }),
        Mutation::Lambda(LambdaMutation::SetAlias {
            function: "checkout".into(),
            alias: "live".into(),
            version: "2".into(),
        }),
        Mutation::Lambda(LambdaMutation::SetReservedConcurrency {
            function: "checkout".into(),
            value: Some(3),
        }),
        Mutation::Lambda(LambdaMutation::SetMemory {
            function: "thumbnailer".into(),
            mb: 2048,
        }),
        Mutation::Lambda(LambdaMutation::SetReservedConcurrency {
            function: "thumbnailer".into(),
            value: None,
        }),
    ];
    for (i, m) in mutations.iter().enumerate() {
        l.cmd
            .send(SourceCommand::Mutate {
                ctx: 0,
                id: i as u64,
                mutation: m.clone(),
            })
            .await
            .unwrap();
        let r = l
            .wait(Feed::Actions, Duration::from_secs(20), |p| match p {
                Payload::ActionResult { id, result } if *id == i as u64 => Some(result.clone()),
                _ => None,
            })
            .await;
        assert!(r.is_ok(), "{m:?}: {r:?}");
    }
    // Every change shows in the next refresh (the action pokes the feeds).
    l.wait(Feed::ECS, Duration::from_secs(10), |p| {
        rows(p).and_then(|r| {
            r.into_iter().find(|s| {
                s.name == "api"
                    && s.cluster() == Some("prod")
                    && s.counts.map(|c| c.desired) == Some(9)
                    && s.version() == Some("api:1")
            })
        })
    })
    .await;
    let fns = l
        .wait(Feed::LAMBDA, Duration::from_secs(10), |p| {
            rows(p).filter(|r| {
                r.iter().any(|s| {
                    s.name == "thumbnailer"
                        && s.lambda_detail().and_then(|d| d.memory_mb) == Some(2048)
                        && s.lambda_detail()
                            .is_some_and(|d| d.reserved_concurrency.is_none())
                }) && r.iter().any(|s| {
                    s.name == "checkout"
                        && s.version() == Some("live→v2")
                        && s.lambda_detail().and_then(|d| d.reserved_concurrency) == Some(3)
                })
            })
        })
        .await;
    assert_eq!(
        fns.iter().find(|s| s.name == "checkout").unwrap().health,
        Health::Ok
    );
    // A failing action reports the API's error.
    l.cmd
        .send(SourceCommand::Mutate {
            ctx: 0,
            id: 99,
            mutation: Mutation::Ecs(EcsMutation::ScaleService {
                cluster: "prod".into(),
                service: "nope".into(),
                desired: 1,
            }),
        })
        .await
        .unwrap();
    let r = l
        .wait(Feed::Actions, Duration::from_secs(20), |p| match p {
            Payload::ActionResult { id: 99, result } => Some(result.clone()),
            _ => None,
        })
        .await;
    assert!(r.unwrap_err().contains("ServiceNotFound"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_insights_queries_return_rows() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    let mut l = live(&fake, fast()).await;
    l.wait(Feed::Logs, Duration::from_secs(20), |p| {
        matches!(p, Payload::Logs(_)).then_some(())
    })
    .await;
    let r = l
        .insights("fields @timestamp, @message | sort @timestamp desc | limit 3")
        .await;
    assert_eq!(r.len(), 3, "{r:?}");
    assert!(r[0].time_ms >= r[2].time_ms, "newest first: {r:?}");
    assert!(
        r.iter()
            .all(|e| &*e.group == "insights" && !e.message.contains("not watched")),
        "{r:?}"
    );
}

/// On a monitoring account (`cross_account`), Logs Insights queries what the logs pane follows,
/// the linked account's groups included (StartQuery with logGroupIdentifiers), and each row
/// names its group's account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_account_insights_queries_the_linked_accounts_groups() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    fake.link_source_account();
    let mut plan = opsdeck::sources::aws::registry::plan(&Watch::default(), &[]);
    plan.cross_account = true;
    let mut l = live_with(&fake, fast(), plan).await;
    l.wait(Feed::Logs, Duration::from_secs(20), |p| {
        matches!(p, Payload::Logs(_)).then_some(())
    })
    .await;
    fake.reset_stats();
    let r = l.insights("fields @timestamp, @message, @log").await;
    let marker = |e: &opsdeck::model::LogEvent| e.message.contains("after-mutation marker");
    assert!(
        r.iter()
            .any(|e| &*e.group == "222222222222 /ecs/prod/api" && marker(e)),
        "the linked account's marker under its account: {r:?}"
    );
    // The own account's rows are named without an account, and its groups have no marker.
    assert!(r.iter().any(|e| &*e.group == "/ecs/prod/api"), "{r:?}");
    assert!(
        !r.iter()
            .any(|e| marker(e) && !e.group.starts_with("222222222222 ")),
        "{r:?}"
    );
    assert!(
        r.windows(2).all(|w| w[0].time_ms >= w[1].time_ms),
        "newest first"
    );
    assert_eq!(fake.stats()["StartQuery"], 1, "{}", fake.stats());
}

/// An event the SDK cannot decode (moto serves a lone surrogate) does not stop its group:
/// the events around it arrive, the bad millisecond is skipped with a visible note, and
/// following goes on.
#[test]
fn an_undecodable_log_event_is_skipped_and_following_goes_on() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    fake.fleet(&["bad-event", "/ecs/prod/api"]);
    let dir = tempfile::tempdir().unwrap();
    let doc = snapshot(&fake, dir.path(), &[]);
    let msgs = log_messages(&doc);
    for want in [
        "before the bad event",
        "after the bad event",
        "could not be decoded",
    ] {
        assert!(
            msgs.iter().any(|m| m.contains(want)),
            "missing {want}: {msgs:?}"
        );
    }
    let notes = doc["notes"].to_string();
    assert!(notes.contains("/ecs/prod/api: skipped event(s)"), "{notes}");
    assert!(
        doc["errors"].as_array().unwrap().is_empty(),
        "{}",
        doc["errors"]
    );
}

/// One failing log group beside working ones: its error is in `errors`, the Logs pane title
/// and the status bar on every run (it used to vanish when the other groups' lines arrived
/// first), while their lines still show.
#[test]
fn a_failing_log_group_is_always_reported() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("opsdeck.toml"),
        "[watch]\nlog_groups = [\"/ecs/prod/api\", \"/does/not/exist\"]\n",
    )
    .unwrap();
    for run in 0..5 {
        let doc = snapshot(&fake, dir.path(), &[]);
        let errors = doc["errors"].to_string();
        assert!(errors.contains("/does/not/exist"), "run {run}: {errors}");
        assert!(
            log_messages(&doc)
                .iter()
                .any(|m| m.contains("upstream timeout")),
            "run {run}"
        );
        let (code, text, err) = fake.opsdeck(
            dir.path(),
            &[
                "snapshot",
                "--endpoint-url",
                &fake.endpoint,
                "--after",
                "20",
                "--width",
                "200",
                "--height",
                "50",
            ],
        );
        assert_eq!(code, 0, "{err}");
        let title = text.lines().find(|l| l.contains(" Logs ")).unwrap_or("");
        assert!(title.contains("✗ logs:"), "run {run}: Logs title {title}");
        let status = text.lines().last().unwrap_or("");
        assert!(
            status.contains("logs ERR"),
            "run {run}: status bar {status}"
        );
    }
}

/// SQS against moto: discovery finds every queue; a queue shows what waits, what is in
/// flight and its dead-letter queue's depth, and the dead-letter queue is rated as one; the
/// config narrows to named queues; purge empties the queue in the next refresh and the
/// redrive request reaches the API.
#[test]
fn sqs_queues_show_backlog_in_flight_and_dead_letters() {
    let fake = FakeAws::start();
    fake.fleet(&["queues"]);
    let dir = tempfile::tempdir().unwrap();
    let doc = snapshot(&fake, dir.path(), &[]);
    let queue = |doc: &Value, name: &str| -> Value {
        doc["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["kind"] == "sqs" && s["name"] == name)
            .unwrap_or_else(|| panic!("no queue {name} in {}", doc["services"]))
            .clone()
    };
    let orders = queue(&doc, "orders");
    assert_eq!(orders["detail"]["visible"], 2, "{orders}");
    assert_eq!(orders["detail"]["in_flight"], 1, "{orders}");
    assert_eq!(orders["detail"]["dlq"], "orders-dlq");
    assert_eq!(orders["detail"]["dlq_depth"], 2);
    assert_eq!(orders["health"], "warn", "dead letters warn: {orders}");
    let dlq = queue(&doc, "orders-dlq");
    assert_eq!(dlq["detail"]["dead_letter_of"], "orders");
    assert_eq!(dlq["health"], "warn");
    assert_eq!(queue(&doc, "audit")["health"], "ok");
    // The age of the oldest message is a standard metric of each queue (not of a DLQ).
    let age = metric(&doc, "orders oldest");
    assert_eq!(age["metric"], "ApproximateAgeOfOldestMessage");
    assert_eq!(age["dimensions"]["QueueName"], "orders");
    assert!(
        !doc["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["label"] == "orders-dlq oldest")
    );
    // The config names what to watch: only that queue (by name), nothing discovered.
    std::fs::write(
        dir.path().join("opsdeck.toml"),
        "[watch]\nqueues = [\"orders\", \"missing-queue\"]\n",
    )
    .unwrap();
    let doc = snapshot(&fake, dir.path(), &[]);
    let names: Vec<&str> = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "sqs")
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"orders") && names.contains(&"missing-queue"));
    let missing = queue(&doc, "missing-queue");
    assert_eq!(missing["health"], "unknown");
    assert!(
        missing["status"]
            .as_str()
            .unwrap()
            .contains("NonExistentQueue")
            || missing["status"]
                .as_str()
                .unwrap()
                .contains("does not exist"),
        "{missing}"
    );
    std::fs::remove_file(dir.path().join("opsdeck.toml")).unwrap();

    // Actions through the live source: purge, then the next refresh shows it empty.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut l = live(&fake, fast()).await;
        let rows_now = l
            .wait(Feed::Kind(ResourceKind::Sqs), Duration::from_secs(20), rows)
            .await;
        let orders = rows_now.iter().find(|r| r.name == "orders").unwrap();
        let url = orders.sqs_detail().unwrap().url.clone();
        l.cmd
            .send(SourceCommand::Mutate {
                ctx: 0,
                id: 1,
                mutation: Mutation::Sqs(SqsMutation::PurgeQueue {
                    queue: "orders".into(),
                    url,
                }),
            })
            .await
            .unwrap();
        let r = l
            .wait(Feed::Actions, Duration::from_secs(20), |p| match p {
                Payload::ActionResult { id: 1, result } => Some(result.clone()),
                _ => None,
            })
            .await;
        assert_eq!(r, Ok("orders: purged".to_string()));
        l.wait(
            Feed::Kind(ResourceKind::Sqs),
            Duration::from_secs(10),
            |p| {
                rows(p).and_then(|r| {
                    r.into_iter().find(|s| {
                        s.name == "orders"
                            && s.sqs_detail()
                                .is_some_and(|d| d.visible == 0 && d.in_flight == 0)
                    })
                })
            },
        )
        .await;
    });
}

/// The other kinds against moto (and, where moto lacks it, the fake front: target health
/// reasons, failed executions and their redrive, ElastiCache TestFailover, pending RDS
/// maintenance): discovery, health rules, runbook-selected targets, actions, faults per kind.
#[test]
fn rds_dynamodb_target_groups_state_machines_and_redis_are_watched_and_acted_on() {
    let fake = FakeAws::start();
    let arns: Value = serde_json::from_str(&fake.fleet_output(&["kinds"])).unwrap();
    let tg = arns["target_group"].as_str().unwrap().to_string();
    let run1 = arns["executions"][0].as_str().unwrap().to_string();
    fake.http(
        "POST",
        "/__fake/target-health",
        r#"{"target":"i-0b2","state":"unhealthy","reason":"Target.FailedHealthChecks","description":"Health checks failed"}"#,
    );
    fake.http(
        "POST",
        "/__fake/sfn-fail",
        &format!(
            r#"{{"execution_arn":"{run1}","error":"States.TaskFailed","cause":"ledger timeout"}}"#
        ),
    );
    fake.http(
        "POST",
        "/__fake/rds-maintenance",
        r#"{"resource":"orders-db","action":"system-update"}"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let doc = snapshot(&fake, dir.path(), &[]);
    let row = |doc: &Value, kind: &str, name: &str| -> Value {
        doc["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["kind"] == kind && s["name"] == name)
            .unwrap_or_else(|| panic!("no {kind} {name} in {}", doc["services"]))
            .clone()
    };
    // RDS: the instance, its replica, the Aurora cluster and its members (found under it).
    let db = row(&doc, "rds", "orders-db");
    assert_eq!(db["health"], "ok", "{db}");
    assert_eq!(db["detail"]["multi_az"], true);
    assert_eq!(db["detail"]["role"], "primary of orders-db-ro");
    assert_eq!(db["detail"]["pending_maintenance"][0], "system-update");
    assert_eq!(
        row(&doc, "rds", "orders-db-ro")["detail"]["role"],
        "replica of orders-db"
    );
    let ledger = row(&doc, "rds", "ledger");
    assert_eq!(ledger["detail"]["role"], "cluster");
    assert_eq!(
        ledger["detail"]["cluster_members"][0], "ledger-1",
        "the writer first"
    );
    assert_eq!(row(&doc, "rds", "ledger-2")["detail"]["role"], "reader");
    // DynamoDB: on-demand, its backup seen.
    let carts = row(&doc, "dynamodb", "carts");
    assert_eq!(carts["health"], "ok");
    assert_eq!(carts["detail"]["billing_mode"], "PAY_PER_REQUEST");
    assert!(carts["detail"]["latest_backup_ms"].is_i64(), "{carts}");
    // The target group: one target unhealthy, with its reason, behind the ALB.
    let api = row(&doc, "elb", "api-tg");
    assert_eq!(api["health"], "warn", "{api}");
    assert_eq!(
        (
            api["detail"]["healthy"].as_i64(),
            api["detail"]["unhealthy"].as_i64()
        ),
        (Some(2), Some(1))
    );
    assert!(
        api["status"]
            .as_str()
            .unwrap()
            .contains("i-0b2:8080: Target.FailedHealthChecks (Health checks failed)"),
        "{api}"
    );
    assert!(api["status"].as_str().unwrap().contains("lb prod-alb"));
    // The state machine: one running, one failed with its error and cause.
    let settle = row(&doc, "sfn", "settle");
    assert_eq!(settle["health"], "warn", "{settle}");
    assert_eq!(settle["detail"]["running"], 1);
    assert_eq!(settle["detail"]["failed"], 1);
    assert_eq!(
        settle["detail"]["last_failure"]["error"],
        "States.TaskFailed"
    );
    assert_eq!(settle["detail"]["last_failure"]["cause"], "ledger timeout");
    // Redis.
    let sessions = row(&doc, "elasticache", "sessions");
    assert_eq!(sessions["detail"]["automatic_failover"], "enabled");
    assert!(
        !sessions["detail"]["primaries"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{sessions}"
    );
    // API Gateway, through CloudWatch alone: the stage found by ListMetrics, rated by its
    // own 5XX errors (14 a minute: critical).
    let stage = row(&doc, "apigateway", "orders-api/prod");
    assert_eq!(stage["health"], "crit", "{stage}");
    assert!(
        stage["status"]
            .as_str()
            .unwrap()
            .starts_with("orders-api/prod 5XX 14 crit · REST API · stage prod"),
        "{stage}"
    );
    // Standard metrics of each kind, in the one GetMetricData.
    for label in [
        "orders-db CPU",
        "orders-db-ro replica lag",
        "carts read throttles",
        "api-tg 5XX",
        "settle failed",
    ] {
        metric(&doc, label);
    }
    let tgm = metric(&doc, "api-tg 5XX");
    assert_eq!(
        tgm["dimensions"]["TargetGroup"],
        tg.rsplit_once(':').unwrap().1
    );

    // A runbook's commands select exactly its own resources; the others are not watched.
    std::fs::write(
        dir.path().join("db.md"),
        format!(
            "# DB\n\n## Check\n\n```bash\naws rds describe-db-instances --db-instance-identifier orders-db\naws elbv2 describe-target-health --target-group-arn {tg}\n```\n"
        ),
    )
    .unwrap();
    let doc = snapshot(&fake, dir.path(), &["--runbook", "db.md"]);
    let mut kinds_seen: Vec<(String, String)> = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| ["rds", "elb"].contains(&s["kind"].as_str().unwrap()))
        .map(|s| {
            (
                s["kind"].as_str().unwrap().to_string(),
                s["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    kinds_seen.sort();
    assert_eq!(
        kinds_seen,
        [
            ("elb".to_string(), "api-tg".to_string()),
            ("rds".to_string(), "orders-db".to_string())
        ],
    );
    std::fs::remove_file(dir.path().join("db.md")).unwrap();

    // Actions through the live source, and faults per kind.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut l = live(&fake, fast()).await;
        let mut act = async |id: u64, mutation: Mutation| -> Result<String, String> {
            l.cmd
                .send(SourceCommand::Mutate {
                    id,
                    mutation,
                    ctx: 0,
                })
                .await
                .unwrap();
            l.wait(Feed::Actions, Duration::from_secs(20), |p| match p {
                Payload::ActionResult { id: got, result } if *got == id => Some(result.clone()),
                _ => None,
            })
            .await
        };
        let r = act(
            1,
            Mutation::Rds(RdsMutation::SnapshotDb {
                id: "orders-db".into(),
                cluster: false,
                snapshot: "opsdeck-test-1".into(),
            }),
        )
        .await;
        assert_eq!(
            r,
            Ok("orders-db: snapshot opsdeck-test-1 started".to_string())
        );
        let r = act(
            2,
            Mutation::Rds(RdsMutation::RebootDb {
                instance: "orders-db".into(),
                failover: true,
            }),
        )
        .await;
        assert!(
            r.as_ref()
                .is_ok_and(|m| m.starts_with("orders-db: reboot with failover started")),
            "{r:?}"
        );
        let r = act(
            3,
            Mutation::Rds(RdsMutation::FailoverDbCluster {
                cluster: "ledger".into(),
            }),
        )
        .await;
        assert!(
            r.as_ref().is_ok_and(|m| m.contains("writer ledger-2")),
            "{r:?}"
        );
        let r = act(
            4,
            Mutation::Dynamodb(DynamodbMutation::BackupTable {
                table: "carts".into(),
                backup: "opsdeck-test".into(),
            }),
        )
        .await;
        assert_eq!(r, Ok("carts: backup opsdeck-test AVAILABLE".to_string()));
        let r = act(
            5,
            Mutation::Sfn(SfnMutation::RedriveExecution {
                machine: "settle".into(),
                execution_arn: run1.clone(),
            }),
        )
        .await;
        assert_eq!(r, Ok("settle: execution run-1 redriven".to_string()));
        let run2 = arns["executions"][1].as_str().unwrap().to_string();
        let r = act(
            6,
            Mutation::Sfn(SfnMutation::StopExecution {
                machine: "settle".into(),
                execution_arn: run2,
            }),
        )
        .await;
        assert_eq!(r, Ok("settle: execution run-2 stopped".to_string()));
        let r = act(
            7,
            Mutation::Elasticache(ElasticacheMutation::TestFailover {
                group: "sessions".into(),
                node_group: "0001".into(),
            }),
        )
        .await;
        assert_eq!(
            r,
            Ok("sessions: failover of shard 0001 started (modifying)".to_string())
        );
        // Each change shows in the next refresh of its kind.
        let kind_row = |kind: ResourceKind, name: &'static str, ok: fn(&Resource) -> bool| {
            move |p: &Payload| {
                rows(p).and_then(|r| {
                    r.into_iter()
                        .find(|s| s.kind == kind && s.name == name && ok(s))
                })
            }
        };
        l.wait(
            Feed::Kind(ResourceKind::Rds),
            Duration::from_secs(10),
            kind_row(ResourceKind::Rds, "ledger", |r| {
                r.status.contains("writer ledger-2")
            }),
        )
        .await;
        l.wait(
            Feed::Kind(ResourceKind::Sfn),
            Duration::from_secs(10),
            kind_row(ResourceKind::Sfn, "settle", |r| {
                {
                    // run-1 redriven runs again, run-2 was stopped.
                    r.health == Health::Ok
                        && r.status.starts_with("1 running · 0 failed · 1 aborted")
                }
            }),
        )
        .await;
        l.wait(
            Feed::Kind(ResourceKind::Elasticache),
            Duration::from_secs(10),
            kind_row(ResourceKind::Elasticache, "sessions", |r| {
                r.health == Health::Warn && r.status.starts_with("modifying")
            }),
        )
        .await;
        // A fault in one kind's API shows in its feed while the others deliver, and heals.
        fake.fault("rds", "throttle");
        let e = l
            .wait(
                Feed::Kind(ResourceKind::Rds),
                Duration::from_secs(20),
                error,
            )
            .await;
        assert!(e.contains("Throttl"), "{e}");
        l.wait(
            Feed::Kind(ResourceKind::Dynamodb),
            Duration::from_secs(10),
            rows,
        )
        .await;
        l.wait(Feed::Kind(ResourceKind::Elb), Duration::from_secs(10), rows)
            .await;
        fake.fault("rds", "none");
        l.wait(Feed::Kind(ResourceKind::Rds), Duration::from_secs(30), rows)
            .await;
    });
    assert!(
        fake.http("GET", "/__fake/sfn-redriven", "")
            .contains("run-1")
    );
}

/// Followed groups stream through Live Tail (the fake front plays StartLiveTail, which moto
/// lacks): new lines arrive once each, in order, while FilterLogEvents stops for them; a
/// session that breaks hands its groups back to polling and nothing is lost or repeated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_tail_streams_and_hands_back_to_polling_without_loss_or_repeats() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    let mut refresh = fast();
    refresh.logs_ms = 1000;
    let mut l = live(&fake, refresh).await;
    // Sessions start once the groups are known; wait for one, then for it to settle.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while fake.stats()["StartLiveTail"].as_u64().unwrap_or(0) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no StartLiveTail: {}",
            fake.stats()
        );
        l.wait(Feed::Logs, Duration::from_secs(5), |_| Some(()))
            .await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    fake.reset_stats();
    let mut seen: Vec<String> = Vec::new();
    let collect = |p: &Payload| match p {
        Payload::Logs(ev) | Payload::LogsPartial { events: ev, .. } => Some(
            ev.iter()
                .filter(|e| e.message.starts_with("follow line"))
                .map(|e| e.message.clone())
                .collect::<Vec<_>>(),
        ),
        _ => None,
    };
    fake.fleet(&["logs", "100", "0"]);
    let t = std::time::Instant::now();
    while seen.len() < 100 {
        seen.extend(l.wait(Feed::Logs, Duration::from_secs(10), collect).await);
    }
    let first = t.elapsed();
    // Streaming: no polling for the streamed groups meanwhile.
    let stats = fake.stats();
    assert_eq!(
        stats["FilterLogEvents"].as_u64().unwrap_or(0),
        0,
        "polled while streaming: {stats}"
    );
    // The session breaks (the connection drops): polling takes over, then a new session.
    fake.fault("logs", "drop");
    tokio::time::sleep(Duration::from_secs(2)).await;
    fake.fault("logs", "none");
    fake.fleet(&["logs", "100", "100"]);
    while seen.len() < 200 {
        seen.extend(l.wait(Feed::Logs, Duration::from_secs(30), collect).await);
    }
    // And the next session takes over again (retried 30 s later) without repeating.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    // (The first session's StartLiveTail was before the counts were reset.)
    while fake.stats()["StartLiveTail"].as_u64().unwrap_or(0) < 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "no new session: {}",
            fake.stats()
        );
        seen.extend(l.wait(Feed::Logs, Duration::from_secs(5), collect).await);
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    fake.reset_stats();
    fake.fleet(&["logs", "100", "200"]);
    while seen.len() < 300 {
        seen.extend(l.wait(Feed::Logs, Duration::from_secs(10), collect).await);
    }
    let stats = fake.stats();
    assert_eq!(
        stats["FilterLogEvents"].as_u64().unwrap_or(0),
        0,
        "polled again once the new session was up: {stats}"
    );
    // Anything late (a repeat) would arrive within a poll or two.
    let late: Vec<SourceEvent> = l.pending.drain(..).collect();
    for ev in late.iter().filter(|e| e.feed == Feed::Logs) {
        seen.extend(collect(&ev.payload).unwrap_or_default());
    }
    let until = tokio::time::Instant::now() + Duration::from_secs(3);
    while let Ok(Some(ev)) = tokio::time::timeout_at(until, l.rx.recv()).await {
        if ev.feed == Feed::Logs {
            seen.extend(collect(&ev.payload).unwrap_or_default());
        }
    }
    let expected: Vec<String> = (0..300).map(|i| format!("follow line {i}")).collect();
    assert_eq!(seen, expected);
    assert!(first < Duration::from_secs(3), "{first:?}");
}

/// Several contexts connect each on its own: one whose STS does not answer (it hangs until
/// the 3 s limit) delays no other. The other context's rows arrive before the slow one has
/// even connected; the slow one then connects without an account and delivers too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_context_slow_to_connect_delays_no_other() {
    use opsdeck::sources::aws::multi::{MultiSource, Pending};
    let quick = FakeAws::start();
    quick.fleet(&["build"]);
    let slow = FakeAws::start();
    slow.fleet(&["build"]);
    slow.fault("sts", "hang");
    quick.env_in_process();
    let pending = |label: &str, fake: &FakeAws| Pending {
        spec: opsdeck::config::contexts::ContextSpec {
            label: label.into(),
            ..Default::default()
        },
        opts: AwsSettings {
            endpoint_url: Some(fake.endpoint.clone()),
            region: Some("us-east-1".into()),
            ..AwsSettings::default()
        },
        plan: opsdeck::sources::aws::registry::plan(&Watch::default(), &[]),
        refresh: fast(),
    };
    let src = Box::new(MultiSource {
        contexts: vec![pending("slow", &slow), pending("quick", &quick)],
        http: opsdeck::sources::aws::http_client(),
    });
    let (tx, mut rx) = mpsc::channel(1024);
    let (_cmd, crx) = mpsc::channel(64);
    let _task = src.start(tx, crx);
    let mut seen: Vec<(u16, &str)> = Vec::new();
    let mut slow_info = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    while !seen.contains(&(0, "services")) {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no slow-context rows within 40 s: {seen:?}"))
            .expect("the source runs");
        match (&ev.feed, &ev.payload) {
            (_, Payload::Connected(info)) => {
                seen.push((ev.ctx, "connected"));
                if ev.ctx == 0 {
                    slow_info = Some(info.clone());
                }
            }
            (&Feed::ECS, Payload::Services(rows))
                if !rows.is_empty() && !seen.contains(&(ev.ctx, "services")) =>
            {
                seen.push((ev.ctx, "services"));
            }
            _ => {}
        }
    }
    let at = |e: (u16, &str)| seen.iter().position(|s| *s == e).unwrap();
    assert!(
        at((1, "services")) < at((0, "connected")),
        "the quick context's rows come before the slow one connects: {seen:?}"
    );
    let info = slow_info.expect("the slow context connected");
    assert_eq!(info.account, None, "its STS never answered");
    assert_eq!(info.region.as_deref(), Some("us-east-1"));
    assert_eq!(info.env["AWS_ENDPOINT_URL"], slow.endpoint);
}

/// Issue 27: no discovery cap — 300 services in 3 clusters and 60 functions all watched;
/// names on screen before the describes; once described, steady services and functions cost a
/// fraction of a call per refresh (the old schedule: 30 DescribeServices and 60 GetFunction
/// per refresh), and an action's target is described at once whatever its schedule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_fleet_is_all_listed_then_described_and_steady_resources_cost_little() {
    let fake = FakeAws::start();
    fake.fleet(&["big", "300", "3", "60", "5"]);
    let mut refresh = fast();
    refresh.steady_ms = 60_000;
    let mut l = live(&fake, refresh).await;
    let first = l.wait(Feed::ECS, Duration::from_secs(60), rows).await;
    assert_eq!(first.len(), 300, "every service, no cap");
    assert!(
        first.iter().all(|r| r.loading && r.status == "…"),
        "names first, described later: {:?}",
        &first[..2]
    );
    let loaded = |n: usize| {
        move |p: &Payload| rows(p).filter(|r| r.len() == n && r.iter().all(|x| !x.loading))
    };
    let services = l
        .wait(Feed::ECS, Duration::from_secs(60), loaded(300))
        .await;
    let clusters: std::collections::BTreeSet<_> =
        services.iter().filter_map(|s| s.cluster()).collect();
    assert_eq!(clusters.len(), 3);
    assert!(
        services
            .iter()
            .all(|s| s.counts.is_some_and(|c| c.desired == 2 && c.running == 2)),
        "steady: {:?}",
        services
            .iter()
            .find(|s| s.counts.is_none_or(|c| c.running != 2))
    );
    let functions = l
        .wait(Feed::LAMBDA, Duration::from_secs(60), loaded(60))
        .await;
    assert!(
        functions.iter().all(|f| f.health == Health::Ok),
        "{:?}",
        functions[0]
    );
    fake.reset_stats();
    for _ in 0..8 {
        l.wait(Feed::ECS, Duration::from_secs(20), rows).await;
    }
    for _ in 0..4 {
        l.wait(Feed::LAMBDA, Duration::from_secs(20), rows).await;
    }
    let stats = fake.stats();
    let calls = |op: &str| stats[op].as_u64().unwrap_or(0);
    assert!(
        calls("DescribeServices") < 80,
        "8 refreshes of 300 steady services: {} DescribeServices (every service each refresh would be 240) {stats}",
        calls("DescribeServices")
    );
    assert!(
        calls("GetFunction") + calls("ListAliases") + calls("ListVersionsByFunction") < 30,
        "4+ refreshes of 60 steady functions (each function each refresh would be 720) {stats}"
    );
    assert!(
        calls("ListFunctions") >= 4,
        "functions are listed every refresh {stats}"
    );
    // An action's target is described at once, not a steady minute later.
    l.cmd
        .send(SourceCommand::Mutate {
            ctx: 0,
            id: 1,
            mutation: Mutation::Ecs(EcsMutation::ScaleService {
                cluster: "big-1".into(),
                service: "big-svc-0007".into(),
                desired: 5,
            }),
        })
        .await
        .unwrap();
    l.wait(Feed::ECS, Duration::from_secs(20), |p| {
        rows(p).and_then(|r| {
            r.into_iter()
                .find(|s| s.name == "big-svc-0007" && s.counts.map(|c| c.desired) == Some(5))
        })
    })
    .await;
    // `[watch] limit` narrows discovery, and says so in the kind's pane.
    let watch = Watch {
        limit: Some(40),
        ..Watch::default()
    };
    let mut narrow = live_with(
        &fake,
        fast(),
        opsdeck::sources::aws::registry::plan(&watch, &[]),
    )
    .await;
    let note = narrow
        .wait(Feed::ECS, Duration::from_secs(30), |p| match p {
            Payload::Note(n) => Some(n.clone()),
            _ => None,
        })
        .await;
    assert!(note.contains("300 found, the first 40 watched"), "{note}");
    let kept = narrow
        .wait(Feed::ECS, Duration::from_secs(60), loaded(40))
        .await;
    assert_eq!(kept.len(), 40);
    narrow
        .wait(Feed::LAMBDA, Duration::from_secs(60), loaded(40))
        .await;
}
