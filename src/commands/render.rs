//! `monstack render`: spec + templates → files for Prometheus, Alertmanager, blackbox, Grafana.

use anyhow::{bail, Context as _};

use crate::cli::RenderArgs;
use crate::fsutil::{self, Change};
use std::path::Path;

use crate::render::Rendered;
use crate::{difftext, render, Status};

/// Runs `monstack render`.
pub fn run(args: &RenderArgs) -> anyhow::Result<Status> {
    let (project, spec) = super::load_project(&args.dir)?;
    let out = args.out.clone().unwrap_or_else(|| super::join(&args.dir, "build"));
    let files = render::render(&project, &spec, &out)?;
    let plan = fsutil::plan(&out, &files).with_context(|| format!("failed to read `{}`", out.display()))?;

    if args.check {
        for change in &plan.changes {
            match change {
                Change::Create(rel) => println!("would create {}", out.join(rel).display()),
                Change::Remove(rel) => println!("would remove {}", out.join(rel).display()),
                Change::Update(rel) => {
                    println!("would change {}", out.join(rel).display());
                    let file = &files[rel];
                    if file.secret {
                        println!("  (holds a secret: contents not shown)");
                        continue;
                    }
                    let old = std::fs::read(out.join(rel)).unwrap_or_default();
                    let diff =
                        difftext::diff(&String::from_utf8_lossy(&old), &String::from_utf8_lossy(&file.contents), 2, 40);
                    for line in diff.lines() {
                        println!("  {line}");
                    }
                }
            }
        }
        if plan.changes.is_empty() {
            println!("{} is up to date ({} files)", out.display(), files.len());
            return Ok(Status::Ok);
        }
        println!("{} would change: run `monstack render` to update it", plural(plan.changes.len(), "file"));
        return Ok(Status::Findings);
    }

    write(&out, &files, &plan, args.force)?;
    Ok(Status::Ok)
}

/// Writes a rendered tree as `plan` says, refusing to replace files render did not write unless
/// `force`, and prints a summary.
pub(crate) fn write(out: &Path, files: &Rendered, plan: &fsutil::Plan, force: bool) -> anyhow::Result<()> {
    if !plan.foreign.is_empty() && !force {
        let list: Vec<String> = plan.foreign.iter().map(|r| format!("  {}", out.join(r).display())).collect();
        bail!(
            "refusing to overwrite files render did not write:\n{}\n  = help: move them away, or pass `--force` to overwrite them",
            list.join("\n")
        );
    }
    fsutil::apply(out, files, plan)?;
    let count = |f: fn(&Change) -> bool| plan.changes.iter().filter(|c| f(c)).count();
    println!(
        "rendered {} into {} ({} created, {} updated, {} removed)",
        plural(files.len(), "file"),
        out.display(),
        count(|c| matches!(c, Change::Create(_))),
        count(|c| matches!(c, Change::Update(_))),
        count(|c| matches!(c, Change::Remove(_))),
    );
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
