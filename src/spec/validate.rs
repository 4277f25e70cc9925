//! Checks that span several fields of the spec: references between sections, uniqueness,
//! and limits one value puts on another.

use std::collections::{BTreeMap, BTreeSet};

use super::model::*;
use super::Problem;
use crate::diag::{nearest, Pos};
use crate::services;
use crate::syntax::names::{label_name_ok, NameValidation};

fn pos<T>(at: &At<T>) -> Option<Pos> {
    let p = crate::diag::Pos::from_location(&at.referenced);
    (at.referenced.line() > 0).then_some(p)
}

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, pos: Option<Pos>, message: String, help: Option<String>) {
        self.0.push(Problem { pos, message, help });
    }
}

/// All cross-field problems of a parsed spec, in file order.
pub(crate) fn validate(spec: &Spec) -> Vec<Problem> {
    let mut p = Problems::default();
    timeouts(spec, &mut p);
    targets(spec, &mut p);
    alertmanager(spec, &mut p);
    exporters(spec, &mut p);
    thresholds(&spec.alerts.thresholds, &mut p);
    ports(spec, &mut p);
    for pattern in &spec.dashboards.include {
        if let Err(why) = crate::paths::inside(&pattern.value) {
            p.add(
                pos(pattern),
                format!("dashboards.include pattern `{}` {why}", pattern.value),
                Some("patterns are relative to the project folder and stay inside it, e.g. `dashboards/*.json`".into()),
            );
        }
    }
    if spec.grafana.enabled && spec.grafana.admin_password.is_none() {
        p.add(
            None,
            "grafana is enabled but has no `admin_password`".into(),
            Some("there is no default password: set `grafana.admin_password: { file: secrets/grafana_admin_password }` (`monstack init` generates one)".into()),
        );
    }
    let mut out = p.0;
    out.sort_by_key(|p| p.pos);
    out
}

fn timeouts(spec: &Spec, p: &mut Problems) {
    let prom = &spec.prometheus;
    if prom.scrape_timeout.value.millis() > prom.scrape_interval.value.millis() {
        p.add(
            pos(&prom.scrape_timeout),
            format!(
                "`scrape_timeout` {} is longer than `scrape_interval` {}",
                prom.scrape_timeout.value, prom.scrape_interval.value
            ),
            Some("a scrape must finish before the next one starts: use a timeout at most the interval".into()),
        );
    }
    for t in &spec.targets {
        let interval = t.scrape_interval.as_ref().unwrap_or(&prom.scrape_interval.value);
        let timeout = t.scrape_timeout.as_ref();
        if let Some(timeout) = timeout {
            if timeout.value.millis() > interval.millis() {
                p.add(
                    pos(timeout),
                    format!(
                        "`scrape_timeout` {} of job `{}` is longer than its scrape interval {interval}",
                        timeout.value, t.job.value
                    ),
                    Some("use a timeout at most the interval".into()),
                );
            }
        } else if prom.scrape_timeout.value.millis() > interval.millis() {
            p.add(
                pos(&t.job),
                format!(
                    "job `{}` scrapes every {interval}, shorter than the default `scrape_timeout` {}",
                    t.job.value, prom.scrape_timeout.value
                ),
                Some("set `scrape_timeout` on this target, at most its interval".into()),
            );
        }
    }
}

fn targets(spec: &Spec, p: &mut Problems) {
    let mut seen: BTreeMap<&str, Option<Pos>> = BTreeMap::new();
    for t in &spec.targets {
        let job = t.job.value.as_str();
        if job.trim().is_empty() {
            p.add(pos(&t.job), "job name is empty".into(), Some("give each target a unique `job` name".into()));
        } else if services::by_name(job).is_some() || job.starts_with("probe_") {
            p.add(
                pos(&t.job),
                format!("job name `{job}` is reserved for monstack's own scrape jobs"),
                Some(format!(
                    "pick another name; reserved: {}, probe_*",
                    services::ALL.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
                )),
            );
        } else if let Some(first) = seen.insert(job, pos(&t.job)) {
            let at = first.map(|f| format!(" (first defined at line {})", f.line)).unwrap_or_default();
            p.add(pos(&t.job), format!("duplicate job name `{job}`{at}"), Some("job names must be unique".into()));
        }
        if t.targets.is_empty() {
            p.add(
                pos(&t.job),
                format!("job `{job}` has no targets"),
                Some("list at least one `host:port` in `targets`".into()),
            );
        }
        if let Some(path) = &t.metrics_path {
            if !path.value.starts_with('/') {
                p.add(
                    pos(path),
                    format!("metrics_path `{}` does not start with `/`", path.value),
                    Some("expected an absolute path such as `/metrics`".into()),
                );
            }
        }
    }
    for job in &spec.http.jobs {
        if !seen.contains_key(job.value.as_str()) {
            let help = nearest(&job.value, seen.keys().copied()).map(|n| format!("did you mean `{n}`?"));
            p.add(
                pos(job),
                format!("http preset names job `{}`, which no target defines", job.value),
                help.or(Some("list jobs from `targets`".into())),
            );
        }
    }
}

fn alertmanager(spec: &Spec, p: &mut Problems) {
    let am = &spec.alertmanager;
    let mut names: BTreeMap<&str, Option<Pos>> = BTreeMap::new();
    for r in &am.receivers {
        let name = r.name.value.as_str();
        if name.trim().is_empty() {
            p.add(pos(&r.name), "receiver name is empty".into(), None);
        } else if let Some(first) = names.insert(name, pos(&r.name)) {
            let at = first.map(|f| format!(" (first defined at line {})", f.line)).unwrap_or_default();
            p.add(
                pos(&r.name),
                format!("duplicate receiver name `{name}`{at}"),
                Some("receiver names must be unique".into()),
            );
        }
        if let Some(w) = &r.webhook {
            if w.url.is_some() == w.url_secret.is_some() {
                p.add(
                    pos(&r.name),
                    format!("webhook of receiver `{name}` needs exactly one of `url` or `url_secret`"),
                    None,
                );
            }
        }
        if let Some(e) = &r.email {
            if e.auth_password.is_some() && e.auth_username.is_none() {
                p.add(
                    pos(&r.name),
                    format!("email of receiver `{name}` has `auth_password` but no `auth_username`"),
                    None,
                );
            }
        }
    }
    let known = |at: &At<String>, what: &str, p: &mut Problems| {
        if !names.contains_key(at.value.as_str()) {
            let help = match nearest(&at.value, names.keys().copied()) {
                Some(n) => format!("did you mean `{n}`?"),
                None if names.is_empty() => "define it under `alertmanager.receivers`".to_owned(),
                None => format!(
                    "known receivers: {}",
                    names.keys().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ),
            };
            p.add(pos(at), format!("{what} names receiver `{}`, which is not defined", at.value), Some(help));
        }
    };
    if let Some(d) = &am.default_receiver {
        known(d, "default_receiver", p);
    }
    for route in am.routes.iter().flatten() {
        known(&route.receiver, "route", p);
        for m in &route.matchers {
            matcher(m, p);
        }
    }
    for rule in am.inhibit_rules.iter().flatten() {
        for m in rule.source_matchers.iter().chain(&rule.target_matchers) {
            matcher(m, p);
        }
    }
}

/// Checks one Alertmanager matcher with the parser `check` uses, so a matcher the spec accepts is
/// one Alertmanager accepts. Label names stay in the classic charset, which every Alertmanager
/// version parses.
fn matcher(m: &At<String>, p: &mut Problems) {
    let problem = match crate::syntax::matcher::parse_matcher(&m.value) {
        Ok(parsed) if label_name_ok(&parsed.name, NameValidation::Legacy) => return,
        Ok(parsed) => format!("label name `{}` is not in the classic charset", parsed.name),
        Err(why) => why,
    };
    p.add(
        pos(m),
        format!("invalid matcher `{}`: {problem}", m.value),
        Some(
            "expected `label=value`, `label!=value`, `label=~regex` or `label!~regex`, e.g. `severity=\"critical\"`"
                .into(),
        ),
    );
}

fn exporters(spec: &Spec, p: &mut Problems) {
    if let Some(bb) = services::blackbox::running(spec) {
        let mut seen = BTreeSet::new();
        for probe in &bb.probes {
            let name = probe.name.value.as_str();
            if name.trim().is_empty() {
                p.add(pos(&probe.name), "probe name is empty".into(), None);
            } else if !seen.insert(name) {
                p.add(
                    pos(&probe.name),
                    format!("duplicate probe name `{name}`"),
                    Some("probe names must be unique".into()),
                );
            }
            let wants_url = probe.module != services::blackbox::ProbeModule::TcpConnect;
            match (wants_url, &probe.url, &probe.target) {
                (true, Some(_), None) | (false, None, Some(_)) => {}
                (true, _, _) => p.add(
                    pos(&probe.name),
                    format!("probe `{name}` uses module `{}` and needs `url` (and no `target`)", probe.module.name()),
                    Some("give `url: http://host:port/path`".into()),
                ),
                (false, _, _) => p.add(
                    pos(&probe.name),
                    format!("probe `{name}` uses module `tcp_connect` and needs `target` (and no `url`)"),
                    Some("give `target: host:port`".into()),
                ),
            }
        }
    }
    if let Some(pg) = services::postgres::running(spec) {
        if pg.dsn_file.is_none() {
            p.add(
                None,
                "exporters.postgres is enabled but has no `dsn_file`".into(),
                Some("point `dsn_file` at a file holding `postgresql://user:password@host:5432/db`".into()),
            );
        }
    }
    if let Some(r) = services::redis::running(spec) {
        if r.address.is_none() {
            p.add(
                None,
                "exporters.redis is enabled but has no `address`".into(),
                Some("give the Redis server as `address: host:6379`".into()),
            );
        }
    }
}

fn thresholds(t: &Thresholds, p: &mut Problems) {
    let percents = [
        ("cpu_warning_percent", t.cpu_warning_percent),
        ("cpu_critical_percent", t.cpu_critical_percent),
        ("memory_warning_percent", t.memory_warning_percent),
        ("memory_critical_percent", t.memory_critical_percent),
        ("disk_free_warning_percent", t.disk_free_warning_percent),
        ("postgres_connections_percent", t.postgres_connections_percent),
        ("redis_memory_percent", t.redis_memory_percent),
    ];
    for (name, v) in percents {
        if !(0.0..=100.0).contains(&v) {
            p.add(None, format!("alerts.thresholds.{name} is {v}"), Some("expected a percentage from 0 to 100".into()));
        }
    }
    if !(0.0..=1.0).contains(&t.http_error_ratio) {
        p.add(
            None,
            format!("alerts.thresholds.http_error_ratio is {}", t.http_error_ratio),
            Some("expected a ratio from 0 to 1, e.g. 0.05 for 5%".into()),
        );
    }
    for (name, v) in [
        ("load_per_cpu", t.load_per_cpu),
        ("probe_slow_seconds", t.probe_slow_seconds),
        ("http_p95_seconds", t.http_p95_seconds),
    ] {
        if !(v > 0.0 && v.is_finite()) {
            p.add(None, format!("alerts.thresholds.{name} is {v}"), Some("expected a positive number".into()));
        }
    }
}

fn ports(spec: &Spec, p: &mut Problems) {
    let mut used: BTreeMap<u16, &str> = BTreeMap::new();
    for service in services::running(spec) {
        if let Some(other) = used.insert(service.host_port.0, service.name()) {
            p.add(
                None,
                format!("host port {} is used by both `{other}` and `{}`", service.host_port, service.name()),
                Some("give each service its own `port`".into()),
            );
        }
    }
}
