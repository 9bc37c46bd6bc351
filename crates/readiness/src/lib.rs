//! `readiness`: a promotion-readiness engine.
#![deny(missing_docs)]

pub mod stats;
