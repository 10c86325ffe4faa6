//! Conditions on subject attributes and on consent, evaluated in three-valued logic.
//!
//! An attribute the request does not give and the policy gives no default for is
//! *unknown*. Whether consent for a purpose is in force is always known: a subject
//! who gave none has none. `and`, `or` and `not` follow Kleene's logic, so an unknown input only
//! makes the result unknown when it could change it. The evaluator then fails
//! closed: an allow needs its condition to be known true, while a deny applies
//! unless its condition is known false.

use std::fmt;

use crate::ids::{AttributeId, PurposeId};
use crate::value::Value;
use crate::vocab::Vocabulary;

/// What a condition may ask of a request: its attributes and its consents.
pub trait Facts {
    /// The attribute's value (the request's, or the version's default), if known.
    fn attribute(&self, id: AttributeId) -> Option<&Value>;
    /// Whether consent for the purpose is in force at the request's instant.
    fn consent(&self, purpose: PurposeId) -> bool;
}

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
    /// Consent for the purpose is in force (`consent to PURPOSE`).
    Consent(PurposeId),
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
    /// Evaluates the condition against what the request says.
    #[inline(always)]
    pub fn evaluate<F: Facts + ?Sized>(&self, facts: &F) -> Truth {
        // Most conditions are a single yes/no attribute: read it here, without
        // entering the general (recursive) evaluator.
        match self {
            Condition::Flag(attribute) => match facts.attribute(*attribute) {
                Some(Value::YesNo(b)) => Truth::from_bool(*b),
                Some(_) | None => Truth::Unknown,
            },
            _ => self.evaluate_any(facts),
        }
    }

    fn evaluate_any<F: Facts + ?Sized>(&self, facts: &F) -> Truth {
        let lookup = |id| facts.attribute(id);
        match self {
            Condition::Consent(purpose) => Truth::from_bool(facts.consent(*purpose)),
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
            Condition::Not(inner) => inner.evaluate(facts).not(),
            Condition::And(a, b) => match (a.evaluate(facts), b.evaluate(facts)) {
                (Truth::False, _) | (_, Truth::False) => Truth::False,
                (Truth::True, Truth::True) => Truth::True,
                _ => Truth::Unknown,
            },
            Condition::Or(a, b) => match (a.evaluate(facts), b.evaluate(facts)) {
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
            | Condition::Contains(..)
            | Condition::Consent(_) => above + 1,
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
            Condition::Consent(_) => {}
            Condition::Not(inner) => inner.attributes(out),
            Condition::And(a, b) | Condition::Or(a, b) => {
                a.attributes(out);
                b.attributes(out);
            }
        }
    }

    /// Every purpose whose consent the condition asks about.
    pub fn consents(&self, out: &mut Vec<PurposeId>) {
        match self {
            Condition::Consent(p) => out.push(*p),
            Condition::Flag(_)
            | Condition::Compare(..)
            | Condition::OneOf(..)
            | Condition::Contains(..) => {}
            Condition::Not(inner) => inner.consents(out),
            Condition::And(a, b) | Condition::Or(a, b) => {
                a.consents(out);
                b.consents(out);
            }
        }
    }

    /// Writes the condition as a rule file would, with the vocabulary's names.
    pub fn write(&self, out: &mut dyn fmt::Write, vocabulary: &Vocabulary) -> fmt::Result {
        let name = |a: AttributeId| vocabulary.attribute_name(a);
        match self {
            Condition::Consent(p) => write!(out, "consent to {}", vocabulary.purpose_name(*p)),
            Condition::Not(inner) if matches!(**inner, Condition::Consent(_)) => {
                out.write_str("no ")?;
                inner.write(out, vocabulary)
            }
            Condition::Flag(a) => out.write_str(name(*a)),
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
                write_operand(inner, out, vocabulary)
            }
            Condition::And(a, b) | Condition::Or(a, b) => {
                let word = if matches!(self, Condition::And(..)) {
                    "and"
                } else {
                    "or"
                };
                write_operand(a, out, vocabulary)?;
                write!(out, " {word} ")?;
                write_operand(b, out, vocabulary)
            }
        }
    }
}

fn write_operand(c: &Condition, out: &mut dyn fmt::Write, vocabulary: &Vocabulary) -> fmt::Result {
    if matches!(c, Condition::And(..) | Condition::Or(..)) {
        out.write_str("(")?;
        c.write(out, vocabulary)?;
        out.write_str(")")
    } else {
        c.write(out, vocabulary)
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

    /// Attributes by id, and the purposes with consent in force.
    struct Given(Vec<(AttributeId, Value)>, Vec<PurposeId>);

    impl Facts for Given {
        fn attribute(&self, id: AttributeId) -> Option<&Value> {
            self.0.iter().find(|(a, _)| *a == id).map(|(_, v)| v)
        }
        fn consent(&self, purpose: PurposeId) -> bool {
            self.1.contains(&purpose)
        }
    }

    fn truth(c: &Condition, dnt: Option<bool>, place: Option<&str>) -> Truth {
        let mut given = Vec::new();
        given.extend(dnt.map(|d| (DNT, Value::YesNo(d))));
        given.extend(place.map(|p| (PLACE, Value::Text(p.into()))));
        c.evaluate(&Given(given, Vec::new()))
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
        let age = |n: f64| adult.evaluate(&Given(vec![(AttributeId(0), Value::Number(n))], vec![]));
        assert_eq!(age(18.0), Truth::True);
        assert_eq!(age(17.0), Truth::False);
        assert_eq!(adult.evaluate(&Given(vec![], vec![])), Truth::Unknown);
    }

    #[test]
    fn consent_is_always_known() {
        let sale = PurposeId(3);
        let california = Condition::OneOf(PLACE, vec!["US-CA".into()].into_boxed_slice());
        // `jurisdiction in ["US-CA"] and no consent to sale`
        let needs_consent = Condition::And(
            Box::new(california),
            Box::new(Condition::Not(Box::new(Condition::Consent(sale)))),
        );
        let ca = || vec![(PLACE, Value::Text("US-CA".into()))];
        assert_eq!(needs_consent.evaluate(&Given(ca(), vec![])), Truth::True);
        assert_eq!(
            needs_consent.evaluate(&Given(ca(), vec![sale])),
            Truth::False
        );
        // Unknown place: unknown without consent, false with it.
        assert_eq!(
            needs_consent.evaluate(&Given(vec![], vec![])),
            Truth::Unknown
        );
        assert_eq!(
            needs_consent.evaluate(&Given(vec![], vec![sale])),
            Truth::False
        );
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
