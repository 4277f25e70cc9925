//! `sort()`, `sort_desc()`, `sort_by_label()`, `sort_by_label_desc()`. Order only matters for
//! instant queries; range query results are always sorted by labels.

use std::cmp::Ordering;

use crate::promql::ast::Expr;
use crate::promql::eval::{heap, Evaluator};
use crate::promql::value::{Sample, Value};
use crate::promql::EvalError;

/// Ascending (`sort`) or descending (`sort_desc`) by value, NaN last either way.
pub fn sort(ev: &mut Evaluator, name: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let mut v: Vec<Sample> = ev.eval_vector(&args[0], t)?.into_iter().filter(|s| s.h.is_none()).collect();
    if name == "sort" {
        heap::sort_reverse(&mut v, heap::by_reverse_value);
    } else {
        heap::sort_reverse(&mut v, heap::by_value);
    }
    Ok(Value::Vector(v))
}

pub fn sort_by_label(ev: &mut Evaluator, name: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let mut names = Vec::new();
    for a in &args[1..] {
        match a {
            Expr::String(s) => names.push(s.as_str()),
            _ => return Err(EvalError::new("sort_by_label expects label names as strings")),
        }
    }
    let mut v = ev.eval_vector(&args[0], t)?;
    let cmp = |a: &Sample, b: &Sample| {
        for l in &names {
            let (x, y) = (a.metric.get(l), b.metric.get(l));
            if x != y {
                return if natural_less(x, y) { Ordering::Less } else { Ordering::Greater };
            }
        }
        a.metric.cmp(&b.metric)
    };
    // A merge sort that tolerates an inconsistent order rather than the standard one, which may
    // panic on it.
    if name == "sort_by_label" {
        heap::sort_by(&mut v, |a, b| cmp(a, b) == Ordering::Less);
    } else {
        heap::sort_by(&mut v, |a, b| cmp(b, a) == Ordering::Less);
    }
    Ok(Value::Vector(v))
}

/// Splits into runs of digits and of non-digits.
fn chunks(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut digit = None;
    for (i, c) in s.char_indices() {
        let d = c.is_ascii_digit();
        if digit.is_some_and(|p| p != d) {
            out.push(&s[start..i]);
            start = i;
        }
        digit = Some(d);
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// Natural order as the Go natsort package Prometheus uses defines it: numeric runs compare as
/// numbers, others as strings; a string that runs out first sorts first.
fn natural_less(a: &str, b: &str) -> bool {
    let (ca, cb) = (chunks(a), chunks(b));
    for (i, x) in ca.iter().enumerate() {
        let Some(y) = cb.get(i) else { return false };
        let equal = match (x.parse::<i64>(), y.parse::<i64>()) {
            (Ok(p), Ok(q)) if p != q => return p < q,
            (Ok(_), Ok(_)) => true,
            _ if x != y => return x < y,
            _ => true,
        };
        if equal {
            if i == ca.len() - 1 {
                return true;
            }
            if i == cb.len() - 1 {
                return false;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural() {
        assert!(natural_less("a2", "a10"));
        assert!(!natural_less("a10", "a2"));
        assert!(natural_less("abc", "abd"));
        assert!(natural_less("1", "1a"));
    }
}
