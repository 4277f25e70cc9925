//! Judging a started service: ready, exited (with what its latest run logged), or not ready in
//! time; Prometheus' targets against the rendered config; and `restart`, which judges the same way.

use std::io::Write;
use std::time::{Duration, Instant};

use futures_util::future::join_all;

use super::engine::{Daemon, DaemonError};
use super::plan::{ContainerPlan, StackPlan};
use super::targets::{self, Declared};
use super::up::UpReport;
use crate::probe::{Client, TargetHealth};

/// How a started service came up.
pub enum Readiness {
    /// Its readiness endpoint answered.
    Ready,
    /// It exited (or waits in Docker's restart back-off); the last lines its latest run logged.
    Exited(String),
    /// Still not ready at the deadline.
    TimedOut,
}

/// Waits until the service of container `id` is ready, exits, or `deadline` passes.
pub async fn wait_ready(
    engine: &Daemon,
    probe: &Client,
    c: &ContainerPlan,
    id: &str,
    deadline: Instant,
) -> Result<Readiness, DaemonError> {
    let url = format!("{}{}", c.base_url(), c.ready_path);
    loop {
        if probe.ready(&url).await {
            return Ok(Readiness::Ready);
        }
        match engine.run_state(id).await? {
            Some(run) if run.running => {}
            // Docker may start it again any moment: the lines of the run seen dead are wanted.
            Some(run) => return Ok(Readiness::Exited(engine.run_tail(id, &run.started_at, 20).await?)),
            None => return Ok(Readiness::Exited(engine.tail(id, 20).await?)),
        }
        if Instant::now() >= deadline {
            return Ok(Readiness::TimedOut);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until Prometheus scrapes exactly the targets the rendered config declares, each since it
/// loaded that config, and all are up; returns what is not so at `deadline`. `progress` hears
/// (targets up, targets in all) after each look.
pub async fn wait_targets(
    probe: &Client,
    base: &str,
    declared: &Declared,
    deadline: Instant,
    progress: &mut dyn FnMut(usize, usize),
) -> Vec<TargetHealth> {
    loop {
        let problems = match probe.discovery(base).await {
            Ok(found) => {
                let verdict = targets::judge(declared, &found);
                let total = found.active.len() + verdict.missing.len();
                progress(total.saturating_sub(verdict.problems.len()), total);
                if verdict.healthy() {
                    return Vec::new();
                }
                verdict.problems
            }
            Err(e) => vec![TargetHealth {
                job: "prometheus".into(),
                instance: base.into(),
                health: "unknown".into(),
                last_error: format!("Prometheus cannot be asked: {e}"),
                last_scrape: String::new(),
                pool: String::new(),
                address: String::new(),
            }],
        };
        if Instant::now() >= deadline {
            return problems;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Why `restart` stopped.
#[derive(Debug, thiserror::Error)]
pub enum RestartError {
    /// The daemon failed a call.
    #[error(transparent)]
    Daemon(#[from] DaemonError),
    /// A chosen service has no container.
    #[error("service `{0}` has no container\n  = help: run `monstack up` first")]
    NoContainer(String),
}

/// Restarts the `chosen` services' containers and waits until each is ready, up to `timeout`.
pub async fn restart(
    engine: &Daemon,
    plan: &StackPlan,
    chosen: &[&ContainerPlan],
    timeout: Duration,
    log: &mut dyn Write,
) -> Result<UpReport, RestartError> {
    let existing = engine.containers(&plan.project).await?;
    let mut restarted = Vec::new();
    for c in chosen {
        let Some(e) = existing.iter().find(|e| e.service == c.service && e.name == c.name) else {
            return Err(RestartError::NoContainer(c.service.clone()));
        };
        engine.restart(&e.id, &c.name).await?;
        writeln!(log, "restarted {}", c.name).ok();
        restarted.push((*c, e.id.clone()));
    }
    let probe = Client::new();
    let deadline = Instant::now() + timeout;
    let waits = restarted.iter().map(|(c, id)| wait_ready(engine, &probe, c, id, deadline));
    let mut report = UpReport::default();
    for ((c, _), outcome) in restarted.iter().zip(join_all(waits).await) {
        match outcome? {
            Readiness::Ready => {}
            Readiness::Exited(logs) => report.crashed.push((c.service.clone(), logs)),
            Readiness::TimedOut => report.not_ready.push(c.service.clone()),
        }
    }
    Ok(report)
}
