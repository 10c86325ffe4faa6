//! Parsing: text → pest pairs, with the limits pest itself does not have.
//!
//! pest has no depth limit, so nesting is measured before it runs; files larger
//! than [`MAX_FILE_BYTES`] are refused. Syntax errors become diagnostics whose
//! expectations name things the way a lawyer would ("a purpose name", "`for`").

use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};

use crate::ast::Span;
use crate::diagnostic::{Diagnostic, Source};
use lawful_core::suggest::suggest;

/// The grammar, derived from `grammar.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
pub(crate) struct LawfulParser;

/// The largest rule or test file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 16 << 20;
/// The deepest brackets may nest in a condition.
pub const MAX_NESTING: usize = 16;

/// Parses a file with the given entry rule, or explains why it cannot.
pub(crate) fn parse(
    source: &Source,
    entry: Rule,
) -> Result<pest::iterators::Pair<'_, Rule>, Diagnostic> {
    check_limits(source)?;
    let mut pairs =
        LawfulParser::parse(entry, &source.text).map_err(|e| syntax_error(source, e))?;
    pairs.next().ok_or_else(|| {
        source.at(
            Span::default(),
            Diagnostic::error("L001", "the file is empty"),
        )
    })
}

/// Parses `rule` at byte `at` of the source (a character boundary): its pair,
/// with spans counted from `at`, and the byte where it ends. `None` when it does
/// not parse there; the caller then parses the whole file for the error.
pub(crate) fn parse_at(
    source: &Source,
    entry: Rule,
    at: usize,
) -> Option<(pest::iterators::Pair<'_, Rule>, usize)> {
    let rest = source.text.get(at..)?;
    let pair = LawfulParser::parse(entry, rest).ok()?.next()?;
    let end = at + pair.as_span().end();
    Some((pair, end))
}

/// The first byte at or after `at` that is not blank space or a comment, as the
/// grammar's `WHITESPACE` and `COMMENT` skip them between tokens.
pub(crate) fn skip_trivia(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    loop {
        match bytes.get(at) {
            Some(b' ' | b'\t' | b'\r' | b'\n') => at += 1,
            Some(b'#') => {
                at += bytes
                    .get(at..)
                    .unwrap_or_default()
                    .iter()
                    .position(|b| *b == b'\n' || *b == b'\r')
                    .unwrap_or(bytes.len() - at);
            }
            _ => return at,
        }
    }
}

/// Checks the file's size and the nesting of its brackets, before pest runs.
pub(crate) fn check_limits(source: &Source) -> Result<(), Diagnostic> {
    if source.text.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            "L002",
            format!(
                "`{}` is {} bytes; a rule file may be at most {MAX_FILE_BYTES}",
                source.name,
                source.text.len()
            ),
        )
        .with_help("split the policy into smaller files"));
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    // Only the bytes that matter are looked at, found with one search each: every
    // character that matters is ASCII, and no byte of a longer UTF-8 character is.
    let bytes = source.text.as_bytes();
    let mut i = 0;
    while let Some(rest) = bytes.get(i..) {
        let found = if in_comment {
            rest.iter().position(|b| matches!(b, b'\n' | b'\r'))
        } else {
            rest.iter().position(|b| {
                matches!(
                    b,
                    b'\n' | b'\r' | b'\\' | b'"' | b'#' | b'(' | b'[' | b')' | b']'
                )
            })
        };
        let Some(skipped) = found else {
            break;
        };
        if skipped > 0 {
            escaped = false;
        }
        i += skipped;
        let Some(&c) = bytes.get(i) else {
            break;
        };
        match c {
            b'\n' | b'\r' => in_comment = false,
            _ if in_comment => {}
            b'\\' if in_string => escaped = !escaped,
            b'"' if !escaped => in_string = !in_string,
            b'#' if !in_string => in_comment = true,
            b'(' | b'[' if !in_string => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(source.at(
                        Span {
                            start: i,
                            end: i + 1,
                        },
                        Diagnostic::error(
                            "L003",
                            format!("brackets nest more than {MAX_NESTING} deep"),
                        )
                        .with_help("split the condition into simpler rules"),
                    ));
                }
            }
            b')' | b']' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
        if c != b'\\' {
            escaped = false;
        }
        i += 1;
    }
    Ok(())
}

/// What a grammar rule is called in a message.
fn describe(rule: Rule) -> String {
    let debug = format!("{rule:?}");
    if let Some(word) = debug.strip_prefix("k_") {
        return format!("`{word}`");
    }
    match rule {
        Rule::name => "a name",
        Rule::rule_id => "a rule id (like `visitor-browsing`)",
        Rule::string => "quoted text",
        Rule::date | Rule::version_name => "a date (like 2021-11-11)",
        Rule::instant => "a date or time (like 2026-03-01 or 2026-03-01T10:00:00Z)",
        Rule::integer => "a whole number",
        Rule::number => "a number",
        Rule::header => "the header `policy \"Title\" version DATE`",
        Rule::EOI => "the end of the file",
        Rule::effect => "`allow use of`, `deny use of` or `deny disclosure of`",
        Rule::category_list => "data categories or `any data`",
        Rule::role_list => "roles or `anyone`",
        Rule::purpose_list => "purposes or `any purpose`",
        Rule::party_list => "parties or `anyone`",
        Rule::name_list => "a list of names",
        Rule::value_type => "a type: `yes/no`, `number`, `text` or `set of text`",
        Rule::yes_no_type => "`yes/no`",
        Rule::literal => "a value: `yes`, `no`, a number or quoted text",
        Rule::condition | Rule::test | Rule::consent_test => "a condition",
        Rule::compare_op => "a comparison like `=` or `>=`",
        Rule::op_and => "`and`",
        Rule::op_or => "`or`",
        Rule::op_not => "`not`",
        Rule::test_case => "`test`",
        Rule::role_decl => "`role`",
        Rule::category_decl => "`category`",
        Rule::purpose_decl => "`purpose`",
        Rule::party_decl => "`party`",
        Rule::attribute_decl => "`attribute`",
        Rule::obligation_decl => "`obligation`",
        Rule::rule_decl => "`rule`",
        Rule::revocation_decl => "`revocation`",
        Rule::children_decl => "`children`",
        Rule::about_clause => "`about`",
        Rule::withdraws_clause => "`withdraws consent`",
        Rule::unless_clause => "`unless`",
        Rule::for_clause => "`for`",
        Rule::to_clause => "`to`",
        Rule::basis_clause => "`basis`",
        Rule::when_clause => "`when`",
        Rule::except_clause => "`except`",
        Rule::then_clause => "`then`",
        Rule::cite_clause => "`cite`",
        Rule::receives_clause => "`receives for`",
        Rule::fides_clause => "`fides`",
        Rule::expect_clause => "`expect`",
        Rule::request_line => "`use` or `disclose`",
        Rule::consent_line => "`consented to`",
        Rule::revoked_line => "`revoked`",
        _ => return debug.replace('_', " "),
    }
    .to_owned()
}

/// The kind of declaration the text before `start` is inside: the first word of the
/// nearest line above that starts a declaration.
fn enclosing_declaration(source: &Source, start: usize) -> Option<&str> {
    const STARTS: [&str; 5] = ["rule", "party", "revocation", "children", "test"];
    source
        .text
        .get(..start)?
        .lines()
        .rev()
        .filter_map(|line| line.split_whitespace().next())
        .find(|word| STARTS.contains(word))
}

/// The clauses of a declaration, in the order they must be written.
fn clause_order(declaration: Option<&str>) -> (&'static str, &'static str) {
    match declaration {
        Some("party") => ("a party", "receives for, then, cite"),
        Some("revocation") => ("a revocation", "for, withdraws consent, then, cite"),
        Some("children") => ("the child rule", "about, unless, then, cite"),
        _ => (
            "a rule",
            "allow/deny, about, for, to, basis, when, except, then, cite",
        ),
    }
}

/// A syntax error at a specific, recognisable mistake, when there is one.
fn common_mistake(source: &Source, start: usize, word: &str) -> Option<Diagnostic> {
    const CLAUSES: [&str; 10] = [
        "about", "for", "to", "basis", "when", "except", "then", "cite", "receives", "of",
    ];
    let (whose, order) = clause_order(enclosing_declaration(source, start));
    let order_help = format!("write them in this order: {order} (each at most once)");
    let here = |len: usize, message: String, help: &str| {
        Some(source.at(
            Span {
                start,
                end: start + len,
            },
            Diagnostic::error("L001", message).with_help(help),
        ))
    };
    let first = word.chars().next()?;
    let before = source.text.get(..start).and_then(|b| b.chars().next_back());
    let inside_a_name = before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let before_space = source
        .text
        .get(..start)
        .and_then(|b| b.trim_end().chars().next_back());
    if before_space == Some(',') {
        let comma = source
            .text
            .get(..start)
            .map_or(start, |b| b.trim_end().len().saturating_sub(1));
        return Some(
            source.at(
                Span {
                    start: comma,
                    end: comma + 1,
                },
                Diagnostic::error(
                    "L001",
                    "this list ends with a comma, so a name is missing after it",
                )
                .with_help("remove the comma after the last name, or add the missing name"),
            ),
        );
    }
    if CLAUSES.contains(&word) {
        return here(
            word.len(),
            format!("`{word}` cannot come here: the clauses of {whose} go in a fixed order"),
            &order_help,
        );
    }
    if matches!(
        first,
        '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}' | '\u{ab}' | '\u{bb}'
    ) {
        return here(
            first.len_utf8(),
            "text must be in straight double quotes (\"), not curly quotes".to_owned(),
            "word processors turn \" into curly quotes; type a plain \" on both sides",
        );
    }
    if first == '"' {
        let line = source
            .text
            .get(start + 1..)
            .unwrap_or_default()
            .split(['\n', '\r'])
            .next()
            .unwrap_or_default();
        if !line.contains('"') {
            return here(
                1,
                "this text has no closing quote".to_owned(),
                "end the text with \" on the same line",
            );
        }
    }
    if inside_a_name && (first == '-' || first.is_uppercase() || !first.is_ascii()) {
        return here(
            word.len(),
            format!("a name cannot contain `{first}`"),
            "names use lowercase letters a–z, digits and `_`, with `.` between levels (like `contact.email`); rule ids may also use `-`",
        );
    }
    None
}

/// A declaration whose label is missing: pest finds the next line where it wanted
/// quoted text, so point at the end of the declaration's own line instead.
fn missing_label(
    source: &Source,
    start: usize,
    error: &pest::error::Error<Rule>,
) -> Option<Diagnostic> {
    let ErrorVariant::ParsingError { positives, .. } = &error.variant else {
        return None;
    };
    if !positives.contains(&Rule::string) {
        return None;
    }
    let before = source.text.get(..start)?;
    let gap = &before[before.trim_end().len()..];
    if !gap.contains('\n') {
        return None;
    }
    let end = before.trim_end().len();
    let line = before.get(..end)?.rsplit('\n').next()?.trim();
    Some(
        source.at(
            Span { start: end, end },
            Diagnostic::error(
                "L001",
                format!("`{line}` needs a label in quotes at the end of its line"),
            )
            .with_help(format!(
                "every declared name has a plain-English label: {line} \"…\""
            )),
        ),
    )
}

fn syntax_error(source: &Source, error: pest::error::Error<Rule>) -> Diagnostic {
    let (start, end) = match error.location {
        InputLocation::Pos(p) => (p, p + 1),
        InputLocation::Span((s, e)) => (s, e),
    };
    let raw = source
        .text
        .get(start..)
        .and_then(|rest| rest.split_whitespace().next())
        .map(|w| w.chars().take(40).collect::<String>());
    if let Some(mistake) = raw
        .as_deref()
        .and_then(|word| common_mistake(source, start, word))
    {
        return mistake;
    }
    if let Some(missing) = missing_label(source, start, &error) {
        return missing;
    }
    let found = raw.as_ref().map(|w| w.escape_debug().to_string());
    let mut clause_expected = false;
    let mut keywords: Vec<String> = Vec::new();
    let message = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } if !positives.is_empty() => {
            clause_expected = positives.iter().any(|r| {
                matches!(
                    r,
                    Rule::k_about
                        | Rule::k_for
                        | Rule::k_basis
                        | Rule::k_when
                        | Rule::k_except
                        | Rule::k_then
                        | Rule::k_cite
                )
            });
            keywords = positives
                .iter()
                .filter_map(|r| format!("{r:?}").strip_prefix("k_").map(str::to_owned))
                .collect();
            let mut wanted: Vec<String> = positives.iter().map(|r| describe(*r)).collect();
            wanted.dedup();
            let list = match wanted.as_slice() {
                [one] => one.clone(),
                [init @ .., last] => format!("{} or {last}", init.join(", ")),
                [] => String::new(),
            };
            match &found {
                Some(word) => format!("expected {list}, found `{word}`"),
                None => format!("expected {list}, but the file ends here"),
            }
        }
        ErrorVariant::ParsingError { .. } => match &found {
            Some(word) => format!("unexpected `{word}`"),
            None => "the file ends too early".to_owned(),
        },
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let misspelt = raw.as_deref().and_then(|word| {
        let word: String = word
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        suggest(&word, keywords.iter().map(String::as_str)).filter(|s| *s != word)
    });
    let help = if let Some(keyword) = misspelt {
        format!("did you mean `{keyword}`?")
    } else if clause_expected {
        let (whose, order) = clause_order(enclosing_declaration(source, start));
        format!("{whose}'s clauses go in this order: {order}")
    } else {
        "see the language reference in docs/language.md".to_owned()
    };
    let word_end = raw.as_ref().map_or(end, |w| start + w.len());
    source.at(
        Span {
            start,
            end: word_end.max(end),
        },
        Diagnostic::error("L001", message).with_help(help),
    )
}
