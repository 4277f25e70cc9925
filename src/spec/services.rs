//! The services a spec runs, with their images and ports resolved from defaults and overrides.
//! One table, shared by validation, rendering and (later) the Docker plan.

use super::values::{Image, Port};
use super::Spec;

/// One container of the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Service name: the container is `<project>-<name>`, reachable as `<name>` on the network.
    pub name: &'static str,
    /// Image to run.
    pub image: Image,
    /// Port published on the host.
    pub host_port: Port,
    /// Port the program listens on inside the container.
    pub container_port: u16,
}

impl Service {
    /// Address other containers of the stack reach it at.
    pub fn address(&self) -> String {
        format!("{}:{}", self.name, self.container_port)
    }
}

struct Defaults {
    name: &'static str,
    image: &'static str,
    port: u16,
}

const NODE: Defaults = Defaults { name: "node", image: "prom/node-exporter:v1.9.1", port: 9100 };
const BLACKBOX: Defaults = Defaults { name: "blackbox", image: "prom/blackbox-exporter:v0.27.0", port: 9115 };
const CADVISOR: Defaults = Defaults { name: "cadvisor", image: "gcr.io/cadvisor/cadvisor:v0.52.1", port: 8080 };
const POSTGRES: Defaults =
    Defaults { name: "postgres", image: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1", port: 9187 };
const REDIS: Defaults = Defaults { name: "redis", image: "oliver006/redis_exporter:v1.74.0", port: 9121 };

fn exporter(d: &Defaults, image: Option<&Image>, port: Option<Port>) -> Service {
    Service {
        name: d.name,
        image: image.cloned().unwrap_or_else(|| d.image.parse().expect("built-in image references are pinned")),
        host_port: port.unwrap_or(Port(d.port)),
        container_port: d.port,
    }
}

impl Spec {
    /// Every enabled service, Prometheus first, in a fixed order.
    pub fn services(&self) -> Vec<Service> {
        let mut out = vec![Service {
            name: "prometheus",
            image: self.prometheus.image.clone(),
            host_port: self.prometheus.port,
            container_port: 9090,
        }];
        if self.alertmanager.enabled {
            out.push(Service {
                name: "alertmanager",
                image: self.alertmanager.image.clone(),
                host_port: self.alertmanager.port,
                container_port: 9093,
            });
        }
        if self.grafana.enabled {
            out.push(Service {
                name: "grafana",
                image: self.grafana.image.clone(),
                host_port: self.grafana.port,
                container_port: 3000,
            });
        }
        let ex = &self.exporters;
        if let Some(e) = ex.node.as_ref().filter(|e| e.enabled) {
            out.push(exporter(&NODE, e.image.as_ref(), e.port));
        }
        if let Some(e) = self.blackbox() {
            out.push(exporter(&BLACKBOX, e.image.as_ref(), e.port));
        }
        if let Some(e) = ex.cadvisor.as_ref().filter(|e| e.enabled) {
            out.push(exporter(&CADVISOR, e.image.as_ref(), e.port));
        }
        if let Some(e) = self.postgres() {
            out.push(exporter(&POSTGRES, e.image.as_ref(), e.port));
        }
        if let Some(e) = self.redis() {
            out.push(exporter(&REDIS, e.image.as_ref(), e.port));
        }
        out
    }

    /// The enabled service called `name`.
    pub fn service(&self, name: &str) -> Option<Service> {
        self.services().into_iter().find(|s| s.name == name)
    }
}
