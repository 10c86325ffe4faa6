"""The data map from Python: its JSON shape, the reverse questions, the reports."""

from __future__ import annotations

import csv
import io
import json

import pytest

import lawful

from conftest import RULES

USE_KEYS = ["role", "category", "purpose", "basis", "rule", "cites", "conditions", "recipients"]


def test_data_map_has_the_documented_shape(policy):
    m = policy.data_map()
    assert list(m) == ["version", "uses"]
    assert m["version"] == "2021-11-11"
    assert m["uses"], "the newest version allows uses"
    for use in m["uses"]:
        assert list(use) == USE_KEYS
        assert all(isinstance(c, str) for c in use["conditions"])
        for r in use["recipients"]:
            assert list(r) == ["party", "obligations", "conditions"]


def test_the_map_agrees_with_decide_on_unconditional_uses(policy):
    for version in policy.versions:
        m = policy.data_map(version)
        for use in m["uses"]:
            if use["conditions"]:
                continue
            d = policy.may_use(role=use["role"], data=use["category"], purpose=use["purpose"],
                               collected_at=version)
            assert d.allowed and d.rule == use["rule"], (version, use, d.to_dict())
            for r in use["recipients"]:
                if r["conditions"]:
                    continue
                d = policy.may_disclose(role=use["role"], data=use["category"], purpose=use["purpose"],
                                        party=r["party"], collected_at=version)
                assert d.allowed, (version, use["role"], use["category"], use["purpose"], r["party"])


def test_conditions_are_the_rule_files_words(policy):
    [mail] = [u for u in policy.purposes_for("visitor", "contact.email")
              if u["purpose"] == "marketing.communications"]
    assert mail["basis"] == "consent"
    assert "only if `provided_contact`" in mail["conditions"]
    assert "only with consent to `marketing.communications`" in mail["conditions"]
    d = policy.may_use(role="visitor", data="contact.email", purpose="marketing.communications")
    assert not d.allowed
    d = policy.may_use(role="visitor", data="contact.email", purpose="marketing.communications",
                       provided_contact=True, consents={"marketing.communications": "2025-01-01"})
    assert d.allowed and d.rule == mail["rule"]


def test_recipients_for_gives_every_condition_of_the_disclosure(policy):
    ads = policy.recipients_for("visitor", "device.ip_address", "marketing.advertising")
    google = next(d for d in ads if d["party"] == "google_ads")
    assert "not when `do_not_track`" in google["conditions"]
    assert 'when `jurisdiction = "US-CA"`, only with consent to `sale`' in google["conditions"]
    assert list(google) == ["role", "category", "purpose", "party", "basis", "rule", "obligations", "conditions"]
    d = policy.may_disclose(role="visitor", data="device.ip_address", purpose="marketing.advertising",
                            party="google_ads", jurisdiction="US-CA")
    assert not d.allowed


def test_uses_of_purpose_covers_the_purposes_inside(policy):
    uses = policy.uses_of_purpose("marketing")
    assert {u["purpose"] for u in uses} >= {"marketing.communications", "marketing.advertising"}
    assert all(u["purpose"].startswith("marketing.") for u in uses)
    assert {u["role"] for u in policy.uses_of_purpose("file_processing")} == {"file_subject"}


def test_unknown_names_are_value_errors_with_a_suggestion(policy):
    with pytest.raises(ValueError, match="did you mean `visitor`"):
        policy.purposes_for("vistor", "device")
    with pytest.raises(ValueError, match="did you mean `2021-11-11`"):
        policy.data_map("2021-11-12")


def test_reports(policy):
    text = lawful.report(RULES, "json")
    assert json.loads(text) == policy.data_map()
    rows = list(csv.DictReader(io.StringIO(lawful.report(RULES, "csv", version="2017-11-08"))))
    assert rows and {r["version"] for r in rows} == {"2017-11-08"}
    assert {r["role"] for r in rows} == {"visitor"}
    record = json.loads(lawful.report(RULES, "ropa-json"))
    purposes = [a["purpose"]["name"] for a in record["activities"]]
    assert "marketing.communications" in purposes and "file_processing" not in purposes
    assert [a["purpose"]["name"] for a in record["processor_activities"]] == ["file_processing"]
    sold = {e["category"]["name"] for e in record["ccpa"]["sold_or_shared"]}
    assert "device.ip_address" in sold and "contact.email" not in sold
    assert "# Record of processing activities" in lawful.report(RULES, "ropa")
    lists = json.loads(lawful.report(RULES, "ccpa-json"))
    assert list(lists) == ["version", "ccpa"] and lists["ccpa"] == record["ccpa"]
    with pytest.raises(ValueError, match="did you mean `ropa`"):
        lawful.report(RULES, "ropaa")
    with pytest.raises(lawful.PolicyError):
        lawful.report(RULES / "missing", "json")
