//! `--format human`: `file:line:col`, the source line with a caret, the message, a help line, and
//! a summary.

use super::Outcome;
use crate::diag::Diagnostic;

pub(super) fn render(o: &Outcome) -> String {
    let mut out = String::new();
    for p in &o.problems {
        let text = o.files.iter().find(|(f, _)| f == &p.file).map_or("", |(_, t)| t.as_str());
        let mut d = Diagnostic::new(&p.file, text, p.pos, p.message.clone());
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
