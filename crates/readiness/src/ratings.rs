//! Ratings: read from CSV, JSON or records, validated against a rubric, stored column-wise.
//!
//! Ids are interned to integers and ratings are kept as parallel columns sorted by
//! (candidate, cycle, rater, criterion), so scoring a cohort is a few linear passes.

use crate::error::{clip, one_of, Location, RatingsError};
use crate::rubric::Rubric;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::hash_map::{Entry, RandomState};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

/// Input limits that protect the engine against hostile inputs; exceeding one is a
/// [`RatingsError::LimitExceeded`] (code `limit_exceeded`). Memory grows with the number of
/// ratings, not with id or text lengths beyond `max_id_len` (measured peaks in `SECURITY.md`).
///
/// # Example
/// ```
/// use readiness::{Limits, RatingSet, Rubric};
/// let limits = Limits { max_input_bytes: 16, ..Limits::default() };
/// let csv = "candidate,rater,group,criterion,score\ne-1,m-1,manager,listens,4\n";
/// let err = RatingSet::from_csv_reader_with_limits(csv.as_bytes(), &Rubric::standard(), &limits)
///     .unwrap_err();
/// assert_eq!(err.code(), "limit_exceeded");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Most ratings accepted in one input.
    pub max_ratings: u64,
    /// Longest id (candidate, rater, cycle) in bytes.
    pub max_id_len: usize,
    /// Largest input in bytes (CSV or JSON text), checked while reading.
    pub max_input_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // 20 million ratings (a cohort of 100 000 candidates with 10 raters on 20
            // criteria) need about 1 GB while being sorted; more is refused.
            max_ratings: 20_000_000,
            max_id_len: 256,
            max_input_bytes: 1 << 30,
        }
    }
}

/// One rating, as a record (the JSON and API form of a CSV row).
///
/// # Example
/// ```
/// let r = readiness::Rating::new("e-1", "m-1", "manager", "listens", Some(4.0));
/// assert_eq!(r.group, "manager");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// Candidate id.
    pub candidate: String,
    /// Rater id.
    pub rater: String,
    /// Rater group id (`self`, `manager`, `peer`, `direct_report`, …).
    pub group: String,
    /// Criterion id.
    pub criterion: String,
    /// Score on the rubric's scale; `None` means not rated.
    #[serde(default)]
    pub score: Option<f64>,
    /// Optional cycle label (for example `2026-Q1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle: Option<String>,
    /// Optional free-text comment (never used in scores, never echoed in errors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Rating {
    /// A rating without cycle or comment.
    pub fn new(
        candidate: &str,
        rater: &str,
        group: &str,
        criterion: &str,
        score: Option<f64>,
    ) -> Rating {
        Rating {
            candidate: candidate.into(),
            rater: rater.into(),
            group: group.into(),
            criterion: criterion.into(),
            score,
            cycle: None,
            comment: None,
        }
    }
}

/// Interns strings to dense `u32` ids.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interner {
    /// Ids by the hash of their name (the standard library's keyed SipHash, so an input cannot
    /// aim at collisions): 16 bytes per name and no copy of it, and growing the table moves
    /// hashes instead of hashing the names again.
    by_hash: HashMap<u64, u32, PassHash>,
    /// Names whose hash an earlier name already has (a 64-bit collision, practically never).
    collided: HashMap<String, u32>,
    hasher: RandomState,
    names: Vec<String>,
    /// The id returned last: inputs list a candidate's (and a rater's) ratings together, so
    /// most lookups are the previous one again and skip hashing.
    last: u32,
}

impl Interner {
    /// An interner holding `names` (distinct) as ids `0..`; the lookup table is built on the
    /// first [`Interner::intern`], so sets built column-wise never pay for it.
    pub(crate) fn from_names(names: Vec<String>) -> Interner {
        Interner {
            names,
            ..Interner::default()
        }
    }

    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        if self
            .names
            .get(self.last as usize)
            .is_some_and(|n| n.as_str() == s)
        {
            return self.last;
        }
        if self.by_hash.is_empty() && !self.names.is_empty() {
            self.index_names();
        }
        let next = self.names.len() as u32;
        let id = match self.by_hash.entry(self.hasher.hash_one(s)) {
            Entry::Vacant(v) => *v.insert(next),
            Entry::Occupied(o) if self.names.get(*o.get() as usize).is_some_and(|n| n == s) => {
                *o.get()
            }
            Entry::Occupied(_) => *self.collided.entry(s.to_string()).or_insert(next),
        };
        if id == next {
            self.names.push(s.to_string());
        }
        self.last = id;
        id
    }

    /// Builds the lookup tables of `names` (after [`Interner::from_names`]).
    fn index_names(&mut self) {
        self.by_hash.clear();
        self.collided.clear();
        for (id, name) in (0u32..).zip(&self.names) {
            match self.by_hash.entry(self.hasher.hash_one(name)) {
                Entry::Vacant(v) => {
                    v.insert(id);
                }
                Entry::Occupied(_) => {
                    self.collided.insert(name.clone(), id);
                }
            }
        }
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

/// Hashes a `u64` that is already a keyed hash to itself (the [`Interner`]'s table).
#[derive(Debug, Clone, Copy, Default)]
struct PassHash;

impl BuildHasher for PassHash {
    type Hasher = PassHasher;
    fn build_hasher(&self) -> PassHasher {
        PassHasher(0)
    }
}

#[derive(Debug)]
struct PassHasher(u64);

impl Hasher for PassHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Validated ratings for one rubric, stored column-wise and sorted by
/// (candidate, cycle, rater, criterion).
///
/// Build it with [`RatingSet::from_csv_str`], [`RatingSet::from_json_str`],
/// [`RatingSet::from_records`] or a [`RatingSetBuilder`].
#[derive(Debug, Clone)]
pub struct RatingSet {
    pub(crate) candidates: Interner,
    pub(crate) raters: Interner,
    pub(crate) cycles: Interner,
    pub(crate) has_cycle: bool,
    pub(crate) cand: Vec<u32>,
    /// Cycle ids; read only when `has_cycle` (sets built column-wise leave it empty without).
    pub(crate) cycle: Vec<u32>,
    pub(crate) rater: Vec<u32>,
    pub(crate) group: Vec<u16>,
    pub(crate) crit: Vec<u32>,
    /// Scores; NaN marks "not rated".
    pub(crate) score: Vec<f64>,
    /// (candidate, cycle, start, end) of each assessed unit, in output order.
    pub(crate) spans: Vec<Span>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub cand: u32,
    pub cycle: u32,
    pub start: usize,
    pub end: usize,
}

impl RatingSet {
    /// A set without ratings (`has_cycle`: whether it has a cycle column).
    pub(crate) fn empty(has_cycle: bool) -> RatingSet {
        RatingSet {
            candidates: Interner::default(),
            raters: Interner::default(),
            cycles: Interner::default(),
            has_cycle,
            cand: Vec::new(),
            cycle: Vec::new(),
            rater: Vec::new(),
            group: Vec::new(),
            crit: Vec::new(),
            score: Vec::new(),
            spans: Vec::new(),
        }
    }

    /// Number of ratings (rows), including rows without a score.
    pub fn len(&self) -> usize {
        self.score.len()
    }

    /// Whether there are no ratings.
    pub fn is_empty(&self) -> bool {
        self.score.is_empty()
    }

    /// Number of ratings with a score.
    pub fn scored(&self) -> usize {
        self.score.iter().filter(|s| !s.is_nan()).count()
    }

    /// Number of assessed units: candidates, or (candidate, cycle) pairs when cycles are given.
    pub fn units(&self) -> usize {
        self.spans.len()
    }

    /// Whether the ratings carry cycle labels.
    pub fn has_cycles(&self) -> bool {
        self.has_cycle
    }

    /// Reads ratings from CSV text (header `candidate,rater,group,criterion,score`, optional
    /// `cycle` and `comment`, in any order). An empty score means not rated.
    ///
    /// # Errors
    /// [`RatingsError`] naming the line and the value: a missing or unknown column, an unknown
    /// criterion or group, a score that is not a number, not finite, outside the scale or off
    /// its step, a duplicate rating, or a rater in two groups for one candidate.
    ///
    /// # Example
    /// ```
    /// use readiness::{RatingSet, Rubric};
    /// let csv = "candidate,rater,group,criterion,score\ne-1,m-1,manager,listens,4\n";
    /// let set = RatingSet::from_csv_str(csv, &Rubric::standard()).unwrap();
    /// assert_eq!(set.len(), 1);
    /// let bad = "candidate,rater,group,criterion,score\ne-1,m-1,manager,listens,7\n";
    /// let err = RatingSet::from_csv_str(bad, &Rubric::standard()).unwrap_err();
    /// assert_eq!(err.code(), "score_out_of_scale");
    /// assert_eq!(err.location().row(), Some(2));
    /// ```
    pub fn from_csv_str(text: &str, rubric: &Rubric) -> Result<RatingSet, RatingsError> {
        RatingSet::from_csv_reader(text.as_bytes(), rubric)
    }

    /// Reads ratings from any CSV byte source (a file, stdin). A UTF-8 byte-order mark is
    /// skipped; CRLF line ends are accepted.
    ///
    /// # Errors
    /// As [`RatingSet::from_csv_str`].
    pub fn from_csv_reader<R: std::io::Read>(
        reader: R,
        rubric: &Rubric,
    ) -> Result<RatingSet, RatingsError> {
        RatingSet::from_csv_reader_with_limits(reader, rubric, &Limits::default())
    }

    /// Reads ratings from a CSV byte source within `limits`.
    ///
    /// # Errors
    /// As [`RatingSet::from_csv_str`], and [`RatingsError::LimitExceeded`] when the input, the
    /// number of ratings or an id exceeds `limits`.
    pub fn from_csv_reader_with_limits<R: std::io::Read>(
        reader: R,
        rubric: &Rubric,
        limits: &Limits,
    ) -> Result<RatingSet, RatingsError> {
        let mut reader = BomSkipper::new(SizeLimited {
            inner: reader,
            limit: limits.max_input_bytes,
            read: 0,
        });
        // Fields are read as bytes and trimmed here (as `Trim::All` would, Unicode whitespace
        // included) without the two record copies per row the csv crate's trimming makes.
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::Headers)
            .flexible(false)
            .from_reader(&mut reader);
        let headers = rdr.headers().map_err(|e| csv_error(&e))?.clone();
        let mut cols = [usize::MAX; 7];
        const NAMES: [&str; 7] = [
            "candidate",
            "rater",
            "group",
            "criterion",
            "score",
            "cycle",
            "comment",
        ];
        for (i, h) in headers.iter().enumerate() {
            match NAMES.iter().position(|n| *n == h) {
                Some(k) if cols[k] == usize::MAX => cols[k] = i,
                Some(_) => {
                    return Err(RatingsError::Syntax {
                        location: Location::Line(1),
                        format: "CSV",
                        message: format!("column `{h}` appears twice in the header"),
                    })
                }
                None => {
                    return Err(RatingsError::UnknownColumn {
                        location: Location::Line(1),
                        column: clip(h),
                    })
                }
            }
        }
        for (k, name) in NAMES.iter().enumerate().take(5) {
            if cols[k] == usize::MAX {
                return Err(RatingsError::MissingColumn {
                    location: Location::Line(1),
                    column: (*name).to_string(),
                });
            }
        }
        let mut b = RatingSetBuilder::new(rubric).with_limits(limits.clone());
        b.has_cycle = cols[5] != usize::MAX;
        let mut record = csv::ByteRecord::new();
        loop {
            match rdr.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(&e)),
            }
            let line = record.position().map_or(0, |p| p.line());
            let loc = Location::Line(line);
            // Every field must be UTF-8 (as a `StringRecord` requires), the comment included:
            // the record's bytes are checked at once, then that no field starts inside a
            // multi-byte character (one field's bytes ending in the middle of one).
            let text = std::str::from_utf8(record.as_slice()).ok().filter(|text| {
                (1..record.len()).all(|i| {
                    record
                        .range(i)
                        .is_some_and(|r| text.is_char_boundary(r.start))
                })
            });
            let Some(text) = text else {
                return Err(RatingsError::Syntax {
                    location: loc,
                    format: "CSV",
                    message: "invalid UTF-8".to_string(),
                });
            };
            let mut fields: [&str; 6] = [""; 6];
            for (k, field) in fields.iter_mut().enumerate() {
                *field = record
                    .range(cols[k])
                    .and_then(|r| text.get(r))
                    .map_or("", trim);
            }
            let score = parse_score(fields[4], loc, &rubric.scale)?;
            let cycle = (cols[5] != usize::MAX).then_some(fields[5]);
            b.push_at(
                fields[0], fields[1], fields[2], fields[3], score, cycle, loc,
            )?;
        }
        b.finish()
    }

    /// Reads ratings from a JSON array of objects with the fields of [`Rating`].
    ///
    /// # Errors
    /// As [`RatingSet::from_csv_str`], with the array index as the row.
    pub fn from_json_str(text: &str, rubric: &Rubric) -> Result<RatingSet, RatingsError> {
        RatingSet::from_json_str_with_limits(text, rubric, &Limits::default())
    }

    /// Reads ratings from JSON text within `limits`.
    ///
    /// # Errors
    /// As [`RatingSet::from_json_str`], and [`RatingsError::LimitExceeded`] when the input, the
    /// number of ratings or an id exceeds `limits`.
    pub fn from_json_str_with_limits(
        text: &str,
        rubric: &Rubric,
        limits: &Limits,
    ) -> Result<RatingSet, RatingsError> {
        if text.len() as u64 > limits.max_input_bytes {
            return Err(RatingsError::LimitExceeded {
                location: Location::Input,
                what: format!("input size ({} bytes)", text.len()),
                limit: limits.max_input_bytes,
            });
        }
        // A byte-order mark is skipped, as in CSV.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| RatingsError::Syntax {
                location: Location::Input,
                format: "JSON",
                message: e.to_string(),
            })?;
        RatingSet::from_json_value_with_limits(&value, rubric, limits)
    }

    /// Reads ratings from a JSON value: an array of objects with the fields of [`Rating`].
    ///
    /// # Errors
    /// As [`RatingSet::from_json_str`].
    pub fn from_json_value(
        value: &serde_json::Value,
        rubric: &Rubric,
    ) -> Result<RatingSet, RatingsError> {
        RatingSet::from_json_value_with_limits(value, rubric, &Limits::default())
    }

    /// Reads ratings from a JSON value within `limits` (all but `max_input_bytes` apply).
    ///
    /// # Errors
    /// As [`RatingSet::from_json_str_with_limits`].
    pub fn from_json_value_with_limits(
        value: &serde_json::Value,
        rubric: &Rubric,
        limits: &Limits,
    ) -> Result<RatingSet, RatingsError> {
        let items = value.as_array().ok_or_else(|| RatingsError::Syntax {
            location: Location::Input,
            format: "JSON",
            message: "expected an array of rating objects".into(),
        })?;
        let mut b = RatingSetBuilder::new(rubric).with_limits(limits.clone());
        b.has_cycle = items
            .iter()
            .any(|v| v.get("cycle").is_some_and(|c| !c.is_null()));
        for (i, item) in items.iter().enumerate() {
            let loc = Location::Index(i as u64);
            let obj = item.as_object().ok_or_else(|| RatingsError::Syntax {
                location: loc,
                format: "JSON",
                message: "expected an object".into(),
            })?;
            for key in obj.keys() {
                if !matches!(
                    key.as_str(),
                    "candidate" | "rater" | "group" | "criterion" | "score" | "cycle" | "comment"
                ) {
                    return Err(RatingsError::UnknownColumn {
                        location: loc,
                        column: clip(key),
                    });
                }
            }
            let text = |name: &'static str, required: bool| -> Result<&str, RatingsError> {
                match obj.get(name) {
                    Some(serde_json::Value::String(s)) => Ok(s.as_str()),
                    None | Some(serde_json::Value::Null) if !required => Ok(""),
                    None => Err(RatingsError::MissingColumn {
                        location: loc,
                        column: name.into(),
                    }),
                    Some(other) => Err(RatingsError::WrongType {
                        location: loc,
                        column: name,
                        message: format!("must be a string, got {}", json_type(other)),
                    }),
                }
            };
            let candidate = text("candidate", true)?;
            let rater = text("rater", true)?;
            let group = text("group", true)?;
            let criterion = text("criterion", true)?;
            let cycle = text("cycle", false)?;
            if let Some(c) = obj.get("comment") {
                if !(c.is_string() || c.is_null()) {
                    return Err(RatingsError::WrongType {
                        location: loc,
                        column: "comment",
                        message: format!("must be a string, got {}", json_type(c)),
                    });
                }
            }
            let score = match obj.get("score") {
                None => {
                    return Err(RatingsError::MissingColumn {
                        location: loc,
                        column: "score".into(),
                    })
                }
                Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::Number(n)) => match n.as_f64() {
                    Some(x) => Some(x),
                    None => {
                        return Err(RatingsError::NotNumeric {
                            location: loc,
                            value: clip(&n.to_string()),
                            min: rubric.scale.min,
                            max: rubric.scale.max,
                        })
                    }
                },
                Some(serde_json::Value::String(s)) => parse_score(s, loc, &rubric.scale)?,
                Some(other) => {
                    return Err(RatingsError::WrongType {
                        location: loc,
                        column: "score",
                        message: format!("must be a number or null, got {}", json_type(other)),
                    })
                }
            };
            let cycle = b.has_cycle.then_some(cycle);
            b.push_at(candidate, rater, group, criterion, score, cycle, loc)?;
        }
        b.finish()
    }

    /// Builds a rating set from records (index in the slice is the row in errors).
    ///
    /// # Errors
    /// As [`RatingSet::from_csv_str`].
    pub fn from_records(records: &[Rating], rubric: &Rubric) -> Result<RatingSet, RatingsError> {
        let mut b = RatingSetBuilder::new(rubric);
        b.has_cycle = records.iter().any(|r| r.cycle.is_some());
        for (i, r) in records.iter().enumerate() {
            let cycle = if b.has_cycle {
                Some(r.cycle.as_deref().unwrap_or(""))
            } else {
                None
            };
            b.push_at(
                &r.candidate,
                &r.rater,
                &r.group,
                &r.criterion,
                r.score,
                cycle,
                Location::Index(i as u64),
            )?;
        }
        b.finish()
    }

    /// The same ratings with other scores (in this set's internal order); used for
    /// rater-adjusted scoring. Scores are not re-validated: adjusted ratings lie between scale
    /// points by design.
    pub(crate) fn with_scores(&self, scores: Vec<f64>) -> RatingSet {
        let mut set = self.clone();
        if scores.len() == set.score.len() {
            set.score = scores;
        }
        set
    }

    /// Candidate id of an interned index.
    pub(crate) fn candidate_name(&self, id: u32) -> &str {
        self.candidates.name(id)
    }
}

/// Builds a [`RatingSet`] one rating at a time, validating each as it comes.
#[derive(Debug)]
pub struct RatingSetBuilder<'r> {
    rubric: &'r Rubric,
    limits: Limits,
    criteria: HashMap<&'r str, u32>,
    groups: HashMap<&'r str, u16>,
    set: RatingSet,
    locs: Locations,
    has_cycle: bool,
    /// Criterion ids in rubric order (index = id).
    crit_ids: Vec<&'r str>,
    last_crit: u32,
    last_group: u16,
    /// Whether each whole score 0–9 is valid on the rubric's scale.
    digit_ok: [bool; 10],
}

impl<'r> RatingSetBuilder<'r> {
    /// A builder for ratings on `rubric` (which must be valid), with default [`Limits`].
    pub fn new(rubric: &'r Rubric) -> Self {
        let criteria = rubric
            .criterion_ids()
            .enumerate()
            .map(|(i, c)| (c, i as u32))
            .collect();
        let groups = rubric
            .rater_groups
            .keys()
            .enumerate()
            .map(|(i, g)| (g.as_str(), i as u16))
            .collect();
        RatingSetBuilder {
            rubric,
            limits: Limits::default(),
            criteria,
            groups,
            set: RatingSet::empty(false),
            locs: Locations::default(),
            has_cycle: false,
            crit_ids: rubric.criterion_ids().collect(),
            last_crit: 0,
            last_group: 0,
            digit_ok: std::array::from_fn(|d| {
                check_score(d as f64, &rubric.scale, Location::Input).is_ok()
            }),
        }
    }

    /// Replaces the input limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Declares that ratings carry cycles (each (candidate, cycle) is assessed on its own).
    pub fn with_cycles(mut self, yes: bool) -> Self {
        self.has_cycle = yes;
        self
    }

    /// Adds one rating; `row` is its 0-based index, used in errors.
    ///
    /// # Errors
    /// A [`RatingsError`] for an empty id, an unknown criterion or group, or a score that is
    /// not finite, outside the scale or off its step.
    #[expect(clippy::too_many_arguments, reason = "one argument per rating column")]
    pub fn push(
        &mut self,
        candidate: &str,
        rater: &str,
        group: &str,
        criterion: &str,
        score: Option<f64>,
        cycle: Option<&str>,
        row: u64,
    ) -> Result<(), RatingsError> {
        self.push_at(
            candidate,
            rater,
            group,
            criterion,
            score,
            cycle,
            Location::Index(row),
        )
    }

    #[expect(clippy::too_many_arguments, reason = "one argument per rating column")]
    pub(crate) fn push_at(
        &mut self,
        candidate: &str,
        rater: &str,
        group: &str,
        criterion: &str,
        score: Option<f64>,
        cycle: Option<&str>,
        loc: Location,
    ) -> Result<(), RatingsError> {
        if self.set.score.len() as u64 >= self.limits.max_ratings {
            return Err(RatingsError::LimitExceeded {
                location: loc,
                what: "number of ratings".into(),
                limit: self.limits.max_ratings,
            });
        }
        for (column, v) in [("candidate", candidate), ("rater", rater)] {
            if v.is_empty() {
                return Err(RatingsError::MissingValue {
                    location: loc,
                    column,
                });
            }
        }
        for (what, v) in [
            ("candidate id", candidate),
            ("rater id", rater),
            ("cycle", cycle.unwrap_or("")),
        ] {
            if v.len() > self.limits.max_id_len {
                return Err(RatingsError::LimitExceeded {
                    location: loc,
                    what: format!("{what} length ({} bytes)", v.len()),
                    limit: self.limits.max_id_len as u64,
                });
            }
        }
        let crit = self
            .criterion_id(criterion)
            .ok_or_else(|| RatingsError::UnknownCriterion {
                location: loc,
                value: clip(criterion),
                expected: one_of(self.rubric.criterion_ids()),
            })?;
        let grp = self
            .group_id(group)
            .ok_or_else(|| RatingsError::UnknownGroup {
                location: loc,
                value: clip(group),
                expected: one_of(self.rubric.rater_groups.keys().map(String::as_str)),
            })?;
        let score = match score {
            None => f64::NAN,
            // Whole scores 0–9 (most scales' points) were checked once, in `new`.
            Some(x) if x == f64::from(x as u8) && self.digit_ok.get(x as usize) == Some(&true) => {
                // Negative zero and plain zero are the same rating.
                x + 0.0
            }
            Some(x) => check_score(x, &self.rubric.scale, loc)?,
        };
        let s = &mut self.set;
        s.cand.push(s.candidates.intern(candidate));
        s.rater.push(s.raters.intern(rater));
        let cyc = match cycle {
            Some(c) if self.has_cycle || !c.is_empty() => {
                self.has_cycle = true;
                s.cycles.intern(c)
            }
            _ => 0,
        };
        s.cycle.push(cyc);
        s.group.push(grp);
        s.crit.push(crit);
        s.score.push(score);
        self.locs.push(loc);
        Ok(())
    }

    /// The id of `criterion`. Rows usually list a rater's criteria in rubric order, so the
    /// criterion after the previous row's is tried before hashing.
    fn criterion_id(&mut self, criterion: &str) -> Option<u32> {
        let ids = &self.crit_ids;
        let next = self.last_crit as usize + 1;
        let guess = if next < ids.len() { next } else { 0 };
        let id = if ids.get(guess).is_some_and(|c| *c == criterion) {
            guess as u32
        } else {
            *self.criteria.get(criterion)?
        };
        self.last_crit = id;
        Some(id)
    }

    /// The id of `group`; a rater's rows come together, so the previous row's group first.
    fn group_id(&mut self, group: &str) -> Option<u16> {
        let last = self.last_group;
        if let Some((name, _)) = self.rubric.rater_groups.get_index(usize::from(last)) {
            if name.as_str() == group {
                return Some(last);
            }
        }
        let id = *self.groups.get(group)?;
        self.last_group = id;
        Some(id)
    }

    /// Sorts the ratings, checks duplicates and rater-group conflicts, and returns the set.
    ///
    /// # Errors
    /// [`RatingsError::Duplicate`] or [`RatingsError::RaterInTwoGroups`] naming both rows.
    pub fn finish(self) -> Result<RatingSet, RatingsError> {
        let RatingSetBuilder {
            mut set,
            locs,
            has_cycle,
            rubric,
            ..
        } = self;
        set.has_cycle = has_cycle;
        let n = set.score.len();
        // Order candidates and cycles by id so output does not depend on input order.
        let cand_rank = rank_names(&set.candidates);
        let cycle_rank = rank_names(&set.cycles);
        let rater_rank = rank_names(&set.raters);
        // Slices, not vectors, in the key: indexing a slice needs no call in the size-optimised
        // WebAssembly build (benches/README.md).
        let (cr, yr, rr): (&[u32], &[u32], &[u32]) = (&cand_rank, &cycle_rank, &rater_rank);
        let (cand, cycle, rater, crit): (&[u32], &[u32], &[u32], &[u32]) =
            (&set.cand, &set.cycle, &set.rater, &set.crit);
        let key = |i: usize| {
            (
                cr[cand[i] as usize],
                yr[cycle[i] as usize],
                rr[rater[i] as usize],
                crit[i],
            )
        };
        // Inputs listed in (candidate, cycle, rater, criterion) order without a duplicate or a
        // rater in two groups (survey exports, most files) need no sort and no permutation.
        // Anything else takes the general path below, which also reports the errors.
        let in_order = (1..n).all(|i| {
            let (a, b) = (key(i - 1), key(i));
            a < b && (a.0 != b.0 || a.1 != b.1 || a.2 != b.2 || set.group[i - 1] == set.group[i])
        });
        if in_order {
            drop(locs);
            set.spans = spans_of(&set);
            return Ok(set);
        }
        let order = sorted_rows(
            n,
            &key,
            [cand_rank.len(), cycle_rank.len(), rater_rank.len()],
        );
        // Duplicates and rater-group conflicts are adjacent after sorting; report the one
        // that comes later in the input, naming the earlier row.
        for w in order.windows(2) {
            let (a, b) = (w[0] as usize, w[1] as usize);
            if set.cand[a] != set.cand[b]
                || set.cycle[a] != set.cycle[b]
                || set.rater[a] != set.rater[b]
            {
                continue;
            }
            let (first, second) = if a < b { (a, b) } else { (b, a) };
            if set.group[a] != set.group[b] {
                let name = |g: u16| {
                    rubric
                        .rater_groups
                        .get_index(usize::from(g))
                        .map_or("", |(k, _)| k.as_str())
                };
                return Err(RatingsError::RaterInTwoGroups {
                    location: locs.get(second),
                    first: locs.get(first),
                    candidate: clip(set.candidates.name(set.cand[a])),
                    rater: clip(set.raters.name(set.rater[a])),
                    group: name(set.group[second]).to_string(),
                    other_group: name(set.group[first]).to_string(),
                });
            }
            if set.crit[a] == set.crit[b] {
                let crit = rubric
                    .criterion_ids()
                    .nth(set.crit[a] as usize)
                    .unwrap_or("");
                return Err(RatingsError::Duplicate {
                    location: locs.get(second),
                    first: locs.get(first),
                    candidate: clip(set.candidates.name(set.cand[a])),
                    rater: clip(set.raters.name(set.rater[a])),
                    criterion: crit.to_string(),
                });
            }
        }
        // A rater's ratings of one unit are contiguous after sorting, so comparing neighbours
        // finds every conflict.
        drop(locs);
        // Inputs listed in (candidate, cycle, rater, criterion) order need no reordering.
        if order.iter().enumerate().any(|(k, &i)| i as usize != k) {
            set.cand = permute(&set.cand, &order);
            set.cycle = permute(&set.cycle, &order);
            set.rater = permute(&set.rater, &order);
            set.group = permute(&set.group, &order);
            set.crit = permute(&set.crit, &order);
            set.score = permute(&set.score, &order);
        }
        drop(order);
        set.spans = spans_of(&set);
        Ok(set)
    }
}

/// Row indices `0..n` ordered by `(key(row), row)`.
///
/// When the key's fields (each below its bound in `bounds`, the criterion below the largest
/// one seen) and the row index fit one `u64` together, it sorts those packed integers: the same
/// order, without a comparator call per comparison (which the size-optimised WebAssembly build
/// does not inline; benches/README.md). Otherwise it sorts by the key tuple.
fn sorted_rows(
    n: usize,
    key: &dyn Fn(usize) -> (u32, u32, u32, u32),
    bounds: [usize; 3],
) -> Vec<u32> {
    let bits = |m: usize| usize::BITS - m.leading_zeros();
    let crit_max = (0..n).map(|i| key(i).3).max().unwrap_or(0) as usize;
    let [wc, wy, wr] = bounds.map(bits);
    let (wk, wi) = (bits(crit_max), bits(n));
    if wc + wy + wr + wk + wi > u64::BITS {
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_unstable_by_key(|&i| (key(i as usize), i));
        return order;
    }
    let mut packed: Vec<u64> = (0..n)
        .map(|i| {
            let (c, y, r, k) = key(i);
            let mut p = u64::from(c);
            p = (p << wy) | u64::from(y);
            p = (p << wr) | u64::from(r);
            p = (p << wk) | u64::from(k);
            (p << wi) | i as u64
        })
        .collect();
    // The row index (the low `wi` bits) only breaks ties, which a stable sort of the rows in
    // input order keeps: only the key bits are sorted on.
    radix_sort(&mut packed, wi, wc + wy + wr + wk + wi);
    let mask = (1u64 << wi) - 1;
    packed.iter().map(|&p| (p & mask) as u32).collect()
}

/// Sorts integers below `2^bits` by their bits `low..bits`, stably (values equal in those bits
/// keep their order): least significant digit first, 12 bits per pass, a pass skipped when
/// every value has the same digit. Linear time, and loops without calls, which the
/// size-optimised WebAssembly build would not inline (std's comparison sort there calls its
/// comparator per comparison; benches/README.md). Short inputs take `sort_by_key`.
fn radix_sort(keys: &mut Vec<u64>, low: u32, bits: u32) {
    const DIGIT: u32 = 12;
    const MASK: u64 = (1 << DIGIT) - 1;
    let n = keys.len();
    if n < 1024 {
        keys.sort_by_key(|&k| k.checked_shr(low).unwrap_or(0));
        return;
    }
    let mut from: Vec<u64> = std::mem::take(keys);
    let mut to: Vec<u64> = vec![0; n];
    let mut shift = low;
    while shift < bits {
        let src: &[u64] = &from;
        let dst: &mut [u64] = &mut to;
        let mut next = [0usize; 1 << DIGIT];
        let mut i = 0;
        while i < n {
            next[((src[i] >> shift) & MASK) as usize] += 1;
            i += 1;
        }
        if next.contains(&n) {
            shift += DIGIT;
            continue;
        }
        let mut start = 0;
        for slot in next.iter_mut() {
            let count = *slot;
            *slot = start;
            start += count;
        }
        i = 0;
        while i < n {
            let d = ((src[i] >> shift) & MASK) as usize;
            dst[next[d]] = src[i];
            next[d] += 1;
            i += 1;
        }
        std::mem::swap(&mut from, &mut to);
        shift += DIGIT;
    }
    *keys = from;
}

/// The units of a sorted set: runs of equal (candidate, cycle).
fn spans_of(set: &RatingSet) -> Vec<Span> {
    let n = set.score.len();
    let mut spans = Vec::new();
    let mut start = 0;
    for i in 1..=n {
        if i == n || set.cand[i] != set.cand[start] || set.cycle[i] != set.cycle[start] {
            spans.push(Span {
                cand: set.cand[start],
                cycle: set.cycle[start],
                start,
                end: i,
            });
            start = i;
        }
    }
    spans
}

/// Where each rating of a [`RatingSetBuilder`] came from, in a few bytes: a rating whose
/// location follows the previous one's (the next CSV line, the next index) stores nothing, so
/// a CSV file without multi-line fields or blank lines is one entry however many rows it has.
/// Only the error path reads it ([`Locations::get`]).
#[derive(Debug, Default)]
struct Locations {
    /// (first row, its location) of each run of consecutive locations, by row.
    runs: Vec<(usize, Location)>,
    /// Ratings recorded.
    len: usize,
    /// The location that would continue the last run.
    next: Option<Location>,
}

impl Locations {
    fn push(&mut self, loc: Location) {
        if self.next != Some(loc) {
            self.runs.push((self.len, loc));
        }
        self.next = match loc {
            Location::Line(n) => n.checked_add(1).map(Location::Line),
            Location::Index(n) => n.checked_add(1).map(Location::Index),
            other => Some(other),
        };
        self.len += 1;
    }

    /// The location of the rating recorded `row`-th (0-based).
    fn get(&self, row: usize) -> Location {
        let k = self.runs.partition_point(|r| r.0 <= row);
        let Some(&(start, loc)) = k.checked_sub(1).and_then(|k| self.runs.get(k)) else {
            return Location::Input;
        };
        let offset = (row - start) as u64;
        match loc {
            Location::Line(n) => Location::Line(n + offset),
            Location::Index(n) => Location::Index(n + offset),
            other => other,
        }
    }
}

/// `v` reordered: element `k` is `v[order[k]]` (`order` is a permutation of `v`'s indices).
fn permute<T: Copy>(v: &[T], order: &[u32]) -> Vec<T> {
    let mut out = v.to_vec();
    let dst: &mut [T] = &mut out;
    // An index loop over slices: no call per element in the size-optimised WebAssembly build.
    let mut k = 0;
    while k < order.len() {
        dst[k] = v[order[k] as usize];
        k += 1;
    }
    out
}

/// Rank of each interned name in byte order of the names.
fn rank_names(interner: &Interner) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..interner.len() as u32).collect();
    idx.sort_unstable_by(|&a, &b| interner.name(a).cmp(interner.name(b)));
    let mut rank = vec![0u32; idx.len().max(1)];
    for (r, &i) in idx.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    rank
}

/// A score checked against `scale` (finite, within it, on its step), negative zero made zero.
fn check_score(x: f64, scale: &crate::rubric::Scale, loc: Location) -> Result<f64, RatingsError> {
    if !x.is_finite() {
        return Err(RatingsError::NotFinite {
            location: loc,
            value: x.to_string(),
            min: scale.min,
            max: scale.max,
        });
    }
    if x < scale.min || x > scale.max {
        return Err(RatingsError::OutOfScale {
            location: loc,
            value: x,
            min: scale.min,
            max: scale.max,
        });
    }
    if let Some(step) = scale.step {
        let k = (x - scale.min) / step;
        if (k - k.round()).abs() > 1e-9 {
            return Err(RatingsError::OffStep {
                location: loc,
                value: x,
                step,
                min: scale.min,
            });
        }
    }
    // Negative zero and plain zero are the same rating.
    Ok(x + 0.0)
}

/// `text` without leading and trailing whitespace (Unicode's, as `str::trim`); most fields
/// start and end with a visible ASCII character and are returned as they are.
fn trim(text: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x80);
    let bytes = text.as_bytes();
    if visible(bytes.first()) && visible(bytes.last()) {
        text
    } else {
        text.trim()
    }
}

fn parse_score(
    text: &str,
    loc: Location,
    scale: &crate::rubric::Scale,
) -> Result<Option<f64>, RatingsError> {
    let t = trim(text);
    if t.is_empty() {
        return Ok(None);
    }
    // A single digit (most scales) converts exactly without the float parser.
    if let [d @ b'0'..=b'9'] = t.as_bytes() {
        return Ok(Some(f64::from(d - b'0')));
    }
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(Some(x)),
        Ok(_) => Err(RatingsError::NotFinite {
            location: loc,
            value: clip(t),
            min: scale.min,
            max: scale.max,
        }),
        Err(_) => Err(RatingsError::NotNumeric {
            location: loc,
            value: clip(t),
            min: scale.min,
            max: scale.max,
        }),
    }
}

fn csv_error(e: &csv::Error) -> RatingsError {
    let location = e
        .position()
        .map_or(Location::Input, |p| Location::Line(p.line()));
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("expected {expected_len} fields, found {len}"),
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".to_string(),
        csv::ErrorKind::Io(io) => {
            if let Some(limit) = io.get_ref().and_then(|e| e.downcast_ref::<InputTooLarge>()) {
                return RatingsError::LimitExceeded {
                    location: Location::Input,
                    what: "input size (bytes)".into(),
                    limit: limit.0,
                };
            }
            format!("read error: {io}")
        }
        _ => "malformed CSV".to_string(),
    };
    RatingsError::Syntax {
        location,
        format: "CSV",
        message,
    }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The error a [`SizeLimited`] reader returns past its limit (carried through the CSV reader's
/// I/O error and turned into [`RatingsError::LimitExceeded`] by `csv_error`).
#[derive(Debug)]
struct InputTooLarge(u64);

impl std::fmt::Display for InputTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "input larger than {} bytes", self.0)
    }
}

impl std::error::Error for InputTooLarge {}

/// A reader that fails (rather than silently truncating) once more than `limit` bytes are read.
struct SizeLimited<R> {
    inner: R,
    limit: u64,
    read: u64,
}

impl<R: std::io::Read> std::io::Read for SizeLimited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Read at most one byte past the limit: that byte proves the input is too large.
        let left = (self.limit - self.read).saturating_add(1);
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(std::io::Error::other(InputTooLarge(self.limit)));
        }
        Ok(n)
    }
}

/// Skips a UTF-8 byte-order mark at the start of a stream.
struct BomSkipper<R> {
    inner: R,
    head: [u8; 3],
    head_len: usize,
    head_pos: usize,
    started: bool,
}

impl<R: std::io::Read> BomSkipper<R> {
    fn new(inner: R) -> Self {
        BomSkipper {
            inner,
            head: [0; 3],
            head_len: 0,
            head_pos: 0,
            started: false,
        }
    }
}

impl<R: std::io::Read> std::io::Read for BomSkipper<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.started {
            self.started = true;
            while self.head_len < 3 {
                let n = self.inner.read(&mut self.head[self.head_len..])?;
                if n == 0 {
                    break;
                }
                self.head_len += n;
            }
            if self.head_len == 3 && self.head == [0xEF, 0xBB, 0xBF] {
                self.head_pos = 3;
            }
        }
        if self.head_pos < self.head_len {
            let n = (self.head_len - self.head_pos).min(buf.len());
            buf[..n].copy_from_slice(&self.head[self.head_pos..self.head_pos + n]);
            self.head_pos += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::{Interner, Location, Locations};

    /// The packed-integer sort gives the order of sorting by `(key, row)`, ties (duplicate
    /// keys) included, and so does the tuple sort it falls back to.
    #[test]
    fn sorted_rows_orders_by_key_then_row() {
        let mut seed = 7u64;
        let mut next = |m: u32| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % u64::from(m)) as u32
        };
        for n in [0usize, 1, 2, 3, 50, 1000, 1023, 1024, 1025, 20_000] {
            let keys: Vec<(u32, u32, u32, u32)> = (0..n)
                .map(|_| (next(40), next(3), next(9), next(6)))
                .collect();
            let key = |i: usize| keys[i];
            let mut expected: Vec<u32> = (0..n as u32).collect();
            expected.sort_by_key(|&i| (keys[i as usize], i));
            assert_eq!(
                super::sorted_rows(n, &key, [40, 3, 9]),
                expected,
                "packed, n = {n}"
            );
            let wide = [usize::MAX >> 1, 3, 9];
            assert_eq!(
                super::sorted_rows(n, &key, wide),
                expected,
                "tuples, n = {n}"
            );
        }
    }
    /// The radix sort equals a stable sort by the bits `low..` on short and long inputs, with
    /// digits that are constant (skipped passes), many ties and the full 64 bits.
    #[test]
    fn radix_sort_sorts_stably() {
        let mut seed = 11u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed ^ (seed >> 29)
        };
        let cases = [
            (0usize, 0u32, 1u32),
            (5, 2, 7),
            (1024, 0, 1),
            (3000, 0, 12),
            (3000, 20, 33),
            (50_000, 20, 56),
            (4096, 0, 64),
            (4096, 40, 64),
            (2000, 64, 64),
        ];
        for (n, low, bits) in cases {
            let mut keys: Vec<u64> = (0..n)
                .map(|k| {
                    let x = if bits == 64 {
                        next()
                    } else {
                        next() & ((1 << bits) - 1)
                    };
                    // Ties, and bits 12..24 often constant.
                    if k % 5 == 0 {
                        x & !0xff_f000
                    } else {
                        x
                    }
                })
                .collect();
            let mut expected = keys.clone();
            expected.sort_by_key(|&k| k.checked_shr(low).unwrap_or(0));
            super::radix_sort(&mut keys, low, bits);
            assert_eq!(keys, expected, "n = {n}, bits {low}..{bits}");
        }
    }

    use std::hash::BuildHasher;

    #[test]
    fn interner_keeps_names_whose_hashes_collide_apart() {
        let mut i = Interner::default();
        assert_eq!(i.intern("a"), 0);
        // Make "b" look like a collision with "a" (a 64-bit SipHash collision cannot be found).
        let h = i.hasher.hash_one("b");
        i.by_hash.insert(h, 0);
        assert_eq!(i.intern("b"), 1);
        assert_eq!(i.intern("a"), 0);
        assert_eq!(i.intern("b"), 1);
        assert_eq!(i.intern("c"), 2);
        assert_eq!(
            (i.name(0), i.name(1), i.name(2), i.len()),
            ("a", "b", "c", 3)
        );
        // Names given up front are found, and new ones follow them.
        let mut j = Interner::from_names(vec!["x".into(), "y".into()]);
        assert_eq!((j.intern("y"), j.intern("x"), j.intern("z")), (1, 0, 2));
    }

    #[test]
    fn locations_are_rebuilt_from_runs() {
        let pushed = [
            Location::Line(2),
            Location::Line(3),
            Location::Line(5),
            Location::Line(6),
            Location::Line(7),
            Location::Index(0),
            Location::Index(9),
            Location::Input,
            Location::Input,
            Location::Line(u64::MAX),
            Location::Line(4),
        ];
        let mut locs = Locations::default();
        for &l in &pushed {
            locs.push(l);
        }
        assert_eq!(locs.runs.len(), 7, "one entry per run");
        for (row, &l) in pushed.iter().enumerate() {
            assert_eq!(locs.get(row), l, "row {row}");
        }
    }
}
