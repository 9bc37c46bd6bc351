//! Errors of the engine: one enum per kind of input, each variant with a stable snake_case code.
//!
//! Every error names where the problem is — the path of a rubric value
//! (`dimensions[1].criteria[2].weight`) or the row of a rating (`line 14` of a CSV file,
//! `[3]` of a JSON array) — and what was expected. Bindings map [`Error::code`] to their own
//! error types (Python exception classes, JavaScript `Error.code`), so codes never change once
//! released.

use std::fmt;

/// Result type of the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Any error the engine reports.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The rubric could not be read or is not valid.
    #[error(transparent)]
    Rubric(#[from] RubricError),
    /// The ratings could not be read or do not fit the rubric.
    #[error(transparent)]
    Ratings(#[from] RatingsError),
    /// A statistics routine was given input it cannot work with.
    #[error(transparent)]
    Stats(#[from] crate::stats::error::StatsError),
    /// A cohort input table (attributes, decisions, overrides) is not valid.
    #[error(transparent)]
    Cohort(#[from] CohortError),
}

impl Error {
    /// The stable snake_case code of this error (for example `invalid_weight`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Rubric(e) => e.code(),
            Error::Ratings(e) => e.code(),
            Error::Stats(e) => e.code(),
            Error::Cohort(e) => e.code(),
        }
    }

    /// The kind of input the error is about: `rubric`, `ratings`, `stats` or `cohort`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Rubric(_) => "rubric",
            Error::Ratings(_) => "ratings",
            Error::Stats(_) => "stats",
            Error::Cohort(_) => "cohort",
        }
    }

    /// The path of the offending rubric value, when the error is about a rubric.
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Rubric(e) => Some(e.path()),
            _ => None,
        }
    }

    /// The row of the offending rating (a CSV line number or a JSON array index).
    pub fn row(&self) -> Option<u64> {
        match self {
            Error::Ratings(e) => e.location().row(),
            Error::Cohort(e) => e.location().row(),
            _ => None,
        }
    }
}

/// A problem with a rubric document. `path` is the dotted path of the offending value,
/// with array indices in brackets (`policy.levels[1].min_index`); the document root is `.`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RubricError {
    /// The text is not valid TOML or JSON.
    #[error("rubric is not valid {format}: {message}")]
    Syntax {
        /// `TOML` or `JSON`.
        format: &'static str,
        /// The parser's message, with line and column where known.
        message: String,
    },
    /// A key the rubric format does not know.
    #[error("{path}: unknown key `{key}`, expected one of {expected}")]
    UnknownKey {
        /// Where the key was found.
        path: String,
        /// The unknown key.
        key: String,
        /// The keys allowed there.
        expected: String,
    },
    /// A value of the wrong type, or a required key that is missing.
    #[error("{path}: {message}")]
    WrongType {
        /// Where the value is.
        path: String,
        /// What was expected.
        message: String,
    },
    /// The rubric's `format_version` is not one this engine reads.
    #[error("{path}: unsupported format_version {value}, expected 1")]
    UnsupportedFormatVersion {
        /// Always `format_version`.
        path: String,
        /// The version found.
        value: i64,
    },
    /// Two dimensions, criteria, rater groups or levels share an id.
    #[error("{path}: duplicate id '{id}' (first used at {first})")]
    DuplicateId {
        /// The second occurrence.
        path: String,
        /// The repeated id.
        id: String,
        /// The first occurrence.
        first: String,
    },
    /// An id that is empty or contains characters other than letters, digits, `_`, `-`, `.`.
    #[error("{path}: invalid id '{id}': {reason}")]
    InvalidId {
        /// Where the id is.
        path: String,
        /// The id (shortened when very long).
        id: String,
        /// Why it is refused.
        reason: String,
    },
    /// A weight that is negative, zero (where zero is not allowed) or not finite.
    #[error("{path}: must be > 0, got {value}")]
    InvalidWeight {
        /// Where the weight is.
        path: String,
        /// The weight found.
        value: f64,
    },
    /// A scale whose bounds, step or labels do not make a scale.
    #[error("{path}: {message}")]
    InvalidScale {
        /// Where the problem is.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A criterion's anchors do not match the number of scale points.
    #[error("{path}: expected {expected} anchors (one per scale point), got {got}")]
    AnchorCount {
        /// The criterion's `anchors` path.
        path: String,
        /// The number of scale points.
        expected: usize,
        /// The number of anchors given.
        got: usize,
    },
    /// The rubric has no leadership-side dimension (every dimension is technical).
    #[error(
        "{path}: at least one leadership-side dimension (kind other than technical) is required"
    )]
    NoLeadershipDimension {
        /// Always `dimensions`.
        path: String,
    },
    /// Policy levels are not ordered best first (thresholds must not increase down the list).
    #[error("{path}: levels must be ordered best first: {message}")]
    LevelsNotOrdered {
        /// The level out of order.
        path: String,
        /// Which thresholds conflict.
        message: String,
    },
    /// The last level is the catch-all and may not have conditions.
    #[error(
        "{path}: the last level is the catch-all and must not have conditions, found `{condition}`"
    )]
    CatchAllWithConditions {
        /// The catch-all level.
        path: String,
        /// The condition found.
        condition: String,
    },
    /// A level condition names a criterion the rubric does not define.
    #[error("{path}: unknown criterion '{id}', expected one of {expected}")]
    UnknownCriterion {
        /// Where the criterion is named.
        path: String,
        /// The unknown id.
        id: String,
        /// The rubric's criterion ids.
        expected: String,
    },
    /// A number outside its allowed range, or another invalid value.
    #[error("{path}: {message}")]
    InvalidValue {
        /// Where the value is.
        path: String,
        /// What was expected and what was found.
        message: String,
    },
    /// A rubric larger than its [`RubricLimits`](crate::rubric::RubricLimits) allow (input
    /// bytes, dimensions, criteria, rater groups, levels, or the length of a text).
    #[error("{path}: {what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// Where (`.` for the whole document).
        path: String,
        /// What was too large, with its size.
        what: String,
        /// The limit.
        limit: u64,
    },
}

impl RubricError {
    /// The stable snake_case code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            RubricError::Syntax { .. } => "rubric_syntax",
            RubricError::UnknownKey { .. } => "unknown_key",
            RubricError::WrongType { .. } => "wrong_type",
            RubricError::UnsupportedFormatVersion { .. } => "unsupported_format_version",
            RubricError::DuplicateId { .. } => "duplicate_id",
            RubricError::InvalidId { .. } => "invalid_id",
            RubricError::InvalidWeight { .. } => "invalid_weight",
            RubricError::InvalidScale { .. } => "invalid_scale",
            RubricError::AnchorCount { .. } => "anchor_count",
            RubricError::NoLeadershipDimension { .. } => "no_leadership_dimension",
            RubricError::LevelsNotOrdered { .. } => "levels_not_ordered",
            RubricError::CatchAllWithConditions { .. } => "catch_all_with_conditions",
            RubricError::UnknownCriterion { .. } => "unknown_criterion",
            RubricError::InvalidValue { .. } => "invalid_value",
            RubricError::LimitExceeded { .. } => "limit_exceeded",
        }
    }

    /// The path of the offending value (`.` for the document itself).
    pub fn path(&self) -> &str {
        match self {
            RubricError::Syntax { .. } => ".",
            RubricError::UnknownKey { path, .. }
            | RubricError::WrongType { path, .. }
            | RubricError::UnsupportedFormatVersion { path, .. }
            | RubricError::DuplicateId { path, .. }
            | RubricError::InvalidId { path, .. }
            | RubricError::InvalidWeight { path, .. }
            | RubricError::InvalidScale { path, .. }
            | RubricError::AnchorCount { path, .. }
            | RubricError::NoLeadershipDimension { path }
            | RubricError::LevelsNotOrdered { path, .. }
            | RubricError::CatchAllWithConditions { path, .. }
            | RubricError::UnknownCriterion { path, .. }
            | RubricError::InvalidValue { path, .. }
            | RubricError::LimitExceeded { path, .. } => path,
        }
    }
}

/// Where a rating came from: a line of a CSV file, an index of a JSON array or of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Location {
    /// 1-based line number in a CSV file (the header is line 1).
    Line(u64),
    /// 0-based index in a JSON array, a list of records or a table.
    Index(u64),
    /// Not tied to one row (a missing column, an empty input).
    Input,
}

impl Location {
    /// The line number or index, if the error is tied to one row.
    pub fn row(&self) -> Option<u64> {
        match self {
            Location::Line(n) | Location::Index(n) => Some(*n),
            Location::Input => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Index(n) => write!(f, "row [{n}]"),
            Location::Input => f.write_str("input"),
        }
    }
}

/// A problem with the ratings. Messages name the row and column and never echo comment text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RatingsError {
    /// The input is not valid CSV or JSON (or not an array of objects).
    #[error("{location}: ratings are not valid {format}: {message}")]
    Syntax {
        /// Where parsing failed.
        location: Location,
        /// `CSV` or `JSON`.
        format: &'static str,
        /// The parser's message.
        message: String,
    },
    /// A required column (or JSON field) is missing.
    #[error("{location}: missing column `{column}` (required: candidate, rater, group, criterion, score)")]
    MissingColumn {
        /// The header or the object without the column.
        location: Location,
        /// The missing column.
        column: String,
    },
    /// A column (or JSON field) that ratings do not have.
    #[error("{location}: unknown column `{column}`, expected one of candidate, rater, group, criterion, score, cycle, comment")]
    UnknownColumn {
        /// The header or the object with the column.
        location: Location,
        /// The unknown column (shortened when very long).
        column: String,
    },
    /// A required id (candidate, rater) is empty.
    #[error("{location}: column `{column}` is empty, expected an id")]
    MissingValue {
        /// The row.
        location: Location,
        /// The empty column.
        column: &'static str,
    },
    /// A value of the wrong type in a JSON record (a number where a string is expected…).
    #[error("{location}: column `{column}` {message}")]
    WrongType {
        /// The row.
        location: Location,
        /// The column.
        column: &'static str,
        /// What was expected and found.
        message: String,
    },
    /// The criterion is not defined by the rubric.
    #[error("{location}: unknown criterion '{value}', expected one of {expected}")]
    UnknownCriterion {
        /// The row.
        location: Location,
        /// The value found (shortened when very long).
        value: String,
        /// The rubric's criterion ids.
        expected: String,
    },
    /// The rater group is not defined by the rubric.
    #[error("{location}: unknown rater group '{value}', expected one of {expected}")]
    UnknownGroup {
        /// The row.
        location: Location,
        /// The value found (shortened when very long).
        value: String,
        /// The rubric's rater groups.
        expected: String,
    },
    /// The score is not a number.
    #[error("{location}: score '{value}' is not a number, expected a number from {min} to {max} or empty")]
    NotNumeric {
        /// The row.
        location: Location,
        /// The value found (shortened when very long).
        value: String,
        /// Scale minimum.
        min: f64,
        /// Scale maximum.
        max: f64,
    },
    /// The score is NaN or infinite.
    #[error(
        "{location}: score '{value}' is not finite, expected a number from {min} to {max} or empty"
    )]
    NotFinite {
        /// The row.
        location: Location,
        /// The value found.
        value: String,
        /// Scale minimum.
        min: f64,
        /// Scale maximum.
        max: f64,
    },
    /// The score lies outside the rubric's scale.
    #[error("{location}: score {value} is outside the scale, expected {min} to {max}")]
    OutOfScale {
        /// The row.
        location: Location,
        /// The score.
        value: f64,
        /// Scale minimum.
        min: f64,
        /// Scale maximum.
        max: f64,
    },
    /// The score is not on a step of the scale.
    #[error("{location}: score {value} is not on the scale's step {step} (from {min})")]
    OffStep {
        /// The row.
        location: Location,
        /// The score.
        value: f64,
        /// Scale step.
        step: f64,
        /// Scale minimum.
        min: f64,
    },
    /// The same rater rated the same criterion of the same candidate (and cycle) twice.
    #[error("{location}: duplicate rating of criterion '{criterion}' by rater '{rater}' for candidate '{candidate}' (first at {first})")]
    Duplicate {
        /// The second rating.
        location: Location,
        /// The first rating.
        first: Location,
        /// Candidate id.
        candidate: String,
        /// Rater id.
        rater: String,
        /// Criterion id.
        criterion: String,
    },
    /// One rater appears in two rater groups for the same candidate (and cycle).
    #[error("{location}: rater '{rater}' is in group '{group}' here but in '{other_group}' at {first} for candidate '{candidate}'")]
    RaterInTwoGroups {
        /// The conflicting rating.
        location: Location,
        /// The earlier rating.
        first: Location,
        /// Candidate id.
        candidate: String,
        /// Rater id.
        rater: String,
        /// Group here.
        group: String,
        /// Group in the earlier rating.
        other_group: String,
    },
    /// An input limit was exceeded (too many ratings, an id too long…).
    #[error("{location}: {what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// Where.
        location: Location,
        /// What was too large.
        what: String,
        /// The limit.
        limit: u64,
    },
}

impl RatingsError {
    /// The stable snake_case code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            RatingsError::Syntax { .. } => "ratings_syntax",
            RatingsError::MissingColumn { .. } => "missing_column",
            RatingsError::UnknownColumn { .. } => "unknown_column",
            RatingsError::MissingValue { .. } => "missing_value",
            RatingsError::WrongType { .. } => "wrong_type",
            RatingsError::UnknownCriterion { .. } => "unknown_criterion",
            RatingsError::UnknownGroup { .. } => "unknown_group",
            RatingsError::NotNumeric { .. } => "score_not_numeric",
            RatingsError::NotFinite { .. } => "score_not_finite",
            RatingsError::OutOfScale { .. } => "score_out_of_scale",
            RatingsError::OffStep { .. } => "score_off_step",
            RatingsError::Duplicate { .. } => "duplicate_rating",
            RatingsError::RaterInTwoGroups { .. } => "rater_in_two_groups",
            RatingsError::LimitExceeded { .. } => "limit_exceeded",
        }
    }

    /// Where the offending rating is.
    pub fn location(&self) -> Location {
        match self {
            RatingsError::Syntax { location, .. }
            | RatingsError::MissingColumn { location, .. }
            | RatingsError::UnknownColumn { location, .. }
            | RatingsError::MissingValue { location, .. }
            | RatingsError::WrongType { location, .. }
            | RatingsError::UnknownCriterion { location, .. }
            | RatingsError::UnknownGroup { location, .. }
            | RatingsError::NotNumeric { location, .. }
            | RatingsError::NotFinite { location, .. }
            | RatingsError::OutOfScale { location, .. }
            | RatingsError::OffStep { location, .. }
            | RatingsError::Duplicate { location, .. }
            | RatingsError::RaterInTwoGroups { location, .. }
            | RatingsError::LimitExceeded { location, .. } => *location,
        }
    }
}

/// Shortens a user-supplied value for an error message (at most 64 characters), so a 10 MB id
/// never ends up in a message.
pub(crate) fn clip(value: &str) -> String {
    const MAX: usize = 64;
    if value.chars().count() <= MAX {
        value.escape_debug().to_string()
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{}…", head.escape_debug())
    }
}

/// Lists allowed values for a message: `a, b, c` (at most 20, then `…`).
pub(crate) fn one_of<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, v) in values.into_iter().enumerate() {
        if i == 20 {
            out.push_str(", …");
            break;
        }
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(v);
    }
    out
}

/// A problem with a cohort input table: `attributes`, `decisions` or `overrides`. Messages
/// name the table and the line (CSV) or index (records).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CohortError {
    /// The table is not valid CSV.
    #[error("{table} {location}: not valid CSV: {message}")]
    Syntax {
        /// `attributes`, `decisions` or `overrides`.
        table: &'static str,
        /// Where parsing failed.
        location: Location,
        /// The parser's message.
        message: String,
    },
    /// A required column is missing from the header.
    #[error("{table} {location}: missing column `{column}` (required: {required})")]
    MissingColumn {
        /// The table.
        table: &'static str,
        /// The header line.
        location: Location,
        /// The missing column.
        column: String,
        /// Every required column.
        required: String,
    },
    /// A column the table does not have (decisions and overrides have fixed columns).
    #[error("{table} {location}: unknown column `{column}`, expected one of {expected}")]
    UnknownColumn {
        /// The table.
        table: &'static str,
        /// The header line.
        location: Location,
        /// The unknown column (shortened when very long).
        column: String,
        /// The allowed columns.
        expected: String,
    },
    /// A candidate that has no ratings.
    #[error("{table} {location}: unknown candidate '{candidate}' (not in the ratings)")]
    UnknownCandidate {
        /// The table.
        table: &'static str,
        /// The row.
        location: Location,
        /// The candidate id (shortened when very long).
        candidate: String,
    },
    /// A key (candidate, or candidate and cycle for overrides) given twice.
    #[error("{table} {location}: duplicate key '{key}' (first at {first})")]
    DuplicateKey {
        /// The table.
        table: &'static str,
        /// The second occurrence.
        location: Location,
        /// The first occurrence.
        first: Location,
        /// The repeated key.
        key: String,
    },
    /// A required value is empty.
    #[error("{table} {location}: column `{column}` is empty, expected a value")]
    MissingValue {
        /// The table.
        table: &'static str,
        /// The row.
        location: Location,
        /// The empty column.
        column: &'static str,
    },
    /// An override without a reason: human overrides must say why.
    #[error("overrides {location}: override of candidate '{candidate}' has no reason; every override needs a reason")]
    OverrideWithoutReason {
        /// The row.
        location: Location,
        /// The candidate id (shortened when very long).
        candidate: String,
    },
    /// A value that is not allowed (an unknown level, a `promoted` that is not a boolean…).
    #[error("{table} {location}: column `{column}` {message}")]
    InvalidValue {
        /// The table.
        table: &'static str,
        /// The row.
        location: Location,
        /// The column.
        column: &'static str,
        /// What was expected and what was found.
        message: String,
    },
}

impl CohortError {
    /// The stable snake_case code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            CohortError::Syntax { .. } => "table_syntax",
            CohortError::MissingColumn { .. } => "table_missing_column",
            CohortError::UnknownColumn { .. } => "table_unknown_column",
            CohortError::UnknownCandidate { .. } => "unknown_candidate",
            CohortError::DuplicateKey { .. } => "duplicate_key",
            CohortError::MissingValue { .. } => "table_missing_value",
            CohortError::OverrideWithoutReason { .. } => "override_without_reason",
            CohortError::InvalidValue { .. } => "table_invalid_value",
        }
    }

    /// Where the offending row is.
    pub fn location(&self) -> Location {
        match self {
            CohortError::Syntax { location, .. }
            | CohortError::MissingColumn { location, .. }
            | CohortError::UnknownColumn { location, .. }
            | CohortError::UnknownCandidate { location, .. }
            | CohortError::DuplicateKey { location, .. }
            | CohortError::MissingValue { location, .. }
            | CohortError::OverrideWithoutReason { location, .. }
            | CohortError::InvalidValue { location, .. } => *location,
        }
    }
}
