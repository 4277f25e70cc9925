//! The `kubernetes:` section: how `render --target kubernetes` emits the project as Prometheus
//! Operator objects.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::syntax::names::dns1123_label_error;

/// What the cluster already runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KubeMode {
    /// The cluster runs the operator with its Prometheus and Alertmanager (kube-prometheus-stack):
    /// only rules, scrape configs, probes, dashboards and routing are emitted.
    #[default]
    Content,
    /// Also the Prometheus and Alertmanager objects, their RBAC and the exporters.
    Full,
}

impl KubeMode {
    /// The name as written in the spec.
    pub fn name(self) -> &'static str {
        match self {
            KubeMode::Content => "content",
            KubeMode::Full => "full",
        }
    }
}

/// A DNS-1123 label: a namespace or the part of an object's name monstack builds on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace(String);

impl Namespace {
    fn parse(s: &str) -> Result<Self, String> {
        match dns1123_label_error(s) {
            None => Ok(Namespace(s.to_owned())),
            Some(why) => Err(format!("invalid namespace `{s}`: {why} (a DNS-1123 label, such as `monitoring`)")),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
crate::syntax::string_value!(Namespace, Namespace::parse, "a namespace such as `monitoring`");

/// A Kubernetes resource quantity for storage (`50Gi`, `500M`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity(String);

impl Quantity {
    fn parse(s: &str) -> Result<Self, String> {
        let digits = s.chars().take_while(char::is_ascii_digit).count();
        let units = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "M", "G", "T", "P", "E"];
        if digits > 0 && units.contains(&&s[digits..]) && s != "0" {
            Ok(Quantity(s.to_owned()))
        } else {
            Err(format!("invalid storage size `{s}`: expected a Kubernetes quantity such as `50Gi` (units Ki Mi Gi Ti Pi Ei, or k M G T P E)"))
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
crate::syntax::string_value!(Quantity, Quantity::parse, "a storage size such as `50Gi`");

/// A Kubernetes label key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LabelKey(String);

impl LabelKey {
    fn parse(s: &str) -> Result<Self, String> {
        match crate::syntax::names::kube_label_key_error(s) {
            None => Ok(LabelKey(s.to_owned())),
            Some(why) => Err(format!("invalid Kubernetes label key `{s}`: {why}")),
        }
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LabelKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
crate::syntax::string_value!(LabelKey, LabelKey::parse, "a Kubernetes label key such as `release`");

/// A Kubernetes label value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LabelValue(String);

impl LabelValue {
    fn parse(s: &str) -> Result<Self, String> {
        match crate::syntax::names::kube_label_value_error(s) {
            None => Ok(LabelValue(s.to_owned())),
            Some(why) => Err(format!("invalid Kubernetes label value `{s}`: {why}")),
        }
    }
}

impl fmt::Display for LabelValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
crate::syntax::string_value!(LabelValue, LabelValue::parse, "a Kubernetes label value such as `monstack`");

/// Kubernetes labels as the spec gives them.
pub type Labels = BTreeMap<LabelKey, LabelValue>;

/// Labels as strings, as objects carry them.
pub fn label_strings(labels: &Labels) -> BTreeMap<String, String> {
    labels.iter().map(|(k, v)| (k.0.clone(), v.0.clone())).collect()
}

/// The `kubernetes:` section.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Kubernetes {
    /// Namespace of every emitted object.
    pub namespace: Namespace,
    /// What the cluster already runs.
    pub mode: KubeMode,
    /// Labels on every object, which the Prometheus and Alertmanager objects select on
    /// (kube-prometheus-stack selects `release: <helm release>`).
    pub selector_labels: Labels,
    /// The label Grafana's dashboard sidecar looks for on ConfigMaps.
    pub dashboards_label: Labels,
    /// Prometheus pods (`full`).
    pub prometheus_replicas: u32,
    /// Alertmanager pods, one gossip cluster (`full`).
    pub alertmanager_replicas: u32,
    /// A persistent volume per Prometheus pod of this size (`full`); none keeps data in an emptyDir.
    pub storage_size: Option<Quantity>,
}

impl Default for Kubernetes {
    fn default() -> Self {
        Kubernetes {
            namespace: Namespace("monitoring".into()),
            mode: KubeMode::Content,
            selector_labels: Labels::from([(LabelKey("release".into()), LabelValue("monstack".into()))]),
            dashboards_label: Labels::from([(LabelKey("grafana_dashboard".into()), LabelValue("1".into()))]),
            prometheus_replicas: 2,
            alertmanager_replicas: 3,
            storage_size: None,
        }
    }
}
