#!/usr/bin/env python3
"""Checks the command line's decisions against the acceptance cases.

    python3 scripts/acceptance.py [--exe PATH] [--policy DIR] [CASES.jsonl ...]

Each line of a case file is one case:

    {"name": "...", "request": {...}, "expect": {...}}

`expect` holds either `"error": true` (the request must be refused with an error
object, not decided) or `"allowed": true/false`, and then optionally `obligations`
(kinds the decision must include, among any others), `version` and `basis` (which
must be equal).

Every request goes to one `lawful decide --policy DIR` run, one JSON line each, and
the answers are read back line by line. Each failing case is printed with what was
wrong and what came back; the last line is `N passed, M failed`. The exit status is 0
when every case passed, 1 when any failed, 2 when the cases or the binary cannot be
read or run.

Defaults: the case files are the repository's tests/acceptance/*.jsonl; the binary is
target/release/lawful, else target/debug/lawful (run `cargo build` first); the policy
is rules/filestack.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
from typing import NoReturn

REPO = pathlib.Path(__file__).resolve().parent.parent


def die(message: str) -> NoReturn:
    """Stops for cases or a binary that cannot be used: exit status 2, not a failure."""
    print(f"acceptance: {message}", file=sys.stderr)
    sys.exit(2)


def read_cases(files: list[pathlib.Path]) -> list[dict]:
    cases = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            die(f"cannot read the case file {path}: {e}")
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                case = json.loads(line)
            except ValueError as e:
                die(f"{where}: not a JSON line: {e}")
            if not isinstance(case, dict) or not {"name", "request", "expect"} <= case.keys():
                die(f'{where}: a case needs "name", "request" and "expect"')
            expect = case["expect"]
            if not isinstance(expect, dict) or not (expect.get("error") or "allowed" in expect):
                die(f'{where}: "expect" needs "allowed" or "error"')
            cases.append(case)
    return cases


def problems(expect: dict, got: object) -> list[str]:
    """What is wrong with one answer (a parsed JSON line) for one case's expectations."""
    if not isinstance(got, dict):
        return ["the answer is not a JSON object"]
    if expect.get("error"):
        if "error" in got and "allowed" not in got:
            return []
        return ["expected the request to be refused with an error"]
    if "error" in got:
        return [f"refused with an error, expected allowed={expect['allowed']}"]
    found = []
    if got.get("allowed") is not expect["allowed"]:
        found.append(f"allowed={got.get('allowed')!r}, expected {expect['allowed']}")
    obligations = got.get("obligations")
    kinds = {o.get("kind") for o in obligations if isinstance(o, dict)} if isinstance(obligations, list) else set()
    found += [f"no obligation {kind}" for kind in expect.get("obligations", []) if kind not in kinds]
    for key in ("version", "basis"):
        if key in expect and got.get(key) != expect[key]:
            found.append(f"{key}={got.get(key)!r}, expected {expect[key]!r}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--exe", help="the lawful binary (default: target/release/lawful, else target/debug/lawful)")
    parser.add_argument("--policy", help="the rules folder to decide with (default: rules/filestack)")
    parser.add_argument("cases", nargs="*", type=pathlib.Path, help="case files (default: tests/acceptance/*.jsonl)")
    args = parser.parse_args()

    files = args.cases or sorted((REPO / "tests" / "acceptance").glob("*.jsonl"))
    if not files:
        die(f"no case files: {REPO / 'tests' / 'acceptance'} holds no *.jsonl")
    if args.exe:
        exe = pathlib.Path(args.exe)
    else:
        built = [REPO / "target" / profile / "lawful" for profile in ("release", "debug")]
        exe = next((p for p in built if p.exists()), None)
        if exe is None:
            die("no lawful binary in target/: run `cargo build` first, or give --exe")
    policy = args.policy or str(REPO / "rules" / "filestack")

    cases = read_cases(files)
    if not cases:
        die("the case files hold no cases")
    stdin = "".join(json.dumps(case["request"]) + "\n" for case in cases)
    try:
        run = subprocess.run(
            [str(exe), "decide", "--policy", policy],
            input=stdin, capture_output=True, text=True, timeout=300,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        die(f"cannot run {exe}: {e}")
    answers = [line for line in run.stdout.splitlines() if line.strip()]
    if len(answers) != len(cases):
        print(f"{len(cases)} cases but {len(answers)} answers (exit status {run.returncode})")
        if run.stderr.strip():
            print(run.stderr.strip()[-2000:])
        print(f"0 passed, {len(cases)} failed")
        return 1

    passed = failed = 0
    for case, answer in zip(cases, answers):
        try:
            got = json.loads(answer)
        except ValueError:
            got = None
        found = problems(case["expect"], got)
        if found:
            failed += 1
            print(f"FAIL {case['name']}: {'; '.join(found)}")
            print(f"     got: {answer[:400]}")
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
