//! Completion: the names the policy declares, chosen by the word before the cursor
//! (`about` → roles, `for` → purposes, `to` → parties, `of` → categories, `basis`
//! → bases, `then` → obligations, `by` → rule ids, …), and otherwise the keywords.
//!
//! The context is read from the words before the cursor, not from the syntax tree:
//! while someone types, the file usually does not parse.

use std::collections::BTreeSet;

use lawful_dsl::NameKind;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, Position, Range,
    TextEdit,
};

use super::analysis::{FileState, Folder};
use super::text::Text;

const POLICY_KEYWORDS: &[&str] = &[
    "policy",
    "version",
    "effective",
    "role",
    "category",
    "purpose",
    "party",
    "attribute",
    "obligation",
    "rule",
    "revocation",
    "children",
    "under",
    "is",
    "default",
    "allow",
    "deny",
    "use",
    "disclosure",
    "of",
    "any",
    "data",
    "anyone",
    "about",
    "for",
    "to",
    "basis",
    "when",
    "except",
    "then",
    "within",
    "days",
    "cite",
    "receives",
    "unless",
    "withdraws",
    "consent",
    "fides",
    "in",
    "contains",
    "yes",
    "no",
    "not",
    "and",
    "or",
    "set",
    "text",
    "number",
];

const TEST_KEYWORDS: &[&str] = &[
    "test",
    "subject",
    "aged",
    "with",
    "consented",
    "to",
    "at",
    "revoked",
    "use",
    "disclose",
    "for",
    "collected",
    "expect",
    "allowed",
    "denied",
    "error",
    "by",
    "nothing",
    "basis",
    "version",
];

/// What may come at the cursor.
#[derive(Debug, PartialEq, Eq)]
enum Expected {
    /// Names of these kinds, and these words.
    Names(&'static [NameKind], &'static [&'static str]),
    /// Only these words.
    Words(&'static [&'static str]),
    /// The keywords of the file's kind.
    Keywords,
    /// Nothing worth offering: a new name, a number, a date, text.
    Nothing,
}

/// A word or a comma before the cursor (text and comments are skipped).
#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    Word(&'a str, usize),
    Comma,
    Other(char),
}

/// The tokens of a text; `None` when it ends inside a comment or a quoted text.
fn tokens(text: &str) -> Option<Vec<Token<'_>>> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/');
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' => {
                if !chars.any(|(_, c)| c == '\n') {
                    return None;
                }
            }
            '"' => {
                let mut closed = false;
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' | '\n' => {
                            closed = true;
                            break;
                        }
                        _ => {}
                    }
                }
                if !closed {
                    return None;
                }
            }
            ',' => out.push(Token::Comma),
            c if is_word(c) => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, c)) = chars.peek() {
                    if !is_word(c) {
                        break;
                    }
                    end = j + c.len_utf8();
                    chars.next();
                }
                out.push(Token::Word(text.get(i..end).unwrap_or_default(), i));
            }
            c if c.is_whitespace() => {}
            c => out.push(Token::Other(c)),
        }
    }
    Some(out)
}

fn is_keyword(word: &str) -> bool {
    POLICY_KEYWORDS.contains(&word) || TEST_KEYWORDS.contains(&word)
}

/// What the tokens before the cursor (without the word being typed) call for.
fn expected(before: &[Token<'_>], is_test: bool) -> Expected {
    use NameKind as K;
    let mut i = before.len();
    // Inside a list (`for a, b, |`): the keyword that opened it decides.
    while let (Some(Token::Comma), Some(Token::Word(w, _))) = (
        i.checked_sub(1).and_then(|j| before.get(j)),
        i.checked_sub(2).and_then(|j| before.get(j)),
    ) {
        if is_keyword(w) {
            break;
        }
        i -= 2;
    }
    let word_at = |j: Option<usize>| match j.and_then(|j| before.get(j)) {
        Some(Token::Word(w, _)) => Some(*w),
        _ => None,
    };
    let last = i.checked_sub(1);
    let previous = word_at(last.and_then(|j| j.checked_sub(1)));
    let keyword = match last.and_then(|j| before.get(j)) {
        Some(Token::Word(w, _)) if is_keyword(w) => *w,
        Some(Token::Other('(')) => "when",
        _ => return Expected::Keywords,
    };
    match keyword {
        // A test asks about one role, one purpose, one party: no `any…` words there.
        "subject" => Expected::Names(&[K::Role], &[]),
        "about" => Expected::Names(&[K::Role], &["anyone"]),
        "for" | "revoked" if is_test => Expected::Names(&[K::Purpose], &[]),
        "for" => Expected::Names(&[K::Purpose], &["any purpose"]),
        "to" if matches!(previous, Some("consent" | "consented")) => {
            Expected::Names(&[K::Purpose], &[])
        }
        "to" if is_test => Expected::Names(&[K::Party], &[]),
        "to" => Expected::Names(&[K::Party], &["anyone"]),
        "of" if previous == Some("set") => Expected::Words(&["text"]),
        "of" => Expected::Names(&[K::Category], &["any data"]),
        "use" | "disclose" if is_test => Expected::Names(&[K::Category], &[]),
        "basis" => Expected::Names(&[K::Basis], &[]),
        "then" => Expected::Names(&[K::Obligation], &[]),
        "with" if is_test && with_in_expect(before) => Expected::Names(&[K::Obligation], &[]),
        "with" if is_test => Expected::Names(&[K::Attribute], &[]),
        "when" | "unless" | "and" | "or" | "not" => {
            Expected::Names(&[K::Attribute], &["consent to", "no consent to", "not"])
        }
        "by" => Expected::Names(&[K::Rule, K::Revocation], &["nothing"]),
        "version" if is_test => Expected::Names(&[K::Version], &[]),
        "is" => Expected::Words(&["yes/no", "number", "text", "set of text"]),
        "allow" => Expected::Words(&["use of"]),
        "deny" => Expected::Words(&["use of", "disclosure of"]),
        "expect" => Expected::Words(&["allowed", "denied", "error"]),
        "policy" | "version" | "effective" | "role" | "category" | "purpose" | "party"
        | "attribute" | "obligation" | "rule" | "revocation" | "under" | "test" | "aged"
        | "within" | "at" | "collected" | "default" | "cite" | "in" | "contains" => {
            Expected::Nothing
        }
        _ => Expected::Keywords,
    }
}

/// Whether a test's `with` belongs to its `expect` line (obligations) rather than
/// to its `subject` line (attributes).
fn with_in_expect(before: &[Token<'_>]) -> bool {
    before
        .iter()
        .rev()
        .find_map(|t| match t {
            Token::Word(w @ ("expect" | "subject"), _) => Some(*w == "expect"),
            _ => None,
        })
        .unwrap_or(false)
}

/// The completions at a position of a file's current text. Typing a space asks for names only: keywords
/// after every space would be noise.
pub(crate) fn completion(
    folder: &Folder,
    file: &FileState,
    text: &Text,
    position: Position,
    by_space: bool,
) -> Vec<CompletionItem> {
    let offset = text.offset(position);
    let Some(before) = text.as_str().get(..offset) else {
        return Vec::new();
    };
    let Some(mut tokens) = tokens(before) else {
        return Vec::new();
    };
    // The word being typed, if the cursor is at its end, is replaced by the choice.
    let typed_from = match tokens.last() {
        Some(Token::Word(w, start)) if start + w.len() == offset => {
            let start = *start;
            tokens.pop();
            start
        }
        _ => offset,
    };
    let replace = Range::new(text.position(typed_from), position);
    let item =
        |label: &str, kind: CompletionItemKind, detail: &str, doc: Option<&str>| CompletionItem {
            label: label.to_owned(),
            kind: Some(kind),
            detail: Some(detail.to_owned()),
            documentation: doc.map(|d| Documentation::String(d.to_owned())),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                replace,
                label.to_owned(),
            ))),
            ..CompletionItem::default()
        };
    let keyword = |w: &&str| item(w, CompletionItemKind::KEYWORD, "keyword", None);
    match expected(&tokens, file.is_test) {
        Expected::Nothing => Vec::new(),
        Expected::Keywords if by_space => Vec::new(),
        Expected::Words(words) => words.iter().map(keyword).collect(),
        Expected::Keywords => {
            let words = if file.is_test {
                TEST_KEYWORDS
            } else {
                POLICY_KEYWORDS
            };
            words.iter().map(keyword).collect()
        }
        Expected::Names(kinds, words) => {
            let mut items: Vec<CompletionItem> = words.iter().map(keyword).collect();
            for (kind, name, label) in declared(folder, file, kinds) {
                items.push(item(&name, item_kind(kind), kind.word(), label.as_deref()));
            }
            items
        }
    }
}

/// The declared names of some kinds, once each, with the newest label. A rule file
/// offers its own names (each file declares what it uses); a test file every
/// version's. Bases are built in.
fn declared(
    folder: &Folder,
    file: &FileState,
    kinds: &[NameKind],
) -> Vec<(NameKind, String, Option<String>)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    if kinds.contains(&NameKind::Basis) {
        for basis in lawful::Basis::ALL {
            out.push((NameKind::Basis, basis.as_str().to_owned(), None));
        }
    }
    let own = (!file.is_test).then(|| file.names()).flatten();
    let sources: Vec<&FileState> = match own {
        Some(_) => vec![file],
        None => folder.versions_newest_first().collect(),
    };
    for source in sources {
        for d in source
            .names()
            .into_iter()
            .flat_map(|o| o.declarations.iter())
        {
            if kinds.contains(&d.kind) && seen.insert((d.kind, d.name.clone())) {
                out.push((
                    d.kind,
                    d.name.clone(),
                    d.declared.label().map(str::to_owned),
                ));
            }
        }
    }
    if kinds.contains(&NameKind::Attribute) && seen.insert((NameKind::Attribute, "age".to_owned()))
    {
        out.push((
            NameKind::Attribute,
            "age".to_owned(),
            Some("the subject's age in whole years".to_owned()),
        ));
    }
    if kinds.contains(&NameKind::Obligation) {
        for builtin in ["delete", "notify_recipients"] {
            if seen.insert((NameKind::Obligation, builtin.to_owned())) {
                out.push((
                    NameKind::Obligation,
                    builtin.to_owned(),
                    Some("built in".to_owned()),
                ));
            }
        }
    }
    out
}

fn item_kind(kind: NameKind) -> CompletionItemKind {
    match kind {
        NameKind::Role => CompletionItemKind::CLASS,
        NameKind::Category => CompletionItemKind::FIELD,
        NameKind::Purpose => CompletionItemKind::ENUM_MEMBER,
        NameKind::Party => CompletionItemKind::MODULE,
        NameKind::Attribute => CompletionItemKind::PROPERTY,
        NameKind::Obligation => CompletionItemKind::EVENT,
        NameKind::Rule | NameKind::Revocation => CompletionItemKind::FUNCTION,
        NameKind::Basis => CompletionItemKind::CONSTANT,
        NameKind::Version => CompletionItemKind::VALUE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expect_at(text: &str, is_test: bool) -> Expected {
        let mut tokens = tokens(text).unwrap();
        if let Some(Token::Word(w, start)) = tokens.last() {
            if start + w.len() == text.len() {
                tokens.pop();
            }
        }
        expected(&tokens, is_test)
    }

    #[test]
    fn the_word_before_the_cursor_chooses_the_names() {
        use NameKind as K;
        let cases: &[(&str, bool, Expected)] = &[
            (
                "rule r\n  allow use of ",
                false,
                Expected::Names(&[K::Category], &["any data"]),
            ),
            (
                "  about vis",
                false,
                Expected::Names(&[K::Role], &["anyone"]),
            ),
            (
                "  for marketing, cust",
                false,
                Expected::Names(&[K::Purpose], &["any purpose"]),
            ),
            (
                "  for a, b, ",
                false,
                Expected::Names(&[K::Purpose], &["any purpose"]),
            ),
            (
                "  to mailgun, ",
                false,
                Expected::Names(&[K::Party], &["anyone"]),
            ),
            (
                "  when no consent to ",
                false,
                Expected::Names(&[K::Purpose], &[]),
            ),
            ("  basis ", false, Expected::Names(&[K::Basis], &[])),
            (
                "  then keep, ",
                false,
                Expected::Names(&[K::Obligation], &[]),
            ),
            (
                "  when (",
                false,
                Expected::Names(&[K::Attribute], &["consent to", "no consent to", "not"]),
            ),
            ("  for marketing ", false, Expected::Keywords),
            ("role ", false, Expected::Nothing),
            (
                "attribute a \"x\" is set of ",
                false,
                Expected::Words(&["text"]),
            ),
            (
                "  subject visitor with ",
                true,
                Expected::Names(&[K::Attribute], &[]),
            ),
            (
                "  expect allowed with ",
                true,
                Expected::Names(&[K::Obligation], &[]),
            ),
            (
                "  expect denied by ",
                true,
                Expected::Names(&[K::Rule, K::Revocation], &["nothing"]),
            ),
            (
                "  use contact.email, ",
                true,
                Expected::Names(&[K::Category], &[]),
            ),
            ("  consented to ", true, Expected::Names(&[K::Purpose], &[])),
            ("  subject ", true, Expected::Names(&[K::Role], &[])),
            (
                "  disclose contact.email to ",
                true,
                Expected::Names(&[K::Party], &[]),
            ),
            (
                "  use contact.email for ",
                true,
                Expected::Names(&[K::Purpose], &[]),
            ),
        ];
        for (text, is_test, want) in cases {
            assert_eq!(&expect_at(text, *is_test), want, "{text:?}");
        }
    }

    #[test]
    fn nothing_is_offered_inside_comments_and_text() {
        assert_eq!(tokens("role a \"a visitor fo"), None);
        assert_eq!(tokens("# for "), None);
        assert_eq!(
            tokens("cite \"a, \\\"b\" # c\n for"),
            Some(vec![Token::Word("cite", 0), Token::Word("for", 19)])
        );
    }
}
