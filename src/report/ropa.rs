//! The record of processing activities, in the shape of GDPR Art. 30, and the
//! CCPA lists, made from the data map.
//!
//! - Art. 30(1): per purpose of the controller's own, the categories of data
//!   subjects and of personal data, the recipients, and the lawful basis.
//! - Art. 30(2): what is processed on behalf of customers (basis
//!   `controller_instructions`), kept apart: the basis is the customer's.
//! - CCPA: the categories of personal information disclosed for a business
//!   purpose, and those sold or shared, each with the parties that receive them.
//!   A disclosure is a sale when its purpose is `sale` (or inside it), or when a
//!   condition on it asks for consent to `sale` (as a disclosure that counts as a
//!   sale for Californians does). Data processed for customers is left out.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use lawful_core::Basis;
use lawful_core::ids::PurposeId;
use lawful_core::map::{Requirement, RequirementKind};
use lawful_core::vocab::Vocabulary;
use serde::Serialize;

use crate::map::DataMap;

use super::Names;
use super::markdown::{cell, quoted};

/// The purpose whose disclosures are sales.
pub const SALE: &str = "sale";

/// A name and its label.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Named {
    /// The name.
    pub name: String,
    /// Its label in the version.
    pub label: String,
}

/// A lawful basis and the rules that rest on it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BasisEntry {
    /// The basis as rules write it.
    pub basis: String,
    /// Where the law names it.
    pub article: &'static str,
    /// The allow rules.
    pub rules: Vec<String>,
}

/// One processing activity: a purpose.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Activity {
    /// The purpose.
    pub purpose: Named,
    /// Categories of data subjects.
    pub data_subjects: Vec<Named>,
    /// Categories of personal data.
    pub personal_data: Vec<Named>,
    /// Who receives the data.
    pub recipients: Vec<Named>,
    /// The lawful bases.
    pub lawful_basis: Vec<BasisEntry>,
    /// The conditions some use for the purpose has, in the rules' words.
    pub conditions: Vec<String>,
    /// The sections of the policy the uses rest on.
    pub cites: Vec<String>,
}

/// One line of a CCPA list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CcpaEntry {
    /// The category of personal information.
    pub category: Named,
    /// Who receives it.
    pub recipients: Vec<Named>,
    /// For which purposes.
    pub purposes: Vec<String>,
}

/// The CCPA lists.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ccpa {
    /// Categories of personal information disclosed for a business purpose.
    pub disclosed_for_business_purpose: Vec<CcpaEntry>,
    /// Categories of personal information sold or shared.
    pub sold_or_shared: Vec<CcpaEntry>,
}

/// The record of processing activities of one version.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Record {
    /// The policy.
    pub policy: String,
    /// The version.
    pub version: String,
    /// The day it took effect.
    pub effective: String,
    /// Art. 30(1): the controller's own purposes.
    pub activities: Vec<Activity>,
    /// Art. 30(2): processing on behalf of customers.
    pub processor_activities: Vec<Activity>,
    /// The CCPA lists.
    pub ccpa: Ccpa,
    /// What holds for every use.
    pub notes: Vec<String>,
    /// The version's leaf categories (to show a whole parent by its name).
    #[serde(skip)]
    leaves: BTreeSet<String>,
}

fn article(basis: Basis) -> &'static str {
    match basis {
        Basis::Consent => "GDPR Art. 6(1)(a)",
        Basis::Contract => "GDPR Art. 6(1)(b)",
        Basis::LegalObligation => "GDPR Art. 6(1)(c)",
        Basis::VitalInterests => "GDPR Art. 6(1)(d)",
        Basis::PublicTask => "GDPR Art. 6(1)(e)",
        Basis::LegitimateInterests => "GDPR Art. 6(1)(f)",
        Basis::ControllerInstructions => "GDPR Art. 28 (the customer's basis)",
    }
}

fn add(list: &mut Vec<Named>, name: &str, label: &str) {
    if !list.iter().any(|n| n.name == name) {
        list.push(Named {
            name: name.to_owned(),
            label: label.to_owned(),
        });
    }
}

fn add_text(list: &mut Vec<String>, text: &str) {
    if !list.iter().any(|t| t == text) {
        list.push(text.to_owned());
    }
}

/// Whether a condition asks about consent to the purpose `sale` (or inside it).
fn asks_for_sale(requirement: &Requirement, vocabulary: &Vocabulary, sale: PurposeId) -> bool {
    let inside = |p: PurposeId| vocabulary.purposes().covers(sale.raw(), p.raw());
    let mut asked = Vec::new();
    match &requirement.kind {
        RequirementKind::Consent(p) => asked.push(*p),
        RequirementKind::When(c) => c.consents(&mut asked),
        RequirementKind::NotWhen { condition, unless } => {
            for c in condition.iter().chain(unless) {
                c.consents(&mut asked);
            }
        }
        RequirementKind::NoOptOut(_) => {}
    }
    asked.into_iter().any(inside)
}

/// The record of a version's data map.
pub fn record(map: &DataMap, names: &Names<'_>) -> Record {
    let vocabulary = names.vocabulary();
    let mut activities: Vec<Activity> = Vec::new();
    let mut processor: Vec<Activity> = Vec::new();
    for u in &map.uses {
        let list = if u.basis == Basis::ControllerInstructions {
            &mut processor
        } else {
            &mut activities
        };
        let slot = match list.iter().position(|a| a.purpose.name == u.purpose) {
            Some(i) => i,
            None => {
                list.push(Activity {
                    purpose: Named {
                        name: u.purpose.clone(),
                        label: names.purpose_label(&u.purpose).to_owned(),
                    },
                    data_subjects: Vec::new(),
                    personal_data: Vec::new(),
                    recipients: Vec::new(),
                    lawful_basis: Vec::new(),
                    conditions: Vec::new(),
                    cites: Vec::new(),
                });
                list.len() - 1
            }
        };
        let Some(activity) = list.get_mut(slot) else {
            continue;
        };
        add(
            &mut activity.data_subjects,
            &u.role,
            names.role_label(&u.role),
        );
        add(
            &mut activity.personal_data,
            &u.category,
            names.category_label(&u.category),
        );
        for r in &u.recipients {
            add(
                &mut activity.recipients,
                &r.party,
                names.party_label(&r.party),
            );
        }
        match activity
            .lawful_basis
            .iter_mut()
            .find(|b| b.basis == u.basis.as_str())
        {
            Some(entry) => add_text(&mut entry.rules, &u.rule),
            None => activity.lawful_basis.push(BasisEntry {
                basis: u.basis.as_str().to_owned(),
                article: article(u.basis),
                rules: vec![u.rule.clone()],
            }),
        }
        for c in &u.conditions {
            add_text(&mut activity.conditions, &c.text);
        }
        for c in &u.cites {
            add_text(&mut activity.cites, c);
        }
    }
    Record {
        policy: map.title.clone(),
        version: map.version.clone(),
        effective: map.effective.date_string(),
        activities,
        processor_activities: processor,
        ccpa: ccpa(map, names, vocabulary),
        notes: map.notes.iter().map(|n| n.text.clone()).collect(),
        leaves: names.leaf_categories(),
    }
}

/// The CCPA lists of a map.
fn ccpa(map: &DataMap, names: &Names<'_>, vocabulary: &Vocabulary) -> Ccpa {
    let sale = vocabulary.purpose(SALE);
    let mut business: Vec<CcpaEntry> = Vec::new();
    let mut sold: Vec<CcpaEntry> = Vec::new();
    for u in map
        .uses
        .iter()
        .filter(|u| u.basis != Basis::ControllerInstructions)
    {
        let purpose_is_sale = sale.is_some_and(|s| {
            vocabulary
                .purpose(&u.purpose)
                .is_some_and(|p| vocabulary.purposes().covers(s.raw(), p.raw()))
        });
        for r in &u.recipients {
            let needs_sale_consent = sale.is_some_and(|s| {
                u.conditions
                    .iter()
                    .chain(&r.conditions)
                    .any(|c| asks_for_sale(c, vocabulary, s))
            });
            let list = if purpose_is_sale || needs_sale_consent {
                &mut sold
            } else {
                &mut business
            };
            let slot = match list.iter().position(|e| e.category.name == u.category) {
                Some(i) => i,
                None => {
                    list.push(CcpaEntry {
                        category: Named {
                            name: u.category.clone(),
                            label: names.category_label(&u.category).to_owned(),
                        },
                        recipients: Vec::new(),
                        purposes: Vec::new(),
                    });
                    list.len() - 1
                }
            };
            if let Some(entry) = list.get_mut(slot) {
                add(&mut entry.recipients, &r.party, names.party_label(&r.party));
                add_text(&mut entry.purposes, &u.purpose);
            }
        }
    }
    Ccpa {
        disclosed_for_business_purpose: business,
        sold_or_shared: sold,
    }
}

/// Names in backticks, the leaves of a parent that are all present shown as the
/// parent (`contact` for every `contact.*` the version declares).
fn compact(items: &[Named], tree_names: &BTreeSet<String>) -> String {
    let present: BTreeSet<&str> = items.iter().map(|n| n.name.as_str()).collect();
    let mut shown: Vec<String> = Vec::new();
    for item in items {
        let parent = item.name.rsplit_once('.').map(|(p, _)| p);
        let whole = parent.filter(|p| {
            tree_names
                .iter()
                .filter(|n| n.starts_with(&format!("{p}.")))
                .all(|n| present.contains(n.as_str()))
        });
        let text = match whole {
            Some(p) => format!("`{p}`"),
            None => format!("`{}`", item.name),
        };
        if !shown.contains(&text) {
            shown.push(text);
        }
    }
    shown.join(", ")
}

fn backticked(items: &[Named]) -> String {
    let names: Vec<String> = items.iter().map(|n| format!("`{}`", n.name)).collect();
    names.join(", ")
}

fn activities_table(out: &mut String, activities: &[Activity], leaves: &BTreeSet<String>) {
    let _ = writeln!(
        out,
        "| purpose | data subjects | personal data | recipients | lawful basis |\n|---|---|---|---|---|"
    );
    for a in activities {
        let bases: Vec<String> = a
            .lawful_basis
            .iter()
            .map(|b| format!("{} ({})", b.basis, b.article))
            .collect();
        let recipients = if a.recipients.is_empty() {
            "—".to_owned()
        } else {
            backticked(&a.recipients)
        };
        let _ = writeln!(
            out,
            "| `{}`: {} | {} | {} | {} | {} |",
            a.purpose.name,
            cell(&a.purpose.label),
            backticked(&a.data_subjects),
            compact(&a.personal_data, leaves),
            recipients,
            cell(&bases.join("; "))
        );
    }
}

fn ccpa_table(out: &mut String, entries: &[CcpaEntry]) {
    if entries.is_empty() {
        out.push_str("None.\n");
        return;
    }
    // Categories that go to the same parties for the same purposes share a row.
    let mut rows: Vec<(Vec<&CcpaEntry>, &CcpaEntry)> = Vec::new();
    for e in entries {
        let same = rows
            .iter_mut()
            .find(|(_, first)| first.recipients == e.recipients && first.purposes == e.purposes);
        match same {
            Some((group, _)) => group.push(e),
            None => rows.push((vec![e], e)),
        }
    }
    let _ = writeln!(
        out,
        "| categories of personal information | recipients | purposes |\n|---|---|---|"
    );
    for (group, e) in rows {
        let categories: Vec<String> = group
            .iter()
            .map(|g| format!("`{}`: {}", g.category.name, cell(&g.category.label)))
            .collect();
        let purposes: Vec<String> = e.purposes.iter().map(|p| format!("`{p}`")).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            categories.join("; "),
            backticked(&e.recipients),
            purposes.join(", ")
        );
    }
}

/// The CCPA lists, as Markdown sections.
fn ccpa_markdown(out: &mut String, ccpa: &Ccpa) {
    out.push_str(
        "\n## CCPA: categories of personal information disclosed for a business purpose\n\n",
    );
    ccpa_table(out, &ccpa.disclosed_for_business_purpose);
    let _ = writeln!(
        out,
        "\n## CCPA: categories of personal information sold or shared\n\n\
         Disclosures for `{SALE}`, and those whose conditions ask for consent to `{SALE}` \
         (disclosures the rules treat as a sale, at least for some people).\n"
    );
    ccpa_table(out, &ccpa.sold_or_shared);
}

/// The CCPA lists alone, as Markdown.
pub(super) fn ccpa_only(record: &Record) -> String {
    let mut out = format!(
        "# CCPA lists: {}, version {}\n\nMade by `lawful map --format ccpa` from the rules of the \
         version that took effect on {}.\n",
        record.policy, record.version, record.effective
    );
    ccpa_markdown(&mut out, &record.ccpa);
    out
}

/// The record as Markdown.
pub(super) fn markdown(record: &Record) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Record of processing activities: {}, version {}\n",
        record.policy, record.version
    );
    let _ = writeln!(
        out,
        "Made by `lawful map --format ropa` from the rules of the version that took effect \
         on {}. Each purpose lists the people whose data serves it, the data, who receives \
         it and the lawful basis; the conditions of each use are in the data map \
         (`lawful map`).\n",
        record.effective
    );
    for note in &record.notes {
        let _ = writeln!(out, "For every purpose: {note}.\n");
    }
    let leaves = &record.leaves;
    out.push_str("## Processing activities (GDPR Art. 30(1))\n\n");
    if record.activities.is_empty() {
        out.push_str("None.\n");
    } else {
        activities_table(&mut out, &record.activities, leaves);
    }
    if !record.processor_activities.is_empty() {
        out.push_str("\n## Processing on behalf of customers (GDPR Art. 30(2))\n\n");
        activities_table(&mut out, &record.processor_activities, leaves);
    }
    ccpa_markdown(&mut out, &record.ccpa);
    let cites: Vec<String> = record
        .activities
        .iter()
        .chain(&record.processor_activities)
        .flat_map(|a| a.cites.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !cites.is_empty() {
        let _ = writeln!(
            out,
            "\nPolicy sections the uses rest on: {}.",
            quoted(&cites)
        );
    }
    out
}
