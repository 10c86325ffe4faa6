"""Fixtures: the Filestack policy and the repository's acceptance cases."""

from __future__ import annotations

import json
import pathlib

import pytest

import lawful

REPO = pathlib.Path(__file__).resolve().parents[3]
RULES = REPO / "rules" / "filestack"
ACCEPTANCE = REPO / "tests" / "acceptance"


def load_cases() -> list[dict]:
    """Every case of every tests/acceptance/*.jsonl; an error, never a skip, if there are none."""
    files = sorted(ACCEPTANCE.glob("*.jsonl"))
    if not files:
        raise RuntimeError(f"the acceptance cases are missing: expected *.jsonl files in {ACCEPTANCE}")
    cases = []
    for path in files:
        with path.open(encoding="utf-8") as f:
            found = [json.loads(line) for line in f if line.strip()]
        if not found:
            raise RuntimeError(f"{path} holds no acceptance cases")
        cases += found
    return cases


CASES = load_cases()


@pytest.fixture(scope="session")
def policy() -> lawful.Policy:
    return lawful.load(RULES)


def check(case: dict, decision: lawful.Decision) -> list[str]:
    """What is wrong with a decision for an acceptance case (as scripts/acceptance.py checks)."""
    expect = case["expect"]
    why = []
    if decision.allowed is not expect["allowed"]:
        why.append(f"allowed={decision.allowed}, expected {expect['allowed']}")
    kinds = {o["kind"] for o in decision.obligations}
    why += [f"missing obligation {k}" for k in expect.get("obligations", []) if k not in kinds]
    for key in ("version", "basis"):
        if key in expect and getattr(decision, key) != expect[key]:
            why.append(f"{key}={getattr(decision, key)!r}, expected {expect[key]!r}")
    return why
