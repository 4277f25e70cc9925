//! `monstack test`'s runner: rule unit tests in `promtool test rules`' file format, evaluated on
//! the native PromQL engine with promtool's semantics (see [`run`]). Offline; outcomes are data
//! ([`FileOutcome`]) that [`report`] prints in each format.

pub mod coverage;
mod eval;
pub mod exact;
pub mod format;
pub mod report;
pub mod routing;
pub mod routing_coverage;
pub mod rules;
mod run;
pub mod template;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::diag::Diagnostic;
use crate::promql::Labels;

pub use run::{run_file, run_text};

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only test groups whose name matches one of these (`--run`), as promtool joins them.
    pub run: Option<regex::Regex>,
    /// Unknown keys in test and rule files are not errors.
    pub ignore_unknown_fields: bool,
    /// Routing tests' notification golden files are written rather than compared.
    pub update_golden: bool,
}

/// Rule files a test file names, given to the runner instead of reading them from disk (project
/// mode: the rules `render` would write, by their names under `build/prometheus/rules/`).
#[derive(Debug, Clone, Default)]
pub struct RuleSource {
    /// Rendered rule files: the path a test file names (relative to the rules folder) and text.
    pub rendered: Vec<(PathBuf, String)>,
    /// Test files held in memory (the bundled alerts' tests, rendered): path shown and text.
    pub tests: Vec<(PathBuf, String)>,
    /// External labels of a test group that sets none (project mode: the spec's).
    pub external_labels: Vec<(String, String)>,
    /// The rendered `alertmanager.yml` (with its templates) routing test files run against
    /// (project mode); `None`: each file's own `config:`.
    pub alertmanager: Option<crate::notify::Source>,
}

/// What kind of file a path holds, told by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `promtool test rules`' format (`tests:`, `rule_files:`, `evaluation_interval:`).
    RuleTests,
    /// Routing tests (`routing_tests:`), run by [`routing`].
    RoutingTests,
    /// Anything else.
    Unknown,
}

/// Tells a test file's kind from its text (its top-level keys).
pub fn kind_of(text: &str) -> FileKind {
    let has_key = |key: &str| text.lines().any(|l| l.starts_with(key) && l[key.len()..].trim_start().starts_with(':'));
    if has_key("routing_tests") {
        FileKind::RoutingTests
    } else if has_key("tests") || has_key("rule_files") || has_key("evaluation_interval") {
        FileKind::RuleTests
    } else {
        FileKind::Unknown
    }
}

/// The outcome of one test file.
#[derive(Debug, Clone)]
pub struct FileOutcome {
    /// The file, as named.
    pub file: PathBuf,
    /// Errors that stopped the file before its tests ran (a bad test file, a missing or invalid
    /// rule file): exit status 2.
    pub errors: Vec<Diagnostic>,
    /// The test groups run (those `--run` selects).
    pub groups: Vec<GroupOutcome>,
    /// How long the file took.
    pub duration: Duration,
    /// What coverage needs to know.
    pub coverage: coverage::FileCoverage,
    /// Whether it is a routing test file (promtool has nothing to say about it).
    pub routing: bool,
}

impl FileOutcome {
    /// Whether every group passed and nothing stopped the file.
    pub fn passed(&self) -> bool {
        self.errors.is_empty() && self.groups.iter().all(|g| g.failures.is_empty())
    }

    fn stopped(file: &Path, errors: Vec<Diagnostic>, started: std::time::Instant) -> FileOutcome {
        FileOutcome {
            file: file.to_path_buf(),
            errors,
            groups: Vec::new(),
            duration: started.elapsed(),
            coverage: Default::default(),
            routing: false,
        }
    }
}

/// The outcome of one test group.
#[derive(Debug, Clone)]
pub struct GroupOutcome {
    /// `name`, or `unnamed#N`.
    pub name: String,
    /// Line of the group in the test file.
    pub line: u64,
    /// How long it took.
    pub duration: Duration,
    /// What failed; empty when it passed.
    pub failures: Vec<Failure>,
    /// Assertions that may pass for the wrong reason: (line, what), e.g. an `eval_time` so far
    /// past the input series that no selector sees them.
    pub notes: Vec<(u64, String)>,
}

/// One alert as compared: labels and annotations.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AlertSeen {
    /// Labels, `alertname` included.
    pub labels: Labels,
    /// Annotations.
    pub annotations: Labels,
}

/// One sample as compared.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleSeen {
    /// Labels.
    pub labels: Labels,
    /// Float value (0 for a histogram).
    pub value: f64,
    /// The histogram, rendered, when the sample is one.
    pub histogram: Option<String>,
}

/// Something a test group asserted that did not hold, or an error that stopped it.
#[derive(Debug, Clone)]
pub enum Failure {
    /// An `alert_rule_test` item: the firing alerts differ.
    Alert {
        /// `alertname`.
        alertname: String,
        /// `eval_time`, milliseconds.
        eval_time: i64,
        /// Line of the item in the test file.
        line: u64,
        /// The alerting rules of that name (file, line).
        rules: Vec<(PathBuf, u64)>,
        /// What the test expects, sorted.
        expected: Vec<AlertSeen>,
        /// What fired, sorted.
        got: Vec<AlertSeen>,
        /// Why the result may surprise (an `eval_time` after the last input sample).
        note: Option<String>,
    },
    /// A `promql_expr_test` item: the samples differ.
    Expr {
        /// `expr`.
        expr: String,
        /// `eval_time`, milliseconds.
        eval_time: i64,
        /// Line of the item.
        line: u64,
        /// What the test expects, sorted by labels.
        expected: Vec<SampleSeen>,
        /// What the query gave, sorted by labels.
        got: Vec<SampleSeen>,
        /// As for alerts.
        note: Option<String>,
    },
    /// A routing test case's alert whose expectations did not hold.
    Routing {
        /// Line of the alert in the test file.
        line: u64,
        /// Its column.
        column: u64,
        /// Its labels, `{alertname="X", …}`.
        labels: String,
        /// The expectations that did not hold.
        differences: Vec<RoutingDifference>,
        /// The routes it ended at, in words from the root.
        routes: Vec<String>,
    },
    /// An error: a rule or query that failed, expected labels that do not parse.
    Error {
        /// What went wrong.
        message: String,
        /// Line in the test file, when it is about an item there.
        line: Option<u64>,
        /// The rule concerned (file, line), when a rule failed.
        rule: Option<(PathBuf, u64)>,
    },
}

/// One routing expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingDifference {
    /// `receivers`, `inhibited`, `inhibited_by`, `muted`, `group_by`.
    pub what: String,
    /// Expected, in words.
    pub expected: String,
    /// Got, in words.
    pub got: String,
}

/// Runs every test file; the outcomes in the order given.
pub fn run_files(files: &[PathBuf], opts: &Options, source: &RuleSource) -> Vec<FileOutcome> {
    let on_disk = files.iter().map(|f| run_file(f, opts, source));
    on_disk.chain(source.tests.iter().map(|(f, text)| run_text(f, text, opts, source))).collect()
}

/// Formats milliseconds as Prometheus writes durations (`1h30m`, `0s`, `2m59s999ms`).
pub fn format_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    if ms < 0 {
        out.push('-');
    }
    let mut rest = ms.unsigned_abs();
    for (unit, size) in [
        ("y", 31_536_000_000u64),
        ("w", 604_800_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_as_written() {
        assert_eq!(super::format_duration(0), "0s");
        assert_eq!(super::format_duration(179_999), "2m59s999ms");
        assert_eq!(super::format_duration(86_400_000), "1d");
    }

    #[test]
    fn kinds() {
        assert_eq!(super::kind_of("rule_files: [a]\ntests: []\n"), super::FileKind::RuleTests);
        assert_eq!(super::kind_of("groups: []\n"), super::FileKind::Unknown);
        assert_eq!(super::kind_of("# x\nrouting_tests:\n  - name: a\n"), super::FileKind::RoutingTests);
    }
}
