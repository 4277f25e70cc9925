//! Project cross-checks, over what `render` produces as a whole (project mode only):
//! - `project/route`: every alert, with its labels (and Prometheus' external labels), reaches a
//!   receiver that notifies someone; an alert that only reaches a receiver with no integration
//!   is silently dropped.
//! - `project/metric`: every metric an alert or a dashboard reads is produced by a scrape job
//!   monstack knows the metrics of, or by a recording rule. Skipped when the project scrapes jobs
//!   of its own, whose metrics cannot be known offline.
//!
//! Both are warnings: a `# monstack: ignore project/route <reason>` above an alert silences it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use promql_parser::parser::Expr;

use super::dashboard::promql;
use super::lint::walk;
use super::node::{pos, SourceNode, Tree};
use super::problem::{Problem, Severity};
use crate::check::Check;
use crate::diag::Pos;

/// Series every Prometheus has, whatever it scrapes.
const ALWAYS: [&str; 10] = [
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
    "scrape_timeout_seconds",
    "scrape_sample_limit",
    "scrape_body_size_bytes",
    "ALERTS",
    "ALERTS_FOR_STATE",
];

/// Metric name prefixes of the jobs monstack renders, by job name: the services' own, and the
/// blackbox exporter's `probe_<module>` jobs.
fn job_prefixes(job: &str) -> Option<&'static [&'static str]> {
    match crate::services::by_name(job) {
        Some(service) => Some(service.metrics),
        None if job.starts_with("probe_") => Some(&["probe_"]),
        None => None,
    }
}

/// A checked file's path and parsed tree.
pub type Parsed<'a> = (&'a PathBuf, &'a Tree);

/// The rendered files the cross-checks read, as their own checks parsed them (files that do not
/// parse are left to those checks).
#[derive(Debug, Default)]
pub struct CrossInputs<'a> {
    /// `prometheus.yml`.
    pub prometheus: Option<Parsed<'a>>,
    /// Rule files.
    pub rules: Vec<Parsed<'a>>,
    /// `alertmanager.yml`.
    pub alertmanager: Option<Parsed<'a>>,
    /// Dashboards.
    pub dashboards: Vec<Parsed<'a>>,
}

struct Alert {
    file: PathBuf,
    at: Pos,
    expr_at: Pos,
    name: String,
    labels: BTreeMap<String, String>,
    expr: String,
}

fn warning(check: Check, file: &std::path::Path, at: Pos, message: String, help: String) -> Problem {
    let mut problem = Problem::new(check, Severity::Warning, file, Some(at), message);
    problem.help(help);
    problem
}

fn map(n: &SourceNode, key: &str) -> BTreeMap<String, String> {
    match n.get(key).map(|v| &v.value) {
        Some(SourceNode::Map(entries)) => {
            entries.iter().map(|(k, v)| (k.value.clone(), v.value.as_str().unwrap_or_default())).collect()
        }
        _ => BTreeMap::new(),
    }
}

/// Runs the cross-checks; files that do not parse are left to their own checks.
pub fn check(p: &CrossInputs<'_>) -> Vec<Problem> {
    // They parse PromQL again, which recurses as deep as the expression nests.
    super::deep::on_big_stack(|| cross_checks(p))
}

fn cross_checks(p: &CrossInputs<'_>) -> Vec<Problem> {
    let prometheus = p.prometheus.map(|(_, doc)| doc);
    let external = prometheus
        .as_ref()
        .and_then(|d| d.value.get("global").map(|g| map(&g.value, "external_labels")))
        .unwrap_or_default();
    let jobs: Vec<String> = prometheus
        .as_ref()
        .map(|d| d.value.items("scrape_configs").iter().map(|s| s.value.text("job_name")).collect())
        .unwrap_or_default();
    let mut alerts = Vec::new();
    let mut recorded = BTreeSet::new();
    for &(file, doc) in &p.rules {
        for group in doc.value.items("groups") {
            let group_labels = map(&group.value, "labels");
            for rule in group.value.items("rules") {
                let r = &rule.value;
                if let Some(record) = r.get("record").and_then(|v| v.value.as_str()) {
                    recorded.insert(record);
                    continue;
                }
                let name = r.text("alert");
                let mut labels = external.clone();
                labels.extend(group_labels.clone());
                labels.extend(map(r, "labels"));
                labels.insert("alertname".into(), name.clone());
                alerts.push(Alert {
                    file: file.clone(),
                    at: pos(rule),
                    expr_at: r.get("expr").map_or(pos(rule), pos),
                    name,
                    labels,
                    expr: r.text("expr"),
                });
            }
        }
    }
    let mut problems = Vec::new();
    if let Some((_, am)) = p.alertmanager {
        routes(am, &alerts, &mut problems);
    }
    let known: Option<Vec<&str>> = jobs.iter().map(|j| job_prefixes(j)).collect::<Option<Vec<_>>>().map(|v| v.concat());
    if let Some(prefixes) = known.filter(|_| prometheus.is_some()) {
        let produced = |m: &str| {
            ALWAYS.contains(&m)
                || recorded.contains(m)
                || prefixes.iter().any(|p| m.starts_with(p))
                || m.starts_with("__")
        };
        for a in &alerts {
            let Ok(expr) = super::deep::promql(&a.expr) else { continue };
            for m in metrics(&expr).into_iter().filter(|m| !produced(m)) {
                let mut problem = unproduced(&a.file, a.expr_at, &m, &format!("alert {:?}", a.name), &jobs);
                problem.cause(&m, &a.name, "places");
                problems.push(problem);
            }
        }
        for &(file, doc) in &p.dashboards {
            // Only what reaches Prometheus: a Loki panel's LogQL reads no metric.
            for (at, e) in super::dashboard::prometheus_queries(doc, &super::dashboard::Datasources::default()) {
                let Some(expr) = promql::parse(&e) else { continue };
                for m in metrics(&expr).into_iter().filter(|m| !produced(m)) {
                    let mut problem = unproduced(file, at, &m, "this panel", &jobs);
                    problem.cause(&m, "a panel", "places");
                    problems.push(problem);
                }
            }
        }
    }
    problems
}

fn unproduced(file: &std::path::Path, at: Pos, metric: &str, who: &str, jobs: &[String]) -> Problem {
    warning(
        Check::ProjectMetric,
        file,
        at,
        format!("{who} reads `{metric}`, which no scrape job or recording rule of this project produces"),
        format!("scrape jobs: {}; enable the exporter that exports it, or fix the name", jobs.join(", ")),
    )
}

/// Metric names an expression reads.
fn metrics(expr: &Expr) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk(expr, &mut |e| {
        let vs = match e {
            Expr::VectorSelector(v) => v,
            Expr::MatrixSelector(m) => &m.vs,
            _ => return,
        };
        if let Some(name) = &vs.name {
            out.insert(name.clone());
        }
    });
    out.retain(|m| m != promql::PLACEHOLDER);
    out
}

fn routes(am: &Tree, alerts: &[Alert], problems: &mut Vec<Problem>) {
    // The native router; a config it cannot read is reported by the Alertmanager checks.
    let Ok(config) = crate::routing::Config::from_tree(std::path::Path::new(""), "", am) else { return };
    for a in alerts {
        if a.labels.values().any(|v| v.contains("{{")) {
            // A label computed when the alert fires cannot be routed offline.
            continue;
        }
        if let Some(reached) = crate::routing::coverage::silent(&config, &a.labels) {
            let receivers = reached.join("`, `");
            let mut problem = warning(
                Check::ProjectRoute,
                &a.file,
                a.at,
                format!("alert {:?} reaches only `{receivers}`, which notifies no one", a.name),
                "give that receiver an integration, or route the alert elsewhere; silence with `# monstack: ignore project/route <reason>` if intended".into(),
            );
            // Alerts that end at the same receivers share one cause: that routing.
            problem.cause(receivers, &a.name, "alerts");
            problems.push(problem);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(rules: &str, am: &str, prom: &str, dash: &str) -> Vec<String> {
        let tree = |name: &str, text: &str| (PathBuf::from(name), crate::check::node::parse(text).unwrap());
        let (r, a, p, d) = (tree("r.yml", rules), tree("am.yml", am), tree("p.yml", prom), tree("d.json", dash));
        let inputs = CrossInputs {
            prometheus: Some((&p.0, &p.1)),
            rules: vec![(&r.0, &r.1)],
            alertmanager: Some((&a.0, &a.1)),
            dashboards: vec![(&d.0, &d.1)],
        };
        check(&inputs).into_iter().map(|p| format!("{}: {}", p.check, p.message)).collect()
    }

    const AM: &str = "route:\n  receiver: team\n  routes:\n    - matchers: ['alertname=\"Watchdog\"']\n      receiver: blackhole\nreceivers:\n  - name: team\n    webhook_configs: [{url: 'http://h/'}]\n  - name: blackhole\n";
    const PROM: &str = "scrape_configs:\n  - job_name: prometheus\n  - job_name: node\n";

    #[test]
    fn alerts_reaching_only_a_blackhole() {
        let rules = "groups:\n  - name: g\n    rules:\n      - alert: Watchdog\n        expr: vector(1)\n      - alert: Down\n        expr: up == 0\n";
        assert_eq!(
            run(rules, AM, PROM, "{}"),
            ["project/route: alert \"Watchdog\" reaches only `blackhole`, which notifies no one"]
        );
    }

    #[test]
    fn metrics_nobody_produces() {
        let rules = "groups:\n  - name: g\n    rules:\n      - record: job:x:rate5m\n        expr: rate(node_cpu_seconds_total[5m])\n      - alert: Slow\n        expr: job:x:rate5m > 1 or redis_up == 0\n";
        let dash = r#"{"panels": [{"targets": [{"expr": "rate(pg_stat_database_xact_commit{job=\"$job\"}[$__rate_interval])"}]}]}"#;
        let found = run(rules, AM, PROM, dash);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("alert \"Slow\" reads `redis_up`"), "{found:?}");
        assert!(found[1].contains("this panel reads `pg_stat_database_xact_commit`"), "{found:?}");
        // A job of the user's own may produce anything.
        assert!(run(rules, AM, "scrape_configs:\n  - job_name: shop\n", dash).is_empty());
    }
}
