//! The template engine: minijinja with `${{ … }}` for variables, so the `{{ … }}` of Prometheus,
//! Alertmanager and Grafana passes through untouched. Blocks stay `{% … %}`, comments `{# … #}`.

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};

use crate::assets::Source;
use crate::diag::{Diagnostic, Pos};

use super::yaml;

/// A template engine configured the monstack way.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// An engine with strict undefined variables, no auto-escaping and the `yaml` filter.
    pub fn new() -> Self {
        let mut env = Environment::new();
        let syntax = SyntaxConfig::builder()
            .block_delimiters("{%", "%}")
            .variable_delimiters("${{", "}}")
            .comment_delimiters("{#", "#}")
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("the delimiters are distinct");
        env.set_syntax(syntax);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Output is YAML and JSON: HTML escaping would corrupt it.
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.add_filter("yaml", |v: Value| -> String {
            match v.as_str() {
                Some(s) => yaml::scalar(s),
                None => yaml::scalar(&v.to_string()),
            }
        });
        Templates { env }
    }

    /// Renders `source` with `ctx`; errors name the template file and line.
    pub fn render(&self, source: &Source, ctx: &Value) -> Result<String, Box<Diagnostic>> {
        self.env.render_named_str(&source.name, &source.text, ctx).map_err(|err| Box::new(template_error(source, &err)))
    }
}

impl Default for Templates {
    fn default() -> Self {
        Templates::new()
    }
}

fn template_error(source: &Source, err: &minijinja::Error) -> Diagnostic {
    let pos = err.line().map(|line| {
        // minijinja gives a byte range in the template; turn its start into a column on that line.
        let column = err
            .range()
            .and_then(|r| {
                let line_start = source.text[..r.start.min(source.text.len())].rfind('\n').map_or(0, |i| i + 1);
                source.text.get(line_start..r.start).map(|s| s.chars().count() as u64 + 1)
            })
            .unwrap_or(1);
        Pos { line: line as u64, column }
    });
    let mut message = format!("template error: {}", err.kind());
    if let Some(detail) = err.detail() {
        message.push_str(": ");
        message.push_str(detail);
    }
    Diagnostic::new(&source.display, &source.text, pos, message).with_help(
        "variables are written `${{ name }}`; `{{ … }}` is passed through for Prometheus, Alertmanager and Grafana",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn src(text: &str) -> Source {
        Source { display: PathBuf::from("templates/x.yml"), name: "x.yml".into(), text: text.into() }
    }

    #[test]
    fn upstream_braces_pass_through() {
        let out = Templates::new()
            .render(
                &src("summary: \"{{ $labels.instance }} on ${{ who }}\"\n{% if yes %}ok{% endif %}\n"),
                &minijinja::context! { who => "a", yes => true },
            )
            .unwrap();
        // trim_blocks eats the newline after a block tag, as YAML templates want.
        assert_eq!(out, "summary: \"{{ $labels.instance }} on a\"\nok");
    }

    #[test]
    fn undefined_variables_are_errors_with_a_line() {
        let err = Templates::new().render(&src("a: 1\nb: ${{ missing }}\n"), &minijinja::context! {}).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("templates/x.yml:2:"), "{text}");
        assert!(text.contains("undefined"), "{text}");
    }

    #[test]
    fn yaml_filter_quotes() {
        let out = Templates::new()
            .render(&src("${{ a|yaml }} ${{ b|yaml }}"), &minijinja::context! { a => "yes", b => "x" })
            .unwrap();
        assert_eq!(out, "\"yes\" x");
    }
}
