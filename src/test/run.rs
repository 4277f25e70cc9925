//! One test file, run as `promtool test rules` runs it (cmd/promtool/unittest.go of 3.5): per test
//! group, the input series loaded step by step, every rule group evaluated at each
//! `evaluation_interval` step up to the largest `eval_time`, alerts compared at the last step at or
//! before their `eval_time`, expressions queried once all steps ran.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::coverage::FileCoverage;
use super::eval::{self, Evaluator};
use super::format::{self, TestFile, TestGroup};
use super::rules::{self, Group};
use super::{format_duration, AlertSeen, Failure, FileOutcome, GroupOutcome, Options, RuleSource, SampleSeen};
use crate::diag::Diagnostic;
use crate::promql::histogram::Histogram;
use crate::promql::series::{self, SeqValue};
use crate::promql::{Engine, Labels, Storage};

/// Most evaluation steps one test group may take, so a typo (`eval_time: 100y` at `1s`) fails
/// rather than running for days.
pub const MAX_STEPS: i64 = 5_000_000;

/// Runs one test file. Rule files come from disk, relative to the test file, or from `source`
/// when it holds rendered ones.
pub fn run_file(file: &Path, opts: &Options, source: &RuleSource) -> FileOutcome {
    match std::fs::read_to_string(file) {
        // The one place a test file's kind is told by its content: routing tests (issue #12,
        // `routing::tests`) get their own arm here. Anything else runs as rule tests, whose
        // parser then says precisely what is wrong with it.
        Ok(text) => match super::kind_of(&text) {
            super::FileKind::RuleTests | super::FileKind::Unknown => run_text(file, &text, opts, source),
        },
        Err(e) => {
            let d = Diagnostic::new(file, "", None, format!("cannot read test file `{}`: {e}", file.display()));
            FileOutcome::stopped(file, vec![d], Instant::now())
        }
    }
}

/// Runs a test file whose text is `text` (`file` is the name shown).
pub fn run_text(file: &Path, text: &str, opts: &Options, source: &RuleSource) -> FileOutcome {
    let started = Instant::now();
    let tf = match format::parse(file, text, opts.ignore_unknown_fields) {
        Ok(tf) => tf,
        Err(errors) => return FileOutcome::stopped(file, errors, started),
    };
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for name in &tf.group_eval_order {
        if !seen.insert(name.value.as_str()) {
            errors.push(Diagnostic::new(
                file,
                text,
                Some(name.at),
                format!("group name repeated in evaluation order: `{}`", name.value),
            ));
        }
    }
    let mut groups: Vec<Group> = Vec::new();
    for pattern in &tf.rule_files {
        match resolve(file, &pattern.value, source) {
            Ok(found) if found.is_empty() => errors.push(
                Diagnostic::new(file, text, Some(pattern.at), format!("no rule file matches `{}`", pattern.value))
                    .with_help(if source.rendered.is_empty() {
                        "rule_files are relative to the test file's folder".to_string()
                    } else {
                        "in project mode, rule_files name rendered files under build/prometheus/rules/".to_string()
                    }),
            ),
            Ok(found) => {
                for (path, text) in found {
                    let loaded = match text {
                        Some(t) => rules::load_text(&path, &t, opts.ignore_unknown_fields),
                        None => rules::load(&path, opts.ignore_unknown_fields),
                    };
                    match loaded {
                        Ok(g) => groups.extend(g),
                        Err(e) => errors.extend(e),
                    }
                }
            }
            Err(e) => errors.push(Diagnostic::new(file, text, Some(pattern.at), e)),
        }
    }
    if !errors.is_empty() {
        return FileOutcome::stopped(file, errors, started);
    }
    let order = |g: &Group| tf.group_eval_order.iter().position(|n| n.value == g.name).unwrap_or(0);
    let mut ordered: Vec<&Group> = groups.iter().collect();
    ordered.sort_by_key(|g| order(g));

    let selected: Vec<&TestGroup> =
        tf.tests.iter().filter(|t| opts.run.as_ref().is_none_or(|re| re.is_match(&t.name))).collect();
    let mut coverage = FileCoverage::new(&groups, &selected);
    let outcomes = selected.iter().map(|t| run_group(&tf, t, &ordered, &mut coverage)).collect();
    FileOutcome {
        file: file.to_path_buf(),
        errors: Vec::new(),
        groups: outcomes,
        duration: started.elapsed(),
        coverage,
    }
}

/// The rule files a `rule_files` entry names: from `source` when it has rendered ones (with
/// their text), else from disk relative to the test file (text read later).
pub(crate) fn resolve(
    test_file: &Path,
    pattern: &str,
    source: &RuleSource,
) -> Result<Vec<(PathBuf, Option<String>)>, String> {
    if !source.rendered.is_empty() {
        let p = glob::Pattern::new(pattern).map_err(|e| format!("bad rule file pattern `{pattern}`: {e}"))?;
        return Ok(source
            .rendered
            .iter()
            .filter(|(name, _)| p.matches_path(name))
            .map(|(name, text)| (name.clone(), Some(text.clone())))
            .collect());
    }
    let base = test_file.parent().unwrap_or(Path::new(""));
    let full = if Path::new(pattern).is_absolute() { PathBuf::from(pattern) } else { base.join(pattern) };
    let text = full.to_string_lossy().into_owned();
    let mut out: Vec<(PathBuf, Option<String>)> = Vec::new();
    for entry in glob::glob(&text).map_err(|e| format!("bad rule file pattern `{pattern}`: {e}"))? {
        let path = entry.map_err(|e| format!("cannot read `{pattern}`: {e}"))?;
        if path.is_file() {
            out.push((path, None));
        }
    }
    Ok(out)
}

/// Input series as timed samples, loaded into storage step by step as promtool's lazy loader does.
struct Input {
    series: Vec<(Labels, Vec<(i64, SeqValue)>)>,
    cursor: Vec<usize>,
    last: Option<i64>,
}

impl Input {
    fn new(group: &TestGroup, start: i64, interval: i64) -> Input {
        let mut last = None;
        let series: Vec<(Labels, Vec<(i64, SeqValue)>)> = group
            .input_series
            .iter()
            .map(|s| {
                let mut samples = Vec::new();
                for (i, v) in s.values.iter().enumerate() {
                    let t = start.saturating_add((i as i64).saturating_mul(interval));
                    if !matches!(v, SeqValue::Omitted) {
                        last = last.max(Some(t));
                        samples.push((t, v.clone()));
                    }
                }
                (s.labels.clone(), samples)
            })
            .collect();
        let cursor = vec![0; series.len()];
        Input { series, cursor, last }
    }

    fn load_until(&mut self, storage: &mut Storage, ts: i64) {
        for (i, (labels, samples)) in self.series.iter().enumerate() {
            while let Some((t, v)) = samples.get(self.cursor[i]) {
                if *t > ts {
                    break;
                }
                match v {
                    SeqValue::Float(f) => storage.add(labels.clone(), [(*t, *f)]),
                    SeqValue::Histogram(h) => storage.add_histograms(labels.clone(), [(*t, (**h).clone())]),
                    SeqValue::Omitted => {}
                }
                self.cursor[i] += 1;
            }
        }
    }

    /// A note for a failure at `eval_time` past every input sample.
    fn note(&self, start: i64, eval_time: i64) -> Option<String> {
        let last = self.last?;
        (start.saturating_add(eval_time) > last).then(|| {
            format!(
                "eval_time {} is after the last input sample (at {}); an instant selector looks back at most 5m",
                format_duration(eval_time),
                format_duration(last - start)
            )
        })
    }
}

fn run_group(tf: &TestFile, tg: &TestGroup, groups: &[&Group], coverage: &mut FileCoverage) -> GroupOutcome {
    let started = Instant::now();
    let mut failures = Vec::new();
    run_group_into(tf, tg, groups, coverage, &mut failures);
    GroupOutcome { name: tg.display_name(), line: tg.at.line, duration: started.elapsed(), failures }
}

fn run_group_into(
    tf: &TestFile,
    tg: &TestGroup,
    groups: &[&Group],
    coverage: &mut FileCoverage,
    failures: &mut Vec<Failure>,
) {
    let ei = tf.evaluation_interval;
    let interval = tg.interval.unwrap_or(ei);
    let mint = tg.start;
    let maxt = mint.saturating_add(tg.max_eval_time());
    for a in &tg.alert_tests {
        if a.alertname.is_empty() {
            let in_group = if tg.name.is_empty() { String::new() } else { format!(" (in TestGroup {})", tg.name) };
            failures.push(Failure::Error {
                message: format!(
                    "an item under alert_rule_test misses required attribute alertname at eval_time {}{in_group}",
                    format_duration(a.eval_time)
                ),
                line: Some(a.at.line),
                rule: None,
            });
            return;
        }
    }
    if (maxt - mint) / ei >= MAX_STEPS {
        failures.push(Failure::Error {
            message: format!(
                "{} evaluation steps of {} up to eval_time {} are more than the {MAX_STEPS} allowed",
                (maxt - mint) / ei + 1,
                format_duration(ei),
                format_duration(maxt - mint)
            ),
            line: Some(tg.at.line),
            rule: None,
        });
        return;
    }
    let mut alert_times: Vec<i64> = tg.alert_tests.iter().map(|a| a.eval_time).collect();
    alert_times.sort_unstable();
    alert_times.dedup();

    let engine = Engine { subquery_step: ei, ..Engine::default() };
    let mut storage = Storage::new();
    let mut input = Input::new(tg, mint, interval);
    let mut ev = Evaluator::new(groups.to_vec(), &tg.external_labels, &tg.external_url);
    let mut curr = 0;
    let mut ts = mint;
    while ts <= maxt {
        input.load_until(&mut storage, ts);
        let errs = ev.step(&engine, &mut storage, ts);
        if !errs.is_empty() {
            for e in errs {
                failures.push(Failure::Error {
                    message: format!("{} `{}` failed at {}: {}", e.rule, e.name, format_duration(ts), e.message),
                    line: None,
                    rule: Some(e.at),
                });
            }
            return;
        }
        while curr < alert_times.len() && ts - mint <= alert_times[curr] && alert_times[curr] < ts - mint + ei {
            let t = alert_times[curr];
            for test in tg.alert_tests.iter().filter(|a| a.eval_time == t) {
                let mut got: Vec<AlertSeen> = ev
                    .firing(&test.alertname)
                    .into_iter()
                    .map(|a| AlertSeen { labels: a.labels.clone(), annotations: a.annotations.clone() })
                    .collect();
                got.sort();
                coverage.saw(&test.alertname, !got.is_empty());
                let mut expected: Vec<AlertSeen> = test
                    .exp_alerts
                    .iter()
                    .map(|e| {
                        let mut labels = Labels::from_pairs(e.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                        labels.set("alertname", &test.alertname);
                        AlertSeen {
                            labels,
                            annotations: Labels::from_pairs(
                                e.annotations.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                            ),
                        }
                    })
                    .collect();
                expected.sort();
                if expected != got {
                    failures.push(Failure::Alert {
                        alertname: test.alertname.clone(),
                        eval_time: t,
                        line: test.at.line,
                        rules: ev.alert_rules(&test.alertname),
                        expected,
                        got,
                        note: input.note(mint, t),
                    });
                }
            }
            curr += 1;
        }
        match ts.checked_add(ei) {
            Some(next) => ts = next,
            None => break,
        }
    }

    for test in &tg.expr_tests {
        let at = mint.saturating_add(test.eval_time);
        let fail = |message: String| Failure::Error {
            message: format!("expr: {:?}, time: {}, err: {message}", test.expr, format_duration(test.eval_time)),
            line: Some(test.at.line),
            rule: None,
        };
        let got = crate::promql::Query::parse(&test.expr)
            .map_err(|e| e.to_string())
            .and_then(|q| eval::query(&engine, &storage, &q, at));
        let got = match got {
            Ok(v) => v,
            Err(e) => {
                failures.push(fail(e));
                continue;
            }
        };
        let mut got: Vec<(Labels, f64, Option<Arc<Histogram>>)> =
            got.into_iter().map(|s| (s.metric, s.f, s.h)).collect();
        let mut expected = Vec::with_capacity(test.exp_samples.len());
        let mut bad = None;
        for s in &test.exp_samples {
            match expected_sample(s) {
                Ok(e) => expected.push(e),
                Err(e) => {
                    bad = Some(format!("labels {:?}: {e}", s.labels));
                    break;
                }
            }
        }
        if let Some(e) = bad {
            failures.push(fail(e));
            continue;
        }
        got.sort_by(|a, b| a.0.cmp(&b.0));
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        let same = got.len() == expected.len()
            && got.iter().zip(&expected).all(|(g, e)| {
                g.0 == e.0
                    && floats_equal(g.1, e.1, tf.fuzzy_compare)
                    && match (&g.2, &e.2) {
                        (None, None) => true,
                        (Some(a), Some(b)) => a.equals(b),
                        _ => false,
                    }
            });
        if !same {
            let seen = |v: Vec<(Labels, f64, Option<Arc<Histogram>>)>| {
                v.into_iter()
                    .map(|(labels, value, h)| SampleSeen { labels, value, histogram: h.map(|h| h.to_string()) })
                    .collect()
            };
            failures.push(Failure::Expr {
                expr: test.expr.clone(),
                eval_time: test.eval_time,
                line: test.at.line,
                expected: seen(expected),
                got: seen(got),
                note: input.note(mint, test.eval_time),
            });
        }
    }
}

fn expected_sample(s: &format::ExpSample) -> Result<(Labels, f64, Option<Arc<Histogram>>), String> {
    let labels = if s.labels.trim().is_empty() {
        Labels::new()
    } else {
        match series::parse_metric(&s.labels)? {
            (l, rest) if rest.trim().is_empty() => l,
            (_, rest) => return Err(format!("unexpected `{}` after the labels", rest.trim())),
        }
    };
    if s.histogram.is_empty() {
        return Ok((labels, s.value, None));
    }
    let values = series::parse_values(&s.histogram)?;
    match values.as_slice() {
        [SeqValue::Histogram(h)] => Ok((labels, s.value, Some(Arc::new((**h).clone())))),
        [other] => Err(format!("expected histogram, got {other:?}")),
        v => Err(format!("expected 1 value, got {}", v.len())),
    }
}

/// Float equality as promtool compares: exactly (NaN equals nothing), or with `fuzzy_compare`
/// also the neighbouring floats on either side.
pub fn floats_equal(a: f64, b: f64, fuzzy: bool) -> bool {
    a == b || (fuzzy && (a.next_down() == b || a.next_up() == b))
}

#[cfg(test)]
mod tests {
    #[test]
    fn fuzzy_compare_allows_one_ulp() {
        assert!(super::floats_equal(3.0, 3.0, false));
        assert!(!super::floats_equal(2.9999999999999996, 3.0, false));
        assert!(super::floats_equal(2.9999999999999996, 3.0, true));
        assert!(!super::floats_equal(2.9999999999999987, 3.0, true));
        assert!(!super::floats_equal(f64::NAN, f64::NAN, true));
    }
}

#[cfg(test)]
mod semantics {
    use super::super::{Failure, Options, RuleSource};

    /// Runs a test file against a rule file, both given as text; the failures of its groups.
    fn run(rules: &str, test: &str) -> Vec<Failure> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("rules.yml"), rules).unwrap();
        std::fs::write(dir.path().join("t.yml"), test).unwrap();
        let out = super::run_file(&dir.path().join("t.yml"), &Options::default(), &RuleSource::default());
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        out.groups.into_iter().flat_map(|g| g.failures).collect()
    }

    fn test_file(series: &str, asserts: &str) -> String {
        format!("rule_files: [rules.yml]\ntests:\n  - interval: 1m\n    input_series:\n      - series: 'x'\n        values: '{series}'\n{asserts}")
    }

    fn alert_at(time: &str, name: &str, firing: bool) -> String {
        let exp = if firing { "\n          - {}" } else { " []" };
        format!("      - eval_time: {time}\n        alertname: {name}\n        exp_alerts:{exp}\n")
    }

    #[test]
    fn for_and_keep_firing_for() {
        let rules = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x > 0\n        for: 2m\n        keep_firing_for: 3m\n";
        // x > 0 from 0m to 4m: pending at 0 and 1m, firing from 2m, kept firing 3m after 5m.
        let mut asserts = String::from("    alert_rule_test:\n");
        for (t, firing) in [("1m", false), ("2m", true), ("5m", true), ("7m", true), ("8m", false)] {
            asserts.push_str(&alert_at(t, "A", firing));
        }
        let failures = run(rules, &test_file("1 1 1 1 1 0 0 0 0 0", &asserts));
        assert!(failures.is_empty(), "{failures:?}");
        // Without keep_firing_for it resolves at once.
        let failures =
            run(&rules.replace("        keep_firing_for: 3m\n", ""), &test_file("1 1 1 1 1 0 0 0 0 0", &asserts));
        let times: Vec<i64> = failures
            .iter()
            .map(|f| match f {
                Failure::Alert { eval_time, .. } => *eval_time,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(times, vec![300_000, 420_000]);
    }

    #[test]
    fn alerts_series_and_recorded_staleness() {
        let rules = "groups:\n  - name: g\n    rules:\n      - record: y\n        expr: x > 0\n      - alert: A\n        expr: y > 0\n        for: 1m\n";
        let asserts = "    promql_expr_test:\n      - expr: ALERTS_FOR_STATE\n        eval_time: 2m\n        exp_samples:\n          - labels: 'ALERTS_FOR_STATE{alertname=\"A\"}'\n            value: 0\n      - expr: ALERTS\n        eval_time: 1m\n        exp_samples:\n          - labels: 'ALERTS{alertname=\"A\", alertstate=\"firing\"}'\n            value: 1\n      - expr: y\n        eval_time: 4m\n        exp_samples: []\n";
        // y stops at 3m: its staleness marker hides it at once, not 5 minutes later. (`y` is also
        // YAML 1.1 for true: a string field keeps it as written, as Go's decoder does.)
        let failures = run(rules, &test_file("1 1 1 0 0", asserts));
        assert!(failures.is_empty(), "{failures:?}");
    }

    #[test]
    fn limit_and_query_offset() {
        let rules = "groups:\n  - name: late\n    query_offset: 1m\n    rules:\n      - record: z\n        expr: x\n  - name: capped\n    limit: 1\n    rules:\n      - record: w\n        expr: x or label_replace(vector(1), \"a\", \"b\", \"\", \"\")\n";
        let failures = run(rules, &test_file("5 6 7", "    promql_expr_test:\n      - expr: z\n        eval_time: 2m\n        exp_samples:\n          - labels: z\n            value: 6\n"));
        let messages: Vec<String> = failures
            .iter()
            .map(|f| match f {
                Failure::Error { message, .. } => message.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(messages, vec!["record `w` failed at 0s: exceeded limit of 1 with 2 series"]);
        let failures = run(&rules.replace("    limit: 1\n", ""), &test_file("5 6 7", "    promql_expr_test:\n      - expr: timestamp(z)\n        eval_time: 2m\n        exp_samples:\n          - value: 60\n"));
        assert!(failures.is_empty(), "{failures:?}");
    }

    #[test]
    fn eval_time_past_the_series_is_noted() {
        let failures = run("groups: []\n", &test_file("1", "    promql_expr_test:\n      - expr: x\n        eval_time: 10m\n        exp_samples:\n          - labels: x\n            value: 1\n"));
        match &failures[..] {
            [Failure::Expr { note: Some(n), got, .. }] => {
                assert!(got.is_empty());
                assert!(n.contains("eval_time 10m is after the last input sample (at 0s)"), "{n}");
            }
            other => panic!("{other:?}"),
        }
    }
}
