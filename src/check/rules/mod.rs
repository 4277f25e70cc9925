//! Rule files, with the parity of Prometheus' `rulefmt` and `promtool check rules`: structure and
//! fields (`rules/field`), group names (`rules/group-name`), exactly one of `record`/`alert`
//! (`rules/kind`), durations (`rules/duration`), names (`rules/name`), PromQL (`rules/expr`) and
//! Go templates in alert labels and annotations (`rules/template`).
//! Messages keep upstream's wording, so they read the same as promtool's.

mod expr;
mod stream;
mod template;

use std::collections::BTreeSet;
use std::path::Path;

use super::lint::{self, LintOptions, RuleFacts};
use super::node::{self, pos, SourceNode, Tree};
use super::problem::Sink;
use crate::check::Check;
use crate::syntax::names::{label_name_ok, metric_name_ok, NameValidation};
use crate::syntax::Duration;

/// Options of the rule checks.
#[derive(Debug, Clone, Copy, Default)]
pub struct RuleOptions {
    /// Name validation scheme.
    pub names: NameValidation,
    /// What the lints may know beyond the file.
    pub lint: LintOptions,
}

const GROUP_FIELDS: &[&str] = &["name", "interval", "query_offset", "limit", "rules", "labels"];
const RULE_FIELDS: &[&str] = &["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"];

/// Checks the rule file `file` whose text is `text`. Big files are checked in pieces and never
/// held whole, so no tree is returned for them.
pub fn check(file: &Path, text: &str, opts: &RuleOptions, sink: &mut Sink) {
    if !stream::check(file, text, opts, sink) {
        whole(file, text, opts, sink);
    }
}

/// Checks the rule file `file` from its whole tree, and returns the tree if it parses.
pub fn check_keeping_tree(file: &Path, text: &str, opts: &RuleOptions, sink: &mut Sink) -> Option<Tree> {
    whole(file, text, opts, sink)
}

/// Checks a rule file from its whole tree.
fn whole(file: &Path, text: &str, opts: &RuleOptions, sink: &mut Sink) -> Option<Tree> {
    let doc = node::parse_checked(file, text, sink, node::yaml_syntax)?;
    check_doc(&doc, opts, sink);
    Some(doc)
}

/// Checks a tree holding `groups:`, e.g. the `spec` of a `PrometheusRule` inside a manifest, whose
/// positions are the manifest's.
pub fn check_tree(doc: &Tree, opts: &RuleOptions, sink: &mut Sink) {
    check_doc(doc, opts, sink);
}

fn check_doc(doc: &Tree, opts: &RuleOptions, sink: &mut Sink) {
    let Some(list) = groups(doc, sink) else { return };
    let mut names = BTreeSet::new();
    let mut rules = Vec::new();
    for group in list {
        check_group(group, opts, &mut names, &mut rules, sink);
    }
    lint::rules(&rules, &opts.lint, sink);
}

/// The groups of a rule file's tree; problems with its top level go to `sink`.
fn groups<'a>(doc: &'a Tree, sink: &mut Sink) -> Option<&'a Vec<Tree>> {
    let groups = match &doc.value {
        SourceNode::Null => return None,
        SourceNode::Map(entries) => {
            let mut groups = None;
            for (k, v) in entries {
                if k.value == "groups" {
                    groups = Some(v);
                } else {
                    sink.error(
                        Check::RulesField,
                        Some(pos(k)),
                        format!("field {} not found in type rulefmt.RuleGroups", k.value),
                    )
                    .help("a rule file has only `groups:`");
                }
            }
            groups
        }
        other => {
            sink.error(
                Check::RulesField,
                Some(pos(doc)),
                format!("a rule file is a mapping with `groups:`, not {}", other.kind()),
            );
            return None;
        }
    }?;
    match &groups.value {
        SourceNode::Null => None,
        SourceNode::Seq(items) => Some(items),
        other => {
            sink.error(Check::RulesField, Some(pos(groups)), format!("`groups` must be a list, not {}", other.kind()));
            None
        }
    }
}

fn string_of(at: &Tree, what: &str, sink: &mut Sink) -> Option<String> {
    match &at.value {
        SourceNode::Null => Some(String::new()),
        v => v.as_str().or_else(|| {
            sink.error(Check::RulesField, Some(pos(at)), format!("`{what}` must be a string, not {}", v.kind()));
            None
        }),
    }
}

fn duration(at: &Tree, what: &str, sink: &mut Sink) {
    let text = match &at.value {
        SourceNode::Null => return,
        v => v.as_str().unwrap_or_default(),
    };
    if text.parse::<Duration>().is_err() {
        sink.error(Check::RulesDuration, Some(pos(at)), format!("not a valid duration string: {text:?} in `{what}`"))
            .help("expected a Prometheus duration such as `30s`, `5m` or `1h30m`");
    }
}

/// Checks one group; its name must not be in `names` yet; its rules go to `facts`.
fn check_group(
    group: &Tree,
    opts: &RuleOptions,
    names: &mut BTreeSet<String>,
    facts: &mut Vec<RuleFacts>,
    sink: &mut Sink,
) {
    let SourceNode::Map(entries) = &group.value else {
        sink.error(
            Check::RulesField,
            Some(pos(group)),
            format!("a rule group must be a mapping, not {}", group.value.kind()),
        );
        return;
    };
    for (k, _) in entries {
        if !GROUP_FIELDS.contains(&k.value.as_str()) {
            sink.error(
                Check::RulesField,
                Some(pos(k)),
                format!("field {} not found in type rulefmt.RuleGroup", k.value),
            )
            .help(format!("a group has {}", GROUP_FIELDS.join(", ")));
        }
    }
    let name = group.value.get("name").and_then(|n| string_of(n, "name", sink)).unwrap_or_default();
    if name.is_empty() {
        sink.error(Check::RulesGroupName, Some(pos(group)), "Groupname must not be empty")
            .help("give the group a `name`");
    } else if !names.insert(name.clone()) {
        let at = group.value.get("name").map(pos);
        sink.error(Check::RulesGroupName, at, format!("groupname: {name:?} is repeated in the same file"))
            .help("group names must be unique within a file");
    }
    for key in ["interval", "query_offset"] {
        if let Some(v) = group.value.get(key) {
            duration(v, key, sink);
        }
    }
    if let Some(limit) = group.value.get("limit") {
        if !matches!(limit.value, SourceNode::Null) && !matches!(limit.value, SourceNode::Number(n) if n.fract() == 0.0)
        {
            sink.error(Check::RulesField, Some(pos(limit)), "`limit` must be a whole number");
        }
    }
    if let Some(labels) = group.value.get("labels") {
        label_map(labels, "label", opts, sink);
    }
    match group.value.get("rules").map(|r| &r.value) {
        None | Some(SourceNode::Null) => {}
        Some(SourceNode::Seq(rules)) => {
            for rule in rules {
                facts.extend(check_rule(rule, opts, sink));
            }
        }
        Some(other) => {
            let at = group.value.get("rules").map(pos);
            sink.error(Check::RulesField, at, format!("`rules` must be a list, not {}", other.kind()));
        }
    }
}

/// Checks a `labels:` or `annotations:` mapping's names; returns its entries.
fn label_map<'a>(map: &'a Tree, what: &str, opts: &RuleOptions, sink: &mut Sink) -> Vec<(String, String, &'a Tree)> {
    let mut out = Vec::new();
    match &map.value {
        SourceNode::Null => {}
        SourceNode::Map(entries) => {
            for (k, v) in entries {
                let ok = label_name_ok(&k.value, opts.names) && !(what == "label" && k.value == "__name__");
                if !ok {
                    let e = sink.error(Check::RulesName, Some(pos(k)), format!("invalid {what} name: {}", k.value));
                    if opts.names == NameValidation::Legacy {
                        e.help("with legacy name validation, names are [a-zA-Z_][a-zA-Z0-9_]*");
                    }
                }
                match &v.value {
                    SourceNode::Map(_) | SourceNode::Seq(_) => {
                        sink.error(
                            Check::RulesField,
                            Some(pos(v)),
                            format!("{what} `{}` must be a string, not {}", k.value, v.value.kind()),
                        );
                    }
                    value => out.push((k.value.clone(), value.as_str().unwrap_or_default(), v)),
                }
            }
        }
        other => {
            sink.error(Check::RulesField, Some(pos(map)), format!("{what}s must be a mapping, not {}", other.kind()));
        }
    }
    out
}

/// Checks one rule; returns what the lints need to know about it.
fn check_rule(rule: &Tree, opts: &RuleOptions, sink: &mut Sink) -> Option<RuleFacts> {
    let SourceNode::Map(entries) = &rule.value else {
        sink.error(Check::RulesField, Some(pos(rule)), format!("a rule must be a mapping, not {}", rule.value.kind()));
        return None;
    };
    for (k, _) in entries {
        if !RULE_FIELDS.contains(&k.value.as_str()) {
            sink.error(Check::RulesField, Some(pos(k)), format!("field {} not found in type rulefmt.Rule", k.value))
                .help(format!("a rule has {}", RULE_FIELDS.join(", ")));
        }
    }
    let get = |key: &str| rule.value.get(key);
    let record = get("record").and_then(|v| string_of(v, "record", sink)).unwrap_or_default();
    let alert = get("alert").and_then(|v| string_of(v, "alert", sink)).unwrap_or_default();
    match (record.is_empty(), alert.is_empty()) {
        (true, true) => {
            sink.error(Check::RulesKind, Some(pos(rule)), "one of 'record' or 'alert' must be set")
                .help("name the rule with `record:` or `alert:`");
        }
        (false, false) => {
            sink.error(Check::RulesKind, Some(pos(rule)), "only one of 'record' and 'alert' must be set");
        }
        _ => {}
    }
    let expr_text = get("expr").and_then(|e| e.value.as_str()).unwrap_or_default();
    let parsed = match get("expr") {
        Some(e) if !expr_text.trim().is_empty() => expr::check(&expr_text, pos(e), sink),
        _ => {
            sink.error(Check::RulesField, Some(pos(rule)), "field 'expr' must be set in rule")
                .help("give the PromQL expression in `expr:`");
            None
        }
    };
    for key in ["for", "keep_firing_for"] {
        if let Some(v) = get(key) {
            duration(v, key, sink);
        }
    }
    if !record.is_empty() {
        for key in ["for", "keep_firing_for"] {
            if get(key).is_some() {
                sink.error(Check::RulesKind, get(key).map(pos), format!("invalid field '{key}' in recording rule"));
            }
        }
        let at = get("record").map(pos);
        if record.contains('{') || record.contains('}') {
            sink.error(
                Check::RulesName,
                at,
                format!("braces present in the recording rule name; should it be in expr?: {record}"),
            );
        } else if !metric_name_ok(&record, opts.names) {
            sink.error(Check::RulesName, at, format!("invalid recording rule name: {record}"));
        }
    }
    let labels = get("labels").map(|l| label_map(l, "label", opts, sink)).unwrap_or_default();
    let annotations = get("annotations").map(|a| label_map(a, "annotation", opts, sink)).unwrap_or_default();
    if !alert.is_empty() {
        for (name, value, at) in labels.iter().chain(&annotations) {
            template::check(&alert, name, value, pos(at), sink);
        }
    }
    let mut label_pairs: Vec<(String, String)> = labels.iter().map(|(k, v, _)| (k.clone(), v.clone())).collect();
    label_pairs.sort();
    Some(RuleFacts {
        name: if alert.is_empty() { record } else { alert.clone() },
        alert: !alert.is_empty(),
        expr: expr_text,
        parsed,
        at: pos(rule),
        expr_at: get("expr").map_or(pos(rule), pos),
        labels: label_pairs,
        annotations: annotations.iter().map(|(k, _, _)| k.clone()).collect(),
    })
}
