//! `promql/le-integer`: an `le` (histogram bucket) or `quantile` (summary) matcher whose value is
//! written as an integer, as in `le="1"` or `le=~"1|5"`. Prometheus 3 stores these labels as
//! OpenMetrics floats whatever the exposition said (`le="1.0"`, `le="1e+06"`; see "le and
//! quantile label values" in its 3.0 migration guide), so such a matcher selects nothing after
//! the upgrade, and a negative one selects every bucket.

use promql_parser::label::MatchOp;
use promql_parser::parser::Expr;

use super::{walk, RuleFacts};
use crate::check::problem::Sink;
use crate::check::Check;

/// Labels whose values Prometheus 3 normalises.
const LABELS: [&str; 2] = ["le", "quantile"];

/// One matcher that names a bucket or quantile as an integer.
#[derive(Debug, PartialEq)]
pub struct IntegerMatcher {
    /// The matcher as written, e.g. `le=~"1|5"`.
    pub written: String,
    /// The same matcher with the values Prometheus 3 stores, e.g. `le=~"1.0|5.0"`.
    pub stored: String,
}

/// How Prometheus 3 writes the integer `digits` (an optional sign, then ASCII digits): Go's
/// shortest `%g`, with `.0` added when that has neither a dot nor an exponent. `None` past
/// `f64`'s range, where Go's `ParseFloat` fails and Prometheus keeps the text as it is.
fn as_stored(digits: &str) -> Option<String> {
    let (sign, body) = match digits.strip_prefix(['-', '+']) {
        Some(rest) => (if digits.starts_with('-') { "-" } else { "" }, rest),
        None => ("", digits),
    };
    let body = body.trim_start_matches('0');
    if body.is_empty() {
        return Some("0.0".into());
    }
    let exponent = body.len() - 1;
    if exponent < 6 {
        return Some(format!("{sign}{body}.0"));
    }
    // Past 17 digits f64 rounds; Go prints the rounded value, and so does this.
    let value: f64 = format!("{sign}{body}").parse().ok().filter(|v: &f64| v.is_finite())?;
    let text = format!("{value:e}");
    let (mantissa, exp) = text.split_once('e')?;
    let exp: i32 = exp.parse().ok()?;
    Some(format!("{mantissa}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs()))
}

fn is_integer(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit())
}

/// The alternatives of a regex at its top level, without one pair of enclosing parentheses;
/// `None` when it is more than a plain alternation.
fn alternatives(regex: &str) -> Option<Vec<&str>> {
    let inner = regex
        .strip_prefix("(?:")
        .or_else(|| regex.strip_prefix('('))
        .and_then(|r| r.strip_suffix(')'))
        .filter(|r| !r.contains(['(', ')']))
        .unwrap_or(regex);
    (!inner.contains(['(', ')', '[', '\\'])).then(|| inner.split('|').collect())
}

/// The integer-valued `le`/`quantile` matchers of `expr`.
pub fn integer_matchers(expr: &Expr) -> Vec<IntegerMatcher> {
    let mut found = Vec::new();
    walk(expr, &mut |e| {
        let vs = match e {
            Expr::VectorSelector(v) => v,
            Expr::MatrixSelector(m) => &m.vs,
            _ => return,
        };
        let all = vs.matchers.matchers.iter().chain(vs.matchers.or_matchers.iter().flatten());
        for m in all.filter(|m| LABELS.contains(&m.name.as_str())) {
            let (op, regex) = match &m.op {
                MatchOp::Equal => ("=", false),
                MatchOp::NotEqual => ("!=", false),
                MatchOp::Re(_) => ("=~", true),
                MatchOp::NotRe(_) => ("!~", true),
            };
            let stored = if regex {
                let Some(alts) = alternatives(&m.value) else { continue };
                // `1|1.0` already matches both spellings.
                let stored = |a: &str| as_stored(a).filter(|_| is_integer(a));
                if !alts.iter().any(|a| stored(a).is_some_and(|s| !alts.contains(&s.as_str()))) {
                    continue;
                }
                let fixed: Vec<String> = alts.iter().map(|a| stored(a).unwrap_or_else(|| (*a).to_owned())).collect();
                fixed.join("|")
            } else {
                match as_stored(&m.value).filter(|_| is_integer(&m.value)) {
                    Some(stored) => stored,
                    None => continue,
                }
            };
            found.push(IntegerMatcher {
                written: format!("{}{op}{:?}", m.name, m.value),
                stored: format!("{}{op}{stored:?}", m.name),
            });
        }
    });
    found
}

/// The message and help for one such matcher in `whose` query.
pub fn describe(m: &IntegerMatcher, whose: &str) -> (String, String) {
    (
        format!("`{}` in {whose} is written as an integer, which Prometheus 3 stores as a float", m.written),
        format!(
            "write `{}`: since Prometheus 3 the `le` and `quantile` labels are stored as `1.0`, not `1`, so this matcher no longer selects the series it did",
            m.stored
        ),
    )
}

/// Reports each integer-valued `le`/`quantile` matcher of a rule.
pub fn check(rule: &RuleFacts, expr: &Expr, sink: &mut Sink) {
    for m in integer_matchers(expr) {
        let (message, help) = describe(&m, &format!("{:?}", rule.name));
        sink.warning(Check::PromqlLeInteger, Some(rule.expr_at), message)
            .cause("integer le", &rule.name, "rules")
            .help(help);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::lint::tests::{alert, run};

    fn found(expr: &str) -> Vec<(String, String)> {
        let e = promql_parser::parser::parse(expr).unwrap();
        integer_matchers(&e).into_iter().map(|m| (m.written, m.stored)).collect()
    }

    #[test]
    fn integers_as_prometheus_3_stores_them() {
        for (written, stored) in [
            ("1", "1.0"),
            ("0", "0.0"),
            ("007", "7.0"),
            ("-1", "-1.0"),
            ("100000", "100000.0"),
            ("1000000", "1e+06"),
            ("2500000", "2.5e+06"),
            ("123456789", "1.23456789e+08"),
        ] {
            assert_eq!(as_stored(written).as_deref(), Some(stored), "{written}");
        }
        assert_eq!(as_stored(&"9".repeat(400)), None);
    }

    #[test]
    fn integer_matchers_are_found() {
        let s = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(found(r#"h_bucket{le="1"}"#), [s(r#"le="1""#, r#"le="1.0""#)]);
        assert_eq!(found(r#"rate(h_bucket{le=~"1|5|0.5"}[5m])"#), [s(r#"le=~"1|5|0.5""#, r#"le=~"1.0|5.0|0.5""#)]);
        assert_eq!(found(r#"s{quantile!="1"}"#), [s(r#"quantile!="1""#, r#"quantile!="1.0""#)]);
        assert_eq!(found(r#"h_bucket{le=~"(10|20)"}"#).len(), 1);
        // Written as floats, already both spellings, or not a bucket.
        for fine in [
            r#"h_bucket{le="1.0"}"#,
            r#"h_bucket{le="0.5"}"#,
            r#"h_bucket{le="+Inf"}"#,
            r#"h_bucket{le=~"1|1.0"}"#,
            r#"h_bucket{le=~"1(\\.0)?"}"#,
            r#"x{code="500"}"#,
            r#"h_bucket{le=~"$le"}"#,
            &format!(r#"h_bucket{{le="{}"}}"#, "9".repeat(400)),
        ] {
            assert_eq!(found(fine), [], "{fine}");
        }
    }

    #[test]
    fn rules_get_a_warning_per_matcher() {
        let p = run(&[alert("Slow", r#"sum(rate(h_bucket{le="1"}[5m])) / sum(rate(h_count[5m])) < 0.9"#, &[])]);
        let found: Vec<_> = p.iter().filter(|m| m.starts_with("promql/le-integer")).collect();
        assert_eq!(
            found,
            [r#"promql/le-integer: `le="1"` in "Slow" is written as an integer, which Prometheus 3 stores as a float"#]
        );
    }
}
