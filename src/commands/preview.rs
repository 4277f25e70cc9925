//! `monstack preview`: what each integration of a receiver would send for a group of alerts,
//! rendered by [`crate::notify`] from the project's rendered Alertmanager config or a given one.

use crate::out::outln;

use anyhow::{anyhow, Context};

use crate::cli::{OutputFormat, PreviewArgs};
use crate::notify::{self, Alert, Request, Source};
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
    let now = match &args.at {
        Some(t) => Instant::parse(t).map_err(|e| anyhow!("`--at`: {e}"))?.0 as f64,
        None => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64()),
    };
    let alerts = match &args.alerts {
        Some(file) => {
            let text =
                crate::fsutil::read_regular(file).with_context(|| format!("cannot read `{}`", file.display()))?;
            notify::alerts::parse(file, &text, now)?
        }
        None => {
            let labels = pairs(&args.labels, "label")?;
            if labels.is_empty() {
                return Err(anyhow!(
                    "no alert to preview: give its labels (`alertname=HostDown …`) or `--alerts FILE`"
                ));
            }
            let annotations = pairs(&args.annotations, "`--annotation`")?;
            vec![Alert {
                labels,
                annotations,
                starts_at: now,
                ends_at: None,
                generator_url: args.generator_url.clone().unwrap_or_default(),
            }]
        }
    };
    let request = Request { receiver: args.receiver.clone(), alerts, now, external_url: args.external_url.clone() };
    let preview = match &args.config {
        Some(path) => {
            let text =
                crate::fsutil::read_regular(path).with_context(|| format!("cannot read `{}`", path.display()))?;
            notify::preview(&Source { path: path.clone(), text, files: None }, &request)?
        }
        None => {
            let project = Project::load(&args.project.dir)?;
            let source = project.rendered_alertmanager()?;
            notify::preview(&source, &request)?
        }
    };
    if !preview.routed {
        let label = crate::term::paint(crate::term::stderr(), crate::term::Style::Warning, "warning");
        eprintln!(
            "{label}: these labels do not reach receiver `{}` through the route tree: shown as if they did",
            request.receiver
        );
    }
    let failed = preview.notifications.iter().flat_map(|n| &n.fields).any(|(_, v)| v.is_err());
    match args.format {
        OutputFormat::Json => outln!("{:#}", json(&preview)),
        OutputFormat::Human => human(&preview),
    }
    Ok(if failed { Status::Findings } else { Status::Ok })
}

fn human(preview: &notify::Preview) {
    let firing = preview.group.alerts.iter().filter(|(_, f)| *f).count();
    let total = preview.group.alerts.len();
    let alerts = match (total, firing) {
        (1, 1) => "1 alert, firing".to_owned(),
        (1, _) => "1 alert, resolved".to_owned(),
        (n, f) => format!("{n} alerts, {f} firing, {} resolved", n - f),
    };
    outln!("group {}: {alerts}", preview.group.key());
    if preview.notifications.is_empty() {
        outln!("receiver `{}` has no integrations: it notifies no one", preview.group.receiver);
    }
    for n in &preview.notifications {
        outln!("{}[{}]", n.integration, n.index);
        if let Some(why) = &n.silent {
            outln!("  ({why})");
        }
        for (field, value) in &n.fields {
            match value {
                Ok(v) if v.contains('\n') => {
                    outln!("  {field}: |");
                    for line in v.lines() {
                        outln!("    {line}");
                    }
                }
                Ok(v) => outln!("  {field}: {v}"),
                Err(e) => outln!("  {field}: error: {e}"),
            }
        }
    }
}

/// The preview as JSON (schema in the README).
fn json(preview: &notify::Preview) -> serde_json::Value {
    let notifications: Vec<serde_json::Value> = preview
        .notifications
        .iter()
        .map(|n| {
            let fields: serde_json::Map<String, serde_json::Value> =
                n.fields.iter().filter_map(|(k, v)| Some((k.clone(), v.as_ref().ok()?.clone().into()))).collect();
            let errors: serde_json::Map<String, serde_json::Value> =
                n.fields.iter().filter_map(|(k, v)| Some((k.clone(), v.as_ref().err()?.clone().into()))).collect();
            serde_json::json!({
                "integration": n.integration,
                "index": n.index,
                "sent": n.silent.is_none(),
                "why_not_sent": n.silent,
                "fields": fields,
                "errors": errors,
            })
        })
        .collect();
    serde_json::json!({
        "schema": crate::project::write::JSON_SCHEMA,
        "receiver": preview.group.receiver,
        "routed": preview.routed,
        "group_key": preview.group.key(),
        "notifications": notifications,
    })
}
