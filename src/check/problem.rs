//! Findings are data: a check's name, severity, where, what, and how to fix it.

use std::path::PathBuf;

use serde::Serialize;

use super::registry::{Check, CheckKind};
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
    /// Stable name of the check, e.g. `rules/expr`: a [`Check::name`].
    pub check: Check,
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
    pub fn error(&mut self, check: Check, pos: Option<Pos>, message: impl Into<String>) -> &mut Problem {
        self.push(check, Severity::Error, pos, message)
    }

    /// Records a warning.
    pub fn warning(&mut self, check: Check, pos: Option<Pos>, message: impl Into<String>) -> &mut Problem {
        self.push(check, Severity::Warning, pos, message)
    }

    fn push(&mut self, check: Check, severity: Severity, pos: Option<Pos>, message: impl Into<String>) -> &mut Problem {
        let problem = Problem::new(check, severity, self.file.clone(), pos, message);
        self.problems.push(problem);
        self.problems.last_mut().expect("just pushed")
    }
}

impl Problem {
    /// A finding of `check`, without help.
    pub fn new(
        check: Check,
        severity: Severity,
        file: impl Into<PathBuf>,
        pos: Option<Pos>,
        message: impl Into<String>,
    ) -> Problem {
        // Warnings never fail by default and errors cannot be suppressed: a lint that errs would be both.
        debug_assert!(severity == Severity::Warning || check.kind() == CheckKind::Error, "{check} is a lint");
        Problem { check, severity, file: file.into(), pos, message: shown(message.into()), help: None }
    }

    /// Adds a help line.
    pub fn help(&mut self, help: impl Into<String>) {
        self.help = Some(shown(help.into()));
    }
}

/// Longest message or help kept, in characters: a value quoted from a file may be megabytes.
const MAX_TEXT: usize = 1000;

/// `text` as every format may show it: [`printable`](crate::diag::printable), and
/// [`clip`](crate::diag::clip)ped to [`MAX_TEXT`].
fn shown(text: String) -> String {
    let safe = crate::diag::printable(&text);
    match crate::diag::clip(&safe, MAX_TEXT) {
        std::borrow::Cow::Borrowed(_) if matches!(safe, std::borrow::Cow::Borrowed(_)) => text,
        clipped => clipped.into_owned(),
    }
}
