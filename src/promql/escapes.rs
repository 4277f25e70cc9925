//! Go reads `\xNN` in a string literal as a byte, so `"\xc3\xa9"` is "é" and `"a\xc5z"` is not
//! UTF-8 at all; promql-parser reads each escape as a character. Before parsing, runs of such
//! escapes are rewritten to what Go makes of them (see [`super::labels::from_go_bytes`]).

use super::labels::from_go_bytes;

/// The query with byte escapes above 0x7f in its string literals rewritten.
pub fn rewrite(query: &str) -> String {
    if !query.contains("\\x") {
        return query.to_string();
    }
    let mut out = String::with_capacity(query.len());
    let mut chars = query.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        out.push(c);
        if c != '"' && c != '\'' {
            continue;
        }
        let quote = c;
        let mut bytes: Vec<u8> = Vec::new();
        while let Some((i, c)) = chars.next() {
            if c == '\\' {
                let hex = query.get(i + 2..i + 4).filter(|_| query[i + 1..].starts_with('x'));
                if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()).filter(|b| *b >= 0x80) {
                    bytes.push(b);
                    chars.next();
                    chars.next();
                    chars.next();
                    continue;
                }
            }
            flush(&mut bytes, &mut out);
            out.push(c);
            if c == '\\' {
                if let Some((_, n)) = chars.next() {
                    out.push(n);
                }
            } else if c == quote {
                break;
            }
        }
        flush(&mut bytes, &mut out);
    }
    out
}

fn flush(bytes: &mut Vec<u8>, out: &mut String) {
    for c in from_go_bytes(bytes).chars() {
        if (c as u32) >= 0x10_FF00 {
            out.push_str(&format!("\\U{:08x}", c as u32));
        } else {
            out.push(c);
        }
    }
    bytes.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_escapes() {
        assert_eq!(rewrite(r#"f("\xc3\xa9", "\x41")"#), r#"f("é", "\x41")"#);
        assert_eq!(rewrite(r#"f("a\xc5z")"#), r#"f("a\U0010ffc5z")"#);
        assert_eq!(rewrite(r#"f("\\xc5")"#), r#"f("\\xc5")"#);
    }
}
