//! Scrape configs (`prometheus/scrape`) and the alerting section (`prometheus/alerting`): both
//! inline the HTTP client config and the service discovery configs.

use std::collections::{BTreeMap, BTreeSet};

use super::fields::{list, millis, Fields, Ty};
use super::{relabel, sd, Ctx, Global};
use crate::check::node::{pos, SourceNode, Tree};
use crate::check::Check;
use crate::syntax::names::NameValidation;

const SCRAPE: Fields = &[
    ("job_name", Ty::Str),
    ("honor_labels", Ty::Bool),
    ("honor_timestamps", Ty::Bool),
    ("track_timestamps_staleness", Ty::Bool),
    ("params", Ty::Any),
    ("fallback_scrape_protocol", Ty::Str),
    ("metrics_path", Ty::Str),
    ("scheme", Ty::Str),
    ("enable_compression", Ty::Bool),
    ("native_histogram_bucket_limit", Ty::UInt),
    ("native_histogram_min_bucket_factor", Ty::Float),
    ("relabel_configs", Ty::Any),
    ("metric_relabel_configs", Ty::Any),
];

const ALERTING: Fields = &[("alert_relabel_configs", Ty::Any), ("alertmanagers", Ty::Any)];

const ALERTMANAGER: Fields = &[
    ("sigv4", Ty::Any),
    ("scheme", Ty::Str),
    ("path_prefix", Ty::Str),
    ("timeout", Ty::Dur),
    ("api_version", Ty::Str),
    ("relabel_configs", Ty::Any),
    ("alert_relabel_configs", Ty::Any),
];

const PROTOCOLS: [&str; 5] =
    ["OpenMetricsText0.0.1", "OpenMetricsText1.0.0", "PrometheusProto", "PrometheusText0.0.4", "PrometheusText1.0.0"];

const ESCAPING: [&str; 4] = ["allow-utf-8", "underscores", "dots", "values"];

fn protocol_error(p: &str) -> Option<String> {
    (!PROTOCOLS.contains(&p)).then(|| format!("unknown scrape protocol {p}, supported: [{}]", PROTOCOLS.join(" ")))
}

/// What is wrong with a `scrape_protocols` list, in Prometheus' words.
pub(super) fn protocols_error(at: &Tree) -> Option<String> {
    let items: Vec<String> = list(Some(at)).iter().filter_map(|i| i.value.as_str()).collect();
    if items.is_empty() {
        return Some("scrape_protocols cannot be empty".to_owned());
    }
    let mut seen = BTreeSet::new();
    for p in &items {
        if !seen.insert(p.to_lowercase()) {
            return Some(format!("duplicated protocol in scrape_protocols, got [{}]", items.join(" ")));
        }
        if let Some(e) = protocol_error(p) {
            return Some(format!("scrape_protocols: {e}"));
        }
    }
    None
}

/// Checks one entry of `scrape_configs` from `origin` (for messages about repeated job names).
pub(super) fn check(at: &Tree, global: &Global, jobs: &mut BTreeMap<String, String>, origin: &str, cx: &mut Ctx<'_>) {
    if matches!(at.value, SourceNode::Null) {
        cx.err(Check::PrometheusScrape, Some(pos(at)), "empty or null scrape config section");
        return;
    }
    if !cx.fields(at, &[SCRAPE, super::SCRAPE_SHARED, sd::keys()], true, "config.ScrapeConfig") {
        return;
    }
    let n = &at.value;
    let here = Some(pos(at));
    let job = n.text("job_name");
    if job.is_empty() {
        cx.err(Check::PrometheusScrape, here, "job_name is empty").help("every scrape config needs a `job_name`");
    } else if let Some(first) = jobs.get(&job) {
        cx.err(
            Check::PrometheusScrape,
            n.get("job_name").map(pos),
            format!("found multiple scrape configs with job name {job:?}, first found in {first}"),
        )
        .help("job names must be unique across the config and its scrape config files");
    } else {
        jobs.insert(job.clone(), origin.to_owned());
    }
    cx.http(at);
    let relabels = list(n.get("relabel_configs"));
    sd::check_all(at, relabels.is_empty(), cx);

    let interval = millis(n, "scrape_interval").filter(|ms| *ms > 0).unwrap_or(global.interval);
    let timeout = millis(n, "scrape_timeout").unwrap_or(0);
    if timeout > interval {
        cx.err(
            Check::PrometheusScrape,
            n.get("scrape_timeout").map(pos),
            format!("scrape timeout greater than scrape interval for scrape config with job name {job:?}"),
        );
    }
    if let Some(p) = n.get("scrape_protocols").filter(|p| !matches!(p.value, SourceNode::Null)) {
        if let Some(e) = protocols_error(p) {
            cx.err(Check::PrometheusScrape, Some(pos(p)), format!("{e} for scrape config with job name {job:?}"));
        }
    }
    let fallback = n.text("fallback_scrape_protocol");
    if let Some(e) = (!fallback.is_empty()).then(|| protocol_error(&fallback)).flatten() {
        cx.err(
            Check::PrometheusScrape,
            n.get("fallback_scrape_protocol").map(pos),
            format!("invalid fallback_scrape_protocol for scrape config with job name {job:?}: {e}"),
        );
    }
    let local = n.text("metric_name_validation_scheme");
    let legacy = match local.as_str() {
        "" => global.legacy,
        "legacy" => true,
        "utf8" => false,
        other => {
            cx.err(
                Check::PrometheusScrape,
                n.get("metric_name_validation_scheme").map(pos),
                format!("unknown scrape config name validation method specified, must be either '', 'legacy' or 'utf8', got {other}"),
            );
            global.legacy
        }
    };
    escaping(n, global, &local, legacy, &job, cx);
    let names = if legacy { NameValidation::Legacy } else { NameValidation::Utf8 };
    for (key, what) in [("relabel_configs", "target"), ("metric_relabel_configs", "metric")] {
        relabel::check_list(n.get(key), &format!("empty or null {what} relabeling rule in scrape config"), names, cx);
    }
    let scheme = n.text("scheme");
    if !scheme.is_empty() && scheme != "http" && scheme != "https" {
        cx.warn(
            Check::PrometheusScrape,
            n.get("scheme").map(pos),
            format!("scheme {scheme:?} is neither http nor https"),
        )
        .help("Prometheus accepts it, but every scrape of this job will fail");
    }
    let path = n.text("metrics_path");
    if !path.is_empty() && !path.starts_with('/') {
        cx.warn(
            Check::PrometheusScrape,
            n.get("metrics_path").map(pos),
            format!("metrics_path {path:?} does not start with `/`"),
        );
    }
    params(n.get("params"), cx);
}

/// `metric_name_escaping_scheme`, global then local, with Prometheus' defaults between them.
fn escaping(n: &SourceNode, global: &Global, local_validation: &str, legacy: bool, job: &str, cx: &mut Ctx<'_>) {
    let mut global_escaping = global.escaping.clone();
    if global_escaping.is_empty() {
        global_escaping = if global.legacy { "underscores" } else { "allow-utf-8" }.to_owned();
    } else if !ESCAPING.contains(&global_escaping.as_str()) {
        cx.err(
            Check::PrometheusGlobal,
            None,
            format!("unknown global name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got {global_escaping:?}"),
        );
        return;
    }
    let mut local = n.text("metric_name_escaping_scheme");
    if local.is_empty() {
        local = if local_validation.is_empty() {
            global_escaping
        } else if legacy {
            "underscores".to_owned()
        } else {
            "allow-utf-8".to_owned()
        };
    }
    let at = n.get("metric_name_escaping_scheme").or(n.get("job_name")).map(pos);
    if local == "allow-utf-8" && legacy {
        cx.err(Check::PrometheusScrape, at, "utf8 metric names requested but validation scheme is not set to UTF8")
            .help(format!(
                "job {job:?} validates names as `legacy`; escape them with `underscores`, `dots` or `values`"
            ));
    } else if !ESCAPING.contains(&local.as_str()) {
        cx.err(
            Check::PrometheusScrape,
            at,
            format!("unknown scrape config name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got {local:?}"),
        );
    }
}

/// `params` is a mapping of lists of strings (`url.Values`).
fn params(at: Option<&Tree>, cx: &mut Ctx<'_>) {
    let Some(at) = at else { return };
    match &at.value {
        SourceNode::Null => {}
        SourceNode::Map(entries) => {
            for (_, v) in entries {
                let ok = match &v.value {
                    SourceNode::Seq(items) => items.iter().all(|i| i.value.as_str().is_some()),
                    SourceNode::Null => true,
                    _ => false,
                };
                if !ok {
                    cx.err(
                        Check::PrometheusField,
                        Some(pos(v)),
                        "unmarshal errors: cannot unmarshal into []string (field `params`)",
                    );
                }
            }
        }
        _ => {
            cx.err(
                Check::PrometheusField,
                Some(pos(at)),
                "unmarshal errors: cannot unmarshal into url.Values (field `params`)",
            );
        }
    }
}

/// Checks the `alerting` section.
pub(super) fn alerting(at: &Tree, cx: &mut Ctx<'_>) {
    if !cx.fields(at, &[ALERTING], false, "config.plain") {
        return;
    }
    let names = cx.names;
    relabel::check_list(at.value.get("alert_relabel_configs"), "empty or null alert relabeling rule", names, cx);
    for am in list(at.value.get("alertmanagers")) {
        if !cx.fields(am, &[ALERTMANAGER, sd::keys()], true, "config.AlertmanagerConfig") {
            continue;
        }
        let n = &am.value;
        cx.http(am);
        let auth = n.is_set("basic_auth") || n.is_set("authorization") || n.is_set("oauth2");
        if auth && n.is_set("sigv4") {
            cx.err(
                Check::PrometheusAlerting,
                Some(pos(am)),
                "at most one of basic_auth, authorization, oauth2, & sigv4 must be configured",
            );
        }
        if let Some(v) = n.get("api_version").filter(|v| !matches!(v.value, SourceNode::Null)) {
            let version = v.value.as_str().unwrap_or_default();
            if version != "v2" {
                cx.err(
                    Check::PrometheusAlerting,
                    Some(pos(v)),
                    format!("expected Alertmanager api version to be one of [v2] but got {version}"),
                );
            }
        }
        let relabels = list(n.get("relabel_configs"));
        sd::check_all(am, relabels.is_empty(), cx);
        for (key, what) in [("relabel_configs", "target"), ("alert_relabel_configs", "alert")] {
            let message = format!("empty or null Alertmanager {what} relabeling rule");
            relabel::check_list(n.get(key), &message, names, cx);
        }
    }
}
