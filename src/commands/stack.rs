//! `monstack down`, `status`, `logs` and `restart`: thin adapters over [`crate::stack`].

use crate::out::{out, outln};
use std::time::{Duration, Instant};

use anyhow::bail;

use crate::cli::{DownArgs, LogsArgs, OutputFormat, RestartArgs, StatusArgs};
use crate::probe::Client;
use crate::project::{layout, Project};
use crate::stack::engine::Daemon;
use crate::stack::{down, lock, ready, status, StackPlan};
use crate::Status;

/// How long `down` waits for another command working on the project.
const LOCK_WAIT: Duration = Duration::from_secs(120);

/// The project's plan and its output folder (absolute).
fn load(dir: &std::path::Path) -> anyhow::Result<(StackPlan, std::path::PathBuf)> {
    let project = Project::load(dir)?;
    Ok((project.stack_plan(), project.dir().join(layout::OUT_DIR)))
}

/// Runs `monstack down`.
pub fn down(args: &DownArgs) -> anyhow::Result<Status> {
    let (plan, out) = load(&args.project.dir)?;
    super::block_on("the stack may be half removed; run `monstack down` again to finish", async {
        let json = args.format == OutputFormat::Json;
        // Progress is for people: in JSON mode it goes to stderr, keeping stdout one document.
        let mut log: Box<dyn std::io::Write> =
            if json { Box::new(std::io::stderr()) } else { Box::new(std::io::stdout()) };
        let _lock = lock::acquire(&out, &plan.project, "down", Instant::now() + LOCK_WAIT, &mut log).await?;
        let engine = super::connect(None).await?;
        let report = down::down(&engine, &plan, args.volumes, &mut log).await?;
        if json {
            outln!("{}", serde_json::to_string_pretty(&down_json(&plan, args.volumes, &report))?);
        }
        if !report.volumes_left.is_empty() {
            for v in &report.volumes_left {
                match v.users.as_slice() {
                    [] => eprintln!("error: failed to remove volume `{}`: {}", v.name, v.why),
                    [one] => eprintln!("error: volume `{}` is in use by container `{one}`", v.name),
                    many => eprintln!("error: volume `{}` is in use by containers `{}`", v.name, many.join("`, `")),
                }
            }
            eprintln!("  = help: remove the containers that use them, then run `monstack down --volumes` again");
            return Ok(Status::Error);
        }
        if json {
            return Ok(Status::Ok);
        }
        outln!(
            "project `{}` is down{}",
            plan.project,
            if args.volumes { "" } else { " (data volumes kept; `--volumes` removes them)" }
        );
        Ok(Status::Ok)
    })
}

/// `down --format json` (schema in the README).
fn down_json(plan: &StackPlan, volumes: bool, report: &down::DownReport) -> serde_json::Value {
    serde_json::json!({
        "schema": crate::project::write::JSON_SCHEMA,
        "project": plan.project,
        "ok": report.volumes_left.is_empty(),
        "removed": {
            "containers": report.containers,
            "networks": report.networks,
            "volumes": report.volumes,
        },
        "volumes_kept": !volumes,
        "volumes_left": report.volumes_left.iter().map(|v| serde_json::json!({
            "volume": v.name, "why": v.why, "users": v.users,
        })).collect::<Vec<_>>(),
    })
}

/// Runs `monstack status`.
pub fn status(args: &StatusArgs) -> anyhow::Result<Status> {
    let (plan, out) = load(&args.project.dir)?;
    super::block_on("", async {
        let engine = super::connect(args.wait.then_some(args.timeout)).await?;
        let probe = Client::new();
        let report = if args.wait {
            let bar = crate::term::Progress::new("targets up");
            let deadline = Instant::now() + args.timeout;
            status::gather_until_healthy(&engine, &plan, &probe, &out, deadline, &mut |up, total| bar.set(up, total))
                .await?
        } else {
            status::gather(&engine, &plan, &probe, &out).await?
        };
        if args.json {
            outln!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            out!("{}", status::render_human(&report));
        }
        if let Some(why) = &report.prometheus_error {
            eprintln!("error: cannot ask Prometheus for its targets: {why}\n  = help: `monstack logs prometheus` says why it is down; `monstack up` starts it");
            return Ok(Status::Error);
        }
        Ok(if report.healthy { Status::Ok } else { Status::Findings })
    })
}

fn select<'p>(plan: &'p StackPlan, names: &[String]) -> anyhow::Result<Vec<&'p crate::stack::plan::ContainerPlan>> {
    for n in names {
        if !plan.containers.iter().any(|c| &c.service == n) {
            let known: Vec<&str> = plan.containers.iter().map(|c| c.service.as_str()).collect();
            bail!("unknown service `{n}`\n  = help: services of this project: {}", known.join(", "));
        }
    }
    Ok(plan.containers.iter().filter(|c| names.is_empty() || names.contains(&c.service)).collect())
}

async fn find(engine: &Daemon, plan: &StackPlan, service: &str) -> anyhow::Result<String> {
    match engine.containers(&plan.project).await?.into_iter().find(|e| e.service == service) {
        Some(e) => Ok(e.id),
        None => bail!("service `{service}` has no container\n  = help: run `monstack up` first"),
    }
}

/// Runs `monstack logs`.
pub fn logs(args: &LogsArgs) -> anyhow::Result<Status> {
    let (plan, _) = load(&args.project.dir)?;
    let chosen = select(&plan, &args.services)?;
    super::block_on("", async {
        let engine = super::connect(None).await?;
        let width = chosen.iter().map(|c| c.service.len()).max().unwrap_or(0);
        let mut streams = Vec::new();
        for c in &chosen {
            let id = find(&engine, &plan, &c.service).await?;
            let prefix = if chosen.len() > 1 { format!("{:<width$} | ", c.service) } else { String::new() };
            let engine = &engine;
            streams.push(async move {
                engine
                    .stream_logs(&id, args.follow, args.tail, |chunk| {
                        for line in chunk.lines() {
                            outln!("{prefix}{line}");
                        }
                    })
                    .await
            });
        }
        for r in futures_util::future::join_all(streams).await {
            r?;
        }
        Ok(Status::Ok)
    })
}

/// Runs `monstack restart`: restarts, then waits until each service is ready again.
pub fn restart(args: &RestartArgs) -> anyhow::Result<Status> {
    let (plan, out) = load(&args.project.dir)?;
    let chosen = select(&plan, &args.services)?;
    super::block_on("some services may not be restarted; run `monstack restart` again", async {
        let mut stdout = std::io::stdout();
        let _lock = lock::acquire(&out, &plan.project, "restart", Instant::now() + args.timeout, &mut stdout).await?;
        let engine = super::connect(Some(args.timeout)).await?;
        let report = ready::restart(&engine, &plan, &chosen, args.timeout, &mut stdout).await?;
        super::print_readiness(&report, args.timeout);
        Ok(if report.ok() { Status::Ok } else { Status::Findings })
    })
}
