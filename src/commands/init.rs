//! `monstack init`: scaffold a project.

use crate::out::outln;
use anyhow::Context as _;

use crate::cli::InitArgs;
use crate::scaffold;
use crate::Status;

/// Runs `monstack init`.
pub fn run(args: &InitArgs) -> anyhow::Result<Status> {
    let name = scaffold::project_name(&args.dir);
    let password = scaffold::generate_password().context("failed to read `/dev/urandom` for the Grafana password")?;
    let files = scaffold::files(&name, &args.with, password)?;
    scaffold::write(&args.dir, &files, args.force)?;
    for f in &files {
        outln!("created {}", args.dir.join(f.rel).display());
    }
    outln!("project `{name}` is ready: edit monstack.yaml, then run `monstack render -C {}`", args.dir.display());
    Ok(Status::Ok)
}
