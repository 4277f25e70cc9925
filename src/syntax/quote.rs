//! Go's `strconv.Quote`, which Go programs (Prometheus' engine, Go's templates) use in their
//! messages: printable characters as they are, the rest escaped as Go escapes them.

/// `strconv.Quote` of `s`.
pub fn quote(s: &str) -> String {
    quote_with_bytes(s, |_| None)
}

/// `strconv.Quote` of a Go string holding bytes that are not UTF-8: `raw` tells which characters
/// of `s` stand for such a byte, which Go writes as `\xNN`.
pub fn quote_with_bytes(s: &str, raw: impl Fn(char) -> Option<u8>) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if let Some(b) = raw(c) {
            out.push_str(&format!("\\x{b:02x}"));
            continue;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() && (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\U{:08x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_go_quotes() {
        // Go: strconv.Quote("a\"b\\\n\t\x07\x00\u0085é")
        assert_eq!(quote("a\"b\\\n\t\x07\x00\u{85}é"), r#""a\"b\\\n\t\a\x00\u0085é""#);
        assert_eq!(quote_with_bytes("x\u{f8ff}", |c| (c == '\u{f8ff}').then_some(0xff)), r#""x\xff""#);
    }
}
