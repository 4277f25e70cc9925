//! `rules/counter-comparison`: a comparison against a counter's raw value, as in
//! `http_requests_total > 100`. Counters only grow (and reset on restart), so the comparison is
//! about how long the process has run, not about now; compare `rate()` or `increase()` instead.

use promql_parser::parser::token::TokenType;
use promql_parser::parser::Expr;

use super::{walk, RuleFacts};
use crate::check::problem::Sink;
use crate::check::Check;

/// Counters by naming convention: `_total`, and the `_count` of histograms and summaries.
fn counter_name(mut expr: &Expr) -> Option<String> {
    loop {
        expr = match expr {
            Expr::VectorSelector(v) => {
                return v.name.clone().filter(|n| n.ends_with("_total") || n.ends_with("_count"))
            }
            Expr::Paren(p) => &p.expr,
            Expr::Aggregate(a) => &a.expr,
            _ => return None,
        };
    }
}

fn is_comparison(op: TokenType) -> bool {
    op.is_comparison_operator()
}

/// Reports each comparison with a bare counter on either side.
pub fn check(rule: &RuleFacts, expr: &Expr, sink: &mut Sink) {
    walk(expr, &mut |e| {
        let Expr::Binary(b) = e else { return };
        if !is_comparison(b.op) {
            return;
        }
        if let Some(name) = counter_name(&b.lhs).or_else(|| counter_name(&b.rhs)) {
            sink.warning(
                Check::RulesCounterComparison,
                Some(rule.expr_at),
                format!("{:?} compares the counter `{name}` without `rate()` or `increase()`", rule.name),
            )
            .cause("raw counter", &rule.name, "rules")
            .help(format!("compare `rate({name}[5m])` or `increase({name}[1h])`: a counter's value only says how long it has counted"));
        }
    });
}

#[cfg(test)]
mod tests {
    use crate::check::lint::tests::{alert, run};

    #[test]
    fn raw_counters_in_comparisons() {
        let p = run(&[
            alert("A", "http_requests_total > 100", &[]),
            alert("B", "sum(rate(http_requests_total[5m])) > 100", &[]),
            alert("C", "sum by (job) (errors_total) > 5", &[]),
            alert("D", "up == 0", &[]),
        ]);
        let found: Vec<_> = p.iter().filter(|m| m.starts_with("rules/counter-comparison")).collect();
        assert_eq!(found.len(), 2, "{p:?}");
    }
}
