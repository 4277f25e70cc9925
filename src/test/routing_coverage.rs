//! Routing coverage in `monstack test --coverage`, per Alertmanager config: the receivers that no
//! routing test alert (not inhibited in its case) and no alert rule's static labels reach, and the
//! alert rules that notify no one: reaching only receivers without integrations, or inhibited by
//! an alert that always fires (a rule whose expression reads no series, as `vector(1)`).

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::rules::Group;
use super::{FileOutcome, RuleSource};
use crate::routing::{Config, Inhibitor, Labels};

/// An alerting rule as routing sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRule {
    /// Its rule file.
    pub file: PathBuf,
    /// Line of the rule.
    pub line: u64,
    /// `alert`.
    pub name: String,
    /// Its static labels, `alertname` included.
    pub labels: Labels,
    /// Whether it fires whatever the series (its expression reads none).
    pub always: bool,
}

/// The alerting rules of `groups` whose labels are known before they fire (a templated label is
/// computed from the series, so such a rule cannot be routed offline).
pub fn alert_rules(groups: &[Group]) -> Vec<AlertRule> {
    groups
        .iter()
        .flat_map(|g| g.rules.iter().map(move |r| (g, r)))
        .filter(|(_, r)| r.is_alert() && !r.labels.iter().any(|(_, v)| v.contains("{{")))
        .map(|(g, r)| {
            let mut labels: Labels = r.labels.iter().cloned().collect();
            labels.insert("alertname".into(), r.name.clone());
            AlertRule {
                file: g.file.clone(),
                line: r.line,
                name: r.name.clone(),
                labels,
                always: r.query.selectors().is_empty(),
            }
        })
        .collect()
}

/// A receiver and what reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverCoverage {
    /// `name`.
    pub name: String,
    /// Its integration kinds (`slack`, `webhook`, …); none: it notifies no one.
    pub integrations: Vec<String>,
    /// Reached by an alert of a routing test (one not inhibited in its case).
    pub by_tests: bool,
    /// Reached by an alert rule's static labels.
    pub by_rules: bool,
}

impl ReceiverCoverage {
    /// Whether anything reaches it.
    pub fn covered(&self) -> bool {
        self.by_tests || self.by_rules
    }
}

/// An alert rule that notifies no one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilentAlert {
    /// The rule.
    pub rule: AlertRule,
    /// The receivers it reaches, in tree order.
    pub receivers: Vec<String>,
    /// The always-firing alerts that inhibit it (empty: it is silent for want of integrations).
    pub inhibited_by: Vec<String>,
}

/// Routing coverage of one config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingCoverage {
    /// The config, as shown.
    pub config: PathBuf,
    /// Every receiver, in config order.
    pub receivers: Vec<ReceiverCoverage>,
    /// Alert rules that notify no one, in rule order.
    pub silent: Vec<SilentAlert>,
}

impl RoutingCoverage {
    /// Receivers reached, in percent (100 when there are none).
    pub fn percent(&self) -> f64 {
        if self.receivers.is_empty() {
            return 100.0;
        }
        let covered = self.receivers.iter().filter(|r| r.covered()).count();
        covered as f64 * 100.0 / self.receivers.len() as f64
    }

    /// The receivers nothing reaches.
    pub fn unreached(&self) -> Vec<&ReceiverCoverage> {
        self.receivers.iter().filter(|r| !r.covered()).collect()
    }
}

/// Routing coverage of `config`: `tested` are the receivers routing tests reached, `rules` the
/// alert rules (with the external labels Prometheus adds where a rule sets none). A rule an
/// always-firing alert inhibits reaches no receiver, as an inhibited test alert does not.
pub fn compute(
    config_path: PathBuf,
    config: &Config,
    tested: &BTreeSet<String>,
    rules: &[AlertRule],
    external_labels: &[(String, String)],
) -> RoutingCoverage {
    let sent: Vec<Labels> = rules
        .iter()
        .map(|r| {
            let mut l = r.labels.clone();
            for (k, v) in external_labels {
                l.entry(k.clone()).or_insert_with(|| v.clone());
            }
            l
        })
        .collect();
    let always: Vec<Labels> = rules.iter().zip(&sent).filter(|(r, _)| r.always).map(|(_, l)| l.clone()).collect();
    let inhibitor = Inhibitor::new(config, &always);
    let mut by_rules = BTreeSet::new();
    let mut silent = Vec::new();
    for (rule, labels) in rules.iter().zip(&sent) {
        let d = config.decide_with(labels, &inhibitor, None);
        let receivers: Vec<String> = d.receivers().into_iter().map(str::to_owned).collect();
        let notifies = receivers.iter().any(|n| config.receiver(n).is_some_and(|r| !r.integrations.is_empty()));
        // An always-firing alert is not silenced by itself (Alertmanager's two-sided rule).
        let inhibited_by: BTreeSet<String> = d
            .inhibitions
            .iter()
            .filter_map(|i| always[i.source].get("alertname").cloned())
            .filter(|n| *n != rule.name)
            .collect();
        if inhibited_by.is_empty() {
            by_rules.extend(receivers.iter().cloned());
        }
        if !notifies || !inhibited_by.is_empty() {
            silent.push(SilentAlert {
                rule: rule.clone(),
                receivers,
                inhibited_by: inhibited_by.into_iter().collect(),
            });
        }
    }
    let receivers = config
        .receivers
        .iter()
        .map(|r| ReceiverCoverage {
            name: r.name.clone(),
            integrations: r.integrations.clone(),
            by_tests: tested.contains(&r.name),
            by_rules: by_rules.contains(&r.name),
        })
        .collect();
    RoutingCoverage { config: config_path, receivers, silent }
}

/// Routing coverage of a run: per config routing tests ran against (project mode: the rendered
/// `alertmanager.yml`, tests or not), with the alert rules the run knows (project mode: every
/// rendered rule file; else those the rule tests name). A config that does not parse was reported
/// by the runs that used it.
pub fn of_run(outcomes: &[FileOutcome], source: &RuleSource) -> Vec<RoutingCoverage> {
    let mut configs: Vec<(PathBuf, String)> = Vec::new();
    if let Some(am) = &source.alertmanager {
        configs.push((am.path.clone(), am.text.clone()));
    } else {
        for c in outcomes.iter().filter_map(|o| o.coverage.routing_config.as_ref()) {
            if !configs.iter().any(|(p, _)| *p == c.0) {
                configs.push(c.clone());
            }
        }
    }
    let rules: Vec<AlertRule> = if source.rendered.is_empty() {
        let mut seen = BTreeSet::new();
        outcomes
            .iter()
            .flat_map(|o| &o.coverage.alerts)
            .filter(|r| seen.insert((std::fs::canonicalize(&r.file).unwrap_or_else(|_| r.file.clone()), r.line)))
            .cloned()
            .collect()
    } else {
        let groups: Vec<Group> = source
            .rendered
            .iter()
            .filter_map(|(name, text)| super::rules::load_text(name, text, true).ok())
            .flatten()
            .collect();
        alert_rules(&groups)
    };
    configs
        .into_iter()
        .filter_map(|(path, text)| {
            let config = Config::parse(&path, &text).ok()?;
            let tested: BTreeSet<String> = outcomes
                .iter()
                .filter(|o| {
                    source.alertmanager.is_some() || o.coverage.routing_config.as_ref().is_some_and(|c| c.0 == path)
                })
                .flat_map(|o| o.coverage.reached.iter().cloned())
                .collect();
            Some(compute(path, &config, &tested, &rules, &source.external_labels))
        })
        .collect()
}

#[cfg(test)]
mod unit {
    use super::*;

    const AM: &str = "route:\n  receiver: team\n  routes:\n    - {matchers: [alertname=Watchdog], receiver: blackhole}\n    - {matchers: [team=db], receiver: db}\n    - {matchers: [team=web], receiver: web}\nreceivers:\n  - {name: team, webhook_configs: [{url: 'http://h/'}]}\n  - {name: blackhole}\n  - {name: db, slack_configs: [{channel: x}]}\n  - {name: web, slack_configs: [{channel: y}]}\ninhibit_rules:\n  - {source_matchers: [alertname=Watchdog], target_matchers: [severity=info]}\n";

    fn rule(name: &str, labels: &[(&str, &str)], always: bool) -> AlertRule {
        let mut l: Labels = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        l.insert("alertname".into(), name.into());
        AlertRule { file: "r.yml".into(), line: 1, name: name.into(), labels: l, always }
    }

    #[test]
    fn receivers_reached_and_silent_alerts() {
        let c = Config::parse(std::path::Path::new("am.yml"), AM).unwrap();
        let rules = [
            rule("Watchdog", &[], true),
            rule("DbDown", &[("team", "db")], false),
            rule("Chatter", &[("severity", "info")], false),
        ];
        let tested = BTreeSet::from(["web".to_owned()]);
        let cov = compute("am.yml".into(), &c, &tested, &rules, &[]);
        let unreached: Vec<&str> = cov.unreached().iter().map(|r| r.name.as_str()).collect();
        assert_eq!(unreached, ["team"], "blackhole by Watchdog, db by DbDown, web by a test; Chatter is inhibited");
        assert_eq!(cov.percent(), 75.0);
        let silent: Vec<(&str, Vec<String>, Vec<String>)> =
            cov.silent.iter().map(|s| (s.rule.name.as_str(), s.receivers.clone(), s.inhibited_by.clone())).collect();
        assert_eq!(
            silent,
            [
                ("Watchdog", vec!["blackhole".to_owned()], vec![]),
                ("Chatter", vec!["team".to_owned()], vec!["Watchdog".to_owned()]),
            ]
        );
        let cov = compute("am.yml".into(), &c, &BTreeSet::new(), &rules[1..2], &[("team".into(), "web".into())]);
        let unreached: Vec<&str> = cov.unreached().iter().map(|r| r.name.as_str()).collect();
        assert_eq!(unreached, ["team", "blackhole", "web"], "a rule's own label wins over an external one");
        assert_eq!(cov.percent(), 25.0);
    }
}
