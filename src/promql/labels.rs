//! Label sets: sorted by name, no empty values, so equality and ordering are plain comparisons.

use std::fmt;
use std::sync::Arc;

/// The metric name label.
pub const METRIC_NAME: &str = "__name__";

/// Labels that describe the metric itself rather than the series; functions that change what a
/// value means drop them together.
const METADATA: [&str; 3] = [METRIC_NAME, "__type__", "__unit__"];

/// A set of labels, sorted by name, without empty values. Shared, so that the many copies an
/// evaluation makes (one per sample) cost a reference count, not an allocation.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Labels(Arc<Vec<(String, String)>>);

impl Labels {
    /// The empty label set.
    pub fn new() -> Self {
        Labels::default()
    }

    fn from_vec(v: Vec<(String, String)>) -> Self {
        Labels(Arc::new(v))
    }

    /// Builds a label set from pairs in any order; empty values are left out and, for a repeated
    /// name, the last value wins.
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut out = Labels::new();
        for (k, v) in pairs {
            out.set(&k.into(), &v.into());
        }
        out
    }

    /// The value of `name`, or "" when absent (PromQL treats both alike).
    pub fn get(&self, name: &str) -> &str {
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(name)) {
            Ok(i) => &self.0[i].1,
            Err(_) => "",
        }
    }

    /// Whether `name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(name)).is_ok()
    }

    /// Sets `name` to `value`; an empty value removes the label.
    pub fn set(&mut self, name: &str, value: &str) {
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(name)) {
            Ok(i) if value.is_empty() => {
                Arc::make_mut(&mut self.0).remove(i);
            }
            Ok(i) if self.0[i].1 == value => {}
            Ok(i) => Arc::make_mut(&mut self.0)[i].1 = value.to_string(),
            Err(_) if value.is_empty() => {}
            Err(i) => Arc::make_mut(&mut self.0).insert(i, (name.to_string(), value.to_string())),
        }
    }

    /// Removes `name`.
    pub fn remove(&mut self, name: &str) {
        if let Ok(i) = self.0.binary_search_by(|(k, _)| k.as_str().cmp(name)) {
            Arc::make_mut(&mut self.0).remove(i);
        }
    }

    /// The labels without the metric name, type and unit.
    pub fn without_metadata(&self) -> Labels {
        if !self.0.iter().any(|(k, _)| METADATA.contains(&k.as_str())) {
            return self.clone();
        }
        Labels::from_vec(self.0.iter().filter(|(k, _)| !METADATA.contains(&k.as_str())).cloned().collect())
    }

    /// Only the labels named in `names`.
    pub fn keep(&self, names: &[String]) -> Labels {
        Labels::from_vec(self.0.iter().filter(|(k, _)| names.iter().any(|n| n == k)).cloned().collect())
    }

    /// All labels except those named in `names`.
    pub fn drop(&self, names: &[String]) -> Labels {
        if !self.0.iter().any(|(k, _)| names.iter().any(|n| n == k)) {
            return self.clone();
        }
        Labels::from_vec(self.0.iter().filter(|(k, _)| !names.iter().any(|n| n == k)).cloned().collect())
    }

    /// The pairs, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Labels {
    /// Prometheus' own rendering: `{a="1", b="2"}`, values escaped like Go's `%q`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{k}={}", quote(v))?;
        }
        f.write_str("}")
    }
}

/// Go strings may hold bytes that are not UTF-8 (`"\xff"` in a query); Rust strings cannot, so
/// such a byte is kept as a private-use character from this one up, which [`quote`] writes back
/// as `\xff` and [`valid_label_name`] refuses, as Prometheus refuses the byte.
const RAW_BYTE_BASE: u32 = 0x10_FF00;

/// The text Go gives bytes written as `\xNN` escapes: UTF-8 where they form it, raw-byte
/// characters where they do not.
pub fn from_go_bytes(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for &b in chunk.invalid() {
            out.push(char::from_u32(RAW_BYTE_BASE + u32::from(b)).unwrap_or('\u{fffd}'));
        }
    }
    out
}

fn raw_byte(c: char) -> Option<u8> {
    (c as u32).checked_sub(RAW_BYTE_BASE).and_then(|b| u8::try_from(b).ok())
}

/// Quotes like Go's `strconv.Quote`, which Prometheus uses in label and error texts (a label
/// value's bytes that are not UTF-8 as `\xNN`).
pub fn quote(s: &str) -> String {
    crate::syntax::quote::quote_with_bytes(s, raw_byte)
}

/// Whether `name` is a valid label name under UTF-8 validation (any non-empty valid UTF-8).
pub fn valid_label_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| raw_byte(c).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_without_empty_values() {
        let l = Labels::from_pairs([("b", "2"), ("a", "1"), ("c", "")]);
        assert_eq!(l.to_string(), r#"{a="1", b="2"}"#);
        assert_eq!(l.get("c"), "");
        assert!(!l.has("c"));
    }

    #[test]
    fn go_bytes() {
        assert_eq!(from_go_bytes(&[0xc3, 0xa9]), "é");
        let odd = from_go_bytes(b"a\xc5z");
        assert_eq!(quote(&odd), r#""a\xc5z""#);
        assert!(!valid_label_name(&odd));
        assert!(valid_label_name("é"));
    }

    #[test]
    fn metadata_is_dropped_together() {
        let l = Labels::from_pairs([(METRIC_NAME, "x"), ("__type__", "counter"), ("job", "a")]);
        assert_eq!(l.without_metadata().to_string(), r#"{job="a"}"#);
    }
}
