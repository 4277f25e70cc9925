//! `rules/template`: alert labels and annotations are Go templates. They are parsed as Prometheus
//! does, behind its header of `$labels`, `$externalLabels`, `$externalURL` and `$value`, with its
//! template functions declared; an undefined variable or function is an error, as in promtool.

use crate::check::problem::Sink;
use crate::check::Check;
use crate::diag::Pos;

const HEADER: &str =
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";

/// Template functions Prometheus adds to Go's (`template.go`); Go's own come with gtmpl.
const FUNCS: &[&str] = &[
    "query",
    "first",
    "label",
    "value",
    "strvalue",
    "args",
    "reReplaceAll",
    "safeHtml",
    "match",
    "title",
    "toUpper",
    "toLower",
    "graphLink",
    "tableLink",
    "sortByLabel",
    "humanize",
    "humanize1024",
    "humanizeDuration",
    "humanizePercentage",
    "humanizeTimestamp",
    "toTime",
    "toDuration",
    "pathPrefix",
    "externalURL",
    "parseDuration",
    "stripPort",
    "stripDomain",
    "now",
    "urlQueryEscape",
];

/// Parses the template `text` of `field` in alert `alert`.
pub fn check(alert: &str, field: &str, text: &str, at: Pos, sink: &mut Sink) {
    if !text.contains("{{") {
        return;
    }
    let vars = ["$labels", "$externalLabels", "$externalURL", "$value"];
    if let Err(e) = crate::check::gotemplate::parse_after(&format!("__alert_{alert}"), HEADER, &vars, text, FUNCS) {
        sink.error(Check::RulesTemplate, Some(at), format!("error parsing template {field}: {e}"))
            .help("Prometheus defines $labels, $externalLabels, $externalURL and $value, e.g. {{ $labels.instance }}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_variables_are_errors() {
        let mut sink = Sink::new("r.yml");
        check("A", "summary", "{{ $labels.instance }} is {{ $value | humanize }}", Pos::default(), &mut sink);
        assert!(sink.problems.is_empty(), "{:?}", sink.problems);
        check("A", "summary", "Instance {{ $label.foo }} down", Pos::default(), &mut sink);
        assert!(sink.problems[0].message.contains("undefined"), "{:?}", sink.problems);
    }
}
