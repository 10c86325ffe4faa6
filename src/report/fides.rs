//! The data map as a Fides system manifest: one system, the policy's, with a
//! privacy declaration per purpose, role and lawful basis (its data categories,
//! data use, data subjects, legal basis and the third parties that receive it).
//!
//! Names are the Fides taxonomy's where the version maps them (`fides "…"` on a
//! role, category or purpose declaration); a name it does not map keeps lawful's
//! own, and the manifest declares it (with its ancestors) in its own taxonomy
//! entries, so every key a declaration uses is defined.

use std::collections::BTreeSet;

use lawful_core::Basis;
use serde::Serialize;

use crate::map::DataMap;

use super::Names;

/// A manifest: the system and the taxonomy entries it adds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Manifest {
    /// The policy's system.
    pub system: Vec<System>,
    /// Data categories the version does not map to the Fides taxonomy.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_category: Vec<Entry>,
    /// Purposes it does not map.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_use: Vec<Entry>,
    /// Roles it does not map.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_subject: Vec<Entry>,
}

/// A Fides system.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct System {
    /// Its key.
    pub fides_key: String,
    /// Its name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// Its kind.
    pub system_type: String,
    /// Where it came from: `lawful` and `lawful-version:VERSION`.
    pub tags: Vec<String>,
    /// What it does with personal data.
    pub privacy_declarations: Vec<Declaration>,
}

/// One privacy declaration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Declaration {
    /// Its name: purpose, role and basis.
    pub name: String,
    /// The data categories.
    pub data_categories: Vec<String>,
    /// The data use.
    pub data_use: String,
    /// The data subjects.
    pub data_subjects: Vec<String>,
    /// The legal basis, in Fides's words (none for data processed on a customer's
    /// instructions: the basis is the customer's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_basis_for_processing: Option<&'static str>,
    /// The rules fix the basis.
    pub flexible_legal_basis_for_processing: bool,
    /// Whether third parties receive the data.
    pub data_shared_with_third_parties: bool,
    /// Who, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub third_parties: Option<String>,
    /// The categories they receive.
    pub shared_categories: Vec<String>,
}

/// A taxonomy entry the manifest adds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    /// Its key: lawful's name.
    pub fides_key: String,
    /// The name it is inside, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_key: Option<String>,
    /// Its label.
    pub name: String,
    /// Its label.
    pub description: String,
}

/// Fides's words for a lawful basis.
fn legal_basis(basis: Basis) -> Option<&'static str> {
    match basis {
        Basis::Consent => Some("Consent"),
        Basis::Contract => Some("Contract"),
        Basis::LegalObligation => Some("Legal obligations"),
        Basis::VitalInterests => Some("Vital interests"),
        Basis::PublicTask => Some("Public interest"),
        Basis::LegitimateInterests => Some("Legitimate interests"),
        Basis::ControllerInstructions => None,
    }
}

/// A key from a title: lowercase letters, digits and `_`.
fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_matches('_');
    if trimmed.is_empty() {
        "policy".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Taxonomy entries for an unmapped dotted name and each of its ancestors.
fn entries(name: &str, label: impl Fn(&str) -> String, out: &mut Vec<Entry>) {
    let mut prefix = String::new();
    for part in name.split('.') {
        let parent = (!prefix.is_empty()).then(|| prefix.clone());
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str(part);
        if !out.iter().any(|e| e.fides_key == prefix) {
            out.push(Entry {
                fides_key: prefix.clone(),
                parent_key: parent,
                name: label(&prefix),
                description: label(&prefix),
            });
        }
    }
}

fn push_new(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|i| i == item) {
        list.push(item.to_owned());
    }
}

/// The manifest of a version's data map.
pub fn manifest(map: &DataMap, names: &Names<'_>) -> Manifest {
    let mut manifest = Manifest {
        system: Vec::new(),
        data_category: Vec::new(),
        data_use: Vec::new(),
        data_subject: Vec::new(),
    };
    let category = |name: &str, out: &mut Vec<Entry>| match names.category_fides(name) {
        Some(key) => key.to_owned(),
        None => {
            entries(name, |n| names.category_label(n).to_owned(), out);
            name.to_owned()
        }
    };
    let mut declarations: Vec<Declaration> = Vec::new();
    let mut shared: Vec<BTreeSet<String>> = Vec::new();
    for u in &map.uses {
        let name = format!("{} for {} ({})", u.purpose, u.role, u.basis);
        let data_category = category(&u.category, &mut manifest.data_category);
        let slot = match declarations.iter().position(|d| d.name == name) {
            Some(i) => i,
            None => {
                let data_use = match names.purpose_fides(&u.purpose) {
                    Some(key) => key.to_owned(),
                    None => {
                        let label = |n: &str| names.purpose_label(n).to_owned();
                        entries(&u.purpose, label, &mut manifest.data_use);
                        u.purpose.clone()
                    }
                };
                let subject = match names.role_fides(&u.role) {
                    Some(key) => key.to_owned(),
                    None => {
                        let label = |n: &str| names.role_label(n).to_owned();
                        entries(&u.role, label, &mut manifest.data_subject);
                        u.role.clone()
                    }
                };
                declarations.push(Declaration {
                    name,
                    data_categories: Vec::new(),
                    data_use,
                    data_subjects: vec![subject],
                    legal_basis_for_processing: legal_basis(u.basis),
                    flexible_legal_basis_for_processing: false,
                    data_shared_with_third_parties: false,
                    third_parties: None,
                    shared_categories: Vec::new(),
                });
                shared.push(BTreeSet::new());
                declarations.len() - 1
            }
        };
        let (Some(declaration), Some(parties)) = (declarations.get_mut(slot), shared.get_mut(slot))
        else {
            continue;
        };
        push_new(&mut declaration.data_categories, &data_category);
        if !u.recipients.is_empty() {
            declaration.data_shared_with_third_parties = true;
            push_new(&mut declaration.shared_categories, &data_category);
            parties.extend(u.recipients.iter().map(|r| r.party.clone()));
        }
    }
    for (declaration, parties) in declarations.iter_mut().zip(shared) {
        if !parties.is_empty() {
            let parties: Vec<String> = parties.into_iter().collect();
            declaration.third_parties = Some(parties.join(", "));
        }
    }
    manifest.system.push(System {
        fides_key: slug(&map.title),
        name: map.title.clone(),
        description: format!(
            "What the rules of version {} (effective {}) allow, made by lawful from them.",
            map.version,
            map.effective.date_string()
        ),
        system_type: "Service".to_owned(),
        tags: vec![
            "lawful".to_owned(),
            format!("lawful-version:{}", map.version),
        ],
        privacy_declarations: declarations,
    });
    manifest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_from_titles() {
        assert_eq!(slug("Filestack Privacy Policy"), "filestack_privacy_policy");
        assert_eq!(slug("  ——  "), "policy");
    }

    #[test]
    fn an_unmapped_name_brings_its_ancestors() {
        let mut out = Vec::new();
        entries("device.settings", |n| n.to_uppercase(), &mut out);
        entries("device.ip_address", |n| n.to_uppercase(), &mut out);
        let keys: Vec<(&str, Option<&str>)> = out
            .iter()
            .map(|e| (e.fides_key.as_str(), e.parent_key.as_deref()))
            .collect();
        assert_eq!(
            keys,
            [
                ("device", None),
                ("device.settings", Some("device")),
                ("device.ip_address", Some("device"))
            ]
        );
    }
}
