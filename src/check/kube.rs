//! Kubernetes manifests (multi-document YAML): the Prometheus Operator's objects against their CRD
//! schemas (`kube/schema`), object names and labels (`kube/name`), the content they carry checked
//! as what it is — a `PrometheusRule`'s groups as a rule file, a `Secret`'s `alertmanager.yaml` as
//! an Alertmanager config, a `ConfigMap`'s dashboards as dashboards — with findings at the
//! manifest's line:col, ConfigMap sizes (`kube/size`), and AlertmanagerConfig's namespace matcher
//! (`kube/namespace-matcher`). Across files: objects the Prometheus and Alertmanager objects must
//! pick up carry the labels they select (`kube/selector`, [`across`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::dashboard::{self, Datasources};
use super::node::{self, pos, SourceNode, Tree};
use super::problem::{Problem, Severity, Sink};
use super::rules::{self, RuleOptions};
use crate::check::Check;
use crate::diag::Pos;
use crate::kube::schema;
use crate::syntax::names::{dns1123_label_error, dns1123_subdomain_error};

/// Size of a ConfigMap over which client-side `kubectl apply` fails: the object is copied into
/// its `last-applied-configuration` annotation, and annotations may hold 256 KiB.
pub const CLIENT_APPLY_LIMIT: usize = 262_144;

/// Largest object etcd stores (1 MiB): a bigger ConfigMap cannot be created at all.
pub const OBJECT_LIMIT: usize = 1_048_576;

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

fn shift_problems(problems: Vec<Problem>, by: u64, sink: &mut Sink) {
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
        "ConfigMap" => configmap(file, lines, doc, sink),
        "Deployment" | "DaemonSet" | "StatefulSet" | "ReplicaSet" => workload(doc, sink),
        "Secret" => secret(file, lines, doc, sink),
        _ => {}
    }
}

/// The API server refuses a workload whose selector does not select its own pod template.
fn workload(doc: &Tree, sink: &mut Sink) {
    let Some(spec) = doc.value.get("spec") else { return };
    let Some(selector) = spec.value.get("selector") else {
        sink.error(Check::KubeSchema, Some(pos(spec)), "`spec.selector`: Required value".to_owned());
        return;
    };
    let template = spec.value.get("template").and_then(|t| t.value.get("metadata")).and_then(|m| m.value.get("labels"));
    let labels: BTreeMap<String, String> = match template.map(|l| &l.value) {
        Some(SourceNode::Map(entries)) => {
            entries.iter().map(|(k, v)| (k.value.clone(), v.value.as_str().unwrap_or_default())).collect()
        }
        _ => BTreeMap::new(),
    };
    if !selects(&selector.value, &labels) {
        sink.error(
            Check::KubeSchema,
            Some(pos(selector)),
            "`spec.selector` does not match the labels of `spec.template.metadata.labels`".to_owned(),
        )
        .help("the API server refuses it: give the pod template the labels the selector names");
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
            if let Some(why) = label_key_error(&k.value) {
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
            } else if let Some(why) = label_value_error(&value) {
                sink.error(Check::KubeName, Some(pos(v)), format!("label value `{value}` is invalid: {why}"));
            }
        }
    }
}

fn name_part_error(s: &str) -> Option<String> {
    let ok = |c: char| c.is_ascii_alphanumeric();
    if s.len() > 63 {
        Some(format!("it is {} characters long, at most 63 are allowed", s.len()))
    } else if let Some(c) = s.chars().find(|&c| !ok(c) && !"-_.".contains(c)) {
        Some(format!("it holds `{c}`; only letters, digits, `-`, `_` and `.` are allowed"))
    } else if !s.is_empty() && (!s.starts_with(ok) || !s.ends_with(ok)) {
        Some("it must start and end with a letter or a digit".into())
    } else {
        None
    }
}

fn label_key_error(key: &str) -> Option<String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if name.is_empty() {
        return Some("the name part is empty".into());
    }
    prefix.and_then(dns1123_subdomain_error).or_else(|| name_part_error(name))
}

fn label_value_error(value: &str) -> Option<String> {
    name_part_error(value)
}

/// The size Kubernetes counts for a ConfigMap: its keys and values.
fn configmap(file: &Path, lines: &[&str], doc: &Tree, sink: &mut Sink) {
    let mut size = 0;
    for section in ["data", "binaryData"] {
        let Some(SourceNode::Map(entries)) = doc.value.get(section).map(|d| &d.value) else { continue };
        for (k, v) in entries {
            let Some(value) = v.value.as_str() else { continue };
            size += k.value.len() + value.len();
            if section == "data" && k.value.ends_with(".json") && value.contains("\"panels\"") {
                embedded(file, lines, v, &value, sink, |f, t, s| {
                    dashboard::check(f, t, &Datasources::default(), s);
                });
            }
        }
    }
    let name = doc.value.get("metadata").map(|m| m.value.text("name")).unwrap_or_default();
    if size > OBJECT_LIMIT {
        sink.error(
            Check::KubeSize,
            Some(pos(doc)),
            format!("ConfigMap `{name}` holds {size} bytes, over Kubernetes' limit of 1 MiB ({OBJECT_LIMIT} bytes)"),
        )
        .help("split it (one dashboard per ConfigMap) or trim the dashboard");
    } else if size > CLIENT_APPLY_LIMIT {
        sink.warning(Check::KubeSize, Some(pos(doc)), format!("ConfigMap `{name}` holds {size} bytes: client-side `kubectl apply` fails over {CLIENT_APPLY_LIMIT} bytes"))
            .help("apply with `kubectl apply --server-side` (its field manager keeps no copy in an annotation)");
    }
}

/// A Secret's `alertmanager.yaml` is an Alertmanager config; its `*_file` paths point into the
/// pod, so they are not looked for here.
fn secret(file: &Path, lines: &[&str], doc: &Tree, sink: &mut Sink) {
    if let Some(v) = doc.value.get("stringData").and_then(|d| d.value.get("alertmanager.yaml")) {
        let value = v.value.as_str().unwrap_or_default();
        embedded(file, lines, v, &value, sink, |f, t, s| {
            super::alertmanager::check(f, t, true, s);
        });
    } else if let Some(v) = doc.value.get("data").and_then(|d| d.value.get("alertmanager.yaml")) {
        let encoded = v.value.as_str().unwrap_or_default();
        match base64_decode(&encoded).and_then(|b| String::from_utf8(b).ok()) {
            Some(text) => {
                let mut inner = Sink::new(file);
                super::alertmanager::check(file, &text, true, &mut inner);
                at_value(inner, pos(v), "in the base64 `data` of `alertmanager.yaml`", sink);
            }
            None => {
                sink.error(
                    Check::KubeSchema,
                    Some(pos(v)),
                    "`data.alertmanager.yaml` is not base64-encoded UTF-8 text".to_owned(),
                );
            }
        }
    }
}

/// Checks text held in the scalar `node` with `check`. When it is a literal block (`|`), whose
/// lines are the text's lines indented, the check reads those lines where they are in the file,
/// so its findings are at the file's line:col; otherwise they are reported at the value.
fn embedded(
    file: &Path,
    lines: &[&str],
    node: &Tree,
    value: &str,
    sink: &mut Sink,
    check: impl Fn(&Path, &str, &mut Sink),
) {
    let mut inner = Sink::new(file);
    match in_place(lines, node, value) {
        Some((before, text)) => {
            check(file, &text, &mut inner);
            shift_problems(inner.problems, before, sink);
        }
        None => {
            check(file, value, &mut inner);
            at_value(inner, pos(node), "in this value", sink);
        }
    }
}

fn at_value(inner: Sink, at: Pos, whence: &str, sink: &mut Sink) {
    for mut p in inner.problems {
        if let Some(inner_at) = p.pos.take() {
            p.message = format!("{} (line {} {whence})", p.message, inner_at.line);
        }
        p.pos = Some(at);
        sink.problems.push(p);
    }
}

/// The text of a literal block scalar as the lines of the file it is (still indented: YAML and
/// JSON read it so, and columns stay the file's), with the number of lines before them.
fn in_place(lines: &[&str], node: &Tree, value: &str) -> Option<(u64, String)> {
    let line = usize::try_from(node.at.line).ok()?.checked_sub(1)?;
    let col = usize::try_from(node.at.column).ok()?.checked_sub(1)?;
    let literal = |l: &str| ["|", "|-", "|+"].iter().any(|i| l.trim_end().ends_with(&format!(" {i}")));
    // The parser places a block scalar at its indicator or at its first line of content.
    let first = if lines.get(line)?.get(col..)?.starts_with('|') && literal(lines[line]) {
        line + 1
    } else if line > 0 && literal(lines[line - 1]) {
        line
    } else {
        return None;
    };
    let body: Vec<&str> =
        lines[first..].iter().copied().take_while(|l| l.trim().is_empty() || l.starts_with(' ')).collect();
    let indent = body.iter().find(|l| !l.trim().is_empty())?.chars().take_while(|&c| c == ' ').count();
    let mut used = body.len();
    while used > 0 && body[used - 1].trim().is_empty() {
        used -= 1;
    }
    let body = &body[..used];
    if body.iter().any(|l| !l.trim().is_empty() && l.chars().take_while(|&c| c == ' ').count() < indent) {
        return None;
    }
    let dedented: Vec<&str> = body.iter().map(|l| l.get(indent..).unwrap_or("")).collect();
    if dedented.join("\n").trim_end_matches('\n') != value.trim_end_matches('\n') {
        return None;
    }
    Some((first as u64, body.join("\n")))
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Which objects each Prometheus and Alertmanager object picks up, and what it selects them by.
const SELECTED: &[(&str, &str)] = &[
    ("PrometheusRule", "ruleSelector"),
    ("ScrapeConfig", "scrapeConfigSelector"),
    ("Probe", "probeSelector"),
    ("ServiceMonitor", "serviceMonitorSelector"),
    ("PodMonitor", "podMonitorSelector"),
];

/// What must hold across the manifests checked together: every rule, scrape config, probe and
/// monitor is selected by a Prometheus of the set (when the set has one), or carries `expected`
/// labels (what the cluster's Prometheus selects, when known); an Alertmanager's `configSecret`
/// is a Secret of the set.
pub fn across(files: &[(PathBuf, Vec<Object>)], expected: Option<&BTreeMap<String, String>>) -> Vec<Problem> {
    let mut out = Vec::new();
    let all = || files.iter().flat_map(|(f, objects)| objects.iter().map(move |o| (f, o)));
    let prometheuses: Vec<&Object> = all().filter(|(_, o)| o.kind() == "Prometheus").map(|(_, o)| o).collect();
    for (file, object) in all() {
        let kind = object.kind();
        let Some((_, field)) = SELECTED.iter().find(|(k, _)| *k == kind) else { continue };
        let labels = object.labels();
        let at = object.tree.value.get("metadata").map_or(pos(&object.tree), pos);
        let message = if !prometheuses.is_empty() {
            let picked = prometheuses.iter().any(|p| {
                let selector = p.tree.value.get("spec").and_then(|s| s.value.get(field));
                selector.is_some_and(|s| selects(&s.value, &labels))
            });
            (!picked).then(|| {
                format!("no Prometheus of these manifests selects {kind} `{}` by its labels (`{field}`)", object.name())
            })
        } else {
            expected.filter(|want| !want.iter().all(|(k, v)| labels.get(k) == Some(v))).map(|want| {
                format!(
                    "{kind} `{}` lacks the selector labels {}, so the cluster's Prometheus ignores it",
                    object.name(),
                    show(want)
                )
            })
        };
        if let Some(message) = message {
            let mut p = Problem::new(Check::KubeSelector, Severity::Warning, file, Some(at), message);
            p.help("give it the labels the Prometheus object's selector matches (`kubernetes.selector_labels` in monstack.yaml; kube-prometheus-stack selects `release: <helm release>`)");
            out.push(p);
        }
    }
    let secrets: Vec<String> = all().filter(|(_, o)| o.kind() == "Secret").map(|(_, o)| o.name()).collect();
    for (file, object) in all().filter(|(_, o)| o.kind() == "Alertmanager") {
        let Some(cs) = object.tree.value.get("spec").and_then(|s| s.value.get("configSecret")) else { continue };
        let name = cs.value.as_str().unwrap_or_default();
        if !secrets.is_empty() && !secrets.contains(&name) {
            let mut p = Problem::new(
                Check::KubeSelector,
                Severity::Warning,
                file,
                Some(pos(cs)),
                format!("the configSecret `{name}` is not among these manifests' Secrets"),
            );
            p.help(
                "the operator then runs Alertmanager with an empty config: name the Secret holding `alertmanager.yaml`",
            );
            out.push(p);
        }
    }
    out
}

fn show(labels: &BTreeMap<String, String>) -> String {
    labels.iter().map(|(k, v)| format!("`{k}: {v}`")).collect::<Vec<_>>().join(", ")
}

/// Whether a Kubernetes label selector (`matchLabels`, `matchExpressions`) matches `labels`. A
/// null selector selects nothing; an empty one selects everything.
pub fn selects(selector: &SourceNode, labels: &BTreeMap<String, String>) -> bool {
    let SourceNode::Map(_) = selector else { return false };
    if let Some(SourceNode::Map(want)) = selector.get("matchLabels").map(|m| &m.value) {
        if !want.iter().all(|(k, v)| labels.get(&k.value) == v.value.as_str().as_ref()) {
            return false;
        }
    }
    selector.items("matchExpressions").iter().all(|e| {
        let key = e.value.text("key");
        let values: Vec<String> = e.value.items("values").iter().filter_map(|v| v.value.as_str()).collect();
        let have = labels.get(&key);
        match e.value.text("operator").as_str() {
            "In" => have.is_some_and(|h| values.contains(h)),
            "NotIn" => have.is_none_or(|h| !values.contains(h)),
            "Exists" => have.is_some(),
            "DoesNotExist" => have.is_none(),
            _ => false,
        }
    })
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
        assert_eq!(sink.problems.last().unwrap().pos, Some(Pos { line: 80_000 - 1, column: 18 }));
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
