//! YAML as every file monstack reads is parsed: a deliberate node budget, and parser errors
//! turned into positioned diagnostics.

use std::path::Path;

use crate::diag::{nearest, Diagnostic, Pos};

/// Most YAML nodes one file may hold. serde-saphyr's default (250,000) rejects large but
/// legitimate files (an 11 MB rule file); 10 million nodes still bounds memory to a few GB.
pub const MAX_NODES: usize = 10_000_000;

/// Parser options shared by every YAML file monstack reads.
pub fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! { max_nodes: MAX_NODES, max_events: 4 * MAX_NODES },
    }
}

/// Turns a YAML or type error into a diagnostic, suggesting the nearest key for a misspelt one.
pub fn error(path: &Path, text: &str, err: &serde_saphyr::Error) -> Diagnostic {
    let pos = err.location().map(|l| Pos::from_location(&l)).filter(|p| p.line > 0);
    let mut message = err.without_snippet().to_string();
    // serde-saphyr appends the position in prose; ours is in the `file:line:col` prefix.
    if let Some(idx) = message.rfind(" at line ") {
        message.truncate(idx);
    }
    let help = unknown_field_help(&message);
    let diag = Diagnostic::new(path, text, pos, message);
    match help {
        Some(h) => diag.with_help(h),
        None => diag,
    }
}

fn unknown_field_help(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest.split_once("expected ")?.1;
    let expected = expected.strip_prefix("one of ").unwrap_or(expected);
    let candidates: Vec<&str> = expected.split(", ").map(|c| c.trim_matches('`')).collect();
    let listed = candidates.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
    Some(match nearest(field, candidates.iter().copied()) {
        Some(best) => format!("did you mean `{best}`? valid keys here: {listed}"),
        None => format!("valid keys here: {listed}"),
    })
}
