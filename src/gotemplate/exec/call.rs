//! Commands that call: functions (typed arguments, Go's builtins) and constants.

use super::super::ast::Arg;
use super::super::builtins;
use super::super::lex::go_quote;
use super::super::value::Value;
use super::{At, MissingKey, Param, State, R};

impl<'s, 'a: 's> State<'s, 'a, '_> {
    /// Go's `idealConstant`: an untyped number becomes an `int` or a `float64`.
    pub(super) fn ideal_constant(&self, arg: &'s Arg<'a>) -> R<Value> {
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

    pub(super) fn eval_chain(
        &mut self,
        dot: &Value,
        chain: &'s Arg<'a>,
        args: &'s [Arg<'a>],
        fin: Option<Value>,
    ) -> R<Value> {
        let Arg::Chain(_, node, fields) = chain else { return Ok(Value::Missing) };
        self.at = At::Arg(chain);
        if matches!(node.as_ref(), Arg::Nil(_)) {
            return self.error(format!("indirection through explicit nil in {chain}"));
        }
        let receiver = self.eval_arg(dot, node)?;
        self.eval_field_chain(dot, receiver, chain, fields, args, fin)
    }

    pub(super) fn eval_variable(
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

    pub(super) fn eval_field_chain(
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

    pub(super) fn eval_field(
        &mut self,
        dot: &Value,
        name: &str,
        node: &'s Arg<'a>,
        args: &'s [Arg<'a>],
        fin: Option<Value>,
        receiver: Value,
    ) -> R<Value> {
        // Go sets no position here: errors about the field are told at the node evaluated last.
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
                match o.call(name, &argv) {
                    Some(Ok(v)) => Ok(v),
                    Some(Err(e)) => {
                        self.at = At::Arg(node);
                        self.error(format!("error calling {name}: {e}"))
                    }
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
    pub(super) fn eval_arg(&mut self, dot: &Value, arg: &'s Arg<'a>) -> R<Value> {
        self.at = At::Arg(arg);
        match arg {
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => Ok(Value::Nil),
            Arg::Field(_, idents) => {
                self.eval_field_chain(dot, dot.clone(), arg, idents, std::slice::from_ref(arg), None)
            }
            Arg::Variable(_, idents) => self.eval_variable(dot, arg, idents, std::slice::from_ref(arg), None),
            Arg::Pipe(p) => self.eval_pipeline(dot, p),
            Arg::Identifier(_, name) => self.eval_call(dot, name, arg, At::Arg(arg), std::slice::from_ref(arg), None),
            Arg::Chain(..) => self.eval_chain(dot, arg, std::slice::from_ref(arg), None),
            Arg::Bool(_, b) => Ok(Value::Bool(*b)),
            Arg::String(_, s) => Ok(Value::from(s.as_ref())),
            Arg::Number(..) => self.ideal_constant(arg),
        }
    }

    /// An argument for a parameter of type `param`: constants converted, other values checked.
    pub(super) fn typed_arg(&mut self, dot: &Value, arg: &'s Arg<'a>, param: Param) -> R<Value> {
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
                self.validate(v, param)
            }
        }
    }

    pub(super) fn validate(&self, v: Value, param: Param) -> R<Value> {
        if param.accepts(&v) {
            return Ok(v);
        }
        match v {
            Value::Missing => self.error(format!("invalid value; expected {}", param.go())),
            v => self.error(format!("wrong type for value; expected {}; got {}", param.go(), v.type_name())),
        }
    }

    /// Calls function `name` (node `ident`, in command `at`) with `args` (the first is the
    /// function's own node) and `fin`, the previous command's result. As Go's, errors before the
    /// call are told at the function's name, a failed call at the command.
    pub(super) fn eval_call(
        &mut self,
        dot: &Value,
        name: &str,
        ident: &'s Arg<'a>,
        at: At<'s, 'a>,
        args: &'s [Arg<'a>],
        fin: Option<Value>,
    ) -> R<Value> {
        let args = &args[1..];
        self.at = At::Arg(ident);
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
                argv.push(self.validate(v, param(n - 1))?);
            }
            return match (f.call)(&argv) {
                Ok(v) => Ok(v),
                Err(e) => {
                    self.at = at;
                    self.error(format!("error calling {name}: {e}"))
                }
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
        if let Some(v) = super::super::html::call_escaper(name, &argv) {
            return Ok(v);
        }
        match builtins::call(name, &argv) {
            Some(Ok(v)) => Ok(v),
            Some(Err(builtins::Error::Call(e))) => {
                self.at = at;
                self.error(format!("error calling {name}: {e}"))
            }
            Some(Err(builtins::Error::Plain(e))) => self.error(e),
            None => self.error(format!("{} is not a defined function", go_quote(name))),
        }
    }
}
