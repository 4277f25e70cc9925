//! The typed model of `monstack.yaml`. Every section rejects unknown keys; defaults live here.
//!
//! Serde derives the parser; [`super::validate`] adds the checks that span several fields.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_saphyr::{Location, Spanned};

use super::values::*;

/// A value with its position in `monstack.yaml`.
pub type At<T> = Spanned<T>;

/// Wraps a default value that has no position in the file.
pub fn unplaced<T>(value: T) -> At<T> {
    Spanned::new(value, Location::UNKNOWN, Location::UNKNOWN)
}

fn yes() -> bool {
    true
}

fn image(s: &str) -> Image {
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
            image: image("prom/prometheus:v3.5.0"),
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

/// Alertmanager and its routing tree.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Alertmanager {
    /// Whether the stack runs Alertmanager.
    pub enabled: bool,
    /// Image, pinned.
    pub image: Image,
    /// Host port.
    pub port: Port,
    /// Where notifications go.
    pub receivers: Vec<Receiver>,
    /// Receiver of alerts no route matches; defaults to the first receiver.
    pub default_receiver: Option<At<String>>,
    /// Routes below the root, first match wins unless `continue`. Absent: severity routing.
    pub routes: Option<Vec<Route>>,
    /// Labels alerts are grouped by.
    pub group_by: Vec<String>,
    /// Wait before the first notification of a group.
    pub group_wait: Duration,
    /// Wait before notifying about new alerts in a group.
    pub group_interval: Duration,
    /// Wait before repeating a notification.
    pub repeat_interval: Duration,
    /// Rules muting alerts while others fire. Absent: critical mutes warning.
    pub inhibit_rules: Option<Vec<InhibitRule>>,
}

impl Default for Alertmanager {
    fn default() -> Self {
        Alertmanager {
            enabled: true,
            image: image("prom/alertmanager:v0.28.1"),
            port: Port(9093),
            receivers: Vec::new(),
            default_receiver: None,
            routes: None,
            group_by: vec!["alertname".into(), "job".into()],
            group_wait: "30s".parse().expect("valid"),
            group_interval: "5m".parse().expect("valid"),
            repeat_interval: "4h".parse().expect("valid"),
            inhibit_rules: None,
        }
    }
}

/// A named notification target with one or more integrations.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Receiver {
    /// Name routes refer to.
    pub name: At<String>,
    /// Slack incoming webhook.
    #[serde(default)]
    pub slack: Option<Slack>,
    /// PagerDuty Events API v2.
    #[serde(default)]
    pub pagerduty: Option<PagerDuty>,
    /// E-mail through an SMTP smarthost.
    #[serde(default)]
    pub email: Option<Email>,
    /// Generic webhook.
    #[serde(default)]
    pub webhook: Option<Webhook>,
    /// OpsGenie.
    #[serde(default)]
    pub opsgenie: Option<OpsGenie>,
}

impl Receiver {
    /// Whether notifications sent here reach anyone.
    pub fn is_blackhole(&self) -> bool {
        self.slack.is_none()
            && self.pagerduty.is_none()
            && self.email.is_none()
            && self.webhook.is_none()
            && self.opsgenie.is_none()
    }

    /// Whether this receiver pages someone (PagerDuty or OpsGenie).
    pub fn pages(&self) -> bool {
        self.pagerduty.is_some() || self.opsgenie.is_some()
    }
}

/// Slack integration.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Slack {
    /// Incoming-webhook URL.
    pub api_url: SecretRef,
    /// Channel override, e.g. `#alerts`.
    #[serde(default)]
    pub channel: Option<String>,
    /// Also notify when alerts resolve.
    #[serde(default = "yes")]
    pub send_resolved: bool,
}

/// PagerDuty integration.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDuty {
    /// Events API v2 integration key.
    pub routing_key: SecretRef,
}

/// E-mail integration.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Email {
    /// Recipient address(es).
    pub to: String,
    /// Sender address.
    pub from: String,
    /// SMTP server, `host:port`.
    pub smarthost: HostPort,
    /// SMTP user.
    #[serde(default)]
    pub auth_username: Option<String>,
    /// SMTP password.
    #[serde(default)]
    pub auth_password: Option<SecretRef>,
    /// Require STARTTLS.
    #[serde(default = "yes")]
    pub require_tls: bool,
}

/// Webhook integration.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// Endpoint, when it carries no secret.
    #[serde(default)]
    pub url: Option<HttpUrl>,
    /// Endpoint, when it carries a secret (needs Alertmanager ≥ 0.26).
    #[serde(default)]
    pub url_secret: Option<SecretRef>,
    /// Also notify when alerts resolve.
    #[serde(default = "yes")]
    pub send_resolved: bool,
}

/// OpsGenie integration.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OpsGenie {
    /// API key.
    pub api_key: SecretRef,
    /// API URL override (EU instance).
    #[serde(default)]
    pub api_url: Option<HttpUrl>,
}

/// One route below the root.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Label equality matches.
    #[serde(default, rename = "match")]
    pub match_labels: BTreeMap<LabelName, String>,
    /// Alertmanager matchers, e.g. `severity=~"warning|info"`.
    #[serde(default)]
    pub matchers: Vec<At<String>>,
    /// Receiver of matching alerts.
    pub receiver: At<String>,
    /// Keep matching later routes.
    #[serde(default, rename = "continue")]
    pub continue_matching: bool,
    /// Grouping override.
    #[serde(default)]
    pub group_by: Option<Vec<String>>,
}

/// An inhibition rule, in Alertmanager's own terms.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InhibitRule {
    /// Matchers of the muting alert.
    pub source_matchers: Vec<At<String>>,
    /// Matchers of the muted alert.
    pub target_matchers: Vec<At<String>>,
    /// Labels both must share.
    #[serde(default)]
    pub equal: Vec<String>,
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
    pub admin_password: Option<SecretRef>,
}

impl Default for Grafana {
    fn default() -> Self {
        Grafana {
            enabled: true,
            image: image("grafana/grafana-oss:12.1.1"),
            port: Port(3000),
            admin_user: "admin".into(),
            admin_password: None,
        }
    }
}

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
    pub severity: Option<Severity>,
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
    /// Glob patterns relative to the project folder.
    pub include: Vec<String>,
}

impl Default for Dashboards {
    fn default() -> Self {
        Dashboards { include: vec!["dashboards/*.json".into()] }
    }
}
