//! `--format junit`: a suite per test file, a case per test group with its duration.

use std::fmt::Write as _;

use super::{counts, failure_text, plural, printable_keeping_lines};
use crate::test::FileOutcome;

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

pub(super) fn render(files: &[FileOutcome]) -> String {
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
