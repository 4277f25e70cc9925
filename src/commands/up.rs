//! `monstack up`: render, then converge the Docker stack to the spec.

use crate::out::{out, outln};
use std::io::Write;
use std::time::Instant;

use anyhow::Context as _;

use crate::check::report;
use crate::cli::{OutputFormat, UpArgs};
use crate::project::snapshot::Snapshot;
use crate::project::write::WriteSummary;
use crate::project::{errors, layout, provenance, render_checked, write, Project};
use crate::services;
use crate::stack::lock;
use crate::stack::up::{self, UpOptions, UpReport};
use crate::stack::StackPlan;
use crate::Status;

/// Runs `monstack up`.
pub fn run(args: &UpArgs) -> anyhow::Result<Status> {
    let project = Project::load(&args.project.dir)?;
    let out = project.out_dir();
    // Render once, in memory; check it before anything is written or reloaded.
    let (files, outcome) = render_checked(&project, &out)?;
    let json = args.format == OutputFormat::Json;
    if let Some(errors) = errors(&outcome) {
        // In JSON mode stdout stays one document: check's own JSON report.
        out!("{}", report::render(&errors, if json { report::Format::Json } else { report::Format::Human }));
        for note in provenance(&errors, &files, &out, &project) {
            eprintln!("note: {note}");
        }
        eprintln!(
            "error: refusing to start: `monstack check` found {} error(s) in what would be rendered; nothing was changed",
            errors.problems.len()
        );
        return Ok(Status::Findings);
    }
    let plan = project.stack_plan();
    // The Docker side wants absolute paths for its bind mounts.
    let abs_out = project.dir().join(layout::OUT_DIR);
    // Progress goes where `log` below sends it.
    let color = if json { crate::term::stderr() } else { crate::term::stdout() };
    let opts = UpOptions { pull: args.pull, wait: args.wait, timeout: args.timeout, color };
    super::block_on("the stack may be half converged; run `monstack up` again to finish", async {
        // Progress is for people: in JSON mode it goes to stderr, keeping stdout one document.
        let mut log: Box<dyn Write> = if json { Box::new(std::io::stderr()) } else { Box::new(std::io::stdout()) };
        let _lock = lock::acquire(&abs_out, &plan.project, "up", Instant::now() + args.timeout, &mut log).await?;
        let changes = write::plan(&out, &files).with_context(|| format!("failed to read `{}`", out.display()))?;
        // What the services were given, put back for any that refuses the new files.
        let folders: Vec<&str> = plan.containers.iter().flat_map(|c| &c.config_dirs).map(String::as_str).collect();
        let given = Snapshot::take(&out, &folders).with_context(|| format!("failed to read `{}`", out.display()))?;
        let rendered = write::commit(&out, &files, &changes, false)?;
        writeln!(log, "{rendered}").ok();
        let engine = super::connect(Some(args.timeout)).await?;
        let report = up::up(&engine, &plan, &abs_out, &opts, &mut log).await?;
        super::print_readiness(&report, args.timeout);
        for (service, why) in &report.refused {
            let dirs = plan.containers.iter().filter(|c| &c.service == service).flat_map(|c| &c.config_dirs);
            let mut restored = Vec::new();
            for dir in dirs {
                given.restore(&out, dir)?;
                restored.push(format!("`{}/`", out.join(dir).display()));
            }
            eprintln!("error: `{service}` refused its new configuration and keeps running the previous one:\n  {why}");
            eprintln!(
                "  = help: its previous files are restored in {}, so a restart runs them too; fix the cause and run `monstack up` again",
                restored.join(", ")
            );
        }
        for t in &report.down_targets {
            eprintln!("error: target {} of job `{}` is {}: {}", t.instance, t.job, t.health, t.last_error);
        }
        // The services with a UI of their own: the core ones, which `init --with` does not name.
        let with_ui = |name: &str| services::by_name(name).is_some_and(|s| s.init.is_none());
        if json {
            let summary = WriteSummary::new(&out, &files, &changes, true);
            outln!("{}", serde_json::to_string_pretty(&up_json(&plan, &report, summary, with_ui))?);
        } else {
            for c in plan.containers.iter().filter(|c| with_ui(&c.service)) {
                outln!("{:<13} {}/", c.service, c.base_url());
            }
        }
        std::io::stdout().flush().ok();
        Ok(if report.ok() { Status::Ok } else { Status::Findings })
    })
}

/// `up --format json` (schema in the README): what was rendered, what was done to each service,
/// and what kept the stack from being healthy.
fn up_json(
    plan: &StackPlan,
    report: &UpReport,
    rendered: WriteSummary,
    with_ui: impl Fn(&str) -> bool,
) -> serde_json::Value {
    let services: Vec<_> = plan
        .containers
        .iter()
        .map(|c| {
            let action = report.actions.iter().find(|(s, _)| s == &c.service).map(|(_, a)| *a);
            serde_json::json!({
                "service": c.service,
                "container": c.name,
                "action": action,
                "url": with_ui(&c.service).then(|| format!("{}/", c.base_url())),
            })
        })
        .collect();
    let removed: Vec<&str> = report.actions.iter().filter(|(_, a)| *a == "removed").map(|(s, _)| s.as_str()).collect();
    serde_json::json!({
        "schema": write::JSON_SCHEMA,
        "project": plan.project,
        "ok": report.ok(),
        "render": rendered,
        "services": services,
        "removed": removed,
        "crashed": report.crashed.iter().map(|(s, _)| s).collect::<Vec<_>>(),
        "not_ready": report.not_ready,
        "refused": report.refused.iter().map(|(s, why)| serde_json::json!({"service": s, "why": why})).collect::<Vec<_>>(),
        "down_targets": report.down_targets.iter().map(|t| serde_json::json!({
            "job": t.job, "instance": t.instance, "health": t.health, "error": t.last_error,
        })).collect::<Vec<_>>(),
    })
}
