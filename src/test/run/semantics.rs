//! The rule manager's semantics, end to end: rule and test files written to a temporary folder
//! and run.

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

/// Every upstream test file, whole and cut at every 7th byte, is read and run without a panic
/// (a cut file is a bad test file or a different test, never a crash). The two long-running
/// files are read cut and run whole only.
#[test]
fn no_cut_of_an_upstream_file_panics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/upstream/promtool-tests");
    let mut runs = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "yml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let cuts = (0..text.len()).step_by(7).filter(|i| text.is_char_boundary(*i)).chain([text.len()]);
        let long = ["unittest.yml", "long-period.yml"].iter().any(|n| path.ends_with(n));
        for cut in cuts {
            if long && cut < text.len() {
                let _ = super::super::format::parse(&path, &text[..cut], false);
            } else {
                let _ = super::run_text(&path, &text[..cut], &Options::default(), &RuleSource::default());
            }
            runs += 1;
        }
    }
    assert!(runs > 500, "only {runs} runs");
}

/// A test of silence far past its input passes, as in promtool, but says why it may be vacuous.
#[test]
fn silence_past_the_input_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rules.yml"),
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x > 0\n",
    )
    .unwrap();
    let test = test_file("1 1", "    alert_rule_test:\n      - eval_time: 4m\n        alertname: A\n        exp_alerts: []\n      - eval_time: 7m\n        alertname: A\n        exp_alerts: []\n");
    std::fs::write(dir.path().join("t.yml"), test).unwrap();
    let out = super::run_file(&dir.path().join("t.yml"), &Options::default(), &RuleSource::default());
    let g = &out.groups[0];
    assert_eq!(g.failures.len(), 1, "at 4m the alert still fires: {:?}", g.failures);
    assert_eq!(g.notes.len(), 1, "{:?}", g.notes);
    assert!(
        g.notes[0].1.contains("alert `A` at eval_time 7m is more than 5m after the last input sample (at 1m)"),
        "{:?}",
        g.notes
    );
}
