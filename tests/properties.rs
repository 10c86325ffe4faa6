//! Property tests: the indexed evaluator agrees with a plain reference interpreter
//! on generated policies and requests, the invariants of the README's "How a
//! decision is made" hold, and no input makes the parser or the request reader panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use lawful::{Action, Policy, Request, Subject, Timestamp, Value};
use lawful_core::condition::{Facts, Truth};
use lawful_core::consent::{ConsentState, consent_state};
use lawful_core::model::{Basis, Effect, Revocation, RevocationKind, Scope, Target, VersionModel};
use lawful_core::vocab::Vocabulary;
use proptest::prelude::*;

const ROLES: [&str; 2] = ["r1", "r2"];
const CATEGORIES: [&str; 4] = ["a", "a.x", "a.y", "b"];
const PURPOSES: [&str; 5] = ["p", "p.m", "p.n", "q", "q.m"];
const PARTIES: [&str; 2] = ["s", "t"];

fn subset(names: &'static [&'static str]) -> impl Strategy<Value = Vec<&'static str>> {
    proptest::sample::subsequence(names, 1..=names.len())
}

fn list(any: &str, items: &Option<Vec<&str>>) -> String {
    items.as_ref().map_or(any.to_owned(), |v| v.join(", "))
}

prop_compose! {
    fn rule_text(index: usize)(
        effect in 0..3u8,
        categories in proptest::option::of(subset(&CATEGORIES)),
        roles in proptest::option::of(subset(&ROLES)),
        purposes in proptest::option::of(subset(&PURPOSES)),
        parties in proptest::option::of(subset(&PARTIES)),
        condition in 0..6u8,
        consent in any::<bool>(),
        exception in 0..5u8,
        except_purposes in subset(&PURPOSES),
    ) -> String {
        let mut text = format!("rule r{index}\n");
        let verb = ["allow use", "deny use", "deny disclosure"][usize::from(effect)];
        text += &format!("  {verb} of {}\n", list("any data", &categories));
        if effect == 0 || roles.is_some() {
            text += &format!("  about {}\n", list("anyone", &roles));
        }
        if effect == 0 || purposes.is_some() {
            text += &format!("  for {}\n", list("any purpose", &purposes));
        }
        if effect == 2 && parties.is_some() {
            text += &format!("  to {}\n", list("anyone", &parties));
        }
        if effect == 0 {
            text += if consent { "  basis consent\n" } else { "  basis contract\n" };
        }
        text += [
            "",
            "  when flag\n",
            "  when not flag\n",
            "  when level > 2 or flag\n",
            "  when consent to p\n",
            "  when no consent to q.m and flag\n",
        ][usize::from(condition)];
        if effect != 0 {
            text += match exception {
                1 => format!("  except for {}\n", except_purposes.join(", ")),
                2 => "  except when flag\n".to_owned(),
                3 => "  except to anyone\n".to_owned(),
                4 => "  except to s when consent to p.m\n".to_owned(),
                _ => String::new(),
            }
            .as_str();
        }
        text += "  cite \"S\"\n";
        text
    }
}

prop_compose! {
    fn policy_text()(
        rules in (0..8usize).prop_flat_map(|n| (0..n).map(rule_text).collect::<Vec<_>>()),
        s_receives in proptest::option::of(subset(&PURPOSES)),
        t_receives in subset(&PURPOSES),
        children in 0..3u8,
        revocation in proptest::option::of(subset(&PURPOSES)),
        withdrawal in 0..3u8,
    ) -> String {
        let mut text = String::from("policy \"Generated\" version 2024-01-01\n");
        for r in ROLES { text += &format!("role {r} \"{r}\"\n"); }
        for c in CATEGORIES { text += &format!("category {c} \"{c}\"\n"); }
        for p in PURPOSES { text += &format!("purpose {p} \"{p}\"\n"); }
        text += "attribute flag \"a flag\" is yes/no\nattribute level \"a level\" is number, default 0\n";
        text += &format!("party s \"s\" receives for {} cite \"S\"\n", list("any purpose", &s_receives));
        text += &format!("party t \"t\" receives for {} cite \"S\"\n", t_receives.join(", "));
        for rule in rules { text += &rule; }
        text += ["", "children under 16 about r1 cite \"C\"\n", "children under 16 about r1, r2 unless flag cite \"C\"\n"][usize::from(children)];
        if let Some(purposes) = revocation {
            text += &format!("revocation gone for {} then notify_recipients cite \"R\"\n", purposes.join(", "));
        }
        text += ["", "revocation withdrawn withdraws consent cite \"W\"\n", "revocation withdrawn-p for p.n withdraws consent cite \"W\"\n"][usize::from(withdrawal)];
        text
    }
}

fn day(n: u32) -> Timestamp {
    Timestamp::parse(&format!("2025-01-{:02}", n.clamp(1, 28))).unwrap()
}

prop_compose! {
    fn request()(
        disclose in any::<bool>(),
        role in proptest::sample::select(&ROLES[..]),
        data in subset(&CATEGORIES),
        purpose in proptest::sample::select(&PURPOSES[..]),
        party in proptest::sample::select(&PARTIES[..]),
        flag in proptest::option::of(any::<bool>()),
        level in proptest::option::of(0..5u8),
        age in proptest::option::of(0..30u32),
        consent in proptest::option::of((proptest::sample::select(&PURPOSES[..]), 1..28u32)),
        revocation in proptest::option::of((proptest::sample::select(&PURPOSES[..]), 1..28u32)),
        at in 1..28u32,
    ) -> Request {
        let mut subject = Subject { role: role.to_owned(), age, ..Subject::default() };
        if let Some(flag) = flag { subject.attributes.insert("flag".into(), Value::YesNo(flag)); }
        if let Some(level) = level { subject.attributes.insert("level".into(), Value::Number(f64::from(level))); }
        if let Some((p, d)) = consent { subject.consents.insert(p.to_owned(), day(d)); }
        if let Some((p, d)) = revocation { subject.revocations.insert(p.to_owned(), day(d)); }
        Request {
            action: if disclose { Action::Disclose } else { Action::Use },
            subject,
            data: data.into_iter().map(str::to_owned).collect(),
            purpose: purpose.to_owned(),
            party: disclose.then(|| party.to_owned()),
            at: Some(day(at)),
            collected_at: None,
            request_id: None,
        }
    }
}

/// What a reference condition reads: attributes by name, and consent computed plainly.
struct PlainFacts<'a> {
    values: Vec<Option<Value>>,
    consented: &'a dyn Fn(lawful_core::ids::PurposeId) -> bool,
}

impl Facts for PlainFacts<'_> {
    fn attribute(&self, id: lawful_core::ids::AttributeId) -> Option<&Value> {
        self.values[id.index()].as_ref()
    }
    fn consent(&self, purpose: lawful_core::ids::PurposeId) -> bool {
        (self.consented)(purpose)
    }
}

/// The most specific declared revocation whose purposes hold `purpose` (an unscoped
/// one holds every purpose, least specifically).
fn declared_revocation<'v>(
    vocabulary: &Vocabulary,
    version: &'v VersionModel,
    purpose: u32,
) -> Option<&'v Revocation> {
    version
        .revocations
        .iter()
        .filter_map(|r| match r.purposes.listed() {
            None => Some((usize::MAX, r)),
            Some(listed) => vocabulary
                .purposes()
                .lineage(purpose)
                .iter()
                .position(|l| listed.iter().any(|p| p.raw() == *l))
                .map(|d| (d, r)),
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, r)| r)
}

/// The semantics of the README's "How a decision is made", written as plainly as
/// possible: scan every rule.
fn reference(
    vocabulary: &Vocabulary,
    version: &VersionModel,
    request: &Request,
) -> (bool, Option<String>) {
    let role = vocabulary.role(&request.subject.role).unwrap();
    let purpose = vocabulary.purpose(&request.purpose).unwrap();
    let party = request.party.as_ref().map(|p| vocabulary.party(p).unwrap());
    let at = request.at.unwrap();
    let (categories, purposes) = (vocabulary.categories(), vocabulary.purposes());
    let id = |p: &String| vocabulary.purpose(p).unwrap().raw();
    // The parts of `asked` taken away by revocations in force: a revocation of the
    // purpose, of a purpose containing it, or of a part of it, unless a consent
    // covering that part came later.
    let revoked_parts = |asked: u32| -> Vec<u32> {
        request
            .subject
            .revocations
            .iter()
            .filter_map(|(r, t)| {
                let r = id(r);
                let part = if purposes.covers(asked, r) {
                    r
                } else if purposes.covers(r, asked) {
                    asked
                } else {
                    return None;
                };
                let restored = request
                    .subject
                    .consents
                    .iter()
                    .any(|(c, ct)| *ct <= at && ct > t && purposes.covers(id(c), part));
                (*t <= at && !restored).then_some(part)
            })
            .collect()
    };
    let consent_in_force = |asked: u32| {
        revoked_parts(asked).is_empty()
            && request
                .subject
                .consents
                .iter()
                .any(|(p, t)| *t <= at && purposes.covers(id(p), asked))
    };
    let value = |a| {
        request
            .subject
            .attributes
            .get(vocabulary.attribute_name(a))
            .cloned()
            .or_else(|| {
                version
                    .attributes
                    .iter()
                    .find(|(id, _)| *id == a)
                    .and_then(|(_, d)| d.clone())
            })
    };
    let consented = |p: lawful_core::ids::PurposeId| consent_in_force(p.raw());
    let facts = PlainFacts {
        values: vocabulary.attributes().ids().map(value).collect(),
        consented: &consented,
    };
    let truth = |c: Option<&lawful_core::condition::Condition>| {
        c.map_or(Truth::True, |c| c.evaluate(&facts))
    };
    if let (Some(age), Some(children)) = (request.subject.age, &version.children) {
        if age < children.under
            && children.roles.listed().is_none_or(|r| r.contains(&role))
            && !children
                .unless
                .as_ref()
                .is_some_and(|c| c.evaluate(&facts) == Truth::True)
        {
            return (false, Some("children".into()));
        }
    }
    let revoked = revoked_parts(purpose.raw());
    for part in &revoked {
        if let Some(r) = declared_revocation(vocabulary, version, *part) {
            if r.kind == RevocationKind::OptOut {
                return (false, Some(r.id.to_string()));
            }
        }
    }
    let withdrawal = || {
        declared_revocation(vocabulary, version, purpose.raw())
            .filter(|r| r.kind == RevocationKind::Withdrawal)
            .map_or("consent-revoked".to_owned(), |r| r.id.to_string())
    };
    let consented = consent_in_force(purpose.raw());
    let recipient = |to: &Option<Scope<lawful_core::ids::PartyId>>| match to {
        None => true,
        Some(scope) => party.is_some_and(|p| scope.listed().is_none_or(|l| l.contains(&p))),
    };
    let mut first_allow = None;
    for name in &request.data {
        let category = vocabulary.category(name).unwrap();
        let overlaps = |scope: &Scope<lawful_core::ids::CategoryId>| {
            scope.listed().is_none_or(|l| {
                l.iter().any(|c| {
                    categories.covers(c.raw(), category.raw())
                        || categories.covers(category.raw(), c.raw())
                })
            })
        };
        let purpose_overlaps = |scope: &Scope<lawful_core::ids::PurposeId>| {
            scope.listed().is_none_or(|l| {
                l.iter().any(|p| {
                    purposes.covers(p.raw(), purpose.raw())
                        || purposes.covers(purpose.raw(), p.raw())
                })
            })
        };
        let inside = |t: &Target| {
            t.roles.listed().is_none_or(|r| r.contains(&role))
                && t.categories
                    .listed()
                    .is_none_or(|l| l.iter().any(|c| categories.covers(c.raw(), category.raw())))
                && t.purposes
                    .listed()
                    .is_none_or(|l| l.iter().any(|p| purposes.covers(p.raw(), purpose.raw())))
                && recipient(&t.parties)
        };
        for rule in &version.rules {
            let applies_to_action = match rule.effect {
                Effect::DenyUse => true,
                Effect::DenyDisclosure => request.action == Action::Disclose,
                Effect::Allow(_) => false,
            };
            if applies_to_action
                && rule.target.roles.listed().is_none_or(|r| r.contains(&role))
                && overlaps(&rule.target.categories)
                && purpose_overlaps(&rule.target.purposes)
                && recipient(&rule.target.parties)
                && truth(rule.target.condition.as_ref()) != Truth::False
                && !rule
                    .exceptions
                    .iter()
                    .any(|e| inside(e) && truth(e.condition.as_ref()) == Truth::True)
            {
                return (false, Some(rule.id.to_string()));
            }
        }
        let allow = version.rules.iter().find(|rule| {
            matches!(rule.effect, Effect::Allow(_))
                && inside(&rule.target)
                && truth(rule.target.condition.as_ref()) == Truth::True
                && (rule.effect != Effect::Allow(Basis::Consent) || consented)
        });
        match allow {
            Some(rule) => {
                first_allow.get_or_insert_with(|| rule.id.to_string());
            }
            None if !revoked.is_empty() => return (false, Some(withdrawal())),
            None => return (false, None),
        }
    }
    if let Some(party) = party {
        let receives = version
            .parties
            .iter()
            .find(|p| p.party == party)
            .is_some_and(|p| {
                p.receives
                    .listed()
                    .is_none_or(|l| l.iter().any(|x| purposes.covers(x.raw(), purpose.raw())))
            });
        if !receives {
            return (false, None);
        }
    }
    (true, first_allow)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_index_agrees_with_the_reference(text in policy_text(), requests in proptest::collection::vec(request(), 8)) {
        let policy = Policy::from_sources([("generated.lawful", text.clone())]).unwrap();
        let version = policy.core().version_models().next().unwrap();
        for request in &requests {
            let decision = policy.decide(request).unwrap();
            let expected = reference(policy.vocabulary(), version, request);
            prop_assert_eq!(
                (decision.allowed(), decision.rule().map(str::to_owned)),
                expected,
                "policy:\n{}\nrequest: {}", text, serde_json::to_string(request).unwrap()
            );
            // The invariants, whatever the policy says.
            let vocabulary = policy.vocabulary();
            if let (Some(age), Some(children)) = (request.subject.age, &version.children) {
                let role = vocabulary.role(&request.subject.role).unwrap();
                let covered = children.roles.listed().is_none_or(|r| r.contains(&role));
                let lifted = children.unless.is_some() && request.subject.attributes.get("flag") == Some(&Value::YesNo(true));
                if age < children.under && covered && !lifted {
                    prop_assert!(!decision.allowed(), "a child of a covered role was allowed");
                    prop_assert!(decision.obligations().any(|o| o.kind == "delete"));
                }
            }
            if decision.allowed() {
                prop_assert!(decision.rule().is_some() && decision.basis().is_some());
            }
            if decision.basis() == Some(Basis::Consent) {
                let (consents, revocations) = resolved_consents(vocabulary, request);
                let state = consent_state(vocabulary, vocabulary.purpose(&request.purpose).unwrap(), &consents, &revocations, request.at.unwrap());
                prop_assert!(matches!(state, ConsentState::Given(_)), "a consent rule allowed without consent in force: {:?}", state);
            }
        }
    }

    #[test]
    fn a_revocation_withdraws_consent_and_nothing_else(request in request(), given in 1..28u32, revoked in 1..28u32) {
        let mut request = request;
        request.subject.age = None;
        request.subject.consents.clear();
        request.subject.revocations.clear();
        request.subject.consents.insert(request.purpose.clone(), day(given));
        request.subject.revocations.insert(request.purpose.clone(), day(revoked));
        let at = request.at.unwrap();
        let in_force = day(revoked) <= at && day(given) <= day(revoked);
        let consent_in_force = day(given) <= at && !in_force;
        // On a basis other than consent, the use goes on.
        let generous = Policy::from_sources([("g.lawful", GENEROUS)]).unwrap();
        prop_assert!(generous.decide(&request).unwrap().allowed());
        // Resting on consent, it stops from the revocation's instant, naming it.
        let consent_only = GENEROUS.replace("basis contract", "basis consent");
        let policy = Policy::from_sources([("c.lawful", consent_only)]).unwrap();
        let decision = policy.decide(&request).unwrap();
        prop_assert_eq!(decision.allowed(), consent_in_force);
        if in_force {
            prop_assert_eq!(decision.rule(), Some("consent-revoked"));
            prop_assert!(decision.obligations().any(|o| o.kind == "notify_recipients"));
        }
    }

    #[test]
    fn a_declared_opt_out_always_denies_its_purpose(request in request(), revoked in 1..28u32, later in any::<bool>()) {
        let opting_out = format!("{GENEROUS}revocation stop for p then notify_recipients cite \"R\"\n");
        let policy = Policy::from_sources([("o.lawful", opting_out)]).unwrap();
        let mut request = request;
        request.subject.age = None;
        request.subject.revocations.clear();
        request.subject.consents.clear();
        request.subject.revocations.insert("p".into(), day(revoked));
        if later {
            // A consent to another purpose after it changes nothing.
            request.subject.consents.insert("q".into(), day(revoked + 1));
        }
        let decision = policy.decide(&request).unwrap();
        let overlaps = request.purpose.starts_with('p');
        if overlaps && day(revoked) <= request.at.unwrap() {
            prop_assert!(!decision.allowed());
            prop_assert_eq!(decision.rule(), Some("stop"));
        } else {
            prop_assert!(decision.allowed());
        }
    }

    #[test]
    fn a_deny_always_beats_an_allow(request in request()) {
        let denying = format!("{GENEROUS}\nrule no\n  deny use of any data\n  cite \"S\"\n");
        let policy = Policy::from_sources([("g.lawful", denying)]).unwrap();
        let decision = policy.decide(&request).unwrap();
        prop_assert!(!decision.allowed());
    }

    #[test]
    fn the_parser_never_panics_on_text(text in "\\PC{0,400}") {
        let _ = Policy::from_sources([("fuzz.lawful", text)]);
    }

    #[test]
    fn the_parser_never_panics_on_damaged_rules(cut in 0..20_000usize, insert in "\\PC{0,8}") {
        let original = include_str!("../rules/filestack/2021-11-11.lawful");
        let mut cut = cut.min(original.len());
        while !original.is_char_boundary(cut) { cut -= 1; }
        let rest: String = original[cut..].chars().take(40).collect();
        let damaged = format!("{}{insert}{rest}", &original[..cut]);
        let _ = Policy::from_sources([("damaged.lawful", damaged.clone())]);
        let _ = Policy::from_sources([("truncated.lawful", original[..cut].to_owned())]);
    }

    #[test]
    fn requests_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300), json in "\\PC{0,200}") {
        let policy = Policy::from_sources([("g.lawful", GENEROUS)]).unwrap();
        let _ = policy.decide_json(&bytes);
        let _ = policy.decide_json(json.as_bytes());
    }
}

/// Allows everything on every basis but consent, so only revocations and denies refuse.
const GENEROUS: &str = "policy \"Generous\" version 2024-01-01
role r1 \"r1\"
role r2 \"r2\"
category a \"a\"
category a.x \"a.x\"
category a.y \"a.y\"
category b \"b\"
purpose p \"p\"
purpose p.m \"p.m\"
purpose p.n \"p.n\"
purpose q \"q\"
purpose q.m \"q.m\"
attribute flag \"a flag\" is yes/no
attribute level \"a level\" is number, default 0
party s \"s\" receives for any purpose cite \"S\"
party t \"t\" receives for any purpose cite \"S\"
rule everything
  allow use of any data
  about anyone
  for any purpose
  basis contract
  cite \"S\"
";

/// A request's consents and revocations as the evaluator holds them.
type Events = Vec<(lawful_core::ids::PurposeId, Timestamp)>;

fn resolved_consents(vocabulary: &Vocabulary, request: &Request) -> (Events, Events) {
    let resolve = |m: &std::collections::BTreeMap<String, Timestamp>| {
        m.iter()
            .map(|(p, t)| (vocabulary.purpose(p).unwrap(), *t))
            .collect()
    };
    (
        resolve(&request.subject.consents),
        resolve(&request.subject.revocations),
    )
}

#[test]
fn deeply_nested_conditions_are_refused_not_overflowed() {
    let nested = [
        (
            "deep.lawful",
            format!("{}f{}", "(".repeat(100_000), ")".repeat(100_000)),
        ),
        ("nots.lawful", format!("{}f", "not ".repeat(50_000))),
        ("ands.lawful", format!("f{}", " and f".repeat(50_000))),
    ];
    for (file, condition) in nested {
        let text = format!(
            "policy \"x\" version 2024-01-01\nrole v \"v\"\ncategory d \"d\"\npurpose p \"p\"\nattribute f \"f\" is yes/no\nrule r allow use of d about v for p basis contract when {condition} cite \"S\"\n"
        );
        assert_eq!(
            Policy::from_sources([(file, text)])
                .unwrap_err()
                .diagnostics[0]
                .code,
            "L003",
            "{file}"
        );
    }
}

#[test]
fn huge_and_nested_requests_are_errors() {
    let policy = Policy::from_sources([("g.lawful", GENEROUS)]).unwrap();
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(policy.decide_json(nested.as_bytes()).is_err());
    let huge = format!(
        r#"{{"action": "use", "subject": {{"role": "r1", "age": 1{}}}, "data": "a", "purpose": "p"}}"#,
        "0".repeat(400)
    );
    assert!(policy.decide_json(huge.as_bytes()).is_err());
    let big = vec![b' '; 2 << 20];
    assert!(policy.decide_json(&big).is_err());
}
