//! Excerpts of a rule file: its version, and each declaration's kind, name and
//! text as written (with the comment lines just above it), for tools that show
//! rules beside what they decide, such as the data map's HTML page.

use crate::ast::Span;
use crate::diagnostic::{Diagnostic, Source};
use crate::parser::{Rule, parse};

/// One declaration of a rule file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// `rule`, `revocation`, `children`, `party`, `role`, `category`, `purpose`,
    /// `attribute` or `obligation`.
    pub kind: &'static str,
    /// Its name or id (`children` for the child rule).
    pub name: String,
    /// The line it starts on (from 1).
    pub line: usize,
    /// Its text, with the comment lines written just above it.
    pub text: String,
}

/// The excerpts of one rule file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excerpts {
    /// The version the file declares.
    pub version: String,
    /// Its declarations, in order.
    pub items: Vec<Item>,
}

fn kind(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::rule_decl => "rule",
        Rule::revocation_decl => "revocation",
        Rule::children_decl => "children",
        Rule::party_decl => "party",
        Rule::role_decl => "role",
        Rule::category_decl => "category",
        Rule::purpose_decl => "purpose",
        Rule::attribute_decl => "attribute",
        Rule::obligation_decl => "obligation",
        _ => return None,
    })
}

/// Where the comment lines just above `start` begin (no blank line between).
fn comments_above(text: &str, start: usize) -> usize {
    let mut begin = text
        .get(..start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    loop {
        let Some(before) = begin.checked_sub(1) else {
            return begin;
        };
        let line_start = text
            .get(..before)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line = text.get(line_start..before).unwrap_or("");
        if line.trim_start().starts_with('#') {
            begin = line_start;
        } else {
            return begin;
        }
    }
}

/// The excerpts of a rule file.
pub fn excerpts(source: &Source) -> Result<Excerpts, Diagnostic> {
    let file = parse(source, Rule::policy_file)?;
    let mut version = String::new();
    let mut items = Vec::new();
    for pair in file.into_inner() {
        if pair.as_rule() == Rule::header {
            let name = pair
                .into_inner()
                .find(|p| p.as_rule() == Rule::version_name)
                .map(|p| p.as_str().trim_matches('"').to_owned());
            version = name.unwrap_or_default();
            continue;
        }
        let Some(kind) = kind(pair.as_rule()) else {
            continue;
        };
        let span = pair.as_span();
        let name = pair
            .clone()
            .into_inner()
            .find(|p| matches!(p.as_rule(), Rule::name | Rule::rule_id))
            .map_or_else(|| "children".to_owned(), |p| p.as_str().to_owned());
        let begin = comments_above(&source.text, span.start());
        let text = source
            .text
            .get(begin..span.end())
            .unwrap_or("")
            .trim_end()
            .to_owned();
        let line = source
            .locate(Span {
                start: span.start(),
                end: span.end(),
            })
            .line;
        items.push(Item {
            kind,
            name,
            line,
            text,
        });
    }
    Ok(Excerpts { version, items })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_come_with_the_comments_above_them() -> Result<(), Diagnostic> {
        let text = "policy \"P\" version 2021-11-11\n\nrole visitor \"v\"\n\n# why\n# and more\nrule r\n  deny use of any data\n  cite \"S\"\n";
        let outline = excerpts(&Source::new("p.lawful", text))?;
        assert_eq!(outline.version, "2021-11-11");
        let names: Vec<(&str, &str, usize)> = outline
            .items
            .iter()
            .map(|i| (i.kind, i.name.as_str(), i.line))
            .collect();
        assert_eq!(names, [("role", "visitor", 3), ("rule", "r", 7)]);
        assert_eq!(
            outline.items.get(1).map(|i| i.text.as_str()),
            Some("# why\n# and more\nrule r\n  deny use of any data\n  cite \"S\"")
        );
        Ok(())
    }
}
