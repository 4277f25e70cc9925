//! The executor (`text/template/exec.go`): a set of parsed templates run on a data value with a
//! function table, with Go's scoping, truth, ranges (maps in key order), `break`/`continue`,
//! `template` calls, argument typing and error messages.

mod call;
mod set;
mod table;

pub use set::{MissingKey, Set};
pub use table::{Callback, Funcs, Param};

use super::ast::{Arg, BranchKind, Command, Node, Pipe};
use super::lex::go_quote;
use super::value::Value;

/// Deepest chain of `{{template}}` calls (Go: 100,000); each level takes stack.
pub const MAX_EXEC_DEPTH: usize = 100;

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
}
