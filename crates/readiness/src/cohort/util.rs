//! Small numeric helpers of the cohort report (means, quantiles, correlation, multiplicity).

use crate::stats::distributions::t_sf;

/// z(0.975) of the standard normal.
pub(crate) const Z975: f64 = 1.959_963_984_540_054;

pub(crate) fn mean(x: &[f64]) -> Option<f64> {
    (!x.is_empty()).then(|| x.iter().sum::<f64>() / x.len() as f64)
}

/// Sample variance (n − 1); `None` below two values.
pub(crate) fn var(x: &[f64]) -> Option<f64> {
    let m = mean(x)?;
    (x.len() >= 2).then(|| x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64)
}

/// Quantile of sorted values by linear interpolation between order statistics (Hyndman & Fan
/// 1996, type 7, R's default).
pub(crate) fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Pearson correlation; `None` with fewer than 3 pairs or a constant variable.
pub(crate) fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 3 || y.len() != n {
        return None;
    }
    let (mx, my) = (mean(x)?, mean(y)?);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// 95% interval of a correlation by Fisher's z: tanh(atanh r ± 1.96/√(n − 3)); `None` for
/// n ≤ 3 or |r| = 1.
pub(crate) fn fisher_ci(r: f64, n: usize) -> Option<[f64; 2]> {
    if n <= 3 || r.abs() >= 1.0 {
        return None;
    }
    let z = libm::atanh(r);
    let se = 1.0 / ((n - 3) as f64).sqrt();
    Some([libm::tanh(z - Z975 * se), libm::tanh(z + Z975 * se)])
}

/// Two-sided p of a t statistic.
pub(crate) fn t_two_sided(t: f64, df: f64) -> Option<f64> {
    t_sf(t.abs(), df).map(|p| (2.0 * p).min(1.0))
}

/// Holm (1979) step-down adjusted p-values, in input order (`None` stays `None`).
pub(crate) fn holm(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some()).collect();
    crate::sort::sort_stable_by(&mut idx, |&a, &b| {
        p[a].unwrap_or(1.0)
            .total_cmp(&p[b].unwrap_or(1.0))
            .then(a.cmp(&b))
    });
    let m = idx.len();
    let mut out = vec![None; p.len()];
    let mut running: f64 = 0.0;
    for (k, &i) in idx.iter().enumerate() {
        let adj = ((m - k) as f64 * p[i].unwrap_or(1.0)).min(1.0);
        running = running.max(adj);
        out[i] = Some(running);
    }
    out
}

/// Rounds for display in verdict text.
pub(crate) fn r2(x: f64) -> String {
    format!("{x:.2}")
}
