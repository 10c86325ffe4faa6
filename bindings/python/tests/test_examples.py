"""The columnar examples run as users run them, and their answers are decide's.

examples/requests_table.py writes a Parquet file of requests; the Polars, DuckDB
and Spark examples decide it. Each answer they give is checked against
`Policy.decide` on the same request. The Spark example needs a Java runtime
(17 or newer) and pyspark: without them its test is skipped, saying why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed: run bindings/python/run-tests.sh")
pq = pytest.importorskip("pyarrow.parquet")

import lawful

from conftest import REPO, RULES

EXAMPLES = REPO / "examples"
SUBJECT = {"role", "age", "consents", "do_not_track", "provided_contact", "jurisdiction"}


def run(*args: str, env: dict | None = None, timeout: float = 300) -> str:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def requests_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("requests") / "requests.parquet"
    run(str(EXAMPLES / "requests_table.py"), str(path), "--rows", "700")
    return path


def request_of(row: dict) -> dict:
    """The request dict of a row of the Parquet file: nulls left out."""
    request = {k: v for k, v in row.items() if k not in SUBJECT | {"request_id"} and v is not None}
    subject = {k: v for k, v in row.items() if k in SUBJECT and v is not None}
    if "consents" in subject:
        subject["consents"] = dict(subject["consents"])
    request["subject"] = subject
    return request


def answer(policy: lawful.Policy, row: dict) -> dict:
    """decide's answer to a row, as the decision columns show it."""
    try:
        d = policy.decide(request_of(row))
    except lawful.RequestError as e:
        return {"allowed": None, "rule": None, "basis": None, "version": None, "obligations": None,
                "error": str(e)}
    return {"allowed": d.allowed, "rule": d.rule, "basis": d.basis, "version": d.version,
            "obligations": [o["kind"] for o in d.obligations], "error": None}


@pytest.fixture(scope="module")
def answers(requests_file) -> dict[int, dict]:
    policy = lawful.load(RULES)
    return {row["request_id"]: answer(policy, row) | {"purpose": row["purpose"]}
            for row in pq.read_table(requests_file).to_pylist()}


def test_polars_example(requests_file, answers):
    pytest.importorskip("polars", reason="polars is not installed: run bindings/python/run-tests.sh")
    out = run(str(EXAMPLES / "polars" / "decide.py"), "--policy", str(RULES), str(requests_file))
    marketing = sum(bool(a["allowed"]) and a["purpose"].startswith("marketing.") for a in answers.values())
    assert f"{marketing} of {len(answers)} requests may use the data for marketing" in out
    errors = sum(a["error"] is not None for a in answers.values())
    assert errors > 0 and "unknown purpose" in out


def test_duckdb_example(requests_file, answers):
    pytest.importorskip("duckdb", reason="duckdb is not installed: run bindings/python/run-tests.sh")
    out = run(str(EXAMPLES / "duckdb" / "decide.py"), "--policy", str(RULES), str(requests_file))
    purposes = {a["purpose"] for a in answers.values()}
    for purpose in purposes:
        line = next(line for line in out.splitlines() if f" {purpose} " in line)
        allowed, denied, errors = (int(n) for n in re.findall(r"\d+", line.split(purpose)[1]))
        mine = [a for a in answers.values() if a["purpose"] == purpose]
        assert allowed == sum(a["allowed"] is True for a in mine), line
        assert denied == sum(a["allowed"] is False for a in mine), line
        assert errors == sum(a["error"] is not None for a in mine), line


def java_major() -> int | None:
    """The major version of the `java` on PATH, or None without one."""
    if shutil.which("java") is None:
        return None
    done = subprocess.run(["java", "-version"], capture_output=True, text=True)
    found = re.search(r'version "(\d+)', done.stderr + done.stdout)
    return int(found.group(1)) if found else None


@pytest.mark.spark
def test_spark_example_in_local_mode(requests_file, answers, tmp_path):
    java = java_major()
    if java is None:
        pytest.skip("no Java runtime: the Spark example needs Java 17 or newer (apt-get install openjdk-17-jre-headless)")
    if java < 17:
        pytest.skip(f"Java {java} is too old: Spark 4 needs Java 17 or newer")
    pytest.importorskip("pyspark", reason="pyspark is not installed: run-tests.sh installs it where Java is present")
    out_dir = tmp_path / "decisions.parquet"
    # The executors run this interpreter, where the wheel is installed.
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    run(str(EXAMPLES / "spark" / "decide.py"), "--policy", str(RULES), "--requests", str(requests_file),
        "--out", str(out_dir), "--master", "local[2]", env=env, timeout=600)
    decided = pq.read_table(out_dir).to_pylist()
    assert len(decided) == len(answers)
    for row in decided:
        expected = {k: v for k, v in answers[row["request_id"]].items() if k != "purpose"}
        assert {k: v for k, v in row.items() if k != "request_id"} == expected, row
