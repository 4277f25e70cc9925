//! The HTTP client config Prometheus and Alertmanager share (prometheus/common `config`):
//! known fields, and at most one way to authenticate.

use super::node::{pos, At, Node};
use super::problem::Sink;

const FIELDS: &[&str] = &[
    "basic_auth",
    "authorization",
    "oauth2",
    "bearer_token",
    "bearer_token_file",
    "tls_config",
    "proxy_url",
    "no_proxy",
    "proxy_from_environment",
    "proxy_connect_header",
    "follow_redirects",
    "enable_http2",
    "http_headers",
];
const BASIC_AUTH: &[&str] = &["username", "username_file", "username_ref", "password", "password_file", "password_ref"];
const AUTHORIZATION: &[&str] = &["type", "credentials", "credentials_file", "credentials_ref"];
const OAUTH2: &[&str] = &[
    "client_id",
    "client_secret",
    "client_secret_file",
    "client_secret_ref",
    "scopes",
    "token_url",
    "endpoint_params",
    "tls_config",
    "proxy_url",
    "no_proxy",
    "proxy_from_environment",
    "proxy_connect_header",
];
/// Fields of a TLS config.
pub const TLS: &[&str] = &[
    "ca",
    "ca_file",
    "ca_ref",
    "cert",
    "cert_file",
    "cert_ref",
    "key",
    "key_file",
    "key_ref",
    "server_name",
    "insecure_skip_verify",
    "min_version",
    "max_version",
];

fn set(n: &Node, key: &str) -> bool {
    n.get(key).is_some_and(|v| !matches!(&v.value, Node::Null) && v.value.as_str().is_none_or(|s| !s.is_empty()))
}

fn fields(at: &At, allowed: &[&str], type_name: &str, sink: &mut Sink) -> bool {
    match &at.value {
        Node::Map(entries) => {
            for (k, _) in entries {
                if !allowed.contains(&k.value.as_str()) {
                    sink.error("http/field", Some(pos(k)), format!("field {} not found in type {type_name}", k.value));
                }
            }
            true
        }
        Node::Null => false,
        other => {
            sink.error("http/field", Some(pos(at)), format!("{type_name} must be a mapping, not {}", other.kind()));
            false
        }
    }
}

/// Checks an HTTP client config at `at`.
pub fn check(at: &At, type_name: &str, sink: &mut Sink) {
    if !fields(at, FIELDS, type_name, sink) {
        return;
    }
    let h = &at.value;
    let here = Some(pos(at));
    if set(h, "bearer_token") && set(h, "bearer_token_file") {
        sink.error("http/auth", here, "at most one of bearer_token & bearer_token_file must be configured");
    }
    let ways = [
        set(h, "basic_auth"),
        set(h, "authorization"),
        set(h, "oauth2"),
        set(h, "bearer_token") || set(h, "bearer_token_file"),
    ];
    if ways.iter().filter(|w| **w).count() > 1 {
        let which = if set(h, "oauth2") { "oauth2" } else { "basic_auth" };
        sink.error("http/auth", here, format!("at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured ({which} and another)"))
            .help("authenticate one way: basic_auth, authorization, oauth2 or bearer_token");
    }
    if let Some(b) = h.get("basic_auth") {
        if fields(b, BASIC_AUTH, "config.BasicAuth", sink) {
            for (a, f) in [("username", "username_file"), ("password", "password_file")] {
                if set(&b.value, a) && set(&b.value, f) {
                    sink.error(
                        "http/auth",
                        Some(pos(b)),
                        format!("at most one of basic_auth {a} & {f} must be configured"),
                    );
                }
            }
        }
    }
    if let Some(a) = h.get("authorization") {
        if fields(a, AUTHORIZATION, "config.Authorization", sink) {
            if set(&a.value, "credentials") && set(&a.value, "credentials_file") {
                sink.error(
                    "http/auth",
                    Some(pos(a)),
                    "at most one of authorization credentials & credentials_file must be configured",
                );
            }
            let typ = a.value.get("type").and_then(|t| t.value.as_str()).unwrap_or_default();
            if typ.eq_ignore_ascii_case("basic") {
                sink.error(
                    "http/auth",
                    Some(pos(a)),
                    "authorization type cannot be set to \"basic\", use \"basic_auth\" instead",
                );
            }
        }
    }
    if let Some(o) = h.get("oauth2") {
        if fields(o, OAUTH2, "config.OAuth2", sink) {
            if set(&o.value, "client_secret") && set(&o.value, "client_secret_file") {
                sink.error(
                    "http/auth",
                    Some(pos(o)),
                    "at most one of oauth2 client_secret & client_secret_file must be configured",
                );
            }
            if !set(&o.value, "token_url") {
                sink.error("http/auth", Some(pos(o)), "oauth2 token_url must be configured");
            }
        }
    }
    if let Some(t) = h.get("tls_config") {
        fields(t, TLS, "config.TLSConfig", sink);
    }
}
