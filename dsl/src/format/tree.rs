//! pest's concrete tree → items, lines and tokens, each word in canonical form.

use pest::iterators::Pair;

use super::condition;
use super::doc::{Doc, Item, Line, Token};
use crate::lower::is_keyword;
use crate::parser::Rule;

/// Spaces before a clause.
pub(super) const CLAUSE_INDENT: usize = 2;

/// Builds the layout model of a parsed policy or test file.
pub(super) fn build(file: Pair<'_, Rule>) -> Doc {
    let mut doc = Doc::default();
    for pair in file.into_inner() {
        match pair.as_rule() {
            Rule::EOI => {}
            Rule::header => doc.items.push(header(pair)),
            // `fides "KEY"` goes on a line of its own under the declaration.
            Rule::role_decl | Rule::category_decl | Rule::purpose_decl
                if pair
                    .clone()
                    .into_inner()
                    .any(|p| p.as_rule() == Rule::fides_clause) =>
            {
                doc.items.push(Item {
                    grouped: true,
                    ..with_clauses(pair)
                });
            }
            Rule::role_decl
            | Rule::category_decl
            | Rule::purpose_decl
            | Rule::obligation_decl
            | Rule::attribute_decl => {
                let mut tokens = Vec::new();
                emit(pair, &mut tokens);
                doc.items.push(Item {
                    lines: vec![line(0, tokens)],
                    ..Item::default()
                });
            }
            _ => doc.items.push(with_clauses(pair)),
        }
    }
    doc
}

fn line(indent: usize, tokens: Vec<Token>) -> Line {
    Line { indent, tokens }
}

/// `policy "Title"` on one line, `version V [effective DATE]` on the next.
fn header(pair: Pair<'_, Rule>) -> Item {
    let mut title = Vec::new();
    let mut version = Vec::new();
    for part in pair.into_inner() {
        let target = if matches!(part.as_rule(), Rule::k_policy | Rule::string) {
            &mut title
        } else {
            &mut version
        };
        emit(part, target);
    }
    Item {
        lines: vec![line(0, title), line(0, version)],
        ..Item::default()
    }
}

/// A rule, party, revocation, child rule or test: its head words on the first
/// line, then each clause on a line of its own.
fn with_clauses(pair: Pair<'_, Rule>) -> Item {
    let mut lines = vec![line(0, Vec::new())];
    for part in pair.into_inner() {
        if is_word(part.as_rule()) {
            if let Some(head) = lines.first_mut() {
                emit(part, &mut head.tokens);
            }
        } else {
            let mut tokens = Vec::new();
            emit(part, &mut tokens);
            lines.push(line(CLAUSE_INDENT, tokens));
        }
    }
    Item {
        indented_body: lines.len() > 1,
        lines,
        closing: Vec::new(),
        grouped: false,
    }
}

/// Grammar rules that are single words of the output.
fn is_word(rule: Rule) -> bool {
    is_keyword(rule)
        || matches!(
            rule,
            Rule::name
                | Rule::rule_id
                | Rule::string
                | Rule::date
                | Rule::instant
                | Rule::integer
                | Rule::number
                | Rule::compare_op
                | Rule::yes_no_type
                | Rule::op_and
                | Rule::op_or
                | Rule::op_not
        )
}

/// The token of a single word, in canonical form.
pub(super) fn word(pair: &Pair<'_, Rule>) -> Token {
    let span = pair.as_span();
    let text = match pair.as_rule() {
        Rule::string => canonical_string(pair.as_str()),
        Rule::number => canonical_number(pair.as_str()),
        Rule::integer => canonical_integer(pair.as_str()),
        _ => pair.as_str().to_owned(),
    };
    Token::new(text, span.start(), span.end())
}

/// The elements of a comma-separated list in a grammar rule, if it has one.
fn list_element(rule: Rule) -> Option<Rule> {
    Some(match rule {
        Rule::name_list | Rule::expect_details => Rule::name,
        Rule::cite_clause | Rule::text_list => Rule::string,
        Rule::then_clause => Rule::obligation_item,
        Rule::subject_clause => Rule::assignment,
        Rule::one_of => Rule::literal,
        _ => return None,
    })
}

/// Words of a test line before which a long line may break.
const TEST_BREAKS: [&str; 8] = [
    "for",
    "to",
    "at",
    "collected",
    "with",
    "basis",
    "version",
    "aged",
];

/// Appends the tokens of `pair` to `out`.
pub(super) fn emit(pair: Pair<'_, Rule>, out: &mut Vec<Token>) {
    let rule = pair.as_rule();
    if is_word(rule) {
        out.push(word(&pair));
        return;
    }
    let first = out.len();
    match rule {
        Rule::when_clause | Rule::unless_clause => {
            for part in pair.into_inner() {
                if part.as_rule() == Rule::condition {
                    condition::emit(part, out);
                } else {
                    emit(part, out);
                }
            }
        }
        Rule::except_clause => except(pair, out),
        Rule::assignment => assignment(pair, out),
        Rule::attribute_decl => attribute(pair, out),
        _ => children(pair, out),
    }
    if matches!(
        rule,
        Rule::subject_clause | Rule::request_line | Rule::expect_clause
    ) {
        for token in out.iter_mut().skip(first + 1) {
            token.brk |= TEST_BREAKS.contains(&token.text.as_str());
        }
    }
    match rule {
        // After `in`.
        Rule::one_of => bracket(out, first + 1, "[", "]"),
        Rule::text_list => bracket(out, first, "[", "]"),
        _ => {}
    }
}

/// The children of a pair, with commas between list elements.
fn children(pair: Pair<'_, Rule>, out: &mut Vec<Token>) {
    let element = list_element(pair.as_rule());
    let mut previous_was_element = false;
    for part in pair.into_inner() {
        let is_element = Some(part.as_rule()) == element;
        let at = out.len();
        if is_element && previous_was_element {
            if let Some(last) = out.last_mut() {
                last.text.push(',');
            }
        }
        emit(part, out);
        if is_element
            && previous_was_element
            && let Some(token) = out.get_mut(at)
        {
            token.brk = true;
        }
        previous_was_element = is_element;
    }
}

/// `attribute NAME "label" is TYPE, default VALUE`.
fn attribute(pair: Pair<'_, Rule>, out: &mut Vec<Token>) {
    for part in pair.into_inner() {
        if part.as_rule() == Rule::k_default
            && let Some(last) = out.last_mut()
        {
            last.text.push(',');
        }
        emit(part, out);
    }
}

/// `NAME [= VALUE]` in a test's `with`.
fn assignment(pair: Pair<'_, Rule>, out: &mut Vec<Token>) {
    let mut parts = pair.into_inner();
    if let Some(name) = parts.next() {
        emit(name, out);
    }
    let Some(value) = parts.next() else {
        return;
    };
    if value.clone().into_inner().next().is_none() {
        // An empty list has no word to glue `= []` to but the name.
        if let Some(name) = out.last_mut() {
            name.text.push_str(" = []");
        }
        return;
    }
    let at = out.len();
    emit(value, out);
    if let Some(token) = out.get_mut(at) {
        token.text.insert_str(0, "= ");
    }
}

/// Glues brackets around the tokens from `first` on (there is at least one).
pub(super) fn bracket(out: &mut [Token], first: usize, open: &str, close: &str) {
    if first >= out.len() {
        return;
    }
    if let Some(token) = out.get_mut(first) {
        token.text.insert_str(0, open);
    }
    if let Some(token) = out.last_mut() {
        token.text.push_str(close);
    }
}

/// The order of an exception's parts in the output: the order of a rule's clauses.
fn part_rank(rule: Rule) -> u8 {
    match rule {
        Rule::of_clause => 0,
        Rule::about_clause => 1,
        Rule::for_clause => 2,
        Rule::to_clause => 3,
        _ => 4,
    }
}

/// `except of … about … for … to … when …`: the parts in a rule's clause order
/// (an exception's meaning does not depend on it), each a place to break.
fn except(pair: Pair<'_, Rule>, out: &mut Vec<Token>) {
    let mut parts: Vec<Pair<'_, Rule>> = pair.into_inner().collect();
    parts.sort_by_key(|p| (!is_keyword(p.as_rule()), part_rank(p.as_rule())));
    for (index, part) in parts.into_iter().enumerate() {
        let at = out.len();
        emit(part, out);
        if index > 1
            && let Some(token) = out.get_mut(at)
        {
            token.brk = true;
        }
    }
}

/// Quoted text as the grammar reads it: only `"` and `\` are escaped.
fn canonical_string(quoted: &str) -> String {
    let inner = quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(quoted);
    let mut text = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => text.extend(chars.next()),
            _ => text.push(c),
        }
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A whole number without leading zeros.
fn canonical_integer(digits: &str) -> String {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// A number without leading zeros or trailing zeros after the point.
fn canonical_number(number: &str) -> String {
    let (sign, rest) = match number.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", number),
    };
    let (whole, fraction) = rest.split_once('.').unwrap_or((rest, ""));
    let fraction = fraction.trim_end_matches('0');
    let mut out = format!("{sign}{}", canonical_integer(whole));
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_written_canonically() {
        let cases = [
            (canonical_number("007"), "7"),
            (canonical_number("18.50"), "18.5"),
            (canonical_number("-0.0"), "-0"),
            (canonical_number("3.25"), "3.25"),
            (canonical_integer("0"), "0"),
            (canonical_integer("0018"), "18"),
            (canonical_string(r#""a \"b\" \\ c""#), r#""a \"b\" \\ c""#),
            (canonical_string(r#""""#), r#""""#),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }
}
