//! The functions html/template adds to pipelines (Go's `html.go`, `url.go` and the dispatch of
//! its `funcMap`), called by the executor by their `_html_template_…` names.

use super::content::{attr_type, stringify, ContentType, FILTER_FAILSAFE};
use super::context::{Context, Delim, Element, State};
use super::{css, js, transition};
use crate::gotemplate::fmt::sprint;
use crate::gotemplate::value::Value;

/// Runs escaper `name` on `args`; `None` if `name` is not one of html/template's.
pub fn call(name: &str, args: &[Value]) -> Option<Value> {
    let s = match name {
        "_html_template_attrescaper" => attr_escaper(args),
        "_html_template_commentescaper" => String::new(),
        "_html_template_cssescaper" => css::css_escaper(args),
        "_html_template_cssvaluefilter" => css::css_value_filter(args),
        "_html_template_htmlnamefilter" => html_name_filter(args),
        "_html_template_htmlescaper" => html_escaper(args),
        "_html_template_jsregexpescaper" => js::js_regexp_escaper(args),
        "_html_template_jsstrescaper" => js::js_str_escaper(args),
        "_html_template_jstmpllitescaper" => js::js_tmpl_lit_escaper(args),
        "_html_template_jsvalescaper" => js::js_val_escaper(args),
        "_html_template_nospaceescaper" => html_nospace_escaper(args),
        "_html_template_rcdataescaper" => rcdata_escaper(args),
        "_html_template_srcsetescaper" => srcset_escaper(args),
        "_html_template_urlescaper" => url_processor(false, args),
        "_html_template_urlfilter" => url_filter(args),
        "_html_template_urlnormalizer" => url_processor(true, args),
        "_eval_args_" => sprint(&super::untyped(args)),
        _ => return None,
    };
    Some(Value::from(s))
}

#[derive(Clone, Copy)]
enum Table {
    /// Quoted attribute values and text.
    Html,
    /// The same without `&`, for typed HTML whose entities must stay.
    HtmlNorm,
    /// Unquoted attribute values.
    Nospace,
    NospaceNorm,
}

fn html_replacement(t: Table, r: char) -> Option<&'static str> {
    let nospace = matches!(t, Table::Nospace | Table::NospaceNorm);
    Some(match r {
        '\0' if nospace => "&#xfffd;",
        '\0' => "\u{fffd}",
        '"' => "&#34;",
        '&' if matches!(t, Table::Html | Table::Nospace) => "&amp;",
        '\'' => "&#39;",
        '+' => "&#43;",
        '<' => "&lt;",
        '>' => "&gt;",
        '\t' if nospace => "&#9;",
        '\n' if nospace => "&#10;",
        '\x0b' if nospace => "&#11;",
        '\x0c' if nospace => "&#12;",
        '\r' if nospace => "&#13;",
        ' ' if nospace => "&#32;",
        '=' if nospace => "&#61;",
        '`' if nospace => "&#96;",
        _ => return None,
    })
}

fn html_replacer(s: &str, t: Table, bad_runes: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for r in s.chars() {
        if let Some(repl) = html_replacement(t, r) {
            out.push_str(repl);
        } else if !bad_runes && (('\u{fdd0}'..='\u{fdef}').contains(&r) || ('\u{fff0}'..='\u{ffff}').contains(&r)) {
            out.push_str(&format!("&#x{:x};", r as u32));
        } else {
            out.push(r);
        }
    }
    out
}

pub fn html_escaper(args: &[Value]) -> String {
    let (s, t) = stringify(args);
    if t == ContentType::Html {
        return s;
    }
    html_replacer(&s, Table::Html, true)
}

fn attr_escaper(args: &[Value]) -> String {
    let (s, t) = stringify(args);
    if t == ContentType::Html {
        return html_replacer(&strip_tags(&s), Table::HtmlNorm, true);
    }
    html_replacer(&s, Table::Html, true)
}

fn rcdata_escaper(args: &[Value]) -> String {
    let (s, t) = stringify(args);
    if t == ContentType::Html {
        return html_replacer(&s, Table::HtmlNorm, true);
    }
    html_replacer(&s, Table::Html, true)
}

fn html_nospace_escaper(args: &[Value]) -> String {
    let (s, t) = stringify(args);
    if s.is_empty() {
        // `<p name={{""}}>` would let the next attribute become this one's value.
        return FILTER_FAILSAFE.into();
    }
    if t == ContentType::Html {
        return html_replacer(&strip_tags(&s), Table::NospaceNorm, false);
    }
    html_replacer(&s, Table::Nospace, false)
}

/// The text content of an HTML snippet (Go's `stripTags`), tags and comments removed.
fn strip_tags(html: &str) -> String {
    let s = html.as_bytes();
    let (mut b, mut c, mut i, mut all_text) = (Vec::new(), Context::default(), 0, true);
    while i != s.len() {
        if c.delim == Delim::None {
            // Raw text and RCDATA bodies are skipped whole rather than parsed as JS or CSS.
            let (d, nread) = if c.element != Element::None && !c.state.is_in_tag() {
                transition::t_special_tag_end(c.clone(), &s[i..])
            } else {
                transition::transition(c.clone(), &s[i..])
            };
            let i1 = i + nread;
            if c.state == State::Text || c.state == State::Rcdata {
                let mut j = i1;
                if d.state != c.state {
                    if let Some(j1) = (i..j).rev().find(|&j1| s[j1] == b'<') {
                        j = j1;
                    }
                }
                b.extend_from_slice(&s[i..j]);
            } else {
                all_text = false;
            }
            c = d;
            i = i1;
            continue;
        }
        let Some(off) = s[i..].iter().position(|x| c.delim.ends().contains(x)) else { break };
        let mut i1 = i + off;
        if c.delim != Delim::SpaceOrTagEnd {
            i1 += 1;
        }
        c = Context { state: State::Tag, element: c.element, ..Context::default() };
        i = i1;
    }
    if all_text {
        return html.to_owned();
    } else if c.state == State::Text || c.state == State::Rcdata {
        b.extend_from_slice(&s[i..]);
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn html_name_filter(args: &[Value]) -> String {
    let (s, t) = stringify(args);
    if t == ContentType::HtmlAttr {
        return s;
    }
    if s.is_empty() {
        // `<input checked {{.K}}={{.V}}>` must not give `.V` to `checked` when `.K` is empty.
        return FILTER_FAILSAFE.into();
    }
    let s = s.to_lowercase();
    if attr_type(&s) != ContentType::Plain || !s.chars().all(|r| r.is_ascii_digit() || r.is_ascii_lowercase()) {
        return FILTER_FAILSAFE.into();
    }
    s
}

fn is_safe_url(s: &str) -> bool {
    match s.split_once(':') {
        Some((protocol, _)) if !protocol.contains('/') => {
            ["http", "https", "mailto"].iter().any(|p| protocol.eq_ignore_ascii_case(p))
        }
        _ => true,
    }
}

fn url_filter(args: &[Value]) -> String {
    let (s, t) = stringify(args);
    if t == ContentType::Url || is_safe_url(&s) {
        return s;
    }
    format!("#{FILTER_FAILSAFE}")
}

fn url_processor(norm: bool, args: &[Value]) -> String {
    let (s, t) = stringify(args);
    let mut out = String::new();
    process_url_onto(&s, norm || t == ContentType::Url, &mut out);
    out
}

/// Percent-encodes what a URL (normalizing: what a URL part) must not hold raw.
fn process_url_onto(s: &str, norm: bool, out: &mut String) -> bool {
    let b = s.as_bytes();
    let mut written = 0;
    for (i, &c) in b.iter().enumerate() {
        let keep = match c {
            b'!' | b'#' | b'$' | b'&' | b'*' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' | b'[' | b']' => {
                norm
            }
            b'-' | b'.' | b'_' | b'~' => true,
            b'%' => norm && i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit(),
            c => c.is_ascii_alphanumeric(),
        };
        if keep {
            continue;
        }
        out.push_str(&s[written..i]);
        out.push_str(&format!("%{c:02x}"));
        written = i + 1;
    }
    out.push_str(&s[written..]);
    written != 0
}

fn is_html_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn srcset_escaper(args: &[Value]) -> String {
    let (s, t) = stringify(args);
    match t {
        ContentType::Srcset => return s,
        ContentType::Url => {
            let mut out = String::new();
            process_url_onto(&s, true, &mut out);
            return out.replace(',', "%2c");
        }
        _ => {}
    }
    let mut out = String::new();
    let mut written = 0;
    for (i, c) in s.bytes().enumerate() {
        if c == b',' {
            filter_srcset_element(&s, written, i, &mut out);
            out.push(',');
            written = i + 1;
        }
    }
    filter_srcset_element(&s, written, s.len(), &mut out);
    out
}

fn filter_srcset_element(s: &str, left: usize, right: usize, out: &mut String) {
    let b = s.as_bytes();
    let mut start = left;
    while start < right && is_html_space(b[start]) {
        start += 1;
    }
    let end = (start..right).find(|&i| is_html_space(b[i])).unwrap_or(right);
    let url = &s[start..end];
    if is_safe_url(url) && b[end..right].iter().all(|&c| is_html_space(c) || c.is_ascii_alphanumeric()) {
        out.push_str(&s[left..start]);
        process_url_onto(url, true, out);
        out.push_str(&s[end..right]);
        return;
    }
    out.push('#');
    out.push_str(FILTER_FAILSAFE);
}

/// Character references decoded, as Go's `html.UnescapeString` does for numeric references and
/// the common named ones.
pub fn html_unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let (text, used) = entity(rest);
        out.push_str(&text);
        rest = &rest[used..];
    }
    out.push_str(rest);
    out
}

fn entity(s: &str) -> (String, usize) {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'#') {
        let hex = matches!(b.get(2), Some(b'x' | b'X'));
        let start = if hex { 3 } else { 2 };
        let end = (start..b.len())
            .find(|&i| !(if hex { b[i].is_ascii_hexdigit() } else { b[i].is_ascii_digit() }))
            .unwrap_or(b.len());
        if end == start {
            return ("&".into(), 1);
        }
        let n = u32::from_str_radix(&s[start..end], if hex { 16 } else { 10 }).unwrap_or(0xfffd);
        let used = if b.get(end) == Some(&b';') { end + 1 } else { end };
        let c = match n {
            0 => '\u{fffd}',
            0x80..=0x9f => '\u{fffd}',
            n => char::from_u32(n).unwrap_or('\u{fffd}'),
        };
        return (c.to_string(), used);
    }
    const NAMED: &[(&str, &str)] = &[
        ("amp;", "&"),
        ("lt;", "<"),
        ("gt;", ">"),
        ("quot;", "\""),
        ("apos;", "'"),
        ("nbsp;", "\u{a0}"),
        ("amp", "&"),
        ("lt", "<"),
        ("gt", ">"),
        ("quot", "\""),
        ("nbsp", "\u{a0}"),
    ];
    for (name, text) in NAMED {
        if s[1..].starts_with(name) {
            return ((*text).into(), 1 + name.len());
        }
    }
    ("&".into(), 1)
}
