//! The `exporters` section: the bundled exporters and their settings.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::model::{yes, At};
use super::values::*;

/// Bundled exporters; a section that is absent is disabled.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Exporters {
    /// Host metrics.
    pub node: Option<Exporter>,
    /// Probes of URLs.
    pub blackbox: Option<Blackbox>,
    /// Container metrics.
    pub cadvisor: Option<Exporter>,
    /// PostgreSQL.
    pub postgres: Option<Postgres>,
    /// Redis.
    pub redis: Option<Redis>,
}

/// An exporter with no settings of its own.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Exporter {
    /// Whether it runs.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Image override.
    #[serde(default)]
    pub image: Option<Image>,
    /// Host port override.
    #[serde(default)]
    pub port: Option<Port>,
}

/// The blackbox exporter and its probes.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Blackbox {
    /// Whether it runs.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Image override.
    #[serde(default)]
    pub image: Option<Image>,
    /// Host port override.
    #[serde(default)]
    pub port: Option<Port>,
    /// What to probe.
    #[serde(default)]
    pub probes: Vec<Probe>,
}

/// One blackbox probe.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
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

/// The PostgreSQL exporter.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Postgres {
    /// Whether it runs.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Image override.
    #[serde(default)]
    pub image: Option<Image>,
    /// Host port override.
    #[serde(default)]
    pub port: Option<Port>,
    /// File holding the connection string (`postgresql://user:pass@host:5432/db`).
    #[serde(default)]
    pub dsn_file: Option<At<PathBuf>>,
}

/// The Redis exporter.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Redis {
    /// Whether it runs.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Image override.
    #[serde(default)]
    pub image: Option<Image>,
    /// Host port override.
    #[serde(default)]
    pub port: Option<Port>,
    /// Redis address, `host:port`.
    #[serde(default)]
    pub address: Option<HostPort>,
    /// Redis password.
    #[serde(default)]
    pub password: Option<SecretRef>,
}
