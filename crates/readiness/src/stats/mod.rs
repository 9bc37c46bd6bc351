//! Statistics behind a defensible readiness score: reliability and agreement, rater effects,
//! adverse impact, and the probability distributions they rest on.
//!
//! Every function here is a plain function over simple inputs (matrices of `Option<f64>`,
//! contingency counts). Undefined statistics are reported as `None`, never as `NaN`.

pub mod adverse_impact;
pub mod cronbach;
pub mod descriptive;
pub mod distributions;
pub mod error;
pub mod icc;
pub mod interpret;
pub mod krippendorff;
pub mod mfrm;
pub mod rater_effects;
pub mod reliability;
pub mod rwg;
