//! `*_over_time` aggregations over each series of a range vector, and
//! `double_exponential_smoothing`.

use super::{absent_labels, kahan_inc, quantile};
use crate::promql::ast::Expr;
use crate::promql::eval::{Evaluator, RangeArg};
use crate::promql::value::{Sample, Series, Value};
use crate::promql::EvalError;

type Out = Result<Option<f64>, EvalError>;

fn values(s: &Series) -> impl Iterator<Item = f64> + '_ {
    s.points.iter().map(|p| p.1)
}

pub fn avg(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
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
    Ok(Some(if incremental { mean + c } else { sum / count + c / count }))
}

pub fn sum(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    let (mut sum, mut c) = (0.0, 0.0);
    for f in values(s) {
        (sum, c) = kahan_inc(f, sum, c);
    }
    Ok(Some(if sum.is_infinite() { sum } else { sum + c }))
}

pub fn count(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    Ok(Some(s.points.len() as f64))
}

pub fn min(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    Ok(Some(values(s).fold(s.points[0].1, |m, f| if f < m || m.is_nan() { f } else { m })))
}

pub fn max(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    Ok(Some(values(s).fold(s.points[0].1, |m, f| if f > m || m.is_nan() { f } else { m })))
}

/// The time (seconds) of the last sample holding the extreme value: `pick(current, best)` says
/// whether the current value replaces the best so far.
fn time_of(s: &Series, pick: fn(f64, f64) -> bool) -> Option<f64> {
    let (mut best, mut at) = (s.points[0].1, s.points[0].0);
    for &(t, f) in &s.points {
        if pick(f, best) {
            (best, at) = (f, t);
        }
    }
    Some(at as f64 / 1000.0)
}

pub fn ts_of_max(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    Ok(time_of(s, |f, best| f >= best || best.is_nan()))
}

pub fn ts_of_min(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    Ok(time_of(s, |f, best| f <= best || best.is_nan()))
}

pub fn ts_of_first(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    Ok(s.points.first().map(|p| p.0 as f64 / 1000.0))
}

pub fn ts_of_last(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    Ok(s.points.last().map(|p| p.0 as f64 / 1000.0))
}

pub fn last(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    Ok(s.points.last().map(|p| p.1))
}

pub fn first(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    Ok(s.points.first().map(|p| p.1))
}

pub fn present(_: &Series, _: &RangeArg, _: &[f64]) -> Out {
    Ok(Some(1.0))
}

/// Variance by Welford's method with Kahan-compensated mean and sum of squares.
fn variance(s: &Series) -> f64 {
    let (mut count, mut mean, mut c_mean, mut aux, mut c_aux) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for f in values(s) {
        count += 1.0;
        let delta = f - (mean + c_mean);
        (mean, c_mean) = kahan_inc(delta / count, mean, c_mean);
        (aux, c_aux) = kahan_inc(delta * (f - (mean + c_mean)), aux, c_aux);
    }
    (aux + c_aux) / count
}

pub fn stddev(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    Ok(Some(variance(s).sqrt()))
}

pub fn stdvar(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    Ok(Some(variance(s)))
}

pub fn quantile_over_time(s: &Series, _: &RangeArg, args: &[f64]) -> Out {
    Ok(Some(quantile(args.first().copied().unwrap_or(f64::NAN), values(s).collect())))
}

pub fn mad(s: &Series, _: &RangeArg, _: &[f64]) -> Out {
    let median = quantile(0.5, values(s).collect());
    Ok(Some(quantile(0.5, values(s).map(|f| (f - median).abs()).collect())))
}

/// Holt's linear smoothing: `sf` weighs the newest value, `tf` the newest trend.
pub fn double_exponential_smoothing(s: &Series, _: &RangeArg, args: &[f64]) -> Out {
    let (sf, tf) = (args[0], args[1]);
    if sf <= 0.0 || sf >= 1.0 {
        return Err(EvalError::new(format!("invalid smoothing factor. Expected: 0 < sf < 1, got: {sf:.6}")));
    }
    if tf <= 0.0 || tf >= 1.0 {
        return Err(EvalError::new(format!("invalid trend factor. Expected: 0 < tf < 1, got: {tf:.6}")));
    }
    let p = &s.points;
    if p.len() < 2 {
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
    Ok(Some(s1))
}

/// 1 with the selector's pinned labels when no series has a sample in the window; nothing
/// otherwise.
pub fn absent_over_time(ev: &mut Evaluator, _: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let arg = ev.range_arg(&args[0], t)?;
    if !arg.series.is_empty() {
        return Ok(Value::Vector(Vec::new()));
    }
    let mut s = Sample::new(absent_labels(&args[0]), t, 1.0);
    s.drop_name = true;
    Ok(Value::Vector(vec![s]))
}
