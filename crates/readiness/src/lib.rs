//! `readiness`: a promotion-readiness engine.
#![deny(missing_docs)]

pub mod error;
pub mod rubric;
pub mod stats;

pub use error::{Error, RatingsError, Result, RubricError};
pub use rubric::Rubric;
