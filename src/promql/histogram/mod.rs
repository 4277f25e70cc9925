//! Native histograms (float counts), held sparsely: bucket index → count, one map per sign. The
//! span layout Prometheus uses is an encoding detail; after Prometheus' `Compact(0)` the buckets
//! it keeps are exactly the non-empty ones, which is what a map without zero entries holds.

mod notation;
mod ops;

use std::collections::BTreeMap;
use std::fmt;

use super::functions::format_g;

pub use notation::parse_histogram;
pub use ops::Incompatible;

/// The schema of histograms with custom bucket bounds (NHCB).
pub const CUSTOM_BUCKETS_SCHEMA: i32 = -53;

/// What the producer says about counter resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Hint {
    /// Nothing known.
    #[default]
    Unknown,
    /// A counter reset happened.
    CounterReset,
    /// No counter reset happened.
    NotCounterReset,
    /// The histogram is a gauge.
    Gauge,
}

/// A native histogram.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Histogram {
    /// Resolution: each power of two is split into 2^schema buckets; -53 for custom bounds.
    pub schema: i32,
    /// Observations with absolute value up to this fall into the zero bucket.
    pub zero_threshold: f64,
    /// Observations in the zero bucket.
    pub zero_count: f64,
    /// All observations.
    pub count: f64,
    /// Sum of observations.
    pub sum: f64,
    /// Positive buckets by index (for custom bounds: by position).
    pub positive: BTreeMap<i32, f64>,
    /// Negative buckets by index.
    pub negative: BTreeMap<i32, f64>,
    /// Custom bucket bounds (schema -53), ascending, +Inf implied.
    pub custom_values: Vec<f64>,
    /// Counter reset hint.
    pub hint: Hint,
}

/// One bucket with its bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Whether the lower bound belongs to the bucket.
    pub lower_inclusive: bool,
    /// Whether the upper bound belongs to the bucket.
    pub upper_inclusive: bool,
    /// Observations in it.
    pub count: f64,
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (l, r) = (if self.lower_inclusive { '[' } else { '(' }, if self.upper_inclusive { ']' } else { ')' });
        write!(f, "{l}{},{}{r}:{}", format_g(self.lower), format_g(self.upper), format_g(self.count))
    }
}

/// The upper bound of bucket `idx` at an exponential `schema`.
pub fn exponential_bound(idx: i32, schema: i32) -> f64 {
    // Valid schemas are -4..=8; clamping keeps the shifts below meaningful for anything else.
    let schema = schema.clamp(-8, 16);
    if schema < 0 {
        let exp = i64::from(idx) << -schema;
        if exp == 1024 {
            return f64::MAX;
        }
        return ldexp(1.0, exp);
    }
    let mask = (1i64 << schema) - 1;
    let frac_idx = i64::from(idx) & mask;
    let frac = 2f64.powf(frac_idx as f64 / (1i64 << schema) as f64 - 1.0);
    let exp = (i64::from(idx) >> schema) + 1;
    if frac == 0.5 && exp == 1025 {
        return f64::MAX;
    }
    ldexp(frac, exp)
}

fn ldexp(frac: f64, exp: i64) -> f64 {
    let exp = exp.clamp(-2000, 2000) as i32;
    // Two steps keep intermediate powers of two representable.
    let half = exp / 2;
    frac * 2f64.powi(half) * 2f64.powi(exp - half)
}

impl Histogram {
    /// Whether the buckets have custom bounds.
    pub fn is_custom(&self) -> bool {
        self.schema == CUSTOM_BUCKETS_SCHEMA
    }

    /// The bounds of positive (or negative) bucket `idx`, as absolute values for negative ones.
    fn bounds(&self, idx: i32) -> (f64, f64) {
        if self.is_custom() {
            let i = idx.max(0) as usize;
            let lower = if i == 0 {
                f64::NEG_INFINITY
            } else {
                self.custom_values.get(i - 1).copied().unwrap_or(f64::INFINITY)
            };
            let upper = self.custom_values.get(i).copied().unwrap_or(f64::INFINITY);
            return (lower, upper);
        }
        (exponential_bound(idx.saturating_sub(1), self.schema), exponential_bound(idx, self.schema))
    }

    /// Every non-empty bucket from the lowest to the highest, the zero bucket included; the
    /// buckets next to the zero bucket are clipped to its threshold, as in Prometheus.
    pub fn buckets(&self) -> Vec<Bucket> {
        let mut out = Vec::with_capacity(self.positive.len() + self.negative.len() + 1);
        for (&idx, &count) in self.negative.iter().rev() {
            if count == 0.0 {
                continue;
            }
            let (l, u) = self.bounds(idx);
            let upper = if -l < 0.0 && -l > -self.zero_threshold { -self.zero_threshold } else { -l };
            out.push(Bucket { lower: -u, upper, lower_inclusive: true, upper_inclusive: false, count });
        }
        if self.zero_count > 0.0 {
            out.push(self.zero_bucket());
        }
        for (&idx, &count) in &self.positive {
            if count == 0.0 {
                continue;
            }
            let (l, u) = self.bounds(idx);
            let lower = if l > 0.0 && l < self.zero_threshold { self.zero_threshold } else { l };
            out.push(Bucket { lower, upper: u, lower_inclusive: false, upper_inclusive: true, count });
        }
        out
    }

    /// The zero bucket.
    pub fn zero_bucket(&self) -> Bucket {
        Bucket {
            lower: -self.zero_threshold,
            upper: self.zero_threshold,
            lower_inclusive: true,
            upper_inclusive: true,
            count: self.zero_count,
        }
    }

    /// Scales every count and the sum.
    pub fn mul(&mut self, factor: f64) -> &mut Self {
        self.zero_count *= factor;
        self.count *= factor;
        self.sum *= factor;
        self.positive.values_mut().for_each(|c| *c *= factor);
        self.negative.values_mut().for_each(|c| *c *= factor);
        self
    }

    /// Divides every count and the sum; dividing by zero removes the buckets.
    pub fn div(&mut self, divisor: f64) -> &mut Self {
        self.zero_count /= divisor;
        self.count /= divisor;
        self.sum /= divisor;
        if divisor == 0.0 {
            self.positive.clear();
            self.negative.clear();
            return self;
        }
        self.positive.values_mut().for_each(|c| *c /= divisor);
        self.negative.values_mut().for_each(|c| *c /= divisor);
        self
    }

    /// Drops empty buckets (Prometheus' `Compact(0)`).
    pub fn compact(&mut self) -> &mut Self {
        self.positive.retain(|_, c| *c != 0.0);
        self.negative.retain(|_, c| *c != 0.0);
        self
    }

    /// Exact equality of all values, bit for bit (Prometheus' `Equals`).
    pub fn equals(&self, o: &Histogram) -> bool {
        let same = |a: f64, b: f64| a.to_bits() == b.to_bits();
        let maps = |a: &BTreeMap<i32, f64>, b: &BTreeMap<i32, f64>| {
            a.len() == b.len() && a.iter().zip(b).all(|((i, x), (j, y))| i == j && same(*x, *y))
        };
        self.schema == o.schema
            && same(self.zero_threshold, o.zero_threshold)
            && same(self.zero_count, o.zero_count)
            && same(self.count, o.count)
            && same(self.sum, o.sum)
            && maps(&self.positive, &o.positive)
            && maps(&self.negative, &o.negative)
            && self.custom_values.len() == o.custom_values.len()
            && self.custom_values.iter().zip(&o.custom_values).all(|(a, b)| same(*a, *b))
    }
}

impl fmt::Display for Histogram {
    /// Prometheus' rendering: `{count:3, sum:5, [-2,-1):1, [-0.1,0.1]:1, (1,2]:1}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{count:{}, sum:{}", format_g(self.count), format_g(self.sum))?;
        for b in self.buckets() {
            write!(f, ", {b}")?;
        }
        f.write_str("}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert_eq!(exponential_bound(1, 0), 2.0);
        assert_eq!(exponential_bound(0, 0), 1.0);
        assert!((exponential_bound(1, 1) - std::f64::consts::SQRT_2).abs() < 1e-15);
        assert_eq!(exponential_bound(-1, 0), 0.5);
        assert_eq!(exponential_bound(1, -1), 4.0);
    }

    #[test]
    fn renders_like_prometheus() {
        let h = parse_histogram(
            "{{schema:0 sum:10 count:20 z_bucket:2 z_bucket_w:0.001 buckets:[1 2] n_buckets:[1 2] n_offset:0}}",
        )
        .unwrap();
        assert_eq!(h.to_string(), "{count:20, sum:10, [-2,-1):2, [-1,-0.5):1, [-0.001,0.001]:2, (0.5,1]:1, (1,2]:2}");
    }
}
