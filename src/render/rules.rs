//! Rule files: rendered from templates, read back into a typed model so the spec's `disable` and
//! `overrides` apply to them, and written out deterministically.
//!
//! Rule files can be big (tens of MB): the model keeps labels and annotations in vectors sized to
//! them rather than in B-tree nodes, and the file is written one group at a time, so that no
//! second copy of it is held in between.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer};

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
    pub labels: Option<StrMap>,
    /// Rules.
    #[serde(default, deserialize_with = "fitted")]
    pub rules: Option<Vec<Rule>>,
}

/// The rules of a group, in a vector no bigger than they are.
fn fitted<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Rule>>, D::Error> {
    let mut rules = Option::<Vec<Rule>>::deserialize(d)?;
    if let Some(rules) = &mut rules {
        rules.shrink_to_fit();
    }
    Ok(rules)
}

/// Labels or annotations, sorted by name: a vector of exactly their entries (a B-tree node takes
/// half a kilobyte however few it holds).
#[derive(Debug, Default, PartialEq)]
pub struct StrMap(Vec<(String, String)>);

impl StrMap {
    /// Sets `key` to `value`.
    pub fn insert(&mut self, key: String, value: String) {
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entries, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<'de> Deserialize<'de> for StrMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<StrMap, D::Error> {
        // One small map at a time, turned into an exactly sized vector.
        Ok(StrMap(BTreeMap::<String, String>::deserialize(d)?.into_iter().collect()))
    }
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
    pub labels: Option<StrMap>,
    /// Annotations.
    #[serde(default)]
    pub annotations: Option<StrMap>,
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
            let labels = rule.labels.get_or_insert_with(StrMap::default);
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

fn str_map(m: &StrMap) -> Emit {
    Emit::Map(m.iter().map(|(k, v)| (k.clone(), Emit::Str(v.clone()))).collect())
}

/// Writes the file in Prometheus' usual layout; groups left empty by `disable` are dropped.
pub fn emit(file: &RuleFile) -> String {
    let groups = || file.groups.iter().flatten().filter(|g| g.rules.as_ref().is_some_and(|r| !r.is_empty()));
    if groups().next().is_none() {
        return yaml::to_string(&Emit::Map(vec![("groups".into(), Emit::Seq(Vec::new()))]));
    }
    let mut out = String::with_capacity(groups().map(size).sum::<usize>() + 8);
    out.push_str("groups:\n");
    for group in groups() {
        // Each group is emitted as a list of one at the left margin, then moved under `groups:`;
        // lines left empty (in block scalars) stay empty, as the whole document would have them.
        for line in yaml::to_string(&Emit::Seq(vec![group_node(group)])).split_inclusive('\n') {
            if line != "\n" {
                out.push_str("  ");
            }
            out.push_str(line);
        }
    }
    out
}

/// About how many bytes `group` takes written out, to size the output once.
fn size(group: &Group) -> usize {
    let map = |m: &Option<StrMap>| m.iter().flat_map(StrMap::iter).map(|(k, v)| k.len() + v.len() + 16).sum::<usize>();
    let opt = |s: &Option<String>| s.as_ref().map_or(0, |s| s.len() + 24);
    let rules = group.rules.iter().flatten().map(|r| {
        [&r.record, &r.alert, &r.for_, &r.keep_firing_for].into_iter().map(opt).sum::<usize>()
            + r.expr.len()
            + 24
            + map(&r.labels)
            + map(&r.annotations)
    });
    group.name.len() + 32 + map(&group.labels) + rules.sum::<usize>()
}

fn group_node(g: &Group) -> Emit {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Group by group, the file is what the whole document emitted at once is.
    #[test]
    fn groups_emitted_one_at_a_time_make_the_whole_document() {
        let text = "groups:\n  - name: a\n    labels: {team: x}\n    rules:\n      - alert: A\n        expr: |\n          up\n\n            == 0\n        labels: {b: '1', a: '2'}\n        annotations: {summary: \"{{ $labels.x }}: down\"}\n      - record: r\n        expr: sum(up)\n  - name: empty\n    rules: []\n  - name: c\n    interval: 1m\n    limit: 3\n    rules:\n      - record: q\n        expr: up\n";
        let file: RuleFile = serde_saphyr::from_str(text).unwrap();
        let whole = |f: &RuleFile| {
            let groups = f.groups.iter().flatten().filter(|g| g.rules.as_ref().is_some_and(|r| !r.is_empty()));
            yaml::to_string(&Emit::Map(vec![("groups".into(), Emit::Seq(groups.map(group_node).collect()))]))
        };
        assert_eq!(emit(&file), whole(&file));
        assert!(emit(&file).contains("\n\n"), "{}", emit(&file));
        assert_eq!(emit(&RuleFile::default()), "groups: []\n");
        let labels = &file.groups.as_ref().unwrap()[0].rules.as_ref().unwrap()[0].labels;
        let names: Vec<&String> = labels.iter().flat_map(StrMap::iter).map(|(k, _)| k).collect();
        assert_eq!(names, ["a", "b"]);
    }
}
