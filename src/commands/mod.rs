//! One module per subcommand, each a thin adapter from CLI arguments to domain modules.

pub mod init;
pub mod render;

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
    }
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
