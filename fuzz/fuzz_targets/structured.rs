//! Structured requests against Filestack's policy: names drawn mostly from its
//! vocabulary (sometimes not), any ages, attributes, consents, revocations and
//! times. Checks that nothing panics, that a request naming an unknown name is
//! an error (never an allow), that decide and explain agree, that a covered
//! child is never allowed, and that an allow on the basis of consent has consent
//! in force (see `lawful_fuzz::decide_checked`).
#![no_main]

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use lawful::{Action, Request, Subject, Timestamp, Value};
use lawful_fuzz::{FILESTACK, decide_checked, prepare_resolved};

/// A name: one the policy declares (by position), or any text.
#[derive(Arbitrary, Debug)]
enum Name {
    Known(u8),
    Other(String),
}

/// An instant between 2016 and 2027, to the second.
#[derive(Arbitrary, Debug)]
struct Instant {
    day: u16,
    second: u32,
}

#[derive(Arbitrary, Debug)]
enum AttributeValue {
    YesNo(bool),
    Number(f64),
    Text(String),
    Texts(Vec<String>),
}

#[derive(Arbitrary, Debug)]
struct Input {
    disclose: bool,
    role: Name,
    data: Vec<Name>,
    purpose: Name,
    party: Option<Name>,
    age: Option<u8>,
    attributes: Vec<(Name, AttributeValue)>,
    consents: Vec<(Name, Instant)>,
    revocations: Vec<(Name, Instant)>,
    at: Instant,
    collected_at: Option<Instant>,
}

fn pick<'a>(names: &'a [&'a str], name: &'a Name) -> String {
    match name {
        Name::Known(i) if !names.is_empty() => names
            .get(usize::from(*i) % names.len())
            .copied()
            .unwrap_or_default()
            .to_owned(),
        Name::Known(_) => String::new(),
        Name::Other(text) => text.clone(),
    }
}

fn instant(i: &Instant) -> Timestamp {
    // 2016-01-01T00:00:00Z, then up to 4,096 days and a day's seconds.
    let seconds = 1_451_606_400 + i64::from(i.day % 4096) * 86_400 + i64::from(i.second % 86_400);
    Timestamp::from_unix(seconds, 0).unwrap_or_else(lawful_fuzz::fixed_now)
}

fuzz_target!(|input: Input| {
    let policy = &*FILESTACK;
    let v = policy.vocabulary();
    let roles: Vec<&str> = v.roles().names().collect();
    let categories: Vec<&str> = v.categories().table().names().collect();
    let purposes: Vec<&str> = v.purposes().table().names().collect();
    let parties: Vec<&str> = v.parties().names().collect();
    let attributes: Vec<&str> = v.attributes().names().skip(1).collect();

    let times = |list: &[(Name, Instant)]| -> BTreeMap<String, Timestamp> {
        list.iter()
            .take(16)
            .map(|(p, at)| (pick(&purposes, p), instant(at)))
            .collect()
    };
    let subject = Subject {
        role: pick(&roles, &input.role),
        age: input.age.map(u32::from),
        consents: times(&input.consents),
        revocations: times(&input.revocations),
        attributes: input
            .attributes
            .iter()
            .take(8)
            .map(|(name, value)| {
                let value = match value {
                    AttributeValue::YesNo(b) => Value::YesNo(*b),
                    AttributeValue::Number(n) => Value::Number(*n),
                    AttributeValue::Text(t) => Value::Text(t.as_str().into()),
                    AttributeValue::Texts(items) => {
                        Value::text_set(items.iter().take(8).map(String::as_str))
                    }
                };
                (pick(&attributes, name), value)
            })
            .collect(),
    };
    let request = Request {
        action: if input.disclose {
            Action::Disclose
        } else {
            Action::Use
        },
        subject,
        data: input.data.iter().take(8).map(|c| pick(&categories, c)).collect(),
        purpose: pick(&purposes, &input.purpose),
        party: input.party.as_ref().map(|p| pick(&parties, p)),
        at: Some(instant(&input.at)),
        collected_at: input.collected_at.as_ref().map(instant),
        request_id: None,
    };
    let names_known = v.role(&request.subject.role).is_some()
        && request.data.iter().all(|c| v.category(c).is_some())
        && v.purpose(&request.purpose).is_some()
        && request.party.as_ref().is_none_or(|p| v.party(p).is_some());
    let prepared = policy.prepare(&request);
    if !names_known {
        assert!(prepared.is_err(), "an unknown name was not an error: {request:?}");
    }
    let Ok(prepared) = prepared else {
        return;
    };
    let decision = decide_checked(policy, &request, &prepared);
    // The same request read as JSON, and prepared from ids, decides the same.
    if let Ok(json) = serde_json::to_vec(&request) {
        match policy.decide_json(&json) {
            Ok(d) => assert_eq!(d.key(), decision.key(), "JSON decides differently"),
            Err(e) => panic!("the request as JSON is refused ({e}): {request:?}"),
        }
    }
    match prepare_resolved(policy, &request) {
        Some(Ok(by_ids)) => {
            let d = decide_checked(policy, &request, &by_ids);
            assert_eq!(d.key(), decision.key(), "prepared from ids, it decides differently");
        }
        Some(Err(e)) => panic!("prepared from ids, the request is refused ({e}): {request:?}"),
        None => panic!("a prepared request names something undeclared: {request:?}"),
    }
});
