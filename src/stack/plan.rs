//! The Docker plan: what network, volumes and containers a spec needs, as plain data. Computing
//! it touches nothing, so it is snapshot-tested; [`super::engine`] carries it out.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::paths;
use crate::secrets;
pub use crate::services::Reload;
use crate::services::{self, Container, Delivery, Paths};
use crate::spec::Spec;

/// Label naming the project a resource belongs to.
pub const LABEL_PROJECT: &str = "io.monstack.project";
/// Label naming the service of a container.
pub const LABEL_SERVICE: &str = "io.monstack.service";
/// Label holding the hash of what a container was created from.
pub const LABEL_CONFIG_HASH: &str = "io.monstack.config-hash";

/// Everything the stack of one project consists of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackPlan {
    /// Project name.
    pub project: String,
    /// The network all containers join, named after the project.
    pub network: String,
    /// Data volumes, `<project>_<service>`.
    pub volumes: Vec<String>,
    /// One container per enabled service.
    pub containers: Vec<ContainerPlan>,
}

/// One container.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContainerPlan {
    /// Service name; also its DNS alias on the network.
    pub service: String,
    /// Container name, `<project>-<service>`.
    pub name: String,
    /// Image reference.
    pub image: String,
    /// Entrypoint override; `None` keeps the image's.
    pub entrypoint: Option<Vec<String>>,
    /// Arguments.
    pub cmd: Vec<String>,
    /// Environment, `NAME=value` (never a secret value).
    pub env: Vec<String>,
    /// User the program runs as.
    pub user: String,
    /// Bind mounts and volumes.
    pub mounts: Vec<MountPlan>,
    /// Published ports.
    pub ports: Vec<PortPlan>,
    /// Secret files copied into the container, readable by `user` only.
    pub secrets: Vec<SecretPlan>,
    /// HTTP path that answers 200 once the service is ready.
    pub ready_path: String,
    /// How a change of config files is applied without recreating the container.
    pub reload: Reload,
    /// Output folders (relative to the render output) whose files the service reads.
    pub config_dirs: Vec<String>,
    /// Labels, including the config hash.
    pub labels: BTreeMap<String, String>,
}

/// A mount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MountPlan {
    /// `bind` or `volume`.
    pub kind: MountKind,
    /// Host path or volume name.
    pub source: String,
    /// Path in the container.
    pub target: String,
    /// Mounted read-only.
    pub read_only: bool,
}

/// Kind of mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MountKind {
    /// A host path.
    Bind,
    /// A named volume.
    Volume,
}

/// A published port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortPlan {
    /// Host address.
    pub host_ip: String,
    /// Host port.
    pub host_port: u16,
    /// Container port.
    pub container_port: u16,
}

/// A secret file placed into the container before it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretPlan {
    /// File on the host.
    pub source: PathBuf,
    /// Path in the container.
    pub target: String,
}

fn bind(source: &Path, target: &str) -> MountPlan {
    MountPlan {
        kind: MountKind::Bind,
        source: source.to_string_lossy().into_owned(),
        target: target.into(),
        read_only: true,
    }
}

fn volume(name: &str, target: &str) -> MountPlan {
    MountPlan { kind: MountKind::Volume, source: name.into(), target: target.into(), read_only: false }
}

/// Computes the plan for `spec`; `project_dir` and `out_dir` are absolute.
pub fn plan(spec: &Spec, project_dir: &Path, out_dir: &Path) -> StackPlan {
    let project = spec.project.as_str().to_owned();
    let bind_ip = spec.bind.to_string();
    let mut volumes = Vec::new();
    let mut containers = Vec::new();
    let uses = secrets::uses(spec);
    for running in services::running(spec) {
        let service = running.service;
        let url = format!("{}/", host_url(spec.bind, running.host_port.0));
        let mut recipe = Container::default();
        (service.container)(spec, &Paths { project: project_dir, out: out_dir, url: &url }, &mut recipe);
        let mut mounts: Vec<MountPlan> = Vec::new();
        let config = service.config;
        if let Some(mount) = config.and_then(|c| c.mount.map(|m| (c.folder, m))) {
            mounts.push(bind(&out_dir.join(mount.0), mount.1));
        }
        mounts.extend(recipe.binds.iter().map(|(host, target)| bind(host, target)));
        if let Some(target) = service.data {
            let data = format!("{project}_{}", service.name);
            mounts.push(volume(&data, target));
            volumes.push(data);
        }
        let mut c = ContainerPlan {
            service: service.name.into(),
            name: format!("{project}-{}", service.name),
            image: running.image.to_string(),
            entrypoint: recipe.entrypoint,
            cmd: recipe.cmd,
            env: recipe.env,
            user: service.user.into(),
            mounts,
            ports: vec![PortPlan {
                host_ip: bind_ip.clone(),
                host_port: running.host_port.0,
                container_port: service.port,
            }],
            secrets: Vec::new(),
            ready_path: service.ready_path.into(),
            reload: config.map_or(Reload::Restart, |c| c.reload),
            config_dirs: config.map(|c| c.folder.to_owned()).into_iter().collect(),
            labels: BTreeMap::from([
                (LABEL_PROJECT.to_owned(), project.clone()),
                (LABEL_SERVICE.to_owned(), service.name.to_owned()),
            ]),
        };
        for (_, used) in uses.iter().filter(|(s, _)| s.name == service.name) {
            let placed = match used.how {
                Delivery::Config => {
                    let Some(point) = config.and_then(|c| c.mount) else { continue };
                    let loc = secrets::location(&used.secret, service.name, project_dir, out_dir);
                    let target = paths::normalize(&Path::new(point).join(&loc.rel)).to_string_lossy().into_owned();
                    SecretPlan { source: loc.host, target }
                }
                Delivery::File { target } => {
                    let loc = secrets::location(&used.secret, service.name, project_dir, out_dir);
                    SecretPlan { source: loc.host, target: target.into() }
                }
                Delivery::Derived { name, target, .. } => SecretPlan {
                    source: out_dir.join(secrets::rendered_path(service.name, name)),
                    target: target.into(),
                },
            };
            if !c.secrets.iter().any(|s| s.target == placed.target) {
                c.secrets.push(placed);
            }
        }
        let hash = config_hash(&c);
        c.labels.insert(LABEL_CONFIG_HASH.into(), hash);
        containers.push(c);
    }
    StackPlan { network: project.clone(), project, volumes, containers }
}

/// The URL the host reaches a port published on `ip` at, without a trailing `/`: the address
/// itself, or loopback for a wildcard; an IPv6 address in brackets (`http://[::1]:9090`).
pub fn host_url(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(v4) => format!("http://{}:{port}", if v4.is_unspecified() { Ipv4Addr::LOCALHOST } else { v4 }),
        IpAddr::V6(v6) => format!("http://[{}]:{port}", if v6.is_unspecified() { Ipv6Addr::LOCALHOST } else { v6 }),
    }
}

impl ContainerPlan {
    /// Where the host reaches the service (its first published port), e.g. `http://127.0.0.1:9090`.
    pub fn base_url(&self) -> String {
        let Some(p) = self.ports.first() else { return String::new() };
        host_url(p.host_ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)), p.host_port)
    }
}

/// Hash of what the container is created from (image, command, env, user, mounts, ports,
/// secret paths): when it changes, the container must be recreated.
fn config_hash(c: &ContainerPlan) -> String {
    let subject = serde_json::json!([c.image, c.entrypoint, c.cmd, c.env, c.user, c.mounts, c.ports, c.secrets]);
    let digest = Sha256::digest(subject.to_string().as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_urls_probe_the_bound_address_with_ipv6_in_brackets() {
        assert_eq!(host_url("127.0.0.1".parse().unwrap(), 9090), "http://127.0.0.1:9090");
        assert_eq!(host_url("0.0.0.0".parse().unwrap(), 9090), "http://127.0.0.1:9090");
        assert_eq!(host_url("::1".parse().unwrap(), 9090), "http://[::1]:9090");
        assert_eq!(host_url("::".parse().unwrap(), 9090), "http://[::1]:9090");
        assert_eq!(host_url("192.0.2.7".parse().unwrap(), 3000), "http://192.0.2.7:3000");
    }
}
