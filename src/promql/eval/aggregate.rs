//! Aggregation operators, one evaluation step at a time.

use std::collections::HashMap;
use std::sync::Arc;

use super::{heap, Evaluator};
use crate::promql::ast::{AggOp, Aggregate};
use crate::promql::functions::{format_g, kahan_inc, quantile};
use crate::promql::histogram::{Histogram, Incompatible};
use crate::promql::labels::{quote, valid_label_name, Labels, METRIC_NAME};
use crate::promql::value::{Annotations, Sample, Value};
use crate::promql::EvalError;

pub fn eval(ev: &mut Evaluator, a: &Aggregate, t: i64) -> Result<Value, EvalError> {
    if a.op == AggOp::CountValues {
        let label = match &a.param {
            Some(crate::promql::ast::Expr::String(s)) => s.clone(),
            _ => return Err(EvalError::new("count_values needs a string parameter")),
        };
        if !valid_label_name(&label) {
            return Err(EvalError::new(format!("invalid label name {}", crate::promql::labels::quote(&label))));
        }
        let input = ev.eval_vector(&a.expr, t)?;
        return Ok(Value::Vector(count_values(a, &label, input, t)));
    }
    let param = match &a.param {
        Some(p) => Some(ev.eval_scalar(p, t)?),
        None => None,
    };
    let input = ev.eval_vector(&a.expr, t)?;
    let out = match a.op {
        AggOp::Topk | AggOp::Bottomk | AggOp::Limitk | AggOp::LimitRatio => {
            k_aggregation(ev, a, param.unwrap_or(f64::NAN), input)?
        }
        _ => simple(ev, a, param, input, t),
    };
    Ok(Value::Vector(out))
}

/// The labels that identify a sample's group (and are the group's output labels).
fn group_labels(metric: &Labels, a: &Aggregate) -> Labels {
    if a.without {
        let mut drop = a.grouping.clone();
        drop.push(METRIC_NAME.to_string());
        metric.drop(&drop)
    } else {
        metric.keep(&a.grouping)
    }
}

#[derive(Default)]
struct Group {
    labels: Labels,
    value: f64,
    mean: f64,
    kahan: f64,
    count: f64,
    incremental: bool,
    values: Vec<f64>,
    drop_name: bool,
    hist: Option<Histogram>,
    has_float: bool,
    has_hist: bool,
    incompatible: bool,
}

fn op_name(op: AggOp) -> &'static str {
    match op {
        AggOp::Min => "min",
        AggOp::Max => "max",
        AggOp::Stddev => "stddev",
        AggOp::Stdvar => "stdvar",
        AggOp::Quantile => "quantile",
        AggOp::Topk => "topk",
        _ => "bottomk",
    }
}

/// The warning for histograms that cannot be added.
pub fn incompatible_warning(ann: &mut Annotations, why: Incompatible, name: &str) {
    ann.warn(match why {
        Incompatible::Schema => format!(
            "vector contains a mix of histograms with exponential and custom buckets schemas for metric name {}",
            quote(name)
        ),
        Incompatible::Bounds => {
            format!("vector contains histograms with incompatible custom buckets for metric name {}", quote(name))
        }
    });
}

/// Adds (incremental mean for `avg`) one histogram into a group.
fn add_histogram(g: &mut Group, h: &Histogram, avg: bool) -> Result<(), Incompatible> {
    let Some(acc) = &mut g.hist else { return Ok(()) };
    if !avg {
        return acc.add(h);
    }
    let mut left = h.clone();
    left.div(g.count);
    let mut right = acc.clone();
    right.div(g.count);
    left.sub(&right)?;
    acc.add(&left)
}

fn simple(ev: &mut Evaluator, a: &Aggregate, param: Option<f64>, input: Vec<Sample>, t: i64) -> Vec<Sample> {
    if a.op == AggOp::Quantile {
        let q = param.unwrap_or(f64::NAN);
        if q.is_nan() || !(0.0..=1.0).contains(&q) {
            ev.annotations.warn(format!("quantile value should be between 0 and 1, got {}", format_g(q)));
        }
    }
    let mut index: HashMap<Labels, usize> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    for s in input {
        if s.h.is_some() && matches!(a.op, AggOp::Min | AggOp::Max | AggOp::Stddev | AggOp::Stdvar | AggOp::Quantile) {
            ev.annotations.info(format!("ignored histogram in {} aggregation", op_name(a.op)));
            continue;
        }
        let key = group_labels(&s.metric, a);
        let f = s.f;
        let gi = match index.get(&key) {
            Some(&i) => i,
            None => {
                index.insert(key.clone(), groups.len());
                let mut g =
                    Group { labels: key, value: f, mean: f, count: 1.0, drop_name: s.drop_name, ..Group::default() };
                match a.op {
                    AggOp::Stddev | AggOp::Stdvar => {
                        g.value = if f.is_nan() || f.is_infinite() { f64::NAN } else { 0.0 }
                    }
                    AggOp::Quantile => g.values.push(f),
                    AggOp::Group => g.value = 1.0,
                    AggOp::Sum | AggOp::Avg => match &s.h {
                        Some(h) => (g.hist, g.has_hist) = (Some((**h).clone()), true),
                        None => g.has_float = true,
                    },
                    _ => {}
                }
                groups.push(g);
                continue;
            }
        };
        let g = &mut groups[gi];
        g.drop_name |= s.drop_name;
        if g.incompatible {
            continue;
        }
        match (a.op, &s.h) {
            (AggOp::Sum | AggOp::Avg, Some(h)) => {
                g.has_hist = true;
                if a.op == AggOp::Avg {
                    g.count += 1.0;
                }
                if let Err(why) = add_histogram(g, h, a.op == AggOp::Avg) {
                    incompatible_warning(&mut ev.annotations, why, s.metric.get(METRIC_NAME));
                    g.incompatible = true;
                }
            }
            (AggOp::Sum, None) => {
                g.has_float = true;
                (g.value, g.kahan) = kahan_inc(f, g.value, g.kahan);
            }
            (AggOp::Avg, None) => {
                g.has_float = true;
                g.count += 1.0;
                if !g.incremental {
                    let (v, c) = kahan_inc(f, g.value, g.kahan);
                    if !v.is_infinite() {
                        (g.value, g.kahan) = (v, c);
                        continue;
                    }
                    // The running sum would overflow: continue with an incremental mean.
                    g.incremental = true;
                    g.mean = g.value / (g.count - 1.0);
                    g.kahan /= g.count - 1.0;
                }
                let q = (g.count - 1.0) / g.count;
                (g.mean, g.kahan) = kahan_inc(f / g.count, q * g.mean, q * g.kahan);
            }
            (AggOp::Max, _) if g.value < f || g.value.is_nan() => g.value = f,
            (AggOp::Min, _) if g.value > f || g.value.is_nan() => g.value = f,
            (AggOp::Count, _) => g.count += 1.0,
            (AggOp::Stddev | AggOp::Stdvar, _) => {
                g.count += 1.0;
                let delta = f - g.mean;
                g.mean += delta / g.count;
                g.value += delta * (f - g.mean);
            }
            (AggOp::Quantile, _) => g.values.push(f),
            _ => {}
        }
    }
    let mut out = Vec::with_capacity(groups.len());
    for g in groups {
        if matches!(a.op, AggOp::Sum | AggOp::Avg) {
            if g.has_float && g.has_hist {
                ev.annotations.warn("encountered a mix of histograms and floats for aggregation");
                continue;
            }
            if g.incompatible {
                continue;
            }
            if let Some(mut h) = g.hist {
                h.compact();
                out.push(Sample { metric: g.labels, t, f: 0.0, h: Some(Arc::new(h)), drop_name: g.drop_name });
                continue;
            }
        }
        let f = match a.op {
            AggOp::Sum => g.value + g.kahan,
            AggOp::Avg if g.incremental => g.mean + g.kahan,
            AggOp::Avg => g.value / g.count + g.kahan / g.count,
            AggOp::Count => g.count,
            AggOp::Stdvar => g.value / g.count,
            AggOp::Stddev => (g.value / g.count).sqrt(),
            AggOp::Quantile => quantile(param.unwrap_or(f64::NAN), g.values),
            _ => g.value,
        };
        out.push(Sample::float(g.labels, t, f, g.drop_name));
    }
    out
}

fn k_aggregation(ev: &mut Evaluator, a: &Aggregate, p: f64, input: Vec<Sample>) -> Result<Vec<Sample>, EvalError> {
    let mut ratio = 0.0;
    let mut k = 0i64;
    if a.op == AggOp::LimitRatio {
        if p == 0.0 {
            return Ok(Vec::new());
        }
        if p.is_nan() {
            return Err(EvalError::new("Ratio value is NaN"));
        }
        if p > 1.0 {
            ev.annotations.warn(format!("ratio value should be between -1 and 1, got {}, capping to 1", format_g(p)));
        }
        if p < -1.0 {
            ev.annotations.warn(format!("ratio value should be between -1 and 1, got {}, capping to -1", format_g(p)));
        }
        ratio = p.clamp(-1.0, 1.0);
    } else {
        if p < 1.0 {
            return Ok(Vec::new());
        }
        if p.is_nan() {
            return Err(EvalError::new("Parameter value is NaN"));
        }
        if p >= i64::MAX as f64 {
            return Err(EvalError::new(format!("Scalar value {} overflows int64", format_g(p))));
        }
        k = (p as i64).min(input.len() as i64);
    }
    let (less, reverse): (fn(&Sample, &Sample) -> bool, bool) = match a.op {
        AggOp::Bottomk => (heap::by_reverse_value, true),
        _ => (heap::by_value, false),
    };
    let mut index: HashMap<Labels, usize> = HashMap::new();
    let mut groups: Vec<Vec<Sample>> = Vec::new();
    for s in input {
        if s.h.is_some() && matches!(a.op, AggOp::Topk | AggOp::Bottomk) {
            ev.annotations.info(format!("ignored histogram in {} aggregation", op_name(a.op)));
            continue;
        }
        let key = group_labels(&s.metric, a);
        let gi = *index.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        let h = &mut groups[gi];
        match a.op {
            AggOp::Topk | AggOp::Bottomk => {
                if (h.len() as i64) < k {
                    heap::push(h, s, less);
                } else {
                    let top = h[0].f;
                    let better = if reverse { top > s.f } else { top < s.f };
                    if better || (top.is_nan() && !s.f.is_nan()) {
                        h[0] = s;
                        if k > 1 {
                            heap::fix_top(h, less);
                        }
                    }
                }
            }
            AggOp::Limitk => {
                if (h.len() as i64) < k {
                    h.push(s);
                }
            }
            _ => {
                if ratio_sample(ratio, &s.metric) {
                    h.push(s);
                }
            }
        }
    }
    let mut out = Vec::new();
    for mut h in groups {
        if matches!(a.op, AggOp::Topk | AggOp::Bottomk) && h.len() > 1 {
            heap::sort_reverse(&mut h, less);
        }
        out.extend(h);
    }
    Ok(out)
}

/// Whether `limit_ratio` keeps a series: its label hash, as a fraction of the hash space, falls
/// below the ratio (or, for a negative ratio, in the complementary upper part).
fn ratio_sample(ratio: f64, metric: &Labels) -> bool {
    let offset = crate::promql::functions::labels_hash(metric) as f64 / u64::MAX as f64;
    (ratio >= 0.0 && offset < ratio) || (ratio < 0.0 && offset >= 1.0 + ratio)
}

fn count_values(a: &Aggregate, label: &str, input: Vec<Sample>, t: i64) -> Vec<Sample> {
    let mut grouping = a.grouping.clone();
    if !a.without {
        grouping.push(label.to_string());
    }
    let mut index: HashMap<Labels, usize> = HashMap::new();
    let mut out: Vec<Sample> = Vec::new();
    for s in input {
        let mut metric = s.metric;
        let value = match &s.h {
            Some(h) => h.to_string(),
            None => crate::promql::functions::format_value(s.f),
        };
        metric.set(label, &value);
        let key = if a.without {
            let mut drop = grouping.clone();
            drop.push(METRIC_NAME.to_string());
            metric.drop(&drop)
        } else {
            metric.keep(&grouping)
        };
        match index.get(&key) {
            Some(&i) => out[i].f += 1.0,
            None => {
                index.insert(key.clone(), out.len());
                out.push(Sample::new(key, t, 1.0));
            }
        }
    }
    out
}
