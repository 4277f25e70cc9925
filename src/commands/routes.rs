//! `monstack routes`: where an alert with given labels goes, through the native router
//! ([`crate::routing`]), in the project's rendered Alertmanager config or a given one; and, with
//! `--test`, routing test files.

use crate::out::{out, outln};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};

use crate::cli::RoutesArgs;
use crate::project::Project;
use crate::routing::{self, Config, Instant, Labels};
use crate::Status;

/// Runs `monstack routes`.
pub fn run(args: &RoutesArgs) -> anyhow::Result<Status> {
    // YAML's parser recurses as deep as a file nests: parse on a stack that holds the deepest
    // file the reader accepts, as `check` does.
    crate::check::deep::on_big_stack(|| if args.tests.is_empty() { route(args) } else { tests(args) })
}

/// The config: `--config`, else `fallback` (a test file's own), else the project's render.
fn config(args: &RoutesArgs, fallback: Option<&Path>) -> anyhow::Result<Config> {
    let (path, text) = match args.config.as_deref().or(fallback) {
        Some(path) => (
            path.to_owned(),
            crate::fsutil::read_regular(path).with_context(|| format!("cannot read `{}`", path.display()))?,
        ),
        None => {
            let project = Project::load(&args.project.dir)?;
            let source = project.rendered_alertmanager()?;
            (source.path, source.text)
        }
    };
    Ok(Config::parse(&path, &text)?)
}

fn route(args: &RoutesArgs) -> anyhow::Result<Status> {
    let mut labels = Labels::new();
    for arg in &args.labels {
        let (name, value) = routing::parse_label(arg).map_err(|e| anyhow!(e))?;
        labels.insert(name, value);
    }
    let at = args.at.as_deref().map(|t| Instant::parse(t).map_err(|e| anyhow!("`--at`: {e}"))).transpose()?;
    let config = config(args, None)?;
    // As amtool: an empty `--verify` verifies nothing.
    let verify = args.verify.as_deref().filter(|v| !v.is_empty());
    if let Some(verify) = verify {
        for name in verify.split(',') {
            if config.receiver(name).is_none() {
                let known: Vec<&str> = config.receivers.iter().map(|r| r.name.as_str()).collect();
                let near = crate::diag::nearest(name, known.iter().copied())
                    .map(|n| format!("did you mean `{n}`? "))
                    .unwrap_or_default();
                return Err(anyhow!(
                    "`--verify`: no receiver `{name}` in the config\n  = help: {near}receivers: `{}`",
                    known.join("`, `")
                ));
            }
        }
    }
    let decision = config.decide(&labels, &[], at);
    let slug = decision.receivers_slug();
    if args.tree {
        let muted = |r: &routing::Route| at.is_some_and(|t| config.muted(r, t));
        outln!("Matching routes:\n{}\n", routing::route::matching_tree(&config.route, &labels, &muted));
    }
    outln!("{slug}");
    if let Some(t) = at {
        for (r, _) in decision.routes.iter().zip(&decision.muted).filter(|(_, m)| **m) {
            outln!(
                "muted at {}: {} ({})",
                t.rfc3339(),
                r.opts.receiver,
                routing::route::describe(&config.route, &r.path)
            );
        }
    }
    if verify.is_some_and(|v| v != slug) {
        outln!("WARNING: Expected receivers did not match resolved receivers.");
        return Ok(Status::Findings);
    }
    Ok(Status::Ok)
}

fn tests(args: &RoutesArgs) -> anyhow::Result<Status> {
    let mut failed = false;
    let mut project: Option<Config> = None;
    for path in &args.tests {
        let file = routing::tests::load(path)?;
        let own;
        let config = match (&args.config, &file.config) {
            (None, Some(p)) => {
                own = config(args, Some(&PathBuf::from(p)))?;
                &own
            }
            _ => {
                if project.is_none() {
                    project = Some(config(args, None)?);
                }
                project.as_ref().expect("set just above")
            }
        };
        let report = routing::tests::run(&file, config)?;
        out!("{}", routing::tests::render(&report));
        failed |= !report.passed();
    }
    Ok(if failed { Status::Findings } else { Status::Ok })
}
