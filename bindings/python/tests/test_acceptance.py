"""Every acceptance case of the Filestack policy, through decide, decide_many and explain."""

from __future__ import annotations

import json

import pytest

import lawful

from conftest import CASES, check

DECIDED = [c for c in CASES if not c["expect"].get("error")]
REFUSED = [c for c in CASES if c["expect"].get("error")]


def by_name(cases):
    return pytest.mark.parametrize("case", cases, ids=[c["name"] for c in cases])


@by_name(DECIDED)
def test_decide(policy, case):
    decision = policy.decide(case["request"])
    assert check(case, decision) == [], decision.summary


@by_name(DECIDED)
def test_decide_many_one_by_one(policy, case):
    [decision] = policy.decide_many([case["request"]])
    assert check(case, decision) == [], decision.summary


@by_name(DECIDED)
def test_explain_agrees_and_traces(policy, case):
    explained = policy.explain(case["request"])
    decided = policy.decide(case["request"])
    assert explained.to_dict() == {**decided.to_dict(), "trace": explained.trace}
    assert explained.trace and all(set(step) == {"rule", "applies", "why"} for step in explained.trace)


@by_name(DECIDED)
def test_to_dict_is_the_cli_json(policy, case):
    text = json.dumps(case["request"])
    assert policy.decide(case["request"]).to_dict() == json.loads(policy.decide_json(text))


@by_name(REFUSED)
def test_refused(policy, case):
    with pytest.raises(lawful.RequestError) as refused:
        policy.decide(case["request"])
    assert refused.value.kind == "request"
    assert refused.value.index is None
    with pytest.raises(lawful.RequestError):
        policy.decide_json(json.dumps(case["request"]))


def test_decide_many_all_cases_in_order(policy):
    requests = [c["request"] for c in DECIDED]
    decisions = policy.decide_many(requests)
    assert len(decisions) == len(DECIDED)
    failures = {c["name"]: check(c, d) for c, d in zip(DECIDED, decisions) if check(c, d)}
    assert failures == {}
    assert decisions == [policy.decide(r) for r in requests]


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_decide_many_large_batch_matches_decide(policy, threads):
    # Large enough to be split over threads; every case many times, interleaved.
    requests = [c["request"] for c in DECIDED] * 400
    decisions = policy.decide_many(requests, threads=threads)
    expected = [policy.decide(c["request"]) for c in DECIDED]
    assert decisions == expected * 400


def test_decide_many_refuses_a_batch_with_a_bad_request(policy):
    bad = REFUSED[0]["request"]
    requests = [c["request"] for c in DECIDED[:3]] + [bad] + [c["request"] for c in DECIDED[3:]]
    with pytest.raises(lawful.RequestError) as refused:
        policy.decide_many(requests)
    assert refused.value.index == 3
    assert str(refused.value).startswith("request 3: ")
    assert refused.value.field is not None
