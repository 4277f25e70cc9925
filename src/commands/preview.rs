//! `monstack preview`: what each integration of a receiver would send for an alert, rendered by
//! [`crate::notify`] from the project's rendered Alertmanager config or a given one.

use crate::out::outln;

use anyhow::{anyhow, Context};

use crate::cli::PreviewArgs;
use crate::notify::{self, Alert};
use crate::project::Project;
use crate::routing::{self, Instant, Labels};
use crate::Status;

/// Runs `monstack preview`.
pub fn run(args: &PreviewArgs) -> anyhow::Result<Status> {
    crate::check::deep::on_big_stack(|| preview(args))
}

fn pairs(args: &[String], what: &str) -> anyhow::Result<Labels> {
    let mut out = Labels::new();
    for arg in args {
        let (k, v) = routing::parse_label(arg).map_err(|e| anyhow!("{what}: {e}"))?;
        out.insert(k, v);
    }
    Ok(out)
}

fn preview(args: &PreviewArgs) -> anyhow::Result<Status> {
    let labels = pairs(&args.labels, "label")?;
    let annotations = pairs(&args.annotations, "`--annotation`")?;
    let starts_at = match &args.at {
        Some(t) => Instant::parse(t).map_err(|e| anyhow!("`--at`: {e}"))?.0 as f64,
        None => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64()),
    };
    let (path, text) = match &args.config {
        Some(path) => (
            path.clone(),
            crate::fsutil::read_regular(path).with_context(|| format!("cannot read `{}`", path.display()))?,
        ),
        None => Project::load(&args.project.dir)?.rendered_alertmanager()?.ok_or_else(|| {
            anyhow!(
                "the project in `{}` does not enable Alertmanager: there is nothing to preview",
                args.project.dir.display()
            )
        })?,
    };
    let alert =
        Alert { labels, annotations, starts_at, generator_url: String::new(), external_url: args.external_url.clone() };
    let notifications = notify::preview(&path, &text, &args.receiver, &alert)?;
    if notifications.is_empty() {
        outln!("receiver `{}` has no integrations: it notifies no one", args.receiver);
    }
    let mut failed = false;
    for n in &notifications {
        outln!("{}[{}]", n.integration, n.index);
        for (field, value) in &n.fields {
            match value {
                Ok(v) if v.contains('\n') => {
                    outln!("  {field}: |");
                    for line in v.lines() {
                        outln!("    {line}");
                    }
                }
                Ok(v) => outln!("  {field}: {v}"),
                Err(e) => {
                    failed = true;
                    outln!("  {field}: error: {e}");
                }
            }
        }
    }
    Ok(if failed { Status::Findings } else { Status::Ok })
}
