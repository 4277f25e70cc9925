//! The service registry: every entry, enabled the way `init --with` enables it, renders its
//! scrape job, rules and dashboard, and plans a container with its image, user, port, mounts and
//! secrets. Driven by the registry itself, so a new exporter is covered without editing this file.

use std::path::Path;

use monstack::services::{self, Delivery, Scrape};
use monstack::spec::Spec;

use crate::Project;

/// A project with every exporter and preset `init` offers, and the secret files it names.
fn everything() -> Project {
    let p = Project::empty();
    let with = services::init_names().join(",");
    p.run(&["init", "all", "--with", &with]).status(0);
    p.write("all/secrets/postgres_dsn", "postgresql://u:p@db:5432/x\n");
    p
}

#[test]
fn every_registry_entry_renders_plans_and_is_scraped() {
    let p = everything();
    let dir = p.path().join("all");
    let (spec, _) = Spec::load(&dir).unwrap();
    let running = services::running(&spec);
    assert_eq!(
        running.len(),
        services::ALL.len(),
        "`init --with {:?}` should enable every service",
        services::init_names()
    );

    p.run(&["render", "-C", "all"]).status(0);
    let prometheus = std::fs::read_to_string(dir.join("build/prometheus/prometheus.yml")).unwrap();
    let plan = monstack::stack::plan(&spec, &dir, &dir.join("build"));
    for r in &running {
        let s = r.service;
        // Scraped: a job of its name targets the address Prometheus reaches it at.
        let job = format!("job_name: {}\n", s.name);
        let at = prometheus.find(&job).unwrap_or_else(|| panic!("no scrape job `{}`:\n{prometheus}", s.name));
        let target = match s.scrape {
            Scrape::Network => format!("{}:{}", s.name, s.port),
            Scrape::Loopback => format!("localhost:{}", s.port),
        };
        let next_job = prometheus[at + job.len()..].find("job_name:").map_or(prometheus.len(), |i| at + job.len() + i);
        assert!(prometheus[at..next_job].contains(&target), "job `{}` does not target {target}", s.name);
        // Its bundled rules and dashboard are rendered.
        if let Some(alerts) = s.alerts {
            assert!(dir.join("build/prometheus/rules").join(alerts).is_file(), "{}: rules {alerts} missing", s.name);
        }
        if let Some(dashboard) = s.dashboard {
            assert!(dir.join("build/grafana/dashboards").join(dashboard).is_file(), "{}: {dashboard} missing", s.name);
        }
        for t in s.config.iter().flat_map(|c| c.templates) {
            assert!(dir.join("build").join(t).is_file(), "{}: config {t} missing", s.name);
        }
        // Planned: one container with the service's settings.
        let c =
            plan.containers.iter().find(|c| c.service == s.name).unwrap_or_else(|| panic!("{} not planned", s.name));
        assert_eq!(c.name, format!("all-{}", s.name));
        assert_eq!(c.image, s.image);
        assert_eq!(c.user, s.user);
        assert_eq!(c.ready_path, s.ready_path);
        assert_eq!((c.ports[0].host_ip.as_str(), c.ports[0].container_port), ("127.0.0.1", s.port));
        if let Some(mount) = s.config.and_then(|c| c.mount) {
            let m = c
                .mounts
                .iter()
                .find(|m| m.target == mount)
                .unwrap_or_else(|| panic!("{}: {mount} not mounted", s.name));
            assert!(m.read_only && Path::new(&m.source).ends_with(s.config.unwrap().folder));
        }
        assert_eq!(c.mounts.iter().any(|m| Some(m.target.as_str()) == s.data), s.data.is_some(), "{}", s.name);
        // Every secret it reads reaches it as a file, never through the environment.
        for used in (s.secrets)(&spec) {
            let target = match used.how {
                Delivery::File { target } | Delivery::Derived { target, .. } => target,
                Delivery::Config => continue,
            };
            let placed = c.secrets.iter().find(|x| x.target == target);
            let placed = placed.unwrap_or_else(|| panic!("{}: secret of {} not placed at {target}", s.name, used.what));
            assert!(placed.source.is_file(), "{}: {} does not exist", s.name, placed.source.display());
        }
        assert!(c.env.iter().all(|e| !e.contains("postgresql://u:p@")), "{}: a secret in the environment", s.name);
    }
}

#[test]
fn the_redis_password_reaches_the_exporter_as_its_password_file() {
    let p = everything();
    let spec = p.read("all/monstack.yaml").replace(
        "    address: \"redis:6379\"\n",
        "    address: \"redis:6379\"\n    password: { file: secrets/redis_password }\n",
    );
    p.write("all/monstack.yaml", &spec);
    p.write("all/secrets/redis_password", "s3cret\n");
    p.run(&["render", "-C", "all"]).status(0);
    let file = p.path().join("all/build/secrets/redis/passwords.json");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "{\"redis://redis:6379\":\"s3cret\"}\n");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);

    let dir = p.path().join("all");
    let (spec, _) = Spec::load(&dir).unwrap();
    let plan = monstack::stack::plan(&spec, &dir, &dir.join("build"));
    let redis = plan.containers.iter().find(|c| c.service == "redis").unwrap();
    assert!(redis.env.contains(&"REDIS_PASSWORD_FILE=/run/secrets/redis_passwords.json".to_owned()), "{:?}", redis.env);
    assert!(redis.secrets.iter().any(|s| s.source == file && s.target == "/run/secrets/redis_passwords.json"));
    assert!(redis.env.iter().chain(redis.labels.values()).all(|v| !v.contains("s3cret")));
}
