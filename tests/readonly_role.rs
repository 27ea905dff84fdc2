//! `--read-only-role`: in read-only mode every SDK call and every step uses the credentials
//! of a role assumed through STS, never the operator's, so AWS refuses what the classifier
//! gets wrong. Against the fake AWS: moto's STS returns role credentials (ASIA…), and the
//! fake front records which access key signed each call.

#[path = "common/fakeaws.rs"]
mod fakeaws;

use fakeaws::FakeAws;

const ROLE: &str = "arn:aws:iam::123456789012:role/ReadOnly";

fn runbook(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("who.md");
    std::fs::write(
        &p,
        "# Who\n\n## Whoami\n\n```bash\nprintf 'key=%s\\n' \"${AWS_ACCESS_KEY_ID:0:4}\"\naws sts get-caller-identity --query Arn --output text\naws --profile operator sts get-caller-identity --query Arn --output text 2>/dev/null || echo no-profile-reachable\n```\n",
    )
    .unwrap();
    // A profile the operator has: a step must not be able to reach it under the role.
    std::fs::write(
        dir.join("aws-credentials-operator"),
        "[operator]\naws_access_key_id = AKIAOPERATOR00000000\naws_secret_access_key = x\n",
    )
    .unwrap();
    p
}

#[test]
fn steps_get_the_role_not_the_operators_credentials() {
    let fake = FakeAws::start();
    let dir = tempfile::tempdir().unwrap();
    let rb = runbook(dir.path());
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"));
    fake.env(&mut cmd);
    for (k, v) in fake.shell_env() {
        if k == "PATH" {
            cmd.env(k, v);
        }
    }
    cmd.env(
        "AWS_SHARED_CREDENTIALS_FILE",
        dir.path().join("aws-credentials-operator"),
    );
    let out = cmd
        .current_dir(dir.path())
        .args(["--journal", dir.path().join("j.jsonl").to_str().unwrap()])
        .args([
            "--endpoint-url",
            &fake.endpoint,
            "--read-only",
            "--read-only-role",
            ROLE,
        ])
        .args(["run", rb.to_str().unwrap(), "whoami"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("key=ASIA"),
        "the step did not get the role's key: {stdout}"
    );
    assert!(
        stdout.contains(":assumed-role/ReadOnly/opsdeck-read-only"),
        "{stdout}"
    );
    assert!(
        stdout.contains("no-profile-reachable"),
        "an explicit --profile reached the operator's credentials: {stdout}"
    );
    let keys = fake.keys();
    let sts: Vec<&str> = keys["sts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k.as_str())
        .collect();
    assert!(
        sts.contains(&"testing"),
        "AssumeRole is signed by the operator: {keys}"
    );
    assert!(
        sts.iter().any(|k| k.starts_with("ASIA")),
        "the step's call is signed by the role: {keys}"
    );
    assert!(!keys.to_string().contains("AKIAOPERATOR"), "{keys}");
}

#[test]
fn every_sdk_call_of_a_read_only_cockpit_uses_the_role() {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    fake.reset_stats();
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = fake.opsdeck(
        dir.path(),
        &[
            "--endpoint-url",
            &fake.endpoint,
            "--read-only",
            "--read-only-role",
            ROLE,
            "snapshot",
            "--format",
            "json",
            "--after",
            "15",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(!v["services"].as_array().unwrap().is_empty(), "{out}");
    let keys = fake.keys();
    for svc in ["ecs", "lambda", "logs", "monitoring"] {
        let ks: Vec<&str> = keys[svc]
            .as_array()
            .unwrap_or_else(|| panic!("no {svc} calls: {keys}"))
            .iter()
            .filter_map(|k| k.as_str())
            .collect();
        assert!(
            !ks.is_empty() && ks.iter().all(|k| k.starts_with("ASIA")),
            "{svc} signed by {ks:?}"
        );
    }
    // Without read-only the role is not used: the operator's own key signs.
    fake.reset_stats();
    let (code, _, err) = fake.opsdeck(
        dir.path(),
        &[
            "--endpoint-url",
            &fake.endpoint,
            "--read-only-role",
            ROLE,
            "snapshot",
            "--format",
            "json",
            "--after",
            "15",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(fake.keys()["ecs"], serde_json::json!(["testing"]));
}
