//! A PromQL engine: evaluates expressions over series held in memory, with Prometheus 3.5's
//! semantics, so rules can be tested against synthetic data without a Prometheus server.
//!
//! ```text
//! let mut storage = Storage::new();
//! storage.add(Labels::from_pairs([("__name__", "up"), ("job", "a")]), [(0, 1.0), (60_000, 0.0)]);
//! let result = Engine::default().instant(&storage, "up == 0", 120_000)?;
//! ```
//!
//! Parsing is promql-parser's; [`Engine`] converts its tree, evaluates it one step at a time
//! ([`eval`]), with the functions in a table ([`functions`]). [`script`] runs Prometheus' own test
//! scripts (the promqltest language) against it.

mod ast;
mod duration;
mod escapes;
mod eval;
mod functions;
pub mod histogram;
pub mod labels;
pub mod script;
pub mod series;
pub mod storage;
pub mod value;

use std::collections::HashMap;
use std::fmt;

pub use labels::Labels;
pub use storage::Storage;
pub use value::{Annotations, Sample, Series, Value};

/// An error that stops a query; worded as Prometheus words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError(String);

impl EvalError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        EvalError(message.into())
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EvalError {}

/// A parsed query, ready to be evaluated any number of times.
#[derive(Debug, Clone)]
pub struct Query(ast::Expr);

impl Query {
    /// Parses `text` (Prometheus 3.5 syntax, duration arithmetic included).
    pub fn parse(text: &str) -> Result<Query, EvalError> {
        ast::parse(text).map(Query).map_err(EvalError)
    }

    /// The label matchers of every selector in the query (`x`, `x[5m]`), in order: what it reads.
    pub fn selectors(&self) -> Vec<Vec<promql_parser::label::Matcher>> {
        let mut out = Vec::new();
        self.0.walk(&mut |e| {
            match e {
                ast::Expr::Vector(sel) => out.push(sel.matchers.clone()),
                ast::Expr::Matrix(sel, _) => out.push(sel.matchers.clone()),
                _ => {}
            }
            true
        });
        out
    }
}

/// What a query produced, and the annotations that came with it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    /// The value: a vector, scalar or string for instant queries (a matrix for a range
    /// selector), a matrix for range queries.
    pub value: Value,
    /// Warnings and infos.
    pub annotations: Annotations,
}

/// Evaluation settings.
#[derive(Debug, Clone)]
pub struct Engine {
    /// How far back an instant selector looks for a sample (milliseconds); Prometheus' default
    /// is 5 minutes.
    pub lookback: i64,
    /// Work allowed per query (samples read plus steps evaluated) before it fails.
    pub budget: u64,
    /// Steps a range query may have.
    pub max_steps: i64,
    /// Step of a subquery written without one (`x[5m:]`), milliseconds: Prometheus uses the
    /// global evaluation interval, promtool's tests their `evaluation_interval`.
    pub subquery_step: i64,
}

impl Default for Engine {
    fn default() -> Self {
        Engine {
            lookback: 300_000,
            budget: 500_000_000,
            max_steps: 1_000_000,
            subquery_step: eval::DEFAULT_SUBQUERY_STEP,
        }
    }
}

impl Engine {
    fn evaluator<'a>(&self, storage: &'a Storage, start: i64, end: i64) -> eval::Evaluator<'a> {
        eval::Evaluator {
            storage,
            start,
            end,
            lookback: self.lookback,
            annotations: Annotations::default(),
            budget: self.budget,
            subquery_step: if self.subquery_step > 0 { self.subquery_step } else { eval::DEFAULT_SUBQUERY_STEP },
        }
    }

    /// Evaluates `query` at `t` (milliseconds since the epoch).
    pub fn instant(&self, storage: &Storage, query: &str, t: i64) -> Result<QueryResult, EvalError> {
        self.instant_query(storage, &Query::parse(query)?, t)
    }

    /// Evaluates a parsed query at `t`.
    pub fn instant_query(&self, storage: &Storage, query: &Query, t: i64) -> Result<QueryResult, EvalError> {
        let mut ev = self.evaluator(storage, t, t);
        let value = match ev.eval(&query.0, t)? {
            Value::Vector(v) => Value::Vector(drop_names(v)?),
            Value::Matrix(m) => {
                let mut m = drop_series_names(m)?;
                m.sort_by(|a, b| a.metric.cmp(&b.metric));
                Value::Matrix(m)
            }
            other => other,
        };
        Ok(QueryResult { value, annotations: ev.annotations })
    }

    /// Evaluates `query` at every `step` from `start` to `end` (milliseconds), giving a matrix
    /// sorted by labels.
    pub fn range(
        &self,
        storage: &Storage,
        query: &str,
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<QueryResult, EvalError> {
        self.range_query(storage, &Query::parse(query)?, start, end, step)
    }

    /// Evaluates a parsed query over a range.
    pub fn range_query(
        &self,
        storage: &Storage,
        query: &Query,
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<QueryResult, EvalError> {
        let kind = query.0.kind();
        if !matches!(kind, ast::Kind::Vector | ast::Kind::Scalar) {
            let name = if kind == ast::Kind::Matrix { "range vector" } else { "string" };
            return Err(EvalError::new(format!(
                "invalid expression type \"{name}\" for range query, must be Scalar or instant Vector"
            )));
        }
        if step <= 0 {
            return Err(EvalError::new(
                "zero or negative query resolution step widths are not accepted. Try a positive integer",
            ));
        }
        if end < start {
            return Err(EvalError::new("end timestamp must not be before start time"));
        }
        if end.saturating_sub(start) / step >= self.max_steps {
            return Err(EvalError::new(format!(
                "exceeded maximum resolution of {} points per timeseries. Try decreasing the query resolution (?step=XX)",
                self.max_steps
            )));
        }
        let mut ev = self.evaluator(storage, start, end);
        let mut index: HashMap<Labels, usize> = HashMap::new();
        let mut out: Vec<Series> = Vec::new();
        let mut t = start;
        while t <= end {
            let samples = match ev.eval(&query.0, t)? {
                Value::Vector(v) => v,
                Value::Scalar(f) => vec![Sample::new(Labels::new(), t, f)],
                other => return Err(EvalError::new(format!("unexpected {} in range query", other.type_name()))),
            };
            for s in samples {
                let i = *index.entry(s.metric.clone()).or_insert_with(|| {
                    out.push(Series::floats(s.metric.clone(), Vec::new(), s.drop_name));
                    out.len() - 1
                });
                let o = &mut out[i];
                if o.points.last().is_some_and(|&(pt, _)| pt == t) || o.hists.last().is_some_and(|(pt, _)| *pt == t) {
                    return Err(EvalError::new("vector cannot contain metrics with the same labelset"));
                }
                match s.h {
                    Some(h) => o.hists.push((t, h)),
                    None => o.points.push((t, s.f)),
                }
            }
            let Some(next) = t.checked_add(step) else { break };
            t = next;
        }
        let mut out = drop_series_names(out)?;
        out.sort_by(|a, b| a.metric.cmp(&b.metric));
        Ok(QueryResult { value: Value::Matrix(out), annotations: ev.annotations })
    }
}

/// Removes the names marked for removal; two samples left with the same labels are an error.
fn drop_names(mut v: Vec<Sample>) -> Result<Vec<Sample>, EvalError> {
    for s in &mut v {
        if s.drop_name {
            s.metric = s.metric.without_metadata();
            s.drop_name = false;
        }
    }
    let mut seen = std::collections::HashSet::with_capacity(v.len());
    if v.iter().all(|s| seen.insert(&s.metric)) {
        Ok(v)
    } else {
        Err(EvalError::new("vector cannot contain metrics with the same labelset"))
    }
}

fn drop_series_names(mut m: Vec<Series>) -> Result<Vec<Series>, EvalError> {
    for s in &mut m {
        if s.drop_name {
            s.metric = s.metric.without_metadata();
            s.drop_name = false;
        }
    }
    let mut seen = std::collections::HashSet::with_capacity(m.len());
    if m.iter().all(|s| seen.insert(&s.metric)) {
        Ok(m)
    } else {
        Err(EvalError::new("vector cannot contain metrics with the same labelset"))
    }
}
