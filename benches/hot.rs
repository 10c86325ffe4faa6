//! A fixed amount of work on each hot path, for instruction counts that do not
//! depend on how busy the machine is:
//!
//! ```text
//! cargo bench --bench hot --no-run
//! valgrind --tool=callgrind --toggle-collect='*hot::run*' target/release/deps/hot-* prepared
//! ```
//!
//! Each `run_*` function decides the 2,400 requests of the `floor` group
//! `ROUNDS` times (or loads a generated policy once); callgrind counts only
//! inside it, so per-decision instructions are the total over 24,000.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark stops on its first error"
)]

use std::hint::black_box;

use lawful::{Policy, PreparedRequest, Request};

mod floor;
mod generated;

const ROUNDS: usize = 10;

#[inline(never)]
fn run_floor(requests: &[floor::Generated]) -> usize {
    let mut allowed = 0;
    for _ in 0..ROUNDS {
        for g in requests {
            allowed += usize::from(floor::decide(black_box(&g.floor)).0);
        }
    }
    allowed
}

#[inline(never)]
fn run_prepared(policy: &Policy, prepared: &[PreparedRequest]) -> usize {
    let mut allowed = 0;
    for _ in 0..ROUNDS {
        for p in prepared {
            allowed += usize::from(policy.decide_prepared(black_box(p)).unwrap().allowed());
        }
    }
    allowed
}

#[inline(never)]
fn run_json(policy: &Policy, requests: &[floor::Generated]) -> usize {
    let mut allowed = 0;
    for _ in 0..ROUNDS {
        for g in requests {
            allowed += usize::from(
                policy
                    .decide_json(black_box(g.json.as_bytes()))
                    .unwrap()
                    .allowed(),
            );
        }
    }
    allowed
}

/// For scale: serde_json validating the same request bytes, building nothing.
#[inline(never)]
fn run_skim(requests: &[floor::Generated]) -> usize {
    let mut read = 0;
    for _ in 0..ROUNDS {
        for g in requests {
            read += usize::from(
                serde_json::from_slice::<serde::de::IgnoredAny>(black_box(g.json.as_bytes()))
                    .is_ok(),
            );
        }
    }
    read
}

#[inline(never)]
fn run_load(files: Vec<(String, String)>) -> Policy {
    Policy::from_sources(black_box(files)).unwrap()
}

fn main() {
    let what = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "prepared".to_owned());
    // `cargo bench` runs every bench target; this one only works when asked.
    if what == "bench" || std::env::args().any(|a| a == "--bench") {
        return;
    }
    // `hot jsonl N`: N request lines (the floor's requests, repeated) for timing
    // `lawful decide` end to end.
    if what == "jsonl" {
        let count: usize = std::env::args()
            .filter(|a| !a.starts_with('-'))
            .nth(2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(240_000);
        let requests = floor::requests(2021, 2400);
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for g in requests.iter().cycle().take(count) {
            use std::io::Write;
            writeln!(out, "{}", g.json).unwrap();
        }
        return;
    }
    let policy = Policy::load(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/filestack")).unwrap();
    let requests = floor::requests(2021, 2400);
    let prepared: Vec<PreparedRequest> = requests
        .iter()
        .map(|g| {
            policy
                .prepare(&Request::from_json(g.json.as_bytes()).unwrap())
                .unwrap()
        })
        .collect();
    let count = match what.as_str() {
        "floor" => run_floor(&requests),
        "prepared" => run_prepared(&policy, &prepared),
        "json" => run_json(&policy, &requests),
        "skim" => run_skim(&requests),
        scale => {
            // `hot SCALE [FILES]`: load a generated policy of SCALE groups (19 rules
            // each) from FILES files, and say how long it took.
            let scale: usize = scale
                .parse()
                .expect("floor, prepared, json, skim or a scale");
            let files: usize = std::env::args()
                .filter(|a| !a.starts_with('-'))
                .nth(2)
                .and_then(|f| f.parse().ok())
                .unwrap_or(1);
            let sources = generated::policy_files(scale, files);
            let bytes: usize = sources.iter().map(|(_, t)| t.len()).sum();
            let start = std::time::Instant::now();
            let policy = run_load(sources);
            // Ready to decide: the policy's own drop is not part of loading it.
            let elapsed = start.elapsed();
            let rules = policy.versions().iter().map(|v| v.rules).sum();
            println!(
                "loaded {rules} rules ({:.1} MB in {files} files) in {:.0} ms",
                bytes as f64 / 1e6,
                elapsed.as_secs_f64() * 1e3
            );
            rules
        }
    };
    println!("{what}: {count}");
}
