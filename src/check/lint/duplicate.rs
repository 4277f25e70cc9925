//! `rules/duplicate`: the same rule twice in one file — same name, labels and expression — as
//! `promtool check rules --lint=duplicate-rules` reports. Both would produce the same series, so
//! one is dead weight or a copy that was meant to change.

use std::collections::BTreeMap;

use super::Rule;
use crate::check::problem::Sink;

/// Reports every rule that repeats an earlier one.
pub fn check(rules: &[Rule], sink: &mut Sink) {
    let mut seen = BTreeMap::new();
    for rule in rules {
        let key = (rule.alert, &rule.name, rule.expr.trim(), &rule.labels);
        if let Some(first) = seen.insert(key, rule.at) {
            sink.warning(
                "rules/duplicate",
                Some(rule.at),
                format!("rule {:?} repeats the one at line {}", rule.name, first.line),
            )
            .help("remove one, or change its labels or expression");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::lint::tests::{alert, run};

    #[test]
    fn same_name_labels_and_expr() {
        let p = run(&[alert("A", "up == 0", &[]), alert("A", "up == 0", &[]), alert("A", "up == 1", &[])]);
        assert_eq!(p.iter().filter(|m| m.starts_with("rules/duplicate")).count(), 1, "{p:?}");
    }
}
