//! `--format human`: `file:line:col`, the source line with a caret, the message, a help line, and
//! a summary.

use std::collections::HashMap;
use std::path::Path;

use super::Outcome;
use crate::diag::Diagnostic;

pub(super) fn render(o: &Outcome) -> String {
    let mut out = String::new();
    // Each file's lines, split once: thousands of findings in a big file must not rescan it.
    let mut lines: HashMap<&Path, Vec<&str>> = HashMap::new();
    for p in &o.problems {
        let file_lines = lines.entry(p.file.as_path()).or_insert_with(|| {
            o.files.iter().find(|(f, _)| f == &p.file).map_or_else(Vec::new, |(_, t)| t.lines().collect())
        });
        let excerpt = p.pos.and_then(|pos| file_lines.get(pos.line.saturating_sub(1) as usize)).copied();
        let mut d = Diagnostic::with_excerpt(&p.file, excerpt, p.pos, p.message.clone());
        d.help = p.help.clone();
        out.push_str(&format!("{}[{}]: {d}\n\n", super::level(p.severity), p.check));
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
