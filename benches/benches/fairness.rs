//! Adverse impact: Fisher's exact test (log space, with the conditional odds ratio and its
//! exact interval) and the full two-group analysis at N = 3,000. Throughput is people per
//! second. Measured in CPU time of the benchmarking thread (the machine is shared).

#[path = "support/thread_cpu.rs"]
mod thread_cpu;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use readiness::stats::adverse_impact::{adverse_impact, fisher_exact, GroupCounts};
use readiness_benches::SplitMix64;
use std::hint::black_box;
use thread_cpu::ThreadCpuTime;

/// Two groups of 1,500 with selection probabilities 0.53 and 0.48.
fn groups(seed: u64) -> (GroupCounts, GroupCounts) {
    let mut rng = SplitMix64::new(seed);
    let mut draw =
        |n: u64, p: f64| GroupCounts::new((0..n).filter(|_| rng.next_f64() < p).count() as u64, n);
    (draw(1500, 0.53), draw(1500, 0.48))
}

fn bench(c: &mut Criterion<ThreadCpuTime>) {
    let (focal, reference) = groups(7);
    let n = focal.total + reference.total;
    let table = [
        [focal.selected, focal.total - focal.selected],
        [reference.selected, reference.total - reference.selected],
    ];
    let mut group = c.benchmark_group("fairness");
    group.throughput(Throughput::Elements(n));
    group.bench_with_input(BenchmarkId::new("fisher_exact", n), &table, |b, t| {
        b.iter(|| fisher_exact(black_box(*t)))
    });
    group.bench_with_input(
        BenchmarkId::new("adverse_impact", n),
        &(focal, reference),
        |b, (f, r)| b.iter(|| adverse_impact(black_box(*f), black_box(*r))),
    );
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpuTime::new());
    targets = bench
}
criterion_main!(benches);
