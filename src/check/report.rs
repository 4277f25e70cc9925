//! Reporters: one per output format, each a pure function of the findings.

use std::path::PathBuf;

use serde::Serialize;

use super::problem::{Problem, Severity};
use crate::diag::Diagnostic;

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `file:line:col`, the line, a caret, the message and a help line; a summary.
    Human,
    /// The documented JSON schema.
    Json,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
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
    /// Counts of errors and warnings.
    pub fn counts(&self) -> (usize, usize) {
        let errors = self.problems.iter().filter(|p| p.severity == Severity::Error).count();
        (errors, self.problems.len() - errors)
    }
}

/// Renders `outcome` in `format`.
pub fn render(outcome: &Outcome, format: Format) -> String {
    match format {
        Format::Human => human(outcome),
        Format::Json => json(outcome),
        Format::Github => github(outcome),
    }
}

fn human(o: &Outcome) -> String {
    let mut out = String::new();
    for p in &o.problems {
        let text = o.files.iter().find(|(f, _)| f == &p.file).map_or("", |(_, t)| t.as_str());
        let mut d = Diagnostic::new(&p.file, text, p.pos, p.message.clone());
        d.help = p.help.clone();
        let severity = match p.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!("{severity}[{}]: {d}\n\n", p.check));
    }
    let (errors, warnings) = o.counts();
    let files = o.files.len();
    if errors + warnings == 0 {
        out.push_str(&format!("no problems in {files} file{}\n", if files == 1 { "" } else { "s" }));
    } else {
        out.push_str(&format!(
            "{errors} error{}, {warnings} warning{} in {files} file{}\n",
            s(errors),
            s(warnings),
            s(files)
        ));
    }
    out
}

fn s(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Schema version of `check --format json`.
pub const JSON_SCHEMA: u32 = 1;

#[derive(Serialize)]
struct JsonProblem<'a> {
    check: &'a str,
    severity: Severity,
    file: String,
    line: Option<u64>,
    column: Option<u64>,
    message: &'a str,
    help: Option<&'a str>,
}

fn json(o: &Outcome) -> String {
    let (errors, warnings) = o.counts();
    let problems: Vec<JsonProblem<'_>> = o
        .problems
        .iter()
        .map(|p| JsonProblem {
            check: p.check,
            severity: p.severity,
            file: p.file.display().to_string(),
            line: p.pos.map(|p| p.line),
            column: p.pos.map(|p| p.column),
            message: &p.message,
            help: p.help.as_deref(),
        })
        .collect();
    let doc = serde_json::json!({
        "schema": JSON_SCHEMA,
        "files": o.files.iter().map(|(f, _)| f.display().to_string()).collect::<Vec<_>>(),
        "problems": problems,
        "summary": { "errors": errors, "warnings": warnings },
    });
    serde_json::to_string_pretty(&doc).expect("JSON values serialize") + "\n"
}

/// Escapes workflow-command data as GitHub documents (`%`, CR, LF; also `:` and `,` in properties).
fn gh_escape(s: &str, property: bool) -> String {
    let mut out = s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

fn github(o: &Outcome) -> String {
    let mut out = String::new();
    for p in &o.problems {
        let level = match p.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = vec![format!("file={}", gh_escape(&p.file.display().to_string(), true))];
        if let Some(pos) = p.pos {
            props.push(format!("line={}", pos.line));
            props.push(format!("col={}", pos.column));
        }
        props.push(format!("title={}", gh_escape(p.check, true)));
        out.push_str(&format!("::{level} {}::{}\n", props.join(","), gh_escape(&p.message, false)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Pos;

    fn outcome() -> Outcome {
        Outcome {
            files: vec![(PathBuf::from("r.yml"), "groups:\n  - name: a\n".into())],
            problems: vec![Problem {
                check: "rules/field",
                severity: Severity::Error,
                file: PathBuf::from("r.yml"),
                pos: Some(Pos { line: 2, column: 5 }),
                message: "bad, really: 100%".into(),
                help: None,
            }],
        }
    }

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
        assert!(text.ends_with("1 error, 0 warnings in 1 file\n"), "{text}");
    }
}
