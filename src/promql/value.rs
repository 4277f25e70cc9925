//! Values an evaluation produces, and the annotations (warnings and infos) that go with them.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::histogram::Histogram;
use super::labels::Labels;

/// Prometheus marks a series as stale with this particular NaN.
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// The staleness marker as a float.
pub fn stale_nan() -> f64 {
    f64::from_bits(STALE_NAN_BITS)
}

/// Whether `f` is the staleness marker (not just any NaN).
pub fn is_stale(f: f64) -> bool {
    f.to_bits() == STALE_NAN_BITS
}

/// One value of one series at one time.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The series' labels.
    pub metric: Labels,
    /// Milliseconds since the epoch.
    pub t: i64,
    /// The value (0 for a histogram sample).
    pub f: f64,
    /// The value when it is a native histogram.
    pub h: Option<Arc<Histogram>>,
    /// The metric name is to be dropped once the whole expression is evaluated (Prometheus 3's
    /// delayed name removal, so that `label_replace` can still read it).
    pub drop_name: bool,
}

impl Sample {
    /// A float sample whose name is kept.
    pub fn new(metric: Labels, t: i64, f: f64) -> Self {
        Sample { metric, t, f, h: None, drop_name: false }
    }

    /// A float sample with the given name-drop mark.
    pub fn float(metric: Labels, t: i64, f: f64, drop_name: bool) -> Self {
        Sample { metric, t, f, h: None, drop_name }
    }
}

/// A series of points, as in a range vector or a range query's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The series' labels.
    pub metric: Labels,
    /// `(milliseconds, value)`, in time order.
    pub points: Vec<(i64, f64)>,
    /// Native histogram samples, in time order.
    pub hists: Vec<(i64, Arc<Histogram>)>,
    /// See [`Sample::drop_name`].
    pub drop_name: bool,
}

impl Series {
    /// A series of float points.
    pub fn floats(metric: Labels, points: Vec<(i64, f64)>, drop_name: bool) -> Self {
        Series { metric, points, hists: Vec::new(), drop_name }
    }

    /// Whether there is no point at all.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty() && self.hists.is_empty()
    }
}

/// The result of an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number (with no labels).
    Scalar(f64),
    /// A string literal.
    String(String),
    /// An instant vector.
    Vector(Vec<Sample>),
    /// A range vector, or the result of a range query.
    Matrix(Vec<Series>),
}

impl Value {
    /// The type name Prometheus uses in messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Scalar(_) => "scalar",
            Value::String(_) => "string",
            Value::Vector(_) => "vector",
            Value::Matrix(_) => "matrix",
        }
    }
}

/// How serious an annotation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// `PromQL warning: …`: the result may be wrong.
    Warning,
    /// `PromQL info: …`: the result is right but the query looks suspicious.
    Info,
}

/// Annotations collected during an evaluation, without duplicates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Annotations(BTreeSet<(Severity, String)>);

impl Annotations {
    /// Adds a warning; `text` follows the `PromQL warning: ` prefix.
    pub fn warn(&mut self, text: impl Into<String>) {
        self.0.insert((Severity::Warning, format!("PromQL warning: {}", text.into())));
    }

    /// Adds an info; `text` follows the `PromQL info: ` prefix.
    pub fn info(&mut self, text: impl Into<String>) {
        self.0.insert((Severity::Info, format!("PromQL info: {}", text.into())));
    }

    /// Adds all of `other`.
    pub fn merge(&mut self, other: Annotations) {
        self.0.extend(other.0);
    }

    /// The messages of one severity.
    pub fn of(&self, severity: Severity) -> Vec<&str> {
        self.0.iter().filter(|(s, _)| *s == severity).map(|(_, m)| m.as_str()).collect()
    }

    /// All messages, warnings first.
    pub fn iter(&self) -> impl Iterator<Item = (Severity, &str)> {
        self.0.iter().map(|(s, m)| (*s, m.as_str()))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
