//! Splitting the assessed units into runs scored on several threads (cargo feature
//! `parallel`, rayon; never on wasm32) or, without the feature, as one run on the calling
//! thread.
//!
//! Every unit (candidate, or candidate and cycle) is scored from its own ratings only, with
//! accumulators reset between units, so scoring runs of units separately and concatenating
//! the results in order gives the same bytes as scoring them one after another. The tests
//! `parallel_matches_serial` (run by `scripts/test` with `--features parallel`) check it.

use crate::ratings::Span;

/// Fewest units per run: below that the cost of a task outweighs the scoring.
#[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
const MIN_RUN: usize = 256;

/// Whether work on `units` items is split between threads, and into runs of how many.
#[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
fn run_len(units: usize) -> Option<usize> {
    let threads = rayon::current_num_threads();
    (threads > 1 && units >= 2 * MIN_RUN).then(|| units.div_ceil(4 * threads).max(MIN_RUN))
}

/// `f` applied to consecutive runs of `spans`, results in order. With the `parallel` feature
/// the runs are scored by rayon's thread pool (`RAYON_NUM_THREADS` sets its size), a few runs
/// per thread so that uneven runs balance out; without it `f` sees all of `spans` at once.
pub(crate) fn map_chunks<T, F>(spans: &[Span], f: F) -> Vec<T>
where
    T: Send,
    F: Fn(&[Span]) -> T + Send + Sync,
{
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    {
        use rayon::prelude::*;
        if let Some(run) = run_len(spans.len()) {
            return spans.par_chunks(run).map(f).collect();
        }
    }
    vec![f(spans)]
}

/// `f` applied to every unit of `spans` with a state made by `init` (once per run of units),
/// results in order, written in place: nothing is concatenated afterwards.
pub(crate) fn map_units<S, T, I, F>(spans: &[Span], init: I, f: F) -> Vec<T>
where
    T: Send,
    I: Fn() -> S + Send + Sync,
    F: Fn(&mut S, &Span) -> T + Send + Sync,
{
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    {
        use rayon::prelude::*;
        if let Some(run) = run_len(spans.len()) {
            return spans
                .par_iter()
                .with_min_len(run)
                .map_init(init, f)
                .collect();
        }
    }
    let mut state = init();
    spans.iter().map(|span| f(&mut state, span)).collect()
}

/// `f` applied to every item of `items` with its index, several threads at once.
pub(crate) fn for_each_mut<T, F>(items: &mut [T], f: F)
where
    T: Send,
    F: Fn(usize, &mut T) + Send + Sync,
{
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    {
        use rayon::prelude::*;
        if let Some(run) = run_len(items.len()) {
            items
                .par_iter_mut()
                .enumerate()
                .with_min_len(run)
                .for_each(|(k, item)| f(k, item));
            return;
        }
    }
    for (k, item) in items.iter_mut().enumerate() {
        f(k, item);
    }
}

/// `f` applied to each of `items` (a few large, independent jobs: the columns of a table),
/// results in order, on several threads.
pub(crate) fn map_each<T, U, F>(items: Vec<T>, f: F) -> Vec<U>
where
    T: Send,
    U: Send,
    F: Fn(T) -> U + Send + Sync,
{
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    {
        use rayon::prelude::*;
        if rayon::current_num_threads() > 1 && items.len() > 1 {
            return items.into_par_iter().with_max_len(1).map(f).collect();
        }
    }
    items.into_iter().map(f).collect()
}

/// `(a(), b())`, on two threads when there are.
pub(crate) fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    {
        if rayon::current_num_threads() > 1 {
            return rayon::join(a, b);
        }
    }
    (a(), b())
}

/// The concatenation of `parts`, in order, allocated once.
pub(crate) fn concat<T>(parts: Vec<Vec<T>>) -> Vec<T> {
    let mut all = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for mut part in parts {
        all.append(&mut part);
    }
    all
}

#[cfg(all(test, feature = "parallel", not(target_arch = "wasm32")))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

    use crate::{Engine, RatingSet, RatingSetBuilder, Rubric};

    /// A cohort of `n` candidates on the standard rubric: varied raters per group (some
    /// groups below their anonymity minimum), 5% unrated, two cycles for some candidates.
    fn cohort(rubric: &Rubric, n: usize) -> RatingSet {
        let mut b = RatingSetBuilder::new(rubric).with_cycles(true);
        let mut next = crate::test_rng::splitmix64(0x9e37_79b9_7f4a_7c15_u64);
        let criteria: Vec<&str> = rubric.criterion_ids().collect();
        let mut row = 0;
        for c in 0..n {
            let cycles = if c % 7 == 0 { 2 } else { 1 };
            for cy in 0..cycles {
                let cycle = format!("2026-Q{}", cy + 1);
                for (g, count) in [
                    ("self", 1),
                    ("manager", 1),
                    ("peer", 1 + c % 4),
                    ("direct_report", c % 5),
                ] {
                    for r in 0..count {
                        let rater = format!("{g}-{c}-{r}");
                        for crit in &criteria {
                            let x = next();
                            let score =
                                (!x.is_multiple_of(20)).then(|| 1.0 + (x >> 8) as f64 % 5.0);
                            b.push(
                                &format!("cand-{c:05}"),
                                &rater,
                                g,
                                crit,
                                score,
                                Some(&cycle),
                                row,
                            )
                            .unwrap();
                            row += 1;
                        }
                    }
                }
            }
        }
        b.finish().unwrap()
    }

    fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(f)
    }

    #[test]
    fn parallel_matches_serial() {
        let rubric = Rubric::standard();
        let engine = Engine::new(rubric.clone()).unwrap();
        let set = cohort(&rubric, 600);
        assert!(
            set.units() > 2 * super::MIN_RUN,
            "enough units for several runs"
        );
        let run = || {
            let docs = engine.assess(&set).unwrap();
            (
                serde_json::to_string(&docs).unwrap(),
                engine.score_table(&set).unwrap(),
                engine.assessments_table(&set).unwrap(),
            )
        };
        let serial = in_pool(1, run);
        for threads in [2, 3] {
            let parallel = in_pool(threads, run);
            assert!(
                serial.0 == parallel.0,
                "documents differ with {threads} threads"
            );
            assert_eq!(serial.1, parallel.1, "score table, {threads} threads");
            assert_eq!(serial.2, parallel.2, "flat table, {threads} threads");
        }
        // Anonymity protection of documents in another order (found by candidate and cycle
        // rather than by position), on several threads: the documents of `assess`.
        let unprotected = in_pool(1, || {
            engine
                .assess_without_complementary_suppression(&set)
                .unwrap()
        });
        assert!(
            serde_json::to_string(&unprotected).unwrap() != serial.0,
            "the cohort has breakdowns to protect"
        );
        for threads in [1, 2, 3] {
            let protected = in_pool(threads, || {
                let mut docs = unprotected.clone();
                docs.reverse();
                crate::cohort::anonymity::protect(&mut docs, &rubric, &set);
                docs.reverse();
                serde_json::to_string(&docs).unwrap()
            });
            assert!(protected == serial.0, "protection with {threads} threads");
        }
    }
}
