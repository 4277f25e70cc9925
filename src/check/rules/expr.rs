//! `rules/expr`: the rule's PromQL must parse. promql-parser gives no positions, so the finding
//! points at the `expr` field.

use crate::check::problem::Sink;
use crate::check::Check;
use crate::diag::Pos;

/// Parses `expr`, recording a problem at `at` if it does not parse.
pub fn check(expr: &str, at: Pos, sink: &mut Sink) -> Option<promql_parser::parser::Expr> {
    if let Err(why) = crate::check::deep::promql_bounds(expr) {
        sink.error(Check::RulesExpr, Some(at), why)
            .help("split it into smaller expressions, e.g. with recording rules");
        return None;
    }
    let e = match promql_parser::parser::parse(expr) {
        Ok(parsed) => return Some(parsed),
        Err(e) => e,
    };
    {
        let e = e.trim();
        let message = if e.contains("parse error") { e.to_owned() } else { format!("parse error: {e}") };
        sink.error(Check::RulesExpr, Some(at), format!("could not parse expression: {message}"))
            .help("expected a PromQL expression");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_promql() {
        let mut sink = Sink::new("r.yml");
        check("sum by (job) (rate(x[5m]))", Pos::default(), &mut sink);
        check("up @ start()", Pos::default(), &mut sink);
        assert!(sink.problems.is_empty(), "{:?}", sink.problems);
        check("sum(", Pos::default(), &mut sink);
        assert!(sink.problems[0].message.contains("parse error"), "{:?}", sink.problems);
    }

    /// promql-parser (vendored) compiles each distinct regex once per process: a pattern seen
    /// again matches as the first time, and bad or empty-matching patterns stay errors each time.
    #[test]
    fn repeated_regex_matchers_keep_their_verdicts() {
        use promql_parser::label::MatchOp;
        use promql_parser::parser::{parse, Expr};
        for _ in 0..3 {
            let Ok(Expr::VectorSelector(v)) = parse(r#"x{a=~"b.*", c!~"d|e", f=~"b"}"#) else { panic!() };
            let ops: Vec<&MatchOp> = v.matchers.matchers.iter().map(|m| &m.op).collect();
            let [MatchOp::Re(a), MatchOp::NotRe(c), MatchOp::Re(f)] = ops[..] else { panic!("{ops:?}") };
            assert!(a.is_match("bcd") && !a.is_match("xb"), "anchored");
            assert!(c.is_match("d") && !c.is_match("de"));
            assert!(f.is_match("b") && !f.is_match("bb"), "`b` is not `b.*`");
            assert!(parse(r#"x{a=~"("}"#).is_err());
            assert!(parse(r#"{a=~".*"}"#).is_err(), "a selector matching the empty string");
        }
    }
}
