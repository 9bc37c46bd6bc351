//! Intraclass correlation coefficients: the six Shrout & Fleiss (1979) forms, with McGraw &
//! Wong's (1996) names, F tests, confidence intervals and the two-way ANOVA they rest on.
//!
//! Input: rows are targets (candidates), columns are raters. Targets with any missing rating
//! are dropped (listwise deletion, as pingouin's `intraclass_corr(nan_policy="omit")`); the
//! indices of the targets kept are returned.
//!
//! With `MSB`, `MSJ`, `MSE`, `MSW` the mean squares for targets, raters, residual and
//! within-target, `n` targets and `k` raters (Shrout & Fleiss 1979; McGraw & Wong 1996):
//!
//! | form | formula | F, df |
//! |---|---|---|
//! | ICC1  | (MSB − MSW) / (MSB + (k−1)·MSW) | MSB/MSW, (n−1, n(k−1)) |
//! | ICC2  | (MSB − MSE) / (MSB + (k−1)·MSE + k·(MSJ − MSE)/n) | MSB/MSE, (n−1, (n−1)(k−1)) |
//! | ICC3  | (MSB − MSE) / (MSB + (k−1)·MSE) | MSB/MSE, (n−1, (n−1)(k−1)) |
//! | ICC1k | (MSB − MSW) / MSB | as ICC1 |
//! | ICC2k | (MSB − MSE) / (MSB + (MSJ − MSE)/n) | as ICC2 |
//! | ICC3k | (MSB − MSE) / MSB | as ICC3 |
//!
//! Confidence intervals: ICC1/ICC3 from the F distribution of MSB/MSW (MSB/MSE); ICC2 from
//! Satterthwaite's approximate df (McGraw & Wong 1996, Table 7), exactly as pingouin does.
//! Where a formula is 0/0 or ∞/∞ (constant data, perfect agreement), or ICC2k's denominator
//! (an estimated variance) is not positive, the value is `None`;
//! F is `+∞` when the error mean square is 0 and the target mean square is not.

use super::descriptive::{exact_sum, mean};
use super::distributions::{f_isf, f_sf};
use super::error::{check_confidence, check_matrix, Result, StatsError};
use super::interpret::{judge, BandJudgement};

/// One of the six Shrout & Fleiss (1979) ICC forms.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IccKind {
    /// ICC(1,1): one-way random, single rater, absolute agreement.
    Icc1,
    /// ICC(2,1): two-way random, single rater, absolute agreement (McGraw & Wong ICC(A,1)).
    Icc2,
    /// ICC(3,1): two-way mixed, single rater, consistency (McGraw & Wong ICC(C,1)).
    Icc3,
    /// ICC(1,k): one-way random, mean of k raters.
    Icc1k,
    /// ICC(2,k): two-way random, mean of k raters, absolute agreement (ICC(A,k)).
    Icc2k,
    /// ICC(3,k): two-way mixed, mean of k raters, consistency (ICC(C,k)).
    Icc3k,
}

impl IccKind {
    /// All six forms, in Shrout & Fleiss order.
    pub const ALL: [IccKind; 6] = [
        IccKind::Icc1,
        IccKind::Icc2,
        IccKind::Icc3,
        IccKind::Icc1k,
        IccKind::Icc2k,
        IccKind::Icc3k,
    ];

    /// Short name: `"ICC1"`, …, `"ICC3k"`.
    pub fn name(self) -> &'static str {
        match self {
            IccKind::Icc1 => "ICC1",
            IccKind::Icc2 => "ICC2",
            IccKind::Icc3 => "ICC3",
            IccKind::Icc1k => "ICC1k",
            IccKind::Icc2k => "ICC2k",
            IccKind::Icc3k => "ICC3k",
        }
    }

    /// Shrout & Fleiss (1979) notation, e.g. `"ICC(2,1)"`.
    pub fn shrout_fleiss(self) -> &'static str {
        match self {
            IccKind::Icc1 => "ICC(1,1)",
            IccKind::Icc2 => "ICC(2,1)",
            IccKind::Icc3 => "ICC(3,1)",
            IccKind::Icc1k => "ICC(1,k)",
            IccKind::Icc2k => "ICC(2,k)",
            IccKind::Icc3k => "ICC(3,k)",
        }
    }

    /// McGraw & Wong (1996) notation, e.g. `"ICC(A,1)"` (A = absolute agreement,
    /// C = consistency; the one-way forms are `"ICC(1)"` and `"ICC(k)"`).
    pub fn mcgraw_wong(self) -> &'static str {
        match self {
            IccKind::Icc1 => "ICC(1)",
            IccKind::Icc2 => "ICC(A,1)",
            IccKind::Icc3 => "ICC(C,1)",
            IccKind::Icc1k => "ICC(k)",
            IccKind::Icc2k => "ICC(A,k)",
            IccKind::Icc3k => "ICC(C,k)",
        }
    }

    /// The model in words.
    pub fn description(self) -> &'static str {
        match self {
            IccKind::Icc1 => "one-way random, single rater, absolute agreement",
            IccKind::Icc2 => "two-way random, single rater, absolute agreement",
            IccKind::Icc3 => "two-way mixed, single rater, consistency",
            IccKind::Icc1k => "one-way random, mean of k raters",
            IccKind::Icc2k => "two-way random, mean of k raters, absolute agreement",
            IccKind::Icc3k => "two-way mixed, mean of k raters, consistency",
        }
    }

    /// Whether the form is meaningful when each target has its own raters (a nested design,
    /// such as a 360 review): only the one-way forms ICC1 and ICC1k are.
    pub fn valid_for_nested_design(self) -> bool {
        matches!(self, IccKind::Icc1 | IccKind::Icc1k)
    }
}

/// The two-way ANOVA (targets × raters, one observation per cell) behind the ICCs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct IccAnova {
    /// Number of targets used.
    pub n: usize,
    /// Number of raters.
    pub k: usize,
    /// Grand mean.
    pub grand_mean: f64,
    /// Total sum of squares about the grand mean.
    pub ss_total: f64,
    /// Between-targets sum of squares, `k·Σ(target mean − grand mean)²`.
    pub ss_targets: f64,
    /// Between-raters sum of squares, `n·Σ(rater mean − grand mean)²`.
    pub ss_raters: f64,
    /// Residual sum of squares, `Σ(x − target mean − rater mean + grand mean)²`.
    pub ss_residual: f64,
    /// `MSB = ss_targets/(n−1)`.
    pub ms_targets: f64,
    /// `MSJ = ss_raters/(k−1)`.
    pub ms_raters: f64,
    /// `MSE = ss_residual/((n−1)(k−1))`.
    pub ms_residual: f64,
    /// `MSW = (ss_raters + ss_residual)/(n(k−1))`, the one-way within-target mean square.
    pub ms_within: f64,
}

/// One ICC form with its test and interval.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct IccForm {
    /// Which form.
    pub kind: IccKind,
    /// Shrout & Fleiss notation, e.g. `"ICC(2,1)"`.
    pub shrout_fleiss: String,
    /// McGraw & Wong notation, e.g. `"ICC(A,1)"`.
    pub mcgraw_wong: String,
    /// The model in words.
    pub description: String,
    /// The coefficient; `None` when undefined (e.g. all ratings equal).
    pub icc: Option<f64>,
    /// F statistic; `None` when the error mean square is 0 (the ratio would be infinite, or
    /// 0/0); `p_value` is then 0 when the targets differ.
    pub f: Option<f64>,
    /// Numerator degrees of freedom.
    pub df1: f64,
    /// Denominator degrees of freedom.
    pub df2: f64,
    /// p-value of the F test of ICC = 0 (`P(F > f)`).
    pub p_value: Option<f64>,
    /// Lower confidence bound; `None` when undefined.
    pub ci_lower: Option<f64>,
    /// Upper confidence bound; `None` when undefined.
    pub ci_upper: Option<f64>,
    /// Koo & Li (2016) band of the value and of the interval.
    pub interpretation: BandJudgement,
    /// Whether this form is meaningful in a nested design (see
    /// [`IccKind::valid_for_nested_design`]).
    pub valid_for_nested_design: bool,
}

/// All six ICC forms for one targets × raters matrix.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Icc {
    /// Number of targets (rows) given.
    pub n_targets_input: usize,
    /// Row indices of the targets used (complete rows), ascending.
    pub targets_used: Vec<usize>,
    /// Number of raters (columns).
    pub k_raters: usize,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// The ANOVA table.
    pub anova: IccAnova,
    /// The six forms, in [`IccKind::ALL`] order.
    pub forms: Vec<IccForm>,
}

impl Icc {
    /// The form `kind`.
    pub fn form(&self, kind: IccKind) -> Option<&IccForm> {
        self.forms.iter().find(|f| f.kind == kind)
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Upper quantile `F(1 − q; d1, d2)` as a raw float (NaN when undefined, so that the interval
/// arithmetic below propagates "undefined").
fn upper_f(q: f64, d1: f64, d2: f64) -> f64 {
    f_isf(q, d1, d2).unwrap_or(f64::NAN)
}

/// Sum of squares of `values`, summed exactly (`buf` is scratch space).
fn sum_sq(buf: &mut Vec<f64>, values: impl Iterator<Item = f64>) -> f64 {
    buf.clear();
    buf.extend(values.map(|d| d * d));
    exact_sum(buf)
}

/// The six Shrout & Fleiss ICCs of a targets × raters matrix, with listwise deletion.
///
/// `rows` are targets, columns raters; `None` is a missing rating (its target is dropped).
/// Rows are anything that is a slice: `Vec<Option<f64>>`, or `&[Option<f64>]` chunks of one
/// row-major buffer (no allocation per row). `confidence` is the interval level, usually 0.95.
///
/// # Errors
/// [`StatsError::RaggedMatrix`] when rows differ in length, [`StatsError::NonFinite`] for a
/// NaN/∞ rating, [`StatsError::OutOfRange`] for one beyond
/// [`MAX_MAGNITUDE`](super::error::MAX_MAGNITUDE), [`StatsError::TooFew`] with fewer than 2 raters or 2 complete targets, and
/// [`StatsError::InvalidParameter`] when `confidence` is not in (0, 1).
///
/// # Example
/// ```
/// use readiness::stats::icc::{icc, IccKind};
/// // Shrout & Fleiss (1979), Table 2: 6 targets, 4 judges
/// let data = [[9., 2., 5., 8.], [6., 1., 3., 2.], [8., 4., 6., 8.],
///             [7., 1., 2., 6.], [10., 5., 6., 9.], [6., 2., 4., 7.]];
/// let rows: Vec<Vec<Option<f64>>> =
///     data.iter().map(|r| r.iter().map(|&x| Some(x)).collect()).collect();
/// let res = icc(&rows, 0.95).unwrap();
/// let icc31 = res.form(IccKind::Icc3).unwrap().icc.unwrap();
/// assert!((icc31 - 0.7148407148407154).abs() < 1e-12);
/// ```
pub fn icc<R: AsRef<[Option<f64>]>>(rows: &[R], confidence: f64) -> Result<Icc> {
    check_confidence(confidence)?;
    let k = check_matrix(rows, "rating")?;
    if k < 2 {
        return Err(StatsError::TooFew {
            what: "raters",
            min: 2,
            found: k,
        });
    }
    // The complete rows, row-major in one buffer.
    let mut targets_used = Vec::new();
    let mut data: Vec<f64> = Vec::with_capacity(rows.len() * k);
    for (i, row) in rows.iter().enumerate() {
        let row = row.as_ref();
        if row.iter().all(Option::is_some) {
            targets_used.push(i);
            data.extend(row.iter().flatten());
        }
    }
    let n = targets_used.len();
    if n < 2 {
        return Err(StatsError::TooFew {
            what: "complete targets",
            min: 2,
            found: n,
        });
    }
    let anova = anova(&data, n, k);
    let forms = forms(&anova, confidence);
    Ok(Icc {
        n_targets_input: rows.len(),
        targets_used,
        k_raters: k,
        confidence,
        anova,
        forms,
    })
}

/// Two-way ANOVA of a complete n × k matrix (n, k ≥ 2), row-major in `data`.
fn anova(data: &[f64], n: usize, k: usize) -> IccAnova {
    let rows = || data.chunks_exact(k);
    let row_means: Vec<f64> = rows().map(|r| mean(r).unwrap_or(0.0)).collect();
    let mut buf: Vec<f64> = Vec::with_capacity(data.len());
    let col_means: Vec<f64> = (0..k)
        .map(|j| {
            buf.clear();
            buf.extend(rows().map(|r| r[j]));
            mean(&buf).unwrap_or(0.0)
        })
        .collect();
    // In a balanced design the grand mean equals the mean of the row means and of the column
    // means; take that exact value when all row (or column) means are equal, so that a zero
    // sum of squares comes out as exactly 0.
    let grand_mean = if col_means.iter().all(|&m| m == col_means[0]) {
        col_means[0]
    } else if row_means.iter().all(|&m| m == row_means[0]) {
        row_means[0]
    } else {
        mean(data).unwrap_or(0.0)
    };
    let ss_total = sum_sq(&mut buf, data.iter().map(|&x| x - grand_mean));
    let ss_targets = k as f64 * sum_sq(&mut buf, row_means.iter().map(|&m| m - grand_mean));
    let ss_raters = n as f64 * sum_sq(&mut buf, col_means.iter().map(|&m| m - grand_mean));
    // Exactly additive data (x_ij − x_i0 = x_0j − x_00 for every cell) have no residual.
    let first = &data[..k];
    let additive = rows().all(|r| (0..k).all(|j| r[j] - r[0] == first[j] - first[0]));
    let ss_residual = if additive {
        0.0
    } else {
        sum_sq(
            &mut buf,
            rows().zip(&row_means).flat_map(|(r, &rm)| {
                r.iter()
                    .zip(&col_means)
                    .map(move |(&x, &cm)| x - rm - cm + grand_mean)
            }),
        )
    };
    let ss_within = sum_sq(
        &mut buf,
        rows()
            .zip(&row_means)
            .flat_map(|(r, &rm)| r.iter().map(move |&x| x - rm)),
    );
    let (nf, kf) = (n as f64, k as f64);
    IccAnova {
        n,
        k,
        grand_mean,
        ss_total,
        ss_targets,
        ss_raters,
        ss_residual,
        ms_targets: ss_targets / (nf - 1.0),
        ms_raters: ss_raters / (kf - 1.0),
        ms_residual: ss_residual / ((nf - 1.0) * (kf - 1.0)),
        ms_within: ss_within / (nf * (kf - 1.0)),
    }
}

/// The six forms from the mean squares. Arithmetic is IEEE on purpose: 0/0 and ∞/∞ become NaN
/// and are reported as `None`.
fn forms(a: &IccAnova, confidence: f64) -> Vec<IccForm> {
    let (n, k) = (a.n as f64, a.k as f64);
    let (msb, msj, mse, msw) = (a.ms_targets, a.ms_raters, a.ms_residual, a.ms_within);
    let q = (1.0 - confidence) / 2.0;

    let icc1 = (msb - msw) / (msb + (k - 1.0) * msw);
    let icc2 = (msb - mse) / (msb + (k - 1.0) * mse + k * (msj - mse) / n);
    let icc3 = (msb - mse) / (msb + (k - 1.0) * mse);
    let icc1k = (msb - msw) / msb;
    // The denominator estimates the variance of a k-rater mean; it can come out ≤ 0 when the
    // targets hardly differ (MSB ≈ 0) and then the ratio is not a correlation (it can reach n).
    let icc2k_den = msb + (msj - mse) / n;
    let icc2k = if icc2k_den > 0.0 {
        (msb - mse) / icc2k_den
    } else {
        f64::NAN
    };
    let icc3k = (msb - mse) / msb;

    let df1 = n - 1.0;
    let df2_one_way = n * (k - 1.0);
    let df2_two_way = (n - 1.0) * (k - 1.0);
    let f_one = msb / msw;
    let f_two = msb / mse;

    // One-way (Shrout & Fleiss 1979, eqs. for case 1)
    let f1l = f_one / upper_f(q, df1, df2_one_way);
    let f1u = f_one * upper_f(q, df2_one_way, df1);
    let ci1 = (
        (f1l - 1.0) / (f1l + (k - 1.0)),
        (f1u - 1.0) / (f1u + (k - 1.0)),
    );
    let ci1k = (1.0 - 1.0 / f1l, 1.0 - 1.0 / f1u);

    // Two-way mixed, consistency (case 3)
    let f3l = f_two / upper_f(q, df1, df2_two_way);
    let f3u = f_two * upper_f(q, df2_two_way, df1);
    let ci3 = (
        (f3l - 1.0) / (f3l + (k - 1.0)),
        (f3u - 1.0) / (f3u + (k - 1.0)),
    );
    let ci3k = (1.0 - 1.0 / f3l, 1.0 - 1.0 / f3u);

    // Two-way random, absolute agreement (case 2): Satterthwaite df v
    // (McGraw & Wong 1996, Table 7; Shrout & Fleiss 1979, eq. 10)
    let fj = msj / mse;
    let vn =
        (k - 1.0) * (n - 1.0) * (k * icc2 * fj + n * (1.0 + (k - 1.0) * icc2) - k * icc2).powi(2);
    let vd = (n - 1.0) * k * k * icc2 * icc2 * fj * fj
        + (n * (1.0 + (k - 1.0) * icc2) - k * icc2).powi(2);
    let v = vn / vd;
    let f2u = upper_f(q, n - 1.0, v);
    let f2l = upper_f(q, v, n - 1.0);
    let l2 = n * (msb - f2u * mse) / (f2u * (k * msj + (k * n - k - n) * mse) + n * msb);
    let u2 = n * (f2l * msb - mse) / (k * msj + (k * n - k - n) * mse + n * f2l * msb);
    let ci2 = (l2, u2);
    // Spearman–Brown step-up of the ICC2 bounds; undefined below −1/(k−1)
    let step_up = |x: f64| {
        let den = 1.0 + x * (k - 1.0);
        if den > 0.0 {
            x * k / den
        } else {
            f64::NAN
        }
    };
    let ci2k = (step_up(l2), step_up(u2));

    let p_one = f_sf(f_one, df1, df2_one_way);
    let p_two = f_sf(f_two, df1, df2_two_way);

    let table = [
        (IccKind::Icc1, icc1, f_one, df2_one_way, p_one, ci1),
        (IccKind::Icc2, icc2, f_two, df2_two_way, p_two, ci2),
        (IccKind::Icc3, icc3, f_two, df2_two_way, p_two, ci3),
        (IccKind::Icc1k, icc1k, f_one, df2_one_way, p_one, ci1k),
        (IccKind::Icc2k, icc2k, f_two, df2_two_way, p_two, ci2k),
        (IccKind::Icc3k, icc3k, f_two, df2_two_way, p_two, ci3k),
    ];
    table
        .into_iter()
        .map(|(kind, value, f, df2, p, (lo, hi))| {
            let (icc, ci_lower, ci_upper) = (finite(value), finite(lo), finite(hi));
            IccForm {
                kind,
                shrout_fleiss: kind.shrout_fleiss().to_owned(),
                mcgraw_wong: kind.mcgraw_wong().to_owned(),
                description: kind.description().to_owned(),
                icc,
                f: finite(f),
                df1,
                df2,
                p_value: if f.is_nan() { None } else { p },
                ci_lower,
                ci_upper,
                interpretation: judge(icc, ci_lower, ci_upper),
                valid_for_nested_design: kind.valid_for_nested_design(),
            }
        })
        .collect()
}
