//! The data map as CSV (RFC 4180): one row per use and recipient, and one row with
//! no party for a use that nobody receives.

use crate::map::DataMap;

const HEADER: [&str; 11] = [
    "version",
    "role",
    "category",
    "purpose",
    "basis",
    "rule",
    "cites",
    "conditions",
    "party",
    "obligations",
    "party_conditions",
];

/// A field, quoted when it must be.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn row(out: &mut String, fields: &[&str]) {
    let fields: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

/// The whole map; lists inside a field are joined with `; `.
pub(super) fn map(map: &DataMap) -> String {
    let mut out = String::new();
    row(&mut out, &HEADER);
    for u in &map.uses {
        let cites = u.cites.join("; ");
        let conditions: Vec<&str> = u.conditions.iter().map(|c| c.text.as_str()).collect();
        let conditions = conditions.join("; ");
        let basis = u.basis.as_str();
        let common = [
            map.version.as_str(),
            &u.role,
            &u.category,
            &u.purpose,
            basis,
            &u.rule,
            &cites,
            &conditions,
        ];
        if u.recipients.is_empty() {
            let mut fields = common.to_vec();
            fields.extend(["", "", ""]);
            row(&mut out, &fields);
        }
        for r in &u.recipients {
            let obligations: Vec<String> = r
                .obligations
                .iter()
                .map(|o| match o.within_days {
                    Some(days) => format!("{} within {days} days", o.kind),
                    None => o.kind.clone(),
                })
                .collect();
            let obligations = obligations.join("; ");
            let party_conditions: Vec<&str> =
                r.conditions.iter().map(|c| c.text.as_str()).collect();
            let party_conditions = party_conditions.join("; ");
            let mut fields = common.to_vec();
            fields.extend([r.party.as_str(), &obligations, &party_conditions]);
            row(&mut out, &fields);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_with_commas_and_quotes_are_quoted() {
        assert_eq!(super::field("a"), "a");
        assert_eq!(super::field("a, b"), "\"a, b\"");
        assert_eq!(super::field("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
