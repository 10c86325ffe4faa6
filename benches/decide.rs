//! Decision speed: `cargo bench --bench decide`.
//!
//! - `floor`: 2,400 Filestack-shaped requests decided by the hand-written
//!   function of `floor.rs` (the floor), by lawful from prepared requests, and by
//!   lawful from their JSON; the ratios to the floor are printed at the end
//!   (`cargo bench --bench decide -- floor`);
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

use criterion::{BatchSize, Criterion, criterion_group};
use lawful::{Policy, Request};

mod floor;
mod generated;

/// How many requests the `floor` group decides per iteration.
const FLOOR_REQUESTS: usize = 2400;

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

fn floor(c: &mut Criterion) {
    let policy = Policy::load(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/filestack")).unwrap();
    // The same requests tests/floor.rs checks the floor against.
    let requests = floor::requests(2021, FLOOR_REQUESTS);
    let prepared: Vec<_> = requests
        .iter()
        .map(|g| {
            policy
                .prepare(&Request::from_json(g.json.as_bytes()).unwrap())
                .unwrap()
        })
        .collect();
    for (g, p) in requests.iter().zip(&prepared) {
        let d = policy.decide_prepared(p).unwrap();
        assert_eq!(
            (d.allowed(), d.rule()),
            floor::decide(&g.floor),
            "{}",
            g.json
        );
    }
    let mut group = c.benchmark_group("floor");
    group.throughput(criterion::Throughput::Elements(FLOOR_REQUESTS as u64));
    group.bench_function("hand-written", |b| {
        b.iter(|| {
            requests
                .iter()
                .filter(|g| floor::decide(black_box(&g.floor)).0)
                .count()
        })
    });
    group.bench_function("lawful prepared", |b| {
        b.iter(|| {
            prepared
                .iter()
                .filter(|p| policy.decide_prepared(black_box(p)).unwrap().allowed())
                .count()
        })
    });
    group.bench_function("lawful json", |b| {
        b.iter(|| {
            requests
                .iter()
                .filter(|g| {
                    policy
                        .decide_json(black_box(g.json.as_bytes()))
                        .unwrap()
                        .allowed()
                })
                .count()
        })
    });
    // For scale, not for lawful: what serde_json pays to read the same bytes
    // without building anything (validation only), and into a `Value`.
    group.bench_function("serde_json skim", |b| {
        b.iter(|| {
            requests
                .iter()
                .filter(|g| {
                    serde_json::from_slice::<serde::de::IgnoredAny>(black_box(g.json.as_bytes()))
                        .is_ok()
                })
                .count()
        })
    });
    group.bench_function("serde_json value", |b| {
        b.iter(|| {
            requests
                .iter()
                .filter(|g| {
                    serde_json::from_slice::<serde_json::Value>(black_box(g.json.as_bytes()))
                        .is_ok_and(|v| v.is_object())
                })
                .count()
        })
    });
    group.finish();
}

/// The median of a benchmark criterion has just measured, in nanoseconds.
fn median(group: &str, name: &str) -> Option<f64> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/criterion")
        .join(group)
        .join(name)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value.get("median")?.get("point_estimate")?.as_f64()
}

/// Prints each `floor` benchmark per decision and as a multiple of the floor.
fn print_ratios() {
    let per = |name: &str| median("floor", name).map(|t| t / FLOOR_REQUESTS as f64);
    let Some(floor) = per("hand-written") else {
        return;
    };
    println!("\nper decision over {FLOOR_REQUESTS} Filestack requests (medians):");
    println!("  hand-written floor  {floor:8.1} ns");
    let prepared = per("lawful prepared");
    for (name, label) in [
        ("lawful prepared", "lawful prepared"),
        ("lawful json", "lawful from JSON"),
        ("serde_json skim", "serde_json, skim"),
        ("serde_json value", "serde_json, Value"),
    ] {
        if let Some(t) = per(name) {
            let of_prepared = match (name, prepared) {
                ("lawful prepared", _) | (_, None) => String::new(),
                (_, Some(p)) => format!(", {:.1}x prepared", t / p),
            };
            println!(
                "  {label:<18}  {t:8.1} ns  ({:.1}x floor{of_prepared})",
                t / floor
            );
        }
    }
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

/// Loading generated policies from text until they are ready to decide: about
/// 1,000 and 10,000 rules in one file, and 10,000 split over four files (which are
/// parsed in parallel). `cargo bench --bench decide -- load`.
fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    for (scale, files) in [(53, 1), (527, 1), (527, 4)] {
        let sources = generated::policy_files(scale, files);
        let rules: usize = Policy::from_sources(sources.clone())
            .unwrap()
            .versions()
            .iter()
            .map(|v| v.rules)
            .sum();
        let name = format!(
            "{rules} rules, {files} file{}",
            if files == 1 { "" } else { "s" }
        );
        // Timed until the policy is ready to decide: the copy of the sources is
        // made before, and the policy is dropped after, the clock.
        group.bench_function(name, |b| {
            b.iter_batched(
                || sources.clone(),
                |sources| Policy::from_sources(black_box(sources)).unwrap(),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, floor, filestack, scaled, load);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    print_ratios();
}
