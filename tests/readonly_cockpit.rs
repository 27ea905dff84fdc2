//! The cockpit with `read_only = true`, in tmux: a `[[watch.commands]]` entry, a `{watch}`
//! step and a `{verify}` command that the classifier rates read but that write (an
//! abbreviated `--output`, `shuf -o`, `iconv -o`) run — in the box — and change nothing.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use tmux::Tmux;

#[test]
fn writing_watches_and_verifications_change_nothing_in_a_read_only_cockpit() {
    let t = Tmux::start("ro-cockpit", 160, 48);
    let state = t._state.path();
    let work = state.join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("keep"), "keep me\n").unwrap();
    let w = work.display();
    let config = state.join("opsdeck.toml");
    std::fs::write(
        &config,
        format!(
            r#"read_only = true

[[watch.commands]]
name = "host"
command = "cat /etc/hostname"
interval = "2s"

[[watch.commands]]
name = "sorter"
command = "sort --out={w}/pwned-watch /etc/hostname"
interval = "2s"
"#
        ),
    )
    .unwrap();
    let runbook = state.join("ro.md");
    std::fs::write(
        &runbook,
        format!(
            "# Read-only\n\n## Shuffle\n\n```bash {{watch=2s}}\nshuf -o {w}/pwned-pin -e x\n```\n\n## Check\n\n```bash {{verify='iconv -f utf-8 -t utf-8 -o {w}/pwned-verify /etc/hostname'}}\necho checked\n```\n"
        ),
    )
    .unwrap();
    let journal = state.join("journal.jsonl");
    t.type_line(&format!(
        "clear; {} --demo --config {} --runbook {} --journal {}",
        common::bin().display(),
        config.display(),
        runbook.display(),
        journal.display()
    ));
    t.wait_text("Watches 3");
    t.wait_text("READ-ONLY (kernel");
    // The writing watches ran and failed (the box refused the write); the reading one works.
    let s = t.wait_for("the watches to have run", |s| {
        s.lines()
            .any(|l| l.contains("sorter") && l.contains("exit 2"))
            && s.lines()
                .any(|l| l.contains("Shuffle") && l.contains("exit 1"))
            && s.lines().any(|l| l.contains("✓ host"))
    });
    assert!(!s.contains("sorter ✓"), "{s}");
    // The step with a writing verification: the step runs, its verify is tried and fails.
    t.send(&[":"]);
    t.wait_text("Actions ·");
    t.tmux(&["send-keys", "-t", "e2e", "-l", "check"]);
    t.send(&["Enter"]);
    t.wait_text("echo checked");
    t.send(&["Enter"]);
    // The demo executes no runbook step (a dry run), so the verification is only named here;
    // verify commands go through the same boxed launcher as the watches above.
    t.wait_for("the step's dry run naming its verification", |s| {
        s.contains("would verify with") && s.contains("iconv")
    });
    for f in ["pwned-watch", "pwned-pin", "pwned-verify"] {
        assert!(
            !work.join(f).exists(),
            "{f} was written from a read-only cockpit"
        );
    }
    assert_eq!(
        std::fs::read_to_string(work.join("keep")).unwrap(),
        "keep me\n"
    );
    t.send(&["q"]);
    t.wait_for("shell prompt", |s| s.contains("bash-") && !t.alternate_on());
    for f in ["pwned-watch", "pwned-pin", "pwned-verify"] {
        assert!(!work.join(f).exists(), "{f} written");
    }
}
