//! The node exporter: host CPU, memory, disk and load, read from the host's /proc, /sys and /.

use std::path::Path;

use super::{no_secrets, strings, Container, Init, Paths, Scrape, Service, NOBODY};
use crate::spec::Spec;

super::exporter_settings! {
/// `exporters.node`; a present section is enabled unless `enabled: false`.
pub struct Settings {
}
}

/// The node exporter.
pub static SERVICE: Service = Service {
    name: "node",
    image: "prom/node-exporter:v1.9.1",
    port: 9100,
    user: NOBODY,
    ready_path: "/metrics",
    config: None,
    data: None,
    alerts: Some("node.yml"),
    dashboard: Some("node.json"),
    metrics: &["node_", "go_", "process_", "promhttp_"],
    scrape: Scrape::Network,
    init: Some(Init { name: "node", about: "host CPU, memory, disk, load", settings: &[] }),
    enabled: |spec| spec.exporters.node.as_ref().and_then(Settings::overrides),
    container,
    secrets: no_secrets,
};

fn container(_: &Spec, _: &Paths, c: &mut Container) {
    c.entrypoint = Some(strings(&["/bin/node_exporter"]));
    c.cmd = strings(&["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root"]);
    c.binds = vec![
        (Path::new("/proc").into(), "/host/proc".into()),
        (Path::new("/sys").into(), "/host/sys".into()),
        (Path::new("/").into(), "/host/root".into()),
    ];
}
