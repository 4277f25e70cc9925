//! What `up` checks before it touches anything: images present (pulled as asked), no network or
//! container of someone else's where the project's go, and every host port of the new plan free
//! unless the project itself holds it (a container being replaced or removed).

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;

use super::{Action, PullPolicy, UpError, Work};
use crate::stack::engine::{Daemon, Existing};
use crate::stack::plan::StackPlan;

pub(super) async fn ensure_images(
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

/// A network of the project's name that the project did not create stops `up`; one the project
/// owns besides it is used, and the foreign one left alone.
pub(super) async fn check_network(engine: &Daemon, plan: &StackPlan) -> Result<(), UpError> {
    let networks = engine.networks(&plan.network, &plan.project).await?;
    if networks.ours.is_empty() && !networks.foreign.is_empty() {
        return Err(UpError::ForeignNetwork { name: plan.network.clone(), project: plan.project.clone() });
    }
    Ok(())
}

/// A container to be created must not find its name taken by a container monstack did not make.
pub(super) async fn check_names(engine: &Daemon, plan: &StackPlan, work: &[Work<'_>]) -> Result<(), UpError> {
    for w in work.iter().filter(|w| matches!(w.action, Action::Create)) {
        if engine.container_named(&w.c.name).await?.is_some() {
            return Err(UpError::NameTaken {
                name: w.c.name.clone(),
                service: w.c.service.clone(),
                project: plan.project.clone(),
            });
        }
    }
    Ok(())
}

/// A port that cannot be bound although nothing holds it: the address is not this host's, or
/// the port needs privileges.
fn unusable(port: u16, ip: String, service: String, e: &std::io::Error) -> UpError {
    let help = match e.kind() {
        std::io::ErrorKind::AddrNotAvailable => {
            format!(
                "`{ip}` is not an address of this host: set `bind` in monstack.yaml to one that is (default 127.0.0.1)"
            )
        }
        std::io::ErrorKind::PermissionDenied => format!(
            "ports below 1024 need privileges: set `{}.port` in monstack.yaml to 1024 or above",
            crate::services::section(&service)
        ),
        _ => "check `bind` and the port in monstack.yaml".to_owned(),
    };
    UpError::PortUnusable { port, ip, service, why: e.to_string(), help }
}

/// Every port a container will be started with is free, or held by the project's own container
/// that goes away first (the one it replaces, or a service dropped from the spec). Running
/// containers that stay keep theirs.
pub(super) async fn check_ports(
    engine: &Daemon,
    plan: &StackPlan,
    work: &[Work<'_>],
    existing: &[Existing],
) -> Result<(), UpError> {
    let replaced: Vec<&str> = work
        .iter()
        .filter_map(|w| match w.action {
            Action::Recreate(e) => Some(e.id.as_str()),
            _ => None,
        })
        .collect();
    let goes_away =
        |e: &Existing| replaced.contains(&e.id.as_str()) || !plan.containers.iter().any(|c| c.service == e.service);
    for w in work.iter().filter(|w| matches!(w.action, Action::Create | Action::Start(_) | Action::Recreate(_))) {
        for p in &w.c.ports {
            if existing.iter().any(|e| e.publishes(p) && goes_away(e)) {
                continue;
            }
            let (port, ip, service) = (p.host_port, p.host_ip.clone(), w.c.service.clone());
            match TcpListener::bind((p.host_ip.as_str(), p.host_port)) {
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {}
                Err(e) => return Err(unusable(port, ip, service, &e)),
            }
            return Err(match engine.port_holder(p).await? {
                Some(h) if h.project != plan.project => {
                    UpError::PortHeld { port, ip, service, container: h.container, project: h.project }
                }
                _ => UpError::PortInUse { port, ip, service },
            });
        }
    }
    Ok(())
}
