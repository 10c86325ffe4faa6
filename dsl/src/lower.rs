//! Lowering: pest pairs → the typed, spanned AST. One function per grammar rule.
//!
//! The grammar guarantees each pair's shape; where a part the grammar requires is
//! missing anyway, lowering reports an internal error (`L000`) instead of panicking.

use std::sync::LazyLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use crate::ast::*;
use crate::diagnostic::{Diagnostic, Diagnostics, Source};
use crate::parser::{self, Rule};
use crate::{quick, split};

/// The most `and`, `or` and `not` words one condition may hold.
pub const MAX_OPERATORS: usize = 64;

type Lowered<T> = Result<T, Diagnostic>;

/// The text between the quotes of quoted text, with `\"` and `\\` unescaped.
pub(crate) fn unescape(raw: &str) -> String {
    if raw.contains('\\') {
        raw.replace("\\\"", "\"").replace("\\\\", "\\")
    } else {
        raw.to_owned()
    }
}

pub(crate) static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
});

pub(crate) fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::k_about
            | Rule::k_aged
            | Rule::k_allow
            | Rule::k_allowed
            | Rule::k_any
            | Rule::k_anyone
            | Rule::k_at
            | Rule::k_attribute
            | Rule::k_basis
            | Rule::k_by
            | Rule::k_category
            | Rule::k_children
            | Rule::k_cite
            | Rule::k_collected
            | Rule::k_consent
            | Rule::k_consented
            | Rule::k_contains
            | Rule::k_data
            | Rule::k_days
            | Rule::k_default
            | Rule::k_denied
            | Rule::k_deny
            | Rule::k_disclose
            | Rule::k_disclosure
            | Rule::k_effective
            | Rule::k_error
            | Rule::k_except
            | Rule::k_expect
            | Rule::k_fides
            | Rule::k_for
            | Rule::k_in
            | Rule::k_is
            | Rule::k_no
            | Rule::k_nothing
            | Rule::k_number
            | Rule::k_obligation
            | Rule::k_of
            | Rule::k_party
            | Rule::k_policy
            | Rule::k_purpose
            | Rule::k_receives
            | Rule::k_revocation
            | Rule::k_revoked
            | Rule::k_role
            | Rule::k_rule
            | Rule::k_set
            | Rule::k_subject
            | Rule::k_test
            | Rule::k_text
            | Rule::k_then
            | Rule::k_to
            | Rule::k_under
            | Rule::k_unless
            | Rule::k_use
            | Rule::k_version
            | Rule::k_when
            | Rule::k_with
            | Rule::k_within
            | Rule::k_withdraws
            | Rule::k_yes
    )
}

/// The pairs inside `pair` that carry meaning (keywords dropped).
fn parts<'i>(pair: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pair.into_inner().filter(|p| !is_keyword(p.as_rule()))
}

/// Lowers pairs parsed from the source starting at byte `offset` (the loader
/// parses a file a few declarations at a time).
struct Lowerer<'s> {
    source: &'s Source,
    offset: usize,
}

impl<'s> Lowerer<'s> {
    /// Where a pair is in the source.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span {
            start: self.offset + s.start(),
            end: self.offset + s.end(),
        }
    }

    fn internal(&self, at: Span, what: &str) -> Diagnostic {
        self.source.at(
            at,
            Diagnostic::error(
                "L000",
                format!("internal error: the parser gave an unexpected shape for {what}"),
            )
            .with_help("please report this file to the lawful maintainers"),
        )
    }

    fn next<'i>(
        &self,
        items: &mut impl Iterator<Item = Pair<'i, Rule>>,
        at: Span,
        what: &str,
    ) -> Lowered<Pair<'i, Rule>> {
        items.next().ok_or_else(|| self.internal(at, what))
    }

    fn name(&self, pair: &Pair<'_, Rule>) -> Name {
        Spanned {
            node: pair.as_str().to_owned(),
            span: self.span(pair),
        }
    }

    fn string(&self, pair: Pair<'_, Rule>) -> Lowered<Spanned<String>> {
        let at = self.span(&pair);
        let inner = pair
            .into_inner()
            .next()
            .ok_or_else(|| self.internal(at, "text"))?;
        Ok(Spanned {
            node: unescape(inner.as_str()),
            span: at,
        })
    }

    fn integer(&self, pair: &Pair<'_, Rule>) -> Lowered<u32> {
        pair.as_str().parse::<u32>().map_err(|_| {
            self.source.at(
                self.span(pair),
                Diagnostic::error(
                    "L004",
                    format!("`{}` is too large a number here", pair.as_str()),
                ),
            )
        })
    }

    fn name_list(&self, pair: Pair<'_, Rule>) -> Lowered<NameList> {
        let at = self.span(&pair);
        let inner = parts(pair)
            .next()
            .ok_or_else(|| self.internal(at, "a list"))?;
        Ok(match inner.as_rule() {
            Rule::name_list => NameList::Names(parts(inner).map(|n| self.name(&n)).collect()),
            _ => NameList::Any(self.span(&inner)),
        })
    }

    fn header(&self, pair: Pair<'_, Rule>) -> Lowered<Header> {
        let at = self.span(&pair);
        let mut items = parts(pair);
        let title = self.string(self.next(&mut items, at, "the title")?)?.node;
        let version_pair = self.next(&mut items, at, "the version")?;
        let version = self.version_name(version_pair)?;
        let effective = items.next().map(|p| self.name(&p));
        Ok(Header {
            title,
            version,
            effective,
        })
    }

    fn version_name(&self, pair: Pair<'_, Rule>) -> Lowered<Name> {
        let at = self.span(&pair);
        let inner = parts(pair)
            .next()
            .ok_or_else(|| self.internal(at, "a version"))?;
        match inner.as_rule() {
            Rule::string => self.string(inner),
            _ => Ok(self.name(&inner)),
        }
    }

    fn literal(&self, pair: Pair<'_, Rule>) -> Lowered<Spanned<Literal>> {
        let at = self.span(&pair);
        let inner = pair
            .into_inner()
            .next()
            .ok_or_else(|| self.internal(at, "a value"))?;
        let node = match inner.as_rule() {
            Rule::k_yes => Literal::YesNo(true),
            Rule::k_no => Literal::YesNo(false),
            Rule::number => {
                let n: f64 = inner
                    .as_str()
                    .parse()
                    .map_err(|_| self.internal(at, "a number"))?;
                if !n.is_finite() {
                    return Err(self
                        .source
                        .at(at, Diagnostic::error("L004", "this number is too large")));
                }
                Literal::Number(n)
            }
            _ => Literal::Text(self.string(inner)?.node),
        };
        Ok(Spanned { node, span: at })
    }

    fn obligations(&self, pair: Pair<'_, Rule>) -> Lowered<Vec<ObligationItem>> {
        parts(pair)
            .map(|item| {
                let at = self.span(&item);
                let mut inner = parts(item);
                let name = self.name(&self.next(&mut inner, at, "an obligation")?);
                let within_days = inner.next().map(|n| self.integer(&n)).transpose()?;
                Ok(ObligationItem { name, within_days })
            })
            .collect()
    }

    fn cites(&self, pair: Pair<'_, Rule>) -> Lowered<Vec<Spanned<String>>> {
        parts(pair).map(|s| self.string(s)).collect()
    }

    fn declaration(&self, pair: Pair<'_, Rule>) -> Lowered<Declaration> {
        let at = self.span(&pair);
        let rule = pair.as_rule();
        match rule {
            Rule::role_decl | Rule::category_decl | Rule::purpose_decl | Rule::obligation_decl => {
                let mut items = parts(pair);
                let name = self.name(&self.next(&mut items, at, "a name")?);
                let label = self.string(self.next(&mut items, at, "a label")?)?.node;
                let fides = match items.next() {
                    Some(clause) => {
                        let clause_at = self.span(&clause);
                        let key = parts(clause)
                            .next()
                            .ok_or_else(|| self.internal(clause_at, "a Fides key"))?;
                        Some(self.string(key)?)
                    }
                    None => None,
                };
                let decl = NameDecl { name, label, fides };
                Ok(match rule {
                    Rule::role_decl => Declaration::Role(decl),
                    Rule::category_decl => Declaration::Category(decl),
                    Rule::purpose_decl => Declaration::Purpose(decl),
                    _ => Declaration::Obligation(decl),
                })
            }
            Rule::attribute_decl => {
                let mut items = parts(pair);
                let name = self.name(&self.next(&mut items, at, "a name")?);
                let label = self.string(self.next(&mut items, at, "a label")?)?.node;
                let type_pair = self.next(&mut items, at, "a type")?;
                let type_at = self.span(&type_pair);
                let value_type = match type_pair.into_inner().next().map(|p| p.as_rule()) {
                    Some(Rule::yes_no_type) => TypeName::YesNo,
                    Some(Rule::k_number) => TypeName::Number,
                    Some(Rule::k_text) => TypeName::Text,
                    Some(Rule::set_type) => TypeName::TextSet,
                    _ => return Err(self.internal(type_at, "a type")),
                };
                let default = items.next().map(|p| self.literal(p)).transpose()?;
                Ok(Declaration::Attribute(AttributeDecl {
                    name,
                    label,
                    value_type,
                    default,
                }))
            }
            Rule::party_decl => {
                let mut items = parts(pair);
                let name = self.name(&self.next(&mut items, at, "a name")?);
                let label = self.string(self.next(&mut items, at, "a label")?)?.node;
                let mut party = PartyDecl {
                    name,
                    label,
                    receives: None,
                    obligations: Vec::new(),
                    cites: Vec::new(),
                };
                for item in items {
                    match item.as_rule() {
                        Rule::receives_clause => {
                            let item_at = self.span(&item);
                            let list = parts(item)
                                .next()
                                .ok_or_else(|| self.internal(item_at, "purposes"))?;
                            party.receives = Some(self.name_list(list)?);
                        }
                        Rule::then_clause => party.obligations = self.obligations(item)?,
                        Rule::cite_clause => party.cites = self.cites(item)?,
                        _ => return Err(self.internal(self.span(&item), "a party")),
                    }
                }
                Ok(Declaration::Party(party))
            }
            Rule::rule_decl => self.rule(pair).map(|r| Declaration::Rule(Box::new(r))),
            Rule::revocation_decl => {
                let mut items = parts(pair);
                let id = self.name(&self.next(&mut items, at, "an id")?);
                let mut decl = RevocationDecl {
                    id,
                    purposes: None,
                    withdraws: None,
                    obligations: Vec::new(),
                    cites: Vec::new(),
                };
                for item in items {
                    match item.as_rule() {
                        Rule::for_clause => decl.purposes = Some(self.clause_list(item)?),
                        Rule::withdraws_clause => decl.withdraws = Some(self.span(&item)),
                        Rule::then_clause => decl.obligations = self.obligations(item)?,
                        Rule::cite_clause => decl.cites = self.cites(item)?,
                        _ => return Err(self.internal(self.span(&item), "a revocation")),
                    }
                }
                Ok(Declaration::Revocation(decl))
            }
            Rule::children_decl => {
                let mut items = parts(pair);
                let under_pair = self.next(&mut items, at, "an age")?;
                let under = Spanned {
                    node: self.integer(&under_pair)?,
                    span: self.span(&under_pair),
                };
                let mut decl = ChildrenDecl {
                    under,
                    roles: None,
                    unless: None,
                    obligations: Vec::new(),
                    cites: Vec::new(),
                    span: at,
                };
                for item in items {
                    match item.as_rule() {
                        Rule::about_clause => decl.roles = Some(self.clause_list(item)?),
                        Rule::unless_clause => {
                            let item_at = self.span(&item);
                            let condition = parts(item)
                                .next()
                                .ok_or_else(|| self.internal(item_at, "a condition"))?;
                            decl.unless = Some(self.condition(condition)?);
                        }
                        Rule::then_clause => decl.obligations = self.obligations(item)?,
                        Rule::cite_clause => decl.cites = self.cites(item)?,
                        _ => return Err(self.internal(self.span(&item), "the children rule")),
                    }
                }
                Ok(Declaration::Children(Box::new(decl)))
            }
            _ => Err(self.internal(at, "a declaration")),
        }
    }

    /// The list inside `about …`, `for …`, `to …` or `of …`.
    fn clause_list(&self, pair: Pair<'_, Rule>) -> Lowered<NameList> {
        let at = self.span(&pair);
        let list = parts(pair)
            .next()
            .ok_or_else(|| self.internal(at, "a list"))?;
        self.name_list(list)
    }

    /// Fills a scope from one clause; false when the clause is not a scope clause.
    fn scope_clause(&self, scope: &mut Scope, item: Pair<'_, Rule>) -> Lowered<bool> {
        let at = self.span(&item);
        let (word, taken) = match item.as_rule() {
            Rule::of_clause => ("of", scope.categories.is_some()),
            Rule::about_clause => ("about", scope.roles.is_some()),
            Rule::for_clause => ("for", scope.purposes.is_some()),
            Rule::to_clause => ("to", scope.parties.is_some()),
            Rule::when_clause => ("when", scope.condition.is_some()),
            _ => return Ok(false),
        };
        if taken {
            let help = if word == "when" {
                "join the conditions with `and` (or `or`) in one `when`".to_owned()
            } else {
                format!("list every name after one `{word}`, separated by commas")
            };
            return Err(self.source.at(
                at,
                Diagnostic::error("L015", format!("this exception says `{word}` twice"))
                    .with_help(help),
            ));
        }
        match item.as_rule() {
            Rule::of_clause => scope.categories = Some(self.clause_list(item)?),
            Rule::about_clause => scope.roles = Some(self.clause_list(item)?),
            Rule::for_clause => scope.purposes = Some(self.clause_list(item)?),
            Rule::to_clause => scope.parties = Some(self.clause_list(item)?),
            _ => {
                let condition = parts(item)
                    .next()
                    .ok_or_else(|| self.internal(at, "a condition"))?;
                scope.condition = Some(self.condition(condition)?);
            }
        }
        Ok(true)
    }

    fn rule(&self, pair: Pair<'_, Rule>) -> Lowered<RuleDecl> {
        let at = self.span(&pair);
        let mut items = parts(pair);
        let id = self.name(&self.next(&mut items, at, "a rule id")?);
        let effect_pair = self.next(&mut items, at, "allow or deny")?;
        let effect_at = self.span(&effect_pair);
        let inner = parts(effect_pair)
            .next()
            .ok_or_else(|| self.internal(effect_at, "allow or deny"))?;
        let kind = match inner.as_rule() {
            Rule::allow_use => EffectKind::AllowUse,
            Rule::deny_use => EffectKind::DenyUse,
            _ => EffectKind::DenyDisclosure,
        };
        let categories = self.clause_list(inner)?;
        let mut rule = RuleDecl {
            id,
            effect: Spanned {
                node: kind,
                span: effect_at,
            },
            scope: Scope {
                categories: Some(categories),
                ..Scope::default()
            },
            basis: None,
            exceptions: Vec::new(),
            obligations: Vec::new(),
            cites: Vec::new(),
        };
        for item in items {
            let item_at = self.span(&item);
            match item.as_rule() {
                Rule::basis_clause => {
                    let name = parts(item)
                        .next()
                        .ok_or_else(|| self.internal(item_at, "a basis"))?;
                    rule.basis = Some(self.name(&name));
                }
                Rule::except_clause => {
                    let mut scope = Scope::default();
                    for part in parts(item) {
                        let part_at = self.span(&part);
                        if !self.scope_clause(&mut scope, part)? {
                            return Err(self.internal(part_at, "an exception"));
                        }
                    }
                    rule.exceptions.push(Spanned {
                        node: scope,
                        span: item_at,
                    });
                }
                Rule::then_clause => rule.obligations = self.obligations(item)?,
                Rule::cite_clause => rule.cites = self.cites(item)?,
                _ => {
                    if !self.scope_clause(&mut rule.scope, item)? {
                        return Err(self.internal(item_at, "a rule"));
                    }
                }
            }
        }
        Ok(rule)
    }

    fn condition(&self, pair: Pair<'_, Rule>) -> Lowered<Spanned<Expr>> {
        let at = self.span(&pair);
        // Counted before the tree is built: a condition of thousands of `not`s must be
        // refused before lowering recurses into it. pest's pairs are a flat queue, so
        // this is one linear scan of the condition's tokens.
        let operators = pair
            .clone()
            .into_inner()
            .flatten()
            .filter(|p| matches!(p.as_rule(), Rule::op_and | Rule::op_or | Rule::op_not))
            .count();
        if operators > MAX_OPERATORS {
            return Err(self.source.at(
                at,
                Diagnostic::error("L003", format!("this condition has {operators} `and`, `or` and `not` words; the most is {MAX_OPERATORS}"))
                    .with_help("split it into several rules, or list texts with `in [...]`"),
            ));
        }
        self.pratt(pair.into_inner())
    }

    fn pratt(&self, pairs: Pairs<'_, Rule>) -> Lowered<Spanned<Expr>> {
        PRATT
            .map_primary(|primary| match primary.as_rule() {
                Rule::condition => self.pratt(primary.into_inner()),
                Rule::consent_test => self.consent_test(primary),
                _ => self.test(primary),
            })
            .map_prefix(|op, operand| {
                let operand = operand?;
                let span = Span {
                    start: self.span(&op).start,
                    end: operand.span.end,
                };
                Ok(Spanned {
                    node: Expr::Not(Box::new(operand.node)),
                    span,
                })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let span = Span {
                    start: lhs.span.start,
                    end: rhs.span.end,
                };
                let node = match op.as_rule() {
                    Rule::op_and => Expr::And(Box::new(lhs.node), Box::new(rhs.node)),
                    _ => Expr::Or(Box::new(lhs.node), Box::new(rhs.node)),
                };
                Ok(Spanned { node, span })
            })
            .parse(pairs)
    }

    fn consent_test(&self, pair: Pair<'_, Rule>) -> Lowered<Spanned<Expr>> {
        let at = self.span(&pair);
        let mut present = true;
        let mut purpose = None;
        // `no` is a keyword `parts` would drop, so read every pair.
        for item in pair.into_inner() {
            match item.as_rule() {
                Rule::k_no => present = false,
                Rule::name => purpose = Some(self.name(&item)),
                _ => {}
            }
        }
        let purpose = purpose.ok_or_else(|| self.internal(at, "a purpose"))?;
        Ok(Spanned {
            node: Expr::Consent { purpose, present },
            span: at,
        })
    }

    fn test(&self, pair: Pair<'_, Rule>) -> Lowered<Spanned<Expr>> {
        let at = self.span(&pair);
        let mut items = parts(pair);
        let attribute = self.name(&self.next(&mut items, at, "an attribute")?);
        let check = match items.next() {
            None => None,
            Some(check) => {
                let check_at = self.span(&check);
                Some(match check.as_rule() {
                    Rule::comparison => {
                        let mut inner = parts(check);
                        let op = self.next(&mut inner, check_at, "a comparison")?;
                        let op = match op.as_str() {
                            "=" => Comparison::Equal,
                            "!=" => Comparison::NotEqual,
                            "<" => Comparison::Less,
                            "<=" => Comparison::LessOrEqual,
                            ">" => Comparison::Greater,
                            _ => Comparison::GreaterOrEqual,
                        };
                        Check::Compare(
                            op,
                            self.literal(self.next(&mut inner, check_at, "a value")?)?,
                        )
                    }
                    Rule::one_of => Check::OneOf(
                        parts(check)
                            .map(|l| self.literal(l))
                            .collect::<Lowered<_>>()?,
                    ),
                    _ => Check::Contains(self.literal(self.next(
                        &mut parts(check),
                        check_at,
                        "a value",
                    )?)?),
                })
            }
        };
        Ok(Spanned {
            node: Expr::Test { attribute, check },
            span: at,
        })
    }

    fn test_case(&self, pair: Pair<'_, Rule>) -> Lowered<TestCase> {
        let at = self.span(&pair);
        let mut items = parts(pair);
        let name = self.string(self.next(&mut items, at, "a test name")?)?.node;
        let subject = self.next(&mut items, at, "the subject")?;
        let mut subject_items = parts(subject);
        let role = self.name(&self.next(&mut subject_items, at, "a role")?);
        let mut age = None;
        let mut attributes = Vec::new();
        for item in subject_items {
            match item.as_rule() {
                Rule::integer => age = Some(self.integer(&item)?),
                _ => {
                    let item_at = self.span(&item);
                    let mut inner = parts(item);
                    let attribute = self.name(&self.next(&mut inner, item_at, "an attribute")?);
                    let value = match inner.next() {
                        None => TestValue::Literal(Literal::YesNo(true)),
                        Some(v) if v.as_rule() == Rule::text_list => TestValue::Texts(
                            parts(v)
                                .map(|s| self.string(s).map(|s| s.node))
                                .collect::<Lowered<_>>()?,
                        ),
                        Some(v) => TestValue::Literal(self.literal(v)?.node),
                    };
                    attributes.push((attribute, value));
                }
            }
        }
        let mut case = TestCase {
            name,
            span: at,
            role,
            age,
            attributes,
            consents: Vec::new(),
            revocations: Vec::new(),
            disclose: false,
            data: Vec::new(),
            party: None,
            purpose: Spanned {
                node: String::new(),
                span: at,
            },
            at: None,
            collected: None,
            expect: Expectation::Error,
        };
        for item in items {
            let item_at = self.span(&item);
            match item.as_rule() {
                Rule::consent_line | Rule::revoked_line => {
                    let is_consent = item.as_rule() == Rule::consent_line;
                    let mut inner = parts(item);
                    let purpose = self.name(&self.next(&mut inner, item_at, "a purpose")?);
                    let when = self.name(&self.next(&mut inner, item_at, "a time")?);
                    if is_consent {
                        &mut case.consents
                    } else {
                        &mut case.revocations
                    }
                    .push((purpose, when));
                }
                Rule::request_line => {
                    let mut keyword = None;
                    for p in item.into_inner() {
                        match p.as_rule() {
                            Rule::use_request | Rule::disclose_request => {
                                case.disclose = p.as_rule() == Rule::disclose_request;
                                let mut request_items = parts(p);
                                let data = self.next(&mut request_items, item_at, "data")?;
                                case.data = parts(data).map(|n| self.name(&n)).collect();
                                if case.disclose {
                                    case.party = Some(self.name(&self.next(
                                        &mut request_items,
                                        item_at,
                                        "a party",
                                    )?));
                                }
                                case.purpose = self.name(&self.next(
                                    &mut request_items,
                                    item_at,
                                    "a purpose",
                                )?);
                            }
                            Rule::k_at | Rule::k_collected => keyword = Some(p.as_rule()),
                            Rule::instant if keyword == Some(Rule::k_collected) => {
                                case.collected = Some(self.name(&p))
                            }
                            Rule::instant => case.at = Some(self.name(&p)),
                            _ => {}
                        }
                    }
                }
                Rule::expect_clause => case.expect = self.expectation(item)?,
                _ => return Err(self.internal(item_at, "a test")),
            }
        }
        Ok(case)
    }

    fn expectation(&self, pair: Pair<'_, Rule>) -> Lowered<Expectation> {
        let at = self.span(&pair);
        let inner = parts(pair)
            .next()
            .ok_or_else(|| self.internal(at, "an expectation"))?;
        let kind = inner.as_rule();
        let mut by: Option<Option<Name>> = None;
        let mut basis = None;
        let mut details = ExpectDetails::default();
        for item in inner.into_inner() {
            match item.as_rule() {
                Rule::k_nothing => by = Some(None),
                Rule::rule_id => by = Some(Some(self.name(&item))),
                Rule::name => basis = Some(self.name(&item)),
                Rule::expect_details => {
                    for d in parts(item) {
                        match d.as_rule() {
                            Rule::version_name => details.version = Some(self.version_name(d)?),
                            _ => details.obligations.push(self.name(&d)),
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(match kind {
            Rule::expect_allowed => Expectation::Allowed {
                by: by.flatten(),
                basis,
                details,
            },
            Rule::expect_denied => Expectation::Denied { by, details },
            _ => Expectation::Error,
        })
    }
}

/// Parses and lowers a policy file up to 16 declarations at a time: pest's pairs
/// for them are dropped before the next are read, so a large file never has its
/// whole parse tree in memory. A large file is read in parts on several
/// threads ([`crate::split`]). Lowering problems go to `diagnostics`. On a syntax
/// error the whole file is parsed again in one go, for the error the one-go parse
/// gives (what the file lacks where it stops).
pub(crate) fn policy_file(source: &Source, diagnostics: &mut Diagnostics) -> Option<PolicyFile> {
    if let Err(d) = parser::check_limits(source) {
        diagnostics.push(d);
        return None;
    }
    let text = source.text.as_str();
    let at = parser::skip_trivia(text, 0);
    let Some((header_pair, end)) = parser::parse_at(source, Rule::header, at) else {
        return whole_policy_file(source, diagnostics);
    };
    let header = match (Lowerer { source, offset: at }).header(header_pair) {
        Ok(h) => h,
        Err(e) => {
            diagnostics.push(e);
            return None;
        }
    };
    let ranges = split::ranges(text, parser::skip_trivia(text, end));
    let parts = split::each(&ranges, |from, to| declarations(source, from, to));
    let mut declarations = Vec::new();
    let mut file_problems = Diagnostics::new();
    for part in parts {
        let Some((mut part, problems)) = part else {
            return whole_policy_file(source, diagnostics);
        };
        declarations.append(&mut part);
        file_problems.absorb(problems);
    }
    if file_problems.is_empty() {
        return Some(PolicyFile {
            header,
            declarations,
        });
    }
    diagnostics.absorb(file_problems);
    None
}

/// The declarations written from byte `from` (where one starts) up to byte `to`,
/// read one at a time, with the problems lowering them found. `None` on a syntax
/// error, or when the last declaration does not end where `to` says the next
/// begins.
fn declarations(
    source: &Source,
    from: usize,
    to: usize,
) -> Option<(Vec<Declaration>, Diagnostics)> {
    let text = source.text.as_str();
    let mut problems = Diagnostics::new();
    let mut declarations = Vec::new();
    let mut at = from;
    while at < to {
        // The common shapes without pest; pest for the rest, and for every error.
        if let Some((declaration, end)) = quick::declaration(text, at) {
            declarations.push(declaration);
            at = parser::skip_trivia(text, end);
            continue;
        }
        let (pair, _) = parser::parse_at(source, Rule::some_declarations, at)?;
        let lowerer = Lowerer { source, offset: at };
        let mut end = at;
        for declaration in pair.into_inner() {
            let span = lowerer.span(&declaration);
            // The last few may belong to the next part: its own job reads them.
            if span.start >= to {
                break;
            }
            end = span.end;
            match lowerer.declaration(declaration) {
                Ok(d) => declarations.push(d),
                Err(e) => problems.push(e),
            }
        }
        if end == at {
            return None;
        }
        at = parser::skip_trivia(text, end);
    }
    (at == to).then_some((declarations, problems))
}

/// pest's reading of the declaration at byte `at`: its lowering, and the byte
/// where its pair ends (what [`quick`] is held to).
pub(crate) fn pest_declaration(
    source: &Source,
    at: usize,
) -> Option<(Lowered<Declaration>, usize)> {
    let (pair, _) = parser::parse_at(source, Rule::some_declarations, at)?;
    let lowerer = Lowerer { source, offset: at };
    let first = pair.into_inner().next()?;
    let end = lowerer.span(&first).end;
    Some((lowerer.declaration(first), end))
}

/// The whole policy file parsed by pest and lowered, without the quick reader.
pub(crate) fn pest_policy_file(source: &Source) -> Result<PolicyFile, Vec<Diagnostic>> {
    parser::parse(source, Rule::policy_file)
        .map_err(|e| vec![e])
        .and_then(|pair| policy_pair(source, pair))
}

/// The header at byte `at`, read by pest, and the byte where it ends.
pub(crate) fn pest_header(source: &Source, at: usize) -> Option<usize> {
    parser::parse_at(source, Rule::header, at).map(|(_, end)| end)
}

/// The whole file parsed in one go: its syntax error, or (should the file parse
/// this way after all) its lowering.
fn whole_policy_file(source: &Source, diagnostics: &mut Diagnostics) -> Option<PolicyFile> {
    let lowered = parser::parse(source, Rule::policy_file)
        .map_err(|e| vec![e])
        .and_then(|pair| policy_pair(source, pair));
    match lowered {
        Ok(file) => Some(file),
        Err(problems) => {
            diagnostics.extend(problems);
            None
        }
    }
}

/// Lowers a policy file parsed whole (`lawful fmt` checks its output so).
pub(crate) fn policy_pair(
    source: &Source,
    pair: Pair<'_, Rule>,
) -> Result<PolicyFile, Vec<Diagnostic>> {
    let lowerer = Lowerer { source, offset: 0 };
    let at = lowerer.span(&pair);
    let mut items = pair.into_inner().filter(|p| p.as_rule() != Rule::EOI);
    let header = items
        .next()
        .ok_or_else(|| vec![lowerer.internal(at, "the header")])
        .and_then(|h| lowerer.header(h).map_err(|e| vec![e]))?;
    let mut declarations = Vec::new();
    let mut errors = Vec::new();
    for item in items {
        match lowerer.declaration(item) {
            Ok(d) => declarations.push(d),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(PolicyFile {
            header,
            declarations,
        })
    } else {
        Err(errors)
    }
}

/// Parses and lowers a test file one case at a time (see [`policy_file`]).
pub(crate) fn test_file(source: &Source, diagnostics: &mut Diagnostics) -> Option<TestFile> {
    if let Err(d) = parser::check_limits(source) {
        diagnostics.push(d);
        return None;
    }
    let text = source.text.as_str();
    let mut file_problems = Diagnostics::new();
    let mut cases = Vec::new();
    let mut at = parser::skip_trivia(text, 0);
    while at < text.len() {
        let Some((pair, end)) = parser::parse_at(source, Rule::test_case, at) else {
            return whole_test_file(source, diagnostics);
        };
        match (Lowerer { source, offset: at }).test_case(pair) {
            Ok(c) => cases.push(c),
            Err(e) => file_problems.push(e),
        }
        at = parser::skip_trivia(text, end);
    }
    if file_problems.is_empty() {
        return Some(TestFile { cases });
    }
    diagnostics.absorb(file_problems);
    None
}

/// The whole test file parsed in one go (see [`whole_policy_file`]).
fn whole_test_file(source: &Source, diagnostics: &mut Diagnostics) -> Option<TestFile> {
    let lowered = parser::parse(source, Rule::test_file)
        .map_err(|e| vec![e])
        .and_then(|pair| test_pair(source, pair));
    match lowered {
        Ok(file) => Some(file),
        Err(problems) => {
            diagnostics.extend(problems);
            None
        }
    }
}

/// Lowers a test file parsed whole.
pub(crate) fn test_pair(
    source: &Source,
    pair: Pair<'_, Rule>,
) -> Result<TestFile, Vec<Diagnostic>> {
    let lowerer = Lowerer { source, offset: 0 };
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for item in pair.into_inner().filter(|p| p.as_rule() == Rule::test_case) {
        match lowerer.test_case(item) {
            Ok(c) => cases.push(c),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(TestFile { cases })
    } else {
        Err(errors)
    }
}
