//! Lints: things that load but are probably not what the author meant.
//!
//! - `L030` a rule cites no section of the policy text;
//! - `L031` a purpose no rule allows any use for;
//! - `L032` a party that receives data for no purpose;
//! - `L033` an allow rule that a deny rule always overrides (it can never allow);
//! - `L034` a deny's `except to …` that can never apply;
//! - `L035` a party cites no section of the policy text;
//! - `L036`, `L037`, `L038` from the data map (see [`map_lints`]).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use lawful_core::Vocabulary;
use lawful_core::ids::NameId;
use lawful_core::model::{Effect, Scope, Target, VersionModel};
use lawful_core::vocab::Tree;

use crate::ast::{Declaration, PolicyFile, Span};
use crate::diagnostic::{Diagnostic, Diagnostics, Source};

/// Warnings about one file, with `version` its part of its version.
/// `allowed_elsewhere` marks the purposes a rule in another part of the version
/// allows (empty for a version of one file): they are not allowed by nothing.
pub(crate) fn lint(
    source: &Source,
    file: &PolicyFile,
    version: &VersionModel,
    vocabulary: &Vocabulary,
    allowed_elsewhere: &[bool],
    diagnostics: &mut Diagnostics,
) {
    let rule_spans = spans(file, |d| match d {
        Declaration::Rule(r) => Some(&r.id),
        _ => None,
    });
    let rule_span = |id: &str| rule_spans.get(id).copied();
    for declaration in &file.declarations {
        if let Declaration::Rule(r) = declaration {
            if r.cites.is_empty() {
                diagnostics.push(
                    source.at(
                        r.id.span,
                        Diagnostic::warning(
                            "L030",
                            format!("rule `{}` cites no section of the policy text", r.id.node),
                        )
                        .with_help(
                            "add a line such as `cite \"Data Use\"` naming the section it encodes",
                        ),
                    ),
                );
            }
        }
        if let Declaration::Party(p) = declaration {
            if p.cites.is_empty() {
                diagnostics.push(
                    source.at(
                        p.name.span,
                        Diagnostic::warning(
                            "L035",
                            format!("party `{}` cites no section of the policy text", p.name.node),
                        )
                        .with_help(
                            "add a line such as `cite \"Service Providers\"` naming where the policy names the party",
                        ),
                    ),
                );
            }
            let receives_nothing = match &p.receives {
                None => true,
                Some(crate::ast::NameList::Names(n)) => n.is_empty(),
                Some(crate::ast::NameList::Any(_)) => false,
            };
            if receives_nothing {
                diagnostics.push(
                    source.at(
                        p.name.span,
                        Diagnostic::warning(
                            "L032",
                            format!("party `{}` receives data for no purpose", p.name.node),
                        )
                        .with_help("add `receives for PURPOSE, …`, or remove the party"),
                    ),
                );
            }
        }
    }

    // L031: every declared purpose with nothing inside it must be allowed by some
    // rule: one listing it or a purpose containing it, or any purpose. Each rule's
    // list is marked once, then each purpose looks up its own lineage.
    let purposes = vocabulary.purposes();
    let allowed = allowed_purposes(vocabulary, version);
    let purpose_spans = spans(file, |d| match d {
        Declaration::Purpose(p) => Some(&p.name),
        _ => None,
    });
    for purpose in &version.purposes {
        let is_leaf = purposes.subtree(purpose.raw()).len() == 1;
        let marked = |marks: &[bool]| marks.get(purpose.index()).copied().unwrap_or(false);
        if !is_leaf || marked(&allowed) || marked(allowed_elsewhere) {
            continue;
        }
        let name = vocabulary.purpose_name(*purpose);
        diagnostics.push(source.at(
            purpose_spans.get(name).copied().unwrap_or_default(),
            Diagnostic::warning("L031", format!("no rule allows any use for purpose `{name}`"))
                .with_help("add an allow rule for it, or remove the purpose if the policy never uses data for it"),
        ));
    }

    for rule in &version.rules {
        if let Some(problem) = idle_recipient_exception(rule) {
            diagnostics.push(
                source.at(
                    rule_span(&rule.id).unwrap_or_default(),
                    Diagnostic::warning("L034", format!("rule `{}`: {problem}", rule.id))
                        .with_help(
                            "a carve-out by recipient only applies to disclosures: write the exception for the parties the rule is about, or make it `deny disclosure of …`",
                        ),
                ),
            );
        }
    }

    // L033: an allow rule wholly inside an unconditional deny rule can never allow.
    let shadows = Shadows::new(vocabulary, &version.rules);
    let mut budget = SHADOW_WORK_PER_RULE.saturating_mul(version.rules.len()) + SHADOW_WORK_BASE;
    for allow in version
        .rules
        .iter()
        .filter(|r| matches!(r.effect, Effect::Allow(_)))
    {
        let Some(found) = shadows.first_covering(&allow.target, &mut budget) else {
            // The budget is spent: the rest of this version goes unchecked.
            break;
        };
        if let Some(deny) = found {
            diagnostics.push(
                source.at(
                    rule_span(&allow.id).unwrap_or_default(),
                    Diagnostic::warning(
                        "L033",
                        format!(
                            "rule `{}` can never allow anything: rule `{}` forbids all of it",
                            allow.id, deny.id
                        ),
                    )
                    .with_help(
                        "narrow the deny rule, add an exception to it, or remove the allow rule",
                    ),
                ),
            );
        }
    }
}

/// How much work (names compared) the shadowing lint may do per rule of a
/// version, and in any case: enough for any policy written by hand, and a bound
/// on what a generated or hostile one can cost.
const SHADOW_WORK_PER_RULE: usize = 64;
const SHADOW_WORK_BASE: usize = 1 << 20;

/// The deny rules that forbid all use of what they name, unconditionally (each
/// distinct scope once, at its first rule), filed by each name they list, so that
/// an allow rule is compared only with denies that name something it is about.
struct Shadows<'a> {
    vocabulary: &'a Vocabulary,
    denies: Vec<&'a lawful_core::model::Rule>,
    by_role: HashMap<u32, Vec<usize>>,
    any_role: Vec<usize>,
    by_purpose: HashMap<u32, Vec<usize>>,
    any_purpose: Vec<usize>,
    by_category: HashMap<u32, Vec<usize>>,
    any_category: Vec<usize>,
}

fn file_under<Id: NameId>(
    scope: &Scope<Id>,
    deny: usize,
    by: &mut HashMap<u32, Vec<usize>>,
    any: &mut Vec<usize>,
) {
    match scope.listed() {
        None => any.push(deny),
        Some(names) => {
            for name in names {
                let list = by.entry(name.raw()).or_default();
                if list.last() != Some(&deny) {
                    list.push(deny);
                }
            }
        }
    }
}

impl<'a> Shadows<'a> {
    fn new(vocabulary: &'a Vocabulary, rules: &'a [lawful_core::model::Rule]) -> Shadows<'a> {
        let mut shadows = Shadows {
            vocabulary,
            denies: Vec::new(),
            by_role: HashMap::default(),
            any_role: Vec::new(),
            by_purpose: HashMap::default(),
            any_purpose: Vec::new(),
            by_category: HashMap::default(),
            any_category: Vec::new(),
        };
        let mut seen = HashSet::default();
        for deny in rules.iter().filter(|d| {
            d.effect == Effect::DenyUse && d.exceptions.is_empty() && d.target.condition.is_none()
        }) {
            let t = &deny.target;
            let key = (raw(&t.roles), raw(&t.purposes), raw(&t.categories));
            if !seen.insert(key) {
                continue;
            }
            let at = shadows.denies.len();
            shadows.denies.push(deny);
            file_under(&t.roles, at, &mut shadows.by_role, &mut shadows.any_role);
            file_under(
                &t.purposes,
                at,
                &mut shadows.by_purpose,
                &mut shadows.any_purpose,
            );
            file_under(
                &t.categories,
                at,
                &mut shadows.by_category,
                &mut shadows.any_category,
            );
        }
        shadows
    }

    /// The deny rules that may cover a dimension of `target` whose first name
    /// (or wildcard) is `first`: those listing it or, in a tree, a name containing
    /// it, and those about any name of the kind. Each list is in file order.
    fn candidates<'s>(
        &'s self,
        first: Option<u32>,
        lineage: &'s [u32],
        by: &'s HashMap<u32, Vec<usize>>,
        any: &'s [usize],
    ) -> Vec<&'s [usize]> {
        let mut lists: Vec<&[usize]> = vec![any];
        if first.is_some() {
            lists.extend(lineage.iter().filter_map(|n| by.get(n)).map(Vec::as_slice));
        }
        lists
    }

    /// The first deny (in file order) that covers all of `target`: `Some(None)`
    /// when none does, `None` when `budget` ran out before the answer was known.
    fn first_covering(
        &self,
        target: &Target,
        budget: &mut usize,
    ) -> Option<Option<&'a lawful_core::model::Rule>> {
        let v = self.vocabulary;
        let role = target
            .roles
            .listed()
            .and_then(|r| r.first())
            .map(|r| r.raw());
        let purpose = target
            .purposes
            .listed()
            .and_then(|p| p.first())
            .map(|p| p.raw());
        let category = target
            .categories
            .listed()
            .and_then(|c| c.first())
            .map(|c| c.raw());
        let role_lineage = role.map(|r| vec![r]).unwrap_or_default();
        let options = [
            self.candidates(role, &role_lineage, &self.by_role, &self.any_role),
            self.candidates(
                purpose,
                purpose.map_or(&[][..], |p| v.purposes().lineage(p)),
                &self.by_purpose,
                &self.any_purpose,
            ),
            self.candidates(
                category,
                category.map_or(&[][..], |c| v.categories().lineage(c)),
                &self.by_category,
                &self.any_category,
            ),
        ];
        // Compare with the denies of the dimension that names the fewest.
        let lists = options
            .iter()
            .min_by_key(|lists| lists.iter().map(|l| l.len()).sum::<usize>())?;
        let mut first: Option<usize> = None;
        for list in lists {
            // Each list is in file order: its first deny that covers is its earliest.
            for &deny in list.iter() {
                if first.is_some_and(|f| f < deny) {
                    break;
                }
                let rule = self.denies.get(deny)?;
                let cost = work(&rule.target, target);
                *budget = budget.checked_sub(cost)?;
                if covers(v, &rule.target, target) {
                    first = Some(deny);
                    break;
                }
            }
        }
        Some(first.and_then(|f| self.denies.get(f).copied()))
    }
}

/// The names compared when checking whether `outer` covers `inner`.
fn work(outer: &Target, inner: &Target) -> usize {
    fn len<T>(s: &Scope<T>) -> usize {
        s.listed().map_or(1, <[T]>::len)
    }
    1 + len(&outer.roles)
        + len(&inner.roles)
        + len(&outer.purposes)
        + len(&inner.purposes)
        + len(&outer.categories)
        + len(&inner.categories)
}

/// A scope's names as numbers (`None` for any), to tell equal scopes.
fn raw<Id: NameId>(scope: &Scope<Id>) -> Option<Vec<u32>> {
    scope
        .listed()
        .map(|names| names.iter().map(|n| n.raw()).collect())
}

/// The names of `outer`, to look up: a short list is searched as it is.
enum Names {
    Few(Vec<u32>),
    Many(HashSet<u32>),
}

impl Names {
    fn new<Id: NameId>(names: &[Id]) -> Names {
        let raw = names.iter().map(|n| n.raw());
        if names.len() <= 8 {
            Names::Few(raw.collect())
        } else {
            Names::Many(raw.collect())
        }
    }

    fn contains(&self, name: u32) -> bool {
        match self {
            Names::Few(names) => names.contains(&name),
            Names::Many(names) => names.contains(&name),
        }
    }
}

/// Why a deny rule's `except to …` can never apply, if it cannot.
fn idle_recipient_exception(rule: &lawful_core::model::Rule) -> Option<String> {
    for exception in &rule.exceptions {
        let Some(to) = &exception.parties else {
            continue;
        };
        match (rule.effect, &rule.target.parties, to) {
            (Effect::DenyUse, _, _) => {
                return Some(
                    "`except to …` on a rule that denies use never carves out a use (a use has no recipient)".to_owned(),
                );
            }
            (Effect::DenyDisclosure, Some(Scope::Only(about)), Scope::Only(excepted))
                if !{
                    let about = Names::new(about);
                    excepted.iter().any(|p| about.contains(p.raw()))
                } =>
            {
                return Some(
                    "`except to …` names only parties the rule is not about, so it can never apply"
                        .to_owned(),
                );
            }
            _ => {}
        }
    }
    None
}

/// For each purpose id, whether some allow rule of the version reaches it.
pub(crate) fn allowed_purposes(vocabulary: &Vocabulary, version: &VersionModel) -> Vec<bool> {
    allowed_by(vocabulary, &version.rules)
}

/// For each purpose id, whether one of `rules` allows it (directly, or through a
/// purpose containing it).
pub(crate) fn allowed_by<'r>(
    vocabulary: &Vocabulary,
    rules: impl IntoIterator<Item = &'r lawful_core::model::Rule>,
) -> Vec<bool> {
    let purposes = vocabulary.purposes();
    let count = purposes.table().len();
    // Each rule's list is marked once; then each purpose looks up its own lineage,
    // so the cost is the rules' lists plus the purposes times the tree's depth.
    let mut listed = vec![false; count];
    for rule in rules
        .into_iter()
        .filter(|r| matches!(r.effect, Effect::Allow(_)))
    {
        match rule.target.purposes.listed() {
            None => return vec![true; count],
            Some(names) => {
                for p in names {
                    if let Some(mark) = listed.get_mut(p.index()) {
                        *mark = true;
                    }
                }
            }
        }
    }
    (0..count)
        .map(|purpose| {
            u32::try_from(purpose).is_ok_and(|purpose| {
                purposes
                    .lineage(purpose)
                    .iter()
                    .any(|p| listed.get(*p as usize).copied().unwrap_or(false))
            })
        })
        .collect()
}

/// Where each name `pick` takes from the file's declarations is written.
fn spans<'f>(
    file: &'f PolicyFile,
    pick: impl Fn(&'f Declaration) -> Option<&'f crate::ast::Name>,
) -> std::collections::HashMap<&'f str, Span> {
    file.declarations
        .iter()
        .filter_map(pick)
        .map(|name| (name.node.as_str(), name.span))
        .collect()
}

/// True when every request `inner` is about is also one `outer` is about. Costs
/// about as many steps as the two name (times the depth of a tree), not their product.
fn covers(vocabulary: &Vocabulary, outer: &Target, inner: &Target) -> bool {
    fn flat<T: NameId>(outer: &Scope<T>, inner: &Scope<T>) -> bool {
        match (outer, inner) {
            (Scope::Any, _) => true,
            (Scope::Only(_), Scope::Any) => false,
            (Scope::Only(o), Scope::Only(i)) => {
                let o = Names::new(o);
                i.iter().all(|x| o.contains(x.raw()))
            }
        }
    }
    fn tree<Id: NameId>(t: &Tree<Id>, outer: &Scope<Id>, inner: &Scope<Id>) -> bool {
        match (outer, inner) {
            (Scope::Any, _) => true,
            (Scope::Only(_), Scope::Any) => false,
            (Scope::Only(o), Scope::Only(i)) => {
                let o = Names::new(o);
                i.iter()
                    .all(|x| t.lineage(x.raw()).iter().any(|y| o.contains(*y)))
            }
        }
    }
    flat(&outer.roles, &inner.roles)
        && tree(
            vocabulary.categories(),
            &outer.categories,
            &inner.categories,
        )
        && tree(vocabulary.purposes(), &outer.purposes, &inner.purposes)
}

/// The most work the lints below do for one version: (role, category, purpose)
/// cells of its data map, times one plus its parties (each cell's recipients are
/// judged party by party, so the map grows as cells × parties). A larger version
/// goes without them. Filestack's versions take under 7,000; a generated policy
/// of 10 × Filestack's shape about 100,000, and of 1,000 rules over 12 million,
/// which would cost seconds.
const MAX_MAP_WORK: usize = 200_000;

/// Lints that need the compiled policy's data map, for each version:
///
/// - `L036` a purpose some rule allows that no data can ever serve (denies forbid
///   every use of it);
/// - `L037` a party that receives data for some purposes but can never receive
///   anything (no use is allowed for those purposes, or denies forbid disclosing);
/// - `L038` a data category the map uses only through rules that cite no section.
pub(crate) fn map_lints(
    policy: &lawful_core::Policy,
    files: &[(Source, PolicyFile)],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let vocabulary = policy.vocabulary();
    for model in policy.version_models() {
        let Some((source, file)) = files
            .iter()
            .find(|(_, f)| f.header.version.node == *model.name)
        else {
            continue;
        };
        let max_cells = MAX_MAP_WORK / (1 + model.parties.len());
        let Ok(map) = policy.data_map_within(Some(&model.name), max_cells) else {
            continue;
        };
        // What the map says of each name, gathered in one pass over it, so that
        // each declaration is one lookup, not a pass over every use.
        let mut served: HashSet<&str> = HashSet::default();
        let mut receiving: HashSet<&str> = HashSet::default();
        // Each category's first use, and whether every use of it cites nothing.
        let mut by_category: HashMap<&str, (&lawful_core::map::Use, bool)> = HashMap::default();
        for u in &map.uses {
            served.insert(u.purpose.as_str());
            receiving.extend(u.recipients.iter().map(|r| r.party.as_str()));
            by_category
                .entry(u.category.as_str())
                .and_modify(|(_, uncited)| *uncited &= u.cites.is_empty())
                .or_insert((u, u.cites.is_empty()));
        }
        let tree = vocabulary.purposes();
        // A purpose is a leaf when no other purpose of the version lies inside it.
        let mut has_inner = vec![false; tree.table().len()];
        for p in &model.purposes {
            for ancestor in tree.lineage(p.raw()).iter().skip(1) {
                if let Some(mark) = has_inner.get_mut(*ancestor as usize) {
                    *mark = true;
                }
            }
        }
        let allowed = allowed_purposes(vocabulary, model);
        for declaration in &file.declarations {
            match declaration {
                Declaration::Purpose(d) => {
                    let Some(id) = vocabulary.purpose(&d.name.node) else {
                        continue;
                    };
                    let leaf = !has_inner.get(id.index()).copied().unwrap_or(false);
                    let allowed = allowed.get(id.index()).copied().unwrap_or(false);
                    let served = served.contains(d.name.node.as_str());
                    if leaf && allowed && !served {
                        diagnostics.push(source.at(
                            d.name.span,
                            Diagnostic::warning(
                                "L036",
                                format!("no data can ever be used for purpose `{}`: deny rules forbid every use the allow rules give it", d.name.node),
                            )
                            .with_help("narrow the deny rules that cover it, or remove the purpose and its allow rules"),
                        ));
                    }
                }
                Declaration::Party(p) => {
                    let receives_something = match &p.receives {
                        None => false,
                        Some(crate::ast::NameList::Names(n)) => !n.is_empty(),
                        Some(crate::ast::NameList::Any(_)) => true,
                    };
                    let receives = receiving.contains(p.name.node.as_str());
                    if receives_something && !receives {
                        diagnostics.push(source.at(
                            p.name.span,
                            Diagnostic::warning(
                                "L037",
                                format!("party `{}` can never receive data: the rules allow no use for the purposes it receives data for, or deny disclosing it", p.name.node),
                            )
                            .with_help("check its `receives for` list against the allow and deny rules, or remove the party"),
                        ));
                    }
                }
                Declaration::Category(d) => {
                    if let Some(&(first, true)) = by_category.get(d.name.node.as_str()) {
                        diagnostics.push(source.at(
                            d.name.span,
                            Diagnostic::warning(
                                "L038",
                                format!(
                                    "the data map uses `{}` (such as `{}`'s for `{}`) only through rules that cite no section of the policy text",
                                    d.name.node, first.role, first.purpose
                                ),
                            )
                            .with_help(format!(
                                "add `cite \"Section\"` to rule `{}`, naming the section that says this data is used so",
                                first.rule
                            )),
                        ));
                    }
                }
                _ => {}
            }
        }
    }
}
