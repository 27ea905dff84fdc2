//! Runbook fixtures for every construct, asserted exactly, and bad input: never a panic or a
//! hang, always a clear message or a sensible parse.

mod common;

use opsdeck::runbook::{self, Risk, parse::parse};
use std::process::Command;

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/fixtures/runbooks")
    .join(name)
}

#[test]
fn constructs_exact_json() {
    let out = Command::new(common::bin())
        .args(["runbook", "show", "--format", "json"])
        .arg(fixture("constructs.md"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("constructs_json", json);
}

#[test]
fn constructs_facts() {
    let (rb, notes) = runbook::load(&fixture("constructs.md")).unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(rb.title.as_deref(), Some("Payments Runbook"));
    let paths: Vec<String> = rb.procedures.iter().map(|p| p.path.join(" › ")).collect();
    // Contents and Contacts are lists without code: nothing.
    assert_eq!(
        paths,
        [
            "Incident Response › High Error Rate",
            "Incident Response › Database",
            "Incident Response › Rotate credentials"
        ]
    );

    let p = &rb.procedures[0];
    assert_eq!(p.id, "incident-response/high-error-rate");
    assert_eq!(p.checklist.len(), 2);
    assert!(!p.checklist[0].checked && p.checklist[1].checked);
    let s: Vec<_> = p
        .steps
        .iter()
        .map(|s| (s.id.as_str(), s.title.as_str(), s.phase.as_deref(), s.risk))
        .collect();
    assert_eq!(
        s,
        [
            (
                "incident-response/high-error-rate#1",
                "Diagnosis",
                Some("Diagnosis"),
                Risk::Read
            ),
            (
                "incident-response/high-error-rate#2",
                "Restart the service",
                Some("Resolution"),
                Risk::Write
            ),
            (
                "incident-response/high-error-rate#3",
                "Scale down the old worker",
                Some("Resolution"),
                Risk::Destructive
            ),
        ]
    );
    assert_eq!(
        p.steps[1].description.as_deref(),
        Some("forces fresh tasks")
    );
    assert_eq!(p.steps[1].attributes.timeout.as_deref(), Some("5m"));
    assert_eq!(
        p.steps[0].commands[0].title.as_deref(),
        Some("Tail the API logs")
    );
    assert_eq!(p.steps[0].commands[0].line, 17);
    // The prose says what CLUSTER is.
    assert_eq!(
        p.steps[1].placeholders[0].hint.as_deref(),
        Some("Set CLUSTER to the production cluster name")
    );

    let db = &rb.procedures[1];
    let kinds: Vec<_> = db
        .steps
        .iter()
        .map(|s| (s.lang.as_deref(), s.runnable))
        .collect();
    assert_eq!(
        kinds,
        [
            (Some("sql"), false),
            (Some("console"), true),
            (None, true),
            (None, false)
        ]
    );
    assert_eq!(
        db.steps[1].commands[0].text,
        "psql -h db.internal -c 'SELECT 1'"
    );
    assert_eq!(
        db.steps[1].expect.as_deref(),
        Some(" ?column?\n----------\n        1")
    );

    let rot = &rb.procedures[2].steps[0];
    let ph: Vec<_> = rot
        .placeholders
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.syntax.as_str(),
                p.default.as_deref(),
                p.secret,
            )
        })
        .collect();
    assert_eq!(
        ph,
        [
            ("NEW_VERSION", "NEW_VERSION=7", Some("7"), false),
            ("DB_PASSWORD", "$DB_PASSWORD", None, true),
            ("api-token", "<api-token>", None, true),
            // An example host is a value to fill in, never a host to call.
            ("payments-host", "payments.example.com", None, false)
        ]
    );
    assert_eq!(rot.expect.as_deref(), Some("200"));
}

#[test]
fn ids_are_stable_across_edits_elsewhere() {
    let a = "# R\n## A\n```bash\necho a\n```\n## B\n```bash\necho b\n```\n```bash\necho b2\n```\n";
    let b = "# R\nIntro text added.\n## New first\n```bash\nls\n```\n## A\nmore words\n```bash\necho a changed\n```\n## B\n```bash\necho b\n```\n```bash\necho b2\n```\n";
    let ids = |src: &str| {
        parse(src)
            .0
            .procedures
            .iter()
            .flat_map(|p| p.steps.iter().map(|s| s.id.clone()))
            .collect::<Vec<_>>()
    };
    let (ia, ib) = (ids(a), ids(b));
    for id in &ia {
        assert!(ib.contains(id), "{id} lost after edits elsewhere: {ib:?}");
    }
    assert_eq!(ia, ["a#1", "b#1", "b#2"]);
}

#[test]
fn duplicate_paths_get_distinct_ids() {
    let (rb, _) =
        parse("# R\n## Restart\n```bash\necho 1\n```\n## Restart\n```bash\necho 2\n```\n");
    let ids: Vec<_> = rb.procedures.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["restart", "restart-2"]);
}

#[test]
fn bad_input_is_reported_or_parsed_sensibly() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let empty = write("empty.md", b"");
    assert!(
        runbook::load(&empty)
            .unwrap_err()
            .to_string()
            .ends_with("empty.md: empty file: no headings, no procedures")
    );
    let binary = write("bin.md", b"\x7fELF\x02\x01\x01\x00\x00\x00");
    assert!(
        runbook::load(&binary)
            .unwrap_err()
            .to_string()
            .contains("binary file")
    );
    let latin1 = write("latin1.md", b"# Caf\xe9\n");
    assert_eq!(
        runbook::load(&latin1).unwrap_err().to_string(),
        format!("{}:1: not valid UTF-8", latin1.display())
    );

    // Unclosed fence: parsed to the end, and noted with its line.
    let (rb, notes) = parse("# R\n## Open\n```bash\necho a\necho b\n");
    assert_eq!(rb.procedures[0].steps[0].commands.len(), 2);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].line, 3);
    assert!(notes[0].message.starts_with("unclosed code fence"));

    // CRLF, tabs, raw HTML, empty headings.
    let crlf = write("crlf.md", b"# R\r\n## A\r\n```bash\r\naws ecs describe-services --cluster c \\\r\n  --services s\r\n```\r\n");
    let (rb, _) = runbook::load(&crlf).unwrap();
    assert_eq!(rb.procedures[0].steps[0].commands.len(), 1);
    assert_eq!(rb.procedures[0].steps[0].risk, Risk::Read);
    // An HTML block runs to the next blank line (CommonMark): a fence inside it is HTML.
    let (rb, notes) = parse(
        "# R\n##\n<div><b>raw</b>\n```bash\necho hidden\n```\n</div>\n\n## T\nSee <b>this</b>.\n```bash\n\techo\ttabbed\n```\n",
    );
    assert!(notes.iter().any(|n| n.message == "heading with no text"));
    let paths: Vec<_> = rb.procedures.iter().map(|p| p.path.join(" › ")).collect();
    assert_eq!(paths, ["T"]);
    assert_eq!(rb.procedures[0].steps[0].commands[0].text, "echo\ttabbed");

    // Deep nesting and a 10 MB file: no stack overflow, no hang.
    let deep: String = (0..2000)
        .map(|i| format!("{}- item\n", "  ".repeat(i)))
        .collect();
    parse(&format!("# R\n## Deep\n{deep}```bash\necho deep\n```\n"));
    let quotes: String = "> ".repeat(5000) + "quote\n";
    parse(&format!("# R\n{quotes}"));
    let mut big = String::from("# Big\n");
    let mut n = 0;
    while big.len() < 10 * 1024 * 1024 {
        n += 1;
        big.push_str(&format!("## Section {n}\nSome prose about section {n}.\n```bash\naws ecs describe-services --cluster c{n} --services s\n```\n"));
    }
    let (rb, _) = parse(&big);
    assert_eq!(rb.procedures.len(), n);
}

#[test]
fn cli_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("empty.md");
    std::fs::write(&p, "").unwrap();
    let out = Command::new(common::bin())
        .args(["runbook", "show"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        format!(
            "opsdeck: {}: empty file: no headings, no procedures",
            p.display()
        )
    );
}

#[test]
fn lint_exit_codes_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.md");
    std::fs::write(&good, "# R\n## Check\nSet CLUSTER to the cluster name.\n```bash\naws ecs describe-services --cluster $CLUSTER --services api\n```\n").unwrap();
    let out = Command::new(common::bin())
        .args(["runbook", "lint"])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "0 errors, 0 warnings in 1 file"
    );

    let warn = dir.path().join("warn.md");
    std::fs::write(&warn, "# R\n## Run\n```bash\n./scripts/fix.sh\n```\n").unwrap();
    let out = Command::new(common::bin())
        .args(["runbook", "lint"])
        .arg(&warn)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "warnings only");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!(
            "{}:4: warning: command of unknown risk: `./scripts/fix.sh` (opsdeck cannot tell what it changes: it is confirmed like a write and refused under --read-only)",
            warn.display()
        )
    );

    let bad = dir.path().join("bad.md");
    std::fs::write(&bad, "# R\n## Same\n```bash\nls\n```\n## Same\n```bash\nls\n```\n## Open\n```bash\necho never closed\n").unwrap();
    let out = Command::new(common::bin())
        .args(["runbook", "lint"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "{}:6: error: duplicate procedure path `Same` (also at line 2)",
            bad.display()
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{}:11: error: unclosed code fence", bad.display())),
        "{stdout}"
    );
}

#[test]
fn targets_json_lists_files() {
    let out = Command::new(common::bin())
        .args(["runbook", "targets", "--format", "json"])
        .arg(fixture("constructs.md"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &v["files"][0]["targets"];
    assert_eq!(t["log_groups"][0]["name"], "/ecs/payments-api");
    assert_eq!(t["ecs_services"][0]["name"], "payments-api");
    assert_eq!(t["ecs_services"][0]["cluster"], "$CLUSTER");
    assert_eq!(t["ecs_services"][0]["template"], true);
    assert_eq!(t["rds_instances"][0]["name"], "payments-db");
    assert_eq!(
        t["health_urls"][0]["name"],
        "https://payments.example.com/ready"
    );
}
