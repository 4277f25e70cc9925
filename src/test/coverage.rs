//! Rule coverage: which alerts no `alert_rule_test` names, which never fired where a test looked
//! (a test asserting silence does not count), and which recording rules no asserted expression
//! reads (directly, or through an asserted alert or a read recording rule).

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use promql_parser::label::Matcher;

use super::format::TestGroup;
use super::rules::Group;
use crate::promql::labels::METRIC_NAME;
use crate::promql::Query;

/// One rule and what the tests did with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCoverage {
    /// Its rule file.
    pub file: PathBuf,
    /// Line of the rule.
    pub line: u64,
    /// Its group.
    pub group: String,
    /// Record or alert name.
    pub name: String,
    /// Whether it is an alerting rule.
    pub alert: bool,
    /// Alerts: named by an `alert_rule_test` (or by an asserted `ALERTS{alertname=…}`).
    pub named: bool,
    /// Alerts: seen firing at an asserted time.
    pub fired: bool,
    /// Recording rules: read by an asserted expression.
    pub read: bool,
}

impl RuleCoverage {
    /// Whether it counts as covered.
    pub fn covered(&self) -> bool {
        if self.alert {
            self.named && self.fired
        } else {
            self.read
        }
    }
}

/// Coverage of one test file's rules.
#[derive(Debug, Clone, Default)]
pub struct FileCoverage {
    /// Every rule of the rule files the test file names.
    pub rules: Vec<RuleCoverage>,
    /// Alerting rules of the rule files, for routing coverage.
    pub alerts: Vec<super::routing_coverage::AlertRule>,
    /// Routing test files: the config they ran against (path shown, text).
    pub routing_config: Option<(PathBuf, String)>,
    /// Routing test files: the receivers their alerts reached where not inhibited.
    pub reached: std::collections::BTreeSet<String>,
}

fn name_matcher(ms: &[Matcher]) -> Option<&Matcher> {
    ms.iter().find(|m| m.name == METRIC_NAME)
}

fn compatible(labels: &[(String, String)], ms: &[Matcher]) -> bool {
    ms.iter()
        .filter(|m| m.name != METRIC_NAME && m.name != "alertname")
        .all(|m| labels.iter().find(|(k, _)| *k == m.name).is_none_or(|(_, v)| m.is_match(v)))
}

impl FileCoverage {
    /// The rules of `groups` with what the selected test groups assert of them (alerts' firing
    /// is filled in while the tests run, by [`FileCoverage::saw`]).
    pub fn new(groups: &[Group], tests: &[&TestGroup]) -> FileCoverage {
        let named: HashSet<&str> =
            tests.iter().flat_map(|t| t.alert_tests.iter().map(|a| a.alertname.as_str())).collect();
        let mut selectors: Vec<Vec<Matcher>> = tests
            .iter()
            .flat_map(|t| t.expr_tests.iter())
            .filter_map(|e| Query::parse(&e.expr).ok())
            .flat_map(|q| q.selectors())
            .collect();
        let mut rules = Vec::new();
        let mut reads: Vec<Vec<Vec<Matcher>>> = Vec::new();
        let mut labels: Vec<Vec<(String, String)>> = Vec::new();
        for g in groups {
            for r in &g.rules {
                let by_alerts = |ms: &Vec<Matcher>| {
                    name_matcher(ms).is_some_and(|n| n.is_match("ALERTS") || n.is_match("ALERTS_FOR_STATE"))
                        && ms.iter().any(|m| m.name == "alertname" && m.is_match(&r.name))
                        && compatible(&r.labels, ms)
                };
                rules.push(RuleCoverage {
                    file: g.file.clone(),
                    line: r.line,
                    group: g.name.clone(),
                    name: r.name.clone(),
                    alert: r.is_alert(),
                    named: r.is_alert() && (named.contains(r.name.as_str()) || selectors.iter().any(by_alerts)),
                    fired: false,
                    read: false,
                });
                reads.push(r.query.selectors());
                labels.push(r.labels.clone());
            }
        }
        // Asserted alerts read what their expressions select; a read recording rule reads on.
        for (i, r) in rules.iter().enumerate() {
            if r.named {
                selectors.extend(reads[i].iter().cloned());
            }
        }
        let mut changed = true;
        while changed {
            changed = false;
            for i in 0..rules.len() {
                if rules[i].alert || rules[i].read {
                    continue;
                }
                let name = &rules[i].name;
                let hit = selectors
                    .iter()
                    .any(|ms| name_matcher(ms).is_some_and(|n| n.is_match(name)) && compatible(&labels[i], ms));
                if hit {
                    rules[i].read = true;
                    selectors.extend(reads[i].iter().cloned());
                    changed = true;
                }
            }
        }
        FileCoverage { rules, alerts: super::routing_coverage::alert_rules(groups), ..FileCoverage::default() }
    }

    /// Records what an `alert_rule_test` of `alertname` saw: alerts firing or not.
    pub fn saw(&mut self, alertname: &str, firing: bool) {
        if firing {
            for r in self.rules.iter_mut().filter(|r| r.alert && r.name == alertname) {
                r.fired = true;
            }
        }
    }
}

/// Coverage over several test files: a rule named by several is counted once.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Every rule, by file, line and name.
    pub rules: Vec<RuleCoverage>,
    /// Per Alertmanager config routing tests ran against: its routing coverage.
    pub routing: Vec<super::routing_coverage::RoutingCoverage>,
}

impl Coverage {
    /// Merges the files' coverage.
    pub fn merge<'a>(files: impl IntoIterator<Item = &'a FileCoverage>) -> Coverage {
        let mut by: BTreeMap<(PathBuf, u64, String), RuleCoverage> = BTreeMap::new();
        for f in files {
            for r in &f.rules {
                let key = (std::fs::canonicalize(&r.file).unwrap_or_else(|_| r.file.clone()), r.line, r.name.clone());
                by.entry(key)
                    .and_modify(|e| {
                        e.named |= r.named;
                        e.fired |= r.fired;
                        e.read |= r.read;
                    })
                    .or_insert_with(|| r.clone());
            }
        }
        Coverage { rules: by.into_values().collect(), routing: Vec::new() }
    }

    /// Covered rules in percent (100 when there are none).
    pub fn percent(&self) -> f64 {
        if self.rules.is_empty() {
            return 100.0;
        }
        let covered = self.rules.iter().filter(|r| r.covered()).count();
        covered as f64 * 100.0 / self.rules.len() as f64
    }

    /// Alerts no test names.
    pub fn never_named(&self) -> Vec<&RuleCoverage> {
        self.rules.iter().filter(|r| r.alert && !r.named).collect()
    }

    /// Alerts named but never seen firing.
    pub fn never_fired(&self) -> Vec<&RuleCoverage> {
        self.rules.iter().filter(|r| r.alert && r.named && !r.fired).collect()
    }

    /// Recording rules no asserted expression reads.
    pub fn never_read(&self) -> Vec<&RuleCoverage> {
        self.rules.iter().filter(|r| !r.alert && !r.read).collect()
    }
}
