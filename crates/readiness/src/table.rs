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

    /// The rows of `parts` (tables with the same columns), in order; each column is assembled
    /// apart, the columns on several threads with the `parallel` feature.
    pub(crate) fn concat(parts: Vec<Table>) -> Table {
        let ncols = parts.first().map_or(0, |t| t.columns.len());
        let mut parts: Vec<_> = parts.into_iter().map(|t| t.columns.into_iter()).collect();
        let jobs: Vec<Vec<Column>> = (0..ncols)
            .map(|_| parts.iter_mut().filter_map(Iterator::next).collect())
            .collect();
        let columns = crate::parallel::map_each(jobs, |cols| {
            let mut cols = cols.into_iter();
            let mut first = cols.next()?;
            first.values = match first.values {
                Values::Text(v) => Values::Text(crate::parallel::concat(
                    std::iter::once(v)
                        .chain(cols.filter_map(|c| match c.values {
                            Values::Text(t) => Some(t),
                            Values::Number(_) => None,
                        }))
                        .collect(),
                )),
                Values::Number(v) => Values::Number(crate::parallel::concat(
                    std::iter::once(v)
                        .chain(cols.filter_map(|c| match c.values {
                            Values::Number(x) => Some(x),
                            Values::Text(_) => None,
                        }))
                        .collect(),
                )),
            };
            Some(first)
        });
        Table {
            columns: columns.into_iter().flatten().collect(),
        }
    }
}

/// Flattens assessment documents made with `rubric` into a [`Table`].
///
/// [`crate::Engine::assessments_table`] gives the same table straight from the ratings,
/// without building the documents.
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
    let with_cycle = docs.iter().any(|d| d.cycle.is_some());
    let mut b = TableBuilder::new(rubric, docs.len(), with_cycle);
    let mut dims = Vec::with_capacity(rubric.dimensions.len());
    let mut flags = Vec::new();
    let mut strengths = Vec::new();
    let mut development = Vec::new();
    for d in docs {
        dims.clear();
        for (k, dim) in rubric.dimensions.iter().enumerate() {
            dims.push(match dimension_at(d, k, &dim.id) {
                Some(x) => DimensionRow {
                    score: x.score,
                    ci: x.ci95,
                    coverage: Some(x.coverage),
                    rwg: x.rwg,
                },
                None => DimensionRow::default(),
            });
        }
        flags.clear();
        flags.extend(d.flags.iter().map(|f| f.code.as_str()));
        strengths.clear();
        strengths.extend(d.strengths.iter().map(String::as_str));
        development.clear();
        development.extend(d.development.iter().map(|a| a.criterion.as_str()));
        b.push(&Row {
            candidate: &d.candidate,
            cycle: d.cycle.as_deref(),
            level: &d.readiness.level,
            label: &d.readiness.label,
            index: d.readiness.index,
            index_ci: d.readiness.ci95,
            dimensions: &dims,
            technical: d.technical.score,
            technical_ci: d.technical.ci95,
            flags: &flags,
            strengths: &strengths,
            development: &development,
        });
    }
    b.finish()
}

fn dimension_at<'a>(
    d: &'a Assessment,
    k: usize,
    id: &str,
) -> Option<&'a crate::assessment::DimensionScore> {
    d.dimensions.get(k).filter(|x| x.id == id)
}

/// One dimension's cells of a [`Row`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DimensionRow {
    pub score: Option<f64>,
    pub ci: Option<[f64; 2]>,
    pub coverage: Option<f64>,
    pub rwg: Option<f64>,
}

/// One row of the flat table, borrowed from a document or from the engine's unit scores.
pub(crate) struct Row<'a> {
    pub candidate: &'a str,
    pub cycle: Option<&'a str>,
    pub level: &'a str,
    pub label: &'a str,
    pub index: Option<f64>,
    pub index_ci: Option<[f64; 2]>,
    /// One per rubric dimension, in rubric order.
    pub dimensions: &'a [DimensionRow],
    pub technical: Option<f64>,
    pub technical_ci: Option<[f64; 2]>,
    pub flags: &'a [&'a str],
    pub strengths: &'a [&'a str],
    pub development: &'a [&'a str],
}

/// The table's columns, filled row by row: the one definition of the layout.
pub(crate) struct TableBuilder {
    table: Table,
    with_cycle: bool,
    /// Per dimension: whether its score and interval columns are written.
    dim_scored: Vec<bool>,
}

impl TableBuilder {
    pub(crate) fn new(rubric: &Rubric, rows: usize, with_cycle: bool) -> TableBuilder {
        let mut t = Table::default();
        let text = |t: &mut Table, name: &str| t.text(name, Vec::with_capacity(rows));
        let number = |t: &mut Table, name: String| t.number(name, Vec::with_capacity(rows));
        text(&mut t, "candidate");
        if with_cycle {
            text(&mut t, "cycle");
        }
        text(&mut t, "level");
        text(&mut t, "label");
        for name in ["index", "index_ci_low", "index_ci_high"] {
            number(&mut t, name.to_string());
        }
        let mut dim_scored = Vec::with_capacity(rubric.dimensions.len());
        for dim in &rubric.dimensions {
            // A dimension named `technical` would repeat the technical block's columns below.
            let scored = dim.id != "technical";
            if scored {
                number(&mut t, format!("{}_score", dim.id));
                number(&mut t, format!("{}_ci_low", dim.id));
                number(&mut t, format!("{}_ci_high", dim.id));
            }
            number(&mut t, format!("{}_coverage", dim.id));
            number(&mut t, format!("{}_rwg", dim.id));
            dim_scored.push(scored);
        }
        for name in ["technical_score", "technical_ci_low", "technical_ci_high"] {
            number(&mut t, name.to_string());
        }
        for name in ["flags", "strengths", "development"] {
            text(&mut t, name);
        }
        TableBuilder {
            table: t,
            with_cycle,
            dim_scored,
        }
    }

    pub(crate) fn push(&mut self, row: &Row<'_>) {
        let ci = |c: Option<[f64; 2]>, k: usize| c.map(|v| v[k]);
        let mut cols = self.table.columns.iter_mut();
        let mut text = |v: Option<String>| {
            if let Some(Column {
                values: Values::Text(col),
                ..
            }) = cols.next()
            {
                col.push(v);
            }
        };
        text(Some(row.candidate.to_string()));
        if self.with_cycle {
            text(row.cycle.map(str::to_string));
        }
        text(Some(row.level.to_string()));
        text(Some(row.label.to_string()));
        let mut number = |v: Option<f64>| {
            if let Some(Column {
                values: Values::Number(col),
                ..
            }) = cols.next()
            {
                col.push(v);
            }
        };
        number(row.index);
        number(ci(row.index_ci, 0));
        number(ci(row.index_ci, 1));
        for (k, &scored) in self.dim_scored.iter().enumerate() {
            let d = row.dimensions.get(k).copied().unwrap_or_default();
            if scored {
                number(d.score);
                number(ci(d.ci, 0));
                number(ci(d.ci, 1));
            }
            number(d.coverage);
            number(d.rwg);
        }
        number(row.technical);
        number(ci(row.technical_ci, 0));
        number(ci(row.technical_ci, 1));
        let mut text = |v: &[&str]| {
            if let Some(Column {
                values: Values::Text(col),
                ..
            }) = cols.next()
            {
                col.push(Some(v.join(";")));
            }
        };
        text(row.flags);
        text(row.strengths);
        text(row.development);
    }

    pub(crate) fn finish(self) -> Table {
        self.table
    }
}
