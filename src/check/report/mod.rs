//! Reporters: one per output format, each a pure function of the findings.

use std::path::PathBuf;

use super::problem::{Problem, Severity};

mod github;
mod group;
mod human;
mod json;
mod junit;
mod sarif;

pub use json::JSON_SCHEMA;

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `file:line:col`, the line, a caret, the message and a help line; a summary.
    Human,
    /// The documented JSON schema.
    Json,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
    /// JUnit XML: a test case per file, failed when it has errors.
    Junit,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

/// Everything a run checked and found.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Files checked, with their text (for excerpts).
    pub files: Vec<(PathBuf, String)>,
    /// Findings, in file and line order.
    pub problems: Vec<Problem>,
}

impl Outcome {
    /// The findings in `file`.
    pub fn problems_in<'a>(&'a self, file: &'a std::path::Path) -> impl Iterator<Item = &'a Problem> + 'a {
        self.problems.iter().filter(move |p| p.file == file)
    }

    /// Findings per check, most found first, then by name.
    pub fn per_check(&self) -> Vec<(&'static str, usize)> {
        let mut counts: std::collections::BTreeMap<&'static str, usize> = std::collections::BTreeMap::new();
        for p in &self.problems {
            *counts.entry(p.check.name()).or_insert(0) += 1;
        }
        let mut counts: Vec<(&'static str, usize)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        counts
    }

    /// Counts of errors and warnings.
    pub fn counts(&self) -> (usize, usize) {
        let errors = self.problems.iter().filter(|p| p.severity == Severity::Error).count();
        (errors, self.problems.len() - errors)
    }
}

/// Renders `outcome` in `format`.
pub fn render(outcome: &Outcome, format: Format) -> String {
    match format {
        Format::Human => human::render(outcome),
        Format::Json => json::render(outcome),
        Format::Github => github::render(outcome),
        Format::Junit => junit::render(outcome),
        Format::Sarif => sarif::render(outcome),
    }
}

/// The summary line alone, as `--quiet` prints it.
pub fn summary(outcome: &Outcome) -> String {
    human::summary(outcome)
}

/// The word for a severity in every format.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::check::Check;
    use crate::diag::Pos;

    pub(super) fn outcome() -> Outcome {
        Outcome {
            files: vec![(PathBuf::from("r.yml"), "groups:\n  - name: a\n".into())],
            problems: vec![Problem::new(
                Check::RulesField,
                Severity::Error,
                "r.yml",
                Some(Pos { line: 2, column: 5 }),
                "bad, really: 100%",
            )],
        }
    }

    pub(super) use outcome as sample;

    #[test]
    fn github_escapes() {
        assert_eq!(
            render(&outcome(), Format::Github),
            "::error file=r.yml,line=2,col=5,title=rules/field::bad, really: 100%25\n"
        );
    }

    #[test]
    fn json_has_positions_and_counts() {
        let v: serde_json::Value = serde_json::from_str(&render(&outcome(), Format::Json)).unwrap();
        assert_eq!(v["problems"][0]["line"], 2);
        assert_eq!(v["summary"]["errors"], 1);
    }

    #[test]
    fn human_shows_the_line() {
        let text = render(&outcome(), Format::Human);
        assert!(
            text.starts_with("error[rules/field]: r.yml:2:5: bad, really: 100%\n  |\n2 |   - name: a\n  |     ^\n"),
            "{text}"
        );
        assert!(text.ends_with("1 error, 0 warnings in 1 file (rules/field 1)\n"), "{text}");
    }
}
