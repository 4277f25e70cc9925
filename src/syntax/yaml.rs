//! YAML as every file monstack reads is parsed: a deliberate budget (size, nesting), and parser
//! errors turned into positioned diagnostics in monstack's words.

use std::path::Path;

use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Budget, Error};

use crate::diag::{nearest, Diagnostic, Pos};

/// Most YAML nodes one file may hold. serde-saphyr's default (250,000) rejects large but
/// legitimate files (an 11 MB rule file); 10 million nodes still bounds memory to a few GB.
pub const MAX_NODES: usize = 10_000_000;

/// Deepest nesting of lists and mappings (serde-saphyr's default, made explicit: every reader of
/// the tree recurses once per level).
pub const MAX_DEPTH: usize = 64;

fn budget() -> Budget {
    let mut budget = Budget::default();
    budget.max_nodes = MAX_NODES;
    budget.max_events = 4 * MAX_NODES;
    budget.max_depth = MAX_DEPTH;
    budget
}

/// Parser options shared by every YAML file monstack reads.
pub fn options() -> serde_saphyr::Options {
    serde_saphyr::options! { budget: Some(budget()) }
}

/// The error itself, out of the wrappers that add a snippet or an alias' location.
fn original(mut err: &Error) -> &Error {
    loop {
        match err {
            Error::WithSnippet { error, .. } | Error::AliasError { error, .. } => err = error,
            other => return other,
        }
    }
}

/// The key a duplicate-key error is about (empty when it is not a plain scalar).
pub fn duplicate_key(err: &Error) -> Option<String> {
    match original(err) {
        Error::DuplicateMappingKey { key, .. } => Some(key.clone().unwrap_or_default()),
        _ => None,
    }
}

/// Turns a YAML or type error into a diagnostic, suggesting the nearest key for a misspelt one.
pub fn error(path: &Path, text: &str, err: &Error) -> Diagnostic {
    let pos = err.location().map(|l| Pos::from_location(&l)).filter(|p| p.line > 0);
    let (message, help) = if let Some(key) = duplicate_key(err) {
        (repeated(text, &key, pos), Some("a key may appear once in a mapping: merge the two, or remove one".into()))
    } else if let Error::Budget { breach, .. } = original(err) {
        (
            over_budget(breach),
            Some("monstack reads YAML within these limits, so that no file can exhaust its memory or stack".into()),
        )
    } else {
        let mut message = err.without_snippet().to_string();
        // serde-saphyr appends the position in prose; ours is in the `file:line:col` prefix.
        if let Some(idx) = message.rfind(" at line ") {
            message.truncate(idx);
        }
        if message == "recursion limit exceeded" {
            // The parser's own nesting limit, met before the budget's on some inputs.
            message = over_budget(&BudgetBreach::Depth { depth: MAX_DEPTH + 1 });
        }
        let help = unknown_field_help(&message);
        (message, help)
    };
    let diag = Diagnostic::new(path, text, pos, message);
    match help {
        Some(h) => diag.with_help(h),
        None => diag,
    }
}

/// ``key `x` is repeated (first at line N)``, the first found by looking up from the repeat at
/// `at` for the same key at the same column, within the same block mapping.
fn repeated(text: &str, key: &str, at: Option<Pos>) -> String {
    let subject = if key.is_empty() { "a key".to_owned() } else { format!("key `{key}`") };
    let first = at.and_then(|at| {
        let col = at.column.saturating_sub(1) as usize;
        let above = text.lines().take(at.line.saturating_sub(1) as usize).enumerate().collect::<Vec<_>>();
        for (n, line) in above.into_iter().rev() {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let lead: String = line.chars().take(col).collect();
            if !lead.chars().all(|c| c == ' ' || c == '-') {
                // A line that starts left of the key: the mapping's parent.
                return None;
            }
            let rest = &line[lead.len()..];
            let named = [key.to_owned(), format!("\"{key}\""), format!("'{key}'")]
                .iter()
                .any(|k| rest.strip_prefix(k.as_str()).is_some_and(|r| r.trim_start().starts_with(':')));
            if named {
                return Some(n + 1);
            }
            if lead.contains('-') {
                // The start of the list item the mapping is.
                return None;
            }
        }
        None
    });
    match first {
        Some(line) => format!("{subject} is repeated (first at line {line})"),
        None => format!("{subject} is repeated"),
    }
}

/// What limit of [`budget`] a file went over, in words.
fn over_budget(breach: &BudgetBreach) -> String {
    let b = budget();
    match breach {
        BudgetBreach::Depth { .. } => format!("lists and mappings nested more than {} levels deep", b.max_depth),
        BudgetBreach::Nodes { .. } => format!("more than {} values, lists and mappings in one file", b.max_nodes),
        BudgetBreach::Events { .. } => format!("more than {} YAML parser events in one file", b.max_events),
        BudgetBreach::Documents { .. } => format!("more than {} YAML documents in one file", b.max_documents),
        BudgetBreach::Aliases { .. } => format!("more than {} aliases (`*name`)", b.max_aliases),
        BudgetBreach::Anchors { .. } => format!("more than {} anchors (`&name`)", b.max_anchors),
        BudgetBreach::AliasAnchorRatio { aliases, anchors } => format!(
            "{aliases} aliases (`*name`) for {anchors} anchors (`&name`): more than {} per anchor",
            b.alias_anchor_ratio_multiplier
        ),
        BudgetBreach::RecordedAnchorEvents { .. } | BudgetBreach::RecordedAnchorBytes { .. } => format!(
            "anchors (`&name`) and their aliases (`*name`) expand to more than {} values or {} MiB",
            b.max_recorded_anchor_events,
            b.max_recorded_anchor_bytes >> 20
        ),
        BudgetBreach::ScalarBytes { .. } => {
            format!("more than {} MiB of text in values", b.max_total_scalar_bytes >> 20)
        }
        BudgetBreach::MergeKeys { .. } => format!("more than {} merge keys (`<<`)", b.max_merge_keys),
        BudgetBreach::InputBytes { .. } => "the file is too large".to_owned(),
        BudgetBreach::SequenceUnbalanced => "a list or mapping ends that was never started".to_owned(),
        _ => "the file goes over a limit of the YAML reader".to_owned(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        let err = serde_saphyr::from_str_with_options::<serde::de::IgnoredAny>(text, options()).unwrap_err();
        error(Path::new("f.yml"), text, &err).to_string()
    }

    #[test]
    fn repeated_keys_say_where_the_first_is() {
        assert!(
            message("a: 1\nb:\n  c: 2\n\n  # x\n  c: 3\n").contains("f.yml:6:3: key `c` is repeated (first at line 3)")
        );
        assert!(message("- a: 1\n  b: 2\n- b: 1\n  b: 2\n").contains("key `b` is repeated (first at line 3)"));
        assert!(message("- b: 1\n- a: 1\n  b: 2\n  b: 3\n").contains("(first at line 3)"));
        assert!(message("{a: 1, a: 2}").contains("key `a` is repeated\n"));
        assert!(!message("a: 1\na: 2\n").contains("DuplicateKeyPolicy"));
    }

    #[test]
    fn limits_are_named_in_words() {
        let deep = format!("a: {}1{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(message(&deep).contains("lists and mappings nested more than 64 levels deep"), "{}", message(&deep));
        let deeper = format!("a: {}1{}", "[".repeat(300), "]".repeat(300));
        assert!(message(&deeper).contains("nested more than 64 levels deep"), "{}", message(&deeper));
        let mut laughs = format!("l0: &l0 [{}]\n", ["x"; 10].join(","));
        for i in 1..8 {
            laughs.push_str(&format!("l{i}: &l{i} [{}]\n", vec![format!("*l{}", i - 1); 10].join(",")));
        }
        let m = message(&laughs);
        assert!(m.contains("expand to more than 1000000 values"), "{m}");
        assert!(!m.contains('{'), "{m}");
    }
}
