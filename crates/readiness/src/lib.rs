//! `readiness`: a promotion-readiness engine.
//!
//! It turns rubric ratings from several raters (self, manager, peers, direct reports) into an
//! explainable assessment that scores **leadership potential, attitude and impact separately
//! from technical expertise**: technical may gate a level, it never compensates for
//! leadership. Every assessment carries intervals, a level with the reasons for it, flags
//! (the expert trap, blind spots, low agreement, too few raters), strengths and development
//! actions, and its provenance.
//!
//! ```
//! use readiness::{Engine, Rubric};
//!
//! let engine = Engine::new(Rubric::standard())?;
//! let csv = "candidate,rater,group,criterion,score\n\
//!            e-1,m-1,manager,listens,4\n\
//!            e-1,p-1,peer,listens,5\n";
//! let docs = engine.assess_csv(csv)?;
//! assert_eq!(docs.len(), 1);
//! // listens: 0.4·4 + 0.3·5 over weights 0.7 → 4.428…; leadership = that criterion.
//! let lead = &docs[0].dimensions[0];
//! assert!((lead.raw.unwrap() - 3.1 / 0.7).abs() < 1e-12);
//! // Attitude and impact are not rated, so the evidence is too thin for a level.
//! assert_eq!(docs[0].readiness.level, "insufficient_evidence");
//! # Ok::<(), readiness::Error>(())
//! ```
//!
//! Cargo feature `parallel` (off by default; ignored on wasm32): [`Engine::assess`],
//! [`Engine::score_table`] and [`Engine::assessments_table`] score candidates on rayon's thread
//! pool, with the same results byte for byte.
//!
//! The scoring model is normative and documented formula by formula in
//! `docs/methodology.md`.
#![deny(missing_docs)]

pub mod adjust;
pub mod assessment;
pub mod cohort;
pub mod columns;
pub mod error;
mod parallel;
pub mod ratings;
pub mod rubric;
pub mod schema;
pub mod scoring;
mod sort;
pub mod stats;
pub mod table;
#[cfg(test)]
mod test_rng;

pub use assessment::{Assessment, FlagCode};
pub use error::{Error, Location, RatingsError, Result, RubricError};
pub use ratings::{Limits, Rating, RatingSet, RatingSetBuilder};
pub use rubric::Rubric;
pub use scoring::{Engine, ScoreTable};

/// Version of the engine, recorded in every assessment's provenance.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
