//! The evaluator: which version, then the child rule, coverage, opt-outs, deny
//! rules, allow rules, and for a disclosure the recipient.
//!
//! Order of checks, for the version in force (none: denied, before the first version):
//! 1. a subject of a role the child rule covers, whose known age is under its
//!    threshold, and for whom the lifting condition is not known to hold: denied, delete;
//! 2. a role, category, purpose or party the version does not declare: denied;
//! 3. consent revoked for a purpose the version declares an opt-out of: denied,
//!    whatever the basis, with the opt-out's obligations;
//! 4. for each data category: a deny rule that applies forbids (deny beats allow);
//!    otherwise an allow rule must apply (consent rules need consent in force, so a
//!    withdrawn consent stops them; rules on other bases go on);
//! 5. nothing allowed and consent for the purpose withdrawn: the decision names the
//!    withdrawal, with `notify_recipients`;
//! 6. a disclosure also needs the party to receive data for the purpose.
//!
//! Nothing here allocates unless the tracer records.

use crate::compiled::{Compiled, CompiledVersion};
use crate::condition::{Facts, Truth};
use crate::consent::{ConsentState, consent_state_sorted, first_in_force_sorted};
use crate::decision::{Decision, Outcome};
use crate::ids::{AttributeId, CategoryId, PurposeId};
use crate::index::{EXCEPTIONS_MAY_APPLY, RuleIndex};
use crate::model::{
    Action, BUILTIN_REVOCATION, Basis, CHILD_RULE, Effect, RevocationKind, Rule, Scope, Target,
};
use crate::request::PreparedRequest;
use crate::trace::{NoTrace, Tracer};
use crate::value::Value;

/// What conditions read: the request's attributes (or the version's defaults) and
/// its consents at the request's instant.
struct RequestFacts<'a> {
    policy: &'a Compiled,
    version: &'a CompiledVersion,
    request: &'a PreparedRequest,
}

impl Facts for RequestFacts<'_> {
    #[inline]
    fn attribute(&self, id: AttributeId) -> Option<&Value> {
        self.request
            .attribute(id)
            .or_else(|| self.version.default_of(id))
    }

    fn consent(&self, purpose: PurposeId) -> bool {
        matches!(
            consent_state_sorted(
                &self.policy.vocabulary,
                purpose,
                &self.request.consents,
                &self.request.revocations,
                self.request.at,
            ),
            ConsentState::Given(_)
        )
    }
}

/// The subject's consent for the request's purpose, worked out when first asked:
/// most decisions never need it, and without revocations it cannot be revoked.
struct Consent<'a> {
    policy: &'a Compiled,
    request: &'a PreparedRequest,
    known: std::cell::Cell<Option<ConsentState>>,
}

impl Consent<'_> {
    fn state(&self) -> ConsentState {
        if let Some(state) = self.known.get() {
            return state;
        }
        let r = self.request;
        let state = consent_state_sorted(
            &self.policy.vocabulary,
            r.purpose,
            &r.consents,
            &r.revocations,
            r.at,
        );
        self.known.set(Some(state));
        state
    }

    /// Whether consent is revoked: a revocation is in force. Without the state
    /// worked out already, this looks for one such revocation and stops there.
    fn is_revoked(&self) -> bool {
        let r = self.request;
        if r.revocations.is_empty() {
            return false;
        }
        match self.known.get() {
            Some(state) => matches!(state, ConsentState::Revoked(_)),
            None => first_in_force_sorted(
                &self.policy.vocabulary,
                r.purpose,
                &r.consents,
                &r.revocations,
                r.at,
                |_| true,
            )
            .is_some(),
        }
    }

    /// When consent was revoked, if it is revoked.
    fn revoked(&self) -> Option<crate::time::Timestamp> {
        if self.request.revocations.is_empty() {
            return None;
        }
        match self.state() {
            ConsentState::Revoked(when) => Some(when),
            _ => None,
        }
    }
}

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
    let facts = RequestFacts {
        policy,
        version,
        request,
    };
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

    if is_child(policy, version, request, &facts, tracer) {
        return decision(Some(version_index), Outcome::Child, first);
    }

    if let Some(missing) = version.undeclared(request) {
        if T::ON {
            tracer.step(
                "coverage",
                true,
                format!(
                    "version {} does not declare the {}, so nothing in it allows this",
                    version.model.name,
                    missing.describe(vocabulary)
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

    let consent = Consent {
        policy,
        request,
        known: std::cell::Cell::new(None),
    };
    // Only an opt-out decides before the rules, and it needs a revocation in
    // force, which is what revoked consent is: untraced, the opt-out is looked
    // for straight away, where one can apply, and consent is worked out only when
    // a rule or the outcome needs it. A trace tells the withdrawal here.
    let opted_out = if T::ON {
        match consent.revoked() {
            Some(when) => {
                let opted_out = opt_out(policy, version, request, tracer);
                if opted_out.is_none() {
                    tracer.step(
                        withdrawal_id(version, request.purpose),
                        false,
                        format!(
                            "consent for {} was withdrawn on {when}: rules resting on consent no longer allow it, rules on another basis still may",
                            vocabulary.purpose_name(request.purpose)
                        ),
                    );
                }
                opted_out
            }
            None => None,
        }
    } else if !request.revocations.is_empty() && version.opt_out_within(request.purpose) {
        opt_out(policy, version, request, tracer)
    } else {
        None
    };
    if let Some(revocation) = opted_out {
        return decision(
            Some(version_index),
            Outcome::Revoked {
                revocation: Some(revocation),
            },
            first,
        );
    }

    let mut allowed: Option<(CategoryId, u32)> = None;
    for &category in &request.data {
        let planned = match &version.plan {
            Some(plan) if !T::ON => plan.get(request.role, request.purpose, category),
            _ => None,
        };
        let outcome = match planned {
            Some(lists) => {
                decide_planned(policy, version, request, &facts, category, &consent, lists)
            }
            None => decide_category(policy, version, request, &facts, category, &consent, tracer),
        };
        match outcome {
            Outcome::Allowed { rule } => {
                allowed.get_or_insert((category, rule));
            }
            Outcome::NothingAllowed if consent.is_revoked() => {
                let revocation = declared_withdrawal(version, request.purpose);
                if T::ON {
                    tracer.step(
                        withdrawal_id(version, request.purpose),
                        true,
                        format!(
                            "consent for {} was withdrawn, and no rule on another basis allows this",
                            vocabulary.purpose_name(request.purpose)
                        ),
                    );
                }
                return decision(
                    Some(version_index),
                    Outcome::Revoked { revocation },
                    category,
                );
            }
            other => return decision(Some(version_index), other, category),
        }
    }
    let Some((category, rule)) = allowed else {
        return decision(Some(version_index), Outcome::NothingAllowed, first);
    };
    if let Some(when) = T::ON.then(|| consent.revoked()).flatten() {
        let basis = match version.model.rules.get(rule as usize).map(|r| r.effect) {
            Some(Effect::Allow(basis)) => basis.as_str(),
            _ => "",
        };
        tracer.step(
            withdrawal_id(version, request.purpose),
            false,
            format!(
                "consent for {} was withdrawn on {when}; this use rests on {basis} and goes on",
                vocabulary.purpose_name(request.purpose)
            ),
        );
    }

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

/// Whether the version's child rule covers the subject: a role it names, a known age
/// under its threshold, and no lifting condition known to hold.
fn is_child<T: Tracer>(
    policy: &Compiled,
    version: &CompiledVersion,
    request: &PreparedRequest,
    facts: &RequestFacts<'_>,
    tracer: &mut T,
) -> bool {
    let (Some(age), Some(children)) = (request.age, &version.model.children) else {
        return false;
    };
    let covered = children
        .roles
        .listed()
        .is_none_or(|roles| roles.contains(&request.role));
    if !covered {
        if T::ON {
            tracer.step(
                CHILD_RULE,
                false,
                format!(
                    "the child rule does not cover {} (whose data is processed for a customer, or is outside its roles)",
                    policy.vocabulary.role_name(request.role)
                ),
            );
        }
        return false;
    }
    let under = age < children.under;
    let lifted = under
        && children
            .unless
            .as_ref()
            .is_some_and(|c| c.evaluate(facts) == Truth::True);
    if T::ON {
        let why = if lifted {
            format!(
                "the subject is {age}, under {}, but `{}` holds, which lifts the child rule",
                children.under,
                condition_of(policy, children.unless.as_ref())
            )
        } else {
            format!(
                "the subject is {age}; children are those under {}",
                children.under
            )
        };
        tracer.step(CHILD_RULE, under && !lifted, why);
    }
    under && !lifted
}

/// The declared opt-out a revocation in force makes of the request's purpose, if any.
fn opt_out<T: Tracer>(
    policy: &Compiled,
    version: &CompiledVersion,
    request: &PreparedRequest,
    tracer: &mut T,
) -> Option<u32> {
    let opt_out_for = |part: PurposeId| {
        version
            .revocation_for(part)
            .and_then(|position| version.model.revocations.get(position as usize))
            .is_some_and(|revocation| revocation.kind == RevocationKind::OptOut)
    };
    let (part, when) = first_in_force_sorted(
        &policy.vocabulary,
        request.purpose,
        &request.consents,
        &request.revocations,
        request.at,
        opt_out_for,
    )?;
    let position = version.revocation_for(part)?;
    if T::ON {
        if let Some(revocation) = version.model.revocations.get(position as usize) {
            tracer.step(
                &revocation.id,
                true,
                format!(
                    "consent for {} was revoked on {when}, at or before {}; the policy treats that as an opt-out of the purpose, whatever the basis",
                    policy.vocabulary.purpose_name(part),
                    request.at
                ),
            );
        }
    }
    Some(position)
}

/// The id a withdrawal of consent for `purpose` is reported under.
fn withdrawal_id(version: &CompiledVersion, purpose: PurposeId) -> &str {
    declared_withdrawal(version, purpose)
        .and_then(|r| version.model.revocations.get(r as usize))
        .map_or(BUILTIN_REVOCATION, |r| &r.id)
}

/// The position of the declared withdrawal that covers `purpose`, if the most
/// specific revocation covering it is one (and not an opt-out).
fn declared_withdrawal(version: &CompiledVersion, purpose: PurposeId) -> Option<u32> {
    version.revocation_for(purpose).filter(|r| {
        version
            .model
            .revocations
            .get(*r as usize)
            .is_some_and(|r| r.kind == RevocationKind::Withdrawal)
    })
}

fn condition_of(policy: &Compiled, condition: Option<&crate::condition::Condition>) -> String {
    let mut out = String::new();
    if let Some(c) = condition {
        let _ = c.write(&mut out, &policy.vocabulary);
    }
    out
}

/// The target's condition (true without one): the check for none is inline at
/// each rule, the evaluation out of line.
#[inline(always)]
fn truth(facts: &RequestFacts<'_>, target: &Target) -> Truth {
    match &target.condition {
        None => Truth::True,
        Some(condition) => evaluate(facts, condition),
    }
}

#[inline(never)]
fn evaluate(facts: &RequestFacts<'_>, condition: &crate::condition::Condition) -> Truth {
    condition.evaluate(facts)
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
    // A carve-out by recipient is about disclosures only: a use has no recipient.
    let parties = match (&target.parties, request.party) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(Scope::Any), Some(_)) => true,
        (Some(Scope::Only(parties)), Some(party)) => parties.contains(&party),
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
    condition_of(policy, target.condition.as_ref())
}

/// The first deny rule (in file order) in `index` that applies, if any.
fn first_deny<T: Tracer>(
    policy: &Compiled,
    version: &CompiledVersion,
    index: &RuleIndex,
    request: &PreparedRequest,
    facts: &RequestFacts<'_>,
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
        let applies = deny_applies(policy, request, facts, category, rule, true, tracer);
        if applies {
            first = Some(position);
        }
    });
    first
}

/// Whether the deny rule applies; `exceptions` false when none of its exceptions
/// can carve out the request's names (a plan knows), so none is read.
#[inline(always)]
fn deny_applies<T: Tracer>(
    policy: &Compiled,
    request: &PreparedRequest,
    facts: &RequestFacts<'_>,
    category: CategoryId,
    rule: &Rule,
    exceptions: bool,
    tracer: &mut T,
) -> bool {
    if let (Some(Scope::Only(parties)), Some(party)) = (&rule.target.parties, request.party) {
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
    let condition = truth(facts, &rule.target);
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
    let excepted = if exceptions {
        first_exception(policy, request, facts, category, rule)
    } else {
        None
    };
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

/// The first of the rule's exceptions that carves the request out: an exception
/// does only when it certainly applies. Out of line: few requests need it.
#[inline(never)]
fn first_exception(
    policy: &Compiled,
    request: &PreparedRequest,
    facts: &RequestFacts<'_>,
    category: CategoryId,
    rule: &Rule,
) -> Option<usize> {
    rule.exceptions
        .iter()
        .position(|e| inside(policy, request, category, e) && truth(facts, e) == Truth::True)
}

fn decide_category<T: Tracer>(
    policy: &Compiled,
    version: &CompiledVersion,
    request: &PreparedRequest,
    facts: &RequestFacts<'_>,
    category: CategoryId,
    consent: &Consent<'_>,
    tracer: &mut T,
) -> Outcome {
    // The deny rule written first decides, whether it forbids use or disclosure.
    let use_denied = first_deny(
        policy,
        version,
        &version.deny_use,
        request,
        facts,
        category,
        tracer,
    );
    let disclosure_denied = match request.action {
        Action::Disclose => first_deny(
            policy,
            version,
            &version.deny_disclosure,
            request,
            facts,
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
            let condition = truth(facts, &rule.target);
            let consented = rule.effect != Effect::Allow(Basis::Consent)
                || matches!(consent.state(), ConsentState::Given(_));
            let applies = condition == Truth::True && consented;
            if T::ON {
                let why = if condition != Truth::True {
                    format!(
                        "its condition `{}` {}",
                        condition_text(policy, &rule.target),
                        describe(condition)
                    )
                } else if !consented {
                    let purpose = policy.vocabulary.purpose_name(request.purpose);
                    match consent.state() {
                        ConsentState::Revoked(when) => format!(
                            "it rests on consent, and consent for {purpose} was withdrawn on {when}"
                        ),
                        _ => format!(
                            "it rests on consent, and no consent for {purpose} was given by {}",
                            request.at
                        ),
                    }
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

/// [`decide_category`] without a trace, from the version's plan: the rules of each
/// index that can apply, each list in file order, so the first that applies is the
/// one written first. Decides exactly as [`decide_category`] does.
#[inline(always)]
fn decide_planned(
    policy: &Compiled,
    version: &CompiledVersion,
    request: &PreparedRequest,
    facts: &RequestFacts<'_>,
    category: CategoryId,
    consent: &Consent<'_>,
    [deny_use, deny_disclosure, allow]: [&[u32]; 3],
) -> Outcome {
    let rules = &version.model.rules;
    let first_deny = |list: &[u32], before: u32| {
        for &entry in list {
            let position = entry & !EXCEPTIONS_MAY_APPLY;
            if position >= before {
                break;
            }
            let Some(rule) = rules.get(position as usize) else {
                continue;
            };
            let exceptions = entry & EXCEPTIONS_MAY_APPLY != 0;
            if deny_applies(
                policy,
                request,
                facts,
                category,
                rule,
                exceptions,
                &mut NoTrace,
            ) {
                return Some(position);
            }
        }
        None
    };
    let mut denied = first_deny(deny_use, u32::MAX);
    if request.action == Action::Disclose {
        // The deny rule written first decides: only an earlier one can come before.
        if let Some(rule) = first_deny(deny_disclosure, denied.unwrap_or(u32::MAX)) {
            denied = Some(rule);
        }
    }
    if let Some(rule) = denied {
        return Outcome::Forbidden { rule };
    }
    for &position in allow {
        let Some(rule) = rules.get(position as usize) else {
            continue;
        };
        if truth(facts, &rule.target) == Truth::True
            && (rule.effect != Effect::Allow(Basis::Consent)
                || matches!(consent.state(), ConsentState::Given(_)))
        {
            return Outcome::Allowed { rule: position };
        }
    }
    Outcome::NothingAllowed
}
