//! `check` on hostile input: deep nesting, link loops, FIFOs, terminal escapes, huge lines, byte
//! order marks. Each finishes in time with exit 0, 1 or 2 and something useful to say, never a
//! crash or a hang (issue #9).

use std::path::Path;
use std::process::Command;

use crate::{Project, Run, TEST_ENV};

/// Runs `monstack args…` in `dir`, killed after `secs`: a hang fails the test instead of the run.
fn run_within(dir: &Path, args: &[&str], secs: u32) -> Run {
    let mut cmd = Command::new("timeout");
    cmd.args(["--kill-after=5", &secs.to_string(), env!("CARGO_BIN_EXE_monstack")]);
    cmd.args(args).current_dir(dir).env_remove("MONSTACK_DIR");
    for (k, v) in TEST_ENV {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("timeout(1) runs");
    let run = Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(![124, 137].contains(&run.status), "`monstack {}` did not finish in {secs} s", args.join(" "));
    assert!(
        run.status != 134 && !run.stderr.contains("overflow"),
        "`monstack {}` crashed:\n{}",
        args.join(" "),
        run.stderr
    );
    run
}

fn nest(n: usize, open: &str, inner: &str, close: &str) -> String {
    format!("{}{inner}{}", open.repeat(n), close.repeat(n))
}

fn rule(expr: &str) -> String {
    format!("groups:\n- name: g\n  rules:\n  - record: r\n    expr: {expr}\n")
}

fn alert(summary: &str) -> String {
    format!("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    labels: {{severity: page}}\n    annotations:\n      summary: '{summary}'\n")
}

#[test]
fn deep_nesting_is_checked_or_refused_in_words_never_a_crash() {
    let p = Project::empty();
    let ifs = |n| nest(n, "{{ if true }}", "x", "{{ end }}");
    let receiver = format!(
        "route:\n  receiver: r\nreceivers:\n- name: r\n  slack_configs:\n  - api_url: http://x/\n    channel: c\n    text: '{}'\n",
        ifs(700)
    );
    // What promtool and amtool accept, and monstack checks.
    for (file, text) in [
        ("ifs.yml", alert(&ifs(700))),
        ("am.yml", receiver),
        ("plus.yml", rule(&vec!["up"; 10_000].join(" + "))),
        ("calls.yml", rule(&nest(10_000, "abs(", "up", ")"))),
        ("parens.yml", rule(&nest(100_000, "(", "up", ")"))),
    ] {
        p.write(file, &text);
        run_within(p.path(), &["check", file], 120).status(0);
    }
    // Beyond the bounds: an error that says which.
    for (file, text, says) in [
        ("ifs-deeper.yml", alert(&ifs(100_000)), "max control structure depth exceeded"),
        ("parens-deeper.yml", rule(&nest(1_000_000, "(", "up", ")")), "expression nested 1000000 levels deep"),
        ("minus.yml", rule(&format!("{}up", "-".repeat(100_000))), "expression of about 100000 operators"),
        ("lists.yml", format!("groups: {}\n", nest(100_000, "[", "", "]")), "nested more than 64 levels deep"),
        ("maps.yml", format!("groups: {}\n", nest(100_000, "{a: ", "1", "}")), "nested more than 64 levels deep"),
    ] {
        p.write(file, &text);
        run_within(p.path(), &["check", file], 120).status(1).stdout_has(says);
    }
    // The cross-checks of project mode parse the rules again, on their own thread.
    let p = Project::copy_of(&crate::fixtures().join("render/default/in"));
    p.write(
        "alerts/deep.yml",
        &alert(&ifs(700)).replace("expr: up", &format!("expr: {}", nest(100_000, "(", "up", ")"))),
    );
    run_within(p.path(), &["check"], 120).status(0);
}

#[test]
fn folders_with_link_loops_and_fifos_are_walked_once() {
    let p = Project::empty();
    p.write("rules/a.yml", "groups: []\n");
    std::os::unix::fs::symlink("..", p.path().join("rules/up")).unwrap();
    // One link to `..`: the file was checked 41 times; two: the walk never ended.
    run_within(p.path(), &["check", "rules"], 60).status(0).stdout_has("no problems in 1 file");
    std::os::unix::fs::symlink("..", p.path().join("rules/up2")).unwrap();
    std::os::unix::fs::symlink("a.yml", p.path().join("rules/b.yml")).unwrap();
    run_within(p.path(), &["check", "rules", "rules/a.yml"], 60).status(0).stdout_has("no problems in 1 file");
    let made = Command::new("mkfifo").arg(p.path().join("rules/pipe.yml")).status().unwrap();
    assert!(made.success());
    run_within(p.path(), &["check", "rules"], 60)
        .status(0)
        .stdout_has("no problems in 1 file")
        .stderr_has("note: skipped `rules/pipe.yml`: a FIFO (named pipe), not a file to check");
    run_within(p.path(), &["check", "rules/pipe.yml"], 60)
        .status(2)
        .stderr_has("cannot check `rules/pipe.yml`: it is a FIFO (named pipe), not a regular file");
}

#[test]
fn quoted_file_text_cannot_drive_the_terminal() {
    let p = Project::empty();
    p.write("keys.yml", "groups:\n- name: g\n  rules:\n  - record: r\n    expr: up\n    \"\\e]0;pwned\\a\": 1\n");
    p.write("comment.yml", "groups: []\n# \u{1b}]0;pwned\u{7}\n");
    for file in ["keys.yml", "comment.yml"] {
        for format in ["human", "json", "github", "junit", "sarif"] {
            let run = run_within(p.path(), &["check", "--format", format, file], 60);
            run.status(1);
            assert!(!run.stdout.contains(['\u{1b}', '\u{7}']), "{file} as {format}: {:?}", run.stdout);
        }
    }
    run_within(p.path(), &["check", "keys.yml"], 60).stdout_has("field \\u{1b}]0;pwned\\u{7} not found");
    run_within(p.path(), &["check", "comment.yml"], 60).stdout_has("2 | # \\u{1b}]0;pwned\\u{7}\n");
}

#[test]
fn long_lines_are_cut_around_the_column() {
    let p = Project::empty();
    let value = "x".repeat(2_000_000);
    p.write("value.yml", &format!("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    for: {value}\n"));
    p.write("flow.yml", &format!("groups: [{value}]]\n"));
    for file in ["value.yml", "flow.yml"] {
        for format in ["human", "json", "github", "junit", "sarif"] {
            let run = run_within(p.path(), &["check", "--format", format, file], 60);
            run.status(1);
            let longest = run.stdout.lines().map(|l| l.chars().count()).max().unwrap_or(0);
            assert!(longest < 1_200, "{file} as {format}: a line of {longest} characters");
        }
    }
    let run = run_within(p.path(), &["check", "flow.yml"], 60);
    let shown: Vec<&str> = run.stdout.lines().skip(2).take(2).collect();
    assert!(shown[0].starts_with("1 | …") && shown[0].chars().count() < 140, "{shown:?}");
    let caret = shown[1].chars().position(|c| c == '^').unwrap();
    assert_eq!(shown[0].chars().nth(caret), Some(']'), "{shown:?}");
    run_within(p.path(), &["check", "value.yml"], 60).stdout_has("not a valid duration string: \"xxx").stdout_has("…");
}

#[test]
fn byte_order_marks_repeated_keys_and_limits() {
    let p = Project::empty();
    p.write("bom.yml", "\u{feff}groups:\n- name: g\n  rules:\n  - record: r\n    expr: sum(\n");
    p.write("bom.json", "\u{feff}{\"uid\": \"u\", \"title\": \"t\", \"panels\": []}\n");
    run_within(p.path(), &["check", "bom.yml"], 60).status(1).stdout_has("bom.yml:5:11: could not parse expression");
    run_within(p.path(), &["check", "bom.json"], 60).status(0);
    p.write("dup.yml", "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: up\n        expr: down\n");
    let run = run_within(p.path(), &["check", "dup.yml"], 60);
    run.status(1).stdout_has("dup.yml:6:9: key `expr` is repeated (first at line 5)");
    assert!(!run.stdout.contains("DuplicateKeyPolicy"), "{}", run.stdout);
    let mut laughs = format!("l0: &l0 [{}]\n", ["x"; 10].join(","));
    for i in 1..8 {
        laughs.push_str(&format!("l{i}: &l{i} [{}]\n", vec![format!("*l{}", i - 1); 10].join(",")));
    }
    p.write("laughs.yml", &laughs);
    let run = run_within(p.path(), &["check", "--kind", "rules", "laughs.yml"], 60);
    run.status(1).stdout_has("anchors (`&name`) and their aliases (`*name`) expand to more than 1000000 values");
    assert!(!run.stdout.contains("RecordedAnchorEvents"), "{}", run.stdout);
}

#[test]
fn routes_on_hostile_input_answer_in_words_never_a_crash() {
    let p = Project::empty();
    // Routes nested as deep as the YAML reader allows, and deeper.
    for depth in [30, 40] {
        let route = nest(depth, "{routes: [", "{receiver: a}", "]}");
        p.write("deep.yml", &format!("route: {{receiver: a, routes: [{route}]}}\nreceivers: [{{name: a}}]\n"));
        let run = run_within(p.path(), &["routes", "--tree", "--config", "deep.yml", "a=b"], 60);
        assert!([0, 2].contains(&run.status), "{}", run.stderr);
    }
    // Thousands of alerts firing together, each inhibiting the others.
    let am = "route: {receiver: a}\nreceivers: [{name: a}]\ninhibit_rules:\n  - source_matchers: [severity=critical]\n    target_matchers: [severity=~\".+\"]\n    equal: [instance]\n";
    p.write("am.yml", am);
    let mut t = String::from("config: am.yml\nrouting_tests:\n  - name: storm\n    alerts:\n");
    for i in 0..20_000 {
        t.push_str(&format!(
            "      - {{labels: {{alertname: A{i}, severity: warning, instance: x}}, inhibited: false}}\n"
        ));
    }
    t.push_str("    firing: [{alertname: Down, severity: critical, instance: x}]\n");
    p.write("storm.yml", &t);
    let run = run_within(p.path(), &["routes", "--test", "storm.yml"], 60);
    run.status(1).stdout_has("inhibited: expected false, got true");
    // A FIFO named as the config or a test file is refused unopened.
    let fifo = p.path().join("fifo.yml");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    run_within(p.path(), &["routes", "--config", "fifo.yml", "a=b"], 20).status(2).stderr_has("not a regular file");
    run_within(p.path(), &["routes", "--test", "fifo.yml"], 20).status(2).stderr_has("not a regular file");
    // Terminal escapes in names and labels are shown escaped.
    p.write("esc.yml", "config: am.yml\nrouting_tests:\n  - name: \"\\e]0;pwned\\a\"\n    alerts: [{labels: {a: \"\\e[2J\"}, receivers: [a], inhibited: true}]\n");
    let run = run_within(p.path(), &["routes", "--test", "esc.yml"], 60);
    run.status(1);
    assert!(!run.stdout.contains('\u{1b}'), "{}", run.stdout);
}
