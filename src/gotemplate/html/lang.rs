//! Transitions inside the raw text languages (JS in `<script>` and event handlers, CSS in
//! `<style>` and `style`): strings, regexps, template literals, comments and `url(…)`.

use super::context::{Context, JsCtx, State};
use super::js::next_js_ctx;
use super::transition::{bad, find, find_any, q, t_url, trim_left, trim_right};

pub(super) fn t_js(mut c: Context, s: &[u8]) -> (Context, usize) {
    let Some(mut i) = find_any(s, b"\"`'/{}<-#") else {
        c.js_ctx = next_js_ctx(s, c.js_ctx);
        return (c, s.len());
    };
    c.js_ctx = next_js_ctx(&s[..i], c.js_ctx);
    match s[i] {
        b'"' => (c.state, c.js_ctx) = (State::JsDqStr, JsCtx::Regexp),
        b'\'' => (c.state, c.js_ctx) = (State::JsSqStr, JsCtx::Regexp),
        b'`' => (c.state, c.js_ctx) = (State::JsTmplLit, JsCtx::Regexp),
        b'/' => {
            if i + 1 < s.len() && s[i + 1] == b'/' {
                (c.state, i) = (State::JsLineCmt, i + 1);
            } else if i + 1 < s.len() && s[i + 1] == b'*' {
                (c.state, i) = (State::JsBlockCmt, i + 1);
            } else if c.js_ctx == JsCtx::Regexp {
                c.state = State::JsRegexp;
            } else if c.js_ctx == JsCtx::DivOp {
                c.js_ctx = JsCtx::Regexp;
            } else {
                return (bad(format!("'/' could start a division or regexp: {}", q(&s[i..], Some(32)))), s.len());
            }
        }
        // Lines starting `<!--` or `-->` are comments in JS (ECMAScript B.1.1), as is `#!`.
        b'<' => {
            if s[i..].starts_with(b"<!--") {
                (c.state, i) = (State::JsHtmlOpenCmt, i + 3);
            }
        }
        b'-' => {
            if s[i..].starts_with(b"-->") {
                (c.state, i) = (State::JsHtmlCloseCmt, i + 2);
            }
        }
        b'#' => {
            if s[i..].starts_with(b"#!") {
                (c.state, i) = (State::JsLineCmt, i + 1);
            }
        }
        b'{' => {
            // After a brace a `/` starts a regexp (`if (x) { /re/.test(y) }`).
            c.js_ctx = JsCtx::Regexp;
            let Some(d) = c.brace.last_mut() else { return (c, i + 1) };
            *d += 1;
        }
        _ => {
            let Some(d) = c.brace.last_mut() else {
                c.js_ctx = JsCtx::Regexp;
                return (c, i + 1);
            };
            *d -= 1;
            if *d >= 0 {
                c.js_ctx = JsCtx::Regexp;
                return (c, i + 1);
            }
            c.brace.pop();
            c.state = State::JsTmplLit;
        }
    }
    (c, i + 1)
}

pub(super) fn t_js_tmpl(mut c: Context, s: &[u8]) -> (Context, usize) {
    let mut k = 0;
    while let Some(off) = find_any(&s[k..], b"`\\$") {
        let mut i = k + off;
        match s[i] {
            b'\\' => {
                i += 1;
                if i == s.len() {
                    return (bad(format!("unfinished escape sequence in JS string: {}", q(s, None))), s.len());
                }
            }
            b'$' => {
                if s.len() >= i + 2 && s[i + 1] == b'{' {
                    c.brace.push(0);
                    c.state = State::Js;
                    c.js_ctx = JsCtx::Regexp;
                    return (c, i + 2);
                }
            }
            _ => {
                c.state = State::Js;
                c.js_ctx = JsCtx::DivOp;
                return (c, i + 1);
            }
        }
        k = i + 1;
    }
    (c, s.len())
}

pub(super) fn t_js_delimited(mut c: Context, s: &[u8]) -> (Context, usize) {
    let specials: &[u8] = match c.state {
        State::JsSqStr => b"\\'",
        State::JsRegexp => b"\\/[]",
        _ => b"\\\"",
    };
    let (mut k, mut in_charset) = (0, false);
    while let Some(off) = find_any(&s[k..], specials) {
        let mut i = k + off;
        match s[i] {
            b'\\' => {
                i += 1;
                if i == s.len() {
                    return (bad(format!("unfinished escape sequence in JS string: {}", q(s, None))), s.len());
                }
            }
            b'[' => in_charset = true,
            b']' => in_charset = false,
            b'/' if i > 0 && i + 7 <= s.len() && s[i - 1..i + 7].eq_ignore_ascii_case(b"</script") => i += 1,
            _ => {
                if !in_charset {
                    c.state = State::Js;
                    c.js_ctx = JsCtx::DivOp;
                    return (c, i + 1);
                }
            }
        }
        k = i + 1;
    }
    if in_charset {
        return (bad(format!("unfinished JS regexp charset: {}", q(s, None))), s.len());
    }
    (c, s.len())
}

pub(super) fn t_block_cmt(mut c: Context, s: &[u8]) -> (Context, usize) {
    let Some(i) = find(s, b"*/") else { return (c, s.len()) };
    c.state = if c.state == State::JsBlockCmt { State::Js } else { State::Css };
    (c, i + 2)
}

pub(super) fn t_line_cmt(mut c: Context, s: &[u8]) -> (Context, usize) {
    let (i, end) = if c.state == State::CssLineCmt {
        (find_any(s, b"\n\x0c\r"), State::Css)
    } else {
        let text = String::from_utf8_lossy(s);
        let i = text.find(['\n', '\r', '\u{2028}', '\u{2029}']);
        // Lossy decoding keeps byte offsets only for valid UTF-8; fall back to bytes otherwise.
        let i = if text.len() == s.len() { i } else { find_any(s, b"\n\r") };
        (i, State::Js)
    };
    let Some(i) = i else { return (c, s.len()) };
    c.state = end;
    (c, i)
}

pub(super) fn t_css(mut c: Context, s: &[u8]) -> (Context, usize) {
    let mut k = 0;
    loop {
        let Some(off) = find_any(&s[k..], b"(\"'/") else { return (c, s.len()) };
        let i = k + off;
        match s[i] {
            b'(' => {
                let p = trim_right(&s[..i], b"\t\n\x0c\r ");
                if super::css::ends_with_css_keyword(p, "url") {
                    let rest = &s[i + 1..];
                    let mut j = s.len() - trim_left(rest, b"\t\n\x0c\r ").len();
                    if j != s.len() && s[j] == b'"' {
                        (c.state, j) = (State::CssDqUrl, j + 1);
                    } else if j != s.len() && s[j] == b'\'' {
                        (c.state, j) = (State::CssSqUrl, j + 1);
                    } else {
                        c.state = State::CssUrl;
                    }
                    return (c, j);
                }
            }
            b'/' => {
                if i + 1 < s.len() {
                    match s[i + 1] {
                        b'/' => {
                            c.state = State::CssLineCmt;
                            return (c, i + 2);
                        }
                        b'*' => {
                            c.state = State::CssBlockCmt;
                            return (c, i + 2);
                        }
                        _ => {}
                    }
                }
            }
            b'"' => {
                c.state = State::CssDqStr;
                return (c, i + 1);
            }
            _ => {
                c.state = State::CssSqStr;
                return (c, i + 1);
            }
        }
        k = i + 1;
    }
}

pub(super) fn t_css_str(mut c: Context, s: &[u8]) -> (Context, usize) {
    let end_and_esc: &[u8] = match c.state {
        State::CssDqStr | State::CssDqUrl => b"\\\"",
        State::CssSqStr | State::CssSqUrl => b"\\'",
        _ => b"\\\t\n\x0c\r )",
    };
    let mut k = 0;
    loop {
        let Some(off) = find_any(&s[k..], end_and_esc) else {
            let (c, n) = t_url(c, &super::css::decode_css(&s[k..]));
            let _ = n;
            return (c, s.len());
        };
        let mut i = k + off;
        if s[i] == b'\\' {
            i += 1;
            if i == s.len() {
                return (bad(format!("unfinished escape sequence in CSS string: {}", q(s, None))), s.len());
            }
        } else {
            c.state = State::Css;
            return (c, i + 1);
        }
        c = t_url(c, &super::css::decode_css(&s[..i + 1])).0;
        k = i + 1;
    }
}
