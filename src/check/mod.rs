//! `check`: findings about rule files, server configs and dashboards, as data.
//! Each check has a stable name (`rules/expr`, `rules/template`, …) used in output and suppressions,
//! declared once in [`registry`].

pub mod alertmanager;
pub mod dashboard;
pub mod deep;
mod discover;
pub mod httpconfig;
pub mod lint;
pub mod node;
pub mod problem;
pub mod project;
pub mod prometheus;
pub mod registry;
pub mod report;
pub mod rules;
pub mod run;

pub use problem::{Problem, Severity, Sink};
pub use registry::{Check, CheckKind};
