//! A JSON reader straight into the positioned tree, for dashboards. Going through the YAML parser
//! cost most of a project check (JSON is YAML's flow style, scanned token by token there). It is
//! iterative, so reading never recurses. Anything unusual — a syntax error, a
//! repeated key — returns `None`, and the caller takes the YAML path, whose messages are the ones
//! users see.

use super::{Located, SourceNode, Tree};
use crate::diag::Pos;

/// Parses `text` as one JSON document; `None` when it is not plain, valid JSON.
pub fn parse(text: &str) -> Option<Tree> {
    let mut r = Reader { text, bytes: text.as_bytes(), i: 0, line: 1, col: 1 };
    r.skip_ws();
    let tree = r.document()?;
    r.skip_ws();
    (r.i == r.bytes.len()).then_some(tree)
}

/// Deeper documents are left to the YAML path, which refuses them in words (as it bounds nesting
/// for every kind of file); a dashboard is a handful of levels deep.
const MAX_DEPTH: usize = 64;

/// An open container and the key its next value belongs to.
enum Open {
    Seq(Pos, Vec<Tree>),
    Map(Pos, Vec<(Located<String>, Tree)>, Option<Located<String>>),
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    i: usize,
    line: u64,
    col: u64,
}

impl Reader<'_> {
    fn pos(&self) -> Pos {
        Pos { line: self.line, column: self.col }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.i).copied()
    }

    /// Moves past one byte; columns count characters, so UTF-8 continuation bytes add none.
    fn bump(&mut self) {
        let b = self.bytes[self.i];
        self.i += 1;
        if b == b'\n' {
            self.line += 1;
            self.col = 1;
        } else if b & 0xC0 != 0x80 {
            self.col += 1;
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == b).then(|| self.bump())
    }

    fn document(&mut self) -> Option<Tree> {
        let mut stack: Vec<Open> = Vec::new();
        loop {
            self.skip_ws();
            // A key first, when a mapping waits for one.
            if let Some(Open::Map(_, entries, key @ None)) = stack.last_mut() {
                if self.peek()? == b'}' && entries.is_empty() {
                    // `{}`: closed below.
                } else {
                    let at = self.pos();
                    let name = self.string()?;
                    if entries.iter().any(|(k, _)| k.value == name) {
                        return None;
                    }
                    *key = Some(Located { value: name, at });
                    self.expect(b':')?;
                    self.skip_ws();
                }
            }
            let at = self.pos();
            let value = match self.peek()? {
                b'{' if stack.len() < MAX_DEPTH => {
                    self.bump();
                    stack.push(Open::Map(at, Vec::new(), None));
                    continue;
                }
                b'[' if stack.len() < MAX_DEPTH => {
                    self.bump();
                    self.skip_ws();
                    if self.peek()? == b']' {
                        self.bump();
                        Located { value: SourceNode::Seq(Vec::new()), at }
                    } else {
                        stack.push(Open::Seq(at, Vec::new()));
                        continue;
                    }
                }
                b'}' if matches!(stack.last(), Some(Open::Map(_, e, None)) if e.is_empty()) => {
                    self.bump();
                    let Some(Open::Map(at, entries, _)) = stack.pop() else { return None };
                    Located { value: SourceNode::Map(entries), at }
                }
                b'"' => Located { value: SourceNode::Str(self.string()?), at },
                b't' => self.word("true", SourceNode::Bool(true), at)?,
                b'f' => self.word("false", SourceNode::Bool(false), at)?,
                b'n' => self.word("null", SourceNode::Null, at)?,
                b'-' | b'0'..=b'9' => Located { value: SourceNode::Number(self.number()?), at },
                _ => return None,
            };
            // Attach the value, then close every container it completes.
            let mut value = value;
            loop {
                match stack.last_mut() {
                    None => return Some(value),
                    Some(Open::Seq(_, items)) => {
                        items.push(value);
                        self.skip_ws();
                        match self.peek()? {
                            b',' => {
                                self.bump();
                                break;
                            }
                            b']' => {
                                self.bump();
                                let Some(Open::Seq(at, items)) = stack.pop() else { return None };
                                value = Located { value: SourceNode::Seq(items), at };
                            }
                            _ => return None,
                        }
                    }
                    Some(Open::Map(_, entries, key)) => {
                        entries.push((key.take()?, value));
                        self.skip_ws();
                        match self.peek()? {
                            b',' => {
                                self.bump();
                                break;
                            }
                            b'}' => {
                                self.bump();
                                let Some(Open::Map(at, entries, _)) = stack.pop() else { return None };
                                value = Located { value: SourceNode::Map(entries), at };
                            }
                            _ => return None,
                        }
                    }
                }
            }
        }
    }

    fn word(&mut self, word: &str, value: SourceNode, at: Pos) -> Option<Tree> {
        if !self.text[self.i..].starts_with(word) {
            return None;
        }
        for _ in 0..word.len() {
            self.bump();
        }
        Some(Located { value, at })
    }

    fn number(&mut self) -> Option<f64> {
        let start = self.i;
        while matches!(self.peek(), Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')) {
            self.bump();
        }
        let text = &self.text[start..self.i];
        // JSON's grammar: no leading `+`, no leading zeros, digits around the point.
        let digits = text.strip_prefix('-').unwrap_or(text);
        let int = digits.split(['.', 'e', 'E']).next().unwrap_or("");
        if int.is_empty() || (int.len() > 1 && int.starts_with('0')) || text.ends_with(['.', 'e', 'E', '-', '+']) {
            return None;
        }
        text.parse().ok()
    }

    fn string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        self.bump();
        let mut out = String::new();
        loop {
            let start = self.i;
            while !matches!(self.peek()?, b'"' | b'\\') {
                if self.peek()? < 0x20 {
                    return None;
                }
                self.bump();
            }
            out.push_str(&self.text[start..self.i]);
            if self.peek()? == b'"' {
                self.bump();
                return Some(out);
            }
            self.bump();
            let escaped = self.peek()?;
            self.bump();
            match escaped {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let high = self.hex4()?;
                    let c = if (0xD800..0xDC00).contains(&high) {
                        // A surrogate pair spells one character beyond the basic plane.
                        if !self.text[self.i..].starts_with("\\u") {
                            return None;
                        }
                        self.bump();
                        self.bump();
                        let low = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&low) {
                            return None;
                        }
                        char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?
                    } else {
                        char::from_u32(high)?
                    };
                    out.push(c);
                }
                _ => return None,
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.i..self.i + 4)?;
        let n = u32::from_str_radix(digits, 16).ok()?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        for _ in 0..4 {
            self.bump();
        }
        Some(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The YAML path reads JSON too: both must give the same tree.
    #[track_caller]
    fn same_as_yaml(text: &str) {
        let fast = parse(text).unwrap_or_else(|| panic!("the JSON reader refused {text:?}"));
        let slow = super::super::parse(text).unwrap();
        assert_eq!(fast, slow, "{text}");
    }

    #[test]
    fn agrees_with_the_yaml_path() {
        same_as_yaml(r#"{"a": 1, "b": [true, false, null, -2.5e3, "x\"y\u00e9\ud83d\ude00"], "c": {}, "d": []}"#);
        same_as_yaml(
            "{\n  \"panels\": [\n    {\"id\": 1, \"targets\": [{\"expr\": \"up\"}]},\n    {\"id\": 2}\n  ]\n}\n",
        );
        same_as_yaml("[1, [2, [3, {\"k\": \"é v\"}]]]");
        for name in ["overview", "node", "blackbox", "http"] {
            same_as_yaml(crate::assets::bundled(&format!("dashboards/{name}.json")).unwrap());
        }
    }

    #[test]
    fn anything_unusual_goes_the_yaml_way() {
        for text in
            ["{\"a\": 1, \"a\": 2}", "{\"a\": 01}", "{\"a\": 1,}", "[1 2]", "{\"a\" 1}", "\"\t\"", "{} x", "nul"]
        {
            assert!(parse(text).is_none(), "{text}");
        }
    }

    #[test]
    fn deep_nesting_is_left_to_the_yaml_path() {
        let text = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse(&text(MAX_DEPTH)).is_some());
        assert!(super::super::parse(&text(MAX_DEPTH)).is_ok(), "the YAML path accepts what the reader does");
        assert!(parse(&text(MAX_DEPTH + 1)).is_none());
        assert!(parse(&text(200_000)).is_none());
    }
}
