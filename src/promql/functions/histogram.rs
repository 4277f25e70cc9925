//! `histogram_quantile()` and `histogram_fraction()`: over classic histograms (series with an
//! `le` label holding cumulative bucket counts) here, over native ones in `native.rs`.

use std::collections::HashMap;
use std::sync::Arc;

use super::native;
use crate::promql::ast::Expr;
use crate::promql::eval::Evaluator;
use crate::promql::functions::format_g;
use crate::promql::histogram::Histogram;
use crate::promql::labels::{quote, Labels, METRIC_NAME};
use crate::promql::series::number_prefix;
use crate::promql::value::{Sample, Value};
use crate::promql::EvalError;

const LE: &str = "le";

/// Parses a bucket bound as Go's `strconv.ParseFloat` would.
fn parse_bound(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    if matches!(lower.as_str(), "+infinity" | "infinity") {
        return Some(f64::INFINITY);
    }
    if lower == "-infinity" {
        return Some(f64::NEG_INFINITY);
    }
    match number_prefix(s) {
        Some((v, "")) => Some(v),
        _ => None,
    }
}

/// Classic buckets grouped by their labels without `le` (in order of first appearance), and the
/// native histograms. A native histogram with the labels of a classic one makes both unusable.
#[allow(clippy::type_complexity)]
fn split(ev: &mut Evaluator, v: Vec<Sample>) -> (Vec<(Labels, Vec<(f64, f64)>)>, Vec<(Labels, Arc<Histogram>)>) {
    let mut index: HashMap<Labels, usize> = HashMap::new();
    let mut classic: Vec<(Labels, Vec<(f64, f64)>)> = Vec::new();
    let mut natives = Vec::new();
    for s in v {
        if let Some(h) = s.h {
            natives.push((s.metric, h));
            continue;
        }
        let le = s.metric.get(LE);
        let Some(bound) = parse_bound(le) else {
            let name = s.metric.get(METRIC_NAME);
            let suffix = if name.is_empty() { String::new() } else { format!(" for metric name {}", quote(name)) };
            ev.annotations
                .warn(format!("bucket label \"le\" is missing or has a malformed value of {}{suffix}", quote(le)));
            continue;
        };
        let mut key = s.metric.clone();
        key.remove(LE);
        let i = *index.entry(key.clone()).or_insert_with(|| {
            classic.push((key, Vec::new()));
            classic.len() - 1
        });
        classic[i].1.push((bound, s.f));
    }
    natives.retain(|(labels, _)| match index.get(labels) {
        Some(&i) if !classic[i].1.is_empty() => {
            ev.annotations.warn(format!(
                "vector contains a mix of classic and native histograms for metric name {}",
                quote(labels.get(METRIC_NAME))
            ));
            classic[i].1.clear();
            false
        }
        _ => true,
    });
    classic.retain(|(_, b)| !b.is_empty());
    (classic, natives)
}

/// Sorts by bound and merges buckets with equal bounds; None unless the last bound is +Inf.
fn prepare(mut b: Vec<(f64, f64)>) -> Option<Vec<(f64, f64)>> {
    b.sort_by(|x, y| x.0.partial_cmp(&y.0).unwrap_or(std::cmp::Ordering::Equal));
    if b.last().is_none_or(|l| l.0 != f64::INFINITY) {
        return None;
    }
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(b.len());
    for (ub, c) in b {
        match out.last_mut() {
            Some(last) if last.0 == ub => last.1 += c,
            _ => out.push((ub, c)),
        }
    }
    Some(out)
}

/// The quantile, and whether the counts had to be made monotonic.
fn bucket_quantile(q: f64, b: Vec<(f64, f64)>) -> (f64, bool) {
    if q.is_nan() {
        return (f64::NAN, false);
    }
    if q < 0.0 {
        return (f64::NEG_INFINITY, false);
    }
    if q > 1.0 {
        return (f64::INFINITY, false);
    }
    let Some(mut b) = prepare(b) else { return (f64::NAN, false) };
    // Differences within a relative 1e-12 are float noise and ignored either way; decreases
    // beyond that are evened out (the "envelope"), which is reported.
    let mut forced = false;
    let mut prev = b[0].1;
    for x in b.iter_mut().skip(1) {
        let cur = x.1;
        if cur == prev {
            continue;
        }
        if almost_equal(prev, cur, 1e-12) || cur < prev {
            forced |= cur < prev && !almost_equal(prev, cur, 1e-12);
            x.1 = prev;
            continue;
        }
        prev = cur;
    }
    if b.len() < 2 {
        return (f64::NAN, false);
    }
    let observations = b[b.len() - 1].1;
    if observations == 0.0 {
        return (f64::NAN, false);
    }
    let mut rank = q * observations;
    let i = b[..b.len() - 1].partition_point(|x| x.1 < rank);
    if i == b.len() - 1 {
        return (b[b.len() - 2].0, forced);
    }
    if i == 0 && b[0].0 <= 0.0 {
        return (b[0].0, forced);
    }
    let (mut start, end, mut count) = (0.0, b[i].0, b[i].1);
    if i > 0 {
        start = b[i - 1].0;
        count -= b[i - 1].1;
        rank -= b[i - 1].1;
    }
    (start + (end - start) * (rank / count), forced)
}

/// Go's `almost.Equal`.
pub(crate) fn almost_equal(a: f64, b: f64, epsilon: f64) -> bool {
    const MIN_NORMAL: f64 = 2.2250738585072014e-308;
    if (a.is_nan() && b.is_nan()) || a == b {
        return true;
    }
    let abs_sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < MIN_NORMAL {
        return diff < epsilon * MIN_NORMAL;
    }
    diff / abs_sum.min(f64::MAX) < epsilon
}

/// The fraction of observations between `lower` and `upper`, interpolating linearly inside
/// buckets (the lowest bucket starting at 0 when its bound is positive).
fn bucket_fraction(lower: f64, upper: f64, b: Vec<(f64, f64)>) -> f64 {
    let Some(b) = prepare(b) else { return f64::NAN };
    let count = b[b.len() - 1].1;
    if count == 0.0 || lower.is_nan() || upper.is_nan() {
        return f64::NAN;
    }
    if lower >= upper {
        return 0.0;
    }
    let (mut rank, mut lower_rank, mut upper_rank) = (0.0, 0.0, 0.0);
    let (mut lower_set, mut upper_set) = (false, false);
    for (i, &(ub, c)) in b.iter().enumerate() {
        let lb = if i > 0 {
            b[i - 1].0
        } else if ub > 0.0 {
            0.0
        } else {
            f64::NEG_INFINITY
        };
        let interpolate = |v: f64| rank + (c - rank) * (v - lb) / (ub - lb);
        if !lower_set && lb >= lower {
            (lower_rank, lower_set) = (rank, true);
        }
        if !upper_set && lb >= upper {
            (upper_rank, upper_set) = (rank, true);
        }
        if lower_set && upper_set {
            break;
        }
        if !lower_set && lb < lower && ub > lower {
            (lower_rank, lower_set) = (interpolate(lower), true);
        }
        if !upper_set && lb < upper && ub > upper {
            (upper_rank, upper_set) = (interpolate(upper), true);
        }
        if lower_set && upper_set {
            break;
        }
        rank = c;
    }
    if !lower_set || lower_rank > count {
        lower_rank = count;
    }
    if !upper_set || upper_rank > count {
        upper_rank = count;
    }
    (upper_rank - lower_rank) / count
}

pub fn quantile(ev: &mut Evaluator, _: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let q = ev.eval_scalar(&args[0], t)?;
    let v = ev.eval_vector(&args[1], t)?;
    if q.is_nan() || !(0.0..=1.0).contains(&q) {
        ev.annotations.warn(format!("quantile value should be between 0 and 1, got {}", format_g(q)));
    }
    let (classic, natives) = split(ev, v);
    let mut out = Vec::new();
    for (metric, h) in natives {
        let f = native::quantile(q, &h, metric.get(METRIC_NAME), &mut ev.annotations);
        out.push(Sample::float(metric, t, f, true));
    }
    for (metric, b) in classic {
        let (f, forced) = bucket_quantile(q, b);
        if forced {
            ev.annotations.info(format!("input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name {}", quote(metric.get(METRIC_NAME))));
        }
        out.push(Sample::float(metric, t, f, true));
    }
    Ok(Value::Vector(out))
}

pub fn fraction(ev: &mut Evaluator, _: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let lower = ev.eval_scalar(&args[0], t)?;
    let upper = ev.eval_scalar(&args[1], t)?;
    let v = ev.eval_vector(&args[2], t)?;
    let (classic, natives) = split(ev, v);
    let mut out = Vec::new();
    for (metric, h) in natives {
        let f = native::fraction(lower, upper, &h, metric.get(METRIC_NAME), &mut ev.annotations);
        out.push(Sample::float(metric, t, f, true));
    }
    for (metric, b) in classic {
        out.push(Sample::float(metric, t, bucket_fraction(lower, upper, b), true));
    }
    Ok(Value::Vector(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates_linearly() {
        let b = vec![(0.1, 10.0), (0.2, 20.0), (f64::INFINITY, 20.0)];
        assert_eq!(bucket_quantile(0.5, b.clone()).0, 0.1);
        assert!((bucket_quantile(0.75, b.clone()).0 - 0.15).abs() < 1e-12);
        assert!(bucket_quantile(0.5, vec![(1.0, 1.0)]).0.is_nan());
        assert_eq!(bucket_fraction(0.0, 0.1, b), 0.5);
    }
}
