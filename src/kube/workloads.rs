//! `full` mode's exporters: each service of the registry the spec runs, other than the servers
//! the operator runs, as a workload built from what the service states for its Docker container
//! (command, environment, host folders, secrets at fixed paths, config folder, user). Host-level
//! exporters (those that read host folders: node, cAdvisor) run as a DaemonSet, one pod per node,
//! scraped through pod discovery; the others as a Deployment behind a Service.

use std::collections::BTreeMap;

use super::{map, s, string_map, Env, Object, SecretKeys};
use crate::render::yaml::Emit;
use crate::render::RenderError;
use crate::services::{self, Container, Delivery, Paths, Running};

/// Services the operator (or the cluster's Grafana) runs: not emitted as workloads.
const SERVERS: &[&str] = &["prometheus", "alertmanager", "grafana"];

/// The exporters `full` mode runs.
pub(super) fn exporters(spec: &crate::spec::Spec) -> Vec<Running> {
    services::running(spec).into_iter().filter(|r| !SERVERS.contains(&r.name())).collect()
}

/// What the service states for its container.
fn container(env: &Env, r: &Running) -> Container {
    let mut c = Container::default();
    let paths = Paths { project: &env.doc.dir, out: env.docker_out, url: "" };
    (r.service.container)(env.spec, &paths, &mut c);
    c
}

/// Whether the exporter reads the host's folders, so runs once per node.
pub(super) fn per_node(env: &Env, r: &Running) -> bool {
    !container(env, r).binds.is_empty()
}

/// The pod labels a workload selects its pods by.
fn pod_labels(env: &Env, r: &Running) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/name".to_owned(), r.name().to_owned()),
        ("app.kubernetes.io/instance".to_owned(), env.prefix.clone()),
    ])
}

/// The label selector of pod discovery for a per-node exporter.
pub(super) fn pod_selector(env: &Env, r: &Running) -> String {
    pod_labels(env, r).iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

pub(super) fn objects(env: &Env) -> Result<Vec<Object>, RenderError> {
    let mut out = Vec::new();
    for r in exporters(env.spec) {
        out.extend(workload(env, &r)?);
    }
    Ok(out)
}

fn workload(env: &Env, r: &Running) -> Result<Vec<Object>, RenderError> {
    let c = container(env, r);
    let name = env.name(r.name());
    let mut out = Vec::new();
    let mut volumes = Vec::new();
    let mut mounts = Vec::new();
    for (i, (host, target)) in c.binds.iter().enumerate() {
        let volume = format!("host-{i}");
        volumes.push(map([("name", s(volume.clone())), ("hostPath", map([("path", s(host.display().to_string()))]))]));
        mounts.push(map([("name", s(volume)), ("mountPath", s(target.clone())), ("readOnly", Emit::Bool(true))]));
    }
    if let Some(folder) = r.service.config.filter(|f| f.mount.is_some()) {
        let prefix = format!("{}/", folder.folder);
        let data: Vec<(String, Emit)> = env
            .docker
            .range(prefix.clone()..)
            .take_while(|(rel, _)| rel.starts_with(&prefix))
            .map(|(rel, f)| (rel[prefix.len()..].to_owned(), s(String::from_utf8_lossy(&f.contents).into_owned())))
            .collect();
        let config = env.name(&format!("{}-config", r.name()));
        let mut cm = env.object("v1", "ConfigMap", config.clone());
        cm.body.push(("data".into(), Emit::Map(data)));
        out.push(cm);
        volumes.push(map([("name", s("config")), ("configMap", map([("name", s(config))]))]));
        mounts.push(map([
            ("name", s("config")),
            ("mountPath", s(folder.mount.unwrap_or_default())),
            ("readOnly", Emit::Bool(true)),
        ]));
    }
    let mut keys = SecretKeys::default();
    let mut secret_mounts = Vec::new();
    for (svc, used) in crate::secrets::uses(env.spec) {
        if svc.name != r.name() {
            continue;
        }
        let target = match used.how {
            Delivery::File { target } => {
                secret_mounts.push((keys.key(env, &used.secret, &used.what)?, target));
                continue;
            }
            Delivery::Derived { name, contents, target } => {
                let raw = keys.key(env, &used.secret, &used.what)?;
                let value = keys.keys.remove(&raw).unwrap_or_default();
                keys.keys.insert(name.to_owned(), contents(env.spec, &value));
                (name.to_owned(), target)
            }
            Delivery::Config => continue,
        };
        secret_mounts.push(target);
    }
    let fs_group = (!keys.is_empty()).then(|| group(r.service.user));
    if !keys.is_empty() {
        let secret = env.name(&format!("{}-secrets", r.name()));
        volumes.push(map([
            ("name", s("secrets")),
            ("secret", map([("secretName", s(secret.clone())), ("defaultMode", Emit::Int(0o440))])),
        ]));
        for (key, target) in secret_mounts {
            mounts.push(map([
                ("name", s("secrets")),
                ("mountPath", s(target)),
                ("subPath", s(key)),
                ("readOnly", Emit::Bool(true)),
            ]));
        }
        out.push(keys.object(env, secret));
    }
    let mut ctr = vec![("name".to_owned(), s(r.name())), ("image".into(), s(r.image.to_string()))];
    if let Some(cmd) = &c.entrypoint {
        ctr.push(("command".into(), Emit::Seq(cmd.iter().map(|a| s(a.clone())).collect())));
    }
    if !c.cmd.is_empty() {
        ctr.push(("args".into(), Emit::Seq(c.cmd.iter().map(|a| s(a.clone())).collect())));
    }
    if !c.env.is_empty() {
        let vars = c
            .env
            .iter()
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                map([("name", s(k)), ("value", s(v))])
            })
            .collect();
        ctr.push(("env".into(), Emit::Seq(vars)));
    }
    let port = map([("name", s("metrics")), ("containerPort", Emit::Int(i64::from(r.service.port)))]);
    ctr.push(("ports".into(), Emit::Seq(vec![port])));
    ctr.push(("securityContext".into(), security(r.service.user)));
    if !mounts.is_empty() {
        ctr.push(("volumeMounts".into(), Emit::Seq(mounts)));
    }
    let mut pod = vec![("containers".to_owned(), Emit::Seq(vec![Emit::Map(ctr)]))];
    if let Some(gid) = fs_group {
        // Secret files belong to root; the group lets the program's user read them (0440).
        pod.push(("securityContext".into(), map([("fsGroup", Emit::Int(gid))])));
    }
    if !volumes.is_empty() {
        pod.push(("volumes".into(), Emit::Seq(volumes)));
    }
    let labels = pod_labels(env, r);
    let template = map([("metadata", map([("labels", string_map(&labels))])), ("spec", Emit::Map(pod))]);
    let selector = map([("matchLabels", string_map(&labels))]);
    let daemon = !c.binds.is_empty();
    let mut w = env.object("apps/v1", if daemon { "DaemonSet" } else { "Deployment" }, name.clone());
    let mut spec = Vec::new();
    if !daemon {
        spec.push(("replicas".to_owned(), Emit::Int(1)));
    }
    spec.push(("selector".into(), selector));
    spec.push(("template".into(), template));
    w.body.push(("spec".into(), Emit::Map(spec)));
    out.push(w);
    if !daemon {
        let mut svc = env.object("v1", "Service", name);
        let port =
            map([("name", s("metrics")), ("port", Emit::Int(i64::from(r.service.port))), ("targetPort", s("metrics"))]);
        svc.body.push(("spec".into(), map([("selector", string_map(&labels)), ("ports", Emit::Seq(vec![port]))])));
        out.push(svc);
    }
    Ok(out)
}

fn group(user: &str) -> i64 {
    user.split_once(':').map_or(user, |(_, g)| g).parse().unwrap_or(65534)
}

/// The service's `uid:gid`, and nothing more than it needs.
fn security(user: &str) -> Emit {
    let (uid, gid) = user.split_once(':').unwrap_or((user, user));
    let uid: i64 = uid.parse().unwrap_or(65534);
    let gid: i64 = gid.parse().unwrap_or(group(user));
    map([
        ("runAsUser", Emit::Int(uid)),
        ("runAsGroup", Emit::Int(gid)),
        ("runAsNonRoot", Emit::Bool(uid != 0)),
        ("allowPrivilegeEscalation", Emit::Bool(false)),
        ("readOnlyRootFilesystem", Emit::Bool(true)),
    ])
}
