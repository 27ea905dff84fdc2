//! Runbooks read the way an SRE reads them (round 2), on a fixture of our own
//! (tests/fixtures/runbooks/round2.md): choices across blocks stop a whole run, sequences do
//! not; every placeholder shape is asked for; `$ ` prompts; wrappers classified by what they
//! run; lint without look-alike noise. `runbook show`, `lint` and `run --dry-run` agree.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use opsdeck::runbook::{self, Risk};
use std::process::{Command, Output};

fn fixture() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runbooks/round2.md")
}

fn opsdeck(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(common::bin())
        .arg("--journal")
        .arg(dir.path().join("j.jsonl"))
        .args(args)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn procedure<'a>(rb: &'a runbook::Runbook, title: &str) -> &'a runbook::Procedure {
    rb.procedures
        .iter()
        .find(|p| p.title == title)
        .unwrap_or_else(|| panic!("no procedure {title}"))
}

#[test]
fn choices_across_blocks_stop_a_whole_run_and_sequences_do_not() {
    let (rb, _) = runbook::load(&fixture()).unwrap();
    for (title, n) in [
        ("Backend rollback", 2),
        ("Stuck task", 2),
        ("Deploy the API", 1),
        ("Recover", 2),
    ] {
        let p = procedure(&rb, title);
        let choices = p.steps.iter().filter(|s| s.choice.is_some()).count();
        assert_eq!(choices, n, "{title}: {:#?}", p.steps);
    }
    // The deploy itself is no choice; its rollback is.
    let deploy = procedure(&rb, "Deploy the API");
    assert!(deploy.steps[0].choice.is_none() && deploy.steps[1].choice.is_some());
    let card = &procedure(&rb, "Quick reference").steps[0];
    assert!(
        card.alternatives
            .as_deref()
            .is_some_and(|w| w.contains("quick-reference"))
            && card.parts.len() == 3,
        "{card:#?}"
    );
    for title in ["Crawler", "Pipeline failures"] {
        let p = procedure(&rb, title);
        assert!(
            p.steps
                .iter()
                .all(|s| s.alternatives.is_none() && s.choice.is_none()),
            "{title} is a sequence: {:#?}",
            p.steps
        );
    }
    // Run all: stops at the first choice; picked, it runs and its sibling is skipped.
    use opsdeck::runbook::Next;
    let rollback = procedure(&rb, "Backend rollback");
    assert_eq!(rollback.next_unit(0, false), Next::Choose(0));
    assert_eq!(rollback.next_unit(1, true), Next::Run(1));
    assert_eq!(
        rollback.next_unit(1, false),
        Next::End,
        "the other option is skipped"
    );
    let deploy = procedure(&rb, "Deploy the API");
    assert_eq!(deploy.next_unit(0, false), Next::Run(0));
    assert_eq!(
        deploy.next_unit(1, false),
        Next::Choose(1),
        "asks before the rollback"
    );
    // Headless: a whole run refuses (exit 3, nothing runs) and names them; --step picks.
    let f = fixture();
    let f = f.to_str().unwrap();
    let o = opsdeck(&[
        "run",
        f,
        "Backend rollback",
        "--dry-run",
        "--set",
        "previous-task-def=api:41",
    ]);
    let t = text(&o);
    assert!(t.contains("refused") && t.contains("options"), "{t}");
    let o = opsdeck(&[
        "run",
        f,
        "Backend rollback",
        "--yes",
        "--set",
        "previous-task-def=api:41",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("--step"), "{}", text(&o));
    let o = opsdeck(&[
        "run",
        f,
        "Backend rollback",
        "--step",
        "1",
        "--dry-run",
        "--set",
        "previous-task-def=api:41",
    ]);
    let t = text(&o);
    assert!(
        o.status.success() && !t.contains("refused") && t.contains("update-service"),
        "{t}"
    );
    // show and lint say the same.
    let show = text(&opsdeck(&["runbook", "show", f]));
    assert!(show.contains("a choice: steps 1, 2 are options"), "{show}");
    let lint = text(&opsdeck(&["runbook", "lint", f]));
    assert!(lint.contains("steps 1, 2 are options"), "{lint}");
    assert!(lint.contains("steps 1, 2 are conditions"), "{lint}");
    assert!(lint.contains("step 2 runs only if needed"), "{lint}");
}

#[test]
fn every_placeholder_shape_is_asked_for_never_run_literally() {
    let (rb, _) = runbook::load(&fixture()).unwrap();
    let names = |title: &str| -> Vec<(String, bool)> {
        procedure(&rb, title)
            .steps
            .iter()
            .flat_map(|s| {
                s.placeholders
                    .iter()
                    .chain(s.parts.iter().flat_map(|p| &p.placeholders))
            })
            .map(|p| (p.name.clone(), p.secret))
            .collect()
    };
    let has = |title: &str, name: &str| names(title).iter().any(|(n, _)| n == name);
    assert!(
        has("Pipeline failures", "execution-arn"),
        "{:?}",
        names("Pipeline failures")
    );
    assert!(
        has("Query results", "query-id"),
        "{:?}",
        names("Query results")
    );
    assert!(
        has("Notify the channel", "message"),
        "{:?}",
        names("Notify the channel")
    );
    assert!(!has("Notify the channel", "arg-2"), "awk's $2 is awk's");
    let reset = names("Reset the admin password");
    assert!(
        reset.contains(&("password".to_string(), true)),
        "a literal secret becomes a secret field: {reset:?}"
    );
    assert!(reset.iter().any(|(n, _)| n == "client-id"), "{reset:?}");
    assert!(reset.iter().any(|(n, _)| n == "user-pool-id"), "{reset:?}");
    let samples = names("Stack and samples");
    for n in ["account-id", "instance-ids", "overrides"] {
        assert!(
            samples.iter().any(|(x, _)| x == n),
            "{n} missing: {samples:?}"
        );
    }
    // The dry run shows references, never the literal samples; the secret is masked.
    let f = fixture();
    let o = opsdeck(&[
        "run",
        f.to_str().unwrap(),
        "Reset the admin password",
        "--dry-run",
        "--set",
        "user-pool-id=eu-west-1_Real",
        "--set",
        "password=S3cret-typed",
        "--set",
        "client-id=c1",
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(
        !t.contains("NewPassword123!") && !t.contains("S3cret-typed") && !t.contains("xyz789"),
        "{t}"
    );
    let o = opsdeck(&[
        "run",
        f.to_str().unwrap(),
        "Notify the channel",
        "--dry-run",
    ]);
    assert!(
        text(&o).contains("needs a value for: message"),
        "{}",
        text(&o)
    );
    // Given, it reaches the step as data (no `$1: unbound variable` under set -u).
    let o = opsdeck(&[
        "run",
        f.to_str().unwrap(),
        "Notify the channel",
        "--set",
        "message=hello $(id)",
    ]);
    assert!(
        o.status.success() && text(&o).contains("notify: hello $(id)"),
        "{}",
        text(&o)
    );
}

#[test]
fn prompts_wrappers_and_lint_noise() {
    let (rb, _) = runbook::load(&fixture()).unwrap();
    let invoke = &procedure(&rb, "Invoke the loader").steps[0];
    assert_eq!(invoke.commands.len(), 1, "{:#?}", invoke.commands);
    assert_eq!(
        invoke.expect.as_deref(),
        Some("Task timed out after 30.00 seconds")
    );
    let cache = &procedure(&rb, "Cache diagnosis").steps[0];
    assert_eq!(cache.risk, Risk::Read, "{:#?}", cache.commands);
    assert_eq!(procedure(&rb, "Query results").steps[0].risk, Risk::Read);
    assert_eq!(
        procedure(&rb, "Drop the staging table").steps[0].risk,
        Risk::Destructive
    );
    let f = fixture();
    let lint = text(&opsdeck(&["runbook", "lint", f.to_str().unwrap()]));
    for noise in ["ADMIN_NO_SRP_AUTH", "CAPABILITY_IAM"] {
        assert!(
            !lint
                .lines()
                .any(|l| l.contains(&format!("`{noise}` is an ALL-CAPS value"))),
            "look-alike noise on a constant: {lint}"
        );
    }
    // An unclosed fence: one error, not a warning per line after it.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("unclosed.md");
    let mut src = String::from("# R\n\n## A\n\n```bash\necho a\n```\n\n## B\n\n```bash\n");
    for i in 0..200 {
        src.push_str(&format!(
            "aws ecs update-service --cluster CLUSTER_NAME --service s{i} --desired-count 0\n"
        ));
    }
    std::fs::write(&bad, src).unwrap();
    let lint = text(&opsdeck(&["runbook", "lint", bad.to_str().unwrap()]));
    assert_eq!(
        lint.matches(": error:").count() + lint.matches(": warning:").count(),
        1,
        "{lint}"
    );
    assert!(lint.contains("unclosed code fence"), "{lint}");
}

/// In the cockpit, as a user: run all (`a`) runs the deploy and stops before the block that
/// runs only if needed, saying so; the rollback never runs. Selected and run on its own, it
/// does.
#[test]
fn run_all_in_the_cockpit_stops_at_a_choice() {
    let dir = tempfile::tempdir().unwrap();
    let rb = dir.path().join("deploy.md");
    std::fs::write(
        &rb,
        "# Deploy\n\n## Ship it\n\nShip the build.\n\n```bash\necho deployed-now\n```\n\nRollback if needed:\n\n```bash\necho rolled-back-now\n```\n",
    )
    .unwrap();
    let journal = dir.path().join("journal.jsonl");
    let t = tmux::live_cockpit("choice", &common::bin(), &rb, &journal);
    t.palette_pick("ship it");
    let s = t.wait_text("Ship the build");
    assert!(s.contains("a choice: step 2 runs only if needed"), "{s}");
    t.send(&["a"]);
    let s = t.wait_text("run all stopped at a choice");
    assert!(!s.contains("rolled-back-now\n"), "{s}");
    let j = std::fs::read_to_string(&journal).unwrap_or_default();
    assert!(j.contains("deployed-now"), "the deploy ran: {j}");
    assert!(
        !j.lines()
            .any(|l| l.contains("\"kind\":\"start\"") && l.contains("rolled-back")),
        "the rollback ran: {j}"
    );
    // Picked by the operator, it runs.
    t.send(&["Enter"]);
    t.wait_for("the rollback picked and run", |_| {
        std::fs::read_to_string(&journal)
            .unwrap_or_default()
            .lines()
            .any(|l| l.contains("\"kind\":\"end\"") && l.contains("rolled-back"))
    });
    t.send(&["Escape", "q"]);
}
