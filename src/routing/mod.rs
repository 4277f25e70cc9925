//! A native Alertmanager router, with Alertmanager 0.25+'s semantics and no Docker: which routes
//! and receivers an alert reaches (the route tree with `continue` and inherited options), whether
//! firing alerts inhibit it, and whether time intervals mute its routes at an instant.
//!
//! [`Config`] reads what routing depends on from an `alertmanager.yml`; [`tests`] reads and runs
//! routing test files. Nothing here prints: commands render the results.

pub mod config;
pub mod coverage;
pub mod inhibit;
pub mod instant;
pub mod interval;
pub mod route;
pub mod tests;
pub mod tz;

pub use config::{Config, InhibitRule, Receiver};
pub use inhibit::{Inhibition, Inhibitor};
pub use instant::Instant;
pub use route::{Labels, Route};

/// Where an alert goes: the routes it ends at and what happens to it there.
#[derive(Debug, Clone)]
pub struct Decision<'a> {
    /// The routes it ends at, in tree order.
    pub routes: Vec<&'a Route>,
    /// What inhibits it (empty: not inhibited).
    pub inhibitions: Vec<Inhibition>,
    /// For each of `routes`: muted by its time intervals at the instant asked about (all false
    /// when no instant was given).
    pub muted: Vec<bool>,
}

impl Decision<'_> {
    /// The receivers, comma-joined in tree order, as `amtool config routes test` prints them.
    pub fn receivers_slug(&self) -> String {
        self.receivers().join(",")
    }

    /// The receivers in tree order (a receiver reached by two routes appears twice, as upstream).
    pub fn receivers(&self) -> Vec<&str> {
        self.routes.iter().map(|r| r.opts.receiver.as_str()).collect()
    }
}

impl Config {
    /// Routes `labels`; `firing` are the other alerts present (inhibition sources); `at` the
    /// instant time intervals are evaluated at.
    pub fn decide(&self, labels: &Labels, firing: &[Labels], at: Option<Instant>) -> Decision<'_> {
        self.decide_with(labels, &Inhibitor::new(self, firing), at)
    }

    /// As [`Config::decide`], with the firing alerts already indexed: for many alerts at once.
    pub fn decide_with(&self, labels: &Labels, inhibitor: &Inhibitor<'_>, at: Option<Instant>) -> Decision<'_> {
        let routes = self.route.walk(labels);
        let muted = routes.iter().map(|r| at.is_some_and(|t| self.muted(r, t))).collect();
        Decision { routes, inhibitions: inhibitor.inhibitions(labels), muted }
    }

    /// Whether `route` is muted at `t`: inside one of its `mute_time_intervals`, or outside all
    /// of its `active_time_intervals` (when it has any).
    pub fn muted(&self, route: &Route, t: Instant) -> bool {
        let inside = |names: &[String]| {
            names.iter().any(|n| self.intervals.get(n).is_some_and(|tis| tis.iter().any(|ti| ti.contains(t))))
        };
        inside(&route.opts.mute_time_intervals)
            || (!route.opts.active_time_intervals.is_empty() && !inside(&route.opts.active_time_intervals))
    }
}

/// Parses `name=value` as amtool parses its label arguments (a matcher that must be `=`; the
/// value may be quoted); `Err` says what is expected.
pub fn parse_label(arg: &str) -> Result<(String, String), String> {
    let m = crate::syntax::matcher::parse_matcher(arg).map_err(|e| {
        format!("label `{arg}` is not `name=value` ({e}); expected e.g. `severity=critical` or `summary=\"disk full\"`")
    })?;
    if m.op != "=" {
        return Err(format!("label `{arg}` is a `{}` matcher; labels must be `name=value` pairs", m.op));
    }
    Ok((m.name, m.value))
}

#[cfg(test)]
mod unit;
