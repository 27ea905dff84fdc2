use super::*;
use crate::runbook::parse::parse;

fn proc_(md: &str) -> Procedure {
    parse(md).0.procedures[0].clone()
}

fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn prep(md: &str, vals: &[(&str, &str)], policy: &Policy) -> Prepared {
    let p = proc_(md);
    let aws: BTreeMap<String, String> =
        [("AWS_REGION".to_string(), "eu-west-1".to_string())].into();
    prepare("rb.md", &p, &p.steps[0], &values(vals), &aws, policy)
}

#[test]
fn gates_follow_risk_and_policy() {
    let open = Policy::default();
    let ro = Policy {
        read_only: true,
        ..Policy::default()
    };
    let ask = Policy {
        confirm_read: true,
        ..Policy::default()
    };
    let read = "# R\n## P\n```bash\naws ecs list-clusters\n```\n";
    let write = "# R\n## P\n```bash\naws ecs update-service --cluster c --service s --force-new-deployment\n```\n";
    let destructive =
        "# R\n## P\n```bash\naws ecs delete-service --cluster prod --service worker --force\n```\n";
    let lowered = "# R\n## P\n```bash {risk=read}\naws ecs delete-service --cluster prod --service worker --force\n```\n";
    assert_eq!(prep(read, &[], &open).gate, Gate::Run);
    assert_eq!(prep(read, &[], &ask).gate, Gate::Confirm);
    assert_eq!(prep(read, &[], &ro).gate, Gate::Run);
    assert_eq!(prep(write, &[], &open).gate, Gate::Confirm);
    assert!(matches!(prep(write, &[], &ro).gate, Gate::Refused(_)));
    let d = prep(destructive, &[], &open);
    assert_eq!(d.gate, Gate::ConfirmTyped);
    assert_eq!(d.target, "worker");
    // `{risk=read}` does not lower it: still destructive, still refused read-only.
    let l = prep(lowered, &[], &open);
    assert_eq!(
        (l.risk, l.gate.clone()),
        (Risk::Destructive, Gate::ConfirmTyped)
    );
    assert!(matches!(prep(lowered, &[], &ro).gate, Gate::Refused(_)));
}

#[test]
fn secrets_are_known_and_masked_in_what_is_shown() {
    let md = "# R\n## P\nThe database password.\n```bash\nPGPASSWORD=<db-password> psql -h db -c 'SELECT 1'\nDB_TOKEN=changeme-default  # replace with your token\necho $DB_TOKEN\n```\n";
    let p = prep(md, &[("db-password", "hunter2-typed")], &Policy::default());
    assert!(
        p.secrets.contains(&"hunter2-typed".to_string()),
        "{:?}",
        p.secrets
    );
    assert!(
        p.secrets.contains(&"changeme-default".to_string()),
        "a secret default is a secret"
    );
    let shown = p.describe();
    assert!(
        !shown.contains("hunter2-typed") && !shown.contains("changeme-default"),
        "{shown}"
    );
    // The values still reach the step, through the environment.
    assert_eq!(
        p.env.get("DB_PASSWORD").map(String::as_str),
        Some("hunter2-typed")
    );
}

#[test]
fn the_aws_context_wins_and_placeholders_never_collide_with_it() {
    let md = "# R\n## P\n```bash\naws ecs list-services --cluster <cluster> --region <aws-region>\n```\n";
    let p = prep(
        md,
        &[("cluster", "prod"), ("aws-region", "us-west-2")],
        &Policy::default(),
    );
    assert_eq!(
        p.env.get("AWS_REGION").map(String::as_str),
        Some("eu-west-1")
    );
    assert_eq!(
        p.env.get("OPSDECK_PH_AWS_REGION").map(String::as_str),
        Some("us-west-2")
    );
    assert!(
        p.script.contains("\"${OPSDECK_PH_AWS_REGION}\""),
        "{}",
        p.script
    );
}

#[test]
fn timeouts_and_interactive_steps() {
    let step = |code: &str| proc_(&format!("# R\n## P\n{code}\n")).steps[0].clone();
    assert_eq!(
        step_timeout(&step("```bash {timeout=5m}\nsleep 1\n```")),
        Some(Duration::from_secs(300))
    );
    // Milliseconds are milliseconds (this was once read as 500 seconds).
    assert_eq!(
        step_timeout(&step("```bash {timeout=500ms}\nsleep 1\n```")),
        Some(Duration::from_millis(500))
    );
    assert_eq!(
        step_timeout(&step("```bash {timeout=1h30m}\nsleep 1\n```")),
        Some(Duration::from_secs(5400))
    );
    assert_eq!(
        step_timeout(&step("```bash\nsleep 1\n```")),
        Some(DEFAULT_TIMEOUT)
    );
    assert_eq!(
        step_timeout(&step("```bash\naws logs tail /g --follow\n```")),
        None
    );
    assert!(is_interactive(&step(
        "```bash\nPGPASSWORD=$P psql -h db -U app\n```"
    )));
    assert!(!is_interactive(&step(
        "```bash\npsql -h db -c 'select 1'\n```"
    )));
    assert!(!is_interactive(&step(
        "```bash\npsql -h db -tAc 'select 1'\n```"
    )));
    assert!(is_interactive(&step("```bash\npsql -h db -tA\n```")));
    assert!(is_interactive(&step(
        "```bash\ndocker exec -it api sh\n```"
    )));
    assert!(is_interactive(&step(
        "```bash {interactive=true}\n./console.sh\n```"
    )));
    assert!(!is_interactive(&step(
        "```bash\naws ecs describe-services --cluster c\n```"
    )));
}

#[test]
fn missing_values_refuse() {
    let md = "# R\n## P\n```bash\naws logs tail <group>\n```\n";
    let p = prep(md, &[], &Policy::default());
    assert_eq!(p.missing, ["group"]);
    assert!(matches!(p.gate, Gate::Refused(_)));
}

#[test]
fn read_only_role_is_carried_only_in_read_only_mode() {
    let md = "# R\n## P\n```bash\naws ecs list-clusters\n```\n";
    let role = Some("arn:aws:iam::123456789012:role/ReadOnly".to_string());
    let ro = Policy {
        read_only: true,
        read_only_role: role.clone(),
        ..Policy::default()
    };
    let rw = Policy {
        read_only: false,
        read_only_role: role.clone(),
        ..Policy::default()
    };
    assert_eq!(prep(md, &[], &ro).read_only_role, role);
    assert_eq!(prep(md, &[], &rw).read_only_role, None);
}

#[test]
fn a_value_bash_evaluates_as_arithmetic_must_be_a_number() {
    let md = "# R\n## P\n```bash\nif [[ \"<threshold>\" -gt 100 ]]; then echo high; fi\n```\n";
    let open = Policy::default();
    assert_eq!(prep(md, &[("threshold", "120")], &open).gate, Gate::Run);
    for bad in ["a[$(touch /tmp/pwn)]", "1+1", "x"] {
        match prep(md, &[("threshold", bad)], &open).gate {
            Gate::Refused(why) => assert!(why.contains("whole number"), "{why}"),
            g => panic!("`{bad}` ran in arithmetic: {g:?}"),
        }
    }
    // Read-only or not: the rule is about values, not risk; read-only steps are boxed.
    let ro = Policy {
        read_only: true,
        ..Policy::default()
    };
    assert!(matches!(
        prep(md, &[("threshold", "a[$(id)]")], &ro).gate,
        Gate::Refused(_)
    ));
    assert!(prep(md, &[("threshold", "5")], &ro).boxed);
    // Outside read-only mode a read runs unconfirmed: boxed all the same; a write the
    // operator confirms is not.
    assert!(prep(md, &[("threshold", "5")], &open).boxed);
    let write = "# R\n## P\n```bash\naws ecs update-service --cluster c --service s --force-new-deployment\n```\n";
    assert!(!prep(write, &[], &open).boxed);
    let ask = Policy {
        confirm_read: true,
        ..Policy::default()
    };
    assert!(
        !prep(md, &[("threshold", "5")], &ask).boxed,
        "confirmed: the operator's call"
    );
}

#[test]
fn commands_that_print_secrets_by_design_hide_their_output() {
    for cmd in [
        "aws secretsmanager get-secret-value --secret-id prod/db",
        "aws --region eu-west-1 ssm get-parameter --name /app/key --with-decryption",
        "aws sts assume-role --role-arn arn:aws:iam::1:role/x --role-session-name s",
        "aws sts get-session-token",
        "kubectl get secret db-creds -o yaml",
        "kubectl -n prod get secrets -ojson",
        "PAGER=cat aws ecr get-login-password",
        "gh auth token",
        "gh auth status --show-token",
    ] {
        assert!(prints_secrets(cmd).is_some(), "{cmd}");
    }
    for cmd in [
        "aws secretsmanager list-secrets",
        "aws ssm get-parameter --name /app/flag",
        "aws sts get-caller-identity",
        "kubectl get secrets",
        "kubectl get pods -o yaml",
        "gh auth status",
    ] {
        assert_eq!(prints_secrets(cmd), None, "{cmd}");
    }
    let md = "# R\n## P\n```bash\naws secretsmanager get-secret-value --secret-id prod/db\n```\n";
    assert!(prep(md, &[], &Policy::default()).hide_output.is_some());
}
