#!/usr/bin/env python3
"""Large-fleet figures (issue 27), from one run against the local fake AWS (moto behind
tests/aws/fakeaws.py), for each fleet given: S ECS services in C clusters, F Lambda functions
and Q SQS queues (tests/aws/fleet.py big), all steady, everything found by discovery (an
opsdeck.toml without [watch]).

For each fleet:
1. discovery: `opsdeck snapshot --format json` — how many services, functions and queues it
   reports (all of them: no cap) and its time (median of --runs);
2. the cockpit in tmux (200x50): time from start to the first service names on screen (the
   pane title says `loading n/N`) and to the full view (every row described: `loading` gone,
   the title's row count complete), polling capture-pane every 20 ms;
3. after a warm-up, the API calls per minute per operation over --minutes (the fake counts
   every request), and the cockpit's resident memory (VmRSS at the end, VmHWM the peak).

Usage: python3 benches/fleet_figures.py [--fleets 20/2/4/5,200/3/50/30,300/3/60/0]
                                         [--minutes 2] [--runs 3] [--latency-ms 40] [--bin PATH]
Needs: a release build (cargo build --release), tmux, moto, boto3.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live_figures import BIN, ENV, ROOT, ctl, start_fake  # noqa: E402


def build(ep, s, c, f, q):
    subprocess.run([sys.executable, os.path.join(ROOT, "tests/aws/fleet.py"), ep, "big", str(s), str(c), str(f), str(q)],
                   env=ENV, check=True)


def snapshot(ep, cfg_dir):
    t = time.perf_counter()
    out = subprocess.run([BIN, "snapshot", "--format", "json", "--endpoint-url", ep, "--after", "120"],
                         env=ENV, cwd=cfg_dir, capture_output=True, text=True)
    took = time.perf_counter() - t
    if out.returncode != 0:
        sys.exit(f"snapshot failed: {out.stderr[-800:]}")
    doc = json.loads(out.stdout)
    kinds = {}
    for r in doc["services"]:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    return took, kinds, doc.get("errors", [])


def pid_of(sock):
    out = subprocess.run(["tmux", "-L", sock, "list-panes", "-F", "#{pane_pid}"], capture_output=True, text=True)
    shell = int(out.stdout.split()[0])
    # The pane runs `env … opsdeck`, which execs: the pane's process is opsdeck.
    return shell


def rss_kb(pid):
    got = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS", "VmHWM", "RssAnon", "RssFile")):
                k, v = line.split(":")
                got[k] = int(v.split()[0])
    return got


SMAPS = None


def cockpit(ep, cfg_dir, total, minutes):
    sock = f"opsdeck-fleet-{os.getpid()}"
    env = " ".join(f"{k}={v}" for k, v in ENV.items() if k.startswith("AWS_"))
    cmd = f"cd {cfg_dir} && exec env {env} {BIN} --endpoint-url {ep}"
    t0 = time.perf_counter()
    subprocess.run(["tmux", "-L", sock, "new-session", "-d", "-x", "200", "-y", "50", cmd], check=True)
    first = full = None
    try:
        deadline = t0 + 180
        while time.perf_counter() < deadline:
            screen = subprocess.run(["tmux", "-L", sock, "capture-pane", "-p"], capture_output=True, text=True).stdout
            now = time.perf_counter() - t0
            if first is None and "big-" in screen:
                first = now
            m = re.search(r"Services\D*?(\d+) ", screen)
            if first is not None and "loading" not in screen and m and int(m.group(1)) >= total:
                full = now
                break
            time.sleep(0.02)
        pid = pid_of(sock)
        time.sleep(20)  # warm-up: rediscovery settles, the first steady describes pass
        ctl(ep, "/__fake/stats/reset", "")
        time.sleep(60 * minutes)
        stats = ctl(ep, "/__fake/stats")
        mem = rss_kb(pid)
        if SMAPS:
            with open(f"/proc/{pid}/smaps") as src, open(SMAPS, "w") as dst:
                dst.write(src.read())
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"])
    per_min = {k: v / minutes for k, v in sorted(stats.items())}
    return first, full, per_min, mem


def main():
    global BIN, SMAPS
    ap = argparse.ArgumentParser()
    ap.add_argument("--fleets", default="20/2/4/5,200/3/50/30,300/3/60/0")
    ap.add_argument("--minutes", type=float, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--latency-ms", type=int, default=40)
    ap.add_argument("--bin", default=BIN, help="the opsdeck binary (another build, to compare)")
    ap.add_argument("--smaps", help="save the cockpit's /proc/PID/smaps at the end here (where its memory is)")
    a = ap.parse_args()
    BIN = a.bin
    SMAPS = a.smaps
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} missing: cargo build --release")
    for spec in a.fleets.split(","):
        s, c, f, q = (int(x) for x in spec.split("/"))
        fake, ep = start_fake()
        try:
            build(ep, s, c, f, q)
            ctl(ep, "/__fake/latency", json.dumps({"ms": a.latency_ms}))
            with tempfile.TemporaryDirectory() as d:
                # No [watch]: everything is discovered. Metrics and logs as usual.
                open(os.path.join(d, "opsdeck.toml"), "w").write("[logs]\nlive_tail = false\n")
                runs = [snapshot(ep, d) for _ in range(a.runs)]
                took = statistics.median(r[0] for r in runs)
                kinds, errors = runs[-1][1], runs[-1][2]
                total = s + f + q
                first, full, per_min, mem = cockpit(ep, d, total, a.minutes)
            watched = s + f + q
            print(f"\n== fleet {s} services in {c} clusters, {f} functions, {q} queues "
                  f"(fake latency {a.latency_ms} ms)")
            print(f"snapshot (discovery + every describe): {took:.2f} s median of {a.runs}; rows {kinds}; errors {errors}")
            print(f"cockpit: first names {first if first is None else round(first, 2)} s, "
                  f"full view {full if full is None else round(full, 2)} s")
            resource_ops = {k: v for k, v in per_min.items() if not k.startswith(("GetMetricData", "FilterLogEvents",
                            "DescribeLogGroups", "DescribeLogStreams", "DescribeAlarms", "ListMetrics", "GetCallerIdentity"))}
            print(f"API calls/min, all: {sum(per_min.values()):.1f}; resource reads: {sum(resource_ops.values()):.1f} "
                  f"= {sum(resource_ops.values()) / max(watched, 1):.2f} per watched resource")
            for k, v in per_min.items():
                print(f"  {k:32} {v:7.1f}")
            print(f"memory: VmRSS {mem.get('VmRSS', 0) / 1024:.1f} MB (anonymous {mem.get('RssAnon', 0) / 1024:.1f}, "
                  f"file-backed {mem.get('RssFile', 0) / 1024:.1f}), peak VmHWM {mem.get('VmHWM', 0) / 1024:.1f} MB")
        finally:
            fake.terminate()


if __name__ == "__main__":
    main()
