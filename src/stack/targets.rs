//! The targets the rendered Prometheus config declares, compared with what Prometheus reports:
//! `up --wait` and `status` judge health only once Prometheus scrapes exactly what the config on
//! disk says, each target at least once since that config was loaded.

use std::collections::BTreeSet;
use std::path::Path;

use crate::probe::{Discovery, TargetHealth};
use crate::project::layout::PROMETHEUS_CONFIG;

use super::state::rfc3339_nanos;

/// The scrape jobs of a rendered Prometheus config.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Declared {
    /// Jobs, in the config's order.
    pub jobs: Vec<DeclaredJob>,
    /// The config pulls in more jobs (`scrape_config_files`) than it lists.
    pub open: bool,
}

/// One scrape job.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredJob {
    /// `job_name`.
    pub name: String,
    /// Targets of its `static_configs`.
    pub targets: Vec<String>,
    /// It also has service discovery, whose targets cannot be known in advance.
    pub discovered: bool,
}

/// Reads the jobs of the rendered config in `out_dir`; none when it is missing or unreadable.
pub fn declared(out_dir: &Path) -> Declared {
    std::fs::read_to_string(out_dir.join(PROMETHEUS_CONFIG)).map(|t| parse(&t)).unwrap_or_default()
}

fn parse(text: &str) -> Declared {
    let Ok(config) = serde_saphyr::from_str::<serde_json::Value>(text) else { return Declared::default() };
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().into_iter().flatten().filter_map(|t| t.as_str().map(str::to_owned)).collect()
    };
    let jobs = config["scrape_configs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|job| {
            Some(DeclaredJob {
                name: job["job_name"].as_str()?.to_owned(),
                targets: job["static_configs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|s| strings(&s["targets"]))
                    .collect(),
                discovered: job.as_object()?.keys().any(|k| k.ends_with("_sd_configs")),
            })
        })
        .collect();
    Declared { jobs, open: !strings(&config["scrape_config_files"]).is_empty() }
}

/// How far Prometheus is from the declared config.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verdict {
    /// Prometheus scrapes exactly the declared targets, each since the config was loaded.
    pub settled: bool,
    /// Declared targets Prometheus does not know yet (health `unknown`).
    pub missing: Vec<TargetHealth>,
    /// Everything that is not (yet) a declared target up and scraped since the config was loaded.
    pub problems: Vec<TargetHealth>,
}

impl Verdict {
    /// Settled, with every target up.
    pub fn healthy(&self) -> bool {
        self.settled && self.problems.is_empty()
    }
}

fn unknown(job: &str, instance: &str, why: &str) -> TargetHealth {
    TargetHealth {
        job: job.into(),
        instance: instance.into(),
        health: "unknown".into(),
        last_error: why.into(),
        last_scrape: String::new(),
        pool: job.into(),
        address: instance.into(),
    }
}

/// Compares what Prometheus reports with what the config declares.
pub fn judge(declared: &Declared, found: &Discovery) -> Verdict {
    let seen: BTreeSet<(&str, &str)> = found
        .active
        .iter()
        .map(|t| (t.pool.as_str(), t.address.as_str()))
        .chain(found.dropped.iter().map(|(j, a)| (j.as_str(), a.as_str())))
        .collect();
    let mut v = Verdict::default();
    for job in &declared.jobs {
        for target in job.targets.iter().filter(|t| !seen.contains(&(job.name.as_str(), t.as_str()))) {
            v.missing.push(unknown(&job.name, target, "not discovered by Prometheus yet"));
        }
    }
    let loaded = rfc3339_nanos(&found.last_config);
    let mut stale = false;
    for t in &found.active {
        let known = declared.open || declared.jobs.iter().any(|j| j.name == t.pool);
        let fresh = match (loaded, rfc3339_nanos(&t.last_scrape)) {
            (Some(loaded), Some(scraped)) => scraped > loaded,
            _ => t.health != "unknown",
        };
        if !known {
            stale = true;
            let why = "its job is no longer in the config; Prometheus has not dropped it yet";
            v.problems.push(TargetHealth { last_error: why.into(), ..t.clone() });
        } else if !fresh {
            stale = true;
            let why = "not scraped since Prometheus loaded the config";
            let last_error =
                if t.last_error.is_empty() { why.into() } else { format!("{why}; last: {}", t.last_error) };
            v.problems.push(TargetHealth { last_error, ..t.clone() });
        } else if t.health != "up" {
            v.problems.push(t.clone());
        }
    }
    v.settled = v.missing.is_empty() && !stale && !found.active.is_empty();
    v.problems.splice(0..0, v.missing.iter().cloned());
    v
}

/// The declared targets, each `unknown` for `why` (Prometheus cannot be asked).
pub fn all_unknown(declared: &Declared, why: &str) -> Vec<TargetHealth> {
    declared.jobs.iter().flat_map(|j| j.targets.iter().map(|t| unknown(&j.name, t, why))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "global: {}\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: [node:9100]\n  - job_name: extra\n    static_configs:\n      - targets: ['127.0.0.1:1']\n        labels: {a: b}\n  - job_name: files\n    file_sd_configs: [{files: [x.json]}]\n";

    fn target(pool: &str, address: &str, health: &str, last_scrape: &str) -> TargetHealth {
        TargetHealth {
            job: pool.into(),
            instance: address.into(),
            health: health.into(),
            last_error: String::new(),
            last_scrape: last_scrape.into(),
            pool: pool.into(),
            address: address.into(),
        }
    }

    #[test]
    fn reads_static_targets_and_marks_discovered_jobs() {
        let d = parse(CONFIG);
        assert_eq!(d.jobs.len(), 3);
        assert_eq!(d.jobs[1].targets, ["127.0.0.1:1"]);
        assert!(d.jobs[2].discovered && !d.jobs[0].discovered);
        assert!(!d.open);
        assert_eq!(parse("not: [valid"), Declared::default());
    }

    #[test]
    fn settles_only_when_every_declared_target_was_scraped_after_the_reload() {
        let d = parse(CONFIG);
        let loaded = "2026-01-01T00:00:10.5Z".to_owned();
        let after = "2026-01-01T00:00:11Z";
        // Just after the reload: the new job is not known yet, the old one not rescraped.
        let early = Discovery {
            active: vec![target("node", "node:9100", "up", "2026-01-01T00:00:10.2Z")],
            dropped: vec![],
            last_config: loaded.clone(),
        };
        let v = judge(&d, &early);
        assert!(!v.settled && !v.healthy());
        assert_eq!(v.missing.len(), 1);
        assert_eq!(v.problems.len(), 2, "{v:?}");
        // Discovered and scraped since: settled, and the dead target is the one problem.
        let late = Discovery {
            active: vec![target("node", "node:9100", "up", after), target("extra", "127.0.0.1:1", "down", after)],
            dropped: vec![],
            last_config: loaded.clone(),
        };
        let v = judge(&d, &late);
        assert!(v.settled && !v.healthy());
        assert_eq!(v.problems.iter().map(|t| t.job.as_str()).collect::<Vec<_>>(), ["extra"]);
        // A job no longer declared keeps it unsettled.
        let mut stale = late.clone();
        stale.active[1].health = "up".into();
        stale.active.push(target("gone", "x:1", "up", after));
        assert!(!judge(&d, &stale).settled);
        stale.active.pop();
        assert!(judge(&d, &stale).healthy());
    }
}
