//! Turns a step's command and the operator's placeholder values into what runs, without ever
//! putting a value into shell source: values travel as environment variables, `<name>`
//! markers become quoted references to those variables, and `NAME=default  # Replace…`
//! assignments defer to the value given.

use super::model::Placeholder;
use super::placeholders::PLACEHOLDER_RE;
use std::collections::BTreeMap;

/// The environment variable that carries a placeholder's value: `<cert-arn>` → `CERT_ARN`,
/// `$DB_HOST` → `DB_HOST`.
pub fn env_name(p: &Placeholder) -> String {
    let mut n: String = p
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if n.starts_with(|c: char| c.is_ascii_digit()) || n.is_empty() {
        n.insert(0, '_');
    }
    if p.syntax.starts_with('$') || p.syntax.contains('=') {
        p.name.clone()
    } else {
        n
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub script: String,
    pub env: BTreeMap<String, String>,
    /// Placeholders without a value (and no default): the step cannot run.
    pub missing: Vec<String>,
}

/// Rewrites `text` for execution with `values` (by placeholder name).
pub fn render(
    text: &str,
    placeholders: &[Placeholder],
    values: &BTreeMap<String, String>,
) -> Rendered {
    let mut env = BTreeMap::new();
    let mut missing = Vec::new();
    for p in placeholders {
        let v = values.get(&p.name).cloned().or_else(|| p.default.clone());
        match v {
            Some(v) => {
                env.insert(env_name(p), v);
            }
            None => missing.push(p.name.clone()),
        }
    }
    let mut script = rewrite_angles(text, placeholders);
    // `NAME=5  # Replace with…`: keep the author's default but let the value given win.
    for p in placeholders
        .iter()
        .filter(|p| p.syntax.contains('=') && !p.syntax.starts_with('$'))
    {
        let default = p.default.clone().unwrap_or_default();
        let mut out = String::with_capacity(script.len());
        for line in script.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let indent = &line[..line.len() - trimmed.len()];
            let (export, rest) = match trimmed.strip_prefix("export ") {
                Some(r) => ("export ", r),
                None => ("", trimmed),
            };
            if let Some(after) = rest.strip_prefix(&format!("{}=", p.name)) {
                let value_len = after
                    .find(|c: char| c.is_whitespace() || c == '#')
                    .unwrap_or(after.len());
                let tail = &after[value_len..];
                let quoted = default.replace('\'', "'\\''");
                out.push_str(&format!(
                    "{indent}{export}{}=\"${{{}:-'{quoted}'}}\"{tail}",
                    p.name, p.name
                ));
            } else {
                out.push_str(line);
            }
        }
        script = out;
    }
    Rendered {
        script,
        env,
        missing,
    }
}

/// `<name>` → a reference to its variable, quoted for where it stands.
fn rewrite_angles(text: &str, placeholders: &[Placeholder]) -> String {
    let vars: BTreeMap<&str, String> = placeholders
        .iter()
        .filter(|p| p.syntax.starts_with('<'))
        .map(|p| (p.name.as_str(), env_name(p)))
        .collect();
    if vars.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < text.len() {
        let c = bytes[i] as char;
        if c == '<'
            && let Some(m) = PLACEHOLDER_RE.captures(&text[i..])
            && m.get(0).is_some_and(|g| g.start() == 0)
            && let Some(var) = vars.get(&m[1])
        {
            let r = if single {
                format!("'\"${{{var}}}\"'")
            } else if double {
                format!("${{{var}}}")
            } else {
                format!("\"${{{var}}}\"")
            };
            out.push_str(&r);
            i += m[0].len();
            continue;
        }
        match c {
            '\\' if !single => {
                out.push(c);
                if let Some(n) = text[i + 1..].chars().next() {
                    out.push(n);
                    i += 1 + n.len_utf8();
                    continue;
                }
            }
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            _ => {}
        }
        let ch = text[i..].chars().next().unwrap_or(c);
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn hostile_values_stay_data() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("pwned");
        let code = "printf '%s|' <target> \"<target>\" '<target>' $TARGET_VAR ${OTHER:-x}";
        let ph = find(code, "");
        let hostile = [
            format!("$(touch {})", marker.display()),
            format!("`touch {}`", marker.display()),
            format!("x; touch {}", marker.display()),
            "a'b\"c".to_string(),
            "line1\nline2".to_string(),
            "--delete-everything".to_string(),
            "*".to_string(),
        ];
        for v in hostile {
            let values: BTreeMap<String, String> = [
                ("target".to_string(), v.clone()),
                ("TARGET_VAR".to_string(), v.clone()),
                ("OTHER".to_string(), v.clone()),
            ]
            .into();
            let r = render(code, &ph, &values);
            assert!(r.missing.is_empty());
            assert!(
                !r.script.contains(&v) || v == "*",
                "value leaked into the script: {}",
                r.script
            );
            let out = run(&r.script, &r.env);
            // Quoted uses print the value exactly; nothing was executed.
            assert!(
                out.starts_with(&format!("{v}|{v}|{v}|")),
                "{out:?} for {v:?}\n{}",
                r.script
            );
            assert!(!marker.exists(), "injection ran for {v:?}");
        }
    }

    #[test]
    fn replace_assignments_defer_to_the_given_value() {
        let code =
            "PREVIOUS_VERSION=5  # Replace with actual version number\necho v=$PREVIOUS_VERSION";
        let ph = find(code, "");
        let r = render(code, &ph, &BTreeMap::new());
        assert_eq!(run(&r.script, &r.env), "v=5\n");
        let r = render(
            code,
            &ph,
            &[("PREVIOUS_VERSION".to_string(), "7; rm -rf /".to_string())].into(),
        );
        assert_eq!(run(&r.script, &r.env), "v=7; rm -rf /\n");
    }

    #[test]
    fn missing_values_are_reported() {
        let code = "aws logs tail <log-group> --since $SINCE";
        let r = render(code, &find(code, ""), &BTreeMap::new());
        assert_eq!(r.missing, ["log-group", "SINCE"]);
        assert_eq!(r.script, "aws logs tail \"${LOG_GROUP}\" --since $SINCE");
    }
}
