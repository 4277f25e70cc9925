//! Snapshots of the Docker plan for the render fixture cases (Grafana included), plus the
//! security defaults every plan must keep. Update with `UPDATE_GOLDEN=1 cargo test --test test plan`.

use std::path::Path;

use monstack::spec::Spec;
use monstack::stack::plan::MountKind;

use crate::render_cases;

fn plan_of(case_dir: &Path) -> monstack::stack::StackPlan {
    let path = case_dir.join("in/monstack.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let spec = Spec::parse(&path, &text).unwrap();
    monstack::stack::plan(&spec, Path::new("/project"), Path::new("/project/build"))
}

#[test]
fn plan_snapshots() {
    let updating = std::env::var_os("UPDATE_GOLDEN").is_some();
    for (name, dir) in render_cases() {
        let text = serde_json::to_string_pretty(&plan_of(&dir)).unwrap() + "\n";
        let snapshot = dir.join("plan.json");
        if updating {
            std::fs::write(&snapshot, &text).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&snapshot).unwrap_or_default();
        if text != expected {
            let diff = monstack::difftext::diff(&expected, &text, 2, 40);
            panic!("{name}: the plan differs from {} (- expected, + now)\n{diff}\nrun `UPDATE_GOLDEN=1 cargo test --test test plan` if intended", snapshot.display());
        }
    }
}

#[test]
fn plans_keep_the_security_defaults() {
    for (name, dir) in render_cases() {
        let plan = plan_of(&dir);
        assert!(plan.containers.iter().any(|c| c.service == "grafana"), "{name}: no grafana in the plan");
        for c in &plan.containers {
            if c.service != "cadvisor" {
                assert!(!c.user.starts_with("0:") && !c.user.is_empty(), "{name}/{}: runs as root", c.service);
            }
            for p in &c.ports {
                assert_eq!(p.host_ip, "127.0.0.1", "{name}/{}: port published beyond loopback", c.service);
            }
            for m in &c.mounts {
                if m.kind == MountKind::Bind {
                    assert!(m.read_only, "{name}/{}: bind mount {} is writable", c.service, m.target);
                }
            }
            assert!(
                c.env.iter().all(|e| !e.contains("fake-")),
                "{name}/{}: a secret value is in the environment",
                c.service
            );
            assert_eq!(c.name, format!("{}-{}", plan.project, c.service));
            assert_eq!(c.labels["io.monstack.project"], plan.project);
            assert_eq!(c.labels["io.monstack.config-hash"].len(), 16);
        }
        let prom = plan.containers.iter().find(|c| c.service == "prometheus").unwrap();
        assert!(prom.cmd.contains(&"--web.enable-lifecycle".to_owned()));
        assert!(prom.cmd.iter().any(|a| a.starts_with("--storage.tsdb.retention.time=")));
        assert!(prom.cmd.iter().any(|a| a.starts_with("--web.external-url=")));
        let grafana = plan.containers.iter().find(|c| c.service == "grafana").unwrap();
        assert!(grafana
            .env
            .iter()
            .any(|e| e == "GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana_admin_password"));
        assert_eq!(
            plan.volumes,
            [
                format!("{}_prometheus", plan.project),
                format!("{}_alertmanager", plan.project),
                format!("{}_grafana", plan.project)
            ]
        );
    }
}

#[test]
fn config_hash_changes_with_the_image_only_for_that_service() {
    let (_, dir) = render_cases().into_iter().next().unwrap();
    let path = dir.join("in/monstack.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let a = monstack::stack::plan(&Spec::parse(&path, &text).unwrap(), Path::new("/p"), Path::new("/p/build"));
    let changed = text.replace("prom/node-exporter:v1.9.1", "prom/node-exporter:v1.9.2");
    assert_ne!(changed, text);
    let b = monstack::stack::plan(&Spec::parse(&path, &changed).unwrap(), Path::new("/p"), Path::new("/p/build"));
    for (x, y) in a.containers.iter().zip(&b.containers) {
        let same = x.labels["io.monstack.config-hash"] == y.labels["io.monstack.config-hash"];
        assert_eq!(same, x.service != "node", "{}", x.service);
    }
}

#[test]
fn a_plan_bound_to_ipv6_loopback_publishes_and_addresses_it_in_brackets() {
    let text = "project: v6\nbind: \"::1\"\ngrafana: { enabled: false }\n";
    let spec = Spec::parse(Path::new("monstack.yaml"), text).unwrap();
    let plan = monstack::stack::plan(&spec, Path::new("/project"), Path::new("/project/build"));
    let prometheus = &plan.containers[0];
    assert_eq!(prometheus.ports[0].host_ip, "::1");
    assert!(prometheus.cmd.contains(&"--web.external-url=http://[::1]:9090/".to_owned()), "{:?}", prometheus.cmd);
    assert_eq!(prometheus.base_url(), "http://[::1]:9090");
}
