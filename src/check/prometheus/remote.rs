//! `remote_write` and `remote_read` (`prometheus/remote`): a URL each, unique names, headers that
//! do not override what Prometheus sets, queue settings that make sense, one way to authenticate.

use std::collections::BTreeSet;

use super::fields::{list, millis, number, Fields, Ty};
use super::{relabel, Ctx};
use crate::check::node::{pos, SourceNode, Tree};
use crate::check::Check;

const WRITE: Fields = &[
    ("url", Ty::Str),
    ("remote_timeout", Ty::Dur),
    ("headers", Ty::StrMap),
    ("write_relabel_configs", Ty::Any),
    ("name", Ty::Str),
    ("send_exemplars", Ty::Bool),
    ("send_native_histograms", Ty::Bool),
    ("round_robin_dns", Ty::Bool),
    ("protobuf_message", Ty::Str),
    ("queue_config", Ty::Any),
    ("metadata_config", Ty::Any),
    ("sigv4", Ty::Any),
    ("azuread", Ty::Any),
    ("google_iam", Ty::Any),
];

const READ: Fields = &[
    ("url", Ty::Str),
    ("remote_timeout", Ty::Dur),
    ("chunked_read_limit", Ty::UInt),
    ("headers", Ty::StrMap),
    ("read_recent", Ty::Bool),
    ("name", Ty::Str),
    ("required_matchers", Ty::StrMap),
    ("filter_external_labels", Ty::Bool),
];

const QUEUE: Fields = &[
    ("capacity", Ty::Int),
    ("max_shards", Ty::Int),
    ("min_shards", Ty::Int),
    ("max_samples_per_send", Ty::Int),
    ("batch_send_deadline", Ty::Dur),
    ("min_backoff", Ty::Dur),
    ("max_backoff", Ty::Dur),
    ("retry_on_http_429", Ty::Bool),
    ("sample_age_limit", Ty::Dur),
];

const METADATA: Fields = &[("send", Ty::Bool), ("send_interval", Ty::Dur), ("max_samples_per_send", Ty::Int)];

const SIGV4: Fields = &[
    ("region", Ty::Str),
    ("access_key", Ty::Str),
    ("secret_key", Ty::Str),
    ("profile", Ty::Str),
    ("role_arn", Ty::Str),
    ("external_id", Ty::Str),
    ("use_fips_sts_endpoint", Ty::Bool),
    ("service_name", Ty::Str),
];

const AZUREAD: Fields = &[
    ("cloud", Ty::Str),
    ("managed_identity", Ty::Any),
    ("oauth", Ty::Any),
    ("sdk", Ty::Any),
    ("workload_identity", Ty::Any),
    ("scope", Ty::Str),
];

const PROTOBUF: [&str; 2] = ["prometheus.WriteRequest", "io.prometheus.write.v2.Request"];

/// Headers Prometheus sets itself (`config.reservedHeaders`).
const RESERVED: [&str; 17] = [
    "host",
    "content-encoding",
    "content-length",
    "content-type",
    "user-agent",
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "www-authenticate",
    "accept-encoding",
    "x-prometheus-remote-write-version",
    "x-prometheus-remote-read-version",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "authorization",
];

/// Checks the header names of `headers`; `authorization` is refused with `auth_message`.
pub(super) fn headers(at: Option<&Tree>, auth_message: &str, cx: &mut Ctx<'_>) {
    let Some(SourceNode::Map(entries)) = at.map(|a| &a.value) else { return };
    for (k, _) in entries {
        let lower = k.value.to_lowercase();
        if lower == "authorization" {
            cx.err(Check::PrometheusRemote, Some(pos(k)), auth_message);
        } else if RESERVED.contains(&lower.as_str()) {
            cx.err(
                Check::PrometheusRemote,
                Some(pos(k)),
                format!("{} is a reserved header. It must not be changed", k.value),
            );
        }
    }
}

/// Checks `remote_write` and `remote_read` of the config `d`.
pub(super) fn check(d: &SourceNode, cx: &mut Ctx<'_>) {
    let mut names = BTreeSet::new();
    for rw in list(d.get("remote_write")) {
        if matches!(rw.value, SourceNode::Null) {
            cx.err(Check::PrometheusRemote, Some(pos(rw)), "empty or null remote write config section");
            continue;
        }
        if !cx.fields(rw, &[WRITE], true, "config.RemoteWriteConfig") {
            continue;
        }
        common(rw, "remote write", "remote_write", &mut names, cx);
        let n = &rw.value;
        let names = cx.names;
        relabel::check_list(
            n.get("write_relabel_configs"),
            "empty or null relabeling rule in remote write config",
            names,
            cx,
        );
        let message = n.text("protobuf_message");
        if !message.is_empty() && !PROTOBUF.contains(&message.as_str()) {
            cx.err(
                Check::PrometheusRemote,
                n.get("protobuf_message").map(pos),
                format!("invalid protobuf_message value: unknown type for remote write protobuf message {message}, supported: {}", PROTOBUF.join(", ")),
            );
        }
        if let Some(q) = n.get("queue_config") {
            queue(q, cx);
        }
        if let Some(m) = n.get("metadata_config") {
            cx.fields(m, &[METADATA], false, "config.MetadataConfig");
        }
        if let Some(s) = n.get("sigv4") {
            cx.fields(s, &[SIGV4], false, "sigv4.SigV4Config");
        }
        if let Some(a) = n.get("azuread") {
            cx.fields(a, &[AZUREAD], false, "azuread.AzureADConfig");
        }
        if let Some(g) = n.get("google_iam") {
            cx.fields(g, &[&[("credentials_file", Ty::Str)]], false, "googleiam.Config");
        }
        let ways: Vec<&str> = ["basic_auth", "authorization", "oauth2", "sigv4", "azuread", "google_iam"]
            .into_iter()
            .filter(|k| n.is_set(k))
            .collect();
        if ways.len() > 1 {
            cx.err(
                Check::PrometheusRemote,
                Some(pos(rw)),
                format!("at most one of basic_auth, authorization, oauth2, sigv4, azuread or google_iam must be configured. Currently configured: [{}]", ways.join(" ")),
            );
        }
    }
    let mut names = BTreeSet::new();
    for rr in list(d.get("remote_read")) {
        if matches!(rr.value, SourceNode::Null) {
            cx.err(Check::PrometheusRemote, Some(pos(rr)), "empty or null remote read config section");
            continue;
        }
        if cx.fields(rr, &[READ], true, "config.RemoteReadConfig") {
            common(rr, "remote read", "remote_read", &mut names, cx);
            cx.labels(rr.value.get("required_matchers"), cx.names);
        }
    }
}

fn common(at: &Tree, what: &str, key: &str, names: &mut BTreeSet<String>, cx: &mut Ctx<'_>) {
    let n = &at.value;
    let name = n.text("name");
    if !name.is_empty() && !names.insert(name.clone()) {
        cx.err(
            Check::PrometheusRemote,
            n.get("name").map(pos),
            format!("found multiple {what} configs with job name {name:?}"),
        );
    }
    let url = n.text("url");
    if url.is_empty() {
        cx.err(Check::PrometheusRemote, Some(pos(at)), format!("url for {key} is empty"));
    } else if url.starts_with(':') || url.chars().any(char::is_control) {
        cx.err(Check::PrometheusRemote, n.get("url").map(pos), format!("parse {url:?}: missing protocol scheme"));
    }
    headers(
        n.get("headers"),
        "authorization header must be changed via the basic_auth, authorization, oauth2, sigv4, azuread or google_iam parameter",
        cx,
    );
    cx.http(at);
}

fn queue(at: &Tree, cx: &mut Ctx<'_>) {
    if !cx.fields(at, &[QUEUE], false, "config.QueueConfig") {
        return;
    }
    let n = &at.value;
    let get = |key: &str, default: f64| number(n, key).unwrap_or(default);
    let mut err = |key: &str, message: &str| {
        cx.err(Check::PrometheusRemote, n.get(key).map(pos), format!("remote write queue {message}"));
    };
    if get("capacity", 10_000.0) <= 0.0 {
        err("capacity", "capacity must be positive");
    }
    let (min, max) = (get("min_shards", 1.0), get("max_shards", 50.0));
    if max <= 0.0 {
        err("max_shards", "max_shards must be positive");
    }
    if min <= 0.0 {
        err("min_shards", "min_shards must be positive");
    }
    if min > max {
        err("min_shards", "min_shards must not be greater than max_shards");
    }
    if get("max_samples_per_send", 2000.0) <= 0.0 {
        err("max_samples_per_send", "max_samples_per_send must be positive");
    }
    let min_backoff = millis(n, "min_backoff").unwrap_or(30);
    let max_backoff = millis(n, "max_backoff").unwrap_or(5_000);
    if max_backoff < min_backoff {
        err("max_backoff", "max_backoff must not be less than min_backoff");
    }
}
