//! Scoring throughput: 100k candidates × 8 raters × 20 criteria (16M ratings), generated in
//! memory. `points`: readiness index only; `with_ci_and_flags`: every number of the
//! assessments (intervals, rwg, level, flags) as columns; `documents`: full assessment documents.
//! In `--test` (smoke) mode the cohort is 1k candidates. Time is the thread's CPU time.
#![expect(clippy::expect_used, reason = "bench inputs are known valid")]

#[path = "support/thread_cpu.rs"]
mod thread_cpu;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use readiness::Engine;
use readiness_benches::{scoring_cohort as cohort, scoring_rubric as rubric};
use thread_cpu::ThreadCpuTime;

fn bench(c: &mut Criterion<ThreadCpuTime>) {
    let smoke = std::env::args().any(|a| a == "--test");
    let n = if smoke { 1_000 } else { 100_000 };
    let rubric = rubric();
    let set = cohort(&rubric, n);
    let engine = Engine::new(rubric).expect("engine");
    let mut g = c.benchmark_group("scoring");
    g.sample_size(10);
    g.throughput(Throughput::Elements(set.len() as u64));
    g.bench_function(format!("points/{n}x8x20"), |b| {
        b.iter(|| engine.index_points(&set))
    });
    g.bench_function(format!("with_ci_and_flags/{n}x8x20"), |b| {
        b.iter(|| engine.score_table(&set))
    });
    g.bench_function(format!("documents/{n}x8x20"), |b| {
        b.iter(|| engine.assess(&set))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpuTime::new());
    targets = bench
}
criterion_main!(benches);
