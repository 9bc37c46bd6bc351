//! Vector checks (to be implemented).

use super::common::Outcome;
use serde_json::Value;
use std::path::Path;

/// Not yet checked: fails so that nothing passes silently.
pub fn check_icc(_v: &Value, _dir: &Path) -> Outcome {
    Err(vec!["no engine check yet".into()])
}

/// Not yet checked: fails so that nothing passes silently.
pub fn check_cronbach(_v: &Value, _dir: &Path) -> Outcome {
    Err(vec!["no engine check yet".into()])
}

/// Not yet checked: fails so that nothing passes silently.
pub fn check_krippendorff(_v: &Value, _dir: &Path) -> Outcome {
    Err(vec!["no engine check yet".into()])
}

/// Not yet checked: fails so that nothing passes silently.
pub fn check_rwg(_v: &Value, _dir: &Path) -> Outcome {
    Err(vec!["no engine check yet".into()])
}

/// Not yet checked: fails so that nothing passes silently.
pub fn check_distributions(_v: &Value, _dir: &Path) -> Outcome {
    Err(vec!["no engine check yet".into()])
}

/// Not yet checked: fails so that nothing passes silently.
pub fn check_t_ci(_v: &Value, _dir: &Path) -> Outcome {
    Err(vec!["no engine check yet".into()])
}

/// Not yet checked: fails so that nothing passes silently.
pub fn check_weighted_mean(_v: &Value, _dir: &Path) -> Outcome {
    Err(vec!["no engine check yet".into()])
}
