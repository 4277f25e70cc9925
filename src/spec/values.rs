//! Value types of the spec that validate themselves while being deserialized, so a bad value is
//! reported at its own `line:col` by the YAML parser.

use std::fmt;

use serde::Deserializer;
use serde::{Deserialize, Serialize, Serializer};

pub use crate::secrets::SecretRef;
use crate::syntax::names::{label_name_ok, NameValidation};
pub use crate::syntax::Duration;

/// A TSDB size limit in Prometheus' units (`512MB`, `10GB`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Size(String);

impl Size {
    fn parse(s: &str) -> Result<Self, String> {
        let digits = s.chars().take_while(char::is_ascii_digit).count();
        let unit = &s[digits..];
        if digits > 0 && ["B", "KB", "MB", "GB", "TB", "PB", "EB"].contains(&unit) {
            Ok(Size(s.to_owned()))
        } else {
            Err(format!(
                "invalid size `{s}`: expected a whole number with a unit B, KB, MB, GB, TB, PB or EB, such as `10GB`"
            ))
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
crate::syntax::string_value!(Size, Size::parse, "a size such as `10GB`");

/// A TCP port, 1 to 65535.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Port(pub u16);

impl Port {
    fn parse(s: &str) -> Result<Self, String> {
        match s.parse::<u64>() {
            Ok(n @ 1..=65535) => Ok(Port(n as u16)),
            _ => Err(format!("invalid port `{s}`: expected a number from 1 to 65535")),
        }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl<'de> Deserialize<'de> for Port {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::syntax::from_str_with(d, "a port number from 1 to 65535", Port::parse)
    }
}

impl Serialize for Port {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(self.0)
    }
}

/// A container image reference with a pinned tag or digest (never `latest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image(String);

impl Image {
    /// The reference as written, e.g. `prom/prometheus:v3.5.0`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn parse(s: &str) -> Result<Self, String> {
        let expected = "expected a pinned image such as `prom/prometheus:v3.5.0` or `name@sha256:…`";
        if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("invalid image `{s}`: {expected}"));
        }
        let (name, digest) = match s.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (s, None),
        };
        // A tag follows the last `:` after the last `/` (an earlier `:` is a registry's port).
        let (name, tag) = match name.rsplit_once(':') {
            Some((n, t)) if !t.contains('/') => (n, Some(t)),
            _ => (name, None),
        };
        // As Docker splits a reference: the first component is a registry only if it looks like
        // a host; every other component is a lowercase repository path.
        let mut parts: Vec<&str> = name.split('/').collect();
        if parts.len() > 1 && (parts[0].contains(['.', ':']) || parts[0] == "localhost") {
            let host = parts.remove(0);
            if !image_grammar().host.is_match(host) {
                return Err(format!("invalid image `{s}`: `{host}` is not a registry host: {expected}"));
            }
        }
        if let Some(bad) = parts.iter().find(|p| !image_grammar().path.is_match(p)) {
            let why = if bad.chars().any(|c| c.is_ascii_uppercase()) {
                "repository names are lowercase"
            } else {
                "repository names are lowercase letters and digits, separated by `.`, `_`, `__` or `-`"
            };
            return Err(format!("invalid image `{s}`: `{bad}`: {why}; {expected}"));
        }
        if let Some(t) = tag.filter(|t| !image_grammar().tag.is_match(t)) {
            return Err(format!(
                "invalid image `{s}`: tag `{t}` is not a Docker tag (up to 128 of letters, digits, `_`, `.`, `-`)"
            ));
        }
        if let Some(d) = digest.filter(|d| !image_grammar().digest.is_match(d)) {
            return Err(format!("invalid image `{s}`: `{d}` is not a digest such as `sha256:` and 64 hex digits"));
        }
        match (tag, digest) {
            (_, Some(_)) => Ok(Image(s.to_owned())),
            (Some("latest"), None) => Err(format!("image `{s}` uses the moving tag `latest`: {expected}")),
            (Some(_), None) => Ok(Image(s.to_owned())),
            (None, None) => Err(format!("image `{s}` has no tag: {expected}")),
        }
    }
}

/// Docker's reference grammar (distribution/reference), compiled once.
struct ImageGrammar {
    host: regex::Regex,
    path: regex::Regex,
    tag: regex::Regex,
    digest: regex::Regex,
}

fn image_grammar() -> &'static ImageGrammar {
    static GRAMMAR: std::sync::OnceLock<ImageGrammar> = std::sync::OnceLock::new();
    GRAMMAR.get_or_init(|| {
        let re = |p: &str| regex::Regex::new(p).expect("a valid pattern");
        let label = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
        ImageGrammar {
            host: re(&format!(r"^(?:{label}(?:\.{label})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$")),
            path: re(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$"),
            tag: re(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"),
            digest: re(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$"),
        }
    })
}

impl fmt::Display for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
crate::syntax::string_value!(Image, Image::parse, "a pinned image reference");

/// An absolute `http` or `https` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(String);

impl HttpUrl {
    fn parse(s: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("invalid URL `{s}`: {why}; expected `http://host[:port]/path` or `https://…`");
        let rest = s
            .strip_prefix("http://")
            .or_else(|| s.strip_prefix("https://"))
            .ok_or_else(|| bad("the scheme must be http or https"))?;
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("it contains white space"));
        }
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host_port = authority.rsplit('@').next().unwrap_or("");
        HostPort::check(host_port, false).map_err(|why| bad(&why))?;
        Ok(HttpUrl(s.to_owned()))
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
crate::syntax::string_value!(HttpUrl, HttpUrl::parse, "an http(s) URL");

/// A scrape or connect address, `host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort(String);

impl HostPort {
    fn check(s: &str, port_required: bool) -> Result<(), String> {
        let (host, port) = if let Some(v6) = s.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or("an IPv6 host needs a closing `]`")?;
            (host, after.strip_prefix(':'))
        } else {
            match s.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (s, None),
            }
        };
        if host.is_empty() {
            return Err("the host is empty".into());
        }
        if !host.chars().all(|c| c.is_ascii_alphanumeric() || "-._:".contains(c)) {
            return Err(format!("`{host}` is not a host name or IP address"));
        }
        match port {
            Some(p) if Port::parse(p).is_err() => Err(format!("`{p}` is not a port from 1 to 65535")),
            None if port_required => Err("the port is missing".into()),
            _ => Ok(()),
        }
    }

    fn parse(s: &str) -> Result<Self, String> {
        HostPort::check(s, true)
            .map(|()| HostPort(s.to_owned()))
            .map_err(|why| format!("invalid address `{s}`: {why}; expected `host:port`, such as `api:8080`"))
    }
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
crate::syntax::string_value!(HostPort, HostPort::parse, "an address `host:port`");

/// A Prometheus label name in the classic charset, which every Prometheus version accepts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LabelName(String);

impl LabelName {
    fn parse(s: &str) -> Result<Self, String> {
        if !label_name_ok(s, NameValidation::Legacy) {
            Err(format!("invalid label name `{s}`: expected letters, digits and `_`, not starting with a digit"))
        } else if s.starts_with("__") {
            Err(format!("label name `{s}` is reserved: names starting with `__` are Prometheus' own"))
        } else {
            Ok(LabelName(s.to_owned()))
        }
    }
}

impl fmt::Display for LabelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
crate::syntax::string_value!(LabelName, LabelName::parse, "a label name");

/// A name used for containers, networks and volumes: `[a-z0-9][a-z0-9_.-]*`, at most 48 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectName(String);

impl ProjectName {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Checks a project name.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut chars = s.chars();
        let ok = matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c))
            && s.len() <= 48;
        if ok {
            Ok(ProjectName(s.to_owned()))
        } else {
            Err(format!(
                "invalid project name `{s}`: expected lowercase letters, digits, `_`, `.` or `-`, starting with a letter or digit, at most 48 characters"
            ))
        }
    }
}

impl fmt::Display for ProjectName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
crate::syntax::string_value!(ProjectName, ProjectName::parse, "a project name");

/// Alert severity, as routed by Alertmanager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertSeverity {
    /// Pages someone.
    Critical,
    /// Goes to chat.
    Warning,
    /// For dashboards only.
    Info,
}

impl fmt::Display for AlertSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AlertSeverity::Critical => "critical",
            AlertSeverity::Warning => "warning",
            AlertSeverity::Info => "info",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_must_be_pinned() {
        assert!("prom/prometheus:v3.5.0".parse::<Image>().is_ok());
        assert!(format!("localhost:5000/prom@sha256:{}", "0".repeat(64)).parse::<Image>().is_ok());
        assert!("registry:5000/prom/prometheus:v3".parse::<Image>().is_ok());
        assert!("prom/prometheus".parse::<Image>().is_err());
        assert!("registry:5000/prom/prometheus".parse::<Image>().is_err());
        assert!("prom/prometheus:latest".parse::<Image>().unwrap_err().contains("latest"));
        assert!("monstack.local/prometheus:2.42.0".parse::<Image>().is_ok());
        assert!("localhost/x:1".parse::<Image>().is_ok() && "[::1]:5000/x:1".parse::<Image>().is_ok());
        assert!("UPPER/img:1".parse::<Image>().unwrap_err().contains("lowercase"), "uppercase repositories");
        assert!("prom/Prometheus:v3".parse::<Image>().is_err());
        assert!("prom/prometheus:v3!".parse::<Image>().is_err());
        assert!("prom//prometheus:v3".parse::<Image>().is_err());
        assert!("prom/prometheus@sha256:abc".parse::<Image>().is_err(), "a digest is 32+ hex digits");
        assert!(format!("prom/prometheus@sha256:{}", "a".repeat(64)).parse::<Image>().is_ok());
    }

    #[test]
    fn urls_and_addresses() {
        assert!("http://api:3000/health".parse::<HttpUrl>().is_ok());
        assert!("https://user@example.com".parse::<HttpUrl>().is_ok());
        assert!("ftp://x".parse::<HttpUrl>().is_err());
        assert!("http://".parse::<HttpUrl>().is_err());
        assert!("http://a b".parse::<HttpUrl>().is_err());
        assert!("http://api:99999/".parse::<HttpUrl>().is_err());
        assert!("api:3000".parse::<HostPort>().is_ok());
        assert!("[::1]:9090".parse::<HostPort>().is_ok());
        assert!("api".parse::<HostPort>().is_err());
        assert!("api:0".parse::<HostPort>().is_err());
    }

    #[test]
    fn names() {
        assert!("job_name".parse::<LabelName>().is_ok());
        assert!("1abc".parse::<LabelName>().is_err());
        assert!("__name__".parse::<LabelName>().is_err());
        assert!("demo-1".parse::<ProjectName>().is_ok());
        assert!("Demo".parse::<ProjectName>().is_err());
        assert!(Port::parse("65536").is_err());
        assert!("10GB".parse::<Size>().is_ok());
        assert!("10G".parse::<Size>().is_err());
    }
}
