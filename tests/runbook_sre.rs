//! Runbooks read the way an SRE reads them (issue: alternatives never run together, prose
//! placeholders asked for, non-shell text never run, units kept, text output sanitised,
//! one bad file never stops the rest). One fixture per pattern, under
//! `tests/fixtures/runbooks/sre/`, written for these tests.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/fixtures/runbooks/sre")
    .join(name)
}

fn opsdeck(args: &[&str]) -> Output {
    opsdeck_env(args, &[])
}

/// Like `opsdeck`, with more variables in its environment.
fn opsdeck_env(args: &[&str], vars: &[(&str, &str)]) -> Output {
    Command::new(common::bin())
        .args(args)
        .envs(vars.iter().copied())
        .env(
            "XDG_CONFIG_HOME",
            std::env::temp_dir().join("opsdeck-test-empty-config"),
        )
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run opsdeck")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// No escape sequence from a runbook or a value reaches a terminal through text output.
#[test]
fn text_output_never_carries_escape_sequences() {
    let f = fixture("escapes.md");
    let f = f.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    for args in [
        vec!["runbook", "show", f],
        vec!["runbook", "lint", f],
        vec!["runbook", "targets", f],
        vec![
            "--journal",
            j.to_str().unwrap(),
            "run",
            f,
            "check",
            "--dry-run",
            "--set",
            "target=a\nrm -rf /\u{1b}]52;c;eA==\u{7}",
        ],
    ] {
        let o = opsdeck(&args);
        let out = text(&o);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "{args:?} printed an escape sequence:\n{out:?}"
        );
        if args.contains(&"--dry-run") {
            // The value is shown quoted on one line: its newline cannot start a shell line.
            let line = out
                .lines()
                .find(|l| l.starts_with("# TARGET="))
                .unwrap_or("");
            assert!(line.starts_with("# TARGET='a"), "{out}");
            assert!(
                !out.lines().any(|l| l.trim_start().starts_with("rm -rf")),
                "{out}"
            );
        }
    }
}

/// One unreadable runbook (a NUL byte, invalid UTF-8) is reported and the others load:
/// snapshot lists it under `errors`, lint checks every file given.
#[test]
fn one_bad_runbook_never_stops_the_others() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("runbooks")).unwrap();
    for f in ["good.md", "nul.md", "latin1.md"] {
        std::fs::copy(fixture(f), dir.path().join("runbooks").join(f)).unwrap();
    }
    std::fs::write(
        dir.path().join("opsdeck.toml"),
        "runbooks = [\"runbooks/*.md\"]\n",
    )
    .unwrap();
    let o = Command::new(common::bin())
        .current_dir(dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("cfg"))
        .args(["snapshot", "--demo", "--format", "json", "--after", "1"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors = v["errors"].to_string();
    assert!(
        errors.contains("nul.md") && errors.contains("NUL"),
        "{errors}"
    );
    assert!(
        errors.contains("latin1.md") && errors.contains("UTF-8"),
        "{errors}"
    );
    // lint goes through every file and exits 1.
    let files: Vec<String> = ["nul.md", "good.md", "latin1.md"]
        .iter()
        .map(|f| fixture(f).display().to_string())
        .collect();
    let mut args = vec!["runbook", "lint"];
    args.extend(files.iter().map(String::as_str));
    let o = opsdeck(&args);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("nul.md:1: error:") && out.contains("latin1.md:3: error:"),
        "{out}"
    );
    assert!(out.contains("2 errors"), "{out}");
}

/// Prose placeholders are asked for like `<name>`: listed by `show`, warned by `lint` at
/// their line, refused by `run` until given, and replaced as data when given.
#[test]
fn prose_placeholders_are_asked_for() {
    let f = fixture("prose-placeholders.md");
    let f = f.to_str().unwrap();
    let o = opsdeck(&["runbook", "show", f, "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut asked: Vec<(String, String)> = Vec::new();
    for p in v["procedures"].as_array().unwrap() {
        for s in p["steps"].as_array().unwrap() {
            for ph in s["placeholders"].as_array().unwrap() {
                asked.push((
                    ph["name"].as_str().unwrap().to_string(),
                    ph["syntax"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    let want = [
        ("domain", "your-domain.com"),
        ("security-group-id", "sg-xxx"),
        ("subnet-id", "subnet-xxx"),
        ("vpc-id", "vpc-xxx"),
        ("target-group-arn", "arn:aws:elasticloadbalancing:..."),
        ("ip:port", "<ip:port>"),
        ("previous-version", "PREVIOUS_VERSION"),
        ("account", "ACCOUNT"),
        ("previous-tag", "previous-tag"),
        ("bucket-name", "s3-bucket-name"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(asked, want);

    // lint: a warning at each literal's line; the look-alike is flagged, not asked for.
    let o = opsdeck(&["runbook", "lint", f]);
    let out = text(&o);
    for (line, what) in [
        (10, "`your-domain.com` reads as a placeholder"),
        (16, "`sg-xxx` reads as a placeholder"),
        (17, "`subnet-xxx` reads as a placeholder"),
        (
            23,
            "`arn:aws:elasticloadbalancing:...` reads as a placeholder",
        ),
        (30, "`PREVIOUS_VERSION` reads as a placeholder"),
        (36, "`ACCOUNT` reads as a placeholder"),
        (42, "`previous-tag` reads as a placeholder"),
        (
            49,
            "`api-xxx-blue` has `xxx` in it and may be a placeholder",
        ),
    ] {
        assert!(
            out.contains(&format!("prose-placeholders.md:{line}: warning: {what}")),
            "line {line}: {what}\n{out}"
        );
    }

    // run: refused with the literal unresolved, nothing ran.
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let j = j.to_str().unwrap();
    let o = opsdeck(&["--journal", j, "run", f, "roll-the-task-back", "--yes"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("needs a value for: previous-version"),
        "{}",
        text(&o)
    );
    // Given: the literal is a quoted reference to the value, never the value as code.
    let o = opsdeck(&[
        "--journal",
        j,
        "run",
        f,
        "roll-the-task-back",
        "--dry-run",
        "--set",
        "previous-version=41",
    ]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("--task-definition app:\"${PREVIOUS_VERSION}\""),
        "{out}"
    );
    assert!(out.contains("# PREVIOUS_VERSION='41'"), "{out}");
}

/// A `---` break or a bold label after a checklist starts a unit of its own: a rollback
/// under "On-call quick reference card" is not a step of the checklist above it.
#[test]
fn breaks_and_labels_after_checklists_start_their_own_unit() {
    let f = fixture("structure.md");
    let o = opsdeck(&["runbook", "show", f.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let units: Vec<(String, usize, usize)> = v["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["checklist"].as_array().unwrap().len(),
                p["steps"].as_array().unwrap().len(),
            )
        })
        .collect();
    let want = [
        ("security-incident-checklist", 2, 0),
        ("security-incident-checklist/rollback-after-the-fix", 0, 1),
        ("check-the-queue", 0, 1),
        ("check-the-queue/on-call-quick-reference-card", 0, 1),
        ("check-the-queue/after-the-break-at-line-30", 0, 1),
    ];
    let want: Vec<(String, usize, usize)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), *b, *c))
        .collect();
    assert_eq!(units, want);
    // lint finds no duplicate paths: every unit has its own.
    let o = opsdeck(&["runbook", "lint", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// Non-shell text in shell fences is reference-only under the language detected; a block of
/// comments only is no step.
#[test]
fn non_shell_text_in_shell_fences_never_runs() {
    let f = fixture("languages.md");
    let o = opsdeck(&["runbook", "show", f.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let steps: Vec<(String, bool, String, String)> = v["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["steps"].as_array().unwrap().clone())
        .map(|s| {
            (
                s["title"].as_str().unwrap().to_string(),
                s["runnable"].as_bool().unwrap(),
                s["lang"].as_str().unwrap_or("").to_string(),
                s["log_group"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want = [
        ("Tail the API", true, "bash", ""),
        ("Slow requests", false, "logs-insights", "/ecs/prod/api"),
        ("Blocked queries", false, "sql", ""),
        ("Vacuum", false, "sql", ""),
        ("Deployment manifest", false, "yaml", ""),
        ("Image", false, "dockerfile", ""),
        ("What to tell the customer", false, "text", ""),
    ];
    let want: Vec<(String, bool, String, String)> = want
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), *b, c.to_string(), d.to_string()))
        .collect();
    assert_eq!(steps, want);
    // The comment-only block is reported by lint, at its line.
    let o = opsdeck(&["runbook", "lint", f.to_str().unwrap()]);
    assert!(
        text(&o).contains("languages.md:56: warning: a block of comments only"),
        "{}",
        text(&o)
    );
    // Asked to run by number, a query block is refused before anything runs.
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let o = opsdeck(&[
        "--journal",
        j.to_str().unwrap(),
        "run",
        f.to_str().unwrap(),
        "api-latency",
        "--step",
        "2",
    ]);
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("logs-insights"), "{}", text(&o));
}

/// Alternatives in one block never run together: the block refuses to run as a whole (and
/// a whole-procedure run refuses it), lint says so at its line, and each sub-step runs on
/// its own with the read-only context (`cd`, `export`) of the earlier ones carried.
#[test]
fn alternatives_never_run_together() {
    let f = fixture("alternatives.md");
    let fs = f.to_str().unwrap();
    let o = opsdeck(&["runbook", "show", fs, "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let seen: Vec<(String, bool, Vec<String>)> = v["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let s = &p["steps"][0];
            (
                p["id"].as_str().unwrap().to_string(),
                s["alternatives"].is_string(),
                s["parts"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|x| x["id"].as_str().unwrap().to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        })
        .collect();
    let parts =
        |id: &str, n: usize| -> Vec<String> { (1..=n).map(|k| format!("{id}#1.{k}")).collect() };
    let want = vec![
        ("resize-the-workers", true, 2),
        ("undo-the-last-rollout", true, 2),
        ("roll-back-the-release", true, 2),
        ("silence-the-alarm-during-maintenance", true, 2),
        ("restore-the-catalogue", true, 2),
        ("rotate-the-cache", false, 3),
        ("roll-back-the-api", true, 2),
    ];
    let want: Vec<(String, bool, Vec<String>)> = want
        .into_iter()
        .map(|(id, alt, n)| (id.to_string(), alt, parts(id, n)))
        .collect();
    assert_eq!(seen, want);

    // Lint: a warning at each alternatives block's line, none for the sequence.
    let o = opsdeck(&["runbook", "lint", fs]);
    let out = text(&o);
    for line in [8, 18, 25, 35, 42, 66] {
        assert!(
            out.contains(&format!("alternatives.md:{line}: warning: step `"))
                && out.contains("never runs as a whole, nor in run all"),
            "no alternatives warning at line {line}:\n{out}"
        );
    }
    assert!(!out.contains("alternatives.md:52: warning: step"), "{out}");

    // A fake `aws` on PATH records every call: refused runs call nothing.
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let calls = dir.path().join("calls");
    std::fs::write(
        bin.join("aws"),
        format!("#!/bin/sh\necho \"$*\" >> '{}'\n", calls.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("aws"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let j = dir.path().join("j.jsonl");
    let run = |extra: &[&str]| {
        let mut args = vec!["--journal", j.to_str().unwrap(), "run", fs];
        args.extend_from_slice(extra);
        opsdeck_env(&args, &[("PATH", path.as_str())])
    };
    for args in [
        vec!["resize-the-workers", "--step", "1", "--yes"],
        vec!["resize-the-workers", "--yes"],
        vec!["silence-the-alarm-during-maintenance", "--yes"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {}", text(&o));
        assert!(
            text(&o).contains("never runs as a whole") && text(&o).contains("1.1, 1.2"),
            "{args:?}: {}",
            text(&o)
        );
        assert!(!calls.exists(), "{args:?} ran something");
    }
    // One alternative, picked by number, runs alone.
    let o = run(&["resize-the-workers", "--step", "1.2", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let log = std::fs::read_to_string(&calls).unwrap();
    assert_eq!(
        log.trim(),
        "ecs update-service --cluster shop --service checkout-worker --desired-count 3"
    );
    // A sub-step of a sequence carries the `cd` and `export` before it.
    let o = run(&["rotate-the-cache", "--step", "1.3", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let at = |s: &str| out.find(s).unwrap_or_else(|| panic!("no `{s}` in:\n{out}"));
    assert!(at("cd /srv/ops") < at("export CACHE_ENV=prod"));
    assert!(at("export CACHE_ENV=prod") < at("./bin/flush-cache"));
    assert!(!out.contains("ls -la cache/"), "{out}");
    // A sub-step that does not exist is an error naming the ones that do.
    let o = run(&["rotate-the-cache", "--step", "1.9", "--dry-run"]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("has 3 sub-steps"), "{}", text(&o));
}
