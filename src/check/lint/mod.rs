//! Lints: warnings about rules that are valid but probably wrong. Each is a named check with its
//! own file, doc and tests; any warning can be silenced where it is with a
//! `# monstack: ignore <check> <reason> [until YYYY-MM-DD]` comment (see [`suppress`]).

mod counter;
mod duplicate;
pub mod le;
mod rate_range;
mod severity;
mod summary;
pub mod suppress;

use promql_parser::parser::Expr;

use super::problem::Sink;
use crate::diag::Pos;

/// What the lints need to know about one rule, gathered once by the rule checker.
#[derive(Debug)]
pub struct RuleFacts {
    /// `alert` or `record` name; alerts have `alert` set.
    pub name: String,
    /// Whether this is an alerting rule.
    pub alert: bool,
    /// The expression as written.
    pub expr: String,
    /// The parsed expression, when it parses.
    pub parsed: Option<Expr>,
    /// Where the rule starts.
    pub at: Pos,
    /// Where its `expr` is.
    pub expr_at: Pos,
    /// Its labels, sorted.
    pub labels: Vec<(String, String)>,
    /// Its annotation names.
    pub annotations: Vec<String>,
}

/// Context the lints may use beyond the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct LintOptions {
    /// The scrape interval in milliseconds, when known (project mode).
    pub scrape_interval: Option<u64>,
}

/// Runs every rule lint over the rules of one file.
pub fn rules(rules: &[RuleFacts], opts: &LintOptions, sink: &mut Sink) {
    duplicates(&rules.iter().map(RuleKey::from).collect::<Vec<_>>(), sink);
    for rule in rules {
        one(rule, opts, sink);
    }
}

/// The lints about one rule alone.
pub fn one(rule: &RuleFacts, opts: &LintOptions, sink: &mut Sink) {
    if rule.alert {
        severity::check(rule, sink);
        summary::check(rule, sink);
    }
    if let Some(expr) = &rule.parsed {
        counter::check(rule, expr, sink);
        le::check(rule, expr, sink);
        if let Some(interval) = opts.scrape_interval {
            rate_range::check(rule, expr, interval, sink);
        }
    }
}

/// What the lints across rules need of each: kind, name, labels and where it is.
#[derive(Debug)]
pub struct RuleKey {
    /// Whether it is an alerting rule.
    pub alert: bool,
    /// Its name.
    pub name: String,
    /// A hash of its sorted labels: big files keep one of these per rule.
    pub labels: u64,
    /// Where it starts.
    pub at: Pos,
}

fn labels_hash(labels: &[(String, String)]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    labels.hash(&mut h);
    h.finish()
}

impl From<RuleFacts> for RuleKey {
    fn from(r: RuleFacts) -> RuleKey {
        RuleKey { alert: r.alert, labels: labels_hash(&r.labels), name: r.name, at: r.at }
    }
}

impl From<&RuleFacts> for RuleKey {
    fn from(r: &RuleFacts) -> RuleKey {
        RuleKey { alert: r.alert, name: r.name.clone(), labels: labels_hash(&r.labels), at: r.at }
    }
}

/// The lints across the rules of a file.
pub fn duplicates(rules: &[RuleKey], sink: &mut Sink) {
    duplicate::check(rules, sink);
}

pub(crate) use super::deep::walk;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An alert rule with `labels`, no annotations.
    pub fn alert(name: &str, expr: &str, labels: &[(&str, &str)]) -> RuleFacts {
        RuleFacts {
            name: name.into(),
            alert: true,
            expr: expr.into(),
            parsed: promql_parser::parser::parse(expr).ok(),
            at: Pos { line: 1, column: 1 },
            expr_at: Pos { line: 2, column: 1 },
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            annotations: Vec::new(),
        }
    }

    /// The lints' findings as `check: message`, with a scrape interval.
    pub fn run_with(rules: &[RuleFacts], interval: u64) -> Vec<String> {
        let mut sink = Sink::new("r.yml");
        super::rules(rules, &LintOptions { scrape_interval: Some(interval) }, &mut sink);
        sink.problems.into_iter().map(|p| format!("{}: {}", p.check, p.message)).collect()
    }

    /// The lints' findings as `check: message`.
    pub fn run(rules: &[RuleFacts]) -> Vec<String> {
        let mut sink = Sink::new("r.yml");
        super::rules(rules, &LintOptions::default(), &mut sink);
        sink.problems.into_iter().map(|p| format!("{}: {}", p.check, p.message)).collect()
    }
}
