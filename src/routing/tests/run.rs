//! Running a routing test file's cases against a config: per alert, what it got and which
//! expectations did not hold.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::{Case, TestFile};
use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::routing::route::{describe, Labels};
use crate::routing::{Config, Inhibitor};

/// What one alert of a case got, and how it differs from what was expected.
#[derive(Debug, Clone)]
pub struct AlertResult {
    /// Where the alert is in the test file.
    pub pos: Pos,
    /// Its labels.
    pub labels: Labels,
    /// The routes it ends at, in words from the root (`default-route → {severity="critical"}`).
    pub paths: Vec<String>,
    /// The receivers, in tree order.
    pub receivers: Vec<String>,
    /// Names of the alerts that inhibit it.
    pub inhibited_by: BTreeSet<String>,
    /// Whether something inhibits it (an inhibiting alert may have no `alertname`).
    pub inhibited: bool,
    /// Receivers muted at the case's instant.
    pub muted: BTreeSet<String>,
    /// Differences from the expectations.
    pub failures: Vec<Failure>,
}

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// Which expectation (`receivers`, `inhibited`, …).
    pub what: &'static str,
    /// Expected, in words.
    pub expected: String,
    /// Got, in words.
    pub got: String,
}

/// The results of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// `name`.
    pub name: String,
    /// Where it is.
    pub pos: Pos,
    /// Per alert, in order.
    pub alerts: Vec<AlertResult>,
}

impl CaseResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.alerts.iter().all(|a| a.failures.is_empty())
    }
}

/// The results of a file.
#[derive(Debug, Clone)]
pub struct Report {
    /// The test file.
    pub file: PathBuf,
    /// Per case, in order.
    pub cases: Vec<CaseResult>,
}

impl Report {
    /// Whether every case passed.
    pub fn passed(&self) -> bool {
        self.cases.iter().all(CaseResult::passed)
    }
}

fn set(s: &BTreeSet<String>) -> String {
    format!("[{}]", s.iter().cloned().collect::<Vec<_>>().join(", "))
}

/// Runs `file`'s cases against `config`. Expectations naming receivers the config does not have
/// are errors (at their position), not failures.
pub fn run(file: &TestFile, config: &Config) -> Result<Report, Diagnostics> {
    let mut errors = Vec::new();
    for a in file.cases.iter().flat_map(|c| &c.alerts) {
        for (name, at) in a.receivers.iter().chain(&a.muted).flat_map(|l| &l.at) {
            if config.receiver(name).is_none() {
                let near = crate::diag::nearest(name, config.receivers.iter().map(|r| r.name.as_str()));
                let known: Vec<&str> = config.receivers.iter().map(|r| r.name.as_str()).collect();
                let help = match near {
                    Some(n) => format!("did you mean `{n}`? receivers: `{}`", known.join("`, `")),
                    None => format!("receivers: `{}`", known.join("`, `")),
                };
                errors.push(
                    Diagnostic::new(&file.path, &file.source, Some(*at), format!("no receiver `{name}` in the config"))
                        .with_help(help),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    let cases = file.cases.iter().map(|c| run_case(c, config)).collect();
    Ok(Report { file: file.path.clone(), cases })
}

fn run_case(case: &Case, config: &Config) -> CaseResult {
    // The alerts under test fire together with `firing`: each may inhibit the others.
    let mut present: Vec<Labels> = case.firing.clone();
    present.extend(case.alerts.iter().map(|a| a.labels.clone()));
    let inhibitor = Inhibitor::new(config, &present);
    let alerts = case
        .alerts
        .iter()
        .map(|a| {
            let d = config.decide_with(&a.labels, &inhibitor, case.at);
            let receivers: Vec<String> = d.receivers().into_iter().map(str::to_owned).collect();
            let inhibited_by: BTreeSet<String> =
                d.inhibitions.iter().filter_map(|i| present[i.source].get("alertname").cloned()).collect();
            let muted: BTreeSet<String> =
                d.routes.iter().zip(&d.muted).filter(|(_, m)| **m).map(|(r, _)| r.opts.receiver.clone()).collect();
            let mut failures = Vec::new();
            let mut expect = |what, expected: String, got: String| {
                if expected != got {
                    failures.push(Failure { what, expected, got });
                }
            };
            if let Some(want) = &a.receivers {
                expect("receivers", set(&want.value), set(&receivers.iter().cloned().collect()));
            }
            if let Some(want) = a.inhibited {
                expect("inhibited", want.to_string(), (!d.inhibitions.is_empty()).to_string());
            }
            if let Some(want) = &a.inhibited_by {
                expect("inhibited_by", set(want), set(&inhibited_by));
            }
            if let Some(want) = &a.muted {
                expect("muted", set(&want.value), set(&muted));
            }
            if let Some(want) = &a.group_by {
                let got: BTreeSet<String> = d
                    .routes
                    .iter()
                    .map(|r| match r.group_by() {
                        None => "[...]".to_owned(),
                        Some(g) => set(&g.into_iter().collect()),
                    })
                    .collect();
                expect("group_by", set(want), got.into_iter().collect::<Vec<_>>().join(" and "));
            }
            AlertResult {
                pos: a.pos,
                labels: a.labels.clone(),
                paths: d.routes.iter().map(|r| describe(&config.route, &r.path)).collect(),
                receivers,
                inhibited: !d.inhibitions.is_empty(),
                inhibited_by,
                muted,
                failures,
            }
        })
        .collect();
    CaseResult { name: case.name.clone(), pos: case.at_pos, alerts }
}
