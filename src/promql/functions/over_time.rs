//! `*_over_time` aggregations over each series of a range vector, and
//! `double_exponential_smoothing`.

use super::{absent_labels, ignored_info, kahan_inc, mixed_warning, name_of, quantile, Point, RangeOut};
use crate::promql::ast::Expr;
use crate::promql::eval::aggregate::incompatible_warning;
use crate::promql::eval::{Evaluator, RangeArg};
use crate::promql::histogram::Histogram;
use crate::promql::value::{Annotations, Sample, Series, Value};
use crate::promql::EvalError;

fn values(s: &Series) -> impl Iterator<Item = f64> + '_ {
    s.points.iter().map(|p| p.1)
}

/// The floats of a range, or None when it has none; histograms beside them are left out with an
/// info.
fn floats_only<'a>(s: &'a Series, ann: &mut Annotations) -> Option<&'a [(i64, f64)]> {
    if s.points.is_empty() {
        return None;
    }
    if !s.hists.is_empty() {
        ignored_info(ann, s);
    }
    Some(&s.points)
}

/// Sum (or mean) of a range of histograms.
fn histogram_total(s: &Series, mean: bool, ann: &mut Annotations) -> Option<Histogram> {
    let mut acc = (*s.hists[0].1).clone();
    for (i, (_, h)) in s.hists.iter().enumerate().skip(1) {
        let result = if mean {
            // Incremental mean: acc += (h - acc) / n.
            let n = (i + 1) as f64;
            let mut left = (**h).clone();
            left.div(n);
            let mut right = acc.clone();
            right.div(n);
            left.sub(&right).and_then(|_| acc.add(&left))
        } else {
            acc.add(h)
        };
        if let Err(why) = result {
            incompatible_warning(ann, why, name_of(s));
            return None;
        }
    }
    acc.compact();
    Some(acc)
}

pub fn avg(s: &Series, _: &RangeArg, _: &[f64], ann: &mut Annotations) -> RangeOut {
    if !s.points.is_empty() && !s.hists.is_empty() {
        mixed_warning(ann, s);
        return Ok(None);
    }
    if s.points.is_empty() {
        return Ok(histogram_total(s, true, ann).map(Point::H));
    }
    let p = &s.points;
    let (mut sum, mut count, mut mean, mut c) = (p[0].1, 1.0, 0.0, 0.0);
    let mut incremental = false;
    for &(_, f) in &p[1..] {
        count += 1.0;
        if !incremental {
            let (ns, nc) = kahan_inc(f, sum, c);
            if !ns.is_infinite() {
                (sum, c) = (ns, nc);
                continue;
            }
            // The sum would overflow: switch to an incremental mean.
            incremental = true;
            mean = sum / (count - 1.0);
            c /= count - 1.0;
        }
        let q = (count - 1.0) / count;
        (mean, c) = kahan_inc(f / count, q * mean, q * c);
    }
    Ok(Some(Point::F(if incremental { mean + c } else { sum / count + c / count })))
}

pub fn sum(s: &Series, _: &RangeArg, _: &[f64], ann: &mut Annotations) -> RangeOut {
    if !s.points.is_empty() && !s.hists.is_empty() {
        mixed_warning(ann, s);
        return Ok(None);
    }
    if s.points.is_empty() {
        return Ok(histogram_total(s, false, ann).map(Point::H));
    }
    let (mut sum, mut c) = (0.0, 0.0);
    for f in values(s) {
        (sum, c) = kahan_inc(f, sum, c);
    }
    Ok(Some(Point::F(if sum.is_infinite() { sum } else { sum + c })))
}

pub fn count(s: &Series, _: &RangeArg, _: &[f64], _: &mut Annotations) -> RangeOut {
    Ok(Some(Point::F((s.points.len() + s.hists.len()) as f64)))
}

/// The extreme float (`better(candidate, best)`), or the time of the last sample holding it.
fn extreme(s: &Series, ann: &mut Annotations, better: fn(f64, f64) -> bool, time: bool) -> RangeOut {
    let Some(p) = floats_only(s, ann) else { return Ok(None) };
    let (mut best, mut at) = (p[0].1, p[0].0);
    for &(t, f) in p {
        if better(f, best) {
            (best, at) = (f, t);
        }
    }
    Ok(Some(Point::F(if time { at as f64 / 1000.0 } else { best })))
}

pub fn min(s: &Series, _: &RangeArg, _: &[f64], ann: &mut Annotations) -> RangeOut {
    extreme(s, ann, |f, m| f < m || m.is_nan(), false)
}

pub fn max(s: &Series, _: &RangeArg, _: &[f64], ann: &mut Annotations) -> RangeOut {
    extreme(s, ann, |f, m| f > m || m.is_nan(), false)
}

pub fn ts_of_max(s: &Series, _: &RangeArg, _: &[f64], ann: &mut Annotations) -> RangeOut {
    extreme(s, ann, |f, m| f >= m || m.is_nan(), true)
}

pub fn ts_of_min(s: &Series, _: &RangeArg, _: &[f64], ann: &mut Annotations) -> RangeOut {
    extreme(s, ann, |f, m| f <= m || m.is_nan(), true)
}

fn first_time(s: &Series) -> Option<i64> {
    [s.points.first().map(|p| p.0), s.hists.first().map(|p| p.0)].into_iter().flatten().min()
}

fn last_time(s: &Series) -> Option<i64> {
    [s.points.last().map(|p| p.0), s.hists.last().map(|p| p.0)].into_iter().flatten().max()
}

pub fn ts_of_first(s: &Series, _: &RangeArg, _: &[f64], _: &mut Annotations) -> RangeOut {
    Ok(first_time(s).map(|t| Point::F(t as f64 / 1000.0)))
}

pub fn ts_of_last(s: &Series, _: &RangeArg, _: &[f64], _: &mut Annotations) -> RangeOut {
    Ok(last_time(s).map(|t| Point::F(t as f64 / 1000.0)))
}

pub fn last(s: &Series, _: &RangeArg, _: &[f64], _: &mut Annotations) -> RangeOut {
    Ok(match (s.points.last(), s.hists.last()) {
        (Some(f), Some(h)) if h.0 < f.0 => Some(Point::F(f.1)),
        (_, Some(h)) => Some(Point::H((*h.1).clone())),
        (Some(f), None) => Some(Point::F(f.1)),
        (None, None) => None,
    })
}

pub fn first(s: &Series, _: &RangeArg, _: &[f64], _: &mut Annotations) -> RangeOut {
    Ok(match (s.points.first(), s.hists.first()) {
        (Some(f), Some(h)) if f.0 < h.0 => Some(Point::F(f.1)),
        (_, Some(h)) => Some(Point::H((*h.1).clone())),
        (Some(f), None) => Some(Point::F(f.1)),
        (None, None) => None,
    })
}

pub fn present(_: &Series, _: &RangeArg, _: &[f64], _: &mut Annotations) -> RangeOut {
    Ok(Some(Point::F(1.0)))
}

/// Variance by Welford's method with Kahan-compensated mean and sum of squares.
fn variance(p: &[(i64, f64)]) -> f64 {
    let (mut count, mut mean, mut c_mean, mut aux, mut c_aux) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &(_, f) in p {
        count += 1.0;
        let delta = f - (mean + c_mean);
        (mean, c_mean) = kahan_inc(delta / count, mean, c_mean);
        (aux, c_aux) = kahan_inc(delta * (f - (mean + c_mean)), aux, c_aux);
    }
    (aux + c_aux) / count
}

pub fn stddev(s: &Series, _: &RangeArg, _: &[f64], ann: &mut Annotations) -> RangeOut {
    Ok(floats_only(s, ann).map(|p| Point::F(variance(p).sqrt())))
}

pub fn stdvar(s: &Series, _: &RangeArg, _: &[f64], ann: &mut Annotations) -> RangeOut {
    Ok(floats_only(s, ann).map(|p| Point::F(variance(p))))
}

pub fn quantile_over_time(s: &Series, _: &RangeArg, args: &[f64], ann: &mut Annotations) -> RangeOut {
    let q = args.first().copied().unwrap_or(f64::NAN);
    Ok(floats_only(s, ann).map(|p| Point::F(quantile(q, p.iter().map(|x| x.1).collect()))))
}

pub fn mad(s: &Series, _: &RangeArg, _: &[f64], ann: &mut Annotations) -> RangeOut {
    let Some(p) = floats_only(s, ann) else { return Ok(None) };
    let median = quantile(0.5, p.iter().map(|x| x.1).collect());
    Ok(Some(Point::F(quantile(0.5, p.iter().map(|x| (x.1 - median).abs()).collect()))))
}

/// Holt's linear smoothing: `sf` weighs the newest value, `tf` the newest trend.
pub fn double_exponential_smoothing(s: &Series, _: &RangeArg, args: &[f64], ann: &mut Annotations) -> RangeOut {
    let (sf, tf) = (args[0], args[1]);
    if sf <= 0.0 || sf >= 1.0 {
        return Err(EvalError::new(format!("invalid smoothing factor. Expected: 0 < sf < 1, got: {sf:.6}")));
    }
    if tf <= 0.0 || tf >= 1.0 {
        return Err(EvalError::new(format!("invalid trend factor. Expected: 0 < tf < 1, got: {tf:.6}")));
    }
    let p = &s.points;
    if p.len() < 2 {
        if p.len() == 1 && !s.hists.is_empty() {
            ignored_info(ann, s);
        }
        return Ok(None);
    }
    let (mut s0, mut s1) = (0.0, p[0].1);
    let mut b = p[1].1 - p[0].1;
    for (i, &(_, f)) in p.iter().enumerate().skip(1) {
        let x = sf * f;
        // The trend of the first step is the raw difference.
        b = if i == 1 { b } else { tf * (s1 - s0) + (1.0 - tf) * b };
        let y = (1.0 - sf) * (s1 + b);
        (s0, s1) = (s1, x + y);
    }
    if !s.hists.is_empty() {
        ignored_info(ann, s);
    }
    Ok(Some(Point::F(s1)))
}

/// 1 with the selector's pinned labels when no series has a sample in the window; nothing
/// otherwise.
pub fn absent_over_time(ev: &mut Evaluator, _: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let arg = ev.range_arg(&args[0], t)?;
    if !arg.series.is_empty() {
        return Ok(Value::Vector(Vec::new()));
    }
    Ok(Value::Vector(vec![Sample::float(absent_labels(&args[0]), t, 1.0, true)]))
}
