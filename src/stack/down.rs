//! `down`: remove what carries the project's label, by id: its containers (also one an
//! interrupted `up` set aside), every network of its name it created (duplicates too), and with
//! `volumes` its data volumes, as many as can be removed.

use std::io::Write;

use super::engine::{short, Daemon, DaemonError, VolumeLeft};
use super::plan::StackPlan;

/// Volumes that could not be removed.
#[derive(Debug, Default)]
pub struct DownReport {
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
    for e in engine.containers(&plan.project).await? {
        engine.remove(&e.id, &e.name).await?;
        writeln!(log, "removed container {}", e.name).ok();
    }
    let networks = engine.networks(&plan.network, &plan.project).await?;
    for n in &networks.ours {
        engine.remove_network_id(&plan.network, &n.id).await?;
        writeln!(log, "removed network {}", plan.network).ok();
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
    let mut report = DownReport::default();
    if volumes {
        let done = engine.remove_volumes(&plan.project).await?;
        for v in &done.removed {
            writeln!(log, "removed volume {v}").ok();
        }
        report.volumes_left = done.left;
    }
    Ok(report)
}
