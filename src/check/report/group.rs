//! Findings that share check and cause, one group each: a person reads one finding with the
//! list of its places rather than the same warning once per alert. Only the human format groups;
//! the machine formats keep one entry per place, so CI annotations still land on every line.

use std::collections::HashMap;

use crate::check::problem::{Problem, Severity};
use crate::check::Check;

/// The first finding of a cause and the others that share it, in the order found.
#[derive(Debug)]
pub(super) struct Group<'a> {
    /// The finding shown whole, with its excerpt.
    pub first: &'a Problem,
    /// The other places of the same cause.
    pub rest: Vec<&'a Problem>,
}

/// `problems` grouped by check, severity and cause key; a finding without a cause is a group of
/// its own. Groups come in the order of their first finding.
pub(super) fn groups(problems: &[Problem]) -> Vec<Group<'_>> {
    let mut index: HashMap<(Check, Severity, &str), usize> = HashMap::new();
    let mut out: Vec<Group<'_>> = Vec::new();
    for p in problems {
        if let Some(cause) = &p.cause {
            let key = (p.check, p.severity, cause.key.as_str());
            if let Some(&i) = index.get(&key) {
                out[i].rest.push(p);
                continue;
            }
            index.insert(key, out.len());
        }
        out.push(Group { first: p, rest: Vec::new() });
    }
    out
}

/// Places named after the first finding; the rest are counted (every format but this one lists
/// each of them).
const LISTED: usize = 20;

/// `… and 17 more alerts: A (line 20); other.yml: B (line 7), C (line 9), …`: the other places
/// of a group, by name and line, the file named where it changes from the one before.
pub(super) fn places(group: &Group<'_>) -> Option<String> {
    if group.rest.is_empty() {
        return None;
    }
    let plural = group.first.cause.as_ref().map_or("places", |c| c.places);
    let noun = if group.rest.len() == 1 { plural.strip_suffix('s').unwrap_or(plural) } else { plural };
    let mut text = format!("… and {} more {noun}: ", group.rest.len());
    let mut file = &group.first.file;
    for (i, p) in group.rest.iter().take(LISTED).enumerate() {
        if p.file != *file {
            text.push_str(if i == 0 { "" } else { "; " });
            text.push_str(&format!("{}: ", p.file.display()));
            file = &p.file;
        } else if i > 0 {
            text.push_str(", ");
        }
        let name = p.cause.as_ref().map_or("", |c| c.place.as_str());
        match (name.is_empty(), p.pos) {
            (false, Some(pos)) => text.push_str(&format!("{name} (line {})", pos.line)),
            (false, None) => text.push_str(name),
            (true, Some(pos)) => text.push_str(&format!("line {}", pos.line)),
            (true, None) => text.push_str("the whole file"),
        }
    }
    if group.rest.len() > LISTED {
        text.push_str(&format!(", and {} others (`--format json` lists every one)", group.rest.len() - LISTED));
    }
    Some(crate::diag::printable(&text).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Pos;

    fn at(file: &str, line: u64, name: &str, key: &str) -> Problem {
        let mut p = Problem::new(Check::ProjectRoute, Severity::Warning, file, Some(Pos { line, column: 1 }), "m");
        p.cause(key, name, "alerts");
        p
    }

    #[test]
    fn one_group_per_cause_in_order_of_the_first() {
        let mut plain = Problem::new(Check::RulesExpr, Severity::Error, "a.yml", None, "bad");
        plain.help("x");
        let problems = vec![
            at("a.yml", 3, "A", "nobody"),
            plain.clone(),
            at("a.yml", 9, "B", "other"),
            at("a.yml", 12, "C", "nobody"),
            at("b.yml", 4, "D", "nobody"),
            plain,
        ];
        let g = groups(&problems);
        let shape: Vec<(u64, usize)> = g.iter().map(|g| (g.first.pos.map_or(0, |p| p.line), g.rest.len())).collect();
        assert_eq!(shape, [(3, 2), (0, 0), (9, 0), (0, 0)]);
        assert_eq!(places(&g[0]).unwrap(), "… and 2 more alerts: C (line 12); b.yml: D (line 4)");
        assert_eq!(places(&g[2]), None);
        let two = [at("a.yml", 1, "A", "k"), at("a.yml", 2, "B", "k")];
        assert_eq!(places(&groups(&two)[0]).unwrap(), "… and 1 more alert: B (line 2)");
    }

    #[test]
    fn long_lists_are_cut_and_counted() {
        let problems: Vec<Problem> = (1..=30).map(|i| at("a.yml", i, &format!("R{i}"), "k")).collect();
        let text = places(&groups(&problems)[0]).unwrap();
        assert!(text.starts_with("… and 29 more alerts: R2 (line 2), R3 (line 3)"), "{text}");
        assert!(text.ends_with("R21 (line 21), and 9 others (`--format json` lists every one)"), "{text}");
    }

    #[test]
    fn the_same_key_of_another_check_or_severity_is_another_cause() {
        let mut other = at("a.yml", 5, "B", "k");
        other.check = Check::RulesDuplicate;
        let problems = vec![at("a.yml", 1, "A", "k"), other];
        assert_eq!(groups(&problems).len(), 2);
    }
}
