//! The parse tree (Go's `parse.Node` kinds), borrowing names and text from the template's text.
//! Every node keeps the byte offset where it starts, for error messages at execution.

use std::borrow::Cow;

use super::number::Number;

/// A sequence of nodes.
pub type List<'a> = Vec<Node<'a>>;

/// A node of a template body.
#[derive(Debug, Clone)]
pub enum Node<'a> {
    /// Plain text, trim markers applied (html/template's escaping may rewrite it).
    Text(Cow<'a, str>),
    /// `{{pipeline}}`: prints the value unless the pipeline declares variables.
    Action(Pipe<'a>),
    /// `{{if}}`, `{{with}}` or `{{range}}` with their bodies.
    Branch(Box<Branch<'a>>),
    /// `{{template "name" pipeline}}` (also what `{{block}}` leaves in place).
    Template {
        /// Where the action starts.
        pos: usize,
        /// The template called.
        name: Cow<'a, str>,
        /// Its data, if given.
        pipe: Option<Pipe<'a>>,
    },
    /// `{{break}}` at this offset.
    Break(usize),
    /// `{{continue}}` at this offset.
    Continue(usize),
}

/// Which control structure a [`Branch`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BranchKind {
    /// `{{if}}`.
    If,
    /// `{{with}}`.
    With,
    /// `{{range}}`.
    Range,
}

/// `{{if|with|range pipe}} list {{else}} else_list {{end}}`.
#[derive(Debug, Clone)]
pub struct Branch<'a> {
    /// Which structure.
    pub kind: BranchKind,
    /// The condition, value or collection.
    pub pipe: Pipe<'a>,
    /// The body.
    pub list: List<'a>,
    /// The `{{else}}` body (an `else if`/`else with` is a nested branch here).
    pub else_list: Option<List<'a>>,
}

/// `$x := cmd | cmd …`.
#[derive(Debug, Clone)]
pub struct Pipe<'a> {
    /// Where it starts.
    pub pos: usize,
    /// `=` rather than `:=`.
    pub is_assign: bool,
    /// Variables declared or assigned, `$` included.
    pub decl: Vec<&'a str>,
    /// The commands, each fed the previous one's result as its last argument.
    pub cmds: Vec<Command<'a>>,
}

/// Space-separated operands: a function or method call, or a single value.
#[derive(Debug, Clone)]
pub struct Command<'a> {
    /// Where it starts.
    pub pos: usize,
    /// The operands; never empty.
    pub args: Vec<Arg<'a>>,
}

/// An operand.
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    /// `.A.B`: fields of dot, without their dots.
    Field(usize, Vec<&'a str>),
    /// `$x.A.B`: the variable name (with `$`) then fields.
    Variable(usize, Vec<&'a str>),
    /// `(pipeline).A.B` or another term followed by fields.
    Chain(usize, Box<Arg<'a>>, Vec<&'a str>),
    /// A function name.
    Identifier(usize, &'a str),
    /// `.`.
    Dot(usize),
    /// `nil`.
    Nil(usize),
    /// `true` or `false`.
    Bool(usize, bool),
    /// A number or character constant, with its text.
    Number(usize, Number, &'a str),
    /// A string constant, unquoted.
    String(usize, Cow<'a, str>),
    /// `(pipeline)`.
    Pipe(Box<Pipe<'a>>),
}

impl Arg<'_> {
    /// Where it starts.
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field(p, _)
            | Arg::Variable(p, _)
            | Arg::Chain(p, ..)
            | Arg::Identifier(p, _)
            | Arg::Dot(p)
            | Arg::Nil(p)
            | Arg::Bool(p, _)
            | Arg::Number(p, ..)
            | Arg::String(p, _) => *p,
            Arg::Pipe(p) => p.pos,
        }
    }
}

/// Go's `IsEmptyTree`: only space (and comments, which are not kept).
pub fn is_empty(list: &[Node<'_>]) -> bool {
    list.iter().all(|n| matches!(n, Node::Text(t) if t.trim_matches(|c: char| c.is_ascii_whitespace()).is_empty()))
}
