"""Hostile input through Python: bounded thread counts, text that is not Unicode."""

from __future__ import annotations

import pytest

import lawful

from conftest import CASES

DECIDED = [c["request"] for c in CASES if not c["expect"].get("error")]


@pytest.mark.parametrize("threads", [0, -1, -(2**63), 2**31, 2**63, 2**64 - 1, 2**64, 2**200, 65])
def test_decide_many_refuses_thread_counts_out_of_range(policy, threads):
    with pytest.raises(ValueError, match="threads"):
        policy.decide_many(DECIDED, threads=threads)


@pytest.mark.parametrize("threads", ["2", 2.0, [2]])
def test_decide_many_wants_a_whole_number_of_threads(policy, threads):
    with pytest.raises(TypeError, match="threads"):
        policy.decide_many(DECIDED, threads=threads)


@pytest.mark.parametrize("threads", [None, 1, 2, 64])
def test_decide_many_decides_with_any_thread_count_in_range(policy, threads):
    # More than one chunk, so that other threads are used.
    batch = DECIDED * (2048 // len(DECIDED) + 1)
    expected = [policy.decide(r).to_dict() for r in batch]
    assert [d.to_dict() for d in policy.decide_many(batch, threads=threads)] == expected


def test_decide_json_with_a_lone_surrogate_is_a_request_error(policy):
    text = '{"action": "use", "subject": {"role": "visitor\ud800"}, "data": "device.ip_address", "purpose": "operate_website"}'
    with pytest.raises(lawful.RequestError) as caught:
        policy.decide_json(text)
    assert caught.value.kind == "json"
    assert "surrogate" in caught.value.message


def test_a_policy_error_keeps_at_most_100_diagnostics_and_counts_the_rest():
    names = ", ".join(f"unknown{i}" for i in range(300))
    text = (
        'policy "P" version 2024-01-01\nrole r "r"\npurpose p "p"\n'
        f'rule x allow use of {names} about r for p basis consent cite "S"\n'
    )
    with pytest.raises(lawful.PolicyError) as caught:
        lawful.loads(text)
    error = caught.value
    assert len(error.diagnostics) == 100
    assert error.omitted == 200
    assert "… and 200 more not shown" in str(error)
    assert all(len(d.source_line) <= 120 for d in error.diagnostics)
