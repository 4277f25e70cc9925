//! Prometheus' number and duration formatting for templates (`humanize*` in
//! `template/template.go`, prometheus/prometheus v3.5.0), and Go's `strings.Title`.

use super::value::format_g;

pub(crate) fn g4(v: f64) -> String {
    format_g(v, Some(4))
}

/// `humanize`: metric prefixes, 4 significant digits.
pub fn humanize(mut v: f64) -> String {
    if v == 0.0 || v.is_nan() || v.is_infinite() {
        return g4(v);
    }
    let mut prefix = "";
    if v.abs() >= 1.0 {
        for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
            if v.abs() < 1000.0 {
                break;
            }
            prefix = p;
            v /= 1000.0;
        }
    } else {
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if v.abs() >= 1.0 {
                break;
            }
            prefix = p;
            v *= 1000.0;
        }
    }
    format!("{}{prefix}", g4(v))
}

/// `humanize1024`: binary prefixes.
pub fn humanize1024(mut v: f64) -> String {
    if v.abs() <= 1.0 || v.is_nan() || v.is_infinite() {
        return g4(v);
    }
    let mut prefix = "";
    for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
        if v.abs() < 1024.0 {
            break;
        }
        prefix = p;
        v /= 1024.0;
    }
    format!("{}{prefix}", g4(v))
}

/// `humanizeDuration`: seconds as `1d 2h 3m 4s`, or with a sub-second prefix.
pub fn humanize_duration(mut v: f64) -> String {
    if v.is_nan() || v.is_infinite() {
        return g4(v);
    }
    if v == 0.0 {
        return format!("{}s", g4(v));
    }
    if v.abs() >= 1.0 {
        let sign = if v < 0.0 { "-" } else { "" };
        v = v.abs();
        let whole = v as i64;
        let (seconds, minutes, hours, days) = (whole % 60, whole / 60 % 60, whole / 3600 % 24, whole / 86_400);
        if days != 0 {
            return format!("{sign}{days}d {hours}h {minutes}m {seconds}s");
        }
        if hours != 0 {
            return format!("{sign}{hours}h {minutes}m {seconds}s");
        }
        if minutes != 0 {
            return format!("{sign}{minutes}m {seconds}s");
        }
        return format!("{sign}{}s", g4(v));
    }
    let mut prefix = "";
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
        if v.abs() >= 1.0 {
            break;
        }
        prefix = p;
        v *= 1000.0;
    }
    format!("{}{prefix}s", g4(v))
}

/// Go's `strings.Title`: the first letter of each word upper-cased, the rest kept.
pub fn go_title(s: &str) -> String {
    let mut prev_sep = true;
    s.chars()
        .map(|c| {
            let out = if prev_sep { c.to_uppercase().next().unwrap_or(c) } else { c };
            prev_sep = if c.is_ascii() { !(c.is_ascii_alphanumeric() || c == '_') } else { c.is_whitespace() };
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn humanize_formats_as_prometheus() {
        // Rows of Prometheus' template_test.go (prometheus/prometheus v3.5.0, template/).
        for (v, want) in
            [(0.0, "0"), (1234567.0, "1.235M"), (12.0, "12"), (0.0012, "1.2m"), (-1e-9, "-1n"), (f64::INFINITY, "+Inf")]
        {
            assert_eq!(humanize(v), want, "{v}");
        }
        for (v, want) in [(0.0, "0"), (1024.0, "1ki"), (1048576.0, "1Mi"), (1.5, "1.5")] {
            assert_eq!(humanize1024(v), want, "{v}");
        }
        for (v, want) in [
            (0.0, "0s"),
            (1.0, "1s"),
            (60.0, "1m 0s"),
            (3600.0, "1h 0m 0s"),
            (86400.0, "1d 0h 0m 0s"),
            (90061.0, "1d 1h 1m 1s"),
            (0.1, "100ms"),
            (0.000_001, "1us"),
            (-60.0, "-1m 0s"),
        ] {
            assert_eq!(humanize_duration(v), want, "{v}");
        }
    }
}
