//! Parsing of promqltest scripts: `load`, `clear` and `eval` commands with their expectations.

use regex::Regex;

use crate::promql::duration::parse_duration;
use crate::promql::labels::Labels;
use crate::promql::series::{parse_series, SeqValue};

/// One command of a script.
#[derive(Debug)]
pub enum Command {
    /// `load <step>` and its series, sampled from time 0.
    Load {
        /// Milliseconds between samples.
        step: i64,
        /// The series.
        series: Vec<(Labels, Vec<SeqValue>)>,
        /// `load_with_nhcb`: classic histograms are also stored as native ones upstream.
        with_nhcb: bool,
    },
    /// `clear`: empty the storage.
    Clear,
    /// `eval…`.
    Eval(Box<Eval>),
}

/// Which annotations an `expect` line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectKind {
    /// `expect ordered`.
    Ordered,
    /// `expect fail`.
    Fail,
    /// `expect warn`.
    Warn,
    /// `expect no_warn`.
    NoWarn,
    /// `expect info`.
    Info,
    /// `expect no_info`.
    NoInfo,
}

/// How an `expect` line matches a message.
#[derive(Debug, Clone)]
pub enum MessageMatch {
    /// Any message.
    Any,
    /// `msg:` the exact text.
    Exact(String),
    /// `regex:` a pattern.
    Pattern(Regex),
}

impl MessageMatch {
    /// Whether `s` matches.
    pub fn matches(&self, s: &str) -> bool {
        match self {
            MessageMatch::Any => true,
            MessageMatch::Exact(m) => m == s,
            MessageMatch::Pattern(r) => r.is_match(s),
        }
    }
}

/// An `eval` command.
#[derive(Debug)]
pub struct Eval {
    /// Line number (1-based) of the command.
    pub line: usize,
    /// The query text.
    pub expr: String,
    /// Instant evaluation time (milliseconds), when not a range evaluation.
    pub at: i64,
    /// `range from … to … step …`, milliseconds.
    pub range: Option<(i64, i64, i64)>,
    /// `eval_fail`.
    pub fail: bool,
    /// `eval_warn`.
    pub warn: bool,
    /// `eval_info`.
    pub info: bool,
    /// `eval_ordered`.
    pub ordered: bool,
    /// `expected_fail_message`.
    pub fail_message: Option<String>,
    /// `expected_fail_regexp`.
    pub fail_regexp: Option<Regex>,
    /// `expect …` lines.
    pub expects: Vec<(ExpectKind, MessageMatch)>,
    /// A scalar result is expected.
    pub scalar: Option<f64>,
    /// Expected series: labels, values, and position (1-based, for ordered checks).
    pub series: Vec<(Labels, Vec<SeqValue>, usize)>,
    /// The expectation mentions native histograms.
    pub histograms: bool,
}

impl Eval {
    /// Whether an error is expected.
    pub fn expects_failure(&self) -> bool {
        self.fail || self.expects.iter().any(|(k, _)| *k == ExpectKind::Fail)
    }

    /// Whether the result order is checked.
    pub fn is_ordered(&self) -> bool {
        self.ordered || self.expects.iter().any(|(k, _)| *k == ExpectKind::Ordered)
    }
}

/// Parses a script into commands, each with its line number. An error names the line.
pub fn parse(text: &str) -> Result<Vec<(usize, Command)>, String> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| {
            let l = l.trim();
            if l.starts_with('#') {
                ""
            } else {
                l
            }
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if l.is_empty() {
            i += 1;
            continue;
        }
        let word = l.split([' ', '\t']).next().unwrap_or("").to_lowercase();
        let start = i;
        let cmd = if word == "clear" {
            i += 1;
            Command::Clear
        } else if word.starts_with("load") {
            parse_load(&lines, &mut i)?
        } else if word.starts_with("eval") {
            parse_eval(&lines, &mut i)?
        } else {
            return Err(format!("line {}: invalid command {l:?}", i + 1));
        };
        out.push((start + 1, cmd));
    }
    Ok(out)
}

fn duration(s: &str, line: usize) -> Result<i64, String> {
    parse_duration(s.trim()).map_err(|e| format!("line {line}: {e}"))
}

fn parse_load(lines: &[&str], i: &mut usize) -> Result<Command, String> {
    let line = *i + 1;
    let re = Regex::new(r"^load(?:_(with_nhcb))?\s+(.+?)$").map_err(|e| e.to_string())?;
    let caps = re.captures(lines[*i]).ok_or_else(|| format!("line {line}: invalid load command"))?;
    let with_nhcb = caps.get(1).is_some();
    let step = duration(&caps[2], line)?;
    let mut series = Vec::new();
    *i += 1;
    while *i < lines.len() && !lines[*i].is_empty() {
        series.push(parse_series(lines[*i]).map_err(|e| format!("line {}: {e}", *i + 1))?);
        *i += 1;
    }
    Ok(Command::Load { step, series, with_nhcb })
}

fn parse_eval(lines: &[&str], i: &mut usize) -> Result<Command, String> {
    let line = *i + 1;
    let instant = Regex::new(r"^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$");
    let range = Regex::new(r"^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$");
    let (instant, range) = (instant.map_err(|e| e.to_string())?, range.map_err(|e| e.to_string())?);
    let mut e = Eval {
        line,
        expr: String::new(),
        at: 0,
        range: None,
        fail: false,
        warn: false,
        info: false,
        ordered: false,
        fail_message: None,
        fail_regexp: None,
        expects: Vec::new(),
        scalar: None,
        series: Vec::new(),
        histograms: false,
    };
    let modifier = if let Some(c) = instant.captures(lines[*i]) {
        e.expr = c[3].to_string();
        e.at = c.get(2).map(|m| duration(m.as_str(), line)).transpose()?.unwrap_or(0);
        c.get(1).map(|m| m.as_str().to_string())
    } else if let Some(c) = range.captures(lines[*i]) {
        e.expr = c[5].to_string();
        let (from, to, step) = (duration(&c[2], line)?, duration(&c[3], line)?, duration(&c[4], line)?);
        if to < from {
            return Err(format!(
                "line {line}: invalid test definition, end timestamp ({}) is before start timestamp ({})",
                &c[3], &c[2]
            ));
        }
        e.range = Some((from, to, step));
        c.get(1).map(|m| m.as_str().to_string())
    } else {
        return Err(format!("line {line}: invalid evaluation command"));
    };
    match modifier.as_deref() {
        Some("fail") => e.fail = true,
        Some("warn") => e.warn = true,
        Some("info") => e.info = true,
        Some("ordered") => e.ordered = true,
        _ => {}
    }
    let expect_re = Regex::new(r"^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$")
        .map_err(|er| er.to_string())?;
    *i += 1;
    let mut pos = 1;
    while *i < lines.len() && !lines[*i].is_empty() {
        let l = lines[*i];
        let n = *i + 1;
        *i += 1;
        if e.fail {
            if let Some(m) = l.strip_prefix("expected_fail_message") {
                e.fail_message = Some(m.trim().to_string());
                break;
            }
            if let Some(p) = l.strip_prefix("expected_fail_regexp") {
                e.fail_regexp = Some(Regex::new(p.trim()).map_err(|er| format!("line {n}: {er}"))?);
                break;
            }
        }
        if l.split(' ').next() == Some("expect") {
            let c = expect_re.captures(l).ok_or_else(|| format!("line {n}: invalid expect statement"))?;
            let kind = match &c[1] {
                "ordered" => ExpectKind::Ordered,
                "fail" => ExpectKind::Fail,
                "warn" => ExpectKind::Warn,
                "no_warn" => ExpectKind::NoWarn,
                "info" => ExpectKind::Info,
                _ => ExpectKind::NoInfo,
            };
            let m = match (c.get(2).map(|m| m.as_str()), c.get(3)) {
                (Some("msg"), Some(t)) => MessageMatch::Exact(t.as_str().trim().to_string()),
                (Some(_), Some(t)) => {
                    MessageMatch::Pattern(Regex::new(t.as_str().trim()).map_err(|er| format!("line {n}: {er}"))?)
                }
                _ => MessageMatch::Any,
            };
            e.expects.push((kind, m));
            continue;
        }
        if let Some(f) = parse_number(l) {
            e.scalar = Some(f);
            break;
        }
        e.histograms |= l.contains("{{");
        let (labels, values) = parse_series(l).map_err(|er| format!("line {n}: {er}"))?;
        if values.len() > 1 && e.range.is_none() {
            return Err(format!("line {n}: expecting multiple values in instant evaluation not allowed"));
        }
        e.series.push((labels, values, pos));
        pos += 1;
    }
    Ok(Command::Eval(Box::new(e)))
}

/// A whole line that is a number, as Go's `strconv.ParseInt(s, 0, 64)` or `ParseFloat` reads it.
fn parse_number(s: &str) -> Option<f64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let int = if let Some(h) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()
    } else {
        digits.parse::<i64>().ok()
    };
    if let Some(v) = int {
        return Some(if neg { -(v as f64) } else { v as f64 });
    }
    let lower = s.to_ascii_lowercase();
    match lower.trim_start_matches(['+', '-']) {
        "inf" | "infinity" => return Some(if s.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY }),
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if s.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')) {
        return s.parse().ok();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands() {
        let script = "# comment\nload 5m\n  m{a=\"1\"} 0+1x2\n\neval instant at 10m m\n  m{a=\"1\"} 2\n\neval_fail range from 0 to 10m step 5m m\n  expected_fail_message boom\n\nclear\n";
        let cmds = parse(script).unwrap();
        assert_eq!(cmds.len(), 4);
        let Command::Eval(e) = &cmds[1].1 else { panic!() };
        assert_eq!((e.line, e.at, e.series.len()), (5, 600_000, 1));
        let Command::Eval(e) = &cmds[2].1 else { panic!() };
        assert_eq!(e.range, Some((0, 600_000, 300_000)));
        assert_eq!(e.fail_message.as_deref(), Some("boom"));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("12340000"), Some(12_340_000.0));
        assert_eq!(parse_number("-0.0000002"), Some(-0.0000002));
        assert_eq!(parse_number("+Inf"), Some(f64::INFINITY));
        assert!(parse_number("NaN").unwrap().is_nan());
        assert_eq!(parse_number("{} 1"), None);
        assert_eq!(parse_number("metric 1"), None);
    }
}
