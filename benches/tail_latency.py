#!/usr/bin/env python3
"""Event-to-screen latency of following a log group, opsdeck against awslogs, side by side
in one run against the same fake AWS (moto behind tests/aws/fakeaws.py, which plays
StartLiveTail).

Both follow /ecs/prod/api at once: opsdeck in tmux (its screen read with capture-pane every
20 ms), `awslogs get --watch` (its output read as it comes; its default watch interval).
Each probe puts one event with a unique marker and times how long until each shows it. Each
signs with its own access key, so the fake counts their API calls apart; their CPU and peak
memory are read from /proc over the probes.

With --poll, opsdeck follows by polling (`[logs] live_tail = false`), as before Live Tail.

Usage: python3 benches/tail_latency.py [--probes 30] [--poll] [--latency-ms 0]
Needs: a release build, tmux, moto, boto3, and awslogs (`python3 -m pip install awslogs`;
installed here when missing).
"""

import argparse
import fcntl
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live_figures import BIN, ROOT, ctl, start_fake  # noqa: E402

GROUP = "/ecs/prod/api"


def awslogs_bin():
    found = shutil.which("awslogs") or os.path.expanduser("~/.local/bin/awslogs")
    if not os.access(found, os.X_OK):
        subprocess.run([sys.executable, "-m", "pip", "install", "--user", "--quiet", "awslogs"], check=True)
        found = os.path.expanduser("~/.local/bin/awslogs")
    return found


def env_for(key):
    e = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
             AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null")
    e.pop("AWS_PROFILE", None)
    return e


def cpu_s(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def hwm_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--probes", type=int, default=30)
    ap.add_argument("--poll", action="store_true")
    ap.add_argument("--latency-ms", type=float, default=0)
    a = ap.parse_args()
    awslogs = awslogs_bin()
    fake, ep = start_fake()
    sock = f"opsdeck-tail-{os.getpid()}"
    aw = None
    try:
        subprocess.run([sys.executable, os.path.join(ROOT, "tests/aws/fleet.py"), ep, "build"],
                       env=env_for("testing"), check=True, capture_output=True)
        ctl(ep, "/__fake/latency", json.dumps({"ms": a.latency_ms}))
        tmp = tempfile.mkdtemp()
        cfg = os.path.join(tmp, "opsdeck.toml")
        open(cfg, "w").write(f'[watch]\nlog_groups = ["{GROUP}"]\n\n[logs]\nlive_tail = {"false" if a.poll else "true"}\n')
        env = " ".join(f"{k}={v}" for k, v in env_for("opsdeckprobe").items() if k.startswith("AWS_"))
        subprocess.run(["tmux", "-L", sock, "new-session", "-d", "-x", "200", "-y", "50",
                        f"env {env} {BIN} --config {cfg} --endpoint-url {ep}"], check=True)
        aw = subprocess.Popen([awslogs, "get", GROUP, "ALL", "--watch", "--aws-endpoint-url", ep, "-s", "1m"],
                              env=env_for("awslogsprobe"), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        fl = fcntl.fcntl(aw.stdout, fcntl.F_GETFL)
        fcntl.fcntl(aw.stdout, fcntl.F_SETFL, fl | os.O_NONBLOCK)
        time.sleep(8)  # both started, sessions up
        pane = subprocess.run(["tmux", "-L", sock, "list-panes", "-F", "#{pane_pid}"], capture_output=True, text=True).stdout.split()[0]
        kids = subprocess.run(["pgrep", "-P", pane], capture_output=True, text=True).stdout.split()
        od = int(kids[0]) if kids else int(pane)
        import boto3
        logs = boto3.client("logs", endpoint_url=ep, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")
        ctl(ep, "/__fake/stats/reset", "")
        c0 = (cpu_s(od), cpu_s(aw.pid))
        t_start = time.time()
        ours, theirs = [], []
        aw_buf = b""
        for i in range(a.probes):
            marker = f"probe-{os.getpid()}-{i}"
            t0 = time.time()
            logs.put_log_events(logGroupName=GROUP, logStreamName="s1",
                                logEvents=[{"timestamp": int(t0 * 1000), "message": f"latency {marker}"}])
            got_o = got_a = None
            while (got_o is None or got_a is None) and time.time() - t0 < 15:
                if got_o is None:
                    screen = subprocess.run(["tmux", "-L", sock, "capture-pane", "-p"], capture_output=True, text=True).stdout
                    if marker in screen:
                        got_o = time.time() - t0
                if got_a is None:
                    try:
                        aw_buf += aw.stdout.read() or b""
                    except (BlockingIOError, TypeError):
                        pass
                    if marker.encode() in aw_buf:
                        got_a = time.time() - t0
                time.sleep(0.02)
            ours.append(got_o)
            theirs.append(got_a)
            time.sleep(1.0 + random.random())
        elapsed = time.time() - t_start
        c1 = (cpu_s(od), cpu_s(aw.pid))
        by_key = ctl(ep, "/__fake/stats/by-key")
        mem = (hwm_mb(od), hwm_mb(aw.pid))
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True)
        if aw:
            aw.terminate()
        fake.terminate()

    def summary(name, xs, key, cpu, mem_mb):
        ok = [x for x in xs if x is not None]
        # The logs API only (opsdeck also watches the fleet's services, functions, alarms).
        logs_ops = ("FilterLogEvents", "StartLiveTail", "DescribeLogGroups", "GetLogEvents")
        mine = {op: n for op, n in by_key.get(key, {}).items() if op in logs_ops}
        calls = sum(mine.values())
        ops = ", ".join(f"{op} {n}" for op, n in sorted(mine.items())) or "none"
        med = f"median {statistics.median(ok):.2f} s (min {min(ok):.2f}, max {max(ok):.2f})" if ok else "never"
        print(f"{name:<22} {med}, {len(xs) - len(ok)} missed; {calls / elapsed * 60:.0f} logs API calls/min "
              f"({ops}); CPU {cpu / elapsed * 100:.1f} % of a core; peak memory {mem_mb:.0f} MB")

    mode = "polling" if a.poll else "Live Tail"
    print(f"{a.probes} probes over {elapsed:.0f} s, {a.latency_ms:.0f} ms added per call:")
    summary(f"opsdeck ({mode})", ours, "opsdeckprobe", c1[0] - c0[0], mem[0])
    summary("awslogs --watch", theirs, "awslogsprobe", c1[1] - c0[1], mem[1])


if __name__ == "__main__":
    main()
