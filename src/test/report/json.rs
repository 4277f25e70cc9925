//! `--format json`, schema [`super::JSON_SCHEMA`] (documented in the README).

use serde_json::{json, Value as Json};

use super::{counts, ms, number};
use crate::promql::Labels;
use crate::test::coverage::{Coverage, RuleCoverage};
use crate::test::routing_coverage::{ReceiverCoverage, RoutingCoverage};
use crate::test::{format_duration, AlertSeen, Failure, FileOutcome, SampleSeen};

fn labels_json(l: &Labels) -> Json {
    Json::Object(l.iter().map(|(k, v)| (k.to_string(), Json::String(v.to_string()))).collect())
}

fn float_json(v: f64) -> Json {
    serde_json::Number::from_f64(v).map_or_else(|| Json::String(number(v)), Json::Number)
}

fn failure_json(f: &Failure) -> Json {
    let alerts = |v: &[AlertSeen]| -> Json {
        v.iter()
            .map(|a| json!({"labels": labels_json(&a.labels), "annotations": labels_json(&a.annotations)}))
            .collect()
    };
    let samples = |v: &[SampleSeen]| -> Json {
        v.iter()
            .map(|s| json!({"labels": labels_json(&s.labels), "value": float_json(s.value), "histogram": s.histogram}))
            .collect()
    };
    match f {
        Failure::Alert { alertname, eval_time, line, rules, expected, got, note } => json!({
            "kind": "alert", "alertname": alertname, "eval_time": format_duration(*eval_time), "line": line,
            "rules": rules.iter().map(|(f, l)| json!({"file": f.display().to_string(), "line": l})).collect::<Vec<_>>(),
            "expected": alerts(expected), "got": alerts(got), "note": note,
        }),
        Failure::Expr { expr, eval_time, line, expected, got, note } => json!({
            "kind": "expr", "expr": expr, "eval_time": format_duration(*eval_time), "line": line,
            "expected": samples(expected), "got": samples(got), "note": note,
        }),
        Failure::Routing { line, column, labels, differences, routes } => json!({
            "kind": "routing", "line": line, "column": column, "labels": labels,
            "differences": differences.iter().map(|d| json!({"what": d.what, "expected": d.expected, "got": d.got})).collect::<Vec<_>>(),
            "routes": routes,
        }),
        Failure::Error { message, line, rule } => json!({
            "kind": "error", "message": message, "line": line,
            "rule": rule.as_ref().map(|(f, l)| json!({"file": f.display().to_string(), "line": l})),
        }),
    }
}

fn rule_json(r: &RuleCoverage) -> Json {
    json!({"file": r.file.display().to_string(), "line": r.line, "group": r.group, "name": r.name,
           "kind": if r.alert { "alert" } else { "record" }, "covered": r.covered()})
}

fn routing_json(r: &RoutingCoverage) -> Json {
    let receiver = |x: &ReceiverCoverage| {
        json!({"name": x.name, "integrations": x.integrations, "by_tests": x.by_tests, "by_rules": x.by_rules,
               "covered": x.covered()})
    };
    json!({
        "config": r.config.display().to_string(),
        "percent": r.percent(),
        "receivers": r.receivers.iter().map(receiver).collect::<Vec<_>>(),
        "unreached": r.unreached().into_iter().map(|x| x.name.clone()).collect::<Vec<_>>(),
        "silent_alerts": r.silent.iter().map(|s| json!({
            "file": s.rule.file.display().to_string(), "line": s.rule.line, "name": s.rule.name,
            "receivers": s.receivers, "inhibited_by": s.inhibited_by,
        })).collect::<Vec<_>>(),
    })
}

pub(super) fn value(files: &[FileOutcome], coverage: Option<&Coverage>) -> Json {
    let (nfiles, groups, failed, broken) = counts(files);
    let files_json: Vec<Json> = files
        .iter()
        .map(|f| {
            json!({
                "file": f.file.display().to_string(),
                "passed": f.passed(),
                "duration_ms": ms(f.duration) as u64,
                "errors": f.errors.iter().map(|e| json!({
                    "file": e.file.display().to_string(),
                    "line": e.pos.map(|p| p.line), "column": e.pos.map(|p| p.column),
                    "message": e.message, "help": e.help,
                })).collect::<Vec<_>>(),
                "groups": f.groups.iter().map(|g| json!({
                    "name": g.name, "line": g.line, "passed": g.failures.is_empty(),
                    "duration_ms": ms(g.duration) as u64,
                    "failures": g.failures.iter().map(failure_json).collect::<Vec<_>>(),
                    "notes": g.notes.iter().map(|(line, message)| json!({"line": line, "message": message})).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let coverage_json = coverage.map(|c| {
        json!({
            "percent": c.percent(),
            "rules": c.rules.iter().map(rule_json).collect::<Vec<_>>(),
            "never_named": c.never_named().into_iter().map(rule_json).collect::<Vec<_>>(),
            "never_fired": c.never_fired().into_iter().map(rule_json).collect::<Vec<_>>(),
            "never_read": c.never_read().into_iter().map(rule_json).collect::<Vec<_>>(),
            "routing": c.routing.iter().map(routing_json).collect::<Vec<_>>(),
        })
    });
    json!({
        "schema": super::JSON_SCHEMA,
        "files": files_json,
        "summary": {"files": nfiles, "groups": groups, "passed": groups - failed, "failed": failed, "files_not_run": broken},
        "coverage": coverage_json,
    })
}
