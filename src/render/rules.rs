//! Rule files: rendered from templates, read back into a typed model so the spec's `disable` and
//! `overrides` apply to them, and written out deterministically.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::assets::Source;
use crate::diag::Diagnostic;
use crate::spec::Alerts;

use super::yaml::{self, Emit};

/// A Prometheus rule file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Rule groups.
    #[serde(default)]
    pub groups: Option<Vec<Group>>,
}

/// A rule group.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Group name.
    pub name: String,
    /// Evaluation interval override.
    #[serde(default)]
    pub interval: Option<String>,
    /// Evaluation delay.
    #[serde(default)]
    pub query_offset: Option<String>,
    /// Limit of alerts or series.
    #[serde(default)]
    pub limit: Option<i64>,
    /// Labels added to every rule of the group.
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
    /// Rules.
    #[serde(default)]
    pub rules: Option<Vec<Rule>>,
}

/// An alerting or recording rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Recording rule output name.
    #[serde(default)]
    pub record: Option<String>,
    /// Alert name.
    #[serde(default)]
    pub alert: Option<String>,
    /// PromQL.
    pub expr: String,
    /// Pending window.
    #[serde(default, rename = "for")]
    pub for_: Option<String>,
    /// Keep-firing window.
    #[serde(default)]
    pub keep_firing_for: Option<String>,
    /// Labels.
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
    /// Annotations.
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// Reads rendered rule text back; errors point into the rendered text of `source`.
pub fn parse(source: &Source, rendered: &str) -> Result<RuleFile, Box<Diagnostic>> {
    serde_saphyr::from_str_with_options::<Option<RuleFile>>(rendered, crate::syntax::yaml::options()).map(Option::unwrap_or_default).map_err(|err| {
        let mut d = crate::syntax::yaml::error(&source.display, rendered, &err);
        d.message = format!("invalid rule file produced by this template: {}", d.message);
        Box::new(d.with_help("line and column refer to the rendered text; expected Prometheus' rule file format (`groups:` of `name` and `rules`)"))
    })
}

/// Drops disabled alerts and applies overrides; records every alert name seen in `seen`.
pub fn apply(file: &mut RuleFile, alerts: &Alerts, seen: &mut BTreeSet<String>) {
    let disabled: BTreeSet<&str> = alerts.disable.iter().map(|d| d.value.as_str()).collect();
    for group in file.groups.iter_mut().flatten() {
        let Some(rules) = group.rules.as_mut() else { continue };
        for rule in rules.iter() {
            if let Some(name) = &rule.alert {
                seen.insert(name.clone());
            }
        }
        rules.retain(|r| r.alert.as_deref().is_none_or(|a| !disabled.contains(a)));
        for rule in rules.iter_mut() {
            let Some(o) = rule.alert.as_ref().and_then(|a| alerts.overrides.get(a)) else { continue };
            let o = &o.value;
            if let Some(for_) = &o.for_ {
                rule.for_ = Some(for_.to_string());
            }
            let labels = rule.labels.get_or_insert_with(BTreeMap::new);
            if let Some(sev) = o.severity {
                labels.insert("severity".into(), sev.to_string());
            }
            for (k, v) in &o.labels {
                labels.insert(k.to_string(), v.clone());
            }
        }
    }
}

/// Whether the file still holds any rule.
pub fn is_empty(file: &RuleFile) -> bool {
    file.groups.iter().flatten().all(|g| g.rules.as_ref().is_none_or(Vec::is_empty))
}

fn str_map(m: &BTreeMap<String, String>) -> Emit {
    Emit::Map(m.iter().map(|(k, v)| (k.clone(), Emit::Str(v.clone()))).collect())
}

/// Writes the file in Prometheus' usual layout; groups left empty by `disable` are dropped.
pub fn emit(file: &RuleFile) -> String {
    let groups = file
        .groups
        .iter()
        .flatten()
        .filter(|g| g.rules.as_ref().is_some_and(|r| !r.is_empty()))
        .map(|g| {
            let mut m = vec![("name".to_owned(), Emit::Str(g.name.clone()))];
            let opt = |m: &mut Vec<(String, Emit)>, k: &str, v: &Option<String>| {
                if let Some(v) = v {
                    m.push((k.to_owned(), Emit::Str(v.clone())));
                }
            };
            opt(&mut m, "interval", &g.interval);
            opt(&mut m, "query_offset", &g.query_offset);
            if let Some(limit) = g.limit {
                m.push(("limit".into(), Emit::Int(limit)));
            }
            if let Some(labels) = &g.labels {
                m.push(("labels".into(), str_map(labels)));
            }
            let rules = g
                .rules
                .iter()
                .flatten()
                .map(|r| {
                    let mut m = Vec::new();
                    opt(&mut m, "record", &r.record);
                    opt(&mut m, "alert", &r.alert);
                    m.push(("expr".into(), Emit::Str(r.expr.trim_end().to_owned())));
                    opt(&mut m, "for", &r.for_);
                    opt(&mut m, "keep_firing_for", &r.keep_firing_for);
                    if let Some(l) = r.labels.as_ref().filter(|l| !l.is_empty()) {
                        m.push(("labels".into(), str_map(l)));
                    }
                    if let Some(a) = r.annotations.as_ref().filter(|a| !a.is_empty()) {
                        m.push(("annotations".into(), str_map(a)));
                    }
                    Emit::Map(m)
                })
                .collect();
            m.push(("rules".into(), Emit::Seq(rules)));
            Emit::Map(m)
        })
        .collect();
    yaml::to_string(&Emit::Map(vec![("groups".into(), Emit::Seq(groups))]))
}
