//! Nothing a step starts outlives opsdeck: SIGTERM, SIGHUP and SIGINT to `opsdeck run` or
//! to the cockpit cancel the step (its whole process group), journal its end as cancelled
//! with the signal, and exit 128 + the signal; SIGKILL of opsdeck kills the step too, and
//! what it started outside its group (`timeout`, `setsid`, `nohup`): the supervisor; quitting the cockpit while a step runs asks first, then journals the end.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A runbook whose step records its process ids, starts a background child that would write
/// `marker` after 4 s, and then waits a long time.
fn runbook(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let pids = dir.join("pids");
    let marker = dir.join("marker");
    let rb = dir.join("lifetime.md");
    std::fs::write(
        &rb,
        format!(
            "# Lifetime\n\n## Slow step\n\n```bash\necho \"$$\" > {p}\n( sleep 4; touch {m} ) &\necho \"$!\" >> {p}\ntimeout 100 sleep 3211 &\necho \"$!\" >> {p}\nsetsid sleep 3212 &\necho \"$!\" >> {p}\nnohup sleep 3213 >/dev/null 2>&1 &\necho \"$!\" >> {p}\necho started\nsleep 300\n```\n",
            p = pids.display(),
            m = marker.display()
        ),
    )
    .unwrap();
    (rb, pids, marker)
}

fn wait_until(what: &str, limit: Duration, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn read_pids(path: &Path) -> Vec<i32> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Alive and not a zombie.
fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit(')')
                .next()
                .and_then(|r| r.split_whitespace().next())
                .map(|st| st != "Z" && st != "X")
        })
        .unwrap_or(false)
}

/// Live processes whose command line holds `needle`.
fn running(needle: &str) -> Vec<i32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline)
            .replace('\0', " ")
            .contains(needle)
            && alive(pid)
        {
            out.push(pid);
        }
    }
    out
}

/// The step's processes are gone, and stay gone: the marker its child would write after
/// 4 s never appears.
fn assert_step_dead(pids: &[i32], marker: &Path) {
    wait_until(
        "the step's processes to die",
        Duration::from_secs(10),
        || pids.iter().all(|p| !alive(*p)),
    );
    // What left the step's process group (timeout's own group, setsid, nohup) too.
    wait_until(
        "the processes that left the step's group to die",
        Duration::from_secs(10),
        || (3211..=3213).all(|n| running(&format!("sleep {n}")).is_empty()),
    );
    std::thread::sleep(Duration::from_secs(5));
    assert!(
        !marker.exists(),
        "a child of the step lived on and wrote {}",
        marker.display()
    );
}

fn last_end(journal: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(journal).unwrap();
    text.lines()
        .rev()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["kind"] == "end")
        .unwrap_or_else(|| panic!("no end entry in the journal:\n{text}"))
}

/// The journal's last `end` says the step was cancelled, and why.
fn assert_cancelled(journal: &Path, reason: &str) {
    let end = last_end(journal);
    assert_eq!(end["status"], "cancelled", "{end}");
    assert_eq!(end["reason"], reason, "{end}");
}

fn headless(dir: &Path, rb: &Path) -> Child {
    Command::new(common::bin())
        .arg("--journal")
        .arg(dir.join("journal.jsonl"))
        .args(["run"])
        .arg(rb)
        .args(["slow", "--yes"])
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start opsdeck run")
}

fn kill(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

#[test]
fn signals_to_opsdeck_run_cancel_the_step_and_journal_it() {
    for (sig, code, name) in [
        ("-TERM", 143, "SIGTERM"),
        ("-HUP", 129, "SIGHUP"),
        ("-INT", 130, "SIGINT"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (rb, pidfile, marker) = runbook(dir.path());
        let mut child = headless(dir.path(), &rb);
        wait_until("the step to start", Duration::from_secs(20), || {
            read_pids(&pidfile).len() == 5
        });
        let pids = read_pids(&pidfile);
        kill(child.id(), sig);
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            assert!(
                Instant::now() < deadline,
                "opsdeck run did not end after {name}"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(status.code(), Some(code), "{name}");
        assert_step_dead(&pids, &marker);
        assert_cancelled(&dir.path().join("journal.jsonl"), name);
    }
}

#[test]
fn sigkill_of_opsdeck_run_kills_the_step_too() {
    let dir = tempfile::tempdir().unwrap();
    let (rb, pidfile, marker) = runbook(dir.path());
    let mut child = headless(dir.path(), &rb);
    wait_until("the step to start", Duration::from_secs(20), || {
        read_pids(&pidfile).len() == 5
    });
    let pids = read_pids(&pidfile);
    kill(child.id(), "-KILL");
    let _ = child.wait();
    assert_step_dead(&pids, &marker);
}

/// The cockpit (live mode against an endpoint nobody answers: the feeds fail, steps run).
fn cockpit(name: &str) -> (tmux::Tmux, tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (rb, pidfile, marker) = runbook(dir.path());
    let journal = dir.path().join("journal.jsonl");
    let t = tmux::live_cockpit(name, &common::bin(), &rb, &journal);
    t.palette_pick("slow");
    t.wait_text("Slow step");
    t.send(&["Enter"]);
    t.wait_text("Confirm");
    t.send(&["y"]);
    wait_until("the step to start", Duration::from_secs(20), || {
        read_pids(&pidfile).len() == 5
    });
    (t, dir, journal, pidfile, marker)
}

#[test]
fn quitting_the_cockpit_with_a_step_running_asks_then_cancels_and_journals() {
    let (t, _dir, journal, pidfile, marker) = cockpit("quit");
    let pids = read_pids(&pidfile);
    t.send(&["Escape"]);
    t.send(&["q"]);
    t.wait_text("still running");
    // No is the default: the cockpit stays, the step keeps running.
    t.send(&["n"]);
    t.wait_for("the dialog to close", |s| !s.contains("still running"));
    assert!(pids.iter().all(|p| alive(*p)), "the step runs on after No");
    t.send(&["q"]);
    t.wait_text("still running");
    t.send(&["y"]);
    t.wait_for("the shell", |s| s.contains("bash-") && !t.alternate_on());
    assert_step_dead(&pids, &marker);
    assert_cancelled(&journal, "quit");
}

#[test]
fn sigterm_to_the_cockpit_cancels_the_step_and_journals_it() {
    let (t, _dir, journal, pidfile, marker) = cockpit("term");
    let pids = read_pids(&pidfile);
    let pid = t.opsdeck_pid();
    kill(pid.parse().unwrap(), "-TERM");
    t.wait_for("the shell", |s| s.contains("bash-") && !t.alternate_on());
    t.type_line("echo EXIT=$?");
    t.wait_text("EXIT=143");
    assert_step_dead(&pids, &marker);
    assert_cancelled(&journal, "SIGTERM");
}

#[test]
fn sigkill_of_the_cockpit_kills_the_step_too() {
    let (t, _dir, _journal, pidfile, marker) = cockpit("kill");
    let pids = read_pids(&pidfile);
    let pid = t.opsdeck_pid();
    kill(pid.parse().unwrap(), "-KILL");
    assert_step_dead(&pids, &marker);
}
