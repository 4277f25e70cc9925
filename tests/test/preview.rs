//! `monstack preview`: what each integration of a receiver would send, and agreement with
//! `amtool template render` (Debian's 0.25) on every named template of Alertmanager 0.25's
//! `default.tmpl` for a set of alerts.

use std::collections::BTreeMap;

use monstack::notify::{self, Alert};

use crate::{fixtures, monstack, require, Project};

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Alerts, with the grouping labels of their route: plain, annotated, grouped by everything,
/// with characters templates and HTML care about.
fn cases() -> Vec<(&'static str, Alert, BTreeMap<String, String>)> {
    let alert = |l: &[(&str, &str)], a: &[(&str, &str)], url: &str| Alert {
        labels: labels(l),
        annotations: labels(a),
        starts_at: 1_764_039_600.0,
        ends_at: None,
        generator_url: url.to_owned(),
    };
    vec![
        (
            "team chat",
            alert(&[("alertname", "Down"), ("job", "api"), ("instance", "x")], &[], ""),
            labels(&[("alertname", "Down")]),
        ),
        (
            "oncall",
            alert(
                &[("alertname", "HostDown"), ("severity", "critical"), ("instance", "db1:9100")],
                &[("summary", "db1 is down"), ("description", "no scrape for 5m\nsecond line")],
                "http://prom:9090/graph?g0.expr=up+%3D%3D+0",
            ),
            labels(&[("alertname", "HostDown"), ("instance", "db1:9100")]),
        ),
        (
            "all",
            alert(
                &[("alertname", "Odd"), ("path", "/a&b<c>"), ("q", "\"quoted\"")],
                &[("summary", "<b>bold</b> & more")],
                "",
            ),
            labels(&[("alertname", "Odd"), ("path", "/a&b<c>"), ("q", "\"quoted\"")]),
        ),
        ("empty group", alert(&[("alertname", "NoGroup")], &[("runbook", "http://r/1")], "http://p/"), BTreeMap::new()),
    ]
}

#[test]
fn default_templates_agree_with_amtool() {
    if !require::tool("amtool") {
        return;
    }
    let tmpl = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/alertmanager/default.tmpl");
    let text =
        std::fs::read_to_string(&tmpl).unwrap() + &std::fs::read_to_string(tmpl.with_file_name("email.tmpl")).unwrap();
    let re = regex::Regex::new(r#"define "([^"]+)""#).unwrap();
    let mut texts: Vec<String> = re
        .captures_iter(&text)
        .map(|c| c[1].to_owned())
        .filter(|n| !n.starts_with("__text_alert_list"))
        // Templates of alert lists are given the firing alerts, as the integrations call them.
        .map(|n| match n.ends_with("instances") {
            true => format!("{{{{ template \"{n}\" .Alerts.Firing }}}}"),
            false => format!("{{{{ template \"{n}\" . }}}}"),
        })
        .collect();
    texts.push("{{ template \"__text_alert_list\" .Alerts.Firing }}".to_owned());
    assert!(texts.len() > 35, "{} named templates", texts.len());
    let p = Project::empty();
    let (mut agree, mut total, mut differ) = (0, 0, Vec::new());
    for (receiver, alert, labels) in cases() {
        let group = notify::Group {
            receiver: receiver.to_owned(),
            route_key: "{}".to_owned(),
            labels,
            alerts: vec![(alert, true)],
            external_url: "http://am.example:9093".to_owned(),
        };
        let all: Vec<_> = group.alerts.iter().collect();
        let data = p.path().join("data.json");
        std::fs::write(&data, notify::data::data_value(&group, &all).to_string()).unwrap();
        for t in &texts {
            total += 1;
            let out = std::process::Command::new("amtool")
                .args(["template", "render"])
                .arg(format!("--template.glob={}", tmpl.display()))
                .arg(format!("--template.glob={}", tmpl.with_file_name("email.tmpl").display()))
                .arg(format!("--template.text={t}"))
                .arg(format!("--template.data={}", data.display()))
                .output()
                .unwrap();
            assert!(out.status.success(), "amtool on {t}: {}", String::from_utf8_lossy(&out.stderr));
            let theirs = String::from_utf8_lossy(&out.stdout).into_owned();
            let ours = notify::render_text(t, &group, 1_764_039_600.0).unwrap();
            if ours == theirs {
                agree += 1;
            } else {
                differ.push(format!("{receiver}: {t}\n  ours:   {ours:?}\n  amtool: {theirs:?}"));
            }
        }
    }
    require::say(&format!("preview vs amtool: {agree}/{total} agree"));
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

/// Per integration of the receiver, the fields it would send (`tests/fixtures/preview/`); an
/// unknown receiver is exit 2 with the receivers listed.
#[test]
fn preview_renders_each_integration() {
    let dir = fixtures().join("preview");
    let run = monstack(
        &dir,
        &[
            "preview",
            "--config",
            "alertmanager.yml",
            "--receiver",
            "everyone",
            "--at",
            "2026-11-25T03:00:00Z",
            "alertname=HostDown",
            "severity=critical",
            "instance=db1",
            "--annotation",
            "summary=db1 is down",
        ],
    );
    run.status(0);
    let path = dir.join("everyone.out");
    if std::env::var("UPDATE_GOLDEN").is_ok() {
        std::fs::write(&path, &run.stdout).unwrap();
    }
    assert_eq!(run.stdout, std::fs::read_to_string(&path).unwrap());
    monstack(&dir, &["preview", "--config", "alertmanager.yml", "--receiver", "everyon", "a=b"])
        .status(2)
        .stderr_has("no receiver `everyon` in the config")
        .stderr_has("did you mean `everyone`?")
        .stderr_has("receivers: `everyone`, `nobody`");
    monstack(&dir, &["preview", "--config", "alertmanager.yml", "--receiver", "nobody", "a"])
        .status(2)
        .stderr_has("label: label `a` is not `name=value`");
    monstack(&dir, &["preview", "--config", "alertmanager.yml", "--receiver", "nobody", "a=b"])
        .status(0)
        .stdout_has("receiver `nobody` has no integrations: it notifies no one");
}

/// Routing test cases pin a notification's field: `equals`, or a golden `file` that
/// `--update-golden` writes; a changed text fails with expected vs got, a pin naming an
/// integration the receiver lacks is exit 2.
#[test]
fn routing_tests_pin_notification_text() {
    let p = Project::copy_of(&fixtures().join("preview"));
    p.run(&["test", "routing.yml"]).status(0).stdout_has("1 passed, 0 failed");
    std::fs::remove_file(p.path().join("db3.pagerduty.txt")).unwrap();
    p.run(&["test", "routing.yml"]).status(2).stdout_has("cannot read the golden file `db3.pagerduty.txt`");
    p.run(&["test", "routing.yml", "--update-golden"]).status(0);
    assert!(p.read("db3.pagerduty.txt").starts_with("Labels:\n - alertname = HostDown\n - instance = db3\n"));
    p.write("db3.pagerduty.txt", "something else");
    p.run(&["test", "routing.yml"])
        .status(1)
        .stdout_has("notification pagerduty.details.firing to everyone: expected \"something else\", got \"Labels:");
    let text = p
        .read("routing.yml")
        .replace("integration: slack\n          field: title", "integration: webex\n          field: title");
    p.write("routing.yml", &text);
    p.run(&["test", "routing.yml"])
        .status(2)
        .stdout_has("receiver `everyone` has no `webex` integration (it has: `slack`, `pagerduty`");
}

/// A project's notification templates (`templates/alertmanager/*.tmpl`, the `full` render case
/// overrides `slack.default.title`): previews and routing tests in project mode use them from
/// the render in memory, nothing written; a broken one is an `alertmanager/template` finding
/// at its own line and column.
#[test]
fn project_notification_templates_are_used_and_checked() {
    let p = Project::copy_of(&fixtures().join("render/full/in"));
    p.run(&["preview", "--receiver", "chat", "alertname=HostHighCpu", "severity=warning", "instance=db1"])
        .status(0)
        .stdout_has("  title: [FIRING] HostHighCpu (1 instances)\n");
    assert!(!p.path().join("build").exists(), "preview wrote the render");
    p.write(
        "tests/chat.yml",
        "routing_tests:\n  - name: warnings reach chat with the project's title\n    alerts:\n      \
         - labels: {alertname: HostHighCpu, severity: warning}\n        receivers: [chat]\n        \
         notification: {receiver: chat, integration: slack, field: title, equals: '[FIRING] HostHighCpu (1 instances)'}\n",
    );
    p.run(&["test", "-C", "."]).status(0).stdout_has("ok   warnings reach chat with the project's title");
    p.write("templates/alertmanager/broken.tmpl", "{{ define \"x\" }}\n{{ .Labels | nosuch }}{{ end }}\n");
    p.run(&["check"])
        .status(1)
        .stdout_has("error[alertmanager/template]: templates/alertmanager/broken.tmpl:2:14: template: broken.tmpl:2: function \"nosuch\" not defined");
    p.run(&["render"]).status(2);
    assert!(!p.path().join("build").exists(), "render wrote a config Alertmanager would not load");
}

/// `--alerts FILE`: alerts in Alertmanager's API format notified together; resolved ones reach
/// only integrations that send resolved notifications; alerts of different groups, a bad file
/// and labels given twice are errors (exit 2).
#[test]
fn preview_of_a_group_of_alerts() {
    let p = Project::copy_of(&fixtures().join("preview"));
    p.write(
        "alerts.yml",
        "- labels: {alertname: HostDown, instance: db1, severity: critical}\n  startsAt: 2026-11-25T02:00:00Z\n  \
         endsAt: 2026-11-25T02:30:00Z\n",
    );
    let run = p.run(&[
        "preview",
        "--config",
        "alertmanager.yml",
        "--receiver",
        "everyone",
        "--alerts",
        "alerts.yml",
        "--at",
        "2026-11-25T03:00:00Z",
        "--format",
        "json",
    ]);
    run.status(0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["group_key"], "{}:{alertname=\"HostDown\", instance=\"db1\"}");
    let sent = |integration: &str| {
        let n = doc["notifications"].as_array().unwrap().iter().find(|n| n["integration"] == integration).unwrap();
        n["sent"].as_bool().unwrap()
    };
    // Slack and e-mail do not send resolved alerts by default; PagerDuty and webhooks do.
    assert!(!sent("slack") && !sent("email"), "{doc:#}");
    assert!(sent("pagerduty") && sent("webhook"), "{doc:#}");
    let payload = doc["notifications"][5]["fields"]["payload"].as_str().unwrap();
    assert!(
        payload.contains(r#""status":"resolved""#) && payload.contains(r#""endsAt":"2026-11-25T02:30:00Z""#),
        "{payload}"
    );

    p.write(
        "two.yml",
        "- labels: {alertname: HostDown, instance: db1}\n- labels: {alertname: DiskFull, instance: db1}\n",
    );
    p.run(&["preview", "--config", "alertmanager.yml", "--receiver", "everyone", "--alerts", "two.yml"])
        .status(2)
        .stderr_has("are not notified together: their grouping labels differ");
    p.write("bad.yml", "- labels: {alertname: A}\n  startsAt: noon\n  severity: x\n");
    p.run(&["preview", "--config", "alertmanager.yml", "--receiver", "everyone", "--alerts", "bad.yml"])
        .status(2)
        .stderr_has("bad.yml:2:13: `noon` is not a valid instant")
        .stderr_has("bad.yml:3:3: unknown key `severity` in an alert");
    p.run(&["preview", "--config", "alertmanager.yml", "--receiver", "everyone", "--alerts", "two.yml", "a=b"])
        .status(2)
        .stderr_has("cannot be used with");
    p.run(&["preview", "--config", "alertmanager.yml", "--receiver", "everyone"])
        .status(2)
        .stderr_has("no alert to preview");
}
