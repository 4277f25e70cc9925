//! Service discovery configs (`prometheus/sd`): every `<kind>_sd_configs` Prometheus knows, with
//! its fields and the checks of its own `UnmarshalYAML`, and `static_configs`.

use std::sync::LazyLock;

mod kinds;
mod kubernetes;

use kinds::KINDS;

use super::fields::{list, number, Fields, Ty};
use super::Ctx;
use crate::check::node::{pos, At, Node};

const L: Ty = Ty::Strs;

static KEYS_LIST: LazyLock<Vec<(&'static str, Ty)>> =
    LazyLock::new(|| KINDS.iter().map(|k| (k.key, Ty::Any)).chain([("static_configs", Ty::Any)]).collect());

/// The keys under which service discovery configs sit in a scrape or Alertmanager config.
pub(super) fn keys() -> Fields {
    &KEYS_LIST
}

/// Checks every service discovery config of `owner` (a scrape or Alertmanager config); static
/// targets must not be URLs unless relabelling may rewrite them (`check_targets` false).
pub(super) fn check_all(owner: &At, check_targets: bool, cx: &mut Ctx<'_>) {
    for k in KINDS {
        for item in list(owner.value.get(k.key)) {
            if matches!(item.value, Node::Null) {
                cx.err("prometheus/sd", Some(pos(item)), format!("empty or null section in {}", k.key));
                continue;
            }
            if cx.fields(item, &[k.fields], k.http, k.type_name) {
                if k.http {
                    cx.http(item);
                }
                validate(k.key, item, cx);
            }
        }
    }
    for group in list(owner.value.get("static_configs")) {
        if matches!(group.value, Node::Null) {
            cx.err("prometheus/sd", Some(pos(group)), "empty or null section in static_configs");
            continue;
        }
        if !cx.fields(group, &[&[("targets", L), ("labels", Ty::StrMap)]], false, "targetgroup.Group") {
            continue;
        }
        cx.labels(group.value.get("labels"), cx.names);
        if check_targets {
            for t in list(group.value.get("targets")) {
                let target = t.value.as_str().unwrap_or_default();
                if target.contains('/') {
                    cx.err("prometheus/sd", Some(pos(t)), format!("{target} is not a valid hostname"))
                        .help("targets are `host:port`; set the scheme and path with `scheme` and `metrics_path`");
                }
            }
        }
    }
}

fn validate(key: &str, at: &At, cx: &mut Ctx<'_>) {
    let n = &at.value;
    let here = Some(pos(at));
    let mut err = |message: String| {
        cx.err("prometheus/sd", here, message);
    };
    let t = |k: &str| n.text(k);
    match key {
        "azure_sd_configs" => {
            let method =
                if n.get("authentication_method").is_some() { t("authentication_method") } else { "OAuth".into() };
            let mut required = vec!["subscription_id"];
            if method == "OAuth" {
                required.extend(["tenant_id", "client_id", "client_secret"]);
            }
            for r in required {
                if t(r).is_empty() {
                    err(format!("azure SD configuration requires a {r}"));
                }
            }
            if !["OAuth", "ManagedIdentity", "SDK", "WorkloadIdentity"].contains(&method.as_str()) {
                err(format!("unknown authentication_type {method:?}. Supported types are \"OAuth\", \"ManagedIdentity\", \"SDK\" or \"WorkloadIdentity\""));
            }
        }
        "consul_sd_configs" => {
            if t("server").trim().is_empty() {
                err("consul SD configuration requires a server address".into());
            }
            if n.is_set("token") && (n.is_set("authorization") || n.is_set("oauth2")) {
                err("at most one of consul SD token, authorization, or oauth2 can be configured".into());
            }
            if (n.is_set("username") || n.is_set("password")) && n.is_set("basic_auth") {
                err("at most one of consul SD configuration username and password and basic auth can be configured"
                    .into());
            }
        }
        "docker_sd_configs" | "dockerswarm_sd_configs" => {
            if t("host").is_empty() {
                err("host missing".into());
            }
            if key == "dockerswarm_sd_configs" {
                match t("role").as_str() {
                    "" => err("role missing (one of: tasks, services, nodes)".into()),
                    "tasks" | "services" | "nodes" => {}
                    other => err(format!("invalid role {other}, expected tasks, services, or nodes")),
                }
            }
        }
        "dns_sd_configs" => {
            if list(n.get("names")).is_empty() {
                err("DNS-SD config must contain at least one SRV record name".into());
            }
            let typ = t("type").to_uppercase();
            match typ.as_str() {
                "" | "SRV" => {}
                "A" | "AAAA" | "MX" | "NS" if number(n, "port").unwrap_or(0.0) == 0.0 => {
                    err("a port is required in DNS-SD configs for all record types except SRV".into());
                }
                "A" | "AAAA" | "MX" | "NS" => {}
                other => err(format!("invalid DNS-SD records type {other}")),
            }
        }
        "ec2_sd_configs" => {
            for f in list(n.get("filters")) {
                if f.value.text("name").is_empty() {
                    err("EC2 SD configuration filter name cannot be empty".into());
                }
                if list(f.value.get("values")).is_empty() {
                    err("EC2 SD configuration filter values cannot be empty".into());
                }
            }
        }
        "eureka_sd_configs" => {
            let server = t("server");
            if server.is_empty() {
                err("empty or null eureka server".into());
            } else if !url_parts(&server).is_some_and(|(scheme, host)| !scheme.is_empty() && !host.is_empty()) {
                err("invalid eureka server URL".into());
            }
        }
        "file_sd_configs" => {
            let files = list(n.get("files"));
            if files.is_empty() {
                err("file service discovery config must contain at least one path name".into());
            }
            for f in files {
                let name = f.value.as_str().unwrap_or_default();
                let ext_ok = [".json", ".yml", ".yaml"].iter().any(|e| name.ends_with(e));
                if !ext_ok || glob::Pattern::new(&name).is_err() {
                    cx.err(
                        "prometheus/sd",
                        Some(pos(f)),
                        format!("path name {name:?} is not valid for file discovery"),
                    )
                    .help("file_sd files end in `.json`, `.yml` or `.yaml`");
                } else if !name.contains(['*', '?', '[']) {
                    // A pattern may match nothing yet; a file named outright must be there.
                    cx.file_exists(Some(f), "file_sd file");
                }
            }
        }
        "gce_sd_configs" => {
            for (k, what) in [("project", "project"), ("zone", "zone")] {
                if t(k).is_empty() {
                    err(format!("GCE SD configuration requires a {what}"));
                }
            }
        }
        "hetzner_sd_configs" => match t("role").as_str() {
            "" => err("role missing (one of: robot, hcloud)".into()),
            "robot" | "hcloud" => {}
            other => err(format!("unknown role {other:?}")),
        },
        "http_sd_configs" | "puppetdb_sd_configs" => {
            http_url(&t("url"), &mut err);
            if key == "puppetdb_sd_configs" && t("query").is_empty() {
                err("query missing".into());
            }
        }
        "ionos_sd_configs" if t("datacenter_id").is_empty() => err("datacenter id can't be empty".into()),
        "kubernetes_sd_configs" => kubernetes::check(at, cx),
        "kuma_sd_configs" if t("server").is_empty() => err("kuma SD server must not be empty".into()),
        "marathon_sd_configs" => {
            if list(n.get("servers")).is_empty() {
                err("marathon_sd: must contain at least one Marathon server".into());
            }
            let token = n.is_set("auth_token") || n.is_set("auth_token_file");
            if n.is_set("auth_token") && n.is_set("auth_token_file") {
                err("marathon_sd: at most one of auth_token & auth_token_file must be configured".into());
            }
            if token && n.is_set("basic_auth") {
                err("marathon_sd: at most one of basic_auth, auth_token & auth_token_file must be configured".into());
            }
            if token && (n.is_set("bearer_token") || n.is_set("bearer_token_file")) {
                err("marathon_sd: at most one of bearer_token, bearer_token_file, auth_token & auth_token_file must be configured".into());
            }
            if token && n.is_set("authorization") {
                err("marathon_sd: at most one of auth_token, auth_token_file & authorization must be configured".into());
            }
        }
        "nerve_sd_configs" | "serverset_sd_configs" => {
            let what = if key == "nerve_sd_configs" { "nerve" } else { "serverset" };
            if list(n.get("servers")).is_empty() {
                err(format!("{what} SD config must contain at least one Zookeeper server"));
            }
            let paths = list(n.get("paths"));
            if paths.is_empty() {
                err(format!("{what} SD config must contain at least one path"));
            }
            for p in paths {
                let path = p.value.as_str().unwrap_or_default();
                if !path.starts_with('/') {
                    err(format!("{what} SD config paths must begin with '/': {path}"));
                }
            }
        }
        "oci_sd_configs" => oci(n, &mut err),
        "openstack_sd_configs" => {
            let availability = if n.get("availability").is_some() { t("availability") } else { "public".into() };
            if !["public", "internal", "admin"].contains(&availability.as_str()) {
                err(format!("unknown availability {availability}, must be one of admin, internal or public"));
            }
            match t("role").as_str() {
                "" => err("role missing (one of: instance, hypervisor, loadbalancer)".into()),
                "instance" | "hypervisor" | "loadbalancer" => {}
                other => err(format!("unknown OpenStack SD role {other:?}")),
            }
            if t("region").is_empty() {
                err("openstack SD configuration requires a region".into());
            }
        }
        "outscale_sd_configs" => {
            if t("region").is_empty() {
                err("outscale SD configuration requires a region".into());
            }
            if t("access_key").is_empty() {
                err("outscale SD configuration requires access_key".into());
            }
            secret_key(n, &mut err);
        }
        "ovhcloud_sd_configs" => {
            for (k, what) in [
                ("application_key", "application key"),
                ("application_secret", "application secret"),
                ("consumer_key", "consumer key"),
                ("endpoint", "endpoint"),
            ] {
                if t(k).is_empty() {
                    err(format!("{what} can not be empty"));
                }
            }
            let service = t("service");
            if service != "vps" && service != "dedicated_server" {
                err(format!("unknown service: {service}"));
            }
        }
        "scaleway_sd_configs" => {
            match t("role").as_str() {
                "" => err("role missing (one of: instance, baremetal)".into()),
                "instance" | "baremetal" => {}
                other => err(format!("unknown role {other:?}")),
            }
            if t("project_id").is_empty() {
                err("project_id is mandatory".into());
            }
            if t("access_key").is_empty() {
                err("access_key is mandatory".into());
            }
            secret_key(n, &mut err);
        }
        "stackit_sd_configs" => {
            let endpoint = t("endpoint");
            if !endpoint.is_empty() && !url_parts(&endpoint).is_some_and(|(s, h)| !s.is_empty() && !h.is_empty()) {
                err(format!("invalid endpoint {endpoint:?}"));
            }
        }
        "triton_sd_configs" => {
            for (k, what) in [("account", "an account"), ("dns_suffix", "a dns_suffix"), ("endpoint", "an endpoint")] {
                if t(k).is_empty() {
                    err(format!("triton SD configuration requires {what}"));
                }
            }
            let role = t("role");
            if !role.is_empty() && role != "container" && role != "cn" {
                err(format!("unknown role {role:?} in triton SD configuration"));
            }
        }
        "uyuni_sd_configs" => {
            if t("server").is_empty() {
                err("Uyuni SD configuration requires server host".into());
            } else {
                if t("username").is_empty() {
                    err("Uyuni SD configuration requires a username".into());
                }
                if t("password").is_empty() {
                    err("Uyuni SD configuration requires a password".into());
                }
            }
        }
        _ => {}
    }
}

fn secret_key(n: &Node, err: &mut impl FnMut(String)) {
    match (n.is_set("secret_key"), n.is_set("secret_key_file")) {
        (false, false) => err("one of secret_key & secret_key_file must be configured".into()),
        (true, true) => err("at most one of secret_key & secret_key_file must be configured".into()),
        _ => {}
    }
}

fn oci(n: &Node, err: &mut impl FnMut(String)) {
    if !n.is_set("region") {
        err("oci_sd: region is required".into());
    }
    let auth = if n.get("auth").is_some() { n.text("auth") } else { "api_key".into() };
    let key_fields = ["tenancy", "user", "fingerprint", "key_file"];
    match auth.as_str() {
        "api_key" => {
            for k in key_fields {
                if !n.is_set(k) {
                    err(format!("oci_sd: api_key auth requires {k}"));
                }
            }
            if n.is_set("key_passphrase") && n.is_set("key_passphrase_file") {
                err("oci_sd: at most one of key_passphrase and key_passphrase_file must be configured".into());
            }
        }
        "instance_principal" => {
            if key_fields.iter().chain(&["key_passphrase", "key_passphrase_file"]).any(|k| n.is_set(k)) {
                err("oci_sd: instance_principal auth must not have tenancy, user, fingerprint, key_file, key_passphrase, or key_passphrase_file set".into());
            }
        }
        other => err(format!("oci_sd: unknown auth method {other:?}, expected \"api_key\" or \"instance_principal\"")),
    }
}

/// Scheme and host of a URL, as Go's `url.Parse` splits them (`None` when it would fail).
fn url_parts(url: &str) -> Option<(String, String)> {
    if url.starts_with(':') || url.chars().any(char::is_control) {
        return None;
    }
    match url.split_once("://") {
        Some((scheme, rest)) if scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
            Some((scheme.to_lowercase(), host.to_owned()))
        }
        _ => Some((String::new(), String::new())),
    }
}

/// The URL checks of the HTTP and PuppetDB discoveries.
fn http_url(url: &str, err: &mut impl FnMut(String)) {
    if url.is_empty() {
        return err("URL is missing".into());
    }
    match url_parts(url) {
        None => err(format!("parse {url:?}: invalid URL")),
        Some((scheme, _)) if scheme != "http" && scheme != "https" => {
            err("URL scheme must be 'http' or 'https'".into())
        }
        Some((_, host)) if host.is_empty() => err("host is missing in URL".into()),
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_like_go() {
        assert_eq!(url_parts("http://a:1/x"), Some(("http".into(), "a:1".into())));
        assert_eq!(url_parts("http://"), Some(("http".into(), String::new())));
        assert_eq!(url_parts("invalid"), Some((String::new(), String::new())));
    }
}
