//! The hand-written floor of the benches (`benches/floor.rs`) decides as lawful
//! does: on thousands of generated Filestack-shaped requests (attributes, ages,
//! consents and revocations at varied times, uses and disclosures), both give the
//! same answer and name the same deciding rule. The benches compare their speed
//! on such requests, so a floor that disagreed would be measuring something else.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

#[path = "../benches/floor.rs"]
mod floor;

use lawful::Policy;

fn filestack() -> Policy {
    Policy::load(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/filestack")).unwrap()
}

#[test]
fn the_floor_agrees_with_lawful_on_generated_requests() {
    let policy = filestack();
    let requests = floor::requests(0x5EED, 4000);
    let mut disagreements = Vec::new();
    let mut allowed = 0;
    let mut rules = std::collections::BTreeSet::new();
    for generated in &requests {
        let decision = policy.decide_json(generated.json.as_bytes()).unwrap();
        assert_eq!(decision.version(), Some("2021-11-11"), "{}", generated.json);
        let lawful = (decision.allowed(), decision.rule());
        let hand = floor::decide(&generated.floor);
        if lawful != hand {
            disagreements.push(format!(
                "{}\n  lawful: {lawful:?}\n  floor:  {hand:?}",
                generated.json
            ));
        }
        allowed += usize::from(lawful.0);
        rules.insert(lawful.1.unwrap_or("(nothing)"));
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} disagree:\n{}",
        disagreements.len(),
        requests.len(),
        disagreements[..disagreements.len().min(10)].join("\n")
    );
    // The requests reach every kind of decision, not only the easy ones.
    assert!(allowed > 400 && allowed < 3600, "{allowed} allowed");
    for rule in [
        "children",
        "marketing-opt-out",
        "marketing-purposes-opt-out",
        "consent-revoked",
        "sale-consent-withdrawn",
        "credentials-only-to-authenticate",
        "processor-data-recipients",
        "do-not-track",
        "do-not-track-advertising-ecosystem",
        "california-advertising-is-sale",
        "restriction",
        "visitor-browsing",
        "visitor-marketing-mail",
        "account-user-marketing",
        "sale-needs-consent",
        "file-processing",
        "(nothing)",
    ] {
        assert!(
            rules.contains(rule),
            "no request was decided by `{rule}`: {rules:?}"
        );
    }
}

#[test]
fn the_bench_requests_agree_too() {
    // The benches decide `floor::requests(2021, 2400)`.
    let policy = filestack();
    for generated in floor::requests(2021, 2400) {
        let decision = policy.decide_json(generated.json.as_bytes()).unwrap();
        assert_eq!(
            (decision.allowed(), decision.rule()),
            floor::decide(&generated.floor),
            "{}",
            generated.json
        );
    }
}
