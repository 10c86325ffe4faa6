//! The decision space, enumerated: which versions face each other, the classes
//! of names that decide alike, the cells of each class, and what both policies
//! decide for a representative request of each cell.
//!
//! A request is its names (action, role, data category, purpose, party), its
//! condition cell (attributes, age, consent; see `when` and `consent`) and, when
//! whole folders are compared, the version its `collected_at` selects on each
//! side. The engine reads a request's category and party only through the rules
//! whose names they meet, the recipient's declaration and what the version
//! declares ([`Signature`]); so requests whose names meet the same on both sides
//! form a *class* and are decided alike cell by cell. Each class is enumerated
//! over the product of the dimensions its rules read: nothing else can change a
//! decision inside it.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use rustc_hash::FxHashMap;

use lawful_core::condition::Condition;
use lawful_core::model::{Children, PolicyModel, VersionModel};
use lawful_core::request::MAX_AGE;
use lawful_core::vocab::AGE;
use lawful_core::{DecisionKey, ResolvedRequest, Timestamp, Value, ValueType};

use super::consent::{self, Scenario};
use super::side::{Candidates, Ids, Side, Signature};
use super::when::{Class, ConsentCase, Dim, DimKind, Interval, Period};
use super::{DiffError, DiffOptions};
use crate::{Action, Decision, Policy};

/// The most cells one class of names may have.
const MAX_CELLS: usize = 1 << 16;
/// The most texts a set-of-text attribute's conditions may ask about.
const MAX_SET_TEXTS: usize = 10;

/// Which versions face each other, and for which collection dates.
pub(crate) struct Plan {
    pub(crate) old: Policy,
    pub(crate) new: Policy,
    pub(crate) pairs: Vec<Pair>,
    /// Each span of collection dates (`None`: no date) and the pair deciding it.
    pub(crate) periods: Vec<(Option<Period>, usize)>,
    /// Whether `collected_at` is part of the comparison (whole folders).
    pub(crate) by_date: bool,
    /// The instant every request is asked at.
    pub(crate) at: Timestamp,
    pub(crate) versions_added: Vec<String>,
    pub(crate) versions_removed: Vec<String>,
}

/// Two versions facing each other (`None`: before the first version).
pub(crate) struct Pair {
    pub(crate) old: Option<usize>,
    pub(crate) new: Option<usize>,
    /// A `collected_at` that selects both.
    pub(crate) collected_at: Option<Timestamp>,
    /// Whether the two versions say the same (labels aside).
    pub(crate) same_rules: bool,
}

fn version_names(policy: &Policy) -> Vec<String> {
    policy.versions().into_iter().map(|v| v.name).collect()
}

fn find_version(policy: &Policy, name: &str, side: &'static str) -> Result<usize, DiffError> {
    let names = version_names(policy);
    names
        .iter()
        .position(|n| n == name)
        .ok_or_else(|| DiffError::UnknownVersion {
            side,
            name: name.to_owned(),
            known: names.clone(),
        })
}

/// The policy holding only the version at `index` (the same vocabulary).
fn only_version(policy: &Policy, index: usize) -> Result<Policy, DiffError> {
    if policy.versions().len() == 1 {
        return Ok(policy.clone());
    }
    let model = policy
        .core()
        .version_models()
        .nth(index)
        .cloned()
        .ok_or_else(|| DiffError::Internal("a version vanished".to_owned()))?;
    let inner = lawful_core::Policy::compile(PolicyModel {
        vocabulary: policy.vocabulary().clone(),
        versions: vec![model],
    })
    .map_err(|e| DiffError::Internal(e.to_string()))?;
    Ok(Policy {
        inner,
        warnings: Vec::new(),
        // One version of the policy: the whole policy's sources produced it.
        digest: policy.digest.clone(),
        omitted_warnings: 0,
        labels: policy.labels.clone(),
    })
}

/// Index of the version in force for data collected at `at` (versions oldest first).
fn select(effective: &[Timestamp], at: Option<Timestamp>) -> Option<usize> {
    match at {
        None => effective.len().checked_sub(1),
        Some(at) => effective.partition_point(|e| *e <= at).checked_sub(1),
    }
}

fn day_before(t: Timestamp) -> Timestamp {
    Timestamp::from_unix(t.unix_seconds() - 86_400, 0).unwrap_or(t)
}

/// Decides which versions face each other.
///
/// - Both sides hold one version (or name one with `@`): those two versions,
///   whatever their names; requests carry no `collected_at`.
/// - One side names a version, or holds only one, and the other holds several
///   including one of that name: that one.
/// - Neither names one and a side holds several: whole policies, with
///   `collected_at` as one more dimension, cut at every version's first day.
pub(crate) fn plan(
    old: &Policy,
    old_version: Option<&str>,
    new: &Policy,
    new_version: Option<&str>,
) -> Result<Plan, DiffError> {
    let old_names = version_names(old);
    let new_names = version_names(new);
    let fixed = Timestamp::from_date(2026, 3, 1).unwrap_or_else(Timestamp::now);
    // A single version against a folder that has a version of its name: those two.
    let single = |names: &[String], other: &[String]| match names {
        [only] if other.len() > 1 && other.contains(only) => Some(only.clone()),
        _ => None,
    };
    let (old_single, new_single) = (
        single(&old_names, &new_names),
        single(&new_names, &old_names),
    );
    let old_version = old_version.or(new_single.as_deref());
    let new_version = new_version.or(old_single.as_deref());
    if old_version.is_none()
        && new_version.is_none()
        && (old_names.len() > 1 || new_names.len() > 1)
    {
        return plan_by_date(old, new, fixed);
    }
    let pick = |policy: &Policy,
                names: &[String],
                named: Option<&str>,
                other: Option<&str>,
                side: &'static str|
     -> Result<usize, DiffError> {
        match (named, names.len()) {
            (Some(name), _) => find_version(policy, name, side),
            (None, 1) => Ok(0),
            (None, _) => match other {
                Some(name) if names.iter().any(|n| n == name) => find_version(policy, name, side),
                _ => Err(DiffError::AmbiguousVersion {
                    side,
                    known: names.to_vec(),
                }),
            },
        }
    };
    let o = pick(old, &old_names, old_version, new_version, "old")?;
    let n = pick(new, &new_names, new_version, old_version, "new")?;
    let old = only_version(old, o)?;
    let new = only_version(new, n)?;
    let effective = old
        .versions()
        .into_iter()
        .chain(new.versions())
        .map(|v| v.effective)
        .max();
    let at = effective.map_or(fixed, |e| later(fixed, e));
    let same_rules = same_rules(&Side::new(&old, Some(0)), &Side::new(&new, Some(0)));
    Ok(Plan {
        old,
        new,
        pairs: vec![Pair {
            old: Some(0),
            new: Some(0),
            collected_at: None,
            same_rules,
        }],
        periods: vec![(None, 0)],
        by_date: false,
        at,
        versions_added: Vec::new(),
        versions_removed: Vec::new(),
    })
}

/// `fixed`, or 60 days after `effective` when that is later.
fn later(fixed: Timestamp, effective: Timestamp) -> Timestamp {
    let after =
        Timestamp::from_unix(effective.unix_seconds() + 60 * 86_400, 0).unwrap_or(effective);
    if after > fixed { after } else { fixed }
}

fn plan_by_date(old: &Policy, new: &Policy, fixed: Timestamp) -> Result<Plan, DiffError> {
    let old_effective: Vec<Timestamp> = old.versions().iter().map(|v| v.effective).collect();
    let new_effective: Vec<Timestamp> = new.versions().iter().map(|v| v.effective).collect();
    let mut bounds: Vec<Timestamp> = old_effective
        .iter()
        .chain(&new_effective)
        .copied()
        .collect();
    bounds.sort();
    bounds.dedup();
    let at = bounds.last().map_or(fixed, |e| later(fixed, *e));
    let mut spans: Vec<(Option<Period>, Option<Timestamp>)> = Vec::new();
    if let Some(first) = bounds.first() {
        spans.push((
            Some(Period {
                from: None,
                before: Some(*first),
            }),
            Some(day_before(*first)),
        ));
    }
    for (i, from) in bounds.iter().enumerate() {
        spans.push((
            Some(Period {
                from: Some(*from),
                before: bounds.get(i + 1).copied(),
            }),
            Some(*from),
        ));
    }
    spans.push((None, None));
    if spans.len() > 64 {
        return Err(DiffError::TooLarge(format!(
            "the two policies have {} versions between them; at most 62 can be compared by collection date",
            bounds.len()
        )));
    }
    let mut pairs: Vec<Pair> = Vec::new();
    let mut periods = Vec::new();
    for (period, sample) in spans {
        let o = select(&old_effective, sample);
        let n = select(&new_effective, sample);
        if o.is_none() && n.is_none() {
            continue;
        }
        let index = match pairs.iter().position(|p| p.old == o && p.new == n) {
            Some(i) => i,
            None => {
                let same = same_rules(&Side::new(old, o), &Side::new(new, n));
                pairs.push(Pair {
                    old: o,
                    new: n,
                    collected_at: sample,
                    same_rules: same,
                });
                pairs.len() - 1
            }
        };
        periods.push((period, index));
    }
    let old_names = version_names(old);
    let new_names = version_names(new);
    Ok(Plan {
        old: old.clone(),
        new: new.clone(),
        pairs,
        periods,
        by_date: true,
        at,
        versions_added: new_names
            .iter()
            .filter(|n| !old_names.contains(n))
            .cloned()
            .collect(),
        versions_removed: old_names
            .iter()
            .filter(|n| !new_names.contains(n))
            .cloned()
            .collect(),
    })
}

/// Whether two versions say the same, labels aside: then they decide every
/// request both can read alike.
fn same_rules(old: &Side<'_>, new: &Side<'_>) -> bool {
    match (old.version, new.version) {
        (Some(a), Some(b)) => canonical(old, a) == canonical(new, b),
        _ => false,
    }
}

fn names<T>(scope: &lawful_core::model::Scope<T>, name: &dyn Fn(&T) -> String) -> String {
    match scope.listed() {
        None => "*".to_owned(),
        Some(list) => list.iter().map(name).collect::<Vec<_>>().join(","),
    }
}

/// A version's meaning as text, with names instead of ids and without labels.
fn canonical(side: &Side<'_>, version: &VersionModel) -> String {
    let v = side.vocab();
    let mut declared = side.declared();
    for names in &mut declared {
        names.sort();
    }
    let attributes: BTreeMap<&str, (ValueType, Option<String>)> = version
        .attributes
        .iter()
        .map(|(a, d)| {
            (
                v.attribute_name(*a),
                (v.attribute_type(*a), d.as_ref().map(ToString::to_string)),
            )
        })
        .collect();
    let condition = |c: &Option<Condition>| {
        let mut text = String::new();
        if let Some(c) = c {
            let _ = c.write(&mut text, v);
        }
        text
    };
    let target = |t: &lawful_core::model::Target| {
        format!(
            "{}|{}|{}|{}|{}",
            names(&t.roles, &|r| v.role_name(*r).to_owned()),
            names(&t.categories, &|c| v.category_name(*c).to_owned()),
            names(&t.purposes, &|p| v.purpose_name(*p).to_owned()),
            t.parties
                .as_ref()
                .map(|p| names(p, &|x| v.party_name(*x).to_owned()))
                .unwrap_or_default(),
            condition(&t.condition)
        )
    };
    let obligations = |list: &[lawful_core::model::Obligation]| {
        list.iter()
            .map(|o| format!("{}:{:?}", v.obligation_name(o.kind), o.within_days))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut out = format!("{declared:?}{attributes:?}\n");
    for rule in &version.rules {
        out += &format!(
            "rule {} {:?} {} [{}] {} {:?}\n",
            rule.id,
            rule.effect,
            target(&rule.target),
            rule.exceptions
                .iter()
                .map(target)
                .collect::<Vec<_>>()
                .join(";"),
            obligations(&rule.obligations),
            rule.cites
        );
    }
    for party in &version.parties {
        out += &format!(
            "party {} {} {} {:?}\n",
            v.party_name(party.party),
            names(&party.receives, &|p| v.purpose_name(*p).to_owned()),
            obligations(&party.obligations),
            party.cites
        );
    }
    for r in &version.revocations {
        out += &format!(
            "revocation {} {} {:?} {} {:?}\n",
            r.id,
            names(&r.purposes, &|p| v.purpose_name(*p).to_owned()),
            r.kind,
            obligations(&r.obligations),
            r.cites
        );
    }
    if let Some(c) = &version.children {
        out += &format!(
            "children {} {} {} {} {:?}\n",
            c.under,
            names(&c.roles, &|r| v.role_name(*r).to_owned()),
            condition(&c.unless),
            obligations(&c.obligations),
            c.cites
        );
    }
    out
}

// ── Comparing decisions ────────────────────────────────────────────────────

/// Why a decision denies when no rule is named: not compared (the answer is
/// the same), but said, and kept apart in groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Why {
    /// A rule decided (the rule says why).
    Ruled,
    /// No rule allows the request.
    NothingAllowed,
    /// The recipient does not receive data for the purpose.
    NotReceived,
    /// The version does not declare a name the request uses.
    NotDeclared,
    /// The data predates the first version.
    NoVersion,
    /// The policy cannot read the request.
    Refused,
}

impl Why {
    fn of(reason: crate::Reason) -> Why {
        match reason {
            crate::Reason::NothingAllowed => Why::NothingAllowed,
            crate::Reason::PartyNotPermitted => Why::NotReceived,
            crate::Reason::NotInVersion => Why::NotDeclared,
            crate::Reason::BeforeFirstVersion => Why::NoVersion,
            crate::Reason::Allowed
            | crate::Reason::ForbiddenByRule
            | crate::Reason::ConsentRevoked
            | crate::Reason::Child => Why::Ruled,
        }
    }
}

/// What the diff compares of a decision: allowed, rule, basis, obligations
/// (the purpose `notify_recipients` names is always the request's, so only its
/// presence is kept) and cites; and, not compared, why a rule-less denial denies.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Compared {
    pub(crate) allowed: bool,
    pub(crate) rule: Option<String>,
    pub(crate) basis: Option<&'static str>,
    pub(crate) obligations: Vec<(String, bool, Option<u32>)>,
    pub(crate) cites: Vec<String>,
    pub(crate) why: Why,
}

impl Compared {
    pub(crate) fn of(decision: &Decision<'_>) -> Compared {
        Compared {
            allowed: decision.allowed(),
            rule: decision.rule().map(str::to_owned),
            basis: decision.basis().map(lawful_core::Basis::as_str),
            obligations: decision
                .obligations()
                .map(|o| (o.kind.to_owned(), o.purpose.is_some(), o.within_days))
                .collect(),
            cites: decision.cites().map(str::to_owned).collect(),
            why: Why::of(decision.reason()),
        }
    }

    /// A refused request: never an allow, no rule, nothing to do.
    pub(crate) fn refused() -> Compared {
        Compared {
            allowed: false,
            rule: None,
            basis: None,
            obligations: Vec::new(),
            cites: Vec::new(),
            why: Why::Refused,
        }
    }

    /// Whether two decisions give the same answer (everything compared).
    pub(crate) fn same_answer(&self, other: &Compared) -> bool {
        self.allowed == other.allowed
            && self.rule == other.rule
            && self.basis == other.basis
            && self.obligations == other.obligations
            && self.cites == other.cites
    }
}

/// Interns decisions as shown, so cells hold two integers; `answer` numbers
/// them again by what is compared, so two cells differ when their answers do.
#[derive(Default)]
pub(crate) struct Table {
    pub(crate) views: Vec<Compared>,
    answer: Vec<u32>,
    index: FxHashMap<Compared, u32>,
    answers: FxHashMap<Compared, u32>,
    memo: [FxHashMap<DecisionKey, u32>; 2],
}

impl Table {
    pub(crate) fn intern(&mut self, view: Compared) -> u32 {
        if let Some(id) = self.index.get(&view) {
            return *id;
        }
        let id = u32::try_from(self.views.len()).unwrap_or(u32::MAX);
        let mut plain = view.clone();
        plain.why = Why::Ruled;
        let next = u32::try_from(self.answers.len()).unwrap_or(u32::MAX);
        let answer = *self.answers.entry(plain).or_insert(next);
        self.views.push(view.clone());
        self.answer.push(answer);
        self.index.insert(view, id);
        id
    }

    fn decision(&mut self, side: usize, decision: &Decision<'_>) -> u32 {
        let key = decision.key();
        if let Some(id) = self.memo.get(side).and_then(|m| m.get(&key)) {
            return *id;
        }
        let id = self.intern(Compared::of(decision));
        if let Some(memo) = self.memo.get_mut(side) {
            memo.insert(key, id);
        }
        id
    }

    pub(crate) fn view(&self, id: u32) -> Option<&Compared> {
        self.views.get(id as usize)
    }

    /// Whether two interned decisions give the same answer.
    pub(crate) fn same(&self, a: u32, b: u32) -> bool {
        self.answer.get(a as usize) == self.answer.get(b as usize)
    }
}

// ── Classes and their cells ────────────────────────────────────────────────

/// What one tuple of a block puts into a request.
#[derive(Clone, Debug)]
pub(crate) enum Rep {
    /// An attribute's value, or leaving it out.
    Attribute(String, Option<Value>),
    /// The subject's age, or leaving it out.
    Age(Option<u32>),
    /// Consents and revocations.
    Consent(Rc<Scenario>),
    /// A subject the child rule does (an age and attributes) or does not
    /// (no age) apply to.
    Child(Option<u32>, Vec<(String, Option<Value>)>),
}

/// Each combination of classes a block's dimensions take, with what it puts
/// into a request.
pub(crate) type Tuples = Vec<(Vec<u16>, Rep)>;

/// Dimensions that vary together (a set's texts; the consent features), with
/// every combination of classes that exists.
#[derive(Clone, Debug)]
pub(crate) struct Block {
    pub(crate) dims: Vec<usize>,
    pub(crate) tuples: Tuples,
}

/// One class of names and what both sides decide in each of its cells.
pub(crate) struct ClassResult {
    pub(crate) pair: usize,
    pub(crate) action: Action,
    pub(crate) role: String,
    pub(crate) purpose: String,
    /// (category, party) of every request name in the class.
    pub(crate) members: Vec<(String, Option<String>)>,
    pub(crate) dims: Vec<Dim>,
    pub(crate) blocks: Vec<Block>,
    /// For each cell, the tuple of each block.
    pub(crate) cells: Vec<Vec<u16>>,
    /// For each cell, the compared decision of each side.
    pub(crate) outcomes: Vec<[u32; 2]>,
}

impl ClassResult {
    /// A cell's class in each dimension.
    pub(crate) fn values(&self, cell: usize) -> Vec<u16> {
        let mut values = vec![0; self.dims.len()];
        if let Some(tuples) = self.cells.get(cell) {
            for (block, t) in self.blocks.iter().zip(tuples) {
                if let Some((tuple, _)) = block.tuples.get(usize::from(*t)) {
                    for (dim, value) in block.dims.iter().zip(tuple) {
                        if let Some(slot) = values.get_mut(*dim) {
                            *slot = *value;
                        }
                    }
                }
            }
        }
        values
    }

    /// What a cell puts into a request.
    pub(crate) fn reps(&self, cell: usize) -> Vec<&Rep> {
        let Some(tuples) = self.cells.get(cell) else {
            return Vec::new();
        };
        self.blocks
            .iter()
            .zip(tuples)
            .filter_map(|(block, t)| block.tuples.get(usize::from(*t)).map(|(_, rep)| rep))
            .collect()
    }
}

/// Everything enumerated.
pub(crate) struct Evaluation {
    pub(crate) table: Table,
    /// The classes where some cell is decided differently.
    pub(crate) classes: Vec<ClassResult>,
    /// Representative requests decided (each by both sides).
    pub(crate) requests: u64,
    /// Requests of the space they stand for (names × cells).
    pub(crate) cases: u64,
}

/// The attributes, age and consents a class's rules read.
#[derive(Default)]
struct Reads {
    attributes: BTreeMap<String, AttributeReads>,
    age: bool,
    age_cuts: BTreeSet<u32>,
    consent_to: BTreeSet<String>,
}

#[derive(Default)]
struct AttributeReads {
    texts: BTreeSet<String>,
    numbers: Vec<f64>,
    contains: BTreeSet<String>,
}

impl Reads {
    fn condition(&mut self, side: &Side<'_>, condition: &Condition) {
        let v = side.vocab();
        let name = |a| v.attribute_name(a).to_owned();
        match condition {
            Condition::Flag(a) => {
                self.attributes.entry(name(*a)).or_default();
            }
            Condition::Compare(a, _, literal) if *a == AGE => {
                self.age = true;
                if let Value::Number(n) = literal {
                    self.age_cut(*n);
                }
            }
            Condition::Compare(a, _, literal) => {
                let entry = self.attributes.entry(name(*a)).or_default();
                match literal {
                    Value::Number(n) => entry.numbers.push(*n),
                    Value::Text(t) => {
                        entry.texts.insert(t.to_string());
                    }
                    Value::YesNo(_) | Value::TextSet(_) => {}
                }
            }
            Condition::OneOf(a, texts) => {
                let entry = self.attributes.entry(name(*a)).or_default();
                entry.texts.extend(texts.iter().map(ToString::to_string));
            }
            Condition::Contains(a, text) => {
                let entry = self.attributes.entry(name(*a)).or_default();
                entry.contains.insert(text.to_string());
            }
            Condition::Consent(p) => {
                self.consent_to.insert(v.purpose_name(*p).to_owned());
            }
            Condition::Not(inner) => self.condition(side, inner),
            Condition::And(a, b) | Condition::Or(a, b) => {
                self.condition(side, a);
                self.condition(side, b);
            }
        }
    }

    /// Ages are whole years: `age op n` splits them where the answer changes.
    fn age_cut(&mut self, n: f64) {
        if !n.is_finite() || n < 0.0 || n > f64::from(MAX_AGE) {
            return;
        }
        let floor = n.floor();
        // INVARIANT: 0 <= n <= MAX_AGE, so these fit in u32.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "0 <= n <= MAX_AGE"
        )]
        let whole = floor as u32;
        if floor == n {
            self.age_cuts.insert(whole);
            self.age_cuts.insert(whole + 1);
        } else {
            self.age_cuts.insert(whole + 1);
        }
    }

    /// What one side's rules for a request read (the child rule aside).
    fn rules(&mut self, side: &Side<'_>, signature: &Signature) {
        let Signature::Rules { denies, allows, .. } = signature else {
            return;
        };
        for (position, exceptions) in denies {
            if let Some(rule) = side.rule(*position) {
                if let Some(c) = &rule.target.condition {
                    self.condition(side, c);
                }
                for e in exceptions.iter().filter_map(|e| rule.exceptions.get(*e)) {
                    if let Some(c) = &e.condition {
                        self.condition(side, c);
                    }
                }
            }
        }
        for position in allows {
            if let Some(c) = side
                .rule(*position)
                .and_then(|r| r.target.condition.as_ref())
            {
                self.condition(side, c);
            }
        }
    }

    /// What a child rule reads: the age, cut at its threshold, and its lifting condition.
    fn child(&mut self, side: &Side<'_>, children: &Children) {
        self.age = true;
        self.age_cuts.insert(children.under);
        if let Some(unless) = &children.unless {
            self.condition(side, unless);
        }
    }
}

/// The child rule a side applies to a class's requests, if any (a side that
/// refuses them or has no version never gets that far).
fn child_rule<'a>(side: &Side<'a>, signature: &Signature, role: &str) -> Option<&'a Children> {
    if matches!(signature, Signature::Refused | Signature::NoVersion)
        || !side.child_rule_covers(role)
    {
        return None;
    }
    side.version?.children.as_ref()
}

/// The condition as written, with the side's names.
fn written(side: &Side<'_>, condition: Option<&Condition>) -> Option<String> {
    let mut text = String::new();
    condition?.write(&mut text, side.vocab()).ok()?;
    Some(text)
}

/// What a request's attributes say, for evaluating a lifting condition.
struct Assigned<'a, 'b> {
    side: &'b Side<'a>,
    values: &'b BTreeMap<String, Value>,
}

impl lawful_core::condition::Facts for Assigned<'_, '_> {
    fn attribute(&self, id: lawful_core::ids::AttributeId) -> Option<&Value> {
        if id == AGE {
            return None;
        }
        let name = self.side.vocab().attribute_name(id);
        self.values.get(name).or_else(|| self.side.default_of(name))
    }
    fn consent(&self, _purpose: lawful_core::ids::PurposeId) -> bool {
        false
    }
}

/// Whether a side's child rule applies to a subject with these attributes.
pub(crate) fn is_child(
    side: &Side<'_>,
    children: &Children,
    age: Option<u32>,
    values: &BTreeMap<String, Value>,
) -> bool {
    let Some(age) = age else { return false };
    let facts = Assigned { side, values };
    age < children.under
        && !children
            .unless
            .as_ref()
            .is_some_and(|c| c.evaluate(&facts) == lawful_core::condition::Truth::True)
}

/// When both sides apply the same child rule, and nothing else reads the age or
/// what lifts the rule, all that matters of them is whether the subject is a
/// child: one dimension with a representative request for each answer.
fn child_block(
    sides: &[Side<'_>; 2],
    signatures: &[Signature; 2],
    role: &str,
    rules: &Reads,
) -> Option<(Dim, Tuples)> {
    let [old, new] = sides;
    let (Some(a), Some(b)) = (
        child_rule(old, &signatures[0], role),
        child_rule(new, &signatures[1], role),
    ) else {
        return None;
    };
    let unless = written(new, b.unless.as_ref());
    if a.under != b.under || written(old, a.unless.as_ref()) != unless || rules.age {
        return None;
    }
    let mut lifting = Reads::default();
    if let Some(c) = &b.unless {
        lifting.condition(new, c);
    }
    let shared = lifting.attributes.keys().all(|name| {
        !rules.attributes.contains_key(name) && old.default_of(name) == new.default_of(name)
    });
    if !shared || lifting.age || !lifting.consent_to.is_empty() {
        return None;
    }
    let not_child = (vec![0], Rep::Child(None, Vec::new()));
    let kind = DimKind::Child {
        under: b.under,
        unless: unless.clone(),
    };
    let age = b.under.checked_sub(1);
    // A child: under the threshold, with attributes that do not lift the rule.
    let mut child = None;
    if let Some(age) = age {
        let empty = ConsentBlock {
            dims: Vec::new(),
            tuples: vec![(Vec::new(), Rep::Age(None))],
        };
        let (_, blocks) = blocks_for(&lifting, sides, &empty).ok()?;
        let sizes: Vec<usize> = blocks.iter().map(|b| b.tuples.len()).collect();
        let total: usize = sizes.iter().product();
        for n in 0..total.min(MAX_CELLS) {
            let mut rest = n;
            let mut values: BTreeMap<String, Value> = BTreeMap::new();
            let mut given: Vec<(String, Option<Value>)> = Vec::new();
            for (block, size) in blocks.iter().zip(&sizes).rev() {
                let t = rest % size;
                rest /= size;
                if let Some((_, Rep::Attribute(name, value))) = block.tuples.get(t) {
                    if let Some(v) = value {
                        values.insert(name.clone(), v.clone());
                    }
                    given.push((name.clone(), value.clone()));
                }
            }
            if is_child(old, a, Some(age), &values) && is_child(new, b, Some(age), &values) {
                child = Some((vec![1], Rep::Child(Some(age), given)));
                break;
            }
        }
    }
    let mut classes = vec![Class::Child(false)];
    let mut tuples = vec![not_child];
    if let Some(c) = child {
        classes.push(Class::Child(true));
        tuples.push(c);
    }
    Some((Dim::new(kind, classes), tuples))
}

/// The type of an attribute, as the new side (else the old) declares it.
fn attribute_type(sides: &[Side<'_>; 2], name: &str) -> Option<ValueType> {
    sides.iter().rev().find_map(|s| {
        s.vocab()
            .attribute(name)
            .map(|a| s.vocab().attribute_type(a))
    })
}

/// The default both sides give an attribute, when they give the same.
fn shared_default(sides: &[Side<'_>; 2], name: &str) -> Option<Value> {
    let [old, new] = sides;
    match (old.default_of(name), new.default_of(name)) {
        (Some(a), Some(b)) if a == b => Some(a.clone()),
        _ => None,
    }
}

/// A text none of the literals is.
fn other_text(literals: &BTreeSet<String>) -> String {
    let mut candidate = "other".to_owned();
    let mut n = 1;
    while literals.contains(&candidate) {
        candidate = format!("other-{n}");
        n += 1;
    }
    candidate
}

/// The blocks of dimensions a class's reads call for.
fn blocks_for(
    reads: &Reads,
    sides: &[Side<'_>; 2],
    consent_block: &ConsentBlock,
) -> Result<(Vec<Dim>, Vec<Block>), DiffError> {
    let mut dims: Vec<Dim> = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut push = |dims_here: Vec<Dim>, tuples: Tuples| {
        let start = dims.len();
        let count = dims_here.len();
        dims.extend(dims_here);
        blocks.push(Block {
            dims: (start..start + count).collect(),
            tuples,
        });
    };
    if reads.age {
        let (dim, tuples) = age_dim(&reads.age_cuts);
        push(vec![dim], tuples);
    }
    for (name, read) in &reads.attributes {
        let Some(kind) = attribute_type(sides, name) else {
            continue;
        };
        let default = shared_default(sides, name);
        let (dims_here, tuples) = match kind {
            ValueType::YesNo => flag_dim(name, default.as_ref()),
            ValueType::Text => text_dim(name, &read.texts, default.as_ref()),
            ValueType::Number => number_dim(name, &read.numbers, default.as_ref()),
            ValueType::TextSet => set_dims(name, &read.contains, default.as_ref())?,
        };
        push(dims_here, tuples);
    }
    push(consent_block.dims.clone(), consent_block.tuples.clone());
    Ok((dims, blocks))
}

fn age_dim(cuts: &BTreeSet<u32>) -> (Dim, Tuples) {
    let mut classes = vec![Class::AgeUnknown];
    let mut reps = vec![Rep::Age(None)];
    let mut from = 0;
    for cut in cuts.iter().copied().filter(|c| *c > 0 && *c <= MAX_AGE) {
        classes.push(Class::Age([from, cut - 1]));
        reps.push(Rep::Age(Some(from)));
        from = cut;
    }
    classes.push(Class::Age([from, MAX_AGE]));
    reps.push(Rep::Age(Some(from)));
    let tuples = reps
        .into_iter()
        .enumerate()
        .map(|(i, rep)| (vec![u16::try_from(i).unwrap_or(u16::MAX)], rep))
        .collect();
    (Dim::new(DimKind::Age, classes), tuples)
}

/// One dimension whose classes each have a representative value (`None`: absent).
fn simple(
    name: &str,
    classes: Vec<(Class, Option<Value>)>,
    default: Option<&Value>,
    holds: &dyn Fn(&Class, &Value) -> bool,
) -> (Vec<Dim>, Tuples) {
    let mut dim_classes = Vec::new();
    let mut absent = Vec::new();
    let mut tuples = Vec::new();
    for (class, value) in classes {
        let merged = default.is_some_and(|d| holds(&class, d));
        let rep = if merged { None } else { value };
        tuples.push((
            vec![u16::try_from(dim_classes.len()).unwrap_or(u16::MAX)],
            Rep::Attribute(name.to_owned(), rep),
        ));
        dim_classes.push(class);
        absent.push(merged);
    }
    if default.is_none() {
        tuples.push((
            vec![u16::try_from(dim_classes.len()).unwrap_or(u16::MAX)],
            Rep::Attribute(name.to_owned(), None),
        ));
        dim_classes.push(Class::Absent);
        absent.push(false);
    }
    let mut dim = Dim::new(DimKind::Attribute(name.to_owned()), dim_classes);
    dim.absent = absent;
    (vec![dim], tuples)
}

fn flag_dim(name: &str, default: Option<&Value>) -> (Vec<Dim>, Tuples) {
    simple(
        name,
        vec![
            (Class::Flag(true), Some(Value::YesNo(true))),
            (Class::Flag(false), Some(Value::YesNo(false))),
        ],
        default,
        &|class, d| matches!((class, d), (Class::Flag(a), Value::YesNo(b)) if a == b),
    )
}

fn text_dim(name: &str, texts: &BTreeSet<String>, default: Option<&Value>) -> (Vec<Dim>, Tuples) {
    let literals: Vec<String> = texts.iter().cloned().collect();
    let mut classes: Vec<(Class, Option<Value>)> = literals
        .iter()
        .map(|t| (Class::Text(t.clone()), Some(Value::Text(t.as_str().into()))))
        .collect();
    classes.push((
        Class::OtherText(literals.clone()),
        Some(Value::Text(other_text(texts).into())),
    ));
    simple(name, classes, default, &|class, d| match (class, d) {
        (Class::Text(t), Value::Text(v)) => **t == **v,
        (Class::OtherText(list), Value::Text(v)) => !list.iter().any(|l| **l == **v),
        _ => false,
    })
}

fn number_dim(name: &str, numbers: &[f64], default: Option<&Value>) -> (Vec<Dim>, Tuples) {
    let mut points: Vec<f64> = numbers.iter().copied().filter(|n| n.is_finite()).collect();
    points.sort_by(f64::total_cmp);
    points.dedup();
    let mut classes: Vec<(Class, Option<Value>)> = Vec::new();
    let mut below: Option<f64> = None;
    for p in &points {
        let interval = Interval {
            from: below,
            from_included: false,
            to: Some(*p),
            to_included: false,
        };
        let rep = below.map_or(p - 1.0, |b| (b + p) / 2.0);
        classes.push((Class::Number(interval), Some(Value::Number(rep))));
        classes.push((Class::Number(Interval::point(*p)), Some(Value::Number(*p))));
        below = Some(*p);
    }
    classes.push((
        Class::Number(Interval {
            from: below,
            from_included: false,
            to: None,
            to_included: false,
        }),
        Some(Value::Number(below.map_or(0.0, |b| b + 1.0))),
    ));
    simple(name, classes, default, &|class, d| match (class, d) {
        (Class::Number(r), Value::Number(v)) => r.contains(*v),
        _ => false,
    })
}

fn set_dims(
    name: &str,
    texts: &BTreeSet<String>,
    default: Option<&Value>,
) -> Result<(Vec<Dim>, Tuples), DiffError> {
    if texts.len() > MAX_SET_TEXTS {
        return Err(DiffError::TooLarge(format!(
            "conditions ask whether `{name}` contains {} different texts; at most {MAX_SET_TEXTS} can be compared exactly",
            texts.len()
        )));
    }
    let literals: Vec<&String> = texts.iter().collect();
    let holds = |t: &str| match default {
        Some(Value::TextSet(items)) => items.iter().any(|i| **i == *t),
        _ => false,
    };
    let mut dims: Vec<Dim> = literals
        .iter()
        .map(|t| {
            let mut classes = vec![Class::Has(true), Class::Has(false)];
            if default.is_none() {
                classes.push(Class::Absent);
            }
            let mut dim = Dim::new(DimKind::Contains(name.to_owned(), (*t).clone()), classes);
            if default.is_some() {
                dim.absent = vec![holds(t), !holds(t)];
            }
            dim
        })
        .collect();
    let mut tuples = Vec::new();
    for mask in 0..(1usize << literals.len()) {
        let chosen: Vec<&str> = literals
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, t)| t.as_str())
            .collect();
        let values = (0..literals.len())
            .map(|i| if mask & (1 << i) != 0 { 0 } else { 1 })
            .collect();
        let value = Value::text_set(chosen.iter().copied());
        let rep = if default == Some(&value) {
            None
        } else {
            Some(value)
        };
        tuples.push((values, Rep::Attribute(name.to_owned(), rep)));
    }
    if default.is_none() {
        tuples.push((
            vec![2; literals.len()],
            Rep::Attribute(name.to_owned(), None),
        ));
    }
    if dims.is_empty() {
        // A set attribute read by no `contains`: only given or not matters.
        dims.push(Dim::new(
            DimKind::Attribute(name.to_owned()),
            vec![Class::Has(true), Class::Absent],
        ));
        tuples = vec![
            (
                vec![0],
                Rep::Attribute(name.to_owned(), Some(Value::text_set(Vec::<String>::new()))),
            ),
            (vec![1], Rep::Attribute(name.to_owned(), None)),
        ];
    }
    Ok((dims, tuples))
}

/// The consent dimensions for one request purpose and the purposes asked about.
#[derive(Clone)]
struct ConsentBlock {
    dims: Vec<Dim>,
    tuples: Tuples,
}

fn consent_block(
    sides: &[Side<'_>; 2],
    purpose: &str,
    asked: &[String],
    at: Timestamp,
) -> Result<ConsentBlock, DiffError> {
    let found = consent::scenarios(sides, purpose, asked, at)?;
    let mut cases: Vec<ConsentCase> = Vec::new();
    let mut unknowns: Vec<[bool; 2]> = Vec::new();
    let mut rows = Vec::new();
    for (features, scenario) in found {
        let case = features.case(sides);
        let c = match cases.iter().position(|x| *x == case) {
            Some(i) => i,
            None => {
                cases.push(case);
                cases.len() - 1
            }
        };
        let u = match unknowns.iter().position(|x| *x == features.unknown) {
            Some(i) => i,
            None => {
                unknowns.push(features.unknown);
                unknowns.len() - 1
            }
        };
        rows.push((c, features.consent_to.clone(), u, scenario));
    }
    let index = |i: usize| u16::try_from(i).unwrap_or(u16::MAX);
    let mut dims = vec![Dim::new(
        DimKind::Consent,
        cases.into_iter().map(Class::Consent).collect(),
    )];
    for p in asked {
        dims.push(Dim::new(
            DimKind::ConsentTo(p.clone()),
            vec![Class::ConsentTo(true), Class::ConsentTo(false)],
        ));
    }
    let with_unknown = unknowns.len() > 1 || unknowns.iter().any(|u| u.iter().any(|x| *x));
    if with_unknown {
        dims.push(Dim::new(
            DimKind::UnknownPurposes,
            unknowns.iter().map(|u| Class::Unknown(*u)).collect(),
        ));
    }
    let tuples = rows
        .into_iter()
        .map(|(c, consent_to, u, scenario)| {
            let mut values = vec![index(c)];
            values.extend(consent_to.iter().map(|b| if *b { 0 } else { 1 }));
            if with_unknown {
                values.push(index(u));
            }
            (values, Rep::Consent(Rc::new(scenario)))
        })
        .collect();
    Ok(ConsentBlock { dims, tuples })
}

// ── Enumeration ────────────────────────────────────────────────────────────

/// Names in a stable order: the new policy's declaration order, then the old's.
fn union(old: &[String], new: &[String]) -> Vec<String> {
    let mut out: Vec<String> = new.to_vec();
    for name in old {
        if !out.contains(name) {
            out.push(name.clone());
        }
    }
    out
}

/// Enumerates every pair of versions the plan compares.
pub(crate) fn evaluate(plan: &Plan, options: &DiffOptions) -> Result<Evaluation, DiffError> {
    let mut evaluation = Evaluation {
        table: Table::default(),
        classes: Vec::new(),
        requests: 0,
        cases: 0,
    };
    for (index, pair) in plan.pairs.iter().enumerate() {
        if pair.same_rules && !options.compare_identical_versions {
            continue;
        }
        evaluate_pair(plan, index, pair, &mut evaluation)?;
    }
    Ok(evaluation)
}

fn evaluate_pair(
    plan: &Plan,
    index: usize,
    pair: &Pair,
    evaluation: &mut Evaluation,
) -> Result<(), DiffError> {
    let sides = [
        Side::new(&plan.old, pair.old),
        Side::new(&plan.new, pair.new),
    ];
    let [old_declared, new_declared] = [sides[0].declared(), sides[1].declared()];
    let mut unions = old_declared
        .iter()
        .zip(&new_declared)
        .map(|(old, new)| union(old, new));
    let mut next = || unions.next().unwrap_or_default();
    let (roles, categories, purposes, parties) = (next(), next(), next(), next());
    let mut consent_cache: FxHashMap<(String, Vec<String>), Rc<ConsentBlock>> =
        FxHashMap::default();
    for role in &roles {
        for purpose in &purposes {
            // What each category meets on each side, whatever the action and party.
            let candidates: Vec<[Candidates; 2]> = categories
                .iter()
                .map(|category| {
                    [0, 1].map(|i| {
                        let side = if i == 0 { &sides[0] } else { &sides[1] };
                        side.candidates(side.ids(role, category, purpose, None))
                    })
                })
                .collect();
            for action in [Action::Use, Action::Disclose] {
                let party_names: Vec<Option<&str>> = match action {
                    Action::Use => vec![None],
                    Action::Disclose => parties.iter().map(|p| Some(p.as_str())).collect(),
                };
                let mut classes: FxHashMap<[Signature; 2], Vec<(String, Option<String>)>> =
                    FxHashMap::default();
                let mut order: Vec<[Signature; 2]> = Vec::new();
                for (category, found) in categories.iter().zip(&candidates) {
                    for party in &party_names {
                        let signature = |side: &Side<'_>, found: &Candidates| {
                            side.signature(action, side.ids(role, category, purpose, *party), found)
                        };
                        let key = [
                            signature(&sides[0], &found[0]),
                            signature(&sides[1], &found[1]),
                        ];
                        let members = classes.entry(key.clone()).or_insert_with(|| {
                            order.push(key);
                            Vec::new()
                        });
                        members.push((category.clone(), party.map(str::to_owned)));
                    }
                }
                for key in order {
                    let Some(members) = classes.remove(&key) else {
                        continue;
                    };
                    let class = Class0 {
                        pair: index,
                        collected_at: pair.collected_at,
                        action,
                        role,
                        purpose,
                        members,
                        signatures: &key,
                    };
                    evaluate_class(plan, &sides, class, &mut consent_cache, evaluation)?;
                }
            }
        }
    }
    Ok(())
}

/// A class before its cells are known.
struct Class0<'a> {
    pair: usize,
    collected_at: Option<Timestamp>,
    action: Action,
    role: &'a str,
    purpose: &'a str,
    members: Vec<(String, Option<String>)>,
    signatures: &'a [Signature; 2],
}

/// Consents or revocations, resolved to one side's ids.
type Events = Vec<(lawful_core::ids::PurposeId, Timestamp)>;

/// One side's view of a class: the names' ids and each block's pieces
/// (`None`: the side refuses the class's requests).
type SideView = Option<(Ids, Vec<Vec<Option<Piece>>>)>;

/// What a block's tuple puts into a request on one side: `None` when the side
/// refuses it (it names something the side does not know).
#[derive(Clone)]
enum Piece {
    Attribute(Option<(lawful_core::ids::AttributeId, Value)>),
    Age(Option<u32>),
    Consent(Rc<(Events, Events)>),
    Child(Option<u32>, Vec<(lawful_core::ids::AttributeId, Value)>),
}

fn piece(side: &Side<'_>, rep: &Rep) -> Option<Piece> {
    let v = side.vocab();
    match rep {
        Rep::Age(age) => Some(Piece::Age(*age)),
        Rep::Attribute(_, None) => Some(Piece::Attribute(None)),
        Rep::Attribute(name, Some(value)) => {
            let id = v.attribute(name).filter(|a| *a != AGE)?;
            Some(Piece::Attribute(Some((id, value.clone()))))
        }
        Rep::Child(age, given) => {
            let mut values = Vec::new();
            for (name, value) in given {
                if let Some(value) = value {
                    values.push((v.attribute(name).filter(|a| *a != AGE)?, value.clone()));
                }
            }
            Some(Piece::Child(*age, values))
        }
        Rep::Consent(scenario) => {
            let resolve = |events: &[(String, Timestamp)]| {
                events
                    .iter()
                    .map(|(p, t)| Some((v.purpose(p)?, *t)))
                    .collect::<Option<Vec<_>>>()
            };
            Some(Piece::Consent(Rc::new((
                resolve(&scenario.consents)?,
                resolve(&scenario.revocations)?,
            ))))
        }
    }
}

fn evaluate_class(
    plan: &Plan,
    sides: &[Side<'_>; 2],
    class: Class0<'_>,
    consent_cache: &mut FxHashMap<(String, Vec<String>), Rc<ConsentBlock>>,
    evaluation: &mut Evaluation,
) -> Result<(), DiffError> {
    let mut reads = Reads::default();
    for (side, signature) in sides.iter().zip(class.signatures) {
        reads.rules(side, signature);
    }
    let child = child_block(sides, class.signatures, class.role, &reads);
    if child.is_none() {
        for (side, signature) in sides.iter().zip(class.signatures) {
            if let Some(children) = child_rule(side, signature, class.role) {
                reads.child(side, children);
            }
        }
    }
    let asked: Vec<String> = reads.consent_to.iter().cloned().collect();
    let key = (class.purpose.to_owned(), asked.clone());
    let block = match consent_cache.get(&key) {
        Some(b) => Rc::clone(b),
        None => {
            let b = Rc::new(consent_block(sides, class.purpose, &asked, plan.at)?);
            consent_cache.insert(key, Rc::clone(&b));
            b
        }
    };
    let (mut dims, mut blocks) = blocks_for(&reads, sides, &block)?;
    if let Some((dim, tuples)) = child {
        for b in &mut blocks {
            for d in &mut b.dims {
                *d += 1;
            }
        }
        dims.insert(0, dim);
        blocks.insert(
            0,
            Block {
                dims: vec![0],
                tuples,
            },
        );
    }
    let sizes: Vec<usize> = blocks.iter().map(|b| b.tuples.len()).collect();
    let total = sizes.iter().try_fold(1usize, |acc, n| {
        acc.checked_mul(*n).filter(|t| *t <= MAX_CELLS)
    });
    let Some(total) = total else {
        return Err(DiffError::TooLarge(format!(
            "requests by {}s for `{}` depend on more combinations of attributes and consents than can be compared exactly (at most {MAX_CELLS})",
            class.role, class.purpose
        )));
    };
    // Each side's view of the class: the names' ids and every block's pieces.
    let (category, party) = class
        .members
        .first()
        .map(|(c, p)| (c.as_str(), p.as_deref()))
        .unwrap_or_default();
    let prepared: Vec<SideView> = sides
        .iter()
        .map(|side| {
            let ids = side.ids(class.role, category, class.purpose, party)?;
            let pieces = blocks
                .iter()
                .map(|b| b.tuples.iter().map(|(_, rep)| piece(side, rep)).collect())
                .collect();
            Some((ids, pieces))
        })
        .collect();
    let refused = evaluation.table.intern(Compared::refused());
    let mut cells = Vec::with_capacity(total);
    let mut outcomes = Vec::with_capacity(total);
    let mut differs = false;
    let mut tuple = vec![0u16; blocks.len()];
    for n in 0..total {
        let mut rest = n;
        for (slot, size) in tuple.iter_mut().zip(&sizes).rev() {
            *slot = u16::try_from(rest % size).unwrap_or(0);
            rest /= size;
        }
        let mut outcome = [refused; 2];
        for (i, (side, view)) in sides.iter().zip(&prepared).enumerate() {
            let Some((ids, pieces)) = view else { continue };
            let Some(request) = assemble(
                class.action,
                *ids,
                pieces,
                &tuple,
                plan.at,
                class.collected_at,
            ) else {
                continue;
            };
            let decided = match side.policy.prepare_resolved(request) {
                Ok(prepared) => side
                    .policy
                    .decide_prepared(&prepared)
                    .map(|d| evaluation.table.decision(i, &d))
                    .unwrap_or(refused),
                Err(_) => refused,
            };
            if let Some(slot) = outcome.get_mut(i) {
                *slot = decided;
            }
        }
        evaluation.requests += 1;
        differs |= !evaluation.table.same(outcome[0], outcome[1]);
        cells.push(tuple.clone());
        outcomes.push(outcome);
    }
    evaluation.cases += (class.members.len() * total) as u64;
    if differs {
        evaluation.classes.push(ClassResult {
            pair: class.pair,
            action: class.action,
            role: class.role.to_owned(),
            purpose: class.purpose.to_owned(),
            members: class.members,
            dims,
            blocks,
            cells,
            outcomes,
        });
    }
    Ok(())
}

/// The request a cell stands for on one side; `None` when the side refuses it.
fn assemble(
    action: Action,
    ids: Ids,
    pieces: &[Vec<Option<Piece>>],
    tuple: &[u16],
    at: Timestamp,
    collected_at: Option<Timestamp>,
) -> Option<ResolvedRequest> {
    let mut request = ResolvedRequest {
        action,
        role: ids.role,
        data: vec![ids.category],
        purpose: ids.purpose,
        party: ids.party,
        age: None,
        attributes: Vec::new(),
        consents: Vec::new(),
        revocations: Vec::new(),
        at: Some(at),
        collected_at,
    };
    for (block, t) in pieces.iter().zip(tuple) {
        match block.get(usize::from(*t))?.as_ref()? {
            Piece::Age(age) => request.age = *age,
            Piece::Attribute(value) => request.attributes.extend(value.clone()),
            Piece::Child(age, values) => {
                request.age = *age;
                request.attributes.extend(values.iter().cloned());
            }
            Piece::Consent(events) => {
                request.consents.clone_from(&events.0);
                request.revocations.clone_from(&events.1);
            }
        }
    }
    Some(request)
}
