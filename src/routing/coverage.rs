//! Routing coverage: which receivers nothing reaches, and which alerts reach no one. The inputs
//! are label sets (routing test cases, alert rules' static labels); `monstack test --coverage`
//! and the `project/route` check report the results.

use super::{Config, Labels, Receiver};

/// The receivers none of `label_sets` reaches, in config order.
pub fn unreached<'a>(config: &'a Config, label_sets: &[Labels]) -> Vec<&'a Receiver> {
    let mut reached = std::collections::BTreeSet::new();
    for labels in label_sets {
        for r in config.route.walk(labels) {
            reached.insert(r.opts.receiver.as_str());
        }
    }
    config.receivers.iter().filter(|r| !reached.contains(r.name.as_str())).collect()
}

/// The receivers `labels` reaches when none of them has an integration (the alert is dropped
/// silently); `None` when one of them notifies someone.
pub fn silent<'a>(config: &'a Config, labels: &Labels) -> Option<Vec<&'a str>> {
    let reached: Vec<&str> = config.route.walk(labels).iter().map(|r| r.opts.receiver.as_str()).collect();
    let notifies = |name: &str| config.receiver(name).is_some_and(|r| !r.integrations.is_empty());
    (!reached.iter().any(|r| notifies(r))).then_some(reached)
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn unreached_and_silent() {
        let yaml = "route:\n  receiver: team\n  routes:\n    - {matchers: [alertname=Watchdog], receiver: blackhole}\n    - {matchers: [team=db], receiver: db}\nreceivers:\n  - {name: team, webhook_configs: [{url: 'http://h/'}]}\n  - {name: blackhole}\n  - {name: db, slack_configs: [{channel: x}]}\n";
        let c = Config::parse(std::path::Path::new("am.yml"), yaml).unwrap();
        let l = |k: &str, v: &str| Labels::from([(k.to_owned(), v.to_owned())]);
        let names = |rs: Vec<&Receiver>| rs.into_iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(unreached(&c, &[l("alertname", "Watchdog")])), ["team", "db"]);
        assert_eq!(names(unreached(&c, &[l("a", "b"), l("team", "db")])), ["blackhole"]);
        assert_eq!(silent(&c, &l("alertname", "Watchdog")), Some(vec!["blackhole"]));
        assert_eq!(silent(&c, &l("team", "db")), None);
        assert_eq!(c.receiver("db").unwrap().integrations, ["slack"]);
    }
}
