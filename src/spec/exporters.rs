//! The `exporters` section: one optional section per bundled exporter, each defined with its
//! service in [`crate::services`]; an absent section is a disabled exporter.

use serde::{Deserialize, Serialize};

use crate::services::{blackbox, cadvisor, node, postgres, redis};

/// Bundled exporters.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Exporters {
    /// Host metrics.
    pub node: Option<node::Settings>,
    /// Probes of URLs.
    pub blackbox: Option<blackbox::Settings>,
    /// Container metrics.
    pub cadvisor: Option<cadvisor::Settings>,
    /// PostgreSQL.
    pub postgres: Option<postgres::Settings>,
    /// Redis.
    pub redis: Option<redis::Settings>,
}
