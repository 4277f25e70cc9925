//! The executor (`text/template/exec.go`): a set of parsed templates run on a data value with a
//! function table, with Go's scoping, truth, ranges (maps in key order), `break`/`continue`,
//! `template` calls, argument typing and error messages.

use std::borrow::Cow;
use std::collections::HashMap;

use super::ast::{Arg, BranchKind, Command, List, Node, Pipe};
use super::builtins;
use super::lex::go_quote;
use super::value::Value;
use super::Parsed;

/// Deepest chain of `{{template}}` calls (Go: 100,000); each level takes stack.
pub const MAX_EXEC_DEPTH: usize = 100;

/// What a parameter of a function accepts: Go converts constants to it and rejects other
/// values of another type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// `interface{}`: anything.
    Any,
    /// `string`.
    Str,
    /// `float64`.
    Float,
    /// `int`.
    Int,
    /// `bool`.
    Bool,
}

impl Param {
    fn go(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Str => "string",
            Param::Float => "float64",
            Param::Int => "int",
            Param::Bool => "bool",
        }
    }

    fn accepts(self, v: &Value) -> bool {
        matches!(
            (self, v),
            (Param::Any, _)
                | (Param::Str, Value::Str(_))
                | (Param::Float, Value::Float(_))
                | (Param::Int, Value::Int(_))
                | (Param::Bool, Value::Bool(_))
        )
    }
}

/// A function's implementation: its arguments, typed as declared; an error is Go's
/// `error calling NAME: …`.
pub type Callback<'f> = dyn Fn(&[Value]) -> Result<Value, String> + 'f;

struct Func<'f> {
    params: Vec<Param>,
    variadic: Option<Param>,
    call: Box<Callback<'f>>,
}

/// A function map (Go's `template.FuncMap`), built once and used for many executions.
#[derive(Default)]
pub struct Funcs<'f> {
    map: HashMap<String, Func<'f>>,
}

impl<'f> Funcs<'f> {
    /// An empty map (Go's builtins are always there).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) function `name` with fixed `params`, then any number of `variadic`.
    pub fn add(
        &mut self,
        name: &str,
        params: &[Param],
        variadic: Option<Param>,
        call: impl Fn(&[Value]) -> Result<Value, String> + 'f,
    ) -> &mut Self {
        self.map.insert(name.to_owned(), Func { params: params.to_vec(), variadic, call: Box::new(call) });
        self
    }

    /// Whether `name` is in the map.
    pub fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }
}

/// What a missing map key gives (Go's `missingkey` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `<no value>` (Go's default).
    #[default]
    Invalid,
    /// The zero value of the map's element type (`missingkey=zero`, as Prometheus and
    /// Alertmanager set it).
    Zero,
    /// An error.
    Error,
}

/// Templates to execute, each with the text and name it was parsed from (for error positions).
#[derive(Default)]
pub struct Set<'a> {
    texts: Vec<(String, &'a str)>,
    trees: Vec<(Cow<'a, str>, List<'a>, usize)>,
}

impl<'a> Set<'a> {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the templates of `parsed` (parsed from `text` as `parse_name`); a template already
    /// there is replaced unless the new one is empty, as Go's `AddParseTree` does.
    pub fn add(&mut self, parse_name: &str, text: &'a str, parsed: Parsed<'a>) {
        let t = self.texts.len();
        self.texts.push((parse_name.to_owned(), text));
        for (name, list) in parsed.trees {
            match self.trees.iter_mut().find(|(n, ..)| *n == name) {
                Some(slot) if !super::is_empty(&list) || super::is_empty(&slot.1) => *slot = (name, list, t),
                Some(_) => {}
                None => self.trees.push((name, list, t)),
            }
        }
    }

    /// Whether template `name` is defined.
    pub fn has(&self, name: &str) -> bool {
        self.trees.iter().any(|(n, ..)| n == name)
    }

    /// Runs template `name` on `data`.
    pub fn execute(&self, name: &str, data: &Value, funcs: &Funcs<'_>, missing: MissingKey) -> Result<String, String> {
        let Some(i) = self.trees.iter().position(|(n, ..)| n == name) else {
            return Err(format!(
                "template: no template {} associated with template {}",
                go_quote(name),
                go_quote(name)
            ));
        };
        let mut s = State {
            set: self,
            funcs,
            missing,
            out: String::new(),
            vars: vec![("$", data.clone())],
            depth: 0,
            tree: i,
            at: At::None,
        };
        match s.walk(data, &self.trees[i].1) {
            Ok(()) => Ok(s.out),
            Err(Flow::Error(e)) => Err(e),
            Err(_) => Err(format!("template: {name}: break or continue outside range")),
        }
    }
}

/// How a walk stops early.
enum Flow {
    Break,
    Continue,
    Error(String),
}

type R<T> = Result<T, Flow>;

/// The node being evaluated, for error messages.
#[derive(Clone, Copy)]
enum At<'s, 'a> {
    None,
    Arg(&'s Arg<'a>),
    Cmd(&'s Command<'a>),
    Pos(usize, &'static str),
}

struct State<'s, 'a, 'f> {
    set: &'s Set<'a>,
    funcs: &'s Funcs<'f>,
    missing: MissingKey,
    out: String,
    vars: Vec<(&'s str, Value)>,
    depth: usize,
    tree: usize,
    at: At<'s, 'a>,
}

impl<'s, 'a: 's> State<'s, 'a, '_> {
    /// Go's `state.errorf`: where, in which template, at which node.
    fn error<T>(&self, msg: impl AsRef<str>) -> R<T> {
        let (tmpl, _, t) = &self.set.trees[self.tree];
        let (parse_name, text) = &self.set.texts[*t];
        let (pos, context) = match self.at {
            At::None => return Err(Flow::Error(format!("template: {tmpl}: {}", msg.as_ref()))),
            At::Arg(a) => (a.pos(), a.to_string()),
            At::Cmd(c) => (c.pos, c.to_string()),
            At::Pos(p, what) => (p, what.to_owned()),
        };
        let before = &text[..pos.min(text.len())];
        let line = 1 + before.matches('\n').count();
        let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
        let context = match context.char_indices().nth(20) {
            Some((cut, _)) => format!("{}...", &context[..cut]),
            None => context,
        };
        Err(Flow::Error(format!(
            "template: {parse_name}:{line}:{col}: executing {} at <{context}>: {}",
            go_quote(tmpl),
            msg.as_ref()
        )))
    }

    fn walk(&mut self, dot: &Value, list: &'s [Node<'a>]) -> R<()> {
        for node in list {
            match node {
                Node::Text(t) => self.out.push_str(t),
                Node::Action(pipe) => {
                    let v = self.eval_pipeline(dot, pipe)?;
                    if pipe.decl.is_empty() {
                        self.out.push_str(&v.print());
                    }
                }
                Node::Branch(b) => {
                    let mark = self.vars.len();
                    let result = match b.kind {
                        BranchKind::Range => self.walk_range(dot, b),
                        kind => self.eval_pipeline(dot, &b.pipe).and_then(|v| {
                            if v.truth() {
                                let inner = if kind == BranchKind::With { &v } else { dot };
                                self.walk(inner, &b.list)
                            } else if let Some(e) = &b.else_list {
                                self.walk(dot, e)
                            } else {
                                Ok(())
                            }
                        }),
                    };
                    self.vars.truncate(mark);
                    result?;
                }
                Node::Template { pos, name, pipe } => self.walk_template(dot, *pos, name, pipe.as_ref())?,
                Node::Break(_) => return Err(Flow::Break),
                Node::Continue(_) => return Err(Flow::Continue),
            }
        }
        Ok(())
    }

    fn walk_range(&mut self, dot: &Value, b: &'s super::ast::Branch<'a>) -> R<()> {
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let items: Vec<(Value, Value)> = match &val {
            Value::List(l) => l.iter().enumerate().map(|(i, v)| (Value::Int(i as i64), v.clone())).collect(),
            Value::Map(m) => m.entries.iter().map(|(k, v)| (Value::from(k.as_str()), v.clone())).collect(),
            Value::Int(n) => {
                if b.pipe.decl.len() > 1 {
                    self.at = At::Pos(b.pipe.pos, "range");
                    return self.error(format!("can't use {n} to iterate over more than one variable"));
                }
                (0..*n).map(|i| (Value::Int(i), Value::Int(i))).collect()
            }
            Value::Missing | Value::Nil => Vec::new(),
            other => {
                self.at = At::Pos(b.pipe.pos, "range");
                return self.error(format!("range can't iterate over {}", other.print()));
            }
        };
        if items.is_empty() {
            if let Some(e) = &b.else_list {
                return self.walk(dot, e);
            }
            return Ok(());
        }
        let mark = self.vars.len();
        for (index, elem) in items {
            let decl = &b.pipe.decl;
            if !decl.is_empty() {
                if b.pipe.is_assign {
                    let first = if decl.len() > 1 { index.clone() } else { elem.clone() };
                    self.set_var(decl[0], first)?;
                } else {
                    self.vars[mark - 1].1 = elem.clone();
                }
            }
            if decl.len() > 1 {
                if b.pipe.is_assign {
                    self.set_var(decl[1], elem.clone())?;
                } else {
                    self.vars[mark - 2].1 = index;
                }
            }
            let result = self.walk(&elem, &b.list);
            self.vars.truncate(mark);
            match result {
                Ok(()) | Err(Flow::Continue) => {}
                Err(Flow::Break) => break,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn walk_template(&mut self, dot: &Value, pos: usize, name: &'s str, pipe: Option<&'s Pipe<'a>>) -> R<()> {
        self.at = At::Pos(pos, "template");
        let Some(i) = self.set.trees.iter().position(|(n, ..)| n == name) else {
            return self.error(format!("template {} not defined", go_quote(name)));
        };
        if self.depth >= MAX_EXEC_DEPTH {
            return self.error(format!("exceeded maximum template depth ({MAX_EXEC_DEPTH})"));
        }
        let data = match pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Value::Missing,
        };
        let saved_vars = std::mem::replace(&mut self.vars, vec![("$", data.clone())]);
        let saved_tree = std::mem::replace(&mut self.tree, i);
        self.depth += 1;
        let set = self.set;
        let result = self.walk(&data, &set.trees[i].1);
        self.depth -= 1;
        self.tree = saved_tree;
        self.vars = saved_vars;
        result
    }

    fn eval_pipeline(&mut self, dot: &Value, pipe: &'s Pipe<'a>) -> R<Value> {
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(dot, cmd, value)?);
        }
        let value = value.unwrap_or_default();
        for var in &pipe.decl {
            if pipe.is_assign {
                self.set_var(var, value.clone())?;
            } else {
                self.vars.push((var, value.clone()));
            }
        }
        Ok(value)
    }

    fn set_var(&mut self, name: &str, value: Value) -> R<()> {
        match self.vars.iter_mut().rev().find(|(n, _)| *n == name) {
            Some(slot) => {
                slot.1 = value;
                Ok(())
            }
            None => self.error(format!("undefined variable: {name}")),
        }
    }

    fn var_value(&self, name: &str) -> R<Value> {
        match self.vars.iter().rev().find(|(n, _)| *n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => self.error(format!("undefined variable: {name}")),
        }
    }

    fn not_a_function(&self, args: &[Arg<'a>], fin: &Option<Value>) -> R<()> {
        if args.len() > 1 || fin.is_some() {
            return self.error(format!("can't give argument to non-function {}", args[0]));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Value, cmd: &'s Command<'a>, fin: Option<Value>) -> R<Value> {
        let first = &cmd.args[0];
        match first {
            Arg::Field(_, idents) => return self.eval_field_chain(dot, dot.clone(), first, idents, &cmd.args, fin),
            Arg::Chain(..) => return self.eval_chain(dot, first, &cmd.args, fin),
            Arg::Identifier(_, name) => return self.eval_function(dot, name, cmd, &cmd.args, fin),
            Arg::Pipe(p) => {
                self.at = At::Arg(first);
                self.not_a_function(&cmd.args, &fin)?;
                return self.eval_pipeline(dot, p);
            }
            Arg::Variable(_, idents) => return self.eval_variable(dot, first, idents, &cmd.args, fin),
            _ => {}
        }
        self.at = At::Arg(first);
        self.not_a_function(&cmd.args, &fin)?;
        match first {
            Arg::Bool(_, b) => Ok(Value::Bool(*b)),
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => self.error("nil is not a command"),
            Arg::Number(..) => self.ideal_constant(first),
            Arg::String(_, s) => Ok(Value::from(s.as_ref())),
            _ => self.error("can't evaluate command"),
        }
    }

    /// Go's `idealConstant`: an untyped number becomes an `int` or a `float64`.
    fn ideal_constant(&self, arg: &'s Arg<'a>) -> R<Value> {
        let Arg::Number(_, n, text) = arg else { return Ok(Value::Missing) };
        if n.is_complex {
            return self.error("complex constants are parsed but not computed with by monstack");
        }
        let hex_int = text.len() > 2
            && text.starts_with('0')
            && matches!(text.as_bytes()[1], b'x' | b'X')
            && !text.contains(['p', 'P']);
        if n.is_float && !hex_int && !text.starts_with('\'') && text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Value::Float(n.float));
        }
        if n.is_int {
            return Ok(Value::Int(n.int));
        }
        if n.is_uint {
            return self.error(format!("{text} overflows int"));
        }
        Ok(Value::Float(n.float))
    }

    fn eval_chain(&mut self, dot: &Value, chain: &'s Arg<'a>, args: &'s [Arg<'a>], fin: Option<Value>) -> R<Value> {
        let Arg::Chain(_, node, fields) = chain else { return Ok(Value::Missing) };
        self.at = At::Arg(chain);
        if matches!(node.as_ref(), Arg::Nil(_)) {
            return self.error(format!("indirection through explicit nil in {chain}"));
        }
        let receiver = self.eval_arg(dot, node)?;
        self.eval_field_chain(dot, receiver, chain, fields, args, fin)
    }

    fn eval_variable(
        &mut self,
        dot: &Value,
        node: &'s Arg<'a>,
        idents: &'s [&'a str],
        args: &'s [Arg<'a>],
        fin: Option<Value>,
    ) -> R<Value> {
        self.at = At::Arg(node);
        let value = self.var_value(idents[0])?;
        if idents.len() == 1 {
            self.not_a_function(args, &fin)?;
            return Ok(value);
        }
        self.eval_field_chain(dot, value, node, &idents[1..], args, fin)
    }

    fn eval_field_chain(
        &mut self,
        dot: &Value,
        mut receiver: Value,
        node: &'s Arg<'a>,
        idents: &'s [&'a str],
        args: &'s [Arg<'a>],
        fin: Option<Value>,
    ) -> R<Value> {
        let n = idents.len();
        for ident in &idents[..n - 1] {
            receiver = self.eval_field(dot, ident, node, &[], None, receiver)?;
        }
        self.eval_field(dot, idents[n - 1], node, args, fin, receiver)
    }

    fn eval_field(
        &mut self,
        dot: &Value,
        name: &str,
        node: &'s Arg<'a>,
        args: &'s [Arg<'a>],
        fin: Option<Value>,
        receiver: Value,
    ) -> R<Value> {
        self.at = At::Arg(node);
        let has_args = args.len() > 1 || fin.is_some();
        match receiver {
            Value::Missing => {
                if self.missing == MissingKey::Error {
                    return self.error(format!("nil data; no entry for key {}", go_quote(name)));
                }
                Ok(Value::Missing)
            }
            Value::Object(o) => {
                let mut argv = Vec::with_capacity(args.len());
                for a in args.iter().skip(1) {
                    argv.push(self.eval_arg(dot, a)?);
                }
                argv.extend(fin);
                self.at = At::Arg(node);
                match o.call(name, &argv) {
                    Some(Ok(v)) => Ok(v),
                    Some(Err(e)) => self.error(format!("error calling {name}: {e}")),
                    None => self.error(format!("can't evaluate field {name} in type {}", o.type_name())),
                }
            }
            Value::Map(m) => {
                if has_args {
                    return self.error(format!("{name} is not a method but has arguments"));
                }
                match m.entries.get(name) {
                    Some(v) => Ok(v.clone()),
                    None => match self.missing {
                        MissingKey::Invalid => Ok(Value::Missing),
                        MissingKey::Zero => Ok(m.zero.clone()),
                        MissingKey::Error => self.error(format!("map has no entry for key {}", go_quote(name))),
                    },
                }
            }
            Value::Nil => self.error(format!("nil pointer evaluating interface {{}}.{name}")),
            other => self.error(format!("can't evaluate field {name} in type {}", other.type_name())),
        }
    }

    /// An argument, untyped (Go's `evalEmptyInterface`).
    fn eval_arg(&mut self, dot: &Value, arg: &'s Arg<'a>) -> R<Value> {
        self.at = At::Arg(arg);
        match arg {
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => Ok(Value::Nil),
            Arg::Field(_, idents) => {
                self.eval_field_chain(dot, dot.clone(), arg, idents, std::slice::from_ref(arg), None)
            }
            Arg::Variable(_, idents) => self.eval_variable(dot, arg, idents, std::slice::from_ref(arg), None),
            Arg::Pipe(p) => self.eval_pipeline(dot, p),
            Arg::Identifier(_, name) => {
                let args = std::slice::from_ref(arg);
                self.eval_call(dot, name, At::Arg(arg), args, None)
            }
            Arg::Chain(..) => self.eval_chain(dot, arg, std::slice::from_ref(arg), None),
            Arg::Bool(_, b) => Ok(Value::Bool(*b)),
            Arg::String(_, s) => Ok(Value::from(s.as_ref())),
            Arg::Number(..) => self.ideal_constant(arg),
        }
    }

    /// An argument for a parameter of type `param`: constants converted, other values checked.
    fn typed_arg(&mut self, dot: &Value, arg: &'s Arg<'a>, param: Param) -> R<Value> {
        self.at = At::Arg(arg);
        match (arg, param) {
            (_, Param::Any) => self.eval_arg(dot, arg),
            (Arg::Number(_, n, _), Param::Float) if n.is_float => Ok(Value::Float(n.float)),
            (Arg::Number(_, n, _), Param::Int) if n.is_int => Ok(Value::Int(n.int)),
            (Arg::Number(..) | Arg::String(..) | Arg::Bool(..), Param::Float) => {
                self.error(format!("expected float; found {arg}"))
            }
            (Arg::Number(..) | Arg::String(..) | Arg::Bool(..), Param::Int) => {
                self.error(format!("expected integer; found {arg}"))
            }
            (Arg::Number(..) | Arg::Bool(..), Param::Str) => self.error(format!("expected string; found {arg}")),
            (Arg::Number(..) | Arg::String(..), Param::Bool) => self.error(format!("expected bool; found {arg}")),
            (Arg::Nil(_), p) => self.error(format!("cannot assign nil to {}", p.go())),
            _ => {
                let v = self.eval_arg(dot, arg)?;
                self.at = At::Arg(arg);
                self.validate(v, param)
            }
        }
    }

    fn validate(&self, v: Value, param: Param) -> R<Value> {
        if param.accepts(&v) {
            return Ok(v);
        }
        match v {
            Value::Missing => self.error(format!("invalid value; expected {}", param.go())),
            v => self.error(format!("wrong type for value; expected {}; got {}", param.go(), v.type_name())),
        }
    }

    fn eval_function(
        &mut self,
        dot: &Value,
        name: &str,
        cmd: &'s Command<'a>,
        args: &'s [Arg<'a>],
        fin: Option<Value>,
    ) -> R<Value> {
        self.eval_call(dot, name, At::Cmd(cmd), args, fin)
    }

    /// Calls function `name` with `args` (the first is the function's own node) and `fin`, the
    /// previous command's result.
    fn eval_call(
        &mut self,
        dot: &Value,
        name: &str,
        at: At<'s, 'a>,
        args: &'s [Arg<'a>],
        fin: Option<Value>,
    ) -> R<Value> {
        let args = &args[1..];
        self.at = at;
        if let Some(f) = self.funcs.map.get(name) {
            let n = args.len() + usize::from(fin.is_some());
            match f.variadic {
                Some(_) if n < f.params.len() => {
                    return self
                        .error(format!("wrong number of args for {name}: want at least {} got {n}", f.params.len()))
                }
                None if n != f.params.len() => {
                    return self.error(format!("wrong number of args for {name}: want {} got {n}", f.params.len()))
                }
                _ => {}
            }
            let param = |i: usize| f.params.get(i).copied().or(f.variadic).unwrap_or(Param::Any);
            let mut argv = Vec::with_capacity(n);
            for (i, a) in args.iter().enumerate() {
                argv.push(self.typed_arg(dot, a, param(i))?);
            }
            if let Some(v) = fin {
                self.at = at;
                argv.push(self.validate(v, param(n - 1))?);
            }
            self.at = at;
            return match (f.call)(&argv) {
                Ok(v) => Ok(v),
                Err(e) => self.error(format!("error calling {name}: {e}")),
            };
        }
        if name == "and" || name == "or" {
            // Lazy, as Go 1.18's: stops at the first argument that decides.
            let mut last = Value::Missing;
            let total = args.len() + usize::from(fin.is_some());
            if total == 0 {
                return self.error(format!("wrong number of args for {name}: want at least 1 got 0"));
            }
            for a in args {
                last = self.eval_arg(dot, a)?;
                if last.truth() == (name == "or") {
                    return Ok(last);
                }
            }
            return Ok(fin.unwrap_or(last));
        }
        let mut argv = Vec::with_capacity(args.len() + 1);
        for a in args {
            argv.push(self.eval_arg(dot, a)?);
        }
        argv.extend(fin);
        self.at = at;
        match builtins::call(name, &argv) {
            Some(Ok(v)) => Ok(v),
            Some(Err(builtins::Error::Call(e))) => self.error(format!("error calling {name}: {e}")),
            Some(Err(builtins::Error::Plain(e))) => self.error(e),
            None => self.error(format!("{} is not a defined function", go_quote(name))),
        }
    }
}
