//! The data map: every use of personal data a version of a policy allows, and to
//! whom it may be disclosed, computed exactly from the compiled rules.
//!
//! A *use* is a role's data category used for a purpose on an allow rule's basis,
//! at the leaves of the category and purpose trees (the names a version declares
//! that have nothing declared inside them). Its conditions are what a request must
//! meet for [`Policy::decide`] to allow it, in the rule file's own words:
//!
//! - the allowing rule's `when` ("only if `provided_contact`");
//! - consent in force, for a rule resting on consent ("only with consent to …");
//! - every deny rule that overlaps the use and does not always apply ("not when
//!   `do_not_track`", "when `jurisdiction = "US-CA"`, only with consent to `sale`");
//!   a deny that always applies removes the use, and one an exception always carves
//!   out is left out;
//! - a declared opt-out of the purpose ("not once the person revokes consent to …").
//!
//! The use holds exactly when all its conditions hold; when a cell has several uses
//! (several allow rules), it is allowed when any of them holds, and the first in
//! file order is the rule `decide` reports. A use whose conditions can never hold
//! together is left out. What applies to every use of a version — the child rule —
//! is a note of the map, not a condition of each use.
//!
//! A recipient of a use is a party that receives data for the purpose; its
//! conditions are the deny-disclosure rules that overlap it, on top of the use's.
//!
//! Cells are found from the allow rules (each expanded over the leaves it covers),
//! then judged through the same rule indexes `decide` uses, so the work is
//! proportional to what the rules allow, not to every combination of names.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use rustc_hash::FxHashMap;
use serde::ser::{SerializeMap, Serializer};

use crate::compiled::{Compiled, CompiledVersion};
use crate::condition::{Condition, Facts, Truth};
use crate::consent::{ConsentState, consent_state, revocations_in_force};
use crate::ids::{AttributeId, CategoryId, NameId, PartyId, PurposeId, RoleId};
use crate::index::RuleIndex;
use crate::model::{Basis, Effect, Obligation, RevocationKind, Rule, Scope, Target};
use crate::policy::Policy;
use crate::request::{MAX_AGE, PreparedRequest, RequestError, Subject};
use crate::suggest::suggest;
use crate::time::Timestamp;
use crate::value::{Value, ValueType};
use crate::vocab::{AGE, Tree, Vocabulary};

/// The data map of one version.
#[derive(Clone, Debug, PartialEq)]
pub struct DataMap {
    /// The version's name.
    pub version: String,
    /// The day it took effect.
    pub effective: Timestamp,
    /// The policy's title.
    pub title: String,
    /// Every use, by role, then category, then purpose, in the order the version
    /// declares them; within a cell, in the order of the allow rules.
    pub uses: Vec<Use>,
    /// What holds for every use of the version (the child rule).
    pub notes: Vec<Note>,
    /// The position of the version among the policy's versions, oldest first.
    pub(crate) index: usize,
}

/// A role's data category used for a purpose: one cell of the map.
#[derive(Clone, Debug, PartialEq)]
pub struct Use {
    /// The role whose data it is.
    pub role: String,
    /// The data category (a leaf).
    pub category: String,
    /// The purpose (a leaf).
    pub purpose: String,
    /// The lawful basis of the allowing rule.
    pub basis: Basis,
    /// The allowing rule.
    pub rule: String,
    /// The sections the allowing rule cites.
    pub cites: Vec<String>,
    /// What must hold for the use to be allowed; empty when it always is.
    pub conditions: Vec<Requirement>,
    /// The parties that may receive the data for the purpose.
    pub recipients: Vec<Recipient>,
}

/// A party that may receive a use's data.
#[derive(Clone, Debug, PartialEq)]
pub struct Recipient {
    /// The party.
    pub party: String,
    /// What the party must do with what it receives.
    pub obligations: Vec<MapObligation>,
    /// The sections that name the party.
    pub cites: Vec<String>,
    /// What must hold, beyond the use's own conditions, for the disclosure.
    pub conditions: Vec<Requirement>,
}

/// An obligation, by name.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MapObligation {
    /// The obligation's name.
    pub kind: String,
    /// Its deadline in days, when the policy gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within_days: Option<u32>,
}

/// One condition of a use or a disclosure.
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement {
    /// The condition in words, quoting the rule file.
    pub text: String,
    /// The rule or revocation it comes from.
    pub rule: String,
    /// The sections that rule cites.
    pub cites: Vec<String>,
    /// What exactly must hold.
    pub kind: RequirementKind,
}

/// What a [`Requirement`] asks of a request.
#[derive(Clone, Debug, PartialEq)]
pub enum RequirementKind {
    /// The allowing rule's condition must be known to hold.
    When(Condition),
    /// The allowing rule rests on consent: consent for the purpose must be in force.
    Consent(PurposeId),
    /// A deny rule must not apply: its condition (`None`: none, it always would)
    /// known not to hold, or the condition of one of its exceptions known to hold.
    NotWhen {
        /// The deny rule's condition.
        condition: Option<Condition>,
        /// The conditions of the exceptions that cover the use.
        unless: Vec<Condition>,
    },
    /// No revocation the version declares an opt-out of this purpose may be in force.
    NoOptOut(PurposeId),
}

/// What holds for every use of a version.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    /// In words.
    pub text: String,
    /// The rule it comes from.
    pub rule: String,
    /// The sections it rests on.
    pub cites: Vec<String>,
}

/// A data map that cannot be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// No version has this name.
    #[error("the policy has no version `{given}`{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownVersion {
        /// The name asked for.
        given: String,
        /// The nearest version name.
        suggestion: Option<String>,
        /// Every version name, oldest first.
        versions: Vec<String>,
    },
    /// A role, category or purpose the policy does not declare.
    #[error("unknown {kind} `{given}`{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownName {
        /// `role`, `data category` or `purpose`.
        kind: &'static str,
        /// The name asked for.
        given: String,
        /// The nearest declared name.
        suggestion: Option<String>,
    },
    /// The version allows more cells than the limit given.
    #[error("the data map of version `{version}` has more than {limit} cells")]
    TooLarge {
        /// The version.
        version: String,
        /// The limit.
        limit: usize,
    },
}

impl serde::Serialize for DataMap {
    /// `{"version": V, "uses": [...]}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("version", &self.version)?;
        map.serialize_entry("uses", &self.uses)?;
        map.end()
    }
}

/// Conditions serialise as their words.
struct Texts<'a>(&'a [Requirement]);

impl serde::Serialize for Texts<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|r| r.text.as_str()))
    }
}

impl serde::Serialize for Use {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(8))?;
        map.serialize_entry("role", &self.role)?;
        map.serialize_entry("category", &self.category)?;
        map.serialize_entry("purpose", &self.purpose)?;
        map.serialize_entry("basis", self.basis.as_str())?;
        map.serialize_entry("rule", &self.rule)?;
        map.serialize_entry("cites", &self.cites)?;
        map.serialize_entry("conditions", &Texts(&self.conditions))?;
        map.serialize_entry("recipients", &self.recipients)?;
        map.end()
    }
}

impl serde::Serialize for Recipient {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("party", &self.party)?;
        map.serialize_entry("obligations", &self.obligations)?;
        map.serialize_entry("conditions", &Texts(&self.conditions))?;
        map.end()
    }
}

impl Use {
    /// True when the use holds for a subject who gives nothing beyond the
    /// version's defaults: it has no conditions.
    pub fn unconditional(&self) -> bool {
        self.conditions.is_empty()
    }
}

/// The cells of a version the allow rules reach, and the version's leaves.
struct Leaves {
    categories: Vec<CategoryId>,
    purposes: Vec<PurposeId>,
}

/// The names a version declares with nothing it declares inside them.
fn leaves<Id: NameId>(tree: &Tree<Id>, declared: &[Id]) -> Vec<Id> {
    let raw: BTreeSet<u32> = declared.iter().map(|d| d.raw()).collect();
    declared
        .iter()
        .copied()
        .filter(|d| {
            tree.subtree(d.raw())
                .iter()
                .all(|inner| *inner == d.raw() || !raw.contains(inner))
        })
        .collect()
}

/// The leaves inside a rule's scope (all of them for `any`), in no set order.
fn leaves_in<Id: NameId>(
    tree: &Tree<Id>,
    scope: &Scope<Id>,
    leaves: &[Id],
    is_leaf: &FxHashMap<u32, Id>,
) -> Vec<Id> {
    match scope.listed() {
        None => leaves.to_vec(),
        Some(listed) => {
            let mut found: Vec<Id> = listed
                .iter()
                .flat_map(|l| tree.subtree(l.raw()))
                .filter_map(|node| is_leaf.get(node).copied())
                .collect();
            found.sort_unstable_by_key(|id| id.raw());
            found.dedup();
            found
        }
    }
}

/// What a deny rule does to a cell.
enum Term {
    /// It never applies there.
    Never,
    /// It always applies there.
    Always,
    /// It applies unless this holds.
    Unless(Requirement),
}

/// The words of a condition, as a rule file writes it.
fn words(condition: &Condition, vocabulary: &Vocabulary) -> String {
    let mut out = String::new();
    let _ = condition.write(&mut out, vocabulary);
    out
}

/// "`a`, `b` or `c`".
fn either(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// The purpose of a `no consent to P` test.
fn no_consent(condition: &Condition) -> Option<PurposeId> {
    match condition {
        Condition::Not(inner) => match **inner {
            Condition::Consent(p) => Some(p),
            _ => None,
        },
        _ => None,
    }
}

/// The words of a requirement.
fn describe(kind: &RequirementKind, vocabulary: &Vocabulary) -> String {
    let purpose = |p: PurposeId| vocabulary.purpose_name(p).to_owned();
    match kind {
        RequirementKind::When(Condition::Consent(p)) => {
            format!("only with consent to `{}`", purpose(*p))
        }
        RequirementKind::When(c) => format!("only if `{}`", words(c, vocabulary)),
        RequirementKind::Consent(p) => format!("only with consent to `{}`", purpose(*p)),
        RequirementKind::NotWhen { condition, unless } => {
            let unless: Vec<String> = unless.iter().map(|c| words(c, vocabulary)).collect();
            let Some(condition) = condition else {
                return format!("only if {}", either(&unless));
            };
            let base = match condition {
                Condition::Not(inner) => match &**inner {
                    Condition::Consent(p) => format!("only with consent to `{}`", purpose(*p)),
                    other => format!("only if `{}`", words(other, vocabulary)),
                },
                // `X and no consent to P`: when X, P's consent is needed.
                Condition::And(a, b) => match (no_consent(a), no_consent(b)) {
                    (None, Some(p)) | (Some(p), None) => {
                        let when = if no_consent(a).is_some() { b } else { a };
                        format!(
                            "when `{}`, only with consent to `{}`",
                            words(when, vocabulary),
                            purpose(p)
                        )
                    }
                    _ => format!("not when `{}`", words(condition, vocabulary)),
                },
                other => format!("not when `{}`", words(other, vocabulary)),
            };
            if unless.is_empty() {
                base
            } else {
                format!("{base}, unless {}", either(&unless))
            }
        }
        RequirementKind::NoOptOut(p) => {
            let tree = vocabulary.purposes();
            let names: Vec<String> = tree
                .lineage(p.raw())
                .iter()
                .map(|n| tree.table().name(PurposeId(*n)).to_owned())
                .collect();
            format!("not once the person revokes consent to {}", either(&names))
        }
    }
}

/// Whether a request with these names lies inside a target (conditions aside), as
/// the evaluator judges an exception.
fn inside(
    vocabulary: &Vocabulary,
    target: &Target,
    role: RoleId,
    category: CategoryId,
    purpose: PurposeId,
    party: Option<PartyId>,
) -> bool {
    let roles = target.roles.listed().is_none_or(|r| r.contains(&role));
    let categories = target.categories.listed().is_none_or(|c| {
        c.iter()
            .any(|c| vocabulary.categories().covers(c.raw(), category.raw()))
    });
    let purposes = target.purposes.listed().is_none_or(|p| {
        p.iter()
            .any(|p| vocabulary.purposes().covers(p.raw(), purpose.raw()))
    });
    let parties = match (&target.parties, party) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(Scope::Any), Some(_)) => true,
        (Some(Scope::Only(parties)), Some(party)) => parties.contains(&party),
    };
    roles && categories && purposes && parties
}

fn strings(items: &[Box<str>]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// One version, being mapped.
struct Mapper<'a> {
    vocabulary: &'a Vocabulary,
    version: &'a CompiledVersion,
}

impl Mapper<'_> {
    fn requirement(&self, kind: RequirementKind, rule: &str, cites: &[Box<str>]) -> Requirement {
        Requirement {
            text: describe(&kind, self.vocabulary),
            rule: rule.to_owned(),
            cites: strings(cites),
            kind,
        }
    }

    /// The rules of `index` filed under the cell, in file order.
    fn rules(&self, index: &RuleIndex, cell: Cell) -> Vec<(u32, &Rule)> {
        let mut found = Vec::new();
        index.for_each(cell.role, cell.purpose, cell.category, |p| found.push(p));
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .filter_map(|p| self.version.model.rules.get(p as usize).map(|r| (p, r)))
            .collect()
    }

    /// What a deny rule does to a cell (and, for a disclosure, to a party).
    fn deny(&self, rule: &Rule, cell: Cell, party: Option<PartyId>) -> Term {
        if let (Some(Scope::Only(parties)), Some(party)) = (&rule.target.parties, party) {
            if !parties.contains(&party) {
                return Term::Never;
            }
        }
        let mut unless = Vec::new();
        for exception in &rule.exceptions {
            let covers = inside(
                self.vocabulary,
                exception,
                cell.role,
                cell.category,
                cell.purpose,
                party,
            );
            if !covers {
                continue;
            }
            match &exception.condition {
                None => return Term::Never,
                Some(c) => unless.push(c.clone()),
            }
        }
        if rule.target.condition.is_none() && unless.is_empty() {
            return Term::Always;
        }
        let kind = RequirementKind::NotWhen {
            condition: rule.target.condition.clone(),
            unless,
        };
        Term::Unless(self.requirement(kind, &rule.id, &rule.cites))
    }

    /// The conditions every deny rule of `index` puts on a cell; `None` when one
    /// always forbids it.
    fn denials(
        &self,
        index: &RuleIndex,
        cell: Cell,
        party: Option<PartyId>,
    ) -> Option<Vec<Requirement>> {
        let mut out: Vec<Requirement> = Vec::new();
        for (_, rule) in self.rules(index, cell) {
            match self.deny(rule, cell, party) {
                Term::Never => {}
                Term::Always => return None,
                Term::Unless(r) => push_new(&mut out, r),
            }
        }
        Some(out)
    }

    /// The declared opt-out of the cell's purpose, as a requirement.
    fn opt_out(&self, purpose: PurposeId) -> Option<Requirement> {
        let revocation = self
            .version
            .revocation_for(purpose)
            .and_then(|r| self.version.model.revocations.get(r as usize))
            .filter(|r| r.kind == RevocationKind::OptOut)?;
        Some(self.requirement(
            RequirementKind::NoOptOut(purpose),
            &revocation.id,
            &revocation.cites,
        ))
    }

    /// The uses of one cell.
    fn cell(&self, cell: Cell) -> Vec<Use> {
        let Some(mut denied) = self.denials(&self.version.deny_use, cell, None) else {
            return Vec::new();
        };
        if let Some(opt_out) = self.opt_out(cell.purpose) {
            push_new(&mut denied, opt_out);
        }
        let mut uses = Vec::new();
        let mut unconditional: Vec<Basis> = Vec::new();
        for (_, rule) in self.rules(&self.version.allow, cell) {
            let Effect::Allow(basis) = rule.effect else {
                continue;
            };
            // An earlier rule with no condition of its own holds whenever this one
            // does (a rule not resting on consent, or any when this one does), and
            // decides first: this one never decides.
            if unconditional
                .iter()
                .any(|b| *b != Basis::Consent || basis == Basis::Consent)
            {
                continue;
            }
            let mut conditions = Vec::new();
            if let Some(c) = &rule.target.condition {
                conditions.push(self.requirement(
                    RequirementKind::When(c.clone()),
                    &rule.id,
                    &rule.cites,
                ));
            }
            if basis == Basis::Consent {
                let consent = RequirementKind::Consent(cell.purpose);
                push_new(
                    &mut conditions,
                    self.requirement(consent, &rule.id, &rule.cites),
                );
            }
            if rule.target.condition.is_none() {
                unconditional.push(basis);
            }
            for d in &denied {
                push_new(&mut conditions, d.clone());
            }
            if self.satisfiable(cell, &[&conditions]) == Some(false) {
                continue;
            }
            let recipients = self.recipients(cell, &conditions);
            uses.push(Use {
                role: self.vocabulary.role_name(cell.role).to_owned(),
                category: self.vocabulary.category_name(cell.category).to_owned(),
                purpose: self.vocabulary.purpose_name(cell.purpose).to_owned(),
                basis,
                rule: rule.id.to_string(),
                cites: strings(&rule.cites),
                conditions,
                recipients,
            });
        }
        uses
    }

    /// The parties that may receive a cell's data, given the use's conditions.
    fn recipients(&self, cell: Cell, conditions: &[Requirement]) -> Vec<Recipient> {
        let mut out = Vec::new();
        for party in &self.version.model.parties {
            if !self.version.receives(party.party, cell.purpose) {
                continue;
            }
            let Some(extra) = self.denials(&self.version.deny_disclosure, cell, Some(party.party))
            else {
                continue;
            };
            if !extra.is_empty() && self.satisfiable(cell, &[conditions, &extra]) == Some(false) {
                continue;
            }
            out.push(Recipient {
                party: self.vocabulary.party_name(party.party).to_owned(),
                obligations: party
                    .obligations
                    .iter()
                    .map(|o| obligation(self.vocabulary, o))
                    .collect(),
                cites: strings(&party.cites),
                conditions: extra,
            });
        }
        out
    }

    /// Whether some subject meets every requirement (and is not a child the
    /// version's child rule covers); `None` when there are too many cases to try.
    fn satisfiable(&self, cell: Cell, requirements: &[&[Requirement]]) -> Option<bool> {
        if requirements.iter().all(|r| r.is_empty()) {
            return Some(true);
        }
        let space = Space::new(self, cell.role, requirements);
        let mut found = false;
        let complete = space.each(self, |scenario| {
            let facts = scenario.facts(self);
            let holds = !self.child(cell.role, &facts)
                && requirements
                    .iter()
                    .all(|list| list.iter().all(|r| self.holds(r, &facts)));
            found |= holds;
            !holds
        });
        if found {
            Some(true)
        } else {
            complete.then_some(false)
        }
    }

    /// Whether the version's child rule denies this subject everything.
    fn child(&self, role: RoleId, facts: &SubjectFacts<'_>) -> bool {
        let Some(children) = &self.version.model.children else {
            return false;
        };
        let covered = children.roles.listed().is_none_or(|r| r.contains(&role));
        let Some(Value::Number(age)) = facts.given(AGE) else {
            return false;
        };
        let lifted = children
            .unless
            .as_ref()
            .is_some_and(|c| c.evaluate(facts) == Truth::True);
        covered && *age < f64::from(children.under) && !lifted
    }

    /// Whether a requirement holds for a subject, as the evaluator would judge it.
    fn holds(&self, requirement: &Requirement, facts: &SubjectFacts<'_>) -> bool {
        match &requirement.kind {
            RequirementKind::When(c) => c.evaluate(facts) == Truth::True,
            RequirementKind::Consent(p) => facts.consent(*p),
            RequirementKind::NotWhen { condition, unless } => {
                let applies = condition
                    .as_ref()
                    .is_none_or(|c| c.evaluate(facts) != Truth::False);
                !applies || unless.iter().any(|c| c.evaluate(facts) == Truth::True)
            }
            RequirementKind::NoOptOut(p) => !revocations_in_force(
                self.vocabulary,
                *p,
                facts.consents,
                facts.revocations,
                facts.at,
            )
            .any(|(part, _)| {
                self.version
                    .revocation_for(part)
                    .and_then(|r| self.version.model.revocations.get(r as usize))
                    .is_some_and(|r| r.kind == RevocationKind::OptOut)
            }),
        }
    }
}

fn obligation(vocabulary: &Vocabulary, o: &Obligation) -> MapObligation {
    MapObligation {
        kind: vocabulary.obligation_name(o.kind).to_owned(),
        within_days: o.within_days,
    }
}

/// Adds a requirement unless one with the same words is there.
fn push_new(list: &mut Vec<Requirement>, requirement: Requirement) {
    if !list.iter().any(|r| r.text == requirement.text) {
        list.push(requirement);
    }
}

/// One (role, category, purpose).
#[derive(Clone, Copy, Debug)]
struct Cell {
    role: RoleId,
    category: CategoryId,
    purpose: PurposeId,
}

/// What a subject says, and the version's defaults: what conditions read.
struct SubjectFacts<'a> {
    vocabulary: &'a Vocabulary,
    version: &'a CompiledVersion,
    /// Sorted by attribute id; the age is the attribute `age`.
    attributes: &'a [(AttributeId, Value)],
    consents: &'a [(PurposeId, Timestamp)],
    revocations: &'a [(PurposeId, Timestamp)],
    at: Timestamp,
}

impl SubjectFacts<'_> {
    fn given(&self, id: AttributeId) -> Option<&Value> {
        self.attributes
            .iter()
            .find(|(a, _)| *a == id)
            .map(|(_, v)| v)
    }
}

impl Facts for SubjectFacts<'_> {
    fn attribute(&self, id: AttributeId) -> Option<&Value> {
        self.given(id).or_else(|| self.version.default_of(id))
    }

    fn consent(&self, purpose: PurposeId) -> bool {
        matches!(
            consent_state(
                self.vocabulary,
                purpose,
                self.consents,
                self.revocations,
                self.at
            ),
            ConsentState::Given(_)
        )
    }
}

/// What a subject's history says of one purpose, in a scenario.
#[derive(Clone, Copy, Debug, PartialEq)]
enum History {
    /// Nothing.
    Nothing,
    /// Consent was given.
    Consented,
    /// Consent was given, then revoked.
    ConsentedThenRevoked,
    /// Consent to this purpose (a part of the one asked about, or one containing
    /// it) was revoked, never given.
    Revoked(PurposeId),
}

/// The most cases [`Space::each`] tries before giving up.
const MAX_SCENARIOS: usize = 4096;

/// The cases that tell a set of requirements apart: for each attribute they read,
/// its default (left out) and values on each side of every literal they compare
/// it with; for each purpose they ask about, no consent, consent, and consent
/// revoked.
struct Space {
    attributes: Vec<(AttributeId, Vec<Option<Value>>)>,
    histories: Vec<(PurposeId, Vec<History>)>,
}

/// One subject.
#[derive(Clone, Debug)]
struct Scenario {
    attributes: Vec<(AttributeId, Value)>,
    consents: Vec<(PurposeId, Timestamp)>,
    revocations: Vec<(PurposeId, Timestamp)>,
    at: Timestamp,
}

impl Scenario {
    fn facts<'a>(&'a self, mapper: &Mapper<'a>) -> SubjectFacts<'a> {
        SubjectFacts {
            vocabulary: mapper.vocabulary,
            version: mapper.version,
            attributes: &self.attributes,
            consents: &self.consents,
            revocations: &self.revocations,
            at: self.at,
        }
    }
}

/// Literals a condition compares an attribute with.
fn literals(condition: &Condition, out: &mut Vec<(AttributeId, Value)>) {
    match condition {
        Condition::Flag(_) | Condition::Consent(_) => {}
        Condition::Compare(a, _, v) => out.push((*a, v.clone())),
        Condition::OneOf(a, texts) => {
            out.extend(texts.iter().map(|t| (*a, Value::Text(t.clone()))));
        }
        Condition::Contains(a, t) => out.push((*a, Value::Text(t.clone()))),
        Condition::Not(inner) => literals(inner, out),
        Condition::And(a, b) | Condition::Or(a, b) => {
            literals(a, out);
            literals(b, out);
        }
    }
}

fn conditions_of(requirement: &Requirement) -> Vec<&Condition> {
    match &requirement.kind {
        RequirementKind::When(c) => vec![c],
        RequirementKind::NotWhen { condition, unless } => {
            condition.iter().chain(unless.iter()).collect()
        }
        RequirementKind::Consent(_) | RequirementKind::NoOptOut(_) => Vec::new(),
    }
}

impl Space {
    fn new(mapper: &Mapper<'_>, role: RoleId, requirements: &[&[Requirement]]) -> Space {
        let vocabulary = mapper.vocabulary;
        let mut conditions: Vec<&Condition> = Vec::new();
        let mut histories: Vec<(PurposeId, Vec<History>)> = Vec::new();
        let mut add = |purpose: PurposeId, options: &[History]| {
            let slot = match histories.iter().position(|(p, _)| *p == purpose) {
                Some(i) => i,
                None => {
                    histories.push((purpose, vec![History::Nothing]));
                    histories.len() - 1
                }
            };
            if let Some((_, list)) = histories.get_mut(slot) {
                for o in options {
                    if !list.contains(o) {
                        list.push(*o);
                    }
                }
            }
        };
        let consent = [History::Consented, History::ConsentedThenRevoked];
        for requirement in requirements.iter().flat_map(|r| r.iter()) {
            conditions.extend(conditions_of(requirement));
            match requirement.kind {
                RequirementKind::Consent(p) => add(p, &consent),
                RequirementKind::NoOptOut(p) => {
                    let lineage = vocabulary.purposes().lineage(p.raw());
                    let revoked: Vec<History> = lineage
                        .iter()
                        .map(|n| History::Revoked(PurposeId(*n)))
                        .collect();
                    add(p, &revoked);
                }
                _ => {}
            }
        }
        let children = mapper
            .version
            .model
            .children
            .as_ref()
            .filter(|c| c.roles.listed().is_none_or(|r| r.contains(&role)));
        let mut read: Vec<AttributeId> = Vec::new();
        let mut consents: Vec<PurposeId> = Vec::new();
        for c in &conditions {
            c.attributes(&mut read);
            c.consents(&mut consents);
        }
        if let Some(unless) = children.and_then(|c| c.unless.as_ref()) {
            if read.contains(&AGE) {
                unless.attributes(&mut read);
                conditions.push(unless);
            }
        }
        for p in consents {
            add(p, &consent);
        }
        let mut compared = Vec::new();
        for c in &conditions {
            literals(c, &mut compared);
        }
        if let (Some(children), true) = (children, read.contains(&AGE)) {
            compared.push((AGE, Value::Number(f64::from(children.under))));
        }
        read.sort_unstable();
        read.dedup();
        let attributes = read
            .into_iter()
            .map(|a| {
                let mine: Vec<&Value> = compared
                    .iter()
                    .filter(|(id, _)| *id == a)
                    .map(|(_, v)| v)
                    .collect();
                (a, values(a, vocabulary.attribute_type(a), &mine))
            })
            .collect();
        Space {
            attributes,
            histories,
        }
    }

    /// Calls `visit` with each scenario until it returns false. True when every
    /// scenario was visited (or `visit` stopped it), false when there were too many.
    fn each(&self, mapper: &Mapper<'_>, mut visit: impl FnMut(&Scenario) -> bool) -> bool {
        let sizes: Vec<usize> = self
            .attributes
            .iter()
            .map(|(_, v)| v.len())
            .chain(self.histories.iter().map(|(_, h)| h.len()))
            .collect();
        let total = sizes
            .iter()
            .try_fold(1usize, |acc, n| acc.checked_mul(*n))
            .unwrap_or(usize::MAX);
        if total > MAX_SCENARIOS {
            return false;
        }
        let times = Times::after(mapper.version.model.effective);
        let mut digits = vec![0usize; sizes.len()];
        loop {
            let scenario = self.scenario(&digits, times);
            if !visit(&scenario) {
                return true;
            }
            // The next combination, like an odometer.
            let mut place = 0;
            loop {
                let (Some(d), Some(size)) = (digits.get_mut(place), sizes.get(place)) else {
                    return true;
                };
                *d += 1;
                if *d < *size {
                    break;
                }
                *d = 0;
                place += 1;
            }
        }
    }

    fn scenario(&self, digits: &[usize], times: Times) -> Scenario {
        let mut scenario = Scenario {
            attributes: Vec::new(),
            consents: Vec::new(),
            revocations: Vec::new(),
            at: times.at,
        };
        let mut digits = digits.iter();
        for (attribute, options) in &self.attributes {
            let choice = digits
                .next()
                .and_then(|d| options.get(*d))
                .cloned()
                .flatten();
            if let Some(value) = choice {
                scenario.attributes.push((*attribute, value));
            }
        }
        for (purpose, options) in &self.histories {
            match digits.next().and_then(|d| options.get(*d)) {
                Some(History::Consented) => scenario.consents.push((*purpose, times.consent)),
                Some(History::ConsentedThenRevoked) => {
                    scenario.consents.push((*purpose, times.consent));
                    scenario.revocations.push((*purpose, times.revocation));
                }
                Some(History::Revoked(part)) => {
                    scenario.revocations.push((*part, times.revocation));
                }
                Some(History::Nothing) | None => {}
            }
        }
        scenario.attributes.sort_by_key(|(a, _)| *a);
        scenario
    }
}

/// The values worth trying for an attribute: left out (`None`: its default, or
/// unknown), and values on each side of the literals it is compared with.
fn values(attribute: AttributeId, kind: ValueType, literals: &[&Value]) -> Vec<Option<Value>> {
    let mut out: Vec<Option<Value>> = vec![None];
    let mut add = |v: Value| {
        if !out.contains(&Some(v.clone())) {
            out.push(Some(v));
        }
    };
    match kind {
        ValueType::YesNo => {
            add(Value::YesNo(true));
            add(Value::YesNo(false));
        }
        ValueType::Number => {
            let whole = attribute == AGE;
            for literal in literals {
                if let Value::Number(n) = literal {
                    for v in [n - 1.0, *n, n + 1.0, n.floor(), n.ceil()] {
                        if whole {
                            if v >= 0.0 && v <= f64::from(MAX_AGE) && v.fract() == 0.0 {
                                add(Value::Number(v));
                            }
                        } else {
                            add(Value::Number(v));
                        }
                    }
                }
            }
            if !whole {
                add(Value::Number(0.0));
            }
        }
        ValueType::Text => {
            for literal in literals {
                if let Value::Text(t) = literal {
                    add(Value::Text(t.clone()));
                }
            }
            let mut other = String::from("other");
            while literals
                .iter()
                .any(|l| **l == Value::Text(other.as_str().into()))
            {
                other.push('_');
            }
            add(Value::Text(other.into()));
        }
        ValueType::TextSet => {
            let texts: Vec<Box<str>> = literals
                .iter()
                .filter_map(|l| match l {
                    Value::Text(t) => Some(t.clone()),
                    _ => None,
                })
                .collect();
            add(Value::text_set(Vec::<Box<str>>::new()));
            for t in &texts {
                add(Value::text_set([t.clone()]));
            }
            add(Value::text_set(texts));
        }
    }
    out
}

/// The instants a scenario uses: consent, then revocation, then the use.
#[derive(Clone, Copy, Debug)]
struct Times {
    consent: Timestamp,
    revocation: Timestamp,
    at: Timestamp,
}

impl Times {
    /// Days after a version took effect, so the version is in force.
    fn after(effective: Timestamp) -> Times {
        let day = |n: i64| {
            Timestamp::from_unix(effective.unix_seconds() + n * 86_400, 0).unwrap_or(effective)
        };
        Times {
            consent: day(1),
            revocation: day(2),
            at: day(3),
        }
    }
}

impl Compiled {
    /// The position of a version by name (the newest for `None`).
    fn version_named(&self, name: Option<&str>) -> Result<usize, MapError> {
        let Some(name) = name else {
            return Ok(self.versions.len().saturating_sub(1));
        };
        if let Some(i) = self.versions.iter().position(|v| &*v.model.name == name) {
            return Ok(i);
        }
        let names: Vec<String> = self
            .versions
            .iter()
            .map(|v| v.model.name.to_string())
            .collect();
        Err(MapError::UnknownVersion {
            given: name.to_owned(),
            suggestion: suggest(name, names.iter().map(String::as_str)).map(str::to_owned),
            versions: names,
        })
    }
}

impl Policy {
    /// The data map of a version (the newest for `None`).
    pub fn data_map(&self, version: Option<&str>) -> Result<DataMap, MapError> {
        self.data_map_within(version, usize::MAX)
    }

    /// The data map of a version, refused when the allow rules reach more than
    /// `max_cells` (role, category, purpose) cells.
    pub fn data_map_within(
        &self,
        version: Option<&str>,
        max_cells: usize,
    ) -> Result<DataMap, MapError> {
        let compiled = self.compiled();
        let index = compiled.version_named(version)?;
        let Some(version) = compiled.versions.get(index) else {
            return Err(MapError::UnknownVersion {
                given: String::new(),
                suggestion: None,
                versions: Vec::new(),
            });
        };
        let vocabulary = &compiled.vocabulary;
        let mapper = Mapper {
            vocabulary,
            version,
        };
        let model = &version.model;
        let leaves = Leaves {
            categories: leaves(vocabulary.categories(), &model.categories),
            purposes: leaves(vocabulary.purposes(), &model.purposes),
        };
        let cells =
            cells(vocabulary, version, &leaves, max_cells).ok_or_else(|| MapError::TooLarge {
                version: model.name.to_string(),
                limit: max_cells,
            })?;
        let uses = cells.into_iter().flat_map(|c| mapper.cell(c)).collect();
        Ok(DataMap {
            version: model.name.to_string(),
            effective: model.effective,
            title: model.title.to_string(),
            uses,
            notes: notes(vocabulary, version),
            index,
        })
    }

    /// Whether every requirement in `conditions` (of a map of this policy) holds
    /// for a request's subject, as [`Policy::decide`] would judge it.
    pub fn map_holds(
        &self,
        map: &DataMap,
        conditions: &[Requirement],
        request: &PreparedRequest,
    ) -> Result<bool, RequestError> {
        self.check_stamp(request)?;
        let compiled = self.compiled();
        let Some(version) = compiled.versions.get(map.index) else {
            return Ok(false);
        };
        let mapper = Mapper {
            vocabulary: &compiled.vocabulary,
            version,
        };
        let facts = SubjectFacts {
            vocabulary: &compiled.vocabulary,
            version,
            attributes: &request.attributes,
            consents: &request.consents,
            revocations: &request.revocations,
            at: request.at,
        };
        Ok(conditions.iter().all(|r| mapper.holds(r, &facts)))
    }

    /// Subjects of `role` that tell the given conditions apart: for each attribute
    /// they read, left out and values on each side of what they compare it with;
    /// for each purpose whose consent they ask about, none, given, and revoked.
    /// Each comes with the instant to ask at; ask with `collected_at` set to the
    /// version's effective day. Empty when there would be more than 4,096.
    pub fn map_subjects(
        &self,
        map: &DataMap,
        role: &str,
        conditions: &[&[Requirement]],
    ) -> Vec<(Subject, Timestamp)> {
        let compiled = self.compiled();
        let (Some(version), Some(role_id)) = (
            compiled.versions.get(map.index),
            compiled.vocabulary.role(role),
        ) else {
            return Vec::new();
        };
        let vocabulary = &compiled.vocabulary;
        let mapper = Mapper {
            vocabulary,
            version,
        };
        let space = Space::new(&mapper, role_id, conditions);
        let mut out = Vec::new();
        let complete = space.each(&mapper, |s| {
            out.push((subject(vocabulary, role, s), s.at));
            true
        });
        if complete { out } else { Vec::new() }
    }
}

/// A disclosure a version allows: a use's data to one of its recipients.
#[derive(Clone, Debug, PartialEq)]
pub struct Disclosure {
    /// The role whose data it is.
    pub role: String,
    /// The data category (a leaf).
    pub category: String,
    /// The purpose (a leaf).
    pub purpose: String,
    /// The lawful basis of the allowing rule.
    pub basis: Basis,
    /// The allowing rule.
    pub rule: String,
    /// The party that may receive the data.
    pub party: String,
    /// What the party must do with it.
    pub obligations: Vec<MapObligation>,
    /// Everything that must hold: the use's conditions, then the disclosure's own.
    pub conditions: Vec<Requirement>,
}

impl serde::Serialize for Disclosure {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(8))?;
        map.serialize_entry("role", &self.role)?;
        map.serialize_entry("category", &self.category)?;
        map.serialize_entry("purpose", &self.purpose)?;
        map.serialize_entry("party", &self.party)?;
        map.serialize_entry("basis", self.basis.as_str())?;
        map.serialize_entry("rule", &self.rule)?;
        map.serialize_entry("obligations", &self.obligations)?;
        map.serialize_entry("conditions", &Texts(&self.conditions))?;
        map.end()
    }
}

/// Checks a name of one kind, suggesting the nearest when it is unknown.
fn known<'a, Id>(
    kind: &'static str,
    given: &str,
    lookup: Option<Id>,
    names: impl Iterator<Item = &'a str>,
) -> Result<Id, MapError> {
    lookup.ok_or_else(|| MapError::UnknownName {
        kind,
        given: given.to_owned(),
        suggestion: suggest(given, names).map(str::to_owned),
    })
}

impl Policy {
    fn role_named(&self, role: &str) -> Result<RoleId, MapError> {
        let v = self.vocabulary();
        known("role", role, v.role(role), v.roles().names())
    }

    fn category_named(&self, category: &str) -> Result<CategoryId, MapError> {
        let v = self.vocabulary();
        let names = v.categories().table().names();
        known("data category", category, v.category(category), names)
    }

    fn purpose_named(&self, purpose: &str) -> Result<PurposeId, MapError> {
        let v = self.vocabulary();
        let names = v.purposes().table().names();
        known("purpose", purpose, v.purpose(purpose), names)
    }

    /// Whether a use lies inside the names given (`None`: any); a category or
    /// purpose covers the leaves inside it.
    fn within(
        &self,
        u: &Use,
        role: Option<RoleId>,
        category: Option<CategoryId>,
        purpose: Option<PurposeId>,
    ) -> bool {
        let v = self.vocabulary();
        let role_ok = role.is_none_or(|r| v.role(&u.role) == Some(r));
        let category_ok = category.is_none_or(|c| {
            v.category(&u.category)
                .is_some_and(|leaf| v.categories().covers(c.raw(), leaf.raw()))
        });
        let purpose_ok = purpose.is_none_or(|p| {
            v.purpose(&u.purpose)
                .is_some_and(|leaf| v.purposes().covers(p.raw(), leaf.raw()))
        });
        role_ok && category_ok && purpose_ok
    }

    /// The purposes a role's data category may be used for, in a version (the
    /// newest for `None`): each use of the data map about the role whose category
    /// is `category` or lies inside it.
    pub fn purposes_for(
        &self,
        role: &str,
        category: &str,
        version: Option<&str>,
    ) -> Result<Vec<Use>, MapError> {
        let (r, c) = (self.role_named(role)?, self.category_named(category)?);
        let map = self.data_map(version)?;
        Ok(map
            .uses
            .into_iter()
            .filter(|u| self.within(u, Some(r), Some(c), None))
            .collect())
    }

    /// The parties that may receive a role's data category for a purpose (each
    /// covering the leaves inside it), with every condition of the disclosure.
    pub fn recipients_for(
        &self,
        role: &str,
        category: &str,
        purpose: &str,
        version: Option<&str>,
    ) -> Result<Vec<Disclosure>, MapError> {
        let r = self.role_named(role)?;
        let c = self.category_named(category)?;
        let p = self.purpose_named(purpose)?;
        let map = self.data_map(version)?;
        let mut out = Vec::new();
        for u in map
            .uses
            .iter()
            .filter(|u| self.within(u, Some(r), Some(c), Some(p)))
        {
            for recipient in &u.recipients {
                let mut conditions = u.conditions.clone();
                for extra in &recipient.conditions {
                    push_new(&mut conditions, extra.clone());
                }
                out.push(Disclosure {
                    role: u.role.clone(),
                    category: u.category.clone(),
                    purpose: u.purpose.clone(),
                    basis: u.basis,
                    rule: u.rule.clone(),
                    party: recipient.party.clone(),
                    obligations: recipient.obligations.clone(),
                    conditions,
                });
            }
        }
        Ok(out)
    }

    /// The uses that serve a purpose (or the purposes inside it): which roles'
    /// data, which categories, on which basis.
    pub fn uses_of_purpose(
        &self,
        purpose: &str,
        version: Option<&str>,
    ) -> Result<Vec<Use>, MapError> {
        let p = self.purpose_named(purpose)?;
        let map = self.data_map(version)?;
        Ok(map
            .uses
            .into_iter()
            .filter(|u| self.within(u, None, None, Some(p)))
            .collect())
    }
}

/// A scenario in the names a request uses.
fn subject(vocabulary: &Vocabulary, role: &str, scenario: &Scenario) -> Subject {
    let mut subject = Subject {
        role: role.to_owned(),
        ..Subject::default()
    };
    for (attribute, value) in &scenario.attributes {
        if *attribute == AGE {
            if let Value::Number(n) = value {
                // INVARIANT: ages are whole numbers from 0 to MAX_AGE (see `values`).
                subject.age = Some(n.clamp(0.0, f64::from(MAX_AGE)) as u32);
            }
        } else {
            subject.attributes.insert(
                vocabulary.attribute_name(*attribute).to_owned(),
                value.clone(),
            );
        }
    }
    for (p, t) in &scenario.consents {
        subject
            .consents
            .insert(vocabulary.purpose_name(*p).to_owned(), *t);
    }
    for (p, t) in &scenario.revocations {
        subject
            .revocations
            .insert(vocabulary.purpose_name(*p).to_owned(), *t);
    }
    subject
}

/// The cells some allow rule reaches, by role, category and purpose in the order
/// the version declares them; `None` when there are more than `max`.
fn cells(
    vocabulary: &Vocabulary,
    version: &CompiledVersion,
    leaves: &Leaves,
    max: usize,
) -> Option<Vec<Cell>> {
    let model = &version.model;
    let positions = |ids: &mut dyn Iterator<Item = u32>| -> FxHashMap<u32, usize> {
        ids.enumerate().map(|(i, id)| (id, i)).collect()
    };
    let roles = positions(&mut model.roles.iter().map(|r| r.raw()));
    let categories = positions(&mut model.categories.iter().map(|c| c.raw()));
    let purposes = positions(&mut model.purposes.iter().map(|p| p.raw()));
    let at = |table: &FxHashMap<u32, usize>, id: u32| table.get(&id).copied().unwrap_or(usize::MAX);
    let leaf_categories: FxHashMap<u32, CategoryId> =
        leaves.categories.iter().map(|c| (c.raw(), *c)).collect();
    let leaf_purposes: FxHashMap<u32, PurposeId> =
        leaves.purposes.iter().map(|p| (p.raw(), *p)).collect();
    // First how many cells the allow rules name in all (an upper bound), so a
    // policy too large for `max` is refused before any work.
    let mut reach = Vec::new();
    let mut total = 0usize;
    for rule in &model.rules {
        if !matches!(rule.effect, Effect::Allow(_)) {
            continue;
        }
        let rule_roles: Vec<RoleId> = match rule.target.roles.listed() {
            None => model.roles.clone(),
            Some(listed) => listed
                .iter()
                .copied()
                .filter(|r| roles.contains_key(&r.raw()))
                .collect(),
        };
        let rule_categories = leaves_in(
            vocabulary.categories(),
            &rule.target.categories,
            &leaves.categories,
            &leaf_categories,
        );
        let rule_purposes = leaves_in(
            vocabulary.purposes(),
            &rule.target.purposes,
            &leaves.purposes,
            &leaf_purposes,
        );
        total = total.saturating_add(
            rule_roles
                .len()
                .saturating_mul(rule_categories.len())
                .saturating_mul(rule_purposes.len()),
        );
        if total > max {
            return None;
        }
        reach.push((rule_roles, rule_categories, rule_purposes));
    }
    let mut found: BTreeSet<(usize, usize, usize)> = BTreeSet::new();
    for (rule_roles, rule_categories, rule_purposes) in &reach {
        for r in rule_roles {
            for c in rule_categories {
                for p in rule_purposes {
                    found.insert((
                        at(&roles, r.raw()),
                        at(&categories, c.raw()),
                        at(&purposes, p.raw()),
                    ));
                }
            }
        }
    }
    let cells = found
        .into_iter()
        .filter_map(|(r, c, p)| {
            Some(Cell {
                role: *model.roles.get(r)?,
                category: *model.categories.get(c)?,
                purpose: *model.purposes.get(p)?,
            })
        })
        .collect();
    Some(cells)
}

/// What holds for every use: the child rule.
fn notes(vocabulary: &Vocabulary, version: &CompiledVersion) -> Vec<Note> {
    let Some(children) = &version.model.children else {
        return Vec::new();
    };
    let roles = match children.roles.listed() {
        None => "anyone".to_owned(),
        Some(roles) => {
            let names: Vec<String> = roles
                .iter()
                .map(|r| vocabulary.role_name(*r).to_owned())
                .collect();
            format!("a {}", either(&names))
        }
    };
    let mut text = format!(
        "nothing holds for {roles} known to be under {}",
        children.under
    );
    if let Some(unless) = &children.unless {
        let _ = write!(text, ", unless `{}`", words(unless, vocabulary));
    }
    let obligations: Vec<String> = children
        .obligations
        .iter()
        .map(|o| vocabulary.obligation_name(o.kind).to_owned())
        .collect();
    let _ = write!(text, "; then: {}", obligations.join(", "));
    vec![Note {
        text,
        rule: crate::model::CHILD_RULE.to_owned(),
        cites: strings(&children.cites),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::VocabularyFull;

    /// Each requirement and the words the map writes for it.
    #[test]
    fn requirements_read_as_the_rule_file_writes_them() -> Result<(), VocabularyFull> {
        let mut v = Vocabulary::new();
        let dnt = match v.add_attribute("do_not_track", "", ValueType::YesNo)? {
            Ok(id) => id,
            Err(_) => return Ok(()),
        };
        let place = match v.add_attribute("jurisdiction", "", ValueType::Text)? {
            Ok(id) => id,
            Err(_) => return Ok(()),
        };
        v.add_purpose("marketing", "")?;
        let mail = v.add_purpose("marketing.communications", "")?;
        let sale = v.add_purpose("sale", "")?;
        let flag = || Condition::Flag(dnt);
        let ca = || {
            Condition::Compare(
                place,
                crate::condition::Comparison::Equal,
                Value::Text("US-CA".into()),
            )
        };
        let no_sale = || Condition::Not(Box::new(Condition::Consent(sale)));
        let cases: Vec<(RequirementKind, &str)> = vec![
            (RequirementKind::When(flag()), "only if `do_not_track`"),
            (
                RequirementKind::When(Condition::Consent(sale)),
                "only with consent to `sale`",
            ),
            (
                RequirementKind::Consent(mail),
                "only with consent to `marketing.communications`",
            ),
            (
                RequirementKind::NotWhen {
                    condition: Some(flag()),
                    unless: vec![],
                },
                "not when `do_not_track`",
            ),
            (
                RequirementKind::NotWhen {
                    condition: Some(Condition::Not(Box::new(flag()))),
                    unless: vec![],
                },
                "only if `do_not_track`",
            ),
            (
                RequirementKind::NotWhen {
                    condition: Some(no_sale()),
                    unless: vec![],
                },
                "only with consent to `sale`",
            ),
            (
                RequirementKind::NotWhen {
                    condition: Some(Condition::And(Box::new(ca()), Box::new(no_sale()))),
                    unless: vec![],
                },
                "when `jurisdiction = \"US-CA\"`, only with consent to `sale`",
            ),
            (
                RequirementKind::NotWhen {
                    condition: Some(Condition::And(Box::new(no_sale()), Box::new(ca()))),
                    unless: vec![],
                },
                "when `jurisdiction = \"US-CA\"`, only with consent to `sale`",
            ),
            (
                RequirementKind::NotWhen {
                    condition: Some(flag()),
                    unless: vec![ca(), Condition::Consent(sale)],
                },
                "not when `do_not_track`, unless `jurisdiction = \"US-CA\"` or `consent to sale`",
            ),
            (
                RequirementKind::NotWhen {
                    condition: None,
                    unless: vec![ca()],
                },
                "only if `jurisdiction = \"US-CA\"`",
            ),
            (
                RequirementKind::NoOptOut(mail),
                "not once the person revokes consent to `marketing.communications` or `marketing`",
            ),
        ];
        for (kind, words) in cases {
            assert_eq!(describe(&kind, &v), words);
        }
        Ok(())
    }

    #[test]
    fn leaves_are_the_declared_names_with_nothing_declared_inside() -> Result<(), VocabularyFull> {
        let mut v = Vocabulary::new();
        let device = v.add_category("device", "")?;
        let ip = v.add_category("device.ip_address", "")?;
        let contact = v.add_category("contact", "")?;
        let email = v.add_category("contact.email", "")?;
        // A version that declares `contact` but not `contact.email`: `contact` is a leaf there.
        assert_eq!(
            leaves(v.categories(), &[device, ip, contact]),
            [ip, contact]
        );
        assert_eq!(
            leaves(v.categories(), &[device, ip, contact, email]),
            [ip, email]
        );
        Ok(())
    }
}
