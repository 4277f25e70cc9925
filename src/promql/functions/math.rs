//! Arithmetic functions with extra arguments (`clamp*`, `round`), `sgn`, and two pieces of Go
//! behaviour that results and messages depend on: `%g` formatting and xxHash64.

use crate::promql::ast::Expr;
use crate::promql::eval::Evaluator;
use crate::promql::value::{Sample, Value};
use crate::promql::EvalError;

pub fn sgn(v: f64) -> f64 {
    if v < 0.0 {
        -1.0
    } else if v > 0.0 {
        1.0
    } else {
        v
    }
}

/// Go's `math.Max`/`math.Min` propagate NaN, unlike Rust's.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

fn map(ev: &mut Evaluator, arg: &Expr, t: i64, f: impl Fn(f64) -> f64) -> Result<Value, EvalError> {
    let v = ev.eval_vector(arg, t)?;
    Ok(Value::Vector(
        v.into_iter().filter(|s| s.h.is_none()).map(|s| Sample::float(s.metric, t, f(s.f), true)).collect(),
    ))
}

/// `clamp(v, min, max)`: nothing at all when max < min.
pub fn clamp(ev: &mut Evaluator, _: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let (lo, hi) = match args.len() {
        3 => (ev.eval_scalar(&args[1], t)?, ev.eval_scalar(&args[2], t)?),
        _ => return Err(EvalError::new("clamp needs three arguments")),
    };
    if hi < lo {
        ev.eval_vector(&args[0], t)?;
        return Ok(Value::Vector(Vec::new()));
    }
    map(ev, &args[0], t, |f| go_max(lo, go_min(hi, f)))
}

pub fn clamp_min(ev: &mut Evaluator, _: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let lo = ev.eval_scalar(&args[1], t)?;
    map(ev, &args[0], t, |f| go_max(lo, go_min(f64::INFINITY, f)))
}

pub fn clamp_max(ev: &mut Evaluator, _: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let hi = ev.eval_scalar(&args[1], t)?;
    map(ev, &args[0], t, |f| go_max(f64::NEG_INFINITY, go_min(hi, f)))
}

/// `round(v, to_nearest=1)`: ties round up.
pub fn round(ev: &mut Evaluator, _: &str, args: &[Expr], t: i64) -> Result<Value, EvalError> {
    let to_nearest = match args.get(1) {
        Some(a) => ev.eval_scalar(a, t)?,
        None => 1.0,
    };
    // Multiplying by the inverse is what Prometheus does; it rounds differently from dividing.
    let inverse = 1.0 / to_nearest;
    map(ev, &args[0], t, |f| (f * inverse + 0.5).floor() / inverse)
}

/// Go's `%g`: the shortest digits, in exponent form when the exponent is below -4 or at least 6.
pub fn format_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if f != 0.0 && !(-4..6).contains(&exp) {
        return go_exp(mantissa, exp);
    }
    format!("{f}")
}

fn go_exp(mantissa: &str, exp: i32) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.abs())
}

const P1: u64 = 11_400_714_785_074_694_791;
const P2: u64 = 14_029_467_366_897_019_727;
const P3: u64 = 1_609_587_929_392_839_161;
const P4: u64 = 9_650_029_242_287_828_579;
const P5: u64 = 2_870_177_450_012_600_261;

fn round64(acc: u64, input: u64) -> u64 {
    acc.wrapping_add(input.wrapping_mul(P2)).rotate_left(31).wrapping_mul(P1)
}

fn merge64(acc: u64, v: u64) -> u64 {
    (acc ^ round64(0, v)).wrapping_mul(P1).wrapping_add(P4)
}

fn read64(b: &[u8]) -> u64 {
    u64::from_le_bytes(b[..8].try_into().unwrap_or([0; 8]))
}

/// xxHash64 with seed 0.
pub fn xxhash64(input: &[u8]) -> u64 {
    let mut rest = input;
    let mut h = if input.len() >= 32 {
        let mut v = [P1.wrapping_add(P2), P2, 0, 0u64.wrapping_sub(P1)];
        while rest.len() >= 32 {
            for (i, lane) in v.iter_mut().enumerate() {
                *lane = round64(*lane, read64(&rest[i * 8..]));
            }
            rest = &rest[32..];
        }
        let mut h = v[0]
            .rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18));
        for lane in v {
            h = merge64(h, lane);
        }
        h
    } else {
        P5
    };
    h = h.wrapping_add(input.len() as u64);
    while rest.len() >= 8 {
        h ^= round64(0, read64(rest));
        h = h.rotate_left(27).wrapping_mul(P1).wrapping_add(P4);
        rest = &rest[8..];
    }
    if rest.len() >= 4 {
        let k = u32::from_le_bytes(rest[..4].try_into().unwrap_or([0; 4])) as u64;
        h ^= k.wrapping_mul(P1);
        h = h.rotate_left(23).wrapping_mul(P2).wrapping_add(P3);
        rest = &rest[4..];
    }
    for &byte in rest {
        h ^= (byte as u64).wrapping_mul(P5);
        h = h.rotate_left(11).wrapping_mul(P1);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(P2);
    h ^= h >> 29;
    h = h.wrapping_mul(P3);
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xxhash_known_values() {
        assert_eq!(xxhash64(b""), 0xef46_db37_51d8_e999);
        assert_eq!(xxhash64(b"a"), 0xd24e_c4f1_a98c_6e5b);
        assert_eq!(xxhash64(b"abc"), 0x44bc_2cf5_ad77_0999);
        assert_eq!(xxhash64(b"Nobody inspects the spammish repetition"), 0xfbce_a83c_8a37_8bf1);
    }

    #[test]
    fn go_g_format() {
        assert_eq!(format_g(1.5), "1.5");
        assert_eq!(format_g(-0.5), "-0.5");
        assert_eq!(format_g(100000.0), "100000");
        assert_eq!(format_g(1234567.0), "1.234567e+06");
        assert_eq!(format_g(0.0001), "0.0001");
        assert_eq!(format_g(0.00001), "1e-05");
        assert_eq!(format_g(f64::NAN), "NaN");
    }
}
