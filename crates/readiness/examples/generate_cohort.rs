//! Writes the synthetic sample cohort `examples/data/cohort.csv` (deterministic: same bytes on
//! every run and machine).
//!
//! ```text
//! cargo run -p readiness --example generate_cohort -- examples/data/cohort.csv
//! ```
//!
//! 48 candidates rated on the standard rubric by self, manager, peers and direct reports,
//! built from archetypes so that every level and every flag occurs: leaders ready now,
//! developing leaders, strong experts who are not yet leaders (expert trap), self-inflated
//! candidates (blind spot), modest ones (hidden strength), raters who disagree, candidates
//! with too few raters, and ratings left empty.

use readiness::Rubric;
use std::fmt::Write as _;

/// SplitMix64: a tiny deterministic generator, so the data never depends on a crate version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [-a, a].
    fn noise(&mut self, a: f64) -> f64 {
        (self.unit() * 2.0 - 1.0) * a
    }
}

#[derive(Clone, Copy)]
enum Archetype {
    Leader,
    Developing,
    Early,
    NotReady,
    ExpertTrap,
    SelfInflated,
    Modest,
    Disagreement,
    FewRaters,
    ThinEvidence,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/data/cohort.csv".into());
    let rubric = Rubric::standard();
    let mut rng = Rng(20_261_129);
    use Archetype::*;
    let plan = [
        Leader,
        Leader,
        Leader,
        Leader,
        Leader,
        Leader,
        Developing,
        Developing,
        Developing,
        Developing,
        Developing,
        Developing,
        Developing,
        Developing,
        Early,
        Early,
        Early,
        Early,
        Early,
        Early,
        NotReady,
        NotReady,
        NotReady,
        NotReady,
        ExpertTrap,
        ExpertTrap,
        ExpertTrap,
        ExpertTrap,
        ExpertTrap,
        SelfInflated,
        SelfInflated,
        SelfInflated,
        SelfInflated,
        Modest,
        Modest,
        Modest,
        Disagreement,
        Disagreement,
        Disagreement,
        FewRaters,
        FewRaters,
        FewRaters,
        ThinEvidence,
        ThinEvidence,
        Leader,
        Developing,
        Early,
        NotReady,
    ];
    let mut csv = String::from("candidate,rater,group,criterion,score,comment\n");
    for (k, arche) in plan.iter().enumerate() {
        let cand = format!("e-{}", 1001 + k);
        // True levels (1–5 scale) of leadership-side behaviour and of technical expertise.
        let (lead, tech) = match arche {
            Leader => (4.4 + rng.noise(0.15), 3.6 + rng.noise(0.5)),
            Developing => (3.75 + rng.noise(0.12), 3.4 + rng.noise(0.6)),
            Early => (3.15 + rng.noise(0.12), 3.2 + rng.noise(0.6)),
            NotReady => (2.3 + rng.noise(0.2), 3.0 + rng.noise(0.6)),
            ExpertTrap => (2.8 + rng.noise(0.2), 4.7 + rng.noise(0.2)),
            SelfInflated => (3.0 + rng.noise(0.3), 3.4 + rng.noise(0.5)),
            Modest => (3.9 + rng.noise(0.2), 3.5 + rng.noise(0.5)),
            Disagreement => (3.4 + rng.noise(0.2), 3.3 + rng.noise(0.5)),
            FewRaters => (3.6 + rng.noise(0.3), 3.6 + rng.noise(0.5)),
            ThinEvidence => (3.5 + rng.noise(0.3), 3.5 + rng.noise(0.5)),
        };
        let (peers, reports) = match arche {
            FewRaters => (1, 0),
            _ => (3 + (rng.next() % 2) as usize, 2 + (rng.next() % 3) as usize),
        };
        let mut raters: Vec<(String, &str)> = vec![
            (format!("{cand}-self"), "self"),
            (format!("m-{}", 100 + k / 4), "manager"),
        ];
        for p in 0..peers {
            raters.push((format!("{cand}-p{}", p + 1), "peer"));
        }
        for r in 0..reports {
            raters.push((format!("{cand}-r{}", r + 1), "direct_report"));
        }
        for (rater, group) in &raters {
            let leniency = rng.noise(0.3);
            for dim in &rubric.dimensions {
                let technical = !dim.kind.is_leadership_side();
                for crit in &dim.criteria {
                    let mut truth = if technical { tech } else { lead };
                    if *group == "self" {
                        truth += match arche {
                            SelfInflated => 1.6,
                            Modest => -1.3,
                            _ => rng.noise(0.3),
                        };
                    }
                    let spread = match arche {
                        Disagreement if !technical && *group != "self" => 2.2,
                        _ => 0.6,
                    };
                    // Thin evidence: attitude and impact mostly unrated; elsewhere 4% gaps.
                    let empty = match arche {
                        ThinEvidence => {
                            dim.id == "impact" && crit.id != "engagement"
                                || dim.id == "attitude"
                                    && crit.id != "courage"
                                    && crit.id != "ownership"
                        }
                        _ => rng.unit() < 0.04,
                    };
                    let score = if empty {
                        String::new()
                    } else {
                        let x = (truth + leniency + rng.noise(spread))
                            .round()
                            .clamp(1.0, 5.0);
                        format!("{x}")
                    };
                    let comment = if !empty && rng.unit() < 0.02 {
                        "\"Seen in the Q3 planning, with concrete examples\""
                    } else {
                        ""
                    };
                    writeln!(csv, "{cand},{rater},{group},{},{score},{comment}", crit.id)?;
                }
            }
        }
    }
    if let Some(dir) = std::path::Path::new(&out).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    std::fs::write(&out, csv)?;
    eprintln!("wrote {out}");
    Ok(())
}
