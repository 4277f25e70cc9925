//! The Docker Engine API through bollard: the only place monstack talks to the daemon.
//! Every call carries what it was doing, so errors name the container, image or socket.

use std::collections::HashMap;

use bollard::models::{
    ContainerCreateBody, EndpointSettings, HostConfig, Mount, MountType, NetworkCreateRequest, NetworkingConfig,
    PortBinding, RestartPolicy, RestartPolicyNameEnum, VolumeCreateRequest,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, CreateImageOptionsBuilder, ListContainersOptionsBuilder, ListVolumesOptionsBuilder,
    LogsOptionsBuilder, RemoveContainerOptionsBuilder, RestartContainerOptionsBuilder, StopContainerOptionsBuilder,
    UploadToContainerOptionsBuilder,
};
use bollard::Docker;
use futures_util::StreamExt;

use super::plan::{ContainerPlan, MountKind, StackPlan, LABEL_CONFIG_HASH, LABEL_PROJECT, LABEL_SERVICE};

/// A daemon error with what monstack was doing.
#[derive(Debug, thiserror::Error)]
#[error("{what}")]
pub struct DaemonError {
    /// What failed, e.g. "failed to create container `demo-prometheus`".
    pub what: String,
    /// The daemon's answer.
    #[source]
    pub source: bollard::errors::Error,
}

/// Result of an engine call.
pub type Result<T> = std::result::Result<T, DaemonError>;

fn ctx<T>(r: std::result::Result<T, bollard::errors::Error>, what: impl FnOnce() -> String) -> Result<T> {
    r.map_err(|source| DaemonError { what: what(), source })
}

fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(e, bollard::errors::Error::DockerResponseServerError { status_code: 404, .. })
}

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
    /// `running`, `exited`, …
    pub state: String,
    /// Human status, e.g. `Up 5 minutes`.
    pub status: String,
}

/// Where the daemon is looked for: `$DOCKER_HOST`, else the local socket.
pub fn docker_host() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".to_owned())
}

/// A connection to the daemon, API version negotiated.
pub struct Daemon {
    docker: Docker,
    /// Where the daemon was looked for, for messages.
    pub host: String,
}

impl Daemon {
    /// Connects to `$DOCKER_HOST` (default the local socket) and negotiates the API version.
    pub async fn connect() -> Result<Daemon> {
        let host = docker_host();
        let what = || format!("failed to connect to `{host}`");
        let docker = ctx(Docker::connect_with_defaults(), what)?;
        let docker = ctx(docker.negotiate_version().await, what)?;
        ctx(docker.ping().await, what)?;
        Ok(Daemon { docker, host })
    }

    /// Whether `image` is present locally.
    pub async fn has_image(&self, image: &str) -> Result<bool> {
        match self.docker.inspect_image(image).await {
            Ok(_) => Ok(true),
            Err(e) if is_not_found(&e) => Ok(false),
            Err(source) => Err(DaemonError { what: format!("failed to inspect image `{image}`"), source }),
        }
    }

    /// Pulls `image`, reporting progress lines (`id: status progress`) to `progress`.
    pub async fn pull(&self, image: &str, mut progress: impl FnMut(&str, &str, Option<(i64, i64)>)) -> Result<()> {
        let options = CreateImageOptionsBuilder::default().from_image(image).build();
        let mut stream = self.docker.create_image(Some(options), None, None);
        while let Some(item) = stream.next().await {
            let info = ctx(item, || format!("failed to pull image `{image}`"))?;
            let detail = info.progress_detail.as_ref().and_then(|d| Some((d.current?, d.total?)));
            progress(info.id.as_deref().unwrap_or(""), info.status.as_deref().unwrap_or(""), detail);
        }
        Ok(())
    }

    /// Containers carrying the project's label, running or not.
    pub async fn containers(&self, project: &str) -> Result<Vec<Existing>> {
        let filters = HashMap::from([("label", vec![format!("{LABEL_PROJECT}={project}")])]);
        let options = ListContainersOptionsBuilder::default().all(true).filters(&filters).build();
        let list = ctx(self.docker.list_containers(Some(options)).await, || "failed to list containers".into())?;
        Ok(list
            .into_iter()
            .map(|c| {
                let labels = c.labels.unwrap_or_default();
                Existing {
                    id: c.id.unwrap_or_default(),
                    name: c
                        .names
                        .and_then(|n| n.into_iter().next())
                        .unwrap_or_default()
                        .trim_start_matches('/')
                        .to_owned(),
                    service: labels.get(LABEL_SERVICE).cloned().unwrap_or_default(),
                    hash: labels.get(LABEL_CONFIG_HASH).cloned().unwrap_or_default(),
                    state: c.state.map(|s| s.to_string()).unwrap_or_default(),
                    status: c.status.unwrap_or_default(),
                }
            })
            .collect())
    }

    /// When the container last started (RFC 3339), if it runs.
    pub async fn started_at(&self, id: &str) -> Result<Option<String>> {
        let info =
            ctx(self.docker.inspect_container(id, None).await, || format!("failed to inspect container `{id}`"))?;
        // A crash-looping container is `running` while it waits to restart: count it as down.
        Ok(info.state.filter(|s| s.running == Some(true) && s.restarting != Some(true)).and_then(|s| s.started_at))
    }

    /// Creates the project network if it does not exist.
    pub async fn ensure_network(&self, plan: &StackPlan) -> Result<()> {
        match self.docker.inspect_network(&plan.network, None).await {
            Ok(_) => return Ok(()),
            Err(e) if is_not_found(&e) => {}
            Err(source) => {
                return Err(DaemonError { what: format!("failed to inspect network `{}`", plan.network), source })
            }
        }
        let request = NetworkCreateRequest {
            name: plan.network.clone(),
            driver: Some("bridge".into()),
            labels: Some(HashMap::from([(LABEL_PROJECT.to_owned(), plan.project.clone())])),
            ..Default::default()
        };
        ctx(self.docker.create_network(request).await, || format!("failed to create network `{}`", plan.network))?;
        Ok(())
    }

    /// Creates missing data volumes.
    pub async fn ensure_volumes(&self, plan: &StackPlan) -> Result<()> {
        for name in &plan.volumes {
            let request = VolumeCreateRequest {
                name: Some(name.clone()),
                labels: Some(HashMap::from([(LABEL_PROJECT.to_owned(), plan.project.clone())])),
                ..Default::default()
            };
            // Creating an existing volume with the same name is a no-op for the daemon.
            ctx(self.docker.create_volume(request).await, || format!("failed to create volume `{name}`"))?;
        }
        Ok(())
    }

    /// Creates a container from its plan, copies its secrets in, and returns its id.
    pub async fn create(
        &self,
        network: &str,
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
            networking_config: Some(NetworkingConfig {
                endpoints_config: Some(HashMap::from([(
                    network.to_owned(),
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
            let tar = super::tar::archive(
                secrets.iter().map(|(path, data)| (path.as_str(), data.as_slice())),
                uid,
                gid,
                0o400,
            );
            let options = UploadToContainerOptionsBuilder::default().path("/").build();
            ctx(
                self.docker.upload_to_container(&created.id, Some(options), bollard::body_full(tar.into())).await,
                || format!("failed to copy secrets into container `{}`", c.name),
            )?;
        }
        Ok(created.id)
    }

    /// Starts a container.
    pub async fn start(&self, id: &str, name: &str) -> Result<()> {
        ctx(self.docker.start_container(id, None).await, || format!("failed to start container `{name}`"))
    }

    /// Restarts a container.
    pub async fn restart(&self, id: &str, name: &str) -> Result<()> {
        let options = RestartContainerOptionsBuilder::default().t(10).build();
        ctx(self.docker.restart_container(id, Some(options)).await, || format!("failed to restart container `{name}`"))
    }

    /// Stops and removes a container.
    pub async fn remove(&self, id: &str, name: &str) -> Result<()> {
        let stop = StopContainerOptionsBuilder::default().t(10).build();
        match self.docker.stop_container(id, Some(stop)).await {
            Ok(()) => {}
            Err(e) if is_not_found(&e) => return Ok(()),
            // Stopping a stopped container is fine; removal below reports real problems.
            Err(_) => {}
        }
        let options = RemoveContainerOptionsBuilder::default().force(true).v(false).build();
        match self.docker.remove_container(id, Some(options)).await {
            Err(e) if is_not_found(&e) => Ok(()),
            other => ctx(other, || format!("failed to remove container `{name}`")),
        }
    }

    /// Removes the project network, if it exists.
    pub async fn remove_network(&self, name: &str) -> Result<()> {
        match self.docker.remove_network(name).await {
            Err(e) if is_not_found(&e) => Ok(()),
            other => ctx(other, || format!("failed to remove network `{name}`")),
        }
    }

    /// Whether a network of that name exists.
    pub async fn network_exists(&self, name: &str) -> Result<bool> {
        match self.docker.inspect_network(name, None).await {
            Ok(_) => Ok(true),
            Err(e) if is_not_found(&e) => Ok(false),
            Err(source) => Err(DaemonError { what: format!("failed to inspect network `{name}`"), source }),
        }
    }

    /// Names of the project's volumes (by label).
    pub async fn volumes(&self, project: &str) -> Result<Vec<String>> {
        let filters = HashMap::from([("label", vec![format!("{LABEL_PROJECT}={project}")])]);
        let options = ListVolumesOptionsBuilder::default().filters(&filters).build();
        let list = ctx(self.docker.list_volumes(Some(options)).await, || "failed to list volumes".into())?;
        Ok(list.volumes.unwrap_or_default().into_iter().map(|v| v.name).collect())
    }

    /// Removes the project's volumes (by label); returns their names.
    pub async fn remove_volumes(&self, project: &str) -> Result<Vec<String>> {
        let filters = HashMap::from([("label", vec![format!("{LABEL_PROJECT}={project}")])]);
        let options = ListVolumesOptionsBuilder::default().filters(&filters).build();
        let list = ctx(self.docker.list_volumes(Some(options)).await, || "failed to list volumes".into())?;
        let mut removed = Vec::new();
        for v in list.volumes.unwrap_or_default() {
            ctx(
                self.docker.remove_volume(&v.name, None::<bollard::query_parameters::RemoveVolumeOptions>).await,
                || format!("failed to remove volume `{}`", v.name),
            )?;
            removed.push(v.name);
        }
        Ok(removed)
    }

    /// Runs `entrypoint args` once in a throwaway container of `image`, with no network and
    /// `files` copied read-only under `/`; returns its exit code and output. The container is
    /// removed whatever happens.
    pub async fn run_once(
        &self,
        image: &str,
        entrypoint: &str,
        args: Vec<String>,
        files: &[(String, Vec<u8>)],
    ) -> Result<(i64, String)> {
        let body = ContainerCreateBody {
            image: Some(image.to_owned()),
            entrypoint: Some(vec![entrypoint.to_owned()]),
            cmd: Some(args),
            user: Some("65534:65534".into()),
            labels: Some(HashMap::from([("io.monstack.tool".to_owned(), "check".to_owned())])),
            host_config: Some(HostConfig {
                network_mode: Some("none".into()),
                security_opt: Some(vec!["no-new-privileges".into()]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let what = || format!("failed to create a container of `{image}` to run `{entrypoint}`");
        let created = ctx(
            self.docker.create_container(None::<bollard::query_parameters::CreateContainerOptions>, body).await,
            what,
        )?;
        let id = created.id;
        let result = async {
            let tar = super::tar::archive(files.iter().map(|(p, d)| (p.as_str(), d.as_slice())), 65534, 65534, 0o444);
            let options = UploadToContainerOptionsBuilder::default().path("/").build();
            ctx(self.docker.upload_to_container(&id, Some(options), bollard::body_full(tar.into())).await, || {
                format!("failed to copy files into the `{entrypoint}` container")
            })?;
            ctx(self.docker.start_container(&id, None).await, || {
                format!("failed to start `{entrypoint}` in `{image}`")
            })?;
            let mut code = 0;
            let mut waits = self.docker.wait_container(&id, None);
            while let Some(item) = waits.next().await {
                match item {
                    Ok(r) => code = r.status_code,
                    Err(bollard::errors::Error::DockerContainerWaitError { code: c, .. }) => code = c,
                    Err(source) => {
                        return Err(DaemonError { what: format!("failed to wait for `{entrypoint}`"), source })
                    }
                }
            }
            let mut out = String::new();
            self.stream_logs(&id, false, None, |l| out.push_str(l)).await?;
            Ok((code, out))
        }
        .await;
        let options = RemoveContainerOptionsBuilder::default().force(true).build();
        let _ = self.docker.remove_container(&id, Some(options)).await;
        result
    }

    /// The last `n` log lines of a container, stdout and stderr interleaved.
    pub async fn tail(&self, id: &str, n: usize) -> Result<String> {
        let options = LogsOptionsBuilder::default().stdout(true).stderr(true).tail(&n.to_string()).build();
        let mut stream = self.docker.logs(id, Some(options));
        let mut out = String::new();
        while let Some(item) = stream.next().await {
            out.push_str(&ctx(item, || format!("failed to read logs of `{id}`"))?.to_string());
        }
        Ok(out)
    }

    /// Streams logs of a container to `sink`, line by line.
    pub async fn stream_logs(
        &self,
        id: &str,
        follow: bool,
        tail: Option<usize>,
        mut sink: impl FnMut(&str),
    ) -> Result<()> {
        let tail = tail.map_or_else(|| "all".to_owned(), |n| n.to_string());
        let options = LogsOptionsBuilder::default().stdout(true).stderr(true).follow(follow).tail(&tail).build();
        let mut stream = self.docker.logs(id, Some(options));
        while let Some(item) = stream.next().await {
            sink(&ctx(item, || format!("failed to read logs of `{id}`"))?.to_string());
        }
        Ok(())
    }
}

fn parse_user(user: &str) -> (u32, u32) {
    let mut parts = user.split(':').map(|p| p.parse().unwrap_or(0));
    let uid = parts.next().unwrap_or(0);
    (uid, parts.next().unwrap_or(uid))
}
