//! PromQL functions: a table from name to implementation, one module per family.

pub(crate) mod histogram;
mod labels;
mod math;
mod native;
mod over_time;
mod rate;
mod sort;
mod time;

use std::sync::Arc;

use super::ast::Expr;
use super::eval::{Evaluator, RangeArg};
use super::histogram::Histogram;
use super::labels::{quote, Labels, METRIC_NAME};
use super::value::{Annotations, Sample, Series, Value};
use super::EvalError;

pub use self::math::format_g;

/// Functions whose result depends on the evaluation time even when their arguments do not.
pub const AT_UNSAFE: &[&str] = &[
    "days_in_month",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "hour",
    "minute",
    "month",
    "year",
    "predict_linear",
    "time",
    "timestamp",
];

/// What a function over a range vector gives for one series.
pub enum Point {
    /// A float.
    F(f64),
    /// A native histogram.
    H(Histogram),
}

/// The result of a [`RangeFn`]: a value, nothing (the series is left out), or an error.
pub type RangeOut = Result<Option<Point>, EvalError>;

/// A function over one range vector series: its points, the window, the scalar arguments, and
/// where to put annotations.
pub type RangeFn = fn(&Series, &RangeArg, &[f64], &mut Annotations) -> RangeOut;

/// The metric name of a series, for annotations.
pub fn name_of(s: &Series) -> &str {
    s.metric.get(METRIC_NAME)
}

/// Warns that a range holds both floats and histograms, so nothing can be computed.
pub fn mixed_warning(ann: &mut Annotations, s: &Series) {
    ann.warn(format!("encountered a mix of histograms and floats for metric name {}", quote(name_of(s))));
}

/// Notes that a function over floats left the range's histograms out.
pub fn ignored_info(ann: &mut Annotations, s: &Series) {
    ann.info(format!(
        "ignored histograms in a range containing both floats and histograms for metric name {}",
        quote(name_of(s))
    ));
}

/// A function with its own argument handling.
pub type OtherFn = fn(&mut Evaluator, &str, &[Expr], i64) -> Result<Value, EvalError>;

/// How a function is implemented.
pub enum Imp {
    /// Applied to each series of a range vector.
    Range(RangeFn),
    /// Applied to each value of an instant vector; the name is dropped.
    Float(fn(f64) -> f64),
    /// Anything else.
    Other(OtherFn),
}

/// The implementation of `name`, if PromQL 3.5 has such a function and this engine implements it.
pub fn lookup(name: &str) -> Option<Imp> {
    use Imp::{Float, Other, Range};
    Some(match name {
        "rate" => Range(rate::rate),
        "increase" => Range(rate::increase),
        "delta" => Range(rate::delta),
        "irate" => Range(rate::irate),
        "idelta" => Range(rate::idelta),
        "deriv" => Range(rate::deriv),
        "predict_linear" => Range(rate::predict_linear),
        "resets" => Range(rate::resets),
        "changes" => Range(rate::changes),
        "avg_over_time" => Range(over_time::avg),
        "sum_over_time" => Range(over_time::sum),
        "count_over_time" => Range(over_time::count),
        "min_over_time" => Range(over_time::min),
        "max_over_time" => Range(over_time::max),
        "last_over_time" => Range(over_time::last),
        "first_over_time" => Range(over_time::first),
        "present_over_time" => Range(over_time::present),
        "ts_of_max_over_time" => Range(over_time::ts_of_max),
        "ts_of_min_over_time" => Range(over_time::ts_of_min),
        "ts_of_first_over_time" => Range(over_time::ts_of_first),
        "ts_of_last_over_time" => Range(over_time::ts_of_last),
        "stddev_over_time" => Range(over_time::stddev),
        "stdvar_over_time" => Range(over_time::stdvar),
        "quantile_over_time" => Range(over_time::quantile_over_time),
        "mad_over_time" => Range(over_time::mad),
        "double_exponential_smoothing" => Range(over_time::double_exponential_smoothing),
        "absent_over_time" => Other(over_time::absent_over_time),
        "abs" => Float(f64::abs),
        "ceil" => Float(f64::ceil),
        "floor" => Float(f64::floor),
        "exp" => Float(f64::exp),
        "sqrt" => Float(f64::sqrt),
        "ln" => Float(f64::ln),
        "log2" => Float(f64::log2),
        "log10" => Float(f64::log10),
        "sin" => Float(f64::sin),
        "cos" => Float(f64::cos),
        "tan" => Float(f64::tan),
        "asin" => Float(f64::asin),
        "acos" => Float(f64::acos),
        "atan" => Float(f64::atan),
        "sinh" => Float(f64::sinh),
        "cosh" => Float(f64::cosh),
        "tanh" => Float(f64::tanh),
        "asinh" => Float(f64::asinh),
        "acosh" => Float(f64::acosh),
        "atanh" => Float(f64::atanh),
        "rad" => Float(|v| v * std::f64::consts::PI / 180.0),
        "deg" => Float(|v| v * 180.0 / std::f64::consts::PI),
        "sgn" => Float(math::sgn),
        "clamp" => Other(math::clamp),
        "clamp_min" => Other(math::clamp_min),
        "clamp_max" => Other(math::clamp_max),
        "round" => Other(math::round),
        "pi" => Other(|_, _, _, _| Ok(Value::Scalar(std::f64::consts::PI))),
        "scalar" => Other(scalar),
        "vector" => Other(vector),
        "absent" => Other(absent),
        "time" => Other(|_, _, _, t| Ok(Value::Scalar(t as f64 / 1000.0))),
        "timestamp" => Other(time::timestamp),
        "days_in_month" | "day_of_month" | "day_of_week" | "day_of_year" | "hour" | "minute" | "month" | "year" => {
            Other(time::date)
        }
        "label_replace" => Other(labels::label_replace),
        "label_join" => Other(labels::label_join),
        "sort" | "sort_desc" => Other(sort::sort),
        "sort_by_label" | "sort_by_label_desc" => Other(sort::sort_by_label),
        "histogram_quantile" => Other(histogram::quantile),
        "histogram_fraction" => Other(histogram::fraction),
        "histogram_count" | "histogram_sum" | "histogram_avg" | "histogram_stddev" | "histogram_stdvar" => {
            Other(native::statistic)
        }
        _ => return None,
    })
}

/// Evaluates a call of `name` at `t`.
pub fn call(ev: &mut Evaluator, name: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    // The function's name is used as the error's subject only; the table decides everything else.
    let imp = lookup(name).ok_or_else(|| EvalError::new(format!("function {name:?} is not supported")))?;
    match imp {
        Imp::Other(f) => f(ev, name, args, t),
        Imp::Float(f) => {
            let v = ev.eval_vector(&args[0], t)?;
            Ok(Value::Vector(
                v.into_iter().filter(|s| s.h.is_none()).map(|s| Sample::float(s.metric, t, f(s.f), true)).collect(),
            ))
        }
        Imp::Range(f) => range_call(ev, name, f, args, t),
    }
}

fn range_call(ev: &mut Evaluator, name: &str, f: RangeFn, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let mut scalars = Vec::new();
    let mut matrix = None;
    for a in args {
        if matches!(a, Expr::Matrix(..) | Expr::Subquery(_)) && matrix.is_none() {
            matrix = Some(a);
        } else {
            scalars.push(ev.eval_scalar(a, t)?);
        }
    }
    let arg = ev.range_arg(matrix.ok_or_else(|| EvalError::new(format!("{name} needs a range vector")))?, t)?;
    if name == "quantile_over_time" && arg.series.iter().any(|s| !s.points.is_empty()) {
        let q = scalars.first().copied().unwrap_or(f64::NAN);
        if q.is_nan() || !(0.0..=1.0).contains(&q) {
            ev.annotations.warn(format!("quantile value should be between 0 and 1, got {}", format_g(q)));
        }
    }
    let keep_name = name == "last_over_time" || name == "first_over_time";
    let mut out = Vec::with_capacity(arg.series.len());
    for s in &arg.series {
        let Some(v) = f(s, &arg, &scalars, &mut ev.annotations)? else { continue };
        let (value, h) = match v {
            Point::F(f) => (f, None),
            Point::H(h) => (0.0, Some(Arc::new(h))),
        };
        if (name == "rate" || name == "increase") && h.is_none() {
            let metric = name_of(s);
            if !metric.is_empty() && !["_total", "_sum", "_count", "_bucket"].iter().any(|x| metric.ends_with(x)) {
                ev.annotations.info(format!(
                    "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: {}",
                    quote(metric)
                ));
            }
        }
        out.push(Sample { metric: s.metric.clone(), t, f: value, h, drop_name: !keep_name });
    }
    Ok(Value::Vector(out))
}

fn scalar(ev: &mut Evaluator, _: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let v = ev.eval_vector(&args[0], t)?;
    let mut floats = v.iter().filter(|s| s.h.is_none());
    Ok(Value::Scalar(match (floats.next(), floats.next()) {
        (Some(s), None) => s.f,
        _ => f64::NAN,
    }))
}

fn vector(ev: &mut Evaluator, _: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let f = ev.eval_scalar(&args[0], t)?;
    Ok(Value::Vector(vec![Sample::new(Labels::new(), t, f)]))
}

fn absent(ev: &mut Evaluator, _: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    if !ev.eval_vector(&args[0], t)?.is_empty() {
        return Ok(Value::Vector(Vec::new()));
    }
    Ok(Value::Vector(vec![Sample::new(absent_labels(&args[0]), t, 1.0)]))
}

/// The labels `absent()` reports: those an equality matcher pins, once.
pub fn absent_labels(e: &Expr) -> Labels {
    let sel = match e {
        Expr::Vector(s) | Expr::Matrix(s, _) => s,
        _ => return Labels::new(),
    };
    let mut out = Labels::new();
    let mut seen: Vec<&str> = Vec::new();
    for m in &sel.matchers {
        if m.name == METRIC_NAME {
            continue;
        }
        if m.op == promql_parser::label::MatchOp::Equal && !seen.contains(&m.name.as_str()) {
            out.set(&m.name, &m.value);
            seen.push(&m.name);
        } else {
            out.remove(&m.name);
        }
    }
    out
}

/// Kahan–Neumaier summation step: returns the new sum and compensation.
pub fn kahan_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    let c = if t.is_infinite() {
        0.0
    } else if sum.abs() >= inc.abs() {
        c + ((sum - t) + inc)
    } else {
        c + ((inc - t) + sum)
    };
    (t, c)
}

/// The φ-quantile of `values` by linear interpolation between closest ranks.
pub fn quantile(q: f64, mut values: Vec<f64>) -> f64 {
    if values.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    // NaN sorts first, as in Prometheus.
    values.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        _ => a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal),
    });
    let n = values.len() as f64;
    let rank = q * (n - 1.0);
    let lower = rank.floor().max(0.0);
    let upper = (lower + 1.0).min(n - 1.0);
    let weight = rank - rank.floor();
    values[lower as usize] * (1.0 - weight) + values[upper as usize] * weight
}

/// A value as a label value: Go's `strconv.FormatFloat(f, 'f', -1, 64)`.
pub fn format_value(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{f}")
    }
}

/// Prometheus' label hash (xxHash64 of `name\xffvalue\xff…`), which `limit_ratio` samples by.
pub fn labels_hash(l: &Labels) -> u64 {
    let mut b = Vec::new();
    for (k, v) in l.iter() {
        b.extend_from_slice(k.as_bytes());
        b.push(0xff);
        b.extend_from_slice(v.as_bytes());
        b.push(0xff);
    }
    math::xxhash64(&b)
}
