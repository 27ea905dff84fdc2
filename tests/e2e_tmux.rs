//! End-to-end: the real binary in a real terminal (tmux), driven by send-keys and read by
//! capture-pane. Waits poll for a condition with a generous limit; nothing depends on timing.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use tmux::Tmux;

use std::process::Command;

/// Runs the cockpit as the pane's foreground job (alone, so job control sees it).
fn launch(t: &Tmux, extra: &str) {
    t.type_line(&format!(
        "clear; {} --demo {extra}",
        common::bin().display()
    ));
    t.wait_text("Services");
    // Data arrives just after the first frame.
    t.wait_text("prod/api");
}

/// After the cockpit ended: its exit code, and a terminal in normal mode again.
fn assert_terminal_restored(t: &Tmux, exit: &str) {
    t.wait_for("shell prompt", |s| s.contains("bash-") && !t.alternate_on());
    t.type_line("echo EXIT=$?; stty -a | tr ';' '\\n' | grep -Ewo -- '-?(echo|icanon)' | sort | tr '\\n' ' '; echo STTY-$((1+1))END");
    let s = t.wait_text("STTY-2END");
    assert!(
        s.contains(&format!("EXIT={exit}")),
        "exit code {exit}:\n{s}"
    );
    assert!(
        s.contains("echo icanon STTY-2END") && !s.contains("-echo") && !s.contains("-icanon"),
        "echo and canonical mode back:\n{s}"
    );
    assert!(!t.alternate_on(), "left the alternate screen");
}

#[test]
fn demo_panes_help_zoom_resize_and_quit() {
    let t = Tmux::start("main", 160, 48);
    launch(&t, "");
    let s = t.screen();
    for want in [
        "Services",
        "Metrics",
        "Alarms",
        "Logs",
        "demo · seed 42",
        "prod/api",
        "api CPU",
    ] {
        assert!(s.contains(want), "missing {want}:\n{s}");
    }
    assert!(t.alternate_on());

    t.send(&["?"]);
    let s = t.wait_text("Help · keymap default");
    assert!(
        s.contains("Quit opsdeck") && s.contains("Follow on/off"),
        "{s}"
    );
    t.send(&["Escape"]);
    t.wait_for("help closed", |s| !s.contains("Help · keymap"));

    t.send(&["4", "z"]);
    let s = t.wait_text("[zoom]");
    assert!(
        !s.contains("Services") && s.contains("Logs"),
        "only logs while zoomed:\n{s}"
    );
    t.send(&["z"]);
    t.wait_for("unzoomed", |s| {
        s.contains("Services") && !s.contains("[zoom]")
    });

    t.tmux(&["resize-window", "-t", "e2e", "-x", "80", "-y", "24"]);
    let s = t.wait_for("80x24 layout", |s| {
        s.lines().next().is_some_and(|l| {
            l.chars().count() <= 80 && l.contains("Services") && l.contains("Metrics")
        })
    });
    assert!(s.contains("Logs") && s.contains("Alarms"), "{s}");
    assert!(s.lines().all(|l| l.chars().count() <= 80));

    // Search from the logs pane: the prompt takes the keys, Enter applies.
    t.send(&["/"]);
    t.wait_text("search logs: /");
    t.tmux(&["send-keys", "-t", "e2e", "-l", "START"]);
    t.send(&["Enter"]);
    t.wait_text("/START");

    t.send(&["q"]);
    assert_terminal_restored(&t, "0");
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for (sig, code) in [("TERM", "143"), ("HUP", "129")] {
        let t = Tmux::start(&format!("sig{sig}"), 100, 30);
        launch(&t, "");
        let pid = t.opsdeck_pid();
        assert!(
            Command::new("kill")
                .args([&format!("-{sig}"), &pid])
                .status()
                .unwrap()
                .success()
        );
        assert_terminal_restored(&t, code);
    }
}

#[test]
fn ctrl_z_suspends_and_fg_resumes() {
    let t = Tmux::start("suspend", 100, 30);
    launch(&t, "");
    t.send(&["C-z"]);
    t.wait_for("shell prompt after suspend", |s| s.contains("Stopped"));
    assert!(!t.alternate_on(), "suspended: normal screen back");
    t.type_line("fg");
    t.wait_for("cockpit back", |s| {
        s.contains("Services") && s.contains("Metrics")
    });
    assert!(t.alternate_on());
    t.send(&["q"]);
    assert_terminal_restored(&t, "0");
}

#[test]
fn logs_go_to_the_state_dir_not_the_screen() {
    let t = Tmux::start("logging", 100, 30);
    launch(&t, "");
    t.send(&["q"]);
    assert_terminal_restored(&t, "0");
    let log = t._state.path().join("state/opsdeck/opsdeck.log");
    let text = std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
    assert!(text.contains("starting cockpit"), "{text}");
    assert!(!t.screen().contains("starting cockpit"));
}

#[test]
fn a_panic_restores_the_terminal_before_printing() {
    let t = Tmux::start("panic", 100, 30);
    t.type_line(&format!(
        "clear; {} --demo --panic-after-frames 3",
        common::bin().display()
    ));
    let s = t.wait_text("deliberate panic after 3 frames");
    assert!(
        !t.alternate_on(),
        "the message is on the normal screen:\n{s}"
    );
    assert_terminal_restored(&t, "101");
}

#[test]
fn palette_action_acts_on_the_demo_fleet_and_is_journaled() {
    let t = Tmux::start("palette", 140, 40);
    let journal = t._state.path().join("journal.jsonl");
    launch(&t, &format!("--journal {}", journal.display()));
    t.send(&[":"]);
    t.wait_text("Actions ·");
    t.tmux(&["send-keys", "-t", "e2e", "-l", "force"]);
    t.send(&["Enter"]);
    t.wait_text("Confirm");
    t.wait_text("default: No");
    t.send(&["y"]);
    let s = t.wait_text("new deployment started");
    assert!(!s.contains("Confirm "), "dialog closed:\n{s}");
    t.wait_text("IN_PROGRESS");
    // The timeline shows what was done; a note joins it.
    t.send(&["J"]);
    t.wait_text("Timeline");
    t.wait_text("entries · f all");
    t.send(&["C-n"]);
    t.wait_text("note for the journal:");
    t.tmux(&["send-keys", "-t", "e2e", "-l", "rolled api after 5xx alarm"]);
    t.send(&["Enter"]);
    // Yank the newest log line: OSC 52 lands in tmux's clipboard buffer.
    t.send(&["4", "f", "y"]);
    t.wait_text("copied");
    let buffer = t.tmux(&["show-buffer"]);
    assert!(
        !buffer.trim().is_empty() && !buffer.contains('\x1b'),
        "clipboard: {buffer:?}"
    );
    t.send(&["q"]);
    assert_terminal_restored(&t, "0");
    let text = std::fs::read_to_string(&journal).unwrap();
    // (The redeploy's verification, `check`, lands whenever the rollout completes.)
    let kinds: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .filter(|k| k != "check")
        .collect();
    assert_eq!(
        kinds,
        ["action", "confirmed", "start", "end", "note"],
        "{text}"
    );
    assert!(text.contains("rolled api after 5xx alarm"));
    assert!(text.contains("forceNewDeployment=true"));
}

#[test]
fn read_only_refuses_actions_in_the_cockpit() {
    let t = Tmux::start("readonly", 140, 40);
    let journal = t._state.path().join("journal.jsonl");
    launch(&t, &format!("--read-only --journal {}", journal.display()));
    t.wait_text("READ-ONLY");
    t.send(&[":"]);
    t.wait_text("Actions ·");
    t.tmux(&["send-keys", "-t", "e2e", "-l", "force"]);
    t.send(&["Enter"]);
    t.wait_text("Read-only mode: this action cannot run");
    t.send(&["y", "Y", "Enter"]);
    t.wait_for("dialog closed", |s| !s.contains("Read-only mode"));
    t.send(&["q"]);
    assert_terminal_restored(&t, "0");
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.contains("\"kind\":\"blocked\""), "{text}");
    assert!(!text.contains("\"kind\":\"start\""), "{text}");
}

#[test]
fn demo_runbook_step_through_palette_procedure_form_and_confirm() {
    let t = Tmux::start("procedure", 140, 40);
    let journal = t._state.path().join("journal.jsonl");
    launch(&t, &format!("--journal {}", journal.display()));
    t.send(&[":"]);
    t.wait_text("Actions ·");
    t.tmux(&["send-keys", "-t", "e2e", "-l", "5xx"]);
    t.send(&["Enter"]);
    t.wait_text("Incident Response › API 5xx and latency");
    // Rows: 1, its sub-steps 1.1 and 1.2, 2, 3.
    t.send(&["Down", "Down", "Down", "Down", "Enter"]);
    t.wait_text("Values for: Scale the API");
    t.tmux(&["send-keys", "-t", "e2e", "-l", "8"]);
    t.send(&["Enter"]);
    t.wait_text("Confirm");
    t.send(&["y"]);
    t.send(&["Escape"]);
    let s = t.wait_text("→ demo: ECS UpdateService cluster=prod service=api desiredCount=8");
    assert!(s.contains("dry run (demo)"), "{s}");
    t.wait_text("desired count set to 8");
    t.send(&["q"]);
    assert_terminal_restored(&t, "0");
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(
        text.contains("COUNT='8'"),
        "the value is journaled with the script: {text}"
    );
}

/// The demo incident end to end: alarms fire, the palette scales prod/api with the change
/// previewed from live state (6 → 8), the fleet recovers, the change is verified, and the
/// timeline shows the system's events and the operator's action together.
#[test]
fn demo_incident_scale_is_previewed_verified_and_on_the_timeline() {
    let t = Tmux::start("incident", 160, 48);
    let journal = t._state.path().join("journal.jsonl");
    let recording = t._state.path().join("incident.opsrec");
    // Opened as the incident grows (it starts at 40 s and peaks a minute later), recorded.
    launch(
        &t,
        &format!(
            "--demo-at 65 --journal {} --record {}",
            journal.display(),
            recording.display()
        ),
    );
    t.wait_for("alarms firing", |s| s.contains("in ALARM"));
    t.wait_for("prod/api below desired", |s| {
        s.lines()
            .any(|l| l.contains("prod/api") && l.contains("/6") && !l.contains("6/6"))
    });
    t.send(&["/"]);
    t.tmux(&["send-keys", "-t", "e2e", "-l", "prod/api"]);
    t.send(&["Enter", ":"]);
    t.wait_text("Actions ·");
    t.tmux(&["send-keys", "-t", "e2e", "-l", "scale"]);
    t.send(&["Enter"]);
    t.wait_text("desired count");
    t.send(&["C-u"]);
    t.tmux(&["send-keys", "-t", "e2e", "-l", "8"]);
    t.send(&["Enter"]);
    let s = t.wait_text("change  prod/api desired 6 → 8 (running");
    assert!(s.contains("Confirm"), "{s}");
    t.send(&["y"]);
    t.wait_text("prod/api desired count set to 8");
    let s = t.wait_for("verification", |s| s.contains("verified after"));
    assert!(s.contains("prod/api running 8/8 COMPLETED"), "{s}");
    t.send(&["J"]);
    let s = t.wait_text("Timeline");
    assert!(
        s.contains("◆") && s.contains("▸"),
        "events and actions together:\n{s}"
    );
    assert!(
        s.contains("alarm "),
        "an alarm transition on the timeline:\n{s}"
    );
    assert!(s.contains("verified after"), "{s}");
    t.send(&["Escape", "q"]);
    assert_terminal_restored(&t, "0");
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.contains("\"kind\":\"check\""), "{text}");
    assert!(text.contains("desiredCount=8"), "{text}");
    replay_matches_snapshots(&t, &recording);
    // The postmortem document charts the metrics the recording saw change health.
    let out = std::process::Command::new(common::bin())
        .args(["journal", "export", "--journal"])
        .arg(&journal)
        .arg("--recording")
        .arg(&recording)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("## Metrics that changed health"), "{md}");
    let op = md
        .lines()
        .find(|l| l.starts_with("| operator | `"))
        .unwrap();
    assert!(op.contains('▲'), "the scale is marked: {md}");
    assert!(
        md.lines()
            .any(|l| l.starts_with("| api 5xx | `") && l.contains('█')),
        "{md}"
    );
}

/// The recording of a run, replayed: paused, jumped to its start, 30 s on, and its end, each
/// screen the same as `snapshot --replay --at` prints; the timeline's events jump the replay;
/// nothing acts.
fn replay_matches_snapshots(t: &Tmux, recording: &std::path::Path) {
    let snapshot = |at: &str| {
        let out = std::process::Command::new(common::bin())
            .args(["snapshot", "--width", "160", "--height", "48", "--replay"])
            .arg(recording)
            .args(["--at", at])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let same = |what: &str, screen: &str, snap: &str| {
        let trim = |s: &str| s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
        assert_eq!(
            trim(screen).trim_end(),
            trim(snap).trim_end(),
            "the replay's screen at {what} is the snapshot's"
        );
    };
    t.type_line(&format!(
        "clear; {} replay {}",
        common::bin().display(),
        recording.display()
    ));
    t.wait_text("REPLAY ");
    t.send(&["Space"]);
    t.wait_text(" paused");
    t.send(&["g"]);
    // The clock shows the recording's first second once the jump has landed.
    let start = snapshot("0s");
    let s = t.wait_for("the start", |s| s.lines().last() == start.lines().nth(47));
    same("0s", &s, &start);
    assert!(s.contains("REPLAY") && !s.contains("READ-ONLY"), "{s}");
    t.send(&["Right", "Right", "Right"]);
    let thirty = snapshot("30s");
    let s = t.wait_for("30 s in", |s| s.lines().last() == thirty.lines().nth(47));
    same("30s", &s, &thirty);
    t.send(&["G"]);
    let end = snapshot("1000h");
    let s = t.wait_for("the end", |s| s.lines().last() == end.lines().nth(47));
    same("the end", &s, &end);
    assert!(s.contains("8/8"), "the recovered fleet at the end:\n{s}");
    // Nothing acts in a replay.
    t.send(&[":"]);
    t.wait_text("replay: the action palette is off");
    // The timeline's entries are seek targets: back to the scale, prod/api selected.
    t.send(&["J"]);
    t.wait_text("Timeline");
    t.send(&["Enter"]);
    let s = t.wait_for("the jump to the newest entry", |s| {
        !s.contains(" Timeline ")
    });
    assert!(s.contains("REPLAY"), "{s}");
    t.send(&["q"]);
    assert_terminal_restored(t, "0");
}
