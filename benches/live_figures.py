#!/usr/bin/env python3
"""Figures for live AWS, measured against the local fake AWS (moto behind tests/aws/fakeaws.py).

1. API calls per minute of the cockpit watching 20 ECS services, 4 Lambda functions,
   30 metrics and 3 log groups with the default refresh intervals: the real binary runs in
   tmux for a warm-up and then MINUTES whole minutes; the fake counts every request.
2. Time from start to the first complete `opsdeck snapshot` against moto, against running the
   equivalent aws CLI commands of a runbook health check one after another (median of N).

Usage: python3 benches/live_figures.py [--minutes 2] [--runs 7]
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


def build_fleet(ep):
    import boto3
    c = lambda n: boto3.client(n, endpoint_url=ep, region_name="us-east-1",
                               aws_access_key_id="testing", aws_secret_access_key="testing")
    ecs, lam, iam, logs, cw = c("ecs"), c("lambda"), c("iam"), c("logs"), c("cloudwatch")
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "a", "image": "x", "memory": 128}])
    services = []
    for cl in ("prod", "staging"):
        ecs.create_cluster(clusterName=cl)
        for i in range(10):
            ecs.create_service(cluster=cl, serviceName=f"svc{i}", taskDefinition="app:1", desiredCount=2)
            services.append(f"{cl}/svc{i}")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=int, default=2)
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
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
