//! The cohort reliability table: for a set of ratings and its rubric, per dimension and
//! overall, the ICCs that the design supports, Cronbach's alpha, Krippendorff's alpha
//! (interval) and the mean rwg(J) — one call, [`reliability_table`].
//!
//! Only *scoring raters* enter (raters of groups with weight > 0, as in the score): a `self`
//! group of weight 0 feeds the self–other gap, not the score, so it does not count towards the
//! score's reliability either. Ratings without a score are missing. Targets are the assessed
//! units: candidates, or (candidate, cycle) pairs when the ratings carry cycles.
//!
//! # Design detection
//! A *form* is one scoring rater's ratings of one unit. With `u(j)` the number of units rater
//! `j` rated and `N` the number of units:
//!
//! - **nested** (a 360 review) when every scoring rater rated exactly one unit (`u(j) = 1`);
//! - **crossed** (a panel) when every scoring rater rated at least two units and at least half
//!   of them (`u(j) ≥ 2` and `2·u(j) ≥ N`);
//! - **mixed** otherwise (e.g. a manager who rates several of the candidates while peers rate
//!   one); analysed like a nested design, since raters are not shared across all targets.
//!
//! # ICC construction
//! The matrix is targets × columns, a cell being the rater's own dimension score
//! `D(c,d,j) = Σ v_i x_ij / Σ v_i` over the criteria of `d` that `j` rated (and for the overall
//! row the rater's own index `Σ u_d D(c,d,j) / Σ u_d` over the leadership-side dimensions `j`
//! rated), on the raw scale. Targets with a missing cell are dropped (listwise, as the vectors).
//!
//! - Crossed: the columns are the scoring raters (in id order); all six Shrout & Fleiss forms.
//! - Nested or mixed: the columns are rater *slots*: the `s`-th rater (in id order) of group
//!   `g` within each unit, named `g-s`. A group has as many slots as the unit with the fewest
//!   raters of that group has (the slots filled in every unit), so no target is dropped for
//!   having a smaller panel; the raters beyond those slots are counted in
//!   [`IccSection::raters_beyond_slots`]. Only ICC1 and ICC1k are valid (the columns are
//!   different people for each target, so there is no rater effect to remove or to agree on);
//!   ICC2, ICC3, ICC2k and ICC3k are reported as not computed, with the reason.
//!
//! # The other coefficients
//! - Cronbach's alpha: observations are forms (unit × rater), items the dimension's criteria
//!   (all leadership-side criteria for the overall row), pairwise deletion, Feldt interval.
//! - Krippendorff's alpha, interval metric: units are (unit, criterion) pairs, values the
//!   scoring raters' ratings; alpha depends only on the per-unit value counts, so it is the same
//!   computation for crossed and nested designs.
//! - rwg(J): per unit, raters × the dimension's criteria, null variance of the rubric's scale,
//!   [`super::rwg::rwg_j`] (R `multilevel` conventions: undefined when a criterion has fewer
//!   than two ratings); the table reports the mean over the units where it is defined.
//!
//! Koo & Li (2016) bands come with every ICC, judged on its confidence interval
//! ([`super::interpret::judge`]).

use super::cronbach::{cronbach_alpha, CronbachAlpha, MissingPolicy};
use super::error::{Result, StatsError};
use super::icc::{icc, IccAnova, IccForm, IccKind};
use super::krippendorff::{krippendorff_alpha_from_counts, KrippendorffAlpha, Level};
use super::rwg::rwg_j;
use crate::ratings::RatingSet;
use crate::rubric::Rubric;

/// Confidence level of every interval in the table.
pub const CONFIDENCE: f64 = 0.95;

/// The rule by which [`Design`] is decided, as reported in [`ReliabilityTable::design_rule`].
pub const DESIGN_RULE: &str = "nested: every scoring rater rated exactly one unit; crossed: every scoring rater rated at least two units and at least half of all units; mixed: anything else (analysed as nested)";

/// The reason given for a two-way ICC form in a nested or mixed design.
pub const NESTED_REASON: &str = "not computed: the raters differ between targets (nested or mixed design), so rater effects are not defined; only the one-way forms ICC1 and ICC1k are valid";

/// How raters and candidates are arranged.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    /// The same raters rate many candidates (a panel): all six ICC forms are valid.
    Crossed,
    /// Each rater rates one candidate (a 360 review): only ICC1 and ICC1k are valid.
    Nested,
    /// Neither: some raters rate several candidates, but not the same panel for all; analysed
    /// as nested.
    Mixed,
}

impl Design {
    /// Whether the two-way ICC forms are valid (crossed designs only).
    pub fn two_way_valid(self) -> bool {
        self == Design::Crossed
    }
}

/// What the columns of the ICC matrix are.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IccColumns {
    /// One column per scoring rater (crossed designs).
    Raters,
    /// One column per rater slot `group-s` (nested and mixed designs).
    Slots,
}

/// One ICC form: computed, or not computed with the reason.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct IccEntry {
    /// Which form.
    pub kind: IccKind,
    /// The form with its F test, interval and Koo & Li band; `None` when not computed.
    pub result: Option<IccForm>,
    /// Why the form is not computed; `None` when it is.
    pub not_computed: Option<String>,
}

/// The ICC part of a table row.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct IccSection {
    /// What the columns are.
    pub columns_are: IccColumns,
    /// Column names: rater ids, or slots `group-s` (1-based).
    pub columns: Vec<String>,
    /// Raters left out because they fill a slot that not every unit has (nested/mixed only;
    /// 0 for crossed designs).
    pub raters_beyond_slots: usize,
    /// Number of targets (units) in the matrix before listwise deletion.
    pub n_targets_input: usize,
    /// Targets used (complete rows): candidate ids, `candidate@cycle` with cycles.
    pub targets_used: Vec<String>,
    /// The ANOVA; `None` when no ICC could be computed. In nested and mixed designs the
    /// rater (slot) and residual sums of squares are by slot and carry no meaning on their own.
    pub anova: Option<IccAnova>,
    /// The six forms in Shrout & Fleiss order; in nested and mixed designs ICC2, ICC3, ICC2k
    /// and ICC3k are not computed. Empty when [`IccSection::unavailable`] is set.
    pub forms: Vec<IccEntry>,
    /// Why no ICC could be computed at all (e.g. fewer than 2 columns or complete targets).
    pub unavailable: Option<String>,
}

/// Cronbach's alpha of a table row, or why it is unavailable.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct CronbachSection {
    /// Alpha with its Feldt interval (pairwise deletion); `None` when unavailable.
    pub result: Option<CronbachAlpha>,
    /// Why it is unavailable (e.g. a dimension with one criterion).
    pub unavailable: Option<String>,
}

/// Krippendorff's alpha (interval) of a table row, or why it is unavailable.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct KrippendorffSection {
    /// Alpha with its coincidence matrix; `None` when unavailable.
    pub result: Option<KrippendorffAlpha>,
    /// Why it is unavailable.
    pub unavailable: Option<String>,
}

/// rwg(J) of a table row, summarised over units.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct RwgSection {
    /// Number of criteria J.
    pub j: usize,
    /// Null variance used (the rubric scale's uniform variance).
    pub null_variance: f64,
    /// Mean rwg(J) over the units where it is defined; `None` when it is defined for none.
    pub mean: Option<f64>,
    /// Smallest rwg(J) over those units.
    pub min: Option<f64>,
    /// Number of units where rwg(J) is defined.
    pub n_units_defined: usize,
    /// Number of units with ratings in the row.
    pub n_units: usize,
    /// Units where truncation at the pole applied (rwg(J) set to 0).
    pub n_truncated: usize,
}

/// One row of the table: a dimension, or the overall index.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ReliabilityRow {
    /// Dimension id, or `overall` for the readiness index over leadership-side dimensions.
    pub id: String,
    /// Dimension kind (`leadership`, …, `technical`); `overall` for the overall row.
    pub kind: String,
    /// Criterion ids of the row, in rubric order.
    pub criteria: Vec<String>,
    /// Number of scoring ratings (with a score) in the row.
    pub n_ratings: usize,
    /// Intraclass correlations.
    pub icc: IccSection,
    /// Cronbach's alpha over the row's criteria.
    pub cronbach: CronbachSection,
    /// Krippendorff's alpha, interval metric.
    pub krippendorff: KrippendorffSection,
    /// Within-unit agreement rwg(J).
    pub rwg: RwgSection,
}

/// The cohort reliability table.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ReliabilityTable {
    /// The detected design.
    pub design: Design,
    /// The rule that decided [`ReliabilityTable::design`].
    pub design_rule: String,
    /// Rater groups whose raters entered (weight > 0), in rubric order.
    pub scoring_groups: Vec<String>,
    /// Rater groups left out because their weight is 0 (e.g. `self`).
    pub excluded_groups: Vec<String>,
    /// Number of units (targets) with scoring ratings.
    pub n_units: usize,
    /// Number of distinct scoring raters.
    pub n_raters: usize,
    /// Number of forms (unit × scoring rater pairs with at least one score).
    pub n_forms: usize,
    /// Most units any scoring rater rated.
    pub max_units_per_rater: usize,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// One row per dimension, in rubric order.
    pub dimensions: Vec<ReliabilityRow>,
    /// The overall row (the rater's own index over leadership-side dimensions); `None` when
    /// the rubric has no leadership-side dimension.
    pub overall: Option<ReliabilityRow>,
}

/// One scoring rater's ratings of one unit: rows `start..end` of the rating set.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Form {
    pub unit: usize,
    pub rater: u32,
    pub group: u16,
    pub start: usize,
    pub end: usize,
}

/// The scoring ratings of a rating set, grouped into forms.
#[derive(Debug)]
pub(crate) struct Panel {
    /// Forms in rating-set order (by unit, then rater id).
    pub forms: Vec<Form>,
    /// `forms[unit_start[u]..unit_start[u + 1]]` are unit `u`'s forms.
    pub unit_start: Vec<usize>,
    /// Whether each rater group is scoring (weight > 0).
    pub scoring_group: Vec<bool>,
    /// Units rated, per rater id (0 for raters without scoring ratings).
    pub units_per_rater: Vec<usize>,
    pub design: Design,
}

impl Panel {
    pub(crate) fn new(set: &RatingSet, rubric: &Rubric) -> Result<Panel> {
        let scoring_group: Vec<bool> = rubric
            .rater_groups
            .values()
            .map(|g| g.weight > 0.0)
            .collect();
        let mut forms = Vec::new();
        let mut unit_start = Vec::with_capacity(set.spans.len() + 1);
        for (u, span) in set.spans.iter().enumerate() {
            unit_start.push(forms.len());
            let mut i = span.start;
            while i < span.end {
                let r = set.rater[i];
                let mut e = i;
                let mut any = false;
                while e < span.end && set.rater[e] == r {
                    any |= !set.score[e].is_nan();
                    e += 1;
                }
                let g = set.group[i];
                if any && scoring_group.get(usize::from(g)).copied().unwrap_or(false) {
                    forms.push(Form {
                        unit: u,
                        rater: r,
                        group: g,
                        start: i,
                        end: e,
                    });
                }
                i = e;
            }
        }
        unit_start.push(forms.len());
        if forms.is_empty() {
            return Err(StatsError::TooFew {
                what: "scoring ratings",
                min: 1,
                found: 0,
            });
        }
        let mut units_per_rater = vec![0usize; set.raters.len()];
        for f in &forms {
            units_per_rater[f.rater as usize] += 1;
        }
        let n_units = unit_start.windows(2).filter(|w| w[1] > w[0]).count();
        let rated: Vec<usize> = units_per_rater.iter().copied().filter(|&c| c > 0).collect();
        let design = if rated.iter().all(|&c| c == 1) {
            Design::Nested
        } else if rated.iter().all(|&c| c >= 2 && 2 * c >= n_units) {
            Design::Crossed
        } else {
            Design::Mixed
        };
        Ok(Panel {
            forms,
            unit_start,
            scoring_group,
            units_per_rater,
            design,
        })
    }

    pub(crate) fn unit_forms(&self, u: usize) -> &[Form] {
        &self.forms[self.unit_start[u]..self.unit_start[u + 1]]
    }

    pub(crate) fn n_units(&self) -> usize {
        self.unit_start.len() - 1
    }
}

/// A table row's definition: the criteria it covers and how a rater's score is formed.
struct RowDef<'a> {
    id: String,
    kind: String,
    /// Criterion indices (rubric order).
    criteria: Vec<usize>,
    /// Dimensions combined into the rater's score, with their weights (one for a dimension row).
    dims: Vec<(usize, f64)>,
    crit_dim: &'a [usize],
    crit_weight: &'a [f64],
}

impl RowDef<'_> {
    /// The rater's score of the row for form `f`: per dimension the criterion-weighted mean
    /// over the criteria rated, then the dimension-weighted mean over the dimensions rated.
    fn form_score(
        &self,
        set: &RatingSet,
        f: &Form,
        n_dims: usize,
        buf: &mut [(f64, f64)],
    ) -> Option<f64> {
        buf[..n_dims].iter_mut().for_each(|x| *x = (0.0, 0.0));
        for i in f.start..f.end {
            let x = set.score[i];
            if x.is_nan() {
                continue;
            }
            let c = set.crit[i] as usize;
            let w = self.crit_weight[c];
            let acc = &mut buf[self.crit_dim[c]];
            acc.0 += w * x;
            acc.1 += w;
        }
        let (mut num, mut den) = (0.0, 0.0);
        for &(d, u) in &self.dims {
            let (s, w) = buf[d];
            if w > 0.0 {
                num += u * (s / w);
                den += u;
            }
        }
        (den > 0.0).then(|| num / den)
    }
}

/// The reliability table of a cohort: per dimension and overall, design-appropriate ICCs,
/// Cronbach's alpha, Krippendorff's alpha (interval) and mean rwg(J), over the scoring raters.
///
/// See the module documentation for the design rule and every construction.
///
/// # Errors
/// [`StatsError::TooFew`] when there is no scored rating by a scoring rater. A coefficient
/// that cannot be computed for one row (too few raters, one criterion, …) is not an error: its
/// section says why.
///
/// # Example
/// ```
/// use readiness::{RatingSet, Rubric};
/// use readiness::stats::reliability::{reliability_table, Design};
/// let mut csv = String::from("candidate,rater,group,criterion,score\n");
/// let scores = [[4, 4, 5], [2, 3, 2], [3, 3, 4], [5, 4, 5]];
/// for (c, row) in scores.iter().enumerate() {
///     for (r, s) in row.iter().enumerate() {
///         csv += &format!("e-{c},p-{r},peer,listens,{s}\ne-{c},p-{r},peer,gives_room,{s}\n");
///     }
/// }
/// let set = RatingSet::from_csv_str(&csv, &Rubric::standard()).unwrap();
/// let table = reliability_table(&set, &Rubric::standard())?;
/// assert_eq!(table.design, Design::Crossed);
/// let lead = &table.dimensions[0];
/// assert_eq!(lead.icc.columns, ["p-0", "p-1", "p-2"]);
/// assert!(lead.icc.forms[0].result.as_ref().unwrap().icc.unwrap() > 0.7);
/// # Ok::<(), readiness::stats::error::StatsError>(())
/// ```
pub fn reliability_table(ratings: &RatingSet, rubric: &Rubric) -> Result<ReliabilityTable> {
    let set = ratings;
    let panel = Panel::new(set, rubric)?;
    let mut crit_dim = Vec::new();
    let mut crit_weight = Vec::new();
    let mut crit_name = Vec::new();
    for (d, dim) in rubric.dimensions.iter().enumerate() {
        for c in &dim.criteria {
            crit_dim.push(d);
            crit_weight.push(c.weight);
            crit_name.push(c.id.clone());
        }
    }
    let unit_names: Vec<String> = set
        .spans
        .iter()
        .map(|s| {
            let c = set.candidate_name(s.cand);
            if set.has_cycle {
                format!("{c}@{}", set.cycles.name(s.cycle))
            } else {
                c.to_string()
            }
        })
        .collect();
    let columns = Columns::new(set, rubric, &panel);
    // Observed value domain of the scoring ratings (Krippendorff).
    let mut domain: Vec<f64> = Vec::new();
    for f in &panel.forms {
        for &x in &set.score[f.start..f.end] {
            if !x.is_nan() {
                if let Err(pos) = domain.binary_search_by(|p| p.total_cmp(&x)) {
                    domain.insert(pos, x);
                }
            }
        }
    }
    let mut rows = Vec::new();
    let nd = rubric.dimensions.len();
    for (d, dim) in rubric.dimensions.iter().enumerate() {
        let def = RowDef {
            id: dim.id.clone(),
            kind: dim.kind.to_string(),
            criteria: (0..crit_dim.len()).filter(|&c| crit_dim[c] == d).collect(),
            dims: vec![(d, 1.0)],
            crit_dim: &crit_dim,
            crit_weight: &crit_weight,
        };
        rows.push(row(
            set,
            rubric,
            &panel,
            &columns,
            &def,
            nd,
            &unit_names,
            &crit_name,
            &domain,
        ));
    }
    let lead: Vec<(usize, f64)> = rubric
        .dimensions
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind.is_leadership_side())
        .map(|(i, d)| (i, d.weight))
        .collect();
    let overall = (!lead.is_empty()).then(|| {
        let def = RowDef {
            id: "overall".into(),
            kind: "overall".into(),
            criteria: (0..crit_dim.len())
                .filter(|&c| lead.iter().any(|&(d, _)| d == crit_dim[c]))
                .collect(),
            dims: lead,
            crit_dim: &crit_dim,
            crit_weight: &crit_weight,
        };
        row(
            set,
            rubric,
            &panel,
            &columns,
            &def,
            nd,
            &unit_names,
            &crit_name,
            &domain,
        )
    });
    let (mut scoring_groups, mut excluded_groups) = (Vec::new(), Vec::new());
    for (name, g) in &rubric.rater_groups {
        if g.weight > 0.0 {
            scoring_groups.push(name.clone());
        } else {
            excluded_groups.push(name.clone());
        }
    }
    Ok(ReliabilityTable {
        design: panel.design,
        design_rule: DESIGN_RULE.into(),
        scoring_groups,
        excluded_groups,
        n_units: panel.unit_start.windows(2).filter(|w| w[1] > w[0]).count(),
        n_raters: panel.units_per_rater.iter().filter(|&&c| c > 0).count(),
        n_forms: panel.forms.len(),
        max_units_per_rater: panel.units_per_rater.iter().copied().max().unwrap_or(0),
        confidence: CONFIDENCE,
        dimensions: rows,
        overall,
    })
}

/// The ICC columns: raters (crossed) or slots (nested/mixed), and each form's column.
struct Columns {
    kind: IccColumns,
    names: Vec<String>,
    /// Column of each form (index into `panel.forms`), `None` for raters beyond the slots.
    of_form: Vec<Option<usize>>,
    beyond: usize,
}

impl Columns {
    fn new(set: &RatingSet, rubric: &Rubric, panel: &Panel) -> Columns {
        if panel.design == Design::Crossed {
            let mut raters: Vec<u32> = (0..panel.units_per_rater.len() as u32)
                .filter(|&r| panel.units_per_rater[r as usize] > 0)
                .collect();
            crate::sort::sort_stable_by(&mut raters, |&a, &b| {
                set.raters.name(a).cmp(set.raters.name(b))
            });
            let mut col_of = vec![usize::MAX; panel.units_per_rater.len()];
            for (c, &r) in raters.iter().enumerate() {
                col_of[r as usize] = c;
            }
            return Columns {
                kind: IccColumns::Raters,
                names: raters
                    .iter()
                    .map(|&r| set.raters.name(r).to_string())
                    .collect(),
                of_form: panel
                    .forms
                    .iter()
                    .map(|f| Some(col_of[f.rater as usize]))
                    .collect(),
                beyond: 0,
            };
        }
        // Slots: per group, the fewest raters any unit has (units with scoring ratings).
        let ng = rubric.rater_groups.len();
        let mut slots = vec![usize::MAX; ng];
        let mut count = vec![0usize; ng];
        for u in 0..panel.n_units() {
            let forms = panel.unit_forms(u);
            if forms.is_empty() {
                continue;
            }
            count.iter_mut().for_each(|c| *c = 0);
            for f in forms {
                count[usize::from(f.group)] += 1;
            }
            for g in 0..ng {
                slots[g] = slots[g].min(count[g]);
            }
        }
        let mut first = vec![0usize; ng];
        let mut names = Vec::new();
        for (g, name) in rubric.rater_groups.keys().enumerate() {
            if slots[g] == usize::MAX || !panel.scoring_group[g] {
                slots[g] = 0;
            }
            first[g] = names.len();
            for s in 1..=slots[g] {
                names.push(format!("{name}-{s}"));
            }
        }
        // Within a unit, forms are in rater-id order, so the s-th form of a group is slot s.
        let mut of_form = Vec::with_capacity(panel.forms.len());
        let mut beyond = 0;
        for u in 0..panel.n_units() {
            count.iter_mut().for_each(|c| *c = 0);
            for f in panel.unit_forms(u) {
                let g = usize::from(f.group);
                let s = count[g];
                count[g] += 1;
                if s < slots[g] {
                    of_form.push(Some(first[g] + s));
                } else {
                    of_form.push(None);
                    beyond += 1;
                }
            }
        }
        Columns {
            kind: IccColumns::Slots,
            names,
            of_form,
            beyond,
        }
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "private helper over the table's shared context"
)]
fn row(
    set: &RatingSet,
    rubric: &Rubric,
    panel: &Panel,
    columns: &Columns,
    def: &RowDef<'_>,
    n_dims: usize,
    unit_names: &[String],
    crit_name: &[String],
    domain: &[f64],
) -> ReliabilityRow {
    let nc = crit_name.len();
    let mut in_row = vec![false; nc];
    let mut item_of = vec![usize::MAX; nc];
    for (k, &c) in def.criteria.iter().enumerate() {
        in_row[c] = true;
        item_of[c] = k;
    }
    let j = def.criteria.len();
    let n_units = panel.n_units();
    let mut buf = vec![(0.0, 0.0); n_dims];

    // ICC matrix and per-form item rows.
    let k = columns.names.len();
    let mut matrix: Vec<Vec<Option<f64>>> = Vec::new();
    let mut matrix_units: Vec<usize> = Vec::new();
    let mut item_rows: Vec<Vec<Option<f64>>> = Vec::new();
    let mut n_ratings = 0usize;
    let mut units_with_ratings = 0usize;
    let mut rwg_values: Vec<f64> = Vec::new();
    let mut n_truncated = 0usize;
    let mut kripp_counts: Vec<Vec<usize>> = Vec::new();
    let null_variance = rubric.scale.null_variance();
    for u in 0..n_units {
        let range = panel.unit_start[u]..panel.unit_start[u + 1];
        if range.is_empty() {
            continue;
        }
        let mut cells = vec![None; k];
        let mut unit_items: Vec<Vec<Option<f64>>> = Vec::new();
        for fi in range {
            let f = &panel.forms[fi];
            let mut items = vec![None; j];
            let mut any = false;
            for i in f.start..f.end {
                let c = set.crit[i] as usize;
                let x = set.score[i];
                if in_row[c] && !x.is_nan() {
                    items[item_of[c]] = Some(x);
                    any = true;
                }
            }
            if !any {
                continue;
            }
            n_ratings += items.iter().flatten().count();
            if let Some(col) = columns.of_form[fi] {
                cells[col] = def.form_score(set, f, n_dims, &mut buf);
            }
            unit_items.push(items);
        }
        if unit_items.is_empty() {
            continue;
        }
        units_with_ratings += 1;
        matrix.push(cells);
        matrix_units.push(u);
        // Krippendorff: one unit per (unit, criterion).
        for item in 0..j {
            let mut counts = vec![0usize; domain.len()];
            for r in &unit_items {
                if let Some(x) = r[item] {
                    if let Ok(p) = domain.binary_search_by(|v| v.total_cmp(&x)) {
                        counts[p] += 1;
                    }
                }
            }
            kripp_counts.push(counts);
        }
        if j > 0 {
            if let Ok(r) = rwg_j(&unit_items, null_variance) {
                if let Some(v) = r.rwg_j {
                    rwg_values.push(v);
                    n_truncated += usize::from(r.truncated);
                }
            }
        }
        item_rows.extend(unit_items);
    }

    let icc_section = icc_section(panel.design, columns, matrix, &matrix_units, unit_names);
    let cronbach = match cronbach_alpha(&item_rows, MissingPolicy::Pairwise, CONFIDENCE) {
        Ok(a) => CronbachSection {
            result: Some(a),
            unavailable: None,
        },
        Err(e) => CronbachSection {
            result: None,
            unavailable: Some(e.to_string()),
        },
    };
    let krippendorff = match krippendorff_alpha_from_counts(&kripp_counts, domain, Level::Interval)
    {
        Ok(a) => KrippendorffSection {
            unavailable: a
                .alpha
                .is_none()
                .then(|| "undefined: no unit with two ratings, or one value only".to_string()),
            result: Some(a),
        },
        Err(e) => KrippendorffSection {
            result: None,
            unavailable: Some(e.to_string()),
        },
    };
    let rwg = RwgSection {
        j,
        null_variance,
        mean: (!rwg_values.is_empty())
            .then(|| rwg_values.iter().sum::<f64>() / rwg_values.len() as f64),
        min: rwg_values.iter().copied().reduce(f64::min),
        n_units_defined: rwg_values.len(),
        n_units: units_with_ratings,
        n_truncated,
    };
    ReliabilityRow {
        id: def.id.clone(),
        kind: def.kind.clone(),
        criteria: def.criteria.iter().map(|&c| crit_name[c].clone()).collect(),
        n_ratings,
        icc: icc_section,
        cronbach,
        krippendorff,
        rwg,
    }
}

fn icc_section(
    design: Design,
    columns: &Columns,
    matrix: Vec<Vec<Option<f64>>>,
    matrix_units: &[usize],
    unit_names: &[String],
) -> IccSection {
    let mut section = IccSection {
        columns_are: columns.kind,
        columns: columns.names.clone(),
        raters_beyond_slots: columns.beyond,
        n_targets_input: matrix.len(),
        targets_used: Vec::new(),
        anova: None,
        forms: Vec::new(),
        unavailable: None,
    };
    match icc(&matrix, CONFIDENCE) {
        Ok(res) => {
            section.targets_used = res
                .targets_used
                .iter()
                .map(|&t| unit_names[matrix_units[t]].clone())
                .collect();
            section.forms = res
                .forms
                .into_iter()
                .map(|form| {
                    if design.two_way_valid() || form.kind.valid_for_nested_design() {
                        IccEntry {
                            kind: form.kind,
                            result: Some(form),
                            not_computed: None,
                        }
                    } else {
                        IccEntry {
                            kind: form.kind,
                            result: None,
                            not_computed: Some(NESTED_REASON.into()),
                        }
                    }
                })
                .collect();
            section.anova = Some(res.anova);
        }
        Err(e) => {
            let what = match columns.kind {
                IccColumns::Raters => "",
                IccColumns::Slots => " (rater slots filled in every unit)",
            };
            section.unavailable = Some(format!("{e}{what}"));
        }
    }
    section
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratings::Rating;
    use serde_json::Value;
    use std::path::PathBuf;

    fn rubric_toml(dims: &str, self_weight: f64) -> Rubric {
        let text = format!(
            r#"format_version = 1
id = "t"
version = "1"
[scale]
min = 1
max = 5
step = 1
[rater_groups.self]
weight = {self_weight}
[rater_groups.manager]
weight = 0.4
[rater_groups.peer]
weight = 0.3
[rater_groups.direct_report]
weight = 0.2
[policy]
levels = [{{ id = "all" }}]
{dims}"#
        );
        Rubric::from_toml_str(&text).unwrap()
    }

    fn close(a: f64, e: f64, tol: f64) {
        assert!((a - e).abs() <= tol.max(tol * e.abs()), "{a} vs {e}");
    }

    /// Hand-checked: 3 candidates × 2 crossed peers, one dimension of two criteria.
    /// Rater scores (mean of the two criteria): c0 (2, 3), c1 (4, 4), c2 (3, 5).
    /// Grand mean 3.5; row means 2.5, 4, 4; column means 3, 4.
    /// SS_targets = 2·(1 + .25 + .25) = 3, MSB = 1.5; SS_raters = 3·(.25 + .25) = 1.5;
    /// SS_within = .5 + 0 + 2 = 2.5, MSW = 2.5/3; SS_residual = 1, MSE = .5.
    /// ICC1 = (1.5 − 5/6)/(1.5 + 5/6) = 2/7; ICC3 = (1.5 − .5)/(1.5 + .5) = .5.
    #[test]
    fn hand_checked_crossed_cohort() {
        let rubric = rubric_toml(
            "[[dimensions]]\nid = \"lead\"\nkind = \"leadership\"\nweight = 1\n\
             criteria = [{ id = \"a\" }, { id = \"b\" }]\n",
            0.0,
        );
        let mut recs = Vec::new();
        // (candidate, rater, a, b)
        for (c, r, a, b) in [
            ("c0", "p1", 2.0, 2.0),
            ("c0", "p2", 3.0, 3.0),
            ("c1", "p1", 4.0, 4.0),
            ("c1", "p2", 4.0, 4.0),
            ("c2", "p1", 3.0, 3.0),
            ("c2", "p2", 5.0, 5.0),
        ] {
            recs.push(Rating::new(c, r, "peer", "a", Some(a)));
            recs.push(Rating::new(c, r, "peer", "b", Some(b)));
        }
        // A self rating (weight 0) must not enter.
        recs.push(Rating::new("c0", "c0", "self", "a", Some(5.0)));
        let set = RatingSet::from_records(&recs, &rubric).unwrap();
        let t = reliability_table(&set, &rubric).unwrap();
        assert_eq!(t.design, Design::Crossed);
        assert_eq!(t.excluded_groups, ["self"]);
        assert_eq!(t.n_raters, 2);
        let row = &t.dimensions[0];
        assert_eq!(row.n_ratings, 12);
        let a = row.icc.anova.as_ref().unwrap();
        close(a.ms_targets, 1.5, 1e-14);
        close(a.ms_within, 2.5 / 3.0, 1e-14);
        close(a.ms_residual, 0.5, 1e-14);
        let form = |k: IccKind| {
            row.icc
                .forms
                .iter()
                .find(|f| f.kind == k)
                .unwrap()
                .result
                .clone()
                .unwrap()
        };
        close(form(IccKind::Icc1).icc.unwrap(), 2.0 / 7.0, 1e-14);
        close(form(IccKind::Icc3).icc.unwrap(), 0.5, 1e-14);
        // Both criteria always agree: item variances equal the total/4, alpha = 1.
        close(
            row.cronbach.result.as_ref().unwrap().alpha.unwrap(),
            1.0,
            1e-12,
        );
        // rwg(J): per candidate variance of the two raters, S̄ = .5, 0, 2 vs σ² = 2.
        // c0: 2(1 − .25)/(2(.75) + .25) = 6/7; c1: 1; c2: S̄ = σ² → truncated to 0.
        close(row.rwg.mean.unwrap(), (6.0 / 7.0 + 1.0 + 0.0) / 3.0, 1e-14);
        assert_eq!(row.rwg.n_truncated, 0);
        assert_eq!(t.overall.as_ref().unwrap().icc.forms.len(), 6);
    }

    fn vectors() -> PathBuf {
        std::env::var("READINESS_VECTORS").map_or_else(
            |_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors"),
            PathBuf::from,
        )
    }

    fn load(rel: &str) -> Value {
        let text = std::fs::read_to_string(vectors().join(rel)).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// The rubric and rating set of a shared dataset (all dimensions leadership-side).
    fn dataset(name: &str) -> (Rubric, RatingSet) {
        let d = load(&format!("datasets/{name}.json"));
        let input = &d["input"];
        let mut dims = String::new();
        for dim in input["dimensions"].as_array().unwrap() {
            let id = dim["id"].as_str().unwrap();
            let crits: Vec<String> = input["criteria"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["dimension"] == id)
                .map(|c| {
                    format!(
                        "{{ id = \"{}\", weight = {} }}",
                        c["id"].as_str().unwrap(),
                        c["weight"]
                    )
                })
                .collect();
            dims += &format!(
                "[[dimensions]]\nid = \"{id}\"\nkind = \"leadership\"\nweight = {}\ncriteria = [{}]\n",
                dim["weight"],
                crits.join(", ")
            );
        }
        let self_w = input["rater_group_weights"]["self"].as_f64().unwrap();
        let rubric = rubric_toml(&dims, self_w);
        let group_of = |rater: &str| -> String {
            input["raters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == rater)
                .unwrap()["group"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let recs: Vec<Rating> = input["ratings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let rater = r[1].as_str().unwrap();
                Rating::new(
                    r[0].as_str().unwrap(),
                    rater,
                    &group_of(rater),
                    r[2].as_str().unwrap(),
                    r[3].as_f64(),
                )
            })
            .collect();
        let set = RatingSet::from_records(&recs, &rubric).unwrap();
        (rubric, set)
    }

    fn check_icc(row: &ReliabilityRow, vector: &str, nested: bool) {
        let v = load(vector);
        let exp = &v["expected"];
        assert_eq!(
            row.icc.targets_used,
            exp["targets_used_after_listwise_deletion"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect::<Vec<_>>()
        );
        assert_eq!(
            row.icc.columns.len(),
            exp["k_raters"].as_u64().unwrap() as usize
        );
        let a = row.icc.anova.as_ref().unwrap();
        for (got, key) in [
            (a.ms_targets, "MS_targets"),
            (a.ms_within, "MS_within"),
            (a.ms_residual, "MS_residual"),
            (a.ms_raters, "MS_raters"),
        ] {
            close(got, exp["anova"][key].as_f64().unwrap(), 1e-12);
        }
        for entry in &row.icc.forms {
            let e = &exp["forms"][entry.kind.name()];
            match &entry.result {
                Some(f) => {
                    close(f.icc.unwrap(), e["icc"].as_f64().unwrap(), 1e-12);
                    close(f.ci_lower.unwrap(), e["ci95_lower"].as_f64().unwrap(), 1e-9);
                    close(f.ci_upper.unwrap(), e["ci95_upper"].as_f64().unwrap(), 1e-9);
                }
                None => {
                    assert!(nested && !entry.kind.valid_for_nested_design());
                    assert_eq!(entry.not_computed.as_deref(), Some(NESTED_REASON));
                }
            }
        }
    }

    #[test]
    fn crossed_dataset_reproduces_the_icc_vector() {
        let (rubric, set) = dataset("d1_small_complete");
        let t = reliability_table(&set, &rubric).unwrap();
        assert_eq!(t.design, Design::Crossed);
        let overall = t.overall.as_ref().unwrap();
        assert_eq!(overall.icc.columns, ["R1", "R2", "R3", "R4"]);
        check_icc(
            overall,
            "icc/d1_small_complete__overall_composite.json",
            false,
        );
        assert!(overall.icc.forms.iter().all(|f| f.result.is_some()));
        // The dimension rows reproduce the Cronbach and Krippendorff vectors too.
        for (row, file) in t.dimensions.iter().zip(["D1", "D2"]) {
            let v = load(&format!("cronbach/d1_small_complete__{file}.json"));
            close(
                row.cronbach.result.as_ref().unwrap().alpha.unwrap(),
                v["expected"]["alpha"].as_f64().unwrap(),
                1e-12,
            );
        }
    }

    #[test]
    fn nested_dataset_reproduces_the_slot_icc_vector() {
        let (rubric, set) = dataset("d6_360_nested");
        let t = reliability_table(&set, &rubric).unwrap();
        assert_eq!(t.design, Design::Nested);
        let overall = t.overall.as_ref().unwrap();
        assert_eq!(
            overall.icc.columns,
            ["self-1", "manager-1", "peer-1", "peer-2", "peer-3"]
        );
        assert_eq!(overall.icc.columns_are, IccColumns::Slots);
        check_icc(
            overall,
            "icc/d6_360_nested__overall_composite_by_slot.json",
            true,
        );
        let computed: Vec<IccKind> = overall
            .icc
            .forms
            .iter()
            .filter(|f| f.result.is_some())
            .map(|f| f.kind)
            .collect();
        assert_eq!(computed, [IccKind::Icc1, IccKind::Icc1k]);
        // Krippendorff over all criteria and all (scoring) raters: the vector's interval alpha.
        let v = load("krippendorff/d6_360_nested.json");
        close(
            overall.krippendorff.result.as_ref().unwrap().alpha.unwrap(),
            v["expected"]["alpha_interval"].as_f64().unwrap(),
            1e-12,
        );
        for (row, file) in t.dimensions.iter().zip(["D1", "D2"]) {
            let v = load(&format!("cronbach/d6_360_nested__{file}.json"));
            close(
                row.cronbach.result.as_ref().unwrap().alpha.unwrap(),
                v["expected"]["alpha"].as_f64().unwrap(),
                1e-12,
            );
        }
    }

    #[test]
    fn weight_zero_self_is_left_out_of_the_nested_slots() {
        let (mut rubric, _) = dataset("d6_360_nested");
        rubric.rater_groups["self"].weight = 0.0;
        let (_, set0) = dataset("d6_360_nested");
        let t = reliability_table(&set0, &rubric).unwrap();
        let overall = t.overall.as_ref().unwrap();
        assert_eq!(
            overall.icc.columns,
            ["manager-1", "peer-1", "peer-2", "peer-3"]
        );
        assert_eq!(t.excluded_groups, ["self"]);
        assert!(overall.icc.raters_beyond_slots > 0);
    }

    #[test]
    fn no_scoring_rating_is_an_error() {
        let rubric = rubric_toml(
            "[[dimensions]]\nid = \"lead\"\nkind = \"leadership\"\nweight = 1\ncriteria = [{ id = \"a\" }]\n",
            0.0,
        );
        let set =
            RatingSet::from_records(&[Rating::new("c", "c", "self", "a", Some(3.0))], &rubric)
                .unwrap();
        assert_eq!(
            reliability_table(&set, &rubric).unwrap_err().code(),
            "too_few"
        );
    }
}
