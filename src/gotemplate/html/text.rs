//! Literal text under escaping (Go's `escapeText`): the context after it, and what it loses or
//! gains (HTML comments dropped, a stray `<` as `&lt;`, `</script` in a JS literal as `\x3C/script`).

use super::context::{Context, Delim, State};
use super::escape::Escaper;
use super::transition::context_after_text;

impl Escaper<'_, '_> {
    pub(super) fn escape_text(&mut self, mut c: Context, s: &[u8], at: usize) -> Context {
        let (mut written, mut i, mut b) = (0, 0, Vec::new());
        while i != s.len() {
            let (c1, nread) = context_after_text(c.clone(), &s[i..]);
            let i1 = i + nread;
            if c.state == State::Text || c.state == State::Rcdata {
                let mut end = i1;
                if c1.state != c.state {
                    if let Some(j) = (i..end).rev().find(|&j| s[j] == b'<') {
                        end = j;
                    }
                }
                for j in i..end {
                    if s[j] == b'<' && !s[j..].to_ascii_uppercase().starts_with(b"<!DOCTYPE") {
                        b.extend_from_slice(&s[written..j]);
                        b.extend_from_slice(b"&lt;");
                        written = j + 1;
                    }
                }
            } else if c.state.is_comment() && c.delim == Delim::None {
                match c.state {
                    // A block comment with a line break is a line break to JS (ES5 7.4).
                    State::JsBlockCmt => {
                        let t = String::from_utf8_lossy(&s[written..i1]);
                        b.push(if t.contains(['\n', '\r', '\u{2028}', '\u{2029}']) { b'\n' } else { b' ' });
                    }
                    State::CssBlockCmt => b.push(b' '),
                    _ => {}
                }
                written = i1;
            }
            if c.state != c1.state && c1.state.is_comment() && c1.delim == Delim::None {
                let mut cs = i1 - 2;
                if c1.state == State::HtmlCmt || c1.state == State::JsHtmlOpenCmt {
                    cs -= 2;
                } else if c1.state == State::JsHtmlCloseCmt {
                    cs -= 1;
                }
                b.extend_from_slice(&s[written..cs]);
                written = i1;
            }
            if c.state.is_in_script_literal() && contains_special_script_tag(&s[i..i1]) {
                b.extend_from_slice(&s[written..i]);
                b.extend_from_slice(&escape_special_script_tags(&s[i..i1]));
                written = i1;
            }
            if i == i1 && c.state == c1.state {
                // Go panics here; no transition returns without progress or a state change.
                break;
            }
            c = c1;
            i = i1;
        }
        if written != 0 && c.state != State::Error {
            if !c.state.is_comment() || c.delim != Delim::None {
                b.extend_from_slice(&s[written..]);
            }
            self.edits.texts.insert(at, String::from_utf8_lossy(&b).into_owned());
        }
        c
    }
}

#[cfg(test)]
/// The context of a text after escaping it in `c` (what Go's `TestEscapeText` checks).
pub fn context_of_text(set: &crate::gotemplate::exec::Set<'_>, text: &str) -> Context {
    let mut e = Escaper::new(set, std::collections::HashMap::new());
    let node = crate::gotemplate::ast::Node::Text(text.into());
    e.escape_text(Context::default(), text.as_bytes(), super::escape::addr(&node))
}

fn special_script_tag_at(s: &[u8], i: usize) -> Option<usize> {
    if s[i] != b'<' {
        return None;
    }
    let rest = &s[i + 1..];
    [&b"script"[..], b"/script", b"!--"]
        .iter()
        .find(|t| rest.len() >= t.len() && rest[..t.len()].eq_ignore_ascii_case(t))
        .map(|t| t.len())
}

fn contains_special_script_tag(s: &[u8]) -> bool {
    (0..s.len()).any(|i| special_script_tag_at(s, i).is_some())
}

/// `<script`, `</script` and `<!--` in JS literals with `\x3C` for `<` (WHATWG HTML 4.12.1.3).
fn escape_special_script_tags(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if let Some(n) = special_script_tag_at(s, i) {
            out.extend_from_slice(b"\\x3C");
            out.extend_from_slice(&s[i + 1..i + 1 + n]);
            i += 1 + n;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}
