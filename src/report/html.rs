//! The data map as one self-contained HTML page (no network, no server): a matrix
//! of every version's uses, filterable by role, category, purpose and party; each
//! cell opens the rules and the policy sections it rests on; and a timeline of what
//! each revision changed.

use serde_json::{Value, json};

use crate::Policy;
use crate::map::{DataMap, Requirement};

use super::{Names, ReportError, Sources, every_map, timeline};

/// The page, with `/*LAWFUL-DATA*/` where the data goes.
const TEMPLATE: &str = include_str!("page.html");

fn requirements(list: &[Requirement]) -> Value {
    Value::Array(
        list.iter()
            .map(|r| json!({"text": r.text, "rule": r.rule, "cites": r.cites}))
            .collect(),
    )
}

fn labelled<'a>(names: impl Iterator<Item = &'a str>, label: impl Fn(&str) -> &'a str) -> Value {
    Value::Array(names.map(|n| json!([n, label(n)])).collect())
}

/// What the page shows of one version.
fn version(policy: &Policy, map: &DataMap, sources: Option<&Sources>) -> Value {
    let names = Names::of(policy, map);
    let vocabulary = policy.vocabulary();
    let model = names.model();
    let roles: Vec<&str> = model
        .map(|m| m.roles.iter().map(|r| vocabulary.role_name(*r)).collect())
        .unwrap_or_default();
    let categories: Vec<&str> = model
        .map(|m| {
            m.categories
                .iter()
                .map(|c| vocabulary.category_name(*c))
                .collect()
        })
        .unwrap_or_default();
    let purposes: Vec<&str> = model
        .map(|m| {
            m.purposes
                .iter()
                .map(|p| vocabulary.purpose_name(*p))
                .collect()
        })
        .unwrap_or_default();
    let parties: Vec<&str> = model
        .map(|m| {
            m.parties
                .iter()
                .map(|p| vocabulary.party_name(p.party))
                .collect()
        })
        .unwrap_or_default();
    let uses: Vec<Value> = map
        .uses
        .iter()
        .map(|u| {
            let recipients: Vec<Value> = u
                .recipients
                .iter()
                .map(|r| {
                    let obligations: Vec<String> = r
                        .obligations
                        .iter()
                        .map(|o| match o.within_days {
                            Some(days) => format!("{} within {days} days", o.kind),
                            None => o.kind.clone(),
                        })
                        .collect();
                    json!({"party": r.party, "obligations": obligations, "cites": r.cites,
                           "conditions": requirements(&r.conditions)})
                })
                .collect();
            json!({"role": u.role, "category": u.category, "purpose": u.purpose,
                   "basis": u.basis.as_str(), "rule": u.rule, "cites": u.cites,
                   "conditions": requirements(&u.conditions), "recipients": recipients})
        })
        .collect();
    let notes: Vec<Value> = map
        .notes
        .iter()
        .map(|n| json!({"text": n.text, "rule": n.rule, "cites": n.cites}))
        .collect();
    let empty = json!({});
    let declarations = sources
        .and_then(|s| s.declarations.get(&map.version))
        .map_or_else(|| empty.clone(), |d| json!(d));
    let sections = sources
        .and_then(|s| s.sections.get(&map.version))
        .map_or(empty, |d| json!(d));
    json!({
        "name": map.version,
        "effective": map.effective.date_string(),
        "notes": notes,
        "roles": labelled(roles.into_iter(), |n| names.role_label(n)),
        "categories": labelled(categories.into_iter(), |n| names.category_label(n)),
        "purposes": labelled(purposes.into_iter(), |n| names.purpose_label(n)),
        "parties": labelled(parties.into_iter(), |n| names.party_label(n)),
        "uses": uses,
        "declarations": declarations,
        "sections": sections,
    })
}

/// JSON that is safe inside a `<script>` element.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The page, opening on version `selected`.
pub(super) fn page(
    policy: &Policy,
    selected: &str,
    sources: Option<&Sources>,
) -> Result<String, ReportError> {
    let maps = every_map(policy)?;
    let title = maps.last().map(|m| m.title.clone()).unwrap_or_default();
    let versions: Vec<Value> = maps.iter().map(|m| version(policy, m, sources)).collect();
    let data = json!({
        "title": title,
        "selected": selected,
        "versions": versions,
        "timeline": timeline(&maps),
    });
    let text = serde_json::to_string(&data).map_err(|e| ReportError::Write(e.to_string()))?;
    let escaped_title = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    Ok(TEMPLATE
        .replace("/*LAWFUL-TITLE*/", &escaped_title)
        .replace("/*LAWFUL-DATA*/", &script_safe(&text)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn data_cannot_close_the_script() {
        let safe = super::script_safe(r#"{"x": "</script><b>&"}"#);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
    }
}
