//! What the Docker tests (`stack`, `lifecycle`) share: a project on the daemon that removes itself,
//! free ports, the local image tags, and guards for resources a test makes behind monstack's back.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use bollard::Docker;
use monstack::stack::engine::Daemon;

use crate::{monstack, require, Project};

/// The local image tag of `name` (`prometheus`, …).
pub fn image(name: &str) -> String {
    require::image_tags().iter().find(|t| t.starts_with(&format!("monstack.local/{name}:"))).cloned().unwrap()
}

/// `N` distinct free ports: the listeners are all held until every port is known, or the kernel
/// may hand out the same port twice.
pub fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<TcpListener> = (0..N).map(|_| TcpListener::bind("127.0.0.1:0").unwrap()).collect();
    std::array::from_fn(|i| listeners[i].local_addr().unwrap().port())
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// A raw client, for what a test does behind monstack's back (API version negotiated: the
/// daemon may be older than bollard).
pub async fn docker() -> Docker {
    Docker::connect_with_defaults().unwrap().negotiate_version().await.unwrap()
}

/// A container's state as `docker inspect` says (`running`, `exited`, …), by name or id.
pub fn container_state(name_or_id: &str) -> Option<String> {
    block_on(async {
        let info = docker().await.inspect_container(name_or_id, None).await.ok()?;
        info.state.and_then(|s| s.status).map(|s| s.to_string())
    })
}

/// Ids of the networks whose name is exactly `name`.
pub fn networks_named(name: &str) -> Vec<String> {
    block_on(async {
        let filters = HashMap::from([("name", vec![name.to_owned()])]);
        let options = bollard::query_parameters::ListNetworksOptionsBuilder::default().filters(&filters).build();
        let list = docker().await.list_networks(Some(options)).await.unwrap();
        list.into_iter().filter(|n| n.name.as_deref() == Some(name)).filter_map(|n| n.id).collect()
    })
}

/// Starts `monstack args…` in `dir` without waiting, output captured.
pub fn spawn(dir: &Path, args: &[&str]) -> std::process::Child {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_monstack"));
    cmd.args(args).current_dir(dir).env_remove("MONSTACK_DIR");
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    for (k, v) in crate::TEST_ENV {
        cmd.env(k, v);
    }
    cmd.spawn().expect("the monstack binary starts")
}

/// Sends SIGINT (Ctrl-C) to `child` and returns its exit code and stderr.
pub fn interrupt(child: std::process::Child) -> (Option<i32>, String) {
    let pid = child.id().to_string();
    let sent = std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(sent.success(), "kill -INT {pid} failed");
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A unique project name for `tag`.
pub fn unique_name(tag: &str) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    format!("mstest-{tag}-{}-{nanos}", std::process::id())
}

/// A project on the Docker daemon; `down --volumes` runs when it goes out of scope.
pub struct Stack {
    pub project: Project,
    pub name: String,
    pub prom_port: u16,
    pub am_port: u16,
    pub node_port: u16,
}

impl Stack {
    pub fn new(tag: &str) -> Stack {
        Stack::bound(tag, "127.0.0.1")
    }

    /// A stack whose ports are published on `bind`.
    pub fn bound(tag: &str, bind: &str) -> Stack {
        let name = unique_name(tag);
        let [prom_port, am_port, node_port, bb_port] = free_ports::<4>();
        let spec = format!(
            "project: {name}
bind: \"{bind}\"
prometheus:
  image: {prom}
  port: {prom_port}
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
alertmanager:
  image: {am}
  port: {am_port}
grafana: {{ enabled: false }}
exporters:
  node: {{ image: \"{node}\", port: {node_port} }}
  blackbox:
    image: {bb}
    port: {bb_port}
    probes:
      - {{ name: prometheus-health, url: \"http://prometheus:9090/-/healthy\" }}
",
            prom = image("prometheus"),
            am = image("alertmanager"),
            node = image("node-exporter"),
            bb = image("blackbox-exporter"),
        );
        let project = Project::empty();
        project.write("monstack.yaml", &spec);
        Stack { project, name, prom_port, am_port, node_port }
    }

    pub fn run(&self, args: &[&str]) -> crate::Run {
        self.project.run(args)
    }

    /// Replaces `from` by `to` in monstack.yaml; `from` must be there.
    pub fn edit_spec(&self, from: &str, to: &str) {
        let spec = self.project.read("monstack.yaml");
        assert!(spec.contains(from), "monstack.yaml lacks {from:?}:\n{spec}");
        self.project.write("monstack.yaml", &spec.replacen(from, to, 1));
    }

    /// Overrides the Prometheus config template with one the pinned Prometheus 2.42 refuses but
    /// `check` accepts, as Prometheus 3 does: a field added after 2.42, so it gets as far as
    /// Prometheus.
    pub fn break_prometheus_config(&self) {
        let bundled =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/prometheus/prometheus.yml"))
                .unwrap();
        self.project.write(
            "templates/prometheus/prometheus.yml",
            &bundled.replace("global:\n", "global:\n  rule_query_offset: 1m\n"),
        );
    }

    /// Undoes [`Stack::break_prometheus_config`].
    pub fn mend_prometheus_config(&self) {
        std::fs::remove_file(self.project.path().join("templates/prometheus/prometheus.yml")).unwrap();
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.prom_port)
    }

    /// `(service, container id)` of the project's containers, sorted.
    pub fn container_ids(&self) -> Vec<(String, String)> {
        block_on(async {
            let engine = Daemon::connect().await.unwrap();
            let mut ids: Vec<_> =
                engine.containers(&self.name).await.unwrap().into_iter().map(|e| (e.service, e.id)).collect();
            ids.sort();
            ids
        })
    }

    /// The container id of `service`.
    pub fn id_of(&self, service: &str) -> Option<String> {
        self.container_ids().into_iter().find(|(s, _)| s == service).map(|(_, id)| id)
    }

    /// Containers, whether a network of the project's name exists, and volumes (by label).
    pub fn leftovers(&self) -> (usize, bool, Vec<String>) {
        let (containers, volumes) = block_on(async {
            let engine = Daemon::connect().await.unwrap();
            (engine.containers(&self.name).await.unwrap().len(), engine.volumes(&self.name).await.unwrap())
        });
        (containers, !networks_named(&self.name).is_empty(), volumes)
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        if !require::docker_reachable() {
            return; // nothing can have been made
        }
        let run = monstack(self.project.path(), &["down", "--volumes"]);
        if run.status != 0 {
            eprintln!("cleanup of {} failed: {}", self.name, run.stderr);
        }
    }
}

/// A container or network a test made without monstack, removed (by id) when dropped.
pub enum Foreign {
    Container(String),
    Network(String),
}

impl Foreign {
    /// Creates (does not start) a container named `name` of `image`, without monstack's labels,
    /// with `volume` mounted if given.
    pub fn container(name: &str, image: &str, volume: Option<&str>) -> Foreign {
        block_on(async {
            let body = bollard::models::ContainerCreateBody {
                image: Some(image.to_owned()),
                // Never started: any entrypoint will do.
                entrypoint: Some(vec!["/monstack-test".into()]),
                host_config: Some(bollard::models::HostConfig {
                    binds: volume.map(|v| vec![format!("{v}:/data")]),
                    network_mode: Some("none".into()),
                    ..Default::default()
                }),
                ..Default::default()
            };
            let options = bollard::query_parameters::CreateContainerOptionsBuilder::default().name(name).build();
            Foreign::Container(docker().await.create_container(Some(options), body).await.unwrap().id)
        })
    }

    /// Creates a network named `name` with `labels`; the daemon allows several of one name.
    pub fn network(name: &str, labels: &[(&str, &str)]) -> Foreign {
        block_on(async {
            let request = bollard::models::NetworkCreateRequest {
                name: name.to_owned(),
                driver: Some("bridge".into()),
                labels: Some(labels.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()),
                ..Default::default()
            };
            Foreign::Network(docker().await.create_network(request).await.unwrap().id)
        })
    }
}

impl Drop for Foreign {
    fn drop(&mut self) {
        block_on(async {
            let docker = docker().await;
            match self {
                Foreign::Container(id) => {
                    let options =
                        bollard::query_parameters::RemoveContainerOptionsBuilder::default().force(true).build();
                    let _ = docker.remove_container(id, Some(options)).await;
                }
                Foreign::Network(id) => {
                    let _ = docker.remove_network(id).await;
                }
            }
        });
    }
}
