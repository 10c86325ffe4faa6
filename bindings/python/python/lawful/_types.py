"""The shapes of the dicts a `Decision` and the data map give, for type checkers and for use at run time.

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
    digest: str


class DecisionDict(_DecisionParts, total=False):
    """A decision as `Decision.to_dict()` gives it (and `lawful decide` prints it);
    `trace` only for an explained decision."""

    trace: list[TraceStep]


class _MapObligationKind(TypedDict):
    kind: str


class MapObligation(_MapObligationKind, total=False):
    """An obligation the data map lists: its `kind`, and `within_days` where it applies."""

    within_days: int


class MapRecipient(TypedDict):
    """A party a use may be disclosed to, with what the disclosure obliges and when."""

    party: str
    obligations: list[MapObligation]
    conditions: list[str]


class MapUse(TypedDict):
    """One use of a category of data for a purpose that a version's rules allow."""

    role: str
    category: str
    purpose: str
    basis: str
    rule: str
    cites: list[str]
    conditions: list[str]
    recipients: list[MapRecipient]


class DataMap(TypedDict):
    """`Policy.data_map()`: the uses a version allows."""

    version: str
    uses: list[MapUse]


class MapDisclosure(TypedDict):
    """One disclosure to a party that a version's rules allow."""

    role: str
    category: str
    purpose: str
    party: str
    basis: str
    rule: str
    obligations: list[MapObligation]
    conditions: list[str]
