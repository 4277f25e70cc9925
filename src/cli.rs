//! The command-line interface: argument types only, no behaviour.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Top-level arguments.
#[derive(Debug, Parser)]
#[command(name = "monstack", version = VERSION, about = "A working monitoring stack in one command, kept honest in CI")]
pub struct Cli {
    /// When to colour the output: on a terminal by default, never with `NO_COLOR` set.
    #[arg(long, global = true, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: crate::term::ColorChoice,
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// `--version`: the release and the commit it was built from (`unknown` outside git).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("MONSTACK_GIT_COMMIT"), ")");

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scaffold a project: monstack.yaml, alerts/, dashboards/, templates/, secrets.
    Init(InitArgs),
    /// Render Prometheus, Alertmanager, blackbox and Grafana files from the spec.
    Render(RenderArgs),
    /// Validate rules, Prometheus and Alertmanager configs and dashboards offline, for CI.
    Check(CheckArgs),
    /// Run rule unit tests (promtool's test-file format) offline, on the native PromQL engine.
    Test(TestArgs),
    /// Render, then bring the stack up on Docker (or converge it to the spec).
    Up(UpArgs),
    /// Remove the stack's containers and network (and volumes with --volumes).
    Down(DownArgs),
    /// Show services, every Prometheus target and firing alerts; exit 1 unless all is well.
    Status(StatusArgs),
    /// Show the logs of services.
    Logs(LogsArgs),
    /// Restart services and wait until they are ready again.
    Restart(RestartArgs),
    /// Show the receivers an alert with the given labels reaches, as `amtool config routes test`.
    Routes(RoutesArgs),
    /// Show what each integration of a receiver would send for alerts (Alertmanager's templates).
    Preview(PreviewArgs),
    /// Print a shell completion script: `monstack completions bash > ~/.local/share/bash-completion/completions/monstack`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff): `monstack man > ~/.local/share/man/man1/monstack.1`.
    Man,
}

/// Arguments of `monstack completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Service names: any is accepted here (the project says which exist, with a better message than
/// clap's), but the registry's names are offered to shell completion and shown in `--help`.
#[derive(Debug, Clone, Copy)]
struct ServiceName;

impl clap::builder::TypedValueParser for ServiceName {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(crate::services::ALL.iter().map(|s| clap::builder::PossibleValue::new(s.name))))
    }
}

/// The project folder, shared by commands that work on a project.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// Project folder holding monstack.yaml.
    #[arg(short = 'C', long = "dir", default_value = ".", env = "MONSTACK_DIR")]
    pub dir: PathBuf,
}

fn duration(s: &str) -> Result<std::time::Duration, String> {
    let d: crate::syntax::Duration = s.parse()?;
    Ok(std::time::Duration::from_millis(d.millis()))
}

/// Arguments of `monstack check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The project, checked when no PATH is given.
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Files or folders to check (folders recursively: .yml, .yaml, .json).
    pub paths: Vec<PathBuf>,
    /// What the files are; detected from their content by default.
    #[arg(long, value_enum)]
    pub kind: Option<crate::check::run::Kind>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: crate::check::report::Format,
    /// Lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: crate::check::Severity,
    /// Print only the summary line (human format).
    #[arg(short, long)]
    pub quiet: bool,
    /// Do not check that files referenced by a config exist.
    #[arg(long)]
    pub syntax_only: bool,
    /// Label and metric name rules: Prometheus 3's UTF-8 names, or the legacy charset.
    #[arg(long, value_enum, default_value = "utf8")]
    pub name_validation: crate::syntax::names::NameValidation,
    /// Also run promtool and amtool from the images the spec pins, through Docker, on the
    /// rendered files (project mode only).
    #[arg(long, conflicts_with = "paths")]
    pub exact: bool,
}

/// Arguments of `monstack test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The project, whose `tests/*.yml` run when no FILE is given.
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Test files (`promtool test rules` format).
    pub files: Vec<PathBuf>,
    /// Only test groups whose name matches (a regex; repeat for several).
    #[arg(long = "run", value_name = "REGEX")]
    pub run: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: crate::test::report::Format,
    /// Report which rules the tests cover.
    #[arg(long)]
    pub coverage: bool,
    /// Fail (exit 1) when coverage is below this percentage (implies --coverage).
    #[arg(long, value_name = "PCT", value_parser = percent)]
    pub min_coverage: Option<f64>,
    /// Unknown keys in test and rule files are not errors.
    #[arg(long)]
    pub ignore_unknown_fields: bool,
    /// Also run `promtool test rules` from the pinned Prometheus image and report disagreements.
    #[arg(long)]
    pub exact: bool,
    /// Write routing tests' notification golden files (`notification: {file: …}`) with what
    /// is rendered now, instead of comparing.
    #[arg(long)]
    pub update_golden: bool,
}

fn percent(s: &str) -> Result<f64, String> {
    match s.trim_end_matches('%').parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{s}` is not a percentage between 0 and 100")),
    }
}

/// Arguments of `monstack up`.
#[derive(Debug, Args)]
pub struct UpArgs {
    /// The project.
    #[command(flatten)]
    pub project: ProjectArgs,
    /// When to pull images.
    #[arg(long, value_enum, default_value = "missing")]
    pub pull: crate::stack::up::PullPolicy,
    /// Wait until every Prometheus target is up (exit 1 with the down ones after --timeout).
    #[arg(long)]
    pub wait: bool,
    /// Limit for readiness and --wait, a Prometheus duration.
    #[arg(long, default_value = "120s", value_parser = duration)]
    pub timeout: std::time::Duration,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
}

/// Arguments of `monstack down`.
#[derive(Debug, Args)]
pub struct DownArgs {
    /// The project.
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Also remove the data volumes (Prometheus TSDB, Alertmanager and Grafana state).
    #[arg(long)]
    pub volumes: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
}

/// Arguments of `monstack status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The project.
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Print the documented JSON schema instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Wait until healthy, up to --timeout.
    #[arg(long)]
    pub wait: bool,
    /// Limit for --wait, a Prometheus duration.
    #[arg(long, default_value = "120s", value_parser = duration)]
    pub timeout: std::time::Duration,
}

/// Arguments of `monstack logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The project.
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Services to show (default: all).
    #[arg(value_parser = ServiceName)]
    pub services: Vec<String>,
    /// Keep following new lines.
    #[arg(short, long)]
    pub follow: bool,
    /// Only the last N lines of each service.
    #[arg(long)]
    pub tail: Option<usize>,
}

/// Arguments of `monstack restart`.
#[derive(Debug, Args)]
pub struct RestartArgs {
    /// The project.
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Services to restart (default: all).
    #[arg(value_parser = ServiceName)]
    pub services: Vec<String>,
    /// How long to wait for each to be ready again, a Prometheus duration.
    #[arg(long, default_value = "120s", value_parser = duration)]
    pub timeout: std::time::Duration,
}

/// Arguments of `monstack routes`.
#[derive(Debug, Args)]
pub struct RoutesArgs {
    /// The project whose rendered alertmanager.yml is routed through (unless --config).
    #[command(flatten)]
    pub project: ProjectArgs,
    /// An Alertmanager config file to use instead of the project's.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Evaluate time intervals at this RFC 3339 instant and say which receivers are muted.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Also print the matching routes as a tree.
    #[arg(long)]
    pub tree: bool,
    /// Exit 1 unless the receivers are exactly these, comma-separated in tree order.
    #[arg(long, value_name = "RECEIVERS")]
    pub verify: Option<String>,
    /// Run these routing test files instead (see the README), against --config, the file's own
    /// `config`, or the project.
    #[arg(long = "test", value_name = "FILE", num_args = 1.., conflicts_with_all = ["labels", "verify", "tree", "at"])]
    pub tests: Vec<PathBuf>,
    /// The alert's labels, `name=value`.
    #[arg(value_name = "LABEL=VALUE")]
    pub labels: Vec<String>,
}

/// Arguments of `monstack preview`.
#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The project whose rendered alertmanager.yml is used (unless --config).
    #[command(flatten)]
    pub project: ProjectArgs,
    /// An Alertmanager config file to use instead of the project's.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The receiver whose integrations are previewed.
    #[arg(long, value_name = "NAME")]
    pub receiver: String,
    /// An annotation of the alert, `key=value` (repeatable).
    #[arg(long = "annotation", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,
    /// The alert's `generatorURL`.
    #[arg(long, value_name = "URL")]
    pub generator_url: Option<String>,
    /// Alerts notified together, in Alertmanager's API format (a JSON or YAML list of `labels`,
    /// `annotations`, `startsAt`, `endsAt`, `generatorURL`), instead of labels on the command line.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["labels", "annotations", "generator_url"])]
    pub alerts: Option<PathBuf>,
    /// The instant of the notification (RFC 3339): the alert's start, the templates' now, and
    /// what an alert's `endsAt` is compared with; default now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The Alertmanager's external URL, as templates see it.
    #[arg(long, value_name = "URL", default_value = "http://localhost:9093")]
    pub external_url: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// The alert's labels, `name=value`.
    #[arg(value_name = "LABEL=VALUE")]
    pub labels: Vec<String>,
}

/// Arguments of `monstack init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Project folder (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Exporters and presets to enable, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "node,blackbox",
          value_parser = clap::builder::PossibleValuesParser::new(crate::services::init_names()))]
    pub with: Vec<String>,
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
    /// What to render for: the Docker stack, or Prometheus Operator objects (default output
    /// folder DIR/build/kubernetes).
    #[arg(long, value_enum, default_value = "docker")]
    pub target: Target,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
}

/// `--format` of `render`, `up`, `down` and `preview`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Lines for people.
    Human,
    /// One JSON document on stdout, schema in the README; messages stay on stderr.
    Json,
}

/// What `render` renders for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// Files for the Docker stack `up` runs.
    Docker,
    /// Prometheus Operator objects, from the spec's `kubernetes:` section.
    Kubernetes,
}
