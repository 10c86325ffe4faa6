//! Declarations in words, for hovers (Markdown).

use lawful_dsl::NameKind;
use lawful_dsl::ast::{EffectKind, Literal, NameList, ObligationItem, Scope, Spanned, TypeName};
use lawful_dsl::outline::{Declared, Definition};

use super::analysis::FileState;

/// A declaration: its kind and name, then its label or what it does.
pub(crate) fn definition(file: &FileState, d: &Definition) -> String {
    let mut lines = vec![format!("**{}** `{}`", d.kind.word(), d.name)];
    match &d.declared {
        Declared::Label(decl) => lines.push(escape(&decl.label)),
        Declared::Attribute(a) => {
            lines.push(escape(&a.label));
            let mut typed = format!("is {}", type_name(a.value_type));
            if let Some(default) = &a.default {
                typed.push_str(&format!(", default {}", literal(&default.node)));
            }
            lines.push(typed);
        }
        Declared::Party(p) => {
            lines.push(escape(&p.label));
            lines.push(match &p.receives {
                Some(list) => format!("receives data for {}", names(list, "any purpose")),
                None => "receives no data (no `receives for` clause)".to_owned(),
            });
            obligations(&mut lines, &p.obligations);
            cites(&mut lines, &p.cites);
        }
        Declared::Rule(rule) => {
            let effect = match rule.effect.node {
                EffectKind::AllowUse => "allow use of",
                EffectKind::DenyUse => "deny use of",
                EffectKind::DenyDisclosure => "deny disclosure of",
            };
            let mut said = vec![format!(
                "{effect} {}",
                rule.scope
                    .categories
                    .as_ref()
                    .map_or("any data".to_owned(), |l| names(l, "any data"))
            )];
            scope(file, &rule.scope, &mut said);
            lines.push(said.join(" · "));
            if let Some(basis) = &rule.basis {
                lines.push(format!(
                    "basis `{}` — {}",
                    basis.node,
                    basis_words(&basis.node)
                ));
            }
            for exception in &rule.exceptions {
                let mut said = Vec::new();
                if let Some(list) = &exception.node.categories {
                    said.push(format!("of {}", names(list, "any data")));
                }
                scope(file, &exception.node, &mut said);
                lines.push(format!("except {}", said.join(" · ")));
            }
            obligations(&mut lines, &rule.obligations);
            cites(&mut lines, &rule.cites);
        }
        Declared::Revocation(r) => {
            let purposes = r.purposes.as_ref().map(|l| names(l, "any purpose"));
            lines.push(match (r.withdraws.is_some(), purposes) {
                (true, Some(p)) => {
                    format!("withdraws consent for {p}: rules resting on consent stop")
                }
                (true, None) => {
                    "withdraws consent: rules resting on consent stop, rules on another basis go on"
                        .to_owned()
                }
                (false, Some(p)) => format!("an opt-out of {p}: denied whatever the basis"),
                (false, None) => "an opt-out of every purpose".to_owned(),
            });
            obligations(&mut lines, &r.obligations);
            cites(&mut lines, &r.cites);
        }
        Declared::Version(header) => {
            lines.push(format!("of “{}”", escape(&header.title)));
            if let Some(effective) = &header.effective {
                lines.push(format!("effective {}", effective.node));
            }
        }
    }
    lines.join("\n\n")
}

/// A name the language knows without a declaration: the bases, the attribute
/// `age`, the obligations `delete` and `notify_recipients`.
pub(crate) fn builtin(kind: Option<NameKind>, name: &str) -> Option<String> {
    let kind = match kind {
        Some(kind) => kind,
        None if lawful::Basis::from_name(name).is_some() => NameKind::Basis,
        None if name == "age" => NameKind::Attribute,
        None => NameKind::Obligation,
    };
    let words = match (kind, name) {
        (NameKind::Basis, _) if lawful::Basis::from_name(name).is_some() => basis_words(name),
        (NameKind::Attribute, "age") => "the subject's age in whole years (a number); built in",
        (NameKind::Obligation, "delete") => {
            "delete the data; built in, and always added when the child rule denies"
        }
        (NameKind::Obligation, "notify_recipients") => {
            "tell everyone the data was disclosed to; built in, and always added when consent is revoked"
        }
        _ => return None,
    };
    Some(format!("**{}** `{name}`\n\n{words}", kind.word()))
}

fn basis_words(basis: &str) -> &'static str {
    match basis {
        "consent" => {
            "the person's consent (GDPR Art. 6(1)(a)); allows only while consent for the purpose is in force"
        }
        "contract" => "a contract the person is party to (GDPR Art. 6(1)(b))",
        "legal_obligation" => "a legal obligation (GDPR Art. 6(1)(c))",
        "vital_interests" => "someone's vital interests (GDPR Art. 6(1)(d))",
        "public_task" => "a task in the public interest (GDPR Art. 6(1)(e))",
        "legitimate_interests" => "legitimate interests (GDPR Art. 6(1)(f))",
        "controller_instructions" => {
            "the customer's instructions, for data processed for it as its processor (GDPR Art. 28)"
        }
        _ => "not a lawful basis lawful knows",
    }
}

fn scope(file: &FileState, scope: &Scope, said: &mut Vec<String>) {
    if let Some(list) = &scope.roles {
        said.push(format!("about {}", names(list, "anyone")));
    }
    if let Some(list) = &scope.purposes {
        said.push(format!("for {}", names(list, "any purpose")));
    }
    if let Some(list) = &scope.parties {
        said.push(format!("to {}", names(list, "anyone")));
    }
    if let Some(condition) = &scope.condition {
        said.push(format!("when `{}`", source_of(file, condition)));
    }
}

/// A condition as it is written in the file, on one line.
fn source_of<T>(file: &FileState, part: &Spanned<T>) -> String {
    let text = file.text.as_str();
    let written = text
        .get(part.span.start + file.bom..part.span.end + file.bom)
        .unwrap_or_default();
    written
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('`', "'")
}

fn names(list: &NameList, any: &str) -> String {
    match list {
        NameList::Any(_) => any.to_owned(),
        NameList::Names(names) => names
            .iter()
            .map(|n| format!("`{}`", n.node))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn obligations(lines: &mut Vec<String>, items: &[ObligationItem]) {
    if items.is_empty() {
        return;
    }
    let items: Vec<String> = items
        .iter()
        .map(|o| match o.within_days {
            Some(days) => format!("`{}` within {days} days", o.name.node),
            None => format!("`{}`", o.name.node),
        })
        .collect();
    lines.push(format!("then {}", items.join(", ")));
}

fn cites(lines: &mut Vec<String>, cites: &[Spanned<String>]) {
    if cites.is_empty() {
        return;
    }
    let cites: Vec<String> = cites
        .iter()
        .map(|c| format!("“{}”", escape(&c.node)))
        .collect();
    lines.push(format!("cites {}", cites.join(", ")));
}

fn type_name(t: TypeName) -> &'static str {
    match t {
        TypeName::YesNo => "yes/no",
        TypeName::Number => "number",
        TypeName::Text => "text",
        TypeName::TextSet => "set of text",
    }
}

fn literal(l: &Literal) -> String {
    match l {
        Literal::YesNo(true) => "yes".to_owned(),
        Literal::YesNo(false) => "no".to_owned(),
        Literal::Number(n) => n.to_string(),
        Literal::Text(t) => format!("\"{}\"", escape(t)),
    }
}

/// Plain text made safe to show as Markdown.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
