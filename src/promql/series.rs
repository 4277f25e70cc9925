//! promtool's series notation: `metric{label="value"} 1 2+3x4 _ _x2 stale -Inf NaN`.
//!
//! `axN` is N+1 copies of a, `a+bxN` and `a-bxN` are N+1 values starting at a (each one the
//! previous plus b, added step by step as Prometheus does, so float rounding agrees), `_` skips one
//! step and `_xN` skips N. Native histograms are written `{{…}}` (see [`super::histogram`]), with
//! `{{a}}xN` and `{{a}}+{{b}}xN` / `{{a}}-{{b}}xN` as for floats.

use super::histogram::{parse_histogram, Histogram};
use super::labels::{from_go_bytes, Labels, METRIC_NAME};
use super::value::stale_nan;

/// One step of a sequence.
#[derive(Debug, Clone, PartialEq)]
pub enum SeqValue {
    /// No sample at this step.
    Omitted,
    /// A float sample (staleness markers included).
    Float(f64),
    /// A native histogram sample.
    Histogram(Box<Histogram>),
}

/// Upper bound on the steps one sequence item may expand to, so a typo cannot exhaust memory.
const MAX_REPEAT: u64 = 10_000_000;

/// Parses `metric{labels} values…`.
pub fn parse_series(line: &str) -> Result<(Labels, Vec<SeqValue>), String> {
    let (labels, rest) = parse_metric(line)?;
    Ok((labels, parse_values(rest)?))
}

/// Parses a metric with optional name and `{…}` label list; returns the labels and the rest.
pub fn parse_metric(s: &str) -> Result<(Labels, &str), String> {
    let s = s.trim_start();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let name_len = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')).unwrap_or(s.len());
    let (name, mut rest) = s.split_at(name_len);
    if !name.is_empty() {
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(format!("unexpected number {name:?} where a metric name was expected"));
        }
        pairs.push((METRIC_NAME.into(), name.into()));
    }
    if let Some(r) = rest.strip_prefix('{') {
        rest = r;
        loop {
            rest = rest.trim_start();
            if let Some(r) = rest.strip_prefix('}') {
                rest = r;
                break;
            }
            let (key, r) = label_name(rest)?;
            let r = r.trim_start();
            rest = if let Some(r) = r.strip_prefix('=') {
                let (value, r) = string_literal(r.trim_start())?;
                pairs.push((key.0, value));
                r
            } else if key.1 {
                // A lone quoted string is the metric name (`{"my.metric"}`).
                pairs.push((METRIC_NAME.into(), key.0));
                r
            } else {
                return Err(format!("expected '=' after label name {:?}", key.0));
            };
            rest = rest.trim_start();
            if let Some(r) = rest.strip_prefix(',') {
                rest = r;
            } else if rest.is_empty() {
                return Err("the label set is not closed: expected `,` or `}` at the end".into());
            } else if !rest.starts_with('}') {
                return Err(format!("unexpected {:?} in label set", rest.chars().next().unwrap_or(' ')));
            }
        }
    } else if name.is_empty() {
        return Err(format!("expected a metric name or '{{' in {s:?}"));
    }
    Ok((Labels::from_pairs(pairs), rest))
}

/// A label name, bare or quoted; the flag says it was quoted.
fn label_name(s: &str) -> Result<((String, bool), &str), String> {
    if s.starts_with(['"', '\'', '`']) {
        let (v, r) = string_literal(s)?;
        return Ok(((v, true), r));
    }
    let n = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
    if n == 0 {
        return Err(format!("expected a label name at {s:?}"));
    }
    Ok(((s[..n].to_string(), false), &s[n..]))
}

/// A Go string literal: "…" or '…' with escapes, or `…` raw.
pub fn string_literal(s: &str) -> Result<(String, &str), String> {
    let quote = s.chars().next().ok_or("expected a string")?;
    if !matches!(quote, '"' | '\'' | '`') {
        return Err(format!("expected a quoted string at {s:?}"));
    }
    let mut out = String::new();
    // Go reads `\xNN` as a byte; runs of them are decoded together.
    let mut bytes: Vec<u8> = Vec::new();
    let mut chars = s[1..].char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' || quote == '`' {
            out.push_str(&from_go_bytes(&std::mem::take(&mut bytes)));
            if c == quote {
                return Ok((out, &s[1 + i + 1..]));
            }
            out.push(c);
            continue;
        }
        let (_, e) = chars.next().ok_or("unterminated escape")?;
        if e == 'x' {
            let hex: String = (0..2).filter_map(|_| chars.next().map(|(_, c)| c)).collect();
            bytes.push(u8::from_str_radix(&hex, 16).map_err(|_| format!("invalid escape \\x{hex}"))?);
            continue;
        }
        out.push_str(&from_go_bytes(&std::mem::take(&mut bytes)));
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            'u' | 'U' => {
                let n = if e == 'u' { 4 } else { 8 };
                let hex: String = (0..n).filter_map(|_| chars.next().map(|(_, c)| c)).collect();
                let code = u32::from_str_radix(&hex, 16).map_err(|_| format!("invalid escape \\{e}{hex}"))?;
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            c => out.push(c),
        }
    }
    Err("unterminated quoted string".into())
}

/// Parses the whitespace-separated sequence items after the metric.
pub fn parse_values(s: &str) -> Result<Vec<SeqValue>, String> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        if rest.starts_with("{{") {
            rest = histogram_item(rest, &mut out)?;
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            item(&rest[..end], &mut out)?;
            rest = &rest[end..];
        }
        rest = rest.trim_start();
    }
    Ok(out)
}

fn repeat(n: &str) -> Result<u64, String> {
    let n: u64 = n.parse().map_err(|_| format!("invalid repetition count {n:?}"))?;
    if n > MAX_REPEAT {
        return Err(format!("repetition count {n} is larger than {MAX_REPEAT}"));
    }
    Ok(n)
}

fn item(tok: &str, out: &mut Vec<SeqValue>) -> Result<(), String> {
    if tok == "_" {
        out.push(SeqValue::Omitted);
        return Ok(());
    }
    if let Some(n) = tok.strip_prefix("_x") {
        out.extend((0..repeat(n)?).map(|_| SeqValue::Omitted));
        return Ok(());
    }
    if tok == "stale" {
        out.push(SeqValue::Float(stale_nan()));
        return Ok(());
    }
    let (mut value, rest) = number_prefix(tok).ok_or_else(|| format!("invalid value {tok:?}"))?;
    if rest.is_empty() {
        out.push(SeqValue::Float(value));
        return Ok(());
    }
    let (step, rest) = match rest.as_bytes()[0] {
        b'x' => (None, rest),
        b'+' | b'-' => {
            let (b, r) = number_prefix(rest).ok_or_else(|| format!("invalid increment in {tok:?}"))?;
            (Some(b), r)
        }
        _ => return Err(format!("invalid value {tok:?}")),
    };
    let n = repeat(rest.strip_prefix('x').ok_or_else(|| format!("expected 'x' and a count in {tok:?}"))?)?;
    for _ in 0..=n {
        out.push(SeqValue::Float(value));
        if let Some(b) = step {
            value += b;
        }
    }
    Ok(())
}

/// A signed float at the start of `s` (`Inf`, `NaN` in any case included); the rest follows.
pub fn number_prefix(s: &str) -> Option<(f64, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let word = &s[i..];
    for (lit, v) in [("inf", f64::INFINITY), ("nan", f64::NAN)] {
        if word.get(..3).is_some_and(|w| w.eq_ignore_ascii_case(lit)) {
            let v = if b[0] == b'-' { -v } else { v };
            return Some((v, &word[3..]));
        }
    }
    let digits_start = i;
    // No hexadecimal: in this notation `0x10` is zero repeated, not sixteen.
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
        i += 1;
    }
    if i == digits_start {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    s[..i].parse().ok().map(|v| (v, &s[i..]))
}

/// `{{…}}`, `{{…}}xN` or `{{…}}+{{…}}xN`: one or N+1 histogram steps.
fn histogram_item<'a>(s: &'a str, out: &mut Vec<SeqValue>) -> Result<&'a str, String> {
    let take = |s: &'a str| -> Result<(Histogram, &'a str), String> {
        let end = s.find("}}").ok_or("unterminated native histogram '{{'")? + 2;
        Ok((parse_histogram(&s[..end])?, &s[end..]))
    };
    let (base, mut rest) = take(s)?;
    let mut step = None;
    if let Some(sign) = rest.chars().next().filter(|c| *c == '+' || *c == '-') {
        let (inc, r) = take(rest[1..].trim_start())?;
        step = Some((sign, inc));
        rest = r;
    }
    let times = match rest.strip_prefix('x') {
        Some(r) => {
            let n = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            rest = &r[n..];
            repeat(&r[..n])?
        }
        None if step.is_some() => return Err("expected 'x' and a count after a histogram increment".into()),
        None => 0,
    };
    let mut cur = base;
    for i in 0..=times {
        if i > 0 {
            if let Some((sign, inc)) = &step {
                if cur.schema > inc.schema && !cur.is_custom() {
                    return Err(format!(
                        "error combining histograms: cannot merge from schema {} to {}",
                        inc.schema, cur.schema
                    ));
                }
                let r = if *sign == '+' { cur.add(inc) } else { cur.sub(inc) };
                r.map_err(|_| "error combining histograms: incompatible bucket layouts".to_string())?;
            }
        }
        out.push(SeqValue::Histogram(Box::new(cur.clone())));
    }
    Ok(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::value::is_stale;

    fn floats(s: &str) -> Vec<Option<f64>> {
        parse_values(s)
            .unwrap()
            .into_iter()
            .map(|v| match v {
                SeqValue::Float(f) => Some(f),
                _ => None,
            })
            .collect()
    }

    fn counts(s: &str) -> Vec<f64> {
        parse_values(s)
            .unwrap()
            .into_iter()
            .filter_map(|v| match v {
                SeqValue::Histogram(h) => Some(h.count),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn expansions() {
        assert_eq!(
            floats("1 2+3x2 _ 5x1 _x2"),
            vec![Some(1.), Some(2.), Some(5.), Some(8.), None, Some(5.), Some(5.), None, None]
        );
        assert_eq!(
            floats("10-2x2 -1e2 +Inf inf"),
            vec![Some(10.), Some(8.), Some(6.), Some(-100.), Some(f64::INFINITY), Some(f64::INFINITY)]
        );
        assert!(floats("NaN")[0].unwrap().is_nan());
        let stale = floats("stale")[0].unwrap();
        assert!(is_stale(stale));
        assert!(parse_values("1x99999999999").is_err());
        assert_eq!(floats("0x2"), vec![Some(0.), Some(0.), Some(0.)]);
    }

    #[test]
    fn metrics() {
        let (l, rest) = parse_metric(r#"m{a="1", "b.c"="x\"y",} 1"#).unwrap();
        assert_eq!(l.to_string(), r#"{__name__="m", a="1", b.c="x\"y"}"#);
        assert_eq!(rest, " 1");
        let (l, _) = parse_metric(r#"{"my.metric", a='z'}"#).unwrap();
        assert_eq!(l.get(METRIC_NAME), "my.metric");
        let (l, _) = parse_metric("{} 3").unwrap();
        assert!(l.is_empty());
    }

    #[test]
    fn histogram_sequences() {
        let v = parse_values("{{schema:0 sum:5 count:4 buckets:[1 2 1]}}x2 {{count:1}}+{{count:2}}x1 _").unwrap();
        assert_eq!(v.len(), 6);
        assert_eq!(v[5], SeqValue::Omitted);
        assert_eq!(counts("{{count:1}}+{{count:2}}x2 {{count:9}}-{{count:1}}x1"), vec![1.0, 3.0, 5.0, 9.0, 8.0]);
    }
}
