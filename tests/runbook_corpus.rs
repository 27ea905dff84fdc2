//! The real runbooks in ../shared/runbooks/: concrete facts read off those files by hand,
//! checked against the parser. Runs whenever the folder exists (it does in CI, where its
//! absence is a failure).

use opsdeck::runbook::{self, Procedure, Risk, Runbook, Step};
use std::path::PathBuf;

fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../shared/runbooks");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing in CI",
        dir.display()
    );
    eprintln!(
        "NOTE: {} not found; corpus facts not checked on this machine",
        dir.display()
    );
    None
}

fn load(name: &str) -> Option<Runbook> {
    let dir = corpus_dir()?;
    let (rb, _) = runbook::load(&dir.join(name)).unwrap_or_else(|e| panic!("{e}"));
    Some(rb)
}

fn proc<'a>(rb: &'a Runbook, path: &str) -> &'a Procedure {
    rb.procedures
        .iter()
        .find(|p| p.path.join(" › ") == path)
        .unwrap_or_else(|| {
            panic!(
                "no procedure `{path}`; have:\n{}",
                rb.procedures
                    .iter()
                    .map(|p| p.path.join(" › "))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })
}

fn titles(p: &Procedure) -> Vec<&str> {
    p.steps.iter().map(|s| s.title.as_str()).collect()
}

fn risks(p: &Procedure) -> Vec<Risk> {
    p.steps.iter().map(|s| s.risk).collect()
}

fn placeholder_names(s: &Step) -> Vec<&str> {
    s.placeholders.iter().map(|p| p.name.as_str()).collect()
}

#[test]
fn every_file_parses_without_panicking() {
    let Some(dir) = corpus_dir() else { return };
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            let (rb, _) = runbook::load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(!rb.procedures.is_empty(), "{}", path.display());
            n += 1;
        }
    }
    assert!(n >= 3);
}

#[test]
fn axon_orbit() {
    let Some(rb) = load("axon-orbit.md") else {
        return;
    };
    assert_eq!(rb.title.as_deref(), Some("Operations Runbook"));
    // Headings with code under them, counted by hand.
    assert_eq!(rb.procedures.len(), 29);

    let p = proc(
        &rb,
        "Incident Response › P0 Incident (System Down) › Resolution (15-60 minutes)",
    );
    assert_eq!(
        titles(p),
        ["Restart Services", "Force Redeployment", "Verify Recovery"]
    );
    // desired-count 0 takes the service down; the health script is not recognised.
    assert_eq!(risks(p), [Risk::Destructive, Risk::Write, Risk::Unknown]);
    assert_eq!(p.steps[0].commands.len(), 2);
    assert_eq!(placeholder_names(&p.steps[0]), ["PROJECT_NAME"]);

    let p = proc(
        &rb,
        "Incident Response › P0 Incident (System Down) › Immediate Actions (0-5 minutes)",
    );
    assert_eq!(titles(p), ["Assess Impact"]);
    assert_eq!(
        p.steps[0].description.as_deref(),
        Some("Check system status")
    );

    // `… | xargs -I {} aws dynamodb delete-backup` deletes.
    let p = proc(
        &rb,
        "Backup and Recovery › Automated Backups › DynamoDB Backup",
    );
    assert_eq!(p.steps[0].risk, Risk::Destructive);
    assert_eq!(
        p.steps[0]
            .commands
            .iter()
            .map(|c| c.risk)
            .collect::<Vec<_>>(),
        [Risk::Write, Risk::Destructive]
    );

    // PREVIOUS_TASK_ARN is assigned in the block: only PROJECT_NAME is asked for.
    let p = proc(
        &rb,
        "Deployment Procedures › Rollback Procedure › Quick Rollback (0-5 minutes)",
    );
    assert_eq!(placeholder_names(&p.steps[0]), ["PROJECT_NAME"]);
    assert_eq!(p.steps[0].commands.len(), 2);

    let p = proc(
        &rb,
        "Daily Operations › Health Checks › Automated Health Checks",
    );
    assert!(
        p.steps[0]
            .expect
            .as_deref()
            .unwrap()
            .contains("Axon service: 2/2 tasks healthy")
    );
    assert_eq!(
        p.steps[0].commands.len(),
        1,
        "the expected output is not a command"
    );

    // The handover template is a ```markdown block: shown, never run, and its boxes are
    // not this procedure's checklist.
    let p = proc(&rb, "On-Call Rotation › Handover Process");
    assert!(!p.steps[0].runnable);
    assert!(p.checklist.is_empty());
    let p = proc(&rb, "Capacity Planning › Scaling Plans");
    assert_eq!(p.steps[0].lang.as_deref(), Some("hcl"));
    assert!(!p.steps[0].runnable && p.steps[0].commands.is_empty());

    // Lists of tools, contacts and escalation paths yield nothing.
    for path in [
        "Tools and Resources › Monitoring Tools",
        "On-Call Rotation › Escalation Paths",
        "On-Call Rotation › Responsibilities",
    ] {
        assert!(
            rb.procedures.iter().all(|p| p.path.join(" › ") != path),
            "{path}"
        );
    }

    let p = proc(
        &rb,
        "Deployment Procedures › Standard Deployment › Deployment Steps",
    );
    assert_eq!(
        p.steps[0].risk,
        Risk::Destructive,
        "terraform apply -auto-approve"
    );
    assert_eq!(
        p.steps[0].commands[0].title.as_deref(),
        Some("Deploy infrastructure changes")
    );
}

#[test]
fn loglineos() {
    let Some(rb) = load("loglineos.md") else {
        return;
    };
    assert_eq!(rb.title.as_deref(), Some("LogLineOS Operational Runbook"));
    assert_eq!(rb.procedures.len(), 19);
    assert!(
        rb.procedures
            .iter()
            .all(|p| p.path[0] != "Table of Contents")
    );

    let p = proc(&rb, "Health Checks › System Health Check");
    let s = &p.steps[0];
    assert_eq!(s.commands.len(), 1);
    assert_eq!(
        s.commands[0].title.as_deref(),
        Some("Check API Gateway health")
    );
    assert_eq!(s.risk, Risk::Read);
    assert!(
        s.expect
            .as_deref()
            .unwrap()
            .contains("\"status\": \"healthy\"")
    );

    let p = proc(&rb, "Deployment › Standard Deployment Procedure");
    assert_eq!(
        titles(p),
        [
            "Pre-deployment Checks",
            "Deploy Infrastructure",
            "Run Database Migrations",
            "Post-deployment Verification",
            "Monitor for Issues"
        ]
    );
    assert_eq!(
        risks(p),
        [
            Risk::Read,
            Risk::Destructive,
            Risk::Write,
            Risk::Write,
            Risk::Read
        ]
    );

    let p = proc(&rb, "Incident Response › High Error Rate");
    assert_eq!(p.steps[0].phase.as_deref(), Some("Diagnosis"));

    let p = proc(&rb, "Rollback Procedures › Lambda Function Rollback");
    let s = &p.steps[0];
    assert_eq!(s.commands.len(), 4);
    assert_eq!(s.risk, Risk::Write);
    assert_eq!(s.placeholders.len(), 1);
    let ph = &s.placeholders[0];
    assert_eq!(
        (ph.name.as_str(), ph.syntax.as_str(), ph.default.as_deref()),
        ("PREVIOUS_VERSION", "PREVIOUS_VERSION=5", Some("5"))
    );

    // Everything is assigned from the secret in the block: nothing to ask; psql without a
    // command is interactive, so unknown.
    let p = proc(&rb, "Database Operations › Manual Database Access");
    assert!(p.steps[0].placeholders.is_empty());
    assert_eq!(p.steps[0].risk, Risk::Unknown);

    let p = proc(&rb, "Database Operations › Common Queries");
    assert_eq!(p.steps[0].lang.as_deref(), Some("sql"));
    assert!(!p.steps[0].runnable);

    let p = proc(&rb, "Database Operations › Database Backup and Restore");
    assert_eq!(placeholder_names(&p.steps[0]), ["snapshot-identifier"]);
    assert_eq!(
        p.steps[0].risk,
        Risk::Destructive,
        "restore-db-instance-from-db-snapshot"
    );

    let p = proc(&rb, "Rollback Procedures › Infrastructure Rollback");
    assert_eq!(placeholder_names(&p.steps[0]), ["previous-commit-hash"]);
    assert_eq!(p.steps[0].risk, Risk::Destructive, "terraform state push");
}

#[test]
fn ons_data_platform() {
    let Some(rb) = load("ons-data-platform.md") else {
        return;
    };
    assert_eq!(rb.procedures.len(), 20);
    // Fences at column 0 right after `1. **Label:**` items take the item as title and the
    // bold label before the list as phase.
    let p = proc(
        &rb,
        "Troubleshooting Guides › Issue: High Error Rate in Lambda Functions",
    );
    assert_eq!(
        titles(p),
        [
            "Check recent deployments",
            "Analyze error logs",
            "Check function metrics",
            "If recent deployment caused issues",
            "If configuration issue"
        ]
    );
    assert_eq!(p.steps[0].phase.as_deref(), Some("Investigation Steps"));
    assert_eq!(p.steps[3].phase.as_deref(), Some("Resolution"));
    assert_eq!(p.steps[3].risk, Risk::Unknown, "python scripts/rollback.py");

    // A `#!/bin/bash` block is one command.
    let p = proc(&rb, "System Health Checks › Daily Health Check");
    assert_eq!(p.steps[0].commands.len(), 1);
    assert!(p.steps[0].commands[0].text.starts_with("#!/bin/bash"));

    let p = proc(&rb, "Emergency Procedures › Critical System Failure");
    assert_eq!(
        titles(p),
        [
            "Assess impact",
            "Stop ongoing deployments",
            "Disable problematic features"
        ]
    );
    // The `for … done` loop over deployments stays one command.
    assert_eq!(p.steps[1].commands.len(), 2);
    assert!(
        p.steps[1].commands[1].text.starts_with("for deployment in")
            && p.steps[1].commands[1].text.ends_with("done")
    );
}

#[test]
fn targets_named_by_the_corpus() {
    use opsdeck::model::{Direction, Thresholds};
    use opsdeck::runbook::targets::extract;
    let Some(dir) = corpus_dir() else { return };
    let axon = extract(&runbook::load_full(&dir.join("axon-orbit.md")).unwrap());
    let cpu = axon
        .metrics
        .iter()
        .find(|m| m.namespace == "AWS/ECS" && m.metric == "CPUUtilization")
        .expect("ECS CPU metric");
    // "# CPU Utilization (should be < 70%)" above the command.
    assert_eq!(
        cpu.thresholds,
        Some(Thresholds {
            warn: Some(70.0),
            crit: None,
            direction: Direction::Above
        })
    );
    assert!(
        cpu.statistics.contains(&"Average".to_string())
            && cpu.statistics.contains(&"Maximum".to_string())
    );
    assert!(
        axon.ecs_clusters
            .iter()
            .any(|c| c.name == "${PROJECT_NAME}-cluster" && c.template)
    );
    assert!(
        axon.ecs_services
            .iter()
            .any(|s| s.name == "${PROJECT_NAME}-axon"
                && s.cluster.as_deref() == Some("${PROJECT_NAME}-cluster"))
    );
    assert!(
        axon.log_groups
            .iter()
            .any(|g| g.name == "/ecs/${PROJECT_NAME}-axon" && g.template)
    );
    assert!(
        axon.health_urls
            .iter()
            .any(|u| u.name == "https://$ALB_DNS/health")
    );
    assert!(
        axon.named(opsdeck::model::ResourceKind::Dynamodb)
            .iter()
            .any(|t| t.name == "${PROJECT_NAME}-governance-policies")
    );
    assert!(
        axon.lambda_functions
            .iter()
            .any(|f| f.name == "${PROJECT_NAME}-governance")
    );

    let lo = extract(&runbook::load_full(&dir.join("loglineos.md")).unwrap());
    assert!(
        lo.lambda_aliases
            .iter()
            .any(|a| a.function == "loglineos-stage0-loader-production" && a.name == "production")
    );
    let rds: Vec<_> = lo
        .named(opsdeck::model::ResourceKind::Rds)
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(
        rds,
        [
            "loglineos-ledger-production",
            "loglineos-ledger-restored",
            "loglineos-ledger-read-replica-1"
        ]
    );
    assert!(
        lo.alarms
            .iter()
            .any(|a| a.prefix.as_deref() == Some("loglineos-production"))
    );
    assert!(
        lo.log_groups
            .iter()
            .any(|g| g.name == "/aws/lambda/loglineos-stage0-loader-production")
    );
    let conns = lo
        .metrics
        .iter()
        .find(|m| m.metric == "DatabaseConnections")
        .unwrap();
    assert_eq!(
        conns
            .dimensions
            .get("DBInstanceIdentifier")
            .map(String::as_str),
        Some("loglineos-ledger-production")
    );
    assert_eq!(conns.period, Some(300));

    let ons = extract(&runbook::load_full(&dir.join("ons-data-platform.md")).unwrap());
    let lat = ons
        .metrics
        .iter()
        .find(|m| m.namespace == "AWS/ApiGateway" && m.metric == "Latency")
        .unwrap();
    assert_eq!(
        lat.dimensions.get("ApiName").map(String::as_str),
        Some("ons-data-platform-api")
    );
    assert!(
        ons.log_groups.iter().all(|g| g.name != "{}"),
        "xargs stand-ins are not log groups"
    );
}
