//! The architecture holds: commands never import each other, offline modules never reach Docker,
//! and a spec is refused where it is wrong rather than where its rendered output breaks.

use std::path::Path;

use crate::Project;

fn sources(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    crate::files_below(&root)
        .into_iter()
        .filter(|rel| rel.extension().is_some_and(|e| e == "rs"))
        .map(|rel| (rel.display().to_string(), std::fs::read_to_string(root.join(&rel)).unwrap()))
        .collect()
}

#[test]
fn commands_never_import_each_other() {
    let commands = ["check", "init", "render", "stack", "up"];
    for (file, text) in sources("commands") {
        for c in commands {
            for needle in [format!("super::{c}::"), format!("commands::{c}::")] {
                assert!(
                    !text.contains(&needle),
                    "src/commands/{file} uses `{needle}`: move the shared part below the commands"
                );
            }
        }
    }
}

#[test]
fn offline_modules_never_reach_docker() {
    for dir in ["check", "spec", "render", "syntax", "services", "project"] {
        for (file, text) in sources(dir) {
            for needle in ["bollard", "crate::stack::engine", "crate::stack::exact", "tokio::"] {
                assert!(!text.contains(needle), "src/{dir}/{file} uses `{needle}`, but {dir}/ works offline");
            }
        }
    }
}

#[test]
fn a_bad_route_matcher_is_refused_at_its_spec_line_and_nothing_is_written() {
    let p = Project::empty();
    p.write(
        "monstack.yaml",
        "project: demo\ngrafana: { enabled: false }\nalertmanager:\n  receivers: [{ name: team, webhook: { url: \"http://hook:8080/\" } }]\n  routes:\n    - receiver: team\n      matchers: ['severity=~\"((\"']\n",
    );
    p.run(&["render"])
        .status(2)
        .stderr_has("monstack.yaml:7:")
        .stderr_has("invalid matcher `severity=~\"((\"`")
        .stderr_has("unclosed group");
    assert!(!p.path().join("build").exists(), "render wrote files for an invalid spec");
    p.run(&["check"]).status(2).stderr_has("monstack.yaml:7:");
}
