//! PromQL in dashboard targets, once Grafana's variables are substituted: Grafana interpolates
//! `$var`, `${var}`, `${var:format}` and `[[var]]` before the query reaches Prometheus, so the
//! text in the JSON is not PromQL until then.

use std::collections::BTreeSet;

use crate::check::problem::Severity;

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
        } else if bytes[i..].starts_with(b"[[") {
            // Bytes, not `expr[i..]`: `i` steps through multi-byte characters one byte at a time.
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
    // A whole matcher, as filters are often passed: `up{$filter}`, `x{job="a", $filter}`.
    let after = expr[r.end..].trim_start();
    let in_braces = before.rfind('{').is_some_and(|o| before.rfind('}').is_none_or(|c| c < o));
    if in_braces && before.ends_with(['{', ',']) && after.starts_with(['}', ',']) {
        return MATCHER;
    }
    other
}

/// What a variable standing for a whole label matcher becomes.
const MATCHER: &str = "__grafana_variable=\"x\"";

fn substitute(expr: &str, refs: &[Reference], other: &'static str) -> String {
    substitute_at(expr, refs, |r| stand_in(expr, r, other))
}

/// The query `expr` as Prometheus will see it, with its variables stood in for; `None` when it
/// does not parse.
pub(crate) fn parse(expr: &str) -> Option<promql_parser::parser::Expr> {
    crate::check::deep::promql_bounds(expr).ok()?;
    let refs = references(expr);
    let tries = if refs.is_empty() { &[PLACEHOLDER][..] } else { &[PLACEHOLDER, "1"][..] };
    tries.iter().find_map(|other| promql_parser::parser::parse(&substitute(expr, &refs, other)).ok())
}

/// One thing wrong with a query.
#[derive(Debug, PartialEq)]
pub(super) struct Finding {
    /// An error, or a warning when the query may be right once Grafana fills in a variable.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// What other queries' findings may share (see [`Problem::cause`](crate::check::Problem::cause)).
    pub cause: Option<String>,
}

fn error(message: String) -> Finding {
    Finding { severity: Severity::Error, message, help: None, cause: None }
}

/// Keywords after which a variable is an operand, however the text before them ends.
const TAKES_OPERAND: [&str; 14] = [
    "and",
    "or",
    "unless",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "atan2",
    "count_values",
    "quantile",
];

/// Whether `r` stands where PromQL wants an operator or a modifier: right after an operand (a
/// name, a number, a closing bracket), as in `sum(a) $op on (x) b`. No value can go there, since
/// two operands are never side by side.
fn operator_position(expr: &str, r: &Reference) -> bool {
    if in_string(expr, r.start) {
        return false;
    }
    let before = expr[..r.start].trim_end();
    let Some(last) = before.chars().next_back() else { return false };
    if matches!(last, ')' | '}' | ']') {
        return true;
    }
    if !(last.is_ascii_alphanumeric() || last == '_') {
        return false;
    }
    let word_start = before.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')).map_or(0, |i| i + 1);
    let word = &before[word_start..];
    // A variable right after another (`$a $b`) is taken for an operand as well.
    !TAKES_OPERAND.contains(&word.to_ascii_lowercase().as_str()) && !before[..word_start].ends_with('$')
}

/// What a variable in operator position may hold, tried in turn: a binary operator, a modifier,
/// or nothing (an optional part left empty).
const OPERATOR_STAND_INS: [&str; 3] = ["+", "offset 5m", ""];

/// What is wrong with the query `expr` given the dashboard's variables, if anything.
pub(super) fn check(expr: &str, variables: &BTreeSet<String>) -> Vec<Finding> {
    let refs = references(expr);
    let mut problems: Vec<Finding> = refs
        .iter()
        .filter(|r| {
            let n = r.name.as_str();
            !n.starts_with("__") && !n.starts_with(|c: char| c.is_ascii_digit()) && !variables.contains(n)
        })
        .map(|r| Finding {
            cause: Some(format!("undefined ${}", r.name)),
            ..error(format!("variable `${}` is not defined in the dashboard's templating", r.name))
        })
        .collect();
    if let Err(why) = crate::check::deep::promql_bounds(expr) {
        problems.push(error(why));
        return problems;
    }
    // A user variable may stand for a label value, a metric name or a number: try each, the
    // second only when the first fails and there is a variable to stand in for.
    let Err(first) = promql_parser::parser::parse(&substitute(expr, &refs, PLACEHOLDER)) else { return problems };
    if !refs.is_empty() && promql_parser::parser::parse(&substitute(expr, &refs, "1")).is_ok() {
        return problems;
    }
    let message = first.lines().next().unwrap_or(&first).trim().to_owned();
    let operators: Vec<&Reference> = refs.iter().filter(|r| operator_position(expr, r)).collect();
    let Some(op) = operators.first() else {
        problems.push(error(format!("could not parse expression: {message}")));
        return problems;
    };
    // Where a variable can only be an operator or a modifier, its value decides whether the
    // query parses, and check cannot know it: a stand-in that parses is enough, and when none
    // does, the query is doubtful rather than wrong.
    let parses = OPERATOR_STAND_INS.iter().any(|op_stand_in| {
        [PLACEHOLDER, "1"].iter().any(|value| {
            let text = substitute_at(expr, &refs, |r| {
                if operators.iter().any(|o| o.start == r.start) {
                    op_stand_in
                } else {
                    stand_in(expr, r, value)
                }
            });
            promql_parser::parser::parse(&text).is_ok()
        })
    });
    if !parses {
        problems.push(Finding {
            severity: Severity::Warning,
            message: format!("could not parse expression: {message}"),
            help: Some(format!(
                "`${}` stands where PromQL wants an operator or a modifier, and no stand-in for it (`+`, `offset 5m`, nothing) parses: check the query with the variable's values",
                op.name
            )),
            cause: None,
        });
    }
    problems
}

/// `expr` with each reference replaced by what `with` says.
fn substitute_at<'a>(expr: &str, refs: &[Reference], with: impl Fn(&Reference) -> &'a str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut last = 0;
    for r in refs {
        out.push_str(&expr[last..r.start]);
        out.push_str(with(r));
        last = r.end;
    }
    out.push_str(&expr[last..]);
    out
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
        // A variable holding a whole matcher, as filters are passed.
        let f = vars(&["filter", "job"]);
        assert_eq!(check("up{$filter}", &f), []);
        assert_eq!(check("sum(rate(x{job=\"a\", $filter}[5m])) by (job)", &f), []);
        assert_eq!(check("rate(x{$filter,job=~\"$job\"}[5m])", &f), []);
        assert_eq!(check("{$filter}", &f), []);
    }

    #[test]
    fn broken_queries_and_unknown_variables() {
        let v = vars(&["job"]);
        let broken = check("sum(rate(x[5m])", &v);
        assert!(broken[0].message.starts_with("could not parse expression"), "{broken:?}");
        assert_eq!(broken[0].severity, Severity::Error);
        let undefined = check("up{job=\"$nope\"}", &v);
        assert_eq!(undefined[0].message, "variable `$nope` is not defined in the dashboard's templating");
        assert_eq!((undefined.len(), undefined[0].severity), (1, Severity::Error));
        // A broken query stays an error when its variable stands for a value.
        assert_eq!(check("sum(rate(x{job=\"$job\"}[5m])", &v)[0].severity, Severity::Error);
        assert_eq!(check("sum(rate(x[$job])", &v)[0].severity, Severity::Error);
    }

    #[test]
    fn multi_byte_characters_anywhere() {
        let v = vars(&["job", "env"]);
        for expr in [
            "up{job=\"$jobé\"}",
            "up{job=\"$job\"} # é",
            "up{job=\"Zürich\", env=\"${env}日本\"}",
            "sum(rate(x{a=\"$job€[[env]]\"}[5m]))",
            "up{job=\"😀$job😀\"}",
        ] {
            let found = check(expr, &v);
            assert!(found.iter().all(|f| !f.message.contains("could not parse")), "{expr}: {found:?}");
        }
        assert!(!check("sum(é", &v).is_empty());
        assert!(parse("up{a=\"ü$job\"}").is_some());
    }

    #[test]
    fn variables_that_stand_for_operators() {
        let v = vars(&["Inactive", "op", "job"]);
        // `+` in its place parses: nothing to say.
        assert_eq!(check("count(a) $Inactive on (entity) count(b)", &v), []);
        assert_eq!(check("rate(x[5m]) $op", &v), []);
        // Other variables still stand for values, names or numbers.
        assert_eq!(check("histogram_quantile($job, rate(h[5m])) $op on (x) up", &v), []);
        // Nothing in its place parses: doubtful, not wrong.
        let found = check("sum(a) $Inactive on (entity)", &v);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(found[0].help.as_deref().unwrap_or_default().contains("`$Inactive`"), "{found:?}");
        // A value position is not an operator position.
        assert!(!operator_position("x > $job", &references("x > $job")[0]));
        assert!(!operator_position("x and $job", &references("x and $job")[0]));
        assert!(operator_position("x $op y", &references("x $op y")[0]));
        assert!(operator_position("sum(x) $op y", &references("sum(x) $op y")[0]));
    }
}
