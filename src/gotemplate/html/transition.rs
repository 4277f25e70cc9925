//! How literal text moves the context (Go's `transition.go`): one function per state, each
//! consuming a prefix of the text and returning the context after it.

use super::content::{attr_type, ContentType};
use super::context::{Attr, Context, Delim, Element, EscError, State, UrlPart};
use super::js::is_js_type;
use super::lang::{t_block_cmt, t_css, t_css_str, t_js, t_js_delimited, t_js_tmpl, t_line_cmt};
use crate::gotemplate::lex::go_quote;

pub(super) fn find(s: &[u8], pat: &[u8]) -> Option<usize> {
    s.windows(pat.len()).position(|w| w == pat)
}

pub(super) fn find_any(s: &[u8], set: &[u8]) -> Option<usize> {
    s.iter().position(|b| set.contains(b))
}

/// Go's `%q` of some bytes, with `%.32q`'s truncation to `max` characters when given.
pub fn q(s: &[u8], max: Option<usize>) -> String {
    let text = String::from_utf8_lossy(s);
    match max {
        Some(n) => go_quote(&text.chars().take(n).collect::<String>()),
        None => go_quote(&text),
    }
}

pub(super) fn bad(description: String) -> Context {
    Context::error(EscError::new(None, 0, description))
}

/// The transition of state `c.state` over a prefix of `s`.
pub fn transition(c: Context, s: &[u8]) -> (Context, usize) {
    use State::*;
    match c.state {
        Text => t_text(c, s),
        Tag => t_tag(c, s),
        AttrName => t_attr_name(c, s),
        AfterName => t_after_name(c, s),
        BeforeValue => t_before_value(c, s),
        HtmlCmt => t_html_cmt(c, s),
        Rcdata => t_special_tag_end(c, s),
        Attr | Error | Dead => (c, s.len()),
        Url | Srcset => t_url(c, s),
        MetaContent => t_meta_content(c, s),
        MetaContentUrl => t_meta_content_url(c, s),
        Js => t_js(c, s),
        JsDqStr | JsSqStr | JsRegexp => t_js_delimited(c, s),
        JsTmplLit => t_js_tmpl(c, s),
        JsBlockCmt | CssBlockCmt => t_block_cmt(c, s),
        JsLineCmt | JsHtmlOpenCmt | JsHtmlCloseCmt | CssLineCmt => t_line_cmt(c, s),
        Css => t_css(c, s),
        CssDqStr | CssSqStr | CssDqUrl | CssSqUrl | CssUrl => t_css_str(c, s),
    }
}

fn t_text(c: Context, s: &[u8]) -> (Context, usize) {
    let mut k = 0;
    loop {
        let Some(off) = s[k..].iter().position(|&b| b == b'<') else { return (c, s.len()) };
        let mut i = k + off;
        if i + 1 == s.len() {
            return (c, s.len());
        }
        if s[i..].starts_with(b"<!--") {
            return (Context::of(State::HtmlCmt), i + 4);
        }
        i += 1;
        let mut end = false;
        if s[i] == b'/' {
            if i + 1 == s.len() {
                return (c, s.len());
            }
            end = true;
            i += 1;
        }
        let (j, e) = eat_tag_name(s, i);
        if j != i {
            let element = if end { Element::None } else { e };
            return (Context { state: State::Tag, element, ..Context::default() }, j);
        }
        k = j;
    }
}

fn t_tag(c: Context, s: &[u8]) -> (Context, usize) {
    let i = eat_white_space(s, 0);
    if i == s.len() {
        return (c, s.len());
    }
    if s[i] == b'>' {
        // `<meta>` has no body: only its `content` attribute is special.
        let element = if c.element == Element::Meta { Element::None } else { c.element };
        return (Context { state: c.element.content_state(), element, ..Context::default() }, i + 1);
    }
    let j = match eat_attr_name(s, i) {
        Ok(j) => j,
        Err(e) => return (Context::error(e), s.len()),
    };
    if i == j {
        return (bad(format!("expected space, attr name, or end of tag, but got {}", q(&s[i..], None))), s.len());
    }
    let name = String::from_utf8_lossy(&s[i..j]).to_lowercase();
    let attr = if c.element == Element::Script && name == "type" {
        Attr::ScriptType
    } else if c.element == Element::Meta && name == "content" {
        Attr::MetaContent
    } else {
        match attr_type(&name) {
            ContentType::Url => Attr::Url,
            ContentType::Css => Attr::Style,
            ContentType::Js => Attr::Script,
            ContentType::Srcset => Attr::Srcset,
            _ => Attr::None,
        }
    };
    let state = if j == s.len() { State::AttrName } else { State::AfterName };
    (Context { state, element: c.element, attr, ..Context::default() }, j)
}

fn t_attr_name(mut c: Context, s: &[u8]) -> (Context, usize) {
    match eat_attr_name(s, 0) {
        Err(e) => (Context::error(e), s.len()),
        Ok(i) => {
            if i != s.len() {
                c.state = State::AfterName;
            }
            (c, i)
        }
    }
}

fn t_after_name(mut c: Context, s: &[u8]) -> (Context, usize) {
    let i = eat_white_space(s, 0);
    if i == s.len() {
        return (c, s.len());
    }
    if s[i] != b'=' {
        c.state = State::Tag;
        return (c, i);
    }
    c.state = State::BeforeValue;
    (c, i + 1)
}

fn t_before_value(mut c: Context, s: &[u8]) -> (Context, usize) {
    let mut i = eat_white_space(s, 0);
    if i == s.len() {
        return (c, s.len());
    }
    let mut delim = Delim::SpaceOrTagEnd;
    match s[i] {
        b'\'' => (delim, i) = (Delim::SingleQuote, i + 1),
        b'"' => (delim, i) = (Delim::DoubleQuote, i + 1),
        _ => {}
    }
    c.state = c.attr.start_state();
    c.delim = delim;
    (c, i)
}

fn t_html_cmt(c: Context, s: &[u8]) -> (Context, usize) {
    match find(s, b"-->") {
        Some(i) => (Context::default(), i + 3),
        None => (c, s.len()),
    }
}

pub fn t_special_tag_end(c: Context, s: &[u8]) -> (Context, usize) {
    let tag: &[u8] = match c.element {
        Element::None | Element::Meta => return (c, s.len()),
        Element::Script => b"script",
        Element::Style => b"style",
        Element::Textarea => b"textarea",
        Element::Title => b"title",
    };
    // `</script` inside a JS literal or comment is escaped rather than ending the element.
    if c.element == Element::Script && (c.state.is_in_script_literal() || c.state.is_comment()) {
        return (c, s.len());
    }
    match index_tag_end(s, tag) {
        Some(i) => (Context::default(), i),
        None => (c, s.len()),
    }
}

fn index_tag_end(mut s: &[u8], tag: &[u8]) -> Option<usize> {
    let mut res = 0;
    while !s.is_empty() {
        let i = find(s, b"</")?;
        s = &s[i + 2..];
        if tag.len() <= s.len() && s[..tag.len()].eq_ignore_ascii_case(tag) {
            s = &s[tag.len()..];
            if !s.is_empty() && b"> \t\n\x0c/".contains(&s[0]) {
                return Some(res + i);
            }
            res += tag.len();
        }
        res += i + 2;
    }
    None
}

pub fn t_url(mut c: Context, s: &[u8]) -> (Context, usize) {
    if find_any(s, b"#?").is_some() {
        c.url_part = UrlPart::QueryOrFrag;
    } else if s.len() != eat_white_space(s, 0) && c.url_part == UrlPart::None {
        c.url_part = UrlPart::PreQuery;
    }
    (c, s.len())
}

/// `<meta http-equiv=refresh content="0; url=…">`: the part after `url=` is a URL.
fn t_meta_content(mut c: Context, s: &[u8]) -> (Context, usize) {
    for i in 0..s.len() {
        if i + 3 < s.len() && s[i..i + 3].eq_ignore_ascii_case(b"url") {
            let j = eat_white_space(s, i + 3);
            if j < s.len() && s[j] == b'=' {
                c.state = State::MetaContentUrl;
                return (c, j + 1);
            }
        }
    }
    (c, s.len())
}

fn t_meta_content_url(mut c: Context, s: &[u8]) -> (Context, usize) {
    match s.iter().position(|&b| b == b';') {
        Some(i) => {
            c.state = State::MetaContent;
            (c, i + 1)
        }
        None => (c, s.len()),
    }
}

pub(super) fn trim_right<'s>(s: &'s [u8], set: &[u8]) -> &'s [u8] {
    let n = s.iter().rposition(|b| !set.contains(b)).map_or(0, |i| i + 1);
    &s[..n]
}

pub(super) fn trim_left<'s>(s: &'s [u8], set: &[u8]) -> &'s [u8] {
    let n = s.iter().position(|b| !set.contains(b)).unwrap_or(s.len());
    &s[n..]
}

fn eat_attr_name(s: &[u8], i: usize) -> Result<usize, Box<EscError>> {
    for j in i..s.len() {
        match s[j] {
            b' ' | b'\t' | b'\n' | b'\x0c' | b'\r' | b'=' | b'>' => return Ok(j),
            b'\'' | b'"' | b'<' => {
                let d = format!("{} in attribute name: {}", q(&s[j..j + 1], None), q(s, Some(32)));
                return Err(EscError::new(None, 0, d));
            }
            _ => {}
        }
    }
    Ok(s.len())
}

fn eat_tag_name(s: &[u8], i: usize) -> (usize, Element) {
    if i == s.len() || !s[i].is_ascii_alphabetic() {
        return (i, Element::None);
    }
    let mut j = i + 1;
    while j < s.len() {
        let x = s[j];
        if x.is_ascii_alphanumeric() {
            j += 1;
            continue;
        }
        if (x == b':' || x == b'-') && j + 1 < s.len() && s[j + 1].is_ascii_alphanumeric() {
            j += 2;
            continue;
        }
        break;
    }
    let e = match String::from_utf8_lossy(&s[i..j]).to_lowercase().as_str() {
        "script" => Element::Script,
        "style" => Element::Style,
        "textarea" => Element::Textarea,
        "title" => Element::Title,
        "meta" => Element::Meta,
        _ => Element::None,
    };
    (j, e)
}

pub fn eat_white_space(s: &[u8], i: usize) -> usize {
    s[i..].iter().position(|b| !b" \t\n\x0c\r".contains(b)).map_or(s.len(), |p| i + p)
}

/// The context after a prefix of `s`, and the prefix's length (Go's `contextAfterText`):
/// attribute values end at their delimiter and are entity-decoded before the inner state
/// machine (JS, CSS, URL) sees them.
pub fn context_after_text(c: Context, s: &[u8]) -> (Context, usize) {
    if c.delim == Delim::None {
        let (c1, i) = t_special_tag_end(c.clone(), s);
        if i == 0 {
            return (c1, 0);
        }
        return transition(c, &s[..i]);
    }
    let mut i = find_any(s, c.delim.ends()).unwrap_or(s.len());
    if c.delim == Delim::SpaceOrTagEnd {
        if let Some(j) = find_any(&s[..i], b"\"'<=`") {
            let d = format!("{} in unquoted attr: {}", q(&s[j..j + 1], None), q(&s[..i], None));
            return (bad(d), s.len());
        }
    }
    if i == s.len() {
        let decoded = super::escapers::html_unescape(&String::from_utf8_lossy(s));
        let mut u = decoded.as_bytes();
        let mut c = c;
        while !u.is_empty() {
            let (c1, i1) = transition(c, u);
            c = c1;
            u = &u[i1..];
        }
        return (c, s.len());
    }
    let mut element = c.element;
    if c.state == State::Attr
        && c.element == Element::Script
        && c.attr == Attr::ScriptType
        && !is_js_type(&String::from_utf8_lossy(&s[..i]))
    {
        element = Element::None;
    }
    if c.delim != Delim::SpaceOrTagEnd {
        i += 1;
    }
    (Context { state: State::Tag, element, ..Context::default() }, i)
}
