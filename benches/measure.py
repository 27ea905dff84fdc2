#!/usr/bin/env python3
"""Scripted measurements of the release binary in a real pseudo-terminal.

- startup to first frame: `opsdeck --demo --exit-after-frames 1`, wall time over N runs
  (process start, config/theme/keymap load, demo start, first full draw, terminal restore);
- CPU over 30 s of the running demo (utime+stime from /proc, as % of one core);
- peak memory (VmHWM) with the 50 000-line log buffer full.

Usage: python3 benches/measure.py [path/to/opsdeck] [--scale N]   (default target/release/opsdeck)
With --scale 10: the demo as ten contexts (2 000 rows, 500 metrics, 5 000 log lines/s); the
CPU figure then includes simulating that fleet (`cargo bench --bench scale` gives the split).
"""
import fcntl
import os
import pty
import select
import statistics
import struct
import sys
import termios
import time

ARGS = sys.argv[1:]
SCALE = []
if "--scale" in ARGS:
    i = ARGS.index("--scale")
    SCALE = ["--scale", ARGS[i + 1]]
    del ARGS[i:i + 2]
BIN = ARGS[0] if ARGS else os.path.join(
    os.environ.get("CARGO_TARGET_DIR", "target"), "release", "opsdeck")
COLS, ROWS = 200, 50
CLK = os.sysconf("SC_CLK_TCK")


def spawn(args, env_extra=None):
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ, TERM="xterm-256color", XDG_STATE_HOME="/tmp/opsdeck-measure-state")
        env.update(env_extra or {})
        os.execve(BIN, [BIN] + args, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    return pid, fd


def drain(fd, until=None, pid=None):
    """Reads the terminal output (the app blocks if nobody reads) until `until` or exit."""
    out = 0
    while True:
        timeout = 0.05 if until is None else max(0.0, min(0.05, until - time.monotonic()))
        r, _, _ = select.select([fd], [], [], timeout)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return out
            if not data:
                return out
            out += len(data)
        if until is not None and time.monotonic() >= until:
            return out
        if pid is not None:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                return out


def startup(runs=20):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        pid, fd = spawn(["--demo", "--exit-after-frames", "1", *SCALE])
        drain(fd, pid=pid)
        os.waitpid(pid, 0) if not _reaped(pid) else None
        times.append((time.perf_counter() - t0) * 1000)
        os.close(fd)
    return times


def _reaped(pid):
    try:
        os.kill(pid, 0)
        return False
    except ProcessLookupError:
        return True


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def vm(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def steady_cpu(seconds=30, skip=3):
    pid, fd = spawn(["--demo", *SCALE])
    drain(fd, until=time.monotonic() + skip)  # past start-up and backfill
    c0, t0 = proc_cpu(pid), time.monotonic()
    drain(fd, until=t0 + seconds)
    c1, t1 = proc_cpu(pid), time.monotonic()
    os.kill(pid, 15)
    drain(fd, pid=pid)
    os.waitpid(pid, 0)
    os.close(fd)
    return 100.0 * (c1 - c0) / (t1 - t0)


def full_buffer_memory():
    # 2 400 s of demo history fills the 50 000-line buffer; then 20 s mid-incident.
    pid, fd = spawn(["--demo", "--demo-backfill", "2400", *SCALE])
    drain(fd, until=time.monotonic() + 20)
    hwm, rss = vm(pid, "VmHWM"), vm(pid, "VmRSS")
    os.kill(pid, 15)
    drain(fd, pid=pid)
    os.waitpid(pid, 0)
    os.close(fd)
    return hwm, rss


if __name__ == "__main__":
    if not os.access(BIN, os.X_OK):
        sys.exit(f"{BIN} not found: build it with `cargo build --release`")
    t = startup()
    print(f"startup to first frame ({len(t)} runs, {COLS}x{ROWS}): median {statistics.median(t):.1f} ms, "
          f"p90 {sorted(t)[int(len(t) * 0.9) - 1]:.1f} ms, max {max(t):.1f} ms")
    if SCALE:
        print(f"demo as {SCALE[1]} contexts")
    print(f"CPU over 30 s of running demo (quiet, 3-33 s): {steady_cpu():.2f}% of one core")
    print(f"CPU over 30 s of running demo (incident, 100-130 s, ~270 log lines/s): "
          f"{steady_cpu(skip=100):.2f}% of one core")
    hwm, rss = full_buffer_memory()
    print(f"memory with a full 50 000-line buffer: peak (VmHWM) {hwm:.1f} MB, resident {rss:.1f} MB")
