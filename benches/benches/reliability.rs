//! Reliability and agreement benches: ICC on 1,000 targets × 5 raters and Krippendorff's alpha
//! on 5 raters × 10,000 units, with deterministic inputs (SplitMix64).
//!
//! Reference timings of the Python libraries on this machine class (issue 3): pingouin
//! `intraclass_corr` 13 ms on the ICC input, `krippendorff.alpha` 3.8 ms on the alpha input.
//!
//! Measured in CPU time of the benchmarking thread (the machine is shared).

#[path = "support/thread_cpu.rs"]
mod thread_cpu;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use readiness::stats::icc::icc;
use readiness::stats::krippendorff::{krippendorff_alpha, Level};
use readiness_benches::SplitMix64;
use std::hint::black_box;
use thread_cpu::ThreadCpuTime;

/// Ratings 1–5 around a per-target level, so the ICC is neither 0 nor 1.
fn targets_by_raters(targets: usize, raters: usize, seed: u64) -> Vec<Vec<Option<f64>>> {
    let mut rng = SplitMix64::new(seed);
    (0..targets)
        .map(|_| {
            let level = 1 + rng.below(5) as i64;
            (0..raters)
                .map(|_| {
                    let noise = rng.below(3) as i64 - 1;
                    Some((level + noise).clamp(1, 5) as f64)
                })
                .collect()
        })
        .collect()
}

/// Raters × units with 10% of the values missing.
fn raters_by_units(raters: usize, units: usize, seed: u64) -> Vec<Vec<Option<f64>>> {
    let mut rng = SplitMix64::new(seed);
    let levels: Vec<i64> = (0..units).map(|_| 1 + rng.below(5) as i64).collect();
    (0..raters)
        .map(|_| {
            levels
                .iter()
                .map(|&l| {
                    if rng.below(10) == 0 {
                        None
                    } else {
                        Some((l + rng.below(3) as i64 - 1).clamp(1, 5) as f64)
                    }
                })
                .collect()
        })
        .collect()
}

fn bench_icc(c: &mut Criterion<ThreadCpuTime>) {
    let data = targets_by_raters(1_000, 5, 42);
    let mut group = c.benchmark_group("icc");
    group.throughput(Throughput::Elements(5_000));
    group.bench_function(BenchmarkId::new("six_forms", "1000x5"), |b| {
        b.iter(|| icc(black_box(&data), 0.95))
    });
    group.finish();
}

fn bench_krippendorff(c: &mut Criterion<ThreadCpuTime>) {
    let data = raters_by_units(5, 10_000, 7);
    let mut group = c.benchmark_group("krippendorff");
    group.throughput(Throughput::Elements(50_000));
    for level in [
        Level::Nominal,
        Level::Ordinal,
        Level::Interval,
        Level::Ratio,
    ] {
        group.bench_function(BenchmarkId::new(format!("{level:?}"), "5x10000"), |b| {
            b.iter(|| krippendorff_alpha(black_box(&data), level))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpuTime::new());
    targets = bench_icc, bench_krippendorff
}
criterion_main!(benches);
