//! `monstack up`: render, then converge the Docker stack to the spec.

use std::io::Write;

use anyhow::Context as _;

use crate::check::report;
use crate::cli::UpArgs;
use crate::project::{errors, provenance, render_checked, write, Project};
use crate::services;
use crate::stack::up::{self, base_url, UpOptions};
use crate::Status;

/// Runs `monstack up`.
pub fn run(args: &UpArgs) -> anyhow::Result<Status> {
    let project = Project::load(&args.project.dir)?;
    let out = project.out_dir();
    // Render once, in memory; check it before anything is written or reloaded.
    let (files, outcome) = render_checked(&project, &out)?;
    if let Some(errors) = errors(&outcome) {
        print!("{}", report::render(&errors, report::Format::Human));
        for note in provenance(&errors, &files, &out, &project) {
            eprintln!("note: {note}");
        }
        eprintln!(
            "error: refusing to start: `monstack check` found {} error(s) in what would be rendered; nothing was changed",
            errors.problems.len()
        );
        return Ok(Status::Findings);
    }
    let changes = write::plan(&out, &files).with_context(|| format!("failed to read `{}`", out.display()))?;
    println!("{}", write::commit(&out, &files, &changes, false)?);
    let plan = project.stack_plan();
    // The Docker side wants absolute paths for its bind mounts.
    let out = project.dir().join(crate::project::layout::OUT_DIR);
    let opts = UpOptions { pull: args.pull, wait: args.wait, timeout: args.timeout };
    super::block_on(async {
        let engine = super::connect().await?;
        let mut stdout = std::io::stdout();
        let report = tokio::select! {
            r = up::up(&engine, &plan, &out, &opts, &mut stdout) => r?,
            _ = tokio::signal::ctrl_c() => {
                eprintln!("interrupted: the stack may be half converged; run `monstack up` again to finish");
                return Ok(Status::Error);
            }
        };
        for (service, logs) in &report.crashed {
            eprintln!("error: `{service}` exited while starting; its last log lines:");
            for line in logs.lines() {
                eprintln!("  | {line}");
            }
        }
        for service in &report.not_ready {
            eprintln!("error: `{service}` is not ready after {:?}; see `monstack logs {service}`", args.timeout);
        }
        for (service, why) in &report.refused {
            eprintln!("error: `{service}` refused its new configuration and keeps running the previous one:\n  {why}");
        }
        for t in &report.down_targets {
            eprintln!("error: target {} of job `{}` is {}: {}", t.instance, t.job, t.health, t.last_error);
        }
        // The services with a UI of their own: the core ones, which `init --with` does not name.
        let with_ui = |name: &str| services::by_name(name).is_some_and(|s| s.init.is_none());
        for c in plan.containers.iter().filter(|c| with_ui(&c.service)) {
            println!("{:<13} {}/", c.service, base_url(c));
        }
        std::io::stdout().flush().ok();
        Ok(if report.ok() { Status::Ok } else { Status::Findings })
    })
}
