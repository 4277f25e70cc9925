//! Instants: RFC 3339 text in, and the wall-clock fields a time interval reads in a zone.

use super::tz::Zone;
use crate::syntax::date::{civil_from_days, days_from_civil};

/// A point in time, Unix seconds (sub-second parts do not matter to time intervals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant(pub i64);

/// Local wall-clock fields of an instant in a zone, as Go's `time.Time` accessors give them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    /// Year.
    pub year: i64,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31.
    pub day: u32,
    /// Minutes since local midnight, 0–1439.
    pub minute_of_day: u32,
    /// 0 = Sunday … 6 = Saturday.
    pub weekday: u32,
}

const EXAMPLE: &str = "expected an RFC 3339 instant such as `2026-11-25T03:00:00Z` or `2026-11-25T04:00:00+01:00`";

impl Instant {
    /// Parses RFC 3339 (`2026-11-25T03:00:00Z`, `…T03:00:00.5+01:00`); `Err` says what is expected.
    pub fn parse(text: &str) -> Result<Instant, String> {
        let bad = || format!("`{text}` is not a valid instant: {EXAMPLE}");
        let b = text.as_bytes();
        let digits = |from: usize, n: usize| -> Option<i64> {
            let s = b.get(from..from + n)?;
            s.iter().all(u8::is_ascii_digit).then(|| s.iter().fold(0, |a, &c| a * 10 + i64::from(c - b'0')))
        };
        let sep = |at: usize, set: &[u8]| b.get(at).is_some_and(|c| set.contains(c));
        if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
            return Err(bad());
        }
        let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) =
            (digits(0, 4), digits(5, 2), digits(8, 2), digits(11, 2), digits(14, 2), digits(17, 2))
        else {
            return Err(bad());
        };
        let mut at = 19;
        if sep(at, b".") {
            at += 1;
            let start = at;
            while b.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            if at == start {
                return Err(bad());
            }
        }
        let offset = match b.get(at) {
            Some(b'Z' | b'z') if at + 1 == b.len() => 0,
            Some(&s @ (b'+' | b'-')) if at + 6 == b.len() && sep(at + 3, b":") => {
                let (Some(h), Some(m)) = (digits(at + 1, 2), digits(at + 4, 2)) else { return Err(bad()) };
                if h > 23 || m > 59 {
                    return Err(format!("`{text}` has an out-of-range time zone offset: {EXAMPLE}"));
                }
                (h * 3600 + m * 60) * if s == b'-' { -1 } else { 1 }
            }
            _ => return Err(bad()),
        };
        let month_u = u32::try_from(month).unwrap_or(0);
        let in_month = days_in_month(year, month_u);
        if !(1..=12).contains(&month) || day < 1 || day > in_month || hour > 23 || minute > 59 || second > 59 {
            return Err(format!("`{text}` is out of range (month, day, hour, minute or second): {EXAMPLE}"));
        }
        let days = days_from_civil(year, month_u, day as u32);
        Ok(Instant(days * 86_400 + hour * 3600 + minute * 60 + second - offset))
    }

    /// The wall-clock fields of this instant in `zone`.
    pub fn civil(self, zone: &Zone) -> Civil {
        let local = self.0 + i64::from(zone.offset_at(self.0));
        let days = local.div_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            minute_of_day: (local.rem_euclid(86_400) / 60) as u32,
            weekday: (days + 4).rem_euclid(7) as u32,
        }
    }

    /// Formats as RFC 3339 in UTC.
    pub fn rfc3339(self) -> String {
        let c = self.civil(&Zone::utc());
        let s = self.0.rem_euclid(60);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            c.year,
            c.month,
            c.day,
            c.minute_of_day / 60,
            c.minute_of_day % 60,
            s
        )
    }

    /// Now, from the system clock.
    pub fn now() -> Instant {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Instant(i64::try_from(since.as_secs()).unwrap_or(i64::MAX))
    }
}

/// Days of `month` in `year` on the calendar.
fn days_in_month(year: i64, month: u32) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days of the month `c` is in, as Alertmanager computes it: the hours from local midnight of
/// the 1st to local midnight of the next month's 1st, divided by 24 and truncated. A month in
/// which clocks spring forward so counts one day less; upstream's `days_of_month` does too.
pub fn days_in_month_as_upstream(c: &Civil, zone: &Zone) -> i64 {
    let start = days_from_civil(c.year, c.month, 1) * 86_400;
    let end = if c.month == 12 { days_from_civil(c.year + 1, 1, 1) } else { days_from_civil(c.year, c.month + 1, 1) }
        * 86_400;
    (zone.from_local(end) - zone.from_local(start)) / 86_400
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn rfc3339() {
        assert_eq!(Instant::parse("1970-01-01T00:00:00Z"), Ok(Instant(0)));
        assert_eq!(Instant::parse("2026-11-25T04:00:00.250+01:00"), Ok(Instant(1_795_575_600)));
        assert_eq!(Instant::parse("2026-11-25t03:00:00z"), Ok(Instant(1_795_575_600)));
        for bad in [
            "2026-11-25",
            "2026-11-25T03:00Z",
            "2026-02-30T00:00:00Z",
            "2026-11-25T24:00:00Z",
            "tomorrow",
            "2026-11-25T03:00:00+0100",
            "2026-11-25T03:00:00Zjunk",
            "",
        ] {
            assert!(Instant::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Instant(1_795_575_600).rfc3339(), "2026-11-25T03:00:00Z");
    }

    #[test]
    fn civil_fields() {
        let c = Instant(1_795_575_600).civil(&Zone::utc());
        assert_eq!(c, Civil { year: 2026, month: 11, day: 25, minute_of_day: 180, weekday: 3 });
        assert_eq!(days_in_month_as_upstream(&c, &Zone::utc()), 30);
    }
}
