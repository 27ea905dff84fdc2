//! Risk of a shell command: `read`, `write`, `destructive`, or `unknown` when the command is
//! not recognised (confirmed like write). Every simple command of a pipeline, list, loop and
//! `$(…)`/backtick substitution counts, and wrappers (`sudo`, `xargs`, `watch`, `timeout`…)
//! are looked through, so `… | xargs aws lambda delete-function` is destructive.

use super::model::Risk;
use super::shell::tokenize;
use brush_parser::Token;

/// Classifies a whole command (as split from a block).
pub fn classify(text: &str) -> Risk {
    // Plain words (the usual `$(date -u +%s)` body): no tokenizer needed.
    if !text.contains(['|', ';', '&', '<', '>', '`', '$', '(', ')', '\n', '\\', '#']) {
        let words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
        if !words.iter().any(|w| {
            w.starts_with('\'') != w.ends_with('\'') || w.starts_with('"') != w.ends_with('"')
        }) {
            return simple(&words);
        }
    }
    // `<name>` placeholders would read as redirections; make them plain words first.
    match tokenize(&super::shell::mask_placeholders(text)) {
        Ok(tokens) => classify_tokens(&tokens),
        // Unparseable text is not something to run lightly.
        Err(_) => Risk::Unknown,
    }
}

/// Classifies already tokenised text (placeholders masked).
pub fn classify_tokens(tokens: &[Token]) -> Risk {
    let mut risk = Risk::Read;
    let mut words: Vec<String> = Vec::new();
    let mut redirect_next = false;
    let mut heredoc_for: Option<Vec<String>> = None;
    for t in tokens {
        match t {
            Token::Operator(op, _) => {
                match op.as_str() {
                    ">" | ">>" | ">|" | "&>" | "&>>" => redirect_next = true,
                    "<<" | "<<-" => heredoc_for = Some(words.clone()),
                    _ => {
                        if !matches!(op.as_str(), "<" | "<&" | ">&" | "<>") {
                            risk = risk.max(simple(&words));
                            words.clear();
                        }
                    }
                }
                continue;
            }
            Token::Word(w, _) => {
                for inner in substitutions(w) {
                    risk = risk.max(classify(&inner));
                }
                if redirect_next {
                    redirect_next = false;
                    if !(w.starts_with("/dev/") || w.starts_with('&')) {
                        risk = risk.max(Risk::Write);
                    }
                    continue;
                }
                if let Some(cmd) = heredoc_for.take() {
                    // The delimiter word, then the body: SQL fed to a client counts.
                    if w.contains('\n') {
                        risk = risk.max(heredoc_body(&cmd, w));
                    } else {
                        heredoc_for = Some(cmd);
                    }
                    continue;
                }
                words.push(w.clone());
            }
        }
    }
    risk.max(simple(&words))
}

/// `$(…)` and backtick substitutions inside a word.
pub(crate) fn substitutions(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = word.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && b.get(i + 1) == Some(&b'(') && b.get(i + 2) != Some(&b'(') {
            let mut depth = 0;
            let start = i + 2;
            let mut j = i + 1;
            while j < b.len() {
                match b[j] {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            out.push(word[start..j.min(b.len())].to_string());
            i = j + 1;
        } else if b[i] == b'`' {
            let start = i + 1;
            let end = word[start..].find('`').map_or(word.len(), |e| start + e);
            out.push(word[start..end].to_string());
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

fn unquote(w: &str) -> String {
    w.trim_matches(|c| c == '"' || c == '\'').to_string()
}

fn heredoc_body(cmd: &[String], body: &str) -> Risk {
    let name = cmd
        .iter()
        .find(|w| !w.contains('='))
        .map(|w| basename(w))
        .unwrap_or_default();
    match name.as_str() {
        "psql" | "mysql" | "sqlite3" => sql(body),
        "redis-cli" => body
            .lines()
            .map(|l| redis(&l.split_whitespace().map(str::to_string).collect::<Vec<_>>()))
            .max()
            .unwrap_or(Risk::Read),
        "bash" | "sh" => classify(body),
        _ => Risk::Read,
    }
}

fn basename(w: &str) -> String {
    unquote(w).rsplit('/').next().unwrap_or(w).to_string()
}

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "esac",
    "in", "time",
];

/// One simple command's words.
fn simple(words: &[String]) -> Risk {
    let mut w: Vec<String> = words.iter().map(|s| unquote(s)).collect();
    // `for x in a b c` lists values, not commands; `case` patterns likewise.
    if matches!(
        w.first().map(String::as_str),
        Some("for" | "case" | "select")
    ) {
        return Risk::Read;
    }
    while w.first().is_some_and(|f| KEYWORDS.contains(&f.as_str())) {
        w.remove(0);
    }
    // Leading assignments: `X=1 cmd`, or a bare `X=$(…)` (its substitution is classified
    // separately).
    while w.first().is_some_and(|f| is_assignment(f)) {
        w.remove(0);
    }
    strip_wrappers(&mut w);
    let Some(cmd) = w.first().map(|c| basename(c)) else {
        return Risk::Read;
    };
    let args: Vec<&str> = w[1..].iter().map(String::as_str).collect();
    // Flags that make anything destructive.
    if args.iter().any(|a| {
        *a == "--force"
            || a.starts_with("--master-user-password")
            || a.starts_with("--master-password")
    }) {
        return Risk::Destructive;
    }
    match cmd.as_str() {
        "aws" => aws(&args),
        "kubectl" | "oc" => kubectl(&args),
        "docker" if args.first() == Some(&"compose") => compose(&args[1..]),
        "docker" => docker(&args),
        "docker-compose" => compose(&args),
        "terraform" | "tofu" => terraform(&args),
        "redis-cli" => redis(&positional_after_options(
            &args,
            &["-h", "-p", "-a", "-n", "-u", "--user", "--pass"],
        )),
        "psql" => psql(&args),
        "mysql" => args
            .iter()
            .position(|a| *a == "-e")
            .and_then(|i| args.get(i + 1))
            .map_or(Risk::Unknown, |q| sql(q)),
        "git" => git(&args),
        "curl" | "http" | "wget" => curl(&cmd, &args),
        "systemctl" | "service" => systemctl(&args),
        "helm" => helm(&args),
        "rm" | "rmdir" | "shred" | "kill" | "pkill" | "killall" | "dd" | "mkfs" | "truncate"
        | "reboot" | "shutdown" | "halt" | "poweroff" | "userdel" => Risk::Destructive,
        "find" if args.contains(&"-delete") || args.contains(&"-exec") => Risk::Destructive,
        "sed" | "perl" if args.iter().any(|a| a.starts_with("-i")) => Risk::Write,
        "cp" | "mv" | "mkdir" | "touch" | "chmod" | "chown" | "ln" | "tar" | "zip" | "unzip"
        | "gzip" | "gunzip" | "tee" | "install" | "rsync" | "scp" | "crontab" | "npm" | "pip"
        | "apt-get" | "yum" | "make" | "export" => Risk::Write,
        "ssh" | "psql-interactive" => Risk::Write,
        c if READ_TOOLS.contains(&c) => Risk::Read,
        _ => Risk::Unknown,
    }
}

fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Commands that only read or print.
const READ_TOOLS: &[&str] = &[
    "cat",
    "echo",
    "printf",
    "grep",
    "egrep",
    "fgrep",
    "zgrep",
    "rg",
    "ls",
    "ll",
    "head",
    "tail",
    "less",
    "more",
    "wc",
    "jq",
    "yq",
    "date",
    "sleep",
    "cd",
    "pwd",
    "which",
    "type",
    "test",
    "[",
    "[[",
    "true",
    "false",
    "sort",
    "uniq",
    "awk",
    "sed",
    "cut",
    "tr",
    "column",
    "find",
    "env",
    "printenv",
    "set",
    "dig",
    "nslookup",
    "host",
    "ping",
    "traceroute",
    "nc",
    "ss",
    "netstat",
    "ps",
    "top",
    "htop",
    "df",
    "du",
    "free",
    "uptime",
    "whoami",
    "id",
    "hostname",
    "stat",
    "file",
    "base64",
    "md5sum",
    "sha256sum",
    "diff",
    "tree",
    "read",
    "local",
    "return",
    "exit",
    "shift",
    "source",
    ".",
    "alias",
    "basename",
    "dirname",
    "realpath",
    "readlink",
    "seq",
    "xxd",
    "od",
    "nproc",
    "lsof",
    "vmstat",
    "iostat",
    "journalctl",
    "dmesg",
    "openssl",
    "timeout",
    "wait",
    "watch",
    "history",
    "man",
    "help",
    "declare",
    "unset",
    "trap",
    "getent",
    "nmap",
];

/// Commands that run another command: classify what they run.
fn strip_wrappers(w: &mut Vec<String>) {
    loop {
        let Some(first) = w.first().map(|f| basename(f)) else {
            return;
        };
        let skip = match first.as_str() {
            "sudo" | "nohup" | "time" | "exec" | "command" | "builtin" | "nice" | "ionice"
            | "stdbuf" => 1 + w[1..].iter().take_while(|a| a.starts_with('-')).count(),
            "env" => {
                1 + w[1..]
                    .iter()
                    .take_while(|a| a.starts_with('-') || is_assignment(a))
                    .count()
            }
            "timeout" => 1 + w[1..].iter().take_while(|a| a.starts_with('-')).count() + 1,
            "watch" => {
                let mut i = 1;
                while i < w.len() && w[i].starts_with('-') {
                    i += if matches!(w[i].as_str(), "-n" | "--interval" | "-d" | "--differences")
                        && w[i] != "-d"
                    {
                        2
                    } else {
                        1
                    };
                }
                i
            }
            "xargs" => {
                let mut i = 1;
                while i < w.len() && w[i].starts_with('-') {
                    let takes_value = matches!(
                        w[i].as_str(),
                        "-I" | "-n" | "-P" | "-L" | "-d" | "-E" | "-s" | "-a"
                    );
                    i += if takes_value { 2 } else { 1 };
                }
                i
            }
            _ => return,
        };
        if skip >= w.len() {
            // `watch` or `xargs` alone still only read.
            w.clear();
            return;
        }
        w.drain(..skip);
    }
}

fn positional_after_options(args: &[&str], with_value: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if with_value.contains(&a) {
            i += 2;
            continue;
        }
        if a.starts_with('-') {
            i += 1;
            continue;
        }
        out.push(a.to_string());
        i += 1;
    }
    out
}

fn verb_risk(verb: &str) -> Option<Risk> {
    const DESTRUCTIVE: &[&str] = &[
        "delete",
        "remove",
        "terminate",
        "stop",
        "disable",
        "deregister",
        "restore",
        "purge",
        "revoke",
        "detach",
        "promote",
        "reset",
        "deactivate",
        "reboot",
        "cancel",
        "abort",
        "flush",
        "destroy",
        "drop",
        "kill",
        "force",
    ];
    const READ: &[&str] = &[
        "describe",
        "get",
        "list",
        "filter",
        "lookup",
        "search",
        "tail",
        "wait",
        "test",
        "validate",
        "estimate",
        "simulate",
        "preview",
        "check",
        "batch-get",
        "query",
        "scan",
        "select",
        "view",
        "show",
        "download-db-log-file-portion",
    ];
    const WRITE: &[&str] = &[
        "update",
        "put",
        "create",
        "publish",
        "invoke",
        "start",
        "register",
        "tag",
        "untag",
        "modify",
        "set",
        "enable",
        "attach",
        "associate",
        "add",
        "import",
        "export",
        "send",
        "run",
        "execute",
        "copy",
        "upload",
        "change",
        "increase",
        "decrease",
        "rotate",
        "deploy",
        "apply",
        "authorize",
        "allocate",
        "assign",
        "batch-write",
        "initiate",
        "replace",
        "request",
        "resume",
        "retry",
        "schedule",
        "accept",
        "activate",
        "reboot-broker",
        "sync",
        "cp",
        "mv",
        "mb",
        "login",
        "package",
        "push",
        "restart",
        "redrive",
        "replicate",
    ];
    let head = verb.split('-').next().unwrap_or(verb);
    if verb.starts_with("promote-read-replica") {
        return Some(Risk::Destructive);
    }
    if DESTRUCTIVE.contains(&head) {
        return Some(Risk::Destructive);
    }
    if READ.contains(&head) || READ.contains(&verb) {
        return Some(Risk::Read);
    }
    if WRITE.contains(&head) || WRITE.contains(&verb) {
        return Some(Risk::Write);
    }
    None
}

fn aws(args: &[&str]) -> Risk {
    let pos = positional_after_options(
        args,
        &[
            "--profile",
            "--region",
            "--endpoint-url",
            "--output",
            "--query",
            "--color",
        ],
    );
    let (Some(service), Some(verb)) = (pos.first(), pos.get(1)) else {
        return Risk::Unknown;
    };
    let has = |flag: &str| args.contains(&flag);
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| *a == flag)
            .and_then(|i| args.get(i + 1))
            .copied()
            .or_else(|| {
                args.iter()
                    .find_map(|a| a.strip_prefix(flag).and_then(|r| r.strip_prefix('=')))
            })
    };
    // Scaling to zero takes a service down.
    for flag in [
        "--desired-count",
        "--desired-capacity",
        "--min-size",
        "--max-size",
    ] {
        if value_of(flag).is_some_and(|v| v.trim_matches(|c| c == '"' || c == '\'') == "0") {
            return Risk::Destructive;
        }
    }
    if value_of("--reserved-concurrent-executions").is_some_and(|v| v == "0") {
        return Risk::Destructive;
    }
    match (service.as_str(), verb.as_str()) {
        ("s3", "ls" | "presign") => Risk::Read,
        ("s3", "rm" | "rb") => Risk::Destructive,
        ("s3", "sync") if has("--delete") => Risk::Destructive,
        ("s3", "cp" | "mv" | "sync" | "mb" | "website") => Risk::Write,
        ("logs", "tail") => Risk::Read,
        ("logs", "start-query" | "get-query-results" | "stop-query") => Risk::Read,
        ("ecr", "get-login-password") | ("sts", _) => Risk::Read,
        ("ecs", "execute-command") | ("ssm", "start-session") => Risk::Write,
        ("configure", "list" | "get") => Risk::Read,
        ("configure", _) => Risk::Write,
        ("deploy", _) if verb == "deploy" => Risk::Write,
        (_, "help") => Risk::Read,
        _ => verb_risk(verb).unwrap_or(Risk::Unknown),
    }
}

fn kubectl(args: &[&str]) -> Risk {
    let pos = positional_after_options(
        args,
        &[
            "-n",
            "--namespace",
            "--context",
            "-l",
            "--selector",
            "-o",
            "--output",
            "-c",
            "--container",
            "--kubeconfig",
        ],
    );
    let sub = pos.first().map(String::as_str).unwrap_or("");
    let joined = args.join(" ");
    if joined.contains("--replicas=0") || joined.contains("--replicas 0") {
        return Risk::Destructive;
    }
    match sub {
        "get" | "describe" | "logs" | "top" | "explain" | "version" | "api-resources"
        | "api-versions" | "cluster-info" | "diff" | "auth" | "events" | "wait" => Risk::Read,
        "rollout" => match pos.get(1).map(String::as_str) {
            Some("status" | "history") => Risk::Read,
            Some("undo") => Risk::Destructive,
            _ => Risk::Write,
        },
        "delete" | "drain" | "replace" if sub != "replace" || args.contains(&"--force") => {
            Risk::Destructive
        }
        "delete" | "drain" => Risk::Destructive,
        "config"
            if pos
                .get(1)
                .is_some_and(|s| s.starts_with("get") || s == "view" || s == "current-context") =>
        {
            Risk::Read
        }
        "apply" | "create" | "patch" | "edit" | "set" | "label" | "annotate" | "expose"
        | "autoscale" | "scale" | "cordon" | "uncordon" | "exec" | "port-forward" | "attach"
        | "cp" | "run" | "replace" | "config" | "taint" => Risk::Write,
        _ => Risk::Unknown,
    }
}

fn docker(args: &[&str]) -> Risk {
    let pos = positional_after_options(args, &["-H", "--host", "--context"]);
    match pos.first().map(String::as_str).unwrap_or("") {
        "ps" | "images" | "logs" | "inspect" | "stats" | "top" | "version" | "info" | "events"
        | "history" | "diff" | "port" | "search" => Risk::Read,
        "rm" | "rmi" | "kill" | "stop" | "prune" => Risk::Destructive,
        "system" | "volume" | "network" | "image" | "container"
            if pos.get(1).is_some_and(|s| s == "prune" || s == "rm") =>
        {
            Risk::Destructive
        }
        "system" | "volume" | "network" | "image" | "container"
            if pos
                .get(1)
                .is_some_and(|s| s == "ls" || s == "inspect" || s == "df") =>
        {
            Risk::Read
        }
        "build" | "push" | "pull" | "tag" | "run" | "exec" | "start" | "restart" | "login"
        | "create" | "cp" | "commit" | "volume" | "network" | "image" | "container" | "system" => {
            Risk::Write
        }
        _ => Risk::Unknown,
    }
}

fn compose(args: &[&str]) -> Risk {
    let pos = positional_after_options(
        args,
        &["-f", "--file", "-p", "--project-name", "--env-file"],
    );
    match pos.first().map(String::as_str).unwrap_or("") {
        "ps" | "logs" | "config" | "top" | "images" | "version" | "ls" | "port" => Risk::Read,
        "down" | "rm" | "kill" | "stop" => Risk::Destructive,
        "up" | "build" | "pull" | "push" | "restart" | "start" | "exec" | "run" | "create"
        | "pause" | "unpause" => Risk::Write,
        _ => Risk::Unknown,
    }
}

fn terraform(args: &[&str]) -> Risk {
    let pos: Vec<String> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .map(|s| s.to_string())
        .collect();
    match (
        pos.first().map(String::as_str).unwrap_or(""),
        pos.get(1).map(String::as_str),
    ) {
        (
            "plan" | "show" | "validate" | "output" | "version" | "providers" | "graph" | "console",
            _,
        ) => Risk::Read,
        ("fmt", _) if args.contains(&"-check") => Risk::Read,
        ("state", Some("list" | "show" | "pull")) => Risk::Read,
        ("state", _) => Risk::Destructive,
        ("apply" | "destroy" | "taint" | "untaint" | "force-unlock", _) => Risk::Destructive,
        ("workspace", Some("list" | "show")) => Risk::Read,
        ("workspace", Some("delete")) => Risk::Destructive,
        ("init" | "fmt" | "workspace" | "import" | "refresh" | "get", _) => Risk::Write,
        _ => Risk::Unknown,
    }
}

fn redis(pos: &[String]) -> Risk {
    let Some(cmd) = pos.first() else {
        // No command: an interactive session that can do anything.
        return Risk::Unknown;
    };
    match cmd.to_ascii_uppercase().as_str() {
        "INFO" | "GET" | "MGET" | "KEYS" | "SCAN" | "PING" | "TTL" | "PTTL" | "TYPE" | "EXISTS"
        | "DBSIZE" | "HGET" | "HGETALL" | "LRANGE" | "SMEMBERS" | "ZRANGE" | "LLEN" | "STRLEN"
        | "MONITOR" | "SLOWLOG" | "LATENCY" | "MEMORY" | "HLEN" | "SCARD" | "ZCARD" | "XINFO"
        | "XLEN" | "CLUSTER" | "ROLE" | "TIME" | "LASTSAVE" | "OBJECT" => Risk::Read,
        "CLIENT"
            if pos.get(1).is_some_and(|s| {
                s.eq_ignore_ascii_case("list") || s.eq_ignore_ascii_case("info")
            }) =>
        {
            Risk::Read
        }
        "CONFIG" if pos.get(1).is_some_and(|s| s.eq_ignore_ascii_case("get")) => Risk::Read,
        "FLUSHALL" | "FLUSHDB" | "DEL" | "UNLINK" | "SHUTDOWN" | "DEBUG" | "CLIENT" | "SWAPDB"
        | "REPLICAOF" | "SLAVEOF" | "FAILOVER" => Risk::Destructive,
        _ => Risk::Write,
    }
}

fn psql(args: &[&str]) -> Risk {
    let mut risk: Option<Risk> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if a == "-c" || a == "--command" {
            if let Some(q) = args.get(i + 1) {
                risk = Some(risk.unwrap_or(Risk::Read).max(sql(q)));
            }
            i += 2;
            continue;
        }
        if let Some(q) = a.strip_prefix("--command=") {
            risk = Some(risk.unwrap_or(Risk::Read).max(sql(q)));
        }
        if a == "-f" || a == "--file" {
            return Risk::Unknown;
        }
        i += 1;
    }
    // Without a command psql is interactive: anything can happen.
    risk.unwrap_or(Risk::Unknown)
}

/// SQL by its statements' first keywords.
pub fn sql(q: &str) -> Risk {
    let mut risk = Risk::Read;
    for stmt in q.split(';') {
        let first = stmt
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("--"))
            .flat_map(|l| l.split_whitespace())
            .next()
            .unwrap_or("")
            .trim_matches(|c| c == '"' || c == '\'' || c == '(')
            .to_ascii_uppercase();
        let r = match first.as_str() {
            "" | "SELECT" | "SHOW" | "EXPLAIN" | "WITH" | "DESCRIBE" | "VALUES" | "TABLE"
            | "BEGIN" | "COMMIT" | "SET" => Risk::Read,
            f if f.starts_with('\\') => Risk::Read,
            "DROP" | "TRUNCATE" | "DELETE" => Risk::Destructive,
            "INSERT" | "UPDATE" | "CREATE" | "ALTER" | "GRANT" | "REVOKE" | "VACUUM"
            | "ANALYZE" | "REINDEX" | "COPY" | "CALL" | "REFRESH" | "CLUSTER" | "COMMENT"
            | "LOCK" | "MERGE" => Risk::Write,
            _ => Risk::Unknown,
        };
        let upper = stmt.to_ascii_uppercase();
        let r = if r == Risk::Write && upper.contains("PASSWORD") {
            Risk::Destructive
        } else {
            r
        };
        risk = risk.max(r);
    }
    risk
}

fn git(args: &[&str]) -> Risk {
    let pos = positional_after_options(args, &["-C", "-c"]);
    let sub = pos.first().map(String::as_str).unwrap_or("");
    let has = |f: &str| args.contains(&f);
    match sub {
        "status" | "log" | "diff" | "show" | "fetch" | "rev-parse" | "describe" | "blame"
        | "ls-files" | "remote" | "shortlog" | "grep" | "reflog" | "config"
            if !(sub == "config" && pos.len() > 2) =>
        {
            Risk::Read
        }
        "branch" if has("-D") || has("--delete") || has("-d") => Risk::Destructive,
        "branch" if pos.len() == 1 => Risk::Read,
        "push" if has("--force") || has("-f") || has("--force-with-lease") || has("--delete") => {
            Risk::Destructive
        }
        "reset" if has("--hard") => Risk::Destructive,
        "clean"
            if args
                .iter()
                .any(|a| a.starts_with("-f") || a.contains('f') && a.starts_with('-')) =>
        {
            Risk::Destructive
        }
        "push" | "commit" | "merge" | "pull" | "checkout" | "switch" | "revert" | "tag" | "add"
        | "rebase" | "cherry-pick" | "stash" | "branch" | "reset" | "restore" | "rm" | "mv"
        | "clone" | "init" | "config" | "am" | "apply" => Risk::Write,
        _ => Risk::Unknown,
    }
}

fn curl(cmd: &str, args: &[&str]) -> Risk {
    let mut risk = Risk::Read;
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        let method = if a == "-X" || a == "--request" {
            args.get(i + 1).map(|m| m.to_ascii_uppercase())
        } else {
            a.strip_prefix("-X")
                .filter(|m| !m.is_empty())
                .or_else(|| a.strip_prefix("--request="))
                .map(|m| m.to_ascii_uppercase())
        };
        if let Some(m) = method {
            risk = risk.max(match m.as_str() {
                "GET" | "HEAD" | "OPTIONS" => Risk::Read,
                "DELETE" => Risk::Destructive,
                _ => Risk::Write,
            });
        }
        if a.starts_with("-d")
            || a.starts_with("--data")
            || a == "-F"
            || a.starts_with("--form")
            || a == "-T"
            || a == "--upload-file"
            || a == "--json"
        {
            risk = risk.max(Risk::Write);
        }
        if cmd == "http" && matches!(a.to_ascii_uppercase().as_str(), "POST" | "PUT" | "PATCH") {
            risk = risk.max(Risk::Write);
        }
        if cmd == "http" && a.eq_ignore_ascii_case("DELETE") {
            risk = risk.max(Risk::Destructive);
        }
        if cmd == "wget" && (a.starts_with("--post") || a.starts_with("--method")) {
            risk = risk.max(Risk::Write);
        }
        i += 1;
    }
    risk
}

fn systemctl(args: &[&str]) -> Risk {
    let pos = positional_after_options(args, &["-H", "--host", "-M"]);
    match pos.first().map(String::as_str).unwrap_or("") {
        "status" | "is-active" | "is-enabled" | "is-failed" | "list-units" | "list-unit-files"
        | "show" | "cat" | "list-timers" => Risk::Read,
        "stop" | "disable" | "mask" | "kill" | "isolate" | "poweroff" | "reboot" => {
            Risk::Destructive
        }
        "start" | "restart" | "reload" | "enable" | "unmask" | "daemon-reload" | "try-restart"
        | "reload-or-restart" => Risk::Write,
        // `service NAME start`
        _ => match pos.get(1).map(String::as_str) {
            Some("status") => Risk::Read,
            Some("stop") => Risk::Destructive,
            Some("start" | "restart" | "reload") => Risk::Write,
            _ => Risk::Unknown,
        },
    }
}

fn helm(args: &[&str]) -> Risk {
    let pos = positional_after_options(
        args,
        &[
            "-n",
            "--namespace",
            "--kube-context",
            "-f",
            "--values",
            "--set",
        ],
    );
    match (
        pos.first().map(String::as_str).unwrap_or(""),
        pos.get(1).map(String::as_str),
    ) {
        (
            "list" | "ls" | "status" | "get" | "history" | "template" | "show" | "search" | "lint"
            | "diff" | "version" | "env",
            _,
        ) => Risk::Read,
        ("repo", Some("list")) => Risk::Read,
        ("uninstall" | "delete" | "rollback", _) => Risk::Destructive,
        (
            "install" | "upgrade" | "repo" | "dependency" | "package" | "push" | "pull" | "plugin"
            | "test",
            _,
        ) => Risk::Write,
        _ => Risk::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Risk::*;

    fn check(cases: &[(&str, Risk)]) {
        for (cmd, want) in cases {
            assert_eq!(classify(cmd), *want, "{cmd}");
        }
    }

    #[test]
    fn aws_by_verb() {
        check(&[
            ("aws ecs describe-services --cluster c --services s", Read),
            ("aws logs tail /aws/lambda/f --follow", Read),
            (
                "aws logs filter-log-events --log-group-name g --filter-pattern ERROR",
                Read,
            ),
            (
                "aws cloudwatch get-metric-statistics --namespace AWS/ECS --metric-name CPUUtilization",
                Read,
            ),
            (
                "aws ecs wait services-stable --cluster c --services s",
                Read,
            ),
            (
                "aws ecs update-service --cluster c --service s --force-new-deployment",
                Write,
            ),
            (
                "aws ecs update-service --cluster c --service s --desired-count 4",
                Write,
            ),
            (
                "aws ecs update-service --cluster c --service s --desired-count 0",
                Destructive,
            ),
            ("aws lambda invoke --function-name f out.json", Write),
            ("aws sns publish --topic-arn t --message m", Write),
            (
                "aws ecs register-task-definition --cli-input-json file://td.json",
                Write,
            ),
            ("aws lambda delete-function --function-name f", Destructive),
            (
                "aws dynamodb restore-table-from-backup --target-table-name t --backup-arn a",
                Destructive,
            ),
            (
                "aws rds promote-read-replica --db-instance-identifier db",
                Destructive,
            ),
            (
                "aws rds modify-db-instance --db-instance-identifier db --master-user-password x",
                Destructive,
            ),
            ("aws events disable-rule --name r", Destructive),
            (
                "aws stepfunctions stop-execution --execution-arn a",
                Destructive,
            ),
            ("aws s3 ls s3://b", Read),
            ("aws s3 cp x s3://b/x", Write),
            ("aws s3 rm s3://b/x --recursive", Destructive),
            (
                "aws lambda put-function-concurrency --function-name f --reserved-concurrent-executions 0",
                Destructive,
            ),
            ("aws frobnicate twiddle-knobs", Unknown),
        ]);
    }

    #[test]
    fn pipelines_substitutions_loops_and_wrappers_count() {
        check(&[
            (
                "aws lambda list-versions-by-function --function-name f | xargs -I {} aws lambda delete-function --function-name {}",
                Destructive,
            ),
            (
                "ARN=$(aws ecs list-task-definitions --family-prefix x --query 'a[1]' --output text)",
                Read,
            ),
            (
                "X=$(aws lambda delete-function --function-name f)",
                Destructive,
            ),
            (
                "for fn in a b; do aws lambda delete-function --function-name $fn; done",
                Destructive,
            ),
            ("watch -n 30 aws ecs describe-services --cluster c", Read),
            ("sudo systemctl restart nginx", Write),
            ("cd infra && terraform plan", Read),
            ("cd infra && terraform apply -auto-approve", Destructive),
            ("aws ecs describe-services --cluster c > backup.json", Write),
            ("curl -s https://x/health > /dev/null 2>&1", Read),
            ("aws logs tail <log-group> --follow", Read),
            (
                "echo `aws lambda delete-function --function-name f`",
                Destructive,
            ),
        ]);
    }

    #[test]
    fn other_tools() {
        check(&[
            ("kubectl get pods -n prod", Read),
            ("kubectl rollout undo deployment/api", Destructive),
            ("kubectl scale deployment api --replicas=0", Destructive),
            ("kubectl scale deployment api --replicas=5", Write),
            ("kubectl delete pod x", Destructive),
            ("docker ps", Read),
            ("docker build -t x .", Write),
            ("docker rm -f x", Destructive),
            ("docker-compose down", Destructive),
            ("docker compose up -d", Write),
            ("terraform plan", Read),
            ("terraform state push backup.tfstate", Destructive),
            ("terraform destroy", Destructive),
            ("redis-cli -h cache INFO memory", Read),
            ("redis-cli -h cache FLUSHALL", Destructive),
            ("redis-cli -h cache DEL key", Destructive),
            ("redis-cli -h cache SET k v", Write),
            ("redis-cli -h cache", Unknown),
            ("psql -h db -c 'SELECT count(*) FROM t'", Read),
            ("psql -h db -c 'DROP TABLE t'", Destructive),
            (
                "psql -h db -c \"ALTER USER app WITH PASSWORD 'x'\"",
                Destructive,
            ),
            ("psql -h db", Unknown),
            ("git status", Read),
            ("git push origin main", Write),
            ("git push --force origin main", Destructive),
            ("curl https://x/health", Read),
            ("curl -X POST https://x/spans -d '{}'", Write),
            ("curl -X DELETE https://x/spans/1", Destructive),
            ("systemctl status nginx", Read),
            ("systemctl stop nginx", Destructive),
            ("helm list", Read),
            ("helm upgrade api chart", Write),
            ("helm rollback api 3", Destructive),
            ("rm -rf /tmp/x", Destructive),
            ("kill -9 1234", Destructive),
            ("./scripts/health-check.sh", Unknown),
            ("python scripts/x.py", Unknown),
            ("some-tool --force", Destructive),
            ("cat /tmp/migration-result.json", Read),
        ]);
    }

    #[test]
    fn sql_statements() {
        assert_eq!(sql("SELECT 1; DELETE FROM t"), Destructive);
        assert_eq!(sql("-- comment\nUPDATE t SET a = 1"), Write);
        assert_eq!(sql("\\dt"), Read);
    }
}
