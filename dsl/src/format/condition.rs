//! Conditions with canonical brackets.
//!
//! The condition is read into a tree with the same precedence the compiler uses
//! (`not` over `and` over `or`, left to right), then printed with the brackets
//! the tree needs and one more kind that it does not: an `and` inside an `or`
//! is always bracketed, `a or (b and c)`, so a reader never has to know which
//! binds tighter. Brackets that change nothing, `(a)` or `(a and b) and c`, are
//! dropped. Printing the tree back keeps the compiled condition exactly as it
//! was, including the grouping of `a and (b and c)`.

use pest::iterators::{Pair, Pairs};

use super::doc::Token;
use super::tree::{bracket, emit as emit_words, word};
use crate::lower::PRATT;
use crate::parser::{MAX_NESTING, Rule};

/// A condition's tree, its words already made.
enum Cond {
    /// A test or consent test, and whether it lists values in brackets.
    Leaf(Vec<Token>, bool),
    /// `not …`.
    Not(Token, Box<Cond>),
    /// `… and …` or `… or …`.
    Binary(Op, Token, Box<Cond>, Box<Cond>),
}

/// The operators, loosest first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Or,
    And,
    Not,
    Atom,
}

impl Cond {
    /// The operator at the top of the tree.
    fn op(&self) -> Op {
        match self {
            Cond::Binary(op, ..) => *op,
            Cond::Not(..) => Op::Not,
            Cond::Leaf(..) => Op::Atom,
        }
    }
}

fn read(pairs: Pairs<'_, Rule>) -> Cond {
    PRATT
        .map_primary(|primary| match primary.as_rule() {
            Rule::condition => read(primary.into_inner()),
            _ => {
                let lists = primary
                    .clone()
                    .into_inner()
                    .any(|p| p.as_rule() == Rule::one_of);
                let mut words = Vec::new();
                emit_words(primary, &mut words);
                Cond::Leaf(words, lists)
            }
        })
        .map_prefix(|op, operand| Cond::Not(word(&op), Box::new(operand)))
        .map_infix(|lhs, op, rhs| {
            let mut op_token = word(&op);
            op_token.brk = true;
            let op = if op.as_rule() == Rule::op_and {
                Op::And
            } else {
                Op::Or
            };
            Cond::Binary(op, op_token, Box::new(lhs), Box::new(rhs))
        })
        .parse(pairs)
}

/// Which brackets to print.
#[derive(Clone, Copy)]
struct Style {
    /// Bracket an `and` inside an `or`.
    clarify: bool,
}

impl Style {
    /// Whether `child`, an operand of `parent` (on the right when `right`),
    /// needs brackets.
    fn brackets(self, parent: Op, child: &Cond, right: bool) -> bool {
        let child = child.op();
        if self.clarify && parent == Op::Or && child == Op::And {
            return true;
        }
        // Left to right: the same operator on the right is a different tree.
        child < parent || (right && child == parent && parent != Op::Not)
    }

    /// How deep brackets would nest, `[` of `in [...]` counted as the parser does.
    fn depth(self, cond: &Cond) -> usize {
        let nested = |child: &Cond, right: bool| {
            self.depth(child) + usize::from(self.brackets(cond.op(), child, right))
        };
        match cond {
            Cond::Leaf(_, lists) => usize::from(*lists),
            Cond::Not(_, operand) => nested(operand, true),
            Cond::Binary(_, _, lhs, rhs) => nested(lhs, false).max(nested(rhs, true)),
        }
    }

    fn print(self, cond: Cond, out: &mut Vec<Token>) {
        let parent = cond.op();
        match cond {
            Cond::Leaf(words, _) => out.extend(words),
            Cond::Not(op, operand) => {
                out.push(op);
                self.operand(parent, *operand, true, out);
            }
            Cond::Binary(_, op, lhs, rhs) => {
                self.operand(parent, *lhs, false, out);
                out.push(op);
                self.operand(parent, *rhs, true, out);
            }
        }
    }

    fn operand(self, parent: Op, cond: Cond, right: bool, out: &mut Vec<Token>) {
        let wrap = self.brackets(parent, &cond, right);
        let first = out.len();
        self.print(cond, out);
        if wrap {
            bracket(out, first, "(", ")");
        }
    }
}

/// Appends the tokens of a `condition` pair, canonically bracketed.
pub(super) fn emit(pair: Pair<'_, Rule>, out: &mut Vec<Token>) {
    let cond = read(pair.into_inner());
    let clarified = Style { clarify: true };
    // Clarifying brackets are added only while the nesting stays within the
    // parser's limit; the brackets the tree needs were in the source already.
    let style = if clarified.depth(&cond) <= MAX_NESTING {
        clarified
    } else {
        Style { clarify: false }
    };
    style.print(cond, out);
}
