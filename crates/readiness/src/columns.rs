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

mod direct;
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
    /// Run-length codes, for columns whose values come in runs (ids in a survey export).
    Runs(Runs<'a>),
}

/// Run-length codes: run `k` covers the rows from the end of run `k − 1` (row 0 for the
/// first) up to `ends[k]`, exclusive, and has code `codes[k]` (negative: missing). Made by
/// [`Runs::new`], which checks the layout.
#[derive(Debug, Clone, Copy)]
pub struct Runs<'a> {
    ends: &'a [usize],
    codes: &'a [i32],
}

impl<'a> Runs<'a> {
    /// Runs ending at `ends` (strictly increasing, the first above 0) with one code each;
    /// `None` when `ends` and `codes` differ in length or `ends` is not strictly increasing.
    pub fn new(ends: &'a [usize], codes: &'a [i32]) -> Option<Runs<'a>> {
        let ordered = ends.first().is_none_or(|&e| e > 0) && ends.windows(2).all(|w| w[0] < w[1]);
        (ends.len() == codes.len() && ordered).then_some(Runs { ends, codes })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The run holding `row` (`ends.len()` past the end).
    fn run_of(&self, row: usize) -> usize {
        self.ends.partition_point(|&e| e <= row)
    }

    /// `(end, code)` of the runs from the one holding `row` on.
    pub(crate) fn starting_at(&self, row: usize) -> impl Iterator<Item = (usize, i32)> + 'a {
        let k = self.run_of(row);
        let ends = self.ends.get(k..).unwrap_or_default();
        let codes = self.codes.get(k..).unwrap_or_default();
        ends.iter().copied().zip(codes.iter().copied())
    }

    /// The codes, one per row.
    fn expand(&self) -> Vec<i32> {
        let mut out = Vec::with_capacity(self.len());
        for (end, code) in self.starting_at(0) {
            out.resize(end, code);
        }
        out
    }
}

impl Codes<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Codes::I8(c) => c.len(),
            Codes::I16(c) => c.len(),
            Codes::I32(c) => c.len(),
            Codes::I64(c) => c.len(),
            Codes::Runs(r) => r.len(),
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
            Codes::Runs(r) => r.codes.get(r.run_of(row)).map_or(-1, |&x| i64::from(x)),
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
    let has_runs =
        |c: &Column<'_, S>| matches!(c, Column::Text(f) if matches!(f.codes, Codes::Runs(_)));
    if columns.iter().any(|(_, c)| has_runs(c)) {
        // The row-wise paths read codes by row: run-length columns are expanded for them.
        let expanded: Vec<Option<Vec<i32>>> = columns
            .iter()
            .map(|(_, c)| match c {
                Column::Text(Factor {
                    codes: Codes::Runs(r),
                    ..
                }) => Some(r.expand()),
                _ => None,
            })
            .collect();
        let flat: Vec<(&str, Column<'_, S>)> = columns
            .iter()
            .zip(&expanded)
            .map(|((name, c), e)| {
                let c = match (c, e) {
                    (Column::Text(f), Some(codes)) => Column::Text(Factor {
                        codes: Codes::I32(codes),
                        values: f.values,
                    }),
                    (Column::Text(f), None) => Column::Text(Factor {
                        codes: f.codes,
                        values: f.values,
                    }),
                    (Column::Numbers(v), _) => Column::Numbers(v),
                    (Column::Other { len, dtype }, _) => Column::Other { len: *len, dtype },
                };
                (*name, c)
            })
            .collect();
        return rating_set(&flat, rubric);
    }
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
    set: Kept,
}

/// The ratings of a [`ScoringSet`].
#[derive(Debug, Clone)]
enum Kept {
    /// Scoring columns.
    Set(Box<RatingSet>),
    /// 4 bytes per rating (the one-pass path of `direct.rs`), expanded when used.
    Compact(direct::Compact),
}

impl ScoringSet {
    /// Number of assessed units (candidates, or candidate and cycle pairs).
    pub fn units(&self) -> usize {
        match &self.set {
            Kept::Set(set) => set.units(),
            Kept::Compact(c) => c.units(),
        }
    }

    /// `f` with the ratings as scoring columns.
    fn with_set<T>(&self, f: impl FnOnce(&RatingSet) -> T) -> T {
        match &self.set {
            Kept::Set(set) => f(set),
            Kept::Compact(c) => f(&c.rating_set()),
        }
    }

    /// [`Engine::assess`] of these ratings; `engine` must use the rubric they were read with.
    ///
    /// # Errors
    /// As [`Engine::assess`].
    pub fn assess(&self, engine: &Engine) -> Result<Vec<Assessment>, Error> {
        self.with_set(|set| engine.assess(set))
    }

    /// [`Engine::assessments_table`] of these ratings; `engine` must use the rubric they were
    /// read with.
    ///
    /// # Errors
    /// As [`Engine::assess`].
    pub fn assessments_table(&self, engine: &Engine) -> Result<Table, Error> {
        self.with_set(|set| engine.assessments_table(set))
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
    Ok(ScoringSet {
        set: Kept::Set(Box::new(set)),
    })
}

/// [`Engine::assessments_table`] of a table's ratings, with the ratings kept for building the
/// documents later: what [`scoring_set`] and [`ScoringSet::assessments_table`] give, in one
/// call.
///
/// Rows already in the set's order (candidate, cycle, rater, criterion, by name — survey
/// exports, sorted frames) with numeric scores and no rater adjustment are checked and scored
/// in one pass over the borrowed columns, without building the engine's rating columns, and
/// kept in 4 bytes per rating; with the `parallel` feature on several threads. Anything else
/// (and any error, reported as by [`rating_set`]) takes the general path.
///
/// # Errors
/// As [`rating_set`] and [`Engine::assess`].
///
/// # Example
/// ```
/// use readiness::columns::{assessments_table, Codes, Column, Factor};
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
/// let (table, kept) = assessments_table(&columns, &engine)?;
/// assert_eq!(table, kept.assessments_table(&engine)?);
/// assert_eq!(kept.assess(&engine)?.len(), 1);
/// # Ok::<(), readiness::Error>(())
/// ```
pub fn assessments_table<S: AsRef<str> + Sync>(
    columns: &[(&str, Column<'_, S>)],
    engine: &Engine,
) -> Result<(Table, ScoringSet), Error> {
    if let Some((table, kept)) = direct(columns, engine) {
        return Ok((
            table,
            ScoringSet {
                set: Kept::Compact(kept),
            },
        ));
    }
    let set = scoring_set(columns, engine.rubric())?;
    let table = set.assessments_table(engine)?;
    Ok((table, set))
}

/// The one-pass path of `direct.rs` for valid sorted input with numeric scores and no rater
/// adjustment; `None` otherwise (the caller then takes the general path).
fn direct<S: AsRef<str> + Sync>(
    columns: &[(&str, Column<'_, S>)],
    engine: &Engine,
) -> Option<(Table, direct::Compact)> {
    let mut seen = [false; 6];
    let (mut candidate, mut rater, mut group, mut criterion, mut cycle, mut score) =
        (None, None, None, None, None, None);
    for (name, c) in columns {
        let k = match *name {
            "candidate" => 0,
            "rater" => 1,
            "group" => 2,
            "criterion" => 3,
            "cycle" => 4,
            "score" => 5,
            "comment" => continue,
            _ => return None,
        };
        if std::mem::replace(&mut seen[k], true) {
            return None;
        }
        match (k, c) {
            (5, Column::Numbers(v)) => score = Some(*v),
            (0, Column::Text(f)) => candidate = Some(f),
            (1, Column::Text(f)) => rater = Some(f),
            (2, Column::Text(f)) => group = Some(f),
            (3, Column::Text(f)) => criterion = Some(f),
            (4, Column::Text(f)) => cycle = Some(f),
            _ => return None,
        }
    }
    let rows = columns.first().map_or(0, |(_, c)| c.len());
    if columns.iter().any(|(_, c)| c.len() != rows) {
        return None;
    }
    let ids = IdColumns {
        candidate: candidate?,
        rater: rater?,
        group: group?,
        criterion: criterion?,
        cycle,
    };
    direct::assess(&ids, score?, rows, engine)
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

    /// A sorted cohort as columns: duplicate candidate names under two codes, codes of every
    /// width, an optional cycle column with missing values, unrated rows, groups below their
    /// anonymity minimum.
    struct Cohort {
        cand: (Vec<i32>, Vec<String>),
        rater: (Vec<i64>, Vec<String>),
        group: (Vec<i8>, Vec<String>),
        crit: (Vec<i16>, Vec<String>),
        cycle: (Vec<i8>, Vec<String>),
        score: Vec<f64>,
    }

    fn cohort(n: usize, seed: u64) -> Cohort {
        let rubric = Rubric::standard();
        let mut next = crate::test_rng::splitmix64(seed);
        // Candidate values in reverse name order, one name twice.
        let mut cand_values: Vec<String> = (0..n).rev().map(|c| format!("e-{c:04}")).collect();
        cand_values.push(format!("e-{:04}", n / 2));
        let mut crit_values: Vec<String> = rubric.criterion_ids().map(String::from).collect();
        crit_values.reverse();
        let crit_count = crit_values.len();
        let group_values: Vec<String> = ["peer", "self", "direct_report", "manager"]
            .iter()
            .map(|g| (*g).to_string())
            .collect();
        let cycle_values = vec!["2026-Q2".to_string(), "2026-Q1".to_string()];
        let mut c = Cohort {
            cand: (Vec::new(), cand_values),
            rater: (Vec::new(), Vec::new()),
            group: (Vec::new(), group_values),
            crit: (Vec::new(), crit_values),
            cycle: (Vec::new(), cycle_values),
            score: Vec::new(),
        };
        for cand in 0..n {
            // Cycles in name order: missing (the empty name), then Q1, then Q2.
            let cycles: &[i8] = match cand % 3 {
                0 => &[-1],
                1 => &[1, 0],
                _ => &[0],
            };
            for &cy in cycles {
                // Raters in name order; their group is part of the name's order only by chance.
                let mut raters: Vec<(String, i8)> = Vec::new();
                for (g, count) in [(1, 1), (3, 1), (0, 1 + cand % 4), (2, cand % 5)] {
                    for r in 0..count {
                        raters.push((format!("r{cand}-{}-{r}", next() % 1000), g));
                    }
                }
                raters.sort();
                raters.dedup_by(|a, b| a.0 == b.0);
                for (name, g) in raters {
                    let code = c.rater.1.len() as i64;
                    c.rater.1.push(name);
                    for k in 0..crit_count {
                        let x = next();
                        let code_c = if cand == n / 2 && x.is_multiple_of(2) {
                            n as i32 // the repeated name
                        } else {
                            (n - 1 - cand) as i32
                        };
                        c.cand.0.push(code_c);
                        c.rater.0.push(code);
                        c.group.0.push(g);
                        // Values are in reverse rubric order.
                        c.crit.0.push((crit_count - 1 - k) as i16);
                        c.cycle.0.push(cy);
                        c.score.push(if x.is_multiple_of(17) {
                            f64::NAN
                        } else {
                            1.0 + ((x >> 8) % 5) as f64
                        });
                    }
                }
            }
        }
        c
    }

    impl Cohort {
        fn columns(&self, with_cycle: bool) -> Vec<(&'static str, Column<'_, String>)> {
            let mut cols = vec![
                (
                    "candidate",
                    Column::Text(Factor {
                        codes: Codes::I32(&self.cand.0),
                        values: &self.cand.1,
                    }),
                ),
                (
                    "rater",
                    Column::Text(Factor {
                        codes: Codes::I64(&self.rater.0),
                        values: &self.rater.1,
                    }),
                ),
                (
                    "group",
                    Column::Text(Factor {
                        codes: Codes::I8(&self.group.0),
                        values: &self.group.1,
                    }),
                ),
                (
                    "criterion",
                    Column::Text(Factor {
                        codes: Codes::I16(&self.crit.0),
                        values: &self.crit.1,
                    }),
                ),
                ("score", Column::Numbers(&self.score)),
            ];
            if with_cycle {
                cols.push((
                    "cycle",
                    Column::Text(Factor {
                        codes: Codes::I8(&self.cycle.0),
                        values: &self.cycle.1,
                    }),
                ));
            }
            cols
        }
    }

    /// Documents and flat table of `assessments_table` (the table it returns, the documents and
    /// table of what it keeps), and of the general (sorting) path.
    fn kept_and_general(
        cols: &[(&str, Column<'_, String>)],
        engine: &crate::Engine,
    ) -> ((String, Table, Table), (String, Table)) {
        let json = |docs: Result<Vec<Assessment>, Error>| {
            serde_json::to_string(&docs.unwrap_or_else(|e| unreachable!("{e}"))).unwrap_or_default()
        };
        let (table, kept) = assessments_table(cols, engine).unwrap_or_else(|e| unreachable!("{e}"));
        let again = kept
            .assessments_table(engine)
            .unwrap_or_else(|e| unreachable!("{e}"));
        let general = rating_set(cols, engine.rubric()).unwrap_or_else(|e| unreachable!("{e}"));
        (
            (json(kept.assess(engine)), table, again),
            (
                json(engine.assess(&general)),
                engine
                    .assessments_table(&general)
                    .unwrap_or_else(|e| unreachable!("{e}")),
            ),
        )
    }

    fn assert_same_scores(cols: &[(&str, Column<'_, String>)], engine: &crate::Engine) {
        let (kept, general) = kept_and_general(cols, engine);
        assert!(kept.0 == general.0, "documents");
        assert_eq!(kept.1, general.1, "table");
        assert_eq!(kept.2, general.1, "table of the kept ratings");
    }

    #[test]
    fn one_pass_scores_as_the_general_path() {
        let engine = crate::Engine::standard();
        for (n, seed) in [(0, 0), (1, 1), (7, 2), (60, 3), (400, 4)] {
            let c = cohort(n, seed);
            for with_cycle in [false, true] {
                let cols = c.columns(with_cycle);
                // Without cycles a candidate's rows of two cycles interleave raters: the
                // general path sorts them.
                let one_pass = with_cycle || n <= 1;
                assert_eq!(direct(&cols, &engine).is_some(), one_pass, "n = {n}");
                let units = direct(&cols, &engine).map(|(t, _)| t.rows());
                assert!(
                    !one_pass || units >= Some(n),
                    "n = {n}: every candidate scored"
                );
                assert_same_scores(&cols, &engine);
            }
        }
    }

    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    #[test]
    fn one_pass_is_the_same_on_several_threads() {
        let engine = crate::Engine::standard();
        let c = cohort(1500, 5);
        let cols = c.columns(true);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap_or_else(|e| unreachable!("{e}"));
            pool.install(|| {
                let (table, kept) = direct(&cols, &engine).unwrap_or_else(|| unreachable!());
                (table, kept.runs.len())
            })
        };
        let (one, runs) = run(1);
        assert_eq!(runs, 1);
        for threads in [2, 3] {
            let (many, runs) = run(threads);
            assert!(runs > 1, "{threads} threads: several runs");
            assert_eq!(one, many, "{threads} threads");
        }
        assert_same_scores(&cols, &engine);
    }

    /// `codes` as runs: `(ends, codes)`.
    fn runs_of<T: Copy + Into<i64>>(codes: &[T]) -> (Vec<usize>, Vec<i32>) {
        let (mut ends, mut out): (Vec<usize>, Vec<i32>) = (Vec::new(), Vec::new());
        for (i, &c) in codes.iter().enumerate() {
            let c = i32::try_from(c.into()).unwrap_or(-1);
            if out.last() == Some(&c) {
                if let Some(e) = ends.last_mut() {
                    *e = i + 1;
                }
            } else {
                ends.push(i + 1);
                out.push(c);
            }
        }
        (ends, out)
    }

    #[test]
    fn run_length_codes_score_as_one_code_per_row() {
        assert!(Runs::new(&[2, 2], &[0, 1]).is_none(), "empty run");
        assert!(Runs::new(&[0], &[0]).is_none(), "empty first run");
        assert!(Runs::new(&[3, 2], &[0, 1]).is_none(), "decreasing ends");
        assert!(Runs::new(&[1, 2], &[0]).is_none(), "lengths differ");
        let r = Runs::new(&[2, 5], &[7, -1]).unwrap_or_else(|| unreachable!());
        let codes = Codes::Runs(r);
        assert_eq!(codes.len(), 5);
        let got: Vec<i64> = (0..6).map(|i| codes.get(i)).collect();
        assert_eq!(got, [7, 7, -1, -1, -1, -1]);
        assert_eq!(r.expand(), [7, 7, -1, -1, -1]);
        let engine = crate::Engine::standard();
        for (n, seed) in [(1, 1), (60, 3), (400, 4)] {
            let c = cohort(n, seed);
            let cand = runs_of(&c.cand.0);
            let rater = runs_of(&c.rater.0);
            let group = runs_of(&c.group.0);
            let cycle = runs_of(&c.cycle.0);
            let crit = runs_of(&c.crit.0);
            for with_cycle in [false, true] {
                let flat = c.columns(with_cycle);
                let run_cols: Vec<(&str, Column<'_, String>)> = flat
                    .iter()
                    .map(|(name, col)| {
                        let r = match *name {
                            "candidate" => &cand,
                            "rater" => &rater,
                            "group" => &group,
                            "cycle" => &cycle,
                            "criterion" => &crit,
                            _ => return (*name, col.clone()),
                        };
                        let Column::Text(f) = col else { unreachable!() };
                        let runs = Runs::new(&r.0, &r.1).unwrap_or_else(|| unreachable!());
                        (
                            *name,
                            Column::Text(Factor {
                                codes: Codes::Runs(runs),
                                values: f.values,
                            }),
                        )
                    })
                    .collect();
                assert_eq!(
                    direct(&run_cols, &engine).is_some(),
                    direct(&flat, &engine).is_some(),
                    "n = {n}"
                );
                let (a, b) = (
                    kept_and_general(&run_cols, &engine),
                    kept_and_general(&flat, &engine),
                );
                assert!(a.0 .0 == b.0 .0 && a.1 .0 == b.1 .0, "n = {n}: documents");
                assert_eq!(a.0 .1, b.0 .1, "n = {n}: table");
                assert_eq!(a.1 .1, b.1 .1, "n = {n}: general table");
            }
        }
        // An error in a run-length column names its row, as with one code per row.
        let c = cohort(5, 9);
        let mut missing = c.rater.0.clone();
        missing[45] = -1;
        let r = runs_of(&missing);
        let runs = Runs::new(&r.0, &r.1).unwrap_or_else(|| unreachable!());
        let cols: Vec<(&str, Column<'_, String>)> = c
            .columns(true)
            .into_iter()
            .map(|(name, col)| match (name, col) {
                ("rater", Column::Text(f)) => (
                    name,
                    Column::Text(Factor {
                        codes: Codes::Runs(runs),
                        values: f.values,
                    }),
                ),
                other => other,
            })
            .collect();
        let err = assessments_table(&cols, &engine)
            .err()
            .map(|e| e.to_string());
        let err = err.unwrap_or_default();
        assert!(err.contains("45"), "{err}");
    }

    #[test]
    fn one_pass_refuses_what_it_cannot_take() {
        let c = cohort(5, 9);
        let engine = crate::Engine::standard();
        let rubric = Rubric::standard();
        // Two rows swapped: unsorted.
        let mut swapped = Cohort { ..cohort(5, 9) };
        swapped.score.swap(3, 40);
        swapped.crit.0.swap(3, 40);
        swapped.rater.0.swap(3, 40);
        swapped.group.0.swap(3, 40);
        swapped.cand.0.swap(3, 40);
        swapped.cycle.0.swap(3, 40);
        assert!(direct(&swapped.columns(true), &engine).is_none());
        assert_same_scores(&swapped.columns(true), &crate::Engine::standard());
        // Each error: the one pass refuses, the general path names the row.
        let cols = c.columns(true);
        let mut bad_score = c.score.clone();
        bad_score[7] = 9.0;
        let mut off_step = c.score.clone();
        off_step[7] = 2.5;
        let mut dup_crit = c.crit.0.clone();
        dup_crit[1] = dup_crit[0];
        let mut two_groups = c.group.0.clone();
        two_groups[1] = (two_groups[0] + 1) % 4;
        let mut unknown = c.crit.1.clone();
        unknown[0] = "no-such-criterion".to_string();
        let mut missing_rater = c.rater.0.clone();
        missing_rater[2] = -1;
        fn replace<'a>(
            cols: &[(&'static str, Column<'a, String>)],
            name: &str,
            col: Column<'a, String>,
        ) -> Vec<(&'static str, Column<'a, String>)> {
            cols.iter()
                .map(|(n, c)| (*n, if *n == name { col.clone() } else { c.clone() }))
                .collect()
        }
        let text = |codes, values| Column::Text(Factor { codes, values });
        for (case, code, row) in [
            (
                replace(&cols, "score", Column::Numbers(&bad_score)),
                "score_out_of_scale",
                7,
            ),
            (
                replace(&cols, "score", Column::Numbers(&off_step)),
                "score_off_step",
                7,
            ),
            (
                replace(&cols, "criterion", text(Codes::I16(&dup_crit), &c.crit.1)),
                "duplicate_rating",
                1,
            ),
            (
                replace(&cols, "group", text(Codes::I8(&two_groups), &c.group.1)),
                "rater_in_two_groups",
                1,
            ),
            (
                replace(&cols, "rater", text(Codes::I64(&missing_rater), &c.rater.1)),
                "missing_value",
                2,
            ),
        ] {
            assert!(direct(&case, &engine).is_none(), "{code}");
            assert_eq!(
                assessments_table(&case, &engine).err().map(|e| e.code()),
                Some(code)
            );
            let err = scoring_set(&case, &rubric).err();
            assert_eq!(err.as_ref().map(RatingsError::code), Some(code));
            assert_eq!(err.map(|e| e.location()), Some(Location::Index(row)));
        }
        let case = replace(&cols, "criterion", text(Codes::I16(&c.crit.0), &unknown));
        assert!(direct(&case, &engine).is_none());
        assert_eq!(
            scoring_set(&case, &rubric).err().map(|e| e.code()),
            Some("unknown_criterion")
        );
    }
}
