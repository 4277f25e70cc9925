//! `up`: converge the daemon to the plan. Unchanged containers are left alone, config-only
//! changes are reloaded, anything else is recreated with its volume kept.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::future::join_all;

use super::engine::{Daemon, DaemonError, Existing};
use super::plan::{ContainerPlan, Reload, StackPlan};
use super::state;
use crate::probe::{Client, TargetHealth};

/// When to pull images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PullPolicy {
    /// Pull images that are not present locally.
    Missing,
    /// Pull every image.
    Always,
    /// Never pull; a missing image is an error.
    Never,
}

/// Options of `up`.
#[derive(Debug, Clone)]
pub struct UpOptions {
    /// When to pull images.
    pub pull: PullPolicy,
    /// Wait until every target is up.
    pub wait: bool,
    /// Limit for readiness and `wait`.
    pub timeout: Duration,
}

/// Why `up` stopped.
#[derive(Debug, thiserror::Error)]
pub enum UpError {
    /// The daemon failed a call.
    #[error(transparent)]
    Daemon(#[from] DaemonError),
    /// An image is not available.
    #[error("image `{image}` of service `{service}` is not available locally{why}\n  = help: build the local images with `scripts/build-images` or `docker load` the image, or set `{service}.image` in monstack.yaml to an image you have")]
    MissingImage {
        /// Image.
        image: String,
        /// Service using it.
        service: String,
        /// Why it could not be pulled.
        why: String,
    },
    /// A host port is taken by something else.
    #[error("port {port} on {ip} for service `{service}` is already in use\n  = help: stop what listens there, or give `{service}` another `port` in monstack.yaml")]
    PortInUse {
        /// Port.
        port: u16,
        /// Address.
        ip: String,
        /// Service.
        service: String,
    },
    /// A secret file is missing.
    #[error("failed to read secret `{}` for service `{service}`", path.display())]
    Secret {
        /// Service.
        service: String,
        /// File.
        path: std::path::PathBuf,
        /// I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// What happened, for the caller to print and judge.
#[derive(Debug, Default)]
pub struct UpReport {
    /// Services whose container exited while starting, with their last log lines.
    pub crashed: Vec<(String, String)>,
    /// Services not ready in time.
    pub not_ready: Vec<String>,
    /// Services that refused their new config, with the reason.
    pub refused: Vec<(String, String)>,
    /// Targets not up when waiting ended.
    pub down_targets: Vec<TargetHealth>,
}

impl UpReport {
    /// Whether the stack is fully healthy.
    pub fn ok(&self) -> bool {
        self.crashed.is_empty() && self.not_ready.is_empty() && self.refused.is_empty() && self.down_targets.is_empty()
    }
}

enum Action<'a> {
    Keep(&'a Existing),
    Start(&'a Existing),
    Recreate(&'a Existing),
    Create,
}

/// Base URL of a service on the host.
pub fn base_url(c: &ContainerPlan) -> String {
    let port = c.ports.first().map_or(0, |p| p.host_port);
    format!("http://127.0.0.1:{port}")
}

fn read_secrets(c: &ContainerPlan) -> Result<Vec<(String, Vec<u8>)>, UpError> {
    c.secrets
        .iter()
        .map(|s| {
            std::fs::read(&s.source).map(|data| (s.target.clone(), data)).map_err(|source| UpError::Secret {
                service: c.service.clone(),
                path: s.source.clone(),
                source,
            })
        })
        .collect()
}

/// Brings the stack of `plan` up; `out_dir` holds the rendered files.
pub async fn up(
    engine: &Daemon,
    plan: &StackPlan,
    out_dir: &Path,
    opts: &UpOptions,
    log: &mut dyn Write,
) -> Result<UpReport, UpError> {
    ensure_images(engine, plan, opts.pull, log).await?;
    let existing = engine.containers(&plan.project).await?;
    let by_service: BTreeMap<&str, &Existing> = existing.iter().map(|e| (e.service.as_str(), e)).collect();

    // Decide everything, and check ports and secrets, before touching anything.
    let mut work = Vec::new();
    let key = state::key(out_dir).map_err(|source| UpError::Secret {
        service: "(all)".into(),
        path: out_dir.join(state::KEY),
        source,
    })?;
    for c in &plan.containers {
        let secrets = read_secrets(c)?;
        let hash = format!("{}-{}", c.labels[super::plan::LABEL_CONFIG_HASH], state::secrets_hash(&key, &secrets));
        let action = match by_service.get(c.service.as_str()) {
            Some(e) if e.hash == hash && e.state == "running" => Action::Keep(e),
            Some(e) if e.hash == hash => Action::Start(e),
            Some(e) => Action::Recreate(e),
            None => Action::Create,
        };
        if matches!(action, Action::Create | Action::Start(_)) {
            for p in &c.ports {
                if TcpListener::bind((p.host_ip.as_str(), p.host_port)).is_err() {
                    return Err(UpError::PortInUse {
                        port: p.host_port,
                        ip: p.host_ip.clone(),
                        service: c.service.clone(),
                    });
                }
            }
        }
        work.push((c, action, hash, secrets));
    }

    for e in existing.iter().filter(|e| !plan.containers.iter().any(|c| c.service == e.service)) {
        writeln!(log, "removing {} (no longer in the spec)", e.name).ok();
        engine.remove(&e.id, &e.name).await?;
    }
    engine.ensure_network(plan).await?;
    engine.ensure_volumes(plan).await?;

    let mut applied = state::load(out_dir);
    let mut started = Vec::new();
    let mut reloads = Vec::new();
    // Prometheus first: it takes seconds to discover its targets, and that clock starts with it;
    // starting everything at once makes the daemon serve all starts together, Prometheus' too.
    let (first, rest): (Vec<_>, Vec<_>) = work.into_iter().partition(|(c, ..)| c.service == "prometheus");
    let mut results = join_all(first.into_iter().map(|w| converge(engine, plan, w))).await;
    results.extend(join_all(rest.into_iter().map(|w| converge(engine, plan, w))).await);
    for result in results {
        let (c, id, fresh) = result?;
        let files = state::files_hash(out_dir, &c.config_dirs);
        if fresh {
            writeln!(log, "started {}", c.name).ok();
            started.push((c, id));
            applied.insert(c.service.clone(), files);
        } else if applied.get(&c.service) != Some(&files) && !c.config_dirs.is_empty() {
            reloads.push((c, id, files));
        } else {
            writeln!(log, "unchanged {}", c.name).ok();
        }
    }

    let mut report = UpReport::default();
    let probe = Client::new();
    for (c, id, files) in reloads {
        match c.reload {
            Reload::Http => match probe.reload(&base_url(c)).await {
                Ok(()) => {
                    writeln!(log, "reloaded {}", c.name).ok();
                    applied.insert(c.service.clone(), files);
                }
                Err(e) => {
                    // The reload answer is generic; the server's log says what is wrong.
                    let logs = engine.tail(&id, 50).await.unwrap_or_default();
                    let why =
                        std::iter::once(e.to_string()).chain(reload_errors(&logs)).collect::<Vec<_>>().join("\n  ");
                    report.refused.push((c.service.clone(), why));
                }
            },
            Reload::Restart => {
                engine.restart(&id, &c.name).await?;
                writeln!(log, "restarted {} (config changed)", c.name).ok();
                applied.insert(c.service.clone(), files);
                started.push((c, id));
            }
        }
    }
    let _ = state::save(out_dir, &applied);

    let deadline = Instant::now() + opts.timeout;
    let waits = started.iter().map(|(c, id)| wait_ready(engine, &probe, c, id, deadline));
    for (c, outcome) in started.iter().map(|(c, _)| c).zip(join_all(waits).await) {
        match outcome? {
            Readiness::Ready => {}
            Readiness::Exited(logs) => report.crashed.push((c.service.clone(), logs)),
            Readiness::TimedOut => report.not_ready.push(c.service.clone()),
        }
    }
    if opts.wait && report.ok() {
        if let Some(prom) = plan.containers.iter().find(|c| c.service == "prometheus") {
            report.down_targets = wait_targets(&probe, &base_url(prom), deadline).await;
        }
    }
    Ok(report)
}

/// Error lines the server logged while loading the config last time.
fn reload_errors(logs: &str) -> Vec<String> {
    let lines: Vec<&str> = logs.lines().collect();
    let start = lines.iter().rposition(|l| l.contains("Loading configuration file")).unwrap_or(0);
    lines[start..].iter().filter(|l| l.contains("level=error")).map(|l| (*l).to_owned()).collect()
}

/// One progress bar per image layer, for pulls on a terminal.
#[derive(Default)]
struct LayerBars {
    multi: indicatif::MultiProgress,
    bars: std::cell::RefCell<BTreeMap<String, indicatif::ProgressBar>>,
}

impl LayerBars {
    fn update(&self, id: &str, status: &str, detail: Option<(i64, i64)>) {
        if id.is_empty() {
            return;
        }
        let mut bars = self.bars.borrow_mut();
        let bar = bars.entry(id.to_owned()).or_insert_with(|| {
            let style = indicatif::ProgressStyle::with_template("{prefix} {bar:30} {bytes}/{total_bytes} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            self.multi.add(indicatif::ProgressBar::new(0).with_style(style).with_prefix(id.to_owned()))
        });
        if let Some((current, total)) = detail {
            bar.set_length(total.max(0) as u64);
            bar.set_position(current.max(0) as u64);
        }
        bar.set_message(status.to_owned());
    }
}

type Work<'a> = (&'a ContainerPlan, Action<'a>, String, Vec<(String, Vec<u8>)>);

/// Carries out one container's action; returns it, its id, and whether it was (re)started.
async fn converge<'a>(
    engine: &Daemon,
    plan: &StackPlan,
    work: Work<'a>,
) -> Result<(&'a ContainerPlan, String, bool), UpError> {
    let (c, action, hash, secrets) = work;
    let id = match action {
        Action::Keep(e) => return Ok((c, e.id.clone(), false)),
        Action::Start(e) => e.id.clone(),
        Action::Recreate(e) => {
            engine.remove(&e.id, &e.name).await?;
            engine.create(&plan.network, c, &hash, secrets).await?
        }
        Action::Create => engine.create(&plan.network, c, &hash, secrets).await?,
    };
    engine.start(&id, &c.name).await?;
    Ok((c, id, true))
}

async fn ensure_images(
    engine: &Daemon,
    plan: &StackPlan,
    pull: PullPolicy,
    log: &mut dyn Write,
) -> Result<(), UpError> {
    for c in &plan.containers {
        let present = engine.has_image(&c.image).await?;
        if present && pull != PullPolicy::Always {
            continue;
        }
        if pull == PullPolicy::Never {
            return Err(UpError::MissingImage {
                image: c.image.clone(),
                service: c.service.clone(),
                why: " and `--pull never` forbids pulling it".into(),
            });
        }
        writeln!(log, "pulling {}", c.image).ok();
        let result = if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            let bars = LayerBars::default();
            engine.pull(&c.image, |id, status, detail| bars.update(id, status, detail)).await
        } else {
            let mut last = String::new();
            engine
                .pull(&c.image, |id, status, _| {
                    let line = format!("  {id} {status}");
                    if line != last {
                        let _ = writeln!(log, "{line}");
                        last = line;
                    }
                })
                .await
        };
        if let Err(e) = result {
            if !present {
                let cause = std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_default();
                return Err(UpError::MissingImage {
                    image: c.image.clone(),
                    service: c.service.clone(),
                    why: format!(" and pulling it failed: {cause}"),
                });
            }
            writeln!(log, "  pull failed, using the local image: {e}").ok();
        }
    }
    Ok(())
}

enum Readiness {
    Ready,
    Exited(String),
    TimedOut,
}

async fn wait_ready(
    engine: &Daemon,
    probe: &Client,
    c: &ContainerPlan,
    id: &str,
    deadline: Instant,
) -> Result<Readiness, UpError> {
    let url = format!("{}{}", base_url(c), c.ready_path);
    loop {
        if probe.ready(&url).await {
            return Ok(Readiness::Ready);
        }
        if engine.started_at(id).await?.is_none() {
            // Give the daemon a moment to settle a restart policy, then look at what it printed.
            return Ok(Readiness::Exited(engine.tail(id, 20).await?));
        }
        if Instant::now() >= deadline {
            return Ok(Readiness::TimedOut);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls Prometheus until every target is up; returns the ones that are not at the deadline.
pub async fn wait_targets(probe: &Client, base: &str, deadline: Instant) -> Vec<TargetHealth> {
    loop {
        let targets = probe.targets(base).await.unwrap_or_default();
        let down: Vec<TargetHealth> = targets.iter().filter(|t| t.health != "up").cloned().collect();
        if !targets.is_empty() && down.is_empty() {
            return Vec::new();
        }
        if Instant::now() >= deadline {
            return if targets.is_empty() {
                vec![TargetHealth {
                    job: "prometheus".into(),
                    instance: base.into(),
                    health: "unknown".into(),
                    last_error: "no targets reported".into(),
                    last_scrape: String::new(),
                }]
            } else {
                down
            };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
