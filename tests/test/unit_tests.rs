//! `monstack test`: Prometheus v3.5.0's own `promtool test rules` files (tests/upstream/
//! promtool-tests), every row of their expectations with the flags upstream's test used; and
//! the failure output, formats and exit statuses.

use std::path::{Path, PathBuf};

use crate::{monstack, require, Project};

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/upstream/promtool-tests")
}

/// Upstream wants 1 for every failure, a broken test file included; monstack tells a test file
/// it cannot run (2) from a test that fails (1). Both are "not 0", and which one is pinned here.
fn agrees(expect: i32, status: i32, file: &str) -> bool {
    let broken = matches!(file, "bad-input-series.yml" | "bad-rules-syntax-test.yml");
    match expect {
        0 => status == 0,
        _ if broken => status == 2,
        _ => status == 1,
    }
}

#[test]
fn promtool_tests_every_row_agrees() {
    let dir = suite();
    let text = std::fs::read_to_string(dir.join("expectations.tsv")).unwrap();
    let rows: Vec<Vec<&str>> =
        text.lines().skip(1).filter(|l| !l.trim().is_empty()).map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 18, "the 18 rows of upstream's test table");
    let mut disagreements = Vec::new();
    for row in &rows {
        let (file, flags, expect) = (row[0], row[1], row[2].parse::<i32>().unwrap());
        let mut args = vec!["test"];
        args.extend(flags.split_whitespace());
        args.push(file);
        let run = monstack(&dir, &args);
        if !agrees(expect, run.status, file) {
            disagreements
                .push(format!("{file} {flags}: want {expect}, got {}\n{}{}", run.status, run.stdout, run.stderr));
        }
    }
    require::say(&format!("promtool-tests: {}/{} rows agree", rows.len() - disagreements.len(), rows.len()));
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn a_failure_shows_the_diff_the_time_and_the_rule() {
    let run = monstack(&suite(), &["test", "failing.yml"]);
    run.status(1)
        .stdout_has("FAIL Failing alert test")
        .stdout_has("alert `AlwaysFiring` at eval_time 5m (failing.yml:36; rule rules.yml:14)")
        .stdout_has("      + {alertname=\"InstanceDown\", job=\"test\", severity=\"page\"}\n        annotations: description: \" of job test has been down for more than 5 minutes.\", summary: \"Instance  down\"\n")
        .stdout_has("      + {alertname=\"AlwaysFiring\"}\n")
        .stdout_has("expr `test` at eval_time 0s (failing.yml:13)")
        .stdout_has("      - {__name__=\"test\"} 1\n      + {__name__=\"test\"} 0\n")
        .stdout_has("1 file, 2 test groups: 0 passed, 2 failed");
}

#[test]
fn bad_input_points_at_the_value() {
    let p = Project::empty();
    std::fs::write(
        p.path().join("t.yml"),
        "tests:\n  - input_series:\n      - series: up\n        values: '1 2 3y 4'\n",
    )
    .unwrap();
    monstack(p.path(), &["test", "t.yml"])
        .status(2)
        .stdout_has("t.yml:4:22: bad values")
        .stdout_has("  4 |         values: '1 2 3y 4'\n    |                      ^");
    std::fs::write(p.path().join("m.yml"), "rule_files: [missing.yml]\ntests: []\n").unwrap();
    monstack(p.path(), &["test", "m.yml"]).status(2).stdout_has("m.yml:1:14: no rule file matches `missing.yml`");
    std::fs::write(p.path().join("u.yml"), "tests:\n  - nmae: x\n").unwrap();
    monstack(p.path(), &["test", "u.yml"]).status(2).stdout_has("u.yml:2:5: unknown field `nmae` in a test group");
    monstack(p.path(), &["test", "--ignore-unknown-fields", "u.yml"]).status(0);
}

#[test]
fn formats() {
    let dir = suite();
    let json = monstack(&dir, &["test", "--format", "json", "failing.yml", "rules_run.yml"]);
    json.status(1);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["summary"]["failed"], 3);
    let alert = &v["files"][0]["groups"][1]["failures"][0];
    assert_eq!(alert["kind"], "alert");
    assert_eq!(alert["eval_time"], "5m");
    assert_eq!(alert["rules"][0]["line"], 6);
    assert_eq!(alert["got"][0]["labels"]["alertname"], "InstanceDown");
    // Annotations are expanded as Prometheus does: `instance` is missing, so it is empty.
    assert_eq!(alert["got"][0]["annotations"]["summary"], "Instance  down");
    assert_eq!(v["files"][0]["groups"][1]["failures"][1]["got"][0]["labels"]["alertname"], "AlwaysFiring");
    let junit = monstack(&dir, &["test", "--format", "junit", "rules_run.yml"]);
    junit.status(1).stdout_has("<testsuite name=\"rules_run.yml\" tests=\"2\" failures=\"1\" errors=\"0\"");
    junit.stdout_has("<testcase classname=\"rules_run.yml\" name=\"correct test\"");
    let gh = monstack(&dir, &["test", "--format", "github", "rules_run.yml"]);
    gh.status(1).stdout_has("::error file=rules_run.yml,line=26,title=test group wrong test::");
}

#[test]
fn coverage_lists_what_no_test_exercises() {
    let dir = suite();
    let run = monstack(&dir, &["test", "--coverage", "--format", "json", "unittest.yml"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let names = |key: &str| -> Vec<String> {
        v["coverage"][key].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(names("never_read"), vec!["suquery_interval_test"]);
    assert!(names("never_named").is_empty());
    monstack(&dir, &["test", "--min-coverage", "100", "rules_run.yml", "--run", "correct"])
        .status(1)
        .stderr_has("is below the minimum of 100.0%");
}

/// A small deterministic generator, so the generated cases are the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next(items.len())]
    }
}

/// One generated test file and its rule file: alerts with `for` and `keep_firing_for`, a
/// recording rule read by an alert, `ALERTS` queried; expectations guessed at random, so some
/// hold and some do not: the oracle decides which. Prometheus 3 made the lookback window open at
/// its start (a sample exactly 5m old is no longer seen), so series end with a staleness marker
/// or run past the last eval_time, and gaps are shorter than 5m: 2.42 and 3.5 then agree.
fn generated_case(rng: &mut Lcg) -> (String, String) {
    let threshold = rng.pick(&["2", "5", "10"]);
    let hold = rng.pick(&["0s", "1m", "3m", "5m"]);
    let keep = rng.pick(&["0s", "2m", "10m"]);
    let rules = format!(
        "groups:\n  - name: g\n    rules:\n      - record: job:m:sum\n        expr: sum by (job) (m)\n      - alert: High\n        expr: job:m:sum > {threshold}\n        for: {hold}\n        keep_firing_for: {keep}\n        labels:\n          severity: warning\n        annotations:\n          summary: sum too high\n      - alert: Each\n        expr: m > {threshold}\n        for: {hold}\n        labels:\n          team: x\n      - alert: Gone\n        expr: absent(m{{job=\"b\"}})\n        for: 2m\n"
    );
    let series = [
        (
            "m{job=\"a\", instance=\"1\"}",
            rng.pick(&["0+1x20", "1 2 3 4 5 6 7 8 9 10 0x10", "5x3 _x4 5x15", "10 stale 10x5 0x15", "0x30"]),
        ),
        ("m{job=\"a\", instance=\"2\"}", rng.pick(&["3x30", "0+2x10 0x10", "_x5 8x20", "1 stale"])),
        ("m{job=\"b\", instance=\"3\"}", rng.pick(&["1x2 stale", "12x5 stale", "_x3 2x3 stale 2x20"])),
    ];
    let mut test = String::from("rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - name: generated\n    interval: 1m\n    input_series:\n");
    for (s, v) in series {
        test.push_str(&format!("      - series: '{s}'\n        values: '{v}'\n"));
    }
    test.push_str("    alert_rule_test:\n");
    for _ in 0..=rng.next(2) {
        let alert = rng.pick(&["High", "Each", "Gone"]);
        let time = rng.pick(&["0s", "1m", "2m", "4m", "6m", "9m", "12m", "20m"]);
        test.push_str(&format!("      - eval_time: {time}\n        alertname: {alert}\n        exp_alerts:\n"));
        match (alert, rng.next(3)) {
            (_, 0) => test.push_str("          []\n"),
            ("High", _) => test.push_str(
                "          - exp_labels: {job: a, severity: warning}\n            exp_annotations: {summary: sum too high}\n",
            ),
            ("Each", _) => test.push_str("          - exp_labels: {job: a, instance: '1', team: x}\n"),
            _ => test.push_str("          - exp_labels: {job: b}\n"),
        }
    }
    test.push_str("    promql_expr_test:\n");
    for _ in 0..rng.next(2) {
        let time = rng.pick(&["1m", "3m", "7m", "15m"]);
        let expr =
            rng.pick(&["job:m:sum", "count(ALERTS{alertstate=\"firing\"})", "ALERTS_FOR_STATE{alertname=\"High\"}"]);
        let value = rng.pick(&["1", "3", "60", "0"]);
        test.push_str(&format!(
            "      - expr: '{expr}'\n        eval_time: {time}\n        exp_samples:\n          - labels: '{{job=\"a\"}}'\n            value: {value}\n"
        ));
    }
    (rules, test)
}

fn monstack_failures(json: &str) -> std::collections::BTreeSet<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut out = std::collections::BTreeSet::new();
    for f in v["files"][0]["groups"].as_array().unwrap() {
        for failure in f["failures"].as_array().unwrap() {
            let time = failure["eval_time"].as_str().unwrap_or("");
            match failure["kind"].as_str() {
                Some("alert") => out.insert(format!("alert {} at {time}", failure["alertname"].as_str().unwrap())),
                Some("expr") => out.insert(format!("expr {} at {time}", failure["expr"].as_str().unwrap())),
                _ => out.insert(format!("error {}", failure["message"])),
            };
        }
    }
    out
}

/// Debian's promtool 2.42 is the oracle on generated files that use nothing newer: the verdict
/// of every file, and which alerts and expressions failed, agree.
#[test]
fn generated_cases_agree_with_promtool() {
    if !require::tool("promtool") {
        return;
    }
    let p = Project::empty();
    let mut rng = Lcg(11);
    let (mut failing, mut total) = (0, 0);
    let mut disagreements = Vec::new();
    for i in 0..40 {
        let (rules, test) = generated_case(&mut rng);
        let dir = p.path().join(format!("case{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("rules.yml"), rules).unwrap();
        std::fs::write(dir.join("test.yml"), &test).unwrap();
        let oracle = std::process::Command::new("promtool")
            .args(["test", "rules", "test.yml"])
            .current_dir(&dir)
            .output()
            .unwrap();
        let oracle_text =
            format!("{}{}", String::from_utf8_lossy(&oracle.stdout), String::from_utf8_lossy(&oracle.stderr));
        let ours = monstack(&dir, &["test", "--format", "json", "test.yml"]);
        let (want, got) = (monstack::test::exact::promtool_failures(&oracle_text), monstack_failures(&ours.stdout));
        total += 1;
        failing += usize::from(!want.is_empty());
        if oracle.status.code() != Some(ours.status) || want != got {
            disagreements.push(format!(
                "case{i}: promtool {:?} {want:?}, monstack {} {got:?}\n{test}",
                oracle.status.code(),
                ours.status
            ));
        }
    }
    require::say(&format!(
        "promtool 2.42 oracle: {}/{total} generated files agree ({failing} failing)",
        total - disagreements.len()
    ));
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(failing > 5 && failing < total, "the generated cases should both pass and fail: {failing}/{total} fail");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// Project mode: `tests/*.yml` against the rules render would write, nothing written; `init`'s
/// example test passes, and a broken expectation fails it.
#[test]
fn project_mode_runs_the_scaffolded_example() {
    let p = Project::empty();
    p.run(&["init", "shop"]).status(0);
    let dir = p.path().join("shop");
    p.run(&["test", "-C", "shop"])
        .status(0)
        .stdout_has("example.yml")
        .stdout_has("ok   a flapping target fires once it has flapped for 5 minutes");
    assert!(!dir.join("build").exists(), "project mode must not write build/");
    // init's routing tests share tests/ and run with them (tests/test/routing_tests.rs).
    assert!(dir.join("tests/routing.yml").is_file());
    let test = p.read("shop/tests/example.yml").replace("eval_time: 3m", "eval_time: 11m");
    std::fs::write(dir.join("tests/example.yml"), test).unwrap();
    p.run(&["test", "-C", "shop"]).status(1).stdout_has("alert `ExampleTargetFlapping` at eval_time 11m");
    std::fs::write(dir.join("tests/other.yml"), "rule_files: [nosuch.yml]\ntests: []\n").unwrap();
    p.run(&["test", "-C", "shop"]).status(2).stdout_has("no rule file matches `nosuch.yml`");
}

/// The bundled alerts' tests, rendered for the `full` fixture, as files promtool can run: each
/// written beside the rendered rule files it names.
fn rendered_bundled_tests(p: &Project) -> Vec<PathBuf> {
    p.run(&["render"]).status(0);
    let (spec, doc) = monstack::spec::Spec::load(p.path()).unwrap();
    let out = p.path().join("build");
    let files = monstack::render::render(&spec, &doc, &out, monstack::render::SecretValues::Placeholder).unwrap();
    let tests = monstack::render::tests::bundled_tests(&spec, &doc, &out, &files).unwrap();
    assert!(tests.len() >= 2, "the full fixture renders the bundled tests");
    tests
        .into_iter()
        .map(|(name, text)| {
            let path =
                out.join("prometheus/rules").join(format!("test-{}", name.file_name().unwrap().to_string_lossy()));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

fn fixture(name: &str) -> Project {
    Project::copy_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/render").join(name).join("in"))
}

/// Every bundled alert ships with tests: in the `full` fixture (every component) and with the
/// `overrides` fixture's thresholds, `for`, severity, labels and disabled alerts, they pass and
/// cover every bundled rule.
#[test]
fn bundled_alerts_are_fully_covered_in_their_configuration() {
    for name in ["full", "overrides", "default"] {
        let p = fixture(name);
        let run = p.run(&["test", "--min-coverage", "100", "--format", "json"]);
        run.status(0);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(v["coverage"]["percent"], 100.0, "{name}");
        let rules = v["coverage"]["rules"].as_array().unwrap().len();
        assert!(rules >= if name == "full" { 28 } else { 14 }, "{name}: {rules} rules");
    }
}

/// Debian's promtool 2.42 passes every bundled test rendered for the `full` and `overrides`
/// fixtures, so their expectations (annotations included) are promtool's, not only monstack's.
#[test]
fn bundled_tests_pass_under_promtool() {
    if !require::tool("promtool") {
        return;
    }
    for test in
        rendered_bundled_tests(&fixture("full")).into_iter().chain(rendered_bundled_tests(&fixture("overrides")))
    {
        let out = std::process::Command::new("promtool").arg("test").arg("rules").arg(&test).output().unwrap();
        assert!(
            out.status.success(),
            "{}:\n{}{}",
            test.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// `--exact`: promtool from the project's pinned image (the local Debian 2.42 build) runs every
/// test file in a no-network container; the bundled tests and upstream's files agree, and a file
/// using a newer feature (`histogram` in `exp_samples`) is reported as a disagreement (exit 1).
#[test]
fn exact_runs_promtool_from_the_pinned_image() {
    if !require::images() {
        return;
    }
    let image = require::image_tags().iter().find(|t| t.contains("/prometheus:")).unwrap().clone();
    let p = fixture("full");
    let spec = p.read("monstack.yaml");
    let pinned = match spec.find("\nprometheus:\n") {
        Some(_) => spec.replacen("\nprometheus:\n", &format!("\nprometheus:\n  image: {image}\n"), 1),
        None => format!("{spec}\nprometheus:\n  image: {image}\n"),
    };
    std::fs::write(p.path().join("monstack.yaml"), pinned).unwrap();
    p.run(&["test", "--exact"])
        .status(0)
        .stdout_has(&format!("exact: promtool test rules from `{image}` agrees on 8 of 8 files"));
    let dir = suite();
    let files = ["failing.yml", "rules_run.yml", "unittest.yml"];
    let dir_arg = p.path().to_string_lossy().into_owned();
    let mut args = vec!["test", "--exact", "-C", dir_arg.as_str()];
    args.extend(files);
    monstack(&dir, &args)
        .status(1)
        .stdout_has("exact: unittest.yml: promtool fails (")
        .stdout_has("agrees on 2 of 3 files");
    let left = std::process::Command::new("docker")
        .args(["ps", "-aq", "--filter", "label=io.monstack.tool=test"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&left.stdout).trim().is_empty(), "tool containers were left behind");
}

/// Durations vary from run to run; the golden files hold `N` in their place.
fn without_durations(s: &str) -> String {
    let s = regex::Regex::new(r"\(\d+ ms\)").unwrap().replace_all(s, "(N ms)");
    let s = regex::Regex::new(r#""duration_ms": \d+"#).unwrap().replace_all(&s, r#""duration_ms": N"#);
    regex::Regex::new(r#"time="[0-9.]+""#).unwrap().replace_all(&s, r#"time="N""#).into_owned()
}

/// Golden outputs, one per format, of upstream's failing files, a passing one and coverage:
/// `tests/fixtures/test/golden.*` (`UPDATE_GOLDEN=1` rewrites them; review the diff).
#[test]
fn golden_outputs_per_format() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/test");
    let files = ["failing.yml", "rules_run.yml", "bad-rules-error-test.yml", "bad-input-series.yml"];
    for (format, ext) in [("human", "txt"), ("json", "json"), ("junit", "xml"), ("github", "github.txt")] {
        let mut args = vec!["test", "--coverage", "--format", format];
        args.extend(files);
        let run = monstack(&suite(), &args);
        run.status(2);
        let got = without_durations(&run.stdout);
        let path = golden.join(format!("golden.{ext}"));
        if std::env::var("UPDATE_GOLDEN").is_ok() {
            std::fs::create_dir_all(&golden).unwrap();
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(got, want, "{format} output differs from {}", path.display());
    }
}

/// Project mode expands `$externalLabels` with the spec's external labels (a test group's own
/// `external_labels` win).
#[test]
fn project_mode_uses_the_spec_external_labels() {
    let p = fixture("full");
    std::fs::create_dir_all(p.path().join("alerts")).unwrap();
    std::fs::write(
        p.path().join("alerts/own.yml"),
        "groups:\n  - name: own\n    rules:\n      - alert: Own\n        expr: vector(1)\n        labels: { severity: info }\n        annotations:\n          summary: 'in {{ $externalLabels.cluster }}'\n",
    )
    .unwrap();
    std::fs::create_dir_all(p.path().join("tests")).unwrap();
    let test = |labels: &str, want: &str| {
        format!("rule_files: [own.yml]\ntests:\n  - name: own\n{labels}    alert_rule_test:\n      - eval_time: 1m\n        alertname: Own\n        exp_alerts:\n          - exp_labels: {{ severity: info }}\n            exp_annotations: {{ summary: '{want}' }}\n")
    };
    std::fs::write(p.path().join("tests/own.yml"), test("", "in shop")).unwrap();
    p.run(&["test", "--run", "^own$"]).status(0).stdout_has("ok   own");
    std::fs::write(p.path().join("tests/own.yml"), test("    external_labels: { cluster: other }\n", "in other"))
        .unwrap();
    p.run(&["test", "--run", "^own$"]).status(0).stdout_has("ok   own");
}
