//! One module per subcommand, each a thin adapter from CLI arguments to the domain modules
//! ([`crate::project`], [`crate::stack`], [`crate::scaffold`]). Commands never import each other.

pub mod check;
pub mod init;
pub mod render;
pub mod stack;
pub mod up;

use crate::cli::{Cli, Command};
use crate::Status;

/// Runs the parsed command line.
pub fn dispatch(cli: Cli) -> anyhow::Result<Status> {
    match cli.command {
        Command::Init(args) => init::run(&args),
        Command::Render(args) => render::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Up(args) => up::run(&args),
        Command::Down(args) => stack::down(&args),
        Command::Status(args) => stack::status(&args),
        Command::Logs(args) => stack::logs(&args),
        Command::Restart(args) => stack::restart(&args),
    }
}

/// Runs `future` on a single-threaded tokio runtime: only the Docker commands need one.
pub(crate) fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime starts").block_on(future)
}

/// Connects to the Docker daemon, with a hint when it is not there.
pub(crate) async fn connect() -> anyhow::Result<crate::stack::engine::Daemon> {
    crate::stack::engine::Daemon::connect().await.map_err(|e| {
        let host = crate::stack::engine::docker_host();
        anyhow::Error::new(e).context(format!(
            "the Docker daemon is not reachable at `{host}`\n  = help: start it (`systemctl start docker`), or point DOCKER_HOST at it"
        ))
    })
}
