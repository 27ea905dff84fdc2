//! `opsdeck run` as a user runs it: real processes, the confirmation rules (exit 3 and
//! nothing runs), injection attempts as values, secrets kept out of output and journal, and
//! the journal export.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture() -> PathBuf {
    PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/fixtures/runbooks/headless.md")
}

fn run(journal: &Path, args: &[&str]) -> Output {
    Command::new(common::bin())
        .arg("--journal")
        .arg(journal)
        .arg("run")
        .arg(fixture())
        .args(args)
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run opsdeck")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn injection_attempts_stay_data() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let marker = dir.path().join("pwned");
    for value in [
        format!("$(touch {})", marker.display()),
        format!("`touch {}`", marker.display()),
        format!("x; touch {}", marker.display()),
        format!("x\" ; touch {} ; echo \"", marker.display()),
        format!("x' ; touch {} ; echo '", marker.display()),
        format!("a\ntouch {}", marker.display()),
        "--help".to_string(),
    ] {
        let o = run(
            &j,
            &[
                "greet",
                "--set",
                &format!("name={value}"),
                "--set",
                &format!("EXTRA={value}"),
            ],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let out = stdout(&o);
        assert!(
            out.starts_with(&format!("hello {value}\nextra={value}\n")),
            "{out:?}"
        );
        assert!(!marker.exists(), "the value {value:?} ran as code");
    }
}

#[test]
fn write_needs_yes_and_nothing_runs_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let file = dir.path().join("made");
    let set = format!("TARGET_FILE={}", file.display());
    let o = run(&j, &["touch a file", "--set", &set]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is write: pass --yes"));
    assert!(!file.exists());
    let o = run(&j, &["touch a file", "--set", &set, "--read-only", "--yes"]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "read-only cannot be bypassed with --yes"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("read-only"));
    assert!(!file.exists());
    let o = run(&j, &["touch a file", "--set", &set, "--yes"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(file.exists());
}

#[test]
fn destructive_needs_the_target_typed() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let file = dir.path().join("victim");
    std::fs::write(&file, "x").unwrap();
    let set = format!("TARGET_FILE={}", file.display());
    for extra in [
        &["--yes"][..],
        &["--yes", "--confirm", "wrong"][..],
        &["--confirm", "Remove a file"][..],
    ] {
        let mut args = vec!["remove", "--set", &set];
        args.extend_from_slice(extra);
        let o = run(&j, &args);
        assert_eq!(o.status.code(), Some(3), "{extra:?}");
        assert!(file.exists(), "{extra:?} must not delete");
    }
    let o = run(
        &j,
        &[
            "remove",
            "--set",
            &set,
            "--yes",
            "--confirm",
            "Remove a file",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!file.exists());
}

#[test]
fn stops_at_the_first_failure_with_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&dir.path().join("j.jsonl"), &["fail in the middle"]);
    assert_eq!(o.status.code(), Some(7));
    assert_eq!(stdout(&o), "first\n");
}

#[test]
fn missing_values_unknown_procedures_and_reference_steps_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let o = run(&j, &["greet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("needs a value for: name, EXTRA (use --set NAME=VALUE)")
    );
    let o = run(&j, &["no such thing"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no procedure matches `no such thing`"));
    let o = run(&j, &["reference", "--step", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("reference-only (sql)"));
}

#[test]
fn dry_run_shows_the_script_and_masks_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let o = run(
        &j,
        &[
            "login",
            "--set",
            "API_TOKEN=tok-very-secret-123",
            "--dry-run",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("set -euo pipefail\ncurl -s -H \"Authorization: Bearer $API_TOKEN\""),
        "{out}"
    );
    assert!(out.contains("# API_TOKEN=••••••"));
    assert!(!out.contains("tok-very-secret-123"));
}

#[test]
fn secrets_never_reach_output_or_journal() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let o = run(
        &j,
        &["login", "--set", "API_TOKEN=tok-very-secret-123", "--yes"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("token was ••••••"), "{}", stdout(&o));
    let journal = std::fs::read_to_string(&j).unwrap();
    assert!(!journal.contains("tok-very-secret-123"), "{journal}");
    assert!(!stdout(&o).contains("tok-very-secret-123"));
}

#[test]
fn everything_is_journaled_and_exports_as_a_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.jsonl");
    let file = dir.path().join("made");
    let set = format!("TARGET_FILE={}", file.display());
    run(&j, &["touch a file", "--set", &set]);
    run(&j, &["touch a file", "--set", &set, "--yes"]);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&j)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = lines.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["action", "refused", "action", "confirmed", "start", "end"]
    );
    let end = &lines[5];
    assert_eq!(end["exit_code"], 0);
    assert_eq!(end["procedure"], "touch-a-file");
    assert_eq!(end["step"], "touch-a-file#1");
    assert_eq!(end["risk"], "write");
    for e in &lines {
        for k in ["time", "user", "host"] {
            assert!(e[k].is_string(), "{k} in {e}");
        }
        chrono::DateTime::parse_from_rfc3339(e["time"].as_str().unwrap()).unwrap();
    }
    let o = Command::new(common::bin())
        .arg("--journal")
        .arg(&j)
        .args(["journal", "export", "--since", "1h"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let md = stdout(&o);
    assert!(md.starts_with("# Incident report\n"), "{md}");
    assert!(
        md.contains("## Timeline\n\n| Time (UTC) | Who | What | Result |"),
        "{md}"
    );
    assert!(md.contains("| Refused: step `Touch a file` is write: pass --yes to run it; nothing ran (touch-a-file, touch-a-file#1) | refused |"), "{md}");
    assert!(md.contains("| exit 0 in "), "{md}");
    let o = Command::new(common::bin())
        .arg("--journal")
        .arg(&j)
        .args([
            "journal",
            "export",
            "--format",
            "json",
            "--until",
            "2000-01-01T00:00:00Z",
        ])
        .output()
        .unwrap();
    assert_eq!(stdout(&o).trim(), "[]");
}

/// `{timeout=500ms}` is half a second (it was once read as 500 seconds, and a 5 s step ran to
/// its end): the step is stopped, reported TIMED OUT with timeout(1)'s 124, and its journaled
/// duration — measured by opsdeck from spawn to the tree's end — is under a second.
#[test]
fn millisecond_timeouts_are_milliseconds() {
    let dir = tempfile::tempdir().unwrap();
    let rb = dir.path().join("slow.md");
    std::fs::write(
        &rb,
        "# Slow\n\n## Wait for it\n\n```bash {timeout=500ms}\nsleep 30\n```\n",
    )
    .unwrap();
    let j = dir.path().join("j.jsonl");
    let o = Command::new(common::bin())
        .arg("--journal")
        .arg(&j)
        .arg("run")
        .arg(&rb)
        .arg("wait")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run opsdeck");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(124), "{err}");
    assert!(err.contains("TIMED OUT"), "{err}");
    let journal = std::fs::read_to_string(&j).unwrap();
    let end: serde_json::Value = journal
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["kind"] == "end")
        .unwrap_or_else(|| panic!("no end entry in {journal}"));
    assert_eq!(end["status"], "TIMED OUT", "{end}");
    let ms = end["duration_ms"].as_u64().expect("a duration");
    assert!((500..1000).contains(&ms), "the step ran {ms} ms: {end}");
}
