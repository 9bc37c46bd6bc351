//! Assessments as one flat table, one row per candidate (and cycle): the shape of the CLI's
//! CSV output and of `to_pandas()` in Python, defined once here.
//!
//! Columns, in order: `candidate`, `cycle` (only when the documents carry cycles), `level`,
//! `label`, `index`, `index_ci_low`, `index_ci_high`; per dimension `<id>_score`,
//! `<id>_ci_low`, `<id>_ci_high` (not for a dimension named `technical`, which the technical
//! block covers), `<id>_coverage`, `<id>_rwg`; `technical_score`,
//! `technical_ci_low`, `technical_ci_high`, `flags`, `strengths`, `development` (lists joined
//! with `;`).

use crate::assessment::Assessment;
use crate::error::Error;
use crate::ratings::{RatingSet, Span};
use crate::rubric::Rubric;
use crate::scoring::{Engine, Scratch};

/// Values of one column.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Values {
    /// Text; `None` is a missing value.
    Text(Vec<Option<String>>),
    /// Numbers; `None` is a missing value.
    Number(Vec<Option<f64>>),
}

/// A named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// Its values, one per row.
    pub values: Values,
}

/// A column-oriented table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The columns, in order.
    pub columns: Vec<Column>,
}

impl Table {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| match &c.values {
            Values::Text(v) => v.len(),
            Values::Number(v) => v.len(),
        })
    }

    fn text(&mut self, name: impl Into<String>, values: Vec<Option<String>>) {
        self.columns.push(Column {
            name: name.into(),
            values: Values::Text(values),
        });
    }

    fn number(&mut self, name: impl Into<String>, values: Vec<Option<f64>>) {
        self.columns.push(Column {
            name: name.into(),
            values: Values::Number(values),
        });
    }

    /// Appends the rows of `other`, a table with the same columns.
    fn append(&mut self, other: Table) {
        for (a, b) in self.columns.iter_mut().zip(other.columns) {
            match (&mut a.values, b.values) {
                (Values::Text(x), Values::Text(mut y)) => x.append(&mut y),
                (Values::Number(x), Values::Number(mut y)) => x.append(&mut y),
                _ => {}
            }
        }
    }
}

/// Flattens assessment documents made with `rubric` into a [`Table`].
///
/// # Example
/// ```
/// use readiness::{Engine, table::assessments_table};
/// let engine = Engine::standard();
/// let docs = engine.assess_csv("candidate,rater,group,criterion,score\ne-1,m,manager,listens,4\n").unwrap();
/// let t = assessments_table(&docs, engine.rubric());
/// assert_eq!(t.rows(), 1);
/// assert_eq!(t.columns[0].name, "candidate");
/// assert!(t.columns.iter().any(|c| c.name == "leadership_score"));
/// let mut names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
/// let n = names.len();
/// names.sort();
/// names.dedup();
/// assert_eq!(names.len(), n, "column names are unique");
/// ```
pub fn assessments_table(docs: &[Assessment], rubric: &Rubric) -> Table {
    let mut t = Table::default();
    let ci = |c: Option<[f64; 2]>, k: usize| c.map(|v| v[k]);
    t.text(
        "candidate",
        docs.iter().map(|d| Some(d.candidate.clone())).collect(),
    );
    if docs.iter().any(|d| d.cycle.is_some()) {
        t.text("cycle", docs.iter().map(|d| d.cycle.clone()).collect());
    }
    t.text(
        "level",
        docs.iter()
            .map(|d| Some(d.readiness.level.clone()))
            .collect(),
    );
    t.text(
        "label",
        docs.iter()
            .map(|d| Some(d.readiness.label.clone()))
            .collect(),
    );
    t.number("index", docs.iter().map(|d| d.readiness.index).collect());
    t.number(
        "index_ci_low",
        docs.iter().map(|d| ci(d.readiness.ci95, 0)).collect(),
    );
    t.number(
        "index_ci_high",
        docs.iter().map(|d| ci(d.readiness.ci95, 1)).collect(),
    );
    for (k, dim) in rubric.dimensions.iter().enumerate() {
        let id = dim.id.as_str();
        // A dimension named `technical` would repeat the technical block's columns below.
        let repeats_block = id == "technical";
        if !repeats_block {
            t.number(
                format!("{}_score", dim.id),
                docs.iter()
                    .map(|d| dimension_at(d, k, id).and_then(|x| x.score))
                    .collect(),
            );
            t.number(
                format!("{}_ci_low", dim.id),
                docs.iter()
                    .map(|d| dimension_at(d, k, id).and_then(|x| ci(x.ci95, 0)))
                    .collect(),
            );
            t.number(
                format!("{}_ci_high", dim.id),
                docs.iter()
                    .map(|d| dimension_at(d, k, id).and_then(|x| ci(x.ci95, 1)))
                    .collect(),
            );
        }
        t.number(
            format!("{}_coverage", dim.id),
            docs.iter()
                .map(|d| dimension_at(d, k, id).map(|x| x.coverage))
                .collect(),
        );
        t.number(
            format!("{}_rwg", dim.id),
            docs.iter()
                .map(|d| dimension_at(d, k, id).and_then(|x| x.rwg))
                .collect(),
        );
    }
    t.number(
        "technical_score",
        docs.iter().map(|d| d.technical.score).collect(),
    );
    t.number(
        "technical_ci_low",
        docs.iter().map(|d| ci(d.technical.ci95, 0)).collect(),
    );
    t.number(
        "technical_ci_high",
        docs.iter().map(|d| ci(d.technical.ci95, 1)).collect(),
    );
    let join = |items: Vec<&str>| Some(items.join(";"));
    t.text(
        "flags",
        docs.iter()
            .map(|d| join(d.flags.iter().map(|f| f.code.as_str()).collect()))
            .collect(),
    );
    t.text(
        "strengths",
        docs.iter()
            .map(|d| join(d.strengths.iter().map(String::as_str).collect()))
            .collect(),
    );
    t.text(
        "development",
        docs.iter()
            .map(|d| join(d.development.iter().map(|a| a.criterion.as_str()).collect()))
            .collect(),
    );
    t
}

/// The table [`assessments_table`] makes of `engine.assess(ratings)`, computed from the
/// ratings without building the documents: the same columns and values, at a fraction of the
/// cost (what the CLI's `--format csv` and `--format table` use). Anonymity protection does
/// not change any of its columns (it withholds group breakdowns and self gaps only).
///
/// # Errors
/// As [`Engine::assess`].
///
/// # Example
/// ```
/// use readiness::{table::{assessments_table, ratings_table}, Engine, RatingSet};
/// let engine = Engine::standard();
/// let csv = "candidate,rater,group,criterion,score\ne-1,m,manager,listens,4\ne-1,p,peer,listens,3\n";
/// let set = RatingSet::from_csv_str(csv, engine.rubric()).unwrap();
/// let docs = engine.assess(&set).unwrap();
/// assert_eq!(ratings_table(&engine, &set).unwrap(), assessments_table(&docs, engine.rubric()));
/// ```
pub fn ratings_table(engine: &Engine, ratings: &RatingSet) -> Result<Table, Error> {
    let adjusted = engine.adjusted(ratings)?;
    let set = adjusted.as_ref().unwrap_or(ratings);
    let parts = crate::parallel::map_chunks(&set.spans, |spans| table_rows(engine, set, spans));
    let mut parts = parts.into_iter();
    let mut t = parts.next().unwrap_or_else(|| table_rows(engine, set, &[]));
    for part in parts {
        t.append(part);
    }
    Ok(t)
}

/// The rows of `spans`, in the columns of [`assessments_table`].
fn table_rows(engine: &Engine, set: &RatingSet, spans: &[Span]) -> Table {
    let rubric = engine.rubric();
    let n = spans.len();
    let text = || Vec::<Option<String>>::with_capacity(n);
    let num = || Vec::<Option<f64>>::with_capacity(n);
    let (mut candidate, mut cycle, mut level, mut label) = (text(), text(), text(), text());
    let (mut index, mut index_lo, mut index_hi) = (num(), num(), num());
    let nd = rubric.dimensions.len();
    // Per dimension: score, ci low, ci high, coverage, rwg.
    let mut dims: Vec<[Vec<Option<f64>>; 5]> = (0..nd)
        .map(|_| [num(), num(), num(), num(), num()])
        .collect();
    let (mut tech, mut tech_lo, mut tech_hi) = (num(), num(), num());
    let (mut flags, mut strengths, mut development) = (text(), text(), text());
    let ci = |c: Option<[f64; 2]>, k: usize| c.map(|v| v[k]);
    let mut s = Scratch::new(engine);
    let mut joined = String::new();
    for span in spans {
        engine.score_unit(set, span, &mut s, true);
        let u = &s.u;
        candidate.push(Some(set.candidate_name(span.cand).to_string()));
        if set.has_cycle {
            cycle.push(Some(set.cycles.name(span.cycle).to_string()));
        }
        let (id, name) = engine.level_name(engine.level_of(u));
        level.push(Some(id.to_string()));
        label.push(Some(name.to_string()));
        index.push(u.index);
        index_lo.push(ci(u.index_ci, 0));
        index_hi.push(ci(u.index_ci, 1));
        for (d, cols) in dims.iter_mut().enumerate() {
            cols[0].push(u.dim_raw[d].map(|x| engine.norm(x)));
            cols[1].push(ci(u.dim_ci[d], 0));
            cols[2].push(ci(u.dim_ci[d], 1));
            cols[3].push(Some(u.coverage[d]));
            cols[4].push(u.rwg[d]);
        }
        tech.push(u.technical);
        tech_lo.push(ci(u.technical_ci, 0));
        tech_hi.push(ci(u.technical_ci, 1));
        joined.clear();
        engine.for_each_flag(u, |code, _| {
            if !joined.is_empty() {
                joined.push(';');
            }
            joined.push_str(code.as_str());
        });
        flags.push(Some(joined.clone()));
        let (best, weakest) = engine.strengths_and_development(u);
        let names = |cs: &mut dyn Iterator<Item = usize>| {
            let v: Vec<&str> = cs.map(|c| engine.criterion_id(c)).collect();
            Some(v.join(";"))
        };
        strengths.push(names(&mut best.into_iter()));
        development.push(names(&mut weakest.into_iter().map(|(c, _)| c)));
    }
    let mut t = Table::default();
    t.text("candidate", candidate);
    if set.has_cycle && n > 0 {
        t.text("cycle", cycle);
    }
    t.text("level", level);
    t.text("label", label);
    t.number("index", index);
    t.number("index_ci_low", index_lo);
    t.number("index_ci_high", index_hi);
    for (dim, [score, lo, hi, coverage, rwg]) in rubric.dimensions.iter().zip(dims) {
        // As in `assessments_table`: no score columns for a dimension named `technical`.
        if dim.id != "technical" {
            t.number(format!("{}_score", dim.id), score);
            t.number(format!("{}_ci_low", dim.id), lo);
            t.number(format!("{}_ci_high", dim.id), hi);
        }
        t.number(format!("{}_coverage", dim.id), coverage);
        t.number(format!("{}_rwg", dim.id), rwg);
    }
    t.number("technical_score", tech);
    t.number("technical_ci_low", tech_lo);
    t.number("technical_ci_high", tech_hi);
    t.text("flags", flags);
    t.text("strengths", strengths);
    t.text("development", development);
    t
}

fn dimension_at<'a>(
    d: &'a Assessment,
    k: usize,
    id: &str,
) -> Option<&'a crate::assessment::DimensionScore> {
    d.dimensions.get(k).filter(|x| x.id == id)
}
