//! Routing test results for a person.

use super::Report;
use crate::routing::route::{matcher_text, Labels};

/// `{alertname="X", severity="warning"}`.
pub fn labels_text(labels: &Labels) -> String {
    let parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| {
            matcher_text(&crate::syntax::matcher::Matcher::new(k, v, false).expect("equality matchers always build"))
        })
        .collect();
    format!("{{{}}}", parts.join(", "))
}

/// The results for a person: a line per case, and for each failing alert where it is, what was
/// expected and got, and the route path it took; then a summary line.
pub fn render(report: &Report) -> String {
    let file = crate::diag::printable(&report.file.display().to_string()).into_owned();
    let mut out = String::new();
    let (mut passed, mut failed) = (0, 0);
    for c in &report.cases {
        let name = crate::diag::printable(&c.name).into_owned();
        if c.passed() {
            passed += 1;
            out.push_str(&format!("ok    {name}\n"));
            continue;
        }
        failed += 1;
        out.push_str(&format!("FAIL  {name}  ({file}:{}:{})\n", c.pos.line, c.pos.column));
        for a in c.alerts.iter().filter(|a| !a.failures.is_empty()) {
            let labels = crate::diag::printable(&labels_text(&a.labels)).into_owned();
            out.push_str(&format!("  {file}:{}:{}: alert {labels}\n", a.pos.line, a.pos.column));
            for f in &a.failures {
                let (e, g) = (crate::diag::printable(&f.expected), crate::diag::printable(&f.got));
                out.push_str(&format!("    {}: expected {e}, got {g}\n", f.what));
            }
            for p in &a.paths {
                out.push_str(&format!("    route: {}\n", crate::diag::printable(p)));
            }
        }
    }
    out.push_str(&format!(
        "{file}: {} routing test case{}: {passed} passed, {failed} failed\n",
        report.cases.len(),
        if report.cases.len() == 1 { "" } else { "s" }
    ));
    out
}
