//! The fast path of [`super::parse`]: the tree straight from the parser's events. It decides only
//! what is unambiguous and gives up (returns `None`) on anything else, which serde-saphyr then
//! parses with YAML's full rules; `tests` holds both paths to the same trees.

use granit_parser::{Event, Parser, ScalarStyle};

use super::{Located, SourceNode, Tree};
use crate::diag::Pos;

enum Frame {
    Seq(Pos, Vec<Tree>),
    Map(Pos, Vec<(Located<String>, Tree)>, Option<Located<String>>),
}

/// Could a plain scalar be read as something else than a string by some YAML schema?
fn maybe_special(t: &str) -> bool {
    let b = t.as_bytes();
    let first = b.first().copied().unwrap_or(b' ');
    let numeric = first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.');
    // Letters in a number are an exponent's `e` or come after a `0x`, `0o` or `0b` prefix: `1d`
    // and `7d`, durations real rule files write, are strings.
    let unsigned = t.trim_start_matches(['-', '+']).as_bytes();
    let radix =
        unsigned.len() > 1 && unsigned[0] == b'0' && matches!(unsigned[1], b'x' | b'X' | b'o' | b'O' | b'b' | b'B');
    let numberish = numeric
        && t.bytes().all(|c| {
            c.is_ascii_hexdigit() || matches!(c, b'-' | b'+' | b'.' | b'_' | b':' | b'x' | b'o' | b'X' | b'O')
        })
        && (radix || t.bytes().all(|c| !c.is_ascii_alphabetic() || matches!(c, b'e' | b'E')))
        || matches!(t.trim_start_matches(['-', '+']), ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN");
    let wordish = matches!(
        t,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "True"
            | "TRUE"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
            | "Null"
            | "NULL"
            | "<<"
            | "="
            | "~"
    );
    numberish || wordish
}

/// What a plain scalar is, told without copying it.
enum Plain {
    Null,
    Bool(bool),
    Number(f64),
    Str,
    /// Some YAML schema may read it as something else: serde-saphyr decides.
    Ambiguous,
}

fn classify(t: &str) -> Plain {
    match t {
        "" | "null" | "~" => return Plain::Null,
        "true" => return Plain::Bool(true),
        "false" => return Plain::Bool(false),
        _ => {}
    }
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = digits.split_once('.').map_or((digits, None), |(i, f)| (i, Some(f)));
    let plain_int = !int.is_empty()
        && int.len() <= 15
        && int.bytes().all(|c| c.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'));
    let plain_frac = frac.is_none_or(|f| !f.is_empty() && f.len() <= 15 && f.bytes().all(|c| c.is_ascii_digit()));
    if plain_int && plain_frac {
        return t.parse::<f64>().map_or(Plain::Ambiguous, Plain::Number);
    }
    if maybe_special(t) {
        return Plain::Ambiguous;
    }
    Plain::Str
}

/// A plain scalar's value, when it is unambiguous.
fn resolve(t: std::borrow::Cow<'_, str>) -> Option<SourceNode> {
    match classify(&t) {
        Plain::Null => Some(SourceNode::Null),
        Plain::Bool(b) => Some(SourceNode::Bool(b)),
        Plain::Number(n) => Some(SourceNode::Number(n)),
        Plain::Str => Some(SourceNode::Str(t.into_owned())),
        Plain::Ambiguous => None,
    }
}

/// The tree of `text`, or `None` when it needs serde-saphyr's rules (or has errors).
pub(super) fn parse(text: &str) -> Option<Tree> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Tree> = None;
    let mut documents = 0;
    let mut nodes = 0usize;
    let mut options = granit_parser::Options::default();
    // Comments are not data; never have the parser report them.
    options.set_emit_comments(false);
    for item in Parser::new_from_str_with_options(text, options) {
        let (event, span) = item.ok()?;
        let at = Pos { line: span.start.line() as u64, column: span.start.col() as u64 + 1 };
        let awaiting_key = matches!(stack.last(), Some(Frame::Map(_, _, None)));
        let node = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => continue,
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return None;
                }
                continue;
            }
            Event::Scalar(value, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                let plain = style == ScalarStyle::Plain;
                if awaiting_key {
                    // Keys are strings here; any other plain key goes to serde-saphyr.
                    if plain && !matches!(classify(&value), Plain::Str) {
                        return None;
                    }
                    if let Some(Frame::Map(_, _, pending)) = stack.last_mut() {
                        *pending = Some(Located { value: value.into_owned(), at });
                    }
                    continue;
                }
                let node = if plain { resolve(value)? } else { SourceNode::Str(value.into_owned()) };
                Located { value: node, at }
            }
            Event::SequenceStart(_, anchor, tag) | Event::MappingStart(_, anchor, tag)
                if anchor != 0 || tag.is_some() || awaiting_key =>
            {
                return None;
            }
            // Deeper than the budget: serde-saphyr says so.
            Event::SequenceStart(..) | Event::MappingStart(..) if stack.len() >= crate::syntax::yaml::MAX_DEPTH => {
                return None;
            }
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq(at, Vec::new()));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push(Frame::Map(at, Vec::new(), None));
                continue;
            }
            Event::SequenceEnd => match stack.pop()? {
                Frame::Seq(at, items) => Located { value: SourceNode::Seq(items), at },
                Frame::Map(..) => return None,
            },
            Event::MappingEnd => match stack.pop()? {
                Frame::Map(at, entries, None) => Located { value: SourceNode::Map(entries), at },
                _ => return None,
            },
            _ => return None,
        };
        nodes += 1;
        if nodes > crate::syntax::yaml::MAX_NODES {
            return None;
        }
        match stack.last_mut() {
            None if root.is_none() => root = Some(node),
            None => return None,
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, entries, pending)) => {
                let key = pending.take()?;
                // A repeated key is an error; serde-saphyr words it.
                if entries.iter().any(|(k, _)| k.value == key.value) {
                    return None;
                }
                entries.push((key, node));
            }
        }
    }
    if !stack.is_empty() {
        return None;
    }
    Some(root.unwrap_or_else(|| super::unplaced(SourceNode::Null)))
}
