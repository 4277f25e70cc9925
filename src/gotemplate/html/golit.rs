//! Just enough of Go's composite literal syntax to read the test tables copied from Go's
//! `escape_test.go` unchanged: strings (interpreted and raw, joined with `+`), identifiers,
//! `{…}` with optional `key:` entries, comments.

/// A value of a Go literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// A string constant.
    Str(String),
    /// An identifier or number (`stateTag`, `0`).
    Ident(String),
    /// `Type{items}`, each item with its key if it has one.
    Composite(String, Vec<(Option<Lit>, Lit)>),
}

impl Lit {
    pub fn str(&self) -> &str {
        match self {
            Lit::Str(s) | Lit::Ident(s) => s,
            Lit::Composite(..) => "",
        }
    }

    pub fn items(&self) -> &[(Option<Lit>, Lit)] {
        match self {
            Lit::Composite(_, items) => items,
            _ => &[],
        }
    }
}

pub struct Reader<'t> {
    s: &'t [u8],
    i: usize,
}

impl<'t> Reader<'t> {
    pub fn new(s: &'t str) -> Self {
        Reader { s: s.as_bytes(), i: 0 }
    }

    fn skip(&mut self) {
        loop {
            while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            if self.s[self.i..].starts_with(b"//") {
                while self.i < self.s.len() && self.s[self.i] != b'\n' {
                    self.i += 1;
                }
            } else if self.s[self.i..].starts_with(b"/*") {
                let end = self.s[self.i..].windows(2).position(|w| w == b"*/").map_or(self.s.len(), |p| self.i + p + 2);
                self.i = end;
            } else {
                return;
            }
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip();
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn string(&mut self) -> String {
        let q = self.s[self.i];
        self.i += 1;
        let start = self.i;
        if q == b'`' {
            while self.s[self.i] != b'`' {
                self.i += 1;
            }
            self.i += 1;
            return String::from_utf8_lossy(&self.s[start..self.i - 1]).into_owned();
        }
        let mut out = String::new();
        let mut bytes = Vec::new();
        loop {
            let c = self.s[self.i];
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = self.s[self.i];
                    self.i += 1;
                    let hex = |n: usize, r: &mut Reader<'_>| {
                        let h = std::str::from_utf8(&r.s[r.i..r.i + n]).unwrap_or("0");
                        r.i += n;
                        u32::from_str_radix(h, 16).unwrap_or(0)
                    };
                    match e {
                        b'n' => bytes.push(b'\n'),
                        b't' => bytes.push(b'\t'),
                        b'r' => bytes.push(b'\r'),
                        b'x' => bytes.push(hex(2, self) as u8),
                        b'u' => {
                            let ch = char::from_u32(hex(4, self)).unwrap_or('\u{fffd}');
                            bytes.extend_from_slice(ch.to_string().as_bytes());
                        }
                        other => bytes.push(other),
                    }
                }
                c => bytes.push(c),
            }
        }
        out.push_str(&String::from_utf8_lossy(&bytes));
        out
    }

    /// One value.
    pub fn value(&mut self) -> Lit {
        match self.peek() {
            Some(b'"' | b'`') => {
                let mut s = self.string();
                while self.eat(b'+') {
                    self.peek();
                    s.push_str(&self.string());
                }
                Lit::Str(s)
            }
            Some(b'{') => self.composite(String::new()),
            _ => {
                let start = self.i;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_alphanumeric() || b"_.[]".contains(&self.s[self.i]))
                {
                    self.i += 1;
                }
                let name = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                if self.peek() == Some(b'{') {
                    self.composite(name)
                } else {
                    Lit::Ident(name)
                }
            }
        }
    }

    fn composite(&mut self, name: String) -> Lit {
        self.eat(b'{');
        let mut items = Vec::new();
        while !self.eat(b'}') {
            let v = self.value();
            if self.eat(b':') {
                let w = self.value();
                items.push((Some(v), w));
            } else {
                items.push((None, v));
            }
            self.eat(b',');
        }
        Lit::Composite(name, items)
    }
}

/// The table after the line `=== name` in `text`.
pub fn table(text: &str, name: &str) -> Lit {
    let marker = format!("=== {name}\n");
    let at = text.find(&marker).map_or(text.len(), |i| i + marker.len());
    Reader::new(&text[at..]).value()
}
