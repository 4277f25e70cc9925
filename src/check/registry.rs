//! Every check monstack has, declared once: its stable name (what output prints and suppressions
//! name), its kind (the README table it belongs to) and what it looks at. Producers name a check
//! by its variant, so a misspelt check does not compile; names in user text (suppressions) are
//! looked up here.

/// Which README table a check belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    /// What Prometheus, Alertmanager or Grafana would refuse (some also warn, e.g. a missing uid).
    Error,
    /// Valid but probably wrong: lints and cross-checks; they only ever warn.
    Lint,
}

macro_rules! checks {
    ($($variant:ident => $name:literal, $kind:ident, $doc:literal;)*) => {
        /// A check, by the name it is reported under.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Check {
            $(#[doc = $doc] $variant,)*
        }

        impl Check {
            /// Every check, in README order.
            pub const ALL: &[Check] = &[$(Check::$variant),*];

            /// The stable name, e.g. `rules/expr`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Check::$variant => $name,)*
                }
            }

            /// The README table it belongs to.
            pub const fn kind(self) -> CheckKind {
                match self {
                    $(Check::$variant => CheckKind::$kind,)*
                }
            }

            /// What it looks at, in one line.
            pub const fn doc(self) -> &'static str {
                match self {
                    $(Check::$variant => $doc,)*
                }
            }
        }
    };
}

// Findings carry their check's name into every output format.
impl serde::Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

checks! {
    YamlSyntax => "yaml/syntax", Error, "The file parses as YAML.";
    RulesField => "rules/field", Error, "Rule files have only upstream's fields, of the right types.";
    RulesGroupName => "rules/group-name", Error, "Group names are present and unique in a file.";
    RulesKind => "rules/kind", Error, "A rule is exactly one of recording or alerting, with its own fields.";
    RulesDuration => "rules/duration", Error, "Durations of rules and groups parse.";
    RulesName => "rules/name", Error, "Record, label and annotation names are valid.";
    RulesExpr => "rules/expr", Error, "Rule expressions parse as PromQL.";
    RulesTemplate => "rules/template", Error, "Alert labels and annotations parse as Go templates.";
    PrometheusField => "prometheus/field", Error, "Prometheus config fields are known and of the right type.";
    PrometheusGlobal => "prometheus/global", Error, "The global section: name validation, timeouts, protocols.";
    PrometheusFiles => "prometheus/files", Error, "Rule and scrape config file patterns are valid.";
    PrometheusFile => "prometheus/file", Error, "Files a Prometheus config references exist.";
    PrometheusScrape => "prometheus/scrape", Error, "Scrape configs: unique job names, timeouts, schemes.";
    PrometheusRelabel => "prometheus/relabel", Error, "Relabel configs: actions, their fields, regexes.";
    PrometheusSd => "prometheus/sd", Error, "Service discovery configs of every kind, and static targets.";
    PrometheusRemote => "prometheus/remote", Error, "Remote write and read configs.";
    PrometheusAlerting => "prometheus/alerting", Error, "The alerting section.";
    PrometheusStorage => "prometheus/storage", Error, "The storage section.";
    PrometheusTracing => "prometheus/tracing", Error, "The tracing section.";
    PrometheusOtlp => "prometheus/otlp", Error, "The OTLP section.";
    PrometheusLabels => "prometheus/labels", Error, "External label names are valid.";
    HttpField => "http/field", Error, "HTTP client configs have only known fields.";
    HttpAuth => "http/auth", Error, "HTTP client configs authenticate one way.";
    HttpTls => "http/tls", Error, "TLS configs name one source per file.";
    HttpProxy => "http/proxy", Error, "Proxy settings of HTTP client configs.";
    ProjectSecret => "project/secret", Error, "The Grafana admin password file is present, not empty and not `admin`.";
    AlertmanagerField => "alertmanager/field", Error, "Alertmanager config fields are known.";
    AlertmanagerRoute => "alertmanager/route", Error, "The route tree: its root, receivers and time intervals used, and the time intervals themselves.";
    AlertmanagerReceiver => "alertmanager/receiver", Error, "Receivers: unique names, each integration's required fields.";
    AlertmanagerMatcher => "alertmanager/matcher", Error, "Matchers parse and their regexes compile.";
    AlertmanagerDuration => "alertmanager/duration", Error, "Alertmanager durations parse.";
    AlertmanagerTemplate => "alertmanager/template", Error, "Notification templates parse and template files exist.";
    DashboardJson => "dashboard/json", Error, "A dashboard is a JSON object.";
    DashboardTitle => "dashboard/title", Error, "A dashboard has a title, unique across the set.";
    DashboardUid => "dashboard/uid", Error, "Dashboard uids are unique across the set.";
    DashboardPanelId => "dashboard/panel-id", Error, "Panel ids are unique in a dashboard.";
    DashboardDatasource => "dashboard/datasource", Error, "Datasource references resolve.";
    DashboardInputs => "dashboard/inputs", Error, "No inputs left over from a Grafana export.";
    DashboardExpr => "dashboard/expr", Error, "Panel queries parse as PromQL once variables are substituted.";
    ExactPromtool => "exact/promtool", Error, "What the pinned Prometheus image's promtool says.";
    ExactAmtool => "exact/amtool", Error, "What the pinned Alertmanager image's amtool says.";
    RulesDuplicate => "rules/duplicate", Lint, "The same rule twice in a file.";
    RulesSeverity => "rules/severity", Lint, "An alert without a `severity` label.";
    RulesSummary => "rules/summary", Lint, "An alert without a `summary` annotation.";
    RulesRateRange => "rules/rate-range", Lint, "A rate over less than 4 scrape intervals.";
    RulesCounterComparison => "rules/counter-comparison", Lint, "A comparison against a raw counter.";
    PromqlLeInteger => "promql/le-integer", Lint, "An `le` or `quantile` matcher written as an integer, which Prometheus 3 no longer stores.";
    ProjectRoute => "project/route", Lint, "An alert reaches only receivers that notify no one.";
    ProjectMetric => "project/metric", Lint, "A metric read that nothing scrapes or records.";
    DashboardGrid => "dashboard/grid", Lint, "Overlapping panels.";
    DashboardPanelType => "dashboard/panel-type", Lint, "A panel type Grafana 12 removed (AngularJS plugins).";
    LintSuppression => "lint/suppression", Lint, "A suppression that is malformed, names no known check, or expired.";
}

impl Check {
    /// The check named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Check> {
        Check::ALL.iter().copied().find(|c| c.name() == name)
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// The check names of the README's tables, with the table each is in; a row may name several
    /// checks in its first cell.
    fn readme_checks() -> BTreeMap<String, CheckKind> {
        let readme = include_str!("../../README.md");
        let mut table = None;
        let mut found = BTreeMap::new();
        for line in readme.lines() {
            if line.starts_with("Errors are what") {
                table = Some(CheckKind::Error);
            } else if line.starts_with("Warnings (lints") {
                table = Some(CheckKind::Lint);
            } else if !line.starts_with('|') && !line.is_empty() {
                table = None;
            }
            let (Some(kind), Some(row)) = (table, line.strip_prefix("| `")) else { continue };
            let cell = row.split(" |").next().unwrap_or_default();
            for name in cell.split(", ") {
                let name = name.trim_matches('`');
                assert!(found.insert(name.to_owned(), kind).is_none(), "{name} is in the README twice");
            }
        }
        found
    }

    #[test]
    fn the_readme_lists_every_check_in_its_table_and_no_other() {
        let readme = readme_checks();
        assert!(readme.len() > 40, "the README's check tables were not found");
        let undocumented: Vec<&str> =
            Check::ALL.iter().map(|c| c.name()).filter(|name| !readme.contains_key(*name)).collect();
        let unknown: Vec<&str> =
            readme.keys().map(String::as_str).filter(|name| Check::from_name(name).is_none()).collect();
        let misplaced: Vec<&str> = Check::ALL
            .iter()
            .filter(|c| readme.get(c.name()).is_some_and(|kind| *kind != c.kind()))
            .map(|c| c.name())
            .collect();
        assert!(undocumented.is_empty(), "checks missing from the README's tables: {undocumented:?}");
        assert!(unknown.is_empty(), "checks in the README's tables that the registry lacks: {unknown:?}");
        assert!(misplaced.is_empty(), "checks in the other README table than their kind: {misplaced:?}");
    }

    #[test]
    fn names_are_unique_and_found_by_name() {
        for c in Check::ALL {
            assert_eq!(Check::from_name(c.name()), Some(*c), "{c} is declared twice");
        }
        assert_eq!(Check::from_name("rules/sumary"), None);
    }
}
