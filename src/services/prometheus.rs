//! The Prometheus server: scrapes everything, evaluates the rules, sends alerts. Its spec section
//! is the spec's own `prometheus:` ([`crate::spec::Prometheus`]).

use std::borrow::Cow;

use super::{strings, ConfigFolder, Container, Delivery, Overrides, Paths, Reload, Scrape, SecretUse, Service, NOBODY};
use crate::spec::Spec;

/// Prometheus.
pub static SERVICE: Service = Service {
    name: "prometheus",
    image: "prom/prometheus:v3.5.0",
    port: 9090,
    user: NOBODY,
    ready_path: "/-/ready",
    config: Some(ConfigFolder {
        folder: "prometheus",
        mount: Some("/etc/prometheus"),
        templates: &["prometheus/prometheus.yml"],
        reload: Reload::Http,
    }),
    data: Some("/prometheus"),
    alerts: Some("prometheus.yml"),
    dashboard: Some("overview.json"),
    metrics: &["prometheus_", "go_", "process_", "net_conntrack_", "promhttp_"],
    scrape: Scrape::Loopback,
    init: None,
    enabled: |spec| Some(Overrides { image: Some(&spec.prometheus.image), port: Some(spec.prometheus.port) }),
    container,
    secrets,
};

fn container(spec: &Spec, paths: &Paths, c: &mut Container) {
    c.entrypoint = Some(strings(&["/bin/prometheus"]));
    c.cmd = strings(&[
        "--config.file=/etc/prometheus/prometheus.yml",
        "--storage.tsdb.path=/prometheus",
        "--web.enable-lifecycle",
    ]);
    if let Some(t) = &spec.prometheus.retention.time {
        c.cmd.push(format!("--storage.tsdb.retention.time={t}"));
    }
    if let Some(s) = &spec.prometheus.retention.size {
        c.cmd.push(format!("--storage.tsdb.retention.size={s}"));
    }
    c.cmd.push(format!("--web.external-url={}", paths.url));
}

fn secrets(spec: &Spec) -> Vec<SecretUse<'_>> {
    let mut out = Vec::new();
    for (i, rw) in spec.prometheus.remote_write.iter().enumerate() {
        let what = format!("prometheus.remote_write[{i}]");
        let secrets = rw.basic_auth.as_ref().map(|b| &b.password).into_iter().chain(rw.bearer_token.as_ref());
        out.extend(secrets.map(|s| SecretUse { secret: Cow::Borrowed(s), what: what.clone(), how: Delivery::Config }));
    }
    out
}
