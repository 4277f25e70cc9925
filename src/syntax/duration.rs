//! Prometheus durations (`1h30m`, `15s`, `500ms`, `0`), as `model.ParseDuration` reads them.

use std::fmt;

/// A Prometheus duration (`1h30m`, `15s`, `500ms`, `0`), kept with its original spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duration {
    millis: u64,
    text: String,
}

impl Duration {
    /// Length in milliseconds.
    pub fn millis(&self) -> u64 {
        self.millis
    }

    fn parse(s: &str) -> Result<Self, String> {
        let bad = || {
            format!("invalid duration `{s}`: expected a Prometheus duration such as `30s`, `5m` or `1h30m` (units y, w, d, h, m, s, ms, largest first)")
        };
        if s == "0" {
            return Ok(Duration { millis: 0, text: s.to_owned() });
        }
        const UNITS: [(&str, u64); 7] = [
            ("y", 365 * 86_400_000),
            ("w", 7 * 86_400_000),
            ("d", 86_400_000),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1_000),
            ("ms", 1),
        ];
        let mut rest = s;
        let mut next_unit = 0;
        let mut millis: u64 = 0;
        if rest.is_empty() {
            return Err(bad());
        }
        while !rest.is_empty() {
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            if digits == 0 {
                return Err(bad());
            }
            let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
            rest = &rest[digits..];
            let letters = rest.chars().take_while(char::is_ascii_alphabetic).count();
            let unit = &rest[..letters];
            rest = &rest[letters..];
            let idx = UNITS[next_unit..].iter().position(|(u, _)| *u == unit).ok_or_else(bad)? + next_unit;
            next_unit = idx + 1;
            millis = n.checked_mul(UNITS[idx].1).and_then(|v| millis.checked_add(v)).ok_or_else(bad)?;
        }
        Ok(Duration { millis, text: s.to_owned() })
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
super::string_value!(Duration, Duration::parse, "a Prometheus duration such as `30s`");

#[cfg(test)]
mod tests {
    use super::Duration;

    #[test]
    fn durations_follow_prometheus_syntax() {
        assert_eq!("1h30m".parse::<Duration>().unwrap().millis(), 5_400_000);
        assert_eq!("0".parse::<Duration>().unwrap().millis(), 0);
        assert_eq!("500ms".parse::<Duration>().unwrap().millis(), 500);
        assert_eq!("1d2h".parse::<Duration>().unwrap().millis(), 93_600_000);
        for bad in ["", "15", "15x", "1m1h", "1h1h", "s", "1.5s", "-1s", "99999999999999999999y"] {
            assert!(bad.parse::<Duration>().is_err(), "{bad} should be rejected");
        }
    }
}
