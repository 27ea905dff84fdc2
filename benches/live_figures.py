#!/usr/bin/env python3
"""Figures for live AWS, measured against the local fake AWS (moto behind tests/aws/fakeaws.py).

1. API calls per minute of the cockpit watching 20 ECS services, 4 Lambda functions,
   30 metrics and 3 log groups with the default refresh intervals: the real binary runs in
   tmux for a warm-up and then MINUTES whole minutes; the fake counts every request.
2. Time from start to the first complete `opsdeck snapshot` against moto, against running the
   equivalent aws CLI commands of a runbook health check one after another (median of N).

With --kinds, the fleet of issue 11 instead: 20 ECS services, 5 RDS instances, 10 DynamoDB
tables, 10 SQS queues, 5 state machines, 2 ElastiCache replication groups, 5 target groups and
60 metrics, against the aws CLI commands of the runbooks' health checks for the same.

Usage: python3 benches/live_figures.py [--minutes 2] [--runs 7] [--kinds]
Needs: a release build (cargo build --release), tmux, moto, the aws CLI.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "opsdeck")
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
           AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true")
ENV.pop("AWS_PROFILE", None)


def start_fake():
    p = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests/aws/fakeaws.py"), "--port", "0"],
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    assert line.startswith("READY "), line
    return p, f"http://127.0.0.1:{line.split()[1]}"


def ctl(ep, path, body=None):
    req = urllib.request.Request(ep + path, data=body.encode() if body else None, method="POST" if body is not None else "GET")
    return json.loads(urllib.request.urlopen(req).read() or b"{}")


def build_fleet(ep, region="us-east-1", creds=None):
    """20 ECS services, 4 functions, 3 log groups, 30 metrics in REGION of the account CREDS
    (boto3 keyword arguments; default: the test credentials' account)."""
    import boto3
    creds = creds or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    c = lambda n: boto3.client(n, endpoint_url=ep, region_name=region, **creds)
    ecs, lam, iam, logs, cw = c("ecs"), c("lambda"), c("iam"), c("logs"), c("cloudwatch")
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "a", "image": "x", "memory": 128}])
    services = []
    for cl in ("prod", "staging"):
        ecs.create_cluster(clusterName=cl)
        for i in range(10):
            ecs.create_service(cluster=cl, serviceName=f"svc{i}", taskDefinition="app:1", desiredCount=2)
            services.append(f"{cl}/svc{i}")
    try:
        role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:  # IAM is global: a second region
        role = iam.get_role(RoleName="r")["Role"]["Arn"]
    import io, zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(e, c): return 1\n")
    functions = [f"fn{i}" for i in range(4)]
    for f in functions:
        lam.create_function(FunctionName=f, Runtime="python3.12", Role=role, Handler="index.handler", Code={"ZipFile": buf.getvalue()})
    groups = ["/ecs/prod/svc0", "/ecs/prod/svc1", "/aws/lambda/fn0"]
    for g in groups:
        logs.create_log_group(logGroupName=g)
    metrics = []
    for i in range(30):
        s = services[i % 20]
        cl, name = s.split("/")
        metric = "CPUUtilization" if i < 20 else "MemoryUtilization"
        metrics.append((cl, name, metric))
        cw.put_metric_data(Namespace="AWS/ECS", MetricData=[{"MetricName": metric, "Value": 10.0 + i, "Dimensions": [
            {"Name": "ClusterName", "Value": cl}, {"Name": "ServiceName", "Value": name}]}])
    return services, functions, groups, metrics


def config(services, functions, groups, metrics):
    out = ["[watch]", "services = [" + ", ".join(f'"{s}"' for s in services) + "]",
           "functions = [" + ", ".join(f'"{f}"' for f in functions) + "]",
           "log_groups = [" + ", ".join(f'"{g}"' for g in groups) + "]", ""]
    for cl, name, metric in metrics:
        out += ["[[watch.metrics]]", 'namespace = "AWS/ECS"', f'metric = "{metric}"',
                f'dimensions = {{ ClusterName = "{cl}", ServiceName = "{name}" }}', "warn = 70", "crit = 90", ""]
    return "\n".join(out)


def calls_per_minute(ep, cfg_path, minutes):
    sock = f"opsdeck-fig-{os.getpid()}"
    cmd = " ".join(f"{k}={v}" for k, v in ENV.items() if k.startswith("AWS_")) + f" {BIN} --config {cfg_path} --endpoint-url {ep}"
    subprocess.run(["tmux", "-L", sock, "new-session", "-d", "-x", "200", "-y", "50", f"env {cmd}"], check=True)
    try:
        time.sleep(15)  # start-up, discovery, backfill
        ctl(ep, "/__fake/stats/reset", "")
        time.sleep(60 * minutes)
        stats = ctl(ep, "/__fake/stats")
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"])
    per_min = {k: v / minutes for k, v in sorted(stats.items())}
    return per_min


def time_snapshot(ep, cfg_path, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        out = subprocess.run([BIN, "snapshot", "--format", "json", "--config", cfg_path, "--endpoint-url", ep],
                             env=ENV, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - t)
        assert json.loads(out.stdout)["errors"] == [], out.stdout[:500]
    return times


def time_cli(ep, runs):
    # The health check of a runbook, as commands run one after another.
    start = int(time.time()) - 900
    cmds = [
        ["ecs", "describe-services", "--cluster", "prod", "--services", *[f"svc{i}" for i in range(10)]],
        ["ecs", "describe-services", "--cluster", "staging", "--services", *[f"svc{i}" for i in range(10)]],
        *[["lambda", "get-function", "--function-name", f"fn{i}"] for i in range(4)],
        ["cloudwatch", "get-metric-statistics", "--namespace", "AWS/ECS", "--metric-name", "CPUUtilization",
         "--dimensions", "Name=ClusterName,Value=prod", "Name=ServiceName,Value=svc0", "--statistics", "Average",
         "--period", "60", "--start-time", str(start), "--end-time", str(start + 900)],
        ["cloudwatch", "describe-alarms"],
        *[["logs", "filter-log-events", "--log-group-name", g, "--start-time", str(start * 1000)] for g in
          ("/ecs/prod/svc0", "/ecs/prod/svc1", "/aws/lambda/fn0")],
    ]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        for c in cmds:
            subprocess.run(["aws", "--endpoint-url", ep, *c], env=ENV, capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return times, len(cmds)


def build_kinds_fleet(ep):
    import boto3
    c = lambda n: boto3.client(n, endpoint_url=ep, region_name="us-east-1",
                               aws_access_key_id="testing", aws_secret_access_key="testing")
    ecs, rds, ddb, sqs, sfn = c("ecs"), c("rds"), c("dynamodb"), c("sqs"), c("stepfunctions")
    ec, ec2, elb, iam, cw = c("elasticache"), c("ec2"), c("elbv2"), c("iam"), c("cloudwatch")
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "a", "image": "x", "memory": 128}])
    w = {"services": [], "databases": [], "tables": [], "queues": [], "state_machines": [], "cache_groups": [], "target_groups": []}
    for cl in ("prod", "staging"):
        ecs.create_cluster(clusterName=cl)
        for i in range(10):
            ecs.create_service(cluster=cl, serviceName=f"svc{i}", taskDefinition="app:1", desiredCount=2)
            w["services"].append(f"{cl}/svc{i}")
    for i in range(5):
        rds.create_db_instance(DBInstanceIdentifier=f"db{i}", Engine="postgres", DBInstanceClass="db.t3.micro",
                               MasterUsername="a", MasterUserPassword="not-a-secret-1", AllocatedStorage=20)
        w["databases"].append(f"db{i}")
    for i in range(10):
        ddb.create_table(TableName=f"t{i}", AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
        w["tables"].append(f"t{i}")
        sqs.create_queue(QueueName=f"q{i}")
        w["queues"].append(f"q{i}")
    role = iam.create_role(RoleName="sfn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    for i in range(5):
        arn = sfn.create_state_machine(name=f"sm{i}", roleArn=role, definition=json.dumps(
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
        sfn.start_execution(stateMachineArn=arn)
        w["state_machines"].append(arn)
    for i in range(2):
        ec.create_replication_group(ReplicationGroupId=f"rg{i}", ReplicationGroupDescription="x", Engine="redis",
                                    CacheNodeType="cache.t3.micro", NumCacheClusters=2)
        w["cache_groups"].append(f"rg{i}")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    for i in range(5):
        tg = elb.create_target_group(Name=f"tg{i}", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
        elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": f"i-{i}a"}, {"Id": f"i-{i}b"}])
        w["target_groups"].append(tg)
    metrics = [("AWS/ECS", "CPUUtilization", {"ClusterName": s.split("/")[0], "ServiceName": s.split("/")[1]}) for s in w["services"]]
    metrics += [("AWS/ECS", "MemoryUtilization", {"ClusterName": s.split("/")[0], "ServiceName": s.split("/")[1]}) for s in w["services"]]
    metrics += [("AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": d}) for d in w["databases"]]
    metrics += [("AWS/RDS", "DatabaseConnections", {"DBInstanceIdentifier": d}) for d in w["databases"]]
    metrics += [("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": q}) for q in w["queues"]]
    for ns, m, d in metrics:
        cw.put_metric_data(Namespace=ns, MetricData=[{"MetricName": m, "Value": 10.0, "Dimensions": [
            {"Name": k, "Value": v} for k, v in d.items()]}])
    return w, metrics


def kinds_config(w, metrics):
    out = ["[watch]"]
    for k, v in w.items():
        out.append(f"{k} = [" + ", ".join(f'"{x}"' for x in v) + "]")
    out.append("")
    for ns, m, d in metrics:
        dims = ", ".join(f'{k} = "{v}"' for k, v in d.items())
        out += ["[[watch.metrics]]", f'namespace = "{ns}"', f'metric = "{m}"', f"dimensions = {{ {dims} }}", ""]
    return "\n".join(out)


def time_kinds_cli(ep, w, runs):
    """The runbooks' health checks of that fleet, one aws CLI command each, one after another."""
    start = int(time.time()) - 900
    cmds = [["ecs", "describe-services", "--cluster", cl, "--services", *[s.split("/")[1] for s in w["services"] if s.startswith(cl + "/")]]
            for cl in ("prod", "staging")]
    cmds += [["rds", "describe-db-instances", "--db-instance-identifier", d] for d in w["databases"]]
    cmds += [["dynamodb", "describe-table", "--table-name", t] for t in w["tables"]]
    cmds += [["sqs", "get-queue-attributes", "--queue-url", f"{ep}/123456789012/{q}", "--attribute-names", "All"] for q in w["queues"]]
    cmds += [["stepfunctions", "list-executions", "--state-machine-arn", a, "--status-filter", "FAILED"] for a in w["state_machines"]]
    cmds += [["elasticache", "describe-replication-groups", "--replication-group-id", g] for g in w["cache_groups"]]
    cmds += [["elbv2", "describe-target-health", "--target-group-arn", t] for t in w["target_groups"]]
    cmds += [["cloudwatch", "get-metric-statistics", "--namespace", "AWS/RDS", "--metric-name", "DatabaseConnections",
              "--dimensions", f"Name=DBInstanceIdentifier,Value={d}", "--statistics", "Maximum", "--period", "60",
              "--start-time", str(start), "--end-time", str(start + 900)] for d in w["databases"]]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        for c in cmds:
            subprocess.run(["aws", "--endpoint-url", ep, *c], env=ENV, capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return times, len(cmds)


def main_kinds(a):
    fake, ep = start_fake()
    try:
        w, m = build_kinds_fleet(ep)
        with tempfile.TemporaryDirectory() as d:
            cfg = os.path.join(d, "opsdeck.toml")
            open(cfg, "w").write(kinds_config(w, m))
            snap = time_snapshot(ep, cfg, a.runs)
            cli, n = time_kinds_cli(ep, w, a.runs)
            print(f"first complete snapshot (20 services, 5 RDS, 10 tables, 10 queues, 5 state machines, "
                  f"2 replication groups, 5 target groups, {len(m)} metrics): median {statistics.median(snap) * 1000:.0f} ms over {a.runs} runs")
            print(f"the runbooks' health checks as {n} aws CLI commands one after another: "
                  f"median {statistics.median(cli) * 1000:.0f} ms over {a.runs} runs")
            per_min = calls_per_minute(ep, cfg, a.minutes)
            print(f"API calls per minute over {a.minutes} min (default refresh intervals): {sum(per_min.values()):.1f}")
            for k, v in per_min.items():
                print(f"  {k:<45} {v:6.1f}/min")
    finally:
        fake.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=int, default=2)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--kinds", action="store_true")
    a = ap.parse_args()
    if a.kinds:
        return main_kinds(a)
    fake, ep = start_fake()
    try:
        s, f, g, m = build_fleet(ep)
        with tempfile.TemporaryDirectory() as d:
            cfg = os.path.join(d, "opsdeck.toml")
            open(cfg, "w").write(config(s, f, g, m))
            snap = time_snapshot(ep, cfg, a.runs)
            cli, n = time_cli(ep, a.runs)
            print(f"first complete snapshot (20 services, 4 functions, 30 metrics, 3 log groups): "
                  f"median {statistics.median(snap) * 1000:.0f} ms over {a.runs} runs")
            print(f"the same health check as {n} aws CLI commands one after another: "
                  f"median {statistics.median(cli) * 1000:.0f} ms over {a.runs} runs")
            per_min = calls_per_minute(ep, cfg, a.minutes)
            total = sum(per_min.values())
            print(f"API calls per minute over {a.minutes} min (default refresh intervals): {total:.1f}")
            for k, v in per_min.items():
                print(f"  {k:<45} {v:6.1f}/min")
    finally:
        fake.kill()


if __name__ == "__main__":
    main()
