//! The HTTP client config Prometheus and Alertmanager share (prometheus/common `config`):
//! known fields, and at most one way to authenticate.

use super::node::{pos, SourceNode, Tree};
use super::problem::Sink;
use crate::check::Check;

/// Fields of an HTTP client config.
pub const FIELDS: &[&str] = &[
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
    "client_id_file",
    "client_id_ref",
    "client_certificate_key_id",
    "client_certificate_key",
    "client_certificate_key_file",
    "client_certificate_key_ref",
    "signature_algorithm",
    "iss",
    "audience",
    "claims",
    "grant_type",
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

fn fields(at: &Tree, allowed: &[&str], type_name: &str, sink: &mut Sink) -> bool {
    match &at.value {
        SourceNode::Map(entries) => {
            for (k, _) in entries {
                if !allowed.contains(&k.value.as_str()) {
                    sink.error(
                        Check::HttpField,
                        Some(pos(k)),
                        format!("field {} not found in type {type_name}", k.value),
                    );
                }
            }
            true
        }
        SourceNode::Null => false,
        other => {
            sink.error(Check::HttpField, Some(pos(at)), format!("{type_name} must be a mapping, not {}", other.kind()));
            false
        }
    }
}

/// Checks an HTTP client config at `at`: its fields, then [`validate`].
pub fn check(at: &Tree, type_name: &str, sink: &mut Sink) {
    if fields(at, FIELDS, type_name, sink) {
        validate(at, sink);
    }
}

/// Whether any HTTP client field is set in the mapping `n` (where the config is inlined, as in
/// Prometheus' service discovery configs).
pub fn customised(n: &SourceNode) -> bool {
    FIELDS.iter().any(|f| n.is_set(f))
}

fn count(n: &SourceNode, keys: &[&str]) -> usize {
    keys.iter().filter(|k| n.is_set(k)).count()
}

/// Checks the rules of prometheus/common's `HTTPClientConfig.Validate`, in its order, on the
/// mapping `at` (whose unknown fields are the caller's business when the config is inlined).
pub fn validate(at: &Tree, sink: &mut Sink) {
    let h = &at.value;
    let here = Some(pos(at));
    let bearer = h.is_set("bearer_token") || h.is_set("bearer_token_file");
    let help = "authenticate one way: basic_auth, authorization, oauth2 or bearer_token";
    if h.is_set("bearer_token") && h.is_set("bearer_token_file") {
        sink.error(Check::HttpAuth, here, "at most one of bearer_token & bearer_token_file must be configured");
    }
    if (h.is_set("basic_auth") || h.is_set("oauth2")) && bearer {
        sink.error(
            Check::HttpAuth,
            here,
            "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured",
        )
        .help(help);
    }
    if let Some(b) = h.get("basic_auth") {
        if fields(b, BASIC_AUTH, "config.BasicAuth", sink) {
            for what in ["username", "password"] {
                let keys = [what, &format!("{what}_file"), &format!("{what}_ref")];
                if count(&b.value, &keys) > 1 {
                    sink.error(
                        Check::HttpAuth,
                        Some(pos(b)),
                        format!("at most one of basic_auth {what}, {what}_file & {what}_ref must be configured"),
                    );
                }
            }
        }
    }
    if let Some(a) = h.get("authorization") {
        if fields(a, AUTHORIZATION, "config.Authorization", sink) {
            if bearer {
                sink.error(
                    Check::HttpAuth,
                    here,
                    "authorization is not compatible with bearer_token & bearer_token_file",
                )
                .help(help);
            }
            if count(&a.value, &["credentials", "credentials_file", "credentials_ref"]) > 1 {
                sink.error(
                    Check::HttpAuth,
                    Some(pos(a)),
                    "at most one of authorization credentials & credentials_file must be configured",
                );
            }
            let typ = a.value.get("type").and_then(|t| t.value.as_str()).unwrap_or_default();
            if typ.trim().eq_ignore_ascii_case("basic") {
                sink.error(
                    Check::HttpAuth,
                    Some(pos(a)),
                    "authorization type cannot be set to \"basic\", use \"basic_auth\" instead",
                );
            }
        }
        if h.is_set("basic_auth") || h.is_set("oauth2") {
            sink.error(Check::HttpAuth, here, "at most one of basic_auth, oauth2 & authorization must be configured")
                .help(help);
        }
    }
    if let Some(o) = h.get("oauth2") {
        if h.is_set("basic_auth") && !h.is_set("authorization") {
            sink.error(Check::HttpAuth, here, "at most one of basic_auth, oauth2 & authorization must be configured")
                .help(help);
        }
        if fields(o, OAUTH2, "config.OAuth2", sink) {
            if !o.value.is_set("client_id") && !o.value.is_set("client_id_file") {
                sink.error(Check::HttpAuth, Some(pos(o)), "oauth2 client_id must be configured");
            }
            if !o.value.is_set("token_url") {
                sink.error(Check::HttpAuth, Some(pos(o)), "oauth2 token_url must be configured");
            }
            if count(&o.value, &["client_secret", "client_secret_file", "client_secret_ref"]) > 1 {
                sink.error(
                    Check::HttpAuth,
                    Some(pos(o)),
                    "at most one of oauth2 client_secret, client_secret_file & client_secret_ref must be configured",
                );
            }
            if let Some(t) = o.value.get("tls_config") {
                tls(t, sink);
            }
        }
    }
    if let Some(t) = h.get("tls_config") {
        tls(t, sink);
    }
    if h.is_set("proxy_from_environment") && (h.is_set("proxy_url") || h.is_set("no_proxy")) {
        sink.error(
            Check::HttpProxy,
            here,
            "if proxy_from_environment is configured, proxy_url and no_proxy must not be configured",
        );
    }
    if h.is_set("no_proxy") && !h.is_set("proxy_url") {
        sink.error(Check::HttpProxy, here, "if no_proxy is configured, proxy_url must also be configured");
    }
}

/// Checks a TLS config: its fields, and one source per certificate, key and CA.
pub fn tls(at: &Tree, sink: &mut Sink) {
    if !fields(at, TLS, "config.TLSConfig", sink) {
        return;
    }
    for what in ["ca", "cert", "key"] {
        let keys = [what, &format!("{what}_file"), &format!("{what}_ref")];
        if count(&at.value, &keys) > 1 {
            sink.error(
                Check::HttpTls,
                Some(pos(at)),
                format!("at most one of {what}, {what}_file & {what}_ref must be configured"),
            );
        }
    }
    let cert = count(&at.value, &["cert", "cert_file", "cert_ref"]) > 0;
    let key = count(&at.value, &["key", "key_file", "key_ref"]) > 0;
    if cert && !key {
        sink.error(
            Check::HttpTls,
            Some(pos(at)),
            "exactly one of key or key_file must be configured when a client certificate is configured",
        );
    } else if key && !cert {
        sink.error(
            Check::HttpTls,
            Some(pos(at)),
            "exactly one of cert or cert_file must be configured when a client key is configured",
        );
    }
}
