//! The fast JSON reader (`Policy::prepare_json`, used by `decide_json` and the CLI)
//! prepares exactly what `Request::from_json` then `Policy::prepare` prepare, and
//! fails exactly where they fail, with their error: on thousands of generated
//! Filestack requests, on hand-made awkward ones, and on byte-level mutations of
//! both.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

#[path = "../benches/floor.rs"]
mod floor;

use lawful::{Policy, Request};

fn filestack() -> Policy {
    Policy::load(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/filestack")).unwrap()
}

/// Both readers on one input: the same prepared request or the same error.
fn agree(policy: &Policy, json: &[u8]) {
    let slow = Request::from_json(json).and_then(|r| policy.prepare(&r));
    let fast = policy.prepare_json(json);
    // A request without `at` is prepared at the current instant, which differs.
    if !json.windows(4).any(|w| w == b"\"at\"") && slow.is_ok() {
        assert_eq!(
            fast.is_ok(),
            slow.is_ok(),
            "{}",
            String::from_utf8_lossy(json)
        );
        return;
    }
    assert_eq!(fast, slow, "{}", String::from_utf8_lossy(json));
}

const AWKWARD: &[&str] = &[
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"r\u006fle": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "age": 12, "age": null}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "age": 17.0}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "age": -0}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "age": 201}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "age": 200}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "do_not_track": null, "do_not_track": true}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "no_such_thing": null}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "do_not_track": 1}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "jurisdiction": ["US-CA"]}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "jurisdiction": "US-\"CA\""}, "data": ["device.ip_address", "device.identifier"], "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "consents": {"sale": "2026-01-01", "marketing": "2025-01-01T10:00:00+02:00"}, "revocations": {"sale": "2026-02-01"}}, "data": [], "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "consents": {"sale": "2026-01-01", "sale": "2026-01-02"}}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "consents": {"sale": "2026-01-01", "marketing": "2025-01-01T10:00:00+02:00"}, "revocations": {"sale": "2026-02-01"}}, "data": "device.ip_address", "purpose": "sale", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "consents": {"sale": "yesterday"}}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "consents": null}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "party": null, "at": "2026-03-01", "collected_at": null}"#,
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "party": "aws", "at": "2026-03-01"}"#,
    r#"{"action": "disclose", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "disclose", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "party": "aws", "at": "2026-03-01", "collected_at": "2026-03-02"}"#,
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01", "extra": 1}"#,
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"} x"#,
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}   "#,
    r#"[{"action": "use"}]"#,
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website"}"#,
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_addres", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01T10:00:00"}"#,
    // request_id: read (and left out of the prepared request) or refused alike.
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01", "request_id": "r-1"}"#,
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01", "request_id": null}"#,
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01", "request_id": ""}"#,
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01", "request_id": 7}"#,
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01", "request_id": "a\u0062"}"#,
    // Times in every form: read in place, parsed, or refused alike.
    r#"{"action": "use", "subject": {"role": "visitor", "consents": {"sale": "2016-12-31T23:59:60Z"}}, "data": "device.ip_address", "purpose": "sale", "at": "2026-03-01T10:00:00.123456789Z"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "consents": {"sale": "2026-01-01T23:59:60Z"}}, "data": "device.ip_address", "purpose": "sale", "at": "2026-03-01T10:00:00-05:30"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "consents": {"sale": "2025-02-29"}}, "data": "device.ip_address", "purpose": "sale", "at": "2024-02-29T24:00:00Z"}"#,
    r#"{"action": "use", "subject": {"role": "visitor", "consents": {"sale": "2026-13-01"}}, "data": "device.ip_address", "purpose": "sale", "at": "2026-03-01t10:00:00z"}"#,
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01", "collected_at": "2026-03-01T00:00:01Z"}"#,
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01 10:00:00Z"}"#,
    // Names with escapes or control characters, names cut short or run on.
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": ["device.ip_address", "device\\.ip_address"], "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visi\"tor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address.", "purpose": "operate_websit", "at": "2026-03-01"}"#,
    "{\"action\": \"use\", \"subject\": {\"role\": \"visitor\"}, \"data\": \"device.ip\taddress\", \"purpose\": \"operate_website\", \"at\": \"2026-03-01\"}",
    // Revocations and consents in any order of names; attributes in any order.
    r#"{"action": "use", "subject": {"role": "visitor", "revocations": {"sale": "2026-02-01", "marketing.communications": "2026-02-02", "marketing": "2026-01-01"}, "consents": {"sale": "2026-01-01", "marketing": "2025-12-01"}, "restricted": true, "do_not_track": false}, "data": "device.ip_address", "purpose": "marketing.communications", "at": "2026-03-01"}"#,
    // The action as a name: escaped, cased or cut differently, or a name of
    // something else.
    r#"{"action": "us\u0065", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "Use", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "disclos", "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": "visitor", "subject": {"role": "use"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    r#"{"action": null, "subject": {"role": "visitor"}, "data": "device.ip_address", "purpose": "operate_website", "at": "2026-03-01"}"#,
    // Lists of categories with white space, repeats, trailing commas, nesting.
    r#"{"action":"use","subject":{"role":"visitor"},"data":[ "device.ip_address" , "device.ip_address","device.identifier" ],"purpose":"operate_website","at":"2026-03-01"}"#,
    r#"{"action":"use","subject":{"role":"visitor"},"data":["device.ip_address",],"purpose":"operate_website","at":"2026-03-01"}"#,
    r#"{"action":"use","subject":{"role":"visitor"},"data":[["device.ip_address"]],"purpose":"operate_website","at":"2026-03-01"}"#,
    r#"{"action":"use","subject":{"role":"visitor"},"data":[ ],"purpose":"operate_website","at":"2026-03-01"}"#,
    // Times with white space around them and times cut at a word's end.
    r#"{"action":"use","subject":{"role":"visitor","consents":{"sale" : "2026-01-01T00:00:00Z" ,"marketing":"2026-01-0"}},"data":"device.ip_address","purpose":"sale","at":"2026-03-01"}"#,
    "{\"action\":\"use\",\"subject\":{\"role\":\"visitor\",\"consents\":{\"sale\":\t\"2026-01-01\"\n}},\"data\":\"device.ip_address\",\"purpose\":\"sale\",\"at\":\r\n\"2026-03-01T23:59:59Z\"}",
    r#"{"action":"use","subject":{"role":"visitor"},"data":"device.ip_address","purpose":"sale","at":"2026-03-01T"}"#,
    r#"{"action":"use","subject":{"role":"visitor"},"data":"device.ip_address","purpose":"sale","at":"2026-03-01T10:00:00Z"#,
];

#[test]
fn both_readers_agree_on_awkward_requests() {
    let policy = filestack();
    for json in AWKWARD {
        agree(&policy, json.as_bytes());
    }
}

#[test]
fn both_readers_agree_on_generated_and_damaged_requests() {
    let policy = filestack();
    let mut rng = floor::Rng::new(7);
    let pieces: &[&[u8]] = &[
        b"null",
        b"1",
        b"-1",
        b"1.5",
        b"true",
        b"\"\"",
        b"[]",
        b"{}",
        b",",
        b"\"age\": 3,",
        b"\"role\": \"visitor\",",
        b"\\u0061",
        b"\"",
        b"}",
        b"]",
        b"\"sale\"",
    ];
    let mut inputs: Vec<Vec<u8>> = AWKWARD.iter().map(|s| s.as_bytes().to_vec()).collect();
    inputs.extend(
        floor::requests(99, 1500)
            .into_iter()
            .map(|g| g.json.into_bytes()),
    );
    let mut fast_path_kept_its_answer = 0;
    for json in inputs {
        agree(&policy, &json);
        for _ in 0..6 {
            let mut damaged = json.clone();
            let at = rng.below(damaged.len());
            match rng.below(3) {
                0 => {
                    damaged.remove(at);
                }
                1 => {
                    let piece = rng.pick(pieces);
                    damaged.splice(at..at, piece.iter().copied());
                }
                _ => {
                    let end = (at + 1 + rng.below(12)).min(damaged.len());
                    damaged.drain(at..end);
                }
            }
            agree(&policy, &damaged);
            fast_path_kept_its_answer += usize::from(policy.prepare_json(&damaged).is_ok());
        }
    }
    // Some damage leaves a valid request (a lost space, a changed value).
    assert!(
        fast_path_kept_its_answer > 20,
        "{fast_path_kept_its_answer}"
    );
}
