//! Discoveries of service catalogs and orchestrators, and the generic DNS, file and HTTP ones:
//! each row of the table with its own checks below it.

use super::kinds::{fields_only, kind, Kind};
use super::{url_parts, Sd};
use crate::check::node::pos;
use crate::check::prometheus::fields::{list, number, Ty};
use crate::check::Check;

const S: Ty = Ty::Str;
const D: Ty = Ty::Dur;
const I: Ty = Ty::Int;
const B: Ty = Ty::Bool;
const L: Ty = Ty::Strs;

pub(super) const CONSUL: Kind = kind(
    "consul_sd_configs",
    "consul.plain",
    &[
        ("server", S),
        ("path_prefix", S),
        ("token", S),
        ("token_file", S),
        ("datacenter", S),
        ("namespace", S),
        ("partition", S),
        ("tag_separator", S),
        ("scheme", S),
        ("username", S),
        ("password", S),
        ("allow_stale", B),
        ("refresh_interval", D),
        ("services", L),
        ("tags", L),
        ("node_meta", Ty::StrMap),
        ("filter", S),
        ("health_filter", S),
    ],
    true,
    consul,
);

fn consul(sd: &mut Sd<'_, '_>) {
    let n = sd.n();
    if sd.text("server").trim().is_empty() {
        sd.err("consul SD configuration requires a server address");
    }
    if n.is_set("token") && (n.is_set("authorization") || n.is_set("oauth2")) {
        sd.err("at most one of consul SD token, authorization, or oauth2 can be configured");
    }
    if (n.is_set("username") || n.is_set("password")) && n.is_set("basic_auth") {
        sd.err("at most one of consul SD configuration username and password and basic auth can be configured");
    }
}

pub(super) const DOCKER: Kind = kind(
    "docker_sd_configs",
    "moby.plain",
    &[
        ("host", S),
        ("port", I),
        ("host_networking_host", S),
        ("match_first_network", B),
        ("filters", Ty::Any),
        ("refresh_interval", D),
    ],
    true,
    docker,
);

fn docker(sd: &mut Sd<'_, '_>) {
    if sd.text("host").is_empty() {
        sd.err("host missing");
    }
}

pub(super) const DOCKERSWARM: Kind = kind(
    "dockerswarm_sd_configs",
    "moby.plain",
    &[("host", S), ("role", S), ("port", I), ("filters", Ty::Any), ("refresh_interval", D)],
    true,
    dockerswarm,
);

fn dockerswarm(sd: &mut Sd<'_, '_>) {
    docker(sd);
    match sd.text("role").as_str() {
        "" => sd.err("role missing (one of: tasks, services, nodes)"),
        "tasks" | "services" | "nodes" => {}
        other => sd.err(format!("invalid role {other}, expected tasks, services, or nodes")),
    }
}

pub(super) const DNS: Kind =
    kind("dns_sd_configs", "dns.plain", &[("names", L), ("refresh_interval", D), ("type", S), ("port", I)], false, dns);

fn dns(sd: &mut Sd<'_, '_>) {
    if list(sd.n().get("names")).is_empty() {
        sd.err("DNS-SD config must contain at least one SRV record name");
    }
    let typ = sd.text("type").to_uppercase();
    match typ.as_str() {
        "" | "SRV" => {}
        "A" | "AAAA" | "MX" | "NS" if number(sd.n(), "port").unwrap_or(0.0) == 0.0 => {
            sd.err("a port is required in DNS-SD configs for all record types except SRV");
        }
        "A" | "AAAA" | "MX" | "NS" => {}
        other => sd.err(format!("invalid DNS-SD records type {other}")),
    }
}

pub(super) const EUREKA: Kind =
    kind("eureka_sd_configs", "eureka.plain", &[("server", S), ("refresh_interval", D)], true, eureka);

fn eureka(sd: &mut Sd<'_, '_>) {
    let server = sd.text("server");
    if server.is_empty() {
        sd.err("empty or null eureka server");
    } else if !url_parts(&server).is_some_and(|(scheme, host)| !scheme.is_empty() && !host.is_empty()) {
        sd.err("invalid eureka server URL");
    }
}

pub(super) const FILE: Kind =
    kind("file_sd_configs", "file.plain", &[("files", L), ("refresh_interval", D)], false, file);

fn file(sd: &mut Sd<'_, '_>) {
    let files = list(sd.n().get("files"));
    if files.is_empty() {
        sd.err("file service discovery config must contain at least one path name");
    }
    for f in files {
        let name = f.value.as_str().unwrap_or_default();
        let ext_ok = [".json", ".yml", ".yaml"].iter().any(|e| name.ends_with(e));
        if !ext_ok || glob::Pattern::new(&name).is_err() {
            sd.cx
                .err(Check::PrometheusSd, Some(pos(f)), format!("path name {name:?} is not valid for file discovery"))
                .help("file_sd files end in `.json`, `.yml` or `.yaml`");
        } else if !name.contains(['*', '?', '[']) {
            // A pattern may match nothing yet; a file named outright must be there.
            sd.cx.file_exists(Some(f), "file_sd file");
        }
    }
}

pub(super) const HTTP: Kind = kind("http_sd_configs", "http.plain", &[("url", S), ("refresh_interval", D)], true, http);

fn http(sd: &mut Sd<'_, '_>) {
    let url = sd.text("url");
    if url.is_empty() {
        return sd.err("URL is missing");
    }
    match url_parts(&url) {
        None => sd.err(format!("parse {url:?}: invalid URL")),
        Some((scheme, _)) if scheme != "http" && scheme != "https" => sd.err("URL scheme must be 'http' or 'https'"),
        Some((_, host)) if host.is_empty() => sd.err("host is missing in URL"),
        Some(_) => {}
    }
}

pub(super) const KUMA: Kind = kind(
    "kuma_sd_configs",
    "xds.plain",
    &[("server", S), ("client_id", S), ("refresh_interval", D), ("fetch_timeout", D)],
    true,
    |sd| {
        if sd.text("server").is_empty() {
            sd.err("kuma SD server must not be empty");
        }
    },
);

pub(super) const MARATHON: Kind = kind(
    "marathon_sd_configs",
    "marathon.plain",
    &[("servers", L), ("refresh_interval", D), ("auth_token", S), ("auth_token_file", S)],
    true,
    marathon,
);

fn marathon(sd: &mut Sd<'_, '_>) {
    let n = sd.n();
    if list(n.get("servers")).is_empty() {
        sd.err("marathon_sd: must contain at least one Marathon server");
    }
    let token = n.is_set("auth_token") || n.is_set("auth_token_file");
    if n.is_set("auth_token") && n.is_set("auth_token_file") {
        sd.err("marathon_sd: at most one of auth_token & auth_token_file must be configured");
    }
    if token && n.is_set("basic_auth") {
        sd.err("marathon_sd: at most one of basic_auth, auth_token & auth_token_file must be configured");
    }
    if token && (n.is_set("bearer_token") || n.is_set("bearer_token_file")) {
        sd.err("marathon_sd: at most one of bearer_token, bearer_token_file, auth_token & auth_token_file must be configured");
    }
    if token && n.is_set("authorization") {
        sd.err("marathon_sd: at most one of auth_token, auth_token_file & authorization must be configured");
    }
}

pub(super) const NERVE: Kind =
    kind("nerve_sd_configs", "zookeeper.plain", &[("servers", L), ("paths", L), ("timeout", D)], false, nerve);
pub(super) const SERVERSET: Kind =
    kind("serverset_sd_configs", "zookeeper.plain", &[("servers", L), ("paths", L), ("timeout", D)], false, serverset);

fn nerve(sd: &mut Sd<'_, '_>) {
    zookeeper(sd, "nerve");
}

fn serverset(sd: &mut Sd<'_, '_>) {
    zookeeper(sd, "serverset");
}

/// Nerve and Serverset both read Zookeeper, with the same rules.
fn zookeeper(sd: &mut Sd<'_, '_>, what: &str) {
    if list(sd.n().get("servers")).is_empty() {
        sd.err(format!("{what} SD config must contain at least one Zookeeper server"));
    }
    let paths = list(sd.n().get("paths"));
    if paths.is_empty() {
        sd.err(format!("{what} SD config must contain at least one path"));
    }
    for p in paths {
        let path = p.value.as_str().unwrap_or_default();
        if !path.starts_with('/') {
            sd.err(format!("{what} SD config paths must begin with '/': {path}"));
        }
    }
}

pub(super) const NOMAD: Kind = kind(
    "nomad_sd_configs",
    "nomad.plain",
    &[
        ("allow_stale", B),
        ("namespace", S),
        ("refresh_interval", D),
        ("region", S),
        ("server", S),
        ("tag_separator", S),
    ],
    true,
    fields_only,
);

pub(super) const PUPPETDB: Kind = kind(
    "puppetdb_sd_configs",
    "puppetdb.plain",
    &[("url", S), ("query", S), ("include_parameters", B), ("refresh_interval", D), ("port", I)],
    true,
    puppetdb,
);

fn puppetdb(sd: &mut Sd<'_, '_>) {
    http(sd);
    if sd.text("query").is_empty() {
        sd.err("query missing");
    }
}

pub(super) const UYUNI: Kind = kind(
    "uyuni_sd_configs",
    "uyuni.plain",
    &[("server", S), ("username", S), ("password", S), ("entitlement", S), ("separator", S), ("refresh_interval", D)],
    true,
    uyuni,
);

fn uyuni(sd: &mut Sd<'_, '_>) {
    if sd.text("server").is_empty() {
        sd.err("Uyuni SD configuration requires server host");
        return;
    }
    if sd.text("username").is_empty() {
        sd.err("Uyuni SD configuration requires a username");
    }
    if sd.text("password").is_empty() {
        sd.err("Uyuni SD configuration requires a password");
    }
}
