//! Input series as promtool's lazy loader feeds them: each sample appended once its time is
//! reached, so that a rule never sees the future (`@` and negative offsets included).

use crate::promql::series::SeqValue;
use crate::promql::{Labels, Storage};
use crate::test::format::TestGroup;
use crate::test::format_duration;

/// Input series as timed samples, loaded into storage step by step as promtool's lazy loader does.
pub(super) struct Input {
    series: Vec<(Labels, Vec<(i64, SeqValue)>)>,
    cursor: Vec<usize>,
    last: Option<i64>,
}

impl Input {
    pub(super) fn new(group: &TestGroup, start: i64, interval: i64) -> Input {
        let mut last = None;
        let series: Vec<(Labels, Vec<(i64, SeqValue)>)> = group
            .input_series
            .iter()
            .map(|s| {
                let mut samples = Vec::new();
                for (i, v) in s.values.iter().enumerate() {
                    let t = start.saturating_add((i as i64).saturating_mul(interval));
                    if !matches!(v, SeqValue::Omitted) {
                        last = last.max(Some(t));
                        samples.push((t, v.clone()));
                    }
                }
                (s.labels.clone(), samples)
            })
            .collect();
        let cursor = vec![0; series.len()];
        Input { series, cursor, last }
    }

    pub(super) fn load_until(&mut self, storage: &mut Storage, ts: i64) {
        for (i, (labels, samples)) in self.series.iter().enumerate() {
            while let Some((t, v)) = samples.get(self.cursor[i]) {
                if *t > ts {
                    break;
                }
                match v {
                    SeqValue::Float(f) => storage.add(labels.clone(), [(*t, *f)]),
                    SeqValue::Histogram(h) => storage.add_histograms(labels.clone(), [(*t, (**h).clone())]),
                    SeqValue::Omitted => {}
                }
                self.cursor[i] += 1;
            }
        }
    }

    /// A note for a failure at `eval_time` past every input sample.
    pub(super) fn note(&self, start: i64, eval_time: i64) -> Option<String> {
        let last = self.last?;
        (start.saturating_add(eval_time) > last).then(|| {
            format!(
                "eval_time {} is after the last input sample (at {}); an instant selector looks back at most 5m",
                format_duration(eval_time),
                format_duration(last - start)
            )
        })
    }
}
