//! The stack's life beyond the happy path, against the real Docker daemon (issue #9): concurrent
//! runs, resources monstack did not make, changes that fail half-way, a wedged daemon, Ctrl-C.
//! Like `stack`, every test uses a unique project and free ports and removes what it made.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use monstack::probe::Client;

use crate::stack_support::{
    block_on, container_state, docker, free_ports, image, interrupt, networks_named, spawn, unique_name, Foreign, Stack,
};
use crate::{monstack_env, require, Project};

const LABEL: &str = "io.monstack.project";

/// A scrape job Prometheus can never scrape: port 1 of its own loopback.
const DEAD_TARGET: &str = "targets:\n  - job: extra\n    targets: [\"127.0.0.1:1\"]\n";

#[test]
fn two_ups_at_once_converge_once_and_leave_one_network() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("race");
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| stack.run(&["up", "--timeout", "60s"]));
        let b = s.spawn(|| stack.run(&["up", "--timeout", "60s"]));
        (a.join().unwrap(), b.join().unwrap())
    });
    a.status(0);
    b.status(0);
    assert_eq!(networks_named(&stack.name).len(), 1, "the project network was created twice");
    assert_eq!(stack.container_ids().len(), 4);
    stack.run(&["up"]).status(0);
    stack.run(&["down"]).status(0);
    assert!(networks_named(&stack.name).is_empty());
}

#[test]
fn a_duplicated_project_network_is_repaired_by_up_and_down() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("dupnet");
    let label = [(LABEL, stack.name.as_str())];
    let _first = Foreign::network(&stack.name, &label);
    let _second = Foreign::network(&stack.name, &label);
    assert_eq!(networks_named(&stack.name).len(), 2, "the daemon refused a second network of one name");
    // The containers find each other by name on the one network left (--wait: every target up).
    stack.run(&["up", "--wait", "--timeout", "90s"]).status(0).stdout_has("removed duplicate network");
    assert_eq!(networks_named(&stack.name).len(), 1);
    let _third = Foreign::network(&stack.name, &label);
    stack.run(&["down"]).status(0);
    assert!(networks_named(&stack.name).is_empty(), "down left a network of the project");
}

#[test]
fn a_taken_port_stops_a_recreate_before_anything_is_touched() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("portmove");
    stack.run(&["up", "--timeout", "60s"]).status(0);
    let node = stack.id_of("node").unwrap();
    let [port] = free_ports::<1>();
    let holder = TcpListener::bind(("127.0.0.1", port)).unwrap();
    stack.edit_spec(&format!("port: {} }}", stack.node_port), &format!("port: {port} }}"));
    stack
        .run(&["up"])
        .status(2)
        .stderr_has(&format!("port {port} on 127.0.0.1 for service `node` is already in use"))
        .stderr_has("= help:");
    assert_eq!(stack.id_of("node").as_ref(), Some(&node), "the working container was replaced");
    assert_eq!(container_state(&node).as_deref(), Some("running"));
    drop(holder);

    // The ports the project itself holds do not count: Prometheus is recreated on its own port.
    let prometheus = stack.id_of("prometheus").unwrap();
    stack.edit_spec("  evaluation_interval: 1s\n", "  evaluation_interval: 1s\n  retention: { time: 2d }\n");
    stack.run(&["up", "--timeout", "60s"]).status(0);
    assert_ne!(stack.id_of("prometheus"), Some(prometheus), "prometheus was not recreated");
}

#[test]
fn a_recreate_that_fails_brings_the_old_container_back() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("rollback");
    stack.run(&["up", "--timeout", "60s"]).status(0);
    let node = stack.id_of("node").unwrap();
    // The blackbox image has no /bin/node_exporter: the new container is created but cannot start.
    let good = format!("image: \"{}\"", image("node-exporter"));
    stack.edit_spec(&good, &format!("image: \"{}\"", image("blackbox-exporter")));
    stack
        .run(&["up", "--timeout", "60s"])
        .status(2)
        .stderr_has("failed to start container")
        .stderr_has("the previous container of `node` is running again");
    assert_eq!(stack.id_of("node").as_ref(), Some(&node), "the old container is gone");
    assert_eq!(container_state(&node).as_deref(), Some("running"));
    assert_eq!(stack.container_ids().len(), 4, "a container was left behind");
    stack.edit_spec(&format!("image: \"{}\"", image("blackbox-exporter")), &good);
    stack.run(&["up", "--timeout", "60s"]).status(0).stdout_has(&format!("unchanged {}-node", stack.name));
}

#[test]
fn a_refused_reload_restores_the_accepted_files_and_restart_waits_for_readiness() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("restore");
    stack.run(&["up", "--timeout", "60s"]).status(0);
    stack.break_prometheus_config();
    stack.run(&["up"]).status(1).stderr_has("`prometheus` refused its new configuration").stderr_has("restored");
    let config = stack.project.read("build/prometheus/prometheus.yml");
    assert!(!config.contains("rule_query_offset"), "the refused config stayed on disk:\n{config}");
    stack.run(&["restart", "prometheus", "--timeout", "60s"]).status(0).stdout_has("restarted");
    assert!(block_on(Client::new().ready(&format!("{}/-/ready", stack.base()))), "prometheus is not ready");

    // A service that does not come back after a restart is exit 1, with its log lines.
    stack
        .project
        .write("build/prometheus/prometheus.yml", &config.replace("global:\n", "global:\n  rule_query_offset: 1m\n"));
    stack
        .run(&["restart", "prometheus", "--timeout", "30s"])
        .status(1)
        .stderr_has("`prometheus`")
        .stderr_has("rule_query_offset");
}

#[test]
fn up_wait_after_adding_a_target_waits_until_prometheus_has_scraped_it() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("newtarget");
    stack.run(&["up", "--wait", "--timeout", "90s"]).status(0);
    let spec = stack.project.read("monstack.yaml");
    stack.project.write("monstack.yaml", &format!("{spec}{DEAD_TARGET}"));
    let started = Instant::now();
    stack.run(&["up", "--wait", "--timeout", "8s"]).status(1).stderr_has("of job `extra`");
    assert!(started.elapsed() >= Duration::from_secs(5), "up --wait judged before Prometheus could know the target");
}

#[test]
fn fixing_a_crash_looping_config_restarts_the_service_and_judges_fresh_logs() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("fixloop");
    stack.break_prometheus_config();
    stack.run(&["up", "--timeout", "60s"]).status(1).stderr_has("rule_query_offset");
    // Docker's restart back-off grows: by now it waits seconds between attempts.
    std::thread::sleep(Duration::from_secs(4));

    // While Prometheus is down, status still shows every service (and says why targets are unknown).
    let run = stack.run(&["status", "--json"]);
    run.status(2).stderr_has("cannot ask Prometheus for its targets");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("status --json prints its report");
    assert_eq!(report["services"].as_array().unwrap().len(), 4, "{}", run.stdout);

    stack.mend_prometheus_config();
    let run = stack.run(&["up", "--timeout", "60s"]);
    run.status(0);
    assert!(!run.stderr.contains("rule_query_offset"), "stale log lines:\n{}", run.stderr);
}

#[test]
fn down_and_up_leave_a_network_they_did_not_create_alone() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("foreignnet");
    let _net = Foreign::network(&stack.name, &[]);
    stack.run(&["down"]).status(0);
    assert_eq!(networks_named(&stack.name).len(), 1, "down removed a network it did not create");
    stack.run(&["up"]).status(2).stderr_has(&format!("network `{}`", stack.name)).stderr_has("not created by monstack");
    assert_eq!(stack.leftovers(), (0, true, Vec::new()), "up created something");
}

/// A unix socket that accepts connections and never answers, as a wedged daemon does.
fn wedged_socket(dir: &std::path::Path) -> String {
    let path = dir.join("wedged.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    format!("unix://{}", path.display())
}

#[test]
fn a_wedged_daemon_is_exit_2_within_seconds() {
    let p = Project::empty();
    p.write("monstack.yaml", "project: wedged\ngrafana: { enabled: false }\n");
    let host = wedged_socket(p.path());
    for args in [&["status"][..], &["down"], &["logs"], &["restart"], &["up"]] {
        let started = Instant::now();
        let run = monstack_env(p.path(), args, &[("DOCKER_HOST", &host)]);
        run.status(2).stderr_has(&format!("the Docker daemon at `{host}` did not answer")).stderr_has("= help:");
        assert!(started.elapsed() < Duration::from_secs(15), "{args:?} took {:?}", started.elapsed());
    }
    let started = Instant::now();
    monstack_env(p.path(), &["up", "--timeout", "1s"], &[("DOCKER_HOST", &host)]).status(2);
    assert!(started.elapsed() < Duration::from_secs(4), "up --timeout 1s took {:?}", started.elapsed());
}

#[test]
fn a_stack_bound_to_ipv6_loopback_is_probed_and_shown_there() {
    if !require::images() {
        return;
    }
    let stack = Stack::bound("v6", "::1");
    stack
        .run(&["up", "--wait", "--timeout", "90s"])
        .status(0)
        .stdout_has(&format!("http://[::1]:{}/", stack.prom_port));
    let run = stack.run(&["status", "--json"]);
    run.status(0);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["services"][0]["url"], format!("http://[::1]:{}/", stack.prom_port), "{}", run.stdout);
}

#[test]
fn status_shows_every_service_when_prometheus_is_down() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("promdown");
    stack.run(&["up", "--wait", "--timeout", "90s"]).status(0);
    let prometheus = stack.id_of("prometheus").unwrap();
    block_on(async { docker().await.stop_container(&prometheus, None).await.unwrap() });

    let run = stack.run(&["status"]);
    run.status(2).stdout_has("SERVICE").stdout_has("exited").stdout_has("unknown").stderr_has("= help:");
    let run = stack.run(&["status", "--json"]);
    run.status(2).stderr_has("cannot ask Prometheus for its targets");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("status --json prints its report");
    assert_eq!(report["healthy"], false);
    let services = report["services"].as_array().unwrap();
    assert_eq!(services.len(), 4, "{}", run.stdout);
    assert_eq!(services[0]["state"], "exited", "{}", run.stdout);
    let targets = report["targets"].as_array().unwrap();
    assert!(targets.iter().any(|t| t["job"] == "node"), "{}", run.stdout);
    for t in targets {
        assert_eq!(t["health"], "unknown", "{t}");
        assert!(t["last_error"].as_str().unwrap().contains("Prometheus"), "{t}");
    }
}

#[test]
fn ctrl_c_exits_130_from_every_command() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("ctrlc");
    stack.run(&["up", "--timeout", "60s"]).status(0);
    let logs = spawn(stack.project.path(), &["logs", "-f", "prometheus"]);
    std::thread::sleep(Duration::from_secs(2));
    let (code, stderr) = interrupt(logs);
    assert_eq!(code, Some(130), "logs -f: {stderr}");

    let spec = stack.project.read("monstack.yaml");
    stack.project.write("monstack.yaml", &format!("{spec}{DEAD_TARGET}"));
    let up = spawn(stack.project.path(), &["up", "--wait", "--timeout", "60s"]);
    std::thread::sleep(Duration::from_secs(4));
    let (code, stderr) = interrupt(up);
    assert_eq!(code, Some(130), "up --wait: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");

    let status = spawn(stack.project.path(), &["status", "--wait", "--timeout", "60s"]);
    std::thread::sleep(Duration::from_secs(2));
    let (code, stderr) = interrupt(status);
    assert_eq!(code, Some(130), "status --wait: {stderr}");
}

#[test]
fn a_foreign_container_in_the_way_is_named_before_anything_is_touched() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("clash");
    let _c = Foreign::container(&format!("{}-node", stack.name), &image("node-exporter"), None);
    stack
        .run(&["up"])
        .status(2)
        .stderr_has(&format!("container `{}-node` is in the way", stack.name))
        .stderr_has("= help:");
    assert_eq!(stack.leftovers(), (0, false, Vec::new()), "up created something");
}

#[test]
fn down_volumes_removes_what_it_can_and_names_what_is_in_use() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("volbusy");
    stack.run(&["up", "--timeout", "60s"]).status(0);
    stack.run(&["down"]).status(0);
    let busy = format!("{}_prometheus", stack.name);
    let user = unique_name("voluser");
    let holder = Foreign::container(&user, &image("node-exporter"), Some(&busy));
    stack
        .run(&["down", "--volumes"])
        .status(2)
        .stdout_has(&format!("removed volume {}_alertmanager", stack.name))
        .stderr_has(&format!("volume `{busy}` is in use by container `{user}`"));
    assert_eq!(stack.leftovers(), (0, false, vec![busy]));
    drop(holder);
    stack.run(&["down", "--volumes"]).status(0);
    assert_eq!(stack.leftovers(), (0, false, Vec::new()));
}

#[test]
fn a_port_held_by_another_project_says_which() {
    if !require::images() {
        return;
    }
    let old = Stack::new("renamed-old");
    old.run(&["up", "--timeout", "60s"]).status(0);
    let new = Stack::new("renamed-new");
    new.edit_spec(
        &format!("  port: {}\n  scrape_interval", new.prom_port),
        &format!("  port: {}\n  scrape_interval", old.prom_port),
    );
    new.run(&["up"])
        .status(2)
        .stderr_has(&format!("held by container `{}-prometheus` of monstack project `{}`", old.name, old.name))
        .stderr_has("monstack down");
    assert_eq!(new.leftovers(), (0, false, Vec::new()), "up created something");
}

#[test]
fn a_bind_address_not_of_this_host_is_not_called_in_use() {
    if !require::images() {
        return;
    }
    // 192.0.2.1 is TEST-NET-1: documentation only, never an address of this host.
    let stack = Stack::bound("foreign-bind", "192.0.2.1");
    stack
        .run(&["up", "--timeout", "20s"])
        .status(2)
        .stderr_has("cannot be published")
        .stderr_has("`192.0.2.1` is not an address of this host");
    assert!(!stack.run(&["up", "--timeout", "20s"]).stderr.contains("already in use"));
    assert_eq!(stack.leftovers(), (0, false, Vec::new()), "up created something");
}

#[test]
fn a_missing_exporter_image_names_its_spec_section() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("section-name");
    stack.edit_spec("node: { image: \"", "node: { image: \"monstack.local/absent-");
    stack.run(&["up", "--pull", "never"]).status(2).stderr_has("set `exporters.node.image` in monstack.yaml");
    assert_eq!(stack.leftovers(), (0, false, Vec::new()), "up created something");
}
