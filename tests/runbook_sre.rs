//! Runbooks read the way an SRE reads them (issue: alternatives never run together, prose
//! placeholders asked for, non-shell text never run, units kept, text output sanitised,
//! one bad file never stops the rest). One fixture per pattern, under
//! `tests/fixtures/runbooks/sre/`, written for these tests.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/runbooks/sre")
        .join(name)
}

fn opsdeck(args: &[&str]) -> Output {
    Command::new(common::bin())
        .args(args)
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
