//! `histogram_quantile()` and `histogram_fraction()` over classic histograms: series with an
//! `le` label holding cumulative bucket counts.

use std::collections::HashMap;

use crate::promql::ast::Expr;
use crate::promql::eval::Evaluator;
use crate::promql::functions::format_g;
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

/// Groups bucket samples by their labels without `le`, in order of first appearance; the output
/// labels lose the name and `le`.
fn buckets(ev: &mut Evaluator, v: Vec<Sample>) -> Vec<(Labels, Vec<(f64, f64)>)> {
    let mut index: HashMap<Labels, usize> = HashMap::new();
    let mut out: Vec<(Labels, Vec<(f64, f64)>)> = Vec::new();
    for s in v {
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
        let i = *index.entry(key).or_insert_with_key(|k| {
            let mut out_labels = k.clone();
            out_labels.remove(METRIC_NAME);
            out.push((out_labels, Vec::new()));
            out.len() - 1
        });
        out[i].1.push((bound, s.f));
    }
    out
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
    // Counts within a relative 1e-12 of the previous are float noise, not a decrease.
    let mut prev = b[0].1;
    for x in b.iter_mut().skip(1) {
        let delta = (x.1 - prev).abs();
        if delta == 0.0 {
            continue;
        }
        if delta / x.1 <= 1e-12 {
            x.1 = prev;
        } else {
            prev = x.1;
        }
    }
    let mut forced = false;
    let mut max = b[0].1;
    for x in b.iter_mut().skip(1) {
        if x.1 > max {
            max = x.1;
        } else if x.1 < max {
            x.1 = max;
            forced = true;
        }
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
    let mut out = Vec::new();
    for (metric, b) in buckets(ev, v) {
        let (f, forced) = bucket_quantile(q, b);
        if forced {
            ev.annotations.info("input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)");
        }
        out.push(Sample { metric, t, f, drop_name: true });
    }
    Ok(Value::Vector(out))
}

pub fn fraction(ev: &mut Evaluator, _: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let lower = ev.eval_scalar(&args[0], t)?;
    let upper = ev.eval_scalar(&args[1], t)?;
    let v = ev.eval_vector(&args[2], t)?;
    let out = buckets(ev, v)
        .into_iter()
        .map(|(metric, b)| Sample { metric, t, f: bucket_fraction(lower, upper, b), drop_name: true })
        .collect();
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
