//! `--format human`: `file:line:col`, the source line with a caret, the message, a help line, and
//! a summary. Findings of one check and cause show once, followed by the list of their other
//! places (see [`group`](super::group)).

use std::collections::HashMap;
use std::path::Path;

use super::{group, Outcome};
use crate::diag::Diagnostic;
use crate::term::{paint, Style};

pub(super) fn render(o: &Outcome) -> String {
    // Only the binary turns colour on (`crate::term::set`): library callers and tests get text.
    let color = crate::term::stdout();
    let mut out = String::new();
    // Each file's lines, split once: thousands of findings in a big file must not rescan it.
    let mut lines: HashMap<&Path, Vec<&str>> = HashMap::new();
    for g in group::groups(&o.problems) {
        let p = g.first;
        let file_lines = lines.entry(p.file.as_path()).or_insert_with(|| {
            o.files.iter().find(|(f, _)| f == &p.file).map_or_else(Vec::new, |(_, t)| t.lines().collect())
        });
        let excerpt = p.pos.and_then(|pos| file_lines.get(pos.line.saturating_sub(1) as usize)).copied();
        let mut d = Diagnostic::with_excerpt(&p.file, excerpt, p.pos, p.message.clone());
        d.help = p.help.clone();
        let style = match p.severity {
            crate::check::Severity::Error => Style::Error,
            crate::check::Severity::Warning => Style::Warning,
        };
        let head = paint(color, style, &format!("{}[{}]", super::level(p.severity), p.check));
        out.push_str(&format!("{head}: {}\n", colour_body(&d.to_string(), color)));
        if let Some(places) = group::places(&g) {
            out.push_str(&format!("{}\n", paint(color, Style::Dim, &format!("  = {places}"))));
        }
        out.push('\n');
    }
    out.push_str(&summary(o));
    out
}

/// The diagnostic with its gutter, caret and help dimmed, so the message and the source stand out.
/// Text quoted from files is already escaped ([`crate::diag::printable`]), so the only escape
/// codes in the result are ours.
fn colour_body(text: &str, color: bool) -> String {
    if !color {
        return text.to_owned();
    }
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let gutter = line.find(" | ").filter(|&at| line[..at].trim().chars().all(|c| c.is_ascii_digit()));
        if i == 0 {
            out.push_str(line);
        } else if line.starts_with("  = ") || line.trim_end().ends_with('^') || line.trim() == "|" {
            out.push_str(&paint(true, Style::Dim, line));
        } else if let Some(at) = gutter {
            out.push_str(&paint(true, Style::Dim, &line[..at + 2]));
            out.push_str(&line[at + 2..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The last line: counts of errors and warnings, of files, and of findings per check, most
/// found first (`3 errors, 325 warnings in 4 files (rules/duplicate 307, project/route 18)`).
pub(super) fn summary(o: &Outcome) -> String {
    let (errors, warnings) = o.counts();
    let files = o.files.len();
    if errors + warnings == 0 {
        return format!("no problems in {files} file{}\n", s(files));
    }
    let per_check: Vec<String> = o.per_check().iter().map(|(name, n)| format!("{name} {n}")).collect();
    format!(
        "{errors} error{}, {warnings} warning{} in {files} file{} ({})\n",
        s(errors),
        s(warnings),
        s(files),
        per_check.join(", ")
    )
}

fn s(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
