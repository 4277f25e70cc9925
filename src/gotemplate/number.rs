//! Numbers and quoted text as Go's template parser reads them (`newNumber`, and the parts of
//! `strconv` it leans on: `ParseInt`/`ParseUint` with base 0, `ParseFloat`, `UnquoteChar`,
//! `Unquote`).

/// A numeric constant, with every representation that holds it exactly (Go's `NumberNode`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Number {
    /// Whether it is an `int64` exactly, and its value.
    pub is_int: bool,
    /// Whether it is a `uint64` exactly.
    pub is_uint: bool,
    /// Whether it is a `float64` (every real constant is).
    pub is_float: bool,
    /// Whether it was written as a complex number (imaginary part, or `a+bi`).
    pub is_complex: bool,
    /// The `int64` value when `is_int`.
    pub int: i64,
    /// The `uint64` value when `is_uint`.
    pub uint: u64,
    /// The `float64` value when `is_float`.
    pub float: f64,
    /// Real and imaginary parts when `is_complex`; complex values are parsed, never computed with.
    pub complex: (f64, f64),
}

/// How the lexer classified a number's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    /// `'a'`, `'\n'`.
    Char,
    /// `1+2i`.
    Complex,
    /// Anything else: `73`, `0x_1p4`, `1e9`, `4i`.
    Plain,
}

/// Go's `newNumber`: `text` as the lexer gave it; the error is Go's message.
pub fn parse_number(text: &str, kind: NumberKind) -> Result<Number, String> {
    let mut n = Number::default();
    match kind {
        NumberKind::Char => {
            let inner = text.strip_prefix('\'').ok_or_else(|| "invalid syntax".to_owned())?;
            let (c, tail) = unquote_char(inner, '\'').ok_or_else(|| "invalid syntax".to_owned())?;
            if tail != "'" {
                return Err(format!("malformed character constant: {text}"));
            }
            let v = c as u32;
            return Ok(Number {
                is_int: true,
                is_uint: true,
                is_float: true,
                int: v.into(),
                uint: v.into(),
                float: v.into(),
                ..n
            });
        }
        NumberKind::Complex => {
            let (re, im) = parse_complex(text).ok_or_else(|| format!("expected integer: {text}"))?;
            n.is_complex = true;
            n.complex = (re, im);
            simplify_complex(&mut n);
            return Ok(n);
        }
        NumberKind::Plain => {}
    }
    if let Some(imag) = text.strip_suffix('i') {
        if let Some(f) = parse_float(imag) {
            n.is_complex = true;
            n.complex = (0.0, f);
            simplify_complex(&mut n);
            return Ok(n);
        }
    }
    let u = parse_uint(text);
    if let Some(u) = u {
        n.is_uint = true;
        n.uint = u;
    }
    if let Some(i) = parse_int(text) {
        n.is_int = true;
        n.int = i;
        if i == 0 {
            // `-0` is a uint too.
            n.is_uint = true;
            n.uint = 0;
        }
    }
    if n.is_int {
        n.is_float = true;
        n.float = n.int as f64;
    } else if n.is_uint {
        n.is_float = true;
        n.float = n.uint as f64;
    } else if let Some(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {text}"));
        }
        n.is_float = true;
        n.float = f;
        exact_ints(&mut n, f);
    }
    if !n.is_int && !n.is_uint && !n.is_float {
        return Err(format!("illegal number syntax: {}", super::lex::go_quote(text)));
    }
    Ok(n)
}

/// Sets the integer forms that hold `f` exactly.
fn exact_ints(n: &mut Number, f: f64) {
    if !n.is_int && f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        n.is_int = true;
        n.int = f as i64;
    }
    if !n.is_uint && f.fract() == 0.0 && (0.0..1.844_674_407_370_955_2e19).contains(&f) {
        n.is_uint = true;
        n.uint = f as u64;
    }
}

fn simplify_complex(n: &mut Number) {
    if n.complex.1 == 0.0 {
        n.is_float = true;
        n.float = n.complex.0;
        exact_ints(n, n.float);
    }
}

/// `re±imi`, as `fmt.Sscan` reads a complex128.
pub(crate) fn parse_complex(text: &str) -> Option<(f64, f64)> {
    let body = text.strip_suffix('i')?;
    let b = body.as_bytes();
    let split =
        (1..b.len()).rev().find(|&i| matches!(b[i], b'+' | b'-') && !matches!(b[i - 1], b'e' | b'E' | b'p' | b'P'))?;
    Some((parse_float(&body[..split])?, parse_float(&body[split..])?))
}

/// Go's `underscoreOK`: `_` only between digits or after a base prefix.
fn underscore_ok(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if s.len() >= 2 && s[0] == b'0' && matches!(s[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = s[1].eq_ignore_ascii_case(&b'x');
    }
    for &c in &s[i..] {
        if c.is_ascii_digit() || hex && c.is_ascii_hexdigit() {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
    }
    saw != b'_'
}

/// Go's `strconv.ParseUint(s, 0, 64)`.
pub(crate) fn parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let (base, digits) = if b[0] == b'0' && b.len() >= 2 {
        match b[1].to_ascii_lowercase() {
            b'x' => (16, &s[2..]),
            b'o' => (8, &s[2..]),
            b'b' => (2, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    if digits.is_empty() || !underscore_ok(s) {
        return None;
    }
    let mut v: u64 = 0;
    for c in digits.bytes() {
        if c == b'_' {
            continue;
        }
        let d = (c as char).to_digit(base)?;
        v = v.checked_mul(base.into())?.checked_add(d.into())?;
    }
    Some(v)
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
pub(crate) fn parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let u = parse_uint(body)?;
    if neg {
        if u > 1 << 63 {
            return None;
        }
        Some((u as i64).wrapping_neg())
    } else {
        i64::try_from(u).ok()
    }
}

/// Go's `strconv.ParseFloat(s, 64)` on template number syntax (decimal and hexadecimal
/// mantissas, `_` separators); `None` where Go errors, including out of range.
pub(crate) fn parse_float(s: &str) -> Option<f64> {
    if !underscore_ok(s) {
        return None;
    }
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match clean.as_bytes().first()? {
        b'-' => (true, &clean[1..]),
        b'+' => (false, &clean[1..]),
        _ => (false, &clean[..]),
    };
    let v = if body.len() > 2 && body.as_bytes()[0] == b'0' && matches!(body.as_bytes()[1], b'x' | b'X') {
        hex_float(&body[2..])?
    } else {
        if !body.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
            || !body.bytes().next()?.is_ascii_digit() && !body.starts_with('.')
        {
            return None;
        }
        let v: f64 = body.parse().ok()?;
        if v.is_infinite() {
            return None;
        }
        v
    };
    Some(if neg { -v } else { v })
}

/// A hexadecimal float after `0x`: mantissa digits, optional `.` and fraction, then `p` and a
/// decimal exponent (required, as in Go).
fn hex_float(s: &str) -> Option<f64> {
    let (mantissa, exp) = s.split_once(['p', 'P'])?;
    let exp: i32 = exp.parse().ok()?;
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int.chars().chain(frac.chars()) {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let shift = exp.checked_sub(4 * i32::try_from(frac.len()).ok()?)?;
    let v = v * 2f64.powi(shift);
    v.is_finite().then_some(v)
}

/// Go's `strconv.UnquoteChar`: the first character of `s` (an escape or a literal), and the
/// rest; `None` on bad syntax.
pub(crate) fn unquote_char(s: &str, quote: char) -> Option<(char, &str)> {
    let mut chars = s.chars();
    let c = chars.next()?;
    if c == quote && (quote == '\'' || quote == '"') {
        return None;
    }
    if c != '\\' {
        return Some((c, chars.as_str()));
    }
    let e = chars.next()?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0c'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\x0b'),
        '\\' => Some('\\'),
        '\'' | '"' if e == quote => Some(e),
        _ => None,
    };
    if let Some(c) = simple {
        return Some((c, rest));
    }
    let hex = |n: usize| -> Option<(u32, &str)> {
        let digits = rest.get(..n)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some((u32::from_str_radix(digits, 16).ok()?, &rest[n..]))
    };
    match e {
        'x' => {
            let (v, tail) = hex(2)?;
            Some((char::from_u32(v)?, tail))
        }
        'u' => {
            let (v, tail) = hex(4)?;
            Some((char::from_u32(v)?, tail))
        }
        'U' => {
            let (v, tail) = hex(8)?;
            Some((char::from_u32(v)?, tail))
        }
        '0'..='7' => {
            let digits = s.get(1..4)?;
            if !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return None;
            }
            let v = u32::from_str_radix(digits, 8).ok()?;
            if v > 255 {
                return None;
            }
            Some((char::from_u32(v)?, &s[4..]))
        }
        _ => None,
    }
}

/// Go's `strconv.Unquote` of a `"…"` or `` `…` `` token; `None` on bad syntax.
pub(crate) fn unquote(token: &str) -> Option<String> {
    if let Some(raw) = token.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
        if raw.contains('`') {
            return None;
        }
        return Some(raw.replace('\r', ""));
    }
    let mut s = token.strip_prefix('"')?.strip_suffix('"')?;
    if s.contains('\n') {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    while !s.is_empty() {
        let (c, rest) = unquote_char(s, '"')?;
        out.push(c);
        s = rest;
    }
    Some(out)
}
