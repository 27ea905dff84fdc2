use super::*;
use crate::runbook::placeholders::find;
use std::process::Command;

fn run(script: &str, env: &BTreeMap<String, String>) -> String {
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .env_clear()
        .envs(env)
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn hostile_values_stay_data() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("pwned");
    let code =
        "printf '%s|' <target> \"<target>\" '<target>' $TARGET_VAR ${OTHER:-x} \"$TARGET_VAR\"";
    let ph = find(code, "");
    let hostile = [
        format!("$(touch {})", marker.display()),
        format!("`touch {}`", marker.display()),
        format!("x; touch {}", marker.display()),
        "a'b\"c".to_string(),
        "line1\nline2".to_string(),
        "--delete-everything".to_string(),
        "*".to_string(),
        "a b   c".to_string(),
        "/etc/*".to_string(),
    ];
    for v in hostile {
        let vals = values(&[("target", &v), ("TARGET_VAR", &v), ("OTHER", &v)]);
        let r = render(code, &ph, &vals);
        assert!(r.missing.is_empty());
        assert!(
            !r.script.contains(&v) || v == "*",
            "value leaked into the script: {}",
            r.script
        );
        let out = run(&r.script, &r.env);
        // Every use prints the value exactly, as one word: no split, no glob, no execution.
        assert_eq!(out, format!("{v}|{v}|{v}|{v}|{v}|{v}|"), "{}", r.script);
        assert!(!marker.exists(), "injection ran for {v:?}");
    }
}

#[test]
fn replace_assignments_defer_to_the_given_value() {
    let code = "PREVIOUS_VERSION=5  # Replace with actual version number\necho v=$PREVIOUS_VERSION";
    let ph = find(code, "");
    let r = render(code, &ph, &BTreeMap::new());
    assert_eq!(run(&r.script, &r.env), "v=5\n");
    let r = render(code, &ph, &values(&[("PREVIOUS_VERSION", "7; rm -rf /")]));
    assert_eq!(run(&r.script, &r.env), "v=7; rm -rf /\n");
}

#[test]
fn missing_values_are_reported() {
    let code = "aws logs tail <log-group> --since $SINCE";
    let r = render(code, &find(code, ""), &BTreeMap::new());
    assert_eq!(r.missing, ["log-group", "SINCE"]);
    assert_eq!(
        r.script,
        "aws logs tail \"${LOG_GROUP}\" --since \"${SINCE}\""
    );
}

#[test]
fn vital_names_travel_under_a_safe_name() {
    // `<path>` would set PATH, `<home>` HOME. `$BASH_ENV` is the shell's own: never a value
    // to type (the launcher removes it from every step), so it expands to nothing.
    let code = "printf '%s|' <path> <home> \"$BASH_ENV\" <aws-region> <ifs>; command -v printf >/dev/null && echo ok";
    let ph = find(code, "");
    let vals = values(&[
        ("path", "/nonexistent"),
        ("home", "/tmp/h"),
        ("BASH_ENV", "/tmp/evil"),
        ("aws-region", "eu-west-9"),
        ("ifs", "x"),
    ]);
    let r = render(code, &ph, &vals);
    for k in r.env.keys() {
        assert!(
            k.starts_with(SAFE_PREFIX),
            "{k} carries a value under a vital name"
        );
    }
    let mut env = r.env.clone();
    env.insert("PATH".into(), "/usr/bin:/bin".into());
    let out = Command::new("bash")
        .arg("-c")
        .arg(&r.script)
        .env_clear()
        .envs(&env)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "/nonexistent|/tmp/h||eu-west-9|x|ok\n"
    );
    assert!(ph.iter().all(|p| p.name != "BASH_ENV"), "{ph:?}");
}

#[test]
fn quoted_heredocs_take_the_value_as_data() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("pwned");
    let code =
        "cat <<'EOF'\nSELECT * FROM t WHERE id = '<order-id>'; -- $HOME `id` \\n\nEOF\necho after";
    let ph = find(code, "");
    assert_eq!(ph.len(), 1, "{ph:?}");
    for v in [
        "42".to_string(),
        format!("x\nEOF\ntouch {}\ncat <<'EOF'", marker.display()),
        "$(id) `id` ${HOME}".to_string(),
    ] {
        let r = render(code, &ph, &values(&[("order-id", &v)]));
        let out = run(&r.script, &r.env);
        assert_eq!(
            out,
            format!("SELECT * FROM t WHERE id = '{v}'; -- $HOME `id` \\n\nafter\n"),
            "{}",
            r.script
        );
        assert!(!marker.exists());
    }
    // Without a placeholder in it, a quoted heredoc is left exactly as written.
    let plain = "cat <<'EOF'\n$HOME <not-a-placeholder-here\nEOF";
    assert_eq!(
        render(plain, &find(plain, ""), &BTreeMap::new()).script,
        plain
    );
}

#[test]
fn unquoted_heredocs_and_comments() {
    let code = "cat <<EOF\nservice=<service> cluster=$CLUSTER\nEOF\necho \"<service>\" # don't split <service>\necho <service>";
    let ph = find(code, "");
    let r = render(code, &ph, &values(&[("service", "a b"), ("CLUSTER", "c*")]));
    assert_eq!(
        run(&r.script, &r.env),
        "service=a b cluster=c*\na b\na b\n",
        "{}",
        r.script
    );
}

#[test]
fn prose_placeholders_are_asked_for_and_replaced_as_data() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("pwned");
    let code = "printf '%s|' sg-xxx 'arn:aws:iam::ACCOUNT:role/ops' \"https://your-domain.com/health\" app:PREVIOUS_VERSION\ncat <<'EOF'\n{\"group\": \"sg-xxx\", \"cost\": \"5$\"}\nEOF";
    let ph = find(code, "");
    let names: Vec<_> = ph.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["security-group-id", "account", "domain", "previous-version"]
    );
    // Not given: the step cannot run with the literal left in it.
    let r = render(code, &ph, &BTreeMap::new());
    assert_eq!(r.missing.len(), 4);
    let hostile = format!("$(touch {})'\"", marker.display());
    let vals = values(&[
        ("security-group-id", &hostile),
        ("account", "111"),
        ("domain", "api.acme.io"),
        ("previous-version", "7"),
    ]);
    let r = render(code, &ph, &vals);
    assert!(!r.script.contains("sg-xxx"), "{}", r.script);
    let out = run(&r.script, &r.env);
    assert_eq!(
        out,
        format!(
            "{hostile}|arn:aws:iam::111:role/ops|https://api.acme.io/health|app:7|{{\"group\": \"{hostile}\", \"cost\": \"5$\"}}\n"
        ),
        "{}",
        r.script
    );
    assert!(!marker.exists());
}

#[test]
fn a_prose_spelling_of_a_variable_shares_its_value() {
    let code = "PREVIOUS_VERSION=5  # Replace with actual version number\necho $PREVIOUS_VERSION app:PREVIOUS_VERSION";
    let ph = find(code, "");
    assert_eq!(ph.len(), 1, "{ph:?}");
    assert_eq!(ph[0].literals, ["PREVIOUS_VERSION"]);
    let r = render(code, &ph, &values(&[("PREVIOUS_VERSION", "9")]));
    assert_eq!(run(&r.script, &r.env), "9 app:9\n", "{}", r.script);
}

/// The renderer's quoting at every placeholder it replaces agrees with the one quote scanner
/// of opsdeck (`shell::quote_at`), over generated commands mixing quotes, escapes, command
/// substitutions (`$(…)` and backticks, nested, inside double quotes), subshells and
/// arithmetic: what decides how a value is quoted and what the risk classifier reads must
/// not disagree about the same text.
#[test]
fn the_renderer_quotes_as_the_shell_reader_reads() {
    use crate::runbook::shell::quote_at;
    use rand::{Rng, SeedableRng};
    const PIECES: &[&str] = &[
        "echo ", " ", "x", "'", "\"", "$(", ")", "(", "`", "\\'", "\\\"", "\\`", "<id>", "<name>",
        "|", ";", "$((1+2))", "$x", "{", "}",
    ];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(24);
    let mut disagreements = Vec::new();
    let mut checked = 0;
    for _ in 0..20_000 {
        let n = rng.random_range(1..14);
        let text: String = (0..n)
            .map(|_| PIECES[rng.random_range(0..PIECES.len())])
            .collect();
        let ph = find(&text, "");
        let vars = Vars::new(&ph);
        let (_, seen) = Rewriter::new(&text, &vars).scan();
        for (at, q) in seen {
            checked += 1;
            let shell = quote_at(&text, at, false);
            if shell != q {
                disagreements.push(format!("{text:?} at {at}: render {q:?}, shell {shell:?}"));
            }
        }
    }
    assert!(
        checked > 10_000,
        "too few placeholders were checked: {checked}"
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements, e.g.:\n{}",
        disagreements.len(),
        disagreements[..disagreements.len().min(12)].join("\n")
    );
}

/// A value inside backticks inside double quotes is one word, unglobbed: the backticks'
/// command is read afresh, so the renderer quotes it there.
#[test]
fn a_value_inside_backticks_is_not_split_or_globbed() {
    let text = "echo \"[`printf '%s|' <id>`]\"";
    let ph = find(text, "");
    let r = render(text, &ph, &values(&[("id", "a  * b")]));
    assert_eq!(run(&r.script, &r.env).trim(), "[a  * b|]", "{}", r.script);
}
