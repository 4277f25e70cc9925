//! Findings a person can read at scale (issue #14): the human format shows the findings of one
//! check and cause once with the list of their places, the machine formats keep one entry per
//! place, `--quiet` prints the summary alone. Golden files under `tests/fixtures/check/<case>/`;
//! update them with `UPDATE_GOLDEN=1 cargo test --test test golden` and review the diff.

use std::path::{Path, PathBuf};

use crate::{fixtures, Project};

const FORMATS: [(&str, &str); 5] =
    [("human", "txt"), ("json", "json"), ("github", "txt"), ("junit", "xml"), ("sarif", "json")];

/// A freshly scaffolded project: every bundled alert reaches only the receiver without
/// integrations that `init` writes, so `project/route` warns once per alert.
fn scaffolded() -> Project {
    let p = Project::empty();
    p.run(&["init", "."]).status(0);
    p
}

/// The rule sets of `tests/upstream/kube-prometheus/` in one file, twice (the second time with
/// its groups renamed), as two releases of a mixin merged by hand: one `rules/duplicate` per rule.
fn merged_rules() -> Project {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/upstream/kube-prometheus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut groups = String::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        groups.push_str(text.strip_prefix("groups:\n").unwrap_or_else(|| panic!("{}: not a rule file", f.display())));
    }
    // Group names sit at two spaces (`- name:`, or `  name:` after `- interval:`); rules' deeper.
    let renamed: String = groups
        .lines()
        .map(|l| match l.strip_prefix("- name: ").or_else(|| l.strip_prefix("  name: ")) {
            Some(name) => format!("{}{name}-copy\n", &l[..l.len() - name.len()]),
            None => format!("{l}\n"),
        })
        .collect();
    let p = Project::empty();
    p.write("rules.yml", &format!("groups:\n{groups}{renamed}"));
    p
}

/// Compares `got` with the golden file `case/name`, or writes it when updating.
fn golden(case: &str, name: &str, got: &str, failures: &mut Vec<String>) {
    let path = fixtures().join("check").join(case).join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if want != got {
        let diff = monstack::difftext::diff(&want, got, 2, 30);
        failures.push(format!("{case}/{name} differs (- expected, + got)\n{diff}"));
    }
}

#[test]
fn golden_grouped_findings_in_every_format() {
    let mut failures = Vec::new();
    for (case, project, args) in
        [("scaffolded", scaffolded(), vec!["check"]), ("merged-rules", merged_rules(), vec!["check", "rules.yml"])]
    {
        for (format, ext) in FORMATS {
            let mut run_args = args.clone();
            run_args.extend(["--format", format]);
            let run = project.run(&run_args);
            assert_eq!(run.status, 0, "{case} {format}: warnings do not fail\n{}{}", run.stdout, run.stderr);
            golden(case, &format!("{format}.{ext}"), &run.stdout, &mut failures);
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nrun `UPDATE_GOLDEN=1 cargo test --test test golden` if the change is intended",
        failures.join("\n")
    );
}

/// What each format says about the scaffolded project's `project/route` warnings.
#[test]
fn one_group_for_people_one_entry_per_place_for_ci() {
    let p = scaffolded();
    let human = p.run(&["check"]);
    human.status(0);
    let headers = human.stdout.matches("warning[project/route]").count();
    assert_eq!(headers, 1, "{}", human.stdout);
    let json: serde_json::Value = serde_json::from_str(&p.run(&["check", "--format", "json"]).stdout).unwrap();
    let places = json["problems"].as_array().unwrap().iter().filter(|p| p["check"] == "project/route").count();
    assert!(places > 10, "one entry per alert: {json}");
    assert_eq!(json["summary"]["checks"]["project/route"], places);
    let more = format!("= … and {} more alerts: ", places - 1);
    assert!(human.stdout.contains(&more), "{more:?} in\n{}", human.stdout);
    assert!(human.stdout.contains(&format!("(project/route {places})")), "{}", human.stdout);
    let github = p.run(&["check", "--format", "github"]).stdout;
    assert_eq!(github.matches("title=project/route::").count(), places, "{github}");
    let sarif: serde_json::Value = serde_json::from_str(&p.run(&["check", "--format", "sarif"]).stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.iter().filter(|r| r["ruleId"] == "project/route").count(), places);
    let junit = p.run(&["check", "--format", "junit"]).stdout;
    assert_eq!(junit.matches("warning[project/route]").count(), places, "{junit}");
}

#[test]
fn quiet_prints_the_summary_line_only() {
    let p = merged_rules();
    let run = p.run(&["check", "--quiet", "rules.yml"]);
    run.status(0);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stdout.starts_with("0 errors, "), "{}", run.stdout);
    assert!(run.stdout.contains(" warnings in 1 file (rules/duplicate "), "{}", run.stdout);
    p.run(&["check", "-q", "--fail-on", "warning", "rules.yml"]).status(1);
    p.run(&["check", "--quiet", "--format", "json", "rules.yml"])
        .status(2)
        .stderr_has("`--quiet` prints the human summary line only");
}

#[test]
fn dashboards_in_the_wild() {
    let p = Project::empty();
    let dashboard = r#"{"uid": "w", "title": "Wild", "templating": {"list": [{"name": "job"}, {"name": "Inactive"},
      {"type": "datasource", "name": "logs", "query": "loki"}, {"type": "datasource", "name": "ds", "query": "prometheus"}]},
      "panels": [
        {"id": 1, "type": "graph", "title": "CPU", "targets": [{"expr": "up{job=\"$jobé\"}"}]},
        {"id": 2, "type": "logs", "datasource": {"uid": "${logs}"}, "targets": [{"expr": "{app=\"x\"} | json | line_format \"{{.msg}}\""}]},
        {"id": 3, "type": "stat", "targets": [{"expr": ""}, {"expr": "sum(a) $Inactive on (entity)"}]},
        {"id": 4, "type": "timeseries", "targets": [{"expr": "histogram_quantile(0.9, rate(h_bucket{le=~\"1|5\"}[5m]))"}]}]}"#;
    p.write("d.json", dashboard);
    let run = p.run(&["check", "d.json"]);
    // Nothing is an error; no panic (exit 101) on the multi-byte character after `$job`.
    run.status(0)
        .stdout_has("warning[dashboard/panel-type]: d.json:4:27: panel type `graph` is an AngularJS plugin")
        .stdout_has("change `\"type\": \"graph\"` to `\"type\": \"timeseries\"`")
        .stdout_has("warning[dashboard/expr]: d.json:6:56: target has an empty `expr`")
        .stdout_has("warning[dashboard/expr]: d.json:6:70: could not parse expression")
        .stdout_has("warning[promql/le-integer]: d.json:7:62: `le=~\"1|5\"` in the query of panel 4")
        .stdout_has("write `le=~\"1.0|5.0\"`");
    assert!(!run.stdout.contains("line_format"), "LogQL is not PromQL:\n{}", run.stdout);
    // Real errors stay errors.
    p.write("d.json", &dashboard.replace("$jobé", "$nobodyé").replace("\"id\": 4", "\"id\": 3"));
    p.run(&["check", "d.json"])
        .status(1)
        .stdout_has("error[dashboard/expr]: d.json:4:73: variable `$nobody` is not defined")
        .stdout_has("error[dashboard/panel-id]");
    // An export repeats its input in every panel: one cause.
    let panel = |id: u32| {
        format!(
            r#"{{"id": {id}, "title": "P{id}", "datasource": "${{DS_PROM}}", "targets": [{{"expr": "up{{a=\"$x\"}}"}}]}}"#
        )
    };
    p.write(
        "e.json",
        &format!(r#"{{"uid": "e", "title": "E", "panels": [{}, {}, {}]}}"#, panel(1), panel(2), panel(3)),
    );
    let run = p.run(&["check", "e.json"]);
    run.status(1)
        .stdout_has("= … and 2 more places: \"P2\" (line 1), \"P3\" (line 1)")
        .stdout_has("= … and 2 more panels: \"P2\" (line 1), \"P3\" (line 1)")
        .stdout_has("(dashboard/expr 3, dashboard/inputs 3)");
    assert_eq!(run.stdout.matches("error[dashboard/inputs]").count(), 1, "{}", run.stdout);
    assert_eq!(run.stdout.matches("error[dashboard/expr]").count(), 1, "{}", run.stdout);
}
