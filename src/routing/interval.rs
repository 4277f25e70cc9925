//! Time intervals (`time_intervals`, `mute_time_intervals`) as Alertmanager's `timeinterval`
//! package reads and evaluates them: every given field must hold (times, days of the month,
//! months, weekdays, years), any range of a field may; in the interval's `location`, else UTC.

use super::config::Loader;
use super::instant::{days_in_month_as_upstream, Instant};
use super::tz::Zone;
use crate::check::node::{SourceNode, Tree};

/// One entry of a named time interval's `time_intervals` list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimeInterval {
    /// `[start, end)` minutes of the day; `None` when not given.
    pub times: Option<Vec<(u32, u32)>>,
    /// Inclusive weekday ranges, 0 = Sunday.
    pub weekdays: Option<Vec<(i64, i64)>>,
    /// Inclusive day ranges; negative counts from the month's end (-1 = last day).
    pub days_of_month: Option<Vec<(i64, i64)>>,
    /// Inclusive month ranges, 1 = January.
    pub months: Option<Vec<(i64, i64)>>,
    /// Inclusive year ranges.
    pub years: Option<Vec<(i64, i64)>>,
    /// `location`; UTC when absent.
    pub location: Option<Zone>,
}

const FIELDS: &[&str] = &["times", "weekdays", "days_of_month", "months", "years", "location"];
const WEEKDAYS: [&str; 7] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

impl TimeInterval {
    /// Whether the instant `t` is inside, as upstream's `ContainsTime`.
    pub fn contains(&self, t: Instant) -> bool {
        let utc = Zone::utc();
        let zone = self.location.as_ref().unwrap_or(&utc);
        let c = t.civil(zone);
        let any = |ranges: &Option<Vec<(i64, i64)>>, v: i64| {
            ranges.as_ref().is_none_or(|rs| rs.iter().any(|&(b, e)| b <= v && v <= e))
        };
        if let Some(times) = &self.times {
            if !times.iter().any(|&(s, e)| s <= c.minute_of_day && c.minute_of_day < e) {
                return false;
            }
        }
        if let Some(days) = &self.days_of_month {
            let n = days_in_month_as_upstream(&c, zone);
            let day = i64::from(c.day);
            let hit = days.iter().any(|&(b, e)| {
                let begin = if b < 0 { n + b + 1 } else { b };
                let end = if e < 0 { n + e + 1 } else { e };
                begin <= n && day >= begin.clamp(-n, n) && day <= end.clamp(-n, n)
            });
            if !hit {
                return false;
            }
        }
        any(&self.months, i64::from(c.month)) && any(&self.weekdays, i64::from(c.weekday)) && any(&self.years, c.year)
    }

    /// Reads one entry, reporting what upstream refuses.
    pub(super) fn load(at: &Tree, cx: &mut Loader) -> TimeInterval {
        let mut ti = TimeInterval::default();
        let SourceNode::Map(entries) = &at.value else {
            if !matches!(at.value, SourceNode::Null) {
                cx.err(at, format!("a time interval must be a mapping, not {}", at.value.kind()));
            }
            return ti;
        };
        for (k, v) in entries {
            match k.value.as_str() {
                "times" => ti.times = Some(cx.list(v, "times").iter().filter_map(|r| time_range(r, cx)).collect()),
                "weekdays" => ti.weekdays = Some(ranges(v, cx, "weekdays", weekday())),
                "days_of_month" => ti.days_of_month = Some(ranges(v, cx, "days_of_month", day_of_month())),
                "months" => ti.months = Some(ranges(v, cx, "months", month())),
                "years" => ti.years = Some(ranges(v, cx, "years", year())),
                "location" => match v.value.as_str() {
                    Some(name) => match cx.zone(&name) {
                        Ok(zone) => ti.location = Some(zone),
                        Err(e) => cx.err_help(
                            v,
                            e,
                            "an IANA zone name of the system's time zone database (`Europe/Berlin`), `UTC` or `Local`",
                        ),
                    },
                    None => cx.err(v, "`location` must be a time zone name"),
                },
                other => cx.unknown(k, other, FIELDS, "timeinterval.TimeInterval"),
            }
        }
        ti
    }
}

/// What Alertmanager refuses in one entry of a named time interval's `time_intervals`, where it
/// is; for `check`, which reports them as its findings.
pub fn refusals(at: &Tree) -> Vec<crate::diag::Diagnostic> {
    let mut cx = Loader::new(std::path::Path::new(""), "");
    TimeInterval::load(at, &mut cx);
    cx.finish().err().map(|d| d.0).unwrap_or_default()
}

fn time_range(at: &Tree, cx: &mut Loader) -> Option<(u32, u32)> {
    let SourceNode::Map(entries) = &at.value else {
        cx.err(at, "a time range must be a mapping with `start_time` and `end_time`");
        return None;
    };
    for (k, _) in entries {
        if k.value != "start_time" && k.value != "end_time" {
            cx.unknown(k, &k.value, &["start_time", "end_time"], "timeinterval.TimeRange");
        }
    }
    let (start, end) = (at.value.text("start_time"), at.value.text("end_time"));
    if start.is_empty() || end.is_empty() {
        cx.err(at, "both start and end times must be provided");
        return None;
    }
    let minutes = |s: &str| -> Option<u32> {
        let (h, m) = s.split_once(':')?;
        let ok = h.len() == 2 && m.len() == 2 && h.bytes().chain(m.bytes()).all(|c| c.is_ascii_digit());
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (ok && (h < 24 && m < 60 || h == 24 && m == 0)).then_some(h * 60 + m)
    };
    let mut parsed = [0; 2];
    for (i, (key, text)) in [("start_time", &start), ("end_time", &end)].into_iter().enumerate() {
        match minutes(text) {
            Some(m) => parsed[i] = m,
            None => {
                let place = at.value.get(key).unwrap_or(at);
                cx.err_help(
                    place,
                    format!("couldn't parse timestamp {text}, invalid format"),
                    "`HH:MM`, 00:00 to 24:00",
                );
                return None;
            }
        }
    }
    if parsed[0] >= parsed[1] {
        cx.err(at, "start time cannot be equal or greater than end time");
        return None;
    }
    Some((parsed[0], parsed[1]))
}

type Member = fn(&str) -> Result<i64, String>;
type Check = fn(&str, i64, i64) -> Result<(), String>;

fn ranges(at: &Tree, cx: &mut Loader, what: &str, (member, check): (Member, Check)) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for item in cx.list(at, what) {
        let Some(raw) = item.value.as_str() else {
            cx.err(item, format!("`{what}` entries must be strings"));
            continue;
        };
        let text = raw.to_lowercase();
        let parsed = match text.split_once(':') {
            Some((b, e)) if !e.contains(':') => member(b).and_then(|b| Ok((b, member(e)?))),
            Some(_) => Err(format!("couldn't parse range {text}, invalid format")),
            None => member(&text).map(|v| (v, v)),
        };
        match parsed.and_then(|(b, e)| check(&raw, b, e).map(|()| (b, e))) {
            Ok(r) => out.push(r),
            Err(e) => cx.err(item, e),
        }
    }
    out
}

fn int(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("strconv.Atoi: parsing {s:?}: invalid syntax"));
    }
    s.parse().map_err(|_| format!("strconv.Atoi: parsing {s:?}: value out of range"))
}

fn weekday() -> (Member, Check) {
    (
        |s| {
            WEEKDAYS.iter().position(|d| *d == s).map(|i| i as i64).ok_or_else(|| format!("{s} is not a valid weekday"))
        },
        |_, b, e| if b > e { Err("start day cannot be before end day".into()) } else { Ok(()) },
    )
}

fn month() -> (Member, Check) {
    (
        |s| match MONTHS.iter().position(|m| *m == s) {
            Some(i) => Ok(i as i64 + 1),
            None => int(s).map_err(|_| format!("{s} is not a valid month")),
        },
        |_, b, e| {
            if b > e {
                let name = |n: i64| MONTHS.get((n - 1) as usize).copied().unwrap_or("").to_owned();
                Err(format!("end month {} is before start month {}", name(e), name(b)))
            } else {
                Ok(())
            }
        },
    )
}

fn year() -> (Member, Check) {
    (int, |_, b, e| if b > e { Err(format!("end year {e} is before start year {b}")) } else { Ok(()) })
}

fn day_of_month() -> (Member, Check) {
    (int, |_, b, e| {
        for d in [b, e] {
            if d == 0 || !(-31..=31).contains(&d) {
                return Err(format!("{d} is not a valid day of the month: out of range"));
            }
        }
        if b < 0 && e > 0 {
            return Err("end day must be negative if start day is negative".into());
        }
        let (cb, ce) = (if b < 0 { 28 + b } else { b }, if e < 0 { 28 + e } else { e });
        if cb > ce {
            return Err(format!("end day {e} is always before start day {b}"));
        }
        Ok(())
    })
}

#[cfg(test)]
mod unit {
    use super::*;
    use crate::routing::config::Loader;

    fn interval(yaml: &str) -> Result<TimeInterval, String> {
        let tree = crate::check::node::parse(yaml).unwrap();
        let mut cx = Loader::new(std::path::Path::new("t.yml"), yaml);
        let ti = TimeInterval::load(&tree, &mut cx);
        cx.finish().map(|()| ti).map_err(|e| e.to_string())
    }

    fn at(s: &str) -> Instant {
        Instant::parse(s).unwrap()
    }

    #[test]
    fn fields_and_ranges() {
        let ti = interval("times: [{start_time: '17:00', end_time: '24:00'}]\nweekdays: ['Monday:friday']\n").unwrap();
        assert!(ti.contains(at("2026-11-25T23:59:00Z")));
        assert!(!ti.contains(at("2026-11-25T16:59:00Z")));
        assert!(!ti.contains(at("2026-11-28T18:00:00Z")), "a Saturday");
        let last = interval("days_of_month: ['-1']\nmonths: ['february', '12']\nyears: ['2024:2030']").unwrap();
        assert!(last.contains(at("2028-02-29T10:00:00Z")));
        assert!(!last.contains(at("2028-02-28T10:00:00Z")));
        assert!(last.contains(at("2026-12-31T10:00:00Z")));
        assert!(!last.contains(at("2031-12-31T10:00:00Z")));
        let in_tz = interval("times: [{start_time: '09:00', end_time: '17:00'}]\nlocation: Asia/Tokyo").unwrap();
        if in_tz.location.as_ref().is_some_and(|z| z.name == "Asia/Tokyo") {
            assert!(in_tz.contains(at("2026-11-25T01:00:00Z")));
            assert!(!in_tz.contains(at("2026-11-25T09:00:00Z")));
        }
    }

    #[test]
    fn days_of_month_count_as_upstream_across_clock_changes() {
        let last = interval("days_of_month: ['-1']\nlocation: Europe/Berlin").unwrap();
        if last.location.as_ref().is_none_or(|z| z.name != "Europe/Berlin") {
            return;
        }
        // March has 31 days, but from local midnight to local midnight it is 743 hours, which
        // Alertmanager divides by 24 and truncates: its "last day" of March is the 30th.
        assert!(last.contains(at("2026-03-30T12:00:00Z")));
        assert!(!last.contains(at("2026-03-31T12:00:00Z")));
        // October gains an hour: 745 hours, 31 days.
        assert!(last.contains(at("2026-10-31T12:00:00Z")));
        assert!(last.contains(at("2026-11-30T12:00:00Z")));
    }

    #[test]
    fn refused_as_upstream() {
        for (yaml, message) in [
            (
                "times: [{start_time: '17:00', end_time: '09:00'}]",
                "start time cannot be equal or greater than end time",
            ),
            ("times: [{start_time: '24:01', end_time: '24:00'}]", "couldn't parse timestamp 24:01"),
            ("times: [{start_time: '9:00', end_time: '10:00'}]", "couldn't parse timestamp 9:00"),
            ("weekdays: ['friday:monday']", "start day cannot be before end day"),
            ("weekdays: ['funday']", "funday is not a valid weekday"),
            ("days_of_month: ['0']", "0 is not a valid day of the month"),
            ("days_of_month: ['-3:5']", "end day must be negative if start day is negative"),
            ("days_of_month: ['10:2']", "end day 2 is always before start day 10"),
            ("months: ['march:january']", "end month january is before start month march"),
            ("years: ['2030:2020']", "end year 2020 is before start year 2030"),
            ("location: Nowhere/Atlantis", "unknown time zone Nowhere/Atlantis"),
            ("hours: ['1']", "field hours not found"),
        ] {
            let err = interval(yaml).unwrap_err();
            assert!(err.contains(message), "{yaml}: {err}");
            assert!(err.starts_with("t.yml:1:"), "{err}");
        }
    }
}
