//! `lawful diff`: exactly which decisions change between two policies, or two
//! versions of one, with a request that shows each change.
//!
//! The space compared is finite. A request is an action, a role, a data
//! category (any node of the tree: an inner node is decided differently from its
//! children), a purpose (any node), a party for a disclosure, and a *condition
//! cell*: for every attribute some condition of either policy reads, the class
//! of values the policies' own constants cut (each number constant splits a
//! range, each text literal plus "any other", yes/no, and "not given" where no
//! shared default stands for it); the subject's age, cut at each child rule's
//! threshold and at each constant a condition compares it with; and consent:
//! for the request's purpose absent, in force or revoked (split by the declared
//! opt-out each side treats the revocation as), and for each purpose a condition
//! asks about, in force or not. When whole folders of versions are compared,
//! `collected_at` is one more dimension, cut at every version's first day.
//!
//! Every cell of that space is asked of both policies, through the engine, with
//! one representative request; nothing is inferred. Requests listing several
//! categories are decided category by category (see [`Diff::explains`]).
//!
//! ```
//! let old = lawful::Policy::load("rules/filestack/2020-04-06.lawful")?;
//! let new = lawful::Policy::load("rules/filestack/2020-04-17.lawful")?;
//! let diff = lawful::diff::diff(&old, None, &new, None)?;
//! for change in &diff.changes {
//!     // Each witness is a request the two policies decide differently.
//!     let before = old.decide(&change.witness)?;
//!     let after = new.decide(&change.witness)?;
//!     assert!(before.rule() != after.rule() || before.cites().ne(after.cites()));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod consent;
mod group;
mod render;
mod side;
mod source;
mod space;
mod when;

use std::collections::BTreeMap;

use serde::Serialize;

pub use render::{Format, render};
pub use source::{Input, load};
pub use when::{
    ConsentCase, ConsentStateName, Constraint, Cube, Interval, Observed, Period, Texts,
};

use crate::{Action, Decision, Policy, Request, RequestError};

/// What can go wrong before a diff is made. Never a partial answer.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// A named version is not in the policy.
    #[error("the {side} policy has no version `{name}` (its versions: {})", known.join(", "))]
    UnknownVersion {
        /// `old` or `new`.
        side: &'static str,
        /// The name asked for.
        name: String,
        /// The versions it has.
        known: Vec<String>,
    },
    /// A side holds several versions and none can be chosen.
    #[error("the {side} policy holds several versions ({}); name one with `PATH@VERSION`", known.join(", "))]
    AmbiguousVersion {
        /// `old` or `new`.
        side: &'static str,
        /// The versions it has.
        known: Vec<String>,
    },
    /// The space is larger than can be compared exactly.
    #[error("too large to compare exactly: {0}")]
    TooLarge(String),
    /// An input could not be read.
    #[error("{0}")]
    Input(String),
    /// A policy did not load.
    #[error("{0}")]
    Policy(#[from] crate::PolicyError),
    /// A broken invariant of the diff itself.
    #[error("internal error in lawful diff: {0} (please report this)")]
    Internal(String),
}

/// How to compare.
#[derive(Clone, Debug, Default)]
pub struct DiffOptions {
    /// Enumerate even versions whose rules are identical (labels aside); they
    /// always decide alike, so by default they are skipped.
    pub compare_identical_versions: bool,
}

/// Every decision that changes, grouped, and what was compared.
#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    /// The changes, decisions turned around first.
    pub changes: Vec<Change>,
    /// Counts and the versions compared.
    pub summary: Summary,
    /// The version names of each pair compared (`[old, new]`).
    #[serde(skip)]
    pairs: Vec<[Option<String>; 2]>,
    /// Each span of collection dates and its pair (`None`: no date).
    #[serde(skip)]
    periods: Vec<(Option<Period>, usize)>,
    #[serde(skip)]
    by_date: bool,
}

/// What kind of change: the first of these that differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Allowed before, denied now.
    NowDenied,
    /// Denied before, allowed now.
    NowAllowed,
    /// Still allowed or still denied, by another rule.
    Rule,
    /// Still allowed by the same rule, on another basis.
    Basis,
    /// The same answer by the same rule, with other obligations.
    Obligations,
    /// The same answer by the same rule, citing other sections.
    Cites,
}

impl ChangeKind {
    /// Every kind, in the order they are reported.
    pub const ALL: [ChangeKind; 6] = [
        ChangeKind::NowDenied,
        ChangeKind::NowAllowed,
        ChangeKind::Rule,
        ChangeKind::Basis,
        ChangeKind::Obligations,
        ChangeKind::Cites,
    ];

    /// The kind as JSON writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::NowDenied => "now_denied",
            ChangeKind::NowAllowed => "now_allowed",
            ChangeKind::Rule => "rule",
            ChangeKind::Basis => "basis",
            ChangeKind::Obligations => "obligations",
            ChangeKind::Cites => "cites",
        }
    }
}

/// One group of requests that change the same way.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// The change in one sentence.
    pub sentence: String,
    /// How the decisions change, in words (shared by changes that differ only
    /// in which requests they hold).
    #[serde(skip)]
    headline: String,
    /// Which requests, in words.
    #[serde(skip)]
    what: String,
    /// Which requests, as a reviewer reads them.
    pub scope: ChangeScope,
    /// The old policy's decision of the witness, as `lawful decide` prints it.
    pub old: DecisionView,
    /// The new policy's decision of the witness.
    pub new: DecisionView,
    /// A request of the group the two policies decide differently.
    pub witness: Request,
    /// Exactly which requests: every name, and the condition as cubes.
    pub cells: Cells,
    #[serde(skip)]
    sort_key: (usize, usize, usize, Option<usize>),
}

/// Which requests a change holds, as a reviewer reads them. In `data` and
/// `purpose`, a node of a tree stands for its whole subtree when every name in
/// it changes alike; [`Cells`] lists every name.
#[derive(Clone, Debug, Serialize)]
pub struct ChangeScope {
    /// `use` or `disclose`.
    pub action: Action,
    /// The subjects' roles.
    pub role: Vec<String>,
    /// The data categories.
    pub data: Vec<String>,
    /// The purposes.
    pub purpose: Vec<String>,
    /// The recipients; `None` for a use.
    pub party: Option<Vec<String>>,
    /// The condition, in words ("always" when there is none).
    pub when: String,
}

/// Exactly which requests a change holds: a request is in the change when its
/// action is the scope's, its names are in these lists (one data category) and
/// it shows every constraint of some cube ([`Diff::covering`] checks it).
#[derive(Clone, Debug, Serialize)]
pub struct Cells {
    /// Every role.
    pub roles: Vec<String>,
    /// Every data category.
    pub data: Vec<String>,
    /// Every purpose.
    pub purposes: Vec<String>,
    /// Every party; `None` for a use.
    pub parties: Option<Vec<String>>,
    /// The condition: any of these cubes.
    pub when: Vec<Cube>,
}

/// An obligation as a decision prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObligationOwned {
    /// What must be done.
    pub kind: String,
    /// For `notify_recipients`: the purpose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// The deadline in days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within_days: Option<u32>,
}

/// A decision as `lawful decide` prints it, or the error for a request the
/// policy cannot read (it names something the policy does not know).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum DecisionView {
    /// The decision.
    Decided {
        /// The answer.
        allowed: bool,
        /// The rule that decided.
        rule: Option<String>,
        /// The sections cited.
        cites: Vec<String>,
        /// The basis of the allowing rule.
        basis: Option<String>,
        /// What must be done.
        obligations: Vec<ObligationOwned>,
        /// The version that decided.
        version: Option<String>,
        /// Why, in a form code can match on (not part of the decision JSON).
        #[serde(skip)]
        reason: crate::Reason,
    },
    /// The request was refused.
    Refused {
        /// Why.
        error: RequestError,
    },
}

impl DecisionView {
    /// The owned form of a decision.
    pub fn of(decision: &Decision<'_>) -> DecisionView {
        DecisionView::Decided {
            allowed: decision.allowed(),
            rule: decision.rule().map(str::to_owned),
            cites: decision.cites().map(str::to_owned).collect(),
            basis: decision.basis().map(|b| b.as_str().to_owned()),
            obligations: decision
                .obligations()
                .map(|o| ObligationOwned {
                    kind: o.kind.to_owned(),
                    purpose: o.purpose.map(str::to_owned),
                    within_days: o.within_days,
                })
                .collect(),
            version: decision.version().map(str::to_owned),
            reason: decision.reason(),
        }
    }

    fn allowed(&self) -> bool {
        matches!(self, DecisionView::Decided { allowed: true, .. })
    }

    fn rule(&self) -> Option<&str> {
        match self {
            DecisionView::Decided { rule, .. } => rule.as_deref(),
            DecisionView::Refused { .. } => None,
        }
    }

    /// "denied by rule `x`", "allowed by rule `x` (contract)", "denied: no rule allows it".
    fn said(&self) -> String {
        match self {
            DecisionView::Refused { error } => format!("refused ({error})"),
            DecisionView::Decided {
                allowed: true,
                rule,
                basis,
                ..
            } => format!(
                "allowed by rule `{}`{}",
                rule.as_deref().unwrap_or_default(),
                basis
                    .as_ref()
                    .map(|b| format!(" ({b})"))
                    .unwrap_or_default()
            ),
            DecisionView::Decided {
                allowed: false,
                rule: Some(rule),
                ..
            } => format!("denied by rule `{rule}`"),
            DecisionView::Decided {
                allowed: false,
                rule: None,
                reason,
                ..
            } => format!("denied: {}", why(*reason)),
        }
    }

    fn obligations_said(&self) -> String {
        let DecisionView::Decided { obligations, .. } = self else {
            return "none".to_owned();
        };
        if obligations.is_empty() {
            return "none".to_owned();
        }
        obligations
            .iter()
            .map(|o| match o.within_days {
                Some(days) => format!("`{}` within {days} days", o.kind),
                None => format!("`{}`", o.kind),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn cites_said(&self) -> String {
        match self {
            DecisionView::Decided { cites, .. } if !cites.is_empty() => cites
                .iter()
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            _ => "nothing".to_owned(),
        }
    }

    /// How the new decision differs from the old, in words.
    fn contrast(kind: ChangeKind, old: &DecisionView, new: &DecisionView) -> String {
        match kind {
            ChangeKind::NowDenied | ChangeKind::NowAllowed => {
                format!("was {}; now {}", old.said(), new.said())
            }
            ChangeKind::Rule => {
                let by = |d: &DecisionView| match (d.rule(), d) {
                    (Some(r), _) => format!("rule `{r}`"),
                    (None, DecisionView::Decided { reason, .. }) => {
                        format!("no rule ({})", why(*reason))
                    }
                    (None, DecisionView::Refused { .. }) => "no rule (refused)".to_owned(),
                };
                let answer = if new.allowed() { "allowed" } else { "denied" };
                format!("still {answer}, now by {} instead of {}", by(new), by(old))
            }
            ChangeKind::Basis => format!("was {}; now {}", old.said(), new.said()),
            ChangeKind::Obligations => format!(
                "{}; obligations were {}, now {}",
                new.said(),
                old.obligations_said(),
                new.obligations_said()
            ),
            ChangeKind::Cites => format!(
                "{}; cited {}, now {}",
                new.said(),
                old.cites_said(),
                new.cites_said()
            ),
        }
    }
}

/// Why a decision without a rule denies, in words.
fn why(reason: crate::Reason) -> &'static str {
    match reason {
        crate::Reason::PartyNotPermitted => "the recipient does not receive data for the purpose",
        crate::Reason::NotInVersion => "the version does not declare a name the request uses",
        crate::Reason::BeforeFirstVersion => "the data predates the first version",
        _ => "no rule allows it",
    }
}

/// How many changes of each kind.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    /// Allowed before, denied now.
    pub now_denied: usize,
    /// Denied before, allowed now.
    pub now_allowed: usize,
    /// Decided by another rule.
    pub rule: usize,
    /// On another basis.
    pub basis: usize,
    /// With other obligations.
    pub obligations: usize,
    /// Citing other sections.
    pub cites: usize,
}

/// Names a version declares that the other side's does not.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DeclaredNames {
    /// Roles.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Data categories.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Purposes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub purposes: Vec<String>,
    /// Parties.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<String>,
    /// Attributes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
}

impl DeclaredNames {
    fn is_empty(&self) -> bool {
        self.roles.is_empty()
            && self.categories.is_empty()
            && self.purposes.is_empty()
            && self.parties.is_empty()
            && self.attributes.is_empty()
    }
}

/// Two versions compared, and the collection dates they decide.
#[derive(Clone, Debug, Serialize)]
pub struct VersionsCompared {
    /// The old policy's version (`None`: the data predates its first).
    pub old: Option<String>,
    /// The new policy's version.
    pub new: Option<String>,
    /// The collection dates this pair decides, in words; `None` when dates are
    /// not compared.
    pub collected: Option<String>,
    /// Whether the two say the same, labels aside (then nothing was enumerated).
    pub same_rules: bool,
    /// Names only the old version declares.
    #[serde(skip_serializing_if = "DeclaredNames::is_empty")]
    pub only_old: DeclaredNames,
    /// Names only the new version declares.
    #[serde(skip_serializing_if = "DeclaredNames::is_empty")]
    pub only_new: DeclaredNames,
}

/// What was compared, and how much changed.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// The old side, as given.
    pub old: String,
    /// The new side, as given.
    pub new: String,
    /// How many changes (groups).
    pub changes: usize,
    /// Changes by kind.
    pub kinds: Counts,
    /// The pairs of versions compared.
    pub versions: Vec<VersionsCompared>,
    /// Versions only the new side has.
    pub versions_added: Vec<String>,
    /// Versions only the old side has.
    pub versions_removed: Vec<String>,
    /// Representative requests decided, each by both policies.
    pub requests: u64,
    /// Requests of the decision space they stand for (names × cells).
    pub cases: u64,
}

/// Compares what two policies decide. `old_version` / `new_version` name a
/// version to compare (see [`Input`] for how sides are chosen).
pub fn diff(
    old: &Policy,
    old_version: Option<&str>,
    new: &Policy,
    new_version: Option<&str>,
) -> Result<Diff, DiffError> {
    diff_with(old, old_version, new, new_version, &DiffOptions::default())
}

/// [`diff`] with options.
pub fn diff_with(
    old: &Policy,
    old_version: Option<&str>,
    new: &Policy,
    new_version: Option<&str>,
    options: &DiffOptions,
) -> Result<Diff, DiffError> {
    let plan = space::plan(old, old_version, new, new_version)?;
    let evaluation = space::evaluate(&plan, options)?;
    let changes = group::group(&plan, &evaluation)?;
    let mut kinds = Counts::default();
    for change in &changes {
        *match change.kind {
            ChangeKind::NowDenied => &mut kinds.now_denied,
            ChangeKind::NowAllowed => &mut kinds.now_allowed,
            ChangeKind::Rule => &mut kinds.rule,
            ChangeKind::Basis => &mut kinds.basis,
            ChangeKind::Obligations => &mut kinds.obligations,
            ChangeKind::Cites => &mut kinds.cites,
        } += 1;
    }
    let names = |policy: &Policy, index: Option<usize>| {
        index.and_then(|i| policy.versions().get(i).map(|v| v.name.clone()))
    };
    let pairs: Vec<[Option<String>; 2]> = plan
        .pairs
        .iter()
        .map(|p| [names(&plan.old, p.old), names(&plan.new, p.new)])
        .collect();
    let versions = plan
        .pairs
        .iter()
        .enumerate()
        .zip(&pairs)
        .map(|((index, pair), [old_name, new_name])| {
            let sides = [
                side::Side::new(&plan.old, pair.old),
                side::Side::new(&plan.new, pair.new),
            ];
            let [old_declared, new_declared] = sides.map(|s| s.declared());
            let only = |a: &[Vec<String>; 5], b: &[Vec<String>; 5]| {
                let [roles, categories, purposes, parties, attributes] = [0, 1, 2, 3, 4].map(|k| {
                    let (Some(mine), Some(theirs)) = (a.get(k), b.get(k)) else {
                        return Vec::new();
                    };
                    mine.iter()
                        .filter(|n| !theirs.contains(n))
                        .cloned()
                        .collect()
                });
                DeclaredNames {
                    roles,
                    categories,
                    purposes,
                    parties,
                    attributes,
                }
            };
            let collected = plan.by_date.then(|| {
                let spans: Vec<String> = plan
                    .periods
                    .iter()
                    .filter(|(_, p)| *p == index)
                    .map(|(period, _)| {
                        period.map_or("with no collection date".to_owned(), |p| {
                            Constraint::Collected {
                                periods: vec![p],
                                no_date: false,
                            }
                            .words()
                        })
                    })
                    .collect();
                spans.join(", or ")
            });
            VersionsCompared {
                old: old_name.clone(),
                new: new_name.clone(),
                collected,
                same_rules: pair.same_rules,
                only_old: only(&old_declared, &new_declared),
                only_new: only(&new_declared, &old_declared),
            }
        })
        .collect();
    let label = |p: &[Option<String>; 2], i: usize| {
        p.get(i)
            .cloned()
            .flatten()
            .map_or_else(|| "policy".to_owned(), |v| format!("version {v}"))
    };
    let summary = Summary {
        old: if plan.by_date {
            "old policy".to_owned()
        } else {
            pairs.first().map_or_else(String::new, |p| label(p, 0))
        },
        new: if plan.by_date {
            "new policy".to_owned()
        } else {
            pairs.first().map_or_else(String::new, |p| label(p, 1))
        },
        changes: changes.len(),
        kinds,
        versions,
        versions_added: plan.versions_added.clone(),
        versions_removed: plan.versions_removed.clone(),
        requests: evaluation.requests,
        cases: evaluation.cases,
    };
    Ok(Diff {
        changes,
        summary,
        pairs,
        periods: plan.periods.clone(),
        by_date: plan.by_date,
    })
}

impl Diff {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Names the two sides as the user gave them (for the summary line).
    pub fn with_labels(mut self, old: &str, new: &str) -> Diff {
        old.clone_into(&mut self.summary.old);
        new.clone_into(&mut self.summary.new);
        self
    }

    /// The changes whose scope and condition hold `request`, a request about one
    /// data category. `old` and `new` are the policies given to [`diff`].
    pub fn covering(&self, old: &Policy, new: &Policy, request: &Request) -> Vec<usize> {
        let [category] = request.data.as_slice() else {
            return Vec::new();
        };
        let Some(pair) = self.pair_of(request.collected_at) else {
            return Vec::new();
        };
        let index_of = |policy: &Policy, name: &Option<String>| {
            name.as_ref()
                .and_then(|n| policy.versions().iter().position(|v| v.name == *n))
        };
        let sides = [
            side::Side::new(old, index_of(old, &pair[0])),
            side::Side::new(new, index_of(new, &pair[1])),
        ];
        let scenario = consent::Scenario {
            consents: request.subject.consents.clone().into_iter().collect(),
            revocations: request.subject.revocations.clone().into_iter().collect(),
        };
        let at = request.at.unwrap_or_else(crate::Timestamp::now);
        let features = consent::features(&sides, &request.purpose, &[], &scenario, at);
        let case = features.case(&sides);
        let consent_to = |purpose: &str| {
            let asked = [purpose.to_owned()];
            consent::features(&sides, &request.purpose, &asked, &scenario, at)
                .consent_to
                .first()
                .copied()
                .unwrap_or(false)
        };
        // A child dimension exists only where both sides apply the same child rule.
        let child = sides.iter().rev().find_map(|side| {
            let children = side.version?.children.as_ref()?;
            side.child_rule_covers(&request.subject.role).then(|| {
                space::is_child(
                    side,
                    children,
                    request.subject.age,
                    &request.subject.attributes,
                )
            })
        });
        let observed = Observed {
            child,
            attributes: &request.subject.attributes,
            age: request.subject.age,
            consent: &case,
            consent_to: &consent_to,
            unknown_purposes: features.unknown,
            collected_at: request.collected_at,
        };
        let has = |list: &[String], name: &str| list.iter().any(|n| n == name);
        self.changes
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                let cells = &c.cells;
                c.scope.action == request.action
                    && has(&cells.roles, &request.subject.role)
                    && has(&cells.data, category)
                    && has(&cells.purposes, &request.purpose)
                    && match (&cells.parties, &request.party) {
                        (None, None) => true,
                        (Some(list), Some(p)) => has(list, p),
                        _ => false,
                    }
                    && cells.when.iter().any(|cube| cube.holds(&observed))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Whether the diff accounts for a request the two policies decide
    /// differently. A request about one category must be covered by a change
    /// ([`Diff::covering`]). A request listing several is decided category by
    /// category, the first refused deciding; so when two policies decide it
    /// differently, some category of it is decided differently on its own, as a
    /// disclosure or (where the recipient hides it) as a use, or is declared by
    /// only one of the two versions.
    pub fn explains(&self, old: &Policy, new: &Policy, request: &Request) -> bool {
        if request.data.len() == 1 {
            return !self.covering(old, new, request).is_empty();
        }
        let declared_by_one = |category: &str| {
            let Some(index) = self.pair_index(request.collected_at) else {
                return false;
            };
            self.summary.versions.get(index).is_some_and(|v| {
                v.only_old.categories.iter().any(|c| c == category)
                    || v.only_new.categories.iter().any(|c| c == category)
            })
        };
        request.data.iter().any(|category| {
            let mut single = request.clone();
            single.data = vec![category.clone()];
            if !self.covering(old, new, &single).is_empty() || declared_by_one(category) {
                return true;
            }
            single.action = Action::Use;
            single.party = None;
            !self.covering(old, new, &single).is_empty()
        })
    }

    fn pair_index(&self, collected_at: Option<crate::Timestamp>) -> Option<usize> {
        if !self.by_date {
            return Some(0);
        }
        self.periods
            .iter()
            .find(|(period, _)| match (period, collected_at) {
                (None, None) => true,
                (Some(p), Some(at)) => p.contains(at),
                _ => false,
            })
            .map(|(_, pair)| *pair)
    }

    fn pair_of(&self, collected_at: Option<crate::Timestamp>) -> Option<&[Option<String>; 2]> {
        self.pairs.get(self.pair_index(collected_at)?)
    }

    /// Counts of changes by kind, in report order.
    pub fn counts(&self) -> BTreeMap<ChangeKind, usize> {
        let mut counts = BTreeMap::new();
        for change in &self.changes {
            *counts.entry(change.kind).or_insert(0) += 1;
        }
        counts
    }
}
