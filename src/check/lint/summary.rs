//! `rules/summary`: an alert without a `summary` annotation. Notifications show the summary as
//! their headline; without it the receiver sees only the alert's name and labels.

use super::RuleFacts;
use crate::check::problem::Sink;
use crate::check::Check;

/// Reports an alert with no `summary` annotation.
pub fn check(rule: &RuleFacts, sink: &mut Sink) {
    if !rule.annotations.iter().any(|a| a == "summary") {
        sink.warning(Check::RulesSummary, Some(rule.at), format!("alert {:?} has no `summary` annotation", rule.name))
            .cause("no summary", &rule.name, "alerts")
            .help("add `annotations: {summary: \"...\"}`, a one-line headline for notifications");
    }
}

#[cfg(test)]
mod tests {
    use crate::check::lint::tests::{alert, run};

    #[test]
    fn alerts_need_a_summary() {
        let mut with = alert("A", "up == 0", &[]);
        with.annotations.push("summary".into());
        let p = run(&[with, alert("B", "up == 0", &[])]);
        let found: Vec<_> = p.iter().filter(|m| m.starts_with("rules/summary")).collect();
        assert_eq!(found, ["rules/summary: alert \"B\" has no `summary` annotation"]);
    }
}
