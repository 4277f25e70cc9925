//! `rules/rate-range` (project mode): `rate()` or `increase()` over a range shorter than four
//! scrape intervals. With fewer than two samples in the window the result is empty, and with
//! two or three one missed scrape empties it: the rule flaps or never fires.

use promql_parser::parser::Expr;

use super::{walk, RuleFacts};
use crate::check::problem::Sink;
use crate::check::Check;

/// Reports each `rate`/`increase` whose range is shorter than 4× `interval_ms`.
pub fn check(rule: &RuleFacts, expr: &Expr, interval_ms: u64, sink: &mut Sink) {
    walk(expr, &mut |e| {
        let Expr::Call(call) = e else { return };
        if call.func.name != "rate" && call.func.name != "increase" {
            return;
        }
        for arg in &call.args.args {
            let Expr::MatrixSelector(m) = arg.as_ref() else { continue };
            let range = m.range.as_millis() as u64;
            if range < 4 * interval_ms {
                sink.warning(
                    Check::RulesRateRange,
                    Some(rule.expr_at),
                    format!(
                        "{}() over {}s in {:?} is shorter than 4 scrape intervals ({}s)",
                        call.func.name,
                        range / 1000,
                        rule.name,
                        4 * interval_ms / 1000
                    ),
                )
                .cause("short range", &rule.name, "rules")
                .help(format!("use a range of at least {}s", 4 * interval_ms / 1000));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use crate::check::lint::tests::{alert, run_with};

    #[test]
    fn ranges_shorter_than_four_scrapes() {
        let p = run_with(
            &[alert("A", "rate(x_total[30s]) > 1", &[]), alert("B", "increase(x_total[2m]) > 1", &[])],
            15_000,
        );
        let found: Vec<_> = p.iter().filter(|m| m.starts_with("rules/rate-range")).collect();
        assert_eq!(found.len(), 1, "{p:?}");
        assert!(found[0].contains("rate() over 30s in \"A\""), "{found:?}");
    }
}
