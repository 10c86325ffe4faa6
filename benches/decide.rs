//! Decision speed: `cargo bench --bench decide`.
//!
//! - Filestack: a prepared use and disclosure (the hot path), the same from JSON,
//!   and with a trace;
//! - a generated policy 1,000 times larger than a Filestack version: deciding, and
//!   compiling it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops on its first error"
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use lawful::{Policy, Request};

mod generated;

const USE: &[u8] =
    br#"{"action": "use", "subject": {"role": "visitor"}, "data": "device.ip_address",
    "purpose": "operate_website", "at": "2026-03-01"}"#;
const DISCLOSURE: &[u8] =
    br#"{"action": "disclose", "subject": {"role": "visitor", "provided_contact": true,
    "consents": {"marketing.communications": "2026-01-01T00:00:00Z"}},
    "data": ["contact.email"], "purpose": "marketing.communications", "party": "mailgun",
    "at": "2026-03-01T00:00:00Z", "collected_at": "2024-06-01"}"#;

fn filestack(c: &mut Criterion) {
    let policy = Policy::load(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/filestack")).unwrap();
    let mut group = c.benchmark_group("filestack");
    for (name, json) in [("use", USE), ("disclosure", DISCLOSURE)] {
        let prepared = policy.prepare(&Request::from_json(json).unwrap()).unwrap();
        assert!(policy.decide_prepared(&prepared).unwrap().allowed());
        group.bench_function(format!("prepared {name}"), |b| {
            b.iter(|| {
                policy
                    .decide_prepared(black_box(&prepared))
                    .unwrap()
                    .allowed()
            })
        });
        group.bench_function(format!("json {name}"), |b| {
            b.iter(|| policy.decide_json(black_box(json)).unwrap().allowed())
        });
    }
    let request = Request::from_json(DISCLOSURE).unwrap();
    group.bench_function("explain disclosure", |b| {
        b.iter(|| policy.explain(black_box(&request)).unwrap().1.len())
    });
    group.finish();
}

fn scaled(c: &mut Criterion) {
    let mut group = c.benchmark_group("scale");
    group.sample_size(20);
    for scale in [1, 1000] {
        let text = generated::policy_text(scale);
        let policy = Policy::from_sources([("generated.lawful", text.clone())]).unwrap();
        let prepared = policy
            .prepare(&Request::from_json(generated::disclosure(scale).as_bytes()).unwrap())
            .unwrap();
        assert!(policy.decide_prepared(&prepared).unwrap().allowed());
        let rules: usize = policy.versions().iter().map(|v| v.rules).sum();
        group.bench_function(format!("prepared disclosure, {rules} rules"), |b| {
            b.iter(|| {
                policy
                    .decide_prepared(black_box(&prepared))
                    .unwrap()
                    .allowed()
            })
        });
        if scale > 1 {
            group.bench_function(format!("load text, {rules} rules"), |b| {
                b.iter(|| {
                    Policy::from_sources([("generated.lawful", black_box(text.clone()))])
                        .unwrap()
                        .versions()
                        .len()
                })
            });
            let source = lawful_dsl::Source::new("generated.lawful", text.clone());
            let parsed = lawful_dsl::load::parse_policy(&source).unwrap();
            let model = lawful_dsl::compile::compile(&[(source, parsed)])
                .ok()
                .unwrap()
                .model;
            group.bench_function(format!("index the model, {rules} rules"), |b| {
                b.iter(|| {
                    lawful_core::Policy::compile(black_box(model.clone()))
                        .unwrap()
                        .versions()
                        .len()
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, filestack, scaled);
criterion_main!(benches);
