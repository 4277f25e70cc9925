//! Routing test files run by `monstack test` next to rule tests: each case a test group in every
//! format, project mode against the rendered `alertmanager.yml`, `init`'s scaffold passing.

use std::path::PathBuf;

use crate::{fixtures, monstack, Project};

fn dir() -> PathBuf {
    fixtures().join("routing")
}

/// As `unit_tests`' goldens: durations vary from run to run.
fn without_durations(s: &str) -> String {
    let s = regex::Regex::new(r"\(\d+ ms\)").unwrap().replace_all(s, "(N ms)");
    let s = regex::Regex::new(r#""duration_ms": \d+"#).unwrap().replace_all(&s, r#""duration_ms": N"#);
    regex::Regex::new(r#"time="[0-9.]+""#).unwrap().replace_all(&s, r#"time="N""#).into_owned()
}

/// A passing and a failing routing test file (a time-interval case and an inhibition case among
/// them) in each format: `tests/fixtures/routing/golden.test.*` (`UPDATE_GOLDEN=1` rewrites them).
#[test]
fn golden_routing_outputs_per_format() {
    for (format, ext) in [("human", "txt"), ("json", "json"), ("junit", "xml"), ("github", "github.txt")] {
        let run = monstack(&dir(), &["test", "--format", format, "routing.yml", "failing.yml"]);
        run.status(1);
        let got = without_durations(&run.stdout);
        let path = dir().join(format!("golden.test.{ext}"));
        if std::env::var("UPDATE_GOLDEN").is_ok() {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(got, want, "{format} output differs from {}", path.display());
    }
}

/// Each case is a test group: counted, selected by `--run`, a JUnit case of its own.
#[test]
fn routing_cases_are_test_groups() {
    let run = monstack(&dir(), &["test", "routing.yml", "--format", "json"]);
    run.status(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["summary"]["groups"], 4);
    let run = monstack(&dir(), &["test", "failing.yml", "--run", "^passes$"]);
    run.status(0).stdout_has("1 file, 1 test group: 1 passed, 0 failed");
    let run = monstack(&dir(), &["test", "failing.yml", "--format", "junit"]);
    run.status(1);
    assert_eq!(run.stdout.matches("<testcase ").count(), 2, "{}", run.stdout);
    assert_eq!(run.stdout.matches("<failure ").count(), 1, "{}", run.stdout);
}

/// A routing test file with no `config:` outside a project cannot run (exit 2, with the way out);
/// a bad one says where.
#[test]
fn bad_routing_files_are_not_run() {
    let p = Project::empty();
    p.write("t.yml", "routing_tests:\n  - name: x\n    alerts: [{labels: {a: b}, receivers: [r]}]\n");
    p.run(&["test", "t.yml"]).status(2).stdout_has("names no Alertmanager config").stdout_has("config:");
    p.write("t.yml", "config: nosuch.yml\nrouting_tests:\n  - name: x\n    alerts: [{labels: {a: b}}]\n");
    p.run(&["test", "t.yml"]).status(2).stdout_has("cannot read the config");
    let am = dir().join("alertmanager.yml");
    let am = am.to_str().unwrap();
    p.write(
        "t.yml",
        &format!("config: {am}\nrouting_tests:\n  - name: x\n    alerts: [{{labels: {{a: b}}, receivers: [pagng]}}]\n"),
    );
    p.run(&["test", "t.yml"]).status(2).stdout_has("t.yml:4:43: no receiver `pagng` in the config");
}

/// `init`'s scaffold (the example rule test and `tests/routing.yml`) passes `monstack test -C`,
/// against the `alertmanager.yml` render would write (nothing written); a project routing
/// critical alerts elsewhere fails it, with expected vs got and the route.
#[test]
fn init_scaffold_passes_monstack_test() {
    let p = Project::empty();
    p.run(&["init", "shop"]).status(0);
    p.run(&["test", "-C", "shop"])
        .status(0)
        .stdout_has("tests/routing.yml")
        .stdout_has("ok   critical and warning alerts reach the default receiver")
        .stdout_has("ok   a flapping target fires once it has flapped for 5 minutes");
    assert!(!p.path().join("shop/build").exists(), "project mode must not write build/");
    let spec = p.read("shop/monstack.yaml").replace(
        "    - name: default\n",
        "    - name: default\n    - name: oncall\n      webhook: { url: \"http://pager:8080/\" }\n",
    );
    let spec = spec.replace(
        "  default_receiver: default\n",
        "  default_receiver: default\n  routes:\n    - match: { severity: critical }\n      receiver: oncall\n",
    );
    p.write("shop/monstack.yaml", &spec);
    p.run(&["test", "-C", "shop"])
        .status(1)
        .stdout_has("FAIL critical and warning alerts reach the default receiver")
        .stdout_has("receivers: expected [default], got [oncall]")
        .stdout_has("route: ");
}

/// Routing coverage in `--coverage`: receivers nothing reaches (an inhibited test alert or rule
/// covers nothing), alert rules that notify no one (a receiver without integrations, or inhibited
/// by an always-firing alert); the table and the JSON lists (`tests/fixtures/routing/coverage/`).
#[test]
fn routing_coverage_lists_unreached_receivers_and_silent_alerts() {
    let files = ["coverage/rules_test.yml", "coverage/routing_test.yml"];
    for (format, ext) in [("human", "txt"), ("json", "json")] {
        let mut args = vec!["test", "--coverage", "--format", format];
        args.extend(files);
        let run = monstack(&dir(), &args);
        run.status(0);
        let got = without_durations(&run.stdout);
        let path = dir().join(format!("coverage/golden.{ext}"));
        if std::env::var("UPDATE_GOLDEN").is_ok() {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(got, want, "{format} output differs from {}", path.display());
    }
    let mut args = vec!["test", "--coverage", "--format", "json"];
    args.extend(files);
    let v: serde_json::Value = serde_json::from_str(&monstack(&dir(), &args).stdout).unwrap();
    let routing = &v["coverage"]["routing"][0];
    assert_eq!(routing["unreached"], serde_json::json!(["team", "unused"]));
    assert_eq!(routing["percent"], 60.0);
    let silent: Vec<&str> =
        routing["silent_alerts"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(silent, ["Watchdog", "Chatter"]);
    // Without the routing test, the database chat is unreached too.
    let run = monstack(&dir(), &["test", "--coverage", "coverage/rules_test.yml"]);
    run.status(0);
    assert!(!run.stdout.contains("routing coverage"), "no routing test, no config: {}", run.stdout);
}
