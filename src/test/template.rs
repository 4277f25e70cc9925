//! Alert label and annotation templates, expanded as Prometheus expands them: by
//! [`crate::gotemplate::prometheus`] (Go's text/template with Prometheus' functions), its `query`
//! running on the native engine through a callback. One home, so the runner calls nothing else.

use std::collections::BTreeMap;

use crate::gotemplate::prometheus::{self as gp, AlertData, QueryFn, QuerySample};
use crate::gotemplate::Funcs;
use crate::promql::{Labels, Sample};

/// What a template sees: `$labels`, `$value`, `$externalLabels`, `$externalURL`.
pub struct Data<'a> {
    /// The alert's sample labels (`$labels`).
    pub labels: &'a Labels,
    /// The sample value (`$value`).
    pub value: f64,
    /// `$externalLabels`.
    pub external_labels: &'a [(String, String)],
    /// `$externalURL`.
    pub external_url: &'a str,
}

/// Whether `text` needs the executor (text without actions expands to itself).
pub fn has_actions(text: &str) -> bool {
    text.contains("{{")
}

/// Prometheus' template functions for one evaluation at `time` (milliseconds), `query` running
/// there.
pub fn funcs<'q>(external_url: &str, time: i64, query: &'q QueryFn<'q>) -> Funcs<'q> {
    gp::funcs(&gp::Context { external_url: external_url.to_string(), now: time as f64 / 1000.0, query: Some(query) })
}

/// A query result as templates see it.
pub fn samples(v: Vec<Sample>) -> Vec<QuerySample> {
    v.into_iter()
        .map(|s| QuerySample {
            labels: s.metric.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            value: s.f,
        })
        .collect()
}

/// Expands `text` for the alert rule `rule`; a failing template gives Prometheus' own
/// `<error expanding template: …>` text, as the alert then carries.
pub fn expand(rule: &str, text: &str, data: &Data<'_>, funcs: &Funcs<'_>) -> String {
    if !has_actions(text) {
        return text.to_string();
    }
    let labels: BTreeMap<String, String> = data.labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let external: BTreeMap<String, String> = data.external_labels.iter().cloned().collect();
    let d =
        AlertData { labels: &labels, external_labels: &external, external_url: data.external_url, value: data.value };
    gp::expand(rule, text, &d, funcs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_value_and_query() {
        let labels = Labels::from_pairs([("__name__", "up"), ("instance", "a:1")]);
        let ext = [("cluster".to_string(), "eu".to_string())];
        let data = Data { labels: &labels, value: 1234567.0, external_labels: &ext, external_url: "http://p/" };
        let q = |e: &str| -> Result<Vec<QuerySample>, String> {
            Ok(vec![QuerySample { labels: BTreeMap::new(), value: e.len() as f64 }])
        };
        let f = funcs("http://p/", 60_000, &q);
        assert_eq!(expand("A", "plain", &data, &f), "plain");
        let text = "{{ $labels.instance }} {{ $value | humanize }} {{ $externalLabels.cluster }} {{ with query \"abc\" }}{{ . | first | value }}{{ end }}";
        assert_eq!(expand("A", text, &data, &f), "a:1 1.235M eu 3");
        assert!(expand("A", "{{ .Nope.x }", &data, &f).starts_with("<error expanding template: "));
    }
}
