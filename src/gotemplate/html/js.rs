//! JavaScript in `<script>` and event handler attributes (Go's `js.go`): whether a `/` starts
//! a regexp, and the JS escapers (values as JSON, strings, template literals, regexps).

use super::content::{stringify, typed, ContentType};
use super::context::JsCtx;
use crate::gotemplate::fmt::sprint;
use crate::gotemplate::value::{format_g, Value};

const JS_WHITESPACE: &str = "\x0c\n\r\t\x0b \u{a0}\u{1680}\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{feff}";

fn is_js_ident_part(c: char) -> bool {
    c == '$' || c == '_' || c.is_ascii_alphanumeric()
}

/// Whether a `/` after the tokens in `s` (no strings, comments or regexps) starts a regexp.
pub fn next_js_ctx(s: &[u8], preceding: JsCtx) -> JsCtx {
    let text = String::from_utf8_lossy(s);
    let s = text.trim_end_matches(|c| JS_WHITESPACE.contains(c)).as_bytes();
    let Some(&c) = s.last() else { return preceding };
    let n = s.len();
    match c {
        b'+' | b'-' => {
            let mut start = n - 1;
            while start > 0 && s[start - 1] == c {
                start -= 1;
            }
            // `---` is `-- -`: an odd run ends in a unary or binary operator.
            if (n - start) & 1 == 1 {
                JsCtx::Regexp
            } else {
                JsCtx::DivOp
            }
        }
        b'.' => {
            if n != 1 && s[n - 2].is_ascii_digit() {
                JsCtx::DivOp
            } else {
                JsCtx::Regexp
            }
        }
        b',' | b'<' | b'>' | b'=' | b'*' | b'%' | b'&' | b'|' | b'^' | b'?' | b'!' | b'~' | b'(' | b'[' | b':'
        | b';' | b'{' | b'}' => JsCtx::Regexp,
        _ => {
            let mut j = n;
            while j > 0 && is_js_ident_part(s[j - 1] as char) {
                j -= 1;
            }
            let word = &s[j..];
            const KEYWORDS: &[&[u8]] = &[
                b"break",
                b"case",
                b"continue",
                b"delete",
                b"do",
                b"else",
                b"finally",
                b"in",
                b"instanceof",
                b"return",
                b"throw",
                b"try",
                b"typeof",
                b"void",
            ];
            if KEYWORDS.contains(&word) {
                JsCtx::Regexp
            } else {
                JsCtx::DivOp
            }
        }
    }
}

/// Whether a `<script type=…>` holds JavaScript.
pub fn is_js_type(mime: &str) -> bool {
    let mime = mime.split(';').next().unwrap_or("").to_lowercase();
    matches!(
        mime.trim(),
        "" | "application/ecmascript"
            | "application/javascript"
            | "application/json"
            | "application/ld+json"
            | "application/x-ecmascript"
            | "application/x-javascript"
            | "module"
            | "text/ecmascript"
            | "text/javascript"
            | "text/javascript1.0"
            | "text/javascript1.1"
            | "text/javascript1.2"
            | "text/javascript1.3"
            | "text/javascript1.4"
            | "text/javascript1.5"
            | "text/jscript"
            | "text/livescript"
            | "text/x-ecmascript"
            | "text/x-javascript"
    )
}

/// A JSON string as Go's `encoding/json` writes it (HTML-safe: `<`, `>`, `&` as `\u00XX`).
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_float(f: f64) -> Result<String, String> {
    if !f.is_finite() {
        return Err(format!("json: unsupported value: {}", format_g(f, None)));
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        return Ok(match e.strip_prefix('-') {
            Some(e) => format!("{m}e-{e}"),
            None => format!("{m}e+{e}"),
        });
    }
    Ok(format!("{f}"))
}

/// Go's `json.Marshal` of a template value (structs by field, typed content as strings).
pub fn json_marshal(v: &Value) -> Result<String, String> {
    Ok(match v {
        Value::Missing | Value::Nil => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => json_float(*f)?,
        Value::Str(s) => json_string(s),
        Value::List(l) => {
            let items: Result<Vec<String>, String> = l.iter().map(json_marshal).collect();
            format!("[{}]", items?.join(","))
        }
        Value::Map(m) => {
            let mut items = Vec::new();
            for (k, v) in &m.entries {
                items.push(format!("{}:{}", json_string(k), json_marshal(v)?));
            }
            format!("{{{}}}", items.join(","))
        }
        Value::Object(o) => match (typed(v), o.entries()) {
            (Some(t), _) => json_string(&t.text),
            (None, Some(entries)) if entries.iter().all(|(k, _)| matches!(k, Value::Str(_))) => {
                let mut items = Vec::new();
                for (k, v) in &entries {
                    items.push(format!("{}:{}", json_string(&k.print()), json_marshal(v)?));
                }
                format!("{{{}}}", items.join(","))
            }
            (None, Some(entries)) => {
                let items: Result<Vec<String>, String> = entries.iter().map(|(_, v)| json_marshal(v)).collect();
                format!("[{}]", items?.join(","))
            }
            (None, None) => match o.json() {
                Some(j) => j?,
                None => json_string(&o.print()),
            },
        },
    })
}

/// Go's `jsValEscaper`: the value as a JS expression (JSON), padded with spaces where it could
/// run into a keyword.
pub fn js_val_escaper(args: &[Value]) -> String {
    let json = if let [one] = args {
        if let Some(t) = typed(one) {
            match t.kind {
                ContentType::Js => return t.text.to_string(),
                ContentType::JsStr => return format!("\"{}\"", t.text),
                _ => {}
            }
        }
        json_marshal(one)
    } else {
        json_marshal(&Value::from(sprint(&super::untyped(args))))
    };
    let b = match json {
        Ok(b) => b,
        Err(e) => {
            let e = e.replace("*/", "* /").replace("</script", "\\x3C/script").replace("<!--", "\\x3C!--");
            return format!(" /* {e} */null ");
        }
    };
    if b.is_empty() {
        return " null ".into();
    }
    let first = b.chars().next().unwrap_or(' ');
    let last = b.chars().last().unwrap_or(' ');
    let pad = is_js_ident_part(first) || is_js_ident_part(last);
    if pad {
        format!(" {b} ")
    } else {
        b
    }
}

fn low_unicode(r: char) -> Option<String> {
    match r {
        '\t' => Some("\\t".into()),
        '\n' => Some("\\n".into()),
        '\x0c' => Some("\\f".into()),
        '\r' => Some("\\r".into()),
        r if (r as u32) < 0x20 => Some(format!("\\u{:04x}", r as u32)),
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Table {
    Str,
    StrNorm,
    TmplLit,
    Regexp,
}

fn replacement(t: Table, r: char) -> Option<&'static str> {
    let common = match r {
        '"' => Some("\\u0022"),
        '&' => Some("\\u0026"),
        '\'' => Some("\\u0027"),
        '+' => Some("\\u002b"),
        '/' => Some("\\/"),
        '<' => Some("\\u003c"),
        '>' => Some("\\u003e"),
        _ => None,
    };
    if common.is_some() {
        return common;
    }
    match (t, r) {
        (Table::Str | Table::TmplLit, '\\') => Some("\\\\"),
        (Table::Str | Table::StrNorm | Table::TmplLit, '`') => Some("\\u0060"),
        (Table::TmplLit, '$') => Some("\\u0024"),
        (Table::TmplLit, '{') => Some("\\u007b"),
        (Table::TmplLit, '}') => Some("\\u007d"),
        (Table::Regexp, _) => match r {
            '$' => Some("\\$"),
            '(' => Some("\\("),
            ')' => Some("\\)"),
            '*' => Some("\\*"),
            '-' => Some("\\-"),
            '.' => Some("\\."),
            '?' => Some("\\?"),
            '[' => Some("\\["),
            '\\' => Some("\\\\"),
            ']' => Some("\\]"),
            '^' => Some("\\^"),
            '{' => Some("\\{"),
            '|' => Some("\\|"),
            '}' => Some("\\}"),
            _ => None,
        },
        _ => None,
    }
}

fn replace(s: &str, t: Table) -> String {
    let mut out = String::with_capacity(s.len());
    for r in s.chars() {
        if let Some(l) = low_unicode(r) {
            out.push_str(&l);
        } else if let Some(repl) = replacement(t, r) {
            out.push_str(repl);
        } else if r == '\u{2028}' {
            out.push_str("\\u2028");
        } else if r == '\u{2029}' {
            out.push_str("\\u2029");
        } else {
            out.push(r);
        }
    }
    out
}

pub fn js_str_escaper(args: &[Value]) -> String {
    let (s, t) = stringify(args);
    replace(&s, if t == ContentType::JsStr { Table::StrNorm } else { Table::Str })
}

pub fn js_tmpl_lit_escaper(args: &[Value]) -> String {
    replace(&stringify(args).0, Table::TmplLit)
}

pub fn js_regexp_escaper(args: &[Value]) -> String {
    let s = replace(&stringify(args).0, Table::Regexp);
    if s.is_empty() {
        // `/{{.X}}/` must not become a line comment.
        return "(?:)".into();
    }
    s
}
