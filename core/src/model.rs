//! The policy model: what a rule file says, with every name already interned.
//!
//! The rule language's compiler (`lawful-dsl`) builds these values; [`crate::Policy::compile`]
//! validates and indexes them. Nothing here knows about text or parsing.

use std::fmt;

use crate::condition::Condition;
use crate::ids::{AttributeId, CategoryId, ObligationId, PartyId, PurposeId, RoleId};
use crate::time::Timestamp;
use crate::value::Value;
use crate::vocab::Vocabulary;

/// Either every name of a kind, or only some (each covering its subtree).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope<T> {
    /// Every name of the kind (`any data`, `anyone`, `any purpose`).
    Any,
    /// Only the listed names.
    Only(Vec<T>),
}

impl<T> Scope<T> {
    /// The listed names, or `None` for [`Scope::Any`].
    pub fn listed(&self) -> Option<&[T]> {
        match self {
            Scope::Any => None,
            Scope::Only(items) => Some(items),
        }
    }
}

/// The lawful bases of GDPR Article 6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Basis {
    /// Art. 6(1)(a): the subject consented, and has not revoked it.
    Consent,
    /// Art. 6(1)(b): needed for a contract with the subject.
    Contract,
    /// Art. 6(1)(c): needed to comply with a legal obligation.
    LegalObligation,
    /// Art. 6(1)(d): needed to protect someone's vital interests.
    VitalInterests,
    /// Art. 6(1)(e): a task in the public interest.
    PublicTask,
    /// Art. 6(1)(f): the controller's legitimate interests.
    LegitimateInterests,
    /// Art. 28: the company processes the data for a customer, as its processor;
    /// the lawful basis is the customer's, and the company acts on its instructions.
    ControllerInstructions,
}

impl Basis {
    /// Every basis: Article 6's in its order, then a processor's.
    pub const ALL: [Basis; 7] = [
        Basis::Consent,
        Basis::Contract,
        Basis::LegalObligation,
        Basis::VitalInterests,
        Basis::PublicTask,
        Basis::LegitimateInterests,
        Basis::ControllerInstructions,
    ];

    /// The basis as written in rule files and decisions.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Consent => "consent",
            Basis::Contract => "contract",
            Basis::LegalObligation => "legal_obligation",
            Basis::VitalInterests => "vital_interests",
            Basis::PublicTask => "public_task",
            Basis::LegitimateInterests => "legitimate_interests",
            Basis::ControllerInstructions => "controller_instructions",
        }
    }

    /// Looks a basis up by its written name.
    pub fn from_name(name: &str) -> Option<Basis> {
        Basis::ALL.into_iter().find(|b| b.as_str() == name)
    }
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a request asks to do with the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Use the data for a purpose.
    Use,
    /// Disclose the data to a party, for a purpose.
    Disclose,
}

impl Action {
    /// The action as written in requests.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Use => "use",
            Action::Disclose => "disclose",
        }
    }
}

/// Whether a rule allows or forbids, and what it forbids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Allows use of the data, on a lawful basis. Disclosure of data whose use is
    /// allowed is allowed to the parties that receive data for the purpose.
    Allow(Basis),
    /// Forbids use of the data, and so any disclosure of it too.
    DenyUse,
    /// Forbids only disclosure of the data.
    DenyDisclosure,
}

/// An obligation a decision carries: something the caller must now do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Obligation {
    /// What must be done.
    pub kind: ObligationId,
    /// The deadline in days, when the policy gives one.
    pub within_days: Option<u32>,
}

/// The part of a request a rule or exception is about; an omitted part matches all.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// Subject roles.
    pub roles: Scope<RoleId>,
    /// Data categories (each covers its subtree).
    pub categories: Scope<CategoryId>,
    /// Purposes (each covers its subtree).
    pub purposes: Scope<PurposeId>,
    /// Recipients: `None` when the target says nothing of them (uses and
    /// disclosures alike); `Some` only matches disclosures, to these parties
    /// (`Scope::Any`: to anyone). A use has no recipient, so `to …` never matches it.
    pub parties: Option<Scope<PartyId>>,
    /// A condition on the subject's attributes.
    pub condition: Option<Condition>,
}

impl Target {
    /// A target matching everything.
    pub fn everything() -> Target {
        Target {
            roles: Scope::Any,
            categories: Scope::Any,
            purposes: Scope::Any,
            parties: None,
            condition: None,
        }
    }
}

/// One rule of a policy version.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// The rule's id, unique in its version.
    pub id: Box<str>,
    /// Allow or deny.
    pub effect: Effect,
    /// Which requests the rule is about.
    pub target: Target,
    /// Cases carved out of a deny rule: when a request matches any, the rule does not apply.
    pub exceptions: Vec<Target>,
    /// What a decision by this rule obliges the caller to do.
    pub obligations: Vec<Obligation>,
    /// The sections of the policy text the rule encodes.
    pub cites: Vec<Box<str>>,
}

/// A party and the purposes it may receive data for.
#[derive(Clone, Debug, PartialEq)]
pub struct Party {
    /// The party.
    pub party: PartyId,
    /// The purposes it receives data for.
    pub receives: Scope<PurposeId>,
    /// What the party must do with data it receives.
    pub obligations: Vec<Obligation>,
    /// The sections that name the party.
    pub cites: Vec<Box<str>>,
}

/// The id a decision reports when the subject is a child.
pub const CHILD_RULE: &str = "children";
/// The id a decision reports when withdrawn consent leaves nothing allowing the
/// request and the version declares no withdrawal of its own for the purpose.
pub const BUILTIN_REVOCATION: &str = "consent-revoked";

/// What a declared revocation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RevocationKind {
    /// Revoking consent is an opt-out of the purpose itself: from its instant the
    /// purpose is denied whatever the basis ("we will stop using the data for that
    /// purpose").
    OptOut,
    /// Revoking consent withdraws consent only: rules resting on consent for the
    /// purpose stop allowing, rules on another basis go on. The declaration names
    /// the decision, its obligations and citations when nothing else allows.
    Withdrawal,
}

/// What revoking consent for some purposes leads to.
#[derive(Clone, Debug, PartialEq)]
pub struct Revocation {
    /// The id decisions report.
    pub id: Box<str>,
    /// The purposes it covers; the most specific revocation covering a purpose applies.
    pub purposes: Scope<PurposeId>,
    /// An opt-out of the purposes, or a withdrawal of consent only.
    pub kind: RevocationKind,
    /// What must be done (`notify_recipients` names the purpose in the decision).
    pub obligations: Vec<Obligation>,
    /// The sections the revocation rests on.
    pub cites: Vec<Box<str>>,
}

/// The age under which a subject of some roles is a child: every use and
/// disclosure is denied, unless the lifting condition is known to hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Children {
    /// Subjects whose known age is below this are children.
    pub under: u32,
    /// The roles the rule covers (data the company processes for a customer is
    /// the customer's, outside the company's own child rule).
    pub roles: Scope<RoleId>,
    /// The condition that lifts the rule (a guardian is involved), if any. The rule
    /// applies unless it is known to hold.
    pub unless: Option<Condition>,
    /// What must be done (always includes `delete`).
    pub obligations: Vec<Obligation>,
    /// The sections the rule rests on.
    pub cites: Vec<Box<str>>,
}

/// What one version of a policy declares and says.
#[derive(Clone, Debug, PartialEq)]
pub struct VersionModel {
    /// The version's name, reported in decisions (for Filestack, the revision date).
    pub name: Box<str>,
    /// The day from which data collected falls under this version.
    pub effective: Timestamp,
    /// The policy's title.
    pub title: Box<str>,
    /// Roles this version declares.
    pub roles: Vec<RoleId>,
    /// Categories this version declares.
    pub categories: Vec<CategoryId>,
    /// Purposes this version declares.
    pub purposes: Vec<PurposeId>,
    /// Attributes this version declares, with their defaults.
    pub attributes: Vec<(AttributeId, Option<Value>)>,
    /// Parties and what they receive.
    pub parties: Vec<Party>,
    /// Rules in the order written.
    pub rules: Vec<Rule>,
    /// Revocation handling.
    pub revocations: Vec<Revocation>,
    /// The child rule, if the version has one.
    pub children: Option<Children>,
    /// The labels this version gives its names (the vocabulary keeps the newest).
    pub labels: NameNotes,
    /// The keys of the Fides taxonomy this version maps its names to (`fides "…"`).
    pub fides: NameNotes,
}

/// A text this version gives some of its roles, categories, purposes and parties:
/// their labels in its own words, or their keys in another taxonomy.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NameNotes {
    /// By role.
    pub roles: Vec<(RoleId, Box<str>)>,
    /// By data category.
    pub categories: Vec<(CategoryId, Box<str>)>,
    /// By purpose.
    pub purposes: Vec<(PurposeId, Box<str>)>,
    /// By party.
    pub parties: Vec<(PartyId, Box<str>)>,
}

fn note_of<Id: PartialEq>(notes: &[(Id, Box<str>)], id: Id) -> Option<&str> {
    notes
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, text)| &**text)
}

impl NameNotes {
    /// The text given to a role.
    pub fn role(&self, id: RoleId) -> Option<&str> {
        note_of(&self.roles, id)
    }
    /// The text given to a data category.
    pub fn category(&self, id: CategoryId) -> Option<&str> {
        note_of(&self.categories, id)
    }
    /// The text given to a purpose.
    pub fn purpose(&self, id: PurposeId) -> Option<&str> {
        note_of(&self.purposes, id)
    }
    /// The text given to a party.
    pub fn party(&self, id: PartyId) -> Option<&str> {
        note_of(&self.parties, id)
    }
}

/// A whole policy: its vocabulary and its versions, in any order.
#[derive(Clone, Debug)]
pub struct PolicyModel {
    /// Every name any version declares.
    pub vocabulary: Vocabulary,
    /// The versions.
    pub versions: Vec<VersionModel>,
}
