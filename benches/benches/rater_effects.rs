//! Rater-effect models: the additive least-squares model and the many-facet Rasch model
//! (JMLE) on a small panel (30 candidates × 5 raters × 8 criteria) and a large one
//! (1,000 candidates × 8 raters × 20 criteria). Throughput is ratings per second. Measured in
//! CPU time of the benchmarking thread (the machine is shared).

#[path = "support/thread_cpu.rs"]
mod thread_cpu;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use readiness::stats::mfrm::{mfrm, MfrmOptions};
use readiness::stats::rater_effects::{additive_effects, Rating};
use readiness_benches::SplitMix64;
use std::hint::black_box;
use thread_cpu::ThreadCpuTime;

/// A complete crossed design on a 1–5 scale: ability + rater leniency + criterion ease + noise,
/// rounded and clamped.
fn panel(candidates: usize, raters: usize, criteria: usize, seed: u64) -> Vec<Rating> {
    let mut rng = SplitMix64::new(seed);
    let mut centred = |scale: f64| (rng.next_f64() - 0.5) * scale;
    let ability: Vec<f64> = (0..candidates).map(|_| centred(3.0)).collect();
    let leniency: Vec<f64> = (0..raters).map(|_| centred(1.0)).collect();
    let ease: Vec<f64> = (0..criteria).map(|_| centred(1.0)).collect();
    let mut out = Vec::with_capacity(candidates * raters * criteria);
    for (c, a) in ability.iter().enumerate() {
        for (r, l) in leniency.iter().enumerate() {
            for (k, e) in ease.iter().enumerate() {
                let s = (3.0 + a + l + e + centred(2.0)).round().clamp(1.0, 5.0);
                out.push(Rating::new(c, r, k, s));
            }
        }
    }
    out
}

fn bench(c: &mut Criterion<ThreadCpuTime>) {
    let mut group = c.benchmark_group("rater_effects");
    for (name, (n, j, i)) in [("30x5x8", (30, 5, 8)), ("1000x8x20", (1000, 8, 20))] {
        let data = panel(n, j, i, 42);
        group.throughput(Throughput::Elements(data.len() as u64));
        if n > 100 {
            group.sample_size(10);
        }
        group.bench_with_input(BenchmarkId::new("additive", name), &data, |b, d| {
            b.iter(|| additive_effects(black_box(d)))
        });
        let opts = MfrmOptions::default();
        group.bench_with_input(BenchmarkId::new("mfrm_jmle", name), &data, |b, d| {
            b.iter(|| mfrm(black_box(d), &opts))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpuTime::new());
    targets = bench
}
criterion_main!(benches);
