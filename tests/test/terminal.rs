//! Meeting users where they work: `--version`, shell completions, the man page, colour on and
//! off, and the JSON of `render`, `up` and `down`.

use std::process::Command;

use crate::stack_support::Stack;
use crate::{monstack, monstack_env, require, Project};

fn example() -> Project {
    Project::copy_of(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/local"))
}

#[test]
fn version_names_release_and_commit() {
    let run = monstack(std::path::Path::new("."), &["--version"]);
    run.status(0);
    let expected_commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(|| "unknown".to_owned(), |o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    // The binary may be a commit behind HEAD when it was built before the last commit; the
    // shape is what matters, and the commit must be hex or `unknown`.
    let line = run.stdout.trim();
    let rest = line.strip_prefix(&format!("monstack {} (commit ", env!("CARGO_PKG_VERSION"))).expect(line);
    let commit = rest.strip_suffix(')').expect(line);
    assert!(commit == "unknown" || commit.chars().all(|c| c.is_ascii_hexdigit()) && commit.len() == 12, "{line}");
    assert!(expected_commit == "unknown" || commit != "unknown", "built in git but names no commit: {line}");
}

#[test]
fn completions_for_every_shell() {
    let here = std::path::Path::new(".");
    let marks = [
        ("bash", "complete -F _monstack"),
        ("zsh", "#compdef monstack"),
        ("fish", "complete -c monstack"),
        ("powershell", "Register-ArgumentCompleter"),
    ];
    for (shell, mark) in marks {
        let run = monstack(here, &["completions", shell]);
        run.status(0).stdout_has(mark);
        for sub in ["check", "render", "up", "logs", "completions"] {
            run.stdout_has(sub);
        }
    }
    // Service names for `logs` and `restart` where the generator can say so (not PowerShell's).
    for shell in ["bash", "zsh", "fish"] {
        let script = monstack(here, &["completions", shell]).stdout;
        for service in monstack::services::ALL.iter().map(|s| s.name) {
            assert!(script.contains(service), "{shell} completion lacks {service}");
        }
    }
    let fish = monstack(here, &["completions", "fish"]).stdout;
    assert!(fish.contains("__fish_monstack_using_subcommand logs\" -f -a \"prometheus alertmanager"), "{fish}");
    assert!(fish.contains("function __fish_monstack_using_subcommand"), "the helper the service lines use is gone");
    monstack(here, &["completions", "tcsh"]).status(2).stderr_has("tcsh");
}

#[test]
fn bash_completes_service_names_for_logs_and_restart() {
    if !require::tool("bash") {
        return;
    }
    let tmp = Project::empty();
    let script = monstack(tmp.path(), &["completions", "bash"]);
    script.status(0);
    tmp.write("monstack.bash", &script.stdout);
    let syntax = Command::new("bash").arg("-n").arg(tmp.path().join("monstack.bash")).output().unwrap();
    assert!(syntax.status.success(), "bash -n: {}", String::from_utf8_lossy(&syntax.stderr));
    for sub in ["logs", "restart"] {
        let probe = format!(
            "source monstack.bash; COMP_WORDS=(monstack {sub} ''); COMP_CWORD=2; COMP_LINE='monstack {sub} '; \
             COMP_POINT=${{#COMP_LINE}}; _monstack monstack '' {sub}; printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        let out = Command::new("bash").arg("-c").arg(&probe).current_dir(tmp.path()).output().unwrap();
        let offered = String::from_utf8_lossy(&out.stdout);
        let offered: Vec<&str> = offered.lines().collect();
        for service in monstack::services::ALL.iter().map(|s| s.name) {
            assert!(offered.contains(&service), "`monstack {sub} <TAB>` does not offer {service}: {offered:?}");
        }
    }
    // Offered, not imposed: the project says which services exist, with its own message.
    example().run(&["logs", "nosuch"]).status(2).stderr_has("unknown service `nosuch`");
}

#[test]
fn man_page_is_roff() {
    let tmp = Project::empty();
    let run = monstack(tmp.path(), &["man"]);
    run.status(0).stdout_has(".TH monstack 1").stdout_has(".SH NAME").stdout_has(".SH SUBCOMMANDS");
    if !require::tool("man") {
        return;
    }
    tmp.write("monstack.1", &run.stdout);
    let out = Command::new("man")
        .args(["-l", "monstack.1"])
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "man -l: {}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("monstack-check") || text.contains("check"), "{text}");
    assert!(!text.contains(".SH"), "roff left unrendered: {text}");
}

const ESC: &str = "\x1b[";

fn finding_project() -> Project {
    let p = example();
    p.write("alerts/broken.yml", "groups:\n  - name: b\n    rules:\n      - alert: Broken\n        expr: up ==\n");
    p
}

#[test]
fn check_colours_only_when_asked_or_on_a_terminal() {
    let p = finding_project();
    // Piped (as here) by default: no escape codes.
    let plain = p.run(&["check"]);
    plain.status(1).stdout_has("error[rules/expr]");
    assert!(!plain.stdout.contains(ESC) && !plain.stderr.contains(ESC), "{}", plain.stdout);
    // Forced: the error heading red and bold, the warning yellow, gutter/help dim.
    let coloured = p.run(&["check", "--color", "always"]);
    coloured.status(1).stdout_has("\x1b[1;31merror[rules/expr]\x1b[0m").stdout_has("\x1b[1;33mwarning[");
    coloured.stdout_has("\x1b[2m  = help:");
    // The same findings, colour removed, as without colour.
    let stripped = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap().replace_all(&coloured.stdout, "").into_owned();
    assert_eq!(stripped, plain.stdout);
    // `never` and NO_COLOR win over a terminal; `always` wins over NO_COLOR (it is explicit).
    let never = p.run(&["check", "--color", "never"]);
    assert!(!never.stdout.contains(ESC));
    let no_color = monstack_env(p.path(), &["check", "--color", "auto"], &[("NO_COLOR", "1")]);
    assert!(!no_color.stdout.contains(ESC));
    let forced = monstack_env(p.path(), &["check", "--color", "always"], &[("NO_COLOR", "1")]);
    assert!(forced.stdout.contains(ESC));
    // Machine formats never get colour.
    let json = p.run(&["check", "--format", "json", "--color", "always"]);
    assert!(!json.stdout.contains(ESC));
    serde_json::from_str::<serde_json::Value>(&json.stdout).unwrap();
}

fn strings(v: &serde_json::Value) -> Vec<&str> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect()
}

#[test]
fn render_json_lists_created_changed_removed() {
    let p = example();
    let first = p.run(&["render", "--format", "json"]);
    first.status(0);
    let doc: serde_json::Value = serde_json::from_str(&first.stdout).expect("one JSON document");
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["written"], true);
    let created = strings(&doc["created"]);
    assert!(created.contains(&"prometheus/prometheus.yml"), "{created:?}");
    assert_eq!(created.len() as u64, doc["files"].as_u64().unwrap());
    for rel in &created {
        assert!(p.path().join("build").join(rel).is_file(), "{rel} not written");
    }

    // Nothing to do: all unchanged, exit 0 with --check too.
    let again = p.run(&["render", "--check", "--format", "json"]);
    again.status(0);
    let doc: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!((doc["written"].clone(), doc["unchanged"].clone()), (false.into(), doc["files"].clone()));

    // A file edited by hand and an exporter disabled: drift, exit 1, nothing written.
    let config = p.read("build/prometheus/prometheus.yml");
    p.write("build/prometheus/prometheus.yml", &format!("{config}# edited\n"));
    p.write("monstack.yaml", &p.read("monstack.yaml").replace("  node:\n", "  node:\n    enabled: false\n"));
    let drift = p.run(&["render", "--check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&drift.stdout).unwrap_or_else(|e| panic!("{e}: {drift:?}"));
    drift.status(1);
    assert_eq!(doc["written"], false);
    assert!(strings(&doc["removed"]).contains(&"prometheus/rules/node.yml"), "{doc}");
    assert!(strings(&doc["changed"]).contains(&"prometheus/prometheus.yml"), "{doc}");
    assert!(p.read("build/prometheus/prometheus.yml").ends_with("# edited\n"), "--check wrote");
}

#[test]
fn render_json_refusal_is_checks_json() {
    let p = finding_project();
    let run = p.run(&["render", "--format", "json"]);
    run.status(2).stderr_has("refusing to render");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("check's JSON report");
    assert_eq!(doc["schema"], 1);
    assert!(doc["problems"].as_array().unwrap().iter().any(|p| p["check"] == "rules/expr"), "{doc}");
}

#[test]
fn up_and_down_json_and_colour() {
    if !require::images() {
        return;
    }
    let stack = Stack::new("json");
    let up = stack.run(&["up", "--format", "json", "--timeout", "90s"]);
    up.status(0);
    let doc: serde_json::Value = serde_json::from_str(&up.stdout).unwrap_or_else(|e| panic!("{e}: {up:?}"));
    assert_eq!((doc["schema"].as_u64(), doc["ok"].as_bool()), (Some(1), Some(true)), "{doc}");
    assert_eq!(doc["project"], stack.name.as_str());
    assert!(up.stderr.contains("started"), "progress belongs on stderr: {up:?}");
    let services = doc["services"].as_array().unwrap();
    let names: Vec<&str> = services.iter().map(|s| s["service"].as_str().unwrap()).collect();
    assert_eq!(names, ["prometheus", "alertmanager", "node", "blackbox"]);
    assert!(services.iter().all(|s| s["action"] == "started"), "{doc}");
    let prom = &services[0];
    assert_eq!(prom["url"], format!("http://127.0.0.1:{}/", stack.prom_port));
    assert!(services[2]["url"].is_null(), "exporters have no UI: {doc}");
    assert!(strings(&doc["render"]["created"]).contains(&"prometheus/prometheus.yml"));

    let again: serde_json::Value =
        serde_json::from_str(&stack.run(&["up", "--format", "json"]).status(0).stdout).unwrap();
    assert!(again["services"].as_array().unwrap().iter().all(|s| s["action"] == "unchanged"), "{again}");

    // Colour of `up` progress and `status` health: only when asked (the test's pipes are no terminal).
    stack
        .run(&["up", "--color", "always"])
        .status(0)
        .stdout_has(&format!("\x1b[2munchanged\x1b[0m {}-node", stack.name));
    let plain = stack.run(&["up"]);
    assert!(!plain.stdout.contains(ESC), "{plain:?}");
    let status = stack.run(&["status", "--color", "always", "--wait", "--timeout", "60s"]);
    status.status(0).stdout_has("\x1b[32mrunning    \x1b[0m").stdout_has("\x1b[32mhealthy:");
    let plain = stack.run(&["status"]);
    assert!(!plain.stdout.contains(ESC) && !plain.stderr.contains(ESC), "{plain:?}");

    let down = stack.run(&["down", "--format", "json", "--volumes"]);
    down.status(0);
    let doc: serde_json::Value = serde_json::from_str(&down.stdout).unwrap_or_else(|e| panic!("{e}: {down:?}"));
    assert_eq!((doc["schema"].as_u64(), doc["ok"].as_bool()), (Some(1), Some(true)), "{doc}");
    let containers = strings(&doc["removed"]["containers"]);
    assert_eq!(containers.len(), 4, "{doc}");
    assert!(containers.iter().all(|c| c.starts_with(&stack.name)), "{doc}");
    assert!(!strings(&doc["removed"]["volumes"]).is_empty(), "{doc}");
    assert!(down.stderr.contains("removed container"), "progress belongs on stderr: {down:?}");
}

#[test]
fn every_command_keeps_data_on_stdout_and_messages_on_stderr() {
    let tmp = Project::empty();
    let missing = tmp.path().join("no-such-project");
    let missing = missing.to_str().unwrap();
    let commands: &[&[&str]] = &[
        &["render", "-C", missing],
        &["render", "-C", missing, "--format", "json"],
        &["check", "-C", missing],
        &["check", "-C", missing, "--format", "json"],
        &["test", "-C", missing],
        &["up", "-C", missing, "--format", "json"],
        &["down", "-C", missing, "--format", "json"],
        &["status", "-C", missing, "--json"],
        &["logs", "-C", missing],
        &["restart", "-C", missing],
        &["routes", "-C", missing, "severity=critical"],
    ];
    for args in commands {
        let run = monstack(tmp.path(), args);
        run.status(2);
        assert!(run.stdout.is_empty(), "{args:?}: an error wrote to stdout: {}", run.stdout);
        assert!(run.stderr.starts_with("error: "), "{args:?}: {}", run.stderr);
    }
    // Usage errors: exit 2 on stderr; asked-for help and version: exit 0 on stdout.
    let usage = monstack(tmp.path(), &["render", "--format", "yaml"]);
    usage.status(2).stderr_has("yaml");
    assert!(usage.stdout.is_empty());
    for args in [&["--help"][..], &["--version"], &["up", "--help"]] {
        let run = monstack(tmp.path(), args);
        run.status(0);
        assert!(!run.stdout.is_empty() && run.stderr.is_empty(), "{args:?}: {run:?}");
    }
}
