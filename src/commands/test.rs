//! `monstack test`: rule unit tests, offline, on the native engine; with `--exact`, also
//! `promtool test rules` from the pinned Prometheus image, and where the two disagree.

use crate::out::{out, outln};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::TestArgs;
use crate::test::coverage::Coverage;
use crate::test::{exact, report, run_files, FileOutcome, Options, RuleSource};
use crate::Status;

/// Runs `monstack test`.
pub fn run(args: &TestArgs) -> anyhow::Result<Status> {
    let run = if args.run.is_empty() {
        None
    } else {
        let joined = args.run.join("|");
        Some(
            regex::Regex::new(&joined)
                .with_context(|| format!("`--run {joined}` is not a valid regular expression"))?,
        )
    };
    let opts = Options { run, ignore_unknown_fields: args.ignore_unknown_fields, update_golden: args.update_golden };
    let (files, source) = if args.files.is_empty() {
        crate::project::tests::collect(&args.project.dir)?
    } else {
        (args.files.clone(), RuleSource::default())
    };
    let outcomes = run_files(&files, &opts, &source);
    let wants_coverage = args.coverage || args.min_coverage.is_some();
    let coverage = wants_coverage.then(|| Coverage {
        routing: crate::test::routing_coverage::of_run(&outcomes, &source),
        ..Coverage::merge(outcomes.iter().map(|o| &o.coverage))
    });
    out!("{}", report::render(&outcomes, coverage.as_ref(), args.format));
    let disagree = if args.exact { compare_with_promtool(&args.project.dir, &files, &source, &outcomes)? } else { 0 };
    if outcomes.iter().any(|o| !o.errors.is_empty()) {
        return Ok(Status::Error);
    }
    let below = match (&coverage, args.min_coverage) {
        (Some(c), Some(min)) => c.percent() < min,
        _ => false,
    };
    if below {
        eprintln!(
            "error: rule coverage {:.1}% is below the minimum of {:.1}%",
            coverage.as_ref().map_or(0.0, Coverage::percent),
            args.min_coverage.unwrap_or_default()
        );
    }
    let failed = below || disagree > 0 || outcomes.iter().any(|o| !o.passed());
    Ok(if failed { Status::Findings } else { Status::Ok })
}

/// The Prometheus image whose promtool `--exact` runs: the project's pin, or Prometheus' default.
fn image(dir: &Path) -> anyhow::Result<String> {
    if dir.join("monstack.yaml").is_file() {
        return Ok(crate::project::Project::load(dir)?.spec.prometheus.image.to_string());
    }
    Ok(crate::services::prometheus::SERVICE.image.to_string())
}

/// Runs promtool on every test file and prints where it disagrees; how many files disagree.
fn compare_with_promtool(
    dir: &Path,
    files: &[PathBuf],
    source: &RuleSource,
    outcomes: &[FileOutcome],
) -> anyhow::Result<usize> {
    let image = image(dir)?;
    let jobs = exact::jobs(files, source);
    let input: Vec<(String, crate::stack::exact::ToolFiles)> =
        jobs.iter().map(|j| (j.path.clone(), j.files.clone())).collect();
    let results = super::block_on("", async {
        let engine = super::connect(None).await?;
        anyhow::Ok(crate::stack::exact::test_rules(&engine, &image, &input).await?)
    })?;
    let mut disagree = 0;
    let ruled = outcomes.iter().filter(|o| !o.routing);
    for ((job, (code, output)), outcome) in jobs.iter().zip(&results).zip(ruled) {
        if let Some(d) = exact::disagreement(outcome, *code, output) {
            disagree += 1;
            outln!("exact: {}: {d}", crate::diag::printable(&job.file.display().to_string()));
        }
    }
    outln!("exact: promtool test rules from `{image}` agrees on {} of {} files", jobs.len() - disagree, jobs.len());
    Ok(disagree)
}
