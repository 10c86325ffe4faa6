//! Diff speed: `cargo bench --bench diff`.
//!
//! The whole decision space of Filestack's 2020-04-06 and 2020-04-17 versions
//! (every cell enumerated, 149 changes grouped and their witnesses checked), and
//! of the current version against the README's proposed change. The target:
//! well under a second.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops on its first error"
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use lawful::Policy;
use lawful::diff::diff;

fn filestack(c: &mut Criterion) {
    let root = env!("CARGO_MANIFEST_DIR");
    let policy = Policy::load(format!("{root}/rules/filestack")).unwrap();
    let proposed = Policy::load(format!("{root}/examples/proposed-change.lawful")).unwrap();
    let mut group = c.benchmark_group("diff");
    group.sample_size(10);
    group.bench_function("filestack 2020-04-06 → 2020-04-17", |b| {
        b.iter(|| {
            diff(&policy, Some("2020-04-06"), &policy, Some("2020-04-17"))
                .unwrap()
                .changes
                .len()
        })
    });
    group.bench_function("filestack 2021-11-11 → proposed change", |b| {
        b.iter(|| {
            diff(black_box(&policy), Some("2021-11-11"), &proposed, None)
                .unwrap()
                .changes
                .len()
        })
    });
    group.finish();
}

criterion_group!(benches, filestack);
criterion_main!(benches);
