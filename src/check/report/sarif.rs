//! `--format sarif`: SARIF 2.1.0, the format of GitHub code scanning and other analysis viewers.
//! One run of the `monstack` tool; each check that found something is a rule, each finding a
//! result with its file, line and column.

use std::collections::BTreeMap;

use super::{level, Outcome};

/// Paths as SARIF wants them: relative URIs with `/` and spaces escaped.
fn uri(path: &std::path::Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let text = text.strip_prefix("./").unwrap_or(&text);
    text.replace('%', "%25").replace(' ', "%20")
}

pub(super) fn render(o: &Outcome) -> String {
    let mut rules: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &o.problems {
        let next = rules.len();
        rules.entry(p.check.name()).or_insert(next);
    }
    let mut by_index: Vec<&str> = vec![""; rules.len()];
    for (name, i) in &rules {
        by_index[*i] = name;
    }
    let results: Vec<serde_json::Value> = o
        .problems
        .iter()
        .map(|p| {
            let mut region = serde_json::Map::new();
            if let Some(pos) = p.pos {
                region.insert("startLine".into(), pos.line.into());
                region.insert("startColumn".into(), pos.column.into());
            }
            let text = match &p.help {
                Some(h) => format!("{}\nhelp: {h}", p.message),
                None => p.message.clone(),
            };
            let mut location = serde_json::json!({ "artifactLocation": { "uri": uri(&p.file) } });
            if !region.is_empty() {
                location["region"] = serde_json::Value::Object(region);
            }
            serde_json::json!({
                "ruleId": p.check.name(),
                "ruleIndex": rules[p.check.name()],
                "level": level(p.severity),
                "message": { "text": text },
                "locations": [{ "physicalLocation": location }],
            })
        })
        .collect();
    let doc = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "monstack",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": by_index.iter().map(|id| serde_json::json!({
                    "id": id,
                    "shortDescription": { "text": format!("monstack check `{id}`") },
                })).collect::<Vec<_>>(),
            }},
            "artifacts": o.files.iter().map(|(f, _)| serde_json::json!({ "location": { "uri": uri(f) } })).collect::<Vec<_>>(),
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).expect("JSON values serialize") + "\n"
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample;

    #[test]
    fn results_with_rules_and_regions() {
        let v: serde_json::Value = serde_json::from_str(&super::render(&sample())).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "rules/field");
        let r = &run["results"][0];
        assert_eq!(r["ruleId"], "rules/field");
        assert_eq!(r["level"], "error");
        assert_eq!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "r.yml");
        assert_eq!(r["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
    }
}
