//! Kubernetes manifests (multi-document YAML): the Prometheus Operator's objects against their CRD
//! schemas (`kube/schema`), object names and labels (`kube/name`), the content they carry checked
//! as what it is — a `PrometheusRule`'s groups as a rule file, a `Secret`'s `alertmanager.yaml` as
//! an Alertmanager config, a `ConfigMap`'s dashboards as dashboards — with findings at the
//! manifest's line:col, ConfigMap sizes (`kube/size`), and AlertmanagerConfig's namespace matcher
//! (`kube/namespace-matcher`). Across files: objects the Prometheus and Alertmanager objects must
//! pick up carry the labels they select (`kube/selector`, [`across`]).

use std::collections::BTreeMap;
use std::path::Path;

mod content;
mod select;

pub use content::{CLIENT_APPLY_LIMIT, OBJECT_LIMIT};
pub use select::{across, selects};

use super::node::{self, pos, SourceNode, Tree};
use super::problem::{Problem, Sink};
use super::rules::{self, RuleOptions};
use crate::check::Check;
use crate::kube::schema;
use crate::syntax::names::{
    dns1123_label_error, dns1123_subdomain_error, kube_label_key_error, kube_label_value_error,
};

/// Kinds named by a DNS-1123 label rather than a subdomain (they become DNS names or pod names).
const LABEL_NAMED: &[&str] = &["Namespace", "Service", "Prometheus", "Alertmanager"];

/// One document of a manifest file, its positions those of the file.
pub struct Object {
    /// The parsed document.
    pub tree: Tree,
}

impl Object {
    /// `kind`.
    pub fn kind(&self) -> String {
        self.tree.value.text("kind")
    }

    /// `metadata.name`.
    pub fn name(&self) -> String {
        self.tree.value.get("metadata").map(|m| m.value.text("name")).unwrap_or_default()
    }

    /// `metadata.labels`.
    pub fn labels(&self) -> BTreeMap<String, String> {
        let labels = self.tree.value.get("metadata").and_then(|m| m.value.get("labels"));
        match labels.map(|l| &l.value) {
            Some(SourceNode::Map(entries)) => {
                entries.iter().map(|(k, v)| (k.value.clone(), v.value.as_str().unwrap_or_default())).collect()
            }
            _ => BTreeMap::new(),
        }
    }
}

/// The documents of `text` (`---` separates them), each with the number of lines before it.
pub fn documents(text: &str) -> Vec<(u64, String)> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, line) in lines.iter().enumerate() {
        let line = line.trim_end_matches('\r');
        if line == "---" || line.starts_with("--- ") || line == "..." {
            out.push((start as u64, lines[start..i].join("\n")));
            start = i + 1;
        }
    }
    out.push((start as u64, lines[start..].join("\n")));
    out.retain(|(_, d)| d.lines().any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')));
    out
}

/// Moves positions found in a part of a file that starts after `by` lines to the file's lines.
fn shift_tree(tree: &mut Tree, by: u64) {
    if tree.at.line > 0 {
        tree.at.line += by;
    }
    match &mut tree.value {
        SourceNode::Seq(items) => items.iter_mut().for_each(|i| shift_tree(i, by)),
        SourceNode::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            if k.at.line > 0 {
                k.at.line += by;
            }
            shift_tree(v, by);
        }),
        _ => {}
    }
}

pub(super) fn shift_problems(problems: Vec<Problem>, by: u64, sink: &mut Sink) {
    sink.problems.extend(problems.into_iter().map(|mut p| {
        if let Some(at) = p.pos.as_mut() {
            at.line += by;
        }
        p
    }));
}

/// Parses the documents of a manifest, positions in the file; syntax errors become findings.
pub fn parse(file: &Path, text: &str, sink: &mut Sink) -> Vec<Object> {
    let mut out = Vec::new();
    for (before, doc) in documents(text) {
        let mut inner = Sink::new(file);
        let tree = node::parse_checked(file, &doc, &mut inner, node::yaml_syntax);
        shift_problems(inner.problems, before, sink);
        if let Some(mut tree) = tree.filter(|t| !matches!(t.value, SourceNode::Null)) {
            shift_tree(&mut tree, before);
            out.push(Object { tree });
        }
    }
    out
}

/// Checks the manifest `file` whose text is `text`.
pub fn check(file: &Path, text: &str, opts: &RuleOptions, sink: &mut Sink) {
    let lines: Vec<&str> = text.split('\n').collect();
    for object in parse(file, text, sink) {
        check_object(file, &lines, &object, opts, sink);
    }
}

fn check_object(file: &Path, lines: &[&str], object: &Object, opts: &RuleOptions, sink: &mut Sink) {
    let doc = &object.tree;
    let SourceNode::Map(_) = &doc.value else {
        sink.error(
            Check::KubeSchema,
            Some(pos(doc)),
            format!("a Kubernetes object is a mapping, found {}", doc.value.kind()),
        );
        return;
    };
    for key in ["apiVersion", "kind"] {
        if doc.value.text(key).is_empty() {
            sink.error(Check::KubeSchema, Some(pos(doc)), format!("`{key}`: Required value"))
                .help("every Kubernetes object names its `apiVersion` and `kind`");
        }
    }
    let kind = object.kind();
    names(doc, &kind, sink);
    if let Some(crd) = schema::crd(&kind) {
        schema::validate(crd, doc, sink);
    }
    let spec = doc.value.get("spec");
    match kind.as_str() {
        "PrometheusRule" => {
            if let Some(spec) = spec {
                rules::check_tree(spec, opts, sink);
            }
        }
        "AlertmanagerConfig" => {
            sink.warning(
                Check::KubeNamespaceMatcher,
                Some(pos(doc)),
                format!("AlertmanagerConfig `{}` only ever sees alerts whose `namespace` label is its own namespace", object.name()),
            )
            .help("the operator adds a `namespace` matcher to its routes (prometheus-operator#3737): alerts of other namespaces, and alerts without the label, never reach it; route in the Alertmanager's own config Secret instead (monstack renders one), or set `alertmanagerConfigMatcherStrategy: {type: None}` on the Alertmanager");
        }
        "ConfigMap" => content::configmap(file, lines, doc, sink),
        "Deployment" | "DaemonSet" | "StatefulSet" | "ReplicaSet" => select::workload(doc, sink),
        "Secret" => content::secret(file, lines, doc, sink),
        _ => {}
    }
}

/// Object names and label syntax, as the API server checks them.
fn names(doc: &Tree, kind: &str, sink: &mut Sink) {
    let Some(meta) = doc.value.get("metadata") else {
        sink.error(Check::KubeSchema, Some(pos(doc)), "`metadata.name`: Required value".to_owned());
        return;
    };
    match meta.value.get("name") {
        None => {
            sink.error(Check::KubeSchema, Some(pos(meta)), "`metadata.name`: Required value".to_owned());
        }
        Some(n) => {
            let name = n.value.as_str().unwrap_or_default();
            let (why, what) = if LABEL_NAMED.contains(&kind) {
                (dns1123_label_error(&name), "a DNS-1123 label (at most 63 characters)")
            } else {
                (dns1123_subdomain_error(&name), "a DNS-1123 subdomain")
            };
            if let Some(why) = why {
                sink.error(Check::KubeName, Some(pos(n)), format!("{kind} name `{name}` is invalid: {why}"))
                    .help(format!("names are {what}: lower-case letters, digits, `-` (and `.` between labels)"));
            }
        }
    }
    if let Some(ns) = meta.value.get("namespace") {
        let name = ns.value.as_str().unwrap_or_default();
        if let Some(why) = dns1123_label_error(&name) {
            sink.error(Check::KubeName, Some(pos(ns)), format!("namespace `{name}` is invalid: {why}"));
        }
    }
    if let Some(SourceNode::Map(labels)) = meta.value.get("labels").map(|l| &l.value) {
        for (k, v) in labels {
            if let Some(why) = kube_label_key_error(&k.value) {
                sink.error(Check::KubeName, Some(pos(k)), format!("label key `{}` is invalid: {why}", k.value));
            }
            let value = v.value.as_str().unwrap_or_default();
            if !matches!(v.value, SourceNode::Str(_)) {
                sink.error(
                    Check::KubeName,
                    Some(pos(v)),
                    format!("label `{}` has {} as its value", k.value, v.value.kind()),
                )
                .help("label values are strings: quote it");
            } else if let Some(why) = kube_label_value_error(&value) {
                sink.error(Check::KubeName, Some(pos(v)), format!("label value `{value}` is invalid: {why}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(text: &str) -> Vec<String> {
        let mut sink = Sink::new("m.yaml");
        check(Path::new("m.yaml"), text, &RuleOptions::default(), &mut sink);
        sink.problems
            .iter()
            .map(|p| {
                format!("{} {}:{} {}", p.check, p.pos.map_or(0, |p| p.line), p.pos.map_or(0, |p| p.column), p.message)
            })
            .collect()
    }

    #[test]
    fn rules_in_a_prometheusrule_are_checked_at_the_manifest_position() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {}\n---\napiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: r\nspec:\n  groups:\n    - name: g\n      rules:\n        - record: x\n          expr: sum(up\n";
        let got = findings(text);
        assert!(got.iter().any(|f| f.starts_with("rules/expr 15:")), "{got:?}");
    }

    #[test]
    fn alertmanager_yaml_in_a_secret_is_checked_in_place() {
        let text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: am\nstringData:\n  alertmanager.yaml: |\n    route:\n      receiver: nobody\n    receivers:\n      - name: r\n";
        let got = findings(text);
        assert!(got.iter().any(|f| f.starts_with("alertmanager/route 8:")), "{got:?}");
    }

    #[test]
    fn names_sizes_and_the_namespace_matcher() {
        let got = findings("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: My_Map\n  labels: {release: 1}\n");
        assert!(got.iter().any(|f| f.starts_with("kube/name 4:9 ConfigMap name `My_Map` is invalid")), "{got:?}");
        assert!(got.iter().any(|f| f.starts_with("kube/name 5:21 label `release` has a number")), "{got:?}");
        let big = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: d}}\ndata:\n  d.txt: {}\n",
            "x".repeat(300_000)
        );
        assert!(findings(&big)
            .iter()
            .any(|f| f.starts_with("kube/size 1:1 ConfigMap `d` holds 300005 bytes: client-side")));
        let huge = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: d}}\ndata:\n  d.txt: {}\n",
            "x".repeat(1_100_000)
        );
        assert!(findings(&huge).iter().any(|f| f.starts_with("kube/size 1:1 ConfigMap `d` holds 1100005 bytes, over")));
        let keys = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  my key: x\n";
        assert!(findings(keys).iter().any(|f| f.starts_with("kube/name 5:3 `stringData` key `my key` is invalid")));
        let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: b}}\n";
        let got = findings(deploy);
        assert!(got.iter().any(|f| f.starts_with("kube/schema 5:13 `spec.selector` does not match")), "{got:?}");
        let amc =
            "apiVersion: monitoring.coreos.com/v1alpha1\nkind: AlertmanagerConfig\nmetadata: {name: team}\nspec: {}\n";
        assert!(findings(amc).iter().any(|f| f.starts_with("kube/namespace-matcher 1:1")));
    }

    /// Each document is parsed alone and its positions moved: many documents stay linear.
    #[test]
    fn many_documents_keep_their_lines() {
        let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: BAD}\n";
        let text = vec![doc; 20_000].join("---\n");
        let mut sink = Sink::new("m.yaml");
        check(Path::new("m.yaml"), &text, &RuleOptions::default(), &mut sink);
        assert_eq!(sink.problems.len(), 20_000);
        assert_eq!(sink.problems.last().unwrap().pos, Some(crate::diag::Pos { line: 80_000 - 1, column: 18 }));
    }

    #[test]
    fn selectors() {
        let labels = BTreeMap::from([("release".to_owned(), "monstack".to_owned())]);
        let sel = |t: &str| node::parse(t).unwrap().value;
        assert!(selects(&sel("matchLabels: {release: monstack}"), &labels));
        assert!(!selects(&sel("matchLabels: {release: other}"), &labels));
        assert!(selects(&sel("{}"), &labels));
        assert!(selects(&sel("matchExpressions: [{key: release, operator: In, values: [monstack]}]"), &labels));
        assert!(!selects(&sel("matchExpressions: [{key: team, operator: Exists}]"), &labels));
    }
}
