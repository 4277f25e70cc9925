//! The typed model of `monstack.yaml`. Every section rejects unknown keys; defaults live here.
//!
//! Serde derives the parser; [`super::validate`] adds the checks that span several fields.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use serde_saphyr::{Location, Spanned};

use super::alertmanager::Alertmanager;
use super::exporters::Exporters;
use super::values::*;

/// A value with its position in `monstack.yaml`.
pub type At<T> = Spanned<T>;

/// Wraps a default value that has no position in the file.
pub fn unplaced<T>(value: T) -> At<T> {
    Spanned::new(value, Location::UNKNOWN, Location::UNKNOWN)
}

pub(crate) fn yes() -> bool {
    true
}

pub(super) fn image(s: &str) -> Image {
    s.parse().expect("built-in image references are pinned")
}

/// The whole stack.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Names containers (`<project>-<service>`), the network and volumes.
    pub project: ProjectName,
    /// Address host ports are published on.
    #[serde(default = "loopback")]
    pub bind: IpAddr,
    /// The Prometheus server.
    #[serde(default)]
    pub prometheus: Prometheus,
    /// Alertmanager and its routing.
    #[serde(default)]
    pub alertmanager: Alertmanager,
    /// Grafana and its provisioning.
    #[serde(default)]
    pub grafana: Grafana,
    /// Bundled exporters.
    #[serde(default)]
    pub exporters: Exporters,
    /// The user's own scrape jobs.
    #[serde(default)]
    pub targets: Vec<Target>,
    /// RED alerts and dashboard for the user's HTTP services.
    #[serde(default)]
    pub http: HttpPreset,
    /// Tuning of the bundled alert rules.
    #[serde(default)]
    pub alerts: Alerts,
    /// Which dashboard files to provision besides the bundled ones.
    #[serde(default)]
    pub dashboards: Dashboards,
    /// How `render --target kubernetes` emits the project.
    #[serde(default)]
    pub kubernetes: super::kubernetes::Kubernetes,
}

fn loopback() -> IpAddr {
    IpAddr::from([127, 0, 0, 1])
}

/// The Prometheus server.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Prometheus {
    /// Image, pinned.
    pub image: Image,
    /// Host port of the web UI and API.
    pub port: Port,
    /// Default scrape interval.
    pub scrape_interval: At<Duration>,
    /// Default scrape timeout; at most the interval.
    pub scrape_timeout: At<Duration>,
    /// How often rules are evaluated.
    pub evaluation_interval: Duration,
    /// How long and how much data is kept.
    pub retention: Retention,
    /// Labels added to every series and alert leaving this server.
    pub external_labels: BTreeMap<LabelName, String>,
    /// Remote storage to send samples to.
    pub remote_write: Vec<RemoteWrite>,
}

impl Default for Prometheus {
    fn default() -> Self {
        Prometheus {
            image: image(crate::services::prometheus::SERVICE.image),
            port: Port(9090),
            scrape_interval: unplaced("15s".parse().expect("valid")),
            scrape_timeout: unplaced("10s".parse().expect("valid")),
            evaluation_interval: "15s".parse().expect("valid"),
            retention: Retention::default(),
            external_labels: BTreeMap::new(),
            remote_write: Vec::new(),
        }
    }
}

/// TSDB retention.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Retention {
    /// Age after which data is deleted.
    pub time: Option<Duration>,
    /// Size after which the oldest data is deleted.
    pub size: Option<Size>,
}

impl Default for Retention {
    fn default() -> Self {
        Retention { time: Some("15d".parse().expect("valid")), size: None }
    }
}

/// One remote-write endpoint.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteWrite {
    /// Endpoint URL.
    pub url: HttpUrl,
    /// Name shown in metrics and logs.
    #[serde(default)]
    pub name: Option<String>,
    /// Basic authentication.
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// Bearer token.
    #[serde(default)]
    pub bearer_token: Option<SecretRef>,
}

/// HTTP basic authentication with a password given by reference.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// User name.
    pub username: String,
    /// Password.
    pub password: SecretRef,
}

/// Grafana.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Grafana {
    /// Whether the stack runs Grafana.
    pub enabled: bool,
    /// Image, pinned.
    pub image: Image,
    /// Host port.
    pub port: Port,
    /// Admin user name.
    pub admin_user: String,
    /// Admin password; there is no default password.
    pub admin_password: Option<At<SecretRef>>,
}

impl Default for Grafana {
    fn default() -> Self {
        Grafana {
            enabled: true,
            image: image(crate::services::grafana::SERVICE.image),
            port: Port(3000),
            admin_user: "admin".into(),
            admin_password: None,
        }
    }
}

/// One user scrape job.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Job name, unique.
    pub job: At<String>,
    /// `host:port` addresses.
    pub targets: Vec<HostPort>,
    /// Path of the metrics endpoint.
    #[serde(default)]
    pub metrics_path: Option<At<String>>,
    /// `http` or `https`.
    #[serde(default)]
    pub scheme: Option<Scheme>,
    /// Interval override.
    #[serde(default)]
    pub scrape_interval: Option<Duration>,
    /// Timeout override.
    #[serde(default)]
    pub scrape_timeout: Option<At<Duration>>,
    /// Labels added to every series of this job.
    #[serde(default)]
    pub labels: BTreeMap<LabelName, String>,
}

/// Scrape scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

/// The HTTP RED preset.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpPreset {
    /// Whether its rules and dashboard are rendered.
    pub enabled: bool,
    /// Jobs to cover; empty means every job exposing the metrics.
    pub jobs: Vec<At<String>>,
    /// Label of `http_requests_total` holding the status code.
    pub status_label: LabelName,
}

impl Default for HttpPreset {
    fn default() -> Self {
        HttpPreset { enabled: false, jobs: Vec::new(), status_label: "code".parse().expect("valid") }
    }
}

/// Tuning of the bundled alert rules.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Alerts {
    /// Thresholds used by the bundled rules.
    pub thresholds: Thresholds,
    /// Alerts not to render.
    pub disable: Vec<At<String>>,
    /// Per-alert changes.
    pub overrides: BTreeMap<String, At<AlertOverride>>,
}

/// A change to one bundled alert.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AlertOverride {
    /// New `for` window.
    #[serde(default, rename = "for")]
    pub for_: Option<Duration>,
    /// New severity.
    #[serde(default)]
    pub severity: Option<AlertSeverity>,
    /// Labels to add or replace.
    #[serde(default)]
    pub labels: BTreeMap<LabelName, String>,
}

/// Thresholds of the bundled alerts.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// CPU busy percent for a warning.
    pub cpu_warning_percent: f64,
    /// CPU busy percent for a page.
    pub cpu_critical_percent: f64,
    /// Memory used percent for a warning.
    pub memory_warning_percent: f64,
    /// Memory used percent for a page.
    pub memory_critical_percent: f64,
    /// Free disk percent below which a filling disk warns.
    pub disk_free_warning_percent: f64,
    /// Hours ahead a disk predicted full warns.
    pub disk_full_hours: u32,
    /// 15-minute load per CPU for a warning.
    pub load_per_cpu: f64,
    /// Probe duration in seconds considered slow.
    pub probe_slow_seconds: f64,
    /// Days before TLS certificate expiry that warn.
    pub cert_expiry_days: u32,
    /// Share of 5xx answers (0–1) that pages.
    pub http_error_ratio: f64,
    /// p95 latency in seconds that warns.
    pub http_p95_seconds: f64,
    /// Share of PostgreSQL max_connections in use that warns (percent).
    pub postgres_connections_percent: f64,
    /// Share of Redis maxmemory in use that warns (percent).
    pub redis_memory_percent: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            cpu_warning_percent: 80.0,
            cpu_critical_percent: 95.0,
            memory_warning_percent: 85.0,
            memory_critical_percent: 95.0,
            disk_free_warning_percent: 10.0,
            disk_full_hours: 24,
            load_per_cpu: 2.0,
            probe_slow_seconds: 1.0,
            cert_expiry_days: 14,
            http_error_ratio: 0.05,
            http_p95_seconds: 1.0,
            postgres_connections_percent: 80.0,
            redis_memory_percent: 90.0,
        }
    }
}

/// Dashboards to provision besides the bundled ones.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Dashboards {
    /// Glob patterns relative to the project folder, which they may not leave.
    pub include: Vec<At<String>>,
}

impl Default for Dashboards {
    fn default() -> Self {
        Dashboards { include: vec![unplaced("dashboards/*.json".into())] }
    }
}
