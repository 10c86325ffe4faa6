//! The data map as Markdown tables: one per role, a row per purpose, rule and set
//! of conditions, with the categories that share them.

use std::fmt::Write as _;

use crate::map::{DataMap, Recipient, Use};

use super::Names;

/// Text safe inside a Markdown table cell.
pub(super) fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// A recipient in a table cell: its name, then its own conditions and obligations.
pub(super) fn recipient(r: &Recipient, names: &Names<'_>) -> String {
    let mut extras: Vec<String> = r.conditions.iter().map(|c| c.text.clone()).collect();
    extras.extend(r.obligations.iter().map(|o| {
        let what = names.obligation_label(&o.kind);
        match o.within_days {
            Some(days) => format!("must {what} within {days} days"),
            None => format!("must {what}"),
        }
    }));
    if extras.is_empty() {
        r.party.clone()
    } else {
        format!("{} ({})", r.party, extras.join("; "))
    }
}

/// The rows of one role: uses that differ only by category share a row.
fn rows<'m>(uses: &[&'m Use]) -> Vec<(Vec<&'m str>, &'m Use)> {
    let mut rows: Vec<(Vec<&'m str>, &'m Use)> = Vec::new();
    for u in uses {
        let same = rows.iter_mut().find(|(_, first)| {
            first.purpose == u.purpose
                && first.rule == u.rule
                && first.basis == u.basis
                && first.conditions == u.conditions
                && first.recipients == u.recipients
        });
        match same {
            Some((categories, _)) => categories.push(&u.category),
            None => rows.push((vec![&u.category], u)),
        }
    }
    rows
}

/// The whole map.
pub(super) fn map(map: &DataMap, names: &Names<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Data map: {}, version {}\n", map.title, map.version);
    let _ = writeln!(
        out,
        "Every use of personal data the rules of version {} allow, computed from them by \
         `lawful map`: whose data, which category, for which purpose, on which lawful basis, \
         by which rule, under which conditions, and who may receive it. A use with no \
         conditions holds for anyone (given nothing beyond the policy's defaults); a \
         recipient's conditions come on top of the use's.\n",
        map.version
    );
    for note in &map.notes {
        let _ = writeln!(
            out,
            "For every use: {} (rule `{}`; {}).\n",
            note.text,
            note.rule,
            quoted(&note.cites)
        );
    }
    let mut roles: Vec<&str> = Vec::new();
    for u in &map.uses {
        if !roles.contains(&u.role.as_str()) {
            roles.push(&u.role);
        }
    }
    for role in roles {
        let uses: Vec<&Use> = map.uses.iter().filter(|u| u.role == role).collect();
        let _ = writeln!(out, "## `{role}`: {}\n", names.role_label(role));
        let _ = writeln!(
            out,
            "| purpose | data | basis | rule | conditions | recipients |\n|---|---|---|---|---|---|"
        );
        for (categories, u) in rows(&uses) {
            let data: Vec<String> = categories.iter().map(|c| format!("`{c}`")).collect();
            let conditions: Vec<String> = u.conditions.iter().map(|c| c.text.clone()).collect();
            let recipients: Vec<String> =
                u.recipients.iter().map(|r| recipient(r, names)).collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | `{}` | {} | {} |",
                u.purpose,
                data.join(", "),
                u.basis,
                u.rule,
                cell(&or_dash(&conditions.join("; "))),
                cell(&or_dash(&recipients.join("; ")))
            );
        }
        out.push('\n');
    }
    if map.uses.is_empty() {
        out.push_str("The rules of this version allow no use.\n");
    }
    out
}

fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "—".to_owned()
    } else {
        text.to_owned()
    }
}

/// `"A", "B"`.
pub(super) fn quoted(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    quoted.join(", ")
}
