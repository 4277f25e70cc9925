//! Grafana: the provisioned Prometheus datasource and the dashboards. Its spec section is the
//! spec's own `grafana:` ([`crate::spec::Grafana`]); the admin password is a secret file and there
//! is no default password.

use std::borrow::Cow;

use super::{ConfigFolder, Container, Delivery, Overrides, Paths, Reload, Scrape, SecretUse, Service};
use crate::spec::Spec;

/// Where Grafana finds the rendered dashboards inside its container.
pub const DASHBOARDS_PATH: &str = "/etc/grafana/dashboards";

const PASSWORD_TARGET: &str = "/run/secrets/grafana_admin_password";

/// Grafana.
pub static SERVICE: Service = Service {
    name: "grafana",
    image: "grafana/grafana-oss:12.1.1",
    port: 3000,
    // The official image's user; group 0 owns its data folder.
    user: "472:0",
    ready_path: "/api/health",
    config: Some(ConfigFolder {
        folder: "grafana",
        mount: None,
        templates: &["grafana/provisioning/datasources/prometheus.yml", "grafana/provisioning/dashboards/monstack.yml"],
        reload: Reload::Restart,
    }),
    data: Some("/var/lib/grafana"),
    alerts: None,
    dashboard: None,
    metrics: &["grafana_", "go_", "process_"],
    scrape: Scrape::Network,
    init: None,
    enabled: |spec| {
        let g = &spec.grafana;
        g.enabled.then_some(Overrides { image: Some(&g.image), port: Some(g.port) })
    },
    container,
    secrets,
};

fn container(spec: &Spec, paths: &Paths, c: &mut Container) {
    c.env = vec![
        format!("GF_SECURITY_ADMIN_USER={}", spec.grafana.admin_user),
        format!("GF_SECURITY_ADMIN_PASSWORD__FILE={PASSWORD_TARGET}"),
        "GF_PATHS_PROVISIONING=/etc/grafana/provisioning".into(),
        "GF_USERS_ALLOW_SIGN_UP=false".into(),
        "GF_ANALYTICS_REPORTING_ENABLED=false".into(),
        format!("GF_SERVER_ROOT_URL={}", paths.url),
    ];
    c.binds = vec![
        (paths.out.join("grafana/provisioning"), "/etc/grafana/provisioning".into()),
        (paths.out.join("grafana/dashboards"), DASHBOARDS_PATH.into()),
    ];
}

fn secrets(spec: &Spec) -> Vec<SecretUse<'_>> {
    let pw = spec.grafana.admin_password.as_ref();
    pw.map(|s| SecretUse {
        secret: Cow::Borrowed(&s.value),
        what: "grafana.admin_password".into(),
        how: Delivery::File { target: PASSWORD_TARGET },
    })
    .into_iter()
    .collect()
}
