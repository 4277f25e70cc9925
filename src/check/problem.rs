//! Findings are data: a check's name, severity, where, what, and how to fix it.

use std::path::PathBuf;

use serde::Serialize;

use super::registry::{Check, CheckKind};
use crate::diag::Pos;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
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
    /// Why it was found, when many places may share the reason: findings of one check and one
    /// cause are shown once, with the list of their places.
    #[serde(skip)]
    pub cause: Option<Cause>,
}

/// What findings of one check share when they have the same reason, and what tells them apart.
/// Checks set it, so that the reporters group by data rather than by reading messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// The reason, without anything particular to the place: e.g. the receivers an alert
    /// reaches, or the metric nothing produces. Findings group when check and key agree.
    pub key: String,
    /// The place's own name, as listed after the first finding of a group: an alert's name,
    /// a panel's title.
    pub place: String,
    /// What places of this kind are called, in the plural ending in `s` (`alerts`, `rules`,
    /// `panels`): the singular is that without the `s`.
    pub places: &'static str,
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
        Problem { check, severity, file: file.into(), pos, message: shown(message.into()), help: None, cause: None }
    }

    /// Says why it was found: findings of this check with the same `key` are one cause, shown
    /// once with the list of their `place`s (`places` in the plural, e.g. `alerts`).
    pub fn cause(&mut self, key: impl Into<String>, place: impl Into<String>, places: &'static str) -> &mut Problem {
        self.cause = Some(Cause { key: key.into(), place: shown(place.into()), places });
        self
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
