//! `label_replace()` and `label_join()`: they change series' labels, not values.

use std::collections::HashSet;

use crate::promql::ast::Expr;
use crate::promql::eval::Evaluator;
use crate::promql::labels::{valid_label_name, METRIC_NAME};
use crate::promql::value::{Sample, Value};
use crate::promql::EvalError;

fn string_arg(e: &Expr) -> Result<&str, EvalError> {
    match e {
        Expr::String(s) => Ok(s),
        _ => Err(EvalError::new("expected a string literal")),
    }
}

/// Series made identical by a relabelling cannot both be kept.
fn unique(v: Vec<Sample>) -> Result<Value, EvalError> {
    let mut seen = HashSet::new();
    for s in &v {
        if !seen.insert(&s.metric) {
            return Err(EvalError::new("vector cannot contain metrics with the same labelset"));
        }
    }
    Ok(Value::Vector(v))
}

pub fn label_replace(ev: &mut Evaluator, _: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let (dst, repl, src, pattern) =
        (string_arg(&args[1])?, string_arg(&args[2])?, string_arg(&args[3])?, string_arg(&args[4])?);
    // Anchored, and `.` matches newlines, as in Prometheus.
    let re = regex::Regex::new(&format!("^(?s:{pattern})$"))
        .map_err(|_| EvalError::new(format!("invalid regular expression in label_replace(): {pattern}")))?;
    if !valid_label_name(dst) {
        return Err(EvalError::new(format!("invalid destination label name in label_replace(): {dst}")));
    }
    let mut v = ev.eval_vector(&args[0], t)?;
    for s in &mut v {
        let value = s.metric.get(src).to_string();
        if let Some(caps) = re.captures(&value) {
            let mut out = String::new();
            caps.expand(repl, &mut out);
            s.metric.set(dst, &out);
            if dst == METRIC_NAME {
                s.drop_name = false;
            }
        }
        s.t = t;
    }
    unique(v)
}

pub fn label_join(ev: &mut Evaluator, _: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let (dst, sep) = (string_arg(&args[1])?, string_arg(&args[2])?);
    let mut srcs = Vec::new();
    for a in &args[3..] {
        let src = string_arg(a)?;
        if !valid_label_name(src) {
            return Err(EvalError::new(format!("invalid source label name in label_join(): {src}")));
        }
        srcs.push(src);
    }
    if !valid_label_name(dst) {
        return Err(EvalError::new(format!("invalid destination label name in label_join(): {dst}")));
    }
    let mut v = ev.eval_vector(&args[0], t)?;
    for s in &mut v {
        let joined = srcs.iter().map(|l| s.metric.get(l)).collect::<Vec<_>>().join(sep);
        s.metric.set(dst, &joined);
        if dst == METRIC_NAME {
            s.drop_name = false;
        }
        s.t = t;
    }
    unique(v)
}
