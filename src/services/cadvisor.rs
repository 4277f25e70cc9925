//! cAdvisor: per-container CPU, memory and throttling, read from the Docker daemon's state.

use std::path::Path;

use super::{no_secrets, Container, Init, Paths, Scrape, Service};
use crate::spec::Spec;

super::exporter_settings! {
/// `exporters.cadvisor`; a present section is enabled unless `enabled: false`.
pub struct Settings {
}
}

/// cAdvisor.
pub static SERVICE: Service = Service {
    name: "cadvisor",
    image: "gcr.io/cadvisor/cadvisor:v0.52.1",
    port: 8080,
    // It reads the Docker daemon's state and cgroups, which needs root.
    user: "0:0",
    ready_path: "/healthz",
    config: None,
    data: None,
    alerts: Some("cadvisor.yml"),
    dashboard: None,
    metrics: &["container_", "machine_", "cadvisor_", "go_", "process_"],
    scrape: Scrape::Network,
    init: Some(Init { name: "cadvisor", about: "per-container metrics", settings: &[] }),
    enabled: |spec| spec.exporters.cadvisor.as_ref().and_then(Settings::overrides),
    container,
    secrets: no_secrets,
};

fn container(_: &Spec, _: &Paths, c: &mut Container) {
    c.binds = ["/", "/var/run", "/sys", "/var/lib/docker"]
        .iter()
        .map(|p| (Path::new(p).into(), if *p == "/" { "/rootfs".into() } else { (*p).to_owned() }))
        .collect();
}
