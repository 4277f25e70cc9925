//! The smaller sections: `storage` (`prometheus/storage`), `tracing` (`prometheus/tracing`) and
//! `otlp` (`prometheus/otlp`).

use std::collections::BTreeSet;

use super::fields::{base2_bytes, boolean, list, number, Fields, Ty};
use super::{remote, Ctx};
use crate::check::node::{pos, Tree};
use crate::check::Check;

const STORAGE: Fields = &[("tsdb", Ty::Any), ("exemplars", Ty::Any)];
const TSDB: Fields = &[
    ("out_of_order_time_window", Ty::Dur),
    ("stale_series_compaction_threshold", Ty::Float),
    ("retention", Ty::Any),
    ("chunk_encoding", Ty::Any),
];
const RETENTION: Fields = &[("time", Ty::Dur), ("size", Ty::Size), ("percentage", Ty::Float)];
const TRACING: Fields = &[
    ("client_type", Ty::Str),
    ("endpoint", Ty::Str),
    ("sampling_fraction", Ty::Float),
    ("insecure", Ty::Bool),
    ("tls_config", Ty::Any),
    ("headers", Ty::StrMap),
    ("compression", Ty::Str),
    ("timeout", Ty::Dur),
];
const OTLP: Fields = &[
    ("promote_all_resource_attributes", Ty::Bool),
    ("promote_resource_attributes", Ty::Strs),
    ("ignore_resource_attributes", Ty::Strs),
    ("translation_strategy", Ty::Str),
    ("keep_identifying_resource_attributes", Ty::Bool),
    ("convert_histograms_to_nhcb", Ty::Bool),
    ("promote_scope_metadata", Ty::Bool),
    ("label_name_underscore_sanitization", Ty::Bool),
    ("label_name_preserve_multiple_underscores", Ty::Bool),
];

pub(super) fn storage(at: Option<&Tree>, cx: &mut Ctx<'_>) {
    let Some(at) = at else { return };
    if !cx.fields(at, &[STORAGE], false, "config.StorageConfig") {
        return;
    }
    if let Some(e) = at.value.get("exemplars") {
        cx.fields(e, &[&[("max_exemplars", Ty::Int)]], false, "config.ExemplarsConfig");
    }
    let Some(tsdb) = at.value.get("tsdb") else { return };
    if !cx.fields(tsdb, &[TSDB], false, "config.plain") {
        return;
    }
    if let Some(r) = tsdb.value.get("retention") {
        if cx.fields(r, &[RETENTION], false, "config.TSDBRetentionConfig") {
            let size = r.value.get("size").and_then(|s| s.value.as_str()).and_then(|s| base2_bytes(&s).ok());
            if size.is_some_and(|s| s < 0.0) {
                cx.err(
                    Check::PrometheusStorage,
                    r.value.get("size").map(pos),
                    "'storage.tsdb.retention.size' must be greater than or equal to 0",
                );
            }
            if number(&r.value, "percentage").is_some_and(|p| !(0.0..=100.0).contains(&p)) {
                cx.err(
                    Check::PrometheusStorage,
                    r.value.get("percentage").map(pos),
                    "'storage.tsdb.retention.percentage' must be in the range [0, 100]",
                );
            }
        }
    }
    if let Some(c) = tsdb.value.get("chunk_encoding") {
        if cx.fields(c, &[&[("floats", Ty::Str)]], false, "config.ChunkEncodingConfig") {
            let floats = c.value.text("floats");
            if !floats.is_empty() && floats != "xor" && floats != "xor2" {
                cx.err(
                    Check::PrometheusStorage,
                    c.value.get("floats").map(pos),
                    format!("'storage.tsdb.chunk_encoding.floats' must be 'xor' or 'xor2', or the field must be omitted entirely, got {floats:?}"),
                );
            }
        }
    }
}

pub(super) fn tracing(at: Option<&Tree>, cx: &mut Ctx<'_>) {
    let Some(at) = at else { return };
    if !cx.fields(at, &[TRACING], false, "config.plain") {
        return;
    }
    let n = &at.value;
    remote::headers(n.get("headers"), "custom authorization header configuration is not yet supported", cx);
    if n.text("endpoint").is_empty() {
        cx.err(Check::PrometheusTracing, Some(pos(at)), "tracing endpoint must be set");
    }
    let compression = n.text("compression");
    if !compression.is_empty() && compression != "gzip" {
        cx.err(
            Check::PrometheusTracing,
            n.get("compression").map(pos),
            format!("invalid compression type {compression} provided, valid options: gzip"),
        );
    }
    let client = n.text("client_type");
    if n.get("client_type").is_some() && client != "http" && client != "grpc" {
        cx.err(
            Check::PrometheusTracing,
            n.get("client_type").map(pos),
            format!("expected tracing client type to be to be http or grpc, but got {client}"),
        );
    }
    if let Some(t) = n.get("tls_config") {
        crate::check::httpconfig::tls(t, cx.sink);
    }
}

pub(super) fn otlp(at: Option<&Tree>, legacy: bool, cx: &mut Ctx<'_>) {
    let Some(at) = at else { return };
    if !cx.fields(at, &[OTLP], false, "config.plain") {
        return;
    }
    let n = &at.value;
    let strategy = n.text("translation_strategy");
    match strategy.as_str() {
        "" | "UnderscoreEscapingWithSuffixes" | "UnderscoreEscapingWithoutSuffixes" => {}
        "NoTranslation" | "NoUTF8EscapingWithSuffixes" if legacy => {
            cx.err(
                Check::PrometheusOtlp,
                n.get("translation_strategy").map(pos),
                format!("OTLP translation strategy {strategy:?} is not allowed when UTF8 is disabled"),
            );
        }
        "NoTranslation" | "NoUTF8EscapingWithSuffixes" => {}
        _ => {
            cx.err(
                Check::PrometheusOtlp,
                n.get("translation_strategy").map(pos),
                format!("unsupported OTLP translation strategy {strategy:?}"),
            );
        }
    }
    let all = boolean(n, "promote_all_resource_attributes").unwrap_or(false);
    let promote = list(n.get("promote_resource_attributes"));
    let ignore = list(n.get("ignore_resource_attributes"));
    if all && !promote.is_empty() {
        cx.err(
            Check::PrometheusOtlp,
            Some(pos(at)),
            "'promote_all_resource_attributes' and 'promote_resource_attributes' cannot be configured simultaneously",
        );
    } else if !all && !ignore.is_empty() {
        cx.err(
            Check::PrometheusOtlp,
            Some(pos(at)),
            "'ignore_resource_attributes' cannot be configured unless 'promote_all_resource_attributes' is true",
        );
    }
    let (items, field, adjective) = if all {
        (ignore, "ignore_resource_attributes", "ignored")
    } else {
        (promote, "promote_resource_attributes", "promoted")
    };
    let mut seen = BTreeSet::new();
    for a in items {
        let attr = a.value.as_str().unwrap_or_default().trim().to_owned();
        if attr.is_empty() {
            cx.err(
                Check::PrometheusOtlp,
                Some(pos(a)),
                format!("invalid '{field}': empty {adjective} OTel resource attribute"),
            );
        } else if !seen.insert(attr.clone()) {
            cx.err(
                Check::PrometheusOtlp,
                Some(pos(a)),
                format!("invalid '{field}': duplicated {adjective} OTel resource attribute {attr:?}"),
            );
        }
    }
}
