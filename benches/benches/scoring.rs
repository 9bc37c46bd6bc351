//! Scoring throughput: 100k candidates × 8 raters × 20 criteria (16M ratings), generated in
//! memory. `points`: readiness index only; `with_ci_and_flags`: every number of the
//! assessments (intervals, rwg, level, flags) as columns; `documents`: full assessment documents.
//! In `--test` (smoke) mode the cohort is 1k candidates. Time is the thread's CPU time.
#![expect(
    clippy::expect_used,
    reason = "bench inputs are generated and known valid"
)]

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use readiness::{Engine, RatingSetBuilder, Rubric};
use readiness_benches::SplitMix64;
use std::fmt::Write as _;
use std::time::Duration;

fn rubric() -> Rubric {
    let mut t = String::from(
        "format_version = 1\nid = \"bench\"\nversion = \"1\"\n[scale]\nmin = 1\nmax = 5\nstep = 1\n\
         [rater_groups.self]\nweight = 0.0\n[rater_groups.manager]\nweight = 0.4\n\
         [rater_groups.peer]\nweight = 0.3\nmin_raters = 3\n[rater_groups.direct_report]\nweight = 0.3\nmin_raters = 3\n\
         [policy]\n[[policy.levels]]\nid = \"ready_now\"\nmin_index = 75\nmin_dimension = 60\n\
         [[policy.levels]]\nid = \"later\"\nmin_index = 50\n[[policy.levels]]\nid = \"not_ready\"\n",
    );
    for (d, kind) in ["leadership", "attitude", "impact", "technical"]
        .iter()
        .enumerate()
    {
        let _ = write!(
            t,
            "[[dimensions]]\nid = \"d{d}\"\nkind = \"{kind}\"\nweight = 1\ncriteria = ["
        );
        for c in 0..5 {
            let _ = write!(t, "{{ id = \"c{d}_{c}\" }},");
        }
        t.push_str("]\n");
    }
    Rubric::from_toml_str(&t).expect("bench rubric")
}

fn cohort(rubric: &Rubric, candidates: usize) -> readiness::RatingSet {
    const GROUPS: [&str; 8] = [
        "self",
        "manager",
        "peer",
        "peer",
        "peer",
        "direct_report",
        "direct_report",
        "direct_report",
    ];
    let crits: Vec<String> = rubric.criterion_ids().map(str::to_string).collect();
    let mut rng = SplitMix64::new(42);
    let mut b = RatingSetBuilder::new(rubric);
    let mut row = 0u64;
    for c in 0..candidates {
        let cand = format!("e{c}");
        for (r, g) in GROUPS.iter().enumerate() {
            let rater = format!("e{c}r{r}");
            for crit in &crits {
                // 3% missing, scores 1–5.
                let score = (rng.next_f64() >= 0.03).then(|| 1.0 + rng.below(5) as f64);
                b.push(&cand, &rater, g, crit, score, None, row)
                    .expect("valid rating");
                row += 1;
            }
        }
    }
    b.finish().expect("valid cohort")
}

/// CPU time of the benchmarking thread: on a machine shared with other work, wall time counts
/// the time the thread waited for a core; CPU time does not.
struct ThreadCpuTime {
    wall: WallTime,
}

impl Measurement for ThreadCpuTime {
    type Intermediate = cpu_time::ThreadTime;
    type Value = Duration;

    fn start(&self) -> Self::Intermediate {
        cpu_time::ThreadTime::now()
    }
    fn end(&self, i: Self::Intermediate) -> Self::Value {
        i.elapsed()
    }
    fn add(&self, v1: &Self::Value, v2: &Self::Value) -> Self::Value {
        *v1 + *v2
    }
    fn zero(&self) -> Self::Value {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Self::Value) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.wall.formatter()
    }
}

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
    config = Criterion::default().with_measurement(ThreadCpuTime { wall: WallTime });
    targets = bench
}
criterion_main!(benches);
