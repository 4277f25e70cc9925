//! `rules/duplicate`: two rules of one file with the same name and labels, as
//! `promtool check rules --lint=duplicate-rules` reports them (the expression does not matter:
//! both would write, or alert as, the same series). One finding per duplicated rule, at its first
//! repeat, with how often it occurs.

use std::collections::BTreeMap;

use super::RuleKey;
use crate::check::problem::Sink;
use crate::check::Check;
use crate::diag::Pos;

/// Reports each rule that is defined more than once.
pub fn check(rules: &[RuleKey], sink: &mut Sink) {
    let mut seen: BTreeMap<(bool, &str, u64), Vec<Pos>> = BTreeMap::new();
    for rule in rules {
        seen.entry((rule.alert, &rule.name, rule.labels)).or_default().push(rule.at);
    }
    let mut found: Vec<(Pos, String, usize, Pos)> = seen
        .into_iter()
        .filter(|(_, at)| at.len() > 1)
        .map(|((_, name, _), at)| (at[1], name.to_owned(), at.len(), at[0]))
        .collect();
    found.sort_by_key(|f| f.0);
    for (at, name, times, first) in found {
        sink.warning(
            Check::RulesDuplicate,
            Some(at),
            format!("rule {name:?} is defined {times} times with the same labels (first at line {})", first.line),
        )
        .cause("defined again", &name, "rules")
        .help("both write the same series: remove one, or tell them apart with a label");
    }
}

#[cfg(test)]
mod tests {
    use crate::check::lint::tests::{alert, run};

    #[test]
    fn same_name_and_labels_once_per_rule() {
        let p = run(&[
            alert("A", "up == 0", &[]),
            alert("A", "up == 1", &[]),
            alert("A", "up == 2", &[]),
            alert("A", "up == 0", &[("severity", "page")]),
        ]);
        let found: Vec<_> = p.iter().filter(|m| m.starts_with("rules/duplicate")).collect();
        assert_eq!(found, ["rules/duplicate: rule \"A\" is defined 3 times with the same labels (first at line 1)"]);
    }
}
