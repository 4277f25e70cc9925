//! Routing test files (`routing_tests:`, [`crate::routing::tests`]) run by `monstack test` next to
//! rule tests: each case is a test group, each alert whose expectations did not hold a
//! [`Failure::Routing`], so every output format shows them as it shows rule tests.

use std::path::Path;
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
        routing_config: Some((config_file.path.clone(), config_file.text.clone())),
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
    let mut errors = Vec::new();
    let groups = report
        .cases
        .iter()
        .zip(&tf.cases)
        .filter(|(c, _)| opts.run.as_ref().is_none_or(|re| re.is_match(&c.name)))
        .map(|(c, case)| {
            let mut failures = Vec::new();
            for (a, want) in c.alerts.iter().zip(&case.alerts) {
                let mut differences: Vec<RoutingDifference> = a
                    .failures
                    .iter()
                    .map(|f| RoutingDifference {
                        what: f.what.to_owned(),
                        expected: f.expected.clone(),
                        got: f.got.clone(),
                    })
                    .collect();
                if let Some(pin) = &want.notification {
                    match notification(file, &config_file, case, &want.labels, pin, opts) {
                        Ok(Some(d)) => differences.push(d),
                        Ok(None) => {}
                        Err(e) => errors.push(Diagnostic::new(file, text, Some(pin.pos), e)),
                    }
                }
                if !differences.is_empty() {
                    failures.push(Failure::Routing {
                        line: a.pos.line,
                        column: a.pos.column,
                        labels: routing::tests::labels_text(&a.labels),
                        differences,
                        routes: a.paths.clone(),
                    });
                }
            }
            // Routing a case takes microseconds; a time would only make outputs unstable.
            GroupOutcome {
                name: c.name.clone(),
                line: c.pos.line,
                duration: std::time::Duration::ZERO,
                failures,
                notes: Vec::new(),
            }
        })
        .collect();
    if !errors.is_empty() {
        return stop(errors);
    }
    FileOutcome {
        file: file.to_path_buf(),
        errors: Vec::new(),
        groups,
        duration: started.elapsed(),
        coverage,
        routing: true,
    }
}

/// Checks a pinned notification field: `None` when it says what is expected (or, with
/// `--update-golden`, once its golden file is written); `Err` for a pin that cannot be rendered.
fn notification(
    file: &Path,
    config: &crate::notify::Source,
    case: &routing::tests::Case,
    labels: &routing::Labels,
    pin: &routing::tests::NotificationPin,
    opts: &Options,
) -> Result<Option<RoutingDifference>, String> {
    let at = case.at.map_or(0.0, |t| t.0 as f64);
    let request = crate::notify::Request {
        receiver: pin.receiver.clone(),
        // The case's instant, else the epoch: a preview must not change from run to run.
        alerts: vec![crate::notify::Alert {
            labels: labels.clone(),
            annotations: pin.annotations.clone(),
            starts_at: at,
            ends_at: None,
            generator_url: String::new(),
        }],
        now: at,
        external_url: "http://localhost:9093".to_owned(),
    };
    let sent = crate::notify::preview(config, &request).map_err(|e| e.to_string())?.notifications;
    let Some(n) = sent.iter().find(|n| n.integration == pin.integration) else {
        let has: Vec<String> = sent.iter().map(|n| n.integration.clone()).collect();
        return Err(format!(
            "receiver `{}` has no `{}` integration (it has: {})",
            pin.receiver,
            pin.integration,
            if has.is_empty() { "none".to_owned() } else { format!("`{}`", has.join("`, `")) }
        ));
    };
    let Some((_, got)) = n.fields.iter().find(|(f, _)| *f == pin.field) else {
        let fields: Vec<&str> = n.fields.iter().map(|(f, _)| f.as_str()).collect();
        return Err(format!("`{}` has no field `{}`; fields: `{}`", pin.integration, pin.field, fields.join("`, `")));
    };
    let got = got.clone().map_err(|e| format!("`{}.{}` does not render: {e}", pin.integration, pin.field))?;
    let expected = match (&pin.equals, &pin.file) {
        (Some(text), _) => text.clone(),
        (None, Some(golden)) => {
            let path = file.parent().unwrap_or(Path::new("")).join(golden);
            if opts.update_golden {
                std::fs::write(&path, &got).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
                return Ok(None);
            }
            std::fs::read_to_string(&path).map_err(|e| {
                format!(
                    "cannot read the golden file `{}`: {e} (write it with `monstack test --update-golden`)",
                    path.display()
                )
            })?
        }
        (None, None) => return Ok(None),
    };
    Ok((expected != got).then(|| RoutingDifference {
        what: format!("notification {}.{} to {}", pin.integration, pin.field, pin.receiver),
        expected: format!("{expected:?}"),
        got: format!("{got:?}"),
    }))
}

/// The config a routing test file runs against: the project's render (project mode), else its
/// own `config:`.
fn config_of(
    file: &Path,
    text: &str,
    tf: &routing::tests::TestFile,
    source: &RuleSource,
) -> Result<(Config, crate::notify::Source), Vec<Diagnostic>> {
    if let Some(am) = &source.alertmanager {
        let config = Config::parse(&am.path, &am.text).map_err(|e| e.0)?;
        return Ok((config, am.clone()));
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
    Ok((config, crate::notify::Source { path: path.clone(), text: am, files: None }))
}
