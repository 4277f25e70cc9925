//! In-memory series store: labels plus float samples in time order, staleness markers included.

use std::collections::HashMap;
use std::sync::Arc;

use super::histogram::Histogram;
use super::labels::{Labels, METRIC_NAME};

/// One stored series.
#[derive(Debug, Clone)]
pub struct StoredSeries {
    /// The series' labels.
    pub labels: Labels,
    /// `(milliseconds, value)` in strictly increasing time order; staleness markers are stored as
    /// the special NaN (see [`super::value::is_stale`]).
    pub points: Vec<(i64, f64)>,
    /// Native histogram samples, in strictly increasing time order.
    pub hists: Vec<(i64, Arc<Histogram>)>,
}

/// The entries of a time-ordered list with `from < t <= to`.
pub fn window<T>(list: &[(i64, T)], from: i64, to: i64) -> &[(i64, T)] {
    let lo = list.partition_point(|(t, _)| *t <= from);
    let hi = list.partition_point(|(t, _)| *t <= to);
    &list[lo..hi.max(lo)]
}

/// The last entry of a time-ordered list at or before `t`.
pub fn at_or_before<T>(list: &[(i64, T)], t: i64) -> Option<&(i64, T)> {
    let i = list.partition_point(|(pt, _)| *pt <= t);
    i.checked_sub(1).map(|i| &list[i])
}

impl StoredSeries {
    /// The float points with `from < t <= to`.
    pub fn window(&self, from: i64, to: i64) -> &[(i64, f64)] {
        window(&self.points, from, to)
    }

    /// The last float point at or before `t`.
    pub fn at_or_before(&self, t: i64) -> Option<(i64, f64)> {
        at_or_before(&self.points, t).copied()
    }
}

/// Series in memory, found by labels. Memory is linear in the samples stored.
#[derive(Debug, Clone, Default)]
pub struct Storage {
    series: Vec<StoredSeries>,
    by_labels: HashMap<Labels, usize>,
    by_name: HashMap<String, Vec<usize>>,
}

impl Storage {
    /// An empty store.
    pub fn new() -> Self {
        Storage::default()
    }

    /// Adds samples to the series with `labels`, creating it if needed. A sample at a time the
    /// series already has replaces the stored one.
    pub fn add(&mut self, labels: Labels, samples: impl IntoIterator<Item = (i64, f64)>) {
        let idx = self.index(labels);
        merge(&mut self.series[idx].points, samples);
    }

    /// Adds native histogram samples, like [`Storage::add`].
    pub fn add_histograms(&mut self, labels: Labels, samples: impl IntoIterator<Item = (i64, Histogram)>) {
        let idx = self.index(labels);
        merge(&mut self.series[idx].hists, samples.into_iter().map(|(t, h)| (t, Arc::new(h))));
    }

    /// Appends one float sample as a TSDB appender does: refused (false) when the series already
    /// has a sample at or after `t` (out of order or duplicate), which rule evaluation relies on.
    pub fn append(&mut self, labels: Labels, t: i64, v: f64) -> bool {
        let idx = self.index(labels);
        let s = &mut self.series[idx];
        let last = s.points.last().map(|p| p.0).max(s.hists.last().map(|h| h.0));
        if last.is_some_and(|last| t <= last) {
            return false;
        }
        s.points.push((t, v));
        true
    }

    /// Appends one native histogram sample, as [`Storage::append`].
    pub fn append_histogram(&mut self, labels: Labels, t: i64, h: Arc<Histogram>) -> bool {
        let idx = self.index(labels);
        let s = &mut self.series[idx];
        let last = s.points.last().map(|p| p.0).max(s.hists.last().map(|h| h.0));
        if last.is_some_and(|last| t <= last) {
            return false;
        }
        s.hists.push((t, h));
        true
    }

    fn index(&mut self, labels: Labels) -> usize {
        match self.by_labels.get(&labels) {
            Some(&i) => i,
            None => {
                let i = self.series.len();
                // Each name's list stays sorted by labels, so selections need no sorting.
                let list = self.by_name.entry(labels.get(METRIC_NAME).to_string()).or_default();
                let at = list.partition_point(|&j| self.series[j].labels < labels);
                list.insert(at, i);
                self.by_labels.insert(labels.clone(), i);
                self.series.push(StoredSeries { labels, points: Vec::new(), hists: Vec::new() });
                i
            }
        }
    }

    /// Whether a series with native histogram samples satisfies `pred`.
    pub fn has_histograms(&self, pred: impl Fn(&Labels) -> bool) -> bool {
        self.series.iter().any(|s| !s.hists.is_empty() && pred(&s.labels))
    }

    /// The series whose labels satisfy `pred`, sorted by labels. `name`, when the selector pins
    /// the metric name, narrows the search to that name's series.
    pub fn select(&self, name: Option<&str>, pred: impl Fn(&Labels) -> bool) -> Vec<&StoredSeries> {
        match name {
            Some(n) => self
                .by_name
                .get(n)
                .map(|ix| ix.iter().map(|&i| &self.series[i]).filter(|s| pred(&s.labels)).collect())
                .unwrap_or_default(),
            None => {
                let mut out: Vec<&StoredSeries> = self.series.iter().filter(|s| pred(&s.labels)).collect();
                out.sort_by(|a, b| a.labels.cmp(&b.labels));
                out
            }
        }
    }

    /// Number of series.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// Number of samples stored.
    pub fn samples(&self) -> usize {
        self.series.iter().map(|s| s.points.len() + s.hists.len()).sum()
    }
}

/// Appends samples to a time-ordered list; a sample at a time already present replaces it.
fn merge<T>(list: &mut Vec<(i64, T)>, samples: impl IntoIterator<Item = (i64, T)>) {
    let mut sorted = true;
    for (t, v) in samples {
        if list.last().is_some_and(|(last, _)| t <= *last) {
            sorted = false;
        }
        list.push((t, v));
    }
    if !sorted {
        // Stable sort keeps the later of two samples at one time last; dedup keeps the first,
        // so reverse around it to let the newer value win.
        list.sort_by_key(|(t, _)| *t);
        list.reverse();
        list.dedup_by_key(|(t, _)| *t);
        list.reverse();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_sample_at_same_time_wins() {
        let mut s = Storage::new();
        let l = Labels::from_pairs([(METRIC_NAME, "m")]);
        s.add(l.clone(), [(0, 1.0), (10, 2.0)]);
        s.add(l.clone(), [(10, 3.0), (5, 4.0)]);
        let got = s.select(Some("m"), |_| true);
        assert_eq!(got[0].points, vec![(0, 1.0), (5, 4.0), (10, 3.0)]);
        assert_eq!(got[0].window(0, 10), &[(5, 4.0), (10, 3.0)]);
        assert_eq!(got[0].at_or_before(7), Some((5, 4.0)));
    }
}
