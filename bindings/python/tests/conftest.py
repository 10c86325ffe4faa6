"""Shared fixtures: the Filestack policy and the acceptance cases beside the repository."""

from __future__ import annotations

import json
import pathlib

import pytest

import lawful

REPO = pathlib.Path(__file__).resolve().parents[3]
RULES = REPO / "rules" / "filestack"
ACCEPTANCE = REPO.parent / "shared" / "acceptance" / "filestack.jsonl"


def load_cases() -> list[dict]:
    if not ACCEPTANCE.exists():
        raise RuntimeError(
            f"the acceptance cases are missing: expected {ACCEPTANCE} "
            "(the shared/ directory beside the repository)"
        )
    with ACCEPTANCE.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


CASES = load_cases()


@pytest.fixture(scope="session")
def policy() -> lawful.Policy:
    return lawful.load(RULES)


def check(case: dict, decision: lawful.Decision) -> list[str]:
    """What is wrong with a decision for an acceptance case (as ../shared/tools/acceptance.py checks)."""
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
