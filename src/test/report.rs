//! Test outcomes in each output format: pure functions of the outcomes.

use std::fmt::Write as _;

use serde_json::{json, Value as Json};

use super::coverage::{Coverage, RuleCoverage};
use super::{format_duration, AlertSeen, Failure, FileOutcome, SampleSeen};
use crate::diag::printable;
use crate::promql::Labels;

/// Output formats of `test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Each file and test group, failures as diffs, a summary.
    Human,
    /// The documented JSON schema.
    Json,
    /// JUnit XML: a suite per file, a case per test group.
    Junit,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
}

/// Version of the JSON output; fields are only ever added.
pub const JSON_SCHEMA: u32 = 1;

/// Renders `files` (and `coverage`, when asked for) in `format`.
pub fn render(files: &[FileOutcome], coverage: Option<&Coverage>, format: Format) -> String {
    match format {
        Format::Human => human(files, coverage),
        Format::Json => serde_json::to_string_pretty(&json_value(files, coverage)).unwrap_or_default() + "\n",
        Format::Junit => junit(files),
        Format::Github => github(files, coverage),
    }
}

fn ms(d: std::time::Duration) -> u128 {
    d.as_millis()
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{v}")
    }
}

fn annotations_text(l: &Labels) -> String {
    if l.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = l.iter().map(|(k, v)| format!("{k}: {}", crate::promql::labels::quote(v))).collect();
    format!("\n        annotations: {}", parts.join(", "))
}

/// The alert diff: unchanged alerts plain, expected-only `-`, fired-only `+`; an alert with the
/// same labels on both sides shows the annotations that differ.
fn alert_diff(expected: &[AlertSeen], got: &[AlertSeen], out: &mut String) {
    let mut got_left: Vec<&AlertSeen> = got.iter().collect();
    let mut changed = Vec::new();
    let mut missing = Vec::new();
    for e in expected {
        if let Some(i) = got_left.iter().position(|g| *g == e) {
            got_left.remove(i);
            let _ = writeln!(out, "        {}", e.labels);
        } else if let Some(i) = got_left.iter().position(|g| g.labels == e.labels) {
            changed.push((e, got_left.remove(i)));
        } else {
            missing.push(e);
        }
    }
    for (e, g) in changed {
        let _ = writeln!(out, "      ~ {} (annotations differ)", e.labels);
        let keys: std::collections::BTreeSet<&str> =
            e.annotations.iter().chain(g.annotations.iter()).map(|(k, _)| k).collect();
        for k in keys {
            let (a, b) = (
                e.annotations.has(k).then(|| e.annotations.get(k)),
                g.annotations.has(k).then(|| g.annotations.get(k)),
            );
            if a == b {
                continue;
            }
            if let Some(a) = a {
                let _ = writeln!(out, "          - {k}: {}", crate::promql::labels::quote(a));
            }
            if let Some(b) = b {
                let _ = writeln!(out, "          + {k}: {}", crate::promql::labels::quote(b));
            }
        }
    }
    for e in missing {
        let _ = writeln!(out, "      - {}{}", e.labels, annotations_text(&e.annotations));
    }
    for g in got_left {
        let _ = writeln!(out, "      + {}{}", g.labels, annotations_text(&g.annotations));
    }
}

fn sample_text(s: &SampleSeen) -> String {
    match &s.histogram {
        Some(h) => format!("{} {h}", s.labels),
        None => format!("{} {}", s.labels, number(s.value)),
    }
}

fn sample_diff(expected: &[SampleSeen], got: &[SampleSeen], out: &mut String) {
    let mut got_left: Vec<&SampleSeen> = got.iter().collect();
    for e in expected {
        if let Some(i) = got_left.iter().position(|g| sample_text(g) == sample_text(e)) {
            got_left.remove(i);
            let _ = writeln!(out, "        {}", sample_text(e));
        } else if let Some(i) = got_left.iter().position(|g| g.labels == e.labels) {
            let g = got_left.remove(i);
            let _ = writeln!(out, "      - {}", sample_text(e));
            let _ = writeln!(out, "      + {}", sample_text(g));
        } else {
            let _ = writeln!(out, "      - {}", sample_text(e));
        }
    }
    for g in got_left {
        let _ = writeln!(out, "      + {}", sample_text(g));
    }
}

/// A failure as the human format shows it, for `file` (the test file).
pub fn failure_text(file: &std::path::Path, f: &Failure) -> String {
    let mut out = String::new();
    let file = file.display();
    match f {
        Failure::Alert { alertname, eval_time, line, rules, expected, got, note } => {
            let rules: Vec<String> = rules.iter().map(|(f, l)| format!("{}:{l}", f.display())).collect();
            let rule = if rules.is_empty() {
                "no alerting rule has this name".into()
            } else {
                format!("rule {}", rules.join(", "))
            };
            let _ = writeln!(
                out,
                "    alert `{alertname}` at eval_time {} ({file}:{line}; {rule})",
                format_duration(*eval_time)
            );
            let _ = writeln!(out, "      (- expected, not firing; + firing, not expected)");
            alert_diff(expected, got, &mut out);
            if let Some(n) = note {
                let _ = writeln!(out, "      note: {n}");
            }
        }
        Failure::Expr { expr, eval_time, line, expected, got, note } => {
            let _ = writeln!(out, "    expr `{expr}` at eval_time {} ({file}:{line})", format_duration(*eval_time));
            let _ = writeln!(out, "      (- expected, not returned; + returned, not expected)");
            sample_diff(expected, got, &mut out);
            if expected.is_empty() && got.is_empty() {
                let _ = writeln!(out, "      (nothing on either side)");
            }
            if let Some(n) = note {
                let _ = writeln!(out, "      note: {n}");
            }
        }
        Failure::Error { message, line, rule } => {
            let at = match (line, rule) {
                (_, Some((f, l))) => format!(" (rule {}:{l})", f.display()),
                (Some(l), None) => format!(" ({file}:{l})"),
                _ => String::new(),
            };
            let _ = writeln!(out, "    error: {message}{at}");
        }
    }
    printable_keeping_lines(&out)
}

fn printable_keeping_lines(s: &str) -> String {
    s.split('\n').map(|l| printable(l).into_owned()).collect::<Vec<_>>().join("\n")
}

fn counts(files: &[FileOutcome]) -> (usize, usize, usize, usize) {
    let groups: usize = files.iter().map(|f| f.groups.len()).sum();
    let failed: usize = files.iter().map(|f| f.groups.iter().filter(|g| !g.failures.is_empty()).count()).sum();
    let broken = files.iter().filter(|f| !f.errors.is_empty()).count();
    (files.len(), groups, failed, broken)
}

fn human(files: &[FileOutcome], coverage: Option<&Coverage>) -> String {
    let mut out = String::new();
    for f in files {
        let verdict = if f.passed() { "ok" } else { "FAILED" };
        let _ = writeln!(out, "{} ({} ms): {verdict}", printable(&f.file.display().to_string()), ms(f.duration));
        for e in &f.errors {
            let text = e.to_string();
            for line in text.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        for g in &f.groups {
            let mark = if g.failures.is_empty() { "ok  " } else { "FAIL" };
            let _ = writeln!(out, "  {mark} {} ({} ms)", printable(&g.name), ms(g.duration));
            for failure in &g.failures {
                out.push_str(&failure_text(&f.file, failure));
            }
        }
    }
    let (nfiles, groups, failed, broken) = counts(files);
    let _ = write!(
        out,
        "\n{nfiles} file{}, {groups} test group{}: {} passed, {failed} failed",
        plural(nfiles),
        plural(groups),
        groups - failed
    );
    if broken > 0 {
        let _ = write!(out, "; {broken} file{} could not be run", plural(broken));
    }
    out.push('\n');
    if let Some(c) = coverage {
        out.push_str(&coverage_table(c));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn coverage_table(c: &Coverage) -> String {
    let mut out = String::from("\ncoverage\n");
    let rows: Vec<(String, String, &str, &str)> = c
        .rules
        .iter()
        .map(|r| {
            let status = match (r.alert, r.covered()) {
                (_, true) => "covered",
                (true, false) if !r.named => "never named in an alert_rule_test",
                (true, false) => "never fired in a test",
                (false, false) => "never read by an asserted expression",
            };
            (
                format!("{}:{}", r.file.display(), r.line),
                r.name.clone(),
                if r.alert { "alert" } else { "record" },
                status,
            )
        })
        .collect();
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(4);
    let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(4);
    let _ = writeln!(out, "  {:w0$}  {:w1$}  {:6}  status", "rule", "name", "kind");
    for (at, name, kind, status) in rows {
        let _ = writeln!(out, "  {at:w0$}  {:w1$}  {kind:6}  {status}", printable(&name));
    }
    let covered = c.rules.iter().filter(|r| r.covered()).count();
    let _ = writeln!(out, "coverage: {:.1}% ({covered} of {} rules)", c.percent(), c.rules.len());
    out
}

fn labels_json(l: &Labels) -> Json {
    Json::Object(l.iter().map(|(k, v)| (k.to_string(), Json::String(v.to_string()))).collect())
}

fn float_json(v: f64) -> Json {
    serde_json::Number::from_f64(v).map_or_else(|| Json::String(number(v)), Json::Number)
}

fn failure_json(f: &Failure) -> Json {
    let alerts = |v: &[AlertSeen]| -> Json {
        v.iter()
            .map(|a| json!({"labels": labels_json(&a.labels), "annotations": labels_json(&a.annotations)}))
            .collect()
    };
    let samples = |v: &[SampleSeen]| -> Json {
        v.iter()
            .map(|s| json!({"labels": labels_json(&s.labels), "value": float_json(s.value), "histogram": s.histogram}))
            .collect()
    };
    match f {
        Failure::Alert { alertname, eval_time, line, rules, expected, got, note } => json!({
            "kind": "alert", "alertname": alertname, "eval_time": format_duration(*eval_time), "line": line,
            "rules": rules.iter().map(|(f, l)| json!({"file": f.display().to_string(), "line": l})).collect::<Vec<_>>(),
            "expected": alerts(expected), "got": alerts(got), "note": note,
        }),
        Failure::Expr { expr, eval_time, line, expected, got, note } => json!({
            "kind": "expr", "expr": expr, "eval_time": format_duration(*eval_time), "line": line,
            "expected": samples(expected), "got": samples(got), "note": note,
        }),
        Failure::Error { message, line, rule } => json!({
            "kind": "error", "message": message, "line": line,
            "rule": rule.as_ref().map(|(f, l)| json!({"file": f.display().to_string(), "line": l})),
        }),
    }
}

fn rule_json(r: &RuleCoverage) -> Json {
    json!({"file": r.file.display().to_string(), "line": r.line, "group": r.group, "name": r.name,
           "kind": if r.alert { "alert" } else { "record" }, "covered": r.covered()})
}

fn json_value(files: &[FileOutcome], coverage: Option<&Coverage>) -> Json {
    let (nfiles, groups, failed, broken) = counts(files);
    let files_json: Vec<Json> = files
        .iter()
        .map(|f| {
            json!({
                "file": f.file.display().to_string(),
                "passed": f.passed(),
                "duration_ms": ms(f.duration) as u64,
                "errors": f.errors.iter().map(|e| json!({
                    "file": e.file.display().to_string(),
                    "line": e.pos.map(|p| p.line), "column": e.pos.map(|p| p.column),
                    "message": e.message, "help": e.help,
                })).collect::<Vec<_>>(),
                "groups": f.groups.iter().map(|g| json!({
                    "name": g.name, "line": g.line, "passed": g.failures.is_empty(),
                    "duration_ms": ms(g.duration) as u64,
                    "failures": g.failures.iter().map(failure_json).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let coverage_json = coverage.map(|c| {
        json!({
            "percent": c.percent(),
            "rules": c.rules.iter().map(rule_json).collect::<Vec<_>>(),
            "never_named": c.never_named().into_iter().map(rule_json).collect::<Vec<_>>(),
            "never_fired": c.never_fired().into_iter().map(rule_json).collect::<Vec<_>>(),
            "never_read": c.never_read().into_iter().map(rule_json).collect::<Vec<_>>(),
        })
    });
    json!({
        "schema": JSON_SCHEMA,
        "files": files_json,
        "summary": {"files": nfiles, "groups": groups, "passed": groups - failed, "failed": failed, "files_not_run": broken},
        "coverage": coverage_json,
    })
}

/// XML-escaped; control characters, which XML 1.0 forbids, written as `\u{…}`.
fn xml(s: &str) -> String {
    printable_keeping_lines(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn seconds(d: std::time::Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

fn junit(files: &[FileOutcome]) -> String {
    let (_, groups, failed, broken) = counts(files);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total: std::time::Duration = files.iter().map(|f| f.duration).sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"monstack test\" tests=\"{}\" failures=\"{failed}\" errors=\"{broken}\" time=\"{}\">",
        groups + broken,
        seconds(total)
    );
    for f in files {
        let name = xml(&f.file.display().to_string());
        let fails = f.groups.iter().filter(|g| !g.failures.is_empty()).count();
        let errors = usize::from(!f.errors.is_empty());
        let _ = writeln!(
            out,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{fails}\" errors=\"{errors}\" time=\"{}\">",
            f.groups.len() + errors,
            seconds(f.duration)
        );
        if !f.errors.is_empty() {
            let text: Vec<String> = f.errors.iter().map(ToString::to_string).collect();
            let _ = writeln!(
                out,
                "    <testcase classname=\"{name}\" name=\"(load)\" time=\"0.000\">\n      <error message=\"{}\">{}</error>\n    </testcase>",
                xml(&f.errors[0].message),
                xml(&text.join("\n"))
            );
        }
        for g in &f.groups {
            let _ = write!(
                out,
                "    <testcase classname=\"{name}\" name=\"{}\" time=\"{}\"",
                xml(&g.name),
                seconds(g.duration)
            );
            if g.failures.is_empty() {
                out.push_str("/>\n");
                continue;
            }
            let text: String = g.failures.iter().map(|x| failure_text(&f.file, x)).collect();
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{} failure{}\">{}</failure>\n    </testcase>",
                g.failures.len(),
                plural(g.failures.len()),
                xml(&text)
            );
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Escapes a workflow command's data (`%`, CR, LF) or property (also `:` and `,`).
fn gh_escape(s: &str, property: bool) -> String {
    let s = s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    if property {
        s.replace(':', "%3A").replace(',', "%2C")
    } else {
        s
    }
}

fn github(files: &[FileOutcome], coverage: Option<&Coverage>) -> String {
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
            for failure in &g.failures {
                let line = match failure {
                    Failure::Alert { line, .. } | Failure::Expr { line, .. } => Some(*line),
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
