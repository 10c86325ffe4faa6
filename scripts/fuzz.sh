#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ for a bounded time, one after another.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a C++ compiler for libFuzzer;
# works on stable Rust (`--sanitizer none`). Each target starts from the seeds
# committed in fuzz/seeds/TARGET and keeps what it learns in fuzz/corpus/TARGET
# (not committed). An input that fails is saved in fuzz/artifacts/TARGET/ and the
# script exits 1; turn it into a test in tests/ (see docs/hardening.md).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds="${1:-60}"
case "$seconds" in
  ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET]" >&2; exit 2 ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is not installed; install it with: cargo install cargo-fuzz" >&2
  exit 2
fi

targets="$(cargo fuzz list)"
failed=""
for target in $targets; do
  corpus="corpus/$target"
  mkdir -p "$corpus"
  dirs=("$corpus")
  if [ -d "seeds/$target" ]; then
    dirs+=("seeds/$target")
  fi
  echo "== fuzz $target for ${seconds}s"
  # -timeout: an input taking longer than 10 s is a hang, and a finding.
  if ! cargo fuzz run "$target" --sanitizer none --debug-assertions "${dirs[@]}" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1; then
    failed="$failed $target"
  fi
done

if [ -n "$failed" ]; then
  echo "fuzzing found problems in:$failed (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzzing: no problems found in $(echo $targets | wc -w) targets, ${seconds}s each"
