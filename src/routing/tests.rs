//! Routing test files: cases of alerts with what must happen to them (receivers, inhibition,
//! muting, grouping), read with positions and run against a [`Config`]. A file is one when its
//! top level has [`KEY`]; promtool's rule tests have `rule_files`/`tests` instead.
//!
//! ```yaml
//! config: alertmanager.yml        # optional: the config, relative to this file
//! routing_tests:
//!   - name: warnings go to chat, and a critical alert on the host inhibits them
//!     at: 2026-11-25T03:00:00Z    # optional: the instant time intervals are evaluated at
//!     firing:                     # optional: other alerts firing meanwhile
//!       - {alertname: HostDown, severity: critical, instance: db1}
//!     alerts:
//!       - labels: {alertname: HostHighCpu, severity: warning, instance: db1}
//!         receivers: [chat]       # exact set, order-insensitive
//!         inhibited: true
//!         inhibited_by: [HostDown]
//!         muted: []               # receivers muted by time intervals at `at`
//!         group_by: [alertname, job]
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::config::Loader;
use super::route::{describe, matcher_text, Labels};
use super::{Config, Instant};
use crate::check::node::{pos, SourceNode, Tree};
use crate::diag::{Diagnostic, Diagnostics, Pos};

/// The top-level key that makes a YAML file a routing test file.
pub const KEY: &str = "routing_tests";

const TOP: &[&str] = &["config", KEY];
const CASE: &[&str] = &["name", "at", "firing", "alerts"];
const ALERT: &[&str] = &["labels", "receivers", "inhibited", "inhibited_by", "muted", "group_by"];

/// A routing test file.
#[derive(Debug, Clone)]
pub struct TestFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its text, for messages.
    pub source: String,
    /// `config`, resolved from the file's folder.
    pub config: Option<PathBuf>,
    /// The cases.
    pub cases: Vec<Case>,
}

/// One case: alerts firing together at an instant.
#[derive(Debug, Clone)]
pub struct Case {
    /// `name`.
    pub name: String,
    /// Where the case is.
    pub at_pos: Pos,
    /// `at`.
    pub at: Option<Instant>,
    /// `firing`: the other alerts present.
    pub firing: Vec<Labels>,
    /// `alerts`: the alerts under test.
    pub alerts: Vec<AlertCase>,
}

/// An alert under test and what is expected of it; `None` expects nothing.
#[derive(Debug, Clone, Default)]
pub struct AlertCase {
    /// Where it is.
    pub pos: Pos,
    /// `labels`.
    pub labels: Labels,
    /// `receivers` (a set).
    pub receivers: Option<Located<BTreeSet<String>>>,
    /// `inhibited`.
    pub inhibited: Option<bool>,
    /// `inhibited_by`: alert names (a set).
    pub inhibited_by: Option<BTreeSet<String>>,
    /// `muted`: receivers (a set).
    pub muted: Option<Located<BTreeSet<String>>>,
    /// `group_by`: label names (a set), `...` for all.
    pub group_by: Option<BTreeSet<String>>,
}

/// A value with the position of the item each member came from.
#[derive(Debug, Clone, Default)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Positions of the members, in order.
    pub at: Vec<(String, Pos)>,
}

/// Whether `text` is a routing test file (its top level has [`KEY`]).
pub fn is_routing_test(text: &str) -> bool {
    text.lines().any(|l| l.strip_prefix(KEY).is_some_and(|rest| rest.trim_start().starts_with(':')))
}

/// Reads the routing test file at `path`.
pub fn load(path: &Path) -> Result<TestFile, Diagnostics> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostics(vec![Diagnostic::new(path, "", None, format!("cannot read the routing test file: {e}"))])
    })?;
    parse(path, &text)
}

/// Reads a routing test file's text.
pub fn parse(path: &Path, text: &str) -> Result<TestFile, Diagnostics> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc =
        crate::check::node::parse(text).map_err(|e| Diagnostics(vec![crate::syntax::yaml::error(path, text, &e)]))?;
    let mut cx = Loader::new(path, text);
    let mut file = TestFile { path: path.to_owned(), source: text.to_owned(), config: None, cases: Vec::new() };
    if !matches!(doc.value, SourceNode::Map(_)) {
        cx.err_help(&doc, "a routing test file must be a mapping", format!("expected a top-level `{KEY}:` list"));
    }
    for (k, v) in cx.map(&doc, "the routing test file") {
        match k.value.as_str() {
            "config" => {
                if let Some(p) = cx.text(v, "config") {
                    file.config = Some(path.parent().unwrap_or(Path::new("")).join(p));
                }
            }
            KEY => {
                for c in cx.list(v, KEY) {
                    file.cases.push(case(c, &mut cx));
                }
            }
            other => cx.unknown(k, other, TOP, "routing test file"),
        }
    }
    if doc.value.get(KEY).is_none() && matches!(doc.value, SourceNode::Map(_)) {
        cx.err_help(
            &doc,
            format!("no `{KEY}` in the routing test file"),
            format!("add a top-level `{KEY}:` list of cases"),
        );
    }
    cx.finish()?;
    Ok(file)
}

fn case(at: &Tree, cx: &mut Loader) -> Case {
    let mut c = Case { name: String::new(), at_pos: pos(at), at: None, firing: Vec::new(), alerts: Vec::new() };
    for (k, v) in cx.map(at, "a routing test case") {
        match k.value.as_str() {
            "name" => c.name = cx.text(v, "name").unwrap_or_default(),
            "at" => match cx.text(v, "at").map(|t| Instant::parse(&t)) {
                Some(Ok(t)) => c.at = Some(t),
                Some(Err(e)) => cx.err(v, e),
                None => {}
            },
            "firing" => c.firing = cx.list(v, "firing").iter().map(|l| labels(l, cx)).collect(),
            "alerts" => c.alerts = cx.list(v, "alerts").iter().map(|a| alert(a, cx)).collect(),
            other => cx.unknown(k, other, CASE, "routing test case"),
        }
    }
    if c.name.is_empty() {
        cx.err(at, "a routing test case needs a `name`");
    }
    if c.alerts.is_empty() {
        cx.err(at, format!("case {:?} has no `alerts` to test", c.name));
    }
    if c.at.is_none() {
        for a in c.alerts.iter().filter(|a| a.muted.is_some()) {
            let at = crate::check::node::unplaced(SourceNode::Null);
            let mut place = at;
            place.at = a.pos;
            cx.err_help(
                &place,
                "`muted` needs the case's `at`",
                "give the case an `at: <RFC 3339 instant>` to evaluate time intervals at",
            );
        }
    }
    c
}

fn labels(at: &Tree, cx: &mut Loader) -> Labels {
    let mut out = Labels::new();
    for (k, v) in cx.map(at, "labels") {
        if k.value.is_empty() {
            cx.err(at, "a label name is empty");
        }
        if let Some(value) = cx.text(v, "a label value") {
            out.insert(k.value.clone(), value);
        }
    }
    out
}

fn names(at: &Tree, what: &str, cx: &mut Loader) -> Located<BTreeSet<String>> {
    let mut out: Located<BTreeSet<String>> = Located::default();
    for item in cx.list(at, what) {
        if let Some(n) = cx.text(item, what) {
            out.at.push((n.clone(), pos(item)));
            out.value.insert(n);
        }
    }
    out
}

fn alert(at: &Tree, cx: &mut Loader) -> AlertCase {
    let mut a = AlertCase { pos: pos(at), ..AlertCase::default() };
    for (k, v) in cx.map(at, "an alert") {
        match k.value.as_str() {
            "labels" => a.labels = labels(v, cx),
            "receivers" => a.receivers = Some(names(v, "receivers", cx)),
            "inhibited" => match v.value {
                SourceNode::Bool(b) => a.inhibited = Some(b),
                _ => cx.err(v, "`inhibited` must be true or false"),
            },
            "inhibited_by" => a.inhibited_by = Some(names(v, "inhibited_by", cx).value),
            "muted" => a.muted = Some(names(v, "muted", cx)),
            "group_by" => a.group_by = Some(names(v, "group_by", cx).value),
            other => cx.unknown(k, other, ALERT, "routing test alert"),
        }
    }
    if a.labels.is_empty() {
        cx.err(at, "an alert under test needs `labels`");
    }
    a
}

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
    let alerts = case
        .alerts
        .iter()
        .map(|a| {
            let d = config.decide(&a.labels, &present, case.at);
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

/// `{alertname="X", severity="warning"}`.
pub fn labels_text(labels: &Labels) -> String {
    let parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| {
            matcher_text(&crate::syntax::matcher::Matcher::new(k, v, false).expect("equality matchers always build"))
        })
        .collect();
    format!("{{{}}}", parts.join(", "))
}

/// The results for a person: a line per case, and for each failing alert where it is, what was
/// expected and got, and the route path it took; then a summary line.
pub fn render(report: &Report) -> String {
    let file = crate::diag::printable(&report.file.display().to_string()).into_owned();
    let mut out = String::new();
    let (mut passed, mut failed) = (0, 0);
    for c in &report.cases {
        let name = crate::diag::printable(&c.name).into_owned();
        if c.passed() {
            passed += 1;
            out.push_str(&format!("ok    {name}\n"));
            continue;
        }
        failed += 1;
        out.push_str(&format!("FAIL  {name}  ({file}:{}:{})\n", c.pos.line, c.pos.column));
        for a in c.alerts.iter().filter(|a| !a.failures.is_empty()) {
            let labels = crate::diag::printable(&labels_text(&a.labels)).into_owned();
            out.push_str(&format!("  {file}:{}:{}: alert {labels}\n", a.pos.line, a.pos.column));
            for f in &a.failures {
                let (e, g) = (crate::diag::printable(&f.expected), crate::diag::printable(&f.got));
                out.push_str(&format!("    {}: expected {e}, got {g}\n", f.what));
            }
            for p in &a.paths {
                out.push_str(&format!("    route: {}\n", crate::diag::printable(p)));
            }
        }
    }
    out.push_str(&format!(
        "{file}: {} routing test case{}: {passed} passed, {failed} failed\n",
        report.cases.len(),
        if report.cases.len() == 1 { "" } else { "s" }
    ));
    out
}
