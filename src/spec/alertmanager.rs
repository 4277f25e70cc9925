//! The `alertmanager` section: receivers, routes and inhibition.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::{image, yes, At};
use super::values::*;

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
            image: image(crate::services::alertmanager::SERVICE.image),
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
