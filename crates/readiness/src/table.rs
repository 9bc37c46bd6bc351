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
use crate::rubric::Rubric;

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

fn dimension_at<'a>(
    d: &'a Assessment,
    k: usize,
    id: &str,
) -> Option<&'a crate::assessment::DimensionScore> {
    d.dimensions.get(k).filter(|x| x.id == id)
}
