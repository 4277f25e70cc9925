//! `monstack check`: validate files (or the project's rendered output) offline, for CI.

use crate::check::report::{self, Outcome};
use crate::check::run::{self, Options};
use crate::cli::CheckArgs;
use crate::project::{check_rendered, check_secrets, lint_options, Project};
use crate::stack::exact;
use crate::Status;

/// Runs `monstack check`.
pub fn run(args: &CheckArgs) -> anyhow::Result<Status> {
    if args.quiet && args.format != report::Format::Human {
        anyhow::bail!(
            "`--quiet` prints the human summary line only, which `--format {}` has no place for\n  = help: drop `--quiet`, or `--format`",
            format!("{:?}", args.format).to_lowercase()
        );
    }
    let opts =
        Options { kind: args.kind, names: args.name_validation, syntax_only: args.syntax_only, ..Options::default() };
    let outcome = if args.paths.is_empty() {
        project(&args.project.dir, &opts, args.exact)?
    } else {
        run::check_paths(&args.paths, &opts)?
    };
    if args.quiet {
        print!("{}", report::summary(&outcome));
    } else {
        print!("{}", report::render(&outcome, args.format));
    }
    let failing = outcome.problems.iter().any(|p| p.severity >= args.fail_on);
    Ok(if failing { Status::Findings } else { Status::Ok })
}

/// Renders the project in memory and checks what render would write; with `exact`, also runs
/// the upstream tools of the pinned images on it.
fn project(dir: &std::path::Path, opts: &Options, exact: bool) -> anyhow::Result<Outcome> {
    let project = Project::load(dir)?;
    let spec = &project.spec;
    let out = project.out_dir();
    let files = project.render_for_check(&out)?;
    let mut outcome = check_rendered(&out, &files, &Options { lint: lint_options(spec), ..opts.clone() })?;
    check_secrets(&project, &mut outcome);
    if exact {
        let am = spec.alertmanager.enabled.then(|| spec.alertmanager.image.to_string());
        let runs = exact::runs(&files, &spec.prometheus.image.to_string(), am.as_deref());
        let found = super::block_on("", async {
            let engine = super::connect(None).await?;
            anyhow::Ok(exact::run(&engine, &runs, &files, &out).await?)
        })?;
        outcome.problems.extend(found);
        outcome.problems.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    }
    Ok(outcome)
}
