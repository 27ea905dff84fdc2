#!/usr/bin/env bash
# The whole opsdeck test suite, from a fresh machine: installs what the tests need when it is
# missing (tmux for the end-to-end tests, redis-server and postgresql for the command-watch
# tests, moto and the aws CLI for the live AWS tests), then builds and runs every test in release mode
# (the tmux tests drive the release binary that this build produces).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v cargo >/dev/null 2>&1; then
  echo "tests/run.sh: cargo not found; install Rust with rustup (https://rustup.rs) and retry" >&2
  exit 1
fi
# Debian packages the tests need: tmux (end-to-end tests), redis-server and postgresql (the
# command-watch tests start their own servers on loopback ports in temp dirs), chromium (the
# HTML report). One
# `apt-get update`, then what is missing.
missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
# Headless Chromium renders the postmortem report (HTML) in its test.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "tests/run.sh: installing ${missing[*]} (needed by the tests)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v python3 >/dev/null 2>&1; then
  echo "tests/run.sh: installing python3 (the fake AWS for the live tests runs on it)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip
fi
# moto (with boto3) is the local fake AWS of the live tests; the aws CLI runs the runbook
# commands of the end-to-end test against it.
if ! python3 -c 'import moto.server, boto3, flask' >/dev/null 2>&1; then
  echo "tests/run.sh: installing moto[server] (the local fake AWS)"
  python3 -m pip install --quiet 'moto[server]>=5.1' || python3 -m pip install --quiet --break-system-packages 'moto[server]>=5.1'
fi
if ! command -v aws >/dev/null 2>&1; then
  echo "tests/run.sh: installing the aws CLI (runbook commands in the end-to-end tests)"
  python3 -m pip install --quiet awscli || python3 -m pip install --quiet --break-system-packages awscli
  export PATH="$HOME/.local/bin:$PATH"
fi

cargo build --release --locked --bins
cargo test --release --locked --all-targets
