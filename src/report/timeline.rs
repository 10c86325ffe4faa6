//! What each revision of a policy changed in its data map: uses and recipients
//! added or removed, and bases or conditions changed, between consecutive versions.
//!
// INTEGRATE: `lawful diff` (the exact difference of decisions between two policies,
// with a witness request for each change) can replace this comparison of data maps
// once it lands: feed its grouped changes to the HTML page's timeline instead.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::map::{DataMap, Use};

/// One change between two versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `use added`, `use removed`, `basis changed`, `conditions changed`,
    /// `recipient added`, `recipient removed` or `recipient conditions changed`.
    pub kind: &'static str,
    /// The role.
    pub role: String,
    /// The data category.
    pub category: String,
    /// The purpose.
    pub purpose: String,
    /// The allowing rule (in the newer version, unless the use was removed).
    pub rule: String,
    /// The party, for a change of recipient.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// What it was, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// What it is, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// The changes from one version to the next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Timeline {
    /// The older version.
    pub from: String,
    /// The newer version.
    pub to: String,
    /// The day the newer one took effect.
    pub effective: String,
    /// What changed.
    pub changes: Vec<Change>,
}

type Key<'m> = (&'m str, &'m str, &'m str, &'m str);

fn key(u: &Use) -> Key<'_> {
    (&u.role, &u.category, &u.purpose, &u.rule)
}

fn texts(conditions: &[crate::map::Requirement]) -> String {
    if conditions.is_empty() {
        return "always".to_owned();
    }
    let words: Vec<&str> = conditions.iter().map(|c| c.text.as_str()).collect();
    words.join("; ")
}

/// The changes between each pair of consecutive maps (given oldest first).
pub fn timeline(maps: &[DataMap]) -> Vec<Timeline> {
    maps.windows(2)
        .filter_map(|pair| match pair {
            [old, new] => Some(Timeline {
                from: old.version.clone(),
                to: new.version.clone(),
                effective: new.effective.date_string(),
                changes: changes(old, new),
            }),
            _ => None,
        })
        .collect()
}

fn change(kind: &'static str, u: &Use) -> Change {
    Change {
        kind,
        role: u.role.clone(),
        category: u.category.clone(),
        purpose: u.purpose.clone(),
        rule: u.rule.clone(),
        party: None,
        before: None,
        after: None,
    }
}

/// What changed from `old` to `new`.
pub fn changes(old: &DataMap, new: &DataMap) -> Vec<Change> {
    let before: BTreeMap<Key<'_>, &Use> = old.uses.iter().map(|u| (key(u), u)).collect();
    let after: BTreeMap<Key<'_>, &Use> = new.uses.iter().map(|u| (key(u), u)).collect();
    let mut out = Vec::new();
    for (k, u) in &after {
        let Some(was) = before.get(k) else {
            out.push(Change {
                after: Some(texts(&u.conditions)),
                ..change("use added", u)
            });
            continue;
        };
        if was.basis != u.basis {
            out.push(Change {
                before: Some(was.basis.to_string()),
                after: Some(u.basis.to_string()),
                ..change("basis changed", u)
            });
        }
        if texts(&was.conditions) != texts(&u.conditions) {
            out.push(Change {
                before: Some(texts(&was.conditions)),
                after: Some(texts(&u.conditions)),
                ..change("conditions changed", u)
            });
        }
        for r in &u.recipients {
            let party = Some(r.party.clone());
            match was.recipients.iter().find(|w| w.party == r.party) {
                None => out.push(Change {
                    party,
                    after: Some(texts(&r.conditions)),
                    ..change("recipient added", u)
                }),
                Some(w) if texts(&w.conditions) != texts(&r.conditions) => out.push(Change {
                    party,
                    before: Some(texts(&w.conditions)),
                    after: Some(texts(&r.conditions)),
                    ..change("recipient conditions changed", u)
                }),
                Some(_) => {}
            }
        }
        for w in &was.recipients {
            if !u.recipients.iter().any(|r| r.party == w.party) {
                out.push(Change {
                    party: Some(w.party.clone()),
                    before: Some(texts(&w.conditions)),
                    ..change("recipient removed", u)
                });
            }
        }
    }
    for (k, u) in &before {
        if !after.contains_key(k) {
            out.push(Change {
                before: Some(texts(&u.conditions)),
                ..change("use removed", u)
            });
        }
    }
    out
}
