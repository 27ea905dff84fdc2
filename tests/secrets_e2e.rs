//! A secret typed into the cockpit's form, as a user would: masked in the form, in the run
//! pane, in the journal file and in `journal export`; the step still gets the value.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::process::Command;

#[test]
fn a_typed_secret_never_shows_on_screen_or_on_disk() {
    const SECRET: &str = "Sup3r-Secret-Pw";
    let dir = tempfile::tempdir().unwrap();
    let rb = dir.path().join("secrets.md");
    let seen = dir.path().join("seen");
    std::fs::write(
        &rb,
        format!(
            "# Secrets\n\n## Check login\n\nThe database password to try.\n\n```bash\nprintf 'pw=%s len=%s\\n' <db-password> \"${{#DB_PASSWORD}}\"\nprintf '%s' <db-password> > {}\n```\n",
            seen.display()
        ),
    )
    .unwrap();
    let journal = dir.path().join("journal.jsonl");
    let t = tmux::live_cockpit("secret", &common::bin(), &rb, &journal);
    t.palette_pick("check login");
    t.wait_text("Check login");
    t.send(&["Enter"]);
    t.wait_text("db-password");
    t.tmux(&["send-keys", "-t", "e2e", "-l", SECRET]);
    let s = t.screen();
    assert!(!s.contains(SECRET), "the form shows the secret:\n{s}");
    t.send(&["Enter"]);
    // The step writes a file: a dialog; its text must not carry the value either.
    let s = t.wait_text("Confirm");
    assert!(!s.contains(SECRET), "the dialog shows the secret:\n{s}");
    t.send(&["y"]);
    // The procedure view covers the panes; Esc shows the run pane.
    t.send(&["Escape"]);
    let s = t.wait_text("len=15");
    assert!(s.contains("pw=••••••"), "{s}");
    assert!(!s.contains(SECRET), "the run pane shows the secret:\n{s}");
    // The step did get the real value.
    assert_eq!(std::fs::read_to_string(&seen).unwrap(), SECRET);
    t.send(&["q"]);
    t.wait_for("the shell", |s| s.contains("bash-") && !t.alternate_on());
    let raw = std::fs::read_to_string(&journal).unwrap();
    assert!(raw.contains("\"kind\":\"end\""), "{raw}");
    assert!(
        !raw.contains(SECRET),
        "the journal holds the secret:\n{raw}"
    );
    for format in ["markdown", "json"] {
        let out = Command::new(common::bin())
            .args([
                "--journal",
                journal.to_str().unwrap(),
                "journal",
                "export",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Check login") || text.contains("check-login"),
            "{text}"
        );
        assert!(
            !text.contains(SECRET),
            "export ({format}) holds the secret:\n{text}"
        );
    }
}
