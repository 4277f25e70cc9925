//! `--format github`: a workflow command per failure, then the summary (and coverage).

use std::fmt::Write as _;

use super::{counts, coverage_table, failure_text, plural};
use crate::diag::printable;
use crate::test::coverage::Coverage;
use crate::test::{Failure, FileOutcome};

/// Escapes a workflow command's data (`%`, CR, LF) or property (also `:` and `,`).
fn gh_escape(s: &str, property: bool) -> String {
    let s = s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    if property {
        s.replace(':', "%3A").replace(',', "%2C")
    } else {
        s
    }
}

pub(super) fn render(files: &[FileOutcome], coverage: Option<&Coverage>) -> String {
    let mut out = String::new();
    for f in files {
        let file = f.file.display().to_string();
        for e in &f.errors {
            let at = e.pos.map(|p| format!(",line={},col={}", p.line, p.column)).unwrap_or_default();
            let _ = writeln!(
                out,
                "::error file={}{at},title={}::{}",
                gh_escape(&e.file.display().to_string(), true),
                gh_escape("test file not run", true),
                gh_escape(&printable(&e.message), false)
            );
        }
        for g in &f.groups {
            for (line, note) in &g.notes {
                let _ =
                    writeln!(out, "::notice file={},line={line}::{}", gh_escape(&file, true), gh_escape(note, false));
            }
            for failure in &g.failures {
                let line = match failure {
                    Failure::Alert { line, .. } | Failure::Expr { line, .. } | Failure::Routing { line, .. } => {
                        Some(*line)
                    }
                    Failure::Error { line, .. } => *line,
                }
                .unwrap_or(g.line);
                let _ = writeln!(
                    out,
                    "::error file={},line={line},title={}::{}",
                    gh_escape(&file, true),
                    gh_escape(&format!("test group {}", g.name), true),
                    gh_escape(failure_text(&f.file, failure).trim(), false)
                );
            }
        }
    }
    let (nfiles, groups, failed, _) = counts(files);
    let _ = writeln!(
        out,
        "{nfiles} file{}, {groups} test groups: {} passed, {failed} failed",
        plural(nfiles),
        groups - failed
    );
    if let Some(c) = coverage {
        out.push_str(&coverage_table(c));
    }
    out
}
