//! Carrying out one service's decided action. A replacement never leaves the service worse than
//! it was: the previous container is stopped and set aside under `<name>.previous`, and put back
//! (and started again if it ran) when its successor cannot be created or started.

use std::io::Write;

use super::{Action, UpError, Work};
use crate::stack::engine::{Daemon, DaemonError, Existing};
use crate::stack::plan::ContainerPlan;

/// Suffix of a container set aside while its successor starts.
const PREVIOUS: &str = ".previous";

/// What was done.
pub(super) enum Done {
    /// Nothing: it runs as it should.
    Unchanged,
    /// Its config files changed: reload it.
    Reload,
    /// Nothing, but it is in Docker's restart back-off: judge its readiness.
    Judge,
    /// (Re)started, with how to say it (`started`, `restarted`).
    Started(&'static str),
}

/// Containers set aside by an `up` that was interrupted: removed when their successor exists,
/// else renamed back. Returns the project's containers as they are after that.
pub(super) async fn settle_previous(
    engine: &Daemon,
    mut existing: Vec<Existing>,
    log: &mut dyn Write,
) -> Result<Vec<Existing>, DaemonError> {
    let names: Vec<String> = existing.iter().map(|e| e.name.clone()).collect();
    let mut kept = Vec::new();
    for mut e in existing.drain(..) {
        let Some(main) = e.name.strip_suffix(PREVIOUS).map(str::to_owned) else {
            kept.push(e);
            continue;
        };
        if names.contains(&main) {
            engine.remove(&e.id, &e.name).await?;
            writeln!(log, "removed {} (set aside by an interrupted `up`)", e.name).ok();
        } else {
            engine.rename(&e.id, &main).await?;
            writeln!(log, "renamed {} back to {main} (set aside by an interrupted `up`)", e.name).ok();
            e.name = main;
            kept.push(e);
        }
    }
    Ok(kept)
}

/// Carries out one container's action on the network `network` (an id); returns the plan, the
/// container id, what was done and the hash of its config files.
pub(super) async fn converge<'a>(
    engine: &Daemon,
    network: &str,
    w: Work<'a>,
) -> Result<(&'a ContainerPlan, String, Done, String), UpError> {
    let Work { c, action, hash, secrets, files } = w;
    let (id, done) = match action {
        Action::Keep(e) => (e.id.clone(), Done::Unchanged),
        Action::Reload(e) => (e.id.clone(), Done::Reload),
        Action::Judge(e) => (e.id.clone(), Done::Judge),
        Action::Restart(e) => {
            engine.restart(&e.id, &e.name).await?;
            (e.id.clone(), Done::Started("restarted"))
        }
        Action::Start(e) => {
            engine.start(&e.id, &e.name).await?;
            (e.id.clone(), Done::Started("started"))
        }
        Action::Create => (create_and_start(engine, network, c, &hash, secrets).await?, Done::Started("started")),
        Action::Recreate(e) => (recreate(engine, network, c, e, &hash, secrets).await?, Done::Started("started")),
    };
    Ok((c, id, done, files))
}

async fn create_and_start(
    engine: &Daemon,
    network: &str,
    c: &ContainerPlan,
    hash: &str,
    secrets: Vec<(String, Vec<u8>)>,
) -> Result<String, DaemonError> {
    let id = engine.create(network, c, hash, secrets).await?;
    if let Err(e) = engine.start(&id, &c.name).await {
        engine.remove(&id, &c.name).await.ok();
        return Err(e);
    }
    Ok(id)
}

async fn recreate(
    engine: &Daemon,
    network: &str,
    c: &ContainerPlan,
    old: &Existing,
    hash: &str,
    secrets: Vec<(String, Vec<u8>)>,
) -> Result<String, UpError> {
    let was_running = matches!(old.state.as_str(), "running" | "restarting");
    let aside = format!("{}{PREVIOUS}", c.name);
    engine.stop(&old.id, &old.name).await?;
    if let Err(source) = engine.rename(&old.id, &aside).await {
        let outcome = put_back(engine, old, &old.name, was_running).await;
        return Err(UpError::Recreate { service: c.service.clone(), outcome, source: Box::new(source) });
    }
    match create_and_start(engine, network, c, hash, secrets).await {
        Ok(id) => {
            engine.remove(&old.id, &aside).await?;
            Ok(id)
        }
        Err(source) => {
            let outcome = match engine.rename(&old.id, &old.name).await {
                Ok(()) => put_back(engine, old, &old.name, was_running).await,
                Err(e) => format!("the previous container is stopped as `{aside}` and could not be renamed back: {e}"),
            };
            Err(UpError::Recreate { service: c.service.clone(), outcome, source: Box::new(source) })
        }
    }
}

/// Starts the previous container again if it ran; says what became of it.
async fn put_back(engine: &Daemon, old: &Existing, name: &str, was_running: bool) -> String {
    if !was_running {
        return format!("the previous container of `{}` is back, stopped as it was", old.service);
    }
    match engine.start(&old.id, name).await {
        Ok(()) => format!("the previous container of `{}` is running again", old.service),
        Err(e) => format!("the previous container of `{}` is back but did not start: {e}", old.service),
    }
}
