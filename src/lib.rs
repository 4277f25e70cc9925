//! monstack: a working monitoring stack in one command, kept honest in CI.
//!
//! The binary is a thin shell over [`run`]; each subcommand in [`commands`] adapts the CLI to the
//! domain modules ([`spec`], [`render`], [`scaffold`]).

#![warn(missing_docs)]

pub mod assets;
pub mod check;
pub mod cli;
pub mod commands;
pub mod diag;
pub mod difftext;
pub mod fsutil;
pub mod gotemplate;
pub mod kube;
pub mod notify;
pub mod out;
pub mod paths;
pub mod probe;
pub mod project;
pub mod promql;
pub mod render;
pub mod routing;
pub mod scaffold;
pub mod secrets;
pub mod services;
pub mod spec;
pub mod stack;
pub mod syntax;
pub mod term;
pub mod test;

use clap::Parser;

/// Process exit status, as documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything is fine.
    Ok = 0,
    /// The command ran, and found problems (drift, findings, unhealthy stack).
    Findings = 1,
    /// Usage, I/O or daemon error: the command could not do its job.
    Error = 2,
    /// Stopped by Ctrl-C (SIGINT), as shells report a command SIGINT ended (128 + 2).
    Interrupted = 130,
}

/// Runs the command line given to the process and returns its exit code.
pub fn run() -> i32 {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { Status::Error } else { Status::Ok };
            // clap formats help and usage errors itself; only the exit code is ours.
            let _ = err.print();
            return code as i32;
        }
    };
    match commands::dispatch(cli) {
        Ok(_) if out::failed() => Status::Error as i32,
        Ok(status) => status as i32,
        Err(err) => {
            if let Some(interrupted) = err.downcast_ref::<commands::Interrupted>() {
                eprintln!("{interrupted}");
                return Status::Interrupted as i32;
            }
            eprint!("{}", format_error(&err));
            Status::Error as i32
        }
    }
}

/// Formats an error and its chain of causes in the one voice all commands use.
pub fn format_error(err: &anyhow::Error) -> String {
    let mut out = format!("error: {err}\n");
    for cause in err.chain().skip(1) {
        out.push_str(&format!("  caused by: {cause}\n"));
    }
    out
}
