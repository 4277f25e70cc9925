//! The Kubernetes target: the project as Prometheus Operator objects, emitted from what the Docker
//! render produced in memory (so both carry the same rule groups, dashboards and routing), one
//! object per file, and the operator's CRD schemas they are checked against ([`schema`]).
//!
//! `content` mode emits what a cluster running kube-prometheus-stack lacks: `PrometheusRule`s,
//! `ScrapeConfig`s, `Probe`s, dashboard `ConfigMap`s and the Alertmanager config `Secret`s.
//! `full` mode adds the `Prometheus` and `Alertmanager` objects and Prometheus' RBAC ([`full`]).

mod full;
mod objects;
pub mod schema;
mod workloads;

use std::collections::BTreeMap;
use std::path::Path;

use crate::render::yaml::{self, Emit};
use crate::render::{OutFile, RenderError, Rendered, SecretValues};
use crate::spec::{Document, KubeMode, Spec};

/// The output folder of `render --target kubernetes`, relative to the project's output folder.
pub const OUT_DIR: &str = "kubernetes";

/// Where the operator mounts each Secret an Alertmanager object lists under `secrets`.
pub const ALERTMANAGER_SECRETS_MOUNT: &str = "/etc/alertmanager/secrets";

/// The datasource uid kube-prometheus-stack's Grafana provisions for its Prometheus; dashboards'
/// references to monstack's own datasource are bound to it.
pub const CLUSTER_DATASOURCE_UID: &str = "prometheus";

/// One object to write.
struct Object {
    api_version: &'static str,
    kind: &'static str,
    name: String,
    /// Cluster-scoped objects (ClusterRole) carry no namespace.
    namespaced: bool,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    /// Everything after `metadata`, in order.
    body: Vec<(String, Emit)>,
    /// Holds secret values: written 0600, never printed.
    secret: bool,
    /// The source file it is made from, for messages.
    from: Option<std::path::PathBuf>,
}

/// What every object is built with.
struct Env<'a> {
    spec: &'a Spec,
    doc: &'a Document,
    namespace: &'a str,
    /// `project` as a DNS-1123 label, the prefix of every name.
    prefix: String,
    /// The Docker render in memory, and the output folder it was rendered for.
    docker: &'a Rendered,
    docker_out: &'a Path,
    values: SecretValues,
}

impl Env<'_> {
    fn object(&self, api_version: &'static str, kind: &'static str, name: String) -> Object {
        let mut labels = crate::spec::label_strings(&self.spec.kubernetes.selector_labels);
        labels.insert("app.kubernetes.io/part-of".into(), self.prefix.clone());
        labels.insert("app.kubernetes.io/managed-by".into(), "monstack".into());
        Object {
            api_version,
            kind,
            name,
            namespaced: true,
            labels,
            annotations: BTreeMap::new(),
            body: Vec::new(),
            secret: false,
            from: None,
        }
    }

    fn name(&self, part: &str) -> String {
        format!("{}-{}", self.prefix, dns_label(part))
    }
}

/// `s` made a DNS-1123 label as far as characters go: lower case, `-` for anything else.
pub fn dns_label(s: &str) -> String {
    let mapped: String =
        s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    mapped.trim_matches('-').to_owned()
}

/// Emits the project's objects from `docker`, the Docker render of `spec` for `docker_out`; paths
/// of the result are relative to the Kubernetes output folder.
pub fn emit(
    spec: &Spec,
    doc: &Document,
    docker: &Rendered,
    docker_out: &Path,
    values: SecretValues,
) -> Result<Rendered, RenderError> {
    let env = Env {
        spec,
        doc,
        namespace: spec.kubernetes.namespace.as_str(),
        prefix: dns_label(spec.project.as_str()),
        docker,
        docker_out,
        values,
    };
    let mut objects = objects::content(&env)?;
    if spec.kubernetes.mode == KubeMode::Full {
        objects.extend(full::objects(&env)?);
    }
    let mut files = Rendered::new();
    for o in objects {
        let path = format!("{}-{}.yaml", o.kind.to_ascii_lowercase(), o.name);
        let text = format!(
            "# Rendered by monstack from monstack.yaml (kubernetes, mode {}): edit the spec, not this file.\n{}",
            spec.kubernetes.mode.name(),
            yaml::to_string(&to_emit(&o, env.namespace))
        );
        files.insert(path, OutFile { contents: text.into_bytes(), secret: o.secret, from: o.from });
    }
    Ok(files)
}

fn to_emit(o: &Object, namespace: &str) -> Emit {
    let mut meta = vec![("name".to_owned(), Emit::Str(o.name.clone()))];
    if o.namespaced {
        meta.push(("namespace".into(), Emit::Str(namespace.to_owned())));
    }
    meta.push(("labels".into(), string_map(&o.labels)));
    if !o.annotations.is_empty() {
        meta.push(("annotations".into(), string_map(&o.annotations)));
    }
    let mut top = vec![
        ("apiVersion".to_owned(), Emit::Str(o.api_version.into())),
        ("kind".to_owned(), Emit::Str(o.kind.into())),
        ("metadata".to_owned(), Emit::Map(meta)),
    ];
    top.extend(o.body.iter().cloned());
    Emit::Map(top)
}

/// A map of strings.
fn string_map(m: &BTreeMap<String, String>) -> Emit {
    Emit::Map(m.iter().map(|(k, v)| (k.clone(), Emit::Str(v.clone()))).collect())
}

/// A mapping from `(key, value)` pairs.
fn map<const N: usize>(entries: [(&str, Emit); N]) -> Emit {
    Emit::Map(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn s(v: impl Into<String>) -> Emit {
    Emit::Str(v.into())
}

/// A tree read back from a rendered file, to emit again inside an object.
fn tree_to_emit(node: &crate::check::node::SourceNode) -> Emit {
    use crate::check::node::SourceNode as N;
    match node {
        N::Null => Emit::Str(String::new()),
        N::Bool(b) => Emit::Bool(*b),
        N::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Emit::Int(*n as i64),
        N::Number(n) => Emit::Str(n.to_string()),
        N::Str(t) => Emit::Str(t.clone()),
        N::Seq(items) => Emit::Seq(items.iter().map(|i| tree_to_emit(&i.value)).collect()),
        N::Map(entries) => Emit::Map(entries.iter().map(|(k, v)| (k.value.clone(), tree_to_emit(&v.value))).collect()),
    }
}

/// Keys of one Secret holding several secret values, named after the spec's references
/// (`secrets/pagerduty_key` → `pagerduty_key`, `{env: SLACK_URL}` → `SLACK_URL`).
#[derive(Default)]
struct SecretKeys {
    keys: BTreeMap<String, String>,
    by_ref: Vec<(crate::secrets::SecretRef, String)>,
}

impl SecretKeys {
    /// The key of `secret`, reading its value the first time.
    fn key(&mut self, env: &Env, secret: &crate::secrets::SecretRef, what: &str) -> Result<String, RenderError> {
        if let Some((_, k)) = self.by_ref.iter().find(|(r, _)| r == secret) {
            return Ok(k.clone());
        }
        let base = match secret {
            crate::secrets::SecretRef::File(p) => {
                p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
            }
            crate::secrets::SecretRef::Env(v) => v.clone(),
        };
        let base: String =
            base.chars().map(|c| if c.is_ascii_alphanumeric() || "-._".contains(c) { c } else { '_' }).collect();
        let base = if base.is_empty() || base.starts_with('.') { format!("secret{base}") } else { base };
        let mut key = base.clone();
        let mut n = 2;
        while self.keys.contains_key(&key) {
            key = format!("{base}-{n}");
            n += 1;
        }
        let value = match env.values {
            SecretValues::Read => crate::secrets::value(secret, &env.doc.dir, what)?,
            SecretValues::Placeholder => format!("placeholder for {what}"),
        };
        self.keys.insert(key.clone(), value);
        self.by_ref.push((secret.clone(), key.clone()));
        Ok(key)
    }

    fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The Secret object holding them, `stringData` so that it reads as written.
    fn object(self, env: &Env, name: String) -> Object {
        let mut o = env.object("v1", "Secret", name);
        o.body.push(("type".into(), s("Opaque")));
        o.body.push(("stringData".into(), string_map(&self.keys)));
        o.secret = true;
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_dns_labels() {
        assert_eq!(dns_label("shop"), "shop");
        assert_eq!(dns_label("My_Shop.eu"), "my-shop-eu");
        assert_eq!(dns_label("_x_"), "x");
    }

    #[test]
    fn every_object_kind_emitted_has_a_schema_or_is_core() {
        let core = ["v1", "apps/v1", "rbac.authorization.k8s.io/v1"];
        for crd in schema::crds() {
            assert!(!core.contains(&crd.api_version.as_str()), "{}", crd.kind);
        }
        for kind in ["PrometheusRule", "ScrapeConfig", "Probe", "Prometheus", "Alertmanager"] {
            assert!(schema::crd(kind).is_some(), "{kind} has no vendored schema");
        }
    }
}
