//! What `full` mode adds: the `Prometheus` and `Alertmanager` objects, and the ServiceAccount and
//! RBAC the operator's documentation gives Prometheus for service discovery.

use super::objects::{alertmanager_config_name, alertmanager_secrets_name};
use super::{map, s, string_map, Env, Object, SecretKeys};
use crate::render::yaml::Emit;
use crate::render::RenderError;

/// The Service the operator creates in front of every Alertmanager's pods.
const ALERTMANAGER_SERVICE: &str = "alertmanager-operated";

pub(super) fn objects(env: &Env) -> Result<Vec<Object>, RenderError> {
    let mut out = Vec::new();
    let (prometheus, secret) = prometheus(env)?;
    out.push(prometheus);
    out.extend(secret);
    out.extend(rbac(env));
    out.extend(super::workloads::objects(env)?);
    out.push(self_scrape(env, "prometheus"));
    if env.spec.alertmanager.enabled {
        out.push(alertmanager(env));
        out.push(self_scrape(env, "alertmanager"));
    }
    Ok(out)
}

/// Prometheus and Alertmanager scraped as the Docker stack scrapes them (job `prometheus`,
/// `alertmanager`, which the bundled rules read): their pods found by the label the operator
/// gives them (`prometheus: <name>`, `alertmanager: <name>`), the `web` port only (not the
/// config reloader's), each pod its own instance.
fn self_scrape(env: &Env, server: &str) -> Object {
    let sd = map([
        ("role", s("Pod")),
        ("namespaces", map([("names", Emit::Seq(vec![s(env.namespace)]))])),
        ("selectors", Emit::Seq(vec![map([("role", s("Pod")), ("label", s(format!("{server}={}", env.prefix)))])])),
    ]);
    let relabel = Emit::Seq(vec![
        map([
            ("sourceLabels", Emit::Seq(vec![s("__meta_kubernetes_pod_container_port_name")])),
            ("regex", s("web")),
            ("action", s("keep")),
        ]),
        map([("sourceLabels", Emit::Seq(vec![s("__meta_kubernetes_pod_name")])), ("targetLabel", s("instance"))]),
    ]);
    let mut o = env.object("monitoring.coreos.com/v1alpha1", "ScrapeConfig", env.name(server));
    o.body.push((
        "spec".into(),
        map([("jobName", s(server)), ("kubernetesSDConfigs", Emit::Seq(vec![sd])), ("relabelings", relabel)]),
    ));
    o
}

fn selector(env: &Env) -> Emit {
    map([("matchLabels", string_map(&crate::spec::label_strings(&env.spec.kubernetes.selector_labels)))])
}

fn prometheus(env: &Env) -> Result<(Object, Option<Object>), RenderError> {
    let spec = env.spec;
    let k = &spec.kubernetes;
    let prom = &spec.prometheus;
    let mut body: Vec<(String, Emit)> = vec![
        ("replicas".into(), Emit::Int(i64::from(k.prometheus_replicas))),
        ("serviceAccountName".into(), s(env.name("prometheus"))),
        ("scrapeInterval".into(), s(prom.scrape_interval.value.to_string())),
        ("scrapeTimeout".into(), s(prom.scrape_timeout.value.to_string())),
        ("evaluationInterval".into(), s(prom.evaluation_interval.to_string())),
    ];
    if let Some(t) = &prom.retention.time {
        body.push(("retention".into(), s(t.to_string())));
    }
    if let Some(size) = &prom.retention.size {
        body.push(("retentionSize".into(), s(size.to_string())));
    }
    // The operator adds `prometheus_replica` (and `prometheus`) to these, one value per pod, and
    // drops it from alerts so that Alertmanager deduplicates the replicas' notifications.
    if !prom.external_labels.is_empty() {
        let labels = prom.external_labels.iter().map(|(k, v)| (k.to_string(), s(v.clone()))).collect();
        body.push(("externalLabels".into(), Emit::Map(labels)));
    }
    for field in
        ["ruleSelector", "scrapeConfigSelector", "probeSelector", "serviceMonitorSelector", "podMonitorSelector"]
    {
        body.push((field.into(), selector(env)));
    }
    let mut keys = SecretKeys::default();
    let secret_name = env.name("prometheus-secrets");
    let mut remote = Vec::new();
    for (i, rw) in prom.remote_write.iter().enumerate() {
        let mut entry = vec![("url".to_owned(), s(rw.url.to_string()))];
        if let Some(name) = &rw.name {
            entry.push(("name".into(), s(name.clone())));
        }
        let key_ref = |key: String| map([("name", s(secret_name.clone())), ("key", s(key))]);
        if let Some(b) = &rw.basic_auth {
            // The operator reads the user name from a Secret too; it is not secret, so it is kept
            // as a key of its own beside the password.
            let user = crate::secrets::SecretRef::Env(format!("REMOTE_WRITE_{i}_USERNAME"));
            keys.by_ref.push((user, format!("remote-write-{i}-username")));
            keys.keys.insert(format!("remote-write-{i}-username"), b.username.clone());
            let password = keys.key(env, &b.password, &format!("prometheus.remote_write[{i}].basic_auth.password"))?;
            entry.push((
                "basicAuth".into(),
                map([("username", key_ref(format!("remote-write-{i}-username"))), ("password", key_ref(password))]),
            ));
        }
        if let Some(t) = &rw.bearer_token {
            let key = keys.key(env, t, &format!("prometheus.remote_write[{i}].bearer_token"))?;
            entry.push(("authorization".into(), map([("type", s("Bearer")), ("credentials", key_ref(key))])));
        }
        remote.push(Emit::Map(entry));
    }
    if !remote.is_empty() {
        body.push(("remoteWrite".into(), Emit::Seq(remote)));
    }
    if spec.alertmanager.enabled {
        let am = map([
            ("namespace", s(env.namespace)),
            ("name", s(ALERTMANAGER_SERVICE)),
            ("port", s("web")),
            ("apiVersion", s("v2")),
        ]);
        body.push(("alerting".into(), map([("alertmanagers", Emit::Seq(vec![am]))])));
    }
    if let Some(size) = &k.storage_size {
        let claim = map([("spec", map([("resources", map([("requests", map([("storage", s(size.to_string()))]))]))]))]);
        body.push(("storage".into(), map([("volumeClaimTemplate", claim)])));
    }
    let mut o = env.object("monitoring.coreos.com/v1", "Prometheus", env.prefix.clone());
    o.body.push(("spec".into(), Emit::Map(body)));
    let secret = (!keys.is_empty()).then(|| keys.object(env, secret_name));
    Ok((o, secret))
}

/// The ServiceAccount, ClusterRole and ClusterRoleBinding of the operator's "Prometheus RBAC"
/// documentation: discovery reads nodes, services, endpoints, pods and ingresses.
fn rbac(env: &Env) -> Vec<Object> {
    let name = env.name("prometheus");
    let account = env.object("v1", "ServiceAccount", name.clone());
    let list = |items: &[&str]| Emit::Seq(items.iter().map(|i| s(*i)).collect());
    let read = list(&["get", "list", "watch"]);
    let rules = Emit::Seq(vec![
        map([
            ("apiGroups", list(&[""])),
            ("resources", list(&["nodes", "nodes/metrics", "services", "endpoints", "pods"])),
            ("verbs", read.clone()),
        ]),
        map([("apiGroups", list(&[""])), ("resources", list(&["configmaps"])), ("verbs", list(&["get"]))]),
        map([
            ("apiGroups", list(&["discovery.k8s.io"])),
            ("resources", list(&["endpointslices"])),
            ("verbs", read.clone()),
        ]),
        map([("apiGroups", list(&["networking.k8s.io"])), ("resources", list(&["ingresses"])), ("verbs", read)]),
        map([("nonResourceURLs", list(&["/metrics"])), ("verbs", list(&["get"]))]),
    ]);
    let mut role = env.object("rbac.authorization.k8s.io/v1", "ClusterRole", name.clone());
    role.namespaced = false;
    role.body.push(("rules".into(), rules));
    let mut binding = env.object("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", name.clone());
    binding.namespaced = false;
    binding.body.push((
        "roleRef".into(),
        map([("apiGroup", s("rbac.authorization.k8s.io")), ("kind", s("ClusterRole")), ("name", s(name.clone()))]),
    ));
    binding.body.push((
        "subjects".into(),
        Emit::Seq(vec![map([("kind", s("ServiceAccount")), ("name", s(name)), ("namespace", s(env.namespace))])]),
    ));
    vec![account, role, binding]
}

/// The Alertmanager: a gossip cluster of `alertmanager_replicas` pods (the operator wires the
/// peers), its whole config from the config Secret, the receivers' secrets mounted beside it.
fn alertmanager(env: &Env) -> Object {
    let mut body = vec![
        ("replicas".to_owned(), Emit::Int(i64::from(env.spec.kubernetes.alertmanager_replicas))),
        ("configSecret".into(), s(alertmanager_config_name(env))),
    ];
    if crate::secrets::uses(env.spec).iter().any(|(svc, _)| svc.name == crate::services::alertmanager::SERVICE.name) {
        body.push(("secrets".into(), Emit::Seq(vec![s(alertmanager_secrets_name(env))])));
    }
    let mut o = env.object("monitoring.coreos.com/v1", "Alertmanager", env.prefix.clone());
    o.body.push(("spec".into(), Emit::Map(body)));
    o
}
