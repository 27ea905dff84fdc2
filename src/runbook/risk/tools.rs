//! Per-tool classifiers: aws (by verb), kubectl, docker, docker compose, terraform,
//! redis-cli, git, curl/httpie/wget, systemctl, helm.

use super::Risk;

pub(super) fn positional_after_options(args: &[&str], with_value: &[&str]) -> Vec<String> {
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

pub(super) fn verb_risk(verb: &str) -> Option<Risk> {
    // Long on purpose: the verb lists are data.
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
        "head",
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
    // `schedule-key-deletion`, `request-…-delete`: what they schedule is a deletion.
    if verb.contains("-deletion") || verb.ends_with("-delete") {
        return Some(Risk::Destructive);
    }
    // A failover drops every connection, `test-failover` (ElastiCache) included: the
    // `test` in it tests resilience by doing it, it does not read.
    if verb.contains("failover") {
        return Some(Risk::Destructive);
    }
    // `test-…` verbs that start work rather than evaluate something.
    if matches!(verb, "test-migration" | "test-connection") {
        return Some(Risk::Write);
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
        // Streaming results go to an output file named on the command line.
        ("s3api", "get-object" | "get-object-torrent" | "select-object-content")
        | ("apigateway", "get-export" | "get-sdk")
        | ("glacier", "get-job-output")
        | ("kinesis-video-media", "get-media")
        | ("mediastore-data", "get-object") => Risk::Write,
        // Invokes the integration (a Lambda runs for real).
        ("apigateway", "test-invoke-method" | "test-invoke-authorizer") => Risk::Write,
        // PartiQL: the statement decides (`SELECT` reads, `DELETE` destroys).
        ("dynamodb", "execute-statement") => value_of("--statement").map_or(Risk::Unknown, |q| {
            super::sql::sql(q.trim_matches(|c| c == '"' || c == '\''))
        }),
        // A SQL statement sent through AWS: the statement decides (`SELECT` reads, `DROP
        // TABLE` destroys).
        ("athena", "start-query-execution") => value_of("--query-string")
            .map_or(Risk::Unknown, |q| {
                super::sql::sql(q.trim_matches(|c| c == '"' || c == '\''))
            }),
        ("rds-data" | "redshift-data", "execute-statement" | "batch-execute-statement") => {
            value_of("--sql").map_or(Risk::Unknown, |q| {
                super::sql::sql(q.trim_matches(|c| c == '"' || c == '\''))
            })
        }
        ("dynamodb", "batch-execute-statement" | "execute-transaction") => Risk::Write.max(
            if args
                .iter()
                .any(|a| a.to_ascii_uppercase().contains("DELETE"))
            {
                Risk::Destructive
            } else {
                Risk::Write
            },
        ),
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

/// The command after `--` (what `kubectl exec` runs in the container), classified.
fn after_double_dash(args: &[&str]) -> Risk {
    match args.iter().position(|a| *a == "--") {
        Some(i) if i + 1 < args.len() => {
            let words: Vec<String> = args[i + 1..].iter().map(|s| s.to_string()).collect();
            super::simple(&words)
        }
        _ => Risk::Read,
    }
}

/// `docker exec [OPTIONS] CONTAINER COMMAND…`: COMMAND, classified.
fn docker_exec_command(args: &[&str]) -> Risk {
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        let takes = matches!(
            args[i],
            "-e" | "--env" | "-u" | "--user" | "-w" | "--workdir" | "--env-file"
        );
        i += if takes { 2 } else { 1 };
    }
    // The container, then the command.
    let words: Vec<String> = args.iter().skip(i + 1).map(|s| s.to_string()).collect();
    if words.is_empty() {
        Risk::Unknown
    } else {
        super::simple(&words)
    }
}

/// `ssh [OPTIONS] HOST COMMAND…`: COMMAND runs on HOST (one string or several words,
/// joined by a space as ssh does); a session without a command is unknown.
pub(super) fn ssh(args: &[&str]) -> Risk {
    const WITH_VALUE: &[&str] = &[
        "-B", "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o",
        "-p", "-Q", "-R", "-S", "-W", "-w",
    ];
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        i += if WITH_VALUE.contains(&args[i]) { 2 } else { 1 };
    }
    let rest = args.get(i + 1..).unwrap_or(&[]);
    if rest.is_empty() {
        return Risk::Unknown;
    }
    super::classify(&rest.join(" "))
}

/// The GitHub CLI: listing and viewing read; `gh api` reads unless it sends a method or
/// fields; the rest by verb.
pub(super) fn gh(args: &[&str]) -> Risk {
    let pos = positional_after_options(
        args,
        &[
            "-R",
            "--repo",
            "-L",
            "--limit",
            "-q",
            "--jq",
            "-t",
            "--template",
        ],
    );
    let (group, verb) = (
        pos.first().map(String::as_str).unwrap_or(""),
        pos.get(1).map(String::as_str).unwrap_or(""),
    );
    match (group, verb) {
        ("api", _) => {
            let sends = args.iter().any(|a| {
                matches!(*a, "-f" | "-F" | "--field" | "--raw-field" | "--input")
                    || a.starts_with("--field=")
                    || a.starts_with("--raw-field=")
            });
            let method = args
                .iter()
                .position(|a| matches!(*a, "-X" | "--method"))
                .and_then(|i| args.get(i + 1))
                .map(|m| m.to_ascii_uppercase());
            match method.as_deref() {
                Some("GET" | "HEAD") if !sends => Risk::Read,
                None if !sends => Risk::Read,
                Some("DELETE") => Risk::Destructive,
                _ => Risk::Write,
            }
        }
        ("auth", "status" | "token") | ("status" | "version" | "help", _) | ("search", _) => {
            Risk::Read
        }
        (_, "list" | "view" | "status" | "diff" | "checks" | "watch") => Risk::Read,
        (_, "download" | "clone" | "checkout") => Risk::Write,
        (_, v) => verb_risk(v).unwrap_or(Risk::Unknown),
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
        // `kubectl exec POD -- CMD`: what CMD does; without a command, unknown.
        "exec" => match args.iter().position(|a| *a == "--") {
            Some(i) if i + 1 < args.len() => after_double_dash(args),
            _ => Risk::Unknown,
        },
        "apply" | "create" | "patch" | "edit" | "set" | "label" | "annotate" | "expose"
        | "autoscale" | "scale" | "cordon" | "uncordon" | "port-forward" | "attach" | "cp"
        | "run" | "replace" | "config" | "taint" => Risk::Write,
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
        // `docker exec C CMD` is as risky as CMD (an interactive shell is unknown).
        "exec" => docker_exec_command(
            &args[args.iter().position(|a| *a == "exec").map_or(1, |i| i + 1)..],
        ),
        "build" | "push" | "pull" | "tag" | "run" | "start" | "restart" | "login" | "create"
        | "cp" | "commit" | "volume" | "network" | "image" | "container" | "system" => Risk::Write,
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

/// `redis-cli [options] [command]`: the command decides; modes that only inspect are read.
pub(super) fn redis_cli(a: &[&str]) -> Risk {
    if a.iter()
        .any(|x| matches!(*x, "--rdb" | "--functions-rdb" | "--pipe" | "--eval" | "-x"))
    {
        return Risk::Unknown;
    }
    if a.iter().any(|x| {
        matches!(
            *x,
            "--scan"
                | "--bigkeys"
                | "--memkeys"
                | "--hotkeys"
                | "--keystats"
                | "--stat"
                | "--latency"
                | "--latency-history"
                | "--latency-dist"
                | "--intrinsic-latency"
        )
    }) {
        return Risk::Read;
    }
    redis(&positional_after_options(
        a,
        &[
            "-h",
            "-p",
            "-a",
            "-n",
            "-u",
            "-s",
            "-r",
            "-i",
            "-t",
            "--user",
            "--pass",
            "--cacert",
            "--cacertdir",
            "--cert",
            "--key",
            "--sni",
            "--pattern",
            "--count",
            "--quoted-pattern",
            "--tls-ciphers",
            "--tls-ciphersuites",
            "-d",
            "-D",
        ],
    ))
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

pub(super) fn git(args: &[&str]) -> Risk {
    // Long on purpose: a table of git subcommands and the flags that change their risk.
    // Options before the subcommand that run or load something: `-c core.fsmonitor=…`,
    // `--exec-path`, `--config-env`.
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        let a = args[i];
        if a == "-c"
            || a.starts_with("--config-env")
            || a.starts_with("--exec-path=")
            || a.starts_with("-c")
        {
            return Risk::Unknown;
        }
        i += if matches!(a, "-C" | "--git-dir" | "--work-tree" | "--namespace") {
            2
        } else {
            1
        };
    }
    let Some(&sub) = args.get(i) else {
        return Risk::Read;
    };
    let rest = &args[i + 1..];
    let has = |f: &str| rest.contains(&f);
    let pos: Vec<&str> = rest
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    // Output to a file, an external diff program or a pager command.
    if rest.iter().any(|a| a.starts_with("--output")) {
        return Risk::Write;
    }
    if rest.iter().any(|a| {
        *a == "--ext-diff"
            || *a == "-O"
            || a.starts_with("--open-files-in-pager")
            || (sub == "grep" && a.starts_with("-O"))
    }) {
        return Risk::Unknown;
    }
    match sub {
        "status" | "log" | "diff" | "show" | "rev-parse" | "describe" | "blame" | "ls-files"
        | "ls-tree" | "ls-remote" | "shortlog" | "grep" | "cat-file" | "rev-list"
        | "whatchanged" | "name-rev" | "show-ref" | "for-each-ref" | "count-objects"
        | "version" | "help" | "merge-base" | "cherry" | "range-diff" => Risk::Read,
        "remote" => match pos.first() {
            None | Some(&"show" | &"get-url") => Risk::Read,
            Some(_) => Risk::Write,
        },
        "config" => {
            let modifies = rest.iter().any(|a| {
                a.starts_with("--unset")
                    || matches!(
                        *a,
                        "--add"
                            | "--replace-all"
                            | "--rename-section"
                            | "--remove-section"
                            | "-e"
                            | "--edit"
                    )
            });
            let gets = rest
                .iter()
                .any(|a| a.starts_with("--get") || matches!(*a, "-l" | "--list"))
                || matches!(pos.first(), Some(&"get" | &"list"));
            if !modifies && (gets || pos.len() == 1) {
                Risk::Read
            } else {
                Risk::Write
            }
        }
        "reflog" => match pos.first() {
            None | Some(&"show") => Risk::Read,
            Some(&"expire" | &"delete") => Risk::Destructive,
            Some(_) => Risk::Unknown,
        },
        "stash" => match pos.first() {
            Some(&"list" | &"show") => Risk::Read,
            Some(&"drop" | &"clear") => Risk::Destructive,
            _ => Risk::Write,
        },
        "branch" if has("-D") || has("--delete") || has("-d") => Risk::Destructive,
        "branch"
            if pos.is_empty()
                && rest.iter().all(|a| {
                    matches!(
                        *a,
                        "-a" | "-r"
                            | "-v"
                            | "-vv"
                            | "--list"
                            | "--all"
                            | "--remotes"
                            | "--show-current"
                    ) || a.starts_with("--contains")
                        || a.starts_with("--merged")
                        || a.starts_with("--no-merged")
                        || a.starts_with("--sort")
                        || a.starts_with("--format")
                }) =>
        {
            Risk::Read
        }
        "tag" if rest.is_empty() || has("-l") || has("--list") => Risk::Read,
        "push"
            if has("--force")
                || has("-f")
                || has("--force-with-lease")
                || has("--delete")
                || has("--mirror") =>
        {
            Risk::Destructive
        }
        "reset" if has("--hard") => Risk::Destructive,
        "clean"
            if rest
                .iter()
                .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('f'))
                || has("--force") =>
        {
            Risk::Destructive
        }
        "push" | "commit" | "merge" | "pull" | "fetch" | "checkout" | "switch" | "revert"
        | "tag" | "add" | "rebase" | "cherry-pick" | "branch" | "reset" | "restore" | "rm"
        | "mv" | "clone" | "init" | "am" | "apply" | "gc" | "prune" | "notes" | "worktree"
        | "submodule" | "bisect" | "clean" => Risk::Write,
        _ => Risk::Unknown,
    }
}

/// `curl`: the method and body decide, and flags that write files (`-o`, `-O`, `-D`,
/// `-c`, `--trace`…) make it a write; `-K` config files are not seen.
pub(super) fn curl(args: &[&str]) -> Risk {
    let mut risk = Risk::Read;
    let to_stdout = |v: Option<&&str>| {
        matches!(
            v.copied(),
            Some("-" | "/dev/null" | "/dev/stdout" | "/dev/stderr")
        )
    };
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        let next = args.get(i + 1);
        let method = if a == "-X" || a == "--request" {
            next.map(|m| m.to_ascii_uppercase())
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
        if a == "-K" || a.starts_with("--config") {
            risk = risk.max(Risk::Unknown);
        }
        // Flags whose value is a file written (`-` is standard output).
        let file_flag = matches!(
            a,
            "-o" | "--output"
                | "-D"
                | "--dump-header"
                | "-c"
                | "--cookie-jar"
                | "--trace"
                | "--trace-ascii"
                | "--libcurl"
                | "--etag-save"
                | "--hsts"
                | "--alt-svc"
                | "--stderr"
                | "--output-dir"
        );
        if file_flag && !to_stdout(next) {
            risk = risk.max(Risk::Write);
        }
        if matches!(
            a,
            "-O" | "--remote-name"
                | "--remote-name-all"
                | "-J"
                | "--remote-header-name"
                | "--create-dirs"
        ) {
            risk = risk.max(Risk::Write);
        }
        // Short flags run together: `-sSo file`, `-sLO`.
        if a.starts_with('-') && !a.starts_with("--") && a.len() > 2 {
            let letters = &a[1..];
            if letters.contains('O')
                || (letters.ends_with('o') && !to_stdout(next))
                || (letters.ends_with('D') && !to_stdout(next))
            {
                risk = risk.max(Risk::Write);
            }
            if letters.ends_with('K') {
                risk = risk.max(Risk::Unknown);
            }
        }
        if (a == "-w" || a == "--write-out") && next.is_some_and(|f| f.contains("%output{")) {
            risk = risk.max(Risk::Write);
        }
        i += 1;
    }
    risk
}

/// httpie: the method word and body items decide; `--download`/`--output` write a file.
pub(super) fn httpie(args: &[&str]) -> Risk {
    let mut risk = Risk::Read;
    for a in args {
        match a.to_ascii_uppercase().as_str() {
            "POST" | "PUT" | "PATCH" => risk = risk.max(Risk::Write),
            "DELETE" => risk = risk.max(Risk::Destructive),
            _ => {}
        }
        if matches!(*a, "-d" | "--download" | "-o" | "--output") || a.starts_with("--output=") {
            risk = risk.max(Risk::Write);
        }
        // `key=value` and `key:=json` items make a body: a write.
        if !a.starts_with('-')
            && (a.contains(":=") || (a.contains('=') && !a.contains("://") && !a.contains("==")))
        {
            risk = risk.max(Risk::Write);
        }
    }
    risk
}

/// `wget` saves what it fetches unless told to print it or only to check it.
pub(super) fn wget(args: &[&str]) -> Risk {
    if args
        .iter()
        .any(|a| a.starts_with("--post") || a.starts_with("--method") || a.starts_with("--body"))
    {
        return Risk::Write;
    }
    let mut i = 0;
    let mut to_stdout = false;
    while i < args.len() {
        let a = args[i];
        if a == "--spider" {
            to_stdout = true;
        }
        if a == "-O" || a == "--output-document" {
            to_stdout = matches!(args.get(i + 1).copied(), Some("-" | "/dev/null"));
            i += 2;
            continue;
        }
        if let Some(v) = a.strip_prefix("--output-document=") {
            to_stdout = matches!(v, "-" | "/dev/null");
        }
        if a.starts_with('-') && !a.starts_with("--") && a.contains('O') {
            let after = &a[a.find('O').unwrap_or(0) + 1..];
            to_stdout = match after {
                "" => matches!(args.get(i + 1).copied(), Some("-" | "/dev/null")),
                v => v == "-",
            };
        }
        i += 1;
    }
    if to_stdout { Risk::Read } else { Risk::Write }
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
