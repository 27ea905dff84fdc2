//! A new user's first hour: shell completions and the man page from the command-line
//! definitions, `config init` and `config check`, and `doctor` against the fake AWS with a
//! fault per row.

mod common;
#[path = "common/fakeaws.rs"]
mod fakeaws;

use fakeaws::FakeAws;
use std::process::Command;

fn opsdeck(home: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(common::bin())
        .args(args)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("HOME", home)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_DEFAULT_PROFILE")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_ENDPOINT_URL")
        .current_dir(home)
        .output()
        .expect("run opsdeck");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn completions_and_man_page() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, out, err) = opsdeck(dir.path(), &["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        for word in ["opsdeck", "doctor", "snapshot", "runbook"] {
            assert!(out.contains(word), "{shell} completion lacks {word}");
        }
    }
    // The bash script is valid bash, and completes subcommands when sourced.
    let (_, bash, _) = opsdeck(dir.path(), &["completions", "bash"]);
    let script = dir.path().join("opsdeck.bash");
    std::fs::write(&script, &bash).unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {}; COMP_WORDS=(opsdeck do); COMP_CWORD=1; _opsdeck opsdeck do opsdeck; echo \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("doctor"));
    let (code, man, err) = opsdeck(dir.path(), &["man"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        man.starts_with(".ie") || man.contains(".TH opsdeck"),
        "{}",
        &man[..200.min(man.len())]
    );
    // roff escapes dashes.
    for word in [
        r"\-\-read\-only",
        "doctor",
        "completions",
        r"\-\-endpoint\-url",
    ] {
        assert!(man.contains(word), "man page lacks {word}");
    }
    // Rendered by man(1) when it is there.
    if Command::new("man")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let page = dir.path().join("opsdeck.1");
        std::fs::write(&page, &man).unwrap();
        let out = Command::new("man")
            .arg("-l")
            .arg(&page)
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&out.stdout).contains("opsdeck"));
    }
}

#[test]
fn config_init_writes_a_valid_commented_file_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = opsdeck(dir.path(), &["config", "init"]);
    assert_eq!(code, 0, "{err}");
    let path = dir.path().join("config/opsdeck/opsdeck.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    for section in [
        "[logs]",
        "[ui]",
        "[aws]",
        "[watch]",
        "[[watch.metrics]]",
        "[refresh]",
        "read_only_role",
        "README",
    ] {
        assert!(text.contains(section), "template lacks {section}");
    }
    // Again: refused, the file untouched.
    std::fs::write(&path, format!("{text}\n# mine\n")).unwrap();
    let (code, _, err) = opsdeck(dir.path(), &["config", "init"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("already exists") && err.contains("never overwrites"),
        "{err}"
    );
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .ends_with("# mine\n")
    );
    // The written file checks clean and changes nothing from the defaults.
    let (code, out, err) = opsdeck(dir.path(), &["config", "check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&path.display().to_string()), "{out}");
    assert!(
        out.contains("read_only             false (default)"),
        "{out}"
    );
    assert!(out.contains("logs.buffer_lines     50000"), "{out}");
}

#[test]
fn config_check_shows_precedence_and_names_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("opsdeck.toml");
    std::fs::write(
        &cfg,
        "read_only = true\n[aws]\nregion = \"eu-west-1\"\nprofile = \"prod\"\n",
    )
    .unwrap();
    // The profile's own region, in the AWS config file under $HOME.
    std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
    std::fs::write(
        dir.path().join(".aws/config"),
        "[default]\nregion = us-east-1\n\n[profile prod]\nregion = ap-south-1\n\n[profile dev]\nregion = sa-east-1\n",
    )
    .unwrap();
    let (code, out, err) = opsdeck(dir.path(), &["--region", "us-west-2", "config", "check"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "precedence            flag > environment > opsdeck.toml > AWS profile > default"
        ),
        "{out}"
    );
    assert!(
        out.contains("aws.region            us-west-2 (--region) — over eu-west-1 from opsdeck.toml [aws] region, ap-south-1 from profile `prod` in the AWS config file"),
        "{out}"
    );
    assert!(
        out.contains("aws.profile           prod (opsdeck.toml [aws] profile)\n"),
        "{out}"
    );
    assert!(
        out.contains("read_only             true (opsdeck.toml read_only)"),
        "{out}"
    );
    // The environment beats the file, for the profile and the region alike (the AWS CLI's
    // order), and the region nobody set comes from the chosen profile.
    let env = |vars: &[(&str, &str)], args: &[&str]| {
        let mut c = Command::new(common::bin());
        c.args(args)
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("HOME", dir.path())
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .env_remove("AWS_CONFIG_FILE")
            .current_dir(dir.path());
        for (k, v) in vars {
            c.env(k, v);
        }
        let o = c.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let out = env(
        &[("AWS_PROFILE", "dev"), ("AWS_REGION", "eu-north-1")],
        &["config", "check"],
    );
    assert!(
        out.contains(
            "aws.profile           dev (AWS_PROFILE) — over prod from opsdeck.toml [aws] profile"
        ),
        "{out}"
    );
    assert!(
        out.contains("aws.region            eu-north-1 (AWS_REGION) — over eu-west-1 from opsdeck.toml [aws] region, sa-east-1 from profile `dev`"),
        "{out}"
    );
    std::fs::write(&cfg, "[aws]\nprofile = \"prod\"\n").unwrap();
    let out = env(&[], &["config", "check"]);
    assert!(
        out.contains("aws.region            ap-south-1 (profile `prod` in the AWS config file)\n"),
        "{out}"
    );
    std::fs::write(&cfg, "[refresh]\necs = -1\n").unwrap();
    let (code, _, err) = opsdeck(dir.path(), &["config", "check", cfg.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("opsdeck.toml:2:"), "{err}");
}

fn doctor(fake: &FakeAws, dir: &std::path::Path) -> (i32, serde_json::Value) {
    fake.doctor_json(dir, &[])
}

fn outcome<'a>(v: &'a serde_json::Value, feed: &str) -> (&'a str, &'a str) {
    let row = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["feed"] == feed)
        .unwrap_or_else(|| panic!("no {feed} row: {v}"));
    (
        row["outcome"].as_str().unwrap(),
        row["detail"].as_str().unwrap(),
    )
}

#[test]
fn doctor_probes_each_feed_and_names_what_to_fix() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    let dir = tempfile::tempdir().unwrap();
    let (code, v) = doctor(&fake, dir.path());
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["context"]["account"], "123456789012");
    assert!(
        v["context"]["credentials"]
            .as_str()
            .unwrap()
            .contains("Environment"),
        "{v}"
    );
    for feed in ["identity", "ecs", "lambda", "metrics", "alarms", "logs"] {
        assert_eq!(outcome(&v, feed).0, "ok", "{feed}: {v}");
    }
    // One fault per row: each shows as what it is, the others still pass.
    for (service, mode, feed, want, detail) in [
        ("ecs", "throttle", "ecs", "throttled", "Throttling"),
        (
            "lambda",
            "denied",
            "lambda",
            "denied",
            "grant lambda:ListFunctions",
        ),
        ("logs", "expired", "logs", "credentials", "ExpiredToken"),
        ("monitoring", "drop", "metrics", "network", ""),
        (
            "monitoring",
            "denied",
            "alarms",
            "denied",
            "grant cloudwatch:DescribeAlarms",
        ),
    ] {
        fake.fault(service, mode);
        let (code, v) = doctor(&fake, dir.path());
        fake.fault(service, "none");
        assert_eq!(code, 1, "{service} {mode}: {v}");
        let (got, text) = outcome(&v, feed);
        assert_eq!(got, want, "{service} {mode}: {v}");
        assert!(text.contains(detail), "{service} {mode}: {text}");
        assert_eq!(outcome(&v, "identity").0, "ok", "the other rows pass");
    }
    // The text form, as a user reads it.
    fake.fault("lambda", "denied");
    let (code, out, _) = fake.opsdeck(dir.path(), &["--endpoint-url", &fake.endpoint, "doctor"]);
    fake.fault("lambda", "none");
    assert_eq!(code, 1);
    assert!(
        out.contains("Lambda ListFunctions")
            && out.contains("denied")
            && out.contains("1 check(s) failed"),
        "{out}"
    );
}
