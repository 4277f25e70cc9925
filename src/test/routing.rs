//! Routing test files (`routing_tests:`, [`crate::routing::tests`]) run by `monstack test` next to
//! rule tests: each case is a test group, each alert whose expectations did not hold a
//! [`Failure::Routing`], so every output format shows them as it shows rule tests.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::Failure;
use super::{FileOutcome, GroupOutcome, Options, RoutingDifference, RuleSource};
use crate::diag::Diagnostic;
use crate::routing::{self, Config};

/// Runs the routing test file `file` (text `text`) against the project's rendered Alertmanager
/// config when `source` has one, else the config the file names.
pub fn run_text(file: &Path, text: &str, opts: &Options, source: &RuleSource) -> FileOutcome {
    let started = Instant::now();
    let stop = |errors: Vec<Diagnostic>| {
        let mut o = FileOutcome::stopped(file, errors, started);
        o.routing = true;
        o
    };
    let tf = match routing::tests::parse(file, text) {
        Ok(tf) => tf,
        Err(e) => return stop(e.0),
    };
    let (config, config_file) = match config_of(file, text, &tf, source) {
        Ok(c) => c,
        Err(e) => return stop(e),
    };
    let report = match routing::tests::run(&tf, &config) {
        Ok(r) => r,
        Err(e) => return stop(e.0),
    };
    let coverage = super::coverage::FileCoverage {
        routing_config: Some(config_file),
        // An inhibited alert notifies no one: it does not cover the receivers it is routed to.
        reached: report
            .cases
            .iter()
            .flat_map(|c| &c.alerts)
            .filter(|a| !a.inhibited)
            .flat_map(|a| a.receivers.iter().cloned())
            .collect(),
        ..Default::default()
    };
    let groups = report
        .cases
        .iter()
        .filter(|c| opts.run.as_ref().is_none_or(|re| re.is_match(&c.name)))
        .map(|c| GroupOutcome {
            name: c.name.clone(),
            line: c.pos.line,
            // Routing a case takes microseconds; a time would only make outputs unstable.
            duration: std::time::Duration::ZERO,
            failures: c
                .alerts
                .iter()
                .filter(|a| !a.failures.is_empty())
                .map(|a| Failure::Routing {
                    line: a.pos.line,
                    column: a.pos.column,
                    labels: routing::tests::labels_text(&a.labels),
                    differences: a
                        .failures
                        .iter()
                        .map(|f| RoutingDifference {
                            what: f.what.to_owned(),
                            expected: f.expected.clone(),
                            got: f.got.clone(),
                        })
                        .collect(),
                    routes: a.paths.clone(),
                })
                .collect(),
            notes: Vec::new(),
        })
        .collect();
    FileOutcome {
        file: file.to_path_buf(),
        errors: Vec::new(),
        groups,
        duration: started.elapsed(),
        coverage,
        routing: true,
    }
}

/// The config a routing test file runs against: the project's render (project mode), else its
/// own `config:`.
fn config_of(
    file: &Path,
    text: &str,
    tf: &routing::tests::TestFile,
    source: &RuleSource,
) -> Result<(Config, (PathBuf, String)), Vec<Diagnostic>> {
    if let Some((path, am)) = &source.alertmanager {
        let config = Config::parse(path, am).map_err(|e| e.0)?;
        return Ok((config, (path.clone(), am.clone())));
    }
    let Some(path) = &tf.config else {
        let d = Diagnostic::new(file, text, None, "the routing test file names no Alertmanager config")
            .with_help("add `config: <path to alertmanager.yml>` (relative to the test file), or run it in a project with `-C DIR`");
        return Err(vec![d]);
    };
    let am = crate::fsutil::read_regular(path).map_err(|e| {
        vec![Diagnostic::new(file, text, None, format!("cannot read the config `{}`: {e}", path.display()))]
    })?;
    let config = Config::parse(path, &am).map_err(|e| e.0)?;
    Ok((config, (path.clone(), am)))
}
