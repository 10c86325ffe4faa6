"""The shapes of the dicts a `Decision` gives, for type checkers and for use at run time.

    from lawful import DecisionDict
    def record(decision: DecisionDict) -> None: ...
"""

from __future__ import annotations

from typing import TypedDict


class _ObligationKind(TypedDict):
    kind: str


class Obligation(_ObligationKind, total=False):
    """What the caller must now do: `kind` (such as "delete" or "notify_recipients"),
    and `purpose` and `within_days` where they apply."""

    purpose: str
    within_days: int


class TraceStep(TypedDict):
    """A rule considered by `Policy.explain`, whether it applied, and why."""

    rule: str
    applies: bool
    why: str


class _DecisionParts(TypedDict):
    allowed: bool
    rule: str | None
    cites: list[str]
    basis: str | None
    obligations: list[Obligation]
    version: str | None


class DecisionDict(_DecisionParts, total=False):
    """A decision as `Decision.to_dict()` gives it (and `lawful decide` prints it);
    `trace` only for an explained decision."""

    trace: list[TraceStep]
