//! A small, deterministic YAML emitter for the files monstack writes itself (rule files), and the
//! scalar quoting the templates use through the `yaml` filter.
//!
//! It emits block style only, the way Prometheus' own examples are written: plain scalars where
//! YAML reads them back unchanged, `|-` blocks for multi-line text, double quotes otherwise.

/// A YAML value to emit (the checks read YAML as [`crate::check::node::SourceNode`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Emit {
    /// A string scalar.
    Str(String),
    /// An integer scalar.
    Int(i64),
    /// A boolean scalar (Kubernetes objects have typed fields).
    Bool(bool),
    /// A sequence.
    Seq(Vec<Emit>),
    /// A mapping, in the given key order.
    Map(Vec<(String, Emit)>),
}

/// Emits `node` as a YAML document.
pub fn to_string(node: &Emit) -> String {
    let mut out = String::new();
    match node {
        Emit::Map(entries) if entries.is_empty() => out.push_str("{}\n"),
        Emit::Map(entries) => map(&mut out, entries, 0),
        Emit::Seq(items) if items.is_empty() => out.push_str("[]\n"),
        Emit::Seq(items) => seq(&mut out, items, 0),
        scalar => {
            inline(&mut out, scalar, 0);
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn map(out: &mut String, entries: &[(String, Emit)], indent: usize) {
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push_str(&scalar(key));
        out.push(':');
        value_after_key(out, value, indent);
    }
}

fn value_after_key(out: &mut String, value: &Emit, indent: usize) {
    match value {
        Emit::Map(e) if !e.is_empty() => {
            out.push('\n');
            pad(out, indent + 2);
            map(out, e, indent + 2);
        }
        Emit::Seq(items) if !items.is_empty() => {
            out.push('\n');
            pad(out, indent + 2);
            seq(out, items, indent + 2);
        }
        other => {
            out.push(' ');
            inline(out, other, indent + 2);
            out.push('\n');
        }
    }
}

fn seq(out: &mut String, items: &[Emit], indent: usize) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push_str("- ");
        match item {
            Emit::Map(e) if !e.is_empty() => map(out, e, indent + 2),
            Emit::Seq(inner) if !inner.is_empty() => seq(out, inner, indent + 2),
            other => {
                inline(out, other, indent + 2);
                out.push('\n');
            }
        }
    }
}

/// A scalar or empty collection written after `key: ` or `- `; `indent` is for block scalars.
fn inline(out: &mut String, node: &Emit, indent: usize) {
    match node {
        Emit::Str(s) if block_ok(s) => {
            out.push_str(if s.ends_with('\n') { "|" } else { "|-" });
            for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
                out.push('\n');
                if !line.is_empty() {
                    pad(out, indent);
                    out.push_str(line);
                }
            }
        }
        Emit::Str(s) => out.push_str(&scalar(s)),
        Emit::Int(n) => out.push_str(&n.to_string()),
        Emit::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Emit::Seq(_) => out.push_str("[]"),
        Emit::Map(_) => out.push_str("{}"),
    }
}

/// Whether `s` reads back unchanged as a literal block scalar.
fn block_ok(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && !s.ends_with("\n\n")
        && s.split('\n').all(|l| !l.ends_with([' ', '\t']) && !l.chars().any(|c| c.is_control() && c != '\t'))
}

/// `s` as a one-line YAML scalar: plain when that reads back as the same string, else quoted.
pub fn scalar(s: &str) -> String {
    if plain_ok(s) {
        s.to_owned()
    } else {
        // JSON's escapes are a subset of YAML's double-quoted escapes.
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
    }
}

fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || first.is_whitespace() || s.ends_with(char::is_whitespace) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.chars().any(|c| c.is_control()) {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    const RESERVED: [&str; 11] = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf"];
    if RESERVED.contains(&lower.as_str()) || lower == ".nan" || lower == "-.inf" {
        return false;
    }
    // Anything that starts like a number may be read as one (1e3, 0x1f, 1_000, 12:30), unless it
    // holds a character no YAML number has (`5m`).
    let numberish = first.is_ascii_digit() || first == '.' || first == '+';
    !numberish || s.chars().any(|c| !(c.is_ascii_hexdigit() || "._:+-xXoO".contains(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Emit {
        Emit::Str(v.to_owned())
    }

    #[test]
    fn scalars_are_quoted_only_when_needed() {
        assert_eq!(scalar("up == 0"), "up == 0");
        assert_eq!(scalar("{{ $labels.instance }} down"), "\"{{ $labels.instance }} down\"");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("10"), "\"10\"");
        assert_eq!(scalar("5m"), "5m");
        assert_eq!(scalar("15d"), "\"15d\"");
        assert_eq!(scalar("1e3"), "\"1e3\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(scalar("severity=\"critical\""), "severity=\"critical\"");
    }

    #[test]
    fn nested_document() {
        let doc = Emit::Map(vec![(
            "groups".into(),
            Emit::Seq(vec![Emit::Map(vec![
                ("name".into(), s("node")),
                (
                    "rules".into(),
                    Emit::Seq(vec![Emit::Map(vec![("alert".into(), s("A")), ("expr".into(), s("x >\n  1"))])]),
                ),
                ("labels".into(), Emit::Map(vec![])),
            ])]),
        )]);
        assert_eq!(
            to_string(&doc),
            "groups:\n  - name: node\n    rules:\n      - alert: A\n        expr: |-\n          x >\n            1\n    labels: {}\n"
        );
    }
}
