#!/usr/bin/env bash
# Every test: Rust (unit, integration, property, snapshot), the policy's expected
# decisions, the acceptance cases in tests/acceptance/ through the command line, the
# editor extension's (with npm), and the Python bindings' suite.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Rust tests"
cargo test --quiet

echo "== lawful check / lawful fmt --check / lawful test rules/filestack"
cargo build --quiet
./target/debug/lawful check --deny-warnings rules/filestack
./target/debug/lawful fmt --check rules/filestack
./target/debug/lawful test rules/filestack

echo "== acceptance cases (tests/acceptance)"
python3 scripts/acceptance.py --exe target/debug/lawful --policy rules/filestack

# CI places its own checker beside the repository; a clone without it skips this step.
if [ -f ../shared/tools/acceptance.py ]; then
  echo "== acceptance cases, CI's checker"
  python3 ../shared/tools/acceptance.py --exe target/debug/lawful --policy rules/filestack
fi

echo "== editor support (editors/vscode: TextMate grammar, client extension)"
if command -v npm >/dev/null 2>&1; then
  (cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error && npm test --silent)
else
  echo "SKIPPED: the tests of editors/vscode need Node.js and npm, which are not installed"
fi

echo "== Python bindings"
bindings/python/run-tests.sh
