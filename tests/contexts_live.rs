//! Several AWS contexts in one cockpit, against the local fake AWS (moto keeps each region's
//! resources apart): two regions watched at once with every row, metric and alarm tagged; a
//! context that fails beside one that works; acting on a row of the second context changes
//! that context only, says so in the dialog (production in the danger colour) and in the
//! journal; `c` narrows the cockpit to one context; bad contexts are refused with file:line.

mod common;
#[path = "common/fakeaws.rs"]
mod fakeaws;
#[path = "common/tmux.rs"]
mod tmux;

use fakeaws::FakeAws;
use serde_json::Value;

const WATCH: &str = "[watch]\nservices = [\"prod/api\", \"prod/worker\"]\n\n[refresh]\necs = 1\n";

fn two_regions() -> (FakeAws, tempfile::TempDir) {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    fake.fleet_in("eu-west-1", &["build"]);
    let dir = tempfile::tempdir().unwrap();
    (fake, dir)
}

fn snapshot_json(fake: &FakeAws, dir: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "--config",
        "opsdeck.toml",
        "--endpoint-url",
        &fake.endpoint,
        "snapshot",
        "--format",
        "json",
        "--after",
        "20",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = fake.opsdeck(dir, &args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn two_regions_are_watched_at_once_with_every_row_metric_and_alarm_tagged() {
    let (fake, dir) = two_regions();
    std::fs::write(dir.path().join("opsdeck.toml"), WATCH).unwrap();
    let v = snapshot_json(&fake, dir.path(), &["--region", "us-east-1,eu-west-1"]);
    assert_eq!(v["errors"].as_array().unwrap().len(), 0, "{}", v["errors"]);
    let rows: Vec<(String, String)> = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["context"].as_str().unwrap_or("").to_string(),
                format!(
                    "{}/{}",
                    r["cluster"].as_str().unwrap_or(""),
                    r["name"].as_str().unwrap()
                ),
            )
        })
        .collect();
    for ctx in ["us-east-1", "eu-west-1"] {
        for svc in ["prod/api", "prod/worker"] {
            assert!(
                rows.contains(&(ctx.to_string(), svc.to_string())),
                "{ctx} {svc} in {rows:?}"
            );
        }
    }
    let metrics = v["metrics"].as_array().unwrap();
    assert!(
        metrics.iter().any(|m| m["context"] == "eu-west-1"
            && m["label"].as_str().unwrap().starts_with("eu-west-1 · "))
    );
    assert!(metrics.iter().any(|m| m["context"] == "us-east-1"));
    let alarms = v["alarms"].as_array().unwrap();
    assert!(
        alarms.iter().any(|a| a["context"] == "eu-west-1"
            && a["name"].as_str().unwrap().starts_with("eu-west-1/")),
        "{alarms:?}"
    );
    // The text cockpit shows the context column.
    let (code, text, err) = fake.opsdeck(
        dir.path(),
        &[
            "--config",
            "opsdeck.toml",
            "--endpoint-url",
            &fake.endpoint,
            "--region",
            "us-east-1,eu-west-1",
            "snapshot",
            "--width",
            "160",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("eu-west-1  ECS   prod/api"), "{text}");
    assert!(text.contains("2 contexts: us-east-1, eu-west-1"), "{text}");
}

#[test]
fn two_accounts_through_assume_role_are_watched_apart() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    // The same region in another account: only the account tells them apart.
    fake.fleet_in_account("222222222222", "us-east-1", &["build"]);
    fake.fleet_in_account("222222222222", "us-east-1", &["mutate"]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("opsdeck.toml"),
        format!(
            "{WATCH}\n[[contexts]]\nlabel = \"main\"\nregion = \"us-east-1\"\n\n[[contexts]]\nlabel = \"pay\"\nregion = \"us-east-1\"\nrole_arn = \"arn:aws:iam::222222222222:role/opsdeck\"\nproduction = true\n"
        ),
    )
    .unwrap();
    fake.reset_stats();
    let v = snapshot_json(&fake, dir.path(), &[]);
    assert_eq!(v["errors"].as_array().unwrap().len(), 0, "{}", v["errors"]);
    let desired = |ctx: &str| {
        v["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["context"] == ctx && r["cluster"] == "prod" && r["name"] == "api")
            .unwrap_or_else(|| panic!("{ctx} prod/api in {}", v["services"]))["desired"]
            .as_i64()
    };
    // `mutate` set the second account's prod/api to 7; the first account's is untouched.
    assert_eq!(desired("pay"), Some(7));
    // What each label stands for, as each context connected.
    let contexts = v["contexts"].as_array().unwrap();
    assert_eq!(contexts[0]["label"], "main");
    assert_eq!(contexts[0]["account"], "123456789012");
    assert_eq!(contexts[1]["label"], "pay");
    assert_eq!(contexts[1]["account"], "222222222222");
    assert_eq!(contexts[1]["production"], true);
    assert_eq!(contexts[1]["region"], "us-east-1");
    assert_ne!(desired("main"), Some(7));
    // Each context signed with its own credentials: the second with the role's.
    let by_key = fake.stats_by_key();
    let keys: Vec<&String> = by_key
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, ops)| ops.get("DescribeServices").is_some())
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys.len(), 2, "{by_key}");
    assert!(
        by_key
            .as_object()
            .unwrap()
            .values()
            .any(|ops| ops.get("AssumeRole").is_some())
    );
    // A snapshot is one picture: it never opens a (billed) Live Tail session.
    assert!(
        fake.stats().get("StartLiveTail").is_none(),
        "{}",
        fake.stats()
    );
}

#[test]
fn a_failing_context_fails_on_its_own_while_the_other_delivers() {
    let (fake, dir) = two_regions();
    std::fs::write(
        dir.path().join("opsdeck.toml"),
        format!(
            "{WATCH}\n[[contexts]]\nlabel = \"main\"\nregion = \"us-east-1\"\n\n[[contexts]]\nlabel = \"dr\"\nregion = \"eu-west-1\"\nendpoint_url = \"http://127.0.0.1:9\"\n"
        ),
    )
    .unwrap();
    let v = snapshot_json(&fake, dir.path(), &[]);
    let rows = v["services"].as_array().unwrap();
    assert!(
        rows.iter()
            .any(|r| r["context"] == "main" && r["name"] == "api")
    );
    assert!(!rows.iter().any(|r| r["context"] == "dr"), "{rows:?}");
    let errors = v["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["context"] == "dr" && e["source"] == "ecs"),
        "{errors:?}"
    );
    assert!(
        !errors.iter().any(|e| e["context"] == "main"),
        "the working context has no error: {errors:?}"
    );
}

#[test]
fn acting_on_the_second_context_changes_only_it_and_says_which_everywhere() {
    let (fake, dir) = two_regions();
    let d = dir.path();
    std::fs::write(
        d.join("opsdeck.toml"),
        format!(
            "{WATCH}\n[[contexts]]\nlabel = \"main\"\nregion = \"us-east-1\"\n\n[[contexts]]\nlabel = \"eu\"\nregion = \"eu-west-1\"\nproduction = true\n"
        ),
    )
    .unwrap();
    let t = tmux::Tmux::start_env("contexts", 160, 44, &fake.shell_env());
    t.type_line(&format!(
        "clear; cd {}; {} --config opsdeck.toml --journal journal.jsonl --endpoint-url {}",
        d.display(),
        common::bin().display(),
        fake.endpoint
    ));
    // A services row of context `ctx` is on screen.
    let row = |s: &str, ctx: &str| {
        s.lines()
            .any(|l| l.split_whitespace().nth(1) == Some(ctx) && l.contains("ECS   prod/"))
    };
    t.wait_for("rows of both contexts", |s| row(s, "main") && row(s, "eu"));
    // The filter matches every word: the context and the service.
    t.send(&["/"]);
    t.tmux(&["send-keys", "-t", "e2e", "-l", "eu prod/api"]);
    t.send(&["Enter"]);
    t.wait_text("(1 shown)");
    t.palette_pick("scale");
    t.wait_text("desired count");
    t.send(&["C-u"]);
    t.tmux(&["send-keys", "-t", "e2e", "-l", "6"]);
    t.send(&["Enter"]);
    let s = t.wait_text("Confirm");
    assert!(
        s.contains("target  eu · eu-west-1 · 123456789012 · PRODUCTION"),
        "the dialog names the context:\n{s}"
    );
    t.send(&["y"]);
    t.wait_for("eu prod/api at 6", |s| {
        s.lines()
            .any(|l| l.contains(" eu ") && l.contains("prod/api") && l.contains("6/6"))
    });
    assert_eq!(fake.fleet_in("eu-west-1", &["desired", "prod", "api"]), "6");
    assert_eq!(
        fake.fleet_in("us-east-1", &["desired", "prod", "api"]),
        "4",
        "the other context is untouched"
    );
    // `c` narrows to one context, then the next, then all.
    t.send(&["Escape", "Escape", "c"]);
    let s = t.wait_text("only main");
    assert!(row(&s, "main") && !row(&s, "eu"), "{s}");
    assert!(
        s.contains("main/prod-api-cpu-high") && !s.contains("eu/prod-api-cpu-high"),
        "alarms narrowed too:\n{s}"
    );
    assert!(
        s.contains("main · api CPU") && !s.contains("eu · api CPU"),
        "metrics too:\n{s}"
    );
    t.send(&["c"]);
    let s = t.wait_text("only eu");
    assert!(row(&s, "eu") && !row(&s, "main"), "{s}");
    t.send(&["c"]);
    t.wait_text("all contexts");
    t.send(&["q"]);
    t.wait_for("shell prompt", |s| s.contains("bash-"));
    let journal = std::fs::read_to_string(d.join("journal.jsonl")).unwrap();
    let start = journal
        .lines()
        .find(|l| l.contains("\"kind\":\"start\"") && l.contains("desiredCount=6"))
        .unwrap_or_else(|| panic!("{journal}"));
    assert!(
        start.contains("\"context\":\"eu\"") && start.contains("\"region\":\"eu-west-1\""),
        "{start}"
    );
}

#[test]
fn bad_contexts_are_refused_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = |toml: &str, args: &[&str]| {
        std::fs::write(dir.path().join("opsdeck.toml"), toml).unwrap();
        let out = std::process::Command::new(common::bin())
            .current_dir(dir.path())
            .args(["--config", "opsdeck.toml"])
            .args(args)
            .args(["snapshot", "--after", "0"])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(
        "[[contexts]]\nlabel = \"a\"\nregion = \"us-east-1\"\n\n[[contexts]]\nlabel = \"a\"\nregion = \"eu-west-1\"\n",
        &[],
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("opsdeck.toml:6") && err.contains("the label `a` is used twice"),
        "{err}"
    );
    let (code, err) = run("[[contexts]]\nlabel = \"x\"\nregion = \"Mars\"\n", &[]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("opsdeck.toml:3") && err.contains("not an AWS region"),
        "{err}"
    );
    let (code, err) = run("", &["--context", "prod"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("LABEL=PROFILE@REGION"), "{err}");
    // One read-only role cannot cover several accounts: refused, not half enforced.
    let (code, err) = run(
        "",
        &[
            "--region",
            "us-east-1,eu-west-1",
            "--read-only",
            "--read-only-role",
            "arn:aws:iam::123456789012:role/ro",
        ],
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("read_only_role covers one account"), "{err}");
}

#[test]
fn a_monitoring_account_charts_its_linked_accounts_metrics_with_their_account() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    // A source account with the same fleet, its prod/api CPU higher to tell them apart.
    fake.link_source_account();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("opsdeck.toml"),
        "[refresh]\necs = 1\n\n[[contexts]]\nlabel = \"mon\"\nregion = \"us-east-1\"\ncross_account = true\n",
    )
    .unwrap();
    fake.reset_stats();
    let v = snapshot_json(&fake, dir.path(), &[]);
    assert_eq!(v["errors"].as_array().unwrap().len(), 0, "{}", v["errors"]);
    let metrics = v["metrics"].as_array().unwrap();
    let linked: Vec<&Value> = metrics
        .iter()
        .filter(|m| m["account"] == "222222222222")
        .collect();
    let cpu = linked
        .iter()
        .find(|m| {
            let l = m["label"].as_str().unwrap_or("");
            l.starts_with("222222222222 ") && l.ends_with("api CPU")
        })
        .unwrap_or_else(|| panic!("the linked account's api CPU in {metrics:?}"));
    assert_eq!(cpu["dimensions"]["ServiceName"], "api");
    let values = cpu["values"].as_array().unwrap();
    assert!(
        values.iter().any(|x| x.as_f64() == Some(97.5)),
        "the source account's own points (its `mutate` put 97.5): {values:?}"
    );
    // The monitoring account's own api CPU is there too, without an account, and without
    // the source account's point.
    let own = metrics
        .iter()
        .find(|m| {
            m["label"].as_str().unwrap_or("").ends_with("api CPU")
                && m["dimensions"]["ClusterName"] == "prod"
                && m.get("account").is_none()
        })
        .unwrap_or_else(|| panic!("own api CPU in {metrics:?}"));
    assert!(
        !own["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x.as_f64() == Some(97.5))
    );
    // Both in one GetMetricData call per refresh; the linked listing is ListMetrics.
    let stats = fake.stats();
    assert!(stats["ListMetrics"].as_u64().unwrap_or(0) >= 2, "{stats}");
    // The linked account's log groups of the same services are followed by ARN, their lines
    // shown under the account: its `mutate` marker, and only there.
    let logs = v["logs"].as_array().unwrap();
    let marker = |g: &str| {
        logs.iter().any(|l| {
            l["group"] == g
                && l["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("after-mutation marker")
        })
    };
    assert!(marker("222222222222 /ecs/prod/api"), "{logs:?}");
    assert!(!marker("/ecs/prod/api"));
    // `doctor` says which accounts the monitoring context sees.
    let (code, d) = fake.doctor_json(dir.path(), &["--config", "opsdeck.toml"]);
    assert_eq!(code, 0, "{d}");
    let linked = d["contexts"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["feed"] == "linked accounts")
        .unwrap_or_else(|| panic!("{d}"));
    assert_eq!(linked["outcome"], "ok");
    assert_eq!(linked["detail"], "1 linked: 222222222222");
}

/// `doctor` checks every context with its own profile, region, role and endpoint: a context
/// that cannot be reached fails on its own rows, the others pass, and the exit status says
/// something failed.
#[test]
fn doctor_checks_each_context_on_its_own() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    fake.fleet_in_account("222222222222", "eu-west-1", &["build"]);
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: that context's calls fail at once.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    std::fs::write(
        dir.path().join("opsdeck.toml"),
        format!(
            "[[contexts]]\nlabel = \"main\"\nregion = \"us-east-1\"\n\n[[contexts]]\nlabel = \"dr\"\nregion = \"eu-west-1\"\nrole_arn = \"arn:aws:iam::222222222222:role/opsdeck\"\ncross_account = true\n\n[[contexts]]\nlabel = \"gone\"\nregion = \"us-west-2\"\nendpoint_url = \"http://127.0.0.1:{dead}\"\n"
        ),
    )
    .unwrap();
    let (code, v) = fake.doctor_json(dir.path(), &["--config", "opsdeck.toml"]);
    assert_eq!(code, 1, "{v}");
    let contexts = v["contexts"].as_array().unwrap();
    let labels: Vec<&str> = contexts
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["main", "dr", "gone"]);
    assert_eq!(contexts[0]["ok"], true, "{}", contexts[0]);
    assert_eq!(contexts[0]["context"]["account"], "123456789012");
    // The role context is checked with the role: STS says the other account. It says it is
    // a monitoring account, but nothing is linked to it: that row alone fails, and says why.
    let dr_checks = contexts[1]["checks"].as_array().unwrap();
    for r in dr_checks {
        if r["feed"] == "linked accounts" {
            assert_eq!(r["outcome"], "error");
            assert!(
                r["detail"].as_str().unwrap().contains("monitoring account"),
                "{r}"
            );
        } else {
            assert_eq!(r["outcome"], "ok", "{r}");
        }
    }
    assert!(dr_checks.iter().any(|r| r["feed"] == "linked accounts"));
    assert_eq!(contexts[1]["ok"], false);
    assert_eq!(contexts[1]["context"]["account"], "222222222222");
    assert_eq!(contexts[1]["context"]["region"], "eu-west-1");
    assert_eq!(
        contexts[1]["context"]["role"],
        "arn:aws:iam::222222222222:role/opsdeck"
    );
    assert_eq!(contexts[2]["ok"], false);
    assert!(
        contexts[2]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] == "network"),
        "{}",
        contexts[2]
    );
    assert_eq!(v["ok"], false);
    // The one-context fields stay, as the first context's (additive).
    assert_eq!(v["context"]["account"], "123456789012");
    // As a user reads it: a section per context.
    let (_, text, _) = fake.opsdeck(
        dir.path(),
        &[
            "--config",
            "opsdeck.toml",
            "--endpoint-url",
            &fake.endpoint,
            "doctor",
        ],
    );
    for want in ["AWS context main", "AWS context dr", "AWS context gone"] {
        assert!(text.contains(want), "{want}: {text}");
    }
}
