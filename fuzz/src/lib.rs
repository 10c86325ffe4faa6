//! What the fuzz targets share: Filestack's policy, loaded once, and the checks
//! every decision must pass whatever the input.
//!
//! A check that fails panics, which libFuzzer reports as a crash with the input
//! that caused it (kept under `fuzz/artifacts/TARGET/`).

#![allow(clippy::panic, reason = "a failed invariant must crash the fuzzer")]

use std::sync::LazyLock;

use lawful::{Action, Basis, Decision, Policy, PreparedRequest, Request, Timestamp};
use lawful_core::model::Scope;

/// Filestack's policy, from the repository's `rules/filestack`.
pub static FILESTACK: LazyLock<Policy> = LazyLock::new(|| {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules/filestack");
    match Policy::load(path) {
        Ok(policy) => policy,
        Err(e) => panic!("rules/filestack does not load: {e}"),
    }
});

/// A fixed instant, so that nothing a target checks depends on the clock.
pub fn fixed_now() -> Timestamp {
    Timestamp::from_unix(1_772_323_200, 0).unwrap_or_else(Timestamp::now)
}

/// Decides a prepared request twice, plainly and with a trace, and checks that
/// the two agree and that the answer keeps the engine's promises.
pub fn decide_checked<'p>(
    policy: &'p Policy,
    request: &Request,
    prepared: &PreparedRequest,
) -> Decision<'p> {
    let decision = match policy.decide_prepared(prepared) {
        Ok(d) => d,
        Err(e) => panic!("a prepared request was refused when decided: {e}"),
    };
    let (explained, trace) = match policy.core().explain_prepared(prepared) {
        Ok(pair) => pair,
        Err(e) => panic!("a prepared request was refused when explained: {e}"),
    };
    assert_eq!(
        decision.key(),
        explained.key(),
        "decide and explain disagree on {request:?}"
    );
    assert_eq!(decision.allowed(), explained.allowed());
    assert!(!trace.is_empty(), "an explanation without steps");
    // The decision as JSON says what the decision says.
    let json = match serde_json::to_value(decision) {
        Ok(v) => v,
        Err(e) => panic!("a decision cannot be written as JSON: {e}"),
    };
    assert_eq!(json["allowed"], serde_json::Value::Bool(decision.allowed()));
    let _ = explained.summary();
    let _ = lawful::explain::prose(policy, request, &explained, &trace);
    if decision.allowed() {
        assert!(decision.rule().is_some(), "an allow names its rule");
        assert!(decision.basis().is_some(), "an allow names its basis");
        child_is_never_allowed(policy, &decision, request);
        consent_allow_needs_consent(&decision, request, prepared.at());
    }
    decision
}

/// A subject the version's child rule covers, under its age and with nothing
/// given that could lift it, is never allowed anything.
fn child_is_never_allowed(policy: &Policy, decision: &Decision<'_>, request: &Request) {
    let Some(age) = request.subject.age else {
        return;
    };
    let Some(version) = policy
        .core()
        .version_models()
        .find(|v| Some(&*v.name) == decision.version())
    else {
        return;
    };
    let Some(children) = &version.children else {
        return;
    };
    let Some(role) = policy.vocabulary().role(&request.subject.role) else {
        return;
    };
    let covered = match &children.roles {
        Scope::Any => true,
        Scope::Only(roles) => roles.contains(&role),
    };
    // A lifting condition may hold only through something the request gives.
    let could_be_lifted = children.unless.is_some() && !request.subject.attributes.is_empty();
    if covered && age < children.under && !could_be_lifted {
        panic!(
            "a child of {age} (under {}) was allowed by {:?}: {request:?}",
            children.under,
            decision.rule()
        );
    }
}

/// Whether `outer` is `inner` or a purpose containing it (`marketing` contains
/// `marketing.communications`), by their dotted names.
fn contains(outer: &str, inner: &str) -> bool {
    inner == outer
        || inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// An allow that rests on consent needs consent for the purpose (or a purpose
/// containing it) given by `at`, and no revocation in force since: a revocation
/// of the purpose, of one containing it or of a part of it, at or before `at`,
/// not followed by a consent covering the revoked part. This is written from the
/// language's description, not from the engine's code.
fn consent_allow_needs_consent(
    decision: &Decision<'_>,
    request: &Request,
    at: Timestamp,
) {
    if decision.basis() != Some(Basis::Consent) {
        return;
    }
    let purpose = request.purpose.as_str();
    let consents = &request.subject.consents;
    let given = consents
        .iter()
        .any(|(p, when)| *when <= at && contains(p, purpose));
    let revoked = request
        .subject
        .revocations
        .iter()
        .filter(|(_, when)| **when <= at)
        .any(|(revoked, when)| {
            let part = if contains(purpose, revoked) {
                revoked.as_str()
            } else if contains(revoked, purpose) {
                purpose
            } else {
                return false;
            };
            let restored = consents
                .iter()
                .any(|(p, given)| *given <= at && given > when && contains(p, part));
            !restored
        });
    if !given || revoked {
        panic!(
            "allowed by {:?} on the basis of consent without consent in force ({}): {request:?}",
            decision.rule(),
            if given { "revoked" } else { "never given" },
        );
    }
}

/// Asks a policy about every (role, category, purpose) among the first few
/// names of each kind, as a use and as a disclosure to its first party, and
/// checks each decision. Returns each answer as `allowed rule version`.
pub fn sweep(policy: &Policy) -> Vec<String> {
    let mut answers = Vec::new();
    let vocabulary = policy.vocabulary();
    let roles: Vec<String> = vocabulary.roles().names().take(3).map(str::to_owned).collect();
    let categories: Vec<String> = vocabulary
        .categories()
        .table()
        .names()
        .take(3)
        .map(str::to_owned)
        .collect();
    let purposes: Vec<String> = vocabulary
        .purposes()
        .table()
        .names()
        .take(3)
        .map(str::to_owned)
        .collect();
    let party = vocabulary.parties().names().next().map(str::to_owned);
    for role in &roles {
        for category in &categories {
            for purpose in &purposes {
                for action in [Action::Use, Action::Disclose] {
                    let mut builder = policy
                        .request(action, role)
                        .data(category)
                        .purpose(purpose)
                        .at(fixed_now());
                    // Disclosures are asked about a child, uses about someone of unknown age.
                    if action == Action::Disclose {
                        match &party {
                            Some(p) => builder = builder.party(p).age(12),
                            None => continue,
                        }
                    }
                    let request = builder.into_request();
                    match policy.prepare(&request) {
                        Ok(prepared) => {
                            let d = decide_checked(policy, &request, &prepared);
                            answers.push(format!(
                                "{} {:?} {:?}",
                                d.allowed(),
                                d.rule(),
                                d.version()
                            ));
                        }
                        Err(e) => panic!("a request naming declared names was refused: {e}"),
                    }
                }
            }
        }
    }
    answers
}

/// The request with every name resolved by hand, prepared the second way (the
/// way the Python bindings' fast reader prepares): `None` when a name is not
/// declared.
pub fn prepare_resolved(
    policy: &Policy,
    request: &Request,
) -> Option<Result<PreparedRequest, lawful::RequestError>> {
    let v = policy.vocabulary();
    let role = v.role(&request.subject.role)?;
    let data = request
        .data
        .iter()
        .map(|c| v.category(c))
        .collect::<Option<Vec<_>>>()?;
    let purpose = v.purpose(&request.purpose)?;
    let party = match &request.party {
        Some(p) => Some(v.party(p)?),
        None => None,
    };
    let times = |map: &std::collections::BTreeMap<String, Timestamp>| {
        map.iter()
            .map(|(p, t)| Some((v.purpose(p)?, *t)))
            .collect::<Option<Vec<_>>>()
    };
    let attributes = request
        .subject
        .attributes
        .iter()
        .map(|(name, value)| Some((v.attribute(name).filter(|a| a.index() != 0)?, value.clone())))
        .collect::<Option<Vec<_>>>()?;
    let resolved = lawful::ResolvedRequest {
        action: request.action,
        role,
        data,
        purpose,
        party,
        age: request.subject.age,
        attributes,
        consents: times(&request.subject.consents)?,
        revocations: times(&request.subject.revocations)?,
        at: request.at,
        collected_at: request.collected_at,
    };
    Some(policy.prepare_resolved(resolved))
}
