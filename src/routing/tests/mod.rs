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

mod render;
mod run;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub use render::{labels_text, render};
pub use run::{run, AlertResult, CaseResult, Failure, Report};

use super::config::Loader;
use super::route::Labels;
use super::Instant;
use crate::check::node::{pos, SourceNode, Tree};
use crate::diag::{Diagnostic, Diagnostics, Pos};

/// The top-level key that makes a YAML file a routing test file.
pub const KEY: &str = "routing_tests";

const TOP: &[&str] = &["config", KEY];
const CASE: &[&str] = &["name", "at", "firing", "alerts"];
const ALERT: &[&str] = &["labels", "receivers", "inhibited", "inhibited_by", "muted", "group_by", "notification"];
const NOTIFICATION: &[&str] = &["receiver", "integration", "field", "equals", "file", "annotations"];

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
    /// `notification`: a field of a notification pinned (checked by `monstack test`).
    pub notification: Option<NotificationPin>,
}

/// What a notification of the alert must say: `field` of the first `integration` of `receiver`.
#[derive(Debug, Clone, Default)]
pub struct NotificationPin {
    /// Where it is.
    pub pos: Pos,
    /// `receiver`.
    pub receiver: String,
    /// `integration` (`slack`, `pagerduty`, `email`, `webhook`, …).
    pub integration: String,
    /// `field` (`title`, `details.firing`, `headers.Subject`, `payload`, …).
    pub field: String,
    /// `annotations` of the alert.
    pub annotations: Labels,
    /// `equals`: the text expected.
    pub equals: Option<String>,
    /// `file`: a golden file holding the text expected, relative to the test file.
    pub file: Option<PathBuf>,
}

/// A value with the position of the item each member came from.
#[derive(Debug, Clone, Default)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Positions of the members, in order.
    pub at: Vec<(String, Pos)>,
}

impl TestFile {
    /// The labels of every alert under test, for coverage ([`crate::routing::coverage`]).
    pub fn alert_labels(&self) -> Vec<Labels> {
        self.cases.iter().flat_map(|c| c.alerts.iter().map(|a| a.labels.clone())).collect()
    }
}

/// Whether `text` is a routing test file (its top level has [`KEY`]).
pub fn is_routing_test(text: &str) -> bool {
    text.lines().any(|l| l.strip_prefix(KEY).is_some_and(|rest| rest.trim_start().starts_with(':')))
}

/// Reads the routing test file at `path`.
pub fn load(path: &Path) -> Result<TestFile, Diagnostics> {
    let text = crate::fsutil::read_regular(path).map_err(|e| {
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
            cx.err_at(
                a.pos,
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
        if let Some(value) = cx.label_value(v, "a label value") {
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

fn notification(at: &Tree, cx: &mut Loader) -> NotificationPin {
    let mut n = NotificationPin { pos: pos(at), ..NotificationPin::default() };
    for (k, v) in cx.map(at, "a notification") {
        match k.value.as_str() {
            "receiver" => n.receiver = cx.text(v, "receiver").unwrap_or_default(),
            "integration" => n.integration = cx.text(v, "integration").unwrap_or_default(),
            "field" => n.field = cx.text(v, "field").unwrap_or_default(),
            "equals" => n.equals = cx.text(v, "equals"),
            "file" => n.file = cx.text(v, "file").map(PathBuf::from),
            "annotations" => n.annotations = labels(v, cx),
            other => cx.unknown(k, other, NOTIFICATION, "routing test notification"),
        }
    }
    if n.receiver.is_empty() || n.integration.is_empty() || n.field.is_empty() {
        cx.err_help(
            at,
            "a notification needs `receiver`, `integration` and `field`",
            "e.g. `{receiver: chat, integration: slack, field: title, equals: \"…\"}`",
        );
    }
    if n.equals.is_some() == n.file.is_some() {
        cx.err_help(
            at,
            "a notification needs one of `equals` and `file`",
            "`equals: <text>`, or `file: <golden file>` (written by `monstack test --update-golden`)",
        );
    }
    n
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
            "notification" => a.notification = Some(notification(v, cx)),
            other => cx.unknown(k, other, ALERT, "routing test alert"),
        }
    }
    if a.labels.is_empty() {
        cx.err(at, "an alert under test needs `labels`");
    }
    a
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn kind_told_by_content() {
        assert!(is_routing_test("# routes\nrouting_tests:\n  - name: x\n"));
        assert!(is_routing_test("routing_tests :\n"));
        assert!(!is_routing_test("rule_files: [a.yml]\ntests: []\n"));
        assert!(!is_routing_test("  routing_tests: []\n"), "only at the top level");
    }

    #[test]
    fn cases_alerts_and_expectations_are_read() {
        let text = "routing_tests:\n  - name: case\n    at: 2026-11-25T03:00:00Z\n    firing: [{a: b}]\n    alerts:\n      - labels: {alertname: X}\n        receivers: [r1, r2]\n        inhibited: false\n        muted: []\n        group_by: ['...']\n";
        let f = parse(Path::new("t.yml"), text).unwrap();
        let c = &f.cases[0];
        assert_eq!((c.name.as_str(), c.at, c.firing.len()), ("case", Instant::parse("2026-11-25T03:00:00Z").ok(), 1));
        let a = &c.alerts[0];
        assert_eq!(a.pos, Pos { line: 6, column: 9 });
        assert_eq!(a.receivers.as_ref().unwrap().at[1], ("r2".to_owned(), Pos { line: 7, column: 25 }));
        assert_eq!(a.inhibited, Some(false));
        assert_eq!(a.group_by.as_ref().unwrap().iter().collect::<Vec<_>>(), ["..."]);
        let err = parse(Path::new("t.yml"), "routing_tests:\n  - name: n\n    alerts: [{labels: {}}]\n").unwrap_err();
        assert!(err.to_string().contains("t.yml:3:14: an alert under test needs `labels`"), "{err}");
    }
}
