//! `monstack render`: spec + templates → files for Prometheus, Alertmanager, blackbox, Grafana.

use crate::out::{out, outln};
use std::path::Path;

use anyhow::{bail, Context as _};

use crate::check::report;
use crate::cli::{OutputFormat, RenderArgs, Target};
use crate::project::write::{self, Change, WritePlan, WriteSummary};
use crate::project::{errors, kubernetes, provenance, render_checked, Project};
use crate::render::Rendered;
use crate::{difftext, Status};

/// Runs `monstack render`.
pub fn run(args: &RenderArgs) -> anyhow::Result<Status> {
    let project = Project::load(&args.dir)?;
    let (out, (files, outcome)) = match args.target {
        Target::Docker => {
            let out = args.out.clone().unwrap_or_else(|| project.out_dir());
            let rendered = render_checked(&project, &out)?;
            (out, rendered)
        }
        Target::Kubernetes => {
            let out = args.out.clone().unwrap_or_else(|| kubernetes::out_dir(&project));
            let rendered = kubernetes::render_checked(&project, &out)?;
            (out, rendered)
        }
    };
    // What Prometheus, Alertmanager or Grafana would refuse never reaches the output folder.
    let json = args.format == OutputFormat::Json;
    if let Some(errors) = errors(&outcome) {
        // In JSON mode stdout stays one document: check's own JSON report.
        let format = if json { report::Format::Json } else { report::Format::Human };
        out!("{}", report::render(&errors, format));
        for note in provenance(&errors, &files, &out, &project) {
            eprintln!("note: {note}");
        }
        bail!(
            "refusing to render: `monstack check` found {} error(s) in what would be rendered; nothing was written\n  = help: fix them; `monstack check -C {}` shows warnings too",
            errors.problems.len(),
            args.dir.display()
        );
    }
    let plan = write::plan(&out, &files).with_context(|| format!("failed to read `{}`", out.display()))?;
    if args.check && json {
        outln!("{}", serde_json::to_string_pretty(&WriteSummary::new(&out, &files, &plan, false))?);
        return Ok(if plan.changes.is_empty() { Status::Ok } else { Status::Findings });
    }
    if args.check {
        return Ok(print_drift(&out, &files, &plan));
    }
    let line = write::commit(&out, &files, &plan, args.force)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&WriteSummary::new(&out, &files, &plan, true))?);
    } else {
        outln!("{line}");
    }
    Ok(Status::Ok)
}

/// `render --check`: what would be created, changed (with a diff) or removed.
fn print_drift(out: &Path, files: &Rendered, plan: &WritePlan) -> Status {
    for change in &plan.changes {
        match change {
            Change::Create(rel) => outln!("would create {}", out.join(rel).display()),
            Change::Remove(rel) => outln!("would remove {}", out.join(rel).display()),
            Change::Update(rel) => {
                outln!("would change {}", out.join(rel).display());
                let file = &files[rel];
                if file.secret {
                    outln!("  (holds a secret: contents not shown)");
                    continue;
                }
                let old = std::fs::read(out.join(rel)).unwrap_or_default();
                let diff =
                    difftext::diff(&String::from_utf8_lossy(&old), &String::from_utf8_lossy(&file.contents), 2, 40);
                for line in diff.lines() {
                    outln!("  {line}");
                }
            }
        }
    }
    if plan.changes.is_empty() {
        outln!("{} is up to date ({} files)", out.display(), files.len());
        return Status::Ok;
    }
    outln!("{} would change: run `monstack render` to update it", write::plural(plan.changes.len(), "file"));
    Status::Findings
}
