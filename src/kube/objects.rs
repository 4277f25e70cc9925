//! The objects of both modes: rules, scrape configs, probes, dashboards, Alertmanager routing.

use std::path::Path;

use super::{map, s, tree_to_emit, Env, Object, SecretKeys, ALERTMANAGER_SECRETS_MOUNT, CLUSTER_DATASOURCE_UID};
use crate::project::layout;
use crate::render::yaml::Emit;
use crate::render::{Context, RenderError, DATASOURCE_UID};
use crate::services::{self, Delivery};
use crate::spec::KubeMode;

/// Jobs of the stack's own servers: the cluster's Prometheus and the operator scrape those.
const SELF_JOBS: &[&str] = &["prometheus", "alertmanager", "grafana"];

/// The objects every mode emits.
pub(super) fn content(env: &Env) -> Result<Vec<Object>, RenderError> {
    let mut out = rules(env)?;
    let ctx = Context::new(env.spec, &env.doc.dir, env.docker_out);
    out.extend(scrape_configs(env, &ctx));
    out.extend(probes(env, &ctx));
    out.extend(dashboards(env));
    out.extend(alertmanager(env)?);
    Ok(out)
}

/// The in-cluster address of one of the stack's services: its Service in the namespace.
pub(super) fn service_address(env: &Env, service: &str, port: u16) -> String {
    format!("{}.{}.svc:{port}", env.name(service), env.namespace)
}

fn rules(env: &Env) -> Result<Vec<Object>, RenderError> {
    let mut out = Vec::new();
    for (rel, file) in env.docker.range(layout::RULES.to_owned()..).take_while(|(r, _)| r.starts_with(layout::RULES)) {
        let stem = rel[layout::RULES.len()..].trim_end_matches(".yml");
        let text = String::from_utf8_lossy(&file.contents);
        let tree = crate::check::node::parse(&text)
            .map_err(|e| RenderError::Source(Box::new(crate::syntax::yaml::error(Path::new(rel), &text, &e))))?;
        let groups = tree.value.get("groups").map_or(Emit::Seq(Vec::new()), |g| tree_to_emit(&g.value));
        let mut o = env.object("monitoring.coreos.com/v1", "PrometheusRule", env.name(stem));
        o.body.push(("spec".into(), map([("groups", groups)])));
        o.from = file.from.clone();
        out.push(o);
    }
    Ok(out)
}

fn scrape_configs(env: &Env, ctx: &Context) -> Vec<Object> {
    let running = services::running(env.spec);
    let mut out = Vec::new();
    for job in ctx.scrape_jobs.iter().filter(|j| !SELF_JOBS.contains(&j.job_name.as_str())) {
        let service = running.iter().find(|r| r.name() == job.job_name);
        let targets: Vec<Emit> = match service {
            Some(r) => vec![s(service_address(env, r.name(), r.service.port))],
            None => job.targets.iter().map(|t| s(t.clone())).collect(),
        };
        let mut spec = vec![("jobName".to_owned(), s(job.job_name.clone()))];
        let mut stat = vec![("targets".to_owned(), Emit::Seq(targets))];
        if !job.labels.is_empty() {
            stat.push((
                "labels".into(),
                Emit::Map(job.labels.iter().map(|(k, v)| (k.clone(), s(v.clone()))).collect()),
            ));
        }
        let per_node =
            service.filter(|r| env.spec.kubernetes.mode == KubeMode::Full && super::workloads::per_node(env, r));
        spec.push((
            "scrapeInterval".into(),
            s(job.scrape_interval.clone().unwrap_or_else(|| ctx.prometheus.scrape_interval.clone())),
        ));
        spec.push((
            "scrapeTimeout".into(),
            s(job.scrape_timeout.clone().unwrap_or_else(|| ctx.prometheus.scrape_timeout.clone())),
        ));
        if let Some(path) = &job.metrics_path {
            spec.push(("metricsPath".into(), s(path.clone())));
        }
        if let Some(scheme) = &job.scheme {
            spec.push(("scheme".into(), s(scheme.to_ascii_uppercase())));
        }
        match per_node {
            // One pod per node: discovered, each named by its node as the Docker stack names its host.
            Some(r) => {
                let sd = map([
                    ("role", s("Pod")),
                    ("namespaces", map([("names", Emit::Seq(vec![s(env.namespace)]))])),
                    (
                        "selectors",
                        Emit::Seq(vec![map([
                            ("role", s("Pod")),
                            ("label", s(super::workloads::pod_selector(env, r))),
                        ])]),
                    ),
                ]);
                spec.push(("kubernetesSDConfigs".into(), Emit::Seq(vec![sd])));
                let instance = map([
                    ("sourceLabels", Emit::Seq(vec![s("__meta_kubernetes_pod_node_name")])),
                    ("targetLabel", s("instance")),
                ]);
                spec.push(("relabelings".into(), Emit::Seq(vec![instance])));
            }
            None => spec.push(("staticConfigs".into(), Emit::Seq(vec![Emit::Map(stat)]))),
        }
        let mut o = env.object("monitoring.coreos.com/v1alpha1", "ScrapeConfig", env.name(&job.job_name));
        o.body.push(("spec".into(), Emit::Map(spec)));
        out.push(o);
    }
    out
}

/// A Probe per blackbox module; each target's `probe` label, which the Docker render sets per
/// target, is set by a relabeling on the probed URL.
fn probes(env: &Env, ctx: &Context) -> Vec<Object> {
    let mut out = Vec::new();
    for job in &ctx.probe_jobs {
        let prober = service_address(env, services::blackbox::SERVICE.name, services::blackbox::SERVICE.port);
        let relabel: Vec<Emit> = job
            .probes
            .iter()
            .map(|p| {
                map([
                    ("sourceLabels", Emit::Seq(vec![s("__param_target")])),
                    ("regex", s(regex_quote(&p.target))),
                    ("targetLabel", s("probe")),
                    ("replacement", s(p.name.clone())),
                ])
            })
            .collect();
        let targets = Emit::Seq(job.probes.iter().map(|p| s(p.target.clone())).collect());
        let spec = map([
            ("jobName", s(job.job_name.clone())),
            ("module", s(job.module.clone())),
            ("interval", s(ctx.prometheus.scrape_interval.clone())),
            ("scrapeTimeout", s(ctx.prometheus.scrape_timeout.clone())),
            ("prober", map([("url", s(prober))])),
            ("targets", map([("staticConfig", map([("static", targets), ("relabelingConfigs", Emit::Seq(relabel))]))])),
        ]);
        let mut o = env.object("monitoring.coreos.com/v1", "Probe", env.name(&job.job_name));
        o.body.push(("spec".into(), spec));
        out.push(o);
    }
    out
}

/// `s` as an RE2 regex matching exactly `s` (Prometheus anchors relabel regexes).
fn regex_quote(s: &str) -> String {
    s.chars().fold(String::new(), |mut out, c| {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

/// A ConfigMap per dashboard, with the label Grafana's sidecar looks for and its folder
/// annotation; references to monstack's datasource uid are bound to the cluster's.
fn dashboards(env: &Env) -> Vec<Object> {
    let mut out = Vec::new();
    let prefix = layout::DASHBOARDS;
    for (rel, file) in env.docker.range(prefix.to_owned()..).take_while(|(r, _)| r.starts_with(prefix)) {
        let file_name = &rel[prefix.len()..];
        // ConfigMap keys are `[-._a-zA-Z0-9]+`; Grafana's sidecar writes the key as the file name.
        let key: String =
            file_name.chars().map(|c| if c.is_ascii_alphanumeric() || "-._".contains(c) { c } else { '_' }).collect();
        let stem = file_name.trim_end_matches(".json");
        let text = String::from_utf8_lossy(&file.contents)
            .replace(&format!("\"{DATASOURCE_UID}\""), &format!("\"{CLUSTER_DATASOURCE_UID}\""));
        let mut o = env.object("v1", "ConfigMap", env.name(&format!("dashboard-{stem}")));
        o.labels.extend(crate::spec::label_strings(&env.spec.kubernetes.dashboards_label));
        o.annotations.insert("grafana_folder".into(), env.spec.project.as_str().to_owned());
        o.body.push(("data".into(), Emit::Map(vec![(key, s(text))])));
        o.from = file.from.clone();
        out.push(o);
    }
    out
}

/// Where the operator mounts an Alertmanager's config Secret.
const ALERTMANAGER_CONFIG_MOUNT: &str = "/etc/alertmanager/config";

/// The name of the Secret holding `alertmanager.yaml`, which an Alertmanager's `configSecret`
/// names.
pub(super) fn alertmanager_config_name(env: &Env) -> String {
    env.name("alertmanager-config")
}

/// The name of the Secret holding the receivers' secrets, which an Alertmanager lists under
/// `secrets` so the operator mounts it at `/etc/alertmanager/secrets/<name>/`.
pub(super) fn alertmanager_secrets_name(env: &Env) -> String {
    env.name("alertmanager-secrets")
}

/// The rendered `alertmanager.yml` as the config Secret (the whole config, so the operator injects
/// no namespace matcher), its `*_file` paths pointing at the receiver secrets' Secret as mounted.
fn alertmanager(env: &Env) -> Result<Vec<Object>, RenderError> {
    let Some(file) = env.docker.get(layout::ALERTMANAGER_CONFIG) else { return Ok(Vec::new()) };
    let mut text = String::from_utf8_lossy(&file.contents).into_owned();
    let mut keys = SecretKeys::default();
    let secrets_name = alertmanager_secrets_name(env);
    let service = services::alertmanager::SERVICE.name;
    for (svc, used) in crate::secrets::uses(env.spec) {
        if svc.name != service || !matches!(used.how, Delivery::Config) {
            continue;
        }
        let rel = crate::secrets::location(&used.secret, service, &env.doc.dir, env.docker_out).rel;
        let key = keys.key(env, &used.secret, &used.what)?;
        let mounted = format!("{ALERTMANAGER_SECRETS_MOUNT}/{secrets_name}/{key}");
        text = text.replace(&format!("_file: {rel}\n"), &format!("_file: {mounted}\n"));
    }
    // Notification templates travel in the config Secret, which the operator mounts at
    // `/etc/alertmanager/config/`.
    let am_dir = Path::new(layout::ALERTMANAGER_CONFIG).parent().unwrap_or(Path::new(""));
    let templates_dir = am_dir.join(crate::render::NOTIFICATION_TEMPLATES);
    let mut data = Vec::new();
    for (rel, f) in env.docker.iter() {
        let Ok(name) = Path::new(rel.as_str()).strip_prefix(&templates_dir) else { continue };
        let name = name.to_string_lossy().into_owned();
        let local = format!("- {}/{name}\n", crate::render::NOTIFICATION_TEMPLATES);
        text = text.replace(&local, &format!("- {ALERTMANAGER_CONFIG_MOUNT}/{name}\n"));
        data.push((name, s(String::from_utf8_lossy(&f.contents).into_owned())));
    }
    // The Docker render's header speaks of paths relative to the file; these are absolute.
    let body: String = text.lines().skip_while(|l| l.starts_with('#')).map(|l| format!("{l}\n")).collect();
    let mut config = env.object("v1", "Secret", alertmanager_config_name(env));
    config.body.push(("type".into(), s("Opaque")));
    data.insert(0, ("alertmanager.yaml".into(), s(body)));
    config.body.push(("stringData".into(), Emit::Map(data)));
    config.from = file.from.clone();
    // It names secret files but holds none; written 0600 all the same, as every Secret.
    config.secret = true;
    let mut out = vec![config];
    if !keys.is_empty() {
        out.push(keys.object(env, secrets_name));
    }
    Ok(out)
}
