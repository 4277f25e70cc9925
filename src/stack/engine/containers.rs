//! Containers: list, inspect, create, start, stop, rename, remove.

use std::collections::HashMap;

use bollard::models::{
    ContainerCreateBody, ContainerSummary, EndpointSettings, HostConfig, Mount, MountType, NetworkingConfig,
    PortBinding, RestartPolicy, RestartPolicyNameEnum,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, ListContainersOptionsBuilder, RemoveContainerOptionsBuilder,
    RenameContainerOptionsBuilder, RestartContainerOptionsBuilder, StopContainerOptionsBuilder,
    UploadToContainerOptionsBuilder,
};

use super::{ctx, is_not_found, parse_user, Daemon, DaemonError, Result};
use crate::stack::plan::{ContainerPlan, MountKind, PortPlan, LABEL_CONFIG_HASH, LABEL_PROJECT, LABEL_SERVICE};

/// A container of the project as the daemon reports it.
#[derive(Debug, Clone)]
pub struct Existing {
    /// Container id.
    pub id: String,
    /// Name without the leading `/`.
    pub name: String,
    /// `io.monstack.service` label.
    pub service: String,
    /// `io.monstack.config-hash` label.
    pub hash: String,
    /// `running`, `restarting`, `exited`, …
    pub state: String,
    /// Human status, e.g. `Up 5 minutes`.
    pub status: String,
    /// Host ports it publishes now (only a running container does): `(address, port)`.
    pub ports: Vec<(String, u16)>,
}

impl Existing {
    /// Whether it publishes the host port `p` now.
    pub fn publishes(&self, p: &PortPlan) -> bool {
        self.ports.iter().any(|(ip, port)| *port == p.host_port && same_address(ip, &p.host_ip))
    }
}

/// A container's run, as `inspect` says at one moment.
#[derive(Debug, Clone)]
pub struct RunState {
    /// It runs (and is not waiting in Docker's restart back-off).
    pub running: bool,
    /// When its latest run started (RFC 3339).
    pub started_at: String,
}

/// A container of any monstack project publishing a host port.
#[derive(Debug, Clone)]
pub struct PortHolder {
    /// Container name.
    pub container: String,
    /// Its `io.monstack.project` label.
    pub project: String,
}

/// Whether two host addresses overlap: equal, or either is a wildcard.
fn same_address(a: &str, b: &str) -> bool {
    let wild = |ip: &str| ip.is_empty() || ip == "0.0.0.0" || ip == "::";
    a == b || wild(a) || wild(b)
}

fn name_of(c: &ContainerSummary) -> String {
    c.names.as_ref().and_then(|n| n.first()).map(|n| n.trim_start_matches('/').to_owned()).unwrap_or_default()
}

impl Daemon {
    async fn list(&self, label: String) -> Result<Vec<ContainerSummary>> {
        let filters = HashMap::from([("label", vec![label])]);
        let options = ListContainersOptionsBuilder::default().all(true).filters(&filters).build();
        ctx(self.docker.list_containers(Some(options)).await, || "failed to list containers".into())
    }

    /// Containers carrying the project's label, running or not.
    pub async fn containers(&self, project: &str) -> Result<Vec<Existing>> {
        let list = self.list(format!("{LABEL_PROJECT}={project}")).await?;
        Ok(list
            .into_iter()
            .map(|c| {
                let name = name_of(&c);
                let labels = c.labels.unwrap_or_default();
                Existing {
                    id: c.id.unwrap_or_default(),
                    name,
                    service: labels.get(LABEL_SERVICE).cloned().unwrap_or_default(),
                    hash: labels.get(LABEL_CONFIG_HASH).cloned().unwrap_or_default(),
                    state: c.state.map(|s| s.to_string()).unwrap_or_default(),
                    status: c.status.unwrap_or_default(),
                    ports: c
                        .ports
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|p| Some((p.ip.unwrap_or_default(), p.public_port?)))
                        .collect(),
                }
            })
            .collect())
    }

    /// The container of any monstack project that publishes the host port `p`, if one does.
    pub async fn port_holder(&self, p: &PortPlan) -> Result<Option<PortHolder>> {
        let list = self.list(LABEL_PROJECT.to_owned()).await?;
        Ok(list.into_iter().find_map(|c| {
            let holds = c.ports.as_ref()?.iter().any(|port| {
                port.public_port == Some(p.host_port) && same_address(port.ip.as_deref().unwrap_or(""), &p.host_ip)
            });
            holds.then(|| PortHolder {
                container: name_of(&c),
                project: c.labels.as_ref().and_then(|l| l.get(LABEL_PROJECT)).cloned().unwrap_or_default(),
            })
        }))
    }

    /// The id of the container called `name`, whoever made it.
    pub async fn container_named(&self, name: &str) -> Result<Option<String>> {
        match self.docker.inspect_container(name, None).await {
            Ok(info) => Ok(Some(info.id.unwrap_or_default())),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(source) => Err(DaemonError { what: format!("failed to inspect container `{name}`"), source }),
        }
    }

    /// When the container last started (RFC 3339), if it runs.
    pub async fn started_at(&self, id: &str) -> Result<Option<String>> {
        Ok(self.run_state(id).await?.filter(|r| r.running).map(|r| r.started_at))
    }

    /// Whether the container runs, and when its latest run started, read at one moment.
    pub async fn run_state(&self, id: &str) -> Result<Option<RunState>> {
        let info =
            ctx(self.docker.inspect_container(id, None).await, || format!("failed to inspect container `{id}`"))?;
        Ok(info.state.map(|s| RunState {
            // A crash-looping container is `running` while it waits to restart: count it as down.
            running: s.running == Some(true) && s.restarting != Some(true),
            started_at: s.started_at.unwrap_or_default(),
        }))
    }

    /// Creates a container from its plan on the network `network_id`, copies its secrets in, and
    /// returns its id.
    pub async fn create(
        &self,
        network_id: &str,
        c: &ContainerPlan,
        hash: &str,
        secrets: Vec<(String, Vec<u8>)>,
    ) -> Result<String> {
        let mounts = c
            .mounts
            .iter()
            .map(|m| Mount {
                typ: Some(match m.kind {
                    MountKind::Bind => MountType::BIND,
                    MountKind::Volume => MountType::VOLUME,
                }),
                source: Some(m.source.clone()),
                target: Some(m.target.clone()),
                read_only: Some(m.read_only),
                ..Default::default()
            })
            .collect();
        let mut bindings = HashMap::new();
        let mut exposed = Vec::new();
        for p in &c.ports {
            let key = format!("{}/tcp", p.container_port);
            exposed.push(key.clone());
            bindings.insert(
                key,
                Some(vec![PortBinding { host_ip: Some(p.host_ip.clone()), host_port: Some(p.host_port.to_string()) }]),
            );
        }
        let mut labels: HashMap<String, String> = c.labels.clone().into_iter().collect();
        labels.insert(LABEL_CONFIG_HASH.into(), hash.into());
        let body = ContainerCreateBody {
            image: Some(c.image.clone()),
            entrypoint: c.entrypoint.clone(),
            cmd: Some(c.cmd.clone()),
            env: Some(c.env.clone()),
            user: Some(c.user.clone()),
            labels: Some(labels),
            exposed_ports: Some(exposed),
            host_config: Some(HostConfig {
                mounts: Some(mounts),
                port_bindings: Some(bindings),
                restart_policy: Some(RestartPolicy {
                    name: Some(RestartPolicyNameEnum::UNLESS_STOPPED),
                    maximum_retry_count: None,
                }),
                security_opt: Some(vec!["no-new-privileges".into()]),
                ..Default::default()
            }),
            // By id: a name may be ambiguous while a duplicate network exists.
            networking_config: Some(NetworkingConfig {
                endpoints_config: Some(HashMap::from([(
                    network_id.to_owned(),
                    EndpointSettings { aliases: Some(vec![c.service.clone()]), ..Default::default() },
                )])),
            }),
            ..Default::default()
        };
        let options = CreateContainerOptionsBuilder::default().name(&c.name).build();
        let created = ctx(self.docker.create_container(Some(options), body).await, || {
            format!("failed to create container `{}`", c.name)
        })?;
        if !secrets.is_empty() {
            let (uid, gid) = parse_user(&c.user);
            let tar = crate::stack::tar::archive(
                secrets.iter().map(|(path, data)| (path.as_str(), data.as_slice())),
                uid,
                gid,
                0o400,
            );
            let options = UploadToContainerOptionsBuilder::default().path("/").build();
            let copied = ctx(
                self.docker.upload_to_container(&created.id, Some(options), bollard::body_full(tar.into())).await,
                || format!("failed to copy secrets into container `{}`", c.name),
            );
            if let Err(e) = copied {
                self.remove(&created.id, &c.name).await.ok();
                return Err(e);
            }
        }
        Ok(created.id)
    }

    /// Starts a container.
    pub async fn start(&self, id: &str, name: &str) -> Result<()> {
        ctx(self.docker.start_container(id, None).await, || format!("failed to start container `{name}`"))
    }

    /// Restarts a container (also one waiting in Docker's restart back-off).
    pub async fn restart(&self, id: &str, name: &str) -> Result<()> {
        let options = RestartContainerOptionsBuilder::default().t(10).build();
        ctx(self.docker.restart_container(id, Some(options)).await, || format!("failed to restart container `{name}`"))
    }

    /// Stops a container, giving it 10 s to exit; a stopped or missing one is fine.
    pub async fn stop(&self, id: &str, name: &str) -> Result<()> {
        let options = StopContainerOptionsBuilder::default().t(10).build();
        match self.docker.stop_container(id, Some(options)).await {
            Err(e) if is_not_found(&e) => Ok(()),
            // 304: already stopped.
            other => ctx(other, || format!("failed to stop container `{name}`")),
        }
    }

    /// Renames a container.
    pub async fn rename(&self, id: &str, to: &str) -> Result<()> {
        let options = RenameContainerOptionsBuilder::default().name(to).build();
        ctx(self.docker.rename_container(id, options).await, || format!("failed to rename container `{id}` to `{to}`"))
    }

    /// Stops and removes a container.
    pub async fn remove(&self, id: &str, name: &str) -> Result<()> {
        // Stopping a stopped container is fine; removal below reports real problems.
        let _ = self.stop(id, name).await;
        let options = RemoveContainerOptionsBuilder::default().force(true).v(false).build();
        match self.docker.remove_container(id, Some(options)).await {
            Err(e) if is_not_found(&e) => Ok(()),
            other => ctx(other, || format!("failed to remove container `{name}`")),
        }
    }
}
