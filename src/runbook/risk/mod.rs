//! Risk of a shell command: `read`, `write`, `destructive`, or `unknown` when the command is
//! not recognised (confirmed like write). Every simple command of a pipeline, list, loop and
//! `$(…)`/backtick substitution counts, and wrappers (`sudo`, `xargs`, `watch`, `timeout`…)
//! are looked through, so `… | xargs aws lambda delete-function` is destructive.

mod tools;

use super::model::Risk;
use crate::runbook::shell::tokenize;
use brush_parser::Token;
use tools::*;

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
