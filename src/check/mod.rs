//! `check`: findings about rule files (and, later, server configs and dashboards), as data.
//! Each check has a stable name (`rules/expr`, `rules/template`, …) used in output and suppressions.

pub mod names;
pub mod node;
pub mod problem;
pub mod report;
pub mod rules;
pub mod run;

pub use problem::{Problem, Severity, Sink};
