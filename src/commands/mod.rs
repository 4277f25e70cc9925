//! One module per subcommand, each a thin adapter from CLI arguments to domain modules.

pub mod check;
pub mod init;
pub mod render;
pub mod stack;
pub mod up;

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::cli::{Cli, Command};
use crate::render::{paths, Project};
use crate::spec::{Spec, FILE_NAME};
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
pub(crate) async fn connect() -> anyhow::Result<crate::stack::engine::Engine> {
    crate::stack::engine::Engine::connect().await.map_err(|e| {
        let host = crate::stack::engine::docker_host();
        anyhow::Error::new(e).context(format!(
            "the Docker daemon is not reachable at `{host}`\n  = help: start it (`systemctl start docker`), or point DOCKER_HOST at it"
        ))
    })
}

/// `dir/name`, without a leading `./` when `dir` is the current folder, for readable messages.
pub(crate) fn join(dir: &Path, name: &str) -> PathBuf {
    if dir == Path::new(".") || dir.as_os_str().is_empty() {
        PathBuf::from(name)
    } else {
        dir.join(name)
    }
}

/// Reads and validates the spec of the project in `dir`.
pub(crate) fn load_project(dir: &Path) -> anyhow::Result<(Project, Spec)> {
    let spec_path = join(dir, FILE_NAME);
    let text = match std::fs::read_to_string(&spec_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
            "no `{}` found\n  = help: run `monstack init {}` to create a project, or pass `-C DIR`",
            spec_path.display(),
            dir.display()
        ),
        Err(e) => return Err(e).with_context(|| format!("failed to read `{}`", spec_path.display())),
    };
    let spec = Spec::parse(&spec_path, &text)?;
    Ok((Project { dir: paths::absolute(dir), spec_path, spec_text: text }, spec))
}
