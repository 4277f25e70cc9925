//! Dashboards: the bundled ones for enabled components plus the project's, with exported
//! datasource inputs (`${DS_…}`) bound to the provisioned Prometheus datasource.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::assets::{Assets, Source};
use crate::diag::{Diagnostic, Pos};
use crate::spec::Spec;

use super::context::DATASOURCE_UID;
use super::RenderError;

/// Bundled dashboards of the running services and the presets.
fn bundled(spec: &Spec) -> Vec<&'static str> {
    let mut names: Vec<&str> = crate::services::running(spec).iter().filter_map(|r| r.service.dashboard).collect();
    if spec.http.enabled {
        names.push("http.json");
    }
    names
}

/// Collects the dashboards to render: output file name → source.
pub fn collect(spec: &Spec, project_dir: &Path, assets: &Assets) -> Result<BTreeMap<String, Source>, RenderError> {
    let mut out = BTreeMap::new();
    for name in bundled(spec) {
        let rel = format!("dashboards/{name}");
        let source = assets.get(&rel).map_err(|source| RenderError::Io { path: project_dir.join(&rel), source })?;
        if let Some(source) = source {
            out.insert(name.to_owned(), source);
        }
    }
    let mut from: BTreeMap<String, PathBuf> = BTreeMap::new();
    // Symlinks may not lead out of the project: a spec from an untrusted change must not make
    // render copy the machine's files into what Grafana serves.
    let root = project_dir.canonicalize().map_err(|source| RenderError::Io { path: project_dir.to_owned(), source })?;
    for pattern in &spec.dashboards.include {
        let pattern = &pattern.value;
        let full = project_dir.join(pattern);
        let paths = glob::glob(&full.to_string_lossy())
            .map_err(|e| RenderError::Glob { pattern: pattern.clone(), message: e.msg.to_owned() })?;
        let mut paths: Vec<PathBuf> = paths.filter_map(Result::ok).filter(|p| p.is_file()).collect();
        paths.sort();
        for path in paths {
            if !path.canonicalize().is_ok_and(|real| real.starts_with(&root)) {
                return Err(RenderError::Outside { pattern: pattern.clone(), path });
            }
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if let Some(previous) = from.get(&name) {
                if previous != &path {
                    return Err(RenderError::DashboardClash { name, first: previous.clone(), second: path });
                }
                continue;
            }
            let text =
                std::fs::read_to_string(&path).map_err(|source| RenderError::Io { path: path.clone(), source })?;
            let rel = path.strip_prefix(project_dir).unwrap_or(&path).to_string_lossy().into_owned();
            // A project file named like a bundled dashboard replaces it, wherever it was included from.
            out.insert(name.clone(), Source { display: path.clone(), name: rel, text });
            from.insert(name, path);
        }
    }
    Ok(out)
}

/// Parses a dashboard and binds its datasource inputs to the provisioned datasource.
pub fn process(source: &Source) -> Result<String, Box<Diagnostic>> {
    let mut doc: Value = serde_json::from_str(&source.text).map_err(|e| {
        let pos = (e.line() > 0).then(|| Pos { line: e.line() as u64, column: e.column().max(1) as u64 });
        let mut message = e.to_string();
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        Box::new(
            Diagnostic::new(&source.display, &source.text, pos, format!("invalid dashboard JSON: {message}"))
                .with_help("expected a Grafana dashboard JSON model"),
        )
    })?;
    let Some(obj) = doc.as_object_mut() else {
        return Err(Box::new(
            Diagnostic::new(
                &source.display,
                &source.text,
                None,
                "invalid dashboard: the top level is not a JSON object",
            )
            .with_help("expected a Grafana dashboard JSON model"),
        ));
    };
    let mut inputs: BTreeSet<String> = BTreeSet::new();
    if let Some(Value::Array(list)) = obj.remove("__inputs") {
        for input in list {
            let is_ds = input.get("type").and_then(Value::as_str) == Some("datasource");
            if let (true, Some(name)) = (is_ds, input.get("name").and_then(Value::as_str)) {
                inputs.insert(format!("${{{name}}}"));
            }
        }
    }
    // Provisioned dashboards are matched by uid; a stale numeric id would clash in Grafana's database.
    obj.insert("id".into(), Value::Null);
    bind_inputs(&mut doc, &inputs);
    let mut text = serde_json::to_string_pretty(&doc).expect("JSON values serialize");
    text.push('\n');
    Ok(text)
}

fn bind_inputs(v: &mut Value, inputs: &BTreeSet<String>) {
    match v {
        Value::String(s) if inputs.contains(s.as_str()) || (s.starts_with("${DS_") && s.ends_with('}')) => {
            *s = DATASOURCE_UID.to_owned();
        }
        Value::Array(items) => items.iter_mut().for_each(|i| bind_inputs(i, inputs)),
        Value::Object(map) => map.values_mut().for_each(|i| bind_inputs(i, inputs)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exported_inputs_are_bound_to_the_provisioned_uid() {
        let src = Source {
            display: "d.json".into(),
            name: "d.json".into(),
            text: r#"{"__inputs":[{"name":"DS_PROM","type":"datasource","pluginId":"prometheus"}],"id":7,"uid":"x","panels":[{"datasource":{"type":"prometheus","uid":"${DS_PROM}"}},{"datasource":"${DS_PROM}"}]}"#.into(),
        };
        let out: Value = serde_json::from_str(&process(&src).unwrap()).unwrap();
        assert!(out.get("__inputs").is_none());
        assert_eq!(out["id"], Value::Null);
        assert_eq!(out["panels"][0]["datasource"]["uid"], DATASOURCE_UID);
        assert_eq!(out["panels"][1]["datasource"], DATASOURCE_UID);
    }

    #[test]
    fn bad_json_points_at_the_line() {
        let src = Source { display: "d.json".into(), name: "d.json".into(), text: "{\n  \"a\": 1,\n  oops\n}".into() };
        let err = process(&src).unwrap_err().to_string();
        assert!(err.starts_with("d.json:3:3: invalid dashboard JSON"), "{err}");
    }
}
