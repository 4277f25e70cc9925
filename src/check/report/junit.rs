//! `--format junit`: JUnit XML, which CI systems (GitLab, Jenkins, Azure) show as test results.
//! Each checked file is a test case; it fails when it has errors, listing them one per line;
//! warnings go to its `system-out`.

use super::{level, Outcome};
use crate::check::problem::Severity;

/// XML-escaped; control characters, which XML 1.0 forbids, written as `\u{…}`.
fn escape(s: &str) -> String {
    crate::diag::printable(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

pub(super) fn render(o: &Outcome) -> String {
    let failed = o.files.iter().filter(|(f, _)| o.problems_in(f).any(|p| p.severity == Severity::Error)).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"monstack check\" tests=\"{}\" failures=\"{failed}\">\n  <testsuite name=\"monstack check\" tests=\"{}\" failures=\"{failed}\" errors=\"0\">\n",
        o.files.len(),
        o.files.len()
    ));
    for (file, _) in &o.files {
        let name = escape(&file.display().to_string());
        let lines = |severity: Severity| -> Vec<String> {
            o.problems_in(file)
                .filter(|p| p.severity == severity)
                .map(|p| {
                    let at = p.pos.map(|pos| format!(":{}:{}", pos.line, pos.column)).unwrap_or_default();
                    escape(&format!("{}{at}: {}[{}]: {}", p.file.display(), level(p.severity), p.check, p.message))
                })
                .collect()
        };
        let (errs, warns) = (lines(Severity::Error), lines(Severity::Warning));
        out.push_str(&format!("    <testcase classname=\"monstack.check\" name=\"{name}\""));
        if errs.is_empty() && warns.is_empty() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        if !errs.is_empty() {
            out.push_str(&format!(
                "      <failure type=\"error\" message=\"{} error{}\">{}</failure>\n",
                errs.len(),
                if errs.len() == 1 { "" } else { "s" },
                errs.join("\n")
            ));
        }
        if !warns.is_empty() {
            out.push_str(&format!("      <system-out>{}</system-out>\n", warns.join("\n")));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample;

    #[test]
    fn a_failing_case_per_file_with_errors() {
        let xml = super::render(&sample());
        assert!(xml.contains("<testsuite name=\"monstack check\" tests=\"1\" failures=\"1\" errors=\"0\">"), "{xml}");
        assert!(xml.contains("<testcase classname=\"monstack.check\" name=\"r.yml\">"), "{xml}");
        assert!(xml.contains("<failure type=\"error\" message=\"1 error\">r.yml:2:5: error[rules/field]: bad, really: 100%</failure>"), "{xml}");
    }
}
