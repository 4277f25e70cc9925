//! Prometheus server configs, with the parity of Prometheus' own `config.Load` (and so of
//! `promtool check config`): known fields and their types (`prometheus/field`), globals
//! (`prometheus/global`), rule and scrape config file patterns (`prometheus/files`), scrape configs
//! (`prometheus/scrape`), relabel configs (`prometheus/relabel`), every service discovery kind
//! upstream tests (`prometheus/sd`), the shared HTTP client config (`http/*`), alerting
//! (`prometheus/alerting`), remote write and read (`prometheus/remote`), storage
//! (`prometheus/storage`), tracing (`prometheus/tracing`) and OTLP (`prometheus/otlp`).
//! Referenced files must exist unless `--syntax-only` (`prometheus/file`).

use std::collections::BTreeMap;
use std::path::Path;

mod fields;
mod files;
mod relabel;
mod remote;
mod scrape;
mod sd;
mod sections;

use fields::{list, Fields, Ty};

use super::node::{self, pos, SourceNode, Tree};
use super::problem::{Problem, Sink};
use crate::check::Check;
use crate::diag::Pos;
use crate::syntax::names::{label_name_ok, NameValidation};

const TOP: Fields = &[
    ("global", Ty::Any),
    ("runtime", Ty::Any),
    ("alerting", Ty::Any),
    ("rule_files", Ty::Strs),
    ("scrape_config_files", Ty::Strs),
    ("scrape_configs", Ty::Any),
    ("storage", Ty::Any),
    ("tracing", Ty::Any),
    ("remote_write", Ty::Any),
    ("remote_read", Ty::Any),
    ("otlp", Ty::Any),
];

const GLOBAL: Fields = &[
    ("evaluation_interval", Ty::Dur),
    ("rule_query_offset", Ty::Dur),
    ("query_log_file", Ty::Str),
    ("external_labels", Ty::StrMap),
];

/// What `global` and each scrape config share: limits, name schemes, histogram handling.
const SCRAPE_SHARED: Fields = &[
    ("body_size_limit", Ty::Size),
    ("sample_limit", Ty::UInt),
    ("target_limit", Ty::UInt),
    ("label_limit", Ty::UInt),
    ("label_name_length_limit", Ty::UInt),
    ("label_value_length_limit", Ty::UInt),
    ("keep_dropped_targets", Ty::UInt),
    ("metric_name_validation_scheme", Ty::Str),
    ("metric_name_escaping_scheme", Ty::Str),
    ("scrape_native_histograms", Ty::Bool),
    ("convert_classic_histograms_to_nhcb", Ty::Bool),
    ("always_scrape_classic_histograms", Ty::Bool),
    ("extra_scrape_metrics", Ty::Bool),
    ("scrape_interval", Ty::Dur),
    ("scrape_timeout", Ty::Dur),
    ("scrape_protocols", Ty::Strs),
    ("scrape_failure_log_file", Ty::Str),
];

/// What scrape configs inherit from `global`.
pub(super) struct Global {
    interval: u64,
    timeout: u64,
    protocols: bool,
    legacy: bool,
    escaping: String,
}

pub(super) struct Ctx<'a> {
    sink: &'a mut Sink,
    syntax_only: bool,
    dir: &'a Path,
    /// The config's name validation scheme (`global.metric_name_validation_scheme`).
    names: NameValidation,
}

impl Ctx<'_> {
    pub(super) fn err(&mut self, check: Check, at: Option<Pos>, message: impl Into<String>) -> &mut Problem {
        self.sink.error(check, at, message)
    }

    pub(super) fn warn(&mut self, check: Check, at: Option<Pos>, message: impl Into<String>) -> &mut Problem {
        self.sink.warning(check, at, message)
    }

    /// Checks an inlined HTTP client config: its rules, and that the files it names exist.
    pub(super) fn http(&mut self, at: &Tree) {
        super::httpconfig::validate(at, self.sink);
        let n = &at.value;
        self.file_exists(n.get("bearer_token_file"), "bearer token file");
        let nested = [
            ("basic_auth", &["username_file", "password_file"][..]),
            ("authorization", &["credentials_file"]),
            ("oauth2", &["client_secret_file", "client_id_file"]),
            ("tls_config", &["ca_file", "cert_file", "key_file"]),
        ];
        for (section, keys) in nested {
            if let Some(s) = n.get(section) {
                for key in keys {
                    self.file_exists(s.value.get(key), &format!("{section} {key}"));
                }
            }
        }
    }

    /// Checks a label set (`external_labels`, static `labels`, `required_matchers`).
    pub(super) fn labels(&mut self, at: Option<&Tree>, names: NameValidation) {
        let Some(SourceNode::Map(entries)) = at.map(|a| &a.value) else { return };
        for (k, _) in entries {
            if !label_name_ok(&k.value, names) {
                self.err(Check::PrometheusLabels, Some(pos(k)), format!("{:?} is not a valid label name", k.value));
            }
        }
    }
}

/// Checks the Prometheus config `file` whose text is `source`; returns its tree if it parses.
pub fn check(file: &Path, source: &str, syntax_only: bool, sink: &mut Sink) -> Option<Tree> {
    let doc = node::parse_checked(file, source, sink, yaml_problem)?;
    check_tree(file, &doc, syntax_only, sink);
    Some(doc)
}

fn check_tree(file: &Path, doc: &Tree, syntax_only: bool, sink: &mut Sink) {
    let dir = file.parent().unwrap_or(Path::new("."));
    let d = &doc.value;
    let legacy = d.get("global").is_some_and(|g| g.value.text("metric_name_validation_scheme") == "legacy");
    let names = if legacy { NameValidation::Legacy } else { NameValidation::Utf8 };
    let mut cx = Ctx { sink, syntax_only, dir, names };
    if !cx.fields(doc, &[TOP], false, "config.plain") {
        return;
    }
    let global = check_global(d.get("global"), &mut cx);
    if let Some(r) = d.get("runtime") {
        cx.fields(r, &[&[("gogc", Ty::Int)]], false, "config.RuntimeConfig");
    }
    let mut jobs = BTreeMap::new();
    for sc in list(d.get("scrape_configs")) {
        scrape::check(sc, &global, &mut jobs, "the main config file", &mut cx);
    }
    files::check(d, "rule_files", &global, &mut jobs, &mut cx);
    files::check(d, "scrape_config_files", &global, &mut jobs, &mut cx);
    if let Some(a) = d.get("alerting") {
        scrape::alerting(a, &mut cx);
    }
    remote::check(d, &mut cx);
    sections::storage(d.get("storage"), &mut cx);
    sections::tracing(d.get("tracing"), &mut cx);
    sections::otlp(d.get("otlp"), legacy, &mut cx);
}

fn check_global(at: Option<&Tree>, cx: &mut Ctx<'_>) -> Global {
    let mut g = Global { interval: 60_000, timeout: 10_000, protocols: false, legacy: false, escaping: String::new() };
    let Some(at) = at else { return g };
    if !cx.fields(at, &[GLOBAL, SCRAPE_SHARED], false, "config.plain") {
        return g;
    }
    let n = &at.value;
    let scheme = n.get("metric_name_validation_scheme");
    match n.text("metric_name_validation_scheme").as_str() {
        "" | "utf8" => {}
        "legacy" => g.legacy = true,
        other => {
            cx.err(Check::PrometheusGlobal, scheme.map(pos), format!("unrecognized ValidationScheme: {other:?}"))
                .help("use `utf8` or `legacy`");
        }
    }
    g.escaping = n.text("metric_name_escaping_scheme");
    cx.labels(n.get("external_labels"), cx.names);
    let interval = fields::millis(n, "scrape_interval").filter(|ms| *ms > 0).unwrap_or(60_000);
    let timeout = fields::millis(n, "scrape_timeout").unwrap_or(0);
    if timeout > interval {
        cx.err(
            Check::PrometheusGlobal,
            n.get("scrape_timeout").map(pos),
            "global scrape timeout greater than scrape interval",
        );
    }
    g.interval = interval;
    g.timeout = if timeout == 0 { interval.min(10_000) } else { timeout };
    if let Some(p) = n.get("scrape_protocols").filter(|p| !matches!(p.value, SourceNode::Null)) {
        g.protocols = true;
        if let Some(e) = scrape::protocols_error(p) {
            cx.err(Check::PrometheusGlobal, Some(pos(p)), format!("{e} for global config"));
        }
    }
    g
}

/// Reports a YAML error in the words of Prometheus' decoder where they differ.
pub(super) fn yaml_problem(file: &Path, source: &str, err: &serde_saphyr::Error, sink: &mut Sink) {
    let d = crate::syntax::yaml::error(file, source, err);
    let message = if let Some(key) = crate::syntax::yaml::duplicate_key(err) {
        let in_type = if d.pos.is_some_and(|p| p.column == 1) { " in type config.plain" } else { "" };
        format!("field {key} already set{in_type}")
    } else if d.message.contains("invalid !!binary base64") {
        "!!binary value contains invalid base64 data".to_owned()
    } else if d.message.contains("!!binary scalar is not valid UTF-8") {
        binary_label(source, d.pos)
    } else {
        d.message
    };
    sink.error(Check::YamlSyntax, d.pos, message);
}

/// A `!!binary` scalar that is not UTF-8 can only be meant as a label name or value: say which,
/// with its bytes escaped as Prometheus prints them.
fn binary_label(source: &str, at: Option<Pos>) -> String {
    let line = at.and_then(|p| source.lines().nth(p.line.saturating_sub(1) as usize).map(|l| (l, p.column)));
    let (scalar, is_key) = match line {
        Some((l, col)) => {
            let rest: String = l.chars().skip(col.saturating_sub(1) as usize).collect();
            let quoted = rest.trim_start().strip_prefix('"').and_then(|r| r.split_once('"'));
            match quoted {
                Some((inner, after)) => (inner.to_owned(), after.trim_start().starts_with(':')),
                None => (rest.split(':').next().unwrap_or("").trim().to_owned(), rest.contains(':')),
            }
        }
        None => (String::new(), false),
    };
    let bytes = decode_base64(&scalar).unwrap_or_default();
    let escaped: String = bytes
        .iter()
        .map(|b| if b.is_ascii_graphic() || *b == b' ' { (*b as char).to_string() } else { format!("\\x{b:02x}") })
        .collect();
    format!("{escaped} is not a valid label {}: names and values must be UTF-8", if is_key { "name" } else { "value" })
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        let mut sink = Sink::new("prometheus.yml");
        check(Path::new("prometheus.yml"), text, true, &mut sink);
        sink.problems.into_iter().map(|p| format!("{}: {}", p.check, p.message)).collect()
    }

    #[test]
    fn rule_paths() {
        assert!(files::pattern_ok("rules/*.yml"));
        assert!(files::pattern_ok("/abs/x.rules"));
        assert!(!files::pattern_ok("my/*/rule"));
    }

    #[test]
    fn binary_labels_are_named() {
        let p = problems("global:\n  external_labels:\n    !!binary \"/w==\": value\n");
        assert!(p[0].contains("\\xff is not a valid label name"), "{p:?}");
        let p = problems("global:\n  external_labels:\n    name: !!binary \"/w==\"\n");
        assert!(p[0].contains("\\xff is not a valid label value"), "{p:?}");
    }

    #[test]
    fn empty_and_minimal_configs_are_valid() {
        assert!(problems("").is_empty());
        assert!(problems("global:\n").is_empty());
        assert!(problems("scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['x:1']}]\n").is_empty());
    }

    #[test]
    fn unknown_fields_and_types() {
        let p = problems("global:\n  scrape_intervall: 1m\n");
        assert_eq!(p, ["prometheus/field: field scrape_intervall not found in type config.plain"]);
        let p = problems("global:\n  sample_limit: lots\n");
        assert!(p[0].contains("cannot unmarshal !!str into uint"), "{p:?}");
    }
}
