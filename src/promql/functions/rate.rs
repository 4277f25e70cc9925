//! The rate family (`rate`, `increase`, `delta` with Prometheus' extrapolation; `irate`,
//! `idelta`), linear regression (`deriv`, `predict_linear`), and `resets`, `changes`; native
//! histograms included where Prometheus takes them.

use std::sync::Arc;

use super::{ignored_info, kahan_inc, mixed_warning, name_of, Point, RangeOut};
use crate::promql::eval::aggregate::incompatible_warning;
use crate::promql::eval::RangeArg;
use crate::promql::histogram::{Hint, Histogram};
use crate::promql::labels::quote;
use crate::promql::value::{Annotations, Series};

pub fn rate(s: &Series, w: &RangeArg, _: &[f64], ann: &mut Annotations) -> RangeOut {
    Ok(extrapolated(s, w, true, true, ann))
}

pub fn increase(s: &Series, w: &RangeArg, _: &[f64], ann: &mut Annotations) -> RangeOut {
    Ok(extrapolated(s, w, true, false, ann))
}

pub fn delta(s: &Series, w: &RangeArg, _: &[f64], ann: &mut Annotations) -> RangeOut {
    Ok(extrapolated(s, w, false, false, ann))
}

fn not_counter(ann: &mut Annotations, s: &Series) {
    ann.warn(format!("this native histogram metric is not a counter: {}", quote(name_of(s))));
}

fn not_gauge(ann: &mut Annotations, s: &Series) {
    ann.warn(format!("this native histogram metric is not a gauge: {}", quote(name_of(s))));
}

/// The increase of a histogram series over the window (before extrapolation), corrected for
/// counter resets.
fn histogram_increase(s: &Series, is_counter: bool, ann: &mut Annotations) -> Option<Histogram> {
    let h = &s.hists;
    let (first, last) = (&h[0].1, &h[h.len() - 1].1);
    if is_counter && (first.hint == Hint::Gauge || last.hint == Hint::Gauge) {
        not_counter(ann, s);
    }
    let mut prev: Arc<Histogram> = first.clone();
    // A reset between the first two samples makes the first one irrelevant.
    if is_counter && h.len() > 1 && h[1].1.detect_reset(first) {
        let second = &h[1].1;
        prev = Arc::new(Histogram {
            schema: second.schema,
            custom_values: second.custom_values.clone(),
            ..Histogram::default()
        });
    }
    if last.is_custom() != prev.is_custom() {
        incompatible_warning(ann, crate::promql::histogram::Incompatible::Schema, name_of(s));
        return None;
    }
    let mut min_schema = last.schema.min(prev.schema);
    for (_, cur) in &h[1..h.len() - 1] {
        if !is_counter {
            continue;
        }
        if cur.hint == Hint::Gauge {
            not_counter(ann, s);
        }
        min_schema = min_schema.min(cur.schema);
        if cur.is_custom() != prev.is_custom() {
            incompatible_warning(ann, crate::promql::histogram::Incompatible::Schema, name_of(s));
            return None;
        }
    }
    let mut result = last.to_schema(min_schema);
    if let Err(why) = result.sub(&prev) {
        incompatible_warning(ann, why, name_of(s));
        return None;
    }
    if is_counter {
        let mut prev = prev;
        for (_, cur) in &h[1..] {
            if cur.detect_reset(&prev) {
                if let Err(why) = result.add(&prev) {
                    incompatible_warning(ann, why, name_of(s));
                    return None;
                }
            }
            prev = cur.clone();
        }
    } else if first.hint != Hint::Gauge || last.hint != Hint::Gauge {
        not_gauge(ann, s);
    }
    result.hint = Hint::Gauge;
    result.compact();
    Some(result)
}

/// The increase over the window, corrected for counter resets, extrapolated towards the window's
/// edges: all the way when the first/last sample is within 110% of the average sample spacing of
/// the edge, half a spacing otherwise, and never below zero for counters.
fn extrapolated(s: &Series, w: &RangeArg, is_counter: bool, is_rate: bool, ann: &mut Annotations) -> Option<Point> {
    if !s.points.is_empty() && !s.hists.is_empty() {
        mixed_warning(ann, s);
        return None;
    }
    let (first_t, last_t, n, mut result, first_value, hist) = if s.hists.len() > 1 {
        let h = histogram_increase(s, is_counter, ann)?;
        let (first, last) = (&s.hists[0], &s.hists[s.hists.len() - 1]);
        (first.0, last.0, s.hists.len(), h.count, first.1.count, Some(h))
    } else if s.points.len() > 1 {
        let p = &s.points;
        let mut result = p[p.len() - 1].1 - p[0].1;
        if is_counter {
            for pair in p.windows(2) {
                if pair[1].1 < pair[0].1 {
                    result += pair[0].1;
                }
            }
        }
        (p[0].0, p[p.len() - 1].0, p.len(), result, p[0].1, None)
    } else {
        return None;
    };
    let mut to_start = first_t.saturating_sub(w.start) as f64 / 1000.0;
    let mut to_end = w.end.saturating_sub(last_t) as f64 / 1000.0;
    let sampled = (last_t - first_t) as f64 / 1000.0;
    let average = sampled / (n - 1) as f64;
    let threshold = average * 1.1;
    if to_start >= threshold {
        to_start = average / 2.0;
    }
    // Counters cannot be negative: do not extrapolate a float counter below zero. (Prometheus
    // 3.5 does not do this for histograms.)
    if is_counter && hist.is_none() && result > 0.0 && first_value >= 0.0 {
        to_start = to_start.min(sampled * (first_value / result));
    }
    if to_end >= threshold {
        to_end = average / 2.0;
    }
    let mut factor = (sampled + to_start + to_end) / sampled;
    if is_rate {
        factor /= w.range as f64 / 1000.0;
    }
    match hist {
        Some(mut h) => {
            h.mul(factor);
            Some(Point::H(h))
        }
        None => {
            result *= factor;
            Some(Point::F(result))
        }
    }
}

pub fn irate(s: &Series, _: &RangeArg, _: &[f64], ann: &mut Annotations) -> RangeOut {
    Ok(instant_value(s, true, ann))
}

pub fn idelta(s: &Series, _: &RangeArg, _: &[f64], ann: &mut Annotations) -> RangeOut {
    Ok(instant_value(s, false, ann))
}

/// A float or histogram sample at a time.
enum Any<'a> {
    F(f64),
    H(&'a Arc<Histogram>),
}

/// The samples of a series, floats and histograms, in time order.
fn merged(s: &Series) -> Vec<(i64, Any<'_>)> {
    let mut all: Vec<(i64, Any)> = s.points.iter().map(|&(t, f)| (t, Any::F(f))).collect();
    all.extend(s.hists.iter().map(|(t, h)| (*t, Any::H(h))));
    all.sort_by_key(|(t, _)| *t);
    all
}

fn instant_value(s: &Series, is_rate: bool, ann: &mut Annotations) -> Option<Point> {
    let all = merged(s);
    if all.len() < 2 {
        return None;
    }
    let ((t0, a), (t1, b)) = (&all[all.len() - 2], &all[all.len() - 1]);
    let interval = t1 - t0;
    if interval == 0 {
        return None;
    }
    let secs = interval as f64 / 1000.0;
    match (a, b) {
        (Any::F(v0), Any::F(v1)) => {
            // After a counter reset the last value is the increase.
            let mut result = if is_rate && v1 < v0 { *v1 } else { v1 - v0 };
            if is_rate {
                result /= secs;
            }
            Some(Point::F(result))
        }
        (Any::H(h0), Any::H(h1)) => {
            if is_rate && (h0.hint == Hint::Gauge || h1.hint == Hint::Gauge) {
                not_counter(ann, s);
            }
            if !is_rate && (h0.hint != Hint::Gauge || h1.hint != Hint::Gauge) {
                not_gauge(ann, s);
            }
            let mut result = Histogram::clone(h1);
            if !is_rate || !h1.detect_reset(h0) {
                if let Err(why) = result.sub(h0) {
                    incompatible_warning(ann, why, name_of(s));
                    return None;
                }
            }
            result.hint = Hint::Gauge;
            result.compact();
            if is_rate {
                result.div(secs);
            }
            Some(Point::H(result))
        }
        _ => {
            mixed_warning(ann, s);
            None
        }
    }
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
        let x = t.saturating_sub(intercept_time) as f64 / 1e3;
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

/// Regression needs two floats; histograms in the range are left out, with an info.
fn regression_input(s: &Series, ann: &mut Annotations) -> bool {
    if s.points.len() < 2 {
        if s.points.len() == 1 && !s.hists.is_empty() {
            ignored_info(ann, s);
        }
        return false;
    }
    if !s.hists.is_empty() {
        ignored_info(ann, s);
    }
    true
}

pub fn deriv(s: &Series, _: &RangeArg, _: &[f64], ann: &mut Annotations) -> RangeOut {
    if !regression_input(s, ann) {
        return Ok(None);
    }
    // Times relative to the first sample keep the sums small enough to be exact.
    Ok(Some(Point::F(linear_regression(&s.points, s.points[0].0).0)))
}

pub fn predict_linear(s: &Series, w: &RangeArg, args: &[f64], ann: &mut Annotations) -> RangeOut {
    if !regression_input(s, ann) {
        return Ok(None);
    }
    let duration = args.first().copied().unwrap_or(f64::NAN);
    let (slope, intercept) = linear_regression(&s.points, w.eval_time);
    Ok(Some(Point::F(slope * duration + intercept)))
}

/// Counts consecutive pairs for which `differs` holds; a switch between float and histogram
/// always counts.
fn count_pairs(s: &Series, differs: fn(&Any, &Any) -> bool) -> RangeOut {
    let all = merged(s);
    if all.is_empty() {
        return Ok(None);
    }
    let n = all.windows(2).filter(|p| differs(&p[0].1, &p[1].1)).count();
    Ok(Some(Point::F(n as f64)))
}

pub fn resets(s: &Series, _: &RangeArg, _: &[f64], _: &mut Annotations) -> RangeOut {
    count_pairs(s, |a, b| match (a, b) {
        (Any::F(x), Any::F(y)) => y < x,
        (Any::H(x), Any::H(y)) => y.detect_reset(x),
        _ => true,
    })
}

pub fn changes(s: &Series, _: &RangeArg, _: &[f64], _: &mut Annotations) -> RangeOut {
    count_pairs(s, |a, b| match (a, b) {
        (Any::F(x), Any::F(y)) => x != y && !(x.is_nan() && y.is_nan()),
        (Any::H(x), Any::H(y)) => !y.equals(x),
        _ => true,
    })
}
