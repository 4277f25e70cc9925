//! The data templates see: the spec resolved into exactly what the upstream files need (scrape
//! jobs, receivers with secret paths, routes), so templates stay simple loops.
//!
//! Every field here is documented in the README's template reference; renaming one breaks users'
//! template overrides.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::spec::values::SecretRef;
use crate::spec::Spec;

use super::paths;
use super::RenderError;

/// Fixed uid of the provisioned Prometheus datasource; dashboards refer to it.
pub const DATASOURCE_UID: &str = "monstack-prometheus";

/// Where Grafana finds the rendered dashboards inside its container.
pub const GRAFANA_DASHBOARDS_PATH: &str = "/etc/grafana/dashboards";

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
    pub alertmanager: Option<AmCtx>,
    /// Grafana provisioning settings.
    pub grafana: GrafanaCtx,
    /// Thresholds of the bundled alerts; whole numbers print without `.0`.
    pub thresholds: serde_json::Value,
    /// The HTTP preset.
    pub http: HttpCtx,
    #[serde(skip)]
    pub(super) secret_files: Vec<SecretFile>,
}

/// A secret given by environment variable, written by render as a 0600 file.
#[derive(Debug, Clone)]
pub(super) struct SecretFile {
    pub path: String,
    pub value: String,
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

/// Alertmanager configuration.
#[derive(Debug, Serialize)]
pub struct AmCtx {
    /// Root receiver.
    pub default_receiver: String,
    /// Grouping labels.
    pub group_by: Vec<String>,
    /// Group wait.
    pub group_wait: String,
    /// Group interval.
    pub group_interval: String,
    /// Repeat interval.
    pub repeat_interval: String,
    /// Receivers.
    pub receivers: Vec<ReceiverCtx>,
    /// Child routes.
    pub routes: Vec<RouteCtx>,
    /// Inhibition rules.
    pub inhibit_rules: Vec<InhibitCtx>,
}

/// A receiver with secret paths resolved (relative to alertmanager.yml).
#[derive(Debug, Serialize)]
pub struct ReceiverCtx {
    /// Name.
    pub name: String,
    /// Slack: `api_url_file`, `channel`, `send_resolved`.
    pub slack: Option<BTreeMap<&'static str, serde_json::Value>>,
    /// PagerDuty: `routing_key_file`.
    pub pagerduty: Option<BTreeMap<&'static str, serde_json::Value>>,
    /// E-mail: `to`, `from`, `smarthost`, `auth_username`, `auth_password_file`, `require_tls`.
    pub email: Option<BTreeMap<&'static str, serde_json::Value>>,
    /// Webhook: `url` or `url_file`, `send_resolved`.
    pub webhook: Option<BTreeMap<&'static str, serde_json::Value>>,
    /// OpsGenie: `api_key_file`, `api_url`.
    pub opsgenie: Option<BTreeMap<&'static str, serde_json::Value>>,
}

/// A child route.
#[derive(Debug, Serialize)]
pub struct RouteCtx {
    /// Receiver.
    pub receiver: String,
    /// Matchers in Alertmanager syntax.
    pub matchers: Vec<String>,
    /// Continue matching.
    #[serde(rename = "continue")]
    pub continue_matching: bool,
    /// Grouping override.
    pub group_by: Option<Vec<String>>,
}

/// An inhibition rule.
#[derive(Debug, Serialize)]
pub struct InhibitCtx {
    /// Muting alert matchers.
    pub source_matchers: Vec<String>,
    /// Muted alert matchers.
    pub target_matchers: Vec<String>,
    /// Labels both share.
    pub equal: Vec<String>,
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
}

struct Resolver<'p> {
    project_dir: &'p Path,
    out_dir: &'p Path,
    secret_files: Vec<SecretFile>,
}

impl Resolver<'_> {
    /// The path, relative to `<out>/<service>/`, at which the config finds `secret`.
    fn secret(&mut self, secret: &SecretRef, service: &str, what: &str) -> Result<String, RenderError> {
        match secret {
            SecretRef::File(path) => {
                let abs = paths::normalize(&self.project_dir.join(path));
                Ok(paths::relative(&self.out_dir.join(service), &abs))
            }
            SecretRef::Env(var) => {
                let value = std::env::var(var)
                    .map_err(|_| RenderError::MissingEnv { var: var.clone(), what: what.to_owned() })?;
                let rel = format!("secrets/{var}");
                let path = format!("{service}/{rel}");
                if !self.secret_files.iter().any(|s| s.path == path) {
                    self.secret_files.push(SecretFile { path, value });
                }
                Ok(rel)
            }
        }
    }
}

fn s(v: impl ToString) -> serde_json::Value {
    serde_json::Value::String(v.to_string())
}

impl<'a> Context<'a> {
    /// Resolves `spec` for templates; `project_dir` and `out_dir` are absolute.
    pub fn new(spec: &'a Spec, project_dir: &Path, out_dir: &Path) -> Result<Self, RenderError> {
        let mut res = Resolver { project_dir, out_dir, secret_files: Vec::new() };
        let prom = &spec.prometheus;
        let mut remote_write = Vec::new();
        for (i, rw) in prom.remote_write.iter().enumerate() {
            let what = format!("prometheus.remote_write[{i}]");
            remote_write.push(RemoteWriteCtx {
                url: rw.url.to_string(),
                name: rw.name.clone(),
                username: rw.basic_auth.as_ref().map(|b| b.username.clone()),
                password_file: rw
                    .basic_auth
                    .as_ref()
                    .map(|b| res.secret(&b.password, "prometheus", &what))
                    .transpose()?,
                bearer_token_file: rw.bearer_token.as_ref().map(|t| res.secret(t, "prometheus", &what)).transpose()?,
            });
        }
        let alertmanager_addr = spec.service("alertmanager").map(|s| s.address());
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
        let alertmanager = if spec.alertmanager.enabled { Some(alertmanager(spec, &mut res)?) } else { None };
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
        };
        Ok(Context {
            project: spec.project.as_str(),
            spec,
            prometheus,
            scrape_jobs: scrape_jobs(spec),
            probe_jobs: probe_jobs(spec),
            alertmanager,
            grafana: GrafanaCtx {
                enabled: spec.grafana.enabled,
                datasource_uid: DATASOURCE_UID,
                prometheus_url: "http://prometheus:9090".into(),
                dashboards_path: GRAFANA_DASHBOARDS_PATH,
            },
            thresholds: whole_numbers(serde_json::to_value(&spec.alerts.thresholds).expect("thresholds serialize")),
            http,
            secret_files: res.secret_files,
        })
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
    let mut jobs = vec![job("prometheus", "localhost:9090".into())];
    for service in spec.services().iter().filter(|s| !matches!(s.name, "prometheus")) {
        jobs.push(job(service.name, service.address()));
    }
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
    let (Some(bb), Some(service)) = (spec.blackbox(), spec.service("blackbox")) else { return Vec::new() };
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

fn alertmanager(spec: &Spec, res: &mut Resolver<'_>) -> Result<AmCtx, RenderError> {
    let am = &spec.alertmanager;
    let mut receivers = Vec::new();
    for (i, r) in am.receivers.iter().enumerate() {
        let what = |kind: &str| format!("alertmanager.receivers[{i}].{kind}");
        let slack = match &r.slack {
            Some(c) => Some(BTreeMap::from([
                ("api_url_file", s(res.secret(&c.api_url, "alertmanager", &what("slack"))?)),
                ("channel", c.channel.as_ref().map_or(serde_json::Value::Null, s)),
                ("send_resolved", serde_json::Value::Bool(c.send_resolved)),
            ])),
            None => None,
        };
        let pagerduty = match &r.pagerduty {
            Some(c) => Some(BTreeMap::from([(
                "routing_key_file",
                s(res.secret(&c.routing_key, "alertmanager", &what("pagerduty"))?),
            )])),
            None => None,
        };
        let email = match &r.email {
            Some(c) => Some(BTreeMap::from([
                ("to", s(&c.to)),
                ("from", s(&c.from)),
                ("smarthost", s(&c.smarthost)),
                ("auth_username", c.auth_username.as_ref().map_or(serde_json::Value::Null, s)),
                (
                    "auth_password_file",
                    match &c.auth_password {
                        Some(p) => s(res.secret(p, "alertmanager", &what("email"))?),
                        None => serde_json::Value::Null,
                    },
                ),
                ("require_tls", serde_json::Value::Bool(c.require_tls)),
            ])),
            None => None,
        };
        let webhook = match &r.webhook {
            Some(c) => {
                let mut m = BTreeMap::from([("send_resolved", serde_json::Value::Bool(c.send_resolved))]);
                if let Some(url) = &c.url {
                    m.insert("url", s(url));
                }
                if let Some(secret) = &c.url_secret {
                    m.insert("url_file", s(res.secret(secret, "alertmanager", &what("webhook"))?));
                }
                Some(m)
            }
            None => None,
        };
        let opsgenie = match &r.opsgenie {
            Some(c) => Some(BTreeMap::from([
                ("api_key_file", s(res.secret(&c.api_key, "alertmanager", &what("opsgenie"))?)),
                ("api_url", c.api_url.as_ref().map_or(serde_json::Value::Null, s)),
            ])),
            None => None,
        };
        receivers.push(ReceiverCtx { name: r.name.value.clone(), slack, pagerduty, email, webhook, opsgenie });
    }
    if receivers.is_empty() {
        receivers.push(ReceiverCtx {
            name: "blackhole".into(),
            slack: None,
            pagerduty: None,
            email: None,
            webhook: None,
            opsgenie: None,
        });
    }
    let paging = am.receivers.iter().find(|r| r.pages()).map(|r| r.name.value.clone());
    let chat = am.receivers.iter().find(|r| !r.is_blackhole() && !r.pages()).map(|r| r.name.value.clone());
    let routes = match &am.routes {
        Some(routes) => routes
            .iter()
            .map(|r| RouteCtx {
                receiver: r.receiver.value.clone(),
                matchers: r
                    .match_labels
                    .iter()
                    .map(|(k, v)| format!("{k}={}", serde_json::to_string(v).expect("string")))
                    .chain(r.matchers.iter().map(|m| m.value.trim().to_owned()))
                    .collect(),
                continue_matching: r.continue_matching,
                group_by: r.group_by.clone(),
            })
            .collect(),
        None => {
            // Severity routing: critical pages, warning goes to chat.
            let route = |severity: &str, receiver: &Option<String>| {
                receiver.as_ref().map(|r| RouteCtx {
                    receiver: r.clone(),
                    matchers: vec![format!("severity=\"{severity}\"")],
                    continue_matching: false,
                    group_by: None,
                })
            };
            route("critical", &paging).into_iter().chain(route("warning", &chat)).collect()
        }
    };
    let default_receiver = am
        .default_receiver
        .as_ref()
        .map(|d| d.value.clone())
        .or(chat)
        .or(paging)
        .unwrap_or_else(|| receivers[0].name.clone());
    let inhibit_rules = match &am.inhibit_rules {
        Some(rules) => rules
            .iter()
            .map(|r| InhibitCtx {
                source_matchers: r.source_matchers.iter().map(|m| m.value.trim().to_owned()).collect(),
                target_matchers: r.target_matchers.iter().map(|m| m.value.trim().to_owned()).collect(),
                equal: r.equal.clone(),
            })
            .collect(),
        None => vec![InhibitCtx {
            source_matchers: vec!["severity=\"critical\"".into()],
            target_matchers: vec!["severity=\"warning\"".into()],
            equal: vec!["alertname".into(), "instance".into()],
        }],
    };
    Ok(AmCtx {
        default_receiver,
        group_by: am.group_by.clone(),
        group_wait: am.group_wait.to_string(),
        group_interval: am.group_interval.to_string(),
        repeat_interval: am.repeat_interval.to_string(),
        receivers,
        routes,
        inhibit_rules,
    })
}
