//! A generated policy shaped like Filestack's, `scale` times larger: `scale` groups,
//! each with its own roles, categories, purposes, parties and rules, plus
//! policy-wide deny rules like Filestack's restriction and Do Not Track.

/// The text of one policy version, `scale` groups large (19 rules a group).
#[allow(dead_code, reason = "the hot bench loads files, not one text")]
pub fn policy_text(scale: usize) -> String {
    let mut files = policy_files(scale, 1);
    files.pop().map(|(_, text)| text).unwrap_or_default()
}

/// The same version split over `count` files (`generated-N.lawful`), the groups
/// dealt out in turn: each file starts with the same header.
pub fn policy_files(scale: usize, count: usize) -> Vec<(String, String)> {
    let header = "policy \"Generated\" version 2024-01-01\n";
    let mut texts: Vec<String> = (0..count.max(1)).map(|_| header.to_owned()).collect();
    if let Some(first) = texts.first_mut() {
        *first += &preamble();
    }
    for g in 0..scale {
        let index = g % texts.len();
        if let Some(text) = texts.get_mut(index) {
            *text += &group(g);
        }
    }
    if let Some(first) = texts.first_mut() {
        *first += "children under 16 about anyone cite \"S\"\n";
    }
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| (format!("generated-{i}.lawful"), text))
        .collect()
}

/// The declarations and rules every generated policy starts with.
fn preamble() -> String {
    String::from(
        "attribute restricted \"restricted\" is yes/no, default no\n\
         attribute do_not_track \"dnt\" is yes/no, default no\n\
         purpose legal \"legal\"\n\
         purpose legal.compliance \"compliance\"\n\
         rule restriction deny use of any data when restricted except for legal.compliance cite \"S\"\n",
    )
}

/// One group: its vocabulary, 19 rules and two parties.
fn group(g: usize) -> String {
    let mut text = String::new();
    for role in ["visitor", "user", "subject"] {
        text += &format!("role g{g}_{role} \"{role} of group {g}\"\n");
    }
    text += &format!("category g{g} \"group {g} data\"\n");
    for c in 0..20 {
        text += &format!("category g{g}.c{c} \"category {c} of group {g}\"\n");
    }
    text += &format!("purpose q{g} \"group {g} purposes\"\n");
    for p in 0..16 {
        text += &format!("purpose q{g}.p{p} \"purpose {p} of group {g}\"\n");
    }
    for r in 0..16 {
        let role = match r % 3 {
            0 => "visitor",
            1 => "user",
            _ => "subject",
        };
        text += &format!(
            "rule g{g}-allow-{r}\n  allow use of g{g}.c{}, g{g}.c{}, g{g}.c{}\n  about g{g}_{role}\n  for q{g}.p{}, q{g}.p{}\n  basis {}\n  cite \"S\"\n",
            r % 20,
            (r + 1) % 20,
            (r + 7) % 20,
            r % 16,
            (r + 3) % 16,
            if r % 4 == 0 { "consent" } else { "contract" }
        );
    }
    text += &format!(
        "rule g{g}-legal allow use of any data about g{g}_visitor, g{g}_user for legal basis legal_obligation cite \"S\"\n\
             rule g{g}-dnt deny use of any data for q{g}.p3 when do_not_track cite \"S\"\n\
             rule g{g}-never deny use of g{g}.c19 for q{g}.p5 cite \"S\"\n\
             party g{g}_vendor \"vendor {g}\" receives for q{g}.p0, q{g}.p1, q{g}.p2 cite \"S\"\n\
             party g{g}_infra \"infrastructure {g}\" receives for any purpose cite \"S\"\n"
    );
    text
}

/// A disclosure request in the middle group of a policy of the given scale.
#[allow(dead_code, reason = "the hot bench does not decide it")]
pub fn disclosure(scale: usize) -> String {
    let g = scale / 2;
    format!(
        r#"{{"action": "disclose", "subject": {{"role": "g{g}_user"}}, "data": ["g{g}.c1"],
            "purpose": "q{g}.p1", "party": "g{g}_vendor", "at": "2026-03-01"}}"#
    )
}
