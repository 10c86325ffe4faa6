"""The direct reader and the JSON reader agree.

A request dict is read straight into the engine's request when it is plainly well
formed, and through JSON by the CLI's reader otherwise. Whenever the direct reader
reads a request, the JSON reader must read the very same request; whenever the
JSON reader refuses one, the direct reader must have left it alone.
"""

from __future__ import annotations

import copy
import datetime as dt
import random

import lawful
from lawful._lawful import _read_both

from conftest import CASES

UTC = dt.timezone.utc

VALUES = [
    None, True, False, 0, 1, -1, 16, 18, 16.0, 16.5, 2**70, float("nan"), "", "visitor", "use",
    "disclose", "2026-03-01", "2026-03-01T10:00:00Z", "not a time", "device.ip_address",
    ["device.ip_address"], [], ["a", 1], ("contact.email", "contact.name"), {"b", "a"},
    frozenset({"x"}), {"marketing.communications": "2026-01-01"}, {"x": 5}, {1: "x"},
    dt.datetime(2026, 3, 1, 10, 30), dt.datetime(2026, 3, 1, 10, 30, 0, 5, tzinfo=UTC),
    dt.datetime(2026, 3, 1, tzinfo=dt.timezone(dt.timedelta(hours=-5, minutes=-30))), dt.date(2026, 3, 1),
    object(), b"bytes",
]
KEYS = ["action", "subject", "data", "purpose", "party", "at", "collected_at", "role", "age",
        "consents", "revocations", "do_not_track", "jurisdiction", "extra"]


def agree(request) -> bool:
    direct, by_json = _read_both(request)
    if direct is not None:
        assert by_json == direct, (request, direct, by_json)
        return True
    return False


def test_acceptance_requests_are_read_directly():
    # Names are checked later, against the policy: even the refused cases read directly.
    for case in CASES:
        assert agree(case["request"]), case["name"]


def mutated(seed: int, count: int, fewest: int, most: int):
    """Acceptance requests with `fewest` to `most` keys removed or set to odd values."""
    rng = random.Random(seed)
    base = [c["request"] for c in CASES]
    for _ in range(count):
        request = copy.deepcopy(rng.choice(base))
        for _ in range(rng.randint(fewest, most)):
            target = request["subject"] if rng.random() < 0.5 and isinstance(request.get("subject"), dict) else request
            key = rng.choice(KEYS)
            if rng.random() < 0.2:
                target.pop(key, None)
            else:
                target[key] = rng.choice(VALUES)
        yield request


def test_mutated_requests_agree():
    direct = 0
    for request in mutated(20260301, 20_000, 1, 3):
        direct += agree(request)
    assert direct > 500      # the direct reader is exercised, not just bypassed


def outcome(decide, request):
    """What `decide` gives for one request: its dict, or the error's kind, field and message."""
    try:
        return decide(request).to_dict()
    except lawful.RequestError as e:
        return ("error", e.kind, e.field, str(e))


def test_the_fast_path_decides_mutated_requests_as_the_usual_reader_does(policy):
    # decide and decide_many prepare plain dicts on a fast path; whatever it takes
    # or leaves, every request must come out as the usual reader makes it.
    checked = 0
    for request in mutated(20261129, 6_000, 0, 2):
        expected = outcome(policy._decide_usual, request)
        assert outcome(policy.decide, request) == expected, request
        try:
            [decision] = policy.decide_many([request], threads=1)
            got = decision.to_dict()
        except lawful.RequestError as e:
            got = ("error", e.kind, e.field, str(e).removeprefix("request 0: "))
        assert got == expected, request
        checked += isinstance(expected, dict)
    assert checked > 500     # many mutated requests are still decided, not refused


def test_a_batch_decides_mutated_requests_as_one_by_one(policy):
    # A batch's reader remembers the names it has resolved across requests; a
    # whole batch must still decide each request as the usual reader does alone.
    # (Copied as made: later mutations may reach into values shared between requests.)
    made = [copy.deepcopy(r) for r in mutated(20261130, 4_000, 0, 2)]
    decidable = [r for r in made if isinstance(outcome(policy._decide_usual, r), dict)]
    assert len(decidable) > 300
    batch = decidable * (1 + 2048 // len(decidable))   # more than one chunk of 1,024
    expected = [policy._decide_usual(r).to_dict() for r in batch]
    assert [d.to_dict() for d in policy.decide_many(batch, threads=1)] == expected
    assert [d.to_dict() for d in policy.decide_many(batch, threads=2)] == expected


def test_a_batch_of_fresh_strings_reads_each_name_anew(policy):
    # Names made afresh for each request and dropped with it: a string freed
    # during the batch must not lend its address, and so its meaning, to the
    # next string made there.
    purposes = ["operate_website", "customer.billing", "marketing.advertising"]
    rng = random.Random(20261129)
    picks = [rng.randrange(len(purposes)) for _ in range(3_000)]

    def fresh(text: str) -> str:
        return "".join(list(text))          # equal text, a new string object

    def requests():
        for pick in picks:
            yield {"action": "use", "subject": {"role": fresh("visitor")},
                   "data": fresh("device.ip_address"), "purpose": fresh(purposes[pick])}

    expected = [policy._decide_usual(r).to_dict() for r in requests()]
    assert len({str(e) for e in expected}) > 1      # the purposes decide differently
    assert [d.to_dict() for d in policy.decide_many(requests())] == expected
