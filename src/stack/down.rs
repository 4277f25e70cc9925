//! `down`: remove what carries the project's label, by id: its containers (also one an
//! interrupted `up` set aside), every network of its name it created (duplicates too), and with
//! `volumes` its data volumes, as many as can be removed.

use std::io::Write;

use super::engine::{short, Daemon, DaemonError, VolumeLeft};
use super::plan::StackPlan;

/// What `down` removed, and the volumes it could not.
#[derive(Debug, Default)]
pub struct DownReport {
    /// Names of the containers removed.
    pub containers: Vec<String>,
    /// Networks removed (by name; duplicates repeat it).
    pub networks: Vec<String>,
    /// Names of the volumes removed.
    pub volumes: Vec<String>,
    /// With why, and which containers use them.
    pub volumes_left: Vec<VolumeLeft>,
}

/// Takes the stack of `plan` down, saying what it removes on `log`.
pub async fn down(
    engine: &Daemon,
    plan: &StackPlan,
    volumes: bool,
    log: &mut dyn Write,
) -> Result<DownReport, DaemonError> {
    let mut report = DownReport::default();
    for e in engine.containers(&plan.project).await? {
        engine.remove(&e.id, &e.name).await?;
        writeln!(log, "removed container {}", e.name).ok();
        report.containers.push(e.name);
    }
    let networks = engine.networks(&plan.network, &plan.project).await?;
    for n in &networks.ours {
        engine.remove_network_id(&plan.network, &n.id).await?;
        writeln!(log, "removed network {}", plan.network).ok();
        report.networks.push(plan.network.clone());
    }
    for n in &networks.foreign {
        writeln!(
            log,
            "left network {} ({}) alone: monstack did not create it for this project",
            plan.network,
            short(&n.id)
        )
        .ok();
    }
    if volumes {
        let done = engine.remove_volumes(&plan.project).await?;
        for v in &done.removed {
            writeln!(log, "removed volume {v}").ok();
        }
        report.volumes_left = done.left;
        report.volumes = done.removed;
    }
    Ok(report)
}
