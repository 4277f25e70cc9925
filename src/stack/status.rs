//! `status`: every service's container and readiness, then Prometheus' view of every target and
//! the firing alerts. The JSON form is a stable, documented schema.

use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::engine::{Daemon, DaemonError};
use super::plan::StackPlan;
use super::state::rfc3339_seconds;
use super::targets;
use crate::probe::{Client, FiringAlert};
use crate::term::{paint, Style};

/// Schema version of `status --json`; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole report (`status --json`).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Schema version.
    pub schema: u32,
    /// Project name.
    pub project: String,
    /// Every service runs and is ready, and every target is up.
    pub healthy: bool,
    /// One entry per service of the spec.
    pub services: Vec<ServiceStatus>,
    /// Every active Prometheus target, then the declared ones it has not discovered yet; when
    /// Prometheus cannot be asked, every declared target as `unknown`.
    pub targets: Vec<TargetStatus>,
    /// Firing alerts.
    pub alerts: Vec<FiringAlert>,
    /// Why Prometheus could not be asked, if it could not (`null` otherwise).
    pub prometheus_error: Option<String>,
}

/// A service's container.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceStatus {
    /// Service name.
    pub service: String,
    /// Container name.
    pub container: String,
    /// Docker state (`running`, `exited`, `restarting`, …) or `missing`.
    pub state: String,
    /// Whether its readiness endpoint answers.
    pub ready: bool,
    /// Seconds since it started, when running.
    pub uptime_seconds: Option<i64>,
    /// URL on the host.
    pub url: String,
}

/// A Prometheus target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetStatus {
    /// `job` label.
    pub job: String,
    /// `instance` label.
    pub instance: String,
    /// `up`, `down` or `unknown`, as Prometheus reports it.
    pub health: String,
    /// Error of the last scrape, empty when it worked.
    pub last_error: String,
    /// Time of the last scrape (RFC 3339), as Prometheus reports it.
    pub last_scrape: String,
    /// Seconds since the last scrape.
    pub last_scrape_age_seconds: Option<i64>,
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// An error and its innermost cause on one line: `failed to reach `…`: Connection refused`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut root = e.source();
    while let Some(deeper) = root.and_then(|c| c.source()) {
        root = Some(deeper);
    }
    match root {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// Gathers the report once; `out_dir` holds the rendered config, whose targets are expected.
/// Only the daemon failing is an error: when Prometheus cannot be asked, the report says so.
pub async fn gather(engine: &Daemon, plan: &StackPlan, probe: &Client, out_dir: &Path) -> Result<Report, DaemonError> {
    let existing = engine.containers(&plan.project).await?;
    let mut services = Vec::new();
    for c in &plan.containers {
        let found = existing.iter().find(|e| e.service == c.service);
        let (state, uptime) = match found {
            Some(e) => {
                let started = engine.started_at(&e.id).await?.and_then(|s| rfc3339_seconds(&s));
                (e.state.clone(), started.map(|s| now() - s))
            }
            None => ("missing".to_owned(), None),
        };
        let ready = state == "running" && probe.ready(&format!("{}{}", c.base_url(), c.ready_path)).await;
        services.push(ServiceStatus {
            service: c.service.clone(),
            container: c.name.clone(),
            state,
            ready,
            uptime_seconds: uptime,
            url: format!("{}/", c.base_url()),
        });
    }
    let prom = plan.containers.iter().find(|c| c.service == "prometheus").map(|c| c.base_url()).unwrap_or_default();
    let declared = targets::declared(out_dir);
    let (found, alerts, prometheus_error) = match probe.discovery(&prom).await {
        Ok(found) => {
            let missing = targets::judge(&declared, &found).missing;
            let alerts = probe.firing_alerts(&prom).await.unwrap_or_default();
            (found.active.into_iter().chain(missing).collect(), alerts, None)
        }
        Err(e) => {
            let unknown = targets::all_unknown(&declared, "Prometheus cannot be asked");
            (unknown, Vec::new(), Some(chain(&e)))
        }
    };
    let targets: Vec<TargetStatus> = found
        .into_iter()
        .map(|t| TargetStatus {
            last_scrape_age_seconds: rfc3339_seconds(&t.last_scrape).filter(|s| *s > 0).map(|s| now() - s),
            job: t.job,
            instance: t.instance,
            health: t.health,
            last_error: t.last_error,
            last_scrape: t.last_scrape,
        })
        .collect();
    let healthy = services.iter().all(|s| s.ready) && !targets.is_empty() && targets.iter().all(|t| t.health == "up");
    Ok(Report {
        schema: SCHEMA_VERSION,
        project: plan.project.clone(),
        healthy,
        services,
        targets,
        alerts,
        prometheus_error,
    })
}

/// Gathers until healthy or `deadline`; returns the last report.
pub async fn gather_until_healthy(
    engine: &Daemon,
    plan: &StackPlan,
    probe: &Client,
    out_dir: &Path,
    deadline: Instant,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, DaemonError> {
    loop {
        let report = gather(engine, plan, probe, out_dir).await?;
        progress(report.targets.iter().filter(|t| t.health == "up").count(), report.targets.len());
        if report.healthy || Instant::now() >= deadline {
            return Ok(report);
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// Seconds as `1h2m`, `3m4s` or `5s`.
pub fn human_age(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h{}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// The report as the human table.
pub fn render_human(r: &Report) -> String {
    let color = crate::term::stdout();
    let mut out = String::new();
    // Padding goes before the colour, so escape codes do not skew the columns.
    let row = |cols: &[(&str, Option<Style>)], widths: &[usize]| {
        let mut line = String::new();
        for ((c, style), w) in cols.iter().zip(widths) {
            let cell = format!("{c:<w$}");
            match style {
                Some(style) => line.push_str(&paint(color, *style, &cell)),
                None => line.push_str(&cell),
            }
            line.push_str("  ");
        }
        line.trim_end().to_owned() + "\n"
    };
    let good = |ok: bool| Some(if ok { Style::Ok } else { Style::Error });
    let heading = |cols: &[&'static str]| cols.iter().map(|c| (*c, Some(Style::Bold))).collect::<Vec<_>>();
    let w = [14, 11, 6, 8, 0];
    out.push_str(&row(&heading(&["SERVICE", "STATE", "READY", "UPTIME", "URL"]), &w));
    for s in &r.services {
        let up = s.uptime_seconds.map(human_age).unwrap_or_else(|| "-".into());
        let ready = if s.ready { "yes" } else { "no" };
        out.push_str(&row(
            &[
                (&s.service, None),
                (&s.state, good(s.state == "running")),
                (ready, good(s.ready)),
                (&up, None),
                (&s.url, None),
            ],
            &w,
        ));
    }
    out.push('\n');
    let w = [18, 40, 8, 12, 0];
    out.push_str(&row(&heading(&["JOB", "INSTANCE", "HEALTH", "LAST SCRAPE", "ERROR"]), &w));
    for t in &r.targets {
        let age = t.last_scrape_age_seconds.map(|a| format!("{} ago", human_age(a))).unwrap_or_else(|| "never".into());
        let error = (!t.last_error.is_empty()).then_some(Style::Error);
        out.push_str(&row(
            &[
                (&t.job, None),
                (&t.instance, None),
                (&t.health, good(t.health == "up")),
                (&age, None),
                (&t.last_error, error),
            ],
            &w,
        ));
    }
    out.push('\n');
    if let Some(why) = &r.prometheus_error {
        let line = format!("targets and alerts unknown: Prometheus cannot be asked: {why}");
        out.push_str(&format!("{}\n", paint(color, Style::Error, &line)));
    } else if r.alerts.is_empty() {
        out.push_str("no alerts firing\n");
    } else {
        out.push_str(&format!("{}\n", paint(color, Style::Warning, &format!("{} alerts firing:", r.alerts.len()))));
        for a in &r.alerts {
            out.push_str(&format!("  {} ({}) {}\n", a.name, a.severity, a.instance));
        }
    }
    let down = r.targets.iter().filter(|t| t.health != "up").count();
    let unready = r.services.iter().filter(|s| !s.ready).count();
    let last = if r.healthy {
        paint(
            color,
            Style::Ok,
            &format!("healthy: {} services ready, {} targets up", r.services.len(), r.targets.len()),
        )
    } else {
        let line = format!("unhealthy: {unready} services not ready, {down} of {} targets not up", r.targets.len());
        paint(color, Style::Error, &line)
    };
    out.push_str(&last);
    out.push('\n');
    out
}
