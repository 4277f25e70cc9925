//! `--format github`: workflow commands GitHub Actions turns into annotations.

use super::Outcome;

/// Escapes workflow-command data as GitHub documents (`%`, CR, LF; also `:` and `,` in properties).
fn gh_escape(s: &str, property: bool) -> String {
    let mut out = crate::diag::printable(s).replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

pub(super) fn render(o: &Outcome) -> String {
    let mut out = String::new();
    for p in &o.problems {
        let level = super::level(p.severity);
        let mut props = vec![format!("file={}", gh_escape(&p.file.display().to_string(), true))];
        if let Some(pos) = p.pos {
            props.push(format!("line={}", pos.line));
            props.push(format!("col={}", pos.column));
        }
        props.push(format!("title={}", gh_escape(p.check.name(), true)));
        out.push_str(&format!("::{level} {}::{}\n", props.join(","), gh_escape(&p.message, false)));
    }
    out
}
