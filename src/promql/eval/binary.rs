//! Binary operators: scalar arithmetic, vector matching (`on`, `ignoring`, `group_left`,
//! `group_right`, `bool`) and the set operators.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::Evaluator;
use crate::promql::ast::{BinOp, Binary, Card};
use crate::promql::histogram::{Hint, Histogram};
use crate::promql::labels::{Labels, METRIC_NAME};
use crate::promql::value::{Annotations, Sample, Value};
use crate::promql::EvalError;

pub fn eval(ev: &mut Evaluator, b: &Binary, t: i64) -> Result<Value, EvalError> {
    let lhs = ev.eval(&b.lhs, t)?;
    let rhs = ev.eval(&b.rhs, t)?;
    Ok(match (lhs, rhs) {
        (Value::Scalar(l), Value::Scalar(r)) => Value::Scalar(scalar_op(b.op, l, r)),
        (Value::Vector(l), Value::Vector(r)) => Value::Vector(match b.op {
            BinOp::And => and(l, r, b),
            BinOp::Or => or(l, r, b),
            BinOp::Unless => unless(l, r, b),
            _ => vector_op(l, r, b, t, &mut ev.annotations)?,
        }),
        (Value::Vector(l), Value::Scalar(r)) => Value::Vector(vector_scalar(l, r, b, false, t, &mut ev.annotations)),
        (Value::Scalar(l), Value::Vector(r)) => Value::Vector(vector_scalar(r, l, b, true, t, &mut ev.annotations)),
        (l, r) => {
            return Err(EvalError::new(format!(
                "binary expression must contain only scalar and instant vector types, got {} and {}",
                l.type_name(),
                r.type_name()
            )))
        }
    })
}

/// The value of `l op r`, and whether a comparison holds (always true for arithmetic).
fn apply(op: BinOp, l: f64, r: f64) -> (f64, bool) {
    match op {
        BinOp::Add => (l + r, true),
        BinOp::Sub => (l - r, true),
        BinOp::Mul => (l * r, true),
        BinOp::Div => (l / r, true),
        BinOp::Mod => (go_mod(l, r), true),
        BinOp::Pow => (go_pow(l, r), true),
        BinOp::Atan2 => (l.atan2(r), true),
        BinOp::Eq => (l, l == r),
        BinOp::Ne => (l, l != r),
        BinOp::Gt => (l, l > r),
        BinOp::Lt => (l, l < r),
        BinOp::Ge => (l, l >= r),
        BinOp::Le => (l, l <= r),
        BinOp::And | BinOp::Or | BinOp::Unless => (f64::NAN, false),
    }
}

/// Go's `math.Mod`: the result takes the sign of `x`, and infinite or NaN inputs give NaN.
pub fn go_mod(x: f64, y: f64) -> f64 {
    if y == 0.0 || x.is_infinite() || x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    x % y
}

/// Go's `math.Pow`, which differs from C's `pow` for a few special cases.
pub fn go_pow(x: f64, y: f64) -> f64 {
    if x == -1.0 && y.is_infinite() {
        return 1.0;
    }
    x.powf(y)
}

fn scalar_op(op: BinOp, l: f64, r: f64) -> f64 {
    let (v, keep) = apply(op, l, r);
    if op.is_comparison() {
        f64::from(u8::from(keep))
    } else {
        v
    }
}

/// Arithmetic changes what a value means, so the metric name (and type and unit) go.
fn changes_meaning(op: BinOp) -> bool {
    matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Pow | BinOp::Atan2)
}

fn op_name(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Mod => "%",
        BinOp::Pow => "^",
        BinOp::Atan2 => "atan2",
        BinOp::Eq => "==",
        BinOp::Ne => "!=",
        BinOp::Gt => ">",
        BinOp::Lt => "<",
        BinOp::Ge => ">=",
        BinOp::Le => "<=",
        BinOp::And => "and",
        BinOp::Or => "or",
        BinOp::Unless => "unless",
    }
}

type Hist = Option<Arc<Histogram>>;

/// One element operation where either side may be a histogram: the value, the histogram, and
/// whether to keep it; None (with an annotation) when the types do not go together.
fn apply_elem(op: BinOp, l: (f64, &Hist), r: (f64, &Hist), ann: &mut Annotations) -> Option<(f64, Hist, bool)> {
    let scaled = |h: &Histogram, f: &dyn Fn(&mut Histogram)| {
        let mut n = h.clone();
        f(&mut n);
        n.compact();
        Some((0.0, Some(Arc::new(n)), true))
    };
    let kind = |h: &Hist| if h.is_some() { "histogram" } else { "float" };
    let result = match (l.1, r.1, op) {
        (None, None, _) => {
            let (v, keep) = apply(op, l.0, r.0);
            return Some((v, None, keep));
        }
        (None, Some(h), BinOp::Mul) => scaled(h, &|n| {
            n.mul(l.0);
        }),
        (Some(h), None, BinOp::Mul) => scaled(h, &|n| {
            n.mul(r.0);
        }),
        (Some(h), None, BinOp::Div) => scaled(h, &|n| {
            n.div(r.0);
        }),
        (Some(a), Some(b), BinOp::Add | BinOp::Sub) => {
            let mut n = (**a).clone();
            let res = if op == BinOp::Add { n.add(b) } else { n.sub(b) };
            if res.is_err() {
                ann.warn(format!("incompatible bucket layout encountered for binary operator {}", op_name(op)));
                return None;
            }
            if op == BinOp::Sub {
                n.hint = Hint::Gauge;
            }
            n.compact();
            Some((0.0, Some(Arc::new(n)), true))
        }
        (Some(a), Some(b), BinOp::Eq) => Some((0.0, Some(a.clone()), a.equals(b))),
        (Some(a), Some(b), BinOp::Ne) => Some((0.0, Some(a.clone()), !a.equals(b))),
        _ => None,
    };
    if result.is_none() {
        ann.info(format!(
            "incompatible sample types encountered for binary operator {:?}: {} {} {}",
            op_name(op),
            kind(l.1),
            op_name(op),
            kind(r.1)
        ));
    }
    result
}

fn vector_scalar(v: Vec<Sample>, s: f64, b: &Binary, swap: bool, t: i64, ann: &mut Annotations) -> Vec<Sample> {
    let mut out = Vec::with_capacity(v.len());
    let none: Hist = None;
    for mut smp in v {
        let (l, r) = if swap { ((s, &none), (smp.f, &smp.h)) } else { ((smp.f, &smp.h), (s, &none)) };
        let Some((mut value, mut h, keep)) = apply_elem(b.op, l, r, ann) else { continue };
        // A comparison keeps the vector's value, whichever side it is on.
        if b.op.is_comparison() && swap {
            (value, h) = (r.0, r.1.clone());
        }
        if b.return_bool {
            value = f64::from(u8::from(keep));
            h = None;
        } else if !keep {
            continue;
        }
        smp.f = value;
        smp.h = h;
        smp.t = t;
        if changes_meaning(b.op) || b.return_bool {
            smp.drop_name = true;
        }
        out.push(smp);
    }
    out
}

/// The labels two series are matched on.
fn signature(l: &Labels, b: &Binary) -> Labels {
    if b.on {
        l.keep(&b.matching)
    } else {
        let mut drop = b.matching.clone();
        drop.push(METRIC_NAME.to_string());
        l.drop(&drop)
    }
}

fn and(l: Vec<Sample>, r: Vec<Sample>, b: &Binary) -> Vec<Sample> {
    if l.is_empty() || r.is_empty() {
        return Vec::new();
    }
    let right: HashSet<Labels> = r.iter().map(|s| signature(&s.metric, b)).collect();
    l.into_iter().filter(|s| right.contains(&signature(&s.metric, b))).collect()
}

fn or(mut l: Vec<Sample>, r: Vec<Sample>, b: &Binary) -> Vec<Sample> {
    if l.is_empty() || r.is_empty() {
        l.extend(r);
        return l;
    }
    let left: HashSet<Labels> = l.iter().map(|s| signature(&s.metric, b)).collect();
    l.extend(r.into_iter().filter(|s| !left.contains(&signature(&s.metric, b))));
    l
}

fn unless(l: Vec<Sample>, r: Vec<Sample>, b: &Binary) -> Vec<Sample> {
    if l.is_empty() || r.is_empty() {
        return l;
    }
    let right: HashSet<Labels> = r.iter().map(|s| signature(&s.metric, b)).collect();
    l.into_iter().filter(|s| !right.contains(&signature(&s.metric, b))).collect()
}

fn vector_op(
    lhs: Vec<Sample>,
    rhs: Vec<Sample>,
    b: &Binary,
    t: i64,
    ann: &mut Annotations,
) -> Result<Vec<Sample>, EvalError> {
    if lhs.is_empty() || rhs.is_empty() {
        return Ok(Vec::new());
    }
    // group_right is group_left with the sides swapped; values are swapped back when computed.
    let swapped = b.card == Card::OneToMany;
    let (many, one) = if swapped { (rhs, lhs) } else { (lhs, rhs) };

    let mut one_side: HashMap<Labels, Sample> = HashMap::with_capacity(one.len());
    for s in one {
        let sig = signature(&s.metric, b);
        if let Some(dup) = one_side.get(&sig) {
            let matched = if b.on { s.metric.keep(&b.matching) } else { signature(&s.metric, b) };
            return Err(EvalError::new(format!(
                "found duplicate series for the match group {matched} on the {} hand-side of the operation: [{}, {}];many-to-many matching not allowed: matching labels must be unique on one side",
                if swapped { "left" } else { "right" },
                s.metric,
                dup.metric
            )));
        }
        one_side.insert(sig, s);
    }

    let mut matched: HashMap<Labels, HashSet<Labels>> = HashMap::new();
    let mut out = Vec::new();
    for ls in many {
        let sig = signature(&ls.metric, b);
        let Some(rs) = one_side.get(&sig) else { continue };
        let (l, r) = if swapped { ((rs.f, &rs.h), (ls.f, &ls.h)) } else { ((ls.f, &ls.h), (rs.f, &rs.h)) };
        let Some((mut value, mut h, keep)) = apply_elem(b.op, l, r, ann) else { continue };
        if b.return_bool {
            value = f64::from(u8::from(keep));
            h = None;
        }
        let metric = result_metric(&ls.metric, &rs.metric, b);
        let seen = matched.entry(sig).or_default();
        if b.card == Card::OneToOne {
            if !seen.is_empty() {
                return Err(EvalError::new(
                    "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)",
                ));
            }
            seen.insert(Labels::new());
        } else if !seen.insert(metric.clone()) {
            return Err(EvalError::new("multiple matches for labels: grouping labels must ensure unique matches"));
        }
        if !keep && !b.return_bool {
            continue;
        }
        out.push(Sample { metric, t, f: value, h, drop_name: b.return_bool });
    }
    Ok(out)
}

/// The labels of a result: the "many" side's, less the name for arithmetic, reduced to the
/// matching labels for one-to-one matching, plus `group_x` labels from the "one" side.
fn result_metric(many: &Labels, one: &Labels, b: &Binary) -> Labels {
    let mut m = if changes_meaning(b.op) { many.without_metadata() } else { many.clone() };
    if b.card == Card::OneToOne {
        m = if b.on { m.keep(&b.matching) } else { m.drop(&b.matching) };
    }
    for name in &b.include {
        m.set(name, one.get(name));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_float_semantics() {
        assert!(go_mod(1.0, 0.0).is_nan());
        assert_eq!(go_mod(-5.0, 3.0), -2.0);
        assert_eq!(go_pow(-1.0, f64::INFINITY), 1.0);
        assert_eq!(scalar_op(BinOp::Gt, 2.0, 1.0), 1.0);
    }
}
