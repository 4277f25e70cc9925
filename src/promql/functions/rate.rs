//! The rate family (`rate`, `increase`, `delta` with Prometheus' extrapolation; `irate`,
//! `idelta`), linear regression (`deriv`, `predict_linear`), and `resets`, `changes`.

use super::kahan_inc;
use crate::promql::eval::RangeArg;
use crate::promql::value::Series;
use crate::promql::EvalError;

type Out = Result<Option<f64>, EvalError>;

pub fn rate(s: &Series, w: &RangeArg, _: &[f64]) -> Out {
    Ok(extrapolated(s, w, true, true))
}

pub fn increase(s: &Series, w: &RangeArg, _: &[f64]) -> Out {
    Ok(extrapolated(s, w, true, false))
}

pub fn delta(s: &Series, w: &RangeArg, _: &[f64]) -> Out {
    Ok(extrapolated(s, w, false, false))
}

/// The increase over the window, corrected for counter resets, extrapolated towards the window's
/// edges: all the way when the first/last sample is within 110% of the average sample spacing of
/// the edge, half a spacing otherwise, and never below zero for counters.
fn extrapolated(s: &Series, w: &RangeArg, is_counter: bool, is_rate: bool) -> Option<f64> {
    let p = &s.points;
    if p.len() < 2 {
        return None;
    }
    let (first_t, first) = p[0];
    let (last_t, last) = p[p.len() - 1];
    let mut result = last - first;
    if is_counter {
        for pair in p.windows(2) {
            if pair[1].1 < pair[0].1 {
                result += pair[0].1;
            }
        }
    }
    let mut to_start = (first_t - w.start) as f64 / 1000.0;
    let mut to_end = (w.end - last_t) as f64 / 1000.0;
    let sampled = (last_t - first_t) as f64 / 1000.0;
    let average = sampled / (p.len() - 1) as f64;
    let threshold = average * 1.1;
    if to_start >= threshold {
        to_start = average / 2.0;
    }
    if is_counter {
        let mut to_zero = to_start;
        if result > 0.0 && first >= 0.0 {
            to_zero = sampled * (first / result);
        }
        if to_zero < to_start {
            to_start = to_zero;
        }
    }
    if to_end >= threshold {
        to_end = average / 2.0;
    }
    let mut factor = (sampled + to_start + to_end) / sampled;
    if is_rate {
        factor /= w.range as f64 / 1000.0;
    }
    Some(result * factor)
}

pub fn irate(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    Ok(instant_value(s, true))
}

pub fn idelta(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    Ok(instant_value(s, false))
}

fn instant_value(s: &Series, is_rate: bool) -> Option<f64> {
    let p = &s.points;
    if p.len() < 2 {
        return None;
    }
    let (t0, v0) = p[p.len() - 2];
    let (t1, v1) = p[p.len() - 1];
    let interval = t1 - t0;
    if interval == 0 {
        return None;
    }
    // After a counter reset the last value is the increase.
    let mut result = if is_rate && v1 < v0 { v1 } else { v1 - v0 };
    if is_rate {
        result /= interval as f64 / 1000.0;
    }
    Some(result)
}

/// Least-squares slope, and intercept at `intercept_time`, with Kahan-compensated sums.
fn linear_regression(p: &[(i64, f64)], intercept_time: i64) -> (f64, f64) {
    let (mut n, mut sum_x, mut c_x, mut sum_y, mut c_y) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut sum_xy, mut c_xy, mut sum_x2, mut c_x2) = (0.0, 0.0, 0.0, 0.0);
    let init_y = p[0].1;
    let mut const_y = true;
    for (i, &(t, v)) in p.iter().enumerate() {
        if const_y && i > 0 && v != init_y {
            const_y = false;
        }
        n += 1.0;
        let x = (t - intercept_time) as f64 / 1e3;
        (sum_x, c_x) = kahan_inc(x, sum_x, c_x);
        (sum_y, c_y) = kahan_inc(v, sum_y, c_y);
        (sum_xy, c_xy) = kahan_inc(x * v, sum_xy, c_xy);
        (sum_x2, c_x2) = kahan_inc(x * x, sum_x2, c_x2);
    }
    if const_y {
        if init_y.is_infinite() {
            return (f64::NAN, f64::NAN);
        }
        return (0.0, init_y);
    }
    sum_x += c_x;
    sum_y += c_y;
    sum_xy += c_xy;
    sum_x2 += c_x2;
    let cov_xy = sum_xy - sum_x * sum_y / n;
    let var_x = sum_x2 - sum_x * sum_x / n;
    let slope = cov_xy / var_x;
    (slope, sum_y / n - slope * sum_x / n)
}

pub fn deriv(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    if s.points.len() < 2 {
        return Ok(None);
    }
    // Times relative to the first sample keep the sums small enough to be exact.
    Ok(Some(linear_regression(&s.points, s.points[0].0).0))
}

pub fn predict_linear(s: &Series, w: &RangeArg, args: &[f64]) -> Out {
    if s.points.len() < 2 {
        return Ok(None);
    }
    let duration = args.first().copied().unwrap_or(f64::NAN);
    let (slope, intercept) = linear_regression(&s.points, w.eval_time);
    Ok(Some(slope * duration + intercept))
}

pub fn resets(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    Ok(Some(s.points.windows(2).filter(|p| p[1].1 < p[0].1).count() as f64))
}

pub fn changes(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    let changed = |a: f64, b: f64| a != b && !(a.is_nan() && b.is_nan());
    Ok(Some(s.points.windows(2).filter(|p| changed(p[1].1, p[0].1)).count() as f64))
}
