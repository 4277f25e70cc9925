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
    if args.shell == clap_complete::Shell::Fish {
        // clap's fish script completes no positional values; add the service names, with the
        // helper function that same script defines.
        let names: Vec<&str> = crate::services::ALL.iter().map(|s| s.name).collect();
        for sub in ["logs", "restart"] {
            out!("complete -c monstack -n \"__fish_monstack_using_subcommand {sub}\" -f -a \"{}\"\n", names.join(" "));
        }
    }
    Ok(Status::Ok)
}

/// Runs `monstack man`: the top-level page, which lists the subcommands.
pub fn man() -> anyhow::Result<Status> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    out!("{}", String::from_utf8_lossy(&buf));
    Ok(Status::Ok)
}
