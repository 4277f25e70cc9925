//! Rule evaluation as Prometheus' rule manager does it (rules/group.go, rules/recording.go,
//! rules/alerting.go of 3.5): a group's rules in order, each result appended to the storage the
//! next rule reads, staleness markers for series a rule stopped returning, and the alert state
//! machine (`for`, `keep_firing_for`, `ALERTS`, `ALERTS_FOR_STATE`, `limit`, `query_offset`).

use std::collections::{HashMap, HashSet};

use super::rules::{Group, Kind, Rule};
use super::template::{self, Data};
use crate::promql::labels::METRIC_NAME;
use crate::promql::value::stale_nan;
use crate::promql::{Engine, Labels, Sample, Storage, Value};

/// A resolved alert is remembered this long (Prometheus' `resolvedRetention`), milliseconds.
const RESOLVED_RETENTION: i64 = 15 * 60_000;

/// The state of one alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// Resolved, remembered for a while.
    Inactive,
    /// Active for less than `for`.
    Pending,
    /// Firing.
    Firing,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Inactive => "inactive",
            State::Pending => "pending",
            State::Firing => "firing",
        }
    }
}

/// One alert of an alerting rule.
#[derive(Debug, Clone)]
pub struct Alert {
    /// Labels, `alertname` included.
    pub labels: Labels,
    /// Annotations, expanded.
    pub annotations: Labels,
    /// State.
    pub state: State,
    /// When it became active (milliseconds).
    pub active_at: i64,
    resolved_at: Option<i64>,
    keep_firing_since: Option<i64>,
}

/// The evaluation state of every group of a test: alerts and the series each rule returned last.
pub struct Evaluator<'a> {
    /// The groups, in evaluation order.
    pub groups: Vec<&'a Group>,
    alerts: Vec<Vec<HashMap<Labels, Alert>>>,
    previous: Vec<Vec<HashSet<Labels>>>,
    external_labels: &'a [(String, String)],
    external_url: &'a str,
}

/// A rule that failed at one step.
#[derive(Debug, Clone)]
pub struct RuleError {
    /// The rule.
    pub rule: &'static str,
    /// Its name.
    pub name: String,
    /// Where it is: file and line.
    pub at: (std::path::PathBuf, u64),
    /// What went wrong.
    pub message: String,
}

impl<'a> Evaluator<'a> {
    /// An evaluator of `groups`, with the test's external labels and URL for templates.
    pub fn new(groups: Vec<&'a Group>, external_labels: &'a [(String, String)], external_url: &'a str) -> Self {
        let alerts = groups.iter().map(|g| vec![HashMap::new(); g.rules.len()]).collect();
        let previous = groups.iter().map(|g| vec![HashSet::new(); g.rules.len()]).collect();
        Evaluator { groups, alerts, previous, external_labels, external_url }
    }

    /// Evaluates every group at `ts`, in order, writing results to `storage`. Returns the rules
    /// that failed (their errors, as promtool collects them).
    pub fn step(&mut self, engine: &Engine, storage: &mut Storage, ts: i64) -> Vec<RuleError> {
        let mut errors = Vec::new();
        for gi in 0..self.groups.len() {
            let group = self.groups[gi];
            let t = ts.saturating_sub(group.query_offset);
            for (ri, rule) in group.rules.iter().enumerate() {
                let result = match &rule.kind {
                    Kind::Record => record(engine, storage, rule, t, group.limit),
                    Kind::Alert { .. } => {
                        let data = Ctx { external_labels: self.external_labels, external_url: self.external_url, ts };
                        alert(engine, storage, rule, &mut self.alerts[gi][ri], &data, ts, t, group.limit)
                    }
                };
                match result {
                    Ok(samples) => {
                        let mut returned = HashSet::with_capacity(samples.len());
                        for s in samples {
                            let ok = match &s.h {
                                Some(h) => storage.append_histogram(s.metric.clone(), s.t, h.clone()),
                                None => storage.append(s.metric.clone(), s.t, s.f),
                            };
                            if ok {
                                returned.insert(s.metric);
                            }
                        }
                        for gone in self.previous[gi][ri].difference(&returned) {
                            storage.append(gone.clone(), t, stale_nan());
                        }
                        self.previous[gi][ri] = returned;
                    }
                    Err(message) => errors.push(RuleError {
                        rule: if rule.is_alert() { "alert" } else { "record" },
                        name: rule.name.clone(),
                        at: (group.file.clone(), rule.line),
                        message,
                    }),
                }
            }
        }
        errors
    }

    /// The firing alerts of every alerting rule named `name`, across groups.
    pub fn firing(&self, name: &str) -> Vec<&Alert> {
        let mut out = Vec::new();
        for (gi, g) in self.groups.iter().enumerate() {
            for (ri, r) in g.rules.iter().enumerate() {
                if r.is_alert() && r.name == name {
                    out.extend(
                        self.alerts[gi][ri].values().filter(|a| a.state == State::Firing && a.resolved_at.is_none()),
                    );
                }
            }
        }
        out
    }

    /// Where the alerting rules named `name` are (file, line).
    pub fn alert_rules(&self, name: &str) -> Vec<(std::path::PathBuf, u64)> {
        let rules = self.groups.iter().flat_map(|g| g.rules.iter().map(move |r| (g, r)));
        rules.filter(|(_, r)| r.is_alert() && r.name == name).map(|(g, r)| (g.file.clone(), r.line)).collect()
    }
}

/// Runs a rule's query as the rule manager's query function does: a scalar becomes one sample
/// without labels; anything else but a vector is an error.
pub fn query(engine: &Engine, storage: &Storage, q: &crate::promql::Query, t: i64) -> Result<Vec<Sample>, String> {
    let result = engine.instant_query(storage, q, t).map_err(|e| e.to_string())?;
    match result.value {
        Value::Vector(v) => Ok(v),
        Value::Scalar(f) => Ok(vec![Sample::new(Labels::new(), t, f)]),
        _ => Err("rule result is not a vector or scalar".into()),
    }
}

fn record(engine: &Engine, storage: &Storage, rule: &Rule, t: i64, limit: usize) -> Result<Vec<Sample>, String> {
    let mut v = query(engine, storage, &rule.query, t)?;
    let mut seen = HashSet::with_capacity(v.len());
    for s in &mut v {
        s.metric.set(METRIC_NAME, &rule.name);
        for (k, val) in &rule.labels {
            s.metric.set(k, val);
        }
        s.t = t;
        if !seen.insert(s.metric.clone()) {
            return Err("vector contains metrics with the same labelset after applying rule labels".into());
        }
    }
    if limit > 0 && v.len() > limit {
        return Err(format!("exceeded limit of {limit} with {} series", v.len()));
    }
    Ok(v)
}

struct Ctx<'a> {
    external_labels: &'a [(String, String)],
    external_url: &'a str,
    ts: i64,
}

#[allow(clippy::too_many_arguments)]
fn alert(
    engine: &Engine,
    storage: &Storage,
    rule: &Rule,
    active: &mut HashMap<Labels, Alert>,
    ctx: &Ctx<'_>,
    ts: i64,
    t: i64,
    limit: usize,
) -> Result<Vec<Sample>, String> {
    let Kind::Alert { hold, keep_firing_for, annotations } = &rule.kind else { return Ok(Vec::new()) };
    let result = query(engine, storage, &rule.query, t)?;
    let run_query = |q: &str| {
        let parsed = crate::promql::Query::parse(q).map_err(|e| e.to_string())?;
        query(engine, storage, &parsed, ctx.ts).map(template::samples)
    };
    let templated = rule.labels.iter().chain(annotations).any(|(_, v)| template::has_actions(v));
    let funcs = templated.then(|| template::funcs(ctx.external_url, ctx.ts, &run_query));
    let mut fresh: HashMap<Labels, Alert> = HashMap::with_capacity(result.len());
    for s in &result {
        let data = Data {
            labels: &s.metric,
            value: s.f,
            external_labels: ctx.external_labels,
            external_url: ctx.external_url,
        };
        let expand = |text: &str| match &funcs {
            Some(f) => template::expand(&rule.name, text, &data, f),
            None => text.to_string(),
        };
        let mut labels = s.metric.clone();
        labels.remove(METRIC_NAME);
        for (k, v) in &rule.labels {
            labels.set(k, &expand(v));
        }
        labels.set("alertname", &rule.name);
        let mut ann = Labels::new();
        for (k, v) in annotations {
            ann.set(k, &expand(v));
        }
        if fresh.contains_key(&labels) {
            return Err("vector contains metrics with the same labelset after applying alert labels".into());
        }
        let a = Alert {
            labels: labels.clone(),
            annotations: ann,
            state: State::Pending,
            active_at: ts,
            resolved_at: None,
            keep_firing_since: None,
        };
        fresh.insert(labels, a);
    }
    let returned: HashSet<Labels> = fresh.keys().cloned().collect();
    for (k, a) in fresh {
        match active.get_mut(&k) {
            Some(old) if old.state != State::Inactive => old.annotations = a.annotations,
            _ => {
                active.insert(k, a);
            }
        }
    }
    let mut out = Vec::new();
    let mut live = 0;
    active.retain(|k, a| {
        if !returned.contains(k) {
            let mut keep_firing = false;
            if a.state == State::Firing && *keep_firing_for > 0 {
                let since = *a.keep_firing_since.get_or_insert(ts);
                keep_firing = ts - since < *keep_firing_for;
            }
            let forget = a.state == State::Pending || a.resolved_at.is_some_and(|r| ts - r > RESOLVED_RETENTION);
            if a.state != State::Inactive && !keep_firing {
                a.state = State::Inactive;
                a.resolved_at = Some(ts);
            }
            if !keep_firing {
                return !forget;
            }
        } else {
            a.keep_firing_since = None;
        }
        live += 1;
        if a.state == State::Pending && ts - a.active_at >= *hold {
            a.state = State::Firing;
        }
        let mut l = a.labels.clone();
        l.set(METRIC_NAME, "ALERTS");
        l.set("alertstate", a.state.name());
        out.push(Sample::new(l, t, 1.0));
        let mut l = a.labels.clone();
        l.set(METRIC_NAME, "ALERTS_FOR_STATE");
        out.push(Sample::new(l, t, (a.active_at.div_euclid(1000)) as f64));
        true
    });
    if limit > 0 && live > limit {
        active.clear();
        return Err(format!("exceeded limit of {limit} with {live} alerts"));
    }
    Ok(out)
}
