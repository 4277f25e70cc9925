//! Inhibition as Alertmanager's `inhibit` package decides it: an alert matching a rule's target
//! side is inhibited by a firing alert matching its source side whose `equal` labels have the same
//! values (a missing label is the empty value). An alert that matches both sides is not inhibited
//! by source alerts that match both sides too, so that such alerts cannot silence one another.

use super::config::{Config, InhibitRule};
use super::route::Labels;

/// An inhibition: which rule, and which firing alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inhibition {
    /// Index of the rule in `inhibit_rules`.
    pub rule: usize,
    /// Index of the inhibiting alert in the firing alerts given.
    pub source: usize,
}

impl InhibitRule {
    fn equal_on(&self, a: &Labels, b: &Labels) -> bool {
        self.equal.iter().all(|n| a.get(n).map_or("", String::as_str) == b.get(n).map_or("", String::as_str))
    }
}

impl Config {
    /// Every (rule, firing alert) pair that inhibits `alert` (upstream stops at the first; all
    /// are listed so a test can name them). `firing` may contain `alert` itself.
    pub fn inhibitions(&self, alert: &Labels, firing: &[Labels]) -> Vec<Inhibition> {
        let mut out = Vec::new();
        for (r, rule) in self.inhibit_rules.iter().enumerate() {
            if !rule.target.iter().all(|m| m.matches(alert)) {
                continue;
            }
            let both = rule.source.iter().all(|m| m.matches(alert));
            for (i, source) in firing.iter().enumerate() {
                let is_source = rule.source.iter().all(|m| m.matches(source));
                let two_sided = both && rule.target.iter().all(|m| m.matches(source));
                if is_source && rule.equal_on(alert, source) && !two_sided {
                    out.push(Inhibition { rule: r, source: i });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    const AM: &str = "route: {receiver: r}\nreceivers: [{name: r}]\ninhibit_rules:\n  - source_matchers: [severity=critical]\n    target_matchers: [severity=~\"warning|critical\"]\n    equal: [instance, zone]\n  - source_match: {alertname: Maintenance}\n    target_match_re: {alertname: '.+'}\n";

    #[test]
    fn sides_equal_labels_and_two_sided_matches() {
        let c = Config::parse(std::path::Path::new("am.yml"), AM).unwrap();
        let crit = labels(&[("alertname", "Down"), ("severity", "critical"), ("instance", "a")]);
        let warn = labels(&[("alertname", "Cpu"), ("severity", "warning"), ("instance", "a")]);
        let other = labels(&[("alertname", "Cpu"), ("severity", "warning"), ("instance", "b")]);
        assert_eq!(c.inhibitions(&warn, std::slice::from_ref(&crit)), [Inhibition { rule: 0, source: 0 }]);
        assert!(c.inhibitions(&other, std::slice::from_ref(&crit)).is_empty(), "instance differs");
        // `zone` is missing on both: equal.
        let zoned = labels(&[("alertname", "Cpu"), ("severity", "warning"), ("instance", "a"), ("zone", "z")]);
        assert!(c.inhibitions(&zoned, std::slice::from_ref(&crit)).is_empty(), "zone differs from missing");
        // A critical alert matches both sides: another critical one does not inhibit it, nor itself.
        let crit2 = labels(&[("alertname", "Other"), ("severity", "critical"), ("instance", "a")]);
        assert!(c.inhibitions(&crit, &[crit.clone(), crit2]).is_empty());
        let maint = labels(&[("alertname", "Maintenance")]);
        assert_eq!(c.inhibitions(&warn, std::slice::from_ref(&maint)), [Inhibition { rule: 1, source: 0 }]);
        // Maintenance matches both sides of rule 1, and is not inhibited by itself.
        assert!(c.inhibitions(&maint, std::slice::from_ref(&maint)).is_empty());
    }
}
