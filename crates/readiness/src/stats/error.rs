//! The one error type of `readiness::stats`.
//!
//! Every variant carries structured fields and a stable snake_case [`StatsError::code`], so
//! bindings can map it to a typed exception (Python) or an `Error` with `.code` (JS).
//! Undefined statistics (zero variance, no pairable unit, …) are *not* errors: they are
//! reported as `None` in the result. Errors are for input the functions cannot accept.

/// An input a statistics function cannot accept.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// A matrix has a row whose length differs from the first row's.
    #[error("row {row} has {found} columns, expected {expected}")]
    RaggedMatrix {
        /// Index of the offending row (0-based).
        row: usize,
        /// Number of columns of the first row.
        expected: usize,
        /// Number of columns of the offending row.
        found: usize,
    },
    /// Too few rows or columns for the statistic.
    #[error("{what}: need at least {min}, got {found}")]
    TooFew {
        /// What was counted (e.g. `"raters"`, `"complete targets"`).
        what: &'static str,
        /// The minimum needed.
        min: usize,
        /// The number given.
        found: usize,
    },
    /// Two inputs that must have the same length do not.
    #[error("{what}: lengths differ ({left} vs {right})")]
    LengthMismatch {
        /// Which pair of inputs.
        what: &'static str,
        /// Length of the first input.
        left: usize,
        /// Length of the second input.
        right: usize,
    },
    /// A value is NaN or infinite.
    #[error("{what} at index {index} is not finite ({value})")]
    NonFinite {
        /// Which input.
        what: &'static str,
        /// Flat or row-major index of the value (row * columns + column for matrices).
        index: usize,
        /// The value itself.
        value: f64,
    },
    /// A finite value is too large in magnitude for the statistic to be computed without
    /// overflowing `f64` (squares and sums of squares of values above [`MAX_MAGNITUDE`] can
    /// exceed `f64::MAX`).
    #[error("{what} at index {index} is out of range ({value:e}; magnitude at most {limit:e})")]
    OutOfRange {
        /// Which input.
        what: &'static str,
        /// Flat or row-major index of the value (row * columns + column for matrices).
        index: usize,
        /// The value itself.
        value: f64,
        /// The largest magnitude accepted.
        limit: f64,
    },
    /// An input is too large for an exact computation to finish in bounded time and memory
    /// (e.g. the support of Fisher's exact test).
    #[error("{what} is {found}, at most {max} supported")]
    TooLarge {
        /// What was measured.
        what: &'static str,
        /// The largest supported size.
        max: u64,
        /// The size of this input.
        found: u64,
    },
    /// A parameter is outside its allowed range.
    #[error("{name} must be {expected}, got {value}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// The allowed range, in words (e.g. `"in (0, 1)"`).
        expected: &'static str,
        /// The value given.
        value: f64,
    },
    /// A group has more people selected than it has members.
    #[error("{group}: {selected} selected out of {total}")]
    SelectedExceedsTotal {
        /// Which group.
        group: &'static str,
        /// Number selected.
        selected: u64,
        /// Number in the group.
        total: u64,
    },
    /// An element index below the largest one used has no rating at all.
    #[error("{facet} {index} has no ratings (indices must be 0..n without gaps)")]
    EmptyElement {
        /// The facet (`"candidate"`, `"rater"`, `"criterion"`).
        facet: &'static str,
        /// The unused index.
        index: usize,
    },
    /// The design falls apart into subsets that share no ratings, so their effects cannot be
    /// put on one scale.
    #[error("the {facets} design is disconnected into {count} subsets", count = subsets.len())]
    Disconnected {
        /// The pair of facets that is disconnected (e.g. `"candidate-rater"`).
        facets: &'static str,
        /// The subsets, each listing the element indices of the two facets.
        subsets: Vec<crate::stats::rater_effects::ElementSubset>,
    },
    /// The model's parameters are not identifiable from this design even though it is
    /// connected (a singular information matrix).
    #[error("{model}: parameters are not identifiable from this design")]
    NotIdentifiable {
        /// Which model.
        model: &'static str,
    },
    /// A score that must be an integer category is not one.
    #[error("score at index {index} is not an integer category ({value})")]
    NonIntegerScore {
        /// Index of the rating.
        index: usize,
        /// The score.
        value: f64,
    },
    /// The likelihood has no finite maximum: an estimate runs off to infinity (the data
    /// separate, e.g. a sparse design where one element's ratings are all above another's).
    #[error("no finite estimate for {facet} {index}: the estimate or its standard deviation exceeds {bound} logits ({measure})")]
    Diverged {
        /// The facet (`"candidate"`, `"rater"`, `"criterion"`, `"threshold"`).
        facet: &'static str,
        /// Index of the element (threshold `h` is index `h − 1`).
        index: usize,
        /// The estimate (or its standard deviation, for a flat direction) when the divergence
        /// was detected.
        measure: f64,
        /// The bound it exceeded.
        bound: f64,
    },
    /// An element that is not extreme itself has all its ratings with extreme elements of the
    /// other facets, so once those are set aside nothing is left to estimate its measure from.
    #[error("{facet} {index} has no ratings left once extreme elements are set aside, so its measure cannot be estimated")]
    Unestimable {
        /// The facet (`"candidate"`, `"rater"`, `"criterion"`).
        facet: &'static str,
        /// Index of the element.
        index: usize,
    },
    /// An iterative estimation did not converge.
    #[error("{model} did not converge in {iterations} iterations (max |gradient| {max_gradient})")]
    NoConvergence {
        /// Which model.
        model: &'static str,
        /// Iterations run.
        iterations: usize,
        /// Largest absolute gradient at the last iterate.
        max_gradient: f64,
    },
}

impl StatsError {
    /// A stable snake_case code for the error kind (the same string in every binding).
    ///
    /// # Example
    /// ```
    /// use readiness::stats::error::StatsError;
    /// let e = StatsError::TooFew { what: "raters", min: 2, found: 1 };
    /// assert_eq!(e.code(), "too_few");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            StatsError::RaggedMatrix { .. } => "ragged_matrix",
            StatsError::TooFew { .. } => "too_few",
            StatsError::LengthMismatch { .. } => "length_mismatch",
            StatsError::NonFinite { .. } => "non_finite",
            StatsError::OutOfRange { .. } => "out_of_range",
            StatsError::TooLarge { .. } => "too_large",
            StatsError::InvalidParameter { .. } => "invalid_parameter",
            StatsError::SelectedExceedsTotal { .. } => "selected_exceeds_total",
            StatsError::EmptyElement { .. } => "empty_element",
            StatsError::Disconnected { .. } => "disconnected",
            StatsError::NotIdentifiable { .. } => "not_identifiable",
            StatsError::NonIntegerScore { .. } => "non_integer_score",
            StatsError::Diverged { .. } => "diverged",
            StatsError::Unestimable { .. } => "unestimable",
            StatsError::NoConvergence { .. } => "no_convergence",
        }
    }
}

/// Result of a statistics function.
pub type Result<T> = std::result::Result<T, StatsError>;

/// Checks that `confidence` is in (0, 1).
pub(crate) fn check_confidence(confidence: f64) -> Result<()> {
    if confidence > 0.0 && confidence < 1.0 {
        Ok(())
    } else {
        Err(StatsError::InvalidParameter {
            name: "confidence",
            expected: "in (0, 1)",
            value: confidence,
        })
    }
}

/// The largest magnitude of a rating or score the statistics accept (`1e100`).
///
/// Rating scales are small; the bound exists so that squares, cross products and sums of
/// squares of any realistic number of values stay far inside the `f64` range (values near
/// `f64::MAX` are finite, but their squares are not).
pub const MAX_MAGNITUDE: f64 = 1e100;

/// [`StatsError::NonFinite`] for NaN/±∞, [`StatsError::OutOfRange`] beyond [`MAX_MAGNITUDE`].
pub(crate) fn check_value(what: &'static str, index: usize, value: f64) -> Result<()> {
    if !value.is_finite() {
        Err(StatsError::NonFinite { what, index, value })
    } else if value.abs() > MAX_MAGNITUDE {
        Err(StatsError::OutOfRange {
            what,
            index,
            value,
            limit: MAX_MAGNITUDE,
        })
    } else {
        Ok(())
    }
}

/// Checks that every row of `rows` has the same length and every present value is finite and
/// at most [`MAX_MAGNITUDE`] in magnitude; returns the number of columns (0 for no rows).
pub(crate) fn check_matrix<R: AsRef<[Option<f64>]>>(
    rows: &[R],
    what: &'static str,
) -> Result<usize> {
    let cols = rows.first().map_or(0, |r| r.as_ref().len());
    for (r, row) in rows.iter().enumerate() {
        let row = row.as_ref();
        if row.len() != cols {
            return Err(StatsError::RaggedMatrix {
                row: r,
                expected: cols,
                found: row.len(),
            });
        }
        for (c, v) in row.iter().enumerate() {
            if let Some(x) = v {
                check_value(what, r * cols + c, *x)?;
            }
        }
    }
    Ok(cols)
}
