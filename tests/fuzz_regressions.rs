//! Inputs the fuzz targets in `fuzz/` found, kept as tests: each failed before its
//! fix. The target that found it and what it checked are named on each test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::sync::LazyLock;

use lawful::{Action, Policy, Timestamp};

static FILESTACK: LazyLock<Policy> = LazyLock::new(|| {
    Policy::load(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/filestack")).unwrap()
});

/// `structured`: a request built in code with an age JSON refuses (255 > 200)
/// was decided; read as JSON, the same request is an error. Both ways in must
/// refuse it alike.
#[test]
fn an_age_json_refuses_is_refused_when_built_in_code_too() {
    let request = FILESTACK
        .request(Action::Use, "account_user")
        .data("account")
        .purpose("operate_website")
        .age(255)
        .at(Timestamp::parse("2016-01-01").unwrap())
        .into_request();
    let error = FILESTACK.prepare(&request).unwrap_err();
    assert_eq!(error.field.as_deref(), Some("subject.age"), "{error}");
    let json = serde_json::to_vec(&request).unwrap();
    let from_json = FILESTACK.decide_json(&json).unwrap_err();
    assert_eq!(from_json.message, error.message);
    // The oldest age a request may give is still decided.
    let oldest = FILESTACK
        .request(Action::Use, "account_user")
        .data("account")
        .purpose("operate_website")
        .age(lawful::MAX_AGE)
        .prepare();
    assert!(oldest.is_ok(), "{oldest:?}");
}

/// `request`: a number beyond 2^64 in a request was read to a float one step
/// away from the nearest, so written back and read again it changed, and the
/// same number written in a rule (read exactly) did not equal it.
#[test]
fn numbers_in_requests_are_read_as_exactly_as_numbers_in_rules() {
    let big = "1000000000012861934301395841550";
    let json = format!(
        r#"{{"action": "use", "subject": {{"role": "r", "n": {big}}}, "data": "d", "purpose": "p", "at": "2026-03-01"}}"#
    );
    let request = lawful::Request::from_json(json.as_bytes()).unwrap();
    let again = lawful::Request::from_json(&serde_json::to_vec(&request).unwrap()).unwrap();
    assert_eq!(again, request, "the JSON round trip changed the request");
    let policy = Policy::from_sources([(
        "p.lawful",
        format!(
            "policy \"P\" version 2024-01-01\nrole r \"r\"\ncategory d \"d\"\npurpose p \"p\"\n\
             attribute n \"n\" is number\n\
             rule big allow use of d about r for p basis consent when n = {big} cite \"S\"\n\
             rule any allow use of d about r for p basis legitimate_interests when n >= {big} and n <= {big} cite \"S\"\n"
        ),
    )])
    .unwrap();
    let decision = policy.decide(&request).unwrap();
    assert!(decision.allowed(), "{}", decision.summary());
    assert_eq!(decision.rule(), Some("any"));
}
