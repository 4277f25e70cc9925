//! The Redis exporter. Its password reaches it as redis_exporter's password file, a JSON map of
//! Redis URI to password, which render writes from the secret (0600, never in the environment).

use std::borrow::Cow;

use super::{Container, Delivery, Init, Paths, Scrape, SecretUse, Service, NOBODY};
use crate::secrets::SecretRef;
use crate::spec::values::HostPort;
use crate::spec::Spec;

super::exporter_settings! {
/// `exporters.redis`; a present section is enabled unless `enabled: false`.
pub struct Settings {
    /// Redis address, `host:port`.
    #[serde(default)]
    pub address: Option<HostPort>,
    /// Redis password.
    #[serde(default)]
    pub password: Option<SecretRef>,
}
}

const PASSWORD_TARGET: &str = "/run/secrets/redis_passwords.json";

/// The Redis exporter.
pub static SERVICE: Service = Service {
    name: "redis",
    image: "oliver006/redis_exporter:v1.74.0",
    port: 9121,
    user: NOBODY,
    ready_path: "/metrics",
    config: None,
    data: None,
    alerts: Some("redis.yml"),
    dashboard: None,
    metrics: &["redis_", "go_", "process_"],
    scrape: Scrape::Network,
    init: Some(Init {
        name: "redis",
        about: "Redis; `password: { env: REDIS_PASSWORD }` if it needs one",
        settings: &["address: \"redis:6379\""],
    }),
    enabled: |spec| running(spec).and_then(Settings::overrides),
    container,
    secrets,
};

/// The exporter's settings, if it runs.
pub fn running(spec: &Spec) -> Option<&Settings> {
    spec.exporters.redis.as_ref().filter(|r| r.enabled)
}

fn uri(spec: &Spec) -> Option<String> {
    running(spec)?.address.as_ref().map(|a| format!("redis://{a}"))
}

fn container(spec: &Spec, _: &Paths, c: &mut Container) {
    if let Some(uri) = uri(spec) {
        c.env.push(format!("REDIS_ADDR={uri}"));
    }
    if running(spec).is_some_and(|r| r.password.is_some()) {
        c.env.push(format!("REDIS_PASSWORD_FILE={PASSWORD_TARGET}"));
    }
}

fn secrets(spec: &Spec) -> Vec<SecretUse<'_>> {
    let Some(password) = running(spec).and_then(|r| r.password.as_ref()) else { return Vec::new() };
    vec![SecretUse {
        secret: Cow::Borrowed(password),
        what: "exporters.redis.password".into(),
        how: Delivery::Derived { name: "passwords.json", contents: password_file, target: PASSWORD_TARGET },
    }]
}

/// redis_exporter's `--redis.password-file`: `{"<redis URI>": "<password>"}`.
fn password_file(spec: &Spec, password: &str) -> String {
    let map = serde_json::json!({ uri(spec).unwrap_or_default(): password });
    format!("{map}\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_password_file_maps_the_uri_to_the_password() {
        let spec = crate::spec::Spec::parse(
            std::path::Path::new("m.yaml"),
            "project: p\ngrafana: { enabled: false }\nexporters:\n  redis: { address: \"cache:6379\", password: { env: PW } }\n",
        )
        .unwrap();
        assert_eq!(super::password_file(&spec, "s\"3"), "{\"redis://cache:6379\":\"s\\\"3\"}\n");
    }
}
