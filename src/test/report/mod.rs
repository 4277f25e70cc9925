//! Test outcomes in each output format: pure functions of the outcomes.

use std::fmt::Write as _;

mod github;
mod json;
mod junit;

use super::coverage::Coverage;
use super::routing_coverage::RoutingCoverage;
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
        Format::Json => serde_json::to_string_pretty(&json::value(files, coverage)).unwrap_or_default() + "\n",
        Format::Junit => junit::render(files),
        Format::Github => github::render(files, coverage),
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
        Failure::Routing { line, column, labels, differences, routes } => {
            let _ = writeln!(out, "    alert {labels} ({file}:{line}:{column})");
            for d in differences {
                let _ = writeln!(out, "      {}: expected {}, got {}", d.what, d.expected, d.got);
            }
            for r in routes {
                let _ = writeln!(out, "      route: {r}");
            }
            if routes.is_empty() {
                let _ = writeln!(out, "      route: (none)");
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
            for (line, note) in &g.notes {
                let _ = writeln!(
                    out,
                    "    note: {} ({}:{line})",
                    printable(note),
                    printable(&f.file.display().to_string())
                );
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
    for r in &c.routing {
        out.push_str(&routing_table(r));
    }
    out
}

fn routing_table(r: &RoutingCoverage) -> String {
    let mut out = format!("\nrouting coverage of {}\n", printable(&r.config.display().to_string()));
    let rows: Vec<(String, String, &str)> = r
        .receivers
        .iter()
        .map(|x| {
            let integrations = if x.integrations.is_empty() { "(none)".to_owned() } else { x.integrations.join(", ") };
            let by = match (x.by_tests, x.by_rules) {
                (true, true) => "routing tests, alert rules",
                (true, false) => "routing tests",
                (false, true) => "alert rules",
                (false, false) => "nothing: no routing test or alert rule reaches it",
            };
            (printable(&x.name).into_owned(), integrations, by)
        })
        .collect();
    let w0 = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0).max(8);
    let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(12);
    let _ = writeln!(out, "  {:w0$}  {:w1$}  reached by", "receiver", "integrations");
    for (name, integrations, by) in rows {
        let _ = writeln!(out, "  {name:w0$}  {integrations:w1$}  {by}");
    }
    for s in &r.silent {
        let why = if s.inhibited_by.is_empty() {
            format!(
                "reaches only `{}`, which notif{} no one",
                s.receivers.join("`, `"),
                if s.receivers.len() == 1 { "ies" } else { "y" }
            )
        } else {
            format!("inhibited by `{}`, which always fires", s.inhibited_by.join("`, `"))
        };
        let _ = writeln!(
            out,
            "  silent alert {} ({}:{}): {}",
            printable(&s.rule.name),
            printable(&s.rule.file.display().to_string()),
            s.rule.line,
            printable(&why)
        );
    }
    let covered = r.receivers.iter().filter(|x| x.covered()).count();
    let _ = writeln!(
        out,
        "routing coverage: {:.1}% ({covered} of {} receivers reached; {} silent alert{})",
        r.percent(),
        r.receivers.len(),
        r.silent.len(),
        plural(r.silent.len())
    );
    out
}
