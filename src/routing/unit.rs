//! Unit tests of the router: tree walk, inheritance, muting, config errors.

use std::path::Path;

use super::*;

const TREE: &str = r#"
route:
  receiver: default
  group_by: [alertname]
  group_wait: 10s
  routes:
    - matchers: ['owner="team-A"']
      receiver: team-A
      group_by: ['...']
      routes:
        - match_re: {env: 'prod|staging'}
          receiver: team-A-prod
          continue: true
          group_wait: 1m
        - matchers: ['"env"=~"prod.*", severity!="info"']
          receiver: team-A-pager
          mute_time_intervals: [nights]
    - match: {owner: team-B}
      receiver: team-B
      continue: true
      group_by: []
    - match: {owner: team-B}
      active_time_intervals: [office]
      repeat_interval: 1h
    - matchers: [group_by_test=x]
      group_by: [a, b]
      routes:
        - receiver: team-A
receivers: [{name: default, webhook_configs: [{url: 'http://x/'}]}, {name: team-A}, {name: team-A-prod}, {name: team-A-pager, pagerduty_configs: [{routing_key: k}]}, {name: team-B}]
time_intervals:
  - name: nights
    time_intervals: [{times: [{start_time: '00:00', end_time: '06:00'}]}]
  - name: office
    time_intervals: [{weekdays: ['monday:friday'], times: [{start_time: '09:00', end_time: '17:00'}]}]
"#;

fn config() -> Config {
    Config::parse(Path::new("am.yml"), TREE).unwrap()
}

fn labels(s: &str) -> Labels {
    s.split_whitespace().map(|kv| parse_label(kv).unwrap()).collect()
}

#[test]
fn tree_walk_with_continue() {
    let c = config();
    let slug = |l: &str| c.decide(&labels(l), &[], None).receivers_slug();
    assert_eq!(slug("alertname=x"), "default");
    assert_eq!(slug("owner=team-A"), "team-A");
    assert_eq!(slug("owner=team-A env=prod"), "team-A-prod,team-A-pager");
    assert_eq!(slug("owner=team-A env=prod severity=info"), "team-A-prod");
    assert_eq!(slug("owner=team-A env=production"), "team-A-pager");
    assert_eq!(slug("owner=team-A env=dev"), "team-A");
    assert_eq!(slug("owner=team-B"), "team-B,default");
    assert_eq!(slug("group_by_test=x"), "team-A");
}

#[test]
fn inherited_options() {
    let c = config();
    let d = c.decide(&labels("owner=team-A env=prod"), &[], None);
    let (prod, pager) = (d.routes[0], d.routes[1]);
    assert_eq!(prod.group_by(), None, "`...` is inherited");
    assert_eq!(prod.opts.group_wait, 60_000);
    assert_eq!(pager.opts.group_wait, 10_000);
    assert_eq!(pager.opts.repeat_interval, 4 * 3_600_000);
    let d = c.decide(&labels("owner=team-B"), &[], None);
    assert_eq!(d.routes[0].group_by(), Some(vec!["alertname".to_owned()]), "an empty group_by inherits");
    assert_eq!(d.routes[1].opts.receiver, "default");
    assert_eq!(d.routes[1].opts.repeat_interval, 3_600_000);
    let d = c.decide(&labels("group_by_test=x"), &[], None);
    assert_eq!(d.routes[0].group_by(), Some(vec!["a".to_owned(), "b".to_owned()]));
    assert_eq!(route::describe(&c.route, &d.routes[0].path), "default-route → {group_by_test=\"x\"} → default-route");
}

#[test]
fn time_intervals_mute_routes() {
    let c = config();
    let night = Instant::parse("2026-11-25T03:00:00Z").ok();
    let day = Instant::parse("2026-11-25T10:00:00Z").ok();
    let sunday = Instant::parse("2026-11-29T10:00:00Z").ok();
    assert_eq!(c.decide(&labels("owner=team-A env=prod"), &[], night).muted, [false, true]);
    assert_eq!(c.decide(&labels("owner=team-A env=prod"), &[], day).muted, [false, false]);
    assert_eq!(c.decide(&labels("owner=team-B"), &[], night).muted, [false, true], "outside office hours");
    assert_eq!(c.decide(&labels("owner=team-B"), &[], day).muted, [false, false]);
    assert_eq!(c.decide(&labels("owner=team-B"), &[], sunday).muted, [false, true]);
    assert_eq!(c.decide(&labels("owner=team-B"), &[], None).muted, [false, false]);
}

#[test]
fn config_errors_point_at_the_field() {
    for (yaml, at, message) in [
        (
            "route: {receiver: nobody}\nreceivers: [{name: a}]\n",
            "am.yml:1:19",
            "undefined receiver \"nobody\" used in route",
        ),
        (
            "route:\n  receiver: a\n  routes: [{matchers: ['a=~\"(\"']}]\nreceivers: [{name: a}]\n",
            "am.yml:3:24",
            "bad matcher format",
        ),
        (
            "route:\n  receiver: a\n  routes: [{mute_time_intervals: [x]}]\nreceivers: [{name: a}]\n",
            "am.yml:3:35",
            "undefined time interval \"x\"",
        ),
        (
            "route:\n  receiver: a\n  recever: b\nreceivers: [{name: a}]\n",
            "am.yml:3:3",
            "field recever not found in type config.Route",
        ),
        (
            "route:\n  receiver: a\n  group_interval: 0s\nreceivers: [{name: a}]\n",
            "am.yml:3:19",
            "group_interval cannot be zero",
        ),
        (
            "route:\n  receiver: a\n  matchers: [a=b]\nreceivers: [{name: a}]\n",
            "am.yml:3:13",
            "root route must not have any matchers",
        ),
        ("receivers: [{name: a}]\n", "am.yml:1:1", "no routes provided"),
        (
            "route: {receiver: a}\nreceivers: [{name: a}]\ninhibit_rules: [{equals: [a]}]\n",
            "am.yml:3:18",
            "field equals not found",
        ),
    ] {
        let err = Config::parse(Path::new("am.yml"), yaml).unwrap_err().to_string();
        assert!(err.starts_with(at), "{yaml}: {err}");
        assert!(err.contains(message), "{yaml}: {err}");
    }
}

#[test]
fn null_fields_are_absent() {
    let yaml = "route:\n  receiver: a\n  group_wait: 1m\n  routes:\n    - {matchers: [x=y], receiver: ~, group_wait: ~, matchers: ~}\nreceivers: [{name: a}]\n";
    let err = Config::parse(Path::new("am.yml"), yaml).unwrap_err().to_string();
    assert!(err.contains("duplicate") || err.contains("repeated"), "{err}");
    let yaml = "route:\n  receiver: a\n  group_wait: 1m\n  routes:\n    - {receiver: ~, group_wait: ~, matchers: ~, continue: ~}\nreceivers: [{name: a}]\n";
    let c = Config::parse(Path::new("am.yml"), yaml).unwrap();
    let d = c.decide(&labels("x=y"), &[], None);
    assert_eq!(
        (d.routes[0].opts.receiver.as_str(), d.routes[0].opts.group_wait, d.routes[0].path.as_slice()),
        ("a", 60_000, &[0][..])
    );
}

#[test]
fn labels_as_amtool_reads_them() {
    assert_eq!(parse_label("a=b"), Ok(("a".into(), "b".into())));
    assert_eq!(parse_label("summary=\"disk full\""), Ok(("summary".into(), "disk full".into())));
    assert_eq!(parse_label("a="), Ok(("a".into(), String::new())));
    assert!(parse_label("a!=b").unwrap_err().contains("must be `name=value`"));
    assert!(parse_label("novalue").unwrap_err().contains("is not `name=value`"));
}

#[test]
fn deep_trees_do_not_overflow() {
    // The YAML reader's nesting bound keeps route trees shallow; a wide tree is fine.
    let mut yaml = String::from("route:\n  receiver: a\n  routes:\n");
    for i in 0..5000 {
        yaml.push_str(&format!("    - {{matchers: ['n=\"{i}\"'], continue: true}}\n"));
    }
    yaml.push_str("receivers: [{name: a}]\n");
    let c = Config::parse(Path::new("am.yml"), &yaml).unwrap();
    assert_eq!(c.decide(&labels("n=4999"), &[], None).routes.len(), 1);
    // YAML's own parser recurses: as `check`, parse on a big stack.
    let deep = format!("route: {}{}\n", "{routes: [".repeat(40), "]}".repeat(40));
    let err = crate::check::deep::on_big_stack(|| Config::parse(Path::new("am.yml"), &deep).unwrap_err().to_string());
    assert!(err.contains("nested more than 64 levels"), "{err}");
}
