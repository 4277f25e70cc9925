//! PromQL in dashboard targets, once Grafana's variables are substituted: Grafana interpolates
//! `$var`, `${var}`, `${var:format}` and `[[var]]` before the query reaches Prometheus, so the
//! text in the JSON is not PromQL until then.

use std::collections::BTreeSet;

/// Built-in variables that stand for a duration in PromQL.
const DURATIONS: [&str; 4] = ["__rate_interval", "__interval", "__range", "__auto"];
/// Built-in variables that stand for a number.
const NUMBERS: [&str; 3] = ["__interval_ms", "__range_ms", "__range_s"];

/// What a variable standing for a name or a label value becomes; no metric is called that.
pub(crate) const PLACEHOLDER: &str = "__grafana_variable";

/// One variable reference in a query.
#[derive(Debug, PartialEq)]
struct Reference {
    start: usize,
    end: usize,
    name: String,
}

/// Finds the variable references in `expr`, in Grafana's four spellings.
fn references(expr: &str) -> Vec<Reference> {
    let bytes = expr.as_bytes();
    let word =
        |from: usize| from + expr[from..].bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'{') {
            if let Some(close) = expr[i..].find('}') {
                let inner = &expr[i + 2..i + close];
                let name = inner.split([':', '.']).next().unwrap_or("").to_owned();
                out.push(Reference { start: i, end: i + close + 1, name });
                i += close + 1;
                continue;
            }
        } else if bytes[i] == b'$' {
            let end = word(i + 1);
            if end > i + 1 {
                out.push(Reference { start: i, end, name: expr[i + 1..end].to_owned() });
                i = end;
                continue;
            }
        } else if expr[i..].starts_with("[[") {
            if let Some(close) = expr[i..].find("]]") {
                let inner = &expr[i + 2..i + close];
                let name = inner.split(':').next().unwrap_or("").to_owned();
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    out.push(Reference { start: i, end: i + close + 2, name });
                    i += close + 2;
                    continue;
                }
            }
        }
        i += 1;
    }
    out
}

/// Whether position `at` of `expr` is inside a string literal.
fn in_string(expr: &str, at: usize) -> bool {
    let mut quote = None;
    let mut escaped = false;
    for c in expr[..at].chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match quote {
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
            None => {}
        }
    }
    quote.is_some()
}

/// What a reference stands for where it is: a duration inside `[...]` or after `offset`, a
/// number for the `_ms`/`_s` built-ins, text inside strings, otherwise `other`.
fn stand_in(expr: &str, r: &Reference, other: &'static str) -> &'static str {
    if in_string(expr, r.start) {
        return PLACEHOLDER;
    }
    if NUMBERS.contains(&r.name.as_str()) {
        return "300";
    }
    let before = expr[..r.start].trim_end();
    let opened = before.rfind('[').is_some_and(|o| before.rfind(']').is_none_or(|c| c < o));
    if DURATIONS.contains(&r.name.as_str()) || opened || before.ends_with("offset") || before.ends_with(':') {
        return "5m";
    }
    other
}

fn substitute(expr: &str, refs: &[Reference], other: &'static str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut last = 0;
    for r in refs {
        out.push_str(&expr[last..r.start]);
        out.push_str(stand_in(expr, r, other));
        last = r.end;
    }
    out.push_str(&expr[last..]);
    out
}

/// The query `expr` as Prometheus will see it, with its variables stood in for; `None` when it
/// does not parse.
pub(crate) fn parse(expr: &str) -> Option<promql_parser::parser::Expr> {
    crate::check::deep::promql_bounds(expr).ok()?;
    let refs = references(expr);
    let tries = if refs.is_empty() { &[PLACEHOLDER][..] } else { &[PLACEHOLDER, "1"][..] };
    tries.iter().find_map(|other| promql_parser::parser::parse(&substitute(expr, &refs, other)).ok())
}

/// What is wrong with the query `expr` given the dashboard's variables, if anything.
pub(super) fn check(expr: &str, variables: &BTreeSet<String>) -> Vec<String> {
    let refs = references(expr);
    let mut problems: Vec<String> = refs
        .iter()
        .filter(|r| {
            let n = r.name.as_str();
            !n.starts_with("__") && !n.starts_with(|c: char| c.is_ascii_digit()) && !variables.contains(n)
        })
        .map(|r| format!("variable `${}` is not defined in the dashboard's templating", r.name))
        .collect();
    if let Err(why) = crate::check::deep::promql_bounds(expr) {
        problems.push(why);
        return problems;
    }
    // A user variable may stand for a label value, a metric name or a number: try each, the
    // second only when the first fails and there is a variable to stand in for.
    if let Err(first) = promql_parser::parser::parse(&substitute(expr, &refs, PLACEHOLDER)) {
        if refs.is_empty() || promql_parser::parser::parse(&substitute(expr, &refs, "1")).is_err() {
            let message = first.lines().next().unwrap_or(&first).trim().to_owned();
            problems.push(format!("could not parse expression: {message}"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn grafana_spellings_are_found() {
        let names: Vec<String> = references("rate(x{a=\"$job\",b=\"${inst:regex}\"}[$__rate_interval]) * [[scale]] $1")
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["job", "inst", "__rate_interval", "scale", "1"]);
    }

    #[test]
    fn macros_become_valid_promql() {
        let v = vars(&["job", "q", "window"]);
        assert!(check("sum(rate(http_requests_total{job=~\"$job\"}[$__rate_interval]))", &v).is_empty());
        assert!(check("histogram_quantile($q, sum by (le) (rate(h_bucket[5m])))", &v).is_empty());
        assert!(check("avg_over_time(up[$window] offset $window)", &v).is_empty());
        assert!(check("up * $__range_s", &v).is_empty());
        assert!(check("label_replace(up, \"a\", \"$1\", \"instance\", \"(.*):.*\")", &v).is_empty());
    }

    #[test]
    fn broken_queries_and_unknown_variables() {
        let v = vars(&["job"]);
        assert!(check("sum(rate(x[5m])", &v)[0].starts_with("could not parse expression"));
        assert_eq!(check("up{job=\"$nope\"}", &v), ["variable `$nope` is not defined in the dashboard's templating"]);
    }
}
