//! The README's CI recipes and the repository's pre-commit hooks, read from where users copy
//! them: each must parse as YAML, and every `monstack` command in them must work on the example
//! project, producing what the next step expects (a JUnit report, a SARIF file).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::{Project, Run};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The YAML block that follows `<!-- recipe: NAME -->` in the README, parsed.
fn recipe(name: &str) -> Value {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let marker = format!("<!-- recipe: {name} -->\n```yaml\n");
    let start = readme.find(&marker).unwrap_or_else(|| panic!("README has no recipe `{name}`")) + marker.len();
    let len = readme[start..].find("\n```\n").expect("the recipe's block ends");
    serde_saphyr::from_str(&readme[start..start + len + 1])
        .unwrap_or_else(|e| panic!("recipe `{name}` is not YAML: {e}"))
}

/// The lines of `script` that run monstack.
fn monstack_lines(script: &str) -> Vec<String> {
    script.lines().map(str::trim).filter(|l| l.starts_with("monstack ")).map(str::to_owned).collect()
}

/// Runs a recipe's command line through `sh`, as CI does, with the built binary on `PATH`.
fn sh(dir: &Path, line: &str) -> Run {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_monstack"));
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("sh")
        .args(["-c", line])
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("MONSTACK_DIR")
        .envs(crate::TEST_ENV.iter().copied())
        .output()
        .unwrap();
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The example project with its `build/` rendered, as a repository using the drift gate commits it.
fn example() -> Project {
    let p = Project::copy_of(&repo().join("examples/local"));
    // Before rendering, the drift gate must fail: it is a gate.
    sh(p.path(), "monstack render --check").status(1).stdout_has("would create");
    sh(p.path(), "monstack render").status(0);
    p
}

/// Checks what a command left behind for the CI step after it.
fn outputs_are_usable(dir: &Path, line: &str) {
    if let Some(file) = line.split("> ").nth(1).map(str::trim) {
        let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{line}: no {file}: {e}"));
        if file.ends_with(".xml") {
            assert!(text.starts_with("<?xml") && text.contains("<testsuites"), "{line}: not JUnit: {text}");
        } else if file.ends_with(".sarif") {
            let sarif: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{line}: not JSON: {e}"));
            assert_eq!(sarif["version"], "2.1.0", "{line}");
        }
    }
}

#[test]
fn github_actions_recipe_runs() {
    let workflow = recipe("github");
    let steps = workflow["jobs"]["monstack"]["steps"].as_array().expect("jobs.monstack.steps");
    let lines: Vec<String> = steps.iter().filter_map(|s| s["run"].as_str()).flat_map(monstack_lines).collect();
    for needed in ["--format github", "--format junit", "--format sarif", "render --check"] {
        assert!(lines.iter().any(|l| l.contains(needed)), "no step runs `{needed}`: {lines:?}");
    }
    // The report and upload steps read the files the commands write.
    let with = |uses: &str, key: &str| {
        let step = steps.iter().find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(uses))).expect(uses);
        step["with"][key].as_str().expect(key).to_owned()
    };
    let junit = with("mikepenz/action-junit-report", "report_paths");
    let sarif = with("github/codeql-action/upload-sarif", "sarif_file");
    assert!(lines.iter().any(|l| l.ends_with(&format!("> {junit}"))), "{junit} is not written");
    assert!(lines.iter().any(|l| l.ends_with(&format!("> {sarif}"))), "{sarif} is not written");

    let p = example();
    for line in &lines {
        let run = sh(p.path(), line);
        run.status(0);
        outputs_are_usable(p.path(), line);
        if line.contains("--format github") {
            assert!(run.stdout.lines().all(|l| l.starts_with("::")), "not workflow commands: {}", run.stdout);
        }
    }
}

#[test]
fn gitlab_recipe_runs() {
    let ci = recipe("gitlab");
    let job = &ci["monstack"];
    let lines: Vec<String> = job["script"]
        .as_array()
        .expect("monstack.script")
        .iter()
        .filter_map(Value::as_str)
        .flat_map(monstack_lines)
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    let reports: Vec<&str> = job["artifacts"]["reports"]["junit"]
        .as_array()
        .expect("junit reports")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let p = example();
    for line in &lines {
        sh(p.path(), line).status(0);
        outputs_are_usable(p.path(), line);
    }
    for report in reports {
        assert!(p.path().join(report).is_file(), "the JUnit report {report} is not written");
    }
}

#[test]
fn pre_commit_hooks_run() {
    let text = std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: Value = serde_saphyr::from_str(&text).expect(".pre-commit-hooks.yaml is YAML");
    let hooks = hooks.as_array().expect("a list of hooks");
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["monstack-check", "monstack-render-check"]);
    // The README's .pre-commit-config.yaml names exactly these.
    let config = recipe("pre-commit");
    let used: Vec<&str> =
        config["repos"][0]["hooks"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(used, ids);

    let p = example();
    for hook in hooks {
        assert_eq!(hook["pass_filenames"], false, "{hook}: monstack checks the project, not single files");
        let entry = hook["entry"].as_str().unwrap();
        sh(p.path(), entry).status(0);
        regex::Regex::new(hook["files"].as_str().unwrap()).expect("`files` is a regex");
    }
    // And they bite: a broken rule fails the check hook, a stale build/ the render hook.
    p.write("alerts/broken.yml", "groups:\n  - name: b\n    rules:\n      - alert: B\n        expr: up ==\n");
    sh(p.path(), hooks[0]["entry"].as_str().unwrap()).status(1).stdout_has("rules/expr");
    std::fs::remove_file(p.path().join("alerts/broken.yml")).unwrap();
    p.write("alerts/own.yml", "groups:\n  - name: own\n    rules:\n      - alert: Own\n        expr: up == 0\n");
    sh(p.path(), hooks[1]["entry"].as_str().unwrap()).status(1).stdout_has("would create");
}
