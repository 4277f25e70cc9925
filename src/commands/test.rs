//! `monstack test`: rule unit tests, offline, on the native engine.

use anyhow::Context;

use crate::cli::TestArgs;
use crate::test::coverage::Coverage;
use crate::test::{report, run_files, Options, RuleSource};
use crate::Status;

/// Runs `monstack test`.
pub fn run(args: &TestArgs) -> anyhow::Result<Status> {
    if args.exact {
        anyhow::bail!("`--exact` is not available yet for `monstack test`: run `promtool test rules` yourself");
    }
    let run = if args.run.is_empty() {
        None
    } else {
        let joined = args.run.join("|");
        Some(regex::Regex::new(&joined).with_context(|| format!("`--run {joined}` is not a valid regular expression"))?)
    };
    let opts = Options { run, ignore_unknown_fields: args.ignore_unknown_fields };
    let (files, source) = if args.files.is_empty() {
        crate::project::tests::collect(&args.project.dir)?
    } else {
        (args.files.clone(), RuleSource::default())
    };
    let outcomes = run_files(&files, &opts, &source);
    let wants_coverage = args.coverage || args.min_coverage.is_some();
    let coverage = wants_coverage.then(|| Coverage::merge(outcomes.iter().map(|o| &o.coverage)));
    print!("{}", report::render(&outcomes, coverage.as_ref(), args.format));
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
    Ok(if below || outcomes.iter().any(|o| !o.passed()) { Status::Findings } else { Status::Ok })
}
