//! `time.Time` and `time.Duration` as templates see them: printed as Go prints them, with the
//! methods notification templates call (`.Format`, `.Unix`, `.UTC`, …).

use std::rc::Rc;

use super::value::{Object, Value};

/// A Go `time.Time`: an instant and the fixed offset (with its zone name) it is shown in.
#[derive(Debug, Clone, PartialEq)]
pub struct Time {
    /// Seconds since the Unix epoch.
    pub secs: i64,
    /// Nanoseconds within the second (0..1e9).
    pub nanos: u32,
    /// Offset east of UTC in seconds.
    pub offset: i32,
    /// Zone abbreviation (`UTC`).
    pub zone: String,
}

impl Time {
    /// The instant `seconds` (fractional) after the epoch, in UTC.
    pub fn from_unix_f64(seconds: f64) -> Self {
        let nanos_total = (seconds * 1e9).round() as i128;
        Self::from_unix_nanos(nanos_total)
    }

    /// The instant `nanos` after the epoch, in UTC.
    pub fn from_unix_nanos(nanos: i128) -> Self {
        let secs = nanos.div_euclid(1_000_000_000) as i64;
        let nanos = nanos.rem_euclid(1_000_000_000) as u32;
        Time { secs, nanos, offset: 0, zone: "UTC".into() }
    }

    /// As a template value.
    pub fn value(self) -> Value {
        Value::Object(Rc::new(self))
    }

    fn civil(&self) -> (i64, u32, u32, u32, u32, u32, u32) {
        let local = self.secs + i64::from(self.offset);
        let days = local.div_euclid(86_400);
        let rem = local.rem_euclid(86_400);
        let (y, m, d) = crate::syntax::date::civil_from_days(days);
        let weekday = (days + 4).rem_euclid(7) as u32; // 1970-01-01 was a Thursday
        (y, m, d, (rem / 3600) as u32, (rem % 3600 / 60) as u32, (rem % 60) as u32, weekday)
    }

    fn offset_text(&self, colon: bool, z: bool) -> String {
        if z && self.offset == 0 {
            return "Z".into();
        }
        let sign = if self.offset < 0 { '-' } else { '+' };
        let o = self.offset.unsigned_abs();
        if colon {
            format!("{sign}{:02}:{:02}", o / 3600, o % 3600 / 60)
        } else {
            format!("{sign}{:02}{:02}", o / 3600, o % 3600 / 60)
        }
    }

    /// Go's `Time.Format` for the layout elements templates use.
    pub fn format(&self, layout: &str) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
        let (y, mo, d, h, mi, s, wd) = self.civil();
        let mut out = String::new();
        let mut rest = layout;
        while !rest.is_empty() {
            let fraction = |r: &str| -> Option<(usize, bool)> {
                let b = r.as_bytes();
                if b.len() >= 2 && matches!(b[0], b'.' | b',') && matches!(b[1], b'0' | b'9') {
                    let n = b[1..].iter().take_while(|&&c| c == b[1]).count();
                    let after = b.get(n + 1);
                    if !after.is_some_and(u8::is_ascii_digit) {
                        return Some((n, b[1] == b'9'));
                    }
                }
                None
            };
            if let Some((n, trim)) = fraction(rest) {
                let digits = format!("{:09}", self.nanos);
                let mut part = digits[..n.min(9)].to_owned();
                if trim {
                    while part.ends_with('0') {
                        part.pop();
                    }
                }
                if !part.is_empty() {
                    out.push('.');
                    out.push_str(&part);
                }
                rest = &rest[n + 1..];
                continue;
            }
            let tokens: &[(&str, String)] = &[
                ("January", MONTHS[mo as usize - 1].into()),
                ("Jan", MONTHS[mo as usize - 1][..3].into()),
                ("Monday", DAYS[wd as usize].into()),
                ("Mon", DAYS[wd as usize][..3].into()),
                ("MST", self.zone.clone()),
                ("2006", format!("{y:04}")),
                ("Z07:00", self.offset_text(true, true)),
                ("Z0700", self.offset_text(false, true)),
                ("-07:00", self.offset_text(true, false)),
                ("-0700", self.offset_text(false, false)),
                ("01", format!("{mo:02}")),
                ("02", format!("{d:02}")),
                ("_2", format!("{d:>2}")),
                ("15", format!("{h:02}")),
                ("03", format!("{:02}", if h % 12 == 0 { 12 } else { h % 12 })),
                ("04", format!("{mi:02}")),
                ("05", format!("{s:02}")),
                ("06", format!("{:02}", y.rem_euclid(100))),
                ("PM", if h >= 12 { "PM" } else { "AM" }.into()),
                ("pm", if h >= 12 { "pm" } else { "am" }.into()),
                ("1", mo.to_string()),
                ("2", d.to_string()),
                ("3", (if h % 12 == 0 { 12 } else { h % 12 }).to_string()),
                ("4", mi.to_string()),
                ("5", s.to_string()),
            ];
            match tokens.iter().find(|(t, _)| rest.starts_with(t)) {
                Some((t, v)) => {
                    out.push_str(v);
                    rest = &rest[t.len()..];
                }
                None => {
                    let c = rest.chars().next().unwrap_or(' ');
                    out.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        out
    }
}

impl Object for Time {
    fn type_name(&self) -> &str {
        "time.Time"
    }

    /// `MarshalJSON`: RFC 3339 with nanoseconds.
    fn json(&self) -> Option<Result<String, String>> {
        Some(Ok(super::html::json_string(&self.format("2006-01-02T15:04:05.999999999Z07:00"))))
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        Some(Ok(match (name, args) {
            ("Format", [Value::Str(layout)]) => Value::from(self.format(layout)),
            ("Unix", []) => Value::Int(self.secs),
            ("UnixMilli", []) => {
                Value::Int(self.secs.saturating_mul(1000).saturating_add(i64::from(self.nanos / 1_000_000)))
            }
            ("UnixNano", []) => {
                Value::Int(self.secs.saturating_mul(1_000_000_000).saturating_add(i64::from(self.nanos)))
            }
            ("UTC", []) => Time { offset: 0, zone: "UTC".into(), ..self.clone() }.value(),
            ("String", []) => Value::from(self.print()),
            ("IsZero", []) => Value::Bool(self.secs == -62_135_596_800 && self.nanos == 0),
            ("Format" | "Unix" | "UnixMilli" | "UnixNano" | "UTC" | "String" | "IsZero", _) => {
                return Some(Err(format!("wrong number or type of args for {name}")))
            }
            _ => return None,
        }))
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    /// `2006-01-02 15:04:05.999999999 -0700 MST`.
    fn print(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }
}

/// A Go `time.Duration`, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration(pub i64);

impl Duration {
    /// As a template value.
    pub fn value(self) -> Value {
        Value::Object(Rc::new(self))
    }

    /// Go's `Duration.String`: `1h2m3.5s`, `1.5ms`, `0s`.
    pub fn string(self) -> String {
        let neg = self.0 < 0;
        let u = self.0.unsigned_abs();
        let sign = if neg { "-" } else { "" };
        if u < 1_000_000_000 {
            let (unit, scale) = match u {
                0 => return "0s".into(),
                1..=999 => ("ns", 1),
                1_000..=999_999 => ("µs", 1_000),
                _ => ("ms", 1_000_000),
            };
            return format!("{sign}{}{unit}", fraction(u, scale));
        }
        let secs = u / 1_000_000_000;
        let mut out = String::from(sign);
        if secs >= 3600 {
            out.push_str(&format!("{}h", secs / 3600));
        }
        if secs >= 60 {
            out.push_str(&format!("{}m", secs / 60 % 60));
        }
        out.push_str(&format!("{}s", fraction(u % 60_000_000_000, 1_000_000_000)));
        out
    }
}

/// `v / scale` with the fraction's trailing zeros dropped.
fn fraction(v: u64, scale: u64) -> String {
    let (whole, frac) = (v / scale, v % scale);
    if frac == 0 {
        return whole.to_string();
    }
    let width = scale.to_string().len() - 1;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

impl Object for Duration {
    fn type_name(&self) -> &str {
        "time.Duration"
    }

    fn call(&self, name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        Some(Ok(match name {
            "Seconds" => Value::Float(self.0 as f64 / 1e9),
            "Minutes" => Value::Float(self.0 as f64 / 6e10),
            "Hours" => Value::Float(self.0 as f64 / 3.6e12),
            "Milliseconds" => Value::Int(self.0 / 1_000_000),
            "String" => Value::from(self.string()),
            _ => return None,
        }))
    }

    fn print(&self) -> String {
        self.string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_durations_print_as_go() {
        let t = Time::from_unix_f64(1_435_065_584.128);
        assert_eq!(t.print(), "2015-06-23 13:19:44.128 +0000 UTC");
        assert_eq!(t.format("2006-01-02T15:04:05Z07:00"), "2015-06-23T13:19:44Z");
        assert_eq!(t.format("Mon Jan _2 3:04PM"), "Tue Jun 23 1:19PM");
        assert_eq!(Time::from_unix_f64(0.0).print(), "1970-01-01 00:00:00 +0000 UTC");
        for (ns, go) in [
            (0, "0s"),
            (1_500_000, "1.5ms"),
            (90_000_000_000, "1m30s"),
            (3_723_500_000_000, "1h2m3.5s"),
            (-2_000, "-2µs"),
        ] {
            assert_eq!(Duration(ns).string(), go);
        }
    }
}
