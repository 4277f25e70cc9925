//! Alertmanager: routes, groups and sends the alerts. Its spec section is the spec's own
//! `alertmanager:` ([`crate::spec::Alertmanager`]); receivers' secrets are named by `*_file`
//! paths in the rendered config.

use std::borrow::Cow;

use super::{strings, ConfigFolder, Container, Delivery, Overrides, Paths, Reload, Scrape, SecretUse, Service, NOBODY};
use crate::spec::Spec;

/// Alertmanager.
pub static SERVICE: Service = Service {
    name: "alertmanager",
    image: "prom/alertmanager:v0.28.1",
    port: 9093,
    user: NOBODY,
    ready_path: "/-/ready",
    config: Some(ConfigFolder {
        folder: "alertmanager",
        mount: Some("/etc/alertmanager"),
        templates: &["alertmanager/alertmanager.yml"],
        reload: Reload::Http,
    }),
    data: Some("/alertmanager"),
    alerts: Some("alertmanager.yml"),
    dashboard: None,
    metrics: &["alertmanager_", "go_", "process_", "promhttp_"],
    scrape: Scrape::Network,
    init: None,
    enabled: |spec| {
        let am = &spec.alertmanager;
        am.enabled.then_some(Overrides { image: Some(&am.image), port: Some(am.port) })
    },
    container,
    secrets,
};

fn container(_: &Spec, paths: &Paths, c: &mut Container) {
    c.entrypoint = Some(strings(&["/bin/alertmanager"]));
    c.cmd = vec![
        "--config.file=/etc/alertmanager/alertmanager.yml".into(),
        "--storage.path=/alertmanager".into(),
        // A single instance: no gossip port, no cluster warnings.
        "--cluster.listen-address=".into(),
        format!("--web.external-url={}", paths.url),
    ];
}

/// Each receiver integration's secret, named as the rendered config names it.
fn secrets(spec: &Spec) -> Vec<SecretUse<'_>> {
    let mut out = Vec::new();
    for (i, r) in spec.alertmanager.receivers.iter().enumerate() {
        let mut add = |kind: &str, secret| {
            let what = format!("alertmanager.receivers[{i}].{kind}");
            out.push(SecretUse { secret: Cow::Borrowed(secret), what, how: Delivery::Config });
        };
        if let Some(c) = &r.slack {
            add("slack", &c.api_url);
        }
        if let Some(c) = &r.pagerduty {
            add("pagerduty", &c.routing_key);
        }
        if let Some(p) = r.email.as_ref().and_then(|c| c.auth_password.as_ref()) {
            add("email", p);
        }
        if let Some(p) = r.webhook.as_ref().and_then(|c| c.url_secret.as_ref()) {
            add("webhook", p);
        }
        if let Some(c) = &r.opsgenie {
            add("opsgenie", &c.api_key);
        }
    }
    out
}
