//! `timestamp()` and the calendar functions (`hour()`, `day_of_week()`, …), all in UTC.

use crate::promql::ast::Expr;
use crate::promql::eval::Evaluator;
use crate::promql::labels::Labels;
use crate::promql::value::{Sample, Value};
use crate::promql::EvalError;

/// The time of each sample, in seconds: a selector's own sample times, the evaluation time for
/// anything computed.
pub fn timestamp(ev: &mut Evaluator, _: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let own_times = matches!(args[0], Expr::Vector(_));
    let v = ev.eval_vector(&args[0], t)?;
    Ok(Value::Vector(
        v.into_iter()
            .map(|s| {
                let at = if own_times { s.t } else { t };
                Sample::float(s.metric, t, at as f64 / 1000.0, true)
            })
            .collect(),
    ))
}

fn leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// The calendar field `name` of the instant `secs` seconds after the epoch.
fn field(name: &str, secs: i64) -> f64 {
    let days = secs.div_euclid(86_400);
    let in_day = secs.rem_euclid(86_400);
    let (y, m, d) = crate::syntax::date::civil_from_days(days);
    let month_days = [31, if leap(y) { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    match name {
        "days_in_month" => month_days[m as usize - 1] as f64,
        "day_of_month" => d as f64,
        "day_of_week" => (days + 4).rem_euclid(7) as f64,
        "day_of_year" => (month_days[..m as usize - 1].iter().sum::<i64>() + d as i64) as f64,
        "hour" => (in_day / 3600) as f64,
        "minute" => (in_day % 3600 / 60) as f64,
        "month" => m as f64,
        _ => y as f64,
    }
}

/// Go converts an out-of-range float to int64 as the minimum value on the platforms
/// Prometheus runs on.
fn go_int64(f: f64) -> i64 {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-LIMIT..LIMIT).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

pub fn date(ev: &mut Evaluator, name: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let Some(arg) = args.first() else {
        return Ok(Value::Vector(vec![Sample::new(Labels::new(), t, field(name, t.div_euclid(1000)))]));
    };
    let v = ev.eval_vector(arg, t)?;
    Ok(Value::Vector(
        v.into_iter()
            .filter(|s| s.h.is_none())
            .map(|s| Sample::float(s.metric, t, field(name, go_int64(s.f)), true))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar() {
        // 2024-02-29T13:45:00Z, a Thursday.
        let t = 1_709_214_300;
        assert_eq!(field("year", t), 2024.0);
        assert_eq!(field("month", t), 2.0);
        assert_eq!(field("day_of_month", t), 29.0);
        assert_eq!(field("days_in_month", t), 29.0);
        assert_eq!(field("day_of_week", t), 4.0);
        assert_eq!(field("day_of_year", t), 60.0);
        assert_eq!(field("hour", t), 13.0);
        assert_eq!(field("minute", t), 45.0);
        assert_eq!(field("year", -1), 1969.0);
    }
}
