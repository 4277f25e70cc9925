//! The upstream tools are the oracle: `promtool` and `amtool` (Debian packages `prometheus` and
//! `prometheus-alertmanager`, installed by `scripts/test`) must accept everything render produces.
//! Without them those tests are skipped, or fail in CI (see `require`).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::{files_below, render_case, render_cases, require, Project};

/// Runs an upstream tool in `dir`; a missing tool fails the test with how to install it.
fn tool(dir: &Path, program: &str, package: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(program).args(args).current_dir(dir).output().unwrap_or_else(|e| {
        panic!("cannot run `{program}` ({e}): install the Debian package `{package}` (`scripts/test` does)")
    });
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn promtool_and_amtool_accept_every_rendered_case() {
    if !require::tool("promtool") || !require::tool("amtool") {
        return;
    }
    for (name, dir) in render_cases() {
        let project = render_case(&dir);
        let build = project.path().join("build");
        let prom = build.join("prometheus");
        let (ok, text) = tool(&prom, "promtool", "prometheus", &["check", "config", "prometheus.yml"]);
        assert!(ok, "{name}: promtool check config rejects the rendered config:\n{text}");
        let rules: Vec<String> =
            files_below(&prom.join("rules")).iter().map(|p| format!("rules/{}", p.display())).collect();
        assert!(!rules.is_empty(), "{name}: no rule files rendered");
        let mut args = vec!["check", "rules"];
        args.extend(rules.iter().map(String::as_str));
        let (ok, text) = tool(&prom, "promtool", "prometheus", &args);
        assert!(ok, "{name}: promtool check rules rejects the rendered rules:\n{text}");
        let am = build.join("alertmanager");
        let (ok, text) = tool(&am, "amtool", "prometheus-alertmanager", &["check-config", "alertmanager.yml"]);
        assert!(ok, "{name}: amtool check-config rejects the rendered config:\n{text}");
    }
}

#[test]
fn promtool_sees_the_broken_case_fail() {
    if !require::tool("promtool") {
        return;
    }
    // The oracle must be able to say no: a rendered config broken on purpose is rejected.
    let (_, dir) = render_cases().into_iter().next().unwrap();
    let project = render_case(&dir);
    let prom = project.path().join("build/prometheus");
    let text = std::fs::read_to_string(prom.join("prometheus.yml")).unwrap();
    std::fs::write(prom.join("prometheus.yml"), text.replace("scrape_interval:", "scrape_intervall:")).unwrap();
    let (ok, _) = tool(&prom, "promtool", "prometheus", &["check", "config", "prometheus.yml"]);
    assert!(!ok, "promtool accepted a misspelt key");
}

#[test]
fn dashboards_parse_with_unique_uids_titles_and_panel_ids() {
    for (name, dir) in render_cases() {
        let project = render_case(&dir);
        let dash_dir = project.path().join("build/grafana/dashboards");
        let files = files_below(&dash_dir);
        assert!(!files.is_empty(), "{name}: no dashboards rendered");
        let (mut uids, mut titles) = (BTreeSet::new(), BTreeSet::new());
        for rel in files {
            let text = std::fs::read_to_string(dash_dir.join(&rel)).unwrap();
            let doc: serde_json::Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}/{}: {e}", rel.display()));
            let uid = doc["uid"].as_str().unwrap_or_else(|| panic!("{name}/{}: no uid", rel.display()));
            assert!(uids.insert(uid.to_owned()), "{name}: uid {uid} repeats");
            let title = doc["title"].as_str().unwrap_or_else(|| panic!("{name}/{}: no title", rel.display()));
            assert!(titles.insert(title.to_owned()), "{name}: title {title} repeats");
            let mut ids = BTreeSet::new();
            for panel in doc["panels"].as_array().unwrap() {
                let id = panel["id"].as_i64().unwrap_or_else(|| panic!("{name}/{}: panel without id", rel.display()));
                assert!(ids.insert(id), "{name}/{}: panel id {id} repeats", rel.display());
            }
            assert!(!text.contains("${DS_"), "{name}/{}: unbound datasource input", rel.display());
        }
    }
}

/// Grafana has no package here, so its provisioning files are checked against its documented
/// format (grafana.com/docs/grafana/latest/administration/provisioning/).
#[test]
fn grafana_provisioning_follows_the_documented_format() {
    for (name, dir) in render_cases() {
        let project = render_case(&dir);
        let prov = project.path().join("build/grafana/provisioning");
        let read = |rel: &str| -> serde_json::Value {
            let text = std::fs::read_to_string(prov.join(rel)).unwrap();
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name}/{rel}: {e}"))
        };
        let ds = read("datasources/prometheus.yml");
        assert_eq!(ds["apiVersion"], 1, "{name}: datasources apiVersion");
        let list = ds["datasources"].as_array().expect("datasources list");
        assert_eq!(list.len(), 1);
        let d = &list[0];
        for key in ["name", "type", "access", "url", "uid"] {
            assert!(d[key].is_string(), "{name}: datasource lacks `{key}`");
        }
        assert_eq!(d["type"], "prometheus");
        assert!(["proxy", "direct"].contains(&d["access"].as_str().unwrap()));
        assert_eq!(d["uid"], monstack::render::DATASOURCE_UID);

        let dash = read("dashboards/monstack.yml");
        assert_eq!(dash["apiVersion"], 1, "{name}: providers apiVersion");
        let p = &dash["providers"][0];
        assert_eq!(p["type"], "file");
        assert!(p["name"].is_string() && p["orgId"].is_number());
        assert_eq!(p["options"]["path"], monstack::services::grafana::DASHBOARDS_PATH);
        // Every dashboard refers to the provisioned datasource, a Grafana built-in, or a variable.
        for rel in files_below(&project.path().join("build/grafana/dashboards")) {
            let text = std::fs::read_to_string(project.path().join("build/grafana/dashboards").join(&rel)).unwrap();
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            let mut uids = Vec::new();
            collect_datasource_uids(&doc, &mut uids);
            for uid in uids {
                assert!(
                    uid == monstack::render::DATASOURCE_UID || uid.starts_with("-- ") || uid.starts_with('$'),
                    "{name}/{}: datasource uid {uid} is not provisioned",
                    rel.display()
                );
            }
        }
    }
}

fn collect_datasource_uids(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(uid) = m.get("datasource").and_then(|d| d.get("uid")).and_then(|u| u.as_str()) {
                out.push(uid.to_owned());
            }
            m.values().for_each(|x| collect_datasource_uids(x, out));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_datasource_uids(x, out)),
        _ => {}
    }
}

#[test]
fn amtool_and_check_agree_on_template_files() {
    if !require::tool("amtool") {
        return;
    }
    // Go's grammar as Debian's amtool 0.25 (Go 1.19) has it: `else with` (Go 1.23) is left out.
    let cases = [
        "{{ define \"a\" }}{{ .CommonLabels.alertname }}{{ end }}",
        "{{ define \"b\" }}{{ nosuch . }}{{ end }}",
        "{{ define \"c\" }}{{ $s := \"\" }}{{ if .X }}{{ $s = \"s\" }}{{ end }}{{ $s }}{{ end }}",
        "{{ define \"d\" }}{{ range .Alerts }}{{ if .X }}{{ continue }}{{ end }}{{ break }}{{ end }}{{ end }}",
        "{{ define \"e\" }}{{ else }}{{ end }}",
        "{{ define \"f\" }}{{ 0x_1p4 }} {{ 'a' }} {{ 1_000 }}{{ end }}",
        "{{ define \"g\" }}{{ (index .Labels \"a\").X }}{{ end }}",
        "{{ define \"h\" }}\n\n{{ 1.E }}{{ end }}",
        "{{ define \"i\" }}{{ .X }",
        "{{- /* a comment */ -}}\n{{ define \"j\" }}{{ break }}{{ end }}",
        "{{ define \"k\" }}{{ $x }}{{ end }}",
        "{{ define \"l\" }}{{ template \"a\" . }}{{ block \"m\" . }}x{{ end }}{{ end }}",
        "{{ define \"n\" }}{{ printf \"%s\" 3`x` }}{{ end }}",
        "{{ define \"o\" }}{{ .X | 1 }}{{ end }}",
    ];
    let p = Project::empty();
    p.write("am.yml", "route:\n  receiver: x\nreceivers:\n  - name: x\ntemplates: [t.tmpl]\n");
    let mut agree = 0;
    for text in cases {
        p.write("t.tmpl", text);
        let (ok, amtool) = tool(p.path(), "amtool", "prometheus-alertmanager", &["check-config", "am.yml"]);
        let ours = p.run(&["check", "am.yml"]);
        assert_eq!(ours.status == 0, ok, "{text:?}: amtool says\n{amtool}\nmonstack says\n{}", ours.stdout);
        if !ok {
            // amtool prints Go's error as `FAILED: template: t.tmpl:LINE: MESSAGE`.
            let go = amtool.split("FAILED: ").nth(1).unwrap_or("").lines().next().unwrap_or("").trim();
            assert!(ours.stdout.contains(go), "{text:?}: amtool says {go:?}, monstack says\n{}", ours.stdout);
        }
        agree += 1;
    }
    require::say(&format!("amtool template files: {agree}/{} agree", cases.len()));
}

#[test]
fn promtool_and_check_agree_on_annotation_templates() {
    if !require::tool("promtool") {
        return;
    }
    // Debian's promtool 2.42 (Go 1.19): nothing newer than Go 1.19's grammar here.
    let cases = [
        r#"{{ $labels.instance }} is {{ $value | humanize }}"#,
        r#"{{ $s := "" }}{{ if gt $value 1.0 }}{{ $s = "s" }}{{ end }}{{ $value }} target{{ $s }} down"#,
        r#"{{ range query "up" }}{{ if .Value }}{{ continue }}{{ end }}{{ .Labels.job }}{{ break }}{{ end }}"#,
        r#"{{ with query "up" }}{{ . | first | value | humanizePercentage }}{{ else }}none{{ end }}"#,
        "{{ nosuch 1 }}",
        "{{ $x }}",
        "{{ $labels.a | 1 }}",
        "{{ if 1 }}",
        "{{ end }}",
        "{{- /* note */ -}} {{ 0x_1p4 }} {{ 'a' }}",
        "{{ (printf \"%s\" $labels.a).X }}",
        "{{ \"a\".b }}",
        "{{ define \"x\" }}{{ $labels }}{{ end }}",
        "{{ template \"y\" }}{{ block \"z\" . }}{{ break }}{{ end }}",
    ];
    let p = Project::empty();
    let mut agree = 0;
    for text in cases {
        let quoted = text.replace('\'', "''");
        p.write(
            "r.yml",
            &format!("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels: {{severity: page}}\n        annotations:\n          summary: '{quoted}'\n"),
        );
        let (ok, promtool) = tool(p.path(), "promtool", "prometheus", &["check", "rules", "r.yml"]);
        let ours = p.run(&["check", "r.yml"]);
        assert_eq!(ours.status == 0, ok, "{text:?}: promtool says\n{promtool}\nmonstack says\n{}", ours.stdout);
        if !ok {
            let go =
                promtool.split("annotation \"summary\": ").nth(1).unwrap_or("").lines().next().unwrap_or("").trim();
            assert!(
                !go.is_empty() && ours.stdout.contains(go),
                "{text:?}: promtool says {go:?}, monstack says\n{}",
                ours.stdout
            );
        }
        agree += 1;
    }
    require::say(&format!("promtool annotation templates: {agree}/{} agree", cases.len()));
}
