//! A rough timing of decisions against the Filestack policy, with `std::time::Instant`.
//! The criterion benches are the reference; this is a quick look:
//!
//!     cargo run --release --example measure

use std::hint::black_box;
use std::time::Instant;

use lawful::{Policy, Request};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let policy = Policy::load(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/filestack"))?;
    println!("load and compile 4 versions: {:?}", started.elapsed());

    let json = br#"{"action": "disclose", "subject": {"role": "visitor", "provided_contact": true,
        "consents": {"marketing.communications": "2026-01-01T00:00:00Z"}},
        "data": ["contact.email"], "purpose": "marketing.communications", "party": "mailgun",
        "at": "2026-03-01T00:00:00Z", "collected_at": "2024-06-01"}"#;
    let request = Request::from_json(json)?;
    let prepared = policy.prepare(&request)?;

    let simple = policy.prepare(&Request::from_json(
        br#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address",
            "purpose": "operate_website", "at": "2026-03-01"}"#,
    )?)?;
    for (name, request) in [("disclosure", &prepared), ("use", &simple)] {
        let rounds = 2_000_000u32;
        let started = Instant::now();
        let mut allowed = 0u32;
        for _ in 0..rounds {
            allowed += u32::from(policy.decide_prepared(black_box(request))?.allowed());
        }
        let per = started.elapsed() / rounds;
        println!("decide a prepared {name}: {per:?} per decision ({allowed} allowed)");
    }

    let rounds = 200_000u32;
    let started = Instant::now();
    for _ in 0..rounds {
        black_box(policy.decide_json(black_box(json))?.allowed());
    }
    println!(
        "decide from JSON: {:?} per decision",
        started.elapsed() / rounds
    );
    Ok(())
}
