//! The test-file format of `promtool test rules` (Prometheus 3.5), read with positions: every
//! key known or a `file:line:col` error, every value of the type upstream's struct wants.

use std::path::Path;

use crate::check::node::{self, Located};
use crate::diag::{Diagnostic, Pos};
use crate::promql::labels::Labels;
use crate::promql::series::SeqValue;

/// A parsed test file.
#[derive(Debug, Clone)]
pub struct TestFile {
    /// `rule_files`, as written (globs relative to the test file).
    pub rule_files: Vec<Located<String>>,
    /// `evaluation_interval` in milliseconds (default 1m).
    pub evaluation_interval: i64,
    /// `group_eval_order`.
    pub group_eval_order: Vec<Located<String>>,
    /// `fuzzy_compare`.
    pub fuzzy_compare: bool,
    /// `tests`.
    pub tests: Vec<TestGroup>,
}

/// One item of `tests`.
#[derive(Debug, Clone)]
pub struct TestGroup {
    /// `name`, empty when not given.
    pub name: String,
    /// Its index in `tests`.
    pub index: usize,
    /// Where the item starts.
    pub at: Pos,
    /// `interval` (milliseconds); the file's `evaluation_interval` when absent.
    pub interval: Option<i64>,
    /// `input_series`.
    pub input_series: Vec<InputSeries>,
    /// `alert_rule_test`.
    pub alert_tests: Vec<AlertTest>,
    /// `promql_expr_test`.
    pub expr_tests: Vec<ExprTest>,
    /// `external_labels`.
    pub external_labels: Vec<(String, String)>,
    /// `external_url`.
    pub external_url: String,
    /// `start_timestamp` in milliseconds since the epoch (0 when absent).
    pub start: i64,
}

impl TestGroup {
    /// The name shown for the group: its `name`, or `unnamed#N` as promtool calls it.
    pub fn display_name(&self) -> String {
        if self.name.is_empty() {
            format!("unnamed#{}", self.index)
        } else {
            self.name.clone()
        }
    }

    /// The largest `eval_time` of its tests (milliseconds after the start).
    pub fn max_eval_time(&self) -> i64 {
        let alerts = self.alert_tests.iter().map(|a| a.eval_time);
        alerts.chain(self.expr_tests.iter().map(|e| e.eval_time)).max().unwrap_or(0).max(0)
    }
}

/// One input series.
#[derive(Debug, Clone)]
pub struct InputSeries {
    /// The series' labels.
    pub labels: Labels,
    /// One value per `interval` step.
    pub values: Vec<SeqValue>,
    /// Where the item starts.
    pub at: Pos,
}

/// One `alert_rule_test` item.
#[derive(Debug, Clone)]
pub struct AlertTest {
    /// `eval_time` (milliseconds after the start).
    pub eval_time: i64,
    /// `alertname`.
    pub alertname: String,
    /// `exp_alerts`.
    pub exp_alerts: Vec<ExpAlert>,
    /// Where the item starts.
    pub at: Pos,
}

/// One expected alert.
#[derive(Debug, Clone, Default)]
pub struct ExpAlert {
    /// `exp_labels`.
    pub labels: Vec<(String, String)>,
    /// `exp_annotations`.
    pub annotations: Vec<(String, String)>,
}

/// One `promql_expr_test` item.
#[derive(Debug, Clone)]
pub struct ExprTest {
    /// `expr`.
    pub expr: String,
    /// `eval_time` (milliseconds after the start).
    pub eval_time: i64,
    /// `exp_samples`.
    pub exp_samples: Vec<ExpSample>,
    /// Where the item starts.
    pub at: Pos,
}

/// One expected sample.
#[derive(Debug, Clone)]
pub struct ExpSample {
    /// `labels`, as written (`metric{a="b"}`).
    pub labels: String,
    /// Where `labels` is.
    pub labels_at: Pos,
    /// `value`.
    pub value: f64,
    /// `histogram`, in the series notation; a non-empty one means `value` is ignored.
    pub histogram: String,
}

const FILE_KEYS: &[&str] = &["rule_files", "evaluation_interval", "group_eval_order", "tests", "fuzzy_compare"];
const GROUP_KEYS: &[&str] = &[
    "interval",
    "input_series",
    "alert_rule_test",
    "promql_expr_test",
    "external_labels",
    "external_url",
    "name",
    "start_timestamp",
];
const SERIES_KEYS: &[&str] = &["series", "values"];
const ALERT_KEYS: &[&str] = &["eval_time", "alertname", "exp_alerts"];
const EXP_ALERT_KEYS: &[&str] = &["exp_labels", "exp_annotations"];
const EXPR_KEYS: &[&str] = &["expr", "eval_time", "exp_samples"];
const SAMPLE_KEYS: &[&str] = &["labels", "value", "histogram"];

/// Reads a test file's text; every problem found is returned, each at its place.
pub fn parse(file: &Path, text: &str, ignore_unknown_fields: bool) -> Result<TestFile, Vec<Diagnostic>> {
    let doc = match node::parse(text.strip_prefix('\u{feff}').unwrap_or(text)) {
        Ok(doc) => doc,
        Err(err) => return Err(vec![crate::syntax::yaml::error(file, text, &err)]),
    };
    let mut r = Reader { file, text, ignore_unknown_fields, errors: Vec::new() };
    let parsed = r.file(&doc);
    if r.errors.is_empty() {
        Ok(parsed)
    } else {
        Err(r.errors)
    }
}

mod reader;
mod values;

use reader::Reader;
pub use values::{scalar_text, MAX_SERIES_STEPS};

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        parse(Path::new("t.yml"), text, false).err().unwrap_or_default().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn reads_every_field() {
        let text = "rule_files: [r.yml]\nevaluation_interval: 30s\nfuzzy_compare: true\ntests:\n  - name: a\n    interval: 1m\n    start_timestamp: 60\n    external_labels: {cluster: x}\n    input_series:\n      - series: 'up{job=\"a\"}'\n        values: 1+1x2\n    alert_rule_test:\n      - eval_time: 5m\n        alertname: A\n        exp_alerts:\n          - exp_labels: {a: b}\n    promql_expr_test:\n      - expr: up\n        eval_time: 2m\n        exp_samples:\n          - labels: 'up{job=\"a\"}'\n            value: 3\n";
        let f = parse(Path::new("t.yml"), text, false).unwrap();
        assert_eq!(f.evaluation_interval, 30_000);
        assert!(f.fuzzy_compare);
        let g = &f.tests[0];
        assert_eq!((g.interval, g.start, g.max_eval_time()), (Some(60_000), 60_000, 300_000));
        assert_eq!(g.input_series[0].values.len(), 3);
        assert_eq!(g.alert_tests[0].exp_alerts[0].labels, vec![("a".to_string(), "b".to_string())]);
        assert_eq!(g.expr_tests[0].exp_samples[0].value, 3.0);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_placed() {
        let e = errors("tests:\n  - nmae: x\n");
        assert!(e[0].starts_with("t.yml:2:5: unknown field `nmae` in a test group"), "{e:?}");
        assert!(e[0].contains("did you mean `name`?"), "{e:?}");
        assert!(parse(Path::new("t.yml"), "tests:\n  - nmae: x\n", true).is_ok());
        let e = errors("tests:\n  - input_series:\n      - series: up\n        values: '1 2 3x 4'\n");
        assert!(e[0].starts_with("t.yml:4:22: bad values"), "{e:?}");
        assert!(e[0].contains("\n4 |         values: '1 2 3x 4'\n  |                      ^"), "{e:?}");
        let e = errors("tests:\n  - input_series:\n      - series: 'up{job=\"a\"'\n");
        assert!(e[0].starts_with("t.yml:3:17: bad series"), "{e:?}");
        let f =
            parse(Path::new("t.yml"), "tests:\n  - input_series:\n      - series: up\n        values: 0x10\n", false);
        assert_eq!(f.unwrap().tests[0].input_series[0].values.len(), 11);
        let many = "1x9999999 ".repeat(3);
        let e = errors(&format!("tests:\n  - input_series:\n      - series: up\n        values: '{many}'\n"));
        assert!(e[0].contains("expand to 30000000 steps, more than the 20000000"), "{e:?}");
        let e = errors("evaluation_interval: 60\n");
        assert!(e[0].contains("`evaluation_interval` is not a duration: `60`"), "{e:?}");
    }
}
