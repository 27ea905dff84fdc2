#!/usr/bin/env python3
"""Figures for many AWS contexts at once, measured against the local fake AWS (moto behind
tests/aws/fakeaws.py, with a round-trip latency like a real region's).

Ten contexts: five accounts (the first with the test credentials, four reached through STS
AssumeRole: moto keeps each account's resources apart) × two regions, each with 20 ECS
services, 4 Lambda functions, 3 log groups and 30 metrics.

Each context has its own fake (its own endpoint_url), as each account and region has its own
AWS endpoints: one fake is one Python process, moto under one lock, and ten contexts' calls
would queue on it (about 4 ms of its CPU a call), which measures the fake, not opsdeck.
`--one-fake` puts them all on one, for comparison.

1. Time to the first complete `opsdeck snapshot` of one context and of all ten (median of N),
   at each latency of --latency-ms, with opsdeck's and the fakes' CPU time; the issue's target
   is ten no slower than 1.5x one (contexts connect in parallel). Measured twice: with moto
   answering every call, and with the fakes replaying the answers to reads from a cache
   (/__fake/cache), which takes moto's CPU (~4 ms a call, 1.5 s for ten contexts on this
   2-core machine) out of what is measured, as AWS's own servers are out of it.
2. The real binary watching the ten contexts in tmux for MINUTES minutes after a warm-up:
   its CPU (share of one core), peak memory, and the API calls per minute per account and
   operation (GetMetricData per refresh per context, DescribeServices batches).

Usage: python3 benches/scale_aws.py [--minutes 2] [--runs 5] [--latency-ms 40,100] [--one-fake]
Needs: a release build (cargo build --release), tmux, moto, boto3.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live_figures import BIN, ENV, build_fleet, ctl, start_fake  # noqa: E402
from live_figures import config as fleet_config  # noqa: E402

ACCOUNTS = ["123456789012", "111111111111", "222222222222", "333333333333", "444444444444"]
REGIONS = ["us-east-1", "eu-west-1"]


def creds(ep, account):
    if account == ACCOUNTS[0]:
        return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    import boto3
    sts = boto3.client("sts", endpoint_url=ep, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/opsdeck", RoleSessionName="build")["Credentials"]
    return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
            "aws_session_token": c["SessionToken"]}


def build(ep, account, region):
    """The live-figures fleet in ACCOUNT and REGION, each log group with a line in it."""
    import boto3
    kw = creds(ep, account)
    fleet = build_fleet(ep, region, kw)
    logs = boto3.client("logs", endpoint_url=ep, region_name=region, **kw)
    for g in fleet[2]:
        logs.create_log_stream(logGroupName=g, logStreamName="s")
        logs.put_log_events(logGroupName=g, logStreamName="s",
                            logEvents=[{"timestamp": int(time.time() * 1000), "message": f"hello from {account} {region}"}])
    return fleet


def config(fleet, contexts):
    """CONTEXTS: (account, region, endpoint)."""
    out = [fleet_config(*fleet), ""]
    for account, region, ep in contexts:
        out += ["[[contexts]]", f'label = "{account[:3]}-{region}"', f'region = "{region}"', f'endpoint_url = "{ep}"']
        if account != ACCOUNTS[0]:
            out.append(f'role_arn = "arn:aws:iam::{account}:role/opsdeck"')
        out.append("")
    return "\n".join(out)


def fakes_cpu(pids):
    return sum(cpu_ticks(p) for p in pids) / os.sysconf("SC_CLK_TCK")


def time_snapshot(cfg, runs, want_contexts, fake_pids=()):
    """Wall times of RUNS snapshots, opsdeck's CPU seconds (user + system) of each, and the
    fakes' CPU seconds meanwhile."""
    import resource
    times, cpu, fake_cpu = [], [], []
    for _ in range(runs):
        r0, f0 = resource.getrusage(resource.RUSAGE_CHILDREN), fakes_cpu(fake_pids)
        t = time.perf_counter()
        out = subprocess.run([BIN, "snapshot", "--format", "json", "--config", cfg], env=ENV,
                             capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - t)
        r1, f1 = resource.getrusage(resource.RUSAGE_CHILDREN), fakes_cpu(fake_pids)
        cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
        fake_cpu.append(f1 - f0)
        v = json.loads(out.stdout)
        assert v["errors"] == [], v["errors"]
        seen = {s.get("context") for s in v["services"]}
        assert len(seen) == want_contexts, seen
        assert len(v["services"]) == 24 * want_contexts, len(v["services"])
    return times, cpu, fake_cpu


def proc_of(sock):
    out = subprocess.run(["tmux", "-L", sock, "list-panes", "-F", "#{pane_pid}"], capture_output=True, text=True)
    shell = out.stdout.split()[0]
    kids = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()
    return kids[0] if kids else shell


def cpu_ticks(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])


def watch(eps, cfg, minutes):
    sock = f"opsdeck-scale-{os.getpid()}"
    env = " ".join(f"{k}={v}" for k, v in ENV.items() if k.startswith("AWS_"))
    subprocess.run(["tmux", "-L", sock, "new-session", "-d", "-x", "200", "-y", "50",
                    f"env {env} {BIN} --config {cfg}"], check=True)
    try:
        time.sleep(20)  # start-up, discovery, backfill
        pid = proc_of(sock)
        for ep in eps:
            ctl(ep, "/__fake/stats/reset", "")
        t0, c0 = time.time(), cpu_ticks(pid)
        time.sleep(60 * minutes)
        t1, c1 = time.time(), cpu_ticks(pid)
        by_key = {}
        for ep in eps:
            for key, ops in ctl(ep, "/__fake/stats/by-key").items():
                mine = by_key.setdefault(key, {})
                for op, n in ops.items():
                    mine[op] = mine.get(op, 0) + n
        status = open(f"/proc/{pid}/status").read()
        hwm = int(next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1])
        screen = subprocess.run(["tmux", "-L", sock, "capture-pane", "-p"], capture_output=True, text=True).stdout
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"])
    hz = os.sysconf("SC_CLK_TCK")
    return (c1 - c0) / hz / (t1 - t0) * 100, hwm / 1024, by_key, screen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--latency-ms", default="40,100")
    ap.add_argument("--one-fake", action="store_true", help="all ten contexts on one fake process")
    a = ap.parse_args()
    pairs = [(acc, reg) for acc in ACCOUNTS for reg in REGIONS]
    fakes = [start_fake() for _ in range(1 if a.one_fake else len(pairs))]
    eps = [ep for _, ep in fakes]
    try:
        contexts = [(acc, reg, eps[i % len(eps)]) for i, (acc, reg) in enumerate(pairs)]
        t = time.perf_counter()
        for acc, reg, ep in contexts:
            fleet = build(ep, acc, reg)
        print(f"built {len(contexts)} contexts on {len(eps)} fake(s) in {time.perf_counter() - t:.1f} s", flush=True)
        tmp = tempfile.mkdtemp()
        one, ten = os.path.join(tmp, "one.toml"), os.path.join(tmp, "ten.toml")
        open(one, "w").write(config(fleet, contexts[:1]))
        open(ten, "w").write(config(fleet, contexts))
        for ms in [float(x) for x in a.latency_ms.split(",")]:
            for cached in (False, True):
                for ep in eps:
                    ctl(ep, "/__fake/latency", json.dumps({"ms": ms}))
                    ctl(ep, "/__fake/cache", json.dumps({"on": cached}))
                pids = [p.pid for p, _ in fakes]
                # Warm: the fakes' first answers, the page cache (and with the cache on, the
                # answers to replay).
                time_snapshot(ten, 1, 10)
                time_snapshot(one, 1, 1)
                t1, c1, f1 = time_snapshot(one, a.runs, 1, pids)
                t10, c10, f10 = time_snapshot(ten, a.runs, 10, pids)
                m1, m10 = statistics.median(t1), statistics.median(t10)
                med = statistics.median
                how = "reads replayed from the fakes' cache" if cached else "moto answering every call"
                print(f"first snapshot, {ms:.0f} ms per call, {how}: 1 context {m1:.2f} s "
                      f"({', '.join(f'{x:.2f}' for x in t1)}), 10 contexts {m10:.2f} s "
                      f"({', '.join(f'{x:.2f}' for x in t10)}): {m10 / m1:.2f}x; "
                      f"CPU seconds, opsdeck {med(c1):.3f} vs {med(c10):.3f}, the fakes {med(f1):.2f} vs {med(f10):.2f} "
                      f"({os.cpu_count()} cores)", flush=True)
        for ep in eps:
            ctl(ep, "/__fake/cache", json.dumps({"on": False}))
        first_ms = float(a.latency_ms.split(",")[0])
        for ep in eps:
            ctl(ep, "/__fake/latency", json.dumps({"ms": first_ms}))
        cpu, mem, by_key, screen = watch(eps, ten, a.minutes)
        print(f"10 contexts watched for {a.minutes:g} min at {first_ms:.0f} ms per call: CPU {cpu:.1f} % of a core, peak memory {mem:.0f} MB")
        total = {}
        for key, ops in sorted(by_key.items()):
            for op, n in ops.items():
                total[op] = total.get(op, 0) + n
        print(f"API calls per minute, all 10 contexts ({len(by_key)} access keys: the test one and a role session per context):")
        for op, n in sorted(total.items(), key=lambda x: -x[1]):
            print(f"  {op:<40} {n / a.minutes:7.1f}   per context {n / a.minutes / len(contexts):6.1f}")
        print("screen at the end:\n" + "\n".join(screen.splitlines()[:6]))
    finally:
        for p, _ in fakes:
            p.terminate()


if __name__ == "__main__":
    main()
