//! Placeholders: what the operator must fill in before a step can run.
//!
//! Found in code as `<name>`, as `$NAME`/`${NAME}`/`${NAME:-default}` referenced but not
//! assigned earlier in the same block (loop variables, `read`, `local`, `export` count as
//! assignments; well-known environment does not count as a placeholder), and as assignments
//! that a trailing comment says to replace (`PREVIOUS_VERSION=5  # Replace with actual version
//! number`), with that value as the default.

use super::model::Placeholder;
use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

pub use super::shell::PLACEHOLDER_RE;
// Constant patterns: compiled once; a typo would fail every test in this module.
static REPLACE_ASSIGN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s#]*)\s+#\s*(.*)$"#,
    )
    .expect("constant regex")
});
static REPLACE_HINT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(replace|change (this|me|to)|set (this|to)|your\b|fill in|update (this|with|to)|todo|e\.g\.|for example|adjust)").expect("constant regex")
});
static SECRET_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(password|passwd|secret|token|api[_-]?key|private[_-]?key|credential|access[_-]?key|auth[_-]?key|passphrase)").expect("constant regex")
});

/// Variables a shell or the cockpit provides: never placeholders.
const WELL_KNOWN: &[&str] = &[
    "HOME",
    "PWD",
    "OLDPWD",
    "USER",
    "LOGNAME",
    "PATH",
    "SHELL",
    "HOSTNAME",
    "RANDOM",
    "TMPDIR",
    "TEMP",
    "LANG",
    "LC_ALL",
    "TERM",
    "UID",
    "EUID",
    "PPID",
    "SECONDS",
    "LINENO",
    "IFS",
    "BASH",
    "BASHPID",
    "BASH_SOURCE",
    "FUNCNAME",
    "PIPESTATUS",
    "OSTYPE",
    "EDITOR",
    "PAGER",
    "DISPLAY",
    "REPLY",
    "OPTARG",
    "OPTIND",
    "CI",
    "HISTFILE",
    "SSH_AUTH_SOCK",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    // The environment the AWS CLI and SDKs read: set by the cockpit, the read-only role or
    // the operator's shell, never typed into a form.
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_PROFILE",
    "AWS_DEFAULT_OUTPUT",
    "AWS_PAGER",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CA_BUNDLE",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_EC2_METADATA_DISABLED",
];

#[derive(Debug)]
enum Event {
    Assign(String),
    Ref {
        name: String,
        syntax: String,
        default: Option<String>,
        before: String,
        /// Byte offset in the block.
        at: usize,
    },
    Angle {
        name: String,
        before: String,
        at: usize,
    },
}

/// Placeholders of one block, in order of first appearance. `prose` is the text around the
/// block (description, paragraphs of the procedure) searched for a hint of what to enter.
pub fn find(code: &str, prose: &str) -> Vec<Placeholder> {
    let mut out = Found::default();
    let mut replace_names = HashSet::new();
    // Assignments the text says to replace.
    for line in code.lines() {
        if let Some(c) = REPLACE_ASSIGN_RE.captures(line)
            && REPLACE_HINT_RE.is_match(&c[3])
        {
            let name = c[1].to_string();
            let value = c[2].trim_matches(|ch| ch == '"' || ch == '\'').to_string();
            replace_names.insert(name.clone());
            let at = code.find(line).unwrap_or(usize::MAX);
            out.push(
                at,
                Placeholder {
                    secret: SECRET_RE.is_match(&name),
                    syntax: format!("{name}={value}"),
                    default: (!value.is_empty()).then_some(value),
                    hint: Some(c[3].trim().to_string()),
                    name,
                    literals: Vec::new(),
                },
            );
        }
    }
    let mut assigned: HashSet<String> = HashSet::new();
    for ev in scan(code) {
        match ev {
            Event::Assign(name) => {
                assigned.insert(name);
            }
            Event::Ref {
                name,
                syntax,
                default,
                before,
                at,
            } => {
                if assigned.contains(&name)
                    || replace_names.contains(&name)
                    || WELL_KNOWN.contains(&name.as_str())
                    || shells_own(&name)
                {
                    continue;
                }
                let secret = SECRET_RE.is_match(&name) || SECRET_RE.is_match(&before);
                out.push(
                    at,
                    Placeholder {
                        name,
                        syntax,
                        default,
                        secret,
                        hint: None,
                        literals: Vec::new(),
                    },
                );
            }
            Event::Angle { name, before, at } => {
                let secret = SECRET_RE.is_match(&name) || SECRET_RE.is_match(&before);
                out.push(
                    at,
                    Placeholder {
                        syntax: format!("<{name}>"),
                        name,
                        default: None,
                        secret,
                        hint: None,
                        literals: Vec::new(),
                    },
                );
            }
        }
    }
    // `${DB_PASSWORD:0:4}` next to `<db-password>` refers to the variable that carries the
    // angle placeholder's value (`render::env_name`), not to a second value to ask for.
    let Found {
        list: mut out,
        mut first,
        ..
    } = out;
    let carried: HashSet<String> = out
        .iter()
        .filter(|p| p.syntax.starts_with('<'))
        .map(|p| super::render::variable_of(&p.name))
        .collect();
    out.retain(|p| !(p.syntax.starts_with('$') && carried.contains(&p.name)));
    add_literals(&mut out, code, prose);
    // The form asks in the order the block uses them: where each was first seen (recorded by
    // the scan: a search per placeholder made 100 000 of them quadratic), or its literals.
    out.sort_by_cached_key(|p| {
        let seen = first.remove(&p.name).unwrap_or(usize::MAX);
        p.literals
            .iter()
            .filter_map(|t| code.find(t.as_str()))
            .min()
            .map_or(seen, |l| l.min(seen))
    });
    for p in out.iter_mut().filter(|p| p.hint.is_none()) {
        p.hint = hint(prose, &p.name);
    }
    out
}

/// Prose placeholders (`sg-xxx`, `app:PREVIOUS_VERSION`): asked for like `<name>`. One that
/// names the variable of a placeholder already found (`$PREVIOUS_VERSION` beside
/// `app:PREVIOUS_VERSION`) is another spelling of it, so one value fills both.
fn add_literals(out: &mut Vec<Placeholder>, code: &str, prose: &str) {
    for lit in super::prose::find(code) {
        let var = super::render::variable_of(&lit.name);
        if shells_own(&var) || shells_own(&lit.text) {
            continue;
        }
        if let Some(p) = out.iter_mut().find(|p| {
            super::render::env_name(p).trim_start_matches(super::render::SAFE_PREFIX) == var
        }) {
            p.literals.push(lit.text);
            continue;
        }
        // Two texts of one kind (`sg-xxx`, `sg-yyy`) are two values.
        let mut name = lit.name.clone();
        let mut n = 1;
        while out.iter().any(|p| p.name == name) {
            n += 1;
            name = format!("{}-{n}", lit.name);
        }
        let hint = hint(prose, &lit.text).or_else(|| {
            Some(format!(
                "the runbook writes `{}` here ({}): enter the real value",
                lit.text,
                lit.shape.describe()
            ))
        });
        out.push(Placeholder {
            secret: SECRET_RE.is_match(&name),
            syntax: lit.text.clone(),
            default: None,
            hint,
            name,
            literals: vec![lit.text],
        });
    }
}

/// A variable that changes what bash or every tool does (`BASH_ENV`, `PATH`, `LD_PRELOAD`,
/// `PS4`…): a reference to it is the shell's own, and a bare word naming it is never a value
/// to type in.
fn shells_own(name: &str) -> bool {
    super::shell::is_vital(name) || name.starts_with("BASH")
}

/// The placeholders found so far, by name, with where each was first seen.
#[derive(Default)]
struct Found {
    list: Vec<Placeholder>,
    index: std::collections::HashMap<String, usize>,
    first: std::collections::HashMap<String, usize>,
}

impl Found {
    fn push(&mut self, at: usize, p: Placeholder) {
        let first = self.first.entry(p.name.clone()).or_insert(at);
        *first = (*first).min(at);
        match self.index.get(&p.name) {
            Some(&i) => {
                let o = &mut self.list[i];
                if o.default.is_none() && p.default.is_some() {
                    o.default = p.default;
                    o.syntax = p.syntax;
                }
                o.secret |= p.secret;
            }
            None => {
                self.index.insert(p.name.clone(), self.list.len());
                self.list.push(p);
            }
        }
    }
}

/// The first sentence of the prose that names the placeholder.
fn hint(prose: &str, name: &str) -> Option<String> {
    let needle = name.to_ascii_lowercase();
    let alt = needle.replace(['-', '_'], " ");
    prose
        .split(['\n', '.'])
        .map(str::trim)
        .find(|s| {
            let l = s.to_ascii_lowercase();
            !s.is_empty() && (l.contains(&needle) || (alt.contains(' ') && l.contains(&alt)))
        })
        .map(|s| s.to_string())
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Quote-aware scan of references, assignments and `<name>` markers in source order.
fn scan(code: &str) -> Vec<Event> {
    // Long on purpose: one quote-aware scanner; its state must stay in one place.
    let chars: Vec<char> = code.chars().collect();
    // Byte offset of each char (and of the end), for where events were seen.
    let bytes_at: Vec<usize> = code
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(code.len()))
        .collect();
    let mut out = Vec::new();
    let mut quotes = super::shell::QuoteReader::new(code);
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    let mut word_start = true;
    let mut line_words: Vec<String> = Vec::new();
    let mut word = String::new();
    let last_word = |lw: &Vec<String>, w: &str| {
        if w.is_empty() {
            lw.last().cloned().unwrap_or_default()
        } else {
            w.to_string()
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line_words.clear();
            word.clear();
            word_start = true;
            if !single && !double {
                i += 1;
                continue;
            }
        }
        // `<name>` marks a value to fill in wherever it stands, quotes included
        // (`-d '{"id": "<order-id>"}'`).
        if c == '<'
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic())
            && (i == 0 || chars[i - 1] != '<')
        {
            let rest: String = chars[i..chars.len().min(i + 80)].iter().collect();
            if let Some(m) = PLACEHOLDER_RE
                .captures(&rest)
                .filter(|m| m.get(0).is_some_and(|g| g.start() == 0))
            {
                let len = m[0].chars().count();
                out.push(Event::Angle {
                    name: m[1].to_string(),
                    before: last_word(&line_words, &word),
                    at: bytes_at[i],
                });
                word.push_str(&m[0]);
                i += len;
                continue;
            }
        }
        if single {
            if c == '\'' {
                single = false;
            }
            word.push(c);
            i += 1;
            continue;
        }
        match c {
            '\\' => {
                i += 2;
                continue;
            }
            '\'' if !double => {
                single = true;
                word.push(c);
            }
            '"' => {
                double = !double;
                word.push(c);
            }
            '#' if word_start && !double => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            // Whether `$` expands is the shell reader's call (a `'…'` inside `$(…)` or
            // backticks within double quotes is single-quoted again).
            '$' if quotes.at(bytes_at[i]) != super::shell::Quote::Single => {
                if let Some((ev, len)) =
                    reference(&chars[i..], last_word(&line_words, &word), bytes_at[i])
                {
                    out.push(ev);
                    i += len;
                    word_start = false;
                    continue;
                }
            }
            _ => {}
        }
        if c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')') {
            if !double {
                if !word.is_empty() {
                    line_words.push(std::mem::take(&mut word));
                }
                word_start = true;
            }
        } else {
            if word_start && !double {
                // Assignment at the start of a word: NAME=...
                if let Some(name) = assignment_at(&chars[i..], &line_words) {
                    out.push(Event::Assign(name));
                }
            }
            word_start = false;
            word.push(c);
        }
        i += 1;
    }
    out
}

/// `NAME=` at a word start, or a loop/read variable introduced by the previous words.
fn assignment_at(chars: &[char], line_words: &[String]) -> Option<String> {
    let name: String = chars.iter().take_while(|c| is_name_char(**c)).collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let prev = line_words.last().map(String::as_str);
    if chars.get(name.chars().count()) == Some(&'=') {
        return Some(name);
    }
    match prev {
        Some("for" | "select") => Some(name),
        _ if line_words.iter().any(|w| w == "read") => Some(name),
        _ => None,
    }
}

/// `$NAME`, `${NAME}`, `${NAME:-default}` at the start of `chars`.
fn reference(chars: &[char], before: String, at: usize) -> Option<(Event, usize)> {
    match chars.get(1)? {
        '{' => {
            let close = chars.iter().position(|c| *c == '}')?;
            let inner: String = chars[2..close].iter().collect();
            let inner_trim = inner.trim_start_matches('#');
            if inner.starts_with('!') {
                return None;
            }
            let name: String = inner_trim
                .chars()
                .take_while(|c| is_name_char(*c))
                .collect();
            if name.is_empty() || name.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let rest = &inner_trim[name.len()..];
            let default = [":-", "-", ":=", "="]
                .iter()
                .find_map(|op| rest.strip_prefix(op))
                .map(|d| d.trim_matches(|c| c == '"' || c == '\'').to_string());
            let syntax: String = chars[..=close].iter().collect();
            Some((
                Event::Ref {
                    name,
                    syntax,
                    default,
                    before,
                    at,
                },
                close + 1,
            ))
        }
        c if c.is_ascii_alphabetic() || *c == '_' => {
            let name: String = chars[1..]
                .iter()
                .take_while(|c| is_name_char(**c))
                .collect();
            let len = name.chars().count() + 1;
            Some((
                Event::Ref {
                    syntax: format!("${name}"),
                    name,
                    default: None,
                    before,
                    at,
                },
                len,
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(code: &str) -> Vec<String> {
        find(code, "").into_iter().map(|p| p.name).collect()
    }

    #[test]
    fn the_shells_own_variables_are_never_values_to_type() {
        for code in [
            "echo \"$BASH_ENV\" \"$PS4\" \"$LD_PRELOAD\" \"${PATH}\"",
            "export BASH_ENV\nrun-report --env BASH_ENV",
            "env -u BASH_ENV -u LD_PRELOAD ./check.sh",
        ] {
            assert_eq!(names(code), Vec::<String>::new(), "{code}");
        }
        assert_eq!(names("echo \"$SERVICE\""), vec!["SERVICE"]);
    }

    #[test]
    fn angle_brackets_but_not_redirections() {
        assert_eq!(
            names("aws logs tail <log-group> --follow > out.txt 2>&1 < in.txt"),
            vec!["log-group"]
        );
        assert_eq!(names("cat <<EOF\nx\nEOF"), Vec::<String>::new());
        assert_eq!(
            names("aws acm describe-certificate --certificate-arn <cert-arn>"),
            vec!["cert-arn"]
        );
        assert_eq!(names("[ $a -lt 5 ] && [ 3 > 2 ]"), vec!["a"]);
        // `<ip:port>` is a value to fill in, not a redirection from a file named `ip:port`.
        assert_eq!(names("curl -s http://<ip:port>/metrics"), vec!["ip:port"]);
        assert_eq!(
            crate::runbook::risk::classify("curl -s http://<ip:port>/metrics"),
            crate::runbook::Risk::Read
        );
    }

    #[test]
    fn single_quotes_inside_substitutions_keep_dollars_literal() {
        // bash prints `$X` and `$Y` as written in both: nothing to fill in.
        assert!(names("echo \"$(printf '%s' '$X')\"").is_empty());
        assert!(names("echo \"`echo '$Y'`\"").is_empty());
        assert_eq!(names("echo \"$(printf '%s' \"$Z\")\""), ["Z"]);
    }

    #[test]
    fn dollar_references_not_assigned_earlier() {
        let code = "DB_HOST=$(aws rds describe-db-instances --query x)\npsql -h $DB_HOST -U ${DB_USER} -d ${DB_NAME:-ledger}\nfor fn in $FUNCTIONS; do echo $fn; done\necho $HOME $AWS_REGION $1 $? '$LITERAL'";
        let p = find(code, "");
        let n: Vec<_> = p.iter().map(|p| p.name.as_str()).collect();
        // `$1`: a step gets no arguments, so a script argument is asked for too.
        assert_eq!(n, vec!["DB_USER", "DB_NAME", "FUNCTIONS", "arg-1"]);
        assert_eq!(p[0].syntax, "${DB_USER}");
        assert_eq!(p[1].syntax, "${DB_NAME:-ledger}");
        assert_eq!(p[1].default.as_deref(), Some("ledger"));
        assert_eq!(p[2].syntax, "$FUNCTIONS");
    }

    #[test]
    fn the_variable_of_an_angle_placeholder_is_not_another_placeholder() {
        assert_eq!(
            names("echo ${DB_PASSWORD:0:4}\npsql -c x <db-password>"),
            vec!["db-password"]
        );
    }

    #[test]
    fn referenced_before_assigned_is_still_a_placeholder() {
        assert_eq!(names("echo $X\nX=1\necho $X"), vec!["X"]);
    }

    #[test]
    fn assignments_the_text_says_to_replace() {
        let p = find(
            "PREVIOUS_VERSION=5  # Replace with actual version number\naws lambda update-alias --function-version $PREVIOUS_VERSION",
            "",
        );
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].name, "PREVIOUS_VERSION");
        assert_eq!(p[0].syntax, "PREVIOUS_VERSION=5");
        assert_eq!(p[0].default.as_deref(), Some("5"));
        assert_eq!(
            p[0].hint.as_deref(),
            Some("Replace with actual version number")
        );
        // A plain assignment with an ordinary comment is not a placeholder.
        assert!(find("COUNT=5  # five tasks\necho $COUNT", "").is_empty());
    }

    #[test]
    fn secrets_by_name_or_flag() {
        let p = find(
            "psql \"postgresql://u:$DB_PASSWORD@h\"\naws rds modify-db-instance --master-user-password <new-pass>\ncurl -H \"Authorization: Bearer $API_TOKEN\" $URL",
            "",
        );
        let s: Vec<_> = p.iter().map(|p| (p.name.as_str(), p.secret)).collect();
        assert_eq!(
            s,
            vec![
                ("DB_PASSWORD", true),
                ("new-pass", true),
                ("API_TOKEN", true),
                ("URL", false)
            ]
        );
    }

    #[test]
    fn hints_come_from_prose() {
        let p = find(
            "aws ecs update-service --cluster $CLUSTER_NAME",
            "Set CLUSTER_NAME to the production cluster. Then run.",
        );
        assert_eq!(
            p[0].hint.as_deref(),
            Some("Set CLUSTER_NAME to the production cluster")
        );
    }
}
