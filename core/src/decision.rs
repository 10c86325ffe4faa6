//! Decisions: the answer, the rule behind it, its sections, basis and obligations.
//!
//! A [`Decision`] borrows from the policy and holds only a few integers, so making
//! one allocates nothing; its parts are looked up when read.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq};

use crate::compiled::{Compiled, CompiledVersion};
use crate::ids::{CategoryId, PartyId, PurposeId};
use crate::model::{
    BUILTIN_REVOCATION, Basis, CHILD_RULE, Effect, Obligation, RevocationKind, Rule,
};
use crate::trace::TraceStep;
use crate::vocab::NOTIFY_RECIPIENTS;

/// How a decision came about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// An allow rule permitted it (and, for a disclosure, the party receives for the purpose).
    Allowed { rule: u32 },
    /// A deny rule forbade it.
    Forbidden { rule: u32 },
    /// Consent for the purpose was revoked: a declared opt-out denied it, or the
    /// withdrawn consent left nothing allowing it (`None`: the built-in withdrawal).
    Revoked { revocation: Option<u32> },
    /// The subject is a child.
    Child,
    /// No rule permitted it.
    NothingAllowed,
    /// The use is allowed, but the party does not receive data for the purpose.
    NotReceived { rule: u32 },
    /// The data was collected before the first version took effect.
    NoVersion,
    /// The deciding version does not declare a name the request uses.
    NotCovered(crate::compiled::Undeclared),
}

/// Why a decision is what it is, in a form code can match on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// An allow rule permitted it.
    Allowed,
    /// A deny rule forbade it.
    ForbiddenByRule,
    /// The subject revoked consent for the purpose.
    ConsentRevoked,
    /// The subject is a child.
    Child,
    /// No rule permitted it.
    NothingAllowed,
    /// The recipient does not receive data for this purpose.
    PartyNotPermitted,
    /// The data was collected before the first version of the policy.
    BeforeFirstVersion,
    /// The version in force does not declare a role, category, purpose or party
    /// the request names (an older version may not know it).
    NotInVersion,
}

/// The answer to a request.
#[derive(Clone, Copy, Debug)]
pub struct Decision<'p> {
    pub(crate) policy: &'p Compiled,
    pub(crate) version: Option<u32>,
    pub(crate) outcome: Outcome,
    /// The category that decided (the first refused, or the first when all are allowed).
    pub(crate) category: CategoryId,
    pub(crate) purpose: PurposeId,
    pub(crate) party: Option<PartyId>,
}

/// What makes two decisions the same: equal keys have equal rules, cites,
/// obligations, basis, version and summary. Cheap to hash, so a batch can build
/// the parts of each distinct decision once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DecisionKey {
    version: Option<u32>,
    outcome: OutcomeKey,
    category: CategoryId,
    purpose: PurposeId,
    party: Option<PartyId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum OutcomeKey {
    Allowed(u32),
    Forbidden(u32),
    Revoked(Option<u32>),
    Child,
    NothingAllowed,
    NotReceived(u32),
    NoVersion,
    NotCovered(u8, u32),
}

/// An obligation as a decision reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObligationView<'p> {
    /// What must be done, such as `delete` or `notify_recipients`.
    pub kind: &'p str,
    /// For `notify_recipients`: the purpose the recipients must stop using the data for.
    pub purpose: Option<&'p str>,
    /// The deadline in days, when the policy gives one.
    pub within_days: Option<u32>,
}

static BUILTIN_REVOCATION_OBLIGATIONS: [Obligation; 1] = [Obligation {
    kind: NOTIFY_RECIPIENTS,
    within_days: None,
}];

impl<'p> Decision<'p> {
    fn version_ref(&self) -> Option<&'p CompiledVersion> {
        self.version
            .and_then(|v| self.policy.versions.get(v as usize))
    }

    fn rule_ref(&self, position: u32) -> Option<&'p Rule> {
        self.version_ref()?.model.rules.get(position as usize)
    }

    fn revocation_ref(&self, revocation: Option<u32>) -> Option<&'p crate::model::Revocation> {
        self.version_ref()?
            .model
            .revocations
            .get(revocation? as usize)
    }

    fn party_ref(&self) -> Option<&'p crate::model::Party> {
        self.version_ref()?.party(self.party?)
    }

    /// A key equal for exactly the decisions that read the same.
    pub fn key(&self) -> DecisionKey {
        use crate::compiled::Undeclared;
        let outcome = match self.outcome {
            Outcome::Allowed { rule } => OutcomeKey::Allowed(rule),
            Outcome::Forbidden { rule } => OutcomeKey::Forbidden(rule),
            Outcome::Revoked { revocation } => OutcomeKey::Revoked(revocation),
            Outcome::Child => OutcomeKey::Child,
            Outcome::NothingAllowed => OutcomeKey::NothingAllowed,
            Outcome::NotReceived { rule } => OutcomeKey::NotReceived(rule),
            Outcome::NoVersion => OutcomeKey::NoVersion,
            Outcome::NotCovered(missing) => match missing {
                Undeclared::Role(r) => OutcomeKey::NotCovered(0, r.raw()),
                Undeclared::Category(c) => OutcomeKey::NotCovered(1, c.raw()),
                Undeclared::Purpose(p) => OutcomeKey::NotCovered(2, p.raw()),
                Undeclared::Party(p) => OutcomeKey::NotCovered(3, p.raw()),
            },
        };
        DecisionKey {
            version: self.version,
            outcome,
            category: self.category,
            purpose: self.purpose,
            party: self.party,
        }
    }

    /// Whether the request is allowed.
    pub fn allowed(&self) -> bool {
        matches!(self.outcome, Outcome::Allowed { .. })
    }

    /// Why the decision is what it is.
    pub fn reason(&self) -> Reason {
        match self.outcome {
            Outcome::Allowed { .. } => Reason::Allowed,
            Outcome::Forbidden { .. } => Reason::ForbiddenByRule,
            Outcome::Revoked { .. } => Reason::ConsentRevoked,
            Outcome::Child => Reason::Child,
            Outcome::NothingAllowed => Reason::NothingAllowed,
            Outcome::NotReceived { .. } => Reason::PartyNotPermitted,
            Outcome::NoVersion => Reason::BeforeFirstVersion,
            Outcome::NotCovered(_) => Reason::NotInVersion,
        }
    }

    /// The id of the rule that decided; `None` when nothing permitted the request.
    pub fn rule(&self) -> Option<&'p str> {
        match self.outcome {
            Outcome::Allowed { rule } | Outcome::Forbidden { rule } => {
                self.rule_ref(rule).map(|r| &*r.id)
            }
            Outcome::Revoked { revocation } => Some(
                self.revocation_ref(revocation)
                    .map_or(BUILTIN_REVOCATION, |r| &r.id),
            ),
            Outcome::Child => Some(CHILD_RULE),
            Outcome::NothingAllowed
            | Outcome::NotReceived { .. }
            | Outcome::NoVersion
            | Outcome::NotCovered(_) => None,
        }
    }

    /// The lawful basis of the allowing rule.
    pub fn basis(&self) -> Option<Basis> {
        match self.outcome {
            Outcome::Allowed { rule } => match self.rule_ref(rule)?.effect {
                Effect::Allow(basis) => Some(basis),
                Effect::DenyUse | Effect::DenyDisclosure => None,
            },
            _ => None,
        }
    }

    /// The name of the policy version that decided; `None` before the first version.
    pub fn version(&self) -> Option<&'p str> {
        self.version_ref().map(|v| &*v.model.name)
    }

    /// The SHA-256 of the policy sources that decided, as 64 lowercase hex digits
    /// (`None` for a policy compiled from a model without its text).
    pub fn digest(&self) -> Option<&'p str> {
        self.policy.digest.as_deref()
    }

    /// The data category that decided: the first refused, or the first of an allowed list.
    pub fn category(&self) -> &'p str {
        self.policy.vocabulary.category_name(self.category)
    }

    /// The two lists (rule and recipient) the cites and obligations come from.
    fn sources(&self) -> [(&'p [Box<str>], &'p [Obligation]); 2] {
        let empty: (&'p [Box<str>], &'p [Obligation]) = (&[], &[]);
        let first = match self.outcome {
            Outcome::Allowed { rule } | Outcome::Forbidden { rule } => self
                .rule_ref(rule)
                .map_or(empty, |r| (&r.cites[..], &r.obligations[..])),
            Outcome::Revoked { revocation } => self
                .revocation_ref(revocation)
                .map_or((&[][..], &BUILTIN_REVOCATION_OBLIGATIONS[..]), |r| {
                    (&r.cites[..], &r.obligations[..])
                }),
            Outcome::Child => self
                .version_ref()
                .and_then(|v| v.model.children.as_ref())
                .map_or(empty, |c| (&c.cites[..], &c.obligations[..])),
            Outcome::NothingAllowed
            | Outcome::NotReceived { .. }
            | Outcome::NoVersion
            | Outcome::NotCovered(_) => empty,
        };
        let second = match self.outcome {
            Outcome::Allowed { .. } => self
                .party_ref()
                .map_or(empty, |p| (&p.cites[..], &p.obligations[..])),
            _ => empty,
        };
        [first, second]
    }

    /// The sections of the policy text behind the decision, without repeats.
    pub fn cites(&self) -> impl Iterator<Item = &'p str> + 'p {
        let [(a, _), (b, _)] = self.sources();
        a.iter().map(|c| &**c).chain(
            b.iter()
                .map(|c| &**c)
                .filter(move |c| !a.iter().any(|x| &**x == *c)),
        )
    }

    /// What the caller must now do, without repeats.
    pub fn obligations(&self) -> impl Iterator<Item = ObligationView<'p>> + 'p {
        let [(_, a), (_, b)] = self.sources();
        let vocabulary = &self.policy.vocabulary;
        let purpose = vocabulary.purpose_name(self.purpose);
        a.iter()
            .chain(
                b.iter()
                    .filter(move |o| !a.iter().any(|x| x.kind == o.kind)),
            )
            .map(move |o| ObligationView {
                kind: vocabulary.obligation_name(o.kind),
                purpose: (o.kind == NOTIFY_RECIPIENTS).then_some(purpose),
                within_days: o.within_days,
            })
    }

    /// One sentence saying why, in plain English.
    pub fn summary(&self) -> String {
        let v = &self.policy.vocabulary;
        let purpose = v.purpose_name(self.purpose);
        let category = v.category_name(self.category);
        let version = self.version().unwrap_or("none");
        match self.outcome {
            Outcome::Allowed { .. } => format!(
                "allowed by rule `{}` of version {version}, on the basis of {}",
                self.rule().unwrap_or_default(),
                self.basis().map_or("", Basis::as_str)
            ),
            Outcome::Forbidden { .. } => format!(
                "denied: rule `{}` of version {version} forbids it for {category}",
                self.rule().unwrap_or_default()
            ),
            Outcome::Revoked { revocation } => match self.revocation_ref(revocation) {
                Some(r) if r.kind == RevocationKind::OptOut => {
                    format!("denied: the person revoked consent for {purpose}")
                }
                _ => format!(
                    "denied: the person withdrew consent for {purpose}, and no rule on another basis allows this"
                ),
            },
            Outcome::Child => {
                let under = self
                    .version_ref()
                    .and_then(|v| v.model.children.as_ref())
                    .map_or(0, |c| c.under);
                format!(
                    "denied: the person is a child (under {under}), and their data must be deleted"
                )
            }
            Outcome::NothingAllowed => format!(
                "denied: no rule of version {version} allows this use of {category} for {purpose}"
            ),
            Outcome::NotReceived { .. } => format!(
                "denied: {} does not receive data for {purpose} under version {version}",
                self.party.map_or("the party", |p| v.party_name(p))
            ),
            Outcome::NoVersion => {
                "denied: the data was collected before the first version of the policy took effect"
                    .to_owned()
            }
            Outcome::NotCovered(missing) => format!(
                "denied: version {version} does not declare the {}, so nothing in it allows this",
                missing.describe(v)
            ),
        }
    }

    /// The decision with an explanation attached, for serializing.
    pub fn with_trace<'t>(&self, trace: &'t [TraceStep]) -> Traced<'p, 't> {
        Traced {
            decision: *self,
            trace,
        }
    }

    /// The decision as an answer to a request: the decision object, then the
    /// caller's `request_id` when it gave one, then the `trace` when explained.
    pub fn answer<'a>(
        &self,
        request_id: Option<&'a str>,
        trace: Option<&'a [TraceStep]>,
    ) -> Answer<'p, 'a> {
        Answer {
            decision: *self,
            request_id,
            trace,
        }
    }
}

impl Serialize for ObligationView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = 1 + usize::from(self.purpose.is_some()) + usize::from(self.within_days.is_some());
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("kind", self.kind)?;
        if let Some(purpose) = self.purpose {
            map.serialize_entry("purpose", purpose)?;
        }
        if let Some(days) = self.within_days {
            map.serialize_entry("within_days", &days)?;
        }
        map.end()
    }
}

struct Listed<I>(std::cell::Cell<Option<I>>);

impl<I: Iterator<Item = T>, T: Serialize> Serialize for Listed<I> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        if let Some(items) = self.0.take() {
            for item in items {
                seq.serialize_element(&item)?;
            }
        }
        seq.end()
    }
}

fn write_fields<M: SerializeMap>(d: &Decision<'_>, map: &mut M) -> Result<(), M::Error> {
    map.serialize_entry("allowed", &d.allowed())?;
    map.serialize_entry("rule", &d.rule())?;
    map.serialize_entry("cites", &Listed(std::cell::Cell::new(Some(d.cites()))))?;
    map.serialize_entry("basis", &d.basis().map(Basis::as_str))?;
    map.serialize_entry(
        "obligations",
        &Listed(std::cell::Cell::new(Some(d.obligations()))),
    )?;
    map.serialize_entry("version", &d.version())?;
    map.serialize_entry("digest", &d.digest())
}

/// The keys of the decision object, in the order they are written.
pub const DECISION_KEYS: [&str; 7] = [
    "allowed",
    "rule",
    "cites",
    "basis",
    "obligations",
    "version",
    "digest",
];

/// Serializes as the decision object the README documents.
impl Serialize for Decision<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(DECISION_KEYS.len()))?;
        write_fields(self, &mut map)?;
        map.end()
    }
}

/// A decision with its trace, serialized as the decision object plus `trace`.
#[derive(Clone, Copy, Debug)]
pub struct Traced<'p, 't> {
    /// The decision.
    pub decision: Decision<'p>,
    /// The steps that led to it.
    pub trace: &'t [TraceStep],
}

impl Serialize for Traced<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(DECISION_KEYS.len() + 1))?;
        write_fields(&self.decision, &mut map)?;
        map.serialize_entry("trace", self.trace)?;
        map.end()
    }
}

/// A decision as the answer to one request: the decision object, the caller's
/// `request_id` when it gave one, and the `trace` when the decision was explained.
/// The command line and the server write decisions in this form.
#[derive(Clone, Copy, Debug)]
pub struct Answer<'p, 'a> {
    /// The decision.
    pub decision: Decision<'p>,
    /// The request's `request_id`, echoed.
    pub request_id: Option<&'a str>,
    /// The steps that led to it, when explained.
    pub trace: Option<&'a [TraceStep]>,
}

impl Serialize for Answer<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = DECISION_KEYS.len()
            + usize::from(self.request_id.is_some())
            + usize::from(self.trace.is_some());
        let mut map = serializer.serialize_map(Some(len))?;
        write_fields(&self.decision, &mut map)?;
        if let Some(id) = self.request_id {
            map.serialize_entry("request_id", id)?;
        }
        if let Some(trace) = self.trace {
            map.serialize_entry("trace", trace)?;
        }
        map.end()
    }
}
