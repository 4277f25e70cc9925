//! The project's data volumes.

use std::collections::HashMap;

use bollard::models::VolumeCreateRequest;
use bollard::query_parameters::{ListContainersOptionsBuilder, ListVolumesOptionsBuilder, RemoveVolumeOptions};

use super::{ctx, is_conflict, is_not_found, Daemon, Result};
use crate::stack::plan::{StackPlan, LABEL_PROJECT};

/// What removing the project's volumes did.
#[derive(Debug, Default)]
pub struct VolumesRemoved {
    /// Removed, by name.
    pub removed: Vec<String>,
    /// Not removed, with why.
    pub left: Vec<VolumeLeft>,
}

/// A volume that could not be removed.
#[derive(Debug)]
pub struct VolumeLeft {
    /// Volume name.
    pub name: String,
    /// Containers using it (when that is why).
    pub users: Vec<String>,
    /// The daemon's answer.
    pub why: String,
}

impl Daemon {
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

    /// Names of the project's volumes (by label), sorted.
    pub async fn volumes(&self, project: &str) -> Result<Vec<String>> {
        let filters = HashMap::from([("label", vec![format!("{LABEL_PROJECT}={project}")])]);
        let options = ListVolumesOptionsBuilder::default().filters(&filters).build();
        let list = ctx(self.docker.list_volumes(Some(options)).await, || "failed to list volumes".into())?;
        let mut names: Vec<String> = list.volumes.unwrap_or_default().into_iter().map(|v| v.name).collect();
        names.sort();
        Ok(names)
    }

    /// Removes every volume of the project (by label) that can be removed, and says why the
    /// others could not.
    pub async fn remove_volumes(&self, project: &str) -> Result<VolumesRemoved> {
        let mut done = VolumesRemoved::default();
        for name in self.volumes(project).await? {
            match self.docker.remove_volume(&name, None::<RemoveVolumeOptions>).await {
                Ok(()) => done.removed.push(name),
                Err(e) if is_not_found(&e) => {}
                Err(e) => {
                    let users = if is_conflict(&e) { self.volume_users(&name).await? } else { Vec::new() };
                    let why = match e {
                        bollard::errors::Error::DockerResponseServerError { message, .. } => message,
                        other => other.to_string(),
                    };
                    done.left.push(VolumeLeft { name, users, why });
                }
            }
        }
        Ok(done)
    }

    /// Names of the containers, running or not, that mount volume `name`.
    async fn volume_users(&self, name: &str) -> Result<Vec<String>> {
        let filters = HashMap::from([("volume", vec![name.to_owned()])]);
        let options = ListContainersOptionsBuilder::default().all(true).filters(&filters).build();
        let list = ctx(self.docker.list_containers(Some(options)).await, || "failed to list containers".into())?;
        Ok(list
            .into_iter()
            .filter_map(|c| c.names?.into_iter().next())
            .map(|n| n.trim_start_matches('/').to_owned())
            .collect())
    }
}
