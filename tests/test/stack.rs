//! End-to-end tests of `up`, `status`, `down` against the real Docker daemon, on the images
//! `scripts/build-images` builds from Debian's packages (`scripts/test` builds them first).
//! Every test uses a unique project name and free ports, and removes what it made, even on failure.
//! Without the daemon or the images a test is skipped, or fails in CI (see `require`).

use std::net::TcpListener;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use monstack::probe::Client;

use crate::stack_support::{block_on, free_ports, image, Stack};
use crate::{monstack_env, require};

#[test]
fn up_status_reload_logs_restart_down() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("e2e");
    stack
        .run(&["up", "--wait", "--timeout", "90s"])
        .status(0)
        .stdout_has(&format!("http://127.0.0.1:{}/", stack.prom_port));

    let run = stack.run(&["status", "--json"]);
    run.status(0);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["healthy"], true, "{}", run.stdout);
    let services: Vec<&str> =
        report["services"].as_array().unwrap().iter().map(|s| s["service"].as_str().unwrap()).collect();
    assert_eq!(services, ["prometheus", "alertmanager", "node", "blackbox"]);
    for s in report["services"].as_array().unwrap() {
        assert_eq!(s["state"], "running", "{s}");
        assert_eq!(s["ready"], true, "{s}");
    }
    let jobs: Vec<&str> = report["targets"].as_array().unwrap().iter().map(|t| t["job"].as_str().unwrap()).collect();
    for job in ["prometheus", "alertmanager", "node", "blackbox", "probe_http_2xx"] {
        assert!(jobs.contains(&job), "no target of job {job}: {jobs:?}");
    }
    assert!(report["targets"].as_array().unwrap().iter().all(|t| t["health"] == "up"), "{}", run.stdout);
    let sample_time = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64();

    // A new alert rule: reloaded in place, no container replaced.
    let ids = stack.container_ids();
    stack.project.write(
        "alerts/team.yml",
        "groups:\n  - name: team\n    rules:\n      - alert: TeamRule\n        expr: vector(1) > 2\n",
    );
    stack.run(&["up"]).status(0).stdout_has("reloaded");
    assert_eq!(stack.container_ids(), ids, "containers were replaced for a rule change");
    let probe = Client::new();
    let rules = block_on(probe.rule_names(&stack.base())).unwrap();
    assert!(rules.contains(&"TeamRule".to_owned()), "{rules:?}");

    // A broken rule: `up` refuses before touching anything, says why, and the previous rules stay.
    stack.project.write(
        "alerts/team.yml",
        "groups:\n  - name: team\n    rules:\n      - alert: TeamRule\n        expr: vector(1) >\n",
    );
    let run = stack.run(&["up"]);
    run.status(1).stdout_has("error[rules/expr]").stderr_has("refusing to start");
    assert!(
        stack.project.read("build/prometheus/rules/team.yml").contains("vector(1) > 2"),
        "the rendered rule was replaced"
    );
    let rules = block_on(probe.rule_names(&stack.base())).unwrap();
    assert!(rules.contains(&"TeamRule".to_owned()) && rules.contains(&"TargetDown".to_owned()), "{rules:?}");

    // A config `check` accepts (it knows Prometheus 3) that the pinned Prometheus 2.42 refuses:
    // the reload is refused, `up` says why and exits 1, and the old config keeps running.
    stack.project.write("alerts/team.yml", "groups: []\n");
    stack.break_prometheus_config();
    stack
        .run(&["up"])
        .status(1)
        .stderr_has("`prometheus` refused its new configuration")
        .stderr_has("rule_query_offset");
    assert!(block_on(probe.rule_names(&stack.base())).unwrap().contains(&"TeamRule".to_owned()));
    std::fs::remove_file(stack.project.path().join("templates/prometheus/prometheus.yml")).unwrap();
    std::fs::remove_file(stack.project.path().join("alerts/team.yml")).unwrap();

    // A changed port recreates that container only; a service dropped from the spec goes away.
    let before = stack.container_ids();
    let spec = stack.project.read("monstack.yaml");
    let [am_port] = free_ports::<1>();
    let spec = spec.replace(&format!("  port: {}\ngrafana", stack.am_port), &format!("  port: {am_port}\ngrafana"));
    let spec =
        spec.replace(&format!("  node: {{ image: \"{}\", port: {} }}\n", image("node-exporter"), stack.node_port), "");
    stack.project.write("monstack.yaml", &spec);
    stack
        .run(&["up", "--wait", "--timeout", "90s"])
        .status(0)
        .stdout_has("removing")
        .stdout_has(&format!("http://127.0.0.1:{am_port}/"));
    let after = stack.container_ids();
    let id = |ids: &[(String, String)], s: &str| ids.iter().find(|(svc, _)| svc == s).map(|(_, id)| id.clone());
    assert_ne!(id(&before, "alertmanager"), id(&after, "alertmanager"), "alertmanager was not recreated");
    assert_eq!(id(&before, "prometheus"), id(&after, "prometheus"));
    assert_eq!(id(&before, "blackbox"), id(&after, "blackbox"));
    assert_eq!(id(&after, "node"), None, "the node exporter is still there");
    let ids = after;

    stack.run(&["logs", "prometheus", "--tail", "5"]).status(0).stdout_has("level=");
    stack.run(&["logs", "nosuch"]).status(2).stderr_has("unknown service `nosuch`");
    stack.run(&["restart", "blackbox"]).status(0).stdout_has("restarted");
    assert_eq!(stack.container_ids(), ids, "restart replaced a container");

    // down keeps the data; up again serves what was scraped before.
    stack.run(&["down"]).status(0);
    assert_eq!(stack.leftovers().0, 0, "containers left after down");
    stack.run(&["up", "--wait", "--timeout", "90s"]).status(0);
    let found = block_on(probe.query_count(&stack.base(), "up{job=\"prometheus\"}", sample_time)).unwrap();
    assert_eq!(found, 1, "the sample scraped before `down` is gone");

    stack.run(&["down", "--volumes"]).status(0).stdout_has("removed volume");
    let (containers, network, volumes) = stack.leftovers();
    assert_eq!((containers, network, volumes), (0, false, Vec::<String>::new()));
}

#[test]
fn a_service_that_dies_while_starting_shows_its_last_log_lines() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("crash");
    // Prometheus refuses this config at start-up (promtool would too), so its container exits.
    stack.break_prometheus_config();
    let run = stack.run(&["up", "--timeout", "60s"]);
    run.status(1)
        .stderr_has("`prometheus` exited while starting; its last log lines:")
        .stderr_has("  | ")
        .stderr_has("rule_query_offset");
}

#[test]
fn unreachable_daemon_is_exit_2_with_a_hint() {
    if !require::image_packages() {
        return;
    }
    let stack = Stack::new("nodaemon");
    let run = monstack_env(stack.project.path(), &["up"], &[("DOCKER_HOST", "unix:///nonexistent/monstack.sock")]);
    run.status(2)
        .stderr_has("the Docker daemon is not reachable at `unix:///nonexistent/monstack.sock`")
        .stderr_has("DOCKER_HOST");
    let run = monstack_env(stack.project.path(), &["status"], &[("DOCKER_HOST", "unix:///nonexistent/monstack.sock")]);
    run.status(2).stderr_has("not reachable");
}

#[test]
fn missing_image_with_pull_never_touches_nothing() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("noimage");
    let spec = stack.project.read("monstack.yaml").replace(&image("node-exporter"), "monstack.local/not-built:0.0.1");
    stack.project.write("monstack.yaml", &spec);
    stack
        .run(&["up", "--pull", "never"])
        .status(2)
        .stderr_has("image `monstack.local/not-built:0.0.1` of service `node`")
        .stderr_has("scripts/build-images");
    assert_eq!(stack.leftovers(), (0, false, Vec::new()), "something was created");
}

#[test]
fn taken_port_is_exit_2_naming_it() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("port");
    let holder = TcpListener::bind(("127.0.0.1", stack.prom_port)).unwrap();
    stack
        .run(&["up"])
        .status(2)
        .stderr_has(&format!("port {} on 127.0.0.1 for service `prometheus` is already in use", stack.prom_port));
    assert_eq!(stack.leftovers(), (0, false, Vec::new()), "something was created");
    drop(holder);
}

#[test]
fn status_of_a_stack_that_is_not_up_is_exit_2() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("notup");
    stack.run(&["status"]).status(2).stderr_has("cannot ask Prometheus for its targets");
}

#[test]
fn check_exact_runs_the_pinned_tools() {
    if !require::images() || !require::tool("docker") {
        return;
    }
    // Nothing is started: `--exact` runs throwaway containers that are removed when done.
    let stack = Stack::new("exact");
    stack.run(&["check", "--exact"]).status(0);
    stack.break_prometheus_config();
    stack
        .run(&["check", "--exact"])
        .status(1)
        .stdout_has("error[exact/promtool]: build/prometheus/prometheus.yml: promtool: parsing YAML file build/prometheus/prometheus.yml")
        .stdout_has("rule_query_offset");
    let spec =
        stack.project.read("monstack.yaml").replace(&image("prometheus"), "monstack.local/prometheus:0.0.0-missing");
    stack.project.write("monstack.yaml", &spec);
    stack
        .run(&["check", "--exact"])
        .status(2)
        .stderr_has("image `monstack.local/prometheus:0.0.0-missing` is not present");
    let left = Command::new("docker").args(["ps", "-aq", "--filter", "label=io.monstack.tool=check"]).output().unwrap();
    assert!(String::from_utf8_lossy(&left.stdout).trim().is_empty(), "tool containers were left behind");
    monstack_env(stack.project.path(), &["check", "--exact"], &[("DOCKER_HOST", "tcp://127.0.0.1:1")])
        .status(2)
        .stderr_has("the Docker daemon is not reachable");
}
