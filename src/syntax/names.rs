//! Label, annotation and metric name rules, in both of Prometheus' validation schemes.

/// Which names are valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum NameValidation {
    /// Any non-empty UTF-8 name (Prometheus 3's default).
    #[default]
    Utf8,
    /// `[a-zA-Z_][a-zA-Z0-9_]*` for labels, plus `:` for metrics (the pre-3.0 scheme).
    Legacy,
}

/// Whether `name` is a valid label name.
pub fn label_name_ok(name: &str, scheme: NameValidation) -> bool {
    match scheme {
        NameValidation::Utf8 => !name.is_empty(),
        NameValidation::Legacy => {
            let mut c = name.chars();
            matches!(c.next(), Some(f) if f.is_ascii_alphabetic() || f == '_')
                && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
        }
    }
}

/// Whether `name` is a valid metric name.
pub fn metric_name_ok(name: &str, scheme: NameValidation) -> bool {
    match scheme {
        NameValidation::Utf8 => !name.is_empty(),
        NameValidation::Legacy => {
            let mut c = name.chars();
            matches!(c.next(), Some(f) if f.is_ascii_alphabetic() || f == '_' || f == ':')
                && c.all(|x| x.is_ascii_alphanumeric() || x == '_' || x == ':')
        }
    }
}

/// Longest DNS-1123 label: namespaces, Services and most objects' names must be one.
pub const DNS1123_LABEL_MAX: usize = 63;

/// Longest DNS-1123 subdomain: what Kubernetes accepts as the name of ConfigMaps, Secrets and
/// custom resources.
pub const DNS1123_SUBDOMAIN_MAX: usize = 253;

/// Why `name` is not a DNS-1123 label (lower-case alphanumerics and `-`, starting and ending with
/// an alphanumeric, at most 63 characters), or `None` when it is one.
pub fn dns1123_label_error(name: &str) -> Option<String> {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if name.is_empty() {
        Some("it is empty".into())
    } else if name.len() > DNS1123_LABEL_MAX {
        Some(format!("it is {} characters long, at most {DNS1123_LABEL_MAX} are allowed", name.len()))
    } else if let Some(c) = name.chars().find(|&c| !ok(c) && c != '-') {
        Some(format!("it holds `{c}`; only lower-case letters, digits and `-` are allowed"))
    } else if !name.starts_with(ok) || !name.ends_with(ok) {
        Some("it must start and end with a lower-case letter or a digit".into())
    } else {
        None
    }
}

/// Why `name` is not a DNS-1123 subdomain (DNS-1123 labels joined by `.`, at most 253
/// characters), or `None` when it is one.
pub fn dns1123_subdomain_error(name: &str) -> Option<String> {
    if name.len() > DNS1123_SUBDOMAIN_MAX {
        return Some(format!("it is {} characters long, at most {DNS1123_SUBDOMAIN_MAX} are allowed", name.len()));
    }
    name.split('.').find_map(|part| dns1123_label_error(part).map(|why| format!("`{part}`: {why}")))
}

/// Why `s` is not the name part of a label key, or `None`.
fn name_part_error(s: &str) -> Option<String> {
    let ok = |c: char| c.is_ascii_alphanumeric();
    if s.len() > 63 {
        Some(format!("it is {} characters long, at most 63 are allowed", s.len()))
    } else if let Some(c) = s.chars().find(|&c| !ok(c) && !"-_.".contains(c)) {
        Some(format!("it holds `{c}`; only letters, digits, `-`, `_` and `.` are allowed"))
    } else if !s.is_empty() && (!s.starts_with(ok) || !s.ends_with(ok)) {
        Some("it must start and end with a letter or a digit".into())
    } else {
        None
    }
}

/// Why `key` is not a Kubernetes label key (`[prefix/]name`, the prefix a DNS-1123 subdomain, the
/// name up to 63 letters, digits, `-`, `_`, `.`, alphanumeric at both ends), or `None`.
pub fn kube_label_key_error(key: &str) -> Option<String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if name.is_empty() {
        return Some("the name part is empty".into());
    }
    prefix.and_then(dns1123_subdomain_error).or_else(|| name_part_error(name))
}

/// Why `value` is not a Kubernetes label value (empty, or as a key's name part), or `None`.
pub fn kube_label_value_error(value: &str) -> Option<String> {
    name_part_error(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert!(label_name_ok("ins-tance", NameValidation::Utf8));
        assert!(!label_name_ok("ins-tance", NameValidation::Legacy));
        assert!(!label_name_ok("", NameValidation::Utf8));
        assert!(metric_name_ok("job:rate5m", NameValidation::Legacy));
        assert!(!metric_name_ok("1abc", NameValidation::Legacy));
    }

    #[test]
    fn dns1123_names() {
        assert_eq!(dns1123_label_error("monitoring"), None);
        assert!(dns1123_label_error("Monitoring").unwrap().contains("`M`"));
        assert!(dns1123_label_error("-a").is_some() && dns1123_label_error("").is_some());
        assert!(dns1123_label_error(&"a".repeat(64)).unwrap().contains("64 characters"));
        assert_eq!(dns1123_subdomain_error("shop-dashboard.node"), None);
        assert!(dns1123_subdomain_error("a..b").is_some());
    }
}
