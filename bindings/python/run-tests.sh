#!/usr/bin/env bash
# Builds the Python bindings as a wheel, installs it into <repo>/.venv, and runs
# their tests against the installed package (what users get, not the source tree).
#
#   bindings/python/run-tests.sh [pytest arguments...]
#
# Needs python3 (3.10 or newer) and the Rust toolchain; fetches what
# requirements-test.txt pins (maturin, pytest, mypy for stubtest, fideslang,
# playwright, and the columnar libraries the tests and examples use: pyarrow, pandas,
# Polars, DuckDB) from PyPI into the virtual environment, and pyspark where a Java
# runtime is present (the Spark example's test is skipped, saying so, where it is
# not). The HTML data map is opened in Debian's Chromium: run as root, this installs
# the `chromium` package when it is missing; otherwise that test is skipped and says
# so. The build is a debug build, to stay fast; measure speed with bench.py
# against a release build instead.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/.venv"

if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
pip_install() {
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
}
pip_install -r "$here/requirements-test.txt"
# pyspark is large (about 450 MB): only where Spark can run, and only once.
if command -v java >/dev/null 2>&1; then
    "$venv/bin/python" -c "import pyspark" 2>/dev/null || pip_install "pyspark==4.3.0"
else
    echo "NOTE: no Java runtime found: the Spark example's test will be SKIPPED (install a JDK 17 or newer)" >&2
fi

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing Debian's chromium for the HTML data map test"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "NOTE: chromium is not installed and this is not root: the HTML data map test will be SKIPPED (apt-get install chromium)"
    fi
fi

wheels="$(mktemp -d)"
trap 'rm -rf "$wheels"' EXIT
(cd "$here" && "$venv/bin/maturin" build --interpreter "$venv/bin/python" --out "$wheels")
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --force-reinstall --no-deps "$wheels"/lawful-*.whl

cd "$repo"
# The hand-written stubs must match the module as built.
echo "stubtest: checking the type stubs against the installed module"
MYPY_CACHE_DIR="$venv/.mypy_cache" "$venv/bin/python" -m mypy.stubtest lawful
# -rs prints the reason of every skipped test (such as the Spark example's without Java).
exec "$venv/bin/python" -m pytest -p no:cacheprovider -rs "$here/tests" "$@"
