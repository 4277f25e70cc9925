//! `monstack up`: render, then converge the Docker stack to the spec.

use std::io::Write;

use anyhow::Context as _;

use crate::check::report::{self, Outcome};
use crate::cli::UpArgs;
use crate::stack::up::{self, base_url, UpOptions};
use crate::{fsutil, render, Status};

/// Runs `monstack up`.
pub fn run(args: &UpArgs) -> anyhow::Result<Status> {
    let dir = &args.project.dir;
    let (project, spec) = super::load_project(dir)?;
    let out = super::join(dir, "build");
    // Render once, in memory; check it before anything is written or reloaded.
    let files = render::render(&project, &spec, &out)?;
    let opts = crate::check::run::Options { lint: super::check::lint_options(&spec), ..Default::default() };
    let outcome = super::check::rendered(&out, &files, &opts)?;
    let (errors, _) = outcome.counts();
    if errors > 0 {
        let only_errors = Outcome {
            files: outcome.files.clone(),
            problems: outcome.problems.into_iter().filter(|p| p.severity == crate::check::Severity::Error).collect(),
        };
        print!("{}", report::render(&only_errors, report::Format::Human));
        eprintln!("error: refusing to start: `monstack check` found {errors} error(s) in what would be rendered; nothing was changed");
        return Ok(Status::Findings);
    }
    let changes = fsutil::plan(&out, &files).with_context(|| format!("failed to read `{}`", out.display()))?;
    super::render::write(&out, &files, &changes, false)?;
    // The Docker side wants absolute paths for its bind mounts.
    let out = project.dir.join("build");
    let plan = crate::stack::plan(&spec, &project.dir, &out);
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
        for c in
            plan.containers.iter().filter(|c| matches!(c.service.as_str(), "prometheus" | "alertmanager" | "grafana"))
        {
            println!("{:<13} {}/", c.service, base_url(c));
        }
        std::io::stdout().flush().ok();
        Ok(if report.ok() { Status::Ok } else { Status::Findings })
    })
}
