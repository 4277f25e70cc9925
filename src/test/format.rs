//! The test-file format of `promtool test rules` (Prometheus 3.5), read with positions: every
//! key known or a `file:line:col` error, every value of the type upstream's struct wants.

use std::path::Path;

use crate::check::node::{self, pos, Located, SourceNode, Tree};
use crate::diag::{Diagnostic, Pos};
use crate::promql::labels::Labels;
use crate::promql::series::{self, SeqValue};
use crate::syntax::Duration;

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

struct Reader<'a> {
    file: &'a Path,
    text: &'a str,
    ignore_unknown_fields: bool,
    errors: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn error(&mut self, at: Pos, message: impl Into<String>, help: Option<String>) {
        let d = Diagnostic::new(self.file, self.text, Some(at), message);
        self.errors.push(match help {
            Some(h) => d.with_help(h),
            None => d,
        });
    }

    /// The entries of a mapping, unknown keys reported; `None` (reported) when not a mapping.
    fn map<'t>(&mut self, t: &'t Tree, what: &str, keys: &[&str]) -> Vec<(&'t str, &'t Tree)> {
        match &t.value {
            SourceNode::Null => Vec::new(),
            SourceNode::Map(entries) => {
                let mut out = Vec::new();
                for (k, v) in entries {
                    if keys.contains(&k.value.as_str()) {
                        out.push((k.value.as_str(), v));
                    } else if !self.ignore_unknown_fields {
                        let listed = keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
                        let help = match crate::diag::nearest(&k.value, keys.iter().copied()) {
                            Some(best) => format!("did you mean `{best}`? valid keys here: {listed}"),
                            None => format!("valid keys here: {listed} (or pass --ignore-unknown-fields)"),
                        };
                        self.error(
                            pos(k),
                            format!("unknown field `{}` in {what}", crate::diag::printable(&k.value)),
                            Some(help),
                        );
                    }
                }
                out
            }
            other => {
                self.error(pos(t), format!("{what} must be a mapping, not {}", other.kind()), None);
                Vec::new()
            }
        }
    }

    fn list<'t>(&mut self, t: &'t Tree, what: &str) -> &'t [Tree] {
        match &t.value {
            SourceNode::Null => &[],
            SourceNode::Seq(items) => items,
            other => {
                self.error(pos(t), format!("`{what}` must be a list, not {}", other.kind()), None);
                &[]
            }
        }
    }

    fn string(&mut self, t: &Tree, what: &str) -> String {
        match &t.value {
            SourceNode::Null => String::new(),
            SourceNode::Map(_) | SourceNode::Seq(_) => {
                self.error(pos(t), format!("`{what}` must be a string, not {}", t.value.kind()), None);
                String::new()
            }
            // Go's YAML decoder gives a string field the scalar as written: `values: 0x10` is
            // `0x10` (zero, ten more times), not sixteen.
            SourceNode::Number(_) | SourceNode::Bool(_) => {
                raw_scalar(self.text, pos(t)).unwrap_or_else(|| t.value.as_str().unwrap_or_default())
            }
            v => v.as_str().unwrap_or_default(),
        }
    }

    fn duration(&mut self, t: &Tree, what: &str) -> i64 {
        let text = self.string(t, what);
        if text.is_empty() {
            return 0;
        }
        match text.parse::<Duration>() {
            Ok(d) => i64::try_from(d.millis()).unwrap_or(i64::MAX),
            Err(_) => {
                self.error(
                    pos(t),
                    format!("`{what}` is not a duration: `{text}`"),
                    Some("expected a Prometheus duration such as `30s`, `5m` or `1h30m`".into()),
                );
                0
            }
        }
    }

    fn string_map(&mut self, t: &Tree, what: &str) -> Vec<(String, String)> {
        match &t.value {
            SourceNode::Null => Vec::new(),
            SourceNode::Map(entries) => {
                let mut out: Vec<(String, String)> = Vec::new();
                for (k, v) in entries {
                    let value = self.string(v, &format!("{what}.{}", k.value));
                    out.push((k.value.clone(), value));
                }
                out
            }
            other => {
                self.error(pos(t), format!("`{what}` must be a mapping, not {}", other.kind()), None);
                Vec::new()
            }
        }
    }

    fn file(&mut self, doc: &Tree) -> TestFile {
        let mut out = TestFile {
            rule_files: Vec::new(),
            evaluation_interval: 60_000,
            group_eval_order: Vec::new(),
            fuzzy_compare: false,
            tests: Vec::new(),
        };
        if !matches!(doc.value, SourceNode::Map(_) | SourceNode::Null) {
            self.error(pos(doc), format!("a test file is a mapping with `tests:`, not {}", doc.value.kind()), None);
            return out;
        }
        for (key, v) in self.map(doc, "the test file", FILE_KEYS) {
            match key {
                "rule_files" => {
                    for item in self.list(v, key) {
                        let s = self.string(item, "rule_files");
                        out.rule_files.push(Located { value: s, at: pos(item) });
                    }
                }
                "evaluation_interval" => {
                    let d = self.duration(v, key);
                    if d > 0 {
                        out.evaluation_interval = d;
                    }
                }
                "group_eval_order" => {
                    for item in self.list(v, key) {
                        let s = self.string(item, key);
                        out.group_eval_order.push(Located { value: s, at: pos(item) });
                    }
                }
                "fuzzy_compare" => match v.value {
                    SourceNode::Bool(b) => out.fuzzy_compare = b,
                    SourceNode::Null => {}
                    _ => self.error(
                        pos(v),
                        format!("`fuzzy_compare` must be true or false, not {}", v.value.kind()),
                        None,
                    ),
                },
                _ => {
                    for (i, item) in self.list(v, "tests").iter().enumerate() {
                        let group = self.group(item, i);
                        out.tests.push(group);
                    }
                }
            }
        }
        out
    }

    fn group(&mut self, t: &Tree, index: usize) -> TestGroup {
        let mut g = TestGroup {
            name: String::new(),
            index,
            at: pos(t),
            interval: None,
            input_series: Vec::new(),
            alert_tests: Vec::new(),
            expr_tests: Vec::new(),
            external_labels: Vec::new(),
            external_url: String::new(),
            start: 0,
        };
        for (key, v) in self.map(t, "a test group", GROUP_KEYS) {
            match key {
                "name" => g.name = self.string(v, key),
                "interval" => {
                    let d = self.duration(v, key);
                    g.interval = (d > 0).then_some(d);
                }
                "input_series" => {
                    for item in self.list(v, key) {
                        if let Some(s) = self.series(item) {
                            g.input_series.push(s);
                        }
                    }
                }
                "alert_rule_test" => {
                    for item in self.list(v, key) {
                        let a = self.alert_test(item);
                        g.alert_tests.push(a);
                    }
                }
                "promql_expr_test" => {
                    for item in self.list(v, key) {
                        let e = self.expr_test(item);
                        g.expr_tests.push(e);
                    }
                }
                "external_labels" => g.external_labels = self.string_map(v, key),
                "external_url" => g.external_url = self.string(v, key),
                _ => g.start = self.start_timestamp(v),
            }
        }
        g
    }

    fn start_timestamp(&mut self, t: &Tree) -> i64 {
        let text = self.string(t, "start_timestamp");
        if text.is_empty() {
            return 0;
        }
        if let Ok(seconds) = text.parse::<f64>() {
            if seconds.is_finite() && seconds.abs() < 9.2e15 {
                return (seconds * 1000.0).round() as i64;
            }
        }
        match crate::syntax::date::parse_rfc3339(&text) {
            Some(ms) => ms,
            None => {
                self.error(
                    pos(t),
                    format!("`start_timestamp` is not a time: `{text}`"),
                    Some("expected Unix seconds (`1700000000`) or RFC 3339 (`2024-01-02T03:04:05Z`)".into()),
                );
                0
            }
        }
    }

    /// The column, in the file, of byte `offset` of the scalar at `t` (past an opening quote).
    fn column_in(&self, t: &Tree, offset: usize) -> Pos {
        let at = pos(t);
        let line = self.text.lines().nth(at.line.saturating_sub(1) as usize).unwrap_or("");
        let start: String = line.chars().skip(at.column.saturating_sub(1) as usize).take(1).collect();
        let quoted = matches!(start.as_str(), "\"" | "'");
        let value = t.value.as_str().unwrap_or_default();
        let chars = value[..offset.min(value.len())].chars().count() as u64;
        Pos { line: at.line, column: at.column + u64::from(quoted) + chars }
    }

    fn series(&mut self, t: &Tree) -> Option<InputSeries> {
        let (mut labels, mut values) = (None, None);
        let mut named = false;
        for (key, v) in self.map(t, "an input series", SERIES_KEYS) {
            let text = self.string(v, key);
            if key == "series" {
                named = true;
                match series::parse_metric(&text) {
                    Ok((l, rest)) if rest.trim().is_empty() => labels = Some(l),
                    Ok((_, rest)) => {
                        let at = self.column_in(v, text.len() - rest.len());
                        self.error(at, format!("unexpected `{}` after the series' labels", rest.trim()), None);
                    }
                    Err(e) => self.error(
                        pos(v),
                        format!("bad series `{}`: {e}", crate::diag::printable(&text)),
                        Some("expected `metric{label=\"value\", …}`".into()),
                    ),
                }
            } else {
                values = Some(self.values(v, &text)?);
            }
        }
        let Some(labels) = labels else {
            if !named {
                self.error(pos(t), "an input series needs `series`", None);
            }
            return None;
        };
        Some(InputSeries { labels, values: values.unwrap_or_default(), at: pos(t) })
    }

    /// Parses `values`, pointing at the item that does not parse.
    fn values(&mut self, t: &Tree, text: &str) -> Option<Vec<SeqValue>> {
        match series::parse_values(text) {
            Ok(v) => Some(v),
            Err(e) => {
                let offset = first_bad_item(text).unwrap_or(0);
                let at = self.column_in(t, offset);
                self.error(
                    at,
                    format!("bad values: {e}"),
                    Some("expected the series notation: `1 2 3`, `0+10x100`, `1x5`, `_`, `stale`, `{{…}}`".into()),
                );
                None
            }
        }
    }

    fn alert_test(&mut self, t: &Tree) -> AlertTest {
        let mut a = AlertTest { eval_time: 0, alertname: String::new(), exp_alerts: Vec::new(), at: pos(t) };
        for (key, v) in self.map(t, "an alert_rule_test item", ALERT_KEYS) {
            match key {
                "eval_time" => a.eval_time = self.duration(v, key),
                "alertname" => a.alertname = self.string(v, key),
                _ => {
                    for item in self.list(v, key) {
                        let mut e = ExpAlert::default();
                        for (k, m) in self.map(item, "an expected alert", EXP_ALERT_KEYS) {
                            if k == "exp_labels" {
                                e.labels = self.string_map(m, k);
                            } else {
                                e.annotations = self.string_map(m, k);
                            }
                        }
                        a.exp_alerts.push(e);
                    }
                }
            }
        }
        a
    }

    fn expr_test(&mut self, t: &Tree) -> ExprTest {
        let mut e = ExprTest { expr: String::new(), eval_time: 0, exp_samples: Vec::new(), at: pos(t) };
        for (key, v) in self.map(t, "a promql_expr_test item", EXPR_KEYS) {
            match key {
                "expr" => e.expr = self.string(v, key),
                "eval_time" => e.eval_time = self.duration(v, key),
                _ => {
                    for item in self.list(v, key) {
                        let mut s = ExpSample {
                            labels: String::new(),
                            labels_at: pos(item),
                            value: 0.0,
                            histogram: String::new(),
                        };
                        for (k, f) in self.map(item, "an expected sample", SAMPLE_KEYS) {
                            match k {
                                "labels" => {
                                    s.labels = self.string(f, k);
                                    s.labels_at = pos(f);
                                }
                                "histogram" => s.histogram = self.string(f, k),
                                _ => match f.value {
                                    SourceNode::Number(n) => s.value = n,
                                    SourceNode::Null => {}
                                    _ => self.error(
                                        pos(f),
                                        format!("`value` must be a number, not {}", f.value.kind()),
                                        None,
                                    ),
                                },
                            }
                        }
                        e.exp_samples.push(s);
                    }
                }
            }
        }
        e
    }
}

/// A scalar as Go's YAML decoder gives it to a string field: as written (`y` and `0x10` stay
/// text; YAML 1.1 would read them as `true` and 16). Empty for null, lists and mappings.
pub fn scalar_text(text: &str, t: &Tree) -> String {
    match &t.value {
        SourceNode::Number(_) | SourceNode::Bool(_) => {
            raw_scalar(text, pos(t)).unwrap_or_else(|| t.value.as_str().unwrap_or_default())
        }
        v => v.as_str().unwrap_or_default(),
    }
}

/// The plain scalar written at `at`: up to a space, a comment or a flow delimiter.
fn raw_scalar(text: &str, at: Pos) -> Option<String> {
    let line = text.lines().nth(at.line.checked_sub(1)? as usize)?;
    let rest: String = line.chars().skip(at.column.checked_sub(1)? as usize).collect();
    let token: String =
        rest.chars().take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ']' | '}' | '#')).collect();
    (!token.is_empty() && !token.starts_with(['"', '\'', '&', '*', '!'])).then_some(token)
}

/// Byte offset of the first whitespace-separated item of `values` that does not parse alone.
fn first_bad_item(values: &str) -> Option<usize> {
    let mut i = 0;
    let b = values.as_bytes();
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if values[i..].starts_with("{{") {
            // A histogram item runs to its closing braces and any `+{{…}}xN` tail.
            let mut end = values[i..].find("}}").map_or(b.len(), |e| i + e + 2);
            while end < b.len() && !b[end].is_ascii_whitespace() {
                end = match values[end..].find("}}") {
                    Some(e) if values[end..end + e].contains("{{") => end + e + 2,
                    _ => end + 1,
                };
            }
            i = end;
        } else {
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
        }
        if series::parse_values(&values[start..i]).is_err() {
            return Some(start);
        }
    }
    None
}

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
        let e = errors("evaluation_interval: 60\n");
        assert!(e[0].contains("`evaluation_interval` is not a duration: `60`"), "{e:?}");
    }
}
