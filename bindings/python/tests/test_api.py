"""The shape of the Python surface: decisions, docstrings, reprs, versions."""

from __future__ import annotations

import json
import pydoc

import pytest

import lawful

from conftest import RULES

AT = "2026-03-01T00:00:00Z"
REVOKED = {"action": "use", "data": ["contact.email"], "purpose": "marketing.communications", "at": AT,
           "subject": {"role": "visitor", "provided_contact": True,
                       "consents": {"marketing.communications": "2026-01-05T10:00:00Z"},
                       "revocations": {"marketing.communications": "2026-02-01"}}}


def test_decision_attributes(policy):
    d = policy.decide(REVOKED)
    assert d.allowed is False and bool(d) is False
    assert isinstance(d.rule, str) and d.basis is None
    assert d.cites and all(isinstance(c, str) for c in d.cites)
    assert {"kind": "notify_recipients", "purpose": "marketing.communications"} in d.obligations
    assert d.version == "2021-11-11"
    assert d.trace is None
    assert "revoked" in d.summary


def test_to_dict_has_exactly_the_cli_keys(policy):
    d = policy.decide(REVOKED)
    keys = ["allowed", "rule", "cites", "basis", "obligations", "version", "digest"]
    assert list(d.to_dict()) == keys
    assert d.digest == d.to_dict()["digest"] == policy.digest
    assert len(d.digest) == 64 and int(d.digest, 16) >= 0
    assert json.loads(json.dumps(d.to_dict())) == d.to_dict()
    assert json.loads(policy.decide_json(json.dumps(REVOKED))) == d.to_dict()
    e = policy.explain(REVOKED)
    assert list(e.to_dict()) == [*keys, "trace"]
    assert e.to_dict()["trace"] == e.trace
    assert e != d                      # the trace is part of the decision


def test_allowed_decision(policy):
    d = policy.may_use(role="visitor", data="device.ip_address", purpose="operate_website", at=AT)
    assert d and d.allowed is True and d.basis == "legitimate_interests" and d.obligations == []
    assert repr(d) == f"<Decision allowed=True rule='{d.rule}' version='2021-11-11' basis='legitimate_interests'>"


def test_repr_of_a_denial(policy):
    d = policy.decide(REVOKED)
    assert repr(d).startswith("<Decision allowed=False rule=")
    assert "'notify_recipients'" in repr(d)
    nothing = policy.may_use(role="visitor", data="contact.email", purpose="customer.billing", at=AT)
    assert nothing.rule is None and "rule=None" in repr(nothing)


def test_equality(policy):
    a = policy.decide(REVOKED)
    assert a == policy.decide(REVOKED)
    assert a != policy.may_use(role="visitor", data="device.ip_address", purpose="operate_website", at=AT)
    assert a != "a decision"


def test_versions_and_warnings(policy):
    assert policy.versions == tuple(sorted(policy.versions))
    assert policy.versions[-1] == "2021-11-11"
    assert isinstance(policy.warnings, list)
    assert repr(policy) == f"<Policy versions={list(policy.versions)}>"


def test_docstrings_are_visible_in_help():
    text = pydoc.render_doc(lawful.Policy, renderer=pydoc.plaintext)
    for method in ("decide", "decide_many", "may_use", "may_disclose", "explain"):
        assert method in text
    assert "releases" not in (lawful.Policy.decide.__doc__ or "")
    assert "without it" in lawful.Policy.decide_many.__doc__
    assert "keyword" in lawful.Policy.may_use.__doc__
    assert lawful.Decision.allowed.__doc__ and lawful.Decision.to_dict.__doc__
    assert lawful.load.__doc__ and lawful.loads.__doc__ and lawful.__doc__
    assert "diagnostics" in lawful.PolicyError.__doc__
    assert "suggestion" in lawful.RequestError.__doc__


def test_version_and_exports():
    assert lawful.__version__
    assert set(lawful.__all__) <= set(dir(lawful))
    assert lawful.Policy.__module__ == "lawful"
    assert lawful.Decision.__module__ == "lawful"


def test_the_typed_dicts_are_importable_and_fit_to_dict(policy):
    # The stubs name these types; they exist at run time too, and say what to_dict gives.
    from lawful import DecisionDict, Obligation, TraceStep

    decided = policy.explain({"action": "use", "subject": {"role": "visitor", "age": 12},
                              "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"})
    as_dict = decided.to_dict()
    assert set(as_dict) == DecisionDict.__required_keys__ | DecisionDict.__optional_keys__
    assert all(set(o) <= Obligation.__required_keys__ | Obligation.__optional_keys__ for o in as_dict["obligations"])
    assert all(set(step) == TraceStep.__required_keys__ for step in as_dict["trace"])


def test_decide_json_echoes_a_request_id_as_the_cli_does(policy):
    answer = json.loads(policy.decide_json(json.dumps({**REVOKED, "request_id": "req-7"})))
    assert answer == {**policy.decide(REVOKED).to_dict(), "request_id": "req-7"}
    with pytest.raises(lawful.RequestError) as raised:
        policy.decide_json(json.dumps({**REVOKED, "request_id": 7}))
    assert raised.value.field == "request_id"


def test_the_digest_names_the_text_not_the_place(policy, tmp_path):
    texts = {p.name: p.read_text(encoding="utf-8") for p in RULES.glob("*.lawful") if not p.name.endswith(".test.lawful")}
    assert lawful.loads(texts).digest == policy.digest
    texts["2017-11-08.lawful"] += "# a comment\n"
    assert lawful.loads(texts).digest == policy.digest, "a comment is layout, not text"
    texts["2017-11-08.lawful"] = texts["2017-11-08.lawful"].replace("children under 13", "children under 14")
    assert lawful.loads(texts).digest != policy.digest
