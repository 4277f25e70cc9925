//! `monstack check`: upstream conformance data, output formats and exit codes.

use std::path::{Path, PathBuf};

use crate::{monstack, Project};

fn conformance() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/upstream");
    assert!(dir.join("PROVENANCE.md").is_file(), "the upstream test data is missing at {}", dir.display());
    dir
}

struct Row {
    file: String,
    valid: bool,
    flags: Vec<String>,
    message: String,
}

fn rows(suite: &str) -> Vec<Row> {
    let text = std::fs::read_to_string(conformance().join(suite).join("expectations.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            Row {
                file: cols[0].to_owned(),
                valid: cols[1] == "valid",
                flags: cols.get(2).unwrap_or(&"").split_whitespace().map(str::to_owned).collect(),
                message: cols.get(3).unwrap_or(&"").to_string(),
            }
        })
        .collect()
}

/// Runs every row of a suite; returns the rows that disagree with upstream's verdict.
fn run_suite(suite: &str, kind: &str) -> (usize, Vec<String>) {
    let dir = conformance().join(suite);
    let rows = rows(suite);
    let mut disagreements = Vec::new();
    for row in &rows {
        let mut args = vec!["check", "--kind", kind];
        args.extend(row.flags.iter().map(String::as_str));
        args.push(&row.file);
        let run = monstack(&dir, &args);
        let verdict_ok = if row.valid { run.status == 0 } else { run.status == 1 };
        // Prometheus wraps errors found after decoding in "parsing YAML file <path>: ", with the
        // path its own test used; we name the file in each finding's `file:line:col` instead.
        let prefix = format!("parsing YAML file testdata/{}: ", row.file);
        let message_ok = row.valid
            || row.message.is_empty()
            || match row.message.strip_prefix(&prefix) {
                Some(rest) => run.stdout.contains(&format!("{}:", row.file)) && run.stdout.contains(rest),
                None => run.stdout.contains(&row.message),
            };
        if !(verdict_ok && message_ok) {
            disagreements.push(format!(
                "{suite}/{}: expected {}{}, got exit {}\n{}{}",
                row.file,
                if row.valid { "valid" } else { "invalid" },
                if row.message.is_empty() { String::new() } else { format!(" with {:?}", row.message) },
                run.status,
                run.stdout,
                run.stderr
            ));
        }
    }
    (rows.len(), disagreements)
}

#[test]
fn conformance_rules_suite_agrees_with_upstream() {
    let (total, bad) = run_suite("prometheus-rules", "rules");
    crate::require::say(&format!("conformance prometheus-rules: {}/{total} agree", total - bad.len()));
    assert!(total >= 26, "the rules suite has {total} rows");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn conformance_alertmanager_suite_agrees_with_upstream() {
    let (total, bad) = run_suite("alertmanager-config", "alertmanager");
    crate::require::say(&format!("conformance alertmanager-config: {}/{total} agree", total - bad.len()));
    assert!(total >= 43, "the alertmanager suite has {total} rows");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn conformance_prometheus_config_suite_agrees_with_upstream() {
    let (total, bad) = run_suite("prometheus-config", "prometheus");
    crate::require::say(&format!("conformance prometheus-config: {}/{total} agree", total - bad.len()));
    assert!(total >= 190, "the prometheus-config suite has {total} rows");
    assert!(bad.is_empty(), "{} disagreements:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn alertmanager_receiver_templates_are_parsed() {
    // amtool accepts a broken notification template (alertmanager#3490); check does not.
    let p = Project::empty();
    p.write(
        "am.yml",
        "route:\n  receiver: chat\nreceivers:\n  - name: chat\n    slack_configs:\n      - api_url: https://hooks.example/x\n        title: '{{ .CommonLabels.alertname '\n",
    );
    p.run(&["check", "am.yml"])
        .status(1)
        .stdout_has("error[alertmanager/template]: am.yml:7:16")
        .stdout_has("receiver \"chat\"");
    p.write("am.yml", "route:\n  receiver: chat\n  routes:\n    - receiver: chta\nreceivers:\n  - name: chat\n");
    p.run(&["check", "am.yml"])
        .status(1)
        .stdout_has("am.yml:4:17: undefined receiver \"chta\" used in route")
        .stdout_has("did you mean \"chat\"?");
    p.write("am.yml", "route:\n  receiver: x\n  group_wait: 30x\nreceivers:\n  - name: x\n    webhook_configs:\n      - url: http://h/\n        url_file: /f\n");
    let run = p.run(&["check", "am.yml"]);
    run.status(1).stdout_has("not a valid duration string").stdout_has("one of url or url_file must be configured");
}

#[test]
fn prometheus_configs_follow_their_references() {
    let p = Project::empty();
    p.write(
        "prom/prometheus.yml",
        "rule_files: [rules/*.yml, missing.yml]\nscrape_config_files: [jobs/*.yml]\nscrape_configs:\n  - job_name: a\n    bearer_token_file: token\n    file_sd_configs: [{files: [targets/web.json, targets/*.yml]}]\n",
    );
    p.write("prom/rules/r.yml", "groups:\n  - name: g\n    rules:\n      - record: x\n        expr: sum(\n");
    p.write("prom/jobs/j.yml", "scrape_configs:\n  - job_name: a\n");
    p.run(&["check", "prom/prometheus.yml"])
        .status(1)
        .stdout_has("prom/prometheus.yml:1:27: rule file path \"missing.yml\" does not exist")
        .stdout_has("prom/prometheus.yml:5:24: bearer token file \"token\" does not exist")
        .stdout_has("prom/prometheus.yml:6:32: file_sd file \"targets/web.json\" does not exist")
        .stdout_has("prom/rules/r.yml:5:15: could not parse expression")
        .stdout_has("prom/jobs/j.yml:2:15: found multiple scrape configs with job name \"a\", first found in the main config file");
    // `--syntax-only` checks the config alone, as upstream's own tests do.
    p.run(&["check", "--syntax-only", "prom/prometheus.yml"]).status(0);
    // A folder holds files that are not ours: they are skipped, not refused.
    p.write("prom/blackbox.yml", "modules:\n  http_2xx: {prober: http}\n");
    p.run(&["check", "--syntax-only", "prom"]).status(1).stdout_has("in 3 files");
}

#[test]
fn dashboards_are_checked_as_a_set() {
    let p = Project::empty();
    p.write(
        "grafana/provisioning/datasources/ds.yml",
        "apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n    uid: prom\n",
    );
    let panel = |uid: &str, expr: &str| {
        format!(
            "{{\"uid\": \"{uid}\", \"title\": \"Same\", \"panels\": [\n  {{\"id\": 1, \"datasource\": {{\"type\": \"prometheus\", \"uid\": \"prom\"}},\n   \"targets\": [{{\"expr\": \"{expr}\"}}]}}]}}\n"
        )
    };
    p.write("grafana/dashboards/a.json", &panel("a", "sum(rate(x[$__rate_interval]))"));
    p.run(&["check", "grafana"]).status(0).stdout_has("no problems in 1 file");
    p.write("grafana/dashboards/b.json", &panel("a", "sum(rate(x[$__rate_interval])"));
    p.run(&["check", "grafana"])
        .status(1)
        .stdout_has("error[dashboard/uid]: grafana/dashboards/b.json:1:9: dashboard uid \"a\" is also used by `grafana/dashboards/a.json`")
        .stdout_has("error[dashboard/title]: grafana/dashboards/b.json")
        .stdout_has("error[dashboard/expr]: grafana/dashboards/b.json:3:25: could not parse expression");
    p.write(
        "grafana/dashboards/b.json",
        &panel("b", "up").replace("\"prom\"", "\"prometheus\"").replace("Same", "Other"),
    );
    p.run(&["check", "grafana"])
        .status(1)
        .stdout_has("b.json:2:57: datasource uid \"prometheus\" is not provisioned")
        .stdout_has("provisioned: \"prom\"");
    p.write("grafana/dashboards/b.json", "{\"uid\": \"b\",\n  \"title\": }\n");
    p.run(&["check", "grafana"]).status(1).stdout_has("b.json:2:12: invalid JSON: expected value");
}

#[test]
fn lints_warn_and_suppressions_silence_them() {
    let p = Project::empty();
    let rules = "groups:\n  - name: g\n    rules:\n      - alert: Restarts\n        expr: process_restarts_total > 3\n      # monstack: ignore rules/summary paged by name only\n      - alert: Down\n        expr: up == 0\n        labels: {severity: critical}\n      - alert: Down # monstack: ignore rules/summary old until 2001-01-01\n        expr: up == 0\n        labels: {severity: critical}\n";
    p.write("r.yml", rules);
    let run = p.run(&["check", "r.yml"]);
    run.status(0)
        .stdout_has("warning[rules/severity]: r.yml:4:9: alert \"Restarts\" has no `severity` label")
        .stdout_has("warning[rules/summary]: r.yml:4:9: alert \"Restarts\" has no `summary` annotation")
        .stdout_has(
            "warning[rules/counter-comparison]: r.yml:5:15: \"Restarts\" compares the counter `process_restarts_total`",
        )
        .stdout_has("warning[rules/duplicate]: r.yml:10:9: rule \"Down\" is defined 2 times with the same labels (first at line 7)")
        .stdout_has("warning[lint/suppression]: r.yml:10:21: suppression of `rules/summary` expired on 2001-01-01");
    assert!(!run.stdout.contains("r.yml:7:9: alert \"Down\" has no `summary`"), "{}", run.stdout);
    // Warnings fail only when asked to.
    p.run(&["check", "--fail-on", "warning", "r.yml"]).status(1);
}

#[test]
fn project_lints_and_cross_checks() {
    let p = Project::copy_of(&crate::fixtures().join("render/overrides/in"));
    let rules = p.read("alerts/app.yml").replace("sum(queue_depth) > 1000", "sum(rate(jobs_total[20s])) > 1000");
    p.write("alerts/app.yml", &rules);
    p.run(&["check"])
        .status(0)
        .stdout_has("warning[rules/rate-range]")
        .stdout_has("rate() over 20s in \"QueueBacklog\"")
        // Cross-checks: `nobody` has no integration; nothing scrapes the app's metrics.
        // One finding for the alerts that all end at `nobody`, naming the others.
        .stdout_has("warning[project/route]: build/prometheus/rules/alertmanager.yml:12:9: alert \"AlertmanagerNotificationsFailing\" reaches only `nobody`")
        .stdout_has("build/prometheus/rules/node.yml: HostCriticalCpu (line 13), HostCriticalMemory (line 29)")
        .stdout_has("warning[project/metric]: build/prometheus/rules/app.yml:6:15: alert \"QueueBacklog\" reads `jobs_total`");
}

#[test]
fn formats_and_exit_codes() {
    let p = Project::empty();
    p.write(
        "ok/rules.yml",
        "groups:\n  - name: a\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n",
    );
    p.write("bad/rules.yml", "groups:\n  - name: a\n    rules:\n      - record: X\n        expr: sum(\n");
    p.run(&["check", "ok"]).status(0).stdout_has("no problems in 1 file");
    let run = p.run(&["check", "bad", "ok"]);
    run.status(1)
        .stdout_has("error[rules/expr]: bad/rules.yml:5:15: could not parse expression")
        .stdout_has("1 error, 0 warnings in 2 files");
    let run = p.run(&["check", "--format", "json", "bad"]);
    run.status(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["problems"][0]["check"], "rules/expr");
    assert_eq!(v["problems"][0]["line"], 5);
    assert_eq!(v["summary"]["errors"], 1);
    p.run(&["check", "--format", "github", "bad"])
        .status(1)
        .stdout_has("::error file=bad/rules.yml,line=5,col=15,title=rules/expr::could not parse expression");
    p.run(&["check", "--format", "junit", "bad", "ok"])
        .status(1)
        .stdout_has("<testcase classname=\"monstack.check\" name=\"bad/rules.yml\">")
        .stdout_has("<failure type=\"error\" message=\"1 error\">bad/rules.yml:5:15: error[rules/expr]")
        .stdout_has("<testcase classname=\"monstack.check\" name=\"ok/rules.yml\"/>");
    let run = p.run(&["check", "--format", "sarif", "bad"]);
    run.status(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "rules/expr");
    assert_eq!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "bad/rules.yml");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startColumn"], 15);
    p.run(&["check", "missing.yml"]).status(2).stderr_has("failed to read `missing.yml`");
    p.write("prom.yml", "global:\n  scrape_interval: 15s\nscrape_configs: []\nrule_files: []\n");
    p.run(&["check", "prom.yml"]).status(0).stdout_has("no problems in 1 file");
    p.write("what.yml", "foo: 1\n");
    p.run(&["check", "what.yml"]).status(2).stderr_has("cannot tell what `what.yml` is");
}

#[test]
fn project_mode_checks_what_render_would_write() {
    for (name, dir) in crate::render_cases() {
        let p = Project::copy_of(&dir.join("in"));
        let run = p.run(&["check"]);
        assert_eq!(run.status, 0, "{name}: {}{}", run.stdout, run.stderr);
        assert!(!p.path().join("build").exists(), "{name}: check wrote files");
    }
    let p = Project::copy_of(&crate::fixtures().join("render/default/in"));
    p.write("alerts/mine.yml", "groups:\n  - name: mine\n    rules:\n      - alert: Mine\n        expr: up ==\n");
    p.run(&["check"]).status(1).stdout_has("build/prometheus/rules/mine.yml:5:15").stdout_has("rules/expr");
}

#[test]
fn rule_templates_follow_go_grammar_and_errors() {
    // Real-world annotation (issue 14): assigning to a declared variable is Go since 1.11.
    let p = Project::empty();
    let annotation = r#"'{{ $s := "" }}{{ if gt $value 1.0 }}{{ $s = "s" }}{{ end }}{{ $value }} target{{ $s }} down'"#;
    p.write(
        "r.yml",
        &format!("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        annotations:\n          summary: {annotation}\n"),
    );
    p.run(&["check", "r.yml"]).status(0);
    // Go's errors, each where its template is, with Go's message and Go's line in the template.
    let rule = |key: &str, text: &str| {
        format!("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        annotations:\n          {key}: {text}\n")
    };
    // Reported at the annotation's value (a block scalar's starts on its first line).
    for (text, at, says) in [
        ("'{{ $x }}'", "r.yml:7:20", "template: __alert_A:1: undefined variable \"$x\""),
        ("'{{ nosuch 1 }}'", "r.yml:7:20", "function \"nosuch\" not defined"),
        ("'{{ break }}'", "r.yml:7:20", "{{break}} outside {{range}}"),
        ("'{{ end }}'", "r.yml:7:20", "unexpected {{end}}"),
        ("'{{ if 1 }}'", "r.yml:7:20", "unexpected EOF"),
        ("'{{ printf \"%s\" 3`x` }}'", "r.yml:7:20", "unexpected \"`x`\" in operand"),
        ("'{{ 1.E }}'", "r.yml:7:20", "illegal number syntax"),
        ("'{{ \"a\".b }}'", "r.yml:7:20", "unexpected . after term"),
        ("'{{ $labels | 1 }}'", "r.yml:7:20", "non executable command in pipeline stage 2"),
        ("'{{ if 1 }}{{ else }}{{ else }}{{ end }}'", "r.yml:7:20", "expected end; found {{else}}"),
        (
            "|\n            line one\n            {{ $value }}\n            {{ nosuch }}",
            "r.yml:8:13",
            "template: __alert_A:3: function \"nosuch\"",
        ),
    ] {
        p.write("r.yml", &rule("summary", text));
        p.run(&["check", "r.yml"]).status(1).stdout_has(&format!("error[rules/template]: {at}")).stdout_has(says);
    }
}
