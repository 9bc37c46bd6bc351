//! The optional tables of a cohort report, keyed by candidate: attributes, past promotion
//! decisions and human overrides of levels. Each has a CSV reader that names the line of any
//! problem (the header is line 1) and a check against the ratings and rubric.

use crate::error::{clip, one_of, CohortError, Location};
use crate::ratings::RatingSet;
use crate::rubric::Rubric;
use indexmap::IndexMap;
use std::collections::HashMap;

/// Attribute values per candidate (any columns: gender, age band, site, tenure…).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes {
    /// Attribute columns, in header order (without `candidate`).
    pub columns: Vec<String>,
    /// One row per candidate.
    pub rows: Vec<AttributeRow>,
}

/// The attribute values of one candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeRow {
    /// Candidate id.
    pub candidate: String,
    /// Column → value; an empty or absent value is reported as the group `(missing)`.
    pub values: IndexMap<String, String>,
    /// Where the row came from (used in errors).
    pub location: Location,
}

/// A past promotion decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Candidate id.
    pub candidate: String,
    /// Whether the candidate was promoted.
    pub promoted: bool,
    /// Date of the decision, as given (optional).
    pub date: Option<String>,
    /// Where the row came from.
    pub location: Location,
}

/// A human override of a candidate's level.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Candidate id.
    pub candidate: String,
    /// The final level (one of the rubric's levels).
    pub level: String,
    /// Why the computed level was overridden (required, non-empty).
    pub reason: String,
    /// Who decided.
    pub author: String,
    /// When, as given.
    pub date: String,
    /// The cycle the override applies to; `None` means the candidate's latest cycle.
    pub cycle: Option<String>,
    /// Where the row came from.
    pub location: Location,
}

/// Everything besides ratings and rubric that a cohort report can use; every part is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CohortInputs {
    /// Attributes for the fairness section.
    pub attributes: Option<Attributes>,
    /// Past decisions for the decision audit.
    pub decisions: Option<Vec<Decision>>,
    /// Human overrides of levels.
    pub overrides: Vec<Override>,
}

impl CohortInputs {
    /// Checks every table against the ratings and rubric: known candidates (and cycles), no
    /// duplicate keys, known levels, overrides with a reason, author and date.
    ///
    /// # Errors
    /// The first problem, as a [`CohortError`] naming the row.
    pub fn validate(&self, ratings: &RatingSet, rubric: &Rubric) -> Result<(), CohortError> {
        if let Some(a) = &self.attributes {
            validate_attributes(a, ratings)?;
        }
        if let Some(d) = &self.decisions {
            validate_decisions(d, ratings)?;
        }
        validate_overrides(&self.overrides, ratings, rubric)
    }
}

// The maps below hold indexes (of spans, rows) rather than locations or unit values: the
// cohort report's cold maps share the key/value types `HashMap<&str, usize>` and
// `HashMap<(&str, &str), usize>` (each type compiles its own hash table code; size budget,
// issue 6).

fn validate_attributes(a: &Attributes, ratings: &RatingSet) -> Result<(), CohortError> {
    let known = candidate_set(ratings);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, row) in a.rows.iter().enumerate() {
        check_key(&known, &mut seen, "attributes", &row.candidate, i, &|j| {
            a.rows[j].location
        })?;
    }
    Ok(())
}

fn validate_decisions(ds: &[Decision], ratings: &RatingSet) -> Result<(), CohortError> {
    let known = candidate_set(ratings);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, d) in ds.iter().enumerate() {
        check_key(&known, &mut seen, "decisions", &d.candidate, i, &|j| {
            ds[j].location
        })?;
    }
    Ok(())
}

fn validate_overrides(
    overrides: &[Override],
    ratings: &RatingSet,
    rubric: &Rubric,
) -> Result<(), CohortError> {
    let known = candidate_set(ratings);
    let cycles: HashMap<(&str, &str), usize> = ratings
        .spans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                (
                    ratings.candidates.name(s.cand),
                    ratings.cycles.name(s.cycle),
                ),
                i,
            )
        })
        .collect();
    // Each override's key (candidate, or candidate@cycle), for the duplicate check.
    let keys: Vec<String> = overrides
        .iter()
        .map(|o| match &o.cycle {
            Some(c) => format!("{}@{}", o.candidate, c),
            None => o.candidate.clone(),
        })
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, o) in overrides.iter().enumerate() {
        let loc = o.location;
        if o.candidate.is_empty() {
            return Err(CohortError::MissingValue {
                table: "overrides",
                location: loc,
                column: "candidate",
            });
        }
        if o.reason.trim().is_empty() {
            return Err(CohortError::OverrideWithoutReason {
                location: loc,
                candidate: clip(&o.candidate),
            });
        }
        for (column, v) in [
            ("level", &o.level),
            ("author", &o.author),
            ("date", &o.date),
        ] {
            if v.trim().is_empty() {
                return Err(CohortError::MissingValue {
                    table: "overrides",
                    location: loc,
                    column,
                });
            }
        }
        if !known.contains_key(o.candidate.as_str()) {
            return Err(CohortError::UnknownCandidate {
                table: "overrides",
                location: loc,
                candidate: clip(&o.candidate),
            });
        }
        if !rubric.policy.levels.iter().any(|l| l.id == o.level) {
            return Err(CohortError::InvalidValue {
                table: "overrides",
                location: loc,
                column: "level",
                message: format!(
                    "must be one of {{{}}}, got '{}'",
                    one_of(rubric.policy.levels.iter().map(|l| l.id.as_str())),
                    clip(&o.level)
                ),
            });
        }
        if let Some(c) = &o.cycle {
            if !cycles.contains_key(&(o.candidate.as_str(), c.as_str())) {
                return Err(CohortError::InvalidValue {
                    table: "overrides",
                    location: loc,
                    column: "cycle",
                    message: format!(
                        "'{}' has no ratings of candidate '{}'",
                        clip(c),
                        clip(&o.candidate)
                    ),
                });
            }
        }
        let key = keys[i].as_str();
        if let Some(&first) = seen.get(key) {
            return Err(CohortError::DuplicateKey {
                table: "overrides",
                location: loc,
                first: overrides[first].location,
                key: clip(key),
            });
        }
        seen.insert(key, i);
    }
    Ok(())
}

/// The candidates with ratings (each with one of its spans).
fn candidate_set(ratings: &RatingSet) -> HashMap<&str, usize> {
    ratings
        .spans
        .iter()
        .enumerate()
        .map(|(i, s)| (ratings.candidates.name(s.cand), i))
        .collect()
}

/// Checks row `index`'s candidate: present, rated, not seen before (`seen` maps candidates to
/// their first row, whose location `location_of` gives).
fn check_key<'a>(
    known: &HashMap<&str, usize>,
    seen: &mut HashMap<&'a str, usize>,
    table: &'static str,
    candidate: &'a str,
    index: usize,
    location_of: &dyn Fn(usize) -> Location,
) -> Result<(), CohortError> {
    let loc = location_of(index);
    if candidate.is_empty() {
        return Err(CohortError::MissingValue {
            table,
            location: loc,
            column: "candidate",
        });
    }
    if !known.contains_key(candidate) {
        return Err(CohortError::UnknownCandidate {
            table,
            location: loc,
            candidate: clip(candidate),
        });
    }
    if let Some(&first) = seen.get(candidate) {
        return Err(CohortError::DuplicateKey {
            table,
            location: loc,
            first: location_of(first),
            key: clip(candidate),
        });
    }
    seen.insert(candidate, index);
    Ok(())
}

/// A CSV table read into header and rows, with each row's line.
struct Table {
    header: Vec<String>,
    rows: Vec<(Location, Vec<String>)>,
}

fn read_csv(text: &str, table: &'static str) -> Result<Table, CohortError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let syntax = |e: csv::Error| {
        let location = e
            .position()
            .map_or(Location::Input, |p| Location::Line(p.line()));
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => {
                format!("expected {expected_len} fields, found {len}")
            }
            csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".to_string(),
            _ => "malformed CSV".to_string(),
        };
        CohortError::Syntax {
            table,
            location,
            message,
        }
    };
    let header: Vec<String> = rdr
        .headers()
        .map_err(syntax)?
        .iter()
        .map(str::to_string)
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        if seen.insert(h.as_str(), i).is_some() {
            return Err(CohortError::Syntax {
                table,
                location: Location::Line(1),
                message: format!("column `{}` appears twice in the header", clip(h)),
            });
        }
    }
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(syntax)?;
        let line = rec.position().map_or(0, |p| p.line());
        rows.push((
            Location::Line(line),
            rec.iter().map(str::to_string).collect(),
        ));
    }
    Ok(Table { header, rows })
}

/// Positions of `columns` in the header; required ones must be present, and no other column is
/// allowed.
fn columns(
    t: &Table,
    table: &'static str,
    required: &[&str],
    optional: &[&str],
) -> Result<Vec<Option<usize>>, CohortError> {
    for h in &t.header {
        if !required.contains(&h.as_str()) && !optional.contains(&h.as_str()) {
            return Err(CohortError::UnknownColumn {
                table,
                location: Location::Line(1),
                column: clip(h),
                expected: one_of(required.iter().chain(optional).copied()),
            });
        }
    }
    let mut out = Vec::new();
    for c in required {
        match t.header.iter().position(|h| h == c) {
            Some(i) => out.push(Some(i)),
            None => {
                return Err(CohortError::MissingColumn {
                    table,
                    location: Location::Line(1),
                    column: (*c).to_string(),
                    required: one_of(required.iter().copied()),
                })
            }
        }
    }
    for c in optional {
        out.push(t.header.iter().position(|h| h == c));
    }
    Ok(out)
}

fn cell(row: &[String], i: Option<usize>) -> &str {
    i.and_then(|i| row.get(i)).map_or("", String::as_str)
}

/// Reads an attributes table: a `candidate` column and any number of attribute columns. Empty
/// values are kept and reported as the group `(missing)`.
///
/// # Errors
/// [`CohortError`] naming the line: invalid CSV, no `candidate` column, an empty candidate, a
/// candidate not in the ratings, a candidate given twice.
///
/// # Example
/// ```
/// use readiness::{cohort::inputs::parse_attributes, RatingSet, Rubric};
/// let ratings = RatingSet::from_csv_str(
///     "candidate,rater,group,criterion,score\ne-1,m-1,manager,listens,4\n", &Rubric::standard())?;
/// let a = parse_attributes("candidate,site\ne-1,north\n", &ratings)?;
/// assert_eq!(a.rows[0].values["site"], "north");
/// let err = parse_attributes("candidate,site\ne-1,north\ne-1,south\n", &ratings).unwrap_err();
/// assert_eq!((err.code(), err.location().row()), ("duplicate_key", Some(3)));
/// # Ok::<(), readiness::Error>(())
/// ```
pub fn parse_attributes(text: &str, ratings: &RatingSet) -> Result<Attributes, CohortError> {
    let t = read_csv(text, "attributes")?;
    let Some(ci) = t.header.iter().position(|h| h == "candidate") else {
        return Err(CohortError::MissingColumn {
            table: "attributes",
            location: Location::Line(1),
            column: "candidate".into(),
            required: "candidate".into(),
        });
    };
    let cols: Vec<(usize, String)> = t
        .header
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != ci)
        .map(|(i, h)| (i, h.clone()))
        .collect();
    let rows = t
        .rows
        .iter()
        .map(|(loc, r)| AttributeRow {
            candidate: cell(r, Some(ci)).to_string(),
            values: cols
                .iter()
                .map(|(i, h)| (h.clone(), cell(r, Some(*i)).to_string()))
                .collect(),
            location: *loc,
        })
        .collect();
    let a = Attributes {
        columns: cols.into_iter().map(|(_, h)| h).collect(),
        rows,
    };
    validate_attributes(&a, ratings)?;
    Ok(a)
}

/// Reads a decisions table: `candidate`, `promoted` (`true`/`false`, `yes`/`no`, `1`/`0`) and
/// an optional `date`.
///
/// # Errors
/// [`CohortError`] naming the line: invalid CSV, a missing or unknown column, a `promoted`
/// value that is not a boolean, a candidate not in the ratings or given twice.
///
/// # Example
/// ```
/// use readiness::{cohort::inputs::parse_decisions, RatingSet, Rubric};
/// let ratings = RatingSet::from_csv_str(
///     "candidate,rater,group,criterion,score\ne-1,m-1,manager,listens,4\n", &Rubric::standard())?;
/// let d = parse_decisions("candidate,promoted,date\ne-1,yes,2025-06-30\n", &ratings)?;
/// assert!(d[0].promoted);
/// let err = parse_decisions("candidate,promoted\ne-9,no\n", &ratings).unwrap_err();
/// assert_eq!((err.code(), err.location().row()), ("unknown_candidate", Some(2)));
/// # Ok::<(), readiness::Error>(())
/// ```
pub fn parse_decisions(text: &str, ratings: &RatingSet) -> Result<Vec<Decision>, CohortError> {
    let t = read_csv(text, "decisions")?;
    let c = columns(&t, "decisions", &["candidate", "promoted"], &["date"])?;
    let mut out = Vec::with_capacity(t.rows.len());
    for (loc, r) in &t.rows {
        let raw = cell(r, c[1]);
        let promoted = match raw.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "y" => true,
            "false" | "no" | "0" | "n" => false,
            "" => {
                return Err(CohortError::MissingValue {
                    table: "decisions",
                    location: *loc,
                    column: "promoted",
                })
            }
            _ => {
                return Err(CohortError::InvalidValue {
                    table: "decisions",
                    location: *loc,
                    column: "promoted",
                    message: format!(
                        "must be one of {{true, false, yes, no, 1, 0}}, got '{}'",
                        clip(raw)
                    ),
                })
            }
        };
        let date = Some(cell(r, c[2]).to_string()).filter(|d| !d.is_empty());
        out.push(Decision {
            candidate: cell(r, c[0]).to_string(),
            promoted,
            date,
            location: *loc,
        });
    }
    validate_decisions(&out, ratings)?;
    Ok(out)
}

/// Reads an overrides table: `candidate`, `level`, `reason`, `author`, `date` and an optional
/// `cycle` (empty: the candidate's latest cycle).
///
/// # Errors
/// [`CohortError`] naming the line: invalid CSV, a missing or unknown column, an override
/// without a reason ([`CohortError::OverrideWithoutReason`]), author or date, an unknown level,
/// a candidate (or cycle) not in the ratings, a candidate overridden twice for one cycle.
///
/// # Example
/// ```
/// use readiness::{cohort::inputs::parse_overrides, RatingSet, Rubric};
/// let rubric = Rubric::standard();
/// let ratings = RatingSet::from_csv_str(
///     "candidate,rater,group,criterion,score\ne-1,m-1,manager,listens,4\n", &rubric)?;
/// let text = "candidate,level,reason,author,date\ne-1,ready_1_2_years,,hr-1,2026-03-01\n";
/// let err = parse_overrides(text, &ratings, &rubric).unwrap_err();
/// assert_eq!((err.code(), err.location().row()), ("override_without_reason", Some(2)));
/// # Ok::<(), readiness::Error>(())
/// ```
pub fn parse_overrides(
    text: &str,
    ratings: &RatingSet,
    rubric: &Rubric,
) -> Result<Vec<Override>, CohortError> {
    let t = read_csv(text, "overrides")?;
    let c = columns(
        &t,
        "overrides",
        &["candidate", "level", "reason", "author", "date"],
        &["cycle"],
    )?;
    let out: Vec<Override> = t
        .rows
        .iter()
        .map(|(loc, r)| Override {
            candidate: cell(r, c[0]).to_string(),
            level: cell(r, c[1]).to_string(),
            reason: cell(r, c[2]).to_string(),
            author: cell(r, c[3]).to_string(),
            date: cell(r, c[4]).to_string(),
            cycle: Some(cell(r, c[5]).to_string()).filter(|x| !x.is_empty()),
            location: *loc,
        })
        .collect();
    validate_overrides(&out, ratings, rubric)?;
    Ok(out)
}
