//! `rules/severity`: an alert without a `severity` label. Alertmanager routes on it in most
//! setups (monstack's own routing included), so such an alert reaches the default receiver only.

use super::RuleFacts;
use crate::check::problem::Sink;
use crate::check::Check;

/// Reports an alert with no `severity` label.
pub fn check(rule: &RuleFacts, sink: &mut Sink) {
    if !rule.labels.iter().any(|(k, _)| k == "severity") {
        sink.warning(Check::RulesSeverity, Some(rule.at), format!("alert {:?} has no `severity` label", rule.name))
            .cause("no severity", &rule.name, "alerts")
            .help("add `labels: {severity: warning}` (or critical) so routing can tell how urgent it is");
    }
}

#[cfg(test)]
mod tests {
    use crate::check::lint::tests::{alert, run};

    #[test]
    fn alerts_need_a_severity() {
        let p = run(&[alert("A", "up == 0", &[("severity", "page")]), alert("B", "up == 0", &[("team", "x")])]);
        let found: Vec<_> = p.iter().filter(|m| m.starts_with("rules/severity")).collect();
        assert_eq!(found, ["rules/severity: alert \"B\" has no `severity` label"]);
    }
}
