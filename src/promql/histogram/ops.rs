//! Histogram arithmetic: schema reduction, zero-bucket reconciliation, addition, subtraction and
//! counter-reset detection, following Prometheus' `FloatHistogram`.

use std::collections::BTreeMap;

use super::{exponential_bound, Hint, Histogram};

/// Why two histograms cannot be combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incompatible {
    /// One has exponential buckets, the other custom bounds.
    Schema,
    /// Both have custom bounds, but different ones.
    Bounds,
}

impl Histogram {
    /// The upper bound (absolute value) of bucket `idx` at `schema`.
    fn upper(&self, idx: i32, schema: i32) -> f64 {
        if self.is_custom() {
            self.bounds(idx).1
        } else {
            exponential_bound(idx, schema)
        }
    }

    /// The buckets of one sign merged down to `target` schema, leaving out those whose upper
    /// bound (as an absolute value) is at or below `abs_start`.
    fn merged(&self, positive: bool, abs_start: f64, target: i32) -> Vec<(i32, f64)> {
        let map = if positive { &self.positive } else { &self.negative };
        let mut out: Vec<(i32, f64)> = Vec::with_capacity(map.len());
        for (&idx, &c) in map {
            let t = if self.is_custom() || target >= self.schema {
                idx
            } else {
                ((idx - 1) >> (self.schema - target).min(31)) + 1
            };
            match out.last_mut() {
                Some((i, x)) if *i == t => *x += c,
                _ => out.push((t, c)),
            }
        }
        // Custom buckets have no zero bucket to leave out, and may well end at or below zero.
        if !self.is_custom() {
            out.retain(|&(i, _)| self.upper(i, target) > abs_start);
        }
        out
    }

    /// A copy at a lower (or equal) resolution.
    pub fn to_schema(&self, target: i32) -> Histogram {
        if target >= self.schema || self.is_custom() {
            return self.clone();
        }
        let mut h = Histogram { schema: target, positive: BTreeMap::new(), negative: BTreeMap::new(), ..self.clone() };
        h.positive = self.merged(true, 0.0, target).into_iter().collect();
        h.negative = self.merged(false, 0.0, target).into_iter().collect();
        h
    }

    /// What the zero count would be with a larger threshold, and the threshold actually needed
    /// so as not to cut a populated bucket.
    fn zero_count_for(&self, mut larger: f64) -> (f64, f64) {
        if larger == self.zero_threshold {
            return (self.zero_count, larger);
        }
        'outer: loop {
            let mut count = self.zero_count;
            for (&idx, &c) in &self.positive {
                let (l, u) = self.bounds(idx);
                if l >= larger {
                    break;
                }
                count += c;
                if u > larger {
                    if c != 0.0 {
                        larger = u;
                    }
                    break;
                }
            }
            for (&idx, &c) in &self.negative {
                let (l, u) = self.bounds(idx);
                if l >= larger {
                    break;
                }
                count += c;
                if u > larger {
                    if c != 0.0 {
                        larger = u;
                        continue 'outer;
                    }
                    break;
                }
            }
            return (count, larger);
        }
    }

    /// Removes the buckets that the zero bucket now covers (their counts are in it already).
    fn trim_into_zero_bucket(&mut self) {
        let zt = self.zero_threshold;
        let bounds: Vec<(bool, i32, f64)> = self
            .positive
            .keys()
            .map(|&i| (true, i, self.bounds(i).0))
            .chain(self.negative.keys().map(|&i| (false, i, self.bounds(i).0)))
            .collect();
        for (positive, idx, lower) in bounds {
            if lower < zt {
                if positive {
                    self.positive.remove(&idx);
                } else {
                    self.negative.remove(&idx);
                }
            }
        }
    }

    /// Widens the zero buckets of this histogram and the other to a common threshold; returns the
    /// zero count the other would have with it.
    fn reconcile_zero_buckets(&mut self, other: &Histogram) -> f64 {
        let (mut other_count, mut other_threshold) = (other.zero_count, other.zero_threshold);
        let mut guard = 0;
        while other_threshold != self.zero_threshold && guard < 1000 {
            guard += 1;
            if self.zero_threshold > other_threshold {
                (other_count, other_threshold) = other.zero_count_for(self.zero_threshold);
            }
            if other_threshold > self.zero_threshold {
                (self.zero_count, self.zero_threshold) = self.zero_count_for(other_threshold);
                self.trim_into_zero_bucket();
            }
        }
        other_count
    }

    fn check_compatible(&self, other: &Histogram) -> Result<(), Incompatible> {
        if self.is_custom() != other.is_custom() {
            return Err(Incompatible::Schema);
        }
        if self.is_custom() && self.custom_values != other.custom_values {
            return Err(Incompatible::Bounds);
        }
        Ok(())
    }

    fn combine(&mut self, other: &Histogram, sign: f64) -> Result<(), Incompatible> {
        self.check_compatible(other)?;
        if other.schema < self.schema {
            *self = self.to_schema(other.schema);
        }
        let other_zero = self.reconcile_zero_buckets(other);
        self.zero_count += sign * other_zero;
        self.count += sign * other.count;
        self.sum += sign * other.sum;
        for positive in [true, false] {
            for (i, c) in other.merged(positive, self.zero_threshold, self.schema) {
                let target = if positive { &mut self.positive } else { &mut self.negative };
                *target.entry(i).or_insert(0.0) += sign * c;
            }
        }
        Ok(())
    }

    /// Adds `other` (at the lower of the two resolutions).
    pub fn add(&mut self, other: &Histogram) -> Result<(), Incompatible> {
        self.hint = match (self.hint, other.hint) {
            (a, b) if a == b => a,
            (Hint::Gauge, _) | (_, Hint::Gauge) => Hint::Gauge,
            _ => Hint::Unknown,
        };
        self.combine(other, 1.0)
    }

    /// Subtracts `other`.
    pub fn sub(&mut self, other: &Histogram) -> Result<(), Incompatible> {
        self.combine(other, -1.0)
    }

    /// Whether this histogram, following `prev`, shows a counter reset: a count or bucket went
    /// down, or the resolution went up, or the zero bucket shrank.
    pub fn detect_reset(&self, prev: &Histogram) -> bool {
        match self.hint {
            Hint::CounterReset => return true,
            Hint::NotCounterReset => return false,
            _ => {}
        }
        if self.count < prev.count {
            return true;
        }
        if self.is_custom() != prev.is_custom() || (self.is_custom() && self.custom_values != prev.custom_values) {
            return true;
        }
        if self.schema > prev.schema || self.zero_threshold < prev.zero_threshold {
            return true;
        }
        let (prev_zero, threshold) = prev.zero_count_for(self.zero_threshold);
        if threshold != self.zero_threshold || self.zero_count < prev_zero {
            return true;
        }
        for positive in [true, false] {
            let cur: BTreeMap<i32, f64> = self.merged(positive, self.zero_threshold, self.schema).into_iter().collect();
            for (i, c) in prev.merged(positive, self.zero_threshold, self.schema) {
                if c != 0.0 && cur.get(&i).copied().unwrap_or(0.0) < c {
                    return true;
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use crate::promql::histogram::parse_histogram;

    #[test]
    fn add_reduces_schema_and_zero_buckets() {
        let mut a = parse_histogram("{{schema:1 count:4 sum:4 buckets:[1 1 1 1]}}").unwrap();
        let b = parse_histogram("{{schema:0 count:2 sum:2 z_bucket:1 z_bucket_w:0.5 buckets:[1]}}").unwrap();
        a.add(&b).unwrap();
        assert_eq!(a.schema, 0);
        assert_eq!((a.count, a.sum, a.zero_count), (6.0, 6.0, 1.0));
        // (0.5,1] got 1 from a's two finer buckets and 1 from b; (1,2] and (2,4] a's alone.
        assert_eq!(a.positive.get(&0), Some(&2.0));
        assert_eq!(a.positive.get(&1), Some(&2.0));
        assert_eq!(a.positive.get(&2), Some(&1.0));
        let custom = parse_histogram("{{schema:-53 custom_values:[1] buckets:[1]}}").unwrap();
        assert!(a.add(&custom).is_err());
    }

    #[test]
    fn resets() {
        let a = parse_histogram("{{count:3 sum:3 buckets:[1 2]}}").unwrap();
        let b = parse_histogram("{{count:4 sum:4 buckets:[2 2]}}").unwrap();
        let c = parse_histogram("{{count:4 sum:4 buckets:[3 1]}}").unwrap();
        assert!(!b.detect_reset(&a));
        assert!(c.detect_reset(&b));
    }
}
