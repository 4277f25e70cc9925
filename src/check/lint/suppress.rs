//! Suppressions: `# monstack: ignore <check> <reason> [until YYYY-MM-DD]` silences the warnings of
//! `<check>` on its own line, or, on a line of its own, in the YAML item right below it (the whole
//! rule when written above `- alert:`). The reason is required; past its `until` date a
//! suppression stops working and says so (`lint/suppression`). Errors are never silenced: they
//! are what Prometheus and Alertmanager would refuse.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::check::problem::{Severity, Sink};
use crate::check::Check;
use crate::diag::Pos;

const MARKER: &str = "# monstack: ignore";

/// One parsed suppression.
#[derive(Debug, PartialEq)]
struct Suppression {
    check: Check,
    /// Lines it covers, 1-based inclusive.
    lines: (u64, u64),
    until: Option<(i64, u32, u32)>,
    at: Pos,
}

fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let mut parts = s.split('-');
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok().filter(|m| (1..=12).contains(m))?;
    let d = parts.next()?.parse().ok().filter(|d| (1..=31).contains(d))?;
    parts.next().is_none().then_some((y, m, d))
}

/// Today's date (UTC), as `(year, month, day)`.
pub fn today() -> (i64, u32, u32) {
    let days = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400) as i64;
    crate::syntax::date::civil_from_days(days)
}

/// Finds the suppressions in `source`; malformed ones are reported in `sink`.
fn find(source: &str, sink: &mut Sink) -> Vec<Suppression> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(col) = line.find(MARKER) else { continue };
        let at = Pos { line: i as u64 + 1, column: col as u64 + 1 };
        let words: Vec<&str> = line[col + MARKER.len()..].split_whitespace().collect();
        let (words, until) = match words.len().checked_sub(2).map(|n| (&words[..n], &words[n..])) {
            Some((rest, ["until", date])) => (rest.to_vec(), Some(*date)),
            _ => (words.clone(), None),
        };
        let until = match until.map(|d| (d, parse_date(d))) {
            Some((d, None)) => {
                sink.warning(Check::LintSuppression, Some(at), format!("suppression date {d:?} is not YYYY-MM-DD"));
                continue;
            }
            Some((_, date)) => date,
            None => None,
        };
        let [name, reason @ ..] = words.as_slice() else {
            sink.warning(Check::LintSuppression, Some(at), "suppression names no check")
                .help("write `# monstack: ignore <check> <reason> [until YYYY-MM-DD]`");
            continue;
        };
        let Some(check) = Check::from_name(name) else {
            let p = sink.warning(Check::LintSuppression, Some(at), format!("suppression names unknown check `{name}`"));
            match crate::diag::nearest(name, Check::ALL.iter().map(|c| c.name())) {
                Some(c) => p.help(format!("did you mean `{c}`?")),
                None => p.help("name the check as findings show it, e.g. `rules/summary`"),
            }
            continue;
        };
        if reason.is_empty() {
            sink.warning(Check::LintSuppression, Some(at), format!("suppression of `{check}` gives no reason"))
                .help("say why, so the next reader knows whether it still holds");
            continue;
        }
        let own_line = line.trim_start().starts_with('#');
        let lines = if own_line {
            // The next item that is not a comment, down to where its indentation ends.
            let start =
                (i + 1..lines.len()).find(|&j| !lines[j].trim().is_empty() && !lines[j].trim_start().starts_with('#'));
            match start {
                Some(s) => {
                    let lead = |l: &str| l.len() - l.trim_start_matches(' ').len();
                    let base = lead(lines[s]);
                    let end = (s + 1..lines.len())
                        .find(|&j| {
                            let t = lines[j].trim();
                            !t.is_empty() && !t.starts_with('#') && lead(lines[j]) <= base
                        })
                        .unwrap_or(lines.len());
                    (s as u64 + 1, end as u64)
                }
                None => (at.line, at.line),
            }
        } else {
            (at.line, at.line)
        };
        out.push(Suppression { check, lines, until, at });
    }
    out
}

/// Drops the warnings in `sink` that a suppression in `source` covers.
pub fn apply(source: &str, sink: &mut Sink) {
    if !source.contains(MARKER) {
        return;
    }
    let today = today();
    let suppressions = find(source, sink);
    let mut expired = Vec::new();
    sink.problems.retain(|p| {
        let Some(line) = p.pos.map(|pos| pos.line) else { return true };
        if p.severity != Severity::Warning {
            return true;
        }
        let hit = suppressions.iter().find(|s| s.check == p.check && s.lines.0 <= line && line <= s.lines.1);
        match hit {
            Some(s) if s.until.is_some_and(|u| u < today) => {
                expired.push(s.at);
                true
            }
            Some(_) => false,
            None => true,
        }
    });
    expired.dedup();
    for at in expired {
        let s = suppressions.iter().find(|s| s.at == at).expect("found above");
        let (y, m, d) = s.until.expect("expired ones have a date");
        sink.warning(
            Check::LintSuppression,
            Some(at),
            format!("suppression of `{}` expired on {y:04}-{m:02}-{d:02}", s.check),
        )
        .help("fix what it silenced, or extend the date with a reason that still holds");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warn_at(sink: &mut Sink, check: Check, line: u64) {
        sink.warning(check, Some(Pos { line, column: 1 }), "w");
    }

    #[test]
    fn dates() {
        let (y, m, d) = today();
        assert!(y >= 2024 && (1..=12).contains(&m) && (1..=31).contains(&d));
        assert_eq!(parse_date("2026-02-03"), Some((2026, 2, 3)));
        assert_eq!(parse_date("2026-13-03"), None);
    }

    #[test]
    fn covers_the_item_below_or_its_own_line() {
        let src = "groups:\n  - name: g\n    rules:\n      # monstack: ignore rules/summary generated alert\n      - alert: A\n        expr: up == 0\n      - alert: B\n        expr: up == 0 # monstack: ignore rules/severity fine here\n";
        let mut sink = Sink::new("r.yml");
        warn_at(&mut sink, Check::RulesSummary, 5);
        warn_at(&mut sink, Check::RulesSummary, 6);
        warn_at(&mut sink, Check::RulesSummary, 7);
        warn_at(&mut sink, Check::RulesSeverity, 8);
        warn_at(&mut sink, Check::RulesSeverity, 7);
        apply(src, &mut sink);
        let left: Vec<(&str, u64)> = sink.problems.iter().map(|p| (p.check.name(), p.pos.unwrap().line)).collect();
        assert_eq!(left, [("rules/summary", 7), ("rules/severity", 7)]);
    }

    #[test]
    fn expired_reasonless_and_errors() {
        let src = "a: 1 # monstack: ignore prometheus/scrape old until 2000-01-01\nb: 2 # monstack: ignore prometheus/scrape\nc: 3 # monstack: ignore prometheus/scrape why\n";
        let mut sink = Sink::new("f.yml");
        warn_at(&mut sink, Check::PrometheusScrape, 1);
        warn_at(&mut sink, Check::PrometheusScrape, 2);
        sink.error(Check::PrometheusScrape, Some(Pos { line: 3, column: 1 }), "e");
        apply(src, &mut sink);
        let left: Vec<String> = sink.problems.iter().map(|p| format!("{}:{}", p.check, p.pos.unwrap().line)).collect();
        assert_eq!(
            left,
            [
                "prometheus/scrape:1",
                "prometheus/scrape:2",
                "prometheus/scrape:3",
                "lint/suppression:2",
                "lint/suppression:1"
            ]
        );
    }

    #[test]
    fn unknown_checks_are_reported_with_the_likely_one() {
        let src = "a: 1 # monstack: ignore rules/sumary typo\nb: 2 # monstack: ignore because it is fine\n";
        let mut sink = Sink::new("f.yml");
        warn_at(&mut sink, Check::RulesSummary, 1);
        apply(src, &mut sink);
        let left: Vec<(&str, String, Option<String>)> =
            sink.problems.iter().map(|p| (p.check.name(), p.message.clone(), p.help.clone())).collect();
        assert_eq!(
            left,
            [
                ("rules/summary", "w".into(), None),
                (
                    "lint/suppression",
                    "suppression names unknown check `rules/sumary`".into(),
                    Some("did you mean `rules/summary`?".into())
                ),
                (
                    "lint/suppression",
                    "suppression names unknown check `because`".into(),
                    Some("name the check as findings show it, e.g. `rules/summary`".into())
                ),
            ]
        );
    }
}
