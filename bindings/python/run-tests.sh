#!/usr/bin/env bash
# Builds the Python bindings as a wheel, installs it into <repo>/.venv, and runs
# their tests against the installed package (what users get, not the source tree).
#
#   bindings/python/run-tests.sh [pytest arguments...]
#
# Needs python3 (3.10 or newer) and the Rust toolchain; fetches maturin and pytest
# from PyPI into the virtual environment. The build is a debug build, to stay fast;
# measure speed with bench.py against a release build instead.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/.venv"

if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "maturin==1.16.0" "pytest==9.2.0"

wheels="$(mktemp -d)"
trap 'rm -rf "$wheels"' EXIT
(cd "$here" && "$venv/bin/maturin" build --interpreter "$venv/bin/python" --out "$wheels")
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --force-reinstall --no-deps "$wheels"/lawful-*.whl

cd "$repo"
exec "$venv/bin/python" -m pytest -p no:cacheprovider "$here/tests" "$@"
