#!/usr/bin/env bash
# The whole opsdeck test suite, from a fresh machine: installs what the tests need when it is
# missing (tmux for the end-to-end tests), then builds and runs every test in release mode
# (the tmux tests drive the release binary that this build produces).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v cargo >/dev/null 2>&1; then
  echo "tests/run.sh: cargo not found; install Rust with rustup (https://rustup.rs) and retry" >&2
  exit 1
fi
if ! command -v tmux >/dev/null 2>&1; then
  echo "tests/run.sh: installing tmux (needed by the end-to-end tests)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux
fi

cargo build --release --locked --bins
cargo test --release --locked --all-targets
