//! One module per subcommand, each a thin adapter from CLI arguments to the domain modules
//! ([`crate::project`], [`crate::stack`], [`crate::scaffold`]). Commands never import each other;
//! what several share (the runtime, Ctrl-C, connecting, printing readiness) is here.

pub mod check;
pub mod init;
pub mod meta;
pub mod preview;
pub mod render;
pub mod routes;
pub mod stack;
pub mod test;
pub mod up;

use std::time::Duration;

use crate::cli::{Cli, Command};
use crate::stack::engine::{Daemon, CONNECT_TIMEOUT};
use crate::stack::up::UpReport;
use crate::Status;

/// Runs the parsed command line.
pub fn dispatch(cli: Cli) -> anyhow::Result<Status> {
    crate::term::set(cli.color);
    match cli.command {
        Command::Init(args) => init::run(&args),
        Command::Render(args) => render::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Test(args) => test::run(&args),
        Command::Up(args) => up::run(&args),
        Command::Down(args) => stack::down(&args),
        Command::Status(args) => stack::status(&args),
        Command::Logs(args) => stack::logs(&args),
        Command::Restart(args) => stack::restart(&args),
        Command::Routes(args) => routes::run(&args),
        Command::Preview(args) => preview::run(&args),
        Command::Completions(args) => meta::completions(&args),
        Command::Man => meta::man(),
    }
}

/// The command was stopped by Ctrl-C (SIGINT); [`crate::run`] exits 130 for it.
#[derive(Debug, thiserror::Error)]
#[error("interrupted{}", if hint.is_empty() { String::new() } else { format!(": {hint}") })]
pub struct Interrupted {
    /// What to do about the half-done work, if anything.
    pub hint: &'static str,
}

/// Runs `future` on a single-threaded tokio runtime: only the Docker commands need one. Ctrl-C
/// is handled here, for every command: the future is dropped (its Docker calls abandoned) and
/// [`Interrupted`] returned with `hint`.
pub(crate) fn block_on<T>(
    hint: &'static str,
    future: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime starts");
    runtime.block_on(async {
        tokio::select! {
            result = future => result,
            _ = tokio::signal::ctrl_c() => Err(Interrupted { hint }.into()),
        }
    })
}

/// Connects to the Docker daemon within [`CONNECT_TIMEOUT`], or `limit` if shorter.
pub(crate) async fn connect(limit: Option<Duration>) -> anyhow::Result<Daemon> {
    let limit = limit.map_or(CONNECT_TIMEOUT, |l| l.min(CONNECT_TIMEOUT));
    Ok(Daemon::connect_within(limit).await?)
}

/// Prints what kept services from coming up; whether all did.
pub(crate) fn print_readiness(report: &UpReport, timeout: Duration) {
    for (service, logs) in &report.crashed {
        eprintln!("error: `{service}` exited while starting; its last log lines:");
        for line in logs.lines() {
            eprintln!("  | {line}");
        }
    }
    for service in &report.not_ready {
        eprintln!("error: `{service}` is not ready after {timeout:?}; see `monstack logs {service}`");
    }
}
