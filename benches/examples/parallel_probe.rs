//! Where the `parallel` feature's time goes: each of `score_table`, `assessments_table` and
//! `assess` on the scoring bench's cohort (16M ratings) in rayon pools of 1 and 2 threads,
//! timed in wall clock and process CPU, with the time to drop the result apart (criterion's
//! `iter` counts it; it runs on the calling thread).
//!
//! ```sh
//! cargo run --release -p readiness-benches --features parallel --example parallel_probe -- [candidates] [reps]
//! ```
#![allow(clippy::print_stdout, reason = "a probe prints its figures")]
#![expect(clippy::expect_used, reason = "probe inputs are known valid")]

use readiness::Engine;
use readiness_benches::{scoring_cohort, scoring_rubric};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map_or(100_000, |a| a.parse().expect("candidates"));
    let reps: usize = args.next().map_or(7, |a| a.parse().expect("reps"));
    let only: Option<String> = args.next();
    let rubric = scoring_rubric();
    let set = scoring_cohort(&rubric, n);
    let engine = Engine::new(rubric).expect("engine");
    println!(
        "{} ratings, {} units, {reps} reps, medians",
        set.len(),
        set.units()
    );
    type Job<'a> = Box<dyn Fn() -> Box<dyn std::any::Any + Send> + Sync + 'a>;
    let jobs: Vec<(&str, Job<'_>)> = vec![
        (
            "score_table",
            Box::new(|| Box::new(engine.score_table(&set).expect("ok"))),
        ),
        (
            "assessments_table",
            Box::new(|| Box::new(engine.assessments_table(&set).expect("ok"))),
        ),
        (
            "assess",
            Box::new(|| Box::new(engine.assess(&set).expect("ok"))),
        ),
    ];
    for (name, job) in &jobs {
        if only.as_deref().is_some_and(|o| o != *name) {
            continue;
        }
        let mut walls = [Duration::ZERO; 2];
        for (k, threads) in [1, 2].into_iter().enumerate() {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            let (mut wall, mut cpu, mut drop_wall) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..reps {
                let (t, c) = (Instant::now(), cpu_time::ProcessTime::now());
                let out = pool.install(job);
                wall.push(t.elapsed());
                cpu.push(c.elapsed());
                let t = Instant::now();
                drop(out);
                drop_wall.push(t.elapsed());
            }
            let (w, c, d) = (median(wall), median(cpu), median(drop_wall));
            walls[k] = w + d;
            println!(
                "{name:18} threads={threads} wall {:7.1} ms  cpu {:7.1} ms  drop {:6.1} ms",
                w.as_secs_f64() * 1e3,
                c.as_secs_f64() * 1e3,
                d.as_secs_f64() * 1e3
            );
        }
        println!(
            "{name:18} scaling incl. drop {:.2}x",
            walls[0].as_secs_f64() / walls[1].as_secs_f64()
        );
    }
}
