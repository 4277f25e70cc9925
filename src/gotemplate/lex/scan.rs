//! The tokens inside an action: identifiers, fields, variables, and literals.

use super::{is_alphanumeric, is_space, Item, Kind, Lexer, RIGHT};

impl Lexer<'_> {
    pub(super) fn lex_identifier(&mut self) -> Item {
        while self.peek_char().is_some_and(is_alphanumeric) {
            self.next_char();
        }
        let word = &self.input[self.start..self.pos];
        if !self.at_terminator() {
            let c = self.peek_char().unwrap_or('\0');
            self.next_char();
            return self.fail(format!("bad character {}", unicode_name(c)), self.pos);
        }
        let kind = match word {
            "block" => Kind::Block,
            "break" if self.break_ok => Kind::Break,
            "continue" if self.continue_ok => Kind::Continue,
            "define" => Kind::Define,
            "else" => Kind::Else,
            "end" => Kind::End,
            "if" => Kind::If,
            "range" => Kind::Range,
            "nil" => Kind::Nil,
            "template" => Kind::Template,
            "with" => Kind::With,
            "true" | "false" => Kind::Bool,
            _ => Kind::Identifier,
        };
        self.item(kind)
    }

    pub(super) fn lex_variable(&mut self) -> Item {
        if self.at_terminator() {
            return self.item(Kind::Variable);
        }
        self.lex_field_or_variable(Kind::Variable)
    }

    /// After the `.` or `$` of a field or variable.
    pub(super) fn lex_field_or_variable(&mut self, kind: Kind) -> Item {
        if self.at_terminator() {
            return self.item(if kind == Kind::Variable { Kind::Variable } else { Kind::Dot });
        }
        while self.peek_char().is_some_and(is_alphanumeric) {
            self.next_char();
        }
        if !self.at_terminator() {
            let c = self.peek_char().unwrap_or('\0');
            self.next_char();
            return self.fail(format!("bad character {}", unicode_name(c)), self.pos);
        }
        self.item(kind)
    }

    pub(super) fn at_terminator(&self) -> bool {
        match self.peek_char() {
            None => true,
            Some(c) if c.is_ascii() && is_space(c as u8) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            Some(_) => self.rest().starts_with(RIGHT),
        }
    }

    pub(super) fn lex_char(&mut self) -> Item {
        loop {
            match self.next_char() {
                Some('\\') => match self.next_char() {
                    Some(c) if c != '\n' => {}
                    _ => return self.fail("unterminated character constant".into(), self.pos),
                },
                None | Some('\n') => return self.fail("unterminated character constant".into(), self.pos),
                Some('\'') => return self.item(Kind::CharConstant),
                Some(_) => {}
            }
        }
    }

    pub(super) fn lex_number(&mut self) -> Item {
        if !self.scan_number() {
            let msg = format!("bad number syntax: {}", go_quote(&self.input[self.start..self.pos]));
            return self.fail(msg, self.pos);
        }
        if matches!(self.peek_char(), Some('+' | '-')) {
            // Complex: 1+2i, no spaces, ending in `i`.
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                let msg = format!("bad number syntax: {}", go_quote(&self.input[self.start..self.pos]));
                return self.fail(msg, self.pos);
            }
            return self.item(Kind::Complex);
        }
        self.item(Kind::Number)
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek_char().is_some_and(is_alphanumeric) {
            self.next_char();
            return false;
        }
        true
    }

    pub(super) fn lex_quote(&mut self) -> Item {
        loop {
            match self.next_char() {
                Some('\\') => match self.next_char() {
                    Some(c) if c != '\n' => {}
                    _ => return self.fail("unterminated quoted string".into(), self.pos),
                },
                None | Some('\n') => return self.fail("unterminated quoted string".into(), self.pos),
                Some('"') => return self.item(Kind::String),
                Some(_) => {}
            }
        }
    }

    pub(super) fn lex_raw_quote(&mut self) -> Item {
        match self.rest().find('`') {
            Some(x) => {
                self.pos += x + 1;
                self.item(Kind::RawString)
            }
            None => {
                self.pos = self.input.len();
                self.fail("unterminated raw quoted string".into(), self.pos)
            }
        }
    }
}

/// Go's `%#U` of a rune: `U+0023 '#'`.
pub(crate) fn unicode_name(c: char) -> String {
    // Go shows the character only when `strconv.IsPrint` says so: no controls, no spaces but ' '.
    if c.is_control() || (c.is_whitespace() && c != ' ') || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{feff}')
    {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{c}'", c as u32)
    }
}

pub(crate) use crate::syntax::quote::quote as go_quote;
