//! Rule files as the runner evaluates them: validated by `check`'s rule checks (so a file
//! Prometheus refuses is refused here, in the same words), then read into groups of parsed rules
//! that remember where each rule is.

use std::path::{Path, PathBuf};

use super::format::scalar_text;
use crate::check::node::{pos, SourceNode, Tree};
use crate::check::{Check, Severity, Sink};
use crate::diag::Diagnostic;
use crate::promql::Query;
use crate::syntax::Duration;

/// A rule group of a rule file.
#[derive(Debug, Clone)]
pub struct Group {
    /// The file it is in.
    pub file: PathBuf,
    /// `name`.
    pub name: String,
    /// `limit` (0: none).
    pub limit: usize,
    /// `query_offset`, milliseconds.
    pub query_offset: i64,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
}

/// Whether a rule records or alerts, with what only alerts have.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `record:`.
    Record,
    /// `alert:`, with `for` and `keep_firing_for` in milliseconds and its annotations.
    Alert {
        /// `for`.
        hold: i64,
        /// `keep_firing_for`.
        keep_firing_for: i64,
        /// `annotations`, in file order (templates).
        annotations: Vec<(String, String)>,
    },
}

/// One rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The record or alert name.
    pub name: String,
    /// What kind.
    pub kind: Kind,
    /// `expr` as written.
    pub expr: String,
    /// `expr`, parsed.
    pub query: Query,
    /// The group's labels overridden by the rule's, sorted by name (templates for alerts).
    pub labels: Vec<(String, String)>,
    /// Line of the rule in its file.
    pub line: u64,
}

impl Rule {
    /// Whether it is an alerting rule.
    pub fn is_alert(&self) -> bool {
        matches!(self.kind, Kind::Alert { .. })
    }
}

/// Reads a rule file; Prometheus' refusals come back as positioned diagnostics. With
/// `ignore_unknown_fields`, keys rulefmt does not know are let through, as promtool's flag does.
pub fn load(file: &Path, ignore_unknown_fields: bool) -> Result<Vec<Group>, Vec<Diagnostic>> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        vec![Diagnostic::new(file, "", None, format!("cannot read rule file `{}`: {e}", file.display()))]
    })?;
    load_text(file, &text, ignore_unknown_fields)
}

/// Reads a rule file's text, as [`load`].
pub fn load_text(file: &Path, text: &str, ignore_unknown_fields: bool) -> Result<Vec<Group>, Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sink = Sink::new(file);
    let tree = crate::check::rules::check_keeping_tree(file, text, &Default::default(), &mut sink);
    let errors: Vec<Diagnostic> = sink
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .filter(|p| !(ignore_unknown_fields && p.check == Check::RulesField && p.message.contains("not found in type")))
        .map(|p| {
            let d = Diagnostic::new(file, text, p.pos, p.message.clone());
            match &p.help {
                Some(h) => d.with_help(h.clone()),
                None => d,
            }
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(tree.map(|t| groups(file, text, &t)).unwrap_or_default())
}

fn millis(t: Option<&Tree>) -> i64 {
    t.and_then(|v| v.value.as_str())
        .and_then(|s| s.parse::<Duration>().ok())
        .map_or(0, |d| i64::try_from(d.millis()).unwrap_or(i64::MAX))
}

fn pairs(text: &str, t: Option<&Tree>) -> Vec<(String, String)> {
    match t.map(|t| &t.value) {
        Some(SourceNode::Map(entries)) => {
            entries.iter().map(|(k, v)| (k.value.clone(), scalar_text(text, v))).collect()
        }
        _ => Vec::new(),
    }
}

/// The string at `key` of a mapping, as Go's decoder reads it into a string field.
fn field(text: &str, v: &SourceNode, key: &str) -> String {
    v.get(key).map(|t| scalar_text(text, t)).unwrap_or_default()
}

/// The groups of a tree the checks accepted.
fn groups(file: &Path, text: &str, doc: &Tree) -> Vec<Group> {
    doc.value
        .items("groups")
        .iter()
        .map(|g| {
            let v = &g.value;
            let group_labels = pairs(text, v.get("labels"));
            let rules = v.items("rules").iter().filter_map(|r| rule(text, r, &group_labels)).collect();
            Group {
                file: file.to_path_buf(),
                name: field(text, v, "name"),
                limit: match v.get("limit").map(|l| &l.value) {
                    Some(SourceNode::Number(n)) if *n > 0.0 => *n as usize,
                    _ => 0,
                },
                query_offset: millis(v.get("query_offset")),
                rules,
            }
        })
        .collect()
}

fn rule(text: &str, r: &Tree, group_labels: &[(String, String)]) -> Option<Rule> {
    let v = &r.value;
    let expr = field(text, v, "expr");
    let query = Query::parse(&expr).ok()?;
    let mut labels: Vec<(String, String)> = group_labels.to_vec();
    for (k, val) in pairs(text, v.get("labels")) {
        labels.retain(|(n, _)| *n != k);
        labels.push((k, val));
    }
    labels.sort();
    let alert = field(text, v, "alert");
    let (name, kind) = if alert.is_empty() {
        (field(text, v, "record"), Kind::Record)
    } else {
        let kind = Kind::Alert {
            hold: millis(v.get("for")),
            keep_firing_for: millis(v.get("keep_firing_for")),
            annotations: pairs(text, v.get("annotations")),
        };
        (alert, kind)
    };
    Some(Rule { name, kind, expr, query, labels, line: pos(r).line })
}
