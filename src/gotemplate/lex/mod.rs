//! The lexer of Go's text/template (`text/template/parse/lex.go`), pulled one item at a time by
//! the parser instead of running on a goroutine: no thread, no channel, items borrow the text.

/// What an item is; keywords come after [`Kind::Variable`], as in Go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Error,
    Bool,
    /// A printable ASCII character that is nothing else (`,`, `=` is [`Kind::Assign`]).
    Char,
    CharConstant,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl Kind {
    pub(crate) fn is_keyword(self) -> bool {
        matches!(
            self,
            Kind::Block
                | Kind::Break
                | Kind::Continue
                | Kind::Dot
                | Kind::Define
                | Kind::Else
                | Kind::End
                | Kind::If
                | Kind::Nil
                | Kind::Range
                | Kind::Template
                | Kind::With
        )
    }
}

/// One token: its kind and where it is in the text (`pos..end`); an error item's message is the
/// lexer's [`Lexer::error`], and `line_at` is the offset whose line Go reports for it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item {
    pub kind: Kind,
    pub pos: usize,
    pub end: usize,
    pub line_at: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    Inside,
    Done,
}

pub(crate) struct Lexer<'a> {
    pub input: &'a str,
    pos: usize,
    start: usize,
    state: State,
    paren_depth: usize,
    pending: Option<Item>,
    /// The message of the error item, once one is returned (the lexer stops there).
    pub error: String,
    pub break_ok: bool,
    pub continue_ok: bool,
}

mod scan;

pub(crate) use scan::{go_quote, unicode_name};

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go's `isAlphaNumeric`: `_`, a letter or a decimal digit of any script.
fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_ascii_digit() || (!c.is_ascii() && is_nd(c))
}

/// Go's `unicode.IsDigit` beyond ASCII (category Nd), which Rust's std cannot look up: the
/// common scripts' runs of ten digits, by their zero.
fn is_nd(c: char) -> bool {
    const ZEROS: &[u32] = &[
        0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0, 0xF20,
        0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0,
        0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    ];
    let u = c as u32;
    ZEROS.iter().any(|&z| (z..z + 10).contains(&u))
}

fn has_left_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1])
}

fn has_right_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0]) && b[1] == b'-'
}

fn right_trim_len(s: &str) -> usize {
    s.len() - s.trim_end_matches(|c: char| c.is_ascii() && is_space(c as u8)).len()
}

fn left_trim_len(s: &str) -> usize {
    s.len() - s.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8)).len()
}

impl<'a> Lexer<'a> {
    pub fn new(input: &'a str) -> Self {
        Lexer {
            input,
            pos: 0,
            start: 0,
            state: State::Text,
            paren_depth: 0,
            pending: None,
            error: String::new(),
            break_ok: true,
            continue_ok: true,
        }
    }

    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn peek_char(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek_char() {
            Some(c) if valid.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn item(&mut self, kind: Kind) -> Item {
        let item = Item { kind, pos: self.start, end: self.pos, line_at: self.start };
        self.start = self.pos;
        item
    }

    fn fail(&mut self, message: String, line_at: usize) -> Item {
        self.error = message;
        self.state = State::Done;
        Item { kind: Kind::Error, pos: self.start, end: self.pos, line_at }
    }

    /// The next item; after [`Kind::Eof`] or [`Kind::Error`], Eof forever.
    pub fn next_item(&mut self) -> Item {
        if let Some(item) = self.pending.take() {
            return item;
        }
        loop {
            let item = match self.state {
                State::Done => {
                    return Item {
                        kind: Kind::Eof,
                        pos: self.input.len(),
                        end: self.input.len(),
                        line_at: self.input.len(),
                    }
                }
                State::Text => self.lex_text(),
                State::Inside => self.lex_inside(),
            };
            if let Some(item) = item {
                return item;
            }
        }
    }

    fn lex_text(&mut self) -> Option<Item> {
        let Some(x) = self.rest().find(LEFT) else {
            self.pos = self.input.len();
            self.state = State::Done;
            let eof = Item { kind: Kind::Eof, pos: self.pos, end: self.pos, line_at: self.pos };
            if self.pos > self.start {
                self.pending = Some(eof);
                return Some(self.item(Kind::Text));
            }
            return Some(eof);
        };
        let mut text = None;
        if x > 0 {
            self.pos += x;
            let mut trim = 0;
            if has_left_trim(&self.input[self.pos + LEFT.len()..]) {
                trim = right_trim_len(&self.input[self.start..self.pos]);
            }
            self.pos -= trim;
            let item = self.item(Kind::Text);
            self.pos += trim;
            self.start = self.pos;
            if item.end > item.pos {
                text = Some(item);
            }
        }
        let delim = self.lex_left_delim();
        match (text, delim) {
            (Some(t), d) => {
                self.pending = d;
                Some(t)
            }
            (None, d) => d,
        }
    }

    /// At `{{`: a comment (skipped, or an error) or the left delimiter item.
    fn lex_left_delim(&mut self) -> Option<Item> {
        self.pos += LEFT.len();
        let trim = has_left_trim(self.rest());
        let after = if trim { 2 } else { 0 };
        if self.input[self.pos + after..].starts_with(LEFT_COMMENT) {
            self.pos += after;
            self.start = self.pos;
            return self.lex_comment();
        }
        let item = self.item(Kind::LeftDelim);
        self.pos += after;
        self.start = self.pos;
        self.paren_depth = 0;
        self.state = State::Inside;
        Some(item)
    }

    fn lex_comment(&mut self) -> Option<Item> {
        let at = self.pos;
        self.pos += LEFT_COMMENT.len();
        let Some(x) = self.rest().find(RIGHT_COMMENT) else {
            return Some(self.fail("unclosed comment".into(), at));
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return Some(self.fail("comment ends before closing delimiter".into(), at));
        }
        if trim {
            self.pos += 2;
        }
        self.pos += RIGHT.len();
        if trim {
            self.pos += left_trim_len(self.rest());
        }
        self.start = self.pos;
        self.state = State::Text;
        None
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        if has_right_trim(rest) && rest[2..].starts_with(RIGHT) {
            return (true, true);
        }
        (rest.starts_with(RIGHT), false)
    }

    fn lex_right_delim(&mut self) -> Option<Item> {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += 2;
            self.start = self.pos;
        }
        self.pos += RIGHT.len();
        let item = self.item(Kind::RightDelim);
        if trim {
            self.pos += left_trim_len(self.rest());
            self.start = self.pos;
        }
        self.state = State::Text;
        Some(item)
    }

    fn lex_inside(&mut self) -> Option<Item> {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return self.lex_right_delim();
            }
            return Some(self.fail("unclosed left paren".into(), self.pos));
        }
        let Some(r) = self.next_char() else {
            return Some(self.fail("unclosed action".into(), self.pos));
        };
        Some(match r {
            _ if r.is_ascii() && is_space(r as u8) => {
                self.pos -= 1;
                return self.lex_space();
            }
            '=' => self.item(Kind::Assign),
            ':' => {
                if self.next_char() != Some('=') {
                    return Some(self.fail("expected :=".into(), self.pos));
                }
                self.item(Kind::Declare)
            }
            '|' => self.item(Kind::Pipe),
            '"' => return Some(self.lex_quote()),
            '`' => return Some(self.lex_raw_quote()),
            '$' => return Some(self.lex_variable()),
            '\'' => return Some(self.lex_char()),
            '.' if !self.rest().as_bytes().first().is_some_and(u8::is_ascii_digit) => {
                return Some(self.lex_field_or_variable(Kind::Field))
            }
            '.' | '+' | '-' | '0'..='9' => {
                self.pos -= 1;
                return Some(self.lex_number());
            }
            _ if is_alphanumeric(r) => {
                self.pos -= r.len_utf8();
                return Some(self.lex_identifier());
            }
            '(' => {
                self.paren_depth += 1;
                self.item(Kind::LeftParen)
            }
            ')' => {
                if self.paren_depth == 0 {
                    return Some(self.fail(format!("unexpected right paren {}", unicode_name(r)), self.pos));
                }
                self.paren_depth -= 1;
                self.item(Kind::RightParen)
            }
            _ if r.is_ascii() && !r.is_ascii_control() => self.item(Kind::Char),
            _ => return Some(self.fail(format!("unrecognized character in action: {}", unicode_name(r)), self.pos)),
        })
    }

    fn lex_space(&mut self) -> Option<Item> {
        let mut spaces = 0;
        while self.rest().as_bytes().first().is_some_and(|&b| is_space(b)) {
            self.pos += 1;
            spaces += 1;
        }
        // A trim-marked closing delimiter after a space: the space belongs to the marker.
        if has_right_trim(&self.input[self.pos - 1..]) && self.input[self.pos + 1..].starts_with(RIGHT) {
            self.pos -= 1;
            if spaces == 1 {
                return self.lex_right_delim();
            }
        }
        Some(self.item(Kind::Space))
    }
}
