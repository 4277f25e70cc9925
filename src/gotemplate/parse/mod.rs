//! The parser of Go's text/template (`text/template/parse/parse.go`), with its grammar, its
//! lookahead of three tokens and its error messages. It recurses once per nested control
//! structure or parenthesis, up to [`Options::max_depth`].

use std::borrow::Cow;

use super::ast::{is_empty, Branch, BranchKind, List, Node};
use super::lex::{go_quote, Item, Kind, Lexer};
use super::number::unquote;
use super::{Error, Options, Parsed};

/// What an action that is not a node ends a list with.
enum Step<'a> {
    Node(Node<'a>),
    End,
    Else,
}

impl Step<'_> {
    fn describe(&self) -> &'static str {
        match self {
            Step::End => "{{end}}",
            Step::Else => "{{else}}",
            Step::Node(_) => "node",
        }
    }
}

mod pipe;

type R<T> = Result<T, Error>;

pub(crate) struct Parser<'a, 'o> {
    lex: Lexer<'a>,
    text: &'a str,
    name: &'o str,
    opts: &'o Options<'o>,
    token: [Item; 3],
    peek_count: usize,
    vars: Vec<&'a str>,
    range_depth: usize,
    depth: usize,
    action_pos: Option<usize>,
    /// Whether [`Options::vars`] are in scope: in the named template, not in a `define`/`block`.
    predeclared: bool,
    trees: Vec<(Cow<'a, str>, List<'a>)>,
}

impl<'a, 'o> Parser<'a, 'o> {
    pub fn new(name: &'o str, text: &'a str, opts: &'o Options<'o>) -> Self {
        let mut lex = Lexer::new(text);
        lex.break_ok = !opts.has_function("break");
        lex.continue_ok = !opts.has_function("continue");
        let none = Item { kind: Kind::Eof, pos: 0, end: 0, line_at: 0 };
        let mut vars = Vec::with_capacity(8);
        vars.push("$");
        Parser {
            lex,
            text,
            name,
            opts,
            token: [none; 3],
            peek_count: 0,
            vars,
            range_depth: 0,
            depth: 0,
            action_pos: None,
            predeclared: true,
            trees: Vec::new(),
        }
    }

    fn val(&self, item: Item) -> &'a str {
        &self.text[item.pos..item.end]
    }

    fn next(&mut self) -> Item {
        if self.peek_count > 0 {
            self.peek_count -= 1;
        } else {
            self.token[0] = self.lex.next_item();
        }
        self.token[self.peek_count]
    }

    fn backup(&mut self) {
        self.peek_count += 1;
    }

    fn backup2(&mut self, t1: Item) {
        self.token[1] = t1;
        self.peek_count = 2;
    }

    fn backup3(&mut self, t2: Item, t1: Item) {
        self.token[1] = t1;
        self.token[2] = t2;
        self.peek_count = 3;
    }

    fn peek(&mut self) -> Item {
        if self.peek_count > 0 {
            return self.token[self.peek_count - 1];
        }
        self.peek_count = 1;
        self.token[0] = self.lex.next_item();
        self.token[0]
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let t = self.next();
            if t.kind != Kind::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn line_of(&self, offset: usize) -> usize {
        1 + self.text.as_bytes()[..offset.min(self.text.len())].iter().filter(|&&b| b == b'\n').count()
    }

    /// Go's `errorf`: the message, at the line of the last token read.
    fn error<T>(&self, message: impl Into<String>) -> R<T> {
        self.error_at(self.token[0].line_at, message)
    }

    /// [`Self::error`] about the token at `offset` (Go's line stays that of the last token).
    fn error_at<T>(&self, offset: usize, message: impl Into<String>) -> R<T> {
        let line = self.line_of(self.token[0].line_at);
        Err(Error { name: self.name.to_owned(), offset, line, message: message.into() })
    }

    /// Go's `item.String()`.
    fn describe(&self, item: Item) -> String {
        match item.kind {
            Kind::Eof => "EOF".into(),
            Kind::Error => self.lex.error.clone(),
            k if k.is_keyword() => format!("<{}>", self.val(item)),
            _ => {
                let v = self.val(item);
                match v.char_indices().nth(10) {
                    Some((cut, _)) => format!("{}...", go_quote(&v[..cut])),
                    None => go_quote(v),
                }
            }
        }
    }

    fn unexpected<T>(&self, item: Item, context: &str) -> R<T> {
        if item.kind == Kind::Error {
            let mut extra = String::new();
            if let Some(action) = self.action_pos {
                let (action_line, line) = (self.line_of(action), self.line_of(item.line_at));
                if action_line != line {
                    let started = format!("started at {}:{}", self.name, action_line);
                    extra = if self.lex.error.ends_with(" action") {
                        format!(" {started}")
                    } else {
                        format!(" in action {started}")
                    };
                }
            }
            return self.error_at(item.pos, format!("{}{extra}", self.lex.error));
        }
        self.error_at(item.pos, format!("unexpected {} in {context}", self.describe(item)))
    }

    fn expect(&mut self, kind: Kind, context: &str) -> R<Item> {
        let t = self.next_non_space();
        if t.kind != kind {
            return self.unexpected(t, context);
        }
        Ok(t)
    }

    fn add(&mut self, name: Cow<'a, str>, list: List<'a>) -> R<()> {
        match self.trees.iter_mut().find(|(n, _)| *n == name) {
            None => self.trees.push((name, list)),
            Some((_, old)) if is_empty(old) => *old = list,
            Some(_) if !is_empty(&list) => {
                return self.error(format!("template: multiple definition of template {}", go_quote(&name)))
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// The whole text: the named template and every `define`d and `block` one.
    pub fn parse(mut self) -> R<Parsed<'a>> {
        let mut root = Vec::new();
        while self.peek().kind != Kind::Eof {
            if self.peek().kind == Kind::LeftDelim {
                let delim = self.next();
                if self.next_non_space().kind == Kind::Define {
                    self.definition()?;
                    continue;
                }
                self.backup2(delim);
            }
            match self.text_or_action()? {
                Step::Node(n) => root.push(n),
                s => return self.error(format!("unexpected {}", s.describe())),
            }
        }
        self.add(Cow::Owned(self.name.to_owned()), root)?;
        Ok(Parsed { trees: self.trees })
    }

    fn definition(&mut self) -> R<()> {
        const CONTEXT: &str = "define clause";
        let t = self.next_non_space();
        if !matches!(t.kind, Kind::String | Kind::RawString) {
            return self.unexpected(t, CONTEXT);
        }
        let name = self.unquote(t)?;
        self.expect(Kind::RightDelim, CONTEXT)?;
        let saved = (std::mem::replace(&mut self.vars, vec!["$"]), self.range_depth, self.predeclared);
        (self.range_depth, self.predeclared) = (0, false);
        let (list, end) = self.item_list()?;
        (self.vars, self.range_depth, self.predeclared) = saved;
        if !matches!(end, Step::End) {
            return self.error(format!("unexpected {} in {CONTEXT}", end.describe()));
        }
        self.add(name, list)
    }

    fn unquote(&self, t: Item) -> R<Cow<'a, str>> {
        let v = self.val(t);
        if t.kind == Kind::RawString && !v[1..v.len() - 1].contains('\r') {
            return Ok(Cow::Borrowed(&v[1..v.len() - 1]));
        }
        if t.kind == Kind::String && !v.contains('\\') {
            return Ok(Cow::Borrowed(&v[1..v.len() - 1]));
        }
        match unquote(v) {
            Some(s) => Ok(Cow::Owned(s)),
            None => self.error("invalid syntax"),
        }
    }

    fn item_list(&mut self) -> R<(List<'a>, Step<'a>)> {
        let mut list = Vec::new();
        while self.peek_non_space().kind != Kind::Eof {
            match self.text_or_action()? {
                Step::Node(n) => list.push(n),
                s => return Ok((list, s)),
            }
        }
        self.error("unexpected EOF")
    }

    fn text_or_action(&mut self) -> R<Step<'a>> {
        let t = self.next_non_space();
        match t.kind {
            Kind::Text => Ok(Step::Node(Node::Text(self.val(t).into()))),
            Kind::LeftDelim => {
                self.action_pos = Some(t.pos);
                let step = self.action();
                self.action_pos = None;
                step
            }
            _ => self.unexpected(t, "input"),
        }
    }

    fn action(&mut self) -> R<Step<'a>> {
        let t = self.next_non_space();
        match t.kind {
            Kind::Block => return self.block().map(Step::Node),
            Kind::Break | Kind::Continue => {
                let word = if t.kind == Kind::Break { "{{break}}" } else { "{{continue}}" };
                let close = self.next_non_space();
                if close.kind != Kind::RightDelim {
                    return self.unexpected(close, word);
                }
                if self.range_depth == 0 {
                    return self.error(format!("{word} outside {{{{range}}}}"));
                }
                return Ok(Step::Node(if t.kind == Kind::Break { Node::Break(t.pos) } else { Node::Continue(t.pos) }));
            }
            Kind::Else => {
                let peek = self.peek_non_space();
                if !matches!(peek.kind, Kind::If | Kind::With) {
                    self.expect(Kind::RightDelim, "else")?;
                }
                return Ok(Step::Else);
            }
            Kind::End => {
                self.expect(Kind::RightDelim, "end")?;
                return Ok(Step::End);
            }
            Kind::If => return self.control(BranchKind::If).map(Step::Node),
            Kind::Range => return self.control(BranchKind::Range).map(Step::Node),
            Kind::With => return self.control(BranchKind::With).map(Step::Node),
            Kind::Template => return self.template().map(Step::Node),
            _ => {}
        }
        self.backup();
        Ok(Step::Node(Node::Action(self.pipeline("command", Kind::RightDelim)?)))
    }

    fn enter(&mut self, what: &str) -> R<()> {
        if self.depth >= self.opts.max_depth {
            return self.error(format!("max {what} depth exceeded"));
        }
        self.depth += 1;
        Ok(())
    }

    fn control(&mut self, kind: BranchKind) -> R<Node<'a>> {
        let context = match kind {
            BranchKind::If => "if",
            BranchKind::With => "with",
            BranchKind::Range => "range",
        };
        let vars = self.vars.len();
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        self.enter("control structure")?;
        let range = usize::from(kind == BranchKind::Range);
        self.range_depth += range;
        let (list, next) = self.item_list()?;
        self.range_depth -= range;
        let mut else_list = None;
        if let Step::Else = next {
            let chained = match kind {
                BranchKind::If => self.peek().kind == Kind::If,
                BranchKind::With => self.peek().kind == Kind::With,
                BranchKind::Range => false,
            };
            if chained {
                self.next();
                else_list = Some(vec![self.control(kind)?]);
            } else {
                let (l, end) = self.item_list()?;
                if !matches!(end, Step::End) {
                    return self.error(format!("expected end; found {}", end.describe()));
                }
                else_list = Some(l);
            }
        }
        self.depth -= 1;
        self.vars.truncate(vars);
        Ok(Node::Branch(Box::new(Branch { kind, pipe, list, else_list })))
    }

    fn template_name(&mut self, t: Item, context: &str) -> R<Cow<'a, str>> {
        match t.kind {
            Kind::String | Kind::RawString => self.unquote(t),
            _ => self.unexpected(t, context),
        }
    }

    fn block(&mut self) -> R<Node<'a>> {
        const CONTEXT: &str = "block clause";
        let t = self.next_non_space();
        let name = self.template_name(t, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, Kind::RightDelim)?;
        // The body is a template of its own: no variables or range from outside.
        let saved = (std::mem::replace(&mut self.vars, vec!["$"]), self.range_depth, self.predeclared);
        (self.range_depth, self.predeclared) = (0, false);
        self.enter("control structure")?;
        let (list, end) = self.item_list()?;
        self.depth -= 1;
        (self.vars, self.range_depth, self.predeclared) = saved;
        if !matches!(end, Step::End) {
            return self.error(format!("unexpected {} in {CONTEXT}", end.describe()));
        }
        self.add(name.clone(), list)?;
        Ok(Node::Template { pos: t.pos, name, pipe: Some(pipe) })
    }

    fn template(&mut self) -> R<Node<'a>> {
        const CONTEXT: &str = "template clause";
        let t = self.next_non_space();
        let name = self.template_name(t, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().kind != Kind::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, Kind::RightDelim)?);
        }
        Ok(Node::Template { pos: t.pos, name, pipe })
    }
}
