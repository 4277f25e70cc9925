//! `monstack completions` and `monstack man`: generated from the CLI's own definition, so they
//! cannot drift from it.

use clap::CommandFactory as _;

use crate::cli::{Cli, CompletionsArgs};
use crate::out::out;
use crate::Status;

/// Runs `monstack completions SHELL`.
pub fn completions(args: &CompletionsArgs) -> anyhow::Result<Status> {
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "monstack", &mut buf);
    out!("{}", String::from_utf8_lossy(&buf));
    Ok(Status::Ok)
}

/// Runs `monstack man`: the top-level page, which lists the subcommands.
pub fn man() -> anyhow::Result<Status> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    out!("{}", String::from_utf8_lossy(&buf));
    Ok(Status::Ok)
}
