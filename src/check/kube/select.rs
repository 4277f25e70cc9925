//! Selectors: which objects a `Prometheus` picks up (`kube/selector`, across the manifests checked
//! together), an `Alertmanager`'s config Secret, and a workload's own pods.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::Object;
use crate::check::node::{pos, SourceNode, Tree};
use crate::check::{Check, Problem, Severity, Sink};

/// The API server refuses a workload whose selector does not select its own pod template.
pub(super) fn workload(doc: &Tree, sink: &mut Sink) {
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
            let by_labels = |p: &&&Object| {
                let selector = p.tree.value.get("spec").and_then(|s| s.value.get(field));
                selector.is_some_and(|s| selects(&s.value, &labels))
            };
            let labelled: Vec<&&Object> = prometheuses.iter().filter(by_labels).collect();
            if labelled.is_empty() {
                Some(format!(
                    "no Prometheus of these manifests selects {kind} `{}` by its labels (`{field}`)",
                    object.name()
                ))
            } else if !labelled.iter().any(|p| in_namespaces(p, field, object)) {
                let ns_field = field.replace("Selector", "NamespaceSelector");
                Some(format!(
                    "{kind} `{}` is in namespace `{}`, where no Prometheus that selects its labels looks (`{ns_field}` unset: its own namespace only)",
                    object.name(),
                    namespace(object)
                ))
            } else {
                None
            }
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

fn namespace(o: &Object) -> String {
    o.tree.value.get("metadata").map(|m| m.value.text("namespace")).unwrap_or_default()
}

/// Whether `p` looks for objects of `field` in `object`'s namespace: without a namespace selector,
/// only in its own; with one, possibly anywhere (namespaces' labels are not known here). Objects
/// without a namespace are applied to whichever namespace `kubectl` is given: not judged.
fn in_namespaces(p: &Object, field: &str, object: &Object) -> bool {
    let ns_field = field.replace("Selector", "NamespaceSelector");
    let selector = p.tree.value.get("spec").and_then(|s| s.value.get(&ns_field));
    let (mine, theirs) = (namespace(p), namespace(object));
    selector.is_some_and(|s| !matches!(s.value, SourceNode::Null))
        || mine.is_empty()
        || theirs.is_empty()
        || mine == theirs
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
