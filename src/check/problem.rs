//! Findings are data: a check's name, severity, where, what, and how to fix it.

use std::path::PathBuf;

use serde::Serialize;

use crate::diag::Pos;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Should be looked at; never fails by default.
    Warning,
    /// The upstream tool would reject the file.
    Error,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Stable name of the check, e.g. `rules/expr`.
    pub check: &'static str,
    /// Severity.
    pub severity: Severity,
    /// File, as named on the command line.
    pub file: PathBuf,
    /// Position in the file, if the finding has one.
    #[serde(skip)]
    pub pos: Option<Pos>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

/// Collects problems for one file.
#[derive(Debug)]
pub struct Sink {
    file: PathBuf,
    /// Problems found so far.
    pub problems: Vec<Problem>,
}

impl Sink {
    /// A sink for `file`.
    pub fn new(file: impl Into<PathBuf>) -> Self {
        Sink { file: file.into(), problems: Vec::new() }
    }

    /// Records an error.
    pub fn error(&mut self, check: &'static str, pos: Option<Pos>, message: impl Into<String>) -> &mut Problem {
        self.push(check, Severity::Error, pos, message)
    }

    /// Records a warning.
    pub fn warning(&mut self, check: &'static str, pos: Option<Pos>, message: impl Into<String>) -> &mut Problem {
        self.push(check, Severity::Warning, pos, message)
    }

    fn push(
        &mut self,
        check: &'static str,
        severity: Severity,
        pos: Option<Pos>,
        message: impl Into<String>,
    ) -> &mut Problem {
        self.problems.push(Problem {
            check,
            severity,
            file: self.file.clone(),
            pos,
            message: message.into(),
            help: None,
        });
        self.problems.last_mut().expect("just pushed")
    }
}

impl Problem {
    /// Adds a help line.
    pub fn help(&mut self, help: impl Into<String>) {
        self.help = Some(help.into());
    }
}
