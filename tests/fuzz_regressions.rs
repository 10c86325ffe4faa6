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
