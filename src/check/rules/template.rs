//! `rules/template`: alert labels and annotations are Go templates. They are parsed as Prometheus
//! does, behind its header of `$labels`, `$externalLabels`, `$externalURL` and `$value`, with its
//! template functions declared; an undefined variable or function is an error, as in promtool.

use crate::check::problem::Sink;
use crate::check::Check;
use crate::diag::Pos;
use crate::gotemplate::{self, funcs, Options};

/// The variables Prometheus' header declares before every label and annotation template
/// (`rules/alerting.go`: `{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}…`); the
/// header has no newline, so Go's line numbers are the text's own.
const VARS: &[&str] = &["$labels", "$externalLabels", "$externalURL", "$value"];

const OPTIONS: Options<'static> = Options {
    funcs: &[funcs::BUILTINS, funcs::PROMETHEUS],
    vars: VARS,
    max_depth: gotemplate::MAX_DEPTH,
    skip_func_check: false,
};

/// Parses the template `text` of `field` in alert `alert`.
pub fn check(alert: &str, field: &str, text: &str, at: Pos, sink: &mut Sink) {
    if !text.contains("{{") {
        return;
    }
    if let Err(e) = gotemplate::parse(&format!("__alert_{alert}"), text, &OPTIONS) {
        let help = if e.message.ends_with("depth exceeded") {
            "monstack parses templates nested up to 1000 levels (Go: 10,000); no real template comes near"
        } else {
            "Prometheus defines $labels, $externalLabels, $externalURL and $value, e.g. {{ $labels.instance }}"
        };
        sink.error(Check::RulesTemplate, Some(at), format!("error parsing template {field}: {e}")).help(help);
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
