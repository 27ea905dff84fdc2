#!/usr/bin/env python3
"""Scripted figures for recordings, replay and the postmortem report (issue 12):

- recording size: a recording given on the command line (a real `--record` run), per hour;
- replay CPU at x10 speed: `opsdeck replay --speed 10` in a pseudo-terminal, utime+stime over
  30 s as % of one core, and its peak memory;
- seek: `opsdeck snapshot --replay FILE --at T` wall time at the start, middle and end
  (includes reading the file; the in-process jump alone is `cargo bench --bench replay`);
- the HTML report: size, and headless Chromium's time to load and screenshot it.

Usage: python3 benches/replay_figures.py RECORDING JOURNAL [path/to/opsdeck]
(a one-hour recording: `opsdeck --demo --record FILE --journal J` left running an hour, or
`OPSDECK_BENCH_RECORDING=FILE cargo bench --bench replay`, which steps the demo in simulated time).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import measure  # noqa: E402  (pty helpers)

REC, JOURNAL = sys.argv[1], sys.argv[2]
BIN = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
    os.environ.get("CARGO_TARGET_DIR", "target"), "release", "opsdeck")
measure.BIN = BIN


def span_seconds():
    """From the header's start to the last record (zstd -dc reads a recording)."""
    raw = subprocess.run(["zstd", "-dc", REC], capture_output=True, check=False).stdout
    first = last = None
    for line in raw.splitlines():
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if d.get("r") == "header":
            first = d["started_ms"]
        elif "t" in d:
            last = d["t"]
    return (last - first) / 1000.0


def replay_cpu(speed=10, seconds=30):
    pid, fd = measure.spawn(["replay", REC, "--speed", str(speed)])
    measure.drain(fd, until=time.monotonic() + 2)
    c0, t0 = measure.proc_cpu(pid), time.monotonic()
    measure.drain(fd, until=t0 + seconds)
    c1, t1 = measure.proc_cpu(pid), time.monotonic()
    hwm = measure.vm(pid, "VmHWM")
    os.kill(pid, 15)
    measure.drain(fd, pid=pid)
    os.waitpid(pid, 0)
    os.close(fd)
    return 100.0 * (c1 - c0) / (t1 - t0), hwm


def seek(at, runs=5):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([BIN, "snapshot", "--replay", REC, "--at", at, "--width", "200",
                        "--height", "50"], capture_output=True, check=True)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def report():
    tmp = tempfile.mkdtemp()
    page = os.path.join(tmp, "report.html")
    with open(page, "w") as f:
        subprocess.run([BIN, "journal", "export", "--format", "html", "--journal", JOURNAL,
                        "--recording", REC], stdout=f, check=True)
    size = os.path.getsize(page)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        return size, None
    times = []
    for i in range(3):
        t0 = time.perf_counter()
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", f"--user-data-dir={tmp}/p{i}",
                        f"--screenshot={tmp}/r.png", "--window-size=1280,4000",
                        f"file://{page}"], capture_output=True, check=True)
        times.append((time.perf_counter() - t0) * 1000)
    return size, statistics.median(times)


if __name__ == "__main__":
    span = span_seconds()
    size = os.path.getsize(REC)
    print(f"recording: {size / 1e6:.2f} MB for {span / 60:.1f} min = "
          f"{size / 1e6 * 3600 / span:.2f} MB per hour")
    for name, at in [("start", "5s"), ("middle", f"{int(span / 2)}s"), ("end", f"{int(span)}s")]:
        print(f"snapshot --replay --at {name}: {seek(at):.0f} ms median of 5 (reads the file)")
    cpu, hwm = replay_cpu()
    print(f"replay x10 over 30 s: {cpu:.1f}% of one core, peak memory {hwm:.0f} MB")
    size, ms = report()
    print(f"HTML report: {size / 1024:.1f} KB"
          + (f", Chromium load + screenshot {ms:.0f} ms median of 3" if ms else ""))
