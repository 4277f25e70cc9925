//! Native histogram functions: `histogram_quantile()` and `histogram_fraction()` (exponential
//! interpolation inside exponential buckets, linear in the zero bucket and for custom bounds),
//! and `histogram_count()`, `_sum()`, `_avg()`, `_stddev()`, `_stdvar()`.

use crate::promql::ast::Expr;
use crate::promql::eval::Evaluator;
use crate::promql::functions::kahan_inc;
use crate::promql::histogram::{Bucket, Histogram};
use crate::promql::labels::quote;
use crate::promql::value::{Annotations, Sample, Value};
use crate::promql::EvalError;

fn with_name(text: &str, name: &str) -> String {
    if name.is_empty() {
        text.to_string()
    } else {
        format!("{text} for metric name {}", quote(name))
    }
}

/// The φ-quantile of a native histogram.
pub fn quantile(q: f64, h: &Histogram, name: &str, ann: &mut Annotations) -> f64 {
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    if h.count == 0.0 || q.is_nan() {
        return f64::NAN;
    }
    let mut buckets = h.buckets();
    // Observations of NaN count but sit in no bucket, so only counting from below is right then.
    let forward = h.sum.is_nan() || q < 0.5;
    let mut rank = if forward { q * h.count } else { (1.0 - q) * h.count };
    if !forward {
        buckets.reverse();
    }
    let mut count = 0.0;
    let mut pos = 0;
    let mut bucket = Bucket { lower: 0.0, upper: 0.0, lower_inclusive: false, upper_inclusive: false, count: 0.0 };
    while pos < buckets.len() {
        bucket = buckets[pos];
        pos += 1;
        count += bucket.count;
        if count >= rank {
            break;
        }
    }
    if !h.is_custom() && bucket.lower < 0.0 && bucket.upper > 0.0 {
        if h.negative.values().all(|c| *c == 0.0) && h.positive.values().any(|c| *c != 0.0) {
            bucket.lower = 0.0;
        } else if h.positive.values().all(|c| *c == 0.0) && h.negative.values().any(|c| *c != 0.0) {
            bucket.upper = 0.0;
        }
    } else if h.is_custom() {
        if bucket.lower == f64::NEG_INFINITY {
            if bucket.upper <= 0.0 {
                return bucket.upper;
            }
            bucket.lower = 0.0;
        } else if bucket.upper == f64::INFINITY {
            return bucket.lower;
        }
    }
    if count > h.count {
        count = h.count;
    }
    if count < rank {
        if h.sum.is_nan() {
            ann.info(with_name("input to histogram_quantile has NaN observations, result is NaN", name));
            return f64::NAN;
        }
        return bucket.upper;
    }
    if forward {
        rank -= count - bucket.count;
    } else {
        rank = count - rank;
    }
    if h.sum.is_nan() {
        let total: f64 = count + buckets[pos..].iter().map(|b| b.count).sum::<f64>();
        if total < h.count {
            ann.info(with_name("input to histogram_quantile has NaN observations, result is skewed higher", name));
        }
    }
    let fraction = rank / bucket.count;
    if h.is_custom() || (bucket.lower <= 0.0 && bucket.upper >= 0.0) {
        return bucket.lower + (bucket.upper - bucket.lower) * fraction;
    }
    // On a logarithmic scale exponential buckets are evenly spaced: interpolate there.
    let (log_lower, log_upper) = (bucket.lower.abs().log2(), bucket.upper.abs().log2());
    if bucket.lower > 0.0 {
        (log_lower + (log_upper - log_lower) * fraction).exp2()
    } else {
        -(log_upper + (log_lower - log_upper) * (1.0 - fraction)).exp2()
    }
}

/// The fraction of observations between `lower` and `upper`.
pub fn fraction(lower: f64, upper: f64, h: &Histogram, name: &str, ann: &mut Annotations) -> f64 {
    if h.count == 0.0 || lower.is_nan() || upper.is_nan() {
        return f64::NAN;
    }
    let buckets = h.buckets();
    // Observations of NaN are in the count but in no bucket: they count for no fraction.
    let mut cap = h.count;
    if h.sum.is_nan() {
        let total = buckets.iter().map(|b| b.count).sum::<f64>();
        if total < h.count {
            ann.info(with_name(
                "input to histogram_fraction has NaN observations, which are excluded from all fractions",
                name,
            ));
            cap = total;
        }
    }
    if lower >= upper {
        return 0.0;
    }
    let only_positive = h.negative.values().all(|c| *c == 0.0) && h.positive.values().any(|c| *c != 0.0);
    let only_negative = h.positive.values().all(|c| *c == 0.0) && h.negative.values().any(|c| *c != 0.0);
    let (mut rank, mut lower_rank, mut upper_rank) = (0.0, 0.0, 0.0);
    let (mut lower_set, mut upper_set) = (false, false);
    for mut b in buckets {
        let mut linear = h.is_custom();
        if b.lower <= 0.0 && b.upper >= 0.0 {
            linear = true;
            if only_positive {
                b.lower = 0.0;
            } else if only_negative {
                b.upper = 0.0;
            }
        }
        let interpolate = |v: f64| {
            if linear {
                return rank + b.count * (v - b.lower) / (b.upper - b.lower);
            }
            let (ll, lu, lv) = (b.lower.abs().log2(), b.upper.abs().log2(), v.abs().log2());
            let f = if v > 0.0 { (lv - ll) / (lu - ll) } else { 1.0 - (lv - lu) / (ll - lu) };
            rank + b.count * f
        };
        if !lower_set && b.lower >= lower {
            (lower_rank, lower_set) = (rank, true);
        }
        if !upper_set && b.lower >= upper {
            (upper_rank, upper_set) = (rank, true);
        }
        if lower_set && upper_set {
            break;
        }
        if !lower_set && b.lower < lower && b.upper > lower {
            (lower_rank, lower_set) = (interpolate(lower), true);
        }
        if !upper_set && b.lower < upper && b.upper > upper {
            (upper_rank, upper_set) = (interpolate(upper), true);
        }
        if lower_set && upper_set {
            break;
        }
        rank += b.count;
    }
    if !lower_set || lower_rank > cap {
        lower_rank = cap;
    }
    if !upper_set || upper_rank > cap {
        upper_rank = cap;
    }
    (upper_rank - lower_rank) / h.count
}

/// Variance of the observations, each bucket's observations taken at its (geometric, for
/// exponential buckets) mean.
fn variance(h: &Histogram) -> f64 {
    let mean = h.sum / h.count;
    let (mut v, mut c) = (0.0, 0.0);
    for b in h.buckets() {
        let val = if h.is_custom() {
            (b.upper + b.lower) / 2.0
        } else if b.lower <= 0.0 && b.upper >= 0.0 {
            0.0
        } else {
            let g = (b.upper * b.lower).sqrt();
            if b.upper < 0.0 {
                -g
            } else {
                g
            }
        };
        let delta = val - mean;
        (v, c) = kahan_inc(b.count * delta * delta, v, c);
    }
    (v + c) / h.count
}

/// `histogram_count()`, `_sum()`, `_avg()`, `_stddev()`, `_stdvar()`: floats are left out.
pub fn statistic(ev: &mut Evaluator, name: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let v = ev.eval_vector(&args[0], t)?;
    let f = |h: &Histogram| match name {
        "histogram_count" => h.count,
        "histogram_sum" => h.sum,
        "histogram_avg" => h.sum / h.count,
        "histogram_stddev" => variance(h).sqrt(),
        _ => variance(h),
    };
    Ok(Value::Vector(
        v.into_iter().filter_map(|s| s.h.as_ref().map(|h| Sample::float(s.metric.clone(), t, f(h), true))).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::histogram::parse_histogram;

    #[test]
    fn quantile_interpolates_exponentially() {
        let h = parse_histogram("{{schema:0 count:2 sum:3 buckets:[2]}}").unwrap();
        let mut ann = Annotations::default();
        // Half-way through (0.5, 1] on a log scale is 2^-0.5.
        assert!((quantile(0.5, &h, "x", &mut ann) - 0.5f64.sqrt()).abs() < 1e-12);
        assert!((fraction(0.0, 0.5f64.sqrt(), &h, "x", &mut ann) - 0.5).abs() < 1e-12);
    }
}
