//! The data templates see: the spec resolved into exactly what the upstream files need (scrape
//! jobs, receivers with secret paths, routes), so templates stay simple loops.
//!
//! Every field here is documented in the README's template reference; renaming one breaks users'
//! template overrides.

pub mod alertmanager;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::secrets::{self, SecretRef};
use crate::services;
use crate::spec::Spec;

/// Fixed uid of the provisioned Prometheus datasource; dashboards refer to it.
pub const DATASOURCE_UID: &str = "monstack-prometheus";

/// The Prometheus service's name, which is also its host name on the network.
const PROMETHEUS: &str = services::prometheus::SERVICE.name;

/// Template context.
#[derive(Debug, Serialize)]
pub struct Context<'a> {
    /// Project name.
    pub project: &'a str,
    /// The whole spec, as written (secrets as references).
    pub spec: &'a Spec,
    /// Prometheus server settings.
    pub prometheus: PromCtx,
    /// Plain scrape jobs: Prometheus itself, services, exporters, user targets.
    pub scrape_jobs: Vec<ScrapeJob>,
    /// Blackbox probe jobs, one per module.
    pub probe_jobs: Vec<ProbeJob>,
    /// Alertmanager configuration, if enabled.
    pub alertmanager: Option<alertmanager::AmCtx>,
    /// Grafana provisioning settings.
    pub grafana: GrafanaCtx,
    /// Thresholds of the bundled alerts; whole numbers print without `.0`.
    pub thresholds: serde_json::Value,
    /// The HTTP preset.
    pub http: HttpCtx,
}

/// Prometheus server settings.
#[derive(Debug, Serialize)]
pub struct PromCtx {
    /// Default scrape interval.
    pub scrape_interval: String,
    /// Default scrape timeout.
    pub scrape_timeout: String,
    /// Rule evaluation interval.
    pub evaluation_interval: String,
    /// External labels.
    pub external_labels: BTreeMap<String, String>,
    /// Alertmanager addresses to send alerts to.
    pub alertmanagers: Vec<String>,
    /// Rule file globs, relative to prometheus.yml.
    pub rule_files: Vec<String>,
    /// Retention time (a command-line flag, not a config field).
    pub retention_time: Option<String>,
    /// Retention size (a command-line flag, not a config field).
    pub retention_size: Option<String>,
    /// Remote-write endpoints.
    pub remote_write: Vec<RemoteWriteCtx>,
}

/// A remote-write endpoint with secret paths resolved.
#[derive(Debug, Serialize)]
pub struct RemoteWriteCtx {
    /// URL.
    pub url: String,
    /// Name.
    pub name: Option<String>,
    /// Basic-auth user.
    pub username: Option<String>,
    /// Basic-auth password file, relative to prometheus.yml.
    pub password_file: Option<String>,
    /// Bearer token file, relative to prometheus.yml.
    pub bearer_token_file: Option<String>,
}

/// One plain scrape job.
#[derive(Debug, Serialize)]
pub struct ScrapeJob {
    /// Job name.
    pub job_name: String,
    /// `host:port` targets.
    pub targets: Vec<String>,
    /// Metrics path, when not `/metrics`.
    pub metrics_path: Option<String>,
    /// Scheme, when not `http`.
    pub scheme: Option<String>,
    /// Interval override.
    pub scrape_interval: Option<String>,
    /// Timeout override.
    pub scrape_timeout: Option<String>,
    /// Labels added to the targets.
    pub labels: BTreeMap<String, String>,
}

/// One probe job of the blackbox exporter.
#[derive(Debug, Serialize)]
pub struct ProbeJob {
    /// Job name, `probe_<module>`.
    pub job_name: String,
    /// Blackbox module.
    pub module: String,
    /// The exporter's address.
    pub exporter: String,
    /// What to probe.
    pub probes: Vec<ProbeTarget>,
}

/// One probed URL or address.
#[derive(Debug, Serialize)]
pub struct ProbeTarget {
    /// Probe name, becomes the `probe` label.
    pub name: String,
    /// URL or `host:port`.
    pub target: String,
}

/// Grafana provisioning.
#[derive(Debug, Serialize)]
pub struct GrafanaCtx {
    /// Whether Grafana runs.
    pub enabled: bool,
    /// Uid of the Prometheus datasource.
    pub datasource_uid: &'static str,
    /// Prometheus URL as Grafana reaches it.
    pub prometheus_url: String,
    /// Folder of the dashboards inside the Grafana container.
    pub dashboards_path: &'static str,
}

/// The HTTP preset.
#[derive(Debug, Serialize)]
pub struct HttpCtx {
    /// Whether its rules and dashboard are rendered.
    pub enabled: bool,
    /// PromQL label matcher for the covered jobs (`job=~"api|web"`), or empty for all.
    pub selector: String,
    /// Label holding the status code.
    pub status_label: String,
    /// The covered jobs (empty: all), for the bundled alerts' tests.
    pub jobs: Vec<String>,
}

/// Resolves where rendered configs find secrets.
pub(super) struct Resolver<'p> {
    project_dir: &'p Path,
    out_dir: &'p Path,
}

impl Resolver<'_> {
    /// The path, relative to `<out>/<service>/`, at which the config finds `secret`.
    pub(super) fn secret(&self, secret: &SecretRef, service: &str) -> String {
        secrets::location(secret, service, self.project_dir, self.out_dir).rel
    }
}

pub(super) fn s(v: impl ToString) -> serde_json::Value {
    serde_json::Value::String(v.to_string())
}

impl<'a> Context<'a> {
    /// Resolves `spec` for templates; `project_dir` and `out_dir` are absolute.
    pub fn new(spec: &'a Spec, project_dir: &Path, out_dir: &Path) -> Self {
        let res = Resolver { project_dir, out_dir };
        let prom = &spec.prometheus;
        let mut remote_write = Vec::new();
        for rw in &prom.remote_write {
            remote_write.push(RemoteWriteCtx {
                url: rw.url.to_string(),
                name: rw.name.clone(),
                username: rw.basic_auth.as_ref().map(|b| b.username.clone()),
                password_file: rw.basic_auth.as_ref().map(|b| res.secret(&b.password, PROMETHEUS)),
                bearer_token_file: rw.bearer_token.as_ref().map(|t| res.secret(t, PROMETHEUS)),
            });
        }
        let alertmanager_addr = services::find(spec, services::alertmanager::SERVICE.name).map(|s| s.address());
        let prometheus = PromCtx {
            scrape_interval: prom.scrape_interval.value.to_string(),
            scrape_timeout: prom.scrape_timeout.value.to_string(),
            evaluation_interval: prom.evaluation_interval.to_string(),
            external_labels: prom.external_labels.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
            alertmanagers: alertmanager_addr.into_iter().collect(),
            rule_files: vec!["rules/*.yml".into()],
            retention_time: prom.retention.time.as_ref().map(ToString::to_string),
            retention_size: prom.retention.size.as_ref().map(ToString::to_string),
            remote_write,
        };
        let alertmanager = if spec.alertmanager.enabled { Some(alertmanager::context(spec, &res)) } else { None };
        let http = HttpCtx {
            enabled: spec.http.enabled,
            selector: match spec.http.jobs.as_slice() {
                [] => String::new(),
                jobs => format!(
                    "job=~{}",
                    serde_json::to_string(&jobs.iter().map(|j| regex_escape(&j.value)).collect::<Vec<_>>().join("|"))
                        .expect("string")
                ),
            },
            status_label: spec.http.status_label.to_string(),
            jobs: spec.http.jobs.iter().map(|j| j.value.clone()).collect(),
        };
        Context {
            project: spec.project.as_str(),
            spec,
            prometheus,
            scrape_jobs: scrape_jobs(spec),
            probe_jobs: probe_jobs(spec),
            alertmanager,
            grafana: GrafanaCtx {
                enabled: spec.grafana.enabled,
                datasource_uid: DATASOURCE_UID,
                prometheus_url: format!("http://{}:{}", PROMETHEUS, services::prometheus::SERVICE.port),
                dashboards_path: services::grafana::DASHBOARDS_PATH,
            },
            thresholds: whole_numbers(serde_json::to_value(&spec.alerts.thresholds).expect("thresholds serialize")),
            http,
        }
    }
}

/// Turns floats with no fraction into integers, so `80.0` renders as `80` in rules and messages.
fn whole_numbers(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => m.into_iter().map(|(k, v)| (k, whole_numbers(v))).collect(),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => serde_json::Value::from(f as i64),
            _ => serde_json::Value::Number(n),
        },
        other => other,
    }
}

fn regex_escape(s: &str) -> String {
    s.chars().fold(String::new(), |mut out, c| {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

fn scrape_jobs(spec: &Spec) -> Vec<ScrapeJob> {
    let job = |name: &str, target: String| ScrapeJob {
        job_name: name.to_owned(),
        targets: vec![target],
        metrics_path: None,
        scheme: None,
        scrape_interval: None,
        scrape_timeout: None,
        labels: BTreeMap::new(),
    };
    let mut jobs: Vec<ScrapeJob> = services::running(spec).iter().map(|s| job(s.name(), s.scrape_address())).collect();
    for t in &spec.targets {
        jobs.push(ScrapeJob {
            job_name: t.job.value.clone(),
            targets: t.targets.iter().map(ToString::to_string).collect(),
            metrics_path: t.metrics_path.as_ref().map(|p| p.value.clone()).filter(|p| p != "/metrics"),
            scheme: t.scheme.filter(|s| *s == crate::spec::Scheme::Https).map(|_| "https".to_owned()),
            scrape_interval: t.scrape_interval.as_ref().map(ToString::to_string),
            scrape_timeout: t.scrape_timeout.as_ref().map(|d| d.value.to_string()),
            labels: t.labels.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        });
    }
    jobs
}

fn probe_jobs(spec: &Spec) -> Vec<ProbeJob> {
    let blackbox = &services::blackbox::SERVICE;
    let (Some(bb), Some(service)) = (services::blackbox::running(spec), services::find(spec, blackbox.name)) else {
        return Vec::new();
    };
    let mut by_module: BTreeMap<&str, Vec<ProbeTarget>> = BTreeMap::new();
    for p in &bb.probes {
        let target = p
            .url
            .as_ref()
            .map(ToString::to_string)
            .or_else(|| p.target.as_ref().map(ToString::to_string))
            .unwrap_or_default();
        by_module.entry(p.module.name()).or_default().push(ProbeTarget { name: p.name.value.clone(), target });
    }
    by_module
        .into_iter()
        .map(|(module, probes)| ProbeJob {
            job_name: format!("probe_{module}"),
            module: module.to_owned(),
            exporter: service.address(),
            probes,
        })
        .collect()
}
