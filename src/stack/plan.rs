//! The Docker plan: what network, volumes and containers a spec needs, as plain data. Computing
//! it touches nothing, so it is snapshot-tested; [`super::engine`] carries it out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::render::context::{secret_location, secret_refs};
use crate::render::paths;
use crate::spec::{Service, Spec};

/// Label naming the project a resource belongs to.
pub const LABEL_PROJECT: &str = "io.monstack.project";
/// Label naming the service of a container.
pub const LABEL_SERVICE: &str = "io.monstack.service";
/// Label holding the hash of what a container was created from.
pub const LABEL_CONFIG_HASH: &str = "io.monstack.config-hash";

/// Everything the stack of one project consists of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
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

/// How a service picks up new config files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reload {
    /// `POST /-/reload`.
    Http,
    /// Restart the container.
    Restart,
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

const NOBODY: &str = "65534:65534";

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

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Where each service's rendered config folder is mounted.
fn config_mount_point(service: &str) -> Option<&'static str> {
    match service {
        "prometheus" => Some("/etc/prometheus"),
        "alertmanager" => Some("/etc/alertmanager"),
        "blackbox" => Some("/etc/blackbox_exporter"),
        _ => None,
    }
}

/// Computes the plan for `spec`; `project_dir` and `out_dir` are absolute.
pub fn plan(spec: &Spec, project_dir: &Path, out_dir: &Path) -> Plan {
    let project = spec.project.as_str().to_owned();
    let bind_ip = spec.bind.to_string();
    let mut volumes = Vec::new();
    let mut containers = Vec::new();
    let secrets = secret_refs(spec);
    for service in spec.services() {
        let mut c = base(&project, &service, &bind_ip);
        let url = |s: &Service| format!("http://127.0.0.1:{}/", s.host_port);
        match service.name {
            "prometheus" => {
                let data = format!("{project}_prometheus");
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
                c.cmd.push(format!("--web.external-url={}", url(&service)));
                c.mounts = vec![bind(&out_dir.join("prometheus"), "/etc/prometheus"), volume(&data, "/prometheus")];
                c.ready_path = "/-/ready".into();
                c.reload = Reload::Http;
                c.config_dirs = strings(&["prometheus"]);
                volumes.push(data);
            }
            "alertmanager" => {
                let data = format!("{project}_alertmanager");
                c.entrypoint = Some(strings(&["/bin/alertmanager"]));
                c.cmd = vec![
                    "--config.file=/etc/alertmanager/alertmanager.yml".into(),
                    "--storage.path=/alertmanager".into(),
                    // A single instance: no gossip port, no cluster warnings.
                    "--cluster.listen-address=".into(),
                    format!("--web.external-url={}", url(&service)),
                ];
                c.mounts =
                    vec![bind(&out_dir.join("alertmanager"), "/etc/alertmanager"), volume(&data, "/alertmanager")];
                c.ready_path = "/-/ready".into();
                c.reload = Reload::Http;
                c.config_dirs = strings(&["alertmanager"]);
                volumes.push(data);
            }
            "grafana" => {
                let data = format!("{project}_grafana");
                c.user = "472:0".into();
                c.env = vec![
                    format!("GF_SECURITY_ADMIN_USER={}", spec.grafana.admin_user),
                    "GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana_admin_password".into(),
                    "GF_PATHS_PROVISIONING=/etc/grafana/provisioning".into(),
                    "GF_USERS_ALLOW_SIGN_UP=false".into(),
                    "GF_ANALYTICS_REPORTING_ENABLED=false".into(),
                    format!("GF_SERVER_ROOT_URL={}", url(&service)),
                ];
                c.mounts = vec![
                    bind(&out_dir.join("grafana/provisioning"), "/etc/grafana/provisioning"),
                    bind(&out_dir.join("grafana/dashboards"), crate::render::GRAFANA_DASHBOARDS_PATH),
                    volume(&data, "/var/lib/grafana"),
                ];
                if let Some(pw) = &spec.grafana.admin_password {
                    let loc = secret_location(pw, "grafana", project_dir, out_dir);
                    c.secrets
                        .push(SecretPlan { source: loc.host, target: "/run/secrets/grafana_admin_password".into() });
                }
                c.ready_path = "/api/health".into();
                c.reload = Reload::Restart;
                c.config_dirs = strings(&["grafana"]);
                volumes.push(data);
            }
            "node" => {
                c.entrypoint = Some(strings(&["/bin/node_exporter"]));
                c.cmd = strings(&["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root"]);
                c.mounts = vec![
                    bind(Path::new("/proc"), "/host/proc"),
                    bind(Path::new("/sys"), "/host/sys"),
                    bind(Path::new("/"), "/host/root"),
                ];
            }
            "blackbox" => {
                c.entrypoint = Some(strings(&["/bin/blackbox_exporter"]));
                c.cmd = strings(&["--config.file=/etc/blackbox_exporter/blackbox.yml"]);
                c.mounts = vec![bind(&out_dir.join("blackbox"), "/etc/blackbox_exporter")];
                c.reload = Reload::Http;
                c.config_dirs = strings(&["blackbox"]);
            }
            "cadvisor" => {
                // cAdvisor reads the Docker daemon's state and cgroups, which needs root.
                c.user = "0:0".into();
                c.mounts = vec![
                    bind(Path::new("/"), "/rootfs"),
                    bind(Path::new("/var/run"), "/var/run"),
                    bind(Path::new("/sys"), "/sys"),
                    bind(Path::new("/var/lib/docker"), "/var/lib/docker"),
                ];
                c.ready_path = "/healthz".into();
            }
            "postgres" => {
                if let Some(dsn) = spec.postgres().and_then(|p| p.dsn_file.as_ref()) {
                    let host = paths::normalize(&project_dir.join(&dsn.value));
                    c.secrets.push(SecretPlan { source: host, target: "/run/secrets/postgres_dsn".into() });
                }
                c.env = vec!["DATA_SOURCE_NAME_FILE=/run/secrets/postgres_dsn".into()];
            }
            "redis" => {
                if let Some(addr) = spec.redis().and_then(|r| r.address.as_ref()) {
                    c.env = vec![format!("REDIS_ADDR=redis://{addr}")];
                }
            }
            _ => {}
        }
        if let Some(point) = config_mount_point(service.name) {
            for (_, secret) in secrets.iter().filter(|(s, _)| *s == service.name) {
                let loc = secret_location(secret, service.name, project_dir, out_dir);
                let target = paths::normalize(&Path::new(point).join(&loc.rel)).to_string_lossy().into_owned();
                if !c.secrets.iter().any(|s| s.target == target) {
                    c.secrets.push(SecretPlan { source: loc.host, target });
                }
            }
        }
        let hash = config_hash(&c);
        c.labels.insert(LABEL_CONFIG_HASH.into(), hash);
        containers.push(c);
    }
    Plan { network: project.clone(), project, volumes, containers }
}

fn base(project: &str, service: &Service, bind_ip: &str) -> ContainerPlan {
    ContainerPlan {
        service: service.name.into(),
        name: format!("{project}-{}", service.name),
        image: service.image.to_string(),
        entrypoint: None,
        cmd: Vec::new(),
        env: Vec::new(),
        user: NOBODY.into(),
        mounts: Vec::new(),
        ports: vec![PortPlan {
            host_ip: bind_ip.into(),
            host_port: service.host_port.0,
            container_port: service.container_port,
        }],
        secrets: Vec::new(),
        ready_path: "/metrics".into(),
        reload: Reload::Restart,
        config_dirs: Vec::new(),
        labels: BTreeMap::from([
            (LABEL_PROJECT.to_owned(), project.to_owned()),
            (LABEL_SERVICE.to_owned(), service.name.to_owned()),
        ]),
    }
}

/// Hash of what the container is created from (image, command, env, user, mounts, ports,
/// secret paths): when it changes, the container must be recreated.
fn config_hash(c: &ContainerPlan) -> String {
    let subject = serde_json::json!([c.image, c.entrypoint, c.cmd, c.env, c.user, c.mounts, c.ports, c.secrets]);
    let digest = Sha256::digest(subject.to_string().as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}
