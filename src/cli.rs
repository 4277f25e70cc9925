//! The command-line interface: argument types only, no behaviour.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Top-level arguments.
#[derive(Debug, Parser)]
#[command(name = "monstack", version, about = "A working monitoring stack in one command, kept honest in CI")]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scaffold a project: monstack.yaml, alerts/, dashboards/, templates/, secrets.
    Init(InitArgs),
    /// Render Prometheus, Alertmanager, blackbox and Grafana files from the spec.
    Render(RenderArgs),
}

/// Components `init --with` can enable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Component {
    /// Node exporter: host CPU, memory, disk.
    Node,
    /// Blackbox exporter: HTTP probes.
    Blackbox,
    /// cAdvisor: container metrics.
    Cadvisor,
    /// PostgreSQL exporter.
    Postgres,
    /// Redis exporter.
    Redis,
    /// RED alerts and dashboard for your HTTP service.
    Http,
}

/// Arguments of `monstack init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Project folder (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Components to enable, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "node,blackbox")]
    pub with: Vec<Component>,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `monstack render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Project folder holding monstack.yaml.
    #[arg(short = 'C', long = "dir", default_value = ".", env = "MONSTACK_DIR")]
    pub dir: PathBuf,
    /// Output folder [default: DIR/build].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Render in memory, print what would change, exit 1 if anything would.
    #[arg(long, conflicts_with = "force")]
    pub check: bool,
    /// Overwrite files in the output folder that render did not write.
    #[arg(long)]
    pub force: bool,
}
