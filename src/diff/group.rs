//! Grouping what changed so a reviewer reads it in a minute.
//!
//! 1. In each class of names, the cells with the same change (the same old and
//!    new decision, as compared) are said as cubes (`when::cover`).
//! 2. Every name of the class gets that change; names with the same change and
//!    the same words, in any pair of versions, join, their collection dates too.
//! 3. Names with the same change and condition are cut into products
//!    (roles × data × purposes × parties), merging exactly equal sets at each
//!    step, so every group says exactly which requests it holds.
//! 4. Each group gets a witness: a request of it that both policies are asked
//!    again, through `Policy::decide`, and must decide as recorded.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap as HashMap;

use super::space::{ClassResult, Compared, Evaluation, Plan, Rep};
use super::when::{self, Constraint, Cube, Period};
use super::{Cells, Change, ChangeKind, ChangeScope, DecisionView, DiffError};
use crate::{Action, Request, Subject};

/// The order names are shown in: the new policy's declarations, then the old's.
pub(crate) struct Names {
    pub(crate) roles: Vec<String>,
    pub(crate) categories: Vec<String>,
    pub(crate) purposes: Vec<String>,
    pub(crate) parties: Vec<String>,
}

impl Names {
    /// Every name either side of a compared pair declares.
    pub(crate) fn of(plan: &Plan, pairs: &[usize]) -> Names {
        let mut kinds: [Vec<String>; 4] = Default::default();
        for index in pairs {
            let Some(pair) = plan.pairs.get(*index) else {
                continue;
            };
            let sides = [
                super::side::Side::new(&plan.new, pair.new),
                super::side::Side::new(&plan.old, pair.old),
            ];
            for side in &sides {
                for (kind, names) in kinds.iter_mut().zip(side.declared()) {
                    for name in names {
                        if !kind.contains(&name) {
                            kind.push(name);
                        }
                    }
                }
            }
        }
        let [roles, categories, purposes, parties] = kinds;
        Names {
            roles,
            categories,
            purposes,
            parties,
        }
    }
}

/// The change kind between two compared decisions: the first thing that differs.
pub(crate) fn kind(old: &Compared, new: &Compared) -> ChangeKind {
    if old.allowed != new.allowed {
        if new.allowed {
            ChangeKind::NowAllowed
        } else {
            ChangeKind::NowDenied
        }
    } else if old.rule != new.rule {
        ChangeKind::Rule
    } else if old.basis != new.basis {
        ChangeKind::Basis
    } else if old.obligations != new.obligations {
        ChangeKind::Obligations
    } else {
        ChangeKind::Cites
    }
}

/// What a reviewer sees as one change: its kind and the rules (or basis,
/// obligations, cites) before and after. Decisions that differ only in what
/// does not change (a recipient's cites on an allowed decision) are one change.
fn headline(old: &Compared, new: &Compared) -> String {
    let k = kind(old, new);
    match k {
        ChangeKind::NowDenied | ChangeKind::NowAllowed => format!(
            "{k:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            old.rule, old.basis, old.why, new.rule, new.basis, new.why
        ),
        ChangeKind::Rule => format!(
            "{k:?}|{}|{:?}|{:?}|{:?}|{:?}",
            new.allowed, old.rule, old.why, new.rule, new.why
        ),
        ChangeKind::Basis => format!("{k:?}|{:?}|{:?}|{:?}", new.rule, old.basis, new.basis),
        ChangeKind::Obligations => format!(
            "{k:?}|{:?}|{:?}|{:?}",
            new.rule, old.obligations, new.obligations
        ),
        ChangeKind::Cites => format!("{k:?}|{:?}|{:?}|{:?}", new.rule, old.cites, new.cites),
    }
}

/// A witness: a class, a cell of it, and what both sides decided there.
type Witness = (usize, usize, [u32; 2]);

/// A request's names, as indices into [`Names`].
type Tuple = (usize, usize, usize, Option<usize>);

/// Values numbered in the order first seen.
struct Interner<T> {
    items: Vec<T>,
    index: HashMap<T, u32>,
}

impl<T: std::hash::Hash + Eq + Clone> Interner<T> {
    fn new() -> Self {
        Interner {
            items: Vec::new(),
            index: HashMap::default(),
        }
    }

    fn id(&mut self, item: T) -> u32 {
        if let Some(id) = self.index.get(&item) {
            return *id;
        }
        let id = u32::try_from(self.items.len()).unwrap_or(u32::MAX);
        self.items.push(item.clone());
        self.index.insert(item, id);
        id
    }
}

/// One name of a class with one change: the pairs of versions where it holds,
/// and a witness.
struct Atom {
    /// The pairs, one bit each.
    pairs: u64,
    witness: Witness,
}

/// Groups the evaluation's changes; each carries a verified witness.
pub(crate) fn group(plan: &Plan, evaluation: &Evaluation) -> Result<Vec<Change>, DiffError> {
    let compared: Vec<usize> = evaluation
        .classes
        .iter()
        .map(|c| c.pair)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let names = Names::of(plan, &compared);
    let index = |list: &[String]| -> HashMap<String, usize> {
        list.iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect()
    };
    let (roles, categories, purposes, parties) = (
        index(&names.roles),
        index(&names.categories),
        index(&names.purposes),
        index(&names.parties),
    );
    let at =
        |map: &HashMap<String, usize>, name: &str| map.get(name).copied().unwrap_or(usize::MAX);
    let mut heads: Interner<String> = Interner::new();
    let mut head_of: HashMap<[u32; 2], u32> = HashMap::default();
    let mut whens: Interner<String> = Interner::new();
    let mut cubes_of: Vec<Vec<Cube>> = Vec::new();
    let mut atoms: BTreeMap<(u32, u32, bool), HashMap<Tuple, Atom>> = BTreeMap::new();
    for (class_index, class) in evaluation.classes.iter().enumerate() {
        let values: Vec<Vec<u16>> = (0..class.cells.len()).map(|c| class.values(c)).collect();
        let mut changes: BTreeMap<u32, (Vec<bool>, Option<Witness>)> = BTreeMap::new();
        for (cell, outcome) in class.outcomes.iter().enumerate() {
            if evaluation.table.same(outcome[0], outcome[1]) {
                continue;
            }
            let head = match head_of.get(outcome) {
                Some(h) => *h,
                None => {
                    let (Some(old), Some(new)) = (
                        evaluation.table.view(outcome[0]),
                        evaluation.table.view(outcome[1]),
                    ) else {
                        continue;
                    };
                    let h = heads.id(headline(old, new));
                    head_of.insert(*outcome, h);
                    h
                }
            };
            let (member, witness) = changes
                .entry(head)
                .or_insert_with(|| (vec![false; class.cells.len()], None));
            if let Some(m) = member.get_mut(cell) {
                *m = true;
            }
            witness.get_or_insert((class_index, cell, *outcome));
        }
        let role = at(&roles, &class.role);
        let purpose = at(&purposes, &class.purpose);
        let disclose = class.action == Action::Disclose;
        for (head, (member, witness)) in changes {
            let Some(witness) = witness else { continue };
            let cubes = when::cover(&class.dims, &values, &member);
            let when = whens.id(when::key(&cubes));
            if cubes_of.len() <= when as usize {
                cubes_of.push(cubes);
            }
            let bit = 1u64 << class.pair;
            let entry = atoms.entry((head, when, disclose)).or_default();
            for (category, party) in &class.members {
                let tuple: Tuple = (
                    role,
                    at(&categories, category),
                    purpose,
                    party.as_deref().map(|p| at(&parties, p)),
                );
                entry
                    .entry(tuple)
                    .and_modify(|atom| atom.pairs |= bit)
                    .or_insert(Atom {
                        pairs: bit,
                        witness,
                    });
            }
        }
    }
    // Join the names that share a change and its full condition (with the
    // collection dates of the pairs where it holds).
    let mut full: HashMap<(u32, u64), u32> = HashMap::default();
    let mut full_cubes: Vec<Vec<Cube>> = Vec::new();
    let mut joined: BTreeMap<(u32, u32, bool), BTreeMap<Tuple, Witness>> = BTreeMap::new();
    for ((head, when, disclose), tuples) in atoms {
        for (tuple, atom) in tuples {
            let next = u32::try_from(full_cubes.len()).unwrap_or(u32::MAX);
            let id = *full.entry((when, atom.pairs)).or_insert_with(|| {
                let mut cubes = cubes_of.get(when as usize).cloned().unwrap_or_default();
                if let Some(dates) = collected(plan, atom.pairs) {
                    for cube in &mut cubes {
                        cube.0.push(dates.clone());
                    }
                }
                full_cubes.push(cubes);
                next
            });
            joined
                .entry((head, id, disclose))
                .or_default()
                .insert(tuple, atom.witness);
        }
    }
    let mut changes = Vec::new();
    for ((_, id, disclose), tuples) in joined {
        let cubes = full_cubes.get(id as usize).cloned().unwrap_or_default();
        let action = if disclose {
            Action::Disclose
        } else {
            Action::Use
        };
        for product in products(tuples.keys().copied()) {
            let Some(first) = product.first_tuple() else {
                continue;
            };
            let Some(witness) = tuples.get(&first) else {
                continue;
            };
            changes.push(change(
                plan, evaluation, &names, action, &cubes, &product, *witness, first,
            )?);
        }
    }
    changes.sort_by(|a, b| {
        (
            a.kind,
            &a.headline,
            a.scope.action == Action::Disclose,
            &a.sort_key,
        )
            .cmp(&(
                b.kind,
                &b.headline,
                b.scope.action == Action::Disclose,
                &b.sort_key,
            ))
    });
    Ok(changes)
}

/// The collection dates a set of pairs stands for, as a constraint; `None` when
/// dates are not compared or the pairs cover every date.
fn collected(plan: &Plan, pairs: u64) -> Option<Constraint> {
    if !plan.by_date {
        return None;
    }
    let contains = |pair: &usize| pairs & (1u64 << pair) != 0;
    let decided: Vec<&(Option<Period>, usize)> = plan.periods.iter().collect();
    if decided.iter().all(|(_, p)| contains(p)) {
        return None;
    }
    let mut periods: Vec<Period> = Vec::new();
    let mut no_date = false;
    let mut previous_chosen = false;
    for (period, pair) in decided {
        let chosen = contains(pair);
        match period {
            None => no_date = chosen,
            Some(p) if chosen => match periods.last_mut() {
                Some(last) if previous_chosen && last.before == p.from => last.before = p.before,
                _ => periods.push(*p),
            },
            Some(_) => {}
        }
        previous_chosen = chosen;
    }
    Some(Constraint::Collected { periods, no_date })
}

/// Roles × data × purposes × parties.
struct Product {
    roles: Vec<usize>,
    categories: Vec<usize>,
    purposes: Vec<usize>,
    parties: Vec<Option<usize>>,
}

impl Product {
    fn first_tuple(&self) -> Option<Tuple> {
        Some((
            *self.roles.first()?,
            *self.categories.first()?,
            *self.purposes.first()?,
            *self.parties.first()?,
        ))
    }
}

/// Products under construction: the sets joined so far, and what joins next.
type ByParty = BTreeMap<(usize, Vec<usize>, Vec<usize>), Vec<Option<usize>>>;
type ByRole = BTreeMap<(Vec<usize>, Vec<usize>, Vec<Option<usize>>), Vec<usize>>;

/// Cuts a set of tuples into products holding exactly them: categories join
/// first, then purposes, parties and roles, each only where the sets joined so
/// far are equal.
fn products(tuples: impl Iterator<Item = Tuple>) -> Vec<Product> {
    let mut by_category: BTreeMap<(usize, usize, Option<usize>), Vec<usize>> = BTreeMap::new();
    for (role, category, purpose, party) in tuples {
        by_category
            .entry((role, purpose, party))
            .or_default()
            .push(category);
    }
    let mut by_purpose: BTreeMap<(usize, Option<usize>, Vec<usize>), Vec<usize>> = BTreeMap::new();
    for ((role, purpose, party), mut categories) in by_category {
        categories.sort_unstable();
        by_purpose
            .entry((role, party, categories))
            .or_default()
            .push(purpose);
    }
    let mut by_party: ByParty = BTreeMap::new();
    for ((role, party, categories), mut purposes) in by_purpose {
        purposes.sort_unstable();
        by_party
            .entry((role, categories, purposes))
            .or_default()
            .push(party);
    }
    let mut by_role: ByRole = BTreeMap::new();
    for ((role, categories, purposes), mut parties) in by_party {
        parties.sort_unstable();
        by_role
            .entry((categories, purposes, parties))
            .or_default()
            .push(role);
    }
    by_role
        .into_iter()
        .map(|((categories, purposes, parties), mut roles)| {
            roles.sort_unstable();
            Product {
                roles,
                categories,
                purposes,
                parties,
            }
        })
        .collect()
}

/// The names of a product, as shown: a tree's node stands for its whole
/// subtree when all of it is in the list; a node whose subtree is only partly
/// in it is shown as `node (itself)`.
fn collapse(chosen: &[usize], all: &[String]) -> Vec<String> {
    let names: Vec<&str> = chosen
        .iter()
        .filter_map(|i| all.get(*i).map(String::as_str))
        .collect();
    let inside = |outer: &str, inner: &str| {
        inner.len() > outer.len()
            && inner.starts_with(outer)
            && inner.as_bytes().get(outer.len()) == Some(&b'.')
    };
    let full = |node: &str| {
        all.iter()
            .filter(|n| inside(node, n))
            .all(|n| names.contains(&n.as_str()))
    };
    names
        .iter()
        .filter(|n| !names.iter().any(|a| inside(a, n) && full(a)))
        .map(|n| {
            let has_inside = all.iter().any(|x| inside(n, x));
            if has_inside && !full(n) {
                format!("{n} (itself)")
            } else {
                (*n).to_owned()
            }
        })
        .collect()
}

/// A reviewer's words for a list of names: "`a`, `b`", or `any` when it is all.
fn listed(collapsed: &[String], chosen: usize, all: usize, any: &str) -> String {
    if chosen == all && all > 1 {
        return any.to_owned();
    }
    collapsed
        .iter()
        .map(|n| match n.strip_suffix(" (itself)") {
            Some(node) => format!("`{node}` itself"),
            None => format!("`{n}`"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Recipients in words: their names, or every party but a few when that is shorter.
fn recipients(chosen: &[usize], all: &[String]) -> String {
    let quoted = |names: Vec<&String>| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if chosen.len() == all.len() && all.len() > 1 {
        return "anyone".to_owned();
    }
    let others: Vec<&String> = all
        .iter()
        .enumerate()
        .filter(|(i, _)| !chosen.contains(i))
        .map(|(_, n)| n)
        .collect();
    if chosen.len() > 3 && others.len() < chosen.len() / 2 {
        return format!("any party but {}", quoted(others));
    }
    quoted(chosen.iter().filter_map(|i| all.get(*i)).collect())
}

/// "account users'" for `account_user`.
fn possessive(role: &str) -> String {
    let words = role.replace('_', " ");
    if words.ends_with('s') {
        format!("{words}'")
    } else {
        format!("{words}s'")
    }
}

#[expect(clippy::too_many_arguments, reason = "one call site, each part named")]
fn change(
    plan: &Plan,
    evaluation: &Evaluation,
    names: &Names,
    action: Action,
    cubes: &[Cube],
    product: &Product,
    witness: Witness,
    first: Tuple,
) -> Result<Change, DiffError> {
    let (class_index, cell, outcome) = witness;
    let views = [
        evaluation.table.view(outcome[0]),
        evaluation.table.view(outcome[1]),
    ];
    let [Some(old_view), Some(new_view)] = views else {
        return Err(DiffError::Internal(
            "a decision was not recorded".to_owned(),
        ));
    };
    let kind = kind(old_view, new_view);
    let expand = |chosen: &[usize], all: &[String]| -> Vec<String> {
        chosen.iter().filter_map(|i| all.get(*i).cloned()).collect()
    };
    let parties: Option<Vec<usize>> = product.parties.iter().copied().collect();
    let cells = Cells {
        roles: expand(&product.roles, &names.roles),
        data: expand(&product.categories, &names.categories),
        purposes: expand(&product.purposes, &names.purposes),
        parties: parties.as_ref().map(|p| expand(p, &names.parties)),
        when: cubes.to_vec(),
    };
    let scope = ChangeScope {
        action,
        role: cells.roles.clone(),
        data: collapse(&product.categories, &names.categories),
        purpose: collapse(&product.purposes, &names.purposes),
        party: cells.parties.clone(),
        when: when::words(cubes),
    };
    let class = evaluation
        .classes
        .get(class_index)
        .ok_or_else(|| DiffError::Internal("a witness's class is missing".to_owned()))?;
    let (role, category, purpose, party) = first;
    let name = |list: &[String], i: usize| list.get(i).cloned().unwrap_or_default();
    let request = witness_request(
        plan,
        class,
        cell,
        &name(&names.roles, role),
        &name(&names.categories, category),
        &name(&names.purposes, purpose),
        party.map(|p| name(&names.parties, p)),
    );
    let (old, old_compared) = decide(&plan.old, &request);
    let (new, new_compared) = decide(&plan.new, &request);
    if !old_compared.same_answer(old_view) || !new_compared.same_answer(new_view) {
        return Err(DiffError::Internal(format!(
            "the witness {} is not decided as enumerated",
            serde_json::to_string(&request).unwrap_or_default()
        )));
    }
    let (what, contrast) = sentence(kind, &scope, names, product, &old, &new);
    Ok(Change {
        kind,
        sentence: format!("{}: {what} — {contrast}", heading(kind)),
        headline: contrast,
        what,
        scope,
        old,
        new,
        witness: request,
        cells,
        sort_key: (first.0, first.2, first.1, first.3),
    })
}

fn decide(policy: &crate::Policy, request: &Request) -> (DecisionView, Compared) {
    match policy.decide(request) {
        Ok(decision) => (DecisionView::of(&decision), Compared::of(&decision)),
        Err(error) => (DecisionView::Refused { error }, Compared::refused()),
    }
}

fn witness_request(
    plan: &Plan,
    class: &ClassResult,
    cell: usize,
    role: &str,
    category: &str,
    purpose: &str,
    party: Option<String>,
) -> Request {
    let mut subject = Subject {
        role: role.to_owned(),
        ..Subject::default()
    };
    for rep in class.reps(cell) {
        match rep {
            Rep::Attribute(name, Some(value)) => {
                subject.attributes.insert(name.clone(), value.clone());
            }
            Rep::Attribute(_, None) => {}
            Rep::Age(age) => subject.age = *age,
            Rep::Child(age, given) => {
                subject.age = *age;
                for (name, value) in given {
                    if let Some(value) = value {
                        subject.attributes.insert(name.clone(), value.clone());
                    }
                }
            }
            Rep::Consent(scenario) => {
                subject.consents = scenario.consents.iter().cloned().collect();
                subject.revocations = scenario.revocations.iter().cloned().collect();
            }
        }
    }
    Request {
        action: class.action,
        subject,
        data: vec![category.to_owned()],
        purpose: purpose.to_owned(),
        party,
        at: Some(plan.at),
        collected_at: plan.pairs.get(class.pair).and_then(|p| p.collected_at),
        request_id: None,
    }
}

/// What changes ("disclosing account users' `account.credentials` to `stripe`
/// for `customer.billing`") and how ("was allowed by rule `account-user-services`; …").
fn sentence(
    kind: ChangeKind,
    scope: &ChangeScope,
    names: &Names,
    product: &Product,
    old: &DecisionView,
    new: &DecisionView,
) -> (String, String) {
    let roles = if product.roles.len() == names.roles.len() && names.roles.len() > 1 {
        "anyone's".to_owned()
    } else {
        scope
            .role
            .iter()
            .map(|r| possessive(r))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let data = listed(
        &scope.data,
        product.categories.len(),
        names.categories.len(),
        "data of any kind",
    );
    let purposes = listed(
        &scope.purpose,
        product.purposes.len(),
        names.purposes.len(),
        "any purpose",
    );
    let parties: Vec<usize> = product.parties.iter().flatten().copied().collect();
    let what = match scope.action {
        Action::Disclose => format!(
            "disclosing {roles} {data} to {} for {purposes}",
            recipients(&parties, &names.parties)
        ),
        Action::Use => format!("using {roles} {data} for {purposes}"),
    };
    let when = if scope.when == "always" {
        String::new()
    } else {
        format!(", when {}", scope.when)
    };
    (
        format!("{what}{when}"),
        DecisionView::contrast(kind, old, new),
    )
}

/// How a kind of change is introduced.
pub(crate) fn heading(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::NowDenied => "now denied",
        ChangeKind::NowAllowed => "now allowed",
        ChangeKind::Rule => "decided by another rule",
        ChangeKind::Basis => "on another basis",
        ChangeKind::Obligations => "with other obligations",
        ChangeKind::Cites => "citing other sections",
    }
}
