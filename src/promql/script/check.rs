//! Evaluating an `eval` command and comparing with its expectations, as promqltest does.

use std::collections::HashMap;

use super::parse::{Eval, ExpectKind};
use crate::promql::ast::{At, Expr};
use crate::promql::eval::uses_eval_time;
use crate::promql::histogram::Histogram;
use crate::promql::labels::Labels;
use crate::promql::series::SeqValue;
use crate::promql::value::{Annotations, Sample, Severity, Value};
use crate::promql::{Engine, EvalError, Query, Storage};

/// Relative tolerance for sample values.
const EPSILON: f64 = 0.000001;

/// Go's `almost.Equal` with the test scripts' tolerance.
fn almost_equal(a: f64, b: f64) -> bool {
    crate::promql::functions::histogram::almost_equal(a, b, EPSILON)
}

/// Pins every selector and subquery not under a pinned subquery to `t`.
fn pin(e: &mut Expr, t: i64) {
    match e {
        Expr::Vector(s) | Expr::Matrix(s, _) => {
            s.at.get_or_insert(At::Time(t));
        }
        Expr::Subquery(sq) => {
            sq.at.get_or_insert(At::Time(t));
        }
        Expr::Neg(x) => pin(x, t),
        Expr::Binary(b) => {
            pin(&mut b.lhs, t);
            pin(&mut b.rhs, t);
        }
        Expr::Aggregate(a) => {
            if let Some(p) = &mut a.param {
                pin(p, t);
            }
            pin(&mut a.expr, t);
        }
        Expr::Call(_, args) => args.iter_mut().for_each(|a| pin(a, t)),
        Expr::Number(_) | Expr::String(_) => {}
    }
}

pub fn instant(engine: &Engine, storage: &Storage, e: &Eval) -> Result<(), String> {
    let q = Query::parse(&e.expr).map_err(|err| format!("cannot parse: {err}"))?;
    let mut variants = vec![(q.clone(), e.at)];
    if !uses_eval_time(&q.0) {
        let mut pinned = q.clone();
        pin(&mut pinned.0, e.at);
        let ts = e.at;
        let times = if ts == 0 {
            vec![-1000, 0, 1000]
        } else {
            vec![ts.saturating_mul(-10), 0, ts / 5, ts, ts.saturating_mul(10)]
        };
        variants.extend(times.into_iter().map(|t| (pinned.clone(), t)));
    }
    for (i, (q, t)) in variants.iter().enumerate() {
        let which = if i == 0 {
            String::new()
        } else {
            format!(" (with @ {} evaluated at {}s)", e.at as f64 / 1000.0, *t as f64 / 1000.0)
        };
        instant_variant(engine, storage, e, q, *t).map_err(|m| format!("{m}{which}"))?;
    }
    Ok(())
}

fn instant_variant(engine: &Engine, storage: &Storage, e: &Eval, q: &Query, t: i64) -> Result<(), String> {
    let res = match engine.instant_query(storage, q, t) {
        Err(err) if e.expects_failure() => return expected_failure(e, &err),
        Err(err) => return Err(format!("error evaluating query: {err}")),
        Ok(_) if e.expects_failure() => return Err("expected error evaluating query but got none".into()),
        Ok(res) => res,
    };
    annotations(e, &res.annotations)?;
    compare(e, &res.value)?;
    // The same query in range mode must agree at its middle step.
    let range = engine
        .range_query(storage, q, t.saturating_sub(60_000), t.saturating_add(60_000), 60_000)
        .map_err(|err| format!("error evaluating query in range mode: {err}"))?;
    if e.is_ordered() {
        return Ok(());
    }
    let Value::Matrix(m) = range.value else { return Err("range mode did not give a matrix".into()) };
    let vec: Vec<Sample> = m
        .into_iter()
        .filter_map(|s| {
            let float = s.points.iter().find(|p| p.0 == t).map(|&(pt, f)| Sample::new(s.metric.clone(), pt, f));
            float.or_else(|| {
                s.hists.iter().find(|p| p.0 == t).map(|(pt, h)| Sample {
                    metric: s.metric.clone(),
                    t: *pt,
                    f: 0.0,
                    h: Some(h.clone()),
                    drop_name: false,
                })
            })
        })
        .collect();
    let in_range_mode = if matches!(res.value, Value::Scalar(_)) {
        Value::Scalar(vec.first().ok_or("range mode gave no scalar")?.f)
    } else {
        Value::Vector(vec)
    };
    compare(e, &in_range_mode).map_err(|m| format!("{m} (range mode)"))
}

pub fn range(engine: &Engine, storage: &Storage, e: &Eval, start: i64, end: i64, step: i64) -> Result<(), String> {
    let q = Query::parse(&e.expr).map_err(|err| format!("cannot parse: {err}"))?;
    let res = match engine.range_query(storage, &q, start, end, step) {
        Err(err) if e.expects_failure() => return expected_failure(e, &err),
        Err(err) => return Err(format!("error evaluating query: {err}")),
        Ok(_) if e.expects_failure() => return Err("expected error evaluating query but got none".into()),
        Ok(res) => res,
    };
    annotations(e, &res.annotations)?;
    compare(e, &res.value)
}

fn expected_failure(e: &Eval, err: &EvalError) -> Result<(), String> {
    let msg = err.message();
    if let Some(want) = &e.fail_message {
        if want != msg {
            return Err(format!("expected error {want:?}, but got: {msg}"));
        }
    }
    if let Some(re) = &e.fail_regexp {
        if !re.is_match(msg) {
            return Err(format!("expected error matching pattern {:?}, but got: {msg}", re.as_str()));
        }
    }
    if let Some((_, m)) = e.expects.iter().find(|(k, _)| *k == ExpectKind::Fail) {
        if !m.matches(msg) {
            return Err(format!("expected error matching {m:?}, but got: {msg}"));
        }
    }
    Ok(())
}

fn annotations(e: &Eval, a: &Annotations) -> Result<(), String> {
    let warnings = a.of(Severity::Warning);
    let infos = a.of(Severity::Info);
    let has = |k: ExpectKind| e.expects.iter().any(|(x, _)| *x == k);
    let (warn, info) = (e.warn || has(ExpectKind::Warn), e.info || has(ExpectKind::Info));
    // Ordered evaluations do not check annotations, as upstream.
    if !e.ordered {
        if !warn && !warnings.is_empty() {
            return Err(format!("unexpected warnings: {warnings:?}"));
        }
        if warn && warnings.is_empty() {
            return Err("expected warnings but got none".into());
        }
        if !info && !infos.is_empty() {
            return Err(format!("unexpected info annotations: {infos:?}"));
        }
        if info && infos.is_empty() {
            return Err("expected info annotations but got none".into());
        }
    }
    for (kind, actual) in [(ExpectKind::Warn, &warnings), (ExpectKind::Info, &infos)] {
        let wanted: Vec<_> = e.expects.iter().filter(|(k, _)| *k == kind).map(|(_, m)| m).collect();
        if wanted.is_empty() {
            continue;
        }
        if let Some(m) = wanted.iter().find(|m| !actual.iter().any(|a| m.matches(a))) {
            return Err(format!("expected annotation matching {m:?}, found {actual:?}"));
        }
        if let Some(a) = actual.iter().find(|a| !wanted.iter().any(|m| m.matches(a))) {
            return Err(format!("unexpected annotation {a:?}"));
        }
    }
    if has(ExpectKind::NoWarn) && !warnings.is_empty() {
        return Err(format!("unexpected warnings: {warnings:?}"));
    }
    if has(ExpectKind::NoInfo) && !infos.is_empty() {
        return Err(format!("unexpected info annotations: {infos:?}"));
    }
    Ok(())
}

fn describe(f: f64, h: &Option<std::sync::Arc<Histogram>>) -> String {
    match h {
        Some(h) => h.to_string(),
        None => f.to_string(),
    }
}

/// Histograms agree as promqltest compares them: after dropping empty buckets, with a tolerance
/// on counts and sum.
fn same_histogram(want: &Histogram, got: &Histogram) -> bool {
    let (mut w, mut g) = (want.clone(), got.clone());
    w.compact();
    g.compact();
    let maps = |a: &std::collections::BTreeMap<i32, f64>, b: &std::collections::BTreeMap<i32, f64>| {
        a.len() == b.len() && a.iter().zip(b).all(|((i, x), (j, y))| i == j && almost_equal(*x, *y))
    };
    w.schema == g.schema
        && almost_equal(w.count, g.count)
        && almost_equal(w.sum, g.sum)
        && (!w.is_custom() || w.custom_values == g.custom_values)
        && w.zero_threshold == g.zero_threshold
        && almost_equal(w.zero_count, g.zero_count)
        && maps(&w.positive, &g.positive)
        && maps(&w.negative, &g.negative)
}

fn compare(e: &Eval, v: &Value) -> Result<(), String> {
    let expected: HashMap<&Labels, (&Vec<SeqValue>, usize)> = e.series.iter().map(|(l, v, p)| (l, (v, *p))).collect();
    match v {
        Value::Matrix(m) => {
            if e.is_ordered() {
                return Err("expected ordered result, but query returned a matrix".into());
            }
            if e.scalar.is_some() {
                return Err("expected scalar result, but got matrix".into());
            }
            if m.windows(2).any(|w| w[0].metric > w[1].metric) {
                return Err("matrix results should always be sorted by labels".into());
            }
            let (start, end, step) = e.range.unwrap_or((e.at, e.at, 1));
            for s in m {
                let (vals, _) = expected
                    .get(&s.metric)
                    .ok_or_else(|| format!("unexpected metric {} in result, has {:?}", s.metric, s.points))?;
                let (mut want, mut want_h) = (Vec::new(), Vec::new());
                for (i, v) in vals.iter().enumerate() {
                    let t = start.saturating_add((i as i64).saturating_mul(step));
                    if t > end {
                        return Err(format!(
                            "expected {} points for {}, but the range is shorter",
                            vals.len(),
                            s.metric
                        ));
                    }
                    match v {
                        SeqValue::Float(f) => want.push((t, *f)),
                        SeqValue::Histogram(h) => want_h.push((t, h)),
                        SeqValue::Omitted => {}
                    }
                }
                if want.len() != s.points.len() || want_h.len() != s.hists.len() {
                    return Err(format!(
                        "expected {} float and {} histogram points for {}, got {:?} and {:?}",
                        want.len(),
                        want_h.len(),
                        s.metric,
                        s.points,
                        s.hists.iter().map(|(t, h)| format!("{h} @{t}")).collect::<Vec<_>>()
                    ));
                }
                for (w, g) in want_h.iter().zip(&s.hists) {
                    if w.0 != g.0 || !same_histogram(w.1, &g.1) {
                        return Err(format!("expected {} @{} for {}, got {} @{}", w.1, w.0, s.metric, g.1, g.0));
                    }
                }
                for (w, g) in want.iter().zip(&s.points) {
                    if w.0 != g.0 || !almost_equal(w.1, g.1) {
                        return Err(format!("expected {:?} for {}, got {:?}", w, s.metric, g));
                    }
                }
            }
            if let Some(l) = e.series.iter().map(|s| &s.0).find(|l| !m.iter().any(|s| &s.metric == *l)) {
                return Err(format!("expected metric {l} not found"));
            }
        }
        Value::Vector(vec) => {
            if e.scalar.is_some() {
                return Err(format!("expected scalar result, but got vector {vec:?}"));
            }
            for (i, s) in vec.iter().enumerate() {
                let (vals, pos) = expected
                    .get(&s.metric)
                    .ok_or_else(|| format!("unexpected metric {} in result, has value {}", s.metric, s.f))?;
                if e.is_ordered() && *pos != i + 1 {
                    return Err(format!("expected metric {} at position {pos} but was at {}", s.metric, i + 1));
                }
                match (vals.first(), &s.h) {
                    (Some(SeqValue::Float(f)), None) if almost_equal(*f, s.f) => {}
                    (Some(SeqValue::Histogram(w)), Some(h)) if same_histogram(w, h) => {}
                    (Some(SeqValue::Histogram(w)), got) => {
                        return Err(format!("expected {w} for {} but got {}", s.metric, describe(s.f, got)))
                    }
                    (other, got) => {
                        return Err(format!("expected {other:?} for {} but got {}", s.metric, describe(s.f, got)))
                    }
                }
            }
            if let Some(l) = e.series.iter().map(|s| &s.0).find(|l| !vec.iter().any(|s| &s.metric == *l)) {
                return Err(format!("expected metric {l} not found"));
            }
        }
        Value::Scalar(f) => match e.scalar {
            Some(want) if almost_equal(want, *f) => {}
            Some(want) => return Err(format!("expected scalar {want} but got {f}")),
            None => return Err(format!("expected vector or matrix result, but got scalar {f}")),
        },
        Value::String(s) if s.is_empty() => {}
        Value::String(s) => return Err(format!("expected string \"\" but got {s:?}")),
    }
    Ok(())
}
