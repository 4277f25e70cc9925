//! Duration arithmetic (`[26m+4m]`, `[1h/2:5s*2]`, `offset (2 * 2)`), which Prometheus 3.5 accepts
//! and promql-parser 0.11 does not: such ranges, steps and offsets are computed here and written
//! back as plain millisecond durations before the query is parsed.

/// Rewrites computed durations in `query` as plain ones; text without any is returned unchanged.
pub fn expand(query: &str) -> Result<String, String> {
    let b = query.as_bytes();
    let mut out = String::with_capacity(query.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'' | b'`') => {
                let end = skip_string(b, i, q);
                out.push_str(&query[i..end]);
                i = end;
            }
            b'[' => {
                let Some(close) = query[i..].find(']').map(|n| i + n) else {
                    out.push_str(&query[i..]);
                    break;
                };
                out.push('[');
                let inner = &query[i + 1..close];
                let parts: Vec<&str> = inner.splitn(2, ':').collect();
                for (k, part) in parts.iter().enumerate() {
                    if k > 0 {
                        out.push(':');
                    }
                    out.push_str(&rewrite(part)?);
                }
                out.push(']');
                i = close + 1;
            }
            b'o' if word_at(query, i, "offset") => {
                out.push_str("offset");
                i += "offset".len();
                let rest = &query[i..];
                let trimmed = rest.trim_start();
                let (neg, after_sign) = match trimmed.strip_prefix('-') {
                    Some(r) if r.trim_start().starts_with('(') => (true, r.trim_start()),
                    _ => (false, trimmed),
                };
                if !after_sign.starts_with('(') {
                    continue;
                }
                let close = matching_paren(after_sign).ok_or("unbalanced parentheses after offset")?;
                let secs = eval(&after_sign[..=close])?;
                let ms = (if neg { -secs } else { secs } * 1000.0).round();
                out.push_str(&format!(" {}ms", ms as i64));
                i = query.len() - after_sign.len() + close + 1;
            }
            _ => {
                let c = query[i..].chars().next().unwrap_or(' ');
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    Ok(out)
}

fn word_at(s: &str, i: usize, word: &str) -> bool {
    let b = s.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b':';
    s[i..].starts_with(word) && (i == 0 || !ident(b[i - 1])) && b.get(i + word.len()).is_none_or(|&c| !ident(c))
}

fn skip_string(b: &[u8], start: usize, q: u8) -> usize {
    let mut j = start + 1;
    while j < b.len() {
        if b[j] == b'\\' && q != b'`' {
            j += 2;
            continue;
        }
        if b[j] == q {
            return j + 1;
        }
        j += 1;
    }
    b.len()
}

fn matching_paren(s: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// A range or step: kept as written when it is a plain duration or number, computed otherwise.
fn rewrite(part: &str) -> Result<String, String> {
    let t = part.trim();
    if t.is_empty() || t.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
        return Ok(part.to_string());
    }
    let secs = eval(t)?;
    if secs < 0.0 || !secs.is_finite() {
        return Err(format!("duration must be greater than 0, got {t}"));
    }
    Ok(format!("{}ms", (secs * 1000.0).round() as i64))
}

/// Evaluates a duration expression to seconds.
fn eval(s: &str) -> Result<f64, String> {
    let mut p = Parser { s: s.as_bytes(), i: 0 };
    let v = p.sum()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("unexpected {:?} in duration expression {s:?}", &s[p.i..]));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn sum(&mut self) -> Result<f64, String> {
        let mut v = self.product()?;
        loop {
            if self.eat(b'+') {
                v += self.product()?;
            } else if self.eat(b'-') {
                v -= self.product()?;
            } else {
                return Ok(v);
            }
        }
    }

    fn product(&mut self) -> Result<f64, String> {
        let mut v = self.unary()?;
        loop {
            if self.eat(b'*') {
                v *= self.unary()?;
            } else if self.eat(b'/') {
                v /= self.unary()?;
            } else if self.eat(b'%') {
                v %= self.unary()?;
            } else {
                return Ok(v);
            }
        }
    }

    // Unary minus binds looser than `^`, as in PromQL: -2^2 is -4.
    fn unary(&mut self) -> Result<f64, String> {
        if self.eat(b'-') {
            return Ok(-self.unary()?);
        }
        if self.eat(b'+') {
            return self.unary();
        }
        self.power()
    }

    fn power(&mut self) -> Result<f64, String> {
        let base = self.atom()?;
        if self.eat(b'^') {
            return Ok(base.powf(self.unary()?));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<f64, String> {
        if self.eat(b'(') {
            let v = self.sum()?;
            if !self.eat(b')') {
                return Err("missing ')' in duration expression".into());
            }
            return Ok(v);
        }
        self.ws();
        let start = self.i;
        while self.i < self.s.len() && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'.') {
            self.i += 1;
        }
        let tok = std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default();
        if tok.is_empty() {
            return Err("expected a number or duration".into());
        }
        if let Ok(n) = tok.parse::<f64>() {
            return Ok(n);
        }
        parse_duration(tok).map(|ms| ms as f64 / 1000.0)
    }
}

/// Parses a Prometheus duration such as `1h30m` or `500ms` to milliseconds; "0" is allowed.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    if s == "0" {
        return Ok(0);
    }
    let units: [(&str, i64); 8] = [
        ("ms", 1),
        ("s", 1000),
        ("m", 60_000),
        ("h", 3_600_000),
        ("d", 86_400_000),
        ("w", 604_800_000),
        ("y", 31_536_000_000),
        ("", 0),
    ];
    let mut rest = s;
    let mut total: i64 = 0;
    // Units must come largest first, each at most once.
    let mut last = usize::MAX;
    if rest.is_empty() {
        return Err("empty duration string".into());
    }
    while !rest.is_empty() {
        let n = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if n == 0 {
            return Err(format!("not a valid duration string: {s:?}"));
        }
        let value: i64 = rest[..n].parse().map_err(|_| format!("not a valid duration string: {s:?}"))?;
        rest = &rest[n..];
        // "ms" is listed before "m" so that it is tried first.
        let Some((k, (unit, mult))) = units.iter().enumerate().find(|(_, (u, _))| !u.is_empty() && rest.starts_with(u))
        else {
            return Err(format!("not a valid duration string: {s:?}"));
        };
        if k >= last {
            return Err(format!("not a valid duration string: {s:?}"));
        }
        last = k;
        rest = &rest[unit.len()..];
        total = value.checked_mul(*mult).and_then(|v| total.checked_add(v)).ok_or("duration out of range")?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
        assert_eq!(parse_duration("500ms"), Ok(500));
        assert_eq!(parse_duration("0"), Ok(0));
        assert!(parse_duration("30m1h").is_err());
        assert!(parse_duration("5").is_err());
    }

    #[test]
    fn arithmetic_is_rewritten() {
        assert_eq!(expand("changes(m[26m+4m])").unwrap(), "changes(m[1800000ms])");
        assert_eq!(expand("m[30m1s-30m1s % 1m]").unwrap(), "m[1800000ms]");
        assert_eq!(expand("m[29s+1s:5s+5s]").unwrap(), "m[30000ms:10000ms]");
        assert_eq!(expand("m offset (-2 ^ 2)").unwrap(), "m offset -4000ms");
        assert_eq!(expand("m offset -(2 * 2)").unwrap(), "m offset -4000ms");
        assert_eq!(expand("m offset 100 + 2").unwrap(), "m offset 100 + 2");
        assert_eq!(expand(r#"m{a=~"[x+y]"}[5m]"#).unwrap(), r#"m{a=~"[x+y]"}[5m]"#);
    }
}
