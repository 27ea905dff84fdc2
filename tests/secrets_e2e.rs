//! A secret typed into the cockpit's form, as a user would: masked in the form, in the run
//! pane, in the journal file and in `journal export`; the step still gets the value.

mod common;
#[path = "common/fakeaws.rs"]
mod fakeaws;
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

/// Every secret shape opsdeck knows, arriving as a user's cockpit would see them — log events
/// (a private key one line an event, an access key pair, password keys, a URL with an empty
/// user), a step's output, a typed value split by an invisible character, a command that
/// prints a secret by design — and never reaching the screen, the journal, the recording, its
/// replay, or the Markdown and HTML reports.
#[test]
fn secret_shapes_never_reach_screen_journal_recording_replay_or_reports() {
    // The parts that must never show; each shape's visible frame is checked to have arrived.
    const LEAKS: &[&str] = &[
        "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn",
        "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJC",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AKIAIOSFODNN7EXAMPLE",
        "hunter22-json",
        "hunter22-env",
        "hunter22-url",
        "hunter22-yaml",
        "TopSecret-SM-value",
        "typed-tok3n-value",
    ];
    let fake = fakeaws::FakeAws::start();
    fake.fleet(&["build"]);
    let env = fake.shell_env();
    let aws = |args: &[&str]| {
        let mut c = Command::new("aws");
        c.args(["--endpoint-url", &fake.endpoint]).args(args);
        for (k, v) in &env {
            c.env(k, v);
        }
        let out = c.output().expect("aws CLI");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    aws(&[
        "secretsmanager",
        "create-secret",
        "--name",
        "prod/db",
        "--secret-string",
        "TopSecret-SM-value",
    ]);
    let t = tmux::Tmux::start_env("secret-shapes", 160, 48, &env);
    let dir = t._state.path().to_path_buf();
    std::fs::write(
        dir.join("opsdeck.toml"),
        "[watch]\nservices = [\"prod/api\"]\nlog_groups = [\"/ecs/prod/api\"]\n\n[refresh]\nlogs = 0.5\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("shapes.md"),
        "# Shapes\n\n## Print shapes\n\nPrints what a misbehaving tool might.\n\n```bash\n\
         printf 'pair AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\\n'\n\
         printf 'yaml db_pass: hunter22-yaml\\n'\n\
         printf 'url redis://:hunter22-url@cache:6379/0 done\\n'\n\
         printf 'typed %s\\a%s\\n' \"$(printf %s <api-token> | cut -c1-5)\" \"$(printf %s <api-token> | cut -c6-)\"\n\
         printf 'shapes printed\\n'\n```\n\n\
         ## Read the secret\n\nThe database secret.\n\n```bash\naws secretsmanager get-secret-value --secret-id prod/db --query SecretString --output text\n```\n",
    )
    .unwrap();
    fake.fleet(&[
        "put-logs",
        "/ecs/prod/api",
        "pem",
        "-----BEGIN RSA PRIVATE KEY-----",
        "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn",
        "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJC",
        "-----END RSA PRIVATE KEY-----",
        "after the key",
    ]);
    fake.fleet(&[
        "put-logs",
        "/ecs/prod/api",
        "s2",
        "creds AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "{\"user\": \"app\", \"db_pass\": \"hunter22-json\"}",
        "DB_PWD=hunter22-env",
        "connecting to redis://:hunter22-url@cache:6379/0",
    ]);
    t.type_line(&format!(
        "clear; cd {dir}; {bin} --config opsdeck.toml --runbook shapes.md --journal journal.jsonl --record rec.zst --endpoint-url {ep}",
        dir = dir.display(),
        bin = common::bin().display(),
        ep = fake.endpoint
    ));
    let clean = |where_: &str, text: &str| {
        for leak in LEAKS {
            assert!(!text.contains(leak), "{where_} shows {leak:?}:\n{text}");
        }
    };
    // The logs pane: every event arrived (their frames show), no secret did.
    let s = t.wait_for("the secret-bearing log events", |s| {
        s.contains("after the key") && s.contains("connecting to redis://") && s.contains("DB_PWD")
    });
    assert!(s.contains("BEGIN RSA PRIVATE KEY"), "{s}");
    clean("the logs pane", &s);
    // A step printing shapes, with a typed token split by a BEL.
    t.palette_pick("print shapes");
    t.wait_text("Prints what a misbehaving tool might");
    t.send(&["Enter"]);
    t.wait_text("api-token");
    t.tmux(&["send-keys", "-t", "e2e", "-l", "typed-tok3n-value"]);
    t.send(&["Enter"]);
    t.send(&["Escape"]);
    let s = t.wait_text("shapes printed");
    assert!(
        s.contains("yaml db_pass:") && s.contains("url redis://"),
        "{s}"
    );
    clean("the run pane", &s);
    // A command that prints a secret by design: its output is hidden whole.
    t.palette_pick("read the secret");
    t.wait_text("The database secret");
    t.send(&["Enter"]);
    t.send(&["Escape"]);
    let s = t.wait_text("lines of output hidden");
    clean("the run pane", &s);
    t.send(&["q"]);
    t.wait_for("the shell", |s| s.contains("bash-") && !t.alternate_on());

    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    assert!(journal.contains("shapes printed"), "{journal}");
    clean("the journal", &journal);
    let raw = zstd::stream::decode_all(std::fs::File::open(dir.join("rec.zst")).unwrap())
        .expect("the recording decodes");
    let raw = String::from_utf8_lossy(&raw);
    assert!(
        raw.contains("after the key") && raw.contains("DB_PWD"),
        "{raw}"
    );
    clean("the recording", &raw);
    let opsdeck = |args: &[&str]| {
        let out = Command::new(common::bin())
            .current_dir(&dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let replay = opsdeck(&["snapshot", "--replay", "rec.zst", "--width", "200"]);
    assert!(replay.contains("DB_PWD"), "{replay}");
    clean("the replay", &replay);
    for format in ["markdown", "html", "json"] {
        let report = opsdeck(&[
            "--journal",
            "journal.jsonl",
            "journal",
            "export",
            "--format",
            format,
            "--recording",
            "rec.zst",
        ]);
        assert!(report.contains("shapes printed"), "{format}: {report}");
        clean(&format!("the {format} report"), &report);
    }
}
