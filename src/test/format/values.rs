//! Scalars as Go's YAML decoder reads them into string fields, and the series notation's items
//! counted and located before they are expanded.

use crate::check::node::{pos, SourceNode, Tree};
use crate::diag::Pos;
use crate::promql::series;

/// A scalar as Go's YAML decoder gives it to a string field: as written (`y` and `0x10` stay
/// text; YAML 1.1 would read them as `true` and 16). Empty for null, lists and mappings.
pub fn scalar_text(text: &str, t: &Tree) -> String {
    match &t.value {
        SourceNode::Number(_) | SourceNode::Bool(_) => {
            raw_scalar(text, pos(t)).unwrap_or_else(|| t.value.as_str().unwrap_or_default())
        }
        v => v.as_str().unwrap_or_default(),
    }
}

/// The plain scalar written at `at`: up to a space, a comment or a flow delimiter.
pub(super) fn raw_scalar(text: &str, at: Pos) -> Option<String> {
    let line = text.lines().nth(at.line.checked_sub(1)? as usize)?;
    let rest: String = line.chars().skip(at.column.checked_sub(1)? as usize).collect();
    let token: String =
        rest.chars().take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ']' | '}' | '#')).collect();
    (!token.is_empty() && !token.starts_with(['"', '\'', '&', '*', '!'])).then_some(token)
}

/// Most steps one input series may expand to, so that a test file cannot exhaust memory.
pub const MAX_SERIES_STEPS: u64 = 20_000_000;

/// How many steps `values` expands to, counted before expanding them (`axN` and `_xN` are N+1
/// and N; anything unreadable counts as one, and the parser reports it).
pub(super) fn expanded_len(values: &str) -> u64 {
    values
        .split_whitespace()
        .map(|item| {
            let count = item.rfind('x').and_then(|i| item[i + 1..].parse::<u64>().ok());
            match count {
                Some(n) if item.starts_with("_x") => n,
                Some(n) => n.saturating_add(1),
                None => 1,
            }
        })
        .fold(0u64, u64::saturating_add)
}

/// Byte offset of the first whitespace-separated item of `values` that does not parse alone.
pub(super) fn first_bad_item(values: &str) -> Option<usize> {
    let mut i = 0;
    let b = values.as_bytes();
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if values[i..].starts_with("{{") {
            // A histogram item runs to its closing braces and any `+{{…}}xN` tail.
            let mut end = values[i..].find("}}").map_or(b.len(), |e| i + e + 2);
            while end < b.len() && !b[end].is_ascii_whitespace() {
                end = match values[end..].find("}}") {
                    Some(e) if values[end..end + e].contains("{{") => end + e + 2,
                    _ => end + 1,
                };
            }
            i = end;
        } else {
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
        }
        if series::parse_values(&values[start..i]).is_err() {
            return Some(start);
        }
    }
    None
}
