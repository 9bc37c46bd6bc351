//! Ratings from a column-oriented table (a data frame): named columns, id columns
//! dictionary-encoded as codes plus unique values, scores as numbers with NaN for "not rated".
//!
//! This is the form in which data-frame libraries hand over their columns without a
//! per-row object: pandas' `factorize` or categorical codes, Arrow dictionaries. Row numbers in
//! errors are 0-based positions in the table ([`crate::Location::Index`]).
//!
//! The same rules apply as for CSV and JSON input: the columns `candidate`, `rater`, `group`,
//! `criterion` and `score` are required, `cycle` and `comment` are optional, any other column is
//! refused; every rating is validated by [`RatingSetBuilder::push`].

mod fast;

use crate::assessment::Assessment;
use crate::error::Error;
use crate::error::{clip, Location, RatingsError};
use crate::ratings::{Interner, RatingSet, RatingSetBuilder};
use crate::rubric::{Rubric, Scale};
use crate::scoring::Engine;
use crate::table::Table;

/// Codes of a dictionary-encoded column, in the integer width the table uses. A negative code
/// is a missing value (pandas' convention).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Codes<'a> {
    /// 8-bit codes.
    I8(&'a [i8]),
    /// 16-bit codes.
    I16(&'a [i16]),
    /// 32-bit codes.
    I32(&'a [i32]),
    /// 64-bit codes.
    I64(&'a [i64]),
}

impl Codes<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Codes::I8(c) => c.len(),
            Codes::I16(c) => c.len(),
            Codes::I32(c) => c.len(),
            Codes::I64(c) => c.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn get(&self, row: usize) -> i64 {
        match self {
            Codes::I8(c) => c.get(row).map_or(-1, |&x| i64::from(x)),
            Codes::I16(c) => c.get(row).map_or(-1, |&x| i64::from(x)),
            Codes::I32(c) => c.get(row).map_or(-1, |&x| i64::from(x)),
            Codes::I64(c) => c.get(row).copied().unwrap_or(-1),
        }
    }
}

/// A dictionary-encoded text column: `values[codes[row]]`, or missing where the code is
/// negative.
#[derive(Debug, Clone, Copy)]
pub struct Factor<'a, S: AsRef<str> = String> {
    /// One code per row.
    pub codes: Codes<'a>,
    /// The distinct values the codes index.
    pub values: &'a [S],
}

impl<S: AsRef<str>> Factor<'_, S> {
    /// The value of `row` (`None` when missing), or an error for a code outside `values`.
    fn value(&self, row: usize, column: &str) -> Result<Option<&str>, RatingsError> {
        let code = self.codes.get(row);
        if code < 0 {
            return Ok(None);
        }
        usize::try_from(code)
            .ok()
            .and_then(|c| self.values.get(c))
            .map(|v| Some(v.as_ref()))
            .ok_or_else(|| RatingsError::Syntax {
                location: Location::Index(row as u64),
                format: "table",
                message: format!(
                    "column `{column}` has code {code} but only {} distinct values",
                    self.values.len()
                ),
            })
    }
}

/// One column of a table.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Column<'a, S: AsRef<str> = String> {
    /// Text (ids, or scores written as text), dictionary-encoded.
    Text(Factor<'a, S>),
    /// Numbers; NaN is a missing value.
    Numbers(&'a [f64]),
    /// A column of another type (dates, booleans, objects…), with its type name for errors.
    Other {
        /// Number of rows.
        len: usize,
        /// The table library's name for the type (for example `datetime64[ns]`).
        dtype: &'a str,
    },
}

impl<S: AsRef<str>> Column<'_, S> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Text(f) => f.codes.len(),
            Column::Numbers(v) => v.len(),
            Column::Other { len, .. } => *len,
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

const REQUIRED: [&str; 5] = ["candidate", "rater", "group", "criterion", "score"];

/// Builds a validated [`RatingSet`] from named columns.
///
/// Id columns (`candidate`, `rater`, `group`, `criterion`, `cycle`) must be [`Column::Text`];
/// numeric ids are the caller's to turn into text (their unique values only, never per row).
/// `score` may be [`Column::Numbers`] (NaN = not rated) or [`Column::Text`] (parsed like CSV:
/// empty = not rated). `comment` is accepted and ignored. A `cycle` column makes each
/// (candidate, cycle) a unit of its own; a missing cycle value is the empty cycle.
///
/// # Errors
/// [`RatingsError::MissingColumn`] or [`RatingsError::UnknownColumn`] for the set of columns
/// ([`Location::Input`]); [`RatingsError::WrongType`] for a column of the wrong type;
/// [`RatingsError::Syntax`] when columns differ in length, a column appears twice or a code
/// is out of range; otherwise every error of [`RatingSetBuilder::push`] and
/// [`RatingSetBuilder::finish`], with the 0-based row.
///
/// # Example
/// ```
/// use readiness::columns::{rating_set, Codes, Column, Factor};
/// use readiness::Rubric;
/// let rubric = Rubric::standard();
/// let ids = |codes: &'static [i64], values: &'static [&'static str]| {
///     Column::Text(Factor { codes: Codes::I64(codes), values })
/// };
/// let columns = [
///     ("candidate", ids(&[0, 0], &["e-1"])),
///     ("rater", ids(&[0, 1], &["m-1", "p-1"])),
///     ("group", ids(&[0, 1], &["manager", "peer"])),
///     ("criterion", ids(&[0, 0], &["listens"])),
///     ("score", Column::Numbers(&[4.0, f64::NAN])),
/// ];
/// let set = rating_set(&columns, &rubric)?;
/// assert_eq!((set.len(), set.scored()), (2, 1));
///
/// let bad = [("score", Column::Numbers(&[9.0])), ("candidate", ids(&[0], &["e-1"]))];
/// let err = rating_set(&bad, &rubric).unwrap_err();
/// assert_eq!(err.code(), "missing_column");
/// # Ok::<(), readiness::RatingsError>(())
/// ```
pub fn rating_set<S: AsRef<str>>(
    columns: &[(&str, Column<'_, S>)],
    rubric: &Rubric,
) -> Result<RatingSet, RatingsError> {
    let find = |name: &str| columns.iter().position(|(n, _)| *n == name);
    for (i, (name, _)) in columns.iter().enumerate() {
        if !REQUIRED.contains(name) && !matches!(*name, "cycle" | "comment") {
            return Err(RatingsError::UnknownColumn {
                location: Location::Input,
                column: clip(name),
            });
        }
        if find(name) != Some(i) {
            return Err(RatingsError::Syntax {
                location: Location::Input,
                format: "table",
                message: format!("column `{name}` appears twice"),
            });
        }
    }
    for name in REQUIRED {
        if find(name).is_none() {
            return Err(RatingsError::MissingColumn {
                location: Location::Input,
                column: name.to_string(),
            });
        }
    }
    let rows = columns.first().map_or(0, |(_, c)| c.len());
    if let Some((name, c)) = columns.iter().find(|(_, c)| c.len() != rows) {
        return Err(RatingsError::Syntax {
            location: Location::Input,
            format: "table",
            message: format!("column `{name}` has {} rows, expected {rows}", c.len()),
        });
    }
    let get = |name: &str| find(name).and_then(|i| columns.get(i)).map(|(_, c)| c);
    let text = |name: &'static str| -> Result<Option<&Factor<'_, S>>, RatingsError> {
        match get(name) {
            None => Ok(None),
            Some(Column::Text(f)) => Ok(Some(f)),
            Some(Column::Numbers(_)) => Err(wrong_type(name, "float")),
            Some(Column::Other { dtype, .. }) => Err(wrong_type(name, dtype)),
        }
    };
    let missing = |name: &str| RatingsError::MissingColumn {
        location: Location::Input,
        column: name.to_string(),
    };
    let candidate = text("candidate")?.ok_or_else(|| missing("candidate"))?;
    let rater = text("rater")?.ok_or_else(|| missing("rater"))?;
    let group = text("group")?.ok_or_else(|| missing("group"))?;
    let criterion = text("criterion")?.ok_or_else(|| missing("criterion"))?;
    let cycle = text("cycle")?;
    let score = match get("score") {
        Some(Column::Numbers(v)) => Scores::Numbers(v),
        Some(Column::Text(f)) => Scores::Text(f, parse_all(f.values)),
        Some(Column::Other { dtype, .. }) => {
            return Err(RatingsError::WrongType {
                location: Location::Input,
                column: "score",
                message: format!("must be numbers or text, got {dtype}"),
            })
        }
        None => return Err(missing("score")),
    };

    if let Scores::Numbers(scores) = &score {
        let ids = IdColumns {
            candidate,
            rater,
            group,
            criterion,
            cycle,
        };
        if let Some(set) = fast::rating_set(&ids, scores, rows, rubric) {
            return Ok(set);
        }
    }
    // Text scores, and any input with an error (reported with the row, as the row-wise
    // builder finds it first).
    rowwise(
        candidate, rater, group, criterion, cycle, &score, rows, rubric,
    )
}

/// Ratings from columns kept for scoring only: what [`Engine::assess`] and
/// [`Engine::assessments_table`] need, without the per-row candidate column and the rater
/// names (neither is used by scoring when the rubric asks for no rater adjustment; with one,
/// everything is kept). For notebooks that score a large table and build documents later:
/// the kept ratings take about a third less memory than a [`RatingSet`].
///
/// # Example
/// ```
/// use readiness::columns::{scoring_set, Codes, Column, Factor};
/// use readiness::Engine;
/// let engine = Engine::standard();
/// let ids = |codes: &'static [i64], values: &'static [&'static str]| {
///     Column::Text(Factor { codes: Codes::I64(codes), values })
/// };
/// let columns = [
///     ("candidate", ids(&[0, 0], &["e-1"])),
///     ("rater", ids(&[0, 1], &["m-1", "p-1"])),
///     ("group", ids(&[0, 1], &["manager", "peer"])),
///     ("criterion", ids(&[0, 0], &["listens"])),
///     ("score", Column::Numbers(&[4.0, 3.0])),
/// ];
/// let set = scoring_set(&columns, engine.rubric())?;
/// assert_eq!(set.units(), 1);
/// let docs = set.assess(&engine)?;
/// assert_eq!(set.assessments_table(&engine)?.rows(), docs.len());
/// # Ok::<(), readiness::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ScoringSet {
    set: RatingSet,
}

impl ScoringSet {
    /// Number of assessed units (candidates, or candidate and cycle pairs).
    pub fn units(&self) -> usize {
        self.set.units()
    }

    /// [`Engine::assess`] of these ratings; `engine` must use the rubric they were read with.
    ///
    /// # Errors
    /// As [`Engine::assess`].
    pub fn assess(&self, engine: &Engine) -> Result<Vec<Assessment>, Error> {
        engine.assess(&self.set)
    }

    /// [`Engine::assessments_table`] of these ratings; `engine` must use the rubric they were
    /// read with.
    ///
    /// # Errors
    /// As [`Engine::assess`].
    pub fn assessments_table(&self, engine: &Engine) -> Result<Table, Error> {
        engine.assessments_table(&self.set)
    }
}

/// [`rating_set`], kept as a [`ScoringSet`].
///
/// # Errors
/// As [`rating_set`].
pub fn scoring_set<S: AsRef<str>>(
    columns: &[(&str, Column<'_, S>)],
    rubric: &Rubric,
) -> Result<ScoringSet, RatingsError> {
    let mut set = rating_set(columns, rubric)?;
    if rubric.policy.rater_adjustment.is_none() {
        // Scoring reads units through their spans and raters by id.
        set.cand = Vec::new();
        set.raters = Interner::default();
    }
    Ok(ScoringSet { set })
}

/// The id columns of a table.
struct IdColumns<'c, 'a, S: AsRef<str>> {
    candidate: &'c Factor<'a, S>,
    rater: &'c Factor<'a, S>,
    group: &'c Factor<'a, S>,
    criterion: &'c Factor<'a, S>,
    cycle: Option<&'c Factor<'a, S>>,
}

#[expect(clippy::too_many_arguments, reason = "one argument per rating column")]
fn rowwise<S: AsRef<str>>(
    candidate: &Factor<'_, S>,
    rater: &Factor<'_, S>,
    group: &Factor<'_, S>,
    criterion: &Factor<'_, S>,
    cycle: Option<&Factor<'_, S>>,
    score: &Scores<'_, '_, S>,
    rows: usize,
    rubric: &Rubric,
) -> Result<RatingSet, RatingsError> {
    let mut b = RatingSetBuilder::new(rubric).with_cycles(cycle.is_some());
    for row in 0..rows {
        let loc = Location::Index(row as u64);
        let score = match &score {
            Scores::Numbers(v) => v.get(row).copied().filter(|x| !x.is_nan()),
            Scores::Text(f, parsed) => {
                let code = f.codes.get(row);
                if code < 0 {
                    None
                } else {
                    match usize::try_from(code).ok().and_then(|c| parsed.get(c)) {
                        Some(Ok(x)) => *x,
                        Some(Err(e)) => return Err(e.at(loc, &rubric.scale)),
                        None => {
                            f.value(row, "score")?;
                            None
                        }
                    }
                }
            }
        };
        let cycle_value = match cycle {
            Some(f) => Some(f.value(row, "cycle")?.unwrap_or("")),
            None => None,
        };
        b.push(
            candidate.value(row, "candidate")?.unwrap_or(""),
            rater.value(row, "rater")?.unwrap_or(""),
            group.value(row, "group")?.unwrap_or(""),
            criterion.value(row, "criterion")?.unwrap_or(""),
            score,
            cycle_value,
            row as u64,
        )?;
    }
    b.finish()
}

enum Scores<'c, 'a, S: AsRef<str>> {
    Numbers(&'a [f64]),
    Text(&'c Factor<'a, S>, Vec<Result<Option<f64>, BadScore>>),
}

/// A text score that is not a number, kept until the row that uses it is known.
enum BadScore {
    NotNumeric(String),
    NotFinite(String),
}

impl BadScore {
    fn at(&self, location: Location, scale: &Scale) -> RatingsError {
        match self {
            BadScore::NotNumeric(value) => RatingsError::NotNumeric {
                location,
                value: value.clone(),
                min: scale.min,
                max: scale.max,
            },
            BadScore::NotFinite(value) => RatingsError::NotFinite {
                location,
                value: value.clone(),
                min: scale.min,
                max: scale.max,
            },
        }
    }
}

/// Parses each distinct text score once (as CSV scores are parsed: trimmed, empty = not rated).
fn parse_all<S: AsRef<str>>(values: &[S]) -> Vec<Result<Option<f64>, BadScore>> {
    values
        .iter()
        .map(|v| {
            let t = v.as_ref().trim();
            if t.is_empty() {
                return Ok(None);
            }
            match t.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Some(x)),
                Ok(_) => Err(BadScore::NotFinite(clip(t))),
                Err(_) => Err(BadScore::NotNumeric(clip(t))),
            }
        })
        .collect()
}

fn wrong_type(column: &'static str, dtype: &str) -> RatingsError {
    RatingsError::WrongType {
        location: Location::Input,
        column,
        message: format!("must hold text ids, got {}", clip(dtype)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor<'a>(codes: &'a [i64], values: &'a [&'a str]) -> Column<'a, &'a str> {
        Column::Text(Factor {
            codes: Codes::I64(codes),
            values,
        })
    }

    #[test]
    fn columns_give_the_same_set_as_csv() {
        let rubric = Rubric::standard();
        let csv = "candidate,rater,group,criterion,score\n\
                   e-2,m-1,manager,listens,4\ne-1,p-1,peer,courage,\ne-1,p-1,peer,listens,2\n";
        let from_csv = crate::Engine::standard()
            .assess_csv(csv)
            .unwrap_or_default();
        let cols = [
            ("candidate", factor(&[0, 1, 1], &["e-2", "e-1"])),
            ("rater", factor(&[0, 1, 1], &["m-1", "p-1"])),
            ("group", factor(&[0, 1, 1], &["manager", "peer"])),
            ("criterion", factor(&[0, 1, 0], &["listens", "courage"])),
            ("score", Column::Numbers(&[4.0, f64::NAN, 2.0])),
        ];
        let set = rating_set(&cols, &rubric).map_err(|e| e.to_string());
        let docs = set.and_then(|s| {
            crate::Engine::standard()
                .assess(&s)
                .map_err(|e| e.to_string())
        });
        assert_eq!(docs, Ok(from_csv));
    }

    /// Both constructions of one table, to compare: the column-wise one (`rating_set`) and
    /// the row-wise one it falls back to.
    fn both(cols: &[(&str, Column<'_, &str>)]) -> (Option<RatingSet>, RatingSet) {
        let rubric = Rubric::standard();
        let fast = rating_set(cols, &rubric).ok();
        let text = |n: &str| match cols.iter().find(|(k, _)| *k == n).map(|(_, c)| c) {
            Some(Column::Text(f)) => Some(f),
            _ => None,
        };
        let Some(Column::Numbers(scores)) =
            cols.iter().find(|(k, _)| *k == "score").map(|(_, c)| c)
        else {
            unreachable!("tests give numeric scores")
        };
        let (Some(c), Some(r), Some(g), Some(k)) = (
            text("candidate"),
            text("rater"),
            text("group"),
            text("criterion"),
        ) else {
            unreachable!("tests give every id column")
        };
        let slow = rowwise(
            c,
            r,
            g,
            k,
            text("cycle"),
            &Scores::Numbers(scores),
            scores.len(),
            &rubric,
        );
        (
            fast,
            slow.unwrap_or_else(|e| unreachable!("valid test input: {e}")),
        )
    }

    fn assert_same(a: &RatingSet, b: &RatingSet) {
        assert_eq!(a.has_cycle, b.has_cycle);
        assert_eq!(
            (&a.cand, &a.rater, &a.group, &a.crit),
            (&b.cand, &b.rater, &b.group, &b.crit)
        );
        if a.has_cycle {
            assert_eq!(a.cycle, b.cycle);
        }
        let bits = |s: &RatingSet| s.score.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(a), bits(b));
        let spans = |s: &RatingSet| {
            s.spans
                .iter()
                .map(|p| (p.cand, p.cycle, p.start, p.end))
                .collect::<Vec<_>>()
        };
        assert_eq!(spans(a), spans(b));
        for (x, y) in [
            (&a.candidates, &b.candidates),
            (&a.raters, &b.raters),
            (&a.cycles, &b.cycles),
        ] {
            assert_eq!(x.len(), y.len());
            for id in 0..x.len() as u32 {
                assert_eq!(x.name(id), y.name(id));
            }
        }
    }

    #[test]
    fn column_wise_set_is_the_row_wise_set() {
        // Sorted input (kept as it is), unsorted input (sorted), values in any order with a
        // repeated name under two codes, and narrow codes.
        let sorted = [
            ("candidate", factor(&[0, 0, 0, 1], &["e-1", "e-2"])),
            ("rater", factor(&[0, 0, 1, 2], &["m-1", "p-1", "p-2"])),
            ("group", factor(&[0, 0, 1, 1], &["manager", "peer"])),
            ("criterion", factor(&[1, 0, 0, 0], &["courage", "listens"])),
            ("score", Column::Numbers(&[4.0, 1.0, 2.0, f64::NAN])),
        ];
        let unsorted = [
            (
                "candidate",
                factor(&[1, 0, 1, 1, 2], &["e-2", "e-1", "e-2"]),
            ),
            ("rater", factor(&[0, 1, 2, 0, 2], &["z", "m-1", "a"])),
            ("group", factor(&[0, 0, 1, 0, 0], &["manager", "peer"])),
            (
                "criterion",
                factor(&[0, 0, 0, 1, 0], &["listens", "courage"]),
            ),
            ("score", Column::Numbers(&[4.0, 3.0, 2.0, 5.0, 1.0])),
        ];
        let narrow = [
            (
                "candidate",
                Column::Text(Factor {
                    codes: Codes::I8(&[0, 0]),
                    values: &["b", "a"][..],
                }),
            ),
            (
                "rater",
                Column::Text(Factor {
                    codes: Codes::I16(&[0, 1]),
                    values: &["m", "p"][..],
                }),
            ),
            (
                "group",
                Column::Text(Factor {
                    codes: Codes::I32(&[0, 1]),
                    values: &["manager", "peer"][..],
                }),
            ),
            ("criterion", factor(&[0, 0], &["listens"])),
            ("cycle", factor(&[-1, 0], &["2026"])),
            ("score", Column::Numbers(&[3.0, 4.0])),
        ];
        for cols in [&sorted[..], &unsorted[..], &narrow[..]] {
            let (fast, slow) = both(cols);
            let fast = fast.unwrap_or_else(|| unreachable!("valid input takes the fast path"));
            assert_same(&fast, &slow);
        }
    }

    #[test]
    fn column_wise_errors_are_the_row_wise_errors() {
        let rubric = Rubric::standard();
        let dup = [
            ("candidate", factor(&[0, 0, 0], &["e-1"])),
            ("rater", factor(&[0, 1, 0], &["m-1", "p-1"])),
            ("group", factor(&[0, 1, 0], &["manager", "peer"])),
            ("criterion", factor(&[0, 0, 0], &["listens"])),
            ("score", Column::Numbers(&[4.0, 3.0, 2.0])),
        ];
        let two_groups = [
            ("candidate", factor(&[0, 0], &["e-1"])),
            ("rater", factor(&[0, 0], &["m-1"])),
            ("group", factor(&[0, 1], &["manager", "peer"])),
            ("criterion", factor(&[0, 1], &["listens", "courage"])),
            ("score", Column::Numbers(&[4.0, 3.0])),
        ];
        let out_of_scale = [
            ("candidate", factor(&[0, 0], &["e-1"])),
            ("rater", factor(&[0, 0], &["m-1"])),
            ("group", factor(&[0, 0], &["manager"])),
            ("criterion", factor(&[0, 1], &["listens", "courage"])),
            ("score", Column::Numbers(&[4.0, 30.0])),
        ];
        let empty_rater = [
            ("candidate", factor(&[0], &["e-1"])),
            ("rater", factor(&[0], &[""])),
            ("group", factor(&[0], &["manager"])),
            ("criterion", factor(&[0], &["listens"])),
            ("score", Column::Numbers(&[4.0])),
        ];
        for (cols, code, row) in [
            (&dup[..], "duplicate_rating", 2),
            (&two_groups[..], "rater_in_two_groups", 1),
            (&out_of_scale[..], "score_out_of_scale", 1),
            (&empty_rater[..], "missing_value", 0),
        ] {
            let err = rating_set(cols, &rubric).err();
            assert_eq!(err.as_ref().map(RatingsError::code), Some(code));
            assert_eq!(err.map(|e| e.location()), Some(Location::Index(row)));
        }
    }

    #[test]
    fn errors_name_the_row() {
        let rubric = Rubric::standard();
        let cols = [
            ("candidate", factor(&[0, 0], &["e-1"])),
            ("rater", factor(&[0, 1], &["m-1", "p-1"])),
            ("group", factor(&[0, 1], &["manager", "peer"])),
            ("criterion", factor(&[0, 0], &["listens"])),
            ("score", factor(&[0, 1], &["4", "x"])),
        ];
        let err = rating_set(&cols, &rubric).err();
        assert_eq!(
            err.as_ref().map(RatingsError::code),
            Some("score_not_numeric")
        );
        assert_eq!(err.map(|e| e.location()), Some(Location::Index(1)));
    }

    #[test]
    fn missing_candidate_is_reported() {
        let rubric = Rubric::standard();
        let cols = [
            ("candidate", factor(&[-1], &[])),
            ("rater", factor(&[0], &["m-1"])),
            ("group", factor(&[0], &["manager"])),
            ("criterion", factor(&[0], &["listens"])),
            ("score", Column::Numbers(&[3.0])),
        ];
        let err = rating_set(&cols, &rubric).err();
        assert_eq!(err.map(|e| e.code()), Some("missing_value"));
    }
}
