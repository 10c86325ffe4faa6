//! Compiling a [`PolicyModel`]: check it, then index every version.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::condition::{Condition, MAX_CONDITION_DEPTH};
use crate::ids::{AttributeId, CategoryId, NameId, PartyId, PurposeId, RoleId, id_from_index};
use crate::index::{EXCEPTIONS_MAY_APPLY, IndexBuilder, Keys, Plan, Reach, RuleIndex};
use crate::model::{
    Basis, Effect, PolicyModel, Revocation, RevocationKind, Rule, Scope, Target, VersionModel,
};
use crate::names::NameIndex;
use crate::request::PreparedRequest;
use crate::time::Timestamp;
use crate::value::Value;
use crate::vocab::{Tree, Vocabulary};

/// A model that cannot be compiled. The rule language's compiler reports these
/// with file positions before they can reach here; they guard models built in code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The policy has no versions.
    #[error("the policy has no versions")]
    NoVersions,
    /// Two versions share a name or an effective date.
    #[error("versions `{0}` and `{1}` share a name or an effective date")]
    DuplicateVersion(String, String),
    /// A name id is not in the vocabulary.
    #[error("version `{0}` refers to a name its vocabulary does not have")]
    UnknownId(String),
    /// A condition nests too deeply.
    #[error("rule `{0}` has a condition nested more than {MAX_CONDITION_DEPTH} deep")]
    TooDeep(String),
    /// A rule names so many combinations that indexing it would exhaust memory.
    #[error("rule `{rule}` covers {cases} combinations of role, purpose and data, more than the policy has room for (at most {max} in all)", max = crate::index::MAX_INDEX_ENTRIES)]
    TooLarge {
        /// The rule's id.
        rule: String,
        /// How many index entries it needs.
        cases: usize,
    },
    /// A rule's parts do not fit together.
    #[error("rule `{rule}` {problem}")]
    BadRule {
        /// The rule's id.
        rule: String,
        /// What is wrong.
        problem: &'static str,
    },
}

/// One version, indexed for deciding.
#[derive(Debug)]
pub(crate) struct CompiledVersion {
    pub(crate) model: VersionModel,
    pub(crate) allow: RuleIndex,
    pub(crate) deny_use: RuleIndex,
    pub(crate) deny_disclosure: RuleIndex,
    /// The three indexes listed per (role, purpose, category), when the vocabulary is small.
    pub(crate) plan: Option<Plan>,
    parties: Parties,
    /// The most specific revocation covering each purpose, by purpose id.
    revocation_for: Vec<Option<u32>>,
    /// By purpose id: whether the purpose or one inside it falls to an opt-out
    /// (its most specific revocation is one), so that revoking consent can opt
    /// the subject out of it.
    opt_out_within: Vec<bool>,
    /// Attribute defaults, by attribute id.
    defaults: Vec<Option<Value>>,
    declared: Declared,
}

/// Where a version declares each party and whom it lets receive data for what.
#[derive(Debug)]
struct Parties {
    /// Position in `model.parties`, by party id.
    party_slot: Vec<Option<u32>>,
    /// Whether the party receives data for any purpose, by party id.
    receives_any: Vec<bool>,
    /// Every purpose each party receives data for (subtrees expanded), sorted, by
    /// party id: a party receives for few purposes, so a binary search is quick.
    receives: Vec<Vec<u32>>,
}

/// Which names a version declares, by id.
#[derive(Debug, Default)]
struct Declared {
    roles: Vec<bool>,
    categories: Vec<bool>,
    purposes: Vec<bool>,
    parties: Vec<bool>,
    attributes: Vec<bool>,
    /// Every role, category, purpose and party of the vocabulary (usually true of
    /// the newest version): no request can name one the version lacks.
    everything: bool,
}

fn flags(len: usize, ids: impl Iterator<Item = usize>) -> Vec<bool> {
    let mut flags = vec![false; len];
    for id in ids {
        if let Some(flag) = flags.get_mut(id) {
            *flag = true;
        }
    }
    flags
}

/// A name a request uses that the deciding version does not declare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Undeclared {
    Role(crate::ids::RoleId),
    Category(crate::ids::CategoryId),
    Purpose(PurposeId),
    Party(PartyId),
}

impl Undeclared {
    /// Names the missing name for a message: "role `account_user`".
    pub(crate) fn describe(self, vocabulary: &Vocabulary) -> String {
        match self {
            Undeclared::Role(r) => format!("role `{}`", vocabulary.role_name(r)),
            Undeclared::Category(c) => {
                format!("data category `{}`", vocabulary.category_name(c))
            }
            Undeclared::Purpose(p) => format!("purpose `{}`", vocabulary.purpose_name(p)),
            Undeclared::Party(p) => format!("party `{}`", vocabulary.party_name(p)),
        }
    }
}

impl CompiledVersion {
    /// The default this version gives an attribute.
    #[inline]
    pub(crate) fn default_of(&self, attribute: AttributeId) -> Option<&Value> {
        self.defaults
            .get(attribute.index())
            .and_then(Option::as_ref)
    }

    /// Whether `party` may receive data for `purpose` under this version.
    #[inline]
    pub(crate) fn receives(&self, party: PartyId, purpose: PurposeId) -> bool {
        self.parties
            .receives_any
            .get(party.index())
            .copied()
            .unwrap_or(false)
            || self
                .parties
                .receives
                .get(party.index())
                .is_some_and(|purposes| purposes.binary_search(&purpose.0).is_ok())
    }

    /// The party's declaration in this version.
    pub(crate) fn party(&self, party: PartyId) -> Option<&crate::model::Party> {
        let slot = self
            .parties
            .party_slot
            .get(party.index())
            .copied()
            .flatten()?;
        self.model.parties.get(slot as usize)
    }

    /// The revocation that covers a purpose, if the version declares one.
    #[inline]
    pub(crate) fn revocation_for(&self, purpose: PurposeId) -> Option<u32> {
        self.revocation_for.get(purpose.index()).copied().flatten()
    }

    /// Whether a revocation can opt the subject out of `purpose`: the purpose or
    /// one inside it falls to a declared opt-out. When not, no revocation needs
    /// reading before the rules.
    #[inline]
    pub(crate) fn opt_out_within(&self, purpose: PurposeId) -> bool {
        self.opt_out_within
            .get(purpose.index())
            .copied()
            .unwrap_or(true)
    }

    /// The first name the request uses that this version does not declare. A
    /// version says nothing about such names, so nothing in it can allow them.
    pub(crate) fn undeclared(&self, request: &PreparedRequest) -> Option<Undeclared> {
        let d = &self.declared;
        if d.everything {
            return None;
        }
        let has = |flags: &[bool], index: usize| flags.get(index).copied().unwrap_or(false);
        if !has(&d.roles, request.role.index()) {
            return Some(Undeclared::Role(request.role));
        }
        if let Some(c) = request.data.iter().find(|c| !has(&d.categories, c.index())) {
            return Some(Undeclared::Category(*c));
        }
        if !has(&d.purposes, request.purpose.index()) {
            return Some(Undeclared::Purpose(request.purpose));
        }
        match request.party {
            Some(p) if !has(&d.parties, p.index()) => Some(Undeclared::Party(p)),
            _ => None,
        }
    }

    /// Whether this version declares an attribute.
    pub(crate) fn declares_attribute(&self, attribute: AttributeId) -> bool {
        attribute == crate::vocab::AGE
            || self
                .declared
                .attributes
                .get(attribute.index())
                .copied()
                .unwrap_or(false)
    }

    /// Index entries across the three indexes.
    pub(crate) fn index_entries(&self) -> usize {
        self.allow.entries() + self.deny_use.entries() + self.deny_disclosure.entries()
    }
}

/// A compiled policy: the vocabulary and its versions, oldest first.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) vocabulary: Vocabulary,
    /// The vocabulary's names (and a request's keys) for the fast JSON reader.
    pub(crate) names: NameIndex,
    pub(crate) versions: Vec<CompiledVersion>,
    /// Ties prepared requests to the policy they were prepared for.
    pub(crate) stamp: u64,
    /// The SHA-256 of the sources it was compiled from, as 64 lowercase hex digits;
    /// `None` for a policy compiled from a model without its text.
    pub(crate) digest: Option<Box<str>>,
}

static NEXT_STAMP: AtomicU64 = AtomicU64::new(1);

impl Compiled {
    pub(crate) fn new(model: PolicyModel) -> Result<Compiled, ModelError> {
        let PolicyModel {
            vocabulary,
            mut versions,
        } = model;
        if versions.is_empty() {
            return Err(ModelError::NoVersions);
        }
        versions.sort_by_key(|v| v.effective);
        for pair in versions.windows(2) {
            if let [a, b] = pair {
                if a.effective == b.effective || a.name == b.name {
                    return Err(ModelError::DuplicateVersion(
                        a.name.to_string(),
                        b.name.to_string(),
                    ));
                }
            }
        }
        let mut names: Vec<&str> = versions.iter().map(|v| &*v.name).collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|p| p.first() == p.get(1)) {
            let name = pair.first().copied().unwrap_or_default().to_owned();
            return Err(ModelError::DuplicateVersion(name.clone(), name));
        }
        let mut budget = crate::index::MAX_INDEX_ENTRIES;
        let compile_versions = || {
            versions
                .into_iter()
                .map(|v| compile_version(&vocabulary, v, &mut budget))
                .collect::<Result<Vec<_>, _>>()
        };
        let names = vocabulary.roles().len()
            + vocabulary.categories().table().len()
            + vocabulary.purposes().table().len()
            + vocabulary.parties().len();
        let (names, versions) = crate::parallel::beside(
            names >= NAMES_WORTH_A_THREAD,
            || NameIndex::new(&vocabulary),
            compile_versions,
        );
        Ok(Compiled {
            names,
            versions: versions?,
            vocabulary,
            stamp: NEXT_STAMP.fetch_add(1, Ordering::Relaxed),
            digest: None,
        })
    }

    /// The version in force for data collected at `collected_at` (the newest when
    /// `None`); `None` when the data predates every version.
    #[inline]
    pub(crate) fn select_version(&self, collected_at: Option<Timestamp>) -> Option<usize> {
        match collected_at {
            None => self.versions.len().checked_sub(1),
            Some(at) => self
                .versions
                .partition_point(|v| v.model.effective <= at)
                .checked_sub(1),
        }
    }
}

/// Below this many names, the name index is built on the calling thread:
/// starting a thread would cost more than building it beside the rule indexes.
const NAMES_WORTH_A_THREAD: usize = 4_096;

fn within<T: Copy>(scope: &Scope<T>, limit: usize, index: impl Fn(T) -> usize) -> bool {
    scope
        .listed()
        .is_none_or(|items| items.iter().all(|i| index(*i) < limit))
}

/// Whether every attribute and purpose a condition names is in the vocabulary.
fn check_condition(vocabulary: &Vocabulary, condition: Option<&Condition>) -> bool {
    let (mut attributes, mut purposes) = (Vec::new(), Vec::new());
    if let Some(c) = condition {
        c.attributes(&mut attributes);
        c.consents(&mut purposes);
    }
    attributes
        .iter()
        .all(|a| a.index() < vocabulary.attributes().len())
        && purposes
            .iter()
            .all(|p| p.index() < vocabulary.purposes().table().len())
}

fn check_target(vocabulary: &Vocabulary, target: &Target) -> bool {
    within(&target.roles, vocabulary.roles().len(), |i| i.index())
        && within(
            &target.categories,
            vocabulary.categories().table().len(),
            |i| i.index(),
        )
        && within(&target.purposes, vocabulary.purposes().table().len(), |i| {
            i.index()
        })
        && target
            .parties
            .as_ref()
            .is_none_or(|p| within(p, vocabulary.parties().len(), |i| i.index()))
        && check_condition(vocabulary, target.condition.as_ref())
}

fn too_deep(condition: &Option<Condition>) -> bool {
    condition
        .as_ref()
        .is_some_and(|c| c.depth() > MAX_CONDITION_DEPTH)
}

/// Expands a scope of tree nodes into every node inside them (`None` for any).
fn subtree_keys<Id: NameId>(tree: &Tree<Id>, scope: &Scope<Id>, with_ancestors: bool) -> Keys {
    let items = scope.listed()?;
    let mut keys: Vec<u32> = Vec::new();
    for node in items {
        keys.extend_from_slice(tree.subtree(node.raw()));
        if with_ancestors {
            keys.extend_from_slice(tree.lineage(node.raw()));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    Some(keys)
}

/// The error for a version that names something the vocabulary lacks.
fn unknown_id(model: &VersionModel) -> ModelError {
    ModelError::UnknownId(model.name.to_string())
}

/// Checks one version against the vocabulary and indexes it for deciding.
fn compile_version(
    vocabulary: &Vocabulary,
    model: VersionModel,
    budget: &mut usize,
) -> Result<CompiledVersion, ModelError> {
    let RuleIndexes {
        allow,
        deny_use,
        deny_disclosure,
    } = index_rules(vocabulary, &model, budget)?;
    let parties = index_parties(vocabulary, &model)?;
    let revocation_for = revocation_table(vocabulary, &model)?;
    let opt_out_within = opt_out_table(vocabulary, &model, &revocation_for);
    check_children(vocabulary, &model)?;
    let defaults = attribute_defaults(vocabulary, &model)?;
    let declared = declared_flags(vocabulary, &model);
    // INVARIANT: the order here is the order `eval` reads the plan's lists in.
    let plan = Plan::build(
        [&deny_use, &deny_disclosure, &allow],
        vocabulary.roles().len(),
        vocabulary.purposes().table().len(),
        vocabulary.categories().table().len(),
        |which, position, role, purpose, category| {
            let Some(rule) = model.rules.get(position as usize).filter(|_| which != 2) else {
                return Some(position);
            };
            let names = |e: &&Target| names_cover(vocabulary, e, role, purpose, category);
            let mut covering = rule.exceptions.iter().filter(names).peekable();
            if covering.peek().is_none() {
                // No exception is about these names: none is read when deciding.
                return Some(position);
            }
            // An exception with neither condition nor recipients always carves them out.
            if covering.any(|e| e.condition.is_none() && e.parties.is_none()) {
                return None;
            }
            Some(position | EXCEPTIONS_MAY_APPLY)
        },
    );
    Ok(CompiledVersion {
        model,
        allow,
        deny_use,
        deny_disclosure,
        plan,
        parties,
        revocation_for,
        opt_out_within,
        defaults,
        declared,
    })
}

/// Whether the target's roles, categories and purposes take in the names
/// (conditions and recipients aside).
fn names_cover(
    vocabulary: &Vocabulary,
    target: &Target,
    role: RoleId,
    purpose: PurposeId,
    category: CategoryId,
) -> bool {
    target.roles.listed().is_none_or(|r| r.contains(&role))
        && target.categories.listed().is_none_or(|c| {
            c.iter()
                .any(|c| vocabulary.categories().covers(c.0, category.0))
        })
        && target.purposes.listed().is_none_or(|p| {
            p.iter()
                .any(|p| vocabulary.purposes().covers(p.0, purpose.0))
        })
}

/// A version's rules, one index per effect.
struct RuleIndexes {
    allow: RuleIndex,
    deny_use: RuleIndex,
    deny_disclosure: RuleIndex,
}

/// Files each rule under every (role, purpose, category) it is about, in order.
fn index_rules(
    vocabulary: &Vocabulary,
    model: &VersionModel,
    budget: &mut usize,
) -> Result<RuleIndexes, ModelError> {
    let mut allow = IndexBuilder::default();
    let mut deny_use = IndexBuilder::default();
    let mut deny_disclosure = IndexBuilder::default();
    for (position, rule) in model.rules.iter().enumerate() {
        check_rule(vocabulary, model, rule)?;
        let is_allow = matches!(rule.effect, Effect::Allow(_));
        let roles: Keys = rule
            .target
            .roles
            .listed()
            .map(|r| r.iter().map(|i| i.0).collect());
        // A deny is about every name its scope overlaps (fail closed); an allow only
        // covers the names inside its scope.
        let purposes = subtree_keys(vocabulary.purposes(), &rule.target.purposes, !is_allow);
        let categories = subtree_keys(vocabulary.categories(), &rule.target.categories, !is_allow);
        let builder = match rule.effect {
            Effect::Allow(_) => &mut allow,
            Effect::DenyUse => &mut deny_use,
            Effect::DenyDisclosure => &mut deny_disclosure,
        };
        builder
            .add(
                id_from_index(position),
                reach(rule),
                &roles,
                &purposes,
                &categories,
                budget,
            )
            .map_err(|cases| ModelError::TooLarge {
                rule: rule.id.to_string(),
                cases,
            })?;
    }
    let sizes = (
        vocabulary.roles().len(),
        vocabulary.purposes().table().len(),
        vocabulary.categories().table().len(),
    );
    let build = |b: IndexBuilder| b.build(sizes.0, sizes.1, sizes.2);
    Ok(RuleIndexes {
        allow: build(allow),
        deny_use: build(deny_use),
        deny_disclosure: build(deny_disclosure),
    })
}

/// What can be known of a rule before any request (see [`Reach`]): an allow
/// applies when its condition holds and, resting on consent, consent is in
/// force; a deny applies unless its condition is false, an exception carves the
/// request out, or the recipient is not one it names.
fn reach(rule: &Rule) -> Reach {
    let unconditional = rule.target.condition.is_none();
    match rule.effect {
        Effect::Allow(Basis::Consent) if unconditional => Reach::WithConsent,
        Effect::Allow(Basis::Consent) => Reach::ConsentAndMore,
        Effect::Allow(_) if unconditional => Reach::Always,
        Effect::Allow(_) => Reach::Depends,
        Effect::DenyUse | Effect::DenyDisclosure => {
            let any_recipient = matches!(rule.target.parties, None | Some(Scope::Any));
            if unconditional && rule.exceptions.is_empty() && any_recipient {
                Reach::Always
            } else {
                Reach::Depends
            }
        }
    }
}

/// Checks a rule's names, the depth of its conditions and how its parts fit together.
fn check_rule(
    vocabulary: &Vocabulary,
    model: &VersionModel,
    rule: &Rule,
) -> Result<(), ModelError> {
    let bad = |problem| ModelError::BadRule {
        rule: rule.id.to_string(),
        problem,
    };
    if !check_target(vocabulary, &rule.target)
        || !rule.exceptions.iter().all(|e| check_target(vocabulary, e))
    {
        return Err(unknown_id(model));
    }
    if too_deep(&rule.target.condition) || rule.exceptions.iter().any(|e| too_deep(&e.condition)) {
        return Err(ModelError::TooDeep(rule.id.to_string()));
    }
    if matches!(rule.effect, Effect::Allow(_)) && !rule.exceptions.is_empty() {
        return Err(bad(
            "allows with exceptions; only a deny rule can have exceptions",
        ));
    }
    if !matches!(rule.effect, Effect::DenyDisclosure) && rule.target.parties.is_some() {
        return Err(bad("names parties; only a rule about disclosure can"));
    }
    Ok(())
}

/// Where each party is declared and the purposes it may receive data for.
fn index_parties(vocabulary: &Vocabulary, model: &VersionModel) -> Result<Parties, ModelError> {
    let party_count = vocabulary.parties().len();
    let purpose_count = vocabulary.purposes().table().len();
    let mut parties = Parties {
        party_slot: vec![None; party_count],
        receives_any: vec![false; party_count],
        receives: vec![Vec::new(); party_count],
    };
    for (slot, party) in model.parties.iter().enumerate() {
        let in_range = party.party.index() < party_count
            && within(&party.receives, purpose_count, |p| p.index());
        if !in_range {
            return Err(unknown_id(model));
        }
        if let Some(s) = parties.party_slot.get_mut(party.party.index()) {
            *s = Some(id_from_index(slot));
        }
        match &party.receives {
            Scope::Any => {
                if let Some(any) = parties.receives_any.get_mut(party.party.index()) {
                    *any = true;
                }
            }
            Scope::Only(purposes) => {
                for purpose in purposes {
                    for inner in vocabulary.purposes().subtree(purpose.0) {
                        if let Some(list) = parties.receives.get_mut(party.party.index()) {
                            list.push(*inner);
                        }
                    }
                }
            }
        }
    }
    for list in &mut parties.receives {
        list.sort_unstable();
        list.dedup();
    }
    Ok(parties)
}

/// The most specific revocation covering each purpose, by purpose id.
fn revocation_table(
    vocabulary: &Vocabulary,
    model: &VersionModel,
) -> Result<Vec<Option<u32>>, ModelError> {
    let purposes = vocabulary.purposes();
    let purpose_count = purposes.table().len();
    if !model
        .revocations
        .iter()
        .all(|r| within(&r.purposes, purpose_count, |p| p.index()))
    {
        return Err(unknown_id(model));
    }
    let table = purposes
        .table()
        .ids()
        .map(|purpose| most_specific_revocation(purposes.lineage(purpose.0), &model.revocations))
        .collect();
    Ok(table)
}

/// For each purpose: whether it or a purpose inside it has an opt-out as its
/// most specific revocation (see [`CompiledVersion::opt_out_within`]).
fn opt_out_table(
    vocabulary: &Vocabulary,
    model: &VersionModel,
    revocation_for: &[Option<u32>],
) -> Vec<bool> {
    let purposes = vocabulary.purposes();
    let opt_out = |node: &u32| {
        revocation_for
            .get(*node as usize)
            .copied()
            .flatten()
            .and_then(|r| model.revocations.get(r as usize))
            .is_some_and(|r| r.kind == RevocationKind::OptOut)
    };
    purposes
        .table()
        .ids()
        .map(|purpose| purposes.subtree(purpose.0).iter().any(opt_out))
        .collect()
}

/// The revocation listing the purpose nearest in `lineage` (an unscoped one, the farthest).
fn most_specific_revocation(lineage: &[u32], revocations: &[Revocation]) -> Option<u32> {
    let mut best: Option<(usize, u32)> = None;
    for (position, revocation) in revocations.iter().enumerate() {
        let depth = match revocation.purposes.listed() {
            None => Some(usize::MAX),
            Some(listed) => lineage
                .iter()
                .position(|l| listed.iter().any(|p| p.0 == *l)),
        };
        if let Some(depth) = depth {
            if best.is_none_or(|(d, _)| depth < d) {
                best = Some((depth, id_from_index(position)));
            }
        }
    }
    best.map(|(_, position)| position)
}

/// Checks the child rule's roles and the depth of its lifting condition.
fn check_children(vocabulary: &Vocabulary, model: &VersionModel) -> Result<(), ModelError> {
    let Some(children) = &model.children else {
        return Ok(());
    };
    if !within(&children.roles, vocabulary.roles().len(), |r| r.index())
        || !check_condition(vocabulary, children.unless.as_ref())
    {
        return Err(unknown_id(model));
    }
    if too_deep(&children.unless) {
        return Err(ModelError::TooDeep(crate::model::CHILD_RULE.to_owned()));
    }
    Ok(())
}

/// The default the version gives each attribute, by attribute id.
fn attribute_defaults(
    vocabulary: &Vocabulary,
    model: &VersionModel,
) -> Result<Vec<Option<Value>>, ModelError> {
    let mut defaults = vec![None; vocabulary.attributes().len()];
    for (attribute, default) in &model.attributes {
        match (defaults.get_mut(attribute.index()), default) {
            (Some(slot), Some(value)) => {
                if value.value_type() != vocabulary.attribute_type(*attribute) {
                    return Err(unknown_id(model));
                }
                *slot = Some(value.clone());
            }
            (Some(_), None) => {}
            (None, _) => return Err(unknown_id(model)),
        }
    }
    Ok(defaults)
}

/// Which names the version declares, as one flag per id of each kind.
fn declared_flags(vocabulary: &Vocabulary, model: &VersionModel) -> Declared {
    let mut declared = Declared {
        roles: flags(
            vocabulary.roles().len(),
            model.roles.iter().map(|r| r.index()),
        ),
        categories: flags(
            vocabulary.categories().table().len(),
            model.categories.iter().map(|c| c.index()),
        ),
        purposes: flags(
            vocabulary.purposes().table().len(),
            model.purposes.iter().map(|p| p.index()),
        ),
        parties: flags(
            vocabulary.parties().len(),
            model.parties.iter().map(|p| p.party.index()),
        ),
        attributes: flags(
            vocabulary.attributes().len(),
            model.attributes.iter().map(|(a, _)| a.index()),
        ),
        everything: false,
    };
    declared.everything = [
        &declared.roles,
        &declared.categories,
        &declared.purposes,
        &declared.parties,
    ]
    .iter()
    .all(|flags| flags.iter().all(|f| *f));
    declared
}
