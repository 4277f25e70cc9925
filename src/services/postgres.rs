//! The PostgreSQL connecting with a DSN read from a secret file.

use std::borrow::Cow;
use std::path::PathBuf;

use super::{Container, Delivery, Init, Paths, Scrape, SecretUse, Service, NOBODY};
use crate::secrets::SecretRef;
use crate::spec::At;
use crate::spec::Spec;

super::exporter_settings! {
/// `exporters.postgres`; a present section is enabled unless `enabled: false`.
pub struct Settings {
    /// File holding the connection string (`postgresql://user:pass@host:5432/db`).
    #[serde(default)]
    pub dsn_file: Option<At<PathBuf>>,
}
}

const DSN_TARGET: &str = "/run/secrets/postgres_dsn";

/// The PostgreSQL exporter.
pub static SERVICE: Service = Service {
    name: "postgres",
    image: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
    port: 9187,
    user: NOBODY,
    ready_path: "/metrics",
    config: None,
    data: None,
    alerts: Some("postgres.yml"),
    dashboard: None,
    metrics: &["pg_", "postgres_exporter_", "go_", "process_"],
    scrape: Scrape::Network,
    init: Some(Init {
        name: "postgres",
        about: "PostgreSQL; the file holds postgresql://user:password@host:5432/db",
        settings: &["dsn_file: secrets/postgres_dsn"],
    }),
    enabled: |spec| running(spec).and_then(Settings::overrides),
    container,
    secrets,
};

/// The exporter's settings, if it runs.
pub fn running(spec: &Spec) -> Option<&Settings> {
    spec.exporters.postgres.as_ref().filter(|p| p.enabled)
}

fn container(_: &Spec, _: &Paths, c: &mut Container) {
    c.env = vec![format!("DATA_SOURCE_NAME_FILE={DSN_TARGET}")];
}

fn secrets(spec: &Spec) -> Vec<SecretUse<'_>> {
    running(spec)
        .and_then(|p| p.dsn_file.as_ref())
        .map(|dsn| SecretUse {
            secret: Cow::Owned(SecretRef::File(dsn.value.clone())),
            what: "exporters.postgres.dsn_file".into(),
            how: Delivery::File { target: DSN_TARGET },
        })
        .into_iter()
        .collect()
}
