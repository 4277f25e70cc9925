//! The project network. The daemon does not refuse a second network of the same name (two `up`s
//! racing made two), after which every call naming it fails as ambiguous; so networks are found
//! by name and label, used and removed by id, and duplicates the project owns are merged away.

use std::collections::HashMap;

use bollard::models::{EndpointSettings, NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest};
use bollard::query_parameters::ListNetworksOptionsBuilder;

use super::{ctx, is_not_found, Daemon, Result};
use crate::stack::plan::{StackPlan, LABEL_PROJECT, LABEL_SERVICE};

/// A network of the project's name.
#[derive(Debug, Clone)]
pub struct NetworkInfo {
    /// Network id.
    pub id: String,
    /// Its `io.monstack.project` label, if any.
    pub project: Option<String>,
    /// When it was created (RFC 3339), for choosing which duplicate to keep.
    pub created: String,
}

/// The networks named like the project, sorted into the project's own and everyone else's.
#[derive(Debug, Clone, Default)]
pub struct Networks {
    /// Labelled with this project.
    pub ours: Vec<NetworkInfo>,
    /// Same name, not labelled with this project: never touched.
    pub foreign: Vec<NetworkInfo>,
}

impl Daemon {
    /// The networks named exactly `name`, sorted by whether `project` owns them.
    pub async fn networks(&self, name: &str, project: &str) -> Result<Networks> {
        // The daemon's name filter matches substrings; only exact names count.
        let filters = HashMap::from([("name", vec![name.to_owned()])]);
        let options = ListNetworksOptionsBuilder::default().filters(&filters).build();
        let list = ctx(self.docker.list_networks(Some(options)).await, || format!("failed to list networks `{name}`"))?;
        let mut found = Networks::default();
        for n in list.into_iter().filter(|n| n.name.as_deref() == Some(name)) {
            let info = NetworkInfo {
                id: n.id.unwrap_or_default(),
                project: n.labels.and_then(|l| l.get(LABEL_PROJECT).cloned()),
                created: n.created.map(|c| c.to_string()).unwrap_or_default(),
            };
            if info.project.as_deref() == Some(project) {
                found.ours.push(info);
            } else {
                found.foreign.push(info);
            }
        }
        found.ours.sort_by(|a, b| (&a.created, &a.id).cmp(&(&b.created, &b.id)));
        Ok(found)
    }

    /// Returns the id of the project network, creating it if missing and merging duplicates the
    /// project owns into one; `merged` gets the ids of the duplicates removed.
    pub async fn ensure_network(&self, plan: &StackPlan, merged: &mut Vec<String>) -> Result<String> {
        let mut ours = self.networks(&plan.network, &plan.project).await?.ours;
        if ours.is_empty() {
            let request = NetworkCreateRequest {
                name: plan.network.clone(),
                driver: Some("bridge".into()),
                labels: Some(HashMap::from([(LABEL_PROJECT.to_owned(), plan.project.clone())])),
                ..Default::default()
            };
            ctx(self.docker.create_network(request).await, || format!("failed to create network `{}`", plan.network))?;
            // Another process may have created one at the same moment.
            ours = self.networks(&plan.network, &plan.project).await?.ours;
        }
        if ours.len() == 1 {
            return Ok(ours.remove(0).id);
        }
        self.merge_duplicates(&plan.network, ours, merged).await
    }

    /// Keeps the duplicate most containers are attached to (the oldest of equals), moves the
    /// containers of the others onto it under their service alias, and removes the others.
    async fn merge_duplicates(&self, name: &str, ours: Vec<NetworkInfo>, merged: &mut Vec<String>) -> Result<String> {
        let mut attached = Vec::new();
        for n in &ours {
            let info = ctx(self.docker.inspect_network(&n.id, None).await, || {
                format!("failed to inspect network `{name}` ({})", short(&n.id))
            })?;
            attached.push(info.containers.unwrap_or_default().into_keys().collect::<Vec<String>>());
        }
        let keep = (0..ours.len()).max_by_key(|&i| (attached[i].len(), std::cmp::Reverse(i))).unwrap_or(0);
        let keeper = ours[keep].id.clone();
        for (i, n) in ours.iter().enumerate().filter(|(i, _)| *i != keep) {
            for container in &attached[i] {
                let request = NetworkDisconnectRequest { container: container.clone(), force: Some(true) };
                ctx(self.docker.disconnect_network(&n.id, request).await, || {
                    format!("failed to disconnect container `{}` from a duplicate network `{name}`", short(container))
                })?;
                let service = ctx(self.docker.inspect_container(container, None).await, || {
                    format!("failed to inspect container `{}`", short(container))
                })?
                .config
                .and_then(|c| c.labels)
                .and_then(|l| l.get(LABEL_SERVICE).cloned());
                let request = NetworkConnectRequest {
                    container: container.clone(),
                    endpoint_config: Some(EndpointSettings { aliases: service.map(|s| vec![s]), ..Default::default() }),
                };
                ctx(self.docker.connect_network(&keeper, request).await, || {
                    format!("failed to connect container `{}` to network `{name}`", short(container))
                })?;
            }
            self.remove_network_id(name, &n.id).await?;
            merged.push(n.id.clone());
        }
        Ok(keeper)
    }

    /// Removes a network by id; a missing one is fine.
    pub async fn remove_network_id(&self, name: &str, id: &str) -> Result<()> {
        match self.docker.remove_network(id).await {
            Err(e) if is_not_found(&e) => Ok(()),
            other => ctx(other, || format!("failed to remove network `{name}` ({})", short(id))),
        }
    }
}

/// The first 12 characters of an id, as `docker` shows them.
pub fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}
