//! End-to-end against a local fake AWS: the release binary in tmux, watching moto; a runbook
//! write step run through the palette, the form and the confirmation changes moto's state
//! (through the aws CLI, with the cockpit's AWS context exported); a built-in action does the
//! same through the SDK; `--read-only` refuses both and changes nothing.

mod common;
#[path = "common/fakeaws.rs"]
mod fakeaws;
#[path = "common/tmux.rs"]
mod tmux;

use fakeaws::FakeAws;
use tmux::Tmux;

const RUNBOOK: &str = "# API\n\n## Scale the API\n\nScale the service out when tasks are missing.\n\n```bash {verify='aws ecs describe-services --cluster prod --services api --query \"services[0].desiredCount\" --output text | grep -qx <count>' expect=\"^[0-9]+$\"}\naws ecs update-service --cluster prod --service api --desired-count <count> --query 'service.desiredCount'\n```\n";

fn setup(name: &str) -> (FakeAws, Tmux, std::path::PathBuf) {
    let fake = FakeAws::start();
    fake.fleet(&["build"]);
    let t = Tmux::start_env(name, 150, 44, &fake.shell_env());
    let dir = t._state.path().to_path_buf();
    std::fs::write(dir.join("scale.md"), RUNBOOK).unwrap();
    std::fs::write(
        dir.join("opsdeck.toml"),
        "[watch]\nservices = [\"prod/api\", \"prod/worker\"]\n\n[refresh]\necs = 1\n",
    )
    .unwrap();
    (fake, t, dir)
}

fn launch(t: &Tmux, fake: &FakeAws, dir: &std::path::Path, extra: &str) {
    t.type_line(&format!(
        "clear; cd {dir}; {bin} --config opsdeck.toml --runbook scale.md --journal journal.jsonl --endpoint-url {ep} {extra}",
        dir = dir.display(),
        bin = common::bin().display(),
        ep = fake.endpoint
    ));
    t.wait_text("123456789012");
    t.wait_text("prod/api");
}

fn open_scale_step(t: &Tmux) {
    t.send(&[":"]);
    t.wait_text("Actions ·");
    t.tmux(&["send-keys", "-t", "e2e", "-l", "Scale the API"]);
    t.send(&["Enter"]);
    t.wait_text("Scale the service out");
    t.send(&["Enter"]);
    t.wait_text("Values for: Scale the API");
    t.tmux(&["send-keys", "-t", "e2e", "-l", "6"]);
    t.send(&["Enter"]);
    t.wait_text("Confirm");
}

#[test]
fn runbook_write_step_and_builtin_action_change_moto_after_confirmation() {
    let (fake, t, dir) = setup("live-write");
    launch(&t, &fake, &dir, "");
    open_scale_step(&t);
    // The dialog shows the exact command, the account and region targeted, and the risk.
    let s = t.wait_text("default: No");
    assert!(s.contains("WRITE"), "{s}");
    assert!(
        s.contains("aws ecs update-service --cluster prod --service api"),
        "{s}"
    );
    assert!(s.contains("us-east-1 · 123456789012"), "{s}");
    t.send(&["y"]);
    t.wait_text("exit 0");
    assert_eq!(fake.fleet_output(&["desired", "prod", "api"]), "6");
    // The step's own checks: its output matched {expect}, its {verify} read command (with
    // the typed value as a variable) exited 0 against moto.
    t.wait_text("verified: the output matched /^[0-9]+$/");
    t.wait_text("✓ verified after");
    // The cockpit sees it within a refresh.
    t.send(&["Escape"]);
    t.wait_text("6/6");
    // A built-in action on the selected row, through the SDK.
    t.send(&["1", "Home"]);
    t.send(&[":"]);
    t.wait_text("Actions ·");
    t.tmux(&["send-keys", "-t", "e2e", "-l", "scale prod/api"]);
    t.send(&["Enter"]);
    t.wait_text("desired count");
    t.send(&["C-u"]);
    t.tmux(&["send-keys", "-t", "e2e", "-l", "3"]);
    t.send(&["Enter"]);
    t.wait_text("desiredCount=3");
    t.send(&["y"]);
    t.wait_text("desired 3");
    assert_eq!(fake.fleet_output(&["desired", "prod", "api"]), "3");
    t.send(&["q"]);
    t.wait_for("shell prompt", |s| s.contains("bash-"));
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    assert!(
        journal.contains("\"account\":\"123456789012\""),
        "{journal}"
    );
    assert!(journal.contains("\"region\":\"us-east-1\""), "{journal}");
    assert!(journal.contains("desiredCount=3"), "{journal}");
    assert!(
        journal.contains("\"kind\":\"check\"") && journal.contains("exited 0"),
        "the verification is journaled: {journal}"
    );
}

#[test]
fn read_only_refuses_runbook_steps_and_actions_against_moto() {
    let (fake, t, dir) = setup("live-ro");
    launch(&t, &fake, &dir, "--read-only");
    t.wait_text("READ-ONLY");
    open_scale_step(&t);
    t.wait_text("Read-only mode: this action cannot run");
    t.send(&["y", "Y", "Enter"]);
    t.wait_for("dialog closed", |s| !s.contains("Read-only mode"));
    t.send(&["Escape", "1", "Home", ":"]);
    t.wait_text("Actions ·");
    t.tmux(&["send-keys", "-t", "e2e", "-l", "force"]);
    t.send(&["Enter"]);
    t.wait_text("Read-only mode: this action cannot run");
    t.send(&["y"]);
    t.send(&["Escape"]);
    t.send(&["q"]);
    t.wait_for("shell prompt", |s| s.contains("bash-"));
    assert_eq!(
        fake.fleet_output(&["desired", "prod", "api"]),
        "4",
        "nothing changed"
    );
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    assert!(journal.contains("\"kind\":\"blocked\""), "{journal}");
    assert!(!journal.contains("\"kind\":\"start\""), "{journal}");
}

#[test]
fn a_throttled_api_shows_in_its_pane_while_the_rest_stays_live_and_recovers() {
    let (fake, t, dir) = setup("live-fault");
    std::fs::write(
        dir.join("opsdeck.toml"),
        "[watch]\nservices = [\"prod/api\"]\nlog_groups = [\"/ecs/prod/api\"]\n\n[refresh]\necs = 1\nlogs = 0.5\n",
    )
    .unwrap();
    launch(&t, &fake, &dir, "");
    fake.fault("ecs", "throttle");
    let s = t.wait_text("ecs: throttled");
    assert!(s.contains("ecs ERR"), "status bar badge:\n{s}");
    // The logs pane keeps following while ECS fails.
    fake.fleet(&["logs", "3"]);
    t.wait_text("follow line 2");
    // The keyboard still works: zoom the logs and back.
    t.send(&["4", "z"]);
    t.wait_for("logs zoomed", |s| !s.contains("Services"));
    t.send(&["z"]);
    t.wait_text("Services");
    fake.fault("ecs", "none");
    t.wait_for("recovery", |s| {
        !s.contains("ecs: throttled") && !s.contains("ecs ERR")
    });
    t.send(&["q"]);
    t.wait_for("shell prompt", |s| s.contains("bash-"));
}

/// `read_only = true` against the fake AWS: a `[[watch.commands]]` entry, a `{watch}` step and
/// a `{verify}` command that the classifier rates read but that call `update-service` (through
/// `${x@P}`, a `mapfile -C` callback and a `printf -v` subscript) all run, in the box, with
/// minted read-only credentials; AWS denies each write and nothing changes.
#[test]
fn a_read_only_cockpit_runs_writing_watches_and_verifications_and_aws_denies_them() {
    let (fake, t, dir) = setup("live-ro-box");
    std::fs::write(
        dir.join("opsdeck.toml"),
        r#"read_only = true

[watch]
services = ["prod/api"]

[refresh]
ecs = 1

[[watch.commands]]
name = "prompt"
command = "x='$(aws ecs update-service --cluster prod --service api --desired-count 9 >/dev/null)'; : \"${x@P}\"; echo prompted"
interval = "2s"
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("scale.md"),
        "# API\n\n## Callback\n\n```bash {watch=2s}\nmapfile -C 'aws ecs update-service --cluster prod --service api --desired-count 8 >/dev/null #' -c 1 lines <<< $'a\\nb'; echo mapped\n```\n\n\
         ## Look at the API\n\nRead the service, then check it.\n\n```bash {verify=\"declare -a a; printf -v 'a[$(aws ecs update-service --cluster prod --service api --desired-count 7 >/dev/null)]' %s 1\"}\naws ecs describe-services --cluster prod --services api --query 'services[0].desiredCount' --output text\n```\n",
    )
    .unwrap();
    launch(&t, &fake, &dir, "");
    t.wait_text("READ-ONLY (kernel + AWS)");
    t.wait_text("Watches 2");
    // The watches ran (each prints its word after its hidden write).
    t.wait_for("both watches to have run", |s| {
        s.contains("prompted") || s.lines().any(|l| l.contains("✓ prompt"))
    });
    // The step runs (a read: no dialog), then its verification, in the box.
    t.palette_pick("look at the api");
    t.wait_text("Read the service");
    t.send(&["Enter"]);
    t.wait_text("exit 0");
    t.wait_for("the verification's outcome", |s| {
        s.contains("verified after") || s.contains("not verified")
    });
    // Every write was tried, and AWS (the fake, as IAM would) denied it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let denied = loop {
        let v: serde_json::Value =
            serde_json::from_str(&fake.http("GET", "/__fake/denied", "")).unwrap();
        let text = v["denied"].to_string().replace(' ', "");
        // Each entry carries the request's start: `{"cluster":…,"desiredCount":9}`.
        let n = |c: &str| text.contains(&format!("\\\"desiredCount\\\":{c}"));
        if ["9", "8", "7"].iter().all(|c| n(c)) || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    t.send(&["q"]);
    t.wait_for("shell prompt", |s| s.contains("bash-"));
    assert_eq!(
        fake.fleet_output(&["desired", "prod", "api"]),
        "4",
        "a write got through from a read-only cockpit; denied: {denied}"
    );
    for (c, what) in [
        ("9", "[[watch.commands]]"),
        ("8", "{watch}"),
        ("7", "{verify}"),
    ] {
        assert!(
            denied.contains(&format!("\\\"desiredCount\\\":{c}")),
            "the {what} write (desired count {c}) never reached AWS to be denied: {denied}"
        );
    }
}
