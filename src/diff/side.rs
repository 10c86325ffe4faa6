//! One side of a comparison: a policy and the version of it that decides.
//!
//! The evaluator's tables are private to the engine, so what the diff needs to
//! know about a version (which names it declares, which rules could match a
//! request, which declared revocation covers a purpose) is read here from the
//! version's model, in the evaluator's own terms. The decisions themselves always
//! come from the engine; these readings only decide which requests are worth
//! asking, and how requests group.

use std::collections::{HashMap, HashSet};

use lawful_core::Value;
use lawful_core::ids::{CategoryId, PartyId, PurposeId, RoleId};
use lawful_core::model::{Effect, Revocation, RevocationKind, Rule, Scope, VersionModel};
use lawful_core::vocab::{Tree, Vocabulary};

use crate::{Action, Policy};

/// A policy at one of its versions (`None`: before its first version).
pub(crate) struct Side<'a> {
    pub(crate) policy: &'a Policy,
    pub(crate) version: Option<&'a VersionModel>,
    roles: HashSet<RoleId>,
    categories: HashSet<CategoryId>,
    purposes: HashSet<PurposeId>,
    parties: HashSet<PartyId>,
    /// Each party's cites and obligations, as an id equal for equal content.
    party_content: HashMap<PartyId, usize>,
}

/// What the names of a request meet in a version: enough to know that two
/// requests differing only in category or party are decided alike.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Signature {
    /// The policy does not know a name: it refuses the request.
    Refused,
    /// The data predates the policy's first version.
    NoVersion,
    /// The version does not declare a name (only the child rule comes first).
    Undeclared,
    /// The deny rules that could apply (with the exceptions whose names the
    /// request lies inside), the allow rules that could, and the recipient.
    Rules {
        denies: Vec<(usize, Vec<usize>)>,
        allows: Vec<usize>,
        receives: Option<bool>,
        party: Option<usize>,
    },
}

fn overlaps<Id: lawful_core::ids::NameId>(tree: &Tree<Id>, scope: &Scope<Id>, node: u32) -> bool {
    scope.listed().is_none_or(|listed| {
        listed
            .iter()
            .any(|x| tree.covers(x.raw(), node) || tree.covers(node, x.raw()))
    })
}

fn covered<Id: lawful_core::ids::NameId>(tree: &Tree<Id>, scope: &Scope<Id>, node: u32) -> bool {
    scope
        .listed()
        .is_none_or(|listed| listed.iter().any(|x| tree.covers(x.raw(), node)))
}

fn recipient(parties: Option<&Scope<PartyId>>, party: Option<PartyId>) -> bool {
    match (parties, party) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(Scope::Any), Some(_)) => true,
        (Some(Scope::Only(list)), Some(p)) => list.contains(&p),
    }
}

/// The rules a request's role, category and purpose meet in a version.
#[derive(Clone, Debug, Default)]
pub(crate) struct Candidates {
    declared: bool,
    allows: Vec<usize>,
    denies: Vec<(usize, Effect, Vec<usize>)>,
}

/// The ids of a request's names in one vocabulary.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ids {
    pub(crate) role: RoleId,
    pub(crate) category: CategoryId,
    pub(crate) purpose: PurposeId,
    pub(crate) party: Option<PartyId>,
}

impl<'a> Side<'a> {
    /// `policy` at the version at `index` (oldest first), or before its first.
    pub(crate) fn new(policy: &'a Policy, index: Option<usize>) -> Side<'a> {
        let version = index.and_then(|i| policy.core().version_models().nth(i));
        let mut side = Side {
            policy,
            version,
            roles: HashSet::new(),
            categories: HashSet::new(),
            purposes: HashSet::new(),
            parties: HashSet::new(),
            party_content: HashMap::new(),
        };
        if let Some(v) = version {
            side.roles.extend(v.roles.iter().copied());
            side.categories.extend(v.categories.iter().copied());
            side.purposes.extend(v.purposes.iter().copied());
            side.parties.extend(v.parties.iter().map(|p| p.party));
            let mut contents: HashMap<String, usize> = HashMap::new();
            for party in &v.parties {
                let obligations: Vec<(&str, Option<u32>)> = party
                    .obligations
                    .iter()
                    .map(|o| (policy.vocabulary().obligation_name(o.kind), o.within_days))
                    .collect();
                let key = format!("{:?}{obligations:?}", party.cites);
                let next = contents.len();
                let id = *contents.entry(key).or_insert(next);
                side.party_content.insert(party.party, id);
            }
        }
        side
    }

    pub(crate) fn vocab(&self) -> &'a Vocabulary {
        self.policy.vocabulary()
    }

    /// The names a version declares, by kind (empty before the first version).
    pub(crate) fn declared(&self) -> [Vec<String>; 5] {
        let v = self.vocab();
        let Some(version) = self.version else {
            return Default::default();
        };
        [
            version
                .roles
                .iter()
                .map(|r| v.role_name(*r).to_owned())
                .collect(),
            version
                .categories
                .iter()
                .map(|c| v.category_name(*c).to_owned())
                .collect(),
            version
                .purposes
                .iter()
                .map(|p| v.purpose_name(*p).to_owned())
                .collect(),
            version
                .parties
                .iter()
                .map(|p| v.party_name(p.party).to_owned())
                .collect(),
            version
                .attributes
                .iter()
                .map(|(a, _)| v.attribute_name(*a).to_owned())
                .collect(),
        ]
    }

    /// The ids of the names, or `None` when the vocabulary lacks one.
    pub(crate) fn ids(
        &self,
        role: &str,
        category: &str,
        purpose: &str,
        party: Option<&str>,
    ) -> Option<Ids> {
        let v = self.vocab();
        let party = match party {
            Some(name) => Some(v.party(name)?),
            None => None,
        };
        Some(Ids {
            role: v.role(role)?,
            category: v.category(category)?,
            purpose: v.purpose(purpose)?,
            party,
        })
    }

    /// The rules whose role, category and purpose a request's names meet, and
    /// for each deny rule the exceptions whose role, category and purpose it
    /// lies inside: the part of a [`Signature`] that does not depend on the
    /// action or the party.
    pub(crate) fn candidates(&self, ids: Option<Ids>) -> Candidates {
        let (Some(version), Some(ids)) = (self.version, ids) else {
            return Candidates::default();
        };
        let declared = self.roles.contains(&ids.role)
            && self.categories.contains(&ids.category)
            && self.purposes.contains(&ids.purpose);
        let v = self.vocab();
        let (categories, purposes) = (v.categories(), v.purposes());
        let (c, p) = (ids.category.raw(), ids.purpose.raw());
        let role_in = |scope: &Scope<RoleId>| scope.listed().is_none_or(|r| r.contains(&ids.role));
        let mut out = Candidates {
            declared,
            ..Candidates::default()
        };
        for (position, rule) in version.rules.iter().enumerate() {
            let t = &rule.target;
            if !role_in(&t.roles) {
                continue;
            }
            match rule.effect {
                Effect::Allow(_) => {
                    if covered(categories, &t.categories, c) && covered(purposes, &t.purposes, p) {
                        out.allows.push(position);
                    }
                }
                Effect::DenyUse | Effect::DenyDisclosure => {
                    if overlaps(categories, &t.categories, c) && overlaps(purposes, &t.purposes, p)
                    {
                        let exceptions = rule
                            .exceptions
                            .iter()
                            .enumerate()
                            .filter(|(_, e)| {
                                role_in(&e.roles)
                                    && covered(categories, &e.categories, c)
                                    && covered(purposes, &e.purposes, p)
                            })
                            .map(|(i, _)| i)
                            .collect();
                        out.denies.push((position, rule.effect, exceptions));
                    }
                }
            }
        }
        out
    }

    /// What the request's names meet in this version, from its [`Candidates`].
    pub(crate) fn signature(
        &self,
        action: Action,
        ids: Option<Ids>,
        candidates: &Candidates,
    ) -> Signature {
        let Some(version) = self.version else {
            return Signature::NoVersion;
        };
        let Some(ids) = ids else {
            return Signature::Refused;
        };
        if !candidates.declared || !ids.party.is_none_or(|p| self.parties.contains(&p)) {
            return Signature::Undeclared;
        }
        let p = ids.purpose.raw();
        let purposes = self.vocab().purposes();
        let mut denies = Vec::new();
        for (position, effect, exceptions) in &candidates.denies {
            let fits = *effect == Effect::DenyUse || action == Action::Disclose;
            let Some(rule) = version.rules.get(*position) else {
                continue;
            };
            if !fits || !recipient(rule.target.parties.as_ref(), ids.party) {
                continue;
            }
            let inside = exceptions
                .iter()
                .copied()
                .filter(|e| {
                    rule.exceptions
                        .get(*e)
                        .is_some_and(|e| recipient(e.parties.as_ref(), ids.party))
                })
                .collect();
            denies.push((*position, inside));
        }
        let receives = ids.party.map(|party| {
            version
                .parties
                .iter()
                .any(|declared| declared.party == party && covered(purposes, &declared.receives, p))
        });
        Signature::Rules {
            denies,
            allows: candidates.allows.clone(),
            receives,
            party: ids.party.and_then(|p| self.party_content.get(&p).copied()),
        }
    }

    /// The rule at a position of the version.
    pub(crate) fn rule(&self, position: usize) -> Option<&'a Rule> {
        self.version?.rules.get(position)
    }

    /// Whether the version's child rule covers the role.
    pub(crate) fn child_rule_covers(&self, role: &str) -> bool {
        let (Some(version), Some(id)) = (self.version, self.vocab().role(role)) else {
            return false;
        };
        version
            .children
            .as_ref()
            .is_some_and(|c| c.roles.listed().is_none_or(|r| r.contains(&id)))
    }

    /// The default the version gives an attribute.
    pub(crate) fn default_of(&self, attribute: &str) -> Option<&'a Value> {
        let id = self.vocab().attribute(attribute)?;
        self.version?
            .attributes
            .iter()
            .find(|(a, _)| *a == id)
            .and_then(|(_, d)| d.as_ref())
    }

    /// The declared revocation covering a purpose most specifically, as the
    /// engine chooses it: the one listing the purpose nearest in its lineage, an
    /// unscoped one last, the first declared on a tie.
    pub(crate) fn revocation_for(&self, purpose: PurposeId) -> Option<usize> {
        let version = self.version?;
        let lineage = self.vocab().purposes().lineage(purpose.raw());
        let mut best: Option<(usize, usize)> = None;
        for (position, revocation) in version.revocations.iter().enumerate() {
            let depth = match revocation.purposes.listed() {
                None => Some(usize::MAX),
                Some(listed) => lineage
                    .iter()
                    .position(|l| listed.iter().any(|p| p.raw() == *l)),
            };
            if let Some(depth) = depth {
                if best.is_none_or(|(d, _)| depth < d) {
                    best = Some((depth, position));
                }
            }
        }
        best.map(|(_, position)| position)
    }

    /// A declared revocation.
    pub(crate) fn revocation(&self, position: usize) -> Option<&'a Revocation> {
        self.version?.revocations.get(position)
    }

    /// Whether the declared revocation at `position` is an opt-out.
    pub(crate) fn is_opt_out(&self, position: usize) -> bool {
        self.revocation(position)
            .is_some_and(|r| r.kind == RevocationKind::OptOut)
    }
}
