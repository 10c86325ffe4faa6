"""The Fides manifest of every Filestack version validates with fideslang's own models,
and every key it uses is in the Fides taxonomy or declared by the manifest itself."""

from __future__ import annotations

import pytest
import yaml
from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from fideslang.models import PrivacyDeclaration, System, Taxonomy

import lawful

from conftest import RULES

VERSIONS = lawful.load(RULES).versions


def keys(kind: str, manifest: dict) -> set[str]:
    default = {item.fides_key for item in getattr(DEFAULT_TAXONOMY, kind)}
    return default | {item["fides_key"] for item in manifest.get(kind, [])}


@pytest.mark.parametrize("version", VERSIONS)
def test_the_manifest_validates(version):
    manifest = yaml.safe_load(lawful.report(RULES, "fides", version=version))
    taxonomy = Taxonomy.model_validate(manifest)
    [system] = taxonomy.system
    assert system.privacy_declarations
    assert f"lawful-version:{version}" in system.tags
    # fideslang ignores keys it does not know: make sure none was dropped.
    [raw] = manifest["system"]
    assert set(raw) <= set(System.model_fields)
    for declaration in raw["privacy_declarations"]:
        assert set(declaration) <= set(PrivacyDeclaration.model_fields)
    categories, uses, subjects = (keys(k, manifest) for k in ("data_category", "data_use", "data_subject"))
    for d in system.privacy_declarations:
        assert set(d.data_categories) <= categories, d.name
        assert d.data_use in uses, d.name
        assert set(d.data_subjects) <= subjects, d.name
        assert set(d.shared_categories) <= set(d.data_categories)


def test_the_mapping_is_the_rule_files():
    manifest = yaml.safe_load(lawful.report(RULES, "fides"))
    [system] = manifest["system"]
    by_name = {d["name"]: d for d in system["privacy_declarations"]}
    ads = by_name["marketing.advertising for visitor (legitimate_interests)"]
    assert ads["data_use"] == "marketing.advertising.third_party"
    assert ads["data_subjects"] == ["visitor"]
    assert "user.device.ip_address" in ads["data_categories"]
    assert ads["legal_basis_for_processing"] == "Legitimate interests"
    mail = by_name["marketing.communications for visitor (consent)"]
    assert "user.contact.email" in mail["data_categories"]
    assert mail["legal_basis_for_processing"] == "Consent"
    assert "mailgun" in mail["third_parties"]
    # No Fides data subject fits file subjects: the manifest declares lawful's own.
    files = by_name["file_processing for file_subject (controller_instructions)"]
    assert files["data_subjects"] == ["file_subject"]
    assert "legal_basis_for_processing" not in files
    assert [s["fides_key"] for s in manifest["data_subject"]] == ["file_subject"]
