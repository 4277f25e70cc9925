//! The blackbox exporter: probes of URLs and TCP addresses, one scrape job per module.

use serde::{Deserialize, Serialize};

use super::{no_secrets, strings, ConfigFolder, Container, Init, Paths, Reload, Scrape, Service, NOBODY};
use crate::spec::values::{HostPort, HttpUrl};
use crate::spec::At;
use crate::spec::Spec;

super::exporter_settings! {
/// `exporters.blackbox`; a present section is enabled unless `enabled: false`.
pub struct Settings {
    /// What to probe.
    #[serde(default)]
    pub probes: Vec<BlackboxProbe>,
}
}

/// One blackbox probe.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BlackboxProbe {
    /// Name, becomes the `probe` label.
    pub name: At<String>,
    /// URL to probe with an `http_*` module.
    #[serde(default)]
    pub url: Option<HttpUrl>,
    /// `host:port` to probe with `tcp_connect`.
    #[serde(default)]
    pub target: Option<HostPort>,
    /// Blackbox module.
    #[serde(default)]
    pub module: ProbeModule,
}

/// Modules of the rendered `blackbox.yml`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
pub enum ProbeModule {
    /// GET, expect a 2xx answer.
    #[default]
    #[serde(rename = "http_2xx")]
    Http2xx,
    /// POST, expect a 2xx answer.
    #[serde(rename = "http_post_2xx")]
    HttpPost2xx,
    /// Open a TCP connection.
    #[serde(rename = "tcp_connect")]
    TcpConnect,
}

impl ProbeModule {
    /// The module's name in `blackbox.yml`.
    pub fn name(self) -> &'static str {
        match self {
            ProbeModule::Http2xx => "http_2xx",
            ProbeModule::HttpPost2xx => "http_post_2xx",
            ProbeModule::TcpConnect => "tcp_connect",
        }
    }
}

/// The blackbox exporter.
pub static SERVICE: Service = Service {
    name: "blackbox",
    image: "prom/blackbox-exporter:v0.27.0",
    port: 9115,
    user: NOBODY,
    ready_path: "/metrics",
    config: Some(ConfigFolder {
        folder: "blackbox",
        mount: Some("/etc/blackbox_exporter"),
        templates: &["blackbox/blackbox.yml"],
        reload: Reload::Http,
    }),
    data: None,
    alerts: Some("blackbox.yml"),
    dashboard: Some("blackbox.json"),
    metrics: &["blackbox_", "go_", "process_", "promhttp_"],
    scrape: Scrape::Network,
    init: Some(Init {
        name: "blackbox",
        about: "probes of URLs from outside",
        settings: &[
            "probes:",
            "  - name: prometheus-health",
            "    url: http://prometheus:9090/-/healthy",
            "    module: http_2xx",
        ],
    }),
    enabled: |spec| settings(spec).and_then(Settings::overrides),
    container,
    secrets: no_secrets,
};

/// The section, if present (enabled or not).
fn settings(spec: &Spec) -> Option<&Settings> {
    spec.exporters.blackbox.as_ref()
}

/// The blackbox exporter's settings, if it runs.
pub fn running(spec: &Spec) -> Option<&Settings> {
    settings(spec).filter(|b| b.enabled)
}

fn container(_: &Spec, _: &Paths, c: &mut Container) {
    c.entrypoint = Some(strings(&["/bin/blackbox_exporter"]));
    c.cmd = strings(&["--config.file=/etc/blackbox_exporter/blackbox.yml"]);
}
