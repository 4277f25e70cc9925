//! HTTP to the stack's services on the host's published ports: readiness, config reloads,
//! Prometheus' view of its targets and alerts.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// An HTTP client for the stack: short timeouts, never through a proxy (the stack is local).
#[derive(Clone)]
pub struct Client {
    client: reqwest::Client,
}

/// What went wrong talking to a service.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// No answer.
    #[error("failed to reach `{url}`")]
    Unreachable {
        /// URL asked.
        url: String,
        /// Transport error.
        #[source]
        source: reqwest::Error,
    },
    /// An answer other than success, with its body.
    #[error("`{url}` answered {status}: {body}")]
    Refused {
        /// URL asked.
        url: String,
        /// HTTP status.
        status: u16,
        /// Response text, trimmed.
        body: String,
    },
}

/// One scrape target as Prometheus reports it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TargetHealth {
    /// `job` label.
    pub job: String,
    /// `instance` label.
    pub instance: String,
    /// `up`, `down` or `unknown`.
    pub health: String,
    /// Error of the last scrape, empty when it worked.
    pub last_error: String,
    /// Time of the last scrape (RFC 3339).
    pub last_scrape: String,
    /// Scrape pool (the job name in the config).
    #[serde(default)]
    pub pool: String,
    /// `__address__` as discovered, before relabeling: a static config's target.
    #[serde(default)]
    pub address: String,
}

/// What Prometheus knows about its targets: the active ones, the ones relabeling dropped
/// (`(job, __address__)` as discovered), and when it last loaded its config.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discovery {
    /// Active targets, sorted by job and instance.
    pub active: Vec<TargetHealth>,
    /// Dropped targets: `(job, __address__)`.
    pub dropped: Vec<(String, String)>,
    /// When the running config was loaded (RFC 3339); empty if not reported.
    pub last_config: String,
}

/// One firing alert.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FiringAlert {
    /// `alertname` label.
    pub name: String,
    /// `severity` label.
    pub severity: String,
    /// `instance` label, if any.
    pub instance: String,
}

/// Decodes a JSON answer, naming the URL when it is not what the API documents.
fn decode<T: serde::de::DeserializeOwned>(url: &str, body: &str) -> Result<T, ProbeError> {
    serde_json::from_str(body).map_err(|e| ProbeError::Refused {
        url: url.into(),
        status: 200,
        body: format!("unexpected answer: {e}"),
    })
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

impl Client {
    /// A client with a 5 s timeout.
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(5))
            .build()
            .expect("a plain HTTP client builds");
        Client { client }
    }

    async fn send(&self, req: reqwest::RequestBuilder, url: &str) -> Result<String, ProbeError> {
        let resp = req.send().await.map_err(|source| ProbeError::Unreachable { url: url.into(), source })?;
        let status = resp.status();
        let body = resp.text().await.map_err(|source| ProbeError::Unreachable { url: url.into(), source })?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(ProbeError::Refused { url: url.into(), status: status.as_u16(), body: body.trim().to_owned() })
        }
    }

    /// Whether `url` answers with a success status.
    pub async fn ready(&self, url: &str) -> bool {
        self.send(self.client.get(url), url).await.is_ok()
    }

    /// Asks a Prometheus-style server at `base` (e.g. `http://127.0.0.1:9090`) to reload its config.
    pub async fn reload(&self, base: &str) -> Result<(), ProbeError> {
        let url = format!("{base}/-/reload");
        self.send(self.client.post(&url), &url).await.map(|_| ())
    }

    /// Every active target of the Prometheus at `base`.
    pub async fn targets(&self, base: &str) -> Result<Vec<TargetHealth>, ProbeError> {
        Ok(self.discovery(base).await?.active)
    }

    /// Active and dropped targets of the Prometheus at `base`, and when it loaded its config.
    pub async fn discovery(&self, base: &str) -> Result<Discovery, ProbeError> {
        type Labels = std::collections::BTreeMap<String, String>;
        #[derive(Deserialize)]
        struct Resp<T> {
            data: T,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            active_targets: Vec<Active>,
            #[serde(default)]
            dropped_targets: Vec<Dropped>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Active {
            labels: Labels,
            #[serde(default)]
            discovered_labels: Labels,
            #[serde(default)]
            scrape_pool: String,
            health: String,
            #[serde(default)]
            last_error: String,
            #[serde(default)]
            last_scrape: String,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Dropped {
            discovered_labels: Labels,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Runtime {
            #[serde(default)]
            last_config_time: String,
        }
        let url = format!("{base}/api/v1/targets?state=any");
        let body = self.send(self.client.get(&url), &url).await?;
        let resp: Resp<Data> = decode(&url, &body)?;
        let get = |l: &Labels, k: &str| l.get(k).cloned().unwrap_or_default();
        let mut active: Vec<TargetHealth> = resp
            .data
            .active_targets
            .into_iter()
            .map(|t| TargetHealth {
                job: get(&t.labels, "job"),
                instance: get(&t.labels, "instance"),
                health: t.health,
                last_error: t.last_error,
                last_scrape: t.last_scrape,
                address: get(&t.discovered_labels, "__address__"),
                pool: t.scrape_pool,
            })
            .collect();
        active.sort_by(|a, b| (&a.job, &a.instance).cmp(&(&b.job, &b.instance)));
        let dropped = resp
            .data
            .dropped_targets
            .into_iter()
            .map(|t| (get(&t.discovered_labels, "job"), get(&t.discovered_labels, "__address__")))
            .collect();
        let url = format!("{base}/api/v1/status/runtimeinfo");
        let body = self.send(self.client.get(&url), &url).await?;
        let runtime: Resp<Runtime> = decode(&url, &body)?;
        Ok(Discovery { active, dropped, last_config: runtime.data.last_config_time })
    }

    /// Firing alerts of the Prometheus at `base`.
    pub async fn firing_alerts(&self, base: &str) -> Result<Vec<FiringAlert>, ProbeError> {
        #[derive(Deserialize)]
        struct Resp {
            data: Data,
        }
        #[derive(Deserialize)]
        struct Data {
            alerts: Vec<Alert>,
        }
        #[derive(Deserialize)]
        struct Alert {
            labels: std::collections::BTreeMap<String, String>,
            state: String,
        }
        let url = format!("{base}/api/v1/alerts");
        let body = self.send(self.client.get(&url), &url).await?;
        let resp: Resp = decode(&url, &body)?;
        Ok(resp
            .data
            .alerts
            .into_iter()
            .filter(|a| a.state == "firing")
            .map(|a| FiringAlert {
                name: a.labels.get("alertname").cloned().unwrap_or_default(),
                severity: a.labels.get("severity").cloned().unwrap_or_default(),
                instance: a.labels.get("instance").cloned().unwrap_or_default(),
            })
            .collect())
    }

    /// Number of series an instant query returns at `time` (Unix seconds).
    pub async fn query_count(&self, base: &str, expr: &str, time: f64) -> Result<usize, ProbeError> {
        let url = format!("{base}/api/v1/query");
        let req = self.client.get(&url).query(&[("query", expr.to_owned()), ("time", time.to_string())]);
        let body = self.send(req, &url).await?;
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        Ok(v["data"]["result"].as_array().map_or(0, Vec::len))
    }

    /// Names of the rules the Prometheus at `base` has loaded.
    pub async fn rule_names(&self, base: &str) -> Result<Vec<String>, ProbeError> {
        let url = format!("{base}/api/v1/rules");
        let body = self.send(self.client.get(&url), &url).await?;
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let mut names = Vec::new();
        for g in v["data"]["groups"].as_array().into_iter().flatten() {
            for r in g["rules"].as_array().into_iter().flatten() {
                names.extend(r["name"].as_str().map(str::to_owned));
            }
        }
        Ok(names)
    }
}
