//! Per-tool classifiers: aws (by verb), kubectl, docker, docker compose, terraform,
//! redis-cli, psql/mysql (SQL), git, curl, systemctl, helm.

use super::{Risk, positional_after_options};

pub(super) fn verb_risk(verb: &str) -> Option<Risk> {
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

pub(super) fn aws(args: &[&str]) -> Risk {
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

pub(super) fn kubectl(args: &[&str]) -> Risk {
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

pub(super) fn docker(args: &[&str]) -> Risk {
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

pub(super) fn compose(args: &[&str]) -> Risk {
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

pub(super) fn terraform(args: &[&str]) -> Risk {
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

pub(super) fn redis(pos: &[String]) -> Risk {
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

pub(super) fn psql(args: &[&str]) -> Risk {
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

pub(super) fn git(args: &[&str]) -> Risk {
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

pub(super) fn curl(cmd: &str, args: &[&str]) -> Risk {
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

pub(super) fn systemctl(args: &[&str]) -> Risk {
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

pub(super) fn helm(args: &[&str]) -> Risk {
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
