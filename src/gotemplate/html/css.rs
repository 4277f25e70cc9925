//! CSS in `<style>` and `style` attributes (Go's `css.go`): keyword and escape decoding for the
//! state machine, and the two CSS escapers.

use super::content::{stringify, ContentType, FILTER_FAILSAFE};
use crate::gotemplate::value::Value;

fn is_css_nmchar(r: char) -> bool {
    r.is_ascii_alphanumeric()
        || r == '-'
        || r == '_'
        || ('\u{80}'..='\u{d7ff}').contains(&r)
        || ('\u{e000}'..='\u{fffd}').contains(&r)
        || r >= '\u{10000}'
}

/// Whether `b` ends with the identifier `kw` (lower case), case-insensitively.
pub fn ends_with_css_keyword(b: &[u8], kw: &str) -> bool {
    let Some(i) = b.len().checked_sub(kw.len()) else { return false };
    if i != 0 {
        if let Some(r) = String::from_utf8_lossy(&b[..i]).chars().last() {
            if is_css_nmchar(r) {
                return false;
            }
        }
    }
    b[i..].eq_ignore_ascii_case(kw.as_bytes())
}

fn is_hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}

/// CSS escapes decoded (`\3a ` is `:`), as Go's `decodeCSS`.
pub fn decode_css(s: &[u8]) -> Vec<u8> {
    if !s.contains(&b'\\') {
        return s.to_vec();
    }
    let mut b = Vec::with_capacity(s.len());
    let mut s = s;
    while !s.is_empty() {
        let i = s.iter().position(|&c| c == b'\\').unwrap_or(s.len());
        b.extend_from_slice(&s[..i]);
        s = &s[i..];
        if s.len() < 2 {
            break;
        }
        if is_hex(s[1]) {
            let mut j = 2;
            while j < s.len() && j < 7 && is_hex(s[j]) {
                j += 1;
            }
            let mut r = u32::from_str_radix(std::str::from_utf8(&s[1..j]).unwrap_or("0"), 16).unwrap_or(0);
            if r > 0x10ffff {
                r /= 16;
                j -= 1;
            }
            let ch = char::from_u32(r).unwrap_or('\u{fffd}');
            let mut buf = [0; 4];
            b.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            s = skip_css_space(&s[j..]);
        } else {
            let n = String::from_utf8_lossy(&s[1..]).chars().next().map_or(1, char::len_utf8).min(s.len() - 1);
            b.extend_from_slice(&s[1..1 + n]);
            s = &s[1 + n..];
        }
    }
    b
}

fn skip_css_space(c: &[u8]) -> &[u8] {
    match c.first() {
        Some(b'\t' | b'\n' | b'\x0c' | b' ') => &c[1..],
        Some(b'\r') if c.get(1) == Some(&b'\n') => &c[2..],
        Some(b'\r') => &c[1..],
        _ => c,
    }
}

fn css_replacement(r: char) -> Option<&'static str> {
    Some(match r {
        '\0' => "\\0",
        '\t' => "\\9",
        '\n' => "\\a",
        '\x0c' => "\\c",
        '\r' => "\\d",
        '"' => "\\22",
        '&' => "\\26",
        '\'' => "\\27",
        '(' => "\\28",
        ')' => "\\29",
        '+' => "\\2b",
        '/' => "\\2f",
        ':' => "\\3a",
        ';' => "\\3b",
        '<' => "\\3c",
        '>' => "\\3e",
        '\\' => "\\\\",
        '{' => "\\7b",
        '}' => "\\7d",
        _ => return None,
    })
}

/// Go's `cssEscaper`: HTML and CSS specials as hex escapes, a space after one that a hex digit
/// or space follows.
pub fn css_escaper(args: &[Value]) -> String {
    let (s, _) = stringify(args);
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices().peekable();
    while let Some((_, r)) = chars.next() {
        match css_replacement(r) {
            None => out.push(r),
            Some(repl) => {
                out.push_str(repl);
                let next = chars.peek().map(|&(_, c)| c);
                if repl != "\\\\" && next.is_none_or(|n| n.is_ascii_hexdigit() || "\t\n\x0c\r ".contains(n)) {
                    out.push(' ');
                }
            }
        }
    }
    out
}

/// Go's `cssValueFilter`: innocuous values (`10px`, `#fff`, `bold`) pass, anything that could
/// break out of the value or run script is `ZgotmplZ`.
pub fn css_value_filter(args: &[Value]) -> String {
    let (s, t) = stringify(args);
    if t == ContentType::Css {
        return s;
    }
    let b = decode_css(s.as_bytes());
    let mut id = Vec::new();
    for (i, &c) in b.iter().enumerate() {
        match c {
            0 | b'"' | b'\'' | b'(' | b')' | b'/' | b';' | b'@' | b'[' | b'\\' | b']' | b'`' | b'{' | b'}' => {
                return FILTER_FAILSAFE.into()
            }
            b'-' if i != 0 && b[i - 1] == b'-' => return FILTER_FAILSAFE.into(),
            _ => {
                if c < 0x80 && is_css_nmchar(c as char) {
                    id.push(c.to_ascii_lowercase());
                }
            }
        }
    }
    let id = String::from_utf8_lossy(&id);
    if id.contains("expression") || id.contains("mozbinding") {
        return FILTER_FAILSAFE.into();
    }
    String::from_utf8_lossy(&b).into_owned()
}
