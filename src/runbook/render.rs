//! Turns a step's command and the operator's placeholder values into what runs, without ever
//! putting a value into shell source: values travel as environment variables, and every
//! reference opsdeck generates or rewrites is quoted so a value with spaces or globs stays
//! one word:
//!
//! - `<name>` becomes `"${NAME}"` (`'"${NAME}"'` inside single quotes, `${NAME}` inside double
//!   quotes and heredoc bodies);
//! - `$NAME` / `${NAME…}` references to a placeholder outside quotes become `"${NAME…}"`;
//! - `NAME=default  # Replace…` assignments become `NAME="${NAME:-'default'}"`;
//! - a quoted heredoc (`<<'EOF'`) holding `<name>` becomes an unquoted one with every `$`,
//!   `` ` `` and `\` of its body escaped, so only the placeholder expands — as data: the
//!   value can never end the heredoc or become a command.
//!
//! A placeholder whose variable would change how the shell or a tool behaves (`<path>` →
//! `PATH`, `HOME`, `IFS`, `BASH_ENV`, `LD_PRELOAD`, any `AWS_*`…) is carried under a safe
//! name, `OPSDECK_PH_<NAME>`, and its references are rewritten to it.

use super::model::Placeholder;
use super::shell::{PLACEHOLDER_RE, Quote};
use std::collections::BTreeMap;

/// Prefix of the safe variable a colliding placeholder travels in.
pub const SAFE_PREFIX: &str = "OPSDECK_PH_";

/// Names that are not vital to bash but that the cockpit sets itself or the shell defines.
const RESERVED: &[&str] = &[
    "USER",
    "LOGNAME",
    "TERM",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "PWD",
    "OLDPWD",
    "SHLVL",
    "UID",
    "EUID",
    "PPID",
    "RANDOM",
    "SECONDS",
    "LINENO",
    "HOSTNAME",
    "OPTARG",
    "OPTIND",
    "REPLY",
    "BASH",
    "BASHPID",
    "PIPESTATUS",
    "FUNCNAME",
    "GROUPS",
    "DIRSTACK",
    "HISTFILE",
    "MAIL",
];

/// The environment variable that carries a placeholder's value: `<cert-arn>` → `CERT_ARN`,
/// `$DB_HOST` → `DB_HOST`, `<path>` → `OPSDECK_PH_PATH`.
pub fn env_name(p: &Placeholder) -> String {
    let base = if p.syntax.starts_with('$') || p.syntax.contains('=') {
        p.name.clone()
    } else {
        variable_of(&p.name)
    };
    if collides(&base) {
        format!("{SAFE_PREFIX}{base}")
    } else {
        base
    }
}

/// `cert-arn` → `CERT_ARN`: the variable name an angle placeholder's value is carried in.
pub fn variable_of(name: &str) -> String {
    let mut n: String = name
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
    n
}

/// Whether a value under this name would change what the shell or a tool does.
pub fn collides(name: &str) -> bool {
    super::shell::is_vital(name)
        || name.starts_with("AWS_")
        || name.starts_with("BASH")
        || RESERVED.contains(&name)
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
    let vars = Vars::new(placeholders);
    let mut script = Rewriter::new(text, &vars).run();
    // `NAME=5  # Replace with…`: keep the author's default but let the value given win.
    for p in placeholders
        .iter()
        .filter(|p| p.syntax.contains('=') && !p.syntax.starts_with('$'))
    {
        let default = p.default.clone().unwrap_or_default();
        let var = env_name(p);
        let mut out = String::with_capacity(script.len());
        for line in script.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let indent = &line[..line.len() - trimmed.len()];
            let (export, rest) = match trimmed.strip_prefix("export ") {
                Some(r) => ("export ", r),
                None => ("", trimmed),
            };
            if let Some(after) = rest.strip_prefix(&format!("{}=", p.name)) {
                let value_len = value_len(after);
                let tail = &after[value_len..];
                let quoted = default.replace('\'', "'\\''");
                out.push_str(&format!(
                    "{indent}{export}{}=\"${{{var}:-'{quoted}'}}\"{tail}",
                    p.name
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

/// Length of an assignment's value as written (`"a b"`, `'x'`, or up to a blank or `#`).
fn value_len(after: &str) -> usize {
    let mut chars = after.char_indices();
    match chars.next() {
        Some((_, q @ ('"' | '\''))) => after[1..].find(q).map_or(after.len(), |i| i + 2),
        _ => after
            .find(|c: char| c.is_whitespace() || c == '#')
            .unwrap_or(after.len()),
    }
}

/// Placeholder names → the variables that carry them.
struct Vars {
    /// `<name>` markers.
    angle: BTreeMap<String, String>,
    /// `$NAME` references: name → variable.
    dollar: BTreeMap<String, String>,
    /// Prose spellings (`sg-xxx`, `PREVIOUS_VERSION` after `app:`) → variable, longest first.
    literal: Vec<(String, String)>,
}

impl Vars {
    fn new(placeholders: &[Placeholder]) -> Vars {
        let mut angle = BTreeMap::new();
        let mut dollar = BTreeMap::new();
        let mut literal = Vec::new();
        for p in placeholders {
            if p.syntax.starts_with('<') {
                angle.insert(p.name.clone(), env_name(p));
            } else if p.syntax.starts_with('$') {
                dollar.insert(p.name.clone(), env_name(p));
            }
            for l in &p.literals {
                literal.push((l.clone(), env_name(p)));
            }
        }
        literal.sort_by_key(|(l, _)| std::cmp::Reverse(l.len()));
        Vars {
            angle,
            dollar,
            literal,
        }
    }

    /// A prose placeholder at `at` in `text`, standing as a value (not inside a longer
    /// word, not a `$VARIABLE`): (its length, variable).
    fn literal_at(&self, text: &str, at: usize) -> Option<(usize, &str)> {
        let rest = &text[at..];
        self.literal
            .iter()
            .find(|(l, _)| {
                rest.starts_with(l.as_str()) && super::prose::boundary_ok(text, at, l.len())
            })
            .map(|(l, v)| (l.len(), v.as_str()))
    }

    /// `<name>` at the start of `s`: (its length, variable).
    fn angle_at(&self, s: &str) -> Option<(usize, &str)> {
        let m = PLACEHOLDER_RE.captures(s)?;
        let whole = m.get(0)?;
        if whole.start() != 0 {
            return None;
        }
        self.angle.get(&m[1]).map(|v| (whole.len(), v.as_str()))
    }

    /// `$NAME` or `${NAME…}` at the start of `s` (s[0] == '$'): (length, variable, the
    /// operator part of a braced reference such as `:-default`).
    fn dollar_at<'s>(&self, s: &'s str) -> Option<(usize, &str, &'s str)> {
        let rest = &s[1..];
        if let Some(inner) = rest.strip_prefix('{') {
            let name_len = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            let var = self.dollar.get(&inner[..name_len])?;
            // The closing brace, counting nested `${…}` in a default.
            let mut depth = 1;
            let mut end = None;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let end = end?;
            return Some((end + 3, var, &inner[name_len..end]));
        }
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let var = self.dollar.get(&rest[..name_len])?;
        Some((name_len + 1, var, ""))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Plain,
    Single,
    Double,
    /// `$(…)` (or `$((…))`): quoting starts afresh; the depth of parentheses.
    Subst(u32),
    /// `` `…` ``: quoting starts afresh too.
    Backtick,
}

struct Heredoc {
    delimiter: String,
    quoted: bool,
    strip_tabs: bool,
    /// Where the operator's delimiter was written in the output (to unquote it).
    out_range: (usize, usize),
}

struct Rewriter<'a> {
    text: &'a str,
    vars: &'a Vars,
    out: String,
    /// Where each placeholder was replaced and how the text was quoted there, as this
    /// scanner read it (checked against [`super::shell::quote_at`] by the tests).
    seen: Vec<(usize, Quote)>,
}

/// A placeholder's reference: bare inside double quotes, quoted outside them (never split
/// or globbed).
fn push_ref(out: &mut String, var: &str, quoted: bool) {
    if quoted {
        out.push_str(&format!("${{{var}}}"));
    } else {
        out.push_str(&format!("\"${{{var}}}\""));
    }
}

impl<'a> Rewriter<'a> {
    fn new(text: &'a str, vars: &'a Vars) -> Self {
        Rewriter {
            text,
            vars,
            out: String::with_capacity(text.len() + 32),
            seen: Vec::new(),
        }
    }

    fn run(self) -> String {
        self.scan().0
    }

    /// The rewritten text, and where each placeholder was replaced under which quoting.
    fn scan(mut self) -> (String, Vec<(usize, Quote)>) {
        // Long on purpose: one scanner over the text; its quoting state must stay in one place.
        let mut stack: Vec<Ctx> = vec![Ctx::Plain];
        let mut pending: Vec<Heredoc> = Vec::new();
        let text = self.text;
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            let Some(c) = rest.chars().next() else { break };
            let ctx = *stack.last().unwrap_or(&Ctx::Plain);
            if c == '\n' {
                self.out.push('\n');
                i += 1;
                if !pending.is_empty() && ctx != Ctx::Single && ctx != Ctx::Double {
                    i = self.bodies(i, std::mem::take(&mut pending));
                }
                continue;
            }
            if ctx == Ctx::Single {
                if c == '\'' {
                    stack.pop();
                } else if let Some((len, var)) = self
                    .vars
                    .angle_at(rest)
                    .or_else(|| self.vars.literal_at(text, i))
                {
                    self.seen.push((i, Quote::Single));
                    self.out.push_str(&format!("'\"${{{var}}}\"'"));
                    i += len;
                    continue;
                }
                self.out.push(c);
                i += c.len_utf8();
                continue;
            }
            let quoted = ctx == Ctx::Double;
            match c {
                '\\' => {
                    self.out.push(c);
                    if let Some(n) = rest[1..].chars().next() {
                        self.out.push(n);
                        i += 1 + n.len_utf8();
                    } else {
                        i += 1;
                    }
                    continue;
                }
                '\'' if !quoted => stack.push(Ctx::Single),
                '"' if quoted => {
                    stack.pop();
                }
                '"' => stack.push(Ctx::Double),
                '$' if rest[1..].starts_with('(') => {
                    self.out.push_str("$(");
                    stack.push(Ctx::Subst(1));
                    i += 2;
                    continue;
                }
                '`' if ctx == Ctx::Backtick => {
                    stack.pop();
                }
                '`' => stack.push(Ctx::Backtick),
                '(' if matches!(ctx, Ctx::Subst(_)) => {
                    if let Some(Ctx::Subst(d)) = stack.last_mut() {
                        *d += 1;
                    }
                }
                ')' if matches!(ctx, Ctx::Subst(_)) => {
                    if let Some(Ctx::Subst(d)) = stack.last_mut() {
                        *d -= 1;
                        if *d == 0 {
                            stack.pop();
                        }
                    }
                }
                '$' => {
                    if let Some((len, var, op)) = self.vars.dollar_at(rest) {
                        self.seen.push((
                            i,
                            if quoted {
                                Quote::Double
                            } else {
                                Quote::Unquoted
                            },
                        ));
                        if quoted && rest[1..].starts_with(var) {
                            // Already quoted, under its own name: left as the author wrote it.
                            self.out.push_str(&rest[..len]);
                        } else if quoted {
                            self.out.push_str(&format!("${{{var}{op}}}"));
                        } else {
                            self.out.push_str(&format!("\"${{{var}{op}}}\""));
                        }
                        i += len;
                        continue;
                    }
                    // `$1`: a script argument asked for as a placeholder.
                    if let Some((len, var)) = self.vars.literal_at(text, i) {
                        self.seen.push((
                            i,
                            if quoted {
                                Quote::Double
                            } else {
                                Quote::Unquoted
                            },
                        ));
                        push_ref(&mut self.out, var, quoted);
                        i += len;
                        continue;
                    }
                }
                // A comment runs to the end of the line, apostrophes and all.
                '#' if !quoted
                    && self.out.chars().last().is_none_or(|p| {
                        p.is_whitespace() || matches!(p, ';' | '&' | '|' | '(')
                    }) =>
                {
                    let end = rest.find('\n').unwrap_or(rest.len());
                    self.out.push_str(&rest[..end]);
                    i += end;
                    continue;
                }
                '<' if !quoted && rest.starts_with("<<") && !rest.starts_with("<<<") => {
                    i = self.heredoc_operator(i, &mut pending);
                    continue;
                }
                '<' => {
                    if let Some((len, var)) = self.vars.angle_at(rest) {
                        self.seen.push((
                            i,
                            if quoted {
                                Quote::Double
                            } else {
                                Quote::Unquoted
                            },
                        ));
                        push_ref(&mut self.out, var, quoted);
                        i += len;
                        continue;
                    }
                }
                _ => {
                    if let Some((len, var)) = self.vars.literal_at(text, i) {
                        self.seen.push((
                            i,
                            if quoted {
                                Quote::Double
                            } else {
                                Quote::Unquoted
                            },
                        ));
                        push_ref(&mut self.out, var, quoted);
                        i += len;
                        continue;
                    }
                }
            }
            self.out.push(c);
            i += c.len_utf8();
        }
        // A heredoc whose body never came (the block ends on its line).
        (self.out, self.seen)
    }

    /// `<<[-] DELIM`: copies the operator and records the heredoc; returns the next index.
    fn heredoc_operator(&mut self, start: usize, pending: &mut Vec<Heredoc>) -> usize {
        let text = self.text;
        let mut i = start + 2;
        let strip_tabs = text[i..].starts_with('-');
        if strip_tabs {
            i += 1;
        }
        let ws = text[i..].len() - text[i..].trim_start_matches([' ', '\t']).len();
        self.out.push_str(&text[start..i + ws]);
        i += ws;
        let word_len = text[i..]
            .find(|c: char| {
                c.is_whitespace() || matches!(c, ';' | '&' | '|' | '<' | '>' | '(' | ')')
            })
            .unwrap_or(text.len() - i);
        let word = &text[i..i + word_len];
        let quoted = word.contains(['\'', '"', '\\']);
        let delimiter: String = word
            .chars()
            .filter(|c| !matches!(c, '\'' | '"' | '\\'))
            .collect();
        let at = self.out.len();
        self.out.push_str(word);
        if !delimiter.is_empty() {
            pending.push(Heredoc {
                delimiter,
                quoted,
                strip_tabs,
                out_range: (at, at + word.len()),
            });
        }
        i + word_len
    }

    /// The bodies of the heredocs opened on the line just ended, from `start`; returns the
    /// index after the last terminator line.
    fn bodies(&mut self, start: usize, docs: Vec<Heredoc>) -> usize {
        let text = self.text;
        let mut i = start;
        // Delimiter rewrites, applied after all bodies (later ranges first).
        let mut unquote: Vec<(usize, usize, String)> = Vec::new();
        for doc in docs {
            let mut lines: Vec<&str> = Vec::new();
            let mut terminator: Option<&str> = None;
            while i < text.len() {
                let end = text[i..].find('\n').map_or(text.len(), |e| i + e + 1);
                let line = &text[i..end];
                i = end;
                let bare = line.trim_end_matches('\n');
                let bare = if doc.strip_tabs {
                    bare.trim_start_matches('\t')
                } else {
                    bare
                };
                if bare == doc.delimiter {
                    terminator = Some(line);
                    break;
                }
                lines.push(line);
            }
            let body: String = lines.concat();
            let has_angle = PLACEHOLDER_RE
                .captures_iter(&body)
                .any(|m| self.vars.angle.contains_key(&m[1]))
                || (0..body.len())
                    .filter(|j| body.is_char_boundary(*j))
                    .any(|j| self.vars.literal_at(&body, j).is_some());
            if doc.quoted && !has_angle {
                self.out.push_str(&body);
            } else {
                // Unquoted heredocs expand: placeholders become plain references (a heredoc
                // does not split or glob). A quoted one with a `<name>` is unquoted with its
                // body escaped, so only those references expand.
                let mut j = 0;
                while j < body.len() {
                    let rest = &body[j..];
                    let Some(c) = rest.chars().next() else { break };
                    if let Some((len, var)) = (if c == '<' {
                        self.vars.angle_at(rest)
                    } else {
                        None
                    })
                    .or_else(|| self.vars.literal_at(&body, j))
                    {
                        self.out.push_str(&format!("${{{var}}}"));
                        j += len;
                        continue;
                    }
                    if doc.quoted {
                        if matches!(c, '$' | '`' | '\\') {
                            self.out.push('\\');
                        }
                    } else if c == '\\' {
                        self.out.push(c);
                        if let Some(n) = rest[1..].chars().next() {
                            self.out.push(n);
                            j += 1 + n.len_utf8();
                            continue;
                        }
                    } else if c == '$'
                        && let Some((len, var, op)) = self.vars.dollar_at(rest)
                    {
                        self.out.push_str(&format!("${{{var}{op}}}"));
                        j += len;
                        continue;
                    }
                    self.out.push(c);
                    j += c.len_utf8();
                }
                if doc.quoted {
                    unquote.push((doc.out_range.0, doc.out_range.1, doc.delimiter.clone()));
                }
            }
            if let Some(t) = terminator {
                self.out.push_str(t);
            }
        }
        for (a, b, d) in unquote.into_iter().rev() {
            self.out.replace_range(a..b, &d);
        }
        i
    }
}

#[cfg(test)]
mod tests;
