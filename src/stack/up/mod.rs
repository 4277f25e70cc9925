//! `up`: converge the daemon to the plan. Everything is checked before anything is touched
//! ([`preflight`]); then unchanged containers are left alone, config-only changes are reloaded,
//! anything else is recreated with its volume kept, and a recreate that fails puts the previous
//! container back ([`converge`]).

mod converge;
mod preflight;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::future::join_all;

use self::converge::Done;
use super::engine::{Daemon, DaemonError, Existing};
use super::plan::{ContainerPlan, Reload, StackPlan, LABEL_CONFIG_HASH};
use super::ready::{self, Readiness};
use super::{state, targets};
use crate::probe::{Client, ProbeError, TargetHealth};
use crate::term::{paint, Style};

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
    /// Colour the progress lines (their stream is a terminal, see [`crate::term`]).
    pub color: bool,
}

/// Why `up` stopped.
#[derive(Debug, thiserror::Error)]
pub enum UpError {
    /// The daemon failed a call.
    #[error(transparent)]
    Daemon(#[from] DaemonError),
    /// An image is not available.
    #[error("image `{image}` of service `{service}` is not available locally{why}\n  = help: build the local images with `scripts/build-images` or `docker load` the image, or set `{}.image` in monstack.yaml to an image you have", crate::services::section(.service))]
    MissingImage {
        /// Image.
        image: String,
        /// Service using it.
        service: String,
        /// Why it could not be pulled.
        why: String,
    },
    /// A host port is taken by something else.
    #[error("port {port} on {ip} for service `{service}` is already in use\n  = help: stop what listens there, or set `{}.port` in monstack.yaml to another port", crate::services::section(.service))]
    PortInUse {
        /// Port.
        port: u16,
        /// Address.
        ip: String,
        /// Service.
        service: String,
    },
    /// A host port cannot be published for another reason than being taken.
    #[error("port {port} on {ip} for service `{service}` cannot be published: {why}\n  = help: {help}")]
    PortUnusable {
        /// Port.
        port: u16,
        /// Address.
        ip: String,
        /// Service.
        service: String,
        /// What the system said.
        why: String,
        /// What to do.
        help: String,
    },
    /// A host port is published by a container of another monstack project.
    #[error("port {port} on {ip} for service `{service}` is already in use: it is held by container `{container}` of monstack project `{project}`\n  = help: if that is this stack under its old project name, run `monstack down` in its folder (or `docker rm -f {container}`); otherwise set `{}.port` in monstack.yaml to another port", crate::services::section(.service))]
    PortHeld {
        /// Port.
        port: u16,
        /// Address.
        ip: String,
        /// Service.
        service: String,
        /// The container publishing it.
        container: String,
        /// Its project.
        project: String,
    },
    /// A container monstack did not make has the name a service needs.
    #[error("container `{name}` is in the way: service `{service}` needs that name, but the container does not belong to monstack project `{project}`\n  = help: remove or rename it (`docker rm {name}`), or give this project another `project` name in monstack.yaml")]
    NameTaken {
        /// The name.
        name: String,
        /// The service.
        service: String,
        /// This project.
        project: String,
    },
    /// A network of the project's name exists and is not the project's.
    #[error("network `{name}` exists but was not created by monstack for project `{project}`\n  = help: remove it if nothing uses it (`docker network rm {name}`), or give this project another `project` name in monstack.yaml")]
    ForeignNetwork {
        /// The name.
        name: String,
        /// This project.
        project: String,
    },
    /// Replacing a container failed; what became of the previous one is said.
    #[error("could not replace the container of `{service}`; {outcome}\n  = help: the daemon's answer is below; fix the cause and run `monstack up` again")]
    Recreate {
        /// The service.
        service: String,
        /// What became of the previous container.
        outcome: String,
        /// The failed step.
        #[source]
        source: Box<DaemonError>,
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
    /// Targets not up (or not yet scraped as the config declares) when waiting ended.
    pub down_targets: Vec<TargetHealth>,
    /// What was done to each service, in the order it was done: (service, `started`,
    /// `restarted`, `reloaded`, `unchanged` or `removed`).
    pub actions: Vec<(String, &'static str)>,
}

impl UpReport {
    /// Whether the stack is fully healthy.
    pub fn ok(&self) -> bool {
        self.crashed.is_empty() && self.not_ready.is_empty() && self.refused.is_empty() && self.down_targets.is_empty()
    }
}

/// What `up` does to one service's container.
enum Action<'a> {
    /// Running, same container, same config files.
    Keep(&'a Existing),
    /// Running, same container, config files changed: reload.
    Reload(&'a Existing),
    /// In Docker's restart back-off with changed config files: restart it now.
    Restart(&'a Existing),
    /// In Docker's restart back-off, nothing changed: only judged.
    Judge(&'a Existing),
    /// Stopped, same container: start it.
    Start(&'a Existing),
    /// Made from something else: replace it.
    Recreate(&'a Existing),
    /// None yet.
    Create,
}

/// One service's decided work.
struct Work<'a> {
    c: &'a ContainerPlan,
    action: Action<'a>,
    /// Config hash label of the container to create.
    hash: String,
    /// Secret files to copy in.
    secrets: Vec<(String, Vec<u8>)>,
    /// Hash of its rendered config files.
    files: String,
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

fn decide<'a>(
    plan: &'a StackPlan,
    existing: &'a [Existing],
    applied: &state::Applied,
    out_dir: &Path,
) -> Result<Vec<Work<'a>>, UpError> {
    let by_service: BTreeMap<&str, &Existing> = existing.iter().map(|e| (e.service.as_str(), e)).collect();
    let mut work = Vec::new();
    let key = state::key(out_dir).map_err(|source| UpError::Secret {
        service: "(all)".into(),
        path: out_dir.join(state::KEY),
        source,
    })?;
    for c in &plan.containers {
        let secrets = read_secrets(c)?;
        let hash = format!("{}-{}", c.labels[LABEL_CONFIG_HASH], state::secrets_hash(&key, &secrets));
        let files = state::files_hash(out_dir, &c.config_dirs);
        let changed = !c.config_dirs.is_empty() && applied.get(&c.service) != Some(&files);
        let action = match by_service.get(c.service.as_str()) {
            Some(e) if e.hash != hash => Action::Recreate(e),
            Some(e) if e.state == "running" && changed => Action::Reload(e),
            Some(e) if e.state == "running" => Action::Keep(e),
            Some(e) if e.state == "restarting" && changed => Action::Restart(e),
            Some(e) if e.state == "restarting" => Action::Judge(e),
            Some(e) => Action::Start(e),
            None => Action::Create,
        };
        work.push(Work { c, action, hash, secrets, files });
    }
    Ok(work)
}

/// Brings the stack of `plan` up; `out_dir` holds the rendered files.
pub async fn up(
    engine: &Daemon,
    plan: &StackPlan,
    out_dir: &Path,
    opts: &UpOptions,
    log: &mut dyn Write,
) -> Result<UpReport, UpError> {
    // Check everything before touching anything.
    preflight::ensure_images(engine, plan, opts.pull, log).await?;
    preflight::check_network(engine, plan).await?;
    let existing = converge::settle_previous(engine, engine.containers(&plan.project).await?, log).await?;
    let mut actions = Vec::new();
    let mut applied = state::load(out_dir);
    let work = decide(plan, &existing, &applied, out_dir)?;
    preflight::check_names(engine, plan, &work).await?;
    preflight::check_ports(engine, plan, &work, &existing).await?;

    for e in existing.iter().filter(|e| !plan.containers.iter().any(|c| c.service == e.service)) {
        writeln!(log, "{} {} (no longer in the spec)", paint(opts.color, Style::Warning, "removing"), e.name).ok();
        engine.remove(&e.id, &e.name).await?;
        actions.push((e.service.clone(), "removed"));
    }
    let mut merged = Vec::new();
    let network = engine.ensure_network(plan, &mut merged).await?;
    for id in merged {
        writeln!(log, "removed duplicate network {} ({})", plan.network, super::engine::short(&id)).ok();
    }
    engine.ensure_volumes(plan).await?;

    // Prometheus first: it takes seconds to discover its targets, and that clock starts with it;
    // starting everything at once makes the daemon serve all starts together, Prometheus' too.
    let (first, rest): (Vec<_>, Vec<_>) = work.into_iter().partition(|w| w.c.service == "prometheus");
    let mut results = join_all(first.into_iter().map(|w| converge::converge(engine, &network, w))).await;
    results.extend(join_all(rest.into_iter().map(|w| converge::converge(engine, &network, w))).await);
    let mut started = Vec::new();
    let mut reloads = Vec::new();
    let mut failed = None;
    for result in results {
        let (c, id, done, files) = match result {
            Ok(done) => done,
            Err(e) => {
                failed.get_or_insert(e);
                continue;
            }
        };
        match done {
            Done::Started(how) => {
                writeln!(log, "{} {}", paint(opts.color, Style::Ok, how), c.name).ok();
                actions.push((c.service.clone(), how));
                applied.insert(c.service.clone(), files);
                started.push((c, id));
            }
            Done::Judge => started.push((c, id)),
            Done::Reload => reloads.push((c, id, files)),
            Done::Unchanged => {
                writeln!(log, "{} {}", paint(opts.color, Style::Dim, "unchanged"), c.name).ok();
                actions.push((c.service.clone(), "unchanged"));
            }
        }
    }

    if let Some(e) = failed {
        // Record what did start; a replaced container that failed was put back as it was.
        let _ = state::save(out_dir, &applied);
        return Err(e);
    }
    let mut report = UpReport { actions, ..UpReport::default() };
    let probe = Client::new();
    for (c, id, files) in reloads {
        if c.reload == Reload::Http {
            match probe.reload(&c.base_url()).await {
                Ok(()) => {
                    writeln!(log, "{} {}", paint(opts.color, Style::Ok, "reloaded"), c.name).ok();
                    report.actions.push((c.service.clone(), "reloaded"));
                    applied.insert(c.service.clone(), files);
                    continue;
                }
                Err(e @ ProbeError::Refused { .. }) => {
                    // The reload answer is generic; the server's log says what is wrong.
                    let logs = engine.tail(&id, 50).await.unwrap_or_default();
                    let why =
                        std::iter::once(e.to_string()).chain(reload_errors(&logs)).collect::<Vec<_>>().join("\n  ");
                    report.refused.push((c.service.clone(), why));
                    continue;
                }
                // No answer: it crashed since it was listed, or hangs; a restart reads the new files.
                Err(ProbeError::Unreachable { .. }) => {}
            }
        }
        engine.restart(&id, &c.name).await?;
        let why = if c.reload == Reload::Http { "it did not answer the reload" } else { "config changed" };
        writeln!(log, "{} {} ({why})", paint(opts.color, Style::Warning, "restarted"), c.name).ok();
        report.actions.push((c.service.clone(), "restarted"));
        applied.insert(c.service.clone(), files);
        started.push((c, id));
    }
    let _ = state::save(out_dir, &applied);

    let deadline = Instant::now() + opts.timeout;
    let waits = started.iter().map(|(c, id)| ready::wait_ready(engine, &probe, c, id, deadline));
    for (c, outcome) in started.iter().map(|(c, _)| c).zip(join_all(waits).await) {
        match outcome? {
            Readiness::Ready => {}
            Readiness::Exited(logs) => report.crashed.push((c.service.clone(), logs)),
            Readiness::TimedOut => report.not_ready.push(c.service.clone()),
        }
    }
    if opts.wait && report.ok() {
        if let Some(prom) = plan.containers.iter().find(|c| c.service == "prometheus") {
            let declared = targets::declared(out_dir);
            let bar = crate::term::Progress::new("targets up");
            let mut progress = |up, total| bar.set(up, total);
            report.down_targets =
                ready::wait_targets(&probe, &prom.base_url(), &declared, deadline, &mut progress).await;
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
