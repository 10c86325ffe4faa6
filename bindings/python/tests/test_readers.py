"""The two readers agree.

A request dict (or the keywords of may_use and may_disclose) is read straight into
a prepared request by the fast reader when it is plainly well formed, and through
its JSON value by the command line's reader otherwise. Whenever the fast reader
prepares a request, the JSON-value reader must prepare the very same request;
whenever the JSON-value reader refuses one, the fast reader must have left it alone.
"""

from __future__ import annotations

import copy
import datetime as dt
import random

import pytest

import lawful

from conftest import CASES, RULES

POLICY = lawful.load(RULES)

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
    """Whether the fast reader took the request; fails if the readers disagree."""
    fast, by_json = POLICY._read_both(request)
    if fast is not None:
        assert by_json == fast, (request, fast, by_json)
        return True
    return False


def test_acceptance_requests_are_read_by_the_fast_reader():
    # Every acceptance request the JSON-value reader prepares, the fast reader
    # prepares too, and the same; the others it leaves alone.
    taken = 0
    for case in CASES:
        fast, by_json = POLICY._read_both(case["request"])
        assert fast == by_json, case["name"]
        taken += fast is not None
    assert taken > len(CASES) // 2


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
    fast = 0
    for request in mutated(20260301, 20_000, 1, 3):
        fast += agree(request)
    assert fast > 500      # the fast reader is exercised, not just bypassed


def test_the_fast_reader_stops_where_the_size_limit_is():
    # Both readers count a request's size one way; past the limit the fast reader
    # leaves the request, and the JSON-value reader refuses it, saying why.
    base = {"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address",
            "purpose": "operate_website", "at": "2026-03-01"}
    small = dict(base, subject={"role": "visitor", "jurisdiction": "x" * 1000})
    assert agree(small)
    large = dict(base, subject={"role": "visitor", "jurisdiction": "x" * (1 << 20)})
    assert POLICY._read_both(large) == (None, None)
    with pytest.raises(lawful.RequestError, match="too large"):
        POLICY.decide(large)


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


def keywords_of(request: dict) -> dict:
    """The keywords of may_use or may_disclose that ask what a request dict asks."""
    subject = dict(request.get("subject") or {})
    keywords = {key: request[key] for key in ("data", "purpose", "party", "at", "collected_at") if key in request}
    keywords.update(subject)
    return keywords


def dict_of(action: str, keywords: dict) -> dict:
    """The request dict that keywords stand for; None values are left out (but
    `role`, which the keyword helpers always pass on)."""
    # In the order the keywords are read, so the first of two errors is the same:
    # the subject, a party given to may_use, then the other fields.
    request = {"action": action, "subject": {"role": keywords["role"]}}
    named = ["age", "consents", "revocations"]
    for key in named + [k for k in keywords if k not in named]:
        if key not in {"role", "data", "purpose", "party", "at", "collected_at"} and keywords.get(key) is not None:
            request["subject"][key] = keywords[key]
    if action == "use" and keywords.get("party") is not None:
        request["party"] = keywords["party"]
    for key in ("data", "purpose", "party", "at", "collected_at"):
        if keywords.get(key) is not None and (key != "party" or action == "disclose"):
            request[key] = keywords[key]
    return request


def test_keywords_decide_mutated_requests_as_their_dicts_do(policy):
    # may_use and may_disclose read their keywords by the fast reader, or else as
    # the dict they stand for: either way, the dict's decision or error.
    rng = random.Random(20261201)
    base = [c["request"] for c in CASES if isinstance(c["request"].get("subject"), dict)]
    taken = 0
    for _ in range(4_000):
        keywords = keywords_of(copy.deepcopy(rng.choice(base)))
        for _ in range(rng.randint(0, 2)):
            key = rng.choice(["data", "purpose", "party", "at", "collected_at", "role", "age",
                              "consents", "revocations", "do_not_track", "jurisdiction", "extra"])
            keywords[key] = rng.choice(VALUES)
        for required in ("role", "data", "purpose"):
            keywords.setdefault(required, None)
        action = "disclose" if "party" in keywords and rng.random() < 0.8 else "use"
        if action == "disclose":
            ask = policy.may_disclose
            keywords.setdefault("party", None)
        else:
            ask = policy.may_use
        expected = outcome(policy._decide_usual, dict_of(action, keywords))
        try:
            got = ask(**keywords).to_dict()
        except lawful.RequestError as e:
            got = ("error", e.kind, e.field, str(e))
        assert got == expected, (action, keywords)
        taken += isinstance(got, dict)
    assert taken > 300
