//! Conditions on subject attributes, evaluated in three-valued logic.
//!
//! An attribute the request does not give and the policy gives no default for is
//! *unknown*. `and`, `or` and `not` follow Kleene's logic, so an unknown input only
//! makes the result unknown when it could change it. The evaluator then fails
//! closed: an allow needs its condition to be known true, while a deny applies
//! unless its condition is known false.

use std::fmt;

use crate::ids::AttributeId;
use crate::value::Value;

/// The deepest a condition may nest. The parser rejects deeper text before it
/// builds anything, and the compiler checks models built by hand.
pub const MAX_CONDITION_DEPTH: usize = 128;

/// How a comparison compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
}

impl Comparison {
    /// The operator as written in a rule file.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Equal => "=",
            Comparison::NotEqual => "!=",
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
        }
    }

    /// True for the operators that only make sense on numbers.
    pub fn is_ordering(self) -> bool {
        !matches!(self, Comparison::Equal | Comparison::NotEqual)
    }
}

/// A condition on the subject's attributes.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// A yes/no attribute is yes.
    Flag(AttributeId),
    /// An attribute compared with a literal of the same type.
    Compare(AttributeId, Comparison, Value),
    /// A text attribute is one of the listed texts.
    OneOf(AttributeId, Box<[Box<str>]>),
    /// A set-of-text attribute contains the text.
    Contains(AttributeId, Box<str>),
    /// Not the inner condition.
    Not(Box<Condition>),
    /// Both conditions.
    And(Box<Condition>, Box<Condition>),
    /// Either condition.
    Or(Box<Condition>, Box<Condition>),
}

/// The result of a condition: true, false, or unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    /// Known to hold.
    True,
    /// Known not to hold.
    False,
    /// Depends on an attribute nobody gave.
    Unknown,
}

impl Truth {
    fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }

    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

impl Condition {
    /// Evaluates the condition; `lookup` gives an attribute's value, if known.
    pub fn evaluate<'v, F>(&self, lookup: &F) -> Truth
    where
        F: Fn(AttributeId) -> Option<&'v Value>,
    {
        match self {
            Condition::Flag(attribute) => match lookup(*attribute) {
                Some(Value::YesNo(b)) => Truth::from_bool(*b),
                Some(_) | None => Truth::Unknown,
            },
            Condition::Compare(attribute, op, literal) => match lookup(*attribute) {
                Some(value) => compare(value, *op, literal),
                None => Truth::Unknown,
            },
            Condition::OneOf(attribute, texts) => match lookup(*attribute) {
                Some(Value::Text(t)) => Truth::from_bool(texts.iter().any(|x| x == t)),
                Some(_) | None => Truth::Unknown,
            },
            Condition::Contains(attribute, text) => match lookup(*attribute) {
                Some(Value::TextSet(items)) => Truth::from_bool(items.contains(text)),
                Some(_) | None => Truth::Unknown,
            },
            Condition::Not(inner) => inner.evaluate(lookup).not(),
            Condition::And(a, b) => match (a.evaluate(lookup), b.evaluate(lookup)) {
                (Truth::False, _) | (_, Truth::False) => Truth::False,
                (Truth::True, Truth::True) => Truth::True,
                _ => Truth::Unknown,
            },
            Condition::Or(a, b) => match (a.evaluate(lookup), b.evaluate(lookup)) {
                (Truth::True, _) | (_, Truth::True) => Truth::True,
                (Truth::False, Truth::False) => Truth::False,
                _ => Truth::Unknown,
            },
        }
    }

    /// How deeply the condition nests (a single test is depth 1). Stops counting
    /// past [`MAX_CONDITION_DEPTH`] so a hostile tree cannot exhaust the stack here.
    pub fn depth(&self) -> usize {
        self.depth_bounded(0)
    }

    fn depth_bounded(&self, above: usize) -> usize {
        if above > MAX_CONDITION_DEPTH {
            return above;
        }
        match self {
            Condition::Flag(_)
            | Condition::Compare(..)
            | Condition::OneOf(..)
            | Condition::Contains(..) => above + 1,
            Condition::Not(inner) => inner.depth_bounded(above + 1),
            Condition::And(a, b) | Condition::Or(a, b) => {
                a.depth_bounded(above + 1).max(b.depth_bounded(above + 1))
            }
        }
    }

    /// Every attribute the condition reads.
    pub fn attributes(&self, out: &mut Vec<AttributeId>) {
        match self {
            Condition::Flag(a)
            | Condition::Compare(a, ..)
            | Condition::OneOf(a, _)
            | Condition::Contains(a, _) => out.push(*a),
            Condition::Not(inner) => inner.attributes(out),
            Condition::And(a, b) | Condition::Or(a, b) => {
                a.attributes(out);
                b.attributes(out);
            }
        }
    }

    /// Writes the condition as a rule file would, naming attributes with `name`.
    pub fn write<F>(&self, out: &mut dyn fmt::Write, name: &F) -> fmt::Result
    where
        F: Fn(AttributeId) -> String,
    {
        match self {
            Condition::Flag(a) => out.write_str(&name(*a)),
            Condition::Compare(a, op, v) => write!(out, "{} {} {}", name(*a), op.symbol(), v),
            Condition::OneOf(a, texts) => {
                write!(out, "{} in [", name(*a))?;
                for (i, t) in texts.iter().enumerate() {
                    if i > 0 {
                        out.write_str(", ")?;
                    }
                    write!(out, "{t:?}")?;
                }
                out.write_str("]")
            }
            Condition::Contains(a, t) => write!(out, "{} contains {t:?}", name(*a)),
            Condition::Not(inner) => {
                out.write_str("not ")?;
                write_operand(inner, out, name)
            }
            Condition::And(a, b) | Condition::Or(a, b) => {
                let word = if matches!(self, Condition::And(..)) {
                    "and"
                } else {
                    "or"
                };
                write_operand(a, out, name)?;
                write!(out, " {word} ")?;
                write_operand(b, out, name)
            }
        }
    }
}

fn write_operand<F>(c: &Condition, out: &mut dyn fmt::Write, name: &F) -> fmt::Result
where
    F: Fn(AttributeId) -> String,
{
    if matches!(c, Condition::And(..) | Condition::Or(..)) {
        out.write_str("(")?;
        c.write(out, name)?;
        out.write_str(")")
    } else {
        c.write(out, name)
    }
}

fn compare(value: &Value, op: Comparison, literal: &Value) -> Truth {
    use std::cmp::Ordering;
    let ordering = match (value, literal) {
        (Value::Number(a), Value::Number(b)) => a.partial_cmp(b),
        (Value::YesNo(a), Value::YesNo(b)) => Some(a.cmp(b)).filter(|_| !op.is_ordering()),
        (Value::Text(a), Value::Text(b)) => Some(a.cmp(b)).filter(|_| !op.is_ordering()),
        _ => None,
    };
    let Some(ordering) = ordering else {
        // Types the compiler should have refused; an unanswerable test is unknown.
        return Truth::Unknown;
    };
    Truth::from_bool(match op {
        Comparison::Equal => ordering == Ordering::Equal,
        Comparison::NotEqual => ordering != Ordering::Equal,
        Comparison::Less => ordering == Ordering::Less,
        Comparison::LessOrEqual => ordering != Ordering::Greater,
        Comparison::Greater => ordering == Ordering::Greater,
        Comparison::GreaterOrEqual => ordering != Ordering::Less,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DNT: AttributeId = AttributeId(1);
    const PLACE: AttributeId = AttributeId(2);

    fn truth(c: &Condition, dnt: Option<bool>, place: Option<&str>) -> Truth {
        let dnt = dnt.map(Value::YesNo);
        let place = place.map(|p| Value::Text(p.into()));
        c.evaluate(&|a| match a {
            DNT => dnt.as_ref(),
            PLACE => place.as_ref(),
            _ => None,
        })
    }

    #[test]
    fn kleene_logic() {
        let eu = Condition::OneOf(PLACE, vec!["EU".into()].into_boxed_slice());
        let both = Condition::And(Box::new(Condition::Flag(DNT)), Box::new(eu.clone()));
        let either = Condition::Or(Box::new(Condition::Flag(DNT)), Box::new(eu));
        assert_eq!(truth(&both, Some(true), Some("EU")), Truth::True);
        assert_eq!(truth(&both, Some(false), None), Truth::False);
        assert_eq!(truth(&both, Some(true), None), Truth::Unknown);
        assert_eq!(truth(&either, Some(true), None), Truth::True);
        assert_eq!(truth(&either, Some(false), None), Truth::Unknown);
        assert_eq!(
            truth(&Condition::Not(Box::new(Condition::Flag(DNT))), None, None),
            Truth::Unknown
        );
    }

    #[test]
    fn comparisons() {
        let adult = Condition::Compare(
            AttributeId(0),
            Comparison::GreaterOrEqual,
            Value::Number(18.0),
        );
        let age = |n: f64| {
            let v = Value::Number(n);
            adult.evaluate(&|_| Some(&v))
        };
        assert_eq!(age(18.0), Truth::True);
        assert_eq!(age(17.0), Truth::False);
        assert_eq!(adult.evaluate(&|_| None), Truth::Unknown);
    }

    #[test]
    fn depth_is_bounded() {
        let mut c = Condition::Flag(DNT);
        for _ in 0..300 {
            c = Condition::Not(Box::new(c));
        }
        assert!(c.depth() > MAX_CONDITION_DEPTH);
        assert_eq!(Condition::Flag(DNT).depth(), 1);
    }
}
