//! Property tests: the indexed evaluator agrees with a plain reference interpreter
//! on generated policies and requests, the invariants of SPEC §5 hold, and no input
//! makes the parser or the request reader panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use lawful::{Action, Policy, Request, Subject, Timestamp, Value};
use lawful_core::condition::Truth;
use lawful_core::model::{Basis, Effect, Scope, Target, VersionModel};
use lawful_core::vocab::Vocabulary;
use proptest::prelude::*;

const ROLES: [&str; 2] = ["r1", "r2"];
const CATEGORIES: [&str; 4] = ["a", "a.x", "a.y", "b"];
const PURPOSES: [&str; 4] = ["p", "p.m", "p.n", "q"];
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
        condition in 0..4u8,
        consent in any::<bool>(),
        exception in 0..3u8,
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
        text += ["", "  when flag\n", "  when not flag\n", "  when level > 2 or flag\n"][usize::from(condition)];
        if effect != 0 {
            text += match exception {
                1 => format!("  except for {}\n", except_purposes.join(", ")),
                2 => "  except when flag\n".to_owned(),
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
        children in any::<bool>(),
        revocation in proptest::option::of(subset(&PURPOSES)),
    ) -> String {
        let mut text = String::from("policy \"Generated\" version 2024-01-01\n");
        for r in ROLES { text += &format!("role {r} \"{r}\"\n"); }
        for c in CATEGORIES { text += &format!("category {c} \"{c}\"\n"); }
        for p in PURPOSES { text += &format!("purpose {p} \"{p}\"\n"); }
        text += "attribute flag \"a flag\" is yes/no\nattribute level \"a level\" is number, default 0\n";
        text += &format!("party s \"s\" receives for {} cite \"S\"\n", list("any purpose", &s_receives));
        text += &format!("party t \"t\" receives for {} cite \"S\"\n", t_receives.join(", "));
        for rule in rules { text += &rule; }
        if children { text += "children under 16 cite \"C\"\n"; }
        if let Some(purposes) = revocation {
            text += &format!("revocation gone for {} then notify_recipients cite \"R\"\n", purposes.join(", "));
        }
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
        }
    }
}

/// The semantics of SPEC §2, written as plainly as possible: scan every rule.
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
    if let (Some(age), Some(children)) = (request.subject.age, &version.children) {
        if age < children.under {
            return (false, Some("children".into()));
        }
    }
    let covers_purpose =
        |outer: &str| purposes.covers(vocabulary.purpose(outer).unwrap().raw(), purpose.raw());
    let given = request
        .subject
        .consents
        .iter()
        .filter(|(p, t)| **t <= at && covers_purpose(p))
        .map(|(_, t)| *t)
        .max();
    // A revocation of the purpose, of a purpose containing it, or of a part of it,
    // unless a consent covering that part came later.
    let revoked = request.subject.revocations.iter().any(|(r, t)| {
        let r = vocabulary.purpose(r).unwrap().raw();
        let part = if purposes.covers(purpose.raw(), r) {
            r
        } else if purposes.covers(r, purpose.raw()) {
            purpose.raw()
        } else {
            return false;
        };
        *t <= at
            && !request.subject.consents.iter().any(|(c, ct)| {
                *ct <= at && ct > t && purposes.covers(vocabulary.purpose(c).unwrap().raw(), part)
            })
    });
    if revoked {
        let id = version
            .revocations
            .iter()
            .filter_map(|r| match r.purposes.listed() {
                None => Some((usize::MAX, &r.id)),
                Some(listed) => purposes
                    .lineage(purpose.raw())
                    .iter()
                    .position(|l| listed.iter().any(|p| p.raw() == *l))
                    .map(|d| (d, &r.id)),
            })
            .min_by_key(|(d, _)| *d)
            .map_or("consent-revoked".to_owned(), |(_, id)| id.to_string());
        return (false, Some(id));
    }
    let consented = given.is_some();
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
    let truth = |t: &Target| {
        t.condition.as_ref().map_or(Truth::True, |c| {
            let values: Vec<Option<Value>> = (0..vocabulary.attributes().len())
                .map(|i| {
                    value(
                        vocabulary
                            .attribute(vocabulary.attributes().name(i as u32))
                            .unwrap(),
                    )
                })
                .collect();
            c.evaluate(&|a| values[a.index()].as_ref())
        })
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
                && t.parties
                    .listed()
                    .is_none_or(|l| party.is_some_and(|p| l.contains(&p)))
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
                && rule
                    .target
                    .parties
                    .listed()
                    .is_none_or(|l| party.is_some_and(|p| l.contains(&p)))
                && truth(&rule.target) != Truth::False
                && !rule
                    .exceptions
                    .iter()
                    .any(|e| inside(e) && truth(e) == Truth::True)
            {
                return (false, Some(rule.id.to_string()));
            }
        }
        let allow = version.rules.iter().find(|rule| {
            matches!(rule.effect, Effect::Allow(_))
                && inside(&rule.target)
                && truth(&rule.target) == Truth::True
                && (rule.effect != Effect::Allow(Basis::Consent) || consented)
        });
        match allow {
            Some(rule) => {
                first_allow.get_or_insert_with(|| rule.id.to_string());
            }
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
            // Invariants of SPEC §5, whatever the policy says.
            if let (Some(age), Some(children)) = (request.subject.age, &version.children) {
                if age < children.under {
                    prop_assert!(!decision.allowed());
                    prop_assert!(decision.obligations().any(|o| o.kind == "delete"));
                }
            }
            if decision.allowed() {
                prop_assert!(decision.rule().is_some() && decision.basis().is_some());
            }
        }
    }

    #[test]
    fn a_revocation_in_force_always_denies(request in request(), purpose_day in 1..28u32) {
        let policy = Policy::from_sources([("g.lawful", GENEROUS)]).unwrap();
        let mut request = request;
        request.subject.age = None;
        request.subject.consents.clear();
        request.subject.revocations.clear();
        request.subject.revocations.insert(request.purpose.clone(), day(purpose_day));
        let decision = policy.decide(&request).unwrap();
        let in_force = day(purpose_day) <= request.at.unwrap();
        prop_assert_eq!(decision.allowed(), !in_force);
        if in_force {
            prop_assert!(decision.obligations().any(|o| o.kind == "notify_recipients"));
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
