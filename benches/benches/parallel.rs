//! Multi-core scaling of the `parallel` feature (run with `--features parallel`): the scoring
//! bench's cohort (100k candidates × 8 raters × 20 criteria, 16M ratings; 10k in `--test`
//! smoke mode) scored in rayon pools of 1 and 2 threads.
//!
//! Two groups: `parallel_wall` measures wall time (the scaling figure: time with 1 thread ÷
//! time with 2, meaningful only on an otherwise idle machine), `parallel_cpu` the CPU time of
//! the whole process, all threads (2-thread CPU ÷ 1-thread CPU is the cost of splitting the
//! work, ≈ 1 when the runs are balanced and nothing is done twice; it does not depend on load
//! as much). Results are identical with any number of threads (tested in the engine).
//!
//! The result of each call is dropped outside the timing (`iter_batched`, one call per batch):
//! freeing it is the caller's work, done on the caller's thread whatever the engine does
//! (for 100k documents about as long as building them; `examples/parallel_probe.rs` times it).
#![expect(clippy::expect_used, reason = "bench inputs are known valid")]

#[path = "support/thread_cpu.rs"]
mod thread_cpu;

use criterion::measurement::Measurement;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use readiness::{Engine, RatingSet};
use readiness_benches::{scoring_cohort, scoring_rubric};
use thread_cpu::ProcessCpuTime;

fn setup() -> (Engine, RatingSet, usize) {
    let smoke = std::env::args().any(|a| a == "--test");
    let n = if smoke { 10_000 } else { 100_000 };
    let rubric = scoring_rubric();
    let set = scoring_cohort(&rubric, n);
    (Engine::new(rubric).expect("engine"), set, n)
}

fn run<M: Measurement>(c: &mut Criterion<M>, group: &str) {
    let (engine, set, n) = setup();
    let mut g = c.benchmark_group(group);
    g.sample_size(10);
    g.throughput(Throughput::Elements(set.len() as u64));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        g.bench_function(format!("score_table/{n}x8x20/threads={threads}"), |b| {
            b.iter_batched(
                || (),
                |()| pool.install(|| engine.score_table(&set)),
                BatchSize::PerIteration,
            )
        });
        g.bench_function(
            format!("assessments_table/{n}x8x20/threads={threads}"),
            |b| {
                b.iter_batched(
                    || (),
                    |()| pool.install(|| engine.assessments_table(&set)),
                    BatchSize::PerIteration,
                )
            },
        );
        g.bench_function(format!("documents/{n}x8x20/threads={threads}"), |b| {
            b.iter_batched(
                || (),
                |()| pool.install(|| engine.assess(&set)),
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

fn wall(c: &mut Criterion) {
    run(c, "parallel_wall");
}

fn cpu(c: &mut Criterion<ProcessCpuTime>) {
    run(c, "parallel_cpu");
}

criterion_group!(wall_benches, wall);
criterion_group! {
    name = cpu_benches;
    config = Criterion::default().with_measurement(ProcessCpuTime::new());
    targets = cpu
}
criterion_main!(wall_benches, cpu_benches);
