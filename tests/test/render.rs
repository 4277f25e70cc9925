//! `monstack render`: errors, drift checks, and what it may and may not touch.

use std::os::unix::fs::PermissionsExt;

use crate::{monstack_env, Project};

const BASE: &str = "project: demo\ngrafana:\n  admin_password: { file: secrets/pw }\n";

fn project(extra: &str) -> Project {
    let p = Project::empty();
    p.write("monstack.yaml", &format!("{BASE}{extra}"));
    p
}

/// A bad spec exits 2 with `file:line:col`, the line, what is expected, and writes nothing.
#[track_caller]
fn rejected(extra: &str, at: &str, message: &str) -> String {
    let p = project(extra);
    let run = p.run(&["render"]);
    run.status(2).stderr_has(&format!("error: monstack.yaml:{at}: ")).stderr_has(message);
    assert!(!p.path().join("build").exists(), "an invalid spec must write nothing");
    run.stderr.clone()
}

#[test]
fn unknown_key_suggests_the_nearest() {
    let err = rejected("prometheus:\n  scrape_intervl: 15s\n", "5:3", "unknown field `scrape_intervl`");
    assert!(err.contains("did you mean `scrape_interval`?"), "{err}");
    assert!(err.contains("5 |   scrape_intervl: 15s"), "{err}");
}

#[test]
fn wrong_type_is_rejected() {
    rejected("prometheus:\n  port: [9090]\n", "5:3", "expected a port number from 1 to 65535");
    rejected("alertmanager:\n  enabled: maybe\n", "5:12", "");
}

#[test]
fn bad_duration_is_rejected() {
    let err = rejected("prometheus:\n  scrape_interval: 15 s\n", "5:20", "invalid duration `15 s`");
    assert!(err.contains("expected a Prometheus duration"), "{err}");
}

#[test]
fn timeout_longer_than_interval_is_rejected() {
    rejected("prometheus:\n  scrape_interval: 5s\n  scrape_timeout: 10s\n", "6:19", "longer than `scrape_interval`");
}

#[test]
fn unknown_receiver_is_rejected() {
    let err = rejected(
        "alertmanager:\n  receivers:\n    - name: oncall\n  routes:\n    - match: { severity: critical }\n      receiver: oncal\n",
        "9:17",
        "route names receiver `oncal`, which is not defined",
    );
    assert!(err.contains("did you mean `oncall`?"), "{err}");
}

#[test]
fn duplicate_job_is_rejected() {
    rejected(
        "targets:\n  - job: api\n    targets: [\"api:1\"]\n  - job: api\n    targets: [\"api:2\"]\n",
        "7:10",
        "duplicate job name `api` (first defined at line 5)",
    );
}

#[test]
fn bad_urls_ports_and_inline_secrets_are_rejected() {
    rejected(
        "exporters:\n  blackbox:\n    probes:\n      - { name: x, url: \"ftp://x\" }\n",
        "7:25",
        "invalid URL `ftp://x`",
    );
    rejected("prometheus:\n  port: 0\n", "5:9", "invalid port `0`: expected a number from 1 to 65535");
    let p = Project::empty();
    p.write("monstack.yaml", "project: demo\ngrafana:\n  admin_password: hunter2\n");
    let run = p.run(&["render"]);
    run.status(2).stderr_has("monstack.yaml:3:19: ").stderr_has("secrets are never written inline");
    rejected("prometheus:\n  image: prom/prometheus:latest\n", "5:10", "moving tag `latest`");
}

#[test]
fn several_problems_are_reported_together() {
    let p = project("targets:\n  - job: prometheus\n    targets: [\"a:1\"]\n  - job: x\n    targets: []\n");
    let run = p.run(&["render"]);
    run.status(2)
        .stderr_has("monstack.yaml:5:10: job name `prometheus` is reserved")
        .stderr_has("monstack.yaml:7:10: job `x` has no targets");
}

#[test]
fn grafana_needs_a_password() {
    let p = Project::empty();
    p.write("monstack.yaml", "project: demo\n");
    p.run(&["render"])
        .status(2)
        .stderr_has("grafana is enabled but has no `admin_password`")
        .stderr_has("no default password");
}

#[test]
fn missing_spec_says_how_to_start() {
    let p = Project::empty();
    p.run(&["render"]).status(2).stderr_has("no `monstack.yaml` found").stderr_has("monstack init");
}

#[test]
fn check_reports_drift_without_writing() {
    let p = project("exporters:\n  node: {}\n");
    p.run(&["render", "--check"]).status(1).stdout_has("would create ").stdout_has("prometheus/prometheus.yml");
    assert!(!p.path().join("build").exists());
    p.run(&["render"]).status(0);
    p.run(&["render", "--check"]).status(0).stdout_has("is up to date");
    p.write("monstack.yaml", &format!("{BASE}exporters:\n  node: {{}}\nprometheus:\n  scrape_interval: 30s\n"));
    let before = p.read("build/prometheus/prometheus.yml");
    let run = p.run(&["render", "--check"]);
    run.status(1)
        .stdout_has("would change ")
        .stdout_has("-  scrape_interval: 15s")
        .stdout_has("+  scrape_interval: 30s");
    assert_eq!(p.read("build/prometheus/prometheus.yml"), before, "--check wrote a file");
}

#[test]
fn rerender_removes_only_files_it_wrote() {
    let p = project("exporters:\n  node: {}\n");
    p.run(&["render"]).status(0);
    assert!(p.path().join("build/prometheus/rules/node.yml").exists());
    p.write("build/prometheus/rules/mine.yml", "groups: []\n");
    p.write("monstack.yaml", BASE);
    p.run(&["render"]).status(0).stdout_has("removed");
    assert!(!p.path().join("build/prometheus/rules/node.yml").exists());
    assert!(!p.path().join("build/grafana/dashboards/node.json").exists());
    assert_eq!(p.read("build/prometheus/rules/mine.yml"), "groups: []\n");
}

#[test]
fn refuses_to_overwrite_foreign_files_without_force() {
    let p = project("");
    p.write("build/prometheus/prometheus.yml", "# hand-written\n");
    p.run(&["render"])
        .status(2)
        .stderr_has("refusing to overwrite files render did not write")
        .stderr_has("prometheus.yml");
    assert_eq!(p.read("build/prometheus/prometheus.yml"), "# hand-written\n");
    p.run(&["render", "--force"]).status(0);
    assert!(p.read("build/prometheus/prometheus.yml").contains("scrape_configs:"));
}

#[test]
fn out_folder_and_relative_secret_paths() {
    let p = project(
        "alertmanager:\n  receivers:\n    - name: oncall\n      pagerduty: { routing_key: { file: secrets/pd } }\n",
    );
    p.run(&["render", "--out", "elsewhere/stack"]).status(0);
    let am = p.read("elsewhere/stack/alertmanager/alertmanager.yml");
    assert!(am.contains("routing_key_file: ../../../secrets/pd"), "{am}");
    assert!(!p.path().join("build").exists());
}

#[test]
fn env_secrets_are_written_0600_and_never_inline() {
    let p =
        project("alertmanager:\n  receivers:\n    - name: chat\n      slack: { api_url: { env: MONSTACK_T_SLACK } }\n");
    let run = monstack_env(p.path(), &["render"], &[("MONSTACK_T_SLACK", "https://hooks.example/very-secret")]);
    run.status(0);
    assert!(!run.stdout.contains("very-secret") && !run.stderr.contains("very-secret"));
    let am = p.read("build/alertmanager/alertmanager.yml");
    assert!(am.contains("api_url_file: ../secrets/alertmanager/MONSTACK_T_SLACK"), "{am}");
    assert!(!am.contains("very-secret"));
    let secret = p.path().join("build/secrets/alertmanager/MONSTACK_T_SLACK");
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "https://hooks.example/very-secret");
    assert_eq!(std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777, 0o600);

    let check =
        monstack_env(p.path(), &["render", "--check"], &[("MONSTACK_T_SLACK", "https://hooks.example/rotated")]);
    check.status(1).stdout_has("holds a secret: contents not shown");
    assert!(!check.stdout.contains("rotated") && !check.stdout.contains("very-secret"), "{}", check.stdout);

    let p2 =
        project("alertmanager:\n  receivers:\n    - name: chat\n      slack: { api_url: { env: MONSTACK_T_UNSET } }\n");
    p2.run(&["render"]).status(2).stderr_has("environment variable `MONSTACK_T_UNSET` is not set");
    assert!(!p2.path().join("build").exists());
}

#[test]
fn template_errors_name_the_template_and_line() {
    let p = project("");
    p.write("templates/prometheus/prometheus.yml", "global:\n  scrape_interval: ${{ prometheus.no_such_thing }}\n");
    let run = p.run(&["render"]);
    run.status(2).stderr_has("templates/prometheus/prometheus.yml:2:").stderr_has("undefined");
    assert!(!p.path().join("build").exists());
}

#[test]
fn project_overrides_replace_bundled_files() {
    let p = project("");
    p.write("templates/prometheus/prometheus.yml", "# mine for ${{ project }}\nscrape_configs: []\n");
    p.write(
        "alerts/prometheus.yml",
        "groups:\n  - name: mine\n    rules:\n      - alert: Mine\n        expr: vector(1)\n",
    );
    p.run(&["render"]).status(0);
    assert_eq!(p.read("build/prometheus/prometheus.yml"), "# mine for demo\nscrape_configs: []\n");
    let rules = p.read("build/prometheus/rules/prometheus.yml");
    assert!(rules.contains("alert: Mine") && !rules.contains("TargetDown"), "{rules}");
}

#[test]
fn broken_rule_file_points_into_it() {
    let p = project("");
    p.write("alerts/app.yml", "groups:\n  - name: app\n    rulez: []\n");
    p.run(&["render"])
        .status(2)
        .stderr_has("alerts/app.yml:3:5: invalid rule file produced by this template: unknown field `rulez`");
}

#[test]
fn unknown_alert_names_in_disable_and_overrides_are_rejected() {
    let p = project("alerts:\n  disable: [TargetDwn]\n");
    p.run(&["render"])
        .status(2)
        .stderr_has("monstack.yaml:5:13: alerts.disable names alert `TargetDwn`")
        .stderr_has("did you mean `TargetDown`?");
    let p = project("alerts:\n  overrides:\n    HostHighCpu: { for: 1m }\n");
    // HostHighCpu exists only when the node exporter is enabled.
    p.run(&["render"]).status(2).stderr_has("alerts.overrides names alert `HostHighCpu`");
}

#[test]
fn broken_dashboard_points_at_the_line() {
    let p = project("");
    p.write("dashboards/bad.json", "{\n  \"uid\": \"x\",\n  oops\n}\n");
    p.run(&["render"]).status(2).stderr_has("dashboards/bad.json:3:3: invalid dashboard JSON");
}

#[test]
fn render_refuses_what_check_calls_an_error_and_writes_nothing() {
    let p = project("");
    p.write("secrets/pw", "x\n");
    for (name, rules, check) in [
        ("promql", "groups:\n  - name: own\n    rules:\n      - alert: Broken\n        expr: up ==\n", "rules/expr"),
        (
            "template",
            "groups:\n  - name: own\n    rules:\n      - alert: Broken\n        expr: up == 0\n        annotations:\n          summary: \"{{ $labels.job \"\n",
            "rules/template",
        ),
    ] {
        p.write("alerts/own.yml", rules);
        let run = p.run(&["render"]);
        run.status(2).stderr_has("refusing to render").stdout_has(check).stderr_has("is rendered from `alerts/own.yml`");
        assert!(!p.path().join("build").exists(), "{name}: render wrote files although check finds errors");
        // The drift check gives the same verdict instead of listing what would change.
        p.run(&["render", "--check"]).status(2).stderr_has("refusing to render");
    }
    p.write("alerts/own.yml", "groups:\n  - name: own\n    rules:\n      - alert: Fine\n        expr: up == 0\n");
    p.run(&["render"]).status(0);
}

#[test]
fn nothing_outside_the_project_is_read_because_the_spec_says_so() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("leak.json"), "{\"title\": \"root:x:0:0:leaked\"}").unwrap();
    let leak = outside.path().join("leak.json");
    for (include, at) in [
        (leak.display().to_string(), "is absolute"),
        (
            format!("../{}/leak.json", outside.path().file_name().unwrap().to_string_lossy()),
            "leaves the project folder",
        ),
    ] {
        let p = project(&format!("dashboards:\n  include: [\"{include}\"]\n"));
        p.write("secrets/pw", "x\n");
        for cmd in [&["render"][..], &["check"][..]] {
            let run = p.run(cmd);
            run.status(2).stderr_has("error: monstack.yaml:5:").stderr_has(at);
            assert!(!run.stdout.contains("root:x") && !run.stderr.contains("root:x"), "{cmd:?} printed the file");
        }
        assert!(!p.path().join("build").exists());
    }
    // Through a symlink inside the project.
    let p = project("");
    p.write("secrets/pw", "x\n");
    std::fs::create_dir_all(p.path().join("dashboards")).unwrap();
    std::os::unix::fs::symlink(&leak, p.path().join("dashboards/evil.json")).unwrap();
    for cmd in [&["render"][..], &["check"][..]] {
        let run = p.run(cmd);
        run.status(2).stderr_has("leads outside the project folder");
        assert!(!run.stdout.contains("root:x") && !run.stderr.contains("root:x"), "{cmd:?} printed the file");
    }
    assert!(!p.path().join("build").exists());
    // Secret files too.
    let p = project("");
    p.write("monstack.yaml", "project: demo\ngrafana:\n  admin_password: { file: /etc/shadow }\n");
    p.run(&["render"]).status(2).stderr_has("monstack.yaml:3:").stderr_has("the secret file `/etc/shadow` is absolute");
}

#[test]
fn every_unreadable_secret_is_named_and_check_needs_none_of_them() {
    let p = project(
        "alertmanager:\n  receivers:\n    - name: chat\n      slack: { api_url: { env: MONSTACK_T_UNSET_A } }\n    - name: pager\n      pagerduty: { routing_key: { env: MONSTACK_T_UNSET_B } }\n",
    );
    p.write("secrets/pw", "x\n");
    p.run(&["render"])
        .status(2)
        .stderr_has("2 secrets cannot be read")
        .stderr_has("`MONSTACK_T_UNSET_A` is not set")
        .stderr_has("`MONSTACK_T_UNSET_B` is not set");
    assert!(!p.path().join("build").exists());
    let empty = monstack_env(p.path(), &["render"], &[("MONSTACK_T_UNSET_A", " "), ("MONSTACK_T_UNSET_B", "k")]);
    empty.status(2).stderr_has("environment variable `MONSTACK_T_UNSET_A` is empty");
    // CI checks the project without its secrets.
    p.run(&["check"]).status(0);
    assert!(!p.path().join("build").exists(), "check writes nothing");
}

#[test]
fn image_references_follow_dockers_grammar() {
    rejected("prometheus:\n  image: UPPER/img:1\n", "5:10", "repository names are lowercase");
}

#[test]
fn a_weak_or_missing_grafana_password_is_found() {
    let p = project("");
    // Missing: CI checkouts have no secrets, so only a warning.
    p.run(&["check"]).status(0).stdout_has("warning[project/secret]").stdout_has("does not exist");
    for (text, says) in [("\n", "is empty"), ("admin\n", "Grafana's default, `admin`")] {
        p.write("secrets/pw", text);
        p.run(&["check"]).status(1).stdout_has("error[project/secret]: monstack.yaml:3:").stdout_has(says);
        p.run(&["render"]).status(2).stderr_has("refusing to render");
        assert!(!p.path().join("build").exists());
    }
    p.write("secrets/pw", "a-long-random-password\n");
    p.run(&["check"]).status(0);
}
