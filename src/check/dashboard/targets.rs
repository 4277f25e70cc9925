//! Which kind of datasource each panel target queries, so that only Prometheus targets are read
//! as PromQL: a Loki target's `expr` is LogQL (`{app="x"} | json | line_format …`), an
//! Elasticsearch one's is Lucene. Grafana resolves a target's datasource from the target, then
//! its panel, then the default datasource; a reference may name a `datasource` variable (whose
//! `query` is the type it offers) or an export input (whose `pluginId` is the type).

use std::collections::BTreeMap;

use super::Datasources;
use crate::check::node::{SourceNode, Tree};

/// What a dashboard tells about its datasource references.
#[derive(Debug, Default)]
pub(super) struct Scope {
    /// Datasource variables, by name, with the plugin type they offer (`query`).
    variables: BTreeMap<String, String>,
    /// Export inputs (`__inputs`), by name, with their `pluginId`.
    inputs: BTreeMap<String, String>,
}

impl Scope {
    /// The datasource variables and export inputs of the dashboard `d`.
    pub(super) fn of(d: &SourceNode) -> Scope {
        let mut scope = Scope::default();
        let templating = d.get("templating").map(|t| t.value.items("list")).unwrap_or_default();
        for v in templating {
            let v = &v.value;
            if v.text("type") == "datasource" {
                scope.variables.insert(v.text("name"), v.text("query"));
            }
        }
        for input in d.items("__inputs") {
            let i = &input.value;
            scope.inputs.insert(i.text("name"), i.text("pluginId"));
        }
        scope
    }

    /// The plugin type every datasource variable offers, when there are some and they agree.
    pub(super) fn only_variable_type(&self) -> Option<String> {
        let mut types = self.variables.values().filter(|t| !t.is_empty());
        let first = types.next()?;
        types.all(|t| t == first).then(|| first.clone())
    }
}

/// The plugin type of the datasource that `at` (a target's or panel's `datasource`) names, when
/// it can be told; `None` leaves the choice to the next level.
pub(super) fn reference_type(at: Option<&Tree>, scope: &Scope, ds: &Datasources) -> Option<String> {
    let at = &at?.value;
    let name = match at {
        SourceNode::Str(s) => s.clone(),
        SourceNode::Map(_) => {
            let ty = at.text("type");
            // Grafana writes the mixed pseudo-datasource `{"type": "datasource", "uid": "-- Mixed --"}`:
            // its targets name their own, or use the default.
            if at.text("uid") == "-- Mixed --" {
                return None;
            }
            if !ty.is_empty() && !ty.contains('$') {
                return Some(ty);
            }
            at.text("uid")
        }
        _ => return None,
    };
    if let Some(var) = name.strip_prefix("${").and_then(|v| v.strip_suffix('}')).or_else(|| name.strip_prefix('$')) {
        let var = var.split(':').next().unwrap_or(var);
        return scope.variables.get(var).or_else(|| scope.inputs.get(var)).filter(|t| !t.is_empty()).cloned();
    }
    match name.as_str() {
        "" | "-- Mixed --" => None,
        "-- Grafana --" | "grafana" => Some("grafana".into()),
        "-- Dashboard --" => Some("dashboard".into()),
        "__expr__" => Some("__expr__".into()),
        _ => ds.types.get(&name).cloned(),
    }
}

/// Whether a target whose datasource resolves to `ty` queries Prometheus. An unknown datasource
/// is taken for Prometheus, the one monstack provisions (and Grafana's usual default).
pub(super) fn is_prometheus(ty: Option<&str>) -> bool {
    ty.is_none_or(|ty| ty.contains("prometheus"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope_and_type(dashboard: &str, reference: &str, ds: &Datasources) -> Option<String> {
        let d = crate::check::node::json::parse(dashboard).unwrap();
        let r = crate::check::node::json::parse(reference).unwrap();
        reference_type(Some(&r), &Scope::of(&d.value), ds)
    }

    #[test]
    fn references_resolve_to_plugin_types() {
        let d = r#"{"templating": {"list": [{"type": "datasource", "name": "logs", "query": "loki"}, {"type": "query", "name": "job"}]},
                    "__inputs": [{"name": "DS_ES", "type": "datasource", "pluginId": "elasticsearch"}]}"#;
        let mut ds = Datasources::default();
        ds.add_provisioning("datasources:\n  - name: Logs\n    type: loki\n    uid: lk\n  - name: Prom\n    type: prometheus\n    uid: pm\n    isDefault: true\n");
        assert_eq!(scope_and_type(d, r#"{"type": "loki", "uid": "x"}"#, &ds).as_deref(), Some("loki"));
        assert_eq!(scope_and_type(d, r#"{"uid": "$logs"}"#, &ds).as_deref(), Some("loki"));
        assert_eq!(scope_and_type(d, r#""${logs}""#, &ds).as_deref(), Some("loki"));
        assert_eq!(scope_and_type(d, r#""${DS_ES}""#, &ds).as_deref(), Some("elasticsearch"));
        assert_eq!(scope_and_type(d, r#""Logs""#, &ds).as_deref(), Some("loki"));
        assert_eq!(scope_and_type(d, r#"{"uid": "pm"}"#, &ds).as_deref(), Some("prometheus"));
        assert_eq!(scope_and_type(d, r#""-- Mixed --""#, &ds), None);
        assert_eq!(scope_and_type(d, r#"{"type": "datasource", "uid": "-- Mixed --"}"#, &ds), None);
        assert_eq!(
            scope_and_type(d, r#"{"type": "datasource", "uid": "grafana"}"#, &ds).as_deref(),
            Some("datasource")
        );
        assert_eq!(scope_and_type(d, r#"{"uid": "$job"}"#, &ds), None);
        assert_eq!(scope_and_type(d, "null", &ds), None);
        assert_eq!(ds.default_type.as_deref(), Some("prometheus"));
        assert!(is_prometheus(None) && is_prometheus(Some("prometheus")));
        assert!(!is_prometheus(Some("loki")));
    }
}
