//! Lints: things that load but are probably not what the author meant.
//!
//! - `L030` a rule cites no section of the policy text;
//! - `L031` a purpose no rule allows any use for;
//! - `L032` a party that receives data for no purpose;
//! - `L033` an allow rule that a deny rule always overrides (it can never allow);
//! - `L034` a deny's `except to …` that can never apply;
//! - `L035` a party cites no section of the policy text;
//! - `L036`, `L037`, `L038` from the data map (see [`map_lints`]).

use lawful_core::Vocabulary;
use lawful_core::ids::NameId;
use lawful_core::model::{Effect, Scope, Target, VersionModel};
use lawful_core::vocab::Tree;

use crate::ast::{Declaration, PolicyFile, Span};
use crate::diagnostic::{Diagnostic, Source};

/// The most (allow, deny) pairs the shadowing lint compares.
const MAX_SHADOW_PAIRS: usize = 1_000_000;

pub(crate) fn lint(
    source: &Source,
    file: &PolicyFile,
    version: &VersionModel,
    vocabulary: &Vocabulary,
    diagnostics: &mut Vec<Diagnostic>,
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

    // L031: every declared purpose with nothing inside it must be allowed by some rule.
    let purposes = vocabulary.purposes();
    let allowed = allowed_purposes(vocabulary, version);
    let purpose_spans = spans(file, |d| match d {
        Declaration::Purpose(p) => Some(&p.name),
        _ => None,
    });
    for purpose in &version.purposes {
        let is_leaf = purposes.subtree(purpose.raw()).len() == 1;
        if !is_leaf || allowed.get(purpose.index()).copied().unwrap_or(true) {
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
    // Every allow is compared with every deny, so very large versions skip it.
    let allows = version
        .rules
        .iter()
        .filter(|r| matches!(r.effect, Effect::Allow(_)))
        .count();
    if allows.saturating_mul(version.rules.len() - allows) > MAX_SHADOW_PAIRS {
        return;
    }
    for allow in version
        .rules
        .iter()
        .filter(|r| matches!(r.effect, Effect::Allow(_)))
    {
        let shadow = version.rules.iter().find(|deny| {
            deny.effect == Effect::DenyUse
                && deny.exceptions.is_empty()
                && deny.target.condition.is_none()
                && covers(vocabulary, &deny.target, &allow.target)
        });
        if let Some(deny) = shadow {
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
                if !excepted.iter().any(|p| about.contains(p)) =>
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
    let purposes = vocabulary.purposes();
    let mut allowed = vec![false; purposes.table().len()];
    for rule in version
        .rules
        .iter()
        .filter(|r| matches!(r.effect, Effect::Allow(_)))
    {
        match rule.target.purposes.listed() {
            None => allowed.iter_mut().for_each(|a| *a = true),
            Some(listed) => {
                for p in listed {
                    for inner in purposes.subtree(p.raw()) {
                        if let Some(a) = allowed.get_mut(*inner as usize) {
                            *a = true;
                        }
                    }
                }
            }
        }
    }
    allowed
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

/// True when every request `inner` is about is also one `outer` is about.
fn covers(vocabulary: &Vocabulary, outer: &Target, inner: &Target) -> bool {
    fn flat<T: PartialEq>(outer: &Scope<T>, inner: &Scope<T>) -> bool {
        match (outer, inner) {
            (Scope::Any, _) => true,
            (Scope::Only(_), Scope::Any) => false,
            (Scope::Only(o), Scope::Only(i)) => i.iter().all(|x| o.contains(x)),
        }
    }
    fn tree<Id: NameId>(t: &Tree<Id>, outer: &Scope<Id>, inner: &Scope<Id>) -> bool {
        match (outer, inner) {
            (Scope::Any, _) => true,
            (Scope::Only(_), Scope::Any) => false,
            (Scope::Only(o), Scope::Only(i)) => i
                .iter()
                .all(|x| o.iter().any(|y| t.covers(y.raw(), x.raw()))),
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

/// The most cells of the data map the lints below compute for one version; a
/// larger policy goes without them.
const MAX_MAP_CELLS: usize = 200_000;

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
        let Ok(map) = policy.data_map_within(Some(&model.name), MAX_MAP_CELLS) else {
            continue;
        };
        for declaration in &file.declarations {
            match declaration {
                Declaration::Purpose(d) => {
                    let Some(id) = vocabulary.purpose(&d.name.node) else {
                        continue;
                    };
                    let tree = vocabulary.purposes();
                    let leaf = model
                        .purposes
                        .iter()
                        .all(|p| *p == id || !tree.covers(id.raw(), p.raw()));
                    let allowed = model.rules.iter().any(|r| {
                        matches!(r.effect, Effect::Allow(_))
                            && r.target
                                .purposes
                                .listed()
                                .is_none_or(|l| l.iter().any(|p| tree.covers(p.raw(), id.raw())))
                    });
                    let served = map.uses.iter().any(|u| u.purpose == d.name.node);
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
                    let receives = map
                        .uses
                        .iter()
                        .any(|u| u.recipients.iter().any(|r| r.party == p.name.node));
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
                    let uses: Vec<&lawful_core::map::Use> = map
                        .uses
                        .iter()
                        .filter(|u| u.category == d.name.node)
                        .collect();
                    let uncited = !uses.is_empty() && uses.iter().all(|u| u.cites.is_empty());
                    if let (true, Some(first)) = (uncited, uses.first()) {
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
