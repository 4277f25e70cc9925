//! The reader of the test-file tree: each key known, each value of the type upstream's struct
//! wants, every problem at its place.

use std::path::Path;

use super::values::{expanded_len, first_bad_item, raw_scalar};
use super::*;
use crate::check::node::{pos, Located, SourceNode, Tree};
use crate::diag::{Diagnostic, Pos};
use crate::promql::series;
use crate::syntax::Duration;

pub(super) struct Reader<'a> {
    pub(super) file: &'a Path,
    pub(super) text: &'a str,
    pub(super) ignore_unknown_fields: bool,
    pub(super) errors: Vec<Diagnostic>,
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

    pub(super) fn file(&mut self, doc: &Tree) -> TestFile {
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
        let steps = expanded_len(text);
        if steps > MAX_SERIES_STEPS {
            self.error(
                pos(t),
                format!("these values expand to {steps} steps, more than the {MAX_SERIES_STEPS} one series may have"),
                Some("a test needs samples up to its largest eval_time only".into()),
            );
            return None;
        }
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
