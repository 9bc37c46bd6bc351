//! Deterministic input generators shared by the criterion benches.

use readiness::{RatingSetBuilder, Rubric};
use std::fmt::Write as _;

/// A small deterministic pseudo-random generator (SplitMix64), so every bench run sees the
/// same inputs without depending on a random-number crate.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniform integer in [0, n).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The scoring benches' rubric: 4 dimensions (one technical) × 5 criteria, groups self (weight
/// 0), manager, peer and direct report (anonymity minimum 3).
#[expect(clippy::expect_used, reason = "a fixed, valid rubric")]
pub fn scoring_rubric() -> Rubric {
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

/// `candidates` × 8 raters (self, manager, 3 peers, 3 direct reports) × the rubric's criteria,
/// 3% unrated, scores 1–5, in (candidate, rater, criterion) order.
#[expect(clippy::expect_used, reason = "generated ratings are valid")]
pub fn scoring_cohort(rubric: &Rubric, candidates: usize) -> readiness::RatingSet {
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
