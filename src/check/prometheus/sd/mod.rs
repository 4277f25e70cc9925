//! Service discovery configs (`prometheus/sd`): every `<kind>_sd_configs` Prometheus knows, with
//! its fields and the checks of its own `UnmarshalYAML`, and `static_configs`.

use std::sync::LazyLock;

mod catalog;
mod cloud;
mod kinds;
mod kubernetes;

use kinds::KINDS;

use super::fields::{list, Fields, Ty};
use super::Ctx;
use crate::check::node::{pos, SourceNode, Tree};
use crate::check::Check;

const L: Ty = Ty::Strs;

static KEYS_LIST: LazyLock<Vec<(&'static str, Ty)>> =
    LazyLock::new(|| KINDS.iter().map(|k| (k.key, Ty::Any)).chain([("static_configs", Ty::Any)]).collect());

/// The keys under which service discovery configs sit in a scrape or Alertmanager config.
pub(super) fn keys() -> Fields {
    &KEYS_LIST
}

/// Checks every service discovery config of `owner` (a scrape or Alertmanager config); static
/// targets must not be URLs unless relabelling may rewrite them (`check_targets` false).
pub(super) fn check_all(owner: &Tree, check_targets: bool, cx: &mut Ctx<'_>) {
    for k in KINDS {
        for item in list(owner.value.get(k.key)) {
            if matches!(item.value, SourceNode::Null) {
                cx.err(Check::PrometheusSd, Some(pos(item)), format!("empty or null section in {}", k.key));
                continue;
            }
            if cx.fields(item, &[k.fields], k.http, k.type_name) {
                if k.http {
                    cx.http(item);
                }
                (k.check)(&mut Sd { at: item, cx });
            }
        }
    }
    for group in list(owner.value.get("static_configs")) {
        if matches!(group.value, SourceNode::Null) {
            cx.err(Check::PrometheusSd, Some(pos(group)), "empty or null section in static_configs");
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
                    cx.err(Check::PrometheusSd, Some(pos(t)), format!("{target} is not a valid hostname"))
                        .help("targets are `host:port`; set the scheme and path with `scheme` and `metrics_path`");
                }
            }
        }
    }
}

/// One discovery config before its kind's own checks, which report at the config unless they
/// say where.
struct Sd<'a, 'c> {
    at: &'a Tree,
    cx: &'a mut Ctx<'c>,
}

impl<'a> Sd<'a, '_> {
    /// The config.
    fn n(&self) -> &'a SourceNode {
        &self.at.value
    }

    /// The text of field `key`: empty when absent, null or not a scalar.
    fn text(&self, key: &str) -> String {
        self.at.value.text(key)
    }

    /// Reports `message` at the config.
    fn err(&mut self, message: impl Into<String>) {
        self.cx.err(Check::PrometheusSd, Some(pos(self.at)), message);
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
