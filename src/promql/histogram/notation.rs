//! promtool's native histogram notation:
//! `{{schema:1 sum:5 count:4 z_bucket:1 z_bucket_w:0.001 buckets:[1 2] offset:-1 n_buckets:[1]
//! n_offset:0 custom_values:[0.1 1] counter_reset_hint:gauge}}`.

use super::{Hint, Histogram};
use crate::promql::series::number_prefix;

fn number(s: &str) -> Result<f64, String> {
    match number_prefix(s) {
        Some((v, "")) => Ok(v),
        _ => Err(format!("invalid number {s:?} in native histogram")),
    }
}

fn list(s: &str) -> Result<(Vec<f64>, &str), String> {
    let s = s.strip_prefix('[').ok_or("expected '[' in native histogram")?;
    let end = s.find(']').ok_or("expected ']' in native histogram")?;
    let values = s[..end].split_whitespace().map(number).collect::<Result<_, _>>()?;
    Ok((values, &s[end + 1..]))
}

/// Parses `{{…}}` (the braces included).
pub fn parse_histogram(s: &str) -> Result<Histogram, String> {
    let inner = s
        .trim()
        .strip_prefix("{{")
        .and_then(|r| r.strip_suffix("}}"))
        .ok_or_else(|| format!("expected {{{{…}}}} around a native histogram, got {s:?}"))?;
    let mut h = Histogram::default();
    let (mut buckets, mut n_buckets) = (Vec::new(), Vec::new());
    let (mut offset, mut n_offset) = (0i32, 0i32);
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let (key, r) = rest.split_once(':').ok_or_else(|| format!("expected key:value in {inner:?}"))?;
        let r = r.trim_start();
        let value_end = |r: &str| r.find(char::is_whitespace).unwrap_or(r.len());
        rest = match key.trim() {
            "buckets" | "n_buckets" | "custom_values" => {
                let (v, r) = list(r)?;
                match key.trim() {
                    "buckets" => buckets = v,
                    "n_buckets" => n_buckets = v,
                    _ => h.custom_values = v,
                }
                r
            }
            k => {
                let (v, r) = r.split_at(value_end(r));
                match k {
                    "schema" => {
                        h.schema = v
                            .parse()
                            .ok()
                            .filter(|s| (-4..=8).contains(s) || *s == super::CUSTOM_BUCKETS_SCHEMA)
                            .ok_or_else(|| format!("invalid schema {v:?}"))?
                    }
                    "sum" => h.sum = number(v)?,
                    "count" => h.count = number(v)?,
                    "z_bucket" => h.zero_count = number(v)?,
                    "z_bucket_w" => h.zero_threshold = number(v)?,
                    "offset" => offset = v.parse().map_err(|_| format!("invalid offset {v:?}"))?,
                    "n_offset" => n_offset = v.parse().map_err(|_| format!("invalid offset {v:?}"))?,
                    "counter_reset_hint" => {
                        h.hint = match v {
                            "unknown" => Hint::Unknown,
                            "reset" => Hint::CounterReset,
                            "not_reset" => Hint::NotCounterReset,
                            "gauge" => Hint::Gauge,
                            _ => return Err(format!("invalid counter_reset_hint {v:?}")),
                        }
                    }
                    _ => return Err(format!("unknown native histogram field {k:?}")),
                }
                r
            }
        }
        .trim_start();
    }
    // Bucket indexes stay well inside i32, so index arithmetic elsewhere cannot overflow.
    let index = |offset: i32, i: usize| -> Result<i32, String> {
        i32::try_from(i)
            .ok()
            .and_then(|i| offset.checked_add(i))
            .filter(|x| x.abs() < 1 << 24)
            .ok_or_else(|| "native histogram bucket index out of range".to_string())
    };
    for (i, c) in buckets.into_iter().enumerate() {
        h.positive.insert(index(offset, i)?, c);
    }
    for (i, c) in n_buckets.into_iter().enumerate() {
        h.negative.insert(index(n_offset, i)?, c);
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        let h = parse_histogram("{{schema:1 sum:-0.3 count:3.1 z_bucket:7.1 z_bucket_w:0.05 buckets:[5.1 10 7] offset:-3 n_buckets:[4.1 5] n_offset:-5 counter_reset_hint:gauge}}").unwrap();
        assert_eq!((h.schema, h.sum, h.count, h.zero_count, h.zero_threshold), (1, -0.3, 3.1, 7.1, 0.05));
        assert_eq!(h.positive.get(&-3), Some(&5.1));
        assert_eq!(h.negative.get(&-4), Some(&5.0));
        assert_eq!(h.hint, Hint::Gauge);
        let c = parse_histogram("{{schema:-53 sum:1 count:2 custom_values:[0.1 1] buckets:[1 1]}}").unwrap();
        assert!(c.is_custom());
        assert_eq!(parse_histogram("{{}}").unwrap(), Histogram::default());
    }
}
