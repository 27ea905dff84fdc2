//! Risk of a shell command: `read`, `write`, `destructive`, or `unknown`.
//!
//! `read` is an allowlist: a command is read only when every simple command in it is a known
//! tool with a known read-only verb and flags, and nothing in it can execute or write
//! something the classifier cannot see: traps, `source`/`.`, `eval`, awk/sed programs with
//! `system`/`w`/`e`, `find -exec` of a non-read command, output-file flags (`sort -o`,
//! `curl -o`, `openssl -out`…), `/dev/tcp`, redirections to anything but `/dev/null`,
//! `git -c`, assignments to variables that change what runs (`PATH`, `BASH_ENV`,
//! `LD_PRELOAD`…), output process substitution `>(…)`, names built from expansions.
//! Everything else is `unknown` (confirmed like a write, refused by `--read-only`).
//!
//! Every simple command of a pipeline, list, loop, `$(…)`/backtick substitution, heredoc
//! (unquoted ones expand), `bash -c` string and trap action counts, and wrappers (`sudo`,
//! `xargs`, `watch`, `timeout`, `env`…) are looked through, so `… | xargs aws lambda
//! delete-function` is destructive.

mod sql;
mod tools;
mod unix;

pub use sql::sql;

use super::model::Risk;
use crate::runbook::shell::{is_vital, tokenize};
use brush_parser::Token;

/// Classifies a whole command (as split from a block).
pub fn classify(text: &str) -> Risk {
    // `<name>` placeholders would read as redirections; make them plain words first.
    match tokenize(&super::shell::mask_placeholders(text)) {
        Ok(tokens) => classify_tokens(&tokens),
        // Unparseable text is not something to run lightly.
        Err(_) => Risk::Unknown,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    None,
    /// The next word is where output goes.
    Output,
    /// The next word is a file read (or `/dev/tcp`…).
    Input,
    /// `<>`: opened for reading and writing.
    ReadWrite,
    /// `>&` / `<&`: the next word is a descriptor (or a file, for `>&file`).
    Dup,
    /// `<<<`: the next word is data.
    HereString,
    /// `<<`: the next word is the delimiter, then the body, then the terminator.
    HereDelimiter,
    HereBody {
        quoted: bool,
    },
    HereEnd,
}

/// Classifies already tokenised text (placeholders masked).
pub fn classify_tokens(tokens: &[Token]) -> Risk {
    // Long on purpose: one state machine over the tokens; splitting it would scatter its state.
    let mut risk = Risk::Read;
    let mut words: Vec<String> = Vec::new();
    let mut pending = Pending::None;
    let mut heredoc_cmd: Vec<String> = Vec::new();
    let mut arith_depth = 0usize;
    let mut array_depth = 0usize;
    let adjacent = |a: &Token, b: &Token| span(a).1 == span(b).0;
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let next = tokens.get(i + 1);
        match t {
            Token::Operator(op, _) => {
                let op = op.as_str();
                // `(( … ))`: arithmetic, nothing runs but substitutions inside it.
                if op == "("
                    && words.is_empty()
                    && next.is_some_and(|n| is_op(n, "(") && adjacent(t, n))
                {
                    arith_depth = 2;
                    i += 2;
                    continue;
                }
                if arith_depth > 0 {
                    match op {
                        "(" => arith_depth += 1,
                        ")" => arith_depth -= 1,
                        _ => {}
                    }
                    i += 1;
                    continue;
                }
                // `name=( … )`: an array literal.
                if op == "(" && words.last().is_some_and(|w| w.ends_with('=')) {
                    array_depth = 1;
                    i += 1;
                    continue;
                }
                if array_depth > 0 {
                    if op == ")" {
                        array_depth -= 1;
                    }
                    i += 1;
                    continue;
                }
                let in_test =
                    words.first().is_some_and(|w| w == "[[") && !words.iter().any(|w| w == "]]");
                match op {
                    // Comparisons inside `[[ … ]]`, not redirections.
                    ">" | "<" if in_test => {}
                    ">" | ">>" | ">|" | "&>" | "&>>" => {
                        if next.is_some_and(|n| is_op(n, "(") && adjacent(t, n)) {
                            // `>(cmd)`: output fed to a command.
                            risk = risk.max(Risk::Unknown);
                        } else {
                            pending = Pending::Output;
                        }
                    }
                    "<" => {
                        // `<(cmd)` is walked as the commands it holds; `< file` reads.
                        if !next.is_some_and(|n| is_op(n, "(") && adjacent(t, n)) {
                            pending = Pending::Input;
                        }
                    }
                    "<>" => pending = Pending::ReadWrite,
                    ">&" | "<&" => pending = Pending::Dup,
                    "<<<" => pending = Pending::HereString,
                    "<<" | "<<-" => {
                        heredoc_cmd = words.clone();
                        pending = Pending::HereDelimiter;
                    }
                    _ => {
                        risk = risk.max(simple(&words));
                        words.clear();
                    }
                }
            }
            Token::Word(w, _) => {
                // A quoted heredoc's body is data: nothing in it expands.
                let data = matches!(
                    pending,
                    Pending::HereBody { quoted: true } | Pending::HereEnd
                );
                if !data {
                    for inner in substitutions(w) {
                        risk = risk.max(classify(&inner));
                    }
                }
                if arith_depth > 0 || array_depth > 0 {
                    i += 1;
                    continue;
                }
                // A descriptor number glued to a redirection (`2>&1`, `2>/dev/null`).
                if pending == Pending::None
                    && !w.is_empty()
                    && w.bytes().all(|b| b.is_ascii_digit())
                    && next.is_some_and(|n| is_redirection(n) && adjacent(t, n))
                {
                    i += 1;
                    continue;
                }
                match std::mem::replace(&mut pending, Pending::None) {
                    Pending::None => words.push(w.clone()),
                    Pending::Output => risk = risk.max(output_target(w)),
                    Pending::Input => risk = risk.max(input_target(w)),
                    Pending::ReadWrite => {
                        risk = risk.max(output_target(w).max(input_target(w)));
                    }
                    Pending::Dup => {
                        if !(w == "-" || w.bytes().all(|b| b.is_ascii_digit())) {
                            risk = risk.max(output_target(w));
                        }
                    }
                    Pending::HereString => {}
                    Pending::HereDelimiter => {
                        pending = Pending::HereBody {
                            quoted: w.contains(['\'', '"', '\\']),
                        };
                    }
                    Pending::HereBody { quoted } => {
                        // An unquoted heredoc expands: its substitutions run (counted
                        // above); a quoted one is data. What reads it decides the rest.
                        let _ = quoted;
                        risk = risk.max(heredoc_body(&heredoc_cmd, w));
                        pending = Pending::HereEnd;
                    }
                    Pending::HereEnd => {}
                }
            }
        }
        i += 1;
    }
    if arith_depth > 0 || array_depth > 0 {
        return risk.max(Risk::Unknown);
    }
    risk.max(simple(&words))
}

fn span(t: &Token) -> (usize, usize) {
    let s = match t {
        Token::Operator(_, s) | Token::Word(_, s) => s,
    };
    (s.start.index, s.end.index)
}

fn is_op(t: &Token, want: &str) -> bool {
    matches!(t, Token::Operator(o, _) if o == want)
}

fn is_redirection(t: &Token) -> bool {
    matches!(t, Token::Operator(o, _) if matches!(o.as_str(),
        ">" | ">>" | ">|" | "&>" | "&>>" | "<" | "<>" | ">&" | "<&" | "<<" | "<<-" | "<<<"))
}

/// Where output is redirected: only the null device and the standard streams are not a write.
fn output_target(raw: &str) -> Risk {
    let Some(w) = literal(raw).filter(|l| !l.glob).map(|l| l.text) else {
        return Risk::Unknown;
    };
    if matches!(
        w.as_str(),
        "/dev/null" | "/dev/stdout" | "/dev/stderr" | "/dev/fd/1" | "/dev/fd/2"
    ) {
        return Risk::Read;
    }
    if w.starts_with("/dev/tcp/") || w.starts_with("/dev/udp/") {
        return Risk::Unknown;
    }
    // Block devices and memory: overwriting them destroys data.
    if [
        "/dev/sd",
        "/dev/nvme",
        "/dev/xvd",
        "/dev/vd",
        "/dev/hd",
        "/dev/disk",
        "/dev/mem",
        "/dev/md",
    ]
    .iter()
    .any(|p| w.starts_with(p))
    {
        return Risk::Destructive;
    }
    Risk::Write
}

/// Reading a file is read, unless it opens a network connection.
fn input_target(raw: &str) -> Risk {
    match literal(raw) {
        Some(l) if l.text.starts_with("/dev/tcp/") || l.text.starts_with("/dev/udp/") => {
            Risk::Unknown
        }
        Some(_) => Risk::Read,
        None if raw.contains("/dev/tcp") || raw.contains("/dev/udp") => Risk::Unknown,
        None => Risk::Read,
    }
}

pub(crate) use super::shell::substitutions;

/// A word as the shell passes it, when that is known without running anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Literal {
    pub text: String,
    /// An unquoted `*`, `?`, `[` or `{a,b}`: the shell may expand it to other words.
    pub glob: bool,
}

/// Quotes removed and escapes resolved; `None` when the word holds an expansion (`$x`,
/// `$(…)`, backticks, `$'…'`) whose value is not known here.
pub(crate) fn literal(word: &str) -> Option<Literal> {
    let mut out = String::with_capacity(word.len());
    let mut glob = false;
    let chars = without_line_continuations(word);
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if single {
            if c == '\'' {
                single = false;
            } else {
                out.push(c);
            }
            i += 1;
            continue;
        }
        match c {
            '\'' if !double => single = true,
            '"' => double = !double,
            '\\' => match chars.get(i + 1) {
                Some(&n) => {
                    if double && !matches!(n, '$' | '`' | '"' | '\\') {
                        out.push('\\');
                    }
                    out.push(n);
                    i += 1;
                }
                // A backslash that ends the text stays, as bash leaves it.
                None => out.push('\\'),
            },
            // Unquoted blanks split the text: it is not one word.
            ' ' | '\t' | '\n' if !double => return None,
            '`' => return None,
            '$' => match chars.get(i + 1) {
                Some(n)
                    if n.is_ascii_alphanumeric()
                        || matches!(
                            n,
                            '_' | '{' | '(' | '@' | '*' | '#' | '?' | '!' | '$' | '-' | '\'' | '"'
                        ) =>
                {
                    return None;
                }
                _ => out.push('$'),
            },
            '*' | '?' if !double => {
                glob = true;
                out.push(c);
            }
            '[' if !double && chars[i + 1..].contains(&']') => {
                glob = true;
                out.push(c);
            }
            '{' if !double && chars[i..].contains(&',') && chars[i..].contains(&'}') => {
                glob = true;
                out.push(c);
            }
            _ => out.push(c),
        }
        i += 1;
    }
    if single || double {
        return None;
    }
    Some(Literal { text: out, glob })
}

/// The word's characters with bash's line continuations (a backslash before a newline,
/// outside single quotes) taken out: bash joins those lines before it reads anything else,
/// so `$\<newline>HOME` is `$HOME`.
fn without_line_continuations(word: &str) -> Vec<char> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '\\' if !single => {
                match chars.get(i + 1) {
                    Some('\n') => {}
                    Some(&n) => {
                        out.push(c);
                        out.push(n);
                    }
                    None => out.push(c),
                }
                i += 2;
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    out
}

/// An argument's value for matching: the literal when known, else the raw word.
fn arg_text(raw: &str) -> String {
    literal(raw)
        .map(|l| l.text)
        .unwrap_or_else(|| raw.to_string())
}

fn heredoc_body(cmd: &[String], body: &str) -> Risk {
    let name = cmd
        .iter()
        .find(|w| !is_assignment(w) && !KEYWORDS.contains(&w.as_str()))
        .and_then(|w| literal(w))
        .map(|l| basename(&l.text))
        .unwrap_or_default();
    match name.as_str() {
        "psql" | "mysql" | "sqlite3" | "mariadb" => sql(body),
        "redis-cli" => body
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| tools::redis(&l.split_whitespace().map(str::to_string).collect::<Vec<_>>()))
            .max()
            .unwrap_or(Risk::Read),
        "bash" | "sh" | "zsh" | "dash" | "ksh" => classify(body),
        // Data for a command that only reads its input (cat, jq, grep…): its own words decide.
        _ => Risk::Read,
    }
}

pub(crate) fn basename(w: &str) -> String {
    w.rsplit('/').next().unwrap_or(w).to_string()
}

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "esac",
    "in", "time",
];

pub(crate) fn is_assignment(w: &str) -> bool {
    assignment_name(w).is_some()
}

/// `NAME=…` or `NAME+=…` → NAME.
fn assignment_name(w: &str) -> Option<&str> {
    let (name, _) = w.split_once('=')?;
    let name = name.strip_suffix('+').unwrap_or(name);
    let ok = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    ok.then_some(name)
}

/// One simple command's words (as written: quotes still in them).
pub(super) fn simple(words: &[String]) -> Risk {
    let mut w: &[String] = words;
    // `for x in a b c` lists values, not commands; `case` patterns likewise.
    if matches!(
        w.first().map(String::as_str),
        Some("for" | "case" | "select")
    ) {
        return Risk::Read;
    }
    while w.first().is_some_and(|f| KEYWORDS.contains(&f.as_str())) {
        w = &w[1..];
    }
    // Leading assignments: `X=1 cmd`, or a bare `X=$(…)` (its substitution is classified
    // separately). Assigning PATH, BASH_ENV, LD_PRELOAD… changes what runs.
    let mut risk = Risk::Read;
    while let Some(name) = w.first().and_then(|f| assignment_name(f)) {
        if is_vital(name) {
            risk = Risk::Unknown;
        }
        w = &w[1..];
    }
    if w.is_empty() {
        return risk;
    }
    risk.max(command(w))
}

/// A command and its arguments, after keywords and assignments.
fn command(w: &[String]) -> Risk {
    let Some(name) = literal(&w[0]) else {
        // `$CMD args`, `$(which x)`: what runs is not known here.
        return Risk::Unknown;
    };
    if name.glob || name.text.is_empty() {
        return Risk::Unknown;
    }
    let cmd = basename(&name.text);
    let raw = &w[1..];
    let args: Vec<String> = raw.iter().map(|a| arg_text(a)).collect();
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    // Flags that make anything destructive.
    if a.iter().any(|x| {
        *x == "--force"
            || x.starts_with("--master-user-password")
            || x.starts_with("--master-password")
    }) {
        return Risk::Destructive;
    }
    if let Some(r) = wrapper(&cmd, raw, &a) {
        return r;
    }
    if let Some(r) = shell_builtin(&cmd, raw, &a) {
        return r;
    }
    match cmd.as_str() {
        "aws" => tools::aws(&a),
        "kubectl" | "oc" => tools::kubectl(&a),
        "docker" if a.first() == Some(&"compose") => tools::compose(&a[1..]),
        "docker" | "podman" => tools::docker(&a),
        "docker-compose" => tools::compose(&a),
        "terraform" | "tofu" => tools::terraform(&a),
        "redis-cli" | "valkey-cli" => tools::redis_cli(&a),
        "psql" => sql::psql(&a),
        "mysql" | "mariadb" => sql::mysql(&a),
        "pg_isready" => Risk::Read,
        "git" => tools::git(&a),
        "curl" => tools::curl(&a),
        "http" | "https" => tools::httpie(&a),
        "wget" => tools::wget(&a),
        "systemctl" | "service" => tools::systemctl(&a),
        "helm" => tools::helm(&a),
        "ssh" => tools::ssh(&a),
        "gh" => tools::gh(&a),
        "bash" | "sh" | "zsh" | "dash" | "ksh" => shell(raw, &a),
        _ => unix::classify(&cmd, raw, &a),
    }
}

/// `bash -c STRING` runs STRING: classify it. A script file or standard input is not seen.
fn shell(raw: &[String], a: &[&str]) -> Risk {
    let mut i = 0;
    while i < a.len() {
        let x = a[i];
        if x == "-c" || (x.starts_with('-') && !x.starts_with("--") && x.ends_with('c')) {
            return match raw.get(i + 1).and_then(|r| literal(r)) {
                Some(l) => classify(&l.text),
                None => Risk::Unknown,
            };
        }
        if !x.starts_with('-') {
            // A script file: its contents are not in the runbook.
            return Risk::Unknown;
        }
        i += 1;
    }
    // `bash <<EOF`: the heredoc body is classified where it is read; `bash -s` or plain
    // `bash` read commands from standard input, which a pipe may feed.
    Risk::Unknown
}

/// Builtins and shell statements.
fn shell_builtin(cmd: &str, raw: &[String], a: &[&str]) -> Option<Risk> {
    Some(match cmd {
        // Code given as text or read from a file, or a process leaving its group: not seen.
        "eval" | "source" | "." | "alias" | "enable" | "fc" | "coproc" | "history" | "hash"
        | "bind" | "complete" | "setsid" | "disown" => Risk::Unknown,
        // A trap's action runs later: classify it like any command.
        "trap" => {
            let action = raw
                .iter()
                .zip(a)
                .find(|(_, x)| !matches!(**x, "-p" | "-l" | "-P" | "--"));
            match action {
                None => Risk::Read,
                Some((r, x)) => match literal(r) {
                    Some(_) if *x == "-" || x.is_empty() => Risk::Read,
                    Some(l) => classify(&l.text),
                    None => Risk::Unknown,
                },
            }
        }
        "shopt" => {
            if a.iter().all(|x| matches!(*x, "-p" | "-q")) || a.contains(&"-p") {
                Risk::Read
            } else {
                Risk::Unknown
            }
        }
        // Declarations: harmless unless they set what runs.
        "export" | "local" | "declare" | "typeset" | "readonly" => {
            if a.iter()
                .filter_map(|x| assignment_name(x).or(Some(*x).filter(|x| !x.starts_with('-'))))
                .any(is_vital)
            {
                Risk::Unknown
            } else {
                Risk::Read
            }
        }
        "unset" | "set" | "read" | "return" | "exit" | "shift" | "wait" | "true" | "false"
        | ":" | "cd" | "pushd" | "popd" | "dirs" | "pwd" | "test" | "[" | "[[" | "]]" | "echo"
        | "printf" | "type" | "umask" | "ulimit" | "let" | "getopts" | "jobs" | "break"
        | "continue" | "help" | "caller" | "times" | "mapfile" | "readarray" => Risk::Read,
        _ => return None,
    })
}

/// Commands that run another command: classify what they run (with their own flags
/// skipped), or `None` when `cmd` is not a wrapper.
fn wrapper(cmd: &str, raw: &[String], a: &[&str]) -> Option<Risk> {
    // Flags of each wrapper that take a value.
    let with_value: &[&str] = match cmd {
        "sudo" | "doas" => &[
            "-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "--user", "--group",
            "--host", "--prompt", "--chdir",
        ],
        "nice" => &["-n", "--adjustment"],
        "ionice" => &["-c", "-n", "-p", "-P", "-u", "--class", "--classdata"],
        "stdbuf" => &["-i", "-o", "-e"],
        "timeout" => &["-s", "-k", "--signal", "--kill-after"],
        "watch" => &["-n", "--interval", "-q", "--equexit"],
        "xargs" => &[
            "-I",
            "-n",
            "-P",
            "-L",
            "-d",
            "-E",
            "-s",
            "-a",
            "--max-args",
            "--max-procs",
            "--delimiter",
            "--arg-file",
            "--replace",
        ],
        "env" => &["-u", "--unset", "-C", "--chdir"],
        "nohup" | "time" | "command" | "builtin" | "exec" | "caffeinate" | "unbuffer" => &[],
        _ => return None,
    };
    if cmd == "command" && a.iter().any(|x| matches!(*x, "-v" | "-V")) {
        return Some(Risk::Read);
    }
    if cmd == "env"
        && a.iter()
            .any(|x| matches!(*x, "-S" | "--split-string") || x.starts_with("-S"))
    {
        return Some(Risk::Unknown);
    }
    if (cmd == "sudo" || cmd == "doas")
        && a.iter()
            .any(|x| matches!(*x, "-s" | "-i" | "-e" | "--shell" | "--login" | "--edit"))
    {
        return Some(Risk::Unknown);
    }
    let mut i = 0;
    while i < a.len() && a[i].starts_with('-') && a[i] != "--" {
        let takes = with_value.contains(&a[i])
            || (cmd == "watch" && matches!(a[i], "-n"))
            || (cmd == "xargs" && (a[i].starts_with("-I") && a[i].len() == 2));
        i += if takes { 2 } else { 1 };
    }
    if a.get(i) == Some(&"--") {
        i += 1;
    }
    if cmd == "timeout" {
        i += 1; // the duration
    }
    let mut risk = Risk::Read;
    if cmd == "env" {
        // `env X=1 cmd`: the assignments apply to what runs.
        while let Some(name) = a.get(i).and_then(|x| assignment_name(x)) {
            if is_vital(name) {
                risk = Risk::Unknown;
            }
            i += 1;
        }
    }
    let rest = &raw[i.min(raw.len())..];
    if rest.is_empty() {
        // `env` prints the environment; `xargs` alone echoes; `watch` or `sudo` alone do
        // nothing of their own.
        return Some(risk);
    }
    // `watch 'aws ecs describe-services …'`: one string run by `sh -c`.
    if cmd == "watch" && rest.len() == 1 {
        return Some(match literal(&rest[0]) {
            Some(l) => risk.max(classify(&l.text)),
            None => Risk::Unknown,
        });
    }
    Some(risk.max(simple(rest)))
}

#[cfg(test)]
mod tests;
