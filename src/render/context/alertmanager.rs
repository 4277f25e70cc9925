//! The Alertmanager part of the template context: receivers with secret paths, the route tree
//! (severity routing by default) and inhibition rules (critical mutes warning by default).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{s, Resolver};

/// The Alertmanager service's name, which names its config folder.
const AM: &str = crate::services::alertmanager::SERVICE.name;
use crate::secrets::SecretRef;
use crate::spec::Spec;

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
    /// The project's notification template files, relative to alertmanager.yml
    /// (`templates/<name>.tmpl`); filled by render, which reads them.
    pub templates: Vec<String>,
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

/// Resolves the `alertmanager` section.
pub(super) fn context(spec: &Spec, res: &Resolver<'_>) -> AmCtx {
    let am = &spec.alertmanager;
    let mut receivers = Vec::new();
    for r in &am.receivers {
        let secret = |r: &SecretRef| s(res.secret(r, AM));
        let null = || serde_json::Value::Null;
        let slack = r.slack.as_ref().map(|c| {
            BTreeMap::from([
                ("api_url_file", secret(&c.api_url)),
                ("channel", c.channel.as_ref().map_or(null(), s)),
                ("send_resolved", serde_json::Value::Bool(c.send_resolved)),
            ])
        });
        let pagerduty = r.pagerduty.as_ref().map(|c| BTreeMap::from([("routing_key_file", secret(&c.routing_key))]));
        let email = r.email.as_ref().map(|c| {
            BTreeMap::from([
                ("to", s(&c.to)),
                ("from", s(&c.from)),
                ("smarthost", s(&c.smarthost)),
                ("auth_username", c.auth_username.as_ref().map_or(null(), s)),
                ("auth_password_file", c.auth_password.as_ref().map_or(null(), secret)),
                ("require_tls", serde_json::Value::Bool(c.require_tls)),
            ])
        });
        let webhook = r.webhook.as_ref().map(|c| {
            let mut m = BTreeMap::from([("send_resolved", serde_json::Value::Bool(c.send_resolved))]);
            if let Some(url) = &c.url {
                m.insert("url", s(url));
            }
            if let Some(url) = &c.url_secret {
                m.insert("url_file", secret(url));
            }
            m
        });
        let opsgenie = r.opsgenie.as_ref().map(|c| {
            BTreeMap::from([("api_key_file", secret(&c.api_key)), ("api_url", c.api_url.as_ref().map_or(null(), s))])
        });
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
    AmCtx {
        default_receiver,
        group_by: am.group_by.clone(),
        group_wait: am.group_wait.to_string(),
        group_interval: am.group_interval.to_string(),
        repeat_interval: am.repeat_interval.to_string(),
        receivers,
        routes,
        inhibit_rules,
        templates: Vec::new(),
    }
}
