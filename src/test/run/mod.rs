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
        // The one place a test file's kind is told by its content; anything not routing tests runs
        // as rule tests, whose parser then says precisely what is wrong with it.
        Ok(text) => run_text(file, &text, opts, source),
        Err(e) => {
            let d = Diagnostic::new(file, "", None, format!("cannot read test file `{}`: {e}", file.display()));
            FileOutcome::stopped(file, vec![d], Instant::now())
        }
    }
}

/// Runs a test file whose text is `text` (`file` is the name shown).
pub fn run_text(file: &Path, text: &str, opts: &Options, source: &RuleSource) -> FileOutcome {
    if super::kind_of(text) == super::FileKind::RoutingTests {
        return super::routing::run_text(file, text, opts, source);
    }
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
    let outcomes = selected.iter().map(|t| run_group(&tf, t, &ordered, source, &mut coverage)).collect();
    FileOutcome {
        file: file.to_path_buf(),
        errors: Vec::new(),
        groups: outcomes,
        duration: started.elapsed(),
        coverage,
        routing: false,
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

mod input;

use input::Input;

fn run_group(
    tf: &TestFile,
    tg: &TestGroup,
    groups: &[&Group],
    source: &RuleSource,
    coverage: &mut FileCoverage,
) -> GroupOutcome {
    let started = Instant::now();
    let mut failures = Vec::new();
    run_group_into(tf, tg, groups, source, coverage, &mut failures);
    let notes = beyond_input(tg, tf.evaluation_interval);
    GroupOutcome { name: tg.display_name(), line: tg.at.line, duration: started.elapsed(), failures, notes }
}

/// The assertions of `tg` whose `eval_time` is more than the 5m lookback after its last input
/// sample: no selector of input series sees anything there, so a test of silence passes whatever
/// the rules say.
fn beyond_input(tg: &TestGroup, evaluation_interval: i64) -> Vec<(u64, String)> {
    let interval = tg.interval.unwrap_or(evaluation_interval);
    let last =
        tg.input_series.iter().filter_map(|s| s.values.iter().rposition(|v| !matches!(v, SeqValue::Omitted))).max();
    let Some(last) = last.map(|i| (i as i64).saturating_mul(interval)) else { return Vec::new() };
    let alerts = tg.alert_tests.iter().map(|a| (a.at.line, a.eval_time, format!("alert `{}`", a.alertname)));
    let exprs = tg.expr_tests.iter().map(|e| (e.at.line, e.eval_time, format!("expr `{}`", e.expr)));
    alerts
        .chain(exprs)
        .filter(|(_, t, _)| *t > last.saturating_add(Engine::default().lookback))
        .map(|(line, t, what)| {
            let message = format!(
                "{what} at eval_time {} is more than 5m after the last input sample (at {}): no selector sees input there",
                format_duration(t),
                format_duration(last)
            );
            (line, message)
        })
        .collect()
}

fn run_group_into(
    tf: &TestFile,
    tg: &TestGroup,
    groups: &[&Group],
    source: &RuleSource,
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
    let external = if tg.external_labels.is_empty() { &source.external_labels } else { &tg.external_labels };
    let mut ev = Evaluator::new(groups.to_vec(), external, &tg.external_url);
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
mod semantics;
