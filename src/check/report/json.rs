//! `--format json`: one documented, versioned schema (see the README).

use serde::Serialize;

use super::Outcome;
use crate::check::problem::Severity;

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

pub(super) fn render(o: &Outcome) -> String {
    let (errors, warnings) = o.counts();
    let problems: Vec<JsonProblem<'_>> = o
        .problems
        .iter()
        .map(|p| JsonProblem {
            check: p.check.name(),
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
        "summary": { "errors": errors, "warnings": warnings, "checks": o.per_check().into_iter().collect::<std::collections::BTreeMap<_, _>>() },
    });
    serde_json::to_string_pretty(&doc).expect("JSON values serialize") + "\n"
}
