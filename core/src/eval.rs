//! The evaluator (SPEC §2): which version, then the child rule, coverage,
//! revocations, deny rules, allow rules, and for a disclosure the recipient.
//!
//! Order of checks, for the version in force (none: denied, before the first version):
//! 1. a subject whose known age is under the child threshold: denied, delete;
//! 2. a role, category, purpose or party the version does not declare: denied;
//! 3. consent for the purpose revoked and not given again: denied, notify recipients;
//! 4. for each data category: a deny rule that applies forbids (deny beats allow);
//!    otherwise an allow rule must apply (consent rules need consent in force);
//! 5. a disclosure also needs the party to receive data for the purpose.
//!
//! Nothing here allocates unless the tracer records.

use crate::compiled::{Compiled, CompiledVersion, Undeclared};
use crate::condition::Truth;
use crate::consent::{ConsentState, consent_state};
use crate::decision::{Decision, Outcome};
use crate::ids::{AttributeId, CategoryId};
use crate::index::RuleIndex;
use crate::model::{Action, Basis, Effect, Rule, Scope, Target};
use crate::request::PreparedRequest;
use crate::trace::Tracer;
use crate::value::Value;

/// The reserved id reported when a subject is a child.
pub const CHILD_RULE: &str = "children";
/// The id reported for a revocation when the version declares no revocation rule.
pub const BUILTIN_REVOCATION: &str = "consent-revoked";

pub(crate) fn decide<'p, T: Tracer>(
    policy: &'p Compiled,
    request: &PreparedRequest,
    tracer: &mut T,
) -> Decision<'p> {
    let first = request.data.first().copied().unwrap_or(CategoryId(0));
    let decision = |version: Option<usize>, outcome, category| Decision {
        policy,
        version: version.map(crate::ids::id_from_index),
        outcome,
        category,
        purpose: request.purpose,
        party: request.party,
    };
    let Some(version_index) = policy.select_version(request.collected_at) else {
        if T::ON {
            let first_version = policy
                .versions
                .first()
                .map(|v| v.model.effective.date_string());
            tracer.step(
                "versions",
                true,
                format!(
                    "the data was collected before the first version of the policy took effect ({}), so no version permits anything",
                    first_version.unwrap_or_default()
                ),
            );
        }
        return decision(None, Outcome::NoVersion, first);
    };
    let Some(version) = policy.versions.get(version_index) else {
        return decision(None, Outcome::NoVersion, first);
    };
    let vocabulary = &policy.vocabulary;
    if T::ON {
        let why = match request.collected_at {
            Some(at) => format!(
                "data collected on {} falls under the version effective {}",
                at.date_string(),
                version.model.effective.date_string()
            ),
            None => "no collection date was given, so the newest version decides".to_owned(),
        };
        tracer.step(&format!("version {}", version.model.name), true, why);
    }

    if let (Some(age), Some(children)) = (request.age, &version.model.children) {
        let child = age < children.under;
        if T::ON {
            tracer.step(
                CHILD_RULE,
                child,
                format!(
                    "the subject is {age}; children are those under {}",
                    children.under
                ),
            );
        }
        if child {
            return decision(Some(version_index), Outcome::Child, first);
        }
    }

    if let Some(missing) = version.undeclared(request) {
        if T::ON {
            tracer.step(
                "coverage",
                true,
                format!(
                    "version {} does not declare the {}, so nothing in it allows this",
                    version.model.name,
                    describe_undeclared(vocabulary, missing)
                ),
            );
        }
        return decision(Some(version_index), Outcome::NotCovered(missing), first);
    }
    if T::ON {
        for &(id, _) in &request.attributes {
            if !version.declares_attribute(id) {
                tracer.step(
                    "attributes",
                    false,
                    format!(
                        "version {} does not declare `{}`, so it plays no part",
                        version.model.name,
                        vocabulary.attribute_name(id)
                    ),
                );
            }
        }
    }

    let consent = consent_state(
        vocabulary,
        request.purpose,
        &request.consents,
        &request.revocations,
        request.at,
    );
    if let ConsentState::Revoked(when) = consent {
        let revocation = version.revocation_for(request.purpose);
        if T::ON {
            let id = revocation
                .and_then(|r| version.model.revocations.get(r as usize))
                .map_or(BUILTIN_REVOCATION, |r| &r.id);
            tracer.step(
                id,
                true,
                format!(
                    "consent for {} was revoked on {when}, at or before {}",
                    vocabulary.purpose_name(request.purpose),
                    request.at
                ),
            );
        }
        return decision(Some(version_index), Outcome::Revoked { revocation }, first);
    }

    let mut allowed: Option<(CategoryId, u32)> = None;
    for &category in &request.data {
        match decide_category(policy, version, request, category, consent, tracer) {
            Outcome::Allowed { rule } => {
                allowed.get_or_insert((category, rule));
            }
            other => return decision(Some(version_index), other, category),
        }
    }
    let Some((category, rule)) = allowed else {
        return decision(Some(version_index), Outcome::NothingAllowed, first);
    };

    if let (Action::Disclose, Some(party)) = (request.action, request.party) {
        let receives = version.receives(party, request.purpose);
        if T::ON {
            tracer.step(
                &format!("party {}", vocabulary.party_name(party)),
                receives,
                if receives {
                    format!(
                        "{} receives data for {}",
                        vocabulary.party_name(party),
                        vocabulary.purpose_name(request.purpose)
                    )
                } else {
                    format!(
                        "{} does not receive data for {} in version {}",
                        vocabulary.party_name(party),
                        vocabulary.purpose_name(request.purpose),
                        version.model.name
                    )
                },
            );
        }
        if !receives {
            return decision(Some(version_index), Outcome::NotReceived { rule }, category);
        }
    }
    decision(Some(version_index), Outcome::Allowed { rule }, category)
}

/// Names a missing name for a message: "role `account_user`".
pub(crate) fn describe_undeclared(
    vocabulary: &crate::vocab::Vocabulary,
    missing: Undeclared,
) -> String {
    match missing {
        Undeclared::Role(r) => format!("role `{}`", vocabulary.role_name(r)),
        Undeclared::Category(c) => format!("data category `{}`", vocabulary.category_name(c)),
        Undeclared::Purpose(p) => format!("purpose `{}`", vocabulary.purpose_name(p)),
        Undeclared::Party(p) => format!("party `{}`", vocabulary.party_name(p)),
    }
}

/// The attribute's value: the request's, or else the version's default.
#[inline]
fn attribute<'a>(
    version: &'a CompiledVersion,
    request: &'a PreparedRequest,
    id: AttributeId,
) -> Option<&'a Value> {
    request.attribute(id).or_else(|| version.default_of(id))
}

fn truth(version: &CompiledVersion, request: &PreparedRequest, target: &Target) -> Truth {
    match &target.condition {
        None => Truth::True,
        Some(condition) => condition.evaluate(&|id| attribute(version, request, id)),
    }
}

/// Whether the request lies inside the target's names (conditions aside).
fn inside(
    policy: &Compiled,
    request: &PreparedRequest,
    category: CategoryId,
    target: &Target,
) -> bool {
    let vocabulary = &policy.vocabulary;
    let roles = target
        .roles
        .listed()
        .is_none_or(|r| r.contains(&request.role));
    let categories = target.categories.listed().is_none_or(|c| {
        c.iter()
            .any(|c| vocabulary.categories().covers(c.0, category.0))
    });
    let purposes = target.purposes.listed().is_none_or(|p| {
        p.iter()
            .any(|p| vocabulary.purposes().covers(p.0, request.purpose.0))
    });
    let parties = match (&target.parties, request.party) {
        (Scope::Any, _) => true,
        (Scope::Only(parties), Some(party)) => parties.contains(&party),
        (Scope::Only(_), None) => false,
    };
    roles && categories && purposes && parties
}

fn describe(truth: Truth) -> &'static str {
    match truth {
        Truth::True => "holds",
        Truth::False => "does not hold",
        Truth::Unknown => "cannot be known (an attribute is missing)",
    }
}

fn condition_text(policy: &Compiled, target: &Target) -> String {
    let mut out = String::new();
    if let Some(c) = &target.condition {
        let _ = c.write(&mut out, &|a| {
            policy.vocabulary.attribute_name(a).to_owned()
        });
    }
    out
}

/// The first deny rule (in file order) in `index` that applies, if any.
fn first_deny<T: Tracer>(
    policy: &Compiled,
    version: &CompiledVersion,
    index: &RuleIndex,
    request: &PreparedRequest,
    category: CategoryId,
    tracer: &mut T,
) -> Option<u32> {
    let mut first: Option<u32> = None;
    index.for_each(request.role, request.purpose, category, |position| {
        let Some(rule) = version.model.rules.get(position as usize) else {
            return;
        };
        if first.is_some_and(|f| f < position) {
            return;
        }
        let applies = deny_applies(policy, version, request, category, rule, tracer);
        if applies {
            first = Some(position);
        }
    });
    first
}

fn deny_applies<T: Tracer>(
    policy: &Compiled,
    version: &CompiledVersion,
    request: &PreparedRequest,
    category: CategoryId,
    rule: &Rule,
    tracer: &mut T,
) -> bool {
    if let (Scope::Only(parties), Some(party)) = (&rule.target.parties, request.party) {
        if !parties.contains(&party) {
            if T::ON {
                tracer.step(
                    &rule.id,
                    false,
                    format!(
                        "it is about other parties than {}",
                        policy.vocabulary.party_name(party)
                    ),
                );
            }
            return false;
        }
    }
    let condition = truth(version, request, &rule.target);
    if condition == Truth::False {
        if T::ON {
            tracer.step(
                &rule.id,
                false,
                format!(
                    "its condition `{}` does not hold",
                    condition_text(policy, &rule.target)
                ),
            );
        }
        return false;
    }
    // An exception carves a case out only when it certainly applies.
    let excepted = rule.exceptions.iter().position(|e| {
        inside(policy, request, category, e) && truth(version, request, e) == Truth::True
    });
    if T::ON {
        let why = match (excepted, condition) {
            (Some(_), _) => "the request falls under one of its exceptions".to_owned(),
            (None, Truth::Unknown) => format!(
                "it forbids this, since its condition `{}` {} and a deny applies when in doubt",
                condition_text(policy, &rule.target),
                describe(condition)
            ),
            (None, _) => "it forbids this".to_owned(),
        };
        tracer.step(&rule.id, excepted.is_none(), why);
    }
    excepted.is_none()
}

fn decide_category<T: Tracer>(
    policy: &Compiled,
    version: &CompiledVersion,
    request: &PreparedRequest,
    category: CategoryId,
    consent: ConsentState,
    tracer: &mut T,
) -> Outcome {
    // The deny rule written first decides, whether it forbids use or disclosure.
    let use_denied = first_deny(
        policy,
        version,
        &version.deny_use,
        request,
        category,
        tracer,
    );
    let disclosure_denied = match request.action {
        Action::Disclose => first_deny(
            policy,
            version,
            &version.deny_disclosure,
            request,
            category,
            tracer,
        ),
        Action::Use => None,
    };
    if let Some(rule) = use_denied.into_iter().chain(disclosure_denied).min() {
        return Outcome::Forbidden { rule };
    }
    let mut first: Option<u32> = None;
    version
        .allow
        .for_each(request.role, request.purpose, category, |position| {
            let Some(rule) = version.model.rules.get(position as usize) else {
                return;
            };
            if first.is_some_and(|f| f < position) {
                return;
            }
            let condition = truth(version, request, &rule.target);
            let consented = rule.effect != Effect::Allow(Basis::Consent)
                || matches!(consent, ConsentState::Given(_));
            let applies = condition == Truth::True && consented;
            if T::ON {
                let why = if condition != Truth::True {
                    format!(
                        "its condition `{}` {}",
                        condition_text(policy, &rule.target),
                        describe(condition)
                    )
                } else if !consented {
                    format!(
                        "it rests on consent, and no consent for {} was given by {}",
                        policy.vocabulary.purpose_name(request.purpose),
                        request.at
                    )
                } else {
                    format!(
                        "it allows {} of {} for {}",
                        request.action.as_str(),
                        policy.vocabulary.category_name(category),
                        policy.vocabulary.purpose_name(request.purpose)
                    )
                };
                tracer.step(&rule.id, applies, why);
            }
            if applies {
                first = Some(position);
            }
        });
    match first {
        Some(rule) => Outcome::Allowed { rule },
        None => {
            if T::ON {
                tracer.step(
                    "default",
                    true,
                    format!(
                        "no rule allows {} of {} for {}, so it is denied",
                        request.action.as_str(),
                        policy.vocabulary.category_name(category),
                        policy.vocabulary.purpose_name(request.purpose)
                    ),
                );
            }
            Outcome::NothingAllowed
        }
    }
}
