//! Decisions against policies built to be slow: 20,000 identical rules under one
//! key, and a request with 1,024 consents and 1,024 revocations. A rough timing
//! with `std::time::Instant` (docs/hardening.md has the figures):
//!
//!     cargo run --release --example floods

use std::hint::black_box;
use std::time::Instant;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn time(label: &str, policy: &lawful::Policy, json: &str) -> Result<()> {
    let request = lawful::Request::from_json(json.as_bytes())?;
    let prepared = policy.prepare(&request)?;
    let decision = policy.decide_prepared(&prepared)?;
    let rounds = 2_000u32;
    let started = Instant::now();
    for _ in 0..rounds {
        black_box(policy.decide_prepared(black_box(&prepared)).ok());
    }
    let each = started.elapsed() / rounds;
    let answer = if decision.allowed() {
        "allowed"
    } else {
        "denied"
    };
    println!("{label}: {each:?} a decision ({answer})");
    Ok(())
}

fn main() -> Result<()> {
    let head = "policy \"G\" version 2024-01-01\nrole r \"r\"\ncategory d \"d\"\npurpose p \"p\"\n\
                attribute flag \"f\" is yes/no, default no\n";
    let request = r#"{"action": "use", "subject": {"role": "r"}, "data": "d", "purpose": "p", "at": "2026-01-01"}"#;
    for (label, rule) in [
        (
            "20,000 allows, basis contract",
            "allow use of d about r for p basis contract",
        ),
        (
            "20,000 allows resting on consent, none given",
            "allow use of d about r for p basis consent",
        ),
        (
            "20,000 allows when a flag (false)",
            "allow use of d about r for p basis contract when flag",
        ),
        ("20,000 unconditional denies", "deny use of d"),
        (
            "20,000 denies when a flag (false)",
            "deny use of d when flag",
        ),
    ] {
        let mut text = head.to_owned();
        for i in 0..20_000 {
            text.push_str(&format!("rule a{i} {rule} cite \"S\"\n"));
        }
        let policy = lawful::Policy::from_sources([("g.lawful", text)])?;
        time(label, &policy, request)?;
    }
    // 1,024 consents and 1,024 revocations, of parts of the purpose asked about.
    let mut text = head.to_owned();
    text.push_str("purpose m \"m\"\n");
    for i in 0..1100 {
        text.push_str(&format!("purpose m.q{i} \"q\"\n"));
    }
    text.push_str("rule c allow use of d about r for m basis contract cite \"S\"\n");
    let policy = lawful::Policy::from_sources([("c.lawful", text)])?;
    let consents: Vec<String> = (0..1024)
        .map(|i| format!("\"m.q{i}\": \"2025-01-01\""))
        .collect();
    let revocations: Vec<String> = (0..1024)
        .map(|i| format!("\"m.q{}\": \"2024-06-01\"", i + 50))
        .collect();
    let json = format!(
        r#"{{"action": "use", "subject": {{"role": "r", "consents": {{{}}}, "revocations": {{{}}}}}, "data": "d", "purpose": "m", "at": "2026-01-01"}}"#,
        consents.join(", "),
        revocations.join(", ")
    );
    time("1,024 consents and 1,024 revocations", &policy, &json)
}
