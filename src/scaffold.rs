//! `init`'s domain: the files of a new project, computed as data, then written without ever
//! replacing an existing file unless forced.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::assets;
use crate::fsutil;
use crate::render::Templates;
use crate::services;

/// One file `init` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    /// Path relative to the project folder.
    pub rel: &'static str,
    /// Contents.
    pub contents: String,
    /// Holds a secret: written 0600 in a 0700 folder.
    pub secret: bool,
}

/// The routing test `init` scaffolds, matching the routes a new project renders.
pub const ROUTING_TEST_FILE: &str = "tests/routing.yml";

const ROUTING_TEST: &str = r#"# Routing tests: where alerts go, checked offline against the rendered alertmanager.yml.
# `monstack test -C .` runs them with the rule tests; the format is in the README.
# A new project sends everything to `default`. When you add receivers in monstack.yaml, say
# `oncall` (PagerDuty) and `chat` (Slack), critical alerts go to oncall and warnings to chat:
# change the expected receivers below to say so.
routing_tests:
  - name: critical and warning alerts reach the default receiver
    alerts:
      - labels: {alertname: TargetDown, severity: critical, job: node, instance: "node:9100"}
        receivers: [default]
        group_by: [alertname, job]
      - labels: {alertname: HostHighCpu, severity: warning, job: node, instance: "node:9100"}
        receivers: [default]
  - name: a critical alert mutes the warning of the same alert name and instance
    firing:
      - {alertname: HostHighCpu, severity: critical, instance: "node:9100"}
    alerts:
      - labels: {alertname: HostHighCpu, severity: warning, instance: "node:9100"}
        inhibited: true
        inhibited_by: [HostHighCpu]
      - labels: {alertname: HostHighCpu, severity: warning, instance: "db:9100"}
        inhibited: false
"#;

/// Where the generated Grafana admin password goes.
pub const GRAFANA_PASSWORD_FILE: &str = "secrets/grafana_admin_password";

const OVERRIDE_NOTE: &str = "# {dir}/\n\n\
A file here with the same name as one bundled with monstack replaces it; see `monstack render`\n\
in the README for the list. {extra}\n";

/// An alert of the user's own, so that the example test has something to test.
const EXAMPLE_ALERT: &str = "# An alert of your own: rendered into build/prometheus/rules/example.yml, tested by
# tests/example.yml (`monstack test`). Change it or remove both files.
groups:
  - name: example
    rules:
      - alert: ExampleTargetFlapping
        expr: changes(up[15m]) > 4
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: A target went up and down more than 4 times in 15 minutes
";

const TESTS_README: &str = "# tests/

Unit tests of your alerts, in the format of `promtool test rules`. `monstack test` (in CI:
`monstack test -C .`) runs every `*.yml` here against the rule files `render` would write,
without writing them: `rule_files` name them as they are named under `build/prometheus/rules/`
(`example.yml` for `alerts/example.yml`, `node.yml` for the bundled node alerts, …), with this
project's thresholds and overrides.

`monstack test --coverage` lists the alerts no test names, those no test saw firing, and the
recording rules no asserted expression reads. See `tests/example.yml` for the format.

`routing.yml` holds routing tests (`routing_tests:`, told apart by that key): `monstack test`
runs them against the `alertmanager.yml` `render` would write, each case a test group.
";

const EXAMPLE_TEST: &str = "# Tests of alerts/example.yml. Series are written `1 0 1`, `0+1x10` (0, 1, …, 10), `1x5`
# (six 1s), `_` (no sample) and `stale`, one value per `interval`.
rule_files: [example.yml]
evaluation_interval: 1m
tests:
  - name: a flapping target fires once it has flapped for 5 minutes
    interval: 1m
    input_series:
      - series: 'up{job=\"api\", instance=\"api:8080\"}'
        values: '1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0'
    alert_rule_test:
      - eval_time: 3m
        alertname: ExampleTargetFlapping
        exp_alerts: []
      - eval_time: 12m
        alertname: ExampleTargetFlapping
        exp_alerts:
          - exp_labels: { job: api, instance: 'api:8080', severity: warning }
            exp_annotations:
              summary: A target went up and down more than 4 times in 15 minutes
  - name: a steady target stays quiet
    interval: 1m
    input_series:
      - series: 'up{job=\"api\", instance=\"api:8080\"}'
        values: '1x30'
    alert_rule_test:
      - eval_time: 30m
        alertname: ExampleTargetFlapping
        exp_alerts: []
";

/// A project name derived from a folder name: lowercase, with other characters replaced by `-`.
pub fn project_name(dir: &Path) -> String {
    let abs = crate::paths::absolute(dir);
    let raw = abs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut name: String = raw
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "_.-".contains(c) { c } else { '-' })
        .collect();
    name = name.trim_start_matches(['-', '_', '.']).chars().take(48).collect();
    if name.is_empty() {
        "monstack".to_owned()
    } else {
        name
    }
}

/// A random password of 32 letters and digits from the OS's random source.
pub fn generate_password() -> std::io::Result<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(32);
    while out.len() < 32 {
        let buf = crate::secrets::random_bytes(64)?;
        // Rejection sampling keeps every character equally likely (248 = 4 × 62).
        out.extend(buf.iter().filter(|b| **b < 248).map(|b| ALPHABET[(*b % 62) as usize] as char).take(32 - out.len()));
    }
    Ok(out)
}

/// The files of a new project named `project`, with the exporters and presets `with` names
/// (names from [`services::init_names`]) enabled.
pub fn files(project: &str, with: &[String], password: String) -> Result<Vec<NewFile>, Box<crate::diag::Diagnostic>> {
    let on = |name: &str| with.iter().any(|w| w == name);
    let source = assets::Source {
        display: PathBuf::from("<bundled>/templates/init/monstack.yaml"),
        name: "templates/init/monstack.yaml".into(),
        text: assets::bundled("templates/init/monstack.yaml").unwrap_or_default().to_owned(),
    };
    let exporters: Vec<minijinja::Value> = services::ALL
        .iter()
        .filter_map(|s| s.init.map(|i| (s, i)))
        .map(|(s, i)| {
            minijinja::context! {
                heading => format!("{:<28}", format!("{}:", i.name)),
                about => i.about,
                enabled => on(i.name),
                image => s.image,
                port => s.port,
                settings => i.settings.to_vec(),
            }
        })
        .collect();
    let core: BTreeMap<&str, minijinja::Value> = services::ALL
        .iter()
        .filter(|s| s.init.is_none())
        .map(|s| (s.name, minijinja::context! { image => s.image, port => s.port }))
        .collect();
    let ctx = minijinja::context! {
        project => project,
        password_file => GRAFANA_PASSWORD_FILE,
        services => core,
        exporters => exporters,
        http => on("http"),
    };
    let spec = Templates::new().render(&source, &ctx)?;
    let note = |dir: &str, extra: &str| OVERRIDE_NOTE.replace("{dir}", dir).replace("{extra}", extra);
    Ok(vec![
        NewFile { rel: "monstack.yaml", contents: spec, secret: false },
        NewFile {
            rel: "alerts/README.md",
            contents: note("alerts", "Other `*.yml` files here are your own rule files: they are rendered as templates\ninto `build/prometheus/rules/` too."),
            secret: false,
        },
        NewFile {
            rel: "dashboards/README.md",
            contents: note("dashboards", "Every `*.json` here is provisioned in Grafana (see `dashboards.include` in\nmonstack.yaml); exported `${DS_…}` datasource inputs are bound to the provisioned Prometheus."),
            secret: false,
        },
        NewFile {
            rel: "templates/README.md",
            contents: note(
                "templates",
                "Templates are named like their output, e.g. `prometheus/prometheus.yml`.\nVariables are written `${{ name }}`; `{{ … }}` passes through untouched for Prometheus,\nAlertmanager and Grafana; blocks are `{% … %}`.",
            ),
            secret: false,
        },
        NewFile { rel: "alerts/example.yml", contents: EXAMPLE_ALERT.into(), secret: false },
        NewFile { rel: "tests/README.md", contents: TESTS_README.into(), secret: false },
        NewFile { rel: "tests/example.yml", contents: EXAMPLE_TEST.into(), secret: false },
        NewFile { rel: ROUTING_TEST_FILE, contents: ROUTING_TEST.into(), secret: false },
        NewFile { rel: ".gitignore", contents: "# Rendered output and secrets stay out of git.\n/build/\n/secrets/\n".into(), secret: false },
        NewFile { rel: GRAFANA_PASSWORD_FILE, contents: format!("{password}\n"), secret: true },
    ])
}

/// Why `init` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// Some files exist and `--force` was not given.
    #[error("refusing to overwrite existing files:\n{}\n  = help: pass `--force` to overwrite them", list(.0))]
    Exists(Vec<PathBuf>),
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] fsutil::WriteError),
}

fn list(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| format!("  {}", p.display())).collect::<Vec<_>>().join("\n")
}

/// Writes `files` under `dir`; without `force`, writes nothing if any of them exists.
pub fn write(dir: &Path, files: &[NewFile], force: bool) -> Result<(), InitError> {
    let existing: Vec<PathBuf> = files.iter().map(|f| dir.join(f.rel)).filter(|p| p.exists()).collect();
    if !existing.is_empty() && !force {
        return Err(InitError::Exists(existing));
    }
    for f in files {
        let path = dir.join(f.rel);
        fsutil::write_atomic(&path, f.contents.as_bytes(), if f.secret { 0o600 } else { 0o644 }, f.secret)
            .map_err(|source| fsutil::WriteError { path, source })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_folders() {
        assert_eq!(project_name(Path::new("/tmp/My Shop")), "my-shop");
        assert_eq!(project_name(Path::new("/tmp/__")), "monstack");
    }

    #[test]
    fn passwords_are_long_and_differ() {
        let a = generate_password().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, generate_password().unwrap());
    }
}
