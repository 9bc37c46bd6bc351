//! Vector checks (to be implemented).

use super::common::Outcome;
use serde_json::Value;
use std::path::Path;

/// Not yet checked: fails so that nothing passes silently.
pub fn check_adverse_impact(_v: &Value, _dir: &Path) -> Outcome {
    Err(vec!["no engine check yet".into()])
}
