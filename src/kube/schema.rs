//! The Prometheus Operator's custom resources checked against their CRDs' OpenAPI v3 schemas, as
//! the API server would (with `kubectl apply --server-side`, whose field validation is strict).
//!
//! A validator of our own rather than a JSON-schema crate: structural schemas use a small part of
//! JSON schema, and ours reports at the manifest's line:col with the path the API server names.
//! The keywords read are those the operator's CRDs use (`scripts/vendor-crds` keeps only these):
//! `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `pattern`, `format`
//! (`int32`, `int64`, `date-time`), `minimum`/`maximum`, `minLength`/`maxLength`,
//! `minItems`/`maxItems`, `anyOf`, `nullable`, `x-kubernetes-int-or-string`,
//! `x-kubernetes-preserve-unknown-fields`. CEL rules (`x-kubernetes-validations`, 8 in all) are
//! not evaluated.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use crate::check::node::{pos, SourceNode, Tree};
use crate::check::{Check, Sink};
use crate::diag::{nearest, Pos};

/// One vendored CRD: the `apiVersion` its objects carry, its kind, its schema.
#[derive(Debug)]
pub struct Crd {
    /// `group/version` of the served storage version.
    pub api_version: String,
    /// The kind, e.g. `PrometheusRule`.
    pub kind: String,
    schema: Value,
}

/// The CRDs' schemas, with the subschemas they repeat stored once (`{"$r": i}` names the i-th
/// of `shared`): see `scripts/vendor-crds`.
const VENDORED: &str = include_str!("crds/schemas.json");

struct Vendored {
    crds: Vec<Crd>,
    shared: Vec<Value>,
}

fn vendored() -> &'static Vendored {
    static VENDORED_SCHEMAS: OnceLock<Vendored> = OnceLock::new();
    VENDORED_SCHEMAS.get_or_init(|| {
        let mut v: Value = serde_json::from_str(VENDORED).expect("vendored CRD schemas are JSON");
        let crds = v["crds"]
            .as_array_mut()
            .map(|list| {
                list.iter_mut()
                    .map(|c| Crd {
                        api_version: c["apiVersion"].as_str().unwrap_or_default().to_owned(),
                        kind: c["kind"].as_str().unwrap_or_default().to_owned(),
                        schema: c["schema"].take(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let shared = match v["shared"].take() {
            Value::Array(items) => items,
            _ => Vec::new(),
        };
        Vendored { crds, shared }
    })
}

/// The vendored CRDs, parsed once.
pub fn crds() -> &'static [Crd] {
    &vendored().crds
}

/// `schema` itself, or the shared subschema it refers to.
fn resolve(schema: &Value) -> &Value {
    match schema.get("$r").and_then(Value::as_u64) {
        Some(i) => vendored().shared.get(i as usize).unwrap_or(schema),
        None => schema,
    }
}

/// The CRD of `kind`, if monstack vendors it.
pub fn crd(kind: &str) -> Option<&'static Crd> {
    crds().iter().find(|c| c.kind == kind)
}

/// Validates the object `doc` against `crd`'s schema; every violation is a `kube/schema` error.
pub fn validate(crd: &Crd, doc: &Tree, sink: &mut Sink) {
    let api = doc.value.text("apiVersion");
    if let Some(v) = doc.value.get("apiVersion").filter(|_| api != crd.api_version) {
        sink.error(
            Check::KubeSchema,
            Some(pos(v)),
            format!("apiVersion `{api}` is not served for kind {}: expected `{}`", crd.kind, crd.api_version),
        )
        .help("monstack checks against the Prometheus Operator v0.93.0 CRDs");
    }
    let mut v = Validator { sink };
    v.node(&crd.schema, doc, "", pos(doc));
}

struct Validator<'a> {
    sink: &'a mut Sink,
}

fn keyword<'v>(schema: &'v Value, key: &str) -> Option<&'v Value> {
    schema.get(key)
}

impl Validator<'_> {
    fn fail(&mut self, at: Pos, path: &str, message: String, help: Option<String>) {
        let shown = if path.is_empty() { "the object".to_owned() } else { format!("`{path}`") };
        let p = self.sink.error(Check::KubeSchema, Some(at), format!("{shown}: {message}"));
        if let Some(h) = help {
            p.help(h);
        }
    }

    fn node(&mut self, schema: &Value, node: &Tree, path: &str, at: Pos) {
        let schema = resolve(schema);
        let at = if node.at.line == 0 { at } else { node.at };
        if matches!(node.value, SourceNode::Null) {
            // A null is dropped by the API server for fields that are not nullable: as absent.
            return;
        }
        let int_or_string = keyword(schema, "x-kubernetes-int-or-string").and_then(Value::as_bool) == Some(true);
        if let Some(alts) = keyword(schema, "anyOf").and_then(Value::as_array).filter(|_| !int_or_string) {
            let ok = alts.iter().any(|alt| {
                let mut probe = Sink::new("");
                Validator { sink: &mut probe }.node(alt, node, path, at);
                probe.problems.is_empty()
            });
            if !ok {
                self.fail(at, path, "matches none of the allowed forms".into(), None);
                return;
            }
        }
        let ty = keyword(schema, "type").and_then(Value::as_str);
        let found = &node.value;
        let type_ok = match (ty, found) {
            _ if int_or_string => is_integer(found) || matches!(found, SourceNode::Str(_)),
            (None, _) => true,
            (Some("object"), SourceNode::Map(_)) | (Some("array"), SourceNode::Seq(_)) => true,
            (Some("string"), SourceNode::Str(_)) | (Some("boolean"), SourceNode::Bool(_)) => true,
            (Some("number"), SourceNode::Number(_)) => true,
            (Some("integer"), n) => is_integer(n),
            _ => false,
        };
        if !type_ok {
            let expected = if int_or_string { "an integer or a string" } else { type_name(ty.unwrap_or("")) };
            let help = match found {
                SourceNode::Number(_) | SourceNode::Bool(_) if ty == Some("string") => {
                    Some("quote it: Kubernetes does not turn numbers or booleans into strings".to_owned())
                }
                _ => None,
            };
            self.fail(at, path, format!("expected {expected}, found {}", found.kind()), help);
            return;
        }
        match found {
            SourceNode::Map(entries) => self.object(schema, entries, path, at),
            SourceNode::Seq(items) => self.array(schema, items, path, at),
            SourceNode::Str(s) => self.string(schema, s, path, at),
            SourceNode::Number(n) => self.number(schema, *n, path, at),
            _ => {}
        }
        if let Some(allowed) = keyword(schema, "enum").and_then(Value::as_array) {
            let value = found.as_str().unwrap_or_default();
            let hit = allowed.iter().any(|a| match a {
                Value::String(s) => matches!(found, SourceNode::Str(v) if v == s),
                Value::Bool(b) => matches!(found, SourceNode::Bool(v) if v == b),
                Value::Number(n) => matches!(found, SourceNode::Number(v) if n.as_f64() == Some(*v)),
                _ => false,
            });
            if !hit {
                let names: Vec<String> =
                    allowed.iter().map(|a| a.as_str().map_or(a.to_string(), str::to_owned)).collect();
                let help = nearest(&value, names.iter().map(String::as_str)).map(|n| format!("did you mean `{n}`?"));
                self.fail(at, path, format!("unsupported value `{value}`: expected one of {}", names.join(", ")), help);
            }
        }
    }

    fn object(&mut self, schema: &Value, entries: &[(crate::check::node::Located<String>, Tree)], path: &str, at: Pos) {
        // A `properties` map the CRDs repeat is shared too.
        let props = keyword(schema, "properties").map(resolve).and_then(Value::as_object);
        let extra = keyword(schema, "additionalProperties");
        let preserve = keyword(schema, "x-kubernetes-preserve-unknown-fields").and_then(Value::as_bool) == Some(true);
        let mut seen = Vec::new();
        for (k, v) in entries {
            let child = join(path, &k.value);
            seen.push(k.value.as_str());
            if let Some(sub) = props.and_then(|p| p.get(&k.value)) {
                self.node(sub, v, &child, pos(k));
            } else if let Some(sub) = extra.filter(|e| e.is_object()) {
                self.node(sub, v, &child, pos(k));
            } else if preserve || extra == Some(&Value::Bool(true)) || (props.is_none() && extra.is_none()) {
                // Free-form: `metadata` in the CRDs, preserved fields.
            } else {
                let known: Vec<&str> = props.map(|p| p.keys().map(String::as_str).collect()).unwrap_or_default();
                let help = match nearest(&k.value, known.iter().copied()) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => format!("valid fields here: {}", list(&known)),
                };
                self.fail(pos(k), &child, "unknown field".into(), Some(help));
            }
        }
        if let Some(required) = keyword(schema, "required").and_then(Value::as_array) {
            for r in required.iter().filter_map(Value::as_str) {
                let present = entries.iter().any(|(k, v)| k.value == r && !matches!(v.value, SourceNode::Null));
                if !present {
                    self.fail(at, &join(path, r), "Required value".into(), None);
                }
            }
        }
    }

    fn array(&mut self, schema: &Value, items: &[Tree], path: &str, at: Pos) {
        let count = items.len() as u64;
        if let Some(min) = keyword(schema, "minItems").and_then(Value::as_u64).filter(|m| count < *m) {
            self.fail(at, path, format!("should have at least {min} item(s), has {count}"), None);
        }
        if let Some(max) = keyword(schema, "maxItems").and_then(Value::as_u64).filter(|m| count > *m) {
            self.fail(at, path, format!("should have at most {max} item(s), has {count}"), None);
        }
        if let Some(sub) = keyword(schema, "items") {
            for (i, item) in items.iter().enumerate() {
                self.node(sub, item, &format!("{path}[{i}]"), at);
            }
        }
    }

    fn string(&mut self, schema: &Value, s: &str, path: &str, at: Pos) {
        let len = s.chars().count() as u64;
        if let Some(min) = keyword(schema, "minLength").and_then(Value::as_u64).filter(|m| len < *m) {
            let what = if min == 1 {
                "should not be empty".to_owned()
            } else {
                format!("should be at least {min} characters long")
            };
            self.fail(at, path, what, None);
        }
        if let Some(max) = keyword(schema, "maxLength").and_then(Value::as_u64).filter(|m| len > *m) {
            self.fail(at, path, format!("should be at most {max} characters long, is {len}"), None);
        }
        if let Some(pattern) = keyword(schema, "pattern").and_then(Value::as_str) {
            if matches_pattern(pattern, s) == Some(false) {
                self.fail(at, path, format!("`{s}` does not match the pattern `{pattern}`"), None);
            }
        }
        if keyword(schema, "format").and_then(Value::as_str) == Some("date-time") && !date_time_ok(s) {
            self.fail(at, path, format!("`{s}` is not an RFC 3339 date-time"), None);
        }
    }

    fn number(&mut self, schema: &Value, n: f64, path: &str, at: Pos) {
        let range = match keyword(schema, "format").and_then(Value::as_str) {
            Some("int32") => Some((f64::from(i32::MIN), f64::from(i32::MAX))),
            Some("int64") => Some((i64::MIN as f64, i64::MAX as f64)),
            _ => None,
        };
        if let Some((lo, hi)) = range.filter(|(lo, hi)| n < *lo || n > *hi) {
            self.fail(at, path, format!("{n} is out of range ({lo} to {hi})"), None);
        }
        if let Some(min) = keyword(schema, "minimum").and_then(Value::as_f64).filter(|m| n < *m) {
            self.fail(at, path, format!("should be at least {min}, is {n}"), None);
        }
        if let Some(max) = keyword(schema, "maximum").and_then(Value::as_f64).filter(|m| n > *m) {
            self.fail(at, path, format!("should be at most {max}, is {n}"), None);
        }
    }
}

fn is_integer(node: &SourceNode) -> bool {
    matches!(node, SourceNode::Number(n) if n.fract() == 0.0 && n.is_finite())
}

fn type_name(ty: &str) -> &'static str {
    match ty {
        "object" => "a mapping",
        "array" => "a list",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean",
        _ => "another type",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn list(names: &[&str]) -> String {
    let mut shown: Vec<String> = names.iter().take(12).map(|n| format!("`{n}`")).collect();
    if names.len() > 12 {
        shown.push("…".into());
    }
    shown.join(", ")
}

/// Whether `s` matches `pattern` somewhere (JSON schema patterns are not anchored); `None` when
/// the pattern is not one Rust's regex engine reads, so it is not held against the value.
fn matches_pattern(pattern: &str, s: &str) -> Option<bool> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<regex::Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    let mut cache = cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let re = cache.entry(pattern.to_owned()).or_insert_with(|| regex::Regex::new(pattern).ok());
    re.as_ref().map(|re| re.is_match(s))
}

/// RFC 3339 as Kubernetes reads `date-time`: `2026-11-25T10:00:00Z`, fractions and offsets.
fn date_time_ok(s: &str) -> bool {
    let re = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$";
    matches_pattern(re, s) == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        let doc = crate::check::node::parse(text).unwrap();
        let kind = doc.value.text("kind");
        let mut sink = Sink::new("x.yaml");
        validate(crd(&kind).unwrap(), &doc, &mut sink);
        sink.problems
            .iter()
            .map(|p| format!("{}:{}: {}", p.pos.unwrap().line, p.pos.unwrap().column, p.message))
            .collect()
    }

    #[test]
    fn every_vendored_crd_loads() {
        let shared = &vendored().shared;
        assert!(shared.len() > 100 && shared.iter().all(|s| s.get("$r").is_none()), "shared subschemas are not refs");
        let kinds: Vec<&str> = crds().iter().map(|c| c.kind.as_str()).collect();
        assert_eq!(kinds.len(), 8, "{kinds:?}");
        assert!(crds()
            .iter()
            .all(|c| c.schema.get("properties").is_some() && c.api_version.starts_with("monitoring.coreos.com/")));
    }

    #[test]
    fn a_valid_object_passes_and_wrong_ones_are_placed() {
        let ok = "apiVersion: monitoring.coreos.com/v1\nkind: Probe\nmetadata: {name: p}\nspec:\n  module: http_2xx\n  interval: 30s\n  prober: {url: 'bb:9115'}\n";
        assert_eq!(errors(ok), Vec::<String>::new());
        let bad = "apiVersion: monitoring.coreos.com/v1\nkind: Probe\nmetadata: {name: p}\nspec:\n  modul: http_2xx\n  interval: 30 seconds\n  prober: {url: 'bb:9115', scheme: ftp}\n";
        let got = errors(bad);
        assert!(got.iter().any(|e| e.starts_with("5:3: `spec.modul`: unknown field")), "{got:?}");
        assert!(got.iter().any(|e| e.starts_with("6:13: `spec.interval`: `30 seconds` does not match")), "{got:?}");
        assert!(got.iter().any(|e| e.contains("`spec.prober.scheme`: unsupported value `ftp`")), "{got:?}");
        let typed = "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: p}\nspec:\n  replicas: two\n  externalLabels: {a: 1}\n";
        let got = errors(typed);
        assert!(got.iter().any(|e| e == "5:13: `spec.replicas`: expected an integer, found a string"), "{got:?}");
        assert!(got.iter().any(|e| e == "6:23: `spec.externalLabels.a`: expected a string, found a number"), "{got:?}");
        let required = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: p}\nspec:\n  groups:\n  - rules: []\n";
        assert!(errors(required).iter().any(|e| e.contains("`spec.groups[0].name`: Required value")));
        // Through shared subschemas (TLS configs, relabelings are stored once).
        let deep = "apiVersion: monitoring.coreos.com/v1alpha1\nkind: ScrapeConfig\nmetadata: {name: s}\nspec:\n  tlsConfig: {insecureSkipVerifyy: true}\n  relabelings: [{action: keepp}]\n  staticConfigs: [{targets: []}]\n";
        let got = errors(deep);
        assert!(got.iter().any(|e| e.contains("`spec.tlsConfig.insecureSkipVerifyy`: unknown field")), "{got:?}");
        assert!(got.iter().any(|e| e.contains("`spec.relabelings[0].action`: unsupported value `keepp`")), "{got:?}");
        assert!(
            got.iter().any(|e| e.contains("`spec.staticConfigs[0].targets`: should have at least 1 item")),
            "{got:?}"
        );
        let version = "apiVersion: monitoring.coreos.com/v1\nkind: ScrapeConfig\nmetadata: {name: p}\n";
        assert!(errors(version)[0].contains("expected `monitoring.coreos.com/v1alpha1`"));
    }
}
