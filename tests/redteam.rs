//! The red-team corpus (`tests/fixtures/runbooks/redteam.md`): commands that look harmless
//! but change the fleet, write files, run planted programs or open connections. Under
//! `--read-only` every one is refused — by `opsdeck run` against the fake AWS (its state and
//! the file system are checked unchanged) and by the cockpit (no step effect, a refusal
//! dialog) — through the same step pipeline.

mod common;
#[path = "common/fakeaws.rs"]
mod fakeaws;

use fakeaws::FakeAws;
use opsdeck::app::{Action, App, Effect, LoadedRunbook, Msg};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/fixtures/runbooks/redteam.md")
}

/// Names and contents of every file under `dir`.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap_or_default(),
                );
            }
        }
    }
    out
}

fn sandbox() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::write(p.join("keep"), "keep me").unwrap();
    std::fs::write(
        p.join("plant.sh"),
        format!("touch {}/planted\n", p.display()),
    )
    .unwrap();
    std::fs::create_dir(p.join("bin")).unwrap();
    let ls = p.join("bin/ls");
    std::fs::write(&ls, format!("#!/bin/sh\ntouch {}/path-ls\n", p.display())).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&ls, std::fs::Permissions::from_mode(0o755)).unwrap();
    let git = std::process::Command::new("git")
        .args(["init", "-q"])
        .arg(p.join("repo"))
        .status();
    assert!(
        git.is_ok_and(|s| s.success()),
        "git is needed for the fsmonitor case"
    );
    d
}

#[test]
fn every_bypass_form_is_refused_by_run_and_nothing_changes() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    let before = fake.fleet_output(&["state"]);
    let sandbox = sandbox();
    let files_before = tree(sandbox.path());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let (rb, _) = opsdeck::runbook::load(&corpus()).unwrap();
    assert_eq!(rb.procedures.len(), 32);
    let work = tempfile::tempdir().unwrap();
    let journal = work.path().join("j.jsonl");
    let sb = format!("SANDBOX={}", sandbox.path().display());
    let pt = format!("PORT={port}");
    let mut ran = Vec::new();
    for p in &rb.procedures {
        let (code, _out, err) = fake.opsdeck(
            work.path(),
            &[
                "--journal",
                journal.to_str().unwrap(),
                "--endpoint-url",
                &fake.endpoint,
                "run",
                corpus().to_str().unwrap(),
                &p.id,
                "--read-only",
                "--yes",
                "--confirm",
                "worker",
                "--set",
                &sb,
                "--set",
                &pt,
            ],
        );
        if code != 3 || !err.contains("read-only") {
            ran.push(format!("{}: exit {code}: {err}", p.title));
        }
    }
    assert!(
        ran.is_empty(),
        "not refused under --read-only:\n{}",
        ran.join("\n")
    );
    assert_eq!(fake.fleet_output(&["state"]), before, "the fleet changed");
    assert_eq!(
        tree(sandbox.path()),
        files_before,
        "the file system changed"
    );
    assert!(
        listener.accept().is_err(),
        "something connected to the listener"
    );
    // Everything refused is journaled as blocked.
    let raw = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(raw.matches("\"kind\":\"blocked\"").count(), 32);

    // The harness sees a change when one happens: the plain write, without --read-only.
    let (code, _, err) = fake.opsdeck(
        work.path(),
        &[
            "--journal",
            journal.to_str().unwrap(),
            "--endpoint-url",
            &fake.endpoint,
            "run",
            corpus().to_str().unwrap(),
            "plain write",
            "--yes",
            "--set",
            &sb,
            "--set",
            &pt,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_ne!(
        fake.fleet_output(&["state"]),
        before,
        "the control write changed nothing"
    );
}

/// The same cases through the cockpit: read-only refuses each in the dialog and starts no
/// step; without read-only none runs without a confirmation.
#[test]
fn the_cockpit_refuses_the_same_forms() {
    let (runbook, _) = opsdeck::runbook::load(&corpus()).unwrap();
    let n = runbook.procedures.len();
    for read_only in [true, false] {
        for i in 0..n {
            let info = opsdeck::sources::SourceInfo {
                label: "test".into(),
                feeds: vec![],
            };
            let mut app = App::new(&info, common::config(1000), common::T0);
            app.read_only = read_only;
            app.add_runbook(LoadedRunbook {
                path: "redteam.md".into(),
                runbook: runbook.clone(),
            });
            app.open(opsdeck::app::Overlay::Procedure(
                opsdeck::app::ProcedureView {
                    rb: 0,
                    proc_: i,
                    sel: 0,
                    ctx: None,
                },
            ));
            let values = [("SANDBOX", "/nonexistent"), ("PORT", "9")];
            for (k, v) in values {
                app.session
                    .values
                    .insert(("redteam.md".into(), k.into()), v.into());
            }
            let fx = common::press(&mut app, "enter");
            let title = &runbook.procedures[i].title;
            assert!(
                !fx.iter().any(|e| matches!(e, Effect::RunStep { .. })),
                "{title}: started without a confirmation (read_only={read_only})"
            );
            let c = app
                .confirm()
                .unwrap_or_else(|| panic!("{title}: no dialog"));
            assert_eq!(c.blocked_read_only, read_only, "{title}");
            if read_only {
                // Even `y` and typing the target cannot get through.
                let target = c.subject.target().to_string();
                for ch in format!("y{target}").chars() {
                    let key = if ch == ' ' {
                        "space".to_string()
                    } else {
                        ch.to_string()
                    };
                    let fx = common::press(&mut app, &key);
                    assert!(
                        !fx.iter().any(|e| matches!(e, Effect::RunStep { .. })),
                        "{title}"
                    );
                }
                let fx = common::press(&mut app, "enter");
                assert!(
                    !fx.iter().any(|e| matches!(e, Effect::RunStep { .. })),
                    "{title}"
                );
            }
            let _ = app.update(Msg::Action(Action::Quit));
        }
    }
}

/// The same steps through both front ends reach the same decision: read runs at once
/// (`run` exits 0 without flags; the cockpit starts it), write and unknown ask (`run` exits
/// 3 without `--yes`; the cockpit shows a y/N dialog), destructive wants the target's name
/// (`run` exits 3 without `--confirm NAME`; the cockpit asks for it typed), and a `{risk=read}`
/// attribute lowers nothing.
#[test]
fn both_front_ends_decide_alike() {
    let dir = tempfile::tempdir().unwrap();
    let rb = dir.path().join("cases.md");
    std::fs::write(
        &rb,
        "# Cases\n\n## Read\n\n```bash\ndate -u +%s\n```\n\n## Write\n\n```bash\ntouch \"$SANDBOX/w\"\n```\n\n## Unknown\n\n```bash\n./scripts/fix.sh\n```\n\n## Destructive\n\n```bash\nrm -f \"$SANDBOX/gone\"\n```\n\n## Lowered\n\n```bash {risk=read}\nrm -f \"$SANDBOX/lowered\"\n```\n",
    )
    .unwrap();
    let sb = format!("SANDBOX={}", dir.path().display());
    let journal = dir.path().join("j.jsonl");
    let (runbook, _) = opsdeck::runbook::load(&rb).unwrap();
    // (procedure, run exit without flags, cockpit: runs at once, cockpit: typed confirmation)
    let cases = [
        ("read", 0, true, false),
        ("write", 3, false, false),
        ("unknown", 3, false, false),
        ("destructive", 3, false, true),
        ("lowered", 3, false, true),
    ];
    for (i, (id, code, runs, typed)) in cases.iter().enumerate() {
        let out = std::process::Command::new(common::bin())
            .args([
                "--journal",
                journal.to_str().unwrap(),
                "run",
                rb.to_str().unwrap(),
                id,
                "--set",
                &sb,
            ])
            .env("XDG_CONFIG_HOME", dir.path().join("cfg"))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(*code),
            "run {id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let info = opsdeck::sources::SourceInfo {
            label: "t".into(),
            feeds: vec![],
        };
        let mut app = App::new(&info, common::config(100), common::T0);
        app.add_runbook(LoadedRunbook {
            path: "cases.md".into(),
            runbook: runbook.clone(),
        });
        app.session.values.insert(
            ("cases.md".into(), "SANDBOX".into()),
            dir.path().display().to_string(),
        );
        app.open(opsdeck::app::Overlay::Procedure(
            opsdeck::app::ProcedureView {
                rb: 0,
                proc_: i,
                sel: 0,
                ctx: None,
            },
        ));
        let fx = common::press(&mut app, "enter");
        let started = fx.iter().any(|e| matches!(e, Effect::RunStep { .. }));
        assert_eq!(started, *runs, "cockpit {id}");
        if !runs {
            let c = app.confirm().expect("a dialog");
            assert_eq!(c.needs_typing(), *typed, "cockpit {id}");
            assert!(!c.blocked_read_only);
        }
    }
}
