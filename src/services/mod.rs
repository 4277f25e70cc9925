//! The services of a stack, one file each, stating everything about a service once: its spec
//! section and defaults, image, port, user, mounts, secrets and how they reach the container,
//! readiness, scrape job, bundled alerts and dashboard, and its `init --with` name.
//!
//! Render, the Docker plan, status, check and scaffold read [`ALL`]; none of them names a service.
//! Adding an exporter is one new file here, one entry in [`ALL`] and one field in
//! [`crate::spec::Exporters`] (the README's "How to add an exporter").

pub mod alertmanager;
pub mod blackbox;
pub mod cadvisor;
pub mod grafana;
pub mod node;
pub mod postgres;
pub mod prometheus;
pub mod redis;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::secrets::SecretRef;
use crate::spec::values::{Image, Port};
use crate::spec::Spec;

/// Every service monstack knows, in start order: Prometheus first, so its discovery tick starts
/// as early as possible.
pub static ALL: &[&Service] = &[
    &prometheus::SERVICE,
    &alertmanager::SERVICE,
    &grafana::SERVICE,
    &node::SERVICE,
    &blackbox::SERVICE,
    &cadvisor::SERVICE,
    &postgres::SERVICE,
    &redis::SERVICE,
];

/// What a service is.
pub struct Service {
    /// Container `<project>-<name>`, DNS alias on the network, scrape job name.
    pub name: &'static str,
    /// Image when the spec names none; every default is pinned.
    pub image: &'static str,
    /// Port the program listens on in the container, and the default host port.
    pub port: u16,
    /// `uid:gid` the program runs as.
    pub user: &'static str,
    /// HTTP path that answers 200 once the service is ready.
    pub ready_path: &'static str,
    /// The rendered config folder the service reads, if any.
    pub config: Option<ConfigFolder>,
    /// Where its data volume `<project>_<name>` is mounted, if it keeps data.
    pub data: Option<&'static str>,
    /// Bundled rule file, relative to the bundled `alerts/`.
    pub alerts: Option<&'static str>,
    /// Bundled dashboard, relative to the bundled `dashboards/`.
    pub dashboard: Option<&'static str>,
    /// Prefixes of the metrics its scrape job produces (for `project/metric`).
    pub metrics: &'static [&'static str],
    /// How `init` offers it; `None` for the core services, which always run.
    pub init: Option<Init>,
    /// Where its own scrape job reaches it.
    pub scrape: Scrape,
    /// Whether the spec runs it, and with which overrides.
    pub enabled: fn(&Spec) -> Option<Overrides<'_>>,
    /// What the container needs beyond the common settings.
    pub container: fn(&Spec, &Paths, &mut Container),
    /// The secrets it reads and how they reach it.
    pub secrets: fn(&Spec) -> Vec<SecretUse<'_>>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// A rendered config folder, `<out>/<folder>/`, bind-mounted read-only as a folder so render's
/// atomic renames are seen inside the container.
#[derive(Debug, Clone, Copy)]
pub struct ConfigFolder {
    /// Folder under the render output.
    pub folder: &'static str,
    /// Where it is mounted; `None` when the service mounts parts of it itself (Grafana).
    pub mount: Option<&'static str>,
    /// Bundled templates rendered into it, relative to `templates/`.
    pub templates: &'static [&'static str],
    /// How a change of its files is applied without recreating the container.
    pub reload: Reload,
}

/// How a service picks up new config files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reload {
    /// `POST /-/reload`.
    Http,
    /// Restart the container.
    Restart,
}

/// An exporter as `init` offers it: enabled by `--with <name>`, and written into the new
/// `monstack.yaml` as its section under `exporters:`.
#[derive(Debug, Clone, Copy)]
pub struct Init {
    /// Name `init --with` enables it by; also its key under `exporters:`.
    pub name: &'static str,
    /// The comment beside the section.
    pub about: &'static str,
    /// Lines of the section after `enabled:` (YAML, relative indentation).
    pub settings: &'static [&'static str],
}

/// Where a service's scrape job reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scrape {
    /// `<name>:<port>` on the stack's network.
    Network,
    /// `localhost:<port>`: the server scraping itself.
    Loopback,
}

/// The spec's overrides of a service's defaults.
#[derive(Debug, Clone, Copy, Default)]
pub struct Overrides<'a> {
    /// Image instead of the default.
    pub image: Option<&'a Image>,
    /// Host port instead of the default.
    pub port: Option<Port>,
}

/// Absolute folders a container's mounts are made from.
#[derive(Debug, Clone, Copy)]
pub struct Paths<'a> {
    /// The project folder.
    pub project: &'a Path,
    /// The render output folder.
    pub out: &'a Path,
    /// URL the service is reached at from the host, e.g. `http://127.0.0.1:9090/`.
    pub url: &'a str,
}

/// What a container needs beyond name, image, user, port and labels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Container {
    /// Entrypoint override; `None` keeps the image's.
    pub entrypoint: Option<Vec<String>>,
    /// Arguments.
    pub cmd: Vec<String>,
    /// Environment, `NAME=value`; never a secret value.
    pub env: Vec<String>,
    /// Host folders bind-mounted read-only: (host path, container path).
    pub binds: Vec<(PathBuf, String)>,
}

/// One secret a service reads.
#[derive(Debug, Clone)]
pub struct SecretUse<'a> {
    /// The secret.
    pub secret: Cow<'a, SecretRef>,
    /// The spec field it comes from, for messages (`alertmanager.receivers[0].slack`).
    pub what: String,
    /// How it reaches the program.
    pub how: Delivery,
}

/// How a secret reaches the program.
#[derive(Debug, Clone, Copy)]
pub enum Delivery {
    /// A rendered config names it by a `*_file` path relative to the config folder; the file is
    /// copied into the container at that place under the folder's mount point.
    Config,
    /// The program reads the secret's file from a fixed path in the container.
    File {
        /// Path in the container.
        target: &'static str,
    },
    /// Render writes a file derived from the secret (e.g. a JSON map) to `secrets/<service>/<name>`
    /// (0600), which the program reads from a fixed path.
    Derived {
        /// File name under `secrets/<service>/`.
        name: &'static str,
        /// Turns the spec and the secret's value into the file's contents.
        contents: fn(&Spec, &str) -> String,
        /// Path in the container.
        target: &'static str,
    },
}

/// A service the spec runs, with its image and host port resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    /// Which service.
    pub service: &'static Service,
    /// Image to run.
    pub image: Image,
    /// Port published on the host.
    pub host_port: Port,
}

impl PartialEq for Service {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for Service {}

impl Running {
    /// The service's name.
    pub fn name(&self) -> &'static str {
        self.service.name
    }

    /// Address other containers of the stack reach it at.
    pub fn address(&self) -> String {
        format!("{}:{}", self.service.name, self.service.port)
    }

    /// Address its scrape job targets.
    pub fn scrape_address(&self) -> String {
        match self.service.scrape {
            Scrape::Network => self.address(),
            Scrape::Loopback => format!("localhost:{}", self.service.port),
        }
    }
}

/// Every service `spec` runs, in [`ALL`]'s order.
pub fn running(spec: &Spec) -> Vec<Running> {
    ALL.iter()
        .filter_map(|s| {
            let o = (s.enabled)(spec)?;
            Some(Running {
                service: s,
                image: o.image.cloned().unwrap_or_else(|| s.image.parse().expect("built-in images are pinned")),
                host_port: o.port.unwrap_or(Port(s.port)),
            })
        })
        .collect()
}

/// The running service called `name`.
pub fn find(spec: &Spec, name: &str) -> Option<Running> {
    running(spec).into_iter().find(|r| r.service.name == name)
}

/// Where the spec configures the service called `name`: `exporters.node`, `prometheus`.
pub fn section(name: &str) -> String {
    match by_name(name) {
        Some(s) if s.init.is_some() => format!("exporters.{name}"),
        _ => name.to_owned(),
    }
}

/// The service called `name`, running or not.
pub fn by_name(name: &str) -> Option<&'static Service> {
    ALL.iter().copied().find(|s| s.name == name)
}

/// Names `init --with` accepts: the exporters, and `http` for the RED preset.
pub fn init_names() -> Vec<&'static str> {
    ALL.iter().filter_map(|s| s.init.map(|i| i.name)).chain(["http"]).collect()
}

/// Declares an exporter's spec section: `enabled` (default true: a present section runs),
/// `image` and `port` overrides, then the exporter's own fields.
macro_rules! exporter_settings {
    ($(#[$doc:meta])* pub struct Settings { $($(#[$fmeta:meta])* pub $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
        #[serde(deny_unknown_fields)]
        pub struct Settings {
            /// Whether it runs.
            #[serde(default = "crate::spec::yes")]
            pub enabled: bool,
            /// Image override.
            #[serde(default)]
            pub image: Option<crate::spec::values::Image>,
            /// Host port override.
            #[serde(default)]
            pub port: Option<crate::spec::values::Port>,
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl Settings {
            /// The overrides, if it runs.
            pub fn overrides(&self) -> Option<super::Overrides<'_>> {
                self.enabled.then_some(super::Overrides { image: self.image.as_ref(), port: self.port })
            }
        }
    };
}
pub(crate) use exporter_settings;

pub(crate) fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Programs of the images built from Debian's packages run as `nobody`.
pub(crate) const NOBODY: &str = "65534:65534";

pub(crate) fn no_secrets(_: &Spec) -> Vec<SecretUse<'_>> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ports_and_init_names_are_unique() {
        let mut names: Vec<_> = ALL.iter().map(|s| s.name).collect();
        let mut ports: Vec<_> = ALL.iter().map(|s| s.port).collect();
        let mut inits = init_names();
        for list in [&mut names, &mut inits] {
            let n = list.len();
            list.sort();
            list.dedup();
            assert_eq!(list.len(), n, "{list:?}");
        }
        let n = ports.len();
        ports.sort();
        ports.dedup();
        assert_eq!(ports.len(), n);
    }

    #[test]
    fn default_images_are_pinned_and_bundled_files_exist() {
        for s in ALL {
            assert!(s.image.parse::<Image>().is_ok(), "{}", s.image);
            if let Some(a) = s.alerts {
                assert!(crate::assets::bundled(&format!("alerts/{a}")).is_some(), "{a}");
            }
            if let Some(d) = s.dashboard {
                assert!(crate::assets::bundled(&format!("dashboards/{d}")).is_some(), "{d}");
            }
            for t in s.config.iter().flat_map(|c| c.templates) {
                assert!(crate::assets::bundled(&format!("templates/{t}")).is_some(), "{t}");
            }
        }
    }
}
