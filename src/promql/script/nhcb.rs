//! `load_with_nhcb`: classic histograms (`x_bucket{le=…}`, `x_count`, `x_sum`) are also stored as
//! native histograms with custom buckets named `x`, one per time, as Prometheus' harness does.

use std::collections::BTreeMap;

use crate::promql::histogram::{Histogram, CUSTOM_BUCKETS_SCHEMA};
use crate::promql::labels::{Labels, METRIC_NAME};

#[derive(Default)]
struct Parts {
    buckets: Vec<(f64, f64)>,
    count: Option<f64>,
    sum: Option<f64>,
}

fn bound(le: &str) -> Option<f64> {
    let v = match le.to_ascii_lowercase().as_str() {
        "+inf" | "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        _ => le.parse().ok()?,
    };
    (!v.is_nan()).then_some(v)
}

/// The native histograms the float series given describe.
pub fn convert(series: &[(Labels, Vec<(i64, f64)>)]) -> Vec<(Labels, Vec<(i64, Histogram)>)> {
    let mut by_base: BTreeMap<Labels, BTreeMap<i64, Parts>> = BTreeMap::new();
    for (labels, samples) in series {
        let name = labels.get(METRIC_NAME);
        let (base, part) = if let Some(b) = name.strip_suffix("_bucket") {
            match bound(labels.get("le")) {
                Some(le) => (b, Some(le)),
                None => continue,
            }
        } else if let Some(b) = name.strip_suffix("_count") {
            (b, None)
        } else if let Some(b) = name.strip_suffix("_sum") {
            (b, None)
        } else {
            continue;
        };
        let mut key = labels.clone();
        key.set(METRIC_NAME, base);
        key.remove("le");
        let times = by_base.entry(key).or_default();
        for &(t, f) in samples {
            let p = times.entry(t).or_default();
            match part {
                Some(le) => p.buckets.push((le, f)),
                None if name.ends_with("_count") => p.count = Some(f),
                None => p.sum = Some(f),
            }
        }
    }
    by_base
        .into_iter()
        .map(|(labels, times)| (labels, times.into_iter().map(|(t, p)| (t, histogram(p))).collect()))
        .collect()
}

fn histogram(mut p: Parts) -> Histogram {
    p.buckets.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    let count = p.count.unwrap_or_else(|| p.buckets.last().map_or(0.0, |b| b.1));
    if p.buckets.last().is_none_or(|b| b.0 != f64::INFINITY) {
        p.buckets.push((f64::INFINITY, count));
    }
    let mut h = Histogram { schema: CUSTOM_BUCKETS_SCHEMA, count, sum: p.sum.unwrap_or(0.0), ..Histogram::default() };
    let mut prev = 0.0;
    for (i, &(le, cumulative)) in p.buckets.iter().enumerate() {
        if le != f64::INFINITY {
            h.custom_values.push(le);
        }
        h.positive.insert(i as i32, cumulative - prev);
        prev = cumulative;
    }
    h
}
