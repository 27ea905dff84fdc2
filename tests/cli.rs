//! The command line as a user runs it: `snapshot` output, and the exact error messages for
//! malformed configuration, theme and keymap files.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn opsdeck(args: &[&str]) -> Output {
    Command::new(common::bin())
        .args(args)
        // An empty XDG config home so the developer's own files never leak into tests.
        .env(
            "XDG_CONFIG_HOME",
            std::env::temp_dir().join("opsdeck-test-empty-config"),
        )
        .env_remove("NO_COLOR")
        .current_dir(
            std::env::var("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
        )
        .output()
        .expect("run opsdeck")
}

fn fixture(name: &str) -> String {
    Path::new("tests/fixtures/bad")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn snapshot_json_has_the_documented_shape() {
    let out = opsdeck(&["snapshot", "--demo", "--format", "json", "--after", "10"]);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["source"], "demo · seed 42 · simulated fleet");
    let services = v["services"].as_array().unwrap();
    assert_eq!(
        services.len(),
        20,
        "6 ECS + 4 Lambda + 2 HTTP + 2 SQS + 2 RDS + DynamoDB + target group + state machine + Redis"
    );
    let kinds = [
        "ecs",
        "lambda",
        "http",
        "sqs",
        "rds",
        "dynamodb",
        "elb",
        "sfn",
        "elasticache",
    ];
    for s in services {
        assert!(kinds.contains(&s["kind"].as_str().unwrap()), "{s}");
        assert!(s["id"].is_string() && s["detail"].is_object(), "{s}");
        assert!(s["name"].is_string() && s["status"].is_string());
        assert!(s["cluster"].is_string() || s["cluster"].is_null());
        for k in ["desired", "running", "pending"] {
            assert!(s[k].is_i64() || s[k].is_null(), "{k} in {s}");
        }
        assert!(["ok", "warn", "crit", "unknown"].contains(&s["health"].as_str().unwrap()));
    }
    assert_eq!(services.iter().filter(|s| s["kind"] == "ecs").count(), 6);
    let ecs_clusters: std::collections::BTreeSet<_> = services
        .iter()
        .filter(|s| s["kind"] == "ecs")
        .map(|s| s["cluster"].as_str().unwrap())
        .collect();
    assert_eq!(ecs_clusters.len(), 2);
    let orders = services.iter().find(|s| s["name"] == "orders").unwrap();
    assert_eq!(orders["kind"], "sqs");
    assert_eq!(orders["detail"]["dlq"], "orders-dlq");
    assert!(orders["detail"]["visible"].is_i64() && orders["detail"]["dlq_depth"].is_i64());
    let db = services.iter().find(|s| s["name"] == "prod-db").unwrap();
    assert_eq!(db["kind"], "rds");
    assert_eq!(db["detail"]["role"], "primary of prod-db-ro");
    assert_eq!(db["detail"]["multi_az"], true);
    let tg = services.iter().find(|s| s["kind"] == "elb").unwrap();
    assert!(tg["detail"]["healthy"].is_i64() && tg["detail"]["unhealthy"].is_i64());
    let sm = services.iter().find(|s| s["kind"] == "sfn").unwrap();
    assert!(
        sm["detail"]["arn"]
            .as_str()
            .unwrap()
            .contains(":stateMachine:")
    );
    let metrics = v["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 10);
    for m in metrics {
        for k in ["label", "namespace", "metric", "stat"] {
            assert!(m[k].is_string(), "{k} in {m}");
        }
        assert!(m["dimensions"].is_object());
        assert!(m["unit"].is_string() || m["unit"].is_null());
        assert!(!m["values"].as_array().unwrap().is_empty());
        assert!(m["last"].is_number());
        assert!(["ok", "warn", "crit", "unknown"].contains(&m["health"].as_str().unwrap()));
    }
    let alarms = v["alarms"].as_array().unwrap();
    assert!(alarms.len() >= 3);
    for a in alarms {
        assert!(a["name"].is_string() && a["state"].is_string());
        assert!(a["reason"].is_string() || a["reason"].is_null());
    }
    let logs = v["logs"].as_array().unwrap();
    assert!(!logs.is_empty());
    let groups: std::collections::BTreeSet<_> =
        logs.iter().map(|l| l["group"].as_str().unwrap()).collect();
    assert_eq!(groups.len(), 3);
    for l in logs {
        chrono::DateTime::parse_from_rfc3339(l["time"].as_str().unwrap()).expect("RFC3339 time");
        assert!(l["message"].is_string());
        assert!(l["stream"].is_string() || l["stream"].is_null());
        assert!(l["level"].is_string() || l["level"].is_null());
    }
    assert_eq!(v["errors"], serde_json::json!([]));
}

#[test]
fn snapshot_text_draws_the_cockpit() {
    let out = opsdeck(&["snapshot", "--demo", "--width", "120", "--height", "40"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for pane in ["Services", "Metrics", "Alarms", "Logs", "demo · seed 42"] {
        assert!(text.contains(pane), "missing {pane}:\n{text}");
    }
    assert_eq!(text.lines().count(), 40);
    assert!(!text.contains('\x1b'), "plain text, no escapes");
}

fn expect_error(args: &[&str], want: &str) {
    let out = opsdeck(args);
    assert_eq!(out.status.code(), Some(2), "args {args:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end(), want, "args {args:?}");
}

#[test]
fn config_errors_name_file_line_and_key() {
    let f = fixture("config_unknown_key.toml");
    expect_error(
        &["--config", &f, "snapshot", "--demo"],
        &format!(
            "opsdeck: {f}:4: unknown field `bufer_lines`, expected `buffer_lines` or `live_tail`"
        ),
    );
    let f = fixture("config_out_of_range.toml");
    expect_error(
        &["--config", &f, "snapshot", "--demo"],
        &format!(
            "opsdeck: {f}:2: logs.buffer_lines = 12 is out of range: use 100 to 5000000 (default 50000)"
        ),
    );
    let f = fixture("config_bad_type.toml");
    expect_error(
        &["--config", &f, "snapshot", "--demo"],
        &format!("opsdeck: {f}:3: invalid type: string \"sometimes\", expected a boolean"),
    );
    let f = fixture("config_syntax.toml");
    let out = opsdeck(&["--config", &f, "snapshot", "--demo"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with(&format!("opsdeck: {f}:1: ")), "{stderr}");
    expect_error(
        &[
            "--config",
            "tests/fixtures/bad/nope.toml",
            "snapshot",
            "--demo",
        ],
        "opsdeck: tests/fixtures/bad/nope.toml: cannot read: No such file or directory (os error 2)",
    );
}

#[test]
fn theme_errors_name_file_line_and_role() {
    let f = fixture("theme_bad_colour.toml");
    expect_error(
        &["--theme", &f, "snapshot", "--demo"],
        &format!(
            "opsdeck: {f}:3: crit.fg: unknown colour `blood`; use an ANSI name (black, red, green, yellow, blue, magenta, cyan, gray, darkgray, light<colour>, white, reset), #rrggbb or 0-255"
        ),
    );
    let f = fixture("theme_unknown_role.toml");
    let out = opsdeck(&["--theme", &f, "snapshot", "--demo"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!(
            "opsdeck: {f}:3: unknown style role `danger_zone`; valid roles: text, muted, accent,"
        )),
        "{stderr}"
    );
    let f = fixture("theme_unknown_attr.toml");
    let out = opsdeck(&["--theme", &f, "snapshot", "--demo"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!("opsdeck: {f}:2: unknown field `blink`")),
        "{stderr}"
    );
    expect_error(
        &["--theme", "solarized", "snapshot", "--demo"],
        "opsdeck: solarized: no such theme (built-in: default, light, high-contrast; or give a path to a .toml file)",
    );
}

#[test]
fn keymap_errors_name_file_line_and_action() {
    let f = fixture("keymap_duplicate.toml");
    expect_error(
        &["--keymap", &f, "snapshot", "--demo"],
        &format!(
            "opsdeck: {f}:3: key `q` is bound twice in [global]: to `quit` (line 2) and to `zoom`"
        ),
    );
    let f = fixture("keymap_unknown_action.toml");
    let out = opsdeck(&["--keymap", &f, "snapshot", "--demo"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!(
            "opsdeck: {f}:3: unknown action `follow_harder` in [logs]; valid actions: quit, help, close, suspend,"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("toggle_follow"),
        "lists every valid action: {stderr}"
    );
    let f = fixture("keymap_missing_desc.toml");
    expect_error(
        &["--keymap", &f, "snapshot", "--demo"],
        &format!("opsdeck: {f}:2: missing field `desc`"),
    );
    let f = fixture("keymap_unknown_mode.toml");
    expect_error(
        &["--keymap", &f, "snapshot", "--demo"],
        &format!(
            "opsdeck: {f}:1: unknown mode `[pane]`; valid modes: global, services, metrics, alarms, logs, help, journal, insights, procedure, palette, form, prompt, confirm, typed, replay"
        ),
    );
    let f = fixture("keymap_bad_key.toml");
    let out = opsdeck(&["--keymap", &f, "snapshot", "--demo"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!("opsdeck: {f}:2: unknown key `ctrl-shift-banana`")),
        "{stderr}"
    );
}

#[test]
fn builtin_themes_and_keymaps_work_by_name() {
    for theme in ["default", "light", "high-contrast"] {
        for keymap in ["default", "vim"] {
            let out = opsdeck(&[
                "--theme", theme, "--keymap", keymap, "snapshot", "--demo", "--width", "80",
                "--height", "24",
            ]);
            assert!(
                out.status.success(),
                "{theme}/{keymap}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn user_theme_in_the_config_dir_is_found_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("opsdeck/themes")).unwrap();
    std::fs::write(
        dir.path().join("opsdeck/themes/mine.toml"),
        "extends = \"light\"\n[styles]\ncrit = { fg = \"#ff0000\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("opsdeck/opsdeck.toml"),
        "theme = \"mine\"\n",
    )
    .unwrap();
    let out = Command::new(common::bin())
        .args(["snapshot", "--demo", "--width", "80", "--height", "24"])
        .env("XDG_CONFIG_HOME", dir.path())
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn cockpit_refuses_a_non_terminal_stdout() {
    expect_error(
        &["--demo"],
        "opsdeck: the cockpit needs a terminal; for scripts use `opsdeck snapshot`",
    );
}

/// Arguments that used to crash, hang or wrap: each is a clear error and exit 2.
#[test]
fn absurd_arguments_are_refused_with_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["snapshot", "--demo", "--after", "inf"],
            "is not a duration from 0 to 1h",
        ),
        (
            &["snapshot", "--demo", "--after", "1e300"],
            "is not a duration from 0 to 1h",
        ),
        (
            &["snapshot", "--demo", "--after", "nan"],
            "is not a duration from 0 to 1h",
        ),
        (&["snapshot", "--demo", "--after", "-1"], "'-1'"),
        (
            &["snapshot", "--demo", "--after", "2h"],
            "is not a duration from 0 to 1h",
        ),
        (
            &["run", "x.md", "p", "--box-unrated"],
            "--box-unrated needs read-only mode",
        ),
        (
            &["run", "x.md", "p", "--timeout", "8d"],
            "`8d` is out of range: give more than 0 and at most 7d",
        ),
        (
            &["snapshot", "--demo", "--width", "60000"],
            "60000 is not in 20..=1000",
        ),
        (
            &["snapshot", "--demo", "--height", "0"],
            "0 is not in 5..=1000",
        ),
        (
            &["--log-buffer", "0", "snapshot", "--demo"],
            "not a line count from 100 to 5000000",
        ),
        (
            &["journal", "export", "--since", "99999999999d"],
            "too far in the past",
        ),
        (
            &["journal", "export", "--since", "9223372036854775807s"],
            "too far in the past",
        ),
        (
            &["--read-only-role", "admin", "snapshot", "--demo"],
            "is not a role ARN",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.jsonl");
    std::fs::write(&journal, "").unwrap();
    for (args, want) in cases {
        let mut full: Vec<&str> = vec!["--journal", journal.to_str().unwrap()];
        full.extend_from_slice(args);
        let out = opsdeck(&full);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

/// A FIFO or a device given as a file is refused at once (reading a FIFO would block).
#[test]
fn special_files_are_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("opsdeck.toml");
    let ok = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(ok.success());
    let fifo = fifo.to_str().unwrap();
    for args in [
        vec!["--config", fifo, "snapshot", "--demo"],
        vec!["--theme", fifo, "snapshot", "--demo"],
        vec!["--keymap", fifo, "snapshot", "--demo"],
        vec!["runbook", "show", fifo],
        vec!["runbook", "show", "/dev/zero"],
        vec!["--config", "/dev/zero", "snapshot", "--demo"],
    ] {
        let started = std::time::Instant::now();
        let out = opsdeck(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("not a regular file"), "{args:?}: {err}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{args:?} hung"
        );
    }
    // Too big: 5 MiB of TOML comments.
    let big = dir.path().join("big.toml");
    std::fs::write(&big, "#".repeat(5 << 20)).unwrap();
    let out = opsdeck(&["--config", big.to_str().unwrap(), "snapshot", "--demo"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than the 4 MiB allowed"));
}

/// A reader that goes away (`| head`) ends the output quietly: exit 0, no panic.
#[test]
fn output_to_a_closed_pipe_is_not_a_crash() {
    for args in [
        "snapshot --demo --format json --after 1",
        "man",
        "completions bash",
    ] {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "set -o pipefail; {} {args} | head -c 10 >/dev/null",
                common::bin().display()
            ))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args}: {err}");
        assert!(out.status.success(), "{args}: {err}");
    }
}

/// Every argument says what it is for, at every level (hidden test hooks excepted).
#[test]
fn every_argument_has_help() {
    use clap::CommandFactory;
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for a in cmd.get_arguments() {
            let builtin = matches!(a.get_id().as_str(), "help" | "version");
            if !a.is_hide_set() && !builtin && a.get_help().is_none() {
                missing.push(format!("{path} {}", a.get_id()));
            }
        }
        for sub in cmd.get_subcommands() {
            if sub.get_about().is_none() && sub.get_name() != "help" {
                missing.push(format!("{path} {} (no about)", sub.get_name()));
            }
            walk(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    let mut missing = Vec::new();
    walk(&opsdeck::cli::Cli::command(), "opsdeck", &mut missing);
    assert!(missing.is_empty(), "arguments without help: {missing:?}");
}

/// Options live on the subcommands that use them: `man`, `completions` and `journal export`
/// no longer list the cockpit's 19; a cockpit option before a subcommand that does not take
/// it is a usage error, not silently ignored; before one that does, it still works.
#[test]
fn options_belong_to_the_subcommands_that_use_them() {
    let help = |args: &[&str]| {
        let o = opsdeck(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    for sub in [
        &["man", "--help"][..],
        &["completions", "--help"],
        &["journal", "export", "--help"],
    ] {
        let h = help(sub);
        for cockpit_only in [
            "--theme",
            "--demo",
            "--seed",
            "--no-mouse",
            "--record",
            "--profile",
        ] {
            let listed = h.match_indices(cockpit_only).any(|(i, _)| {
                !h[i + cockpit_only.len()..]
                    .starts_with(|c: char| c.is_ascii_lowercase() || c == '-')
            });
            assert!(!listed, "{sub:?} lists {cockpit_only}:\n{h}");
        }
    }
    let run = help(&["run", "--help"]);
    for flag in [
        "--read-only",
        "--readonly",
        "--profile",
        "--context",
        "--journal",
        "--timeout",
    ] {
        assert!(run.contains(flag), "run --help lacks {flag}:\n{run}");
    }
    assert!(!run.contains("--theme") && !run.contains("--demo"), "{run}");
    let o = opsdeck(&["--theme", "light", "journal", "export"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`--theme` does not apply to `opsdeck journal`"),
        "{err}"
    );
    // A cockpit option before a subcommand that takes it, and after it.
    for args in [
        &["--demo", "snapshot", "--format", "json", "--after", "5"][..],
        &["snapshot", "--demo", "--output", "json", "--after", "5"],
    ] {
        let o = opsdeck(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        assert!(v["source"].as_str().unwrap().starts_with("demo"), "{v}");
    }
}

/// `--readonly` (k9s, taws) is `--read-only`; `--output` (the AWS CLI) is `--format`.
#[test]
fn k9s_and_aws_cli_spellings_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let rb = dir.path().join("w.md");
    std::fs::write(
        &rb,
        "# W\n\n## Touch\n\n```bash\ntouch \"$TMPDIR/x\"\n```\n",
    )
    .unwrap();
    let j = dir.path().join("j.jsonl");
    let o = opsdeck(&[
        "run",
        rb.to_str().unwrap(),
        "touch",
        "--readonly",
        "--yes",
        "--journal",
        j.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(3),
        "a write under --readonly is refused: {err}"
    );
    assert!(err.contains("read-only"), "{err}");
    let o = opsdeck(&["runbook", "show", rb.to_str().unwrap(), "--output", "json"]);
    assert_eq!(o.status.code(), Some(0));
    serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("json");
}
