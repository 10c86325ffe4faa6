//! Condition cells and how a change says when it happens.
//!
//! Inside one class of names (see `space`), a request is described by a few
//! *dimensions*: each attribute some condition of either policy reads, the
//! subject's age, the state of consent for the request's purpose, consent to each
//! purpose a condition asks about. Each dimension takes finitely many *classes*
//! of values, cut by the policies' own constants. A set of cells (the ones where
//! the same change happens) is then said as a few *cubes*: for each dimension
//! that matters, the classes it may take. The public [`Constraint`] form keeps
//! those cubes checkable by code ([`Constraint::holds`]), and words render them.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::fmt::Write as _;

use lawful_core::{Timestamp, Value};
use serde::Serialize;

/// A range of numbers; an end that is `None` is open-ended.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    /// The lower end, if any.
    pub from: Option<f64>,
    /// Whether the lower end itself is inside.
    pub from_included: bool,
    /// The upper end, if any.
    pub to: Option<f64>,
    /// Whether the upper end itself is inside.
    pub to_included: bool,
}

impl Interval {
    /// Whether `x` lies in the range.
    pub fn contains(&self, x: f64) -> bool {
        let above = self
            .from
            .is_none_or(|f| x > f || (self.from_included && x == f));
        let below = self
            .to
            .is_none_or(|t| x < t || (self.to_included && x == t));
        above && below
    }

    /// The range holding only `x`.
    pub(crate) fn point(x: f64) -> Interval {
        Interval {
            from: Some(x),
            from_included: true,
            to: Some(x),
            to_included: true,
        }
    }

    /// Joins two ranges that touch (`self` below `next`), if they do.
    fn join(self, next: Interval) -> Option<Interval> {
        let touches = match (self.to, next.from) {
            (Some(a), Some(b)) => a == b && (self.to_included || next.from_included),
            _ => false,
        };
        touches.then_some(Interval {
            from: self.from,
            from_included: self.from_included,
            to: next.to,
            to_included: next.to_included,
        })
    }

    fn words(&self, name: &str) -> String {
        let number = |x: f64| Value::Number(x).to_string();
        match (self.from, self.to) {
            (Some(a), Some(b)) if a == b => format!("{name} is {}", number(a)),
            (None, None) => format!("{name} is any number"),
            (Some(a), None) => {
                let op = if self.from_included { ">=" } else { ">" };
                format!("{name} {op} {}", number(a))
            }
            (None, Some(b)) => {
                let op = if self.to_included { "<=" } else { "<" };
                format!("{name} {op} {}", number(b))
            }
            (Some(a), Some(b)) => {
                let low = if self.from_included { "<=" } else { "<" };
                let high = if self.to_included { "<=" } else { "<" };
                format!("{} {low} {name} {high} {}", number(a), number(b))
            }
        }
    }
}

/// The state of consent for the request's own purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStateName {
    /// No consent covering the purpose was given.
    Absent,
    /// Consent covering the purpose is in force.
    InForce,
    /// A revocation taking part of the purpose away is in force.
    Revoked,
}

/// One case of consent for the request's purpose: its state and, when revoked,
/// the declared opt-out (if any) each policy treats the revocation as.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ConsentCase {
    /// Absent, in force or revoked.
    pub state: ConsentStateName,
    /// The opt-out the old policy applies, when the revocation is one there.
    pub opt_out_old: Option<String>,
    /// The opt-out the new policy applies, when the revocation is one there.
    pub opt_out_new: Option<String>,
}

impl ConsentCase {
    fn words(&self) -> String {
        match self.state {
            ConsentStateName::Absent => "absent".to_owned(),
            ConsentStateName::InForce => "in force".to_owned(),
            ConsentStateName::Revoked => match (&self.opt_out_old, &self.opt_out_new) {
                (None, None) => "withdrawn".to_owned(),
                (Some(a), Some(b)) if a == b => format!("revoked (an opt-out under `{a}`)"),
                (Some(a), Some(b)) => {
                    format!("revoked (an opt-out under `{a}` before, under `{b}` now)")
                }
                (None, Some(b)) => {
                    format!("revoked (a withdrawal before, an opt-out under `{b}` now)")
                }
                (Some(a), None) => {
                    format!("revoked (an opt-out under `{a}` before, a withdrawal now)")
                }
            },
        }
    }
}

/// A span of collection dates (`collected_at`): from `from` (included) to
/// `before` (excluded); `None` ends are open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    /// The first day of the span, if it has one.
    pub from: Option<Timestamp>,
    /// The first day after the span, if it has one.
    pub before: Option<Timestamp>,
}

impl Period {
    /// Whether data collected at `at` falls in the span.
    pub fn contains(&self, at: Timestamp) -> bool {
        self.from.is_none_or(|f| at >= f) && self.before.is_none_or(|b| at < b)
    }

    fn words(&self) -> String {
        let day_before = |t: Timestamp| {
            Timestamp::from_unix(t.unix_seconds() - 86_400, 0)
                .map_or_else(|| t.date_string(), lawful_core::Timestamp::date_string)
        };
        match (self.from, self.before) {
            (None, None) => "collected at any date".to_owned(),
            (Some(f), None) => format!("collected on or after {}", f.date_string()),
            (None, Some(b)) => format!("collected before {}", b.date_string()),
            (Some(f), Some(b)) => {
                format!("collected from {} to {}", f.date_string(), day_before(b))
            }
        }
    }
}

/// Which texts a text attribute may hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Texts {
    /// One of these texts.
    OneOf(Vec<String>),
    /// Any text but these.
    NoneOf(Vec<String>),
}

/// One condition of a cube: what one dimension of a request must be.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum Constraint {
    /// A yes/no attribute is one of the values allowed (`absent`: not given).
    Flag {
        /// The attribute.
        attribute: String,
        /// Yes is allowed.
        yes: bool,
        /// No is allowed.
        no: bool,
        /// Leaving the attribute out is allowed.
        absent: bool,
        /// Leaving it out is allowed only because both versions default to an
        /// allowed value (so the words need not say it).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        by_default: bool,
    },
    /// A text attribute.
    Text {
        /// The attribute.
        attribute: String,
        /// The texts allowed.
        texts: Texts,
        /// Leaving the attribute out is allowed.
        absent: bool,
        /// Leaving it out is allowed only because both versions default to an
        /// allowed value (so the words need not say it).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        by_default: bool,
    },
    /// A number attribute lies in one of the ranges.
    Number {
        /// The attribute.
        attribute: String,
        /// The ranges allowed.
        ranges: Vec<Interval>,
        /// Leaving the attribute out is allowed.
        absent: bool,
        /// Leaving it out is allowed only because both versions default to an
        /// allowed value (so the words need not say it).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        by_default: bool,
    },
    /// A set-of-text attribute does (`yes`) or does not (`no`) contain `text`.
    Contains {
        /// The attribute.
        attribute: String,
        /// The text.
        text: String,
        /// Containing it is allowed.
        yes: bool,
        /// Not containing it is allowed.
        no: bool,
        /// Leaving the attribute out is allowed.
        absent: bool,
        /// Leaving it out is allowed only because both versions default to an
        /// allowed value (so the words need not say it).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        by_default: bool,
    },
    /// The subject's age lies in one of the ranges (whole years, both ends included).
    Age {
        /// The ranges allowed.
        ranges: Vec<[u32; 2]>,
        /// An unknown age is allowed.
        unknown: bool,
    },
    /// Consent for the request's purpose is in one of these cases.
    Consent {
        /// The cases allowed.
        cases: Vec<ConsentCase>,
    },
    /// Consent to `purpose` is (or is not) in force.
    ConsentTo {
        /// The purpose a condition asks about.
        purpose: String,
        /// Whether it is in force.
        in_force: bool,
    },
    /// The child rule (the same on both sides) does, or does not, apply to the
    /// subject: a known age under `under`, and `unless` not known to hold.
    Child {
        /// Whether the subject is a child under the rule.
        child: bool,
        /// The rule's threshold.
        under: u32,
        /// The rule's lifting condition, as written.
        #[serde(skip_serializing_if = "Option::is_none")]
        unless: Option<String>,
    },
    /// The request's consents name a purpose one policy does not know (that
    /// policy refuses the request).
    UnknownPurposes {
        /// The `[old refuses, new refuses]` pairs allowed.
        cases: Vec<[bool; 2]>,
    },
    /// The data was collected in one of these spans, or (`no_date`) no
    /// collection date was given.
    Collected {
        /// The spans allowed.
        periods: Vec<Period>,
        /// A request without `collected_at` is allowed.
        no_date: bool,
    },
}

/// What a request shows of the dimensions, for [`Constraint::holds`].
pub struct Observed<'a> {
    /// The subject's attributes as the request gives them.
    pub attributes: &'a BTreeMap<String, Value>,
    /// The subject's age.
    pub age: Option<u32>,
    /// The consent case for the request's purpose.
    pub consent: &'a ConsentCase,
    /// Whether consent to a purpose is in force.
    pub consent_to: &'a dyn Fn(&str) -> bool,
    /// `[old refuses, new refuses]` because of the purposes its consents name.
    pub unknown_purposes: [bool; 2],
    /// Whether the child rule applies to the subject (when both sides have the same).
    pub child: Option<bool>,
    /// When the data was collected.
    pub collected_at: Option<Timestamp>,
}

impl Constraint {
    /// Whether a request shows this.
    pub fn holds(&self, o: &Observed<'_>) -> bool {
        let value = |name: &str| o.attributes.get(name);
        match self {
            Constraint::Flag {
                attribute,
                yes,
                no,
                absent,
                ..
            } => match value(attribute) {
                None => *absent,
                Some(Value::YesNo(true)) => *yes,
                Some(Value::YesNo(false)) => *no,
                Some(_) => false,
            },
            Constraint::Text {
                attribute,
                texts,
                absent,
                ..
            } => match value(attribute) {
                None => *absent,
                Some(Value::Text(t)) => match texts {
                    Texts::OneOf(list) => list.iter().any(|x| **x == **t),
                    Texts::NoneOf(list) => !list.iter().any(|x| **x == **t),
                },
                Some(_) => false,
            },
            Constraint::Number {
                attribute,
                ranges,
                absent,
                ..
            } => match value(attribute) {
                None => *absent,
                Some(Value::Number(n)) => ranges.iter().any(|r| r.contains(*n)),
                Some(_) => false,
            },
            Constraint::Contains {
                attribute,
                text,
                yes,
                no,
                absent,
                ..
            } => match value(attribute) {
                None => *absent,
                Some(Value::TextSet(items)) => {
                    if items.iter().any(|i| **i == **text) {
                        *yes
                    } else {
                        *no
                    }
                }
                Some(Value::Text(t)) => {
                    if **t == **text {
                        *yes
                    } else {
                        *no
                    }
                }
                Some(_) => false,
            },
            Constraint::Age { ranges, unknown } => match o.age {
                None => *unknown,
                Some(age) => ranges.iter().any(|[a, b]| (*a..=*b).contains(&age)),
            },
            Constraint::Consent { cases } => cases.contains(o.consent),
            Constraint::ConsentTo { purpose, in_force } => (o.consent_to)(purpose) == *in_force,
            Constraint::Child { child, .. } => o.child == Some(*child),
            Constraint::UnknownPurposes { cases } => cases.contains(&o.unknown_purposes),
            Constraint::Collected { periods, no_date } => match o.collected_at {
                None => *no_date,
                Some(at) => periods.iter().any(|p| p.contains(at)),
            },
        }
    }

    /// The constraint in words: "do_not_track is yes", "age under 18".
    pub fn words(&self) -> String {
        // A value left out that the versions default to needs no words.
        let or_absent = |text: String, absent: bool, name: &str| {
            if absent {
                format!("{text} or {name} is not given")
            } else {
                text
            }
        };
        match self {
            Constraint::Flag {
                attribute,
                yes,
                no,
                absent,
                by_default,
            } => match (yes, no, *absent && !*by_default) {
                (true, false, false) => format!("{attribute} is yes"),
                (false, true, false) => format!("{attribute} is no"),
                (false, false, true) => format!("{attribute} is not given"),
                (true, false, true) => format!("{attribute} is yes or not given"),
                (false, true, true) => format!("{attribute} is no or not given"),
                (true, true, false) => format!("{attribute} is given"),
                _ => format!("{attribute} is anything"),
            },
            Constraint::Text {
                attribute,
                texts,
                absent,
                by_default,
            } => {
                let absent = *absent && !*by_default;
                let quoted = |list: &[String]| {
                    list.iter()
                        .map(|t| format!("{t:?}"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                };
                match texts {
                    Texts::OneOf(list) if list.is_empty() => format!("{attribute} is not given"),
                    Texts::OneOf(list) => or_absent(
                        format!("{attribute} is {}", quoted(list)),
                        absent,
                        attribute,
                    ),
                    Texts::NoneOf(list) if list.is_empty() => {
                        or_absent(format!("{attribute} is given"), absent, attribute)
                    }
                    Texts::NoneOf(list) => {
                        let not = format!("{attribute} is not {}", quoted(list));
                        if absent || *by_default {
                            not
                        } else {
                            format!("{attribute} is given and is not {}", quoted(list))
                        }
                    }
                }
            }
            Constraint::Number {
                attribute,
                ranges,
                absent,
                by_default,
            } => {
                if ranges.is_empty() {
                    return format!("{attribute} is not given");
                }
                let text = ranges
                    .iter()
                    .map(|r| r.words(attribute))
                    .collect::<Vec<_>>()
                    .join(" or ");
                or_absent(text, *absent && !*by_default, attribute)
            }
            Constraint::Contains {
                attribute,
                text,
                yes,
                no,
                absent,
                by_default,
            } => match (yes, no, *absent && !*by_default) {
                (true, false, false) => format!("{attribute} contains {text:?}"),
                (false, true, false) if *by_default => {
                    format!("{attribute} does not contain {text:?}")
                }
                (false, true, false) => format!("{attribute} is given without {text:?}"),
                (false, true, true) => format!("{attribute} does not contain {text:?}"),
                (true, false, true) => {
                    format!("{attribute} contains {text:?} or is not given")
                }
                (false, false, true) => format!("{attribute} is not given"),
                _ => format!("{attribute} is given"),
            },
            Constraint::Age { ranges, unknown } => {
                let mut parts: Vec<String> = ranges.iter().map(|r| age_words(*r)).collect();
                if *unknown {
                    parts.push("age unknown".to_owned());
                }
                parts.join(" or ")
            }
            Constraint::Consent { cases } => {
                let has = |state| cases.iter().any(|c| c.state == state);
                let revoked = has(ConsentStateName::Revoked);
                if !revoked && has(ConsentStateName::Absent) && has(ConsentStateName::InForce) {
                    return "consent to the purpose is not revoked".to_owned();
                }
                format!(
                    "consent to the purpose is {}",
                    cases
                        .iter()
                        .map(ConsentCase::words)
                        .collect::<Vec<_>>()
                        .join(" or ")
                )
            }
            Constraint::ConsentTo { purpose, in_force } => {
                if *in_force {
                    format!("consent to {purpose} is in force")
                } else {
                    format!("consent to {purpose} is not in force")
                }
            }
            Constraint::Child {
                child,
                under,
                unless,
            } => {
                let rule = match unless {
                    Some(u) => format!("under {under}, unless {u}"),
                    None => format!("under {under}"),
                };
                if *child {
                    format!("the subject is a child ({rule})")
                } else {
                    format!("the subject is not a child ({rule})")
                }
            }
            Constraint::UnknownPurposes { cases } => {
                let says = |c: &[bool; 2]| match c {
                    [true, true] => "consents name a purpose neither policy knows",
                    [true, false] => "consents name a purpose only the new policy knows",
                    [false, true] => "consents name a purpose only the old policy knows",
                    [false, false] => "consents name only purposes both policies know",
                };
                cases.iter().map(says).collect::<Vec<_>>().join(" or ")
            }
            Constraint::Collected { periods, no_date } => {
                let mut parts: Vec<String> = periods.iter().map(Period::words).collect();
                if *no_date {
                    parts.push("with no collection date".to_owned());
                }
                format!("data {}", parts.join(" or "))
            }
        }
    }
}

fn age_words([from, to]: [u32; 2]) -> String {
    let max = lawful_core::request::MAX_AGE;
    match (from, to) {
        (0, t) if t >= max => "any known age".to_owned(),
        (0, t) => format!("age under {}", t + 1),
        (f, t) if t >= max => format!("age {f} or over"),
        (f, t) if f == t => format!("age {f}"),
        (f, t) => format!("age {f} to {t}"),
    }
}

/// A cube: every constraint holds. No constraint: always.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Cube(pub Vec<Constraint>);

impl Cube {
    /// Whether a request shows every constraint.
    pub fn holds(&self, o: &Observed<'_>) -> bool {
        self.0.iter().all(|c| c.holds(o))
    }

    /// The cube in words ("" for a cube that always holds).
    pub fn words(&self) -> String {
        self.0
            .iter()
            .map(Constraint::words)
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

/// Cubes in words: "always", or each cube, joined by "; or ".
pub(crate) fn words(cubes: &[Cube]) -> String {
    if cubes.iter().any(|c| c.0.is_empty()) {
        return "always".to_owned();
    }
    cubes
        .iter()
        .map(Cube::words)
        .collect::<Vec<_>>()
        .join("; or when ")
}

// ── Dimensions, as the enumeration builds them ─────────────────────────────

/// What a dimension is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum DimKind {
    /// Whether the child rule (the same on both sides) applies.
    Child {
        /// Its threshold.
        under: u32,
        /// Its lifting condition, as written.
        unless: Option<String>,
    },
    /// The subject's age.
    Age,
    /// An attribute (yes/no, text or number).
    Attribute(String),
    /// Whether a set-of-text attribute contains a text.
    Contains(String, String),
    /// Consent for the request's purpose.
    Consent,
    /// Consent to a purpose a condition asks about.
    ConsentTo(String),
    /// Consents naming a purpose a policy does not know.
    UnknownPurposes,
}

/// One class of values a dimension takes.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Class {
    /// The attribute is not given (and no default stands for it).
    Absent,
    /// A yes/no value.
    Flag(bool),
    /// This text.
    Text(String),
    /// Any text but the dimension's literals.
    OtherText(Vec<String>),
    /// A number in the range.
    Number(Interval),
    /// The set contains (or not) the dimension's text.
    Has(bool),
    /// An age range.
    Age([u32; 2]),
    /// Unknown age.
    AgeUnknown,
    /// The child rule applies (or not).
    Child(bool),
    /// A consent case.
    Consent(ConsentCase),
    /// Consent to the dimension's purpose is (or is not) in force.
    ConsentTo(bool),
    /// `[old refuses, new refuses]`.
    Unknown([bool; 2]),
}

/// A dimension: its subject and its classes. `absent[i]` says class `i` also
/// holds a request that leaves the attribute out (both versions default to it).
#[derive(Clone, Debug)]
pub(crate) struct Dim {
    pub(crate) kind: DimKind,
    pub(crate) classes: Vec<Class>,
    pub(crate) absent: Vec<bool>,
}

impl Dim {
    pub(crate) fn new(kind: DimKind, classes: Vec<Class>) -> Dim {
        let absent = vec![false; classes.len()];
        Dim {
            kind,
            classes,
            absent,
        }
    }

    /// The constraint saying the dimension takes one of `chosen` (class indices);
    /// `None` when every class is chosen.
    pub(crate) fn constraint(&self, chosen: &[u16]) -> Option<Constraint> {
        if chosen.len() >= self.classes.len() {
            return None;
        }
        let picked: Vec<(&Class, bool)> = chosen
            .iter()
            .filter_map(|&i| {
                let i = usize::from(i);
                Some((self.classes.get(i)?, self.absent.get(i).copied()?))
            })
            .collect();
        let absent = picked
            .iter()
            .any(|(c, merged)| *merged || matches!(c, Class::Absent | Class::AgeUnknown));
        // Left out only where the versions' default stands for a chosen class.
        let by_default = absent && !picked.iter().any(|(c, _)| matches!(c, Class::Absent));
        Some(match &self.kind {
            DimKind::Attribute(name) => attribute_constraint(name, &picked, absent, by_default),
            DimKind::Contains(name, text) => Constraint::Contains {
                attribute: name.clone(),
                text: text.clone(),
                yes: picked.iter().any(|(c, _)| matches!(c, Class::Has(true))),
                no: picked.iter().any(|(c, _)| matches!(c, Class::Has(false))),
                absent,
                by_default,
            },
            DimKind::Child { under, unless } => Constraint::Child {
                child: picked.iter().any(|(c, _)| matches!(c, Class::Child(true))),
                under: *under,
                unless: unless.clone(),
            },
            DimKind::Age => {
                let mut ranges: Vec<[u32; 2]> = picked
                    .iter()
                    .filter_map(|(c, _)| match c {
                        Class::Age(r) => Some(*r),
                        _ => None,
                    })
                    .collect();
                ranges.sort_unstable();
                let mut merged: Vec<[u32; 2]> = Vec::new();
                for [a, b] in ranges {
                    match merged.last_mut() {
                        Some(last) if last[1].saturating_add(1) >= a => last[1] = last[1].max(b),
                        _ => merged.push([a, b]),
                    }
                }
                Constraint::Age {
                    ranges: merged,
                    unknown: absent,
                }
            }
            DimKind::Consent => {
                let mut cases: Vec<ConsentCase> = picked
                    .iter()
                    .filter_map(|(c, _)| match c {
                        Class::Consent(case) => Some(case.clone()),
                        _ => None,
                    })
                    .collect();
                cases.sort();
                Constraint::Consent { cases }
            }
            DimKind::ConsentTo(purpose) => Constraint::ConsentTo {
                purpose: purpose.clone(),
                in_force: picked
                    .iter()
                    .any(|(c, _)| matches!(c, Class::ConsentTo(true))),
            },
            DimKind::UnknownPurposes => Constraint::UnknownPurposes {
                cases: picked
                    .iter()
                    .filter_map(|(c, _)| match c {
                        Class::Unknown(pair) => Some(*pair),
                        _ => None,
                    })
                    .collect(),
            },
        })
    }
}

fn attribute_constraint(
    name: &str,
    picked: &[(&Class, bool)],
    absent: bool,
    by_default: bool,
) -> Constraint {
    let attribute = name.to_owned();
    let has = |f: &dyn Fn(&Class) -> bool| picked.iter().any(|(c, _)| f(c));
    if has(&|c| matches!(c, Class::Flag(_))) {
        return Constraint::Flag {
            attribute,
            yes: has(&|c| matches!(c, Class::Flag(true))),
            no: has(&|c| matches!(c, Class::Flag(false))),
            absent,
            by_default,
        };
    }
    if has(&|c| matches!(c, Class::Number(_))) {
        let mut ranges: Vec<Interval> = picked
            .iter()
            .filter_map(|(c, _)| match c {
                Class::Number(r) => Some(*r),
                _ => None,
            })
            .collect();
        ranges.sort_by(|a, b| {
            let key = |r: &Interval| (r.from.unwrap_or(f64::NEG_INFINITY), !r.from_included);
            key(a)
                .partial_cmp(&key(b))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut merged: Vec<Interval> = Vec::new();
        for r in ranges {
            match merged.last().and_then(|last| last.join(r)) {
                Some(joined) => {
                    if let Some(last) = merged.last_mut() {
                        *last = joined;
                    }
                }
                None => merged.push(r),
            }
        }
        return Constraint::Number {
            attribute,
            ranges: merged,
            absent,
            by_default,
        };
    }
    let other = picked.iter().find_map(|(c, _)| match c {
        Class::OtherText(literals) => Some(literals),
        _ => None,
    });
    let mut chosen: Vec<String> = picked
        .iter()
        .filter_map(|(c, _)| match c {
            Class::Text(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    chosen.sort();
    let texts = match other {
        Some(literals) => Texts::NoneOf(
            literals
                .iter()
                .filter(|l| !chosen.contains(l))
                .cloned()
                .collect(),
        ),
        None => Texts::OneOf(chosen),
    };
    Constraint::Text {
        attribute,
        texts,
        absent,
        by_default,
    }
}

/// Says the set `member` of `cells` as cubes over `dims`: first the dimensions
/// that do not matter are dropped (membership is the same whatever class they
/// take), then cubes are grown greedily, each as large as it can be while
/// holding only member cells. The result describes the member cells exactly,
/// among the cells that exist.
pub(crate) fn cover(dims: &[Dim], cells: &[Vec<u16>], member: &[bool]) -> Vec<Cube> {
    let in_set = |i: usize| member.get(i).copied().unwrap_or(false);
    let all = (0..cells.len()).all(in_set);
    if all {
        return vec![Cube(Vec::new())];
    }
    let mut active: Vec<usize> = (0..dims.len()).collect();
    // Drop each dimension membership does not depend on.
    let mut d = 0;
    while d < active.len() {
        let Some(&dim) = active.get(d) else { break };
        let others: Vec<usize> = active.iter().copied().filter(|x| *x != dim).collect();
        let mut seen: HashMap<Vec<u16>, bool> = HashMap::new();
        let mut matters = false;
        for (i, cell) in cells.iter().enumerate() {
            let key: Vec<u16> = others
                .iter()
                .map(|o| cell.get(*o).copied().unwrap_or(0))
                .collect();
            match seen.get(&key) {
                Some(m) if *m != in_set(i) => {
                    matters = true;
                    break;
                }
                Some(_) => {}
                None => {
                    seen.insert(key, in_set(i));
                }
            }
        }
        if matters {
            d += 1;
        } else {
            active.remove(d);
        }
    }
    // Classes each active dimension takes among the cells.
    let values: Vec<Vec<u16>> = active
        .iter()
        .map(|&dim| {
            let mut v: Vec<u16> = cells.iter().filter_map(|c| c.get(dim).copied()).collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    let matches = |cube: &[Vec<u16>], cell: &[u16]| {
        active
            .iter()
            .zip(cube)
            .all(|(dim, allowed)| cell.get(*dim).is_some_and(|v| allowed.contains(v)))
    };
    let valid = |cube: &[Vec<u16>]| {
        cells
            .iter()
            .enumerate()
            .all(|(i, cell)| !matches(cube, cell) || in_set(i))
    };
    let mut covered = vec![false; cells.len()];
    let mut cubes: Vec<Vec<Vec<u16>>> = Vec::new();
    for (seed, cell) in cells.iter().enumerate() {
        if !in_set(seed) || covered.get(seed).copied().unwrap_or(true) {
            continue;
        }
        let mut cube: Vec<Vec<u16>> = active
            .iter()
            .map(|dim| vec![cell.get(*dim).copied().unwrap_or(0)])
            .collect();
        for (position, all_values) in values.iter().enumerate() {
            let held = cube.get(position).cloned().unwrap_or_default();
            if let Some(slot) = cube.get_mut(position) {
                *slot = all_values.clone();
            }
            if valid(&cube) {
                continue;
            }
            if let Some(slot) = cube.get_mut(position) {
                *slot = held;
            }
            for v in all_values {
                if cube.get(position).is_some_and(|s| s.contains(v)) {
                    continue;
                }
                if let Some(slot) = cube.get_mut(position) {
                    slot.push(*v);
                    slot.sort_unstable();
                }
                if !valid(&cube) {
                    if let Some(slot) = cube.get_mut(position) {
                        slot.retain(|x| x != v);
                    }
                }
            }
        }
        for (i, c) in cells.iter().enumerate() {
            if matches(&cube, c) {
                if let Some(flag) = covered.get_mut(i) {
                    *flag = true;
                }
            }
        }
        cubes.push(cube);
    }
    cubes
        .into_iter()
        .map(|cube| {
            let constraints = active
                .iter()
                .zip(&cube)
                .zip(&values)
                .filter_map(|((dim, chosen), all_values)| {
                    if chosen.len() == all_values.len() {
                        return None;
                    }
                    dims.get(*dim)?.constraint(chosen)
                })
                .collect();
            Cube(constraints)
        })
        .collect()
}

/// Says cubes' words in a stable way for use as a grouping key.
pub(crate) fn key(cubes: &[Cube]) -> String {
    let mut out = String::new();
    for cube in cubes {
        let _ = write!(out, "{};", serde_json::to_string(cube).unwrap_or_default());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(name: &str) -> Dim {
        Dim::new(
            DimKind::Attribute(name.into()),
            vec![Class::Flag(true), Class::Flag(false)],
        )
    }

    #[test]
    fn a_dimension_that_does_not_matter_is_dropped() {
        let dims = [flag("a"), flag("b")];
        let cells: Vec<Vec<u16>> = vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1]];
        // Member exactly when a is yes.
        let member = [true, true, false, false];
        let cubes = cover(&dims, &cells, &member);
        assert_eq!(words(&cubes), "a is yes");
    }

    #[test]
    fn two_cubes_when_one_cannot_say_it() {
        let dims = [flag("a"), flag("b")];
        let cells: Vec<Vec<u16>> = vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1]];
        // a xor b.
        let member = [false, true, true, false];
        let cubes = cover(&dims, &cells, &member);
        assert_eq!(cubes.len(), 2);
        assert_eq!(
            words(&cubes),
            "a is yes and b is no; or when a is no and b is yes"
        );
        assert_eq!(words(&cover(&dims, &cells, &[true; 4])), "always");
    }

    #[test]
    fn age_ranges_join() {
        let dim = Dim::new(
            DimKind::Age,
            vec![
                Class::AgeUnknown,
                Class::Age([0, 12]),
                Class::Age([13, 17]),
                Class::Age([18, 200]),
            ],
        );
        let c = dim.constraint(&[1, 2]);
        assert_eq!(
            c.as_ref().map(Constraint::words).as_deref(),
            Some("age under 18")
        );
        let c = dim.constraint(&[0, 3]);
        assert_eq!(
            c.as_ref().map(Constraint::words).as_deref(),
            Some("age 18 or over or age unknown")
        );
    }

    #[test]
    fn other_text_reads_as_not() {
        let literals = vec!["EU".to_owned(), "US-CA".to_owned()];
        let mut dim = Dim::new(
            DimKind::Attribute("jurisdiction".into()),
            vec![
                Class::Text("EU".into()),
                Class::Text("US-CA".into()),
                Class::OtherText(literals),
            ],
        );
        dim.absent = vec![false, false, true];
        let c = dim.constraint(&[0, 2]);
        assert_eq!(
            c.as_ref().map(Constraint::words).as_deref(),
            Some("jurisdiction is not \"US-CA\"")
        );
    }
}
