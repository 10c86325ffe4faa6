//! The formatter's own check: the output must read as the same file.
//!
//! Before a file is rewritten, its formatted text is parsed and lowered again;
//! the syntax tree, with every source position cleared, must equal the
//! original's, and the comments must be the same texts. A formatter bug then
//! shows up as an error (`L000`) on that file, never as a changed policy.

use pest::iterators::Pair;

use super::Kind;
use super::comments;
use crate::ast::*;
use crate::diagnostic::{Diagnostic, Source};
use crate::lower;
use crate::parser::{Rule, parse};

/// What a file says, with where it says it left out.
#[derive(Debug, PartialEq)]
pub(super) struct Meaning {
    tree: Tree,
    /// The comments' texts, sorted (an exception's parts may be reordered).
    comments: Vec<String>,
}

#[derive(Debug, PartialEq)]
enum Tree {
    Policy(PolicyFile),
    Tests(TestFile),
}

impl Meaning {
    /// Lowers a parsed file and collects its comments.
    pub(super) fn read(
        source: &Source,
        pair: Pair<'_, Rule>,
        kind: Kind,
    ) -> Result<Meaning, Vec<Diagnostic>> {
        let strings = comments::string_spans(&pair);
        let tree = match kind {
            Kind::Policy => {
                let mut file = lower::policy_pair(source, pair)?;
                file.clear_spans();
                Tree::Policy(file)
            }
            Kind::Tests => {
                let mut file = lower::test_pair(source, pair)?;
                file.clear_spans();
                Tree::Tests(file)
            }
        };
        let mut comments: Vec<String> = comments::scan(&source.text, &strings)
            .into_iter()
            .map(|c| c.text)
            .collect();
        comments.sort();
        Ok(Meaning { tree, comments })
    }
}

/// Checks that `formatted` means what `before` meant.
pub(super) fn same_meaning(
    source: &Source,
    before: &Meaning,
    formatted: &str,
    kind: Kind,
) -> Result<(), Vec<Diagnostic>> {
    let output = Source::new(source.name.clone(), formatted);
    let after = parse(&output, kind.entry())
        .map_err(|d| vec![d])
        .and_then(|pair| Meaning::read(&output, pair, kind));
    match after {
        Ok(after) if after == *before => Ok(()),
        _ => Err(vec![source.at(
            Span::default(),
            Diagnostic::error(
                "L000",
                "internal error: formatting would change what this file says, so it was left as it is",
            )
            .with_help("please report this file to the lawful maintainers"),
        )]),
    }
}

/// Forgets where each part was written.
trait ClearSpans {
    fn clear_spans(&mut self);
}

impl<T: ClearSpans> ClearSpans for Vec<T> {
    fn clear_spans(&mut self) {
        self.iter_mut().for_each(ClearSpans::clear_spans);
    }
}

impl<T: ClearSpans> ClearSpans for Option<T> {
    fn clear_spans(&mut self) {
        if let Some(value) = self {
            value.clear_spans();
        }
    }
}

impl ClearSpans for Span {
    fn clear_spans(&mut self) {
        *self = Span::default();
    }
}

impl<T: ClearSpans> ClearSpans for Spanned<T> {
    fn clear_spans(&mut self) {
        self.span = Span::default();
        self.node.clear_spans();
    }
}

/// Leaves: nothing inside has a span.
macro_rules! no_spans {
    ($($t:ty),*) => {$(
        impl ClearSpans for $t {
            fn clear_spans(&mut self) {}
        }
    )*};
}

no_spans!(String, Literal, EffectKind, u32, TestValue);

impl<A: ClearSpans, B: ClearSpans> ClearSpans for (A, B) {
    fn clear_spans(&mut self) {
        self.0.clear_spans();
        self.1.clear_spans();
    }
}

impl ClearSpans for PolicyFile {
    fn clear_spans(&mut self) {
        self.header.version.clear_spans();
        self.header.effective.clear_spans();
        self.declarations.clear_spans();
    }
}

impl ClearSpans for NameList {
    fn clear_spans(&mut self) {
        match self {
            NameList::Any(span) => span.clear_spans(),
            NameList::Names(names) => names.clear_spans(),
        }
    }
}

impl ClearSpans for NameDecl {
    fn clear_spans(&mut self) {
        self.name.clear_spans();
        self.fides.clear_spans();
    }
}

impl ClearSpans for ObligationItem {
    fn clear_spans(&mut self) {
        self.name.clear_spans();
    }
}

impl ClearSpans for Declaration {
    fn clear_spans(&mut self) {
        match self {
            Declaration::Role(d)
            | Declaration::Category(d)
            | Declaration::Purpose(d)
            | Declaration::Obligation(d) => d.clear_spans(),
            Declaration::Attribute(d) => {
                d.name.clear_spans();
                d.default.clear_spans();
            }
            Declaration::Party(d) => {
                d.name.clear_spans();
                d.receives.clear_spans();
                d.obligations.clear_spans();
                d.cites.clear_spans();
            }
            Declaration::Rule(d) => {
                d.id.clear_spans();
                d.effect.clear_spans();
                d.scope.clear_spans();
                d.basis.clear_spans();
                d.exceptions.clear_spans();
                d.obligations.clear_spans();
                d.cites.clear_spans();
            }
            Declaration::Revocation(d) => {
                d.id.clear_spans();
                d.purposes.clear_spans();
                d.withdraws.clear_spans();
                d.obligations.clear_spans();
                d.cites.clear_spans();
            }
            Declaration::Children(d) => {
                d.under.clear_spans();
                d.roles.clear_spans();
                d.unless.clear_spans();
                d.obligations.clear_spans();
                d.cites.clear_spans();
                d.span.clear_spans();
            }
        }
    }
}

impl ClearSpans for Scope {
    fn clear_spans(&mut self) {
        self.categories.clear_spans();
        self.roles.clear_spans();
        self.purposes.clear_spans();
        self.parties.clear_spans();
        self.condition.clear_spans();
    }
}

impl ClearSpans for Expr {
    fn clear_spans(&mut self) {
        match self {
            Expr::Test { attribute, check } => {
                attribute.clear_spans();
                check.clear_spans();
            }
            Expr::Consent { purpose, .. } => purpose.clear_spans(),
            Expr::Not(e) => e.clear_spans(),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.clear_spans();
                b.clear_spans();
            }
        }
    }
}

impl ClearSpans for Check {
    fn clear_spans(&mut self) {
        match self {
            Check::Compare(_, value) | Check::Contains(value) => value.clear_spans(),
            Check::OneOf(values) => values.clear_spans(),
        }
    }
}

impl ClearSpans for TestFile {
    fn clear_spans(&mut self) {
        self.cases.clear_spans();
    }
}

impl ClearSpans for TestCase {
    fn clear_spans(&mut self) {
        self.span.clear_spans();
        self.role.clear_spans();
        self.attributes.clear_spans();
        self.consents.clear_spans();
        self.revocations.clear_spans();
        self.data.clear_spans();
        self.party.clear_spans();
        self.purpose.clear_spans();
        self.at.clear_spans();
        self.collected.clear_spans();
        match &mut self.expect {
            Expectation::Allowed { by, basis, details } => {
                by.clear_spans();
                basis.clear_spans();
                details.clear_spans();
            }
            Expectation::Denied { by, details } => {
                by.clear_spans();
                details.clear_spans();
            }
            Expectation::Error => {}
        }
    }
}

impl ClearSpans for ExpectDetails {
    fn clear_spans(&mut self) {
        self.version.clear_spans();
        self.obligations.clear_spans();
    }
}

impl<T: ClearSpans> ClearSpans for Box<T> {
    fn clear_spans(&mut self) {
        self.as_mut().clear_spans();
    }
}
