//! The dashboard checks on whole dashboards, as found in the wild.

use super::*;

fn problems(text: &str, uids: Option<&[&str]>) -> Vec<String> {
    let mut sink = Sink::new("d.json");
    let ds = Datasources { uids: uids.map(|u| u.iter().map(|s| s.to_string()).collect()), ..Datasources::default() };
    check(Path::new("d.json"), text, &ds, &mut sink);
    sink.problems.into_iter().map(|p| format!("{}: {}", p.check, p.message)).collect()
}

#[test]
fn a_clean_dashboard() {
    let d = r#"{"uid": "a", "title": "A", "panels": [
        {"id": 1, "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "datasource": {"type": "prometheus", "uid": "prom"},
         "targets": [{"expr": "sum(rate(x[$__rate_interval]))"}]},
        {"id": 2, "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8}}]}"#;
    assert_eq!(problems(d, Some(&["prom"])), Vec::<String>::new());
}

#[test]
fn findings() {
    let d = r#"{"title": "A", "panels": [
        {"id": 1, "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "datasource": {"type": "prometheus", "uid": "prometheus"}},
        {"id": 1, "gridPos": {"x": 6, "y": 4, "w": 12, "h": 8}, "datasource": "${DS_PROM}",
         "targets": [{"expr": "sum(up"}]}]}"#;
    let p = problems(d, Some(&["prom"]));
    assert!(p.contains(&"dashboard/uid: dashboard has no `uid`".to_owned()), "{p:?}");
    assert!(p.iter().any(|m| m.starts_with("dashboard/panel-id: panel id 1 is already used")), "{p:?}");
    assert!(p.iter().any(|m| m.starts_with("dashboard/grid: panel overlaps")), "{p:?}");
    assert!(p.iter().any(|m| m.starts_with("dashboard/datasource: datasource uid \"prometheus\"")), "{p:?}");
    assert!(p.iter().any(|m| m.starts_with("dashboard/inputs:")), "{p:?}");
    assert!(p.iter().any(|m| m.starts_with("dashboard/expr: could not parse")), "{p:?}");
    assert!(problems("{\"uid\": 1,", None)[0].starts_with("dashboard/json: invalid JSON"));
}

/// Every finding as `severity check: message`.
fn all(text: &str) -> Vec<String> {
    let mut sink = Sink::new("d.json");
    check(Path::new("d.json"), text, &Datasources::default(), &mut sink);
    sink.problems.into_iter().map(|p| format!("{:?} {}: {}", p.severity, p.check, p.message)).collect()
}

/// A dashboard of one panel with `panel` (JSON members) and one target with `target`.
fn one_panel(templating: &str, panel: &str, target: &str) -> String {
    format!(
        r#"{{"uid": "u", "title": "T", "templating": {{"list": [{templating}]}},
            "panels": [{{"id": 1, "title": "P", {panel} "targets": [{{"refId": "A", {target}}}]}}]}}"#
    )
}

#[test]
fn multi_byte_text_in_queries_is_no_panic() {
    let vars = r#"{"name": "job"}"#;
    for expr in
        [r#"up{job=\"$jobé\"}"#, r#"sum(rate(x{a=\"Zürich\",b=\"${job}日本\"}[5m]))"#, r#"up{a=\"😀[[job]]€\"}"#]
    {
        let found = all(&one_panel(vars, "", &format!(r#""expr": "{expr}""#)));
        assert_eq!(found, Vec::<String>::new(), "{expr}");
    }
    assert!(all(&one_panel(vars, "", r#""expr": "sum(é""#))[0].starts_with("Error dashboard/expr: could not parse"));
}

#[test]
fn only_prometheus_targets_are_read_as_promql() {
    let logql = r#""expr": "{app=\"x\"} | json | line_format \"{{.msg}}\"""#;
    let loki_var = r#"{"type": "datasource", "name": "logs", "query": "loki"}"#;
    // The target's type, the panel's, a datasource variable's: all say Loki.
    assert_eq!(
        all(&one_panel("", "", &format!(r#""datasource": {{"type": "loki", "uid": "l"}}, {logql}"#))),
        Vec::<String>::new()
    );
    assert_eq!(all(&one_panel("", r#""datasource": {"type": "loki", "uid": "l"},"#, logql)), Vec::<String>::new());
    assert_eq!(all(&one_panel(loki_var, r#""datasource": {"uid": "${logs}"},"#, logql)), Vec::<String>::new());
    assert_eq!(all(&one_panel(loki_var, "", &format!(r#""datasource": "$logs", {logql}"#))), Vec::<String>::new());
    // No datasource anywhere: the dashboard's datasource variables decide.
    assert_eq!(all(&one_panel(loki_var, "", logql)), Vec::<String>::new());
    // The target's own datasource wins over its panel's.
    let mixed = one_panel(
        "",
        r#""datasource": {"type": "loki", "uid": "l"},"#,
        r#""datasource": {"type": "prometheus", "uid": "p"}, "expr": "sum(""#,
    );
    assert!(all(&mixed)[0].starts_with("Error dashboard/expr: could not parse"), "{:?}", all(&mixed));
    // A Prometheus target, or one whose datasource cannot be told, is PromQL.
    assert!(all(&one_panel("", "", logql))[0].starts_with("Error dashboard/expr: could not parse"));
}

#[test]
fn an_empty_query_is_a_warning() {
    for expr in [r#""expr": """#, r#""expr": "  ""#] {
        assert_eq!(all(&one_panel("", "", expr)), ["Warning dashboard/expr: target has an empty `expr`"]);
    }
}

#[test]
fn a_variable_standing_for_an_operator_warns() {
    let vars = r#"{"name": "Inactive"}"#;
    let found = all(&one_panel(vars, "", r#""expr": "sum(a) $Inactive on (entity)""#));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("Warning dashboard/expr: could not parse expression"), "{found:?}");
    assert_eq!(all(&one_panel(vars, "", r#""expr": "count(a) $Inactive on (entity) count(b)""#)), Vec::<String>::new());
}

#[test]
fn real_errors_stay_errors() {
    let found = all(&one_panel("", "", r#""expr": "up{job=\"$nope\"}""#));
    assert_eq!(found, ["Error dashboard/expr: variable `$nope` is not defined in the dashboard's templating"]);
    let twice = r#"{"uid": "u", "title": "T", "panels": [{"id": 3, "type": "stat"}, {"id": 3, "type": "stat"}]}"#;
    assert!(all(twice)[0].starts_with("Error dashboard/panel-id: panel id 3 is already used"), "{:?}", all(twice));
}

#[test]
fn removed_panel_types_and_integer_buckets_warn() {
    let found = all(&one_panel("", r#""type": "graph","#, r#""expr": "sum(rate(h_bucket{le=\"1\"}[5m]))""#));
    assert_eq!(
        found,
        [
            "Warning dashboard/panel-type: panel type `graph` is an AngularJS plugin, which Grafana 12 removed",
            "Warning promql/le-integer: `le=\"1\"` in the query of \"P\" is written as an integer, which Prometheus 3 stores as a float",
        ]
    );
}

/// The stable-toolchain companion of the `dashboard` fuzz target's queries: non-ASCII text cut
/// at every character, around every spelling of a variable, is findings or nothing.
#[test]
fn no_query_cut_anywhere_makes_a_panic() {
    let queries = [
        r#"sum by (région) (rate(requêtes_total{job=~"$job|ü",env="${env:regex}日本"}[$__rate_interval])) $op on (x) [[env]]€"#,
        r#"{"€": "😀"} $😀 ${é} [[ü]] $__interval_ms offset $env"#,
        r#"histogram_quantile(0.9, rate(h_bucket{le="1",q="ä"}[5m])) > $Inactive"#,
    ];
    let vars = r#"{"name": "job"}, {"name": "env"}, {"name": "op"}, {"name": "Inactive"}"#;
    for q in queries {
        let cuts = q.char_indices().map(|(i, _)| i).chain([q.len()]);
        for cut in cuts {
            let piece = &q[..cut];
            let escaped = piece.replace('\\', "\\\\").replace('"', "\\\"");
            let _ = all(&one_panel(vars, "", &format!(r#""expr": "{escaped}""#)));
            let _ = promql::parse(piece);
        }
    }
}

#[test]
fn the_cross_checks_read_only_prometheus_queries() {
    let d = r#"{"templating": {"list": [{"type": "datasource", "name": "logs", "query": "loki"}, {"type": "datasource", "name": "ds", "query": "prometheus"}]},
        "annotations": {"list": [{"datasource": {"type": "prometheus", "uid": "p"}, "expr": "ALERTS"}, {"builtIn": 1, "datasource": "-- Grafana --"}]},
        "panels": [
          {"datasource": {"uid": "$logs"}, "targets": [{"expr": "{app=\"x\"} | json"}]},
          {"type": "row", "collapsed": true, "panels": [{"targets": [{"expr": "up"}, {"datasource": {"type": "loki"}, "expr": "{a=\"b\"}"}]}]}],
        "rows": [{"panels": [{"targets": [{"expr": "node_load1"}]}]}]}"#;
    let doc = crate::check::node::json::parse(d).unwrap();
    let queries: Vec<String> = prometheus_queries(&doc, &Datasources::default()).into_iter().map(|(_, q)| q).collect();
    assert_eq!(queries, ["up", "node_load1", "ALERTS"]);
}
