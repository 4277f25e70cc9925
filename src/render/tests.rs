//! The bundled alerts' unit tests (`alerts/tests/<component>.yml`, beside the rules they test),
//! rendered as the rules are: with the project's thresholds, and with an `alerts` map of each
//! rendered alert's effective `for` (`for`, `for_minutes`), `severity` and labels (`exp_labels`,
//! YAML flow entries), so that they test the project's configuration.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{rule_sources, rules, Assets, Context, RenderError, Rendered, Templates};
use crate::spec::{Document, Spec};

/// Where a bundled rule file's tests are: `alerts/node.yml` → `alerts/tests/node.yml`.
pub fn tests_of(rule_source: &str) -> Option<String> {
    rule_source.strip_prefix("alerts/").map(|name| format!("alerts/tests/{name}"))
}

/// Milliseconds of a Prometheus duration (0 when it does not parse).
fn millis(d: &str) -> u64 {
    d.parse::<crate::syntax::Duration>().map_or(0, |d| d.millis())
}

/// The test files of the bundled rule files this project renders (and does not replace), as
/// (path shown, text). A project file `alerts/tests/<component>.yml` replaces the bundled one.
pub fn bundled_tests(
    spec: &Spec,
    doc: &Document,
    out_dir: &Path,
    files: &Rendered,
) -> Result<Vec<(PathBuf, String)>, RenderError> {
    let assets = Assets::new(&doc.dir);
    let engine = Templates::new();
    let out_dir = crate::paths::absolute(out_dir);
    let ctx = minijinja::Value::from(minijinja::value::Serde(&Context::new(spec, &doc.dir, &out_dir)));
    let get = |rel: &str| assets.get(rel).map_err(|source| RenderError::Io { path: doc.dir.join(rel), source });
    let mut out = Vec::new();
    for rel in rule_sources(spec) {
        let Some(rules_source) = get(&rel)? else { continue };
        // The project replaced these rules: the bundled tests no longer describe them.
        if !rules_source.display.starts_with("<bundled>") {
            continue;
        }
        let Some(test_rel) = tests_of(&rel) else { continue };
        let Some(source) = get(&test_rel)? else { continue };
        let stem = Path::new(&rel).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let mut alerts: BTreeMap<String, minijinja::Value> = BTreeMap::new();
        if let Some(file) = files.get(&format!("prometheus/rules/{stem}.yml")) {
            let text = String::from_utf8_lossy(&file.contents);
            let parsed = rules::parse(&rules_source, &text)?;
            for rule in parsed.groups.iter().flatten().flat_map(|g| g.rules.iter().flatten()) {
                let Some(name) = &rule.alert else { continue };
                let for_ = rule.for_.clone().unwrap_or_else(|| "0s".into());
                let labels: Vec<(&String, &String)> = rule.labels.iter().flat_map(|l| l.iter()).collect();
                let severity = labels.iter().find(|(k, _)| *k == "severity").map(|(_, v)| (*v).clone());
                // The rule's own labels as YAML flow entries, overrides included, for `exp_labels`.
                let exp_labels: Vec<String> = labels
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", serde_json::to_string(v).unwrap_or_default()))
                    .collect();
                let for_minutes = millis(&for_).div_ceil(60_000);
                alerts.insert(
                    name.clone(),
                    minijinja::context! {
                        for => for_,
                        for_minutes => for_minutes,
                        severity => severity.unwrap_or_default(),
                        exp_labels => exp_labels.join(", "),
                    },
                );
            }
        }
        let value = minijinja::context! { alerts => alerts, ..ctx.clone() };
        let text = engine.render(&source, &value)?;
        out.push((source.display.clone(), text));
    }
    Ok(out)
}
