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
    let commands = ["check", "init", "render", "routes", "stack", "up"];
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
    for dir in
        ["check", "spec", "render", "syntax", "services", "project", "promql", "routing", "gotemplate", "kube", "test"]
    {
        for (file, text) in sources(dir) {
            for needle in ["bollard", "crate::stack::engine", "crate::stack::exact", "tokio::"] {
                assert!(!text.contains(needle), "src/{dir}/{file} uses `{needle}`, but {dir}/ works offline");
            }
        }
    }
}

#[test]
fn the_promql_engine_stands_alone() {
    for (file, text) in sources("promql") {
        for module in ["render", "check", "stack", "project", "services", "spec", "commands"] {
            for needle in [format!("crate::{module}::"), format!("crate::{module};")] {
                assert!(
                    !text.contains(&needle),
                    "src/promql/{file} uses `{needle}`, but the engine depends on nothing of monstack"
                );
            }
        }
    }
}

#[test]
fn the_go_template_module_stands_alone() {
    let others = [
        "render", "check", "stack", "project", "services", "spec", "commands", "promql", "syntax", "diag", "probe",
        "secrets", "scaffold", "assets", "fsutil", "paths", "difftext", "cli",
    ];
    for (file, text) in sources("gotemplate") {
        for module in others {
            for needle in [format!("crate::{module}::"), format!("crate::{module};"), format!("crate::{module}}}")] {
                assert!(
                    !text.contains(&needle),
                    "src/gotemplate/{file} uses `{needle}`, but Go templates depend on nothing of monstack"
                );
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

#[test]
fn the_readme_layout_names_every_part_of_src() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme.split("### Layout").nth(1).and_then(|s| s.split("\n### ").next()).expect("a Layout section");
    let named: Vec<&str> = section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .flat_map(|l| l.split('|').nth(1).unwrap_or("").split(", "))
        .map(|p| p.trim().trim_matches('`'))
        .collect();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in std::fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let shown = if entry.file_type().unwrap().is_dir() { format!("src/{name}/") } else { format!("src/{name}") };
        assert!(named.contains(&shown.as_str()), "the README's Layout section does not name `{shown}`");
    }
    for path in named.iter().filter(|p| p.starts_with("src/")) {
        assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(path).exists(), "the README names `{path}`, which is gone");
    }
}
