//! Evaluation of one expression at one time. Range queries and subqueries evaluate step by step,
//! so every node sees plain instant values; results agree with Prometheus' batched evaluation
//! because both align steps the same way.

pub mod aggregate;
mod binary;
pub mod heap;

use std::collections::HashMap;
use std::sync::Arc;

use super::ast::{At, Expr, Selector, Subquery};
use super::functions;
use super::histogram::{Hint, Histogram};
use super::labels::Labels;
use super::storage::{self, Storage, StoredSeries};
use super::value::{is_stale, Annotations, Sample, Series, Value};
use super::EvalError;

/// The step of a subquery without one, as Prometheus' test engine sets it.
pub const DEFAULT_SUBQUERY_STEP: i64 = 60_000;

/// A range vector argument with the window it was selected over, which the rate family needs for
/// extrapolation.
pub struct RangeArg {
    /// The selected series (only those with points).
    pub series: Vec<Series>,
    /// Window start (exclusive), milliseconds.
    pub start: i64,
    /// Window end (inclusive), milliseconds.
    pub end: i64,
    /// The range, milliseconds.
    pub range: i64,
    /// The time the enclosing expression is evaluated at (not shifted by offset or `@`).
    pub eval_time: i64,
}

/// Evaluation state shared by all nodes of one query.
pub struct Evaluator<'a> {
    /// Where series come from.
    pub storage: &'a Storage,
    /// The query's start, for `@ start()`.
    pub start: i64,
    /// The query's end, for `@ end()`.
    pub end: i64,
    /// How far back an instant selector looks for a sample.
    pub lookback: i64,
    /// Warnings and infos so far.
    pub annotations: Annotations,
    /// Work left (samples read plus steps evaluated); at zero evaluation stops with an error.
    pub budget: u64,
    /// Step of subqueries written without one.
    pub subquery_step: i64,
}

impl<'a> Evaluator<'a> {
    fn spend(&mut self, n: usize) -> Result<(), EvalError> {
        self.budget = self.budget.checked_sub(n as u64).ok_or_else(|| {
            EvalError::new("query processing would load too many samples into memory in query execution")
        })?;
        Ok(())
    }

    /// The time a selector or subquery reads at when the query is evaluated at `t`.
    fn ref_time(&self, at: Option<At>, offset: i64, t: i64) -> i64 {
        let base = match at {
            None => t,
            Some(At::Time(ms)) => ms,
            Some(At::Start) => self.start,
            Some(At::End) => self.end,
        };
        base.saturating_sub(offset)
    }

    /// Evaluates `e` at `t` (milliseconds).
    pub fn eval(&mut self, e: &Expr, t: i64) -> Result<Value, EvalError> {
        match e {
            Expr::Number(n) => Ok(Value::Scalar(*n)),
            Expr::String(s) => Ok(Value::String(s.clone())),
            Expr::Vector(sel) => Ok(Value::Vector(self.instant(sel, t)?)),
            Expr::Matrix(..) | Expr::Subquery(_) => Ok(Value::Matrix(self.range_arg(e, t)?.series)),
            Expr::Neg(inner) => Ok(match self.eval(inner, t)? {
                Value::Scalar(v) => Value::Scalar(-v),
                Value::Vector(v) => Value::Vector(
                    v.into_iter()
                        .map(|s| Sample {
                            metric: s.metric,
                            t,
                            f: -s.f,
                            h: s.h.map(|h| {
                                let mut n = (*h).clone();
                                n.mul(-1.0);
                                Arc::new(n)
                            }),
                            drop_name: true,
                        })
                        .collect(),
                ),
                other => return Err(EvalError::new(format!("unary minus on {}", other.type_name()))),
            }),
            Expr::Binary(b) => binary::eval(self, b, t),
            Expr::Aggregate(a) => aggregate::eval(self, a, t),
            Expr::Call(name, args) => functions::call(self, name, args, t),
        }
    }

    /// Evaluates `e`, which must yield an instant vector.
    pub fn eval_vector(&mut self, e: &Expr, t: i64) -> Result<Vec<Sample>, EvalError> {
        match self.eval(e, t)? {
            Value::Vector(v) => Ok(v),
            other => Err(EvalError::new(format!("expected instant vector, got {}", other.type_name()))),
        }
    }

    /// Evaluates `e`, which must yield a scalar.
    pub fn eval_scalar(&mut self, e: &Expr, t: i64) -> Result<f64, EvalError> {
        match self.eval(e, t)? {
            Value::Scalar(v) => Ok(v),
            other => Err(EvalError::new(format!("expected scalar, got {}", other.type_name()))),
        }
    }

    /// The series a selector picks, sorted by labels.
    fn matching(&self, sel: &Selector) -> Vec<&'a StoredSeries> {
        self.storage.select(sel.pinned_name(), |l| sel.matchers.iter().all(|m| m.is_match(l.get(&m.name))))
    }

    /// An instant vector selector at `t`: each series' latest sample within the lookback window,
    /// unless that sample is a staleness marker. Samples keep their own timestamps, which
    /// `timestamp()` reports.
    pub fn instant(&mut self, sel: &Selector, t: i64) -> Result<Vec<Sample>, EvalError> {
        let rt = self.ref_time(sel.at, sel.offset, t);
        let series = self.matching(sel);
        self.spend(series.len())?;
        let mut out = Vec::with_capacity(series.len());
        let from = rt.saturating_sub(self.lookback);
        for s in series {
            let float = s.at_or_before(rt).filter(|p| p.0 > from);
            let hist = storage::at_or_before(&s.hists, rt).filter(|p| p.0 > from);
            // The later of the two; a series holds one kind of sample at a time.
            let sample = match (float, hist) {
                (Some((ft, f)), Some((ht, _))) if ft > *ht => Some((ft, f, None)),
                (_, Some((ht, h))) => Some((*ht, 0.0, Some(h.clone()))),
                (Some((ft, f)), None) => Some((ft, f, None)),
                (None, None) => None,
            };
            if let Some((pt, f, h)) = sample {
                if h.is_none() && is_stale(f) || h.as_ref().is_some_and(|h| is_stale(h.sum)) {
                    continue;
                }
                out.push(Sample { metric: s.labels.clone(), t: pt, f, h, drop_name: false });
            }
        }
        Ok(out)
    }

    /// A range selector or subquery at `t`, with the window it covers.
    pub fn range_arg(&mut self, e: &Expr, t: i64) -> Result<RangeArg, EvalError> {
        match e {
            Expr::Matrix(sel, range) => {
                let end = self.ref_time(sel.at, sel.offset, t);
                let start = end.saturating_sub(*range);
                let mut out = Vec::new();
                for s in self.matching(sel) {
                    let points: Vec<(i64, f64)> =
                        s.window(start, end).iter().copied().filter(|&(_, f)| !is_stale(f)).collect();
                    let hists: Vec<_> = storage::window(&s.hists, start, end)
                        .iter()
                        .filter(|(_, h)| !is_stale(h.sum))
                        .cloned()
                        .collect();
                    self.spend(points.len() + hists.len() + 1)?;
                    let series = Series { metric: s.labels.clone(), points, hists, drop_name: false };
                    if !series.is_empty() {
                        out.push(series);
                    }
                }
                Ok(RangeArg { series: out, start, end, range: *range, eval_time: t })
            }
            Expr::Subquery(sq) => self.subquery(sq, t),
            other => Err(EvalError::new(format!("expected range vector, got {:?}", other.kind()))),
        }
    }

    /// Evaluates a subquery's inner expression at every step inside its window. Steps are aligned
    /// to multiples of the step (Go's truncating division included), as Prometheus aligns them.
    fn subquery(&mut self, sq: &Subquery, t: i64) -> Result<RangeArg, EvalError> {
        let step = sq.step.unwrap_or(self.subquery_step);
        let end = self.ref_time(sq.at, sq.offset, t);
        let start = end.saturating_sub(sq.range);
        let mut ts = step * (start / step);
        if ts <= start {
            ts = ts.saturating_add(step);
        }
        let mut index: HashMap<Labels, usize> = HashMap::new();
        let mut out: Vec<Series> = Vec::new();
        while ts <= end {
            self.spend(1)?;
            let samples = match self.eval(&sq.expr, ts)? {
                Value::Vector(v) => v,
                Value::Scalar(f) => vec![Sample::new(Labels::new(), ts, f)],
                other => return Err(EvalError::new(format!("subquery over {}", other.type_name()))),
            };
            for s in samples {
                let i = *index.entry(s.metric.clone()).or_insert_with(|| {
                    // The name-drop mark does not survive a subquery, as in Prometheus.
                    out.push(Series::floats(s.metric.clone(), Vec::new(), false));
                    out.len() - 1
                });
                let o = &mut out[i];
                if o.points.last().is_some_and(|&(pt, _)| pt == ts) || o.hists.last().is_some_and(|(pt, _)| *pt == ts) {
                    return Err(EvalError::new("vector cannot contain metrics with the same labelset"));
                }
                match s.h {
                    // A sample a subquery returns several times must not count as several resets.
                    Some(h) if matches!(h.hint, Hint::CounterReset | Hint::NotCounterReset) => {
                        o.hists.push((ts, Arc::new(Histogram { hint: Hint::Unknown, ..(*h).clone() })))
                    }
                    Some(h) => o.hists.push((ts, h)),
                    None => o.points.push((ts, s.f)),
                }
            }
            let Some(next) = ts.checked_add(step) else { break };
            ts = next;
        }
        out.sort_by(|a, b| a.metric.cmp(&b.metric));
        Ok(RangeArg { series: out, start, end, range: sq.range, eval_time: t })
    }
}

/// Whether `e` reads the evaluation time in a way the `@` modifier cannot pin: Prometheus' test
/// harness skips its `@` variants for these.
pub fn uses_eval_time(e: &Expr) -> bool {
    let mut found = false;
    e.walk(&mut |n| {
        if let Expr::Call(name, _) = n {
            found |= functions::AT_UNSAFE.contains(&name.as_str());
        }
        !found
    });
    found
}
