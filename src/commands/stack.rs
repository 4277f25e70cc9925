//! `monstack down`, `status`, `logs` and `restart`: thin adapters over [`crate::stack`].

use std::time::Instant;

use anyhow::bail;

use crate::cli::{DownArgs, LogsArgs, RestartArgs, StatusArgs};
use crate::probe::Client;
use crate::project::Project;
use crate::stack::engine::Daemon;
use crate::stack::{status, StackPlan};
use crate::Status;

fn plan_of(dir: &std::path::Path) -> anyhow::Result<StackPlan> {
    Ok(Project::load(dir)?.stack_plan())
}

/// Runs `monstack down`.
pub fn down(args: &DownArgs) -> anyhow::Result<Status> {
    let plan = plan_of(&args.project.dir)?;
    super::block_on(async {
        let engine = super::connect().await?;
        for e in engine.containers(&plan.project).await? {
            engine.remove(&e.id, &e.name).await?;
            println!("removed container {}", e.name);
        }
        engine.remove_network(&plan.network).await?;
        if args.volumes {
            for v in engine.remove_volumes(&plan.project).await? {
                println!("removed volume {v}");
            }
        }
        println!(
            "project `{}` is down{}",
            plan.project,
            if args.volumes { "" } else { " (data volumes kept; `--volumes` removes them)" }
        );
        Ok(Status::Ok)
    })
}

/// Runs `monstack status`.
pub fn status(args: &StatusArgs) -> anyhow::Result<Status> {
    let plan = plan_of(&args.project.dir)?;
    super::block_on(async {
        let engine = super::connect().await?;
        let probe = Client::new();
        let report = if args.wait {
            status::gather_until_healthy(&engine, &plan, &probe, Instant::now() + args.timeout).await?
        } else {
            status::gather(&engine, &plan, &probe).await?
        };
        if args.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            print!("{}", status::render_human(&report));
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
    let plan = plan_of(&args.project.dir)?;
    let chosen = select(&plan, &args.services)?;
    super::block_on(async {
        let engine = super::connect().await?;
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
                            println!("{prefix}{line}");
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

/// Runs `monstack restart`.
pub fn restart(args: &RestartArgs) -> anyhow::Result<Status> {
    let plan = plan_of(&args.project.dir)?;
    let chosen = select(&plan, &args.services)?;
    super::block_on(async {
        let engine = super::connect().await?;
        for c in chosen {
            let id = find(&engine, &plan, &c.service).await?;
            engine.restart(&id, &c.name).await?;
            println!("restarted {}", c.name);
        }
        Ok(Status::Ok)
    })
}
