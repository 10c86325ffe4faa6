//! Reading the common declarations without pest.
//!
//! Most of a large policy is declarations of a few plain shapes: names with their
//! labels, and rules whose clauses are lists of names, a basis, a simple
//! condition, obligations and citations. pest spends about 2,000 instructions on
//! each name it reads; this reader reads them with a loop over bytes, and builds
//! the same syntax tree, every span included, that pest and [`crate::lower`]
//! build.
//!
//! It answers only when it is sure. For anything else — a `children` rule,
//! brackets in a condition, escapes in quoted text, a syntax error, a number too
//! large, an exception that says a clause twice — it answers `None`, and the
//! loader reads the declaration with pest, which stays the grammar of record and
//! gives every error message. Where it answers, it reads as pest's parsing
//! expression grammar does: tokens are the grammar's, blank space and comments
//! lie between them, and an optional clause is tried only where its first word
//! stands. Spans end where pest's end: a pair whose last part is optional and
//! absent keeps the blank space read before it (see [`Reader::optional`]).
//!
//! `tests` below, the `quick_parse` fuzz target and `tests/quick_parse.rs` hold
//! it to pest's answers.

use crate::ast::*;
use crate::diagnostic::Source;
use crate::lower::{self, MAX_OPERATORS, unescape};
use crate::parser::skip_trivia;

/// The declaration that starts at byte `at` of `text` (where no blank space is),
/// and the byte where pest's pair for it ends; `None` when this reader cannot
/// vouch for it.
pub(crate) fn declaration(text: &str, at: usize) -> Option<(Declaration, usize)> {
    let mut r = Reader {
        bytes: text.as_bytes(),
        text,
        pos: at,
    };
    let declaration = match r.peek()? {
        b'r' if r.at_keyword("rule") => r.rule(),
        b'r' if r.at_keyword("role") => r.name_decl("role", Declaration::Role),
        b'r' => r.revocation(),
        b'c' => r.name_decl("category", Declaration::Category),
        b'p' if r.at_keyword("purpose") => r.name_decl("purpose", Declaration::Purpose),
        b'p' => r.party(),
        b'a' => r.attribute(),
        b'o' => r.name_decl("obligation", Declaration::Obligation),
        _ => None,
    }?;
    Some((declaration, r.pos))
}

/// Reads `text` (a header, if it has one, then declarations) with both this reader
/// and pest, and says where they disagree: a declaration this reader vouches for
/// must be the one pest reads, spans and end included; and the whole file, read
/// as the loader reads it, must give what pest alone gives: the same syntax tree,
/// or the same first problem. Declarations this reader leaves to pest are stepped
/// over with pest. Gives how many declarations this reader vouched for. For tests
/// and fuzzing.
#[doc(hidden)]
pub fn agrees_with_pest(text: &str) -> Result<usize, String> {
    let source = Source::new("quick.lawful", text);
    let mut found = crate::diagnostic::Diagnostics::new();
    let loaded = lower::policy_file(&source, &mut found).filter(|_| found.is_empty());
    let by_pest = lower::pest_policy_file(&source);
    let first_problem = found.into_vec().into_iter().next();
    match (&loaded, &by_pest) {
        (Some(a), Ok(b)) if a == b => {}
        (None, Err(problems)) if problems.first() == first_problem.as_ref() => {}
        _ => {
            return Err(format!(
                "the loader read {loaded:?} (first problem {first_problem:?}); pest alone read {by_pest:?}"
            ));
        }
    }
    let text = source.text.as_str();
    let mut at = skip_trivia(text, 0);
    if let Some(end) = lower::pest_header(&source, at) {
        at = skip_trivia(text, end);
    }
    let mut vouched = 0;
    while at < text.len() {
        let pest = lower::pest_declaration(&source, at);
        let Some((quick, end)) = declaration(text, at) else {
            // Left to pest: step over it, or stop where pest stops too.
            match pest {
                Some((_, end)) => at = skip_trivia(text, end),
                None => return Ok(vouched),
            }
            continue;
        };
        match pest {
            Some((Ok(read), pest_end)) if read == quick && pest_end == end => {}
            other => {
                return Err(format!(
                    "at byte {at}, the quick reader read {quick:?}, ending at byte {end}; pest read {other:?}"
                ));
            }
        }
        vouched += 1;
        at = skip_trivia(text, end);
    }
    Ok(vouched)
}

/// A character that may continue a name or follow a keyword's last letter and
/// make it part of a longer word (`ASCII_ALPHANUMERIC | "_"`).
fn is_word_byte(b: Option<&u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// The grammar's `reserved`: by first letter, the words a name may not be, in the
/// grammar's order. A name is refused when the first of its group that starts the
/// text is followed by no word character.
fn is_reserved(bytes: &[u8], at: usize) -> bool {
    let group: &[&[u8]] = match bytes.get(at) {
        Some(b'a') => &[
            b"nyone",
            b"nd",
            b"ny",
            b"bout",
            b"llow",
            b"ttribute",
            b"ged",
            b"t",
        ],
        Some(b'b') => &[b"asis"],
        Some(b'c') => &[
            b"ontains",
            b"ite",
            b"ategory",
            b"hildren",
            b"onsented",
            b"ollected",
        ],
        Some(b'd') => &[b"ata", b"ays", b"eny", b"isclose", b"isclosure"],
        Some(b'e') => &[b"xcept", b"ffective", b"xpect"],
        Some(b'f') => &[b"or"],
        Some(b'i') => &[b"n"],
        Some(b'n') => &[b"ot", b"o"],
        Some(b'o') => &[b"r", b"f", b"bligation"],
        Some(b'p') => &[b"urpose", b"arty", b"olicy"],
        Some(b'r') => &[b"eceives", b"ule", b"ole", b"evocation", b"evoked"],
        Some(b's') => &[b"ubject"],
        Some(b't') => &[b"o", b"hen", b"est"],
        Some(b'u') => &[b"se", b"nless"],
        Some(b'v') => &[b"ersion"],
        Some(b'w') => &[b"hen", b"ithin", b"ith", b"ithdraws"],
        Some(b'y') => &[b"es"],
        _ => return false,
    };
    let rest = bytes.get(at + 1..).unwrap_or_default();
    group
        .iter()
        .find(|word| rest.starts_with(word))
        .is_some_and(|word| !is_word_byte(rest.get(word.len())))
}

/// One part of a condition before operators are given their precedence.
enum Token {
    Primary(Spanned<Expr>),
    Not(usize),
    And,
    Or,
}

/// A position in the text, moved forward as tokens are read.
struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Skips blank space and comments, as pest does between two parts of a rule.
    fn skip(&mut self) {
        self.pos = skip_trivia(self.text, self.pos);
    }

    /// Whether the keyword `word` stands here.
    fn at_keyword(&self, word: &str) -> bool {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        rest.starts_with(word.as_bytes()) && !is_word_byte(rest.get(word.len()))
    }

    /// Reads the keyword `word`, and gives its span.
    fn keyword(&mut self, word: &str) -> Option<Span> {
        if !self.at_keyword(word) {
            return None;
        }
        let start = self.pos;
        self.pos += word.len();
        Some(Span {
            start,
            end: self.pos,
        })
    }

    /// Skips blank space, then reads the keyword `word`.
    fn next_keyword(&mut self, word: &str) -> Option<Span> {
        self.skip();
        self.keyword(word)
    }

    /// The text from `start` to here, with its span.
    fn spanned_from(&self, start: usize) -> Option<Name> {
        Some(Spanned {
            node: self.text.get(start..self.pos)?.to_owned(),
            span: Span {
                start,
                end: self.pos,
            },
        })
    }

    /// A name such as `device.ip_address` (the grammar's `name`).
    fn name(&mut self) -> Option<Name> {
        let start = self.pos;
        if !self.peek()?.is_ascii_lowercase() || is_reserved(self.bytes, start) {
            return None;
        }
        self.pos += 1;
        loop {
            match self.peek() {
                Some(b) if b.is_ascii_alphanumeric() || b == b'_' => self.pos += 1,
                Some(b'.')
                    if self
                        .bytes
                        .get(self.pos + 1)
                        .is_some_and(u8::is_ascii_lowercase) =>
                {
                    self.pos += 2;
                }
                _ => break,
            }
        }
        self.spanned_from(start)
    }

    /// A rule id such as `visitor-browsing` (the grammar's `rule_id`).
    fn rule_id(&mut self) -> Option<Name> {
        let start = self.pos;
        if !self.peek()?.is_ascii_lowercase() {
            return None;
        }
        self.pos += 1;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            self.pos += 1;
        }
        self.spanned_from(start)
    }

    /// Quoted text, unescaped as lowering unescapes it.
    fn string(&mut self) -> Option<Spanned<String>> {
        let start = self.pos;
        if self.peek()? != b'"' {
            return None;
        }
        let rest = self.bytes.get(start + 1..)?;
        let length = rest
            .iter()
            .position(|b| matches!(b, b'"' | b'\\' | b'\n' | b'\r'))?;
        // Only a closing quote ends plain text here; an escape or a line break
        // is left to pest.
        if rest.get(length) != Some(&b'"') {
            return None;
        }
        let raw = self.text.get(start + 1..start + 1 + length)?;
        self.pos = start + length + 2;
        Some(Spanned {
            node: unescape(raw),
            span: Span {
                start,
                end: self.pos,
            },
        })
    }

    /// A whole number that fits a `u32` (a larger one is an error pest's road gives).
    fn integer(&mut self) -> Option<Spanned<u32>> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let node = self.text.get(start..self.pos)?.parse().ok()?;
        Some(Spanned {
            node,
            span: Span {
                start,
                end: self.pos,
            },
        })
    }

    /// `yes`, `no`, a finite number or quoted text (the grammar's `literal`).
    fn literal(&mut self) -> Option<Spanned<Literal>> {
        let start = self.pos;
        let node = if self.keyword("yes").is_some() {
            Literal::YesNo(true)
        } else if self.keyword("no").is_some() {
            Literal::YesNo(false)
        } else if self.peek() == Some(b'"') {
            Literal::Text(self.string()?.node)
        } else {
            if self.peek() == Some(b'-') {
                self.pos += 1;
            }
            let digits = |r: &mut Self| {
                let from = r.pos;
                while r.peek().is_some_and(|b| b.is_ascii_digit()) {
                    r.pos += 1;
                }
                r.pos > from
            };
            if !digits(self) {
                return None;
            }
            let before_fraction = self.pos;
            if self.peek() == Some(b'.') {
                self.pos += 1;
                if !digits(self) {
                    self.pos = before_fraction;
                }
            }
            let n: f64 = self.text.get(start..self.pos)?.parse().ok()?;
            if !n.is_finite() {
                return None;
            }
            Literal::Number(n)
        };
        Some(Spanned {
            node,
            span: Span {
                start,
                end: self.pos,
            },
        })
    }

    /// An optional part of a rule, as pest reads `part?`: the blank space before
    /// it is read whether or not the part is there, so a pair that ends with an
    /// absent part ends after that space. `starts` looks at the part's first
    /// token; once it is there the part must read whole, or nothing is vouched for.
    fn optional<T>(
        &mut self,
        starts: impl Fn(&Self) -> bool,
        read: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<Option<T>> {
        self.skip();
        if starts(self) {
            read(self).map(Some)
        } else {
            Some(None)
        }
    }

    /// An optional clause that starts with the keyword `word`: the keyword, blank
    /// space, then what `read` reads.
    fn clause<T>(
        &mut self,
        word: &str,
        read: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<Option<T>> {
        self.optional(
            |r| r.at_keyword(word),
            |r| {
                r.keyword(word)?;
                r.skip();
                read(r)
            },
        )
    }

    /// A repeated part, as pest reads `part*`: the space before the first is read
    /// whether or not one is there, the space before each later one only with it.
    fn repeated(
        &mut self,
        starts: impl Fn(&Self) -> bool,
        mut read: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.skip();
        if !starts(self) {
            return Some(());
        }
        read(self)?;
        loop {
            let before = self.pos;
            self.skip();
            if !starts(self) {
                self.pos = before;
                return Some(());
            }
            read(self)?;
        }
    }

    /// `FIRST ("," FIRST)*`: items separated by commas.
    fn comma_list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let mut items = vec![item(self)?];
        self.repeated(
            |r| r.peek() == Some(b','),
            |r| {
                r.pos += 1;
                r.skip();
                items.push(item(r)?);
                Some(())
            },
        )?;
        Some(items)
    }

    /// A list of names, or the words for all of them: `any_words` (`any data`,
    /// `any purpose`, `any party`) or `anyone` where `anyone` is allowed.
    fn name_list(&mut self, any_word: Option<&str>, anyone: bool) -> Option<NameList> {
        let start = self.pos;
        if self.keyword("any").is_some() {
            let word = self.next_keyword(any_word?)?;
            return Some(NameList::Any(Span {
                start,
                end: word.end,
            }));
        }
        if let Some(span) = self.keyword("anyone") {
            return anyone.then_some(NameList::Any(span));
        }
        self.comma_list(Self::name).map(NameList::Names)
    }

    /// `NAME [within N days], …` (after `then`).
    fn obligations(&mut self) -> Option<Vec<ObligationItem>> {
        self.comma_list(|r| {
            let name = r.name()?;
            let within_days = r.clause("within", |r| {
                let days = r.integer()?.node;
                r.next_keyword("days")?;
                Some(days)
            })?;
            Some(ObligationItem { name, within_days })
        })
    }

    /// `then …` and `cite "…", …`, each optional, as a declaration ends.
    fn then_and_cite(&mut self) -> Option<(Vec<ObligationItem>, Vec<Spanned<String>>)> {
        let obligations = self.clause("then", Self::obligations)?;
        let cites = self.clause("cite", |r| r.comma_list(Self::string))?;
        Some((obligations.unwrap_or_default(), cites.unwrap_or_default()))
    }

    /// `KEYWORD NAME "label"`, with `fides "KEY"` where the kind allows it.
    fn name_decl(
        &mut self,
        keyword: &str,
        wrap: fn(NameDecl) -> Declaration,
    ) -> Option<Declaration> {
        self.keyword(keyword)?;
        self.skip();
        let name = self.name()?;
        self.skip();
        let label = self.string()?.node;
        let fides = if keyword == "obligation" {
            None
        } else {
            self.clause("fides", Self::string)?
        };
        Some(wrap(NameDecl { name, label, fides }))
    }

    /// `attribute NAME "label" is TYPE[, default VALUE]`.
    fn attribute(&mut self) -> Option<Declaration> {
        self.keyword("attribute")?;
        self.skip();
        let name = self.name()?;
        self.skip();
        let label = self.string()?.node;
        self.next_keyword("is")?;
        self.skip();
        let value_type = if self.bytes.get(self.pos..)?.starts_with(b"yes/no") {
            self.pos += "yes/no".len();
            TypeName::YesNo
        } else if self.keyword("number").is_some() {
            TypeName::Number
        } else if self.keyword("text").is_some() {
            TypeName::Text
        } else {
            self.keyword("set")?;
            self.next_keyword("of")?;
            self.next_keyword("text")?;
            TypeName::TextSet
        };
        let default = self.optional(
            |r| r.peek() == Some(b','),
            |r| {
                r.pos += 1;
                r.next_keyword("default")?;
                r.skip();
                r.literal()
            },
        )?;
        Some(Declaration::Attribute(AttributeDecl {
            name,
            label,
            value_type,
            default,
        }))
    }

    /// `party NAME "label" [receives for PURPOSES] [then …] [cite …]`.
    fn party(&mut self) -> Option<Declaration> {
        self.keyword("party")?;
        self.skip();
        let name = self.name()?;
        self.skip();
        let label = self.string()?.node;
        let receives = self.clause("receives", |r| {
            r.keyword("for")?;
            r.skip();
            r.name_list(Some("purpose"), false)
        })?;
        let (obligations, cites) = self.then_and_cite()?;
        Some(Declaration::Party(PartyDecl {
            name,
            label,
            receives,
            obligations,
            cites,
        }))
    }

    /// `revocation ID [for PURPOSES] [withdraws consent] [then …] [cite …]`.
    fn revocation(&mut self) -> Option<Declaration> {
        self.keyword("revocation")?;
        self.skip();
        let id = self.rule_id()?;
        let purposes = self.list_clause("for")?;
        let withdraws = self.optional(
            |r| r.at_keyword("withdraws"),
            |r| {
                let start = r.keyword("withdraws")?.start;
                let end = r.next_keyword("consent")?.end;
                Some(Span { start, end })
            },
        )?;
        let (obligations, cites) = self.then_and_cite()?;
        Some(Declaration::Revocation(RevocationDecl {
            id,
            purposes,
            withdraws,
            obligations,
            cites,
        }))
    }

    /// An optional `of …`, `about …`, `for …` or `to …`: the keyword and its list.
    fn list_clause(&mut self, keyword: &str) -> Option<Option<NameList>> {
        let (any_word, anyone) = match keyword {
            "of" => (Some("data"), false),
            "about" => (None, true),
            "for" => (Some("purpose"), false),
            _ => (Some("party"), true),
        };
        self.clause(keyword, |r| r.name_list(any_word, anyone))
    }

    /// `rule ID EFFECT …`.
    fn rule(&mut self) -> Option<Declaration> {
        self.keyword("rule")?;
        self.skip();
        let id = self.rule_id()?;
        self.skip();
        let effect_start = self.pos;
        let kind = if self.keyword("allow").is_some() {
            self.next_keyword("use")?;
            EffectKind::AllowUse
        } else {
            self.keyword("deny")?;
            self.skip();
            if self.keyword("use").is_some() {
                EffectKind::DenyUse
            } else {
                self.keyword("disclosure")?;
                EffectKind::DenyDisclosure
            }
        };
        self.next_keyword("of")?;
        self.skip();
        let categories = self.name_list(Some("data"), false)?;
        let effect = Spanned {
            node: kind,
            span: Span {
                start: effect_start,
                end: self.pos,
            },
        };
        let mut scope = Scope {
            categories: Some(categories),
            ..Scope::default()
        };
        scope.roles = self.list_clause("about")?;
        scope.purposes = self.list_clause("for")?;
        scope.parties = self.list_clause("to")?;
        let basis = self.clause("basis", Self::name)?;
        scope.condition = self.clause("when", Self::condition)?;
        let mut exceptions = Vec::new();
        self.repeated(
            |r| r.at_keyword("except"),
            |r| {
                exceptions.push(r.exception()?);
                Some(())
            },
        )?;
        let (obligations, cites) = self.then_and_cite()?;
        Some(Declaration::Rule(Box::new(RuleDecl {
            id,
            effect,
            scope,
            basis,
            exceptions,
            obligations,
            cites,
        })))
    }

    /// `except` and one or more of `of`, `about`, `for`, `to`, `when`, each at
    /// most once (saying one twice is an error pest's road reports).
    fn exception(&mut self) -> Option<Spanned<Scope>> {
        let start = self.keyword("except")?.start;
        let mut scope = Scope::default();
        let starts = |r: &Self| {
            ["of", "about", "for", "to", "when"]
                .iter()
                .any(|w| r.at_keyword(w))
        };
        let mut part = |r: &mut Self| -> Option<()> {
            if r.at_keyword("when") {
                if scope.condition.is_some() {
                    return None;
                }
                scope.condition = r.clause("when", Self::condition)?;
                return Some(());
            }
            let (keyword, slot) = if r.at_keyword("of") {
                ("of", &mut scope.categories)
            } else if r.at_keyword("about") {
                ("about", &mut scope.roles)
            } else if r.at_keyword("for") {
                ("for", &mut scope.purposes)
            } else {
                ("to", &mut scope.parties)
            };
            if slot.is_some() {
                return None;
            }
            *slot = r.list_clause(keyword)?;
            Some(())
        };
        self.skip();
        if !starts(self) {
            return None;
        }
        part(self)?;
        self.repeated(starts, part)?;
        Some(Spanned {
            node: scope,
            span: Span {
                start,
                end: self.pos,
            },
        })
    }

    /// A condition without brackets: tests and consent tests joined by `and` and
    /// `or`, each perhaps after `not`s. `not` binds tightest, then `and`, then
    /// `or`, each joining from the left, as lowering's Pratt parser does.
    fn condition(&mut self) -> Option<Spanned<Expr>> {
        let mut tokens = Vec::new();
        let mut operators = 0usize;
        loop {
            while let Some(op) = self.keyword("not") {
                tokens.push(Token::Not(op.start));
                operators += 1;
                self.skip();
            }
            tokens.push(Token::Primary(self.primary()?));
            // The space after the first primary belongs to the condition; after
            // a later one, only to the `and` or `or` that follows it.
            let before = self.pos;
            self.skip();
            if self.keyword("and").is_some() {
                tokens.push(Token::And);
            } else if self.keyword("or").is_some() {
                tokens.push(Token::Or);
            } else {
                if tokens.iter().any(|t| matches!(t, Token::And | Token::Or)) {
                    self.pos = before;
                }
                break;
            }
            operators += 1;
            self.skip();
        }
        if operators > MAX_OPERATORS {
            return None;
        }
        let mut tokens = tokens.into_iter().peekable();
        let expr = or_of(&mut tokens)?;
        tokens.next().is_none().then_some(expr)
    }

    /// A test of an attribute, or a consent test (brackets are left to pest).
    fn primary(&mut self) -> Option<Spanned<Expr>> {
        let start = self.pos;
        if self.at_keyword("no") || self.at_keyword("consent") {
            let present = self.keyword("no").is_none();
            if !present {
                self.skip();
            }
            self.keyword("consent")?;
            self.next_keyword("to")?;
            self.skip();
            let purpose = self.name()?;
            return Some(Spanned {
                node: Expr::Consent { purpose, present },
                span: Span {
                    start,
                    end: self.pos,
                },
            });
        }
        let attribute = self.name()?;
        let starts_check = |r: &Self| {
            matches!(r.peek(), Some(b'<' | b'>' | b'!' | b'='))
                || r.at_keyword("in")
                || r.at_keyword("contains")
        };
        let check = self.optional(starts_check, Self::check)?;
        Some(Spanned {
            node: Expr::Test { attribute, check },
            span: Span {
                start,
                end: self.pos,
            },
        })
    }

    /// `= VALUE` (or another comparison), `in [VALUES]` or `contains VALUE`.
    fn check(&mut self) -> Option<Check> {
        if self.keyword("contains").is_some() {
            self.skip();
            return Some(Check::Contains(self.literal()?));
        }
        if self.keyword("in").is_some() {
            self.skip();
            if self.peek()? != b'[' {
                return None;
            }
            self.pos += 1;
            self.skip();
            let values = self.comma_list(Self::literal)?;
            self.skip();
            if self.peek()? != b']' {
                return None;
            }
            self.pos += 1;
            return Some(Check::OneOf(values));
        }
        let rest = self.bytes.get(self.pos..)?;
        let (op, length) = match rest {
            [b'<', b'=', ..] => (Comparison::LessOrEqual, 2),
            [b'>', b'=', ..] => (Comparison::GreaterOrEqual, 2),
            [b'!', b'=', ..] => (Comparison::NotEqual, 2),
            [b'=', ..] => (Comparison::Equal, 1),
            [b'<', ..] => (Comparison::Less, 1),
            [b'>', ..] => (Comparison::Greater, 1),
            _ => return None,
        };
        self.pos += length;
        self.skip();
        Some(Check::Compare(op, self.literal()?))
    }
}

type Tokens = std::iter::Peekable<std::vec::IntoIter<Token>>;

/// Operands joined by `or`, from the left.
fn or_of(tokens: &mut Tokens) -> Option<Spanned<Expr>> {
    let mut lhs = and_of(tokens)?;
    while matches!(tokens.peek(), Some(Token::Or)) {
        tokens.next();
        let rhs = and_of(tokens)?;
        lhs = joined(lhs, rhs, Expr::Or);
    }
    Some(lhs)
}

/// Operands joined by `and`, from the left.
fn and_of(tokens: &mut Tokens) -> Option<Spanned<Expr>> {
    let mut lhs = negated(tokens)?;
    while matches!(tokens.peek(), Some(Token::And)) {
        tokens.next();
        let rhs = negated(tokens)?;
        lhs = joined(lhs, rhs, Expr::And);
    }
    Some(lhs)
}

/// A primary after any number of `not`s.
fn negated(tokens: &mut Tokens) -> Option<Spanned<Expr>> {
    match tokens.next()? {
        Token::Primary(p) => Some(p),
        Token::Not(start) => {
            let operand = negated(tokens)?;
            Some(Spanned {
                span: Span {
                    start,
                    end: operand.span.end,
                },
                node: Expr::Not(Box::new(operand.node)),
            })
        }
        Token::And | Token::Or => None,
    }
}

fn joined(
    lhs: Spanned<Expr>,
    rhs: Spanned<Expr>,
    join: fn(Box<Expr>, Box<Expr>) -> Expr,
) -> Spanned<Expr> {
    Spanned {
        span: Span {
            start: lhs.span.start,
            end: rhs.span.end,
        },
        node: join(Box::new(lhs.node), Box::new(rhs.node)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each text agrees with pest, and the quick reader vouches for `vouched` of
    /// its declarations; the same after a header, as a whole file.
    fn check(cases: &[(&str, usize)]) {
        for (text, vouched) in cases {
            assert_eq!(agrees_with_pest(text).as_ref(), Ok(vouched), "{text}");
            let file = format!("policy \"P\" version 2026-01-01\n{text}");
            assert_eq!(agrees_with_pest(&file).as_ref(), Ok(vouched), "{file}");
        }
    }

    #[test]
    fn lists_end_where_pest_ends_them() {
        check(&[
            ("rule r allow use of a for p", 1),
            ("rule r allow use of a  # note\n  for p, q  cite \"S\"", 1),
            (
                "rule r allow use of a, b ,c\n\n for any purpose to anyone",
                1,
            ),
            ("rule r deny disclosure of any data to any party", 1),
            ("rule r deny use of any  data about anyone basis consent", 1),
            (
                "rule r allow use of a about x, y for p then n within 30 days, m cite \"A\", \"B\"",
                1,
            ),
            (
                "party v \"V\" receives for p, q then n cite \"S\"\nparty w \"W\"",
                2,
            ),
            ("party v \"V\" receives for any purpose", 1),
            (
                "revocation stop for p withdraws  consent then n\nrevocation out",
                2,
            ),
            (
                "category c \"C\" fides \"user.x\"\nrole r \"R\"\npurpose p \"P\"\nobligation o \"O\"",
                4,
            ),
            (
                "attribute a \"A\" is yes/no, default no\nattribute b \"B\" is set of text",
                2,
            ),
            (
                "attribute n \"N\" is number , default -1.5\nattribute t \"T\" is text,default \"x\"",
                2,
            ),
        ]);
    }

    #[test]
    fn exceptions_and_conditions_keep_their_spans() {
        check(&[
            ("rule r deny use of a except for p", 1),
            (
                "rule r deny use of a except for p, q about x except to v when y",
                1,
            ),
            (
                "rule r deny use of a when x and y or not z except when not not w cite \"S\"",
                1,
            ),
            (
                "rule r deny use of a when x = 3 or y != \"EU\" and z in [\"a\", \"b\"]",
                1,
            ),
            (
                "rule r deny use of a when x contains \"k\" and no consent to p",
                1,
            ),
            (
                "rule r deny use of a when consent to p # why\n  except when age >= 16",
                1,
            ),
            ("rule r deny use of a when x<=1 or y>2 or z<3 or w>=4", 1),
        ]);
    }

    #[test]
    fn names_near_words_of_the_language_read_as_pest_reads_them() {
        check(&[
            (
                "role anyx \"A\"\nrole and_y \"A\"\nrole withdraws \"W\"\nrole nothing \"N\"",
                4,
            ),
            (
                "role note \"A\"\nrole format \"F\"\nrole a.b_c.d9 \"D\"\nrole tx \"T\"",
                4,
            ),
            // Words of the language, and names pest ends early, are left to pest.
            ("role for \"F\"", 0),
            ("role for.x \"F\"", 0),
            ("role data.x \"F\"", 0),
            ("role a.B \"F\"", 0),
            ("rule r allow use of any for p", 0),
            ("rule r allow use of a about any data", 0),
        ]);
    }

    #[test]
    fn what_the_reader_leaves_to_pest_still_agrees() {
        check(&[
            // Escapes, brackets, children, a clause said twice, a number too large.
            ("category c \"say \\\"hi\\\"\"\nrole r \"R\"", 1),
            ("rule r deny use of a when (x or y) and z\nrole r \"R\"", 1),
            ("children under 13 about u unless g then n\nrole r \"R\"", 1),
            ("rule r deny use of a except for p for q\nrole r \"R\"", 1),
            (
                "rule r allow use of a then n within 99999999999 days\nrole r \"R\"",
                1,
            ),
            ("rule r deny use of a when consent = yes\nrole r \"R\"", 1),
        ]);
    }

    #[test]
    fn every_rule_file_in_the_repository_agrees() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in ["rules/filestack", "examples", "rules"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = path.to_string_lossy().into_owned();
                if name.ends_with(".lawful") && !name.ends_with(".test.lawful") {
                    files.push(path);
                }
            }
        }
        assert!(files.len() >= 4, "{files:?}");
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let vouched = agrees_with_pest(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            assert!(vouched > 0 || text.is_empty(), "{path:?}");
        }
    }
}
