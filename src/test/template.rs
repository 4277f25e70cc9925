//! Alert label and annotation templates, expanded as Prometheus expands them. One function, so
//! the Go template executor (`src/gotemplate/`, being written on its own branch) plugs in here
//! and nowhere else.

use crate::promql::Labels;

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
    /// Evaluation time (milliseconds), when `query` runs.
    pub time: i64,
}

/// Why a template gave no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The template failed as Prometheus' would; Prometheus then uses
    /// `<error expanding template: …>` as the value.
    Template(String),
    /// This build cannot execute templates with actions: the test cannot be judged.
    Unavailable,
}

/// Message of [`Error::Unavailable`].
pub const UNAVAILABLE: &str = "template expansion not available yet: label and annotation templates with `{{ … }}` \
     cannot be executed by this build, so alerts using them cannot be compared";

/// Expands `text` for the alert rule `rule`. `query` runs a PromQL query at the evaluation time
/// (the `query` template function).
pub fn expand(
    _rule: &str,
    text: &str,
    _data: &Data<'_>,
    _query: &mut dyn FnMut(&str) -> Result<Vec<crate::promql::Sample>, String>,
) -> Result<String, Error> {
    if !text.contains("{{") {
        return Ok(text.to_string());
    }
    Err(Error::Unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_kept_and_actions_are_refused_explicitly() {
        let labels = Labels::new();
        let data = Data { labels: &labels, value: 1.0, external_labels: &[], external_url: "", time: 0 };
        let mut q = |_: &str| Ok(Vec::new());
        assert_eq!(expand("A", "plain", &data, &mut q), Ok("plain".into()));
        assert_eq!(expand("A", "{{ $value }}", &data, &mut q), Err(Error::Unavailable));
    }
}
