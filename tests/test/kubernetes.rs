//! `render --target kubernetes` and `check` on Kubernetes manifests: golden trees of both modes,
//! every object valid against the operator's CRD schemas, the rules and the Alertmanager config
//! inside them accepted by promtool and amtool, the same rule groups and routing as the Docker
//! render, and the selector, namespace-matcher, size and name checks.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::{copy_tree, files_below, fixtures, require, Project};

fn cases() -> Vec<(String, PathBuf)> {
    let mut cases: Vec<_> = std::fs::read_dir(fixtures().join("kubernetes"))
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    cases.sort();
    assert_eq!(cases.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["content", "full"]);
    cases
}

/// Renders a case for both targets; returns the project.
fn render(case: &Path) -> Project {
    let p = Project::copy_of(&case.join("in"));
    p.run(&["render", "--target", "kubernetes"]).status(0).stdout_has("into build/kubernetes");
    p.run(&["render"]).status(0);
    p
}

/// Every object of a rendered tree: file name and the object as JSON.
fn objects(dir: &Path) -> Vec<(String, Value)> {
    files_below(dir)
        .into_iter()
        .filter(|rel| rel.extension().is_some_and(|e| e == "yaml"))
        .map(|rel| {
            let text = std::fs::read_to_string(dir.join(&rel)).unwrap();
            let v: Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", rel.display()));
            (rel.display().to_string(), v)
        })
        .collect()
}

fn of_kind<'a>(objects: &'a [(String, Value)], kind: &str) -> Vec<&'a Value> {
    objects.iter().filter(|(_, o)| o["kind"] == kind).map(|(_, o)| o).collect()
}

fn yaml(path: &Path) -> Value {
    serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn golden_kubernetes_trees() {
    let updating = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for (name, dir) in cases() {
        let p = render(&dir);
        let built = p.path().join("build/kubernetes");
        let expected = dir.join("out");
        if updating {
            let _ = std::fs::remove_dir_all(&expected);
            copy_tree(&built, &expected);
            let _ = std::fs::remove_file(expected.join(".monstack-manifest"));
            continue;
        }
        p.run(&["render", "--target", "kubernetes", "--check"]).status(0).stdout_has("is up to date");
        let got: Vec<_> = files_below(&built).into_iter().filter(|f| f != Path::new(".monstack-manifest")).collect();
        let want = files_below(&expected);
        if got != want {
            failures.push(format!("{name}: file sets differ\n  rendered: {got:?}\n  expected: {want:?}"));
            continue;
        }
        for rel in got {
            let a = std::fs::read_to_string(built.join(&rel)).unwrap();
            let b = std::fs::read_to_string(expected.join(&rel)).unwrap();
            if a != b {
                let diff = monstack::difftext::diff(&b, &a, 2, 30);
                failures.push(format!("{name}: {} differs (- expected, + rendered)\n{diff}", rel.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nrun `UPDATE_GOLDEN=1 cargo test --test test golden` if intended",
        failures.join("\n")
    );
}

#[test]
fn every_emitted_object_passes_check_and_full_mode_has_its_servers() {
    for (name, dir) in cases() {
        let p = render(&dir);
        let run = p.run(&["check", "build/kubernetes", "--fail-on", "warning"]);
        run.status(0).stdout_has("no problems");
        let objs = objects(&p.path().join("build/kubernetes"));
        let kinds: std::collections::BTreeSet<&str> = objs.iter().map(|(_, o)| o["kind"].as_str().unwrap()).collect();
        for kind in ["PrometheusRule", "ScrapeConfig", "Probe", "ConfigMap", "Secret"] {
            assert!(kinds.contains(kind), "{name}: no {kind} in {kinds:?}");
        }
        let servers = [
            "Prometheus",
            "Alertmanager",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "DaemonSet",
            "Deployment",
            "Service",
        ];
        for kind in servers {
            assert_eq!(kinds.contains(kind), name == "full", "{name}: {kind} in {kinds:?}");
        }
        // Every object carries the selector labels.
        let spec = yaml(&dir.join("in/monstack.yaml"));
        let want = spec["kubernetes"]["selector_labels"]
            .as_object()
            .cloned()
            .unwrap_or_else(|| serde_json::Map::from_iter([("release".to_owned(), Value::from("monstack"))]));
        for (file, o) in &objs {
            for (k, v) in &want {
                assert_eq!(&o["metadata"]["labels"][k], v, "{name}: {file} lacks the selector label {k}");
            }
        }
    }
}

#[test]
fn a_wrong_object_is_rejected_by_the_crd_schema_at_its_line() {
    let p = Project::empty();
    p.write(
        "wrong.yaml",
        "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata:\n  name: main\nspec:\n  replicas: two\n  retention: 30 days\n  ruleSelectr: {}\n---\napiVersion: monitoring.coreos.com/v1\nkind: Probe\nmetadata:\n  name: p\nspec:\n  prober: {scheme: ftp}\n",
    );
    let run = p.run(&["check", "wrong.yaml", "--format", "json"]);
    run.status(1);
    let out: Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<String> = out["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!("{} {}:{} {}", p["check"].as_str().unwrap(), p["line"], p["column"], p["message"].as_str().unwrap())
        })
        .collect();
    for want in [
        "kube/schema 6:13 `spec.replicas`: expected an integer, found a string",
        "kube/schema 7:14 `spec.retention`: `30 days` does not match",
        "kube/schema 8:3 `spec.ruleSelectr`: unknown field",
        "kube/schema 15:11 `spec.prober.url`: Required value",
        "kube/schema 15:20 `spec.prober.scheme`: unsupported value `ftp`",
    ] {
        assert!(found.iter().any(|f| f.starts_with(want)), "missing {want:?} in {found:#?}");
    }

    // An emitted object broken by hand is rejected too.
    let case = &cases()[1].1;
    let p = render(case);
    let file = p.path().join("build/kubernetes/prometheus-shop.yaml");
    let text = std::fs::read_to_string(&file).unwrap().replace("replicas: 2", "replicas: \"2\"");
    std::fs::write(&file, text).unwrap();
    p.run(&["check", "build/kubernetes"]).status(1).stdout_has("`spec.replicas`: expected an integer, found a string");
}

#[test]
fn rules_and_routing_pass_promtool_and_amtool_as_the_operator_mounts_them() {
    if !require::tool("promtool") || !require::tool("amtool") {
        return;
    }
    for (name, dir) in cases() {
        let p = render(&dir);
        let objs = objects(&p.path().join("build/kubernetes"));
        let work = Project::empty();
        let rules = of_kind(&objs, "PrometheusRule");
        assert!(rules.len() >= 5, "{name}: {} PrometheusRules", rules.len());
        let mut files = Vec::new();
        for rule in rules {
            let file = format!("{}.yml", rule["metadata"]["name"].as_str().unwrap());
            work.write(&file, &serde_json::to_string_pretty(&rule["spec"]).unwrap());
            files.push(file);
        }
        let mut args = vec!["check", "rules"];
        args.extend(files.iter().map(String::as_str));
        let out = std::process::Command::new("promtool").args(&args).current_dir(work.path()).output().unwrap();
        assert!(
            out.status.success(),
            "{name}: promtool rejects the PrometheusRules:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );

        // The receivers' secrets as the operator mounts an Alertmanager's `secrets`, under a
        // stand-in root: /etc/alertmanager/secrets/<secret>/<key>.
        let root = work.path().join("root");
        let secrets = of_kind(&objs, "Secret");
        for s in &secrets {
            let secret = s["metadata"]["name"].as_str().unwrap();
            // The config Secret (notification templates beside alertmanager.yaml) is mounted at
            // /etc/alertmanager/config/<key>.
            let config_secret = s["stringData"].get("alertmanager.yaml").is_some();
            for (key, value) in s["stringData"].as_object().unwrap() {
                let at = match config_secret {
                    true => root.join("etc/alertmanager/config").join(key),
                    false => root.join("etc/alertmanager/secrets").join(secret).join(key),
                };
                std::fs::create_dir_all(at.parent().unwrap()).unwrap();
                std::fs::write(at, value.as_str().unwrap()).unwrap();
            }
        }
        let config =
            secrets.iter().find_map(|s| s["stringData"]["alertmanager.yaml"].as_str()).expect("a config Secret");
        let mounted = config.replace("/etc/alertmanager/", &format!("{}/etc/alertmanager/", root.display()));
        for line in mounted.lines().filter(|l| l.contains("_file: ")) {
            let path = line.split("_file: ").nth(1).unwrap();
            assert!(Path::new(path).is_file(), "{name}: {path} is not among the mounted secrets");
        }
        let templates = mounted.lines().skip_while(|l| l.trim() != "templates:").skip(1);
        for line in templates.take_while(|l| l.trim_start().starts_with("- ")) {
            let path = line.trim_start().trim_start_matches("- ");
            assert!(Path::new(path).is_file(), "{name}: template {path} is not in the config Secret");
        }
        work.write("alertmanager.yaml", &mounted);
        let out = std::process::Command::new("amtool")
            .args(["check-config", "alertmanager.yaml"])
            .current_dir(work.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: amtool rejects the config Secret:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn docker_and_kubernetes_renders_carry_the_same_groups_and_routing() {
    for (name, dir) in cases() {
        let p = render(&dir);
        let objs = objects(&p.path().join("build/kubernetes"));
        let rules_dir = p.path().join("build/prometheus/rules");
        let docker_rules = files_below(&rules_dir);
        let kube_rules = of_kind(&objs, "PrometheusRule");
        assert_eq!(docker_rules.len(), kube_rules.len(), "{name}: one PrometheusRule per rule file");
        for rel in docker_rules {
            let stem = rel.file_stem().unwrap().to_string_lossy();
            let docker = yaml(&rules_dir.join(&rel));
            let kube = kube_rules
                .iter()
                .find(|r| r["metadata"]["name"] == format!("shop-{stem}"))
                .unwrap_or_else(|| panic!("{name}: no PrometheusRule for {stem}"));
            assert_eq!(kube["spec"]["groups"], docker["groups"], "{name}: {stem} differs");
        }
        let docker = yaml(&p.path().join("build/alertmanager/alertmanager.yml"));
        let secrets = of_kind(&objs, "Secret");
        let text = secrets.iter().find_map(|s| s["stringData"]["alertmanager.yaml"].as_str()).unwrap();
        let kube: Value = serde_saphyr::from_str(text).unwrap();
        for key in ["route", "inhibit_rules"] {
            assert_eq!(kube[key], docker[key], "{name}: {key} differs");
        }
        let strip = |v: &Value| -> String {
            // The secrets' paths differ by design (relative files vs. the operator's mount).
            serde_json::to_string(v)
                .unwrap()
                .split('"')
                .filter(|s| !s.contains("secrets/"))
                .collect::<Vec<_>>()
                .join("\"")
        };
        assert_eq!(strip(&kube["receivers"]), strip(&docker["receivers"]), "{name}: receivers differ");
        // The dashboards too, with the cluster's datasource uid.
        let dashboards = files_below(&p.path().join("build/grafana/dashboards"));
        let labelled =
            of_kind(&objs, "ConfigMap").into_iter().filter(|c| c["metadata"]["labels"]["grafana_dashboard"] == "1");
        assert_eq!(dashboards.len(), labelled.count(), "{name}: one labelled ConfigMap per dashboard");
    }
}

#[test]
fn nothing_secret_is_in_configmaps_annotations_or_other_objects() {
    let secret_values = [
        "fake-pagerduty_key",
        "fake-smtp_password",
        "fake-opsgenie_key",
        "fake-remote_write_password",
        "hooks.slack.example",
    ];
    for (name, dir) in cases() {
        let p = render(&dir);
        // The fixture's secrets are what the test looks for.
        assert!(p.read("secrets/pagerduty_key").contains("fake-pagerduty_key"));
        let out = p.path().join("build/kubernetes");
        let mut seen = 0;
        for (file, o) in objects(&out) {
            let text = std::fs::read_to_string(out.join(&file)).unwrap();
            let annotations = o["metadata"]["annotations"].to_string();
            for v in secret_values {
                assert!(!annotations.contains(v), "{name}: {file} has a secret in an annotation");
                if o["kind"] != "Secret" {
                    assert!(!text.contains(v), "{name}: {file} ({}) holds a secret", o["kind"]);
                } else if text.contains(v) {
                    seen += 1;
                    use std::os::unix::fs::PermissionsExt;
                    let mode = std::fs::metadata(out.join(&file)).unwrap().permissions().mode();
                    assert_eq!(mode & 0o077, 0, "{name}: {file} is readable by others");
                }
            }
        }
        assert!(seen >= 4, "{name}: the secrets were not found in the Secrets ({seen})");
    }
}

#[test]
fn selector_mismatch_namespace_matcher_size_and_names_are_reported() {
    let case = &cases()[1].1;
    let p = render(case);
    let file = p.path().join("build/kubernetes/prometheus-shop.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let text = text.replacen(
        "  ruleSelector:\n    matchLabels:\n      monitoring: shop",
        "  ruleSelector:\n    matchLabels:\n      monitoring: other",
        1,
    );
    std::fs::write(&file, text).unwrap();
    p.write(
        "build/kubernetes/extra.yaml",
        &format!(
            "apiVersion: monitoring.coreos.com/v1alpha1\nkind: AlertmanagerConfig\nmetadata:\n  name: team\n  namespace: shop-monitoring\nspec: {{}}\n---\napiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: elsewhere\n  namespace: apps\n  labels: {{monitoring: other}}\nspec: {{groups: []}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Big_Dashboard\ndata:\n  big.json: '{{\"title\": \"big\", \"uid\": \"big\", \"panels\": [], \"pad\": \"{}\"}}'\n",
            "x".repeat(300_000)
        ),
    );
    let run = p.run(&["check", "build/kubernetes"]);
    run.status(1)
        .stdout_has(
            "no Prometheus of these manifests selects PrometheusRule `shop-node` by its labels (`ruleSelector`)",
        )
        .stdout_has("AlertmanagerConfig `team` only ever sees alerts whose `namespace` label")
        .stdout_has("PrometheusRule `elsewhere` is in namespace `apps`, where no Prometheus that selects its labels looks (`ruleNamespaceSelector` unset")
        .stdout_has("ConfigMap `Big_Dashboard` holds 300")
        .stdout_has("client-side `kubectl apply` fails over 262144 bytes")
        .stdout_has("ConfigMap name `Big_Dashboard` is invalid");
    assert!(
        run.stdout.contains("kube/selector")
            && run.stdout.contains("kube/namespace-matcher")
            && run.stdout.contains("kube/size")
            && run.stdout.contains("kube/name")
    );

    // In content mode the cluster's Prometheus is not among the manifests: the spec's labels are
    // what it selects, and render refuses nothing it emits by construction.
    let q = Project::copy_of(&cases()[0].1.join("in"));
    q.run(&["render", "--target", "kubernetes", "--out", "k8s"]).status(0);
    assert!(q.path().join("k8s/prometheusrule-shop-node.yaml").is_file());
}

#[test]
fn the_kubernetes_section_is_checked_like_the_others() {
    let p = Project::copy_of(&cases()[0].1.join("in"));
    let spec = p.read("monstack.yaml");
    p.write("monstack.yaml", &spec.replace("  mode: content", "  mode: content\n  namespce: x"));
    p.run(&["render", "--target", "kubernetes"])
        .status(2)
        .stderr_has("unknown field `namespce`")
        .stderr_has("did you mean `namespace`?");
    p.write("monstack.yaml", &spec.replace("namespace: monitoring", "namespace: Monitoring"));
    p.run(&["render", "--target", "kubernetes"]).status(2).stderr_has("invalid namespace `Monitoring`");
    p.write("monstack.yaml", &spec.replace("  mode: content", "  mode: content\n  selector_labels: { \"team!\": a }"));
    p.run(&["render", "--target", "kubernetes"]).status(2).stderr_has("invalid Kubernetes label key `team!`");
    p.write(
        "monstack.yaml",
        &spec.replace("  mode: content", "  mode: content\n  dashboards_label: { grafana_dashboard: 1 }"),
    );
    p.run(&["render", "--target", "kubernetes"]).status(0);
    assert!(p.read("build/kubernetes/configmap-shop-dashboard-node.yaml").contains("grafana_dashboard: \"1\""));
    p.write("monstack.yaml", &spec.replace("mode: content", "mode: helm"));
    p.run(&["render", "--target", "kubernetes"]).status(2).stderr_has("mode");
}

#[test]
fn content_inside_objects_is_checked_at_the_manifest_line() {
    let p = render(&cases()[0].1);
    let dir = p.path().join("build/kubernetes");
    let edit = |file: &str, from: &str, to: &str| {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} lacks {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "prometheusrule-shop-node.yaml",
        "- alert: HostHighCpu\n          expr: 100 * (1 - avg by",
        "- alert: HostHighCpu\n          expr: 100 * (1 - avgg by",
    );
    edit("secret-shop-alertmanager-config.yaml", "- receiver: oncall", "- receiver: oncal");
    edit("configmap-shop-dashboard-node.yaml", "\"panels\": [", "\"panels\": [,");
    let line_of = |file: &str, needle: &str| {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    };
    let run = p.run(&["check", "build/kubernetes"]);
    run.status(1);
    for (check, file, needle) in [
        ("rules/expr", "prometheusrule-shop-node.yaml", "avgg by"),
        ("alertmanager/route", "secret-shop-alertmanager-config.yaml", "receiver: oncal"),
        ("dashboard/json", "configmap-shop-dashboard-node.yaml", "\"panels\": [,"),
    ] {
        let at = format!("error[{check}]: build/kubernetes/{file}:{}:", line_of(file, needle));
        assert!(run.stdout.contains(&at), "missing {at:?}:\n{}", run.stdout);
    }
}

/// The README's "Running on Kubernetes" names every kind the renders emit, and the files and
/// commands it shows are those of the output.
#[test]
fn the_readme_section_matches_the_output() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme.split("### Running on Kubernetes").nth(1).and_then(|s| s.split("\n## ").next()).unwrap();
    assert!(section.contains("monstack render --target kubernetes          # writes build/kubernetes/"));
    assert!(section.contains("kubectl apply --server-side -f build/kubernetes/"));
    for (name, dir) in cases() {
        let out = dir.join("out");
        for (file, o) in objects(&out) {
            let kind = o["kind"].as_str().unwrap();
            assert!(section.contains(&format!("`{kind}`")), "{name}: the README does not name {kind} ({file})");
            assert!(
                file.starts_with(&format!("{}-shop", kind.to_ascii_lowercase())),
                "{file}: not `<kind>-<name>.yaml`"
            );
        }
    }
    let example = "prometheusrule-shop-node.yaml";
    assert!(section.contains(example) && cases()[0].1.join("out").join(example).is_file(), "{example}");
    for name in ["<project>-alertmanager-config", "<project>-alertmanager-secrets", "<project>-prometheus-secrets"] {
        let real = name.replace("<project>", "shop");
        assert!(section.contains(name), "{name}");
        assert!(
            cases().iter().any(|(_, d)| d.join("out").join(format!("secret-{real}.yaml")).is_file()),
            "the README names {name}, which no render emits"
        );
    }
}

/// Names monstack builds are checked like any other: one too long for Kubernetes (from a
/// dashboard's file name) stops render, which writes nothing.
#[test]
fn a_name_too_long_for_kubernetes_is_refused() {
    let p = Project::copy_of(&cases()[1].1.join("in"));
    let long = "a".repeat(245);
    p.write(&format!("dashboards/{long}.json"), r#"{"uid": "long", "title": "Long", "panels": []}"#);
    let run = p.run(&["render", "--target", "kubernetes"]);
    run.status(2).stderr_has("refusing to render");
    assert!(run.stdout.contains("kube/name") && run.stdout.contains("at most 253"), "{}", run.stdout);
    assert!(!p.path().join("build/kubernetes").exists());
}

/// A dashboard file name that is not a valid ConfigMap key (a space) becomes one.
#[test]
fn dashboard_file_names_become_valid_configmap_keys() {
    let p = Project::copy_of(&cases()[0].1.join("in"));
    p.write("dashboards/My Board.json", r#"{"uid": "mine", "title": "Mine", "panels": []}"#);
    p.run(&["render", "--target", "kubernetes"]).status(0);
    let cm = p.read("build/kubernetes/configmap-shop-dashboard-my-board.yaml");
    assert!(cm.contains("\n  My_Board.json: "), "{cm}");
    p.run(&["check", "build/kubernetes"]).status(0);
}
