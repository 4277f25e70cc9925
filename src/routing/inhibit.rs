//! Inhibition as Alertmanager's `inhibit` package decides it: an alert matching a rule's target
//! side is inhibited by a firing alert matching its source side whose `equal` labels have the same
//! values (a missing label is the empty value). An alert that matches both sides is not inhibited
//! by source alerts that match both sides too, so that such alerts cannot silence one another.

use std::collections::HashMap;

use super::config::Config;
use super::route::Labels;

/// An inhibition: which rule, and which firing alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inhibition {
    /// Index of the rule in `inhibit_rules`.
    pub rule: usize,
    /// Index of the inhibiting alert in the firing alerts given.
    pub source: usize,
}

/// At most this many inhibitions are listed per alert and rule: enough to name them in a test,
/// and a bound on the work when thousands of alerts inhibit one another.
pub const MAX_LISTED: usize = 100;

/// The firing alerts indexed for inhibition: per rule, its source alerts by the values of its
/// `equal` labels, so that each alert is looked up rather than compared with every firing one.
#[derive(Debug)]
pub struct Inhibitor<'a> {
    config: &'a Config,
    rules: Vec<HashMap<Vec<&'a str>, Bucket>>,
}

#[derive(Debug, Default)]
struct Bucket {
    /// Sources that do not match the target side (they may inhibit two-sided alerts too).
    one_sided: Vec<usize>,
    /// Sources that match both sides.
    two_sided: Vec<usize>,
}

fn value<'a>(labels: &'a Labels, name: &str) -> &'a str {
    labels.get(name).map_or("", String::as_str)
}

fn matches(ms: &[crate::syntax::matcher::Matcher], labels: &Labels) -> bool {
    ms.iter().all(|m| m.matches(labels))
}

impl<'a> Inhibitor<'a> {
    /// Indexes `firing` for `config`'s rules.
    pub fn new(config: &'a Config, firing: &'a [Labels]) -> Self {
        let rules = config
            .inhibit_rules
            .iter()
            .map(|rule| {
                let mut buckets: HashMap<Vec<&str>, Bucket> = HashMap::new();
                for (i, source) in firing.iter().enumerate().filter(|(_, s)| matches(&rule.source, s)) {
                    let key = rule.equal.iter().map(|n| value(source, n)).collect();
                    let bucket = buckets.entry(key).or_default();
                    if matches(&rule.target, source) {
                        bucket.two_sided.push(i);
                    } else {
                        bucket.one_sided.push(i);
                    }
                }
                buckets
            })
            .collect();
        Inhibitor { config, rules }
    }

    /// What inhibits `alert` (at most [`MAX_LISTED`] per rule; upstream stops at the first).
    pub fn inhibitions(&self, alert: &Labels) -> Vec<Inhibition> {
        let mut out = Vec::new();
        for (r, (rule, buckets)) in self.config.inhibit_rules.iter().zip(&self.rules).enumerate() {
            if !matches(&rule.target, alert) {
                continue;
            }
            let key: Vec<&str> = rule.equal.iter().map(|n| value(alert, n)).collect();
            let Some(bucket) = buckets.get(&key) else { continue };
            // An alert matching both sides is not inhibited by sources matching both sides.
            let two_sided: &[usize] = if matches(&rule.source, alert) { &[] } else { &bucket.two_sided };
            let sources = bucket.one_sided.iter().chain(two_sided).take(MAX_LISTED);
            out.extend(sources.map(|&source| Inhibition { rule: r, source }));
        }
        out
    }
}

impl Config {
    /// What inhibits `alert` among `firing` (which may contain `alert` itself); see [`Inhibitor`]
    /// to ask about many alerts.
    pub fn inhibitions(&self, alert: &Labels, firing: &[Labels]) -> Vec<Inhibition> {
        Inhibitor::new(self, firing).inhibitions(alert)
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

    #[test]
    fn many_alerts_inhibiting_one_another_stay_fast() {
        let c = Config::parse(std::path::Path::new("am.yml"), AM).unwrap();
        let firing: Vec<Labels> = (0..20_000)
            .map(|i| labels(&[("alertname", &format!("A{i}")), ("severity", "critical"), ("instance", "a")]))
            .collect();
        let inhibitor = Inhibitor::new(&c, &firing);
        let warn = labels(&[("alertname", "Cpu"), ("severity", "warning"), ("instance", "a")]);
        for _ in 0..20_000 {
            assert_eq!(inhibitor.inhibitions(&warn).len(), MAX_LISTED);
        }
    }
}
