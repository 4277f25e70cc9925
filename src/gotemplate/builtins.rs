//! Go's builtin template functions (`text/template/funcs.go`) but `and`/`or`, which the
//! executor evaluates lazily: comparisons with Go's type rules, `len`, `index`, `slice`,
//! `not`, the `print` family and the `html`/`js`/`urlquery` escapers.

use std::cmp::Ordering;
use std::rc::Rc;

use super::fmt::{sprint, sprintf, sprintln};
use super::value::Value;

/// A builtin's failure: `Call` is Go's `error calling NAME: …`, `Plain` stands alone.
pub(crate) enum Error {
    Call(String),
    Plain(String),
}

type R = Result<Value, Error>;

fn call_err(e: impl Into<String>) -> Error {
    Error::Call(e.into())
}

fn count(name: &str, args: &[Value], want: usize, at_least: bool) -> Result<(), Error> {
    if args.len() == want || at_least && args.len() > want {
        return Ok(());
    }
    let how = if at_least { "at least " } else { "" };
    Err(Error::Plain(format!("wrong number of args for {name}: want {how}{want} got {}", args.len())))
}

/// Calls builtin `name`; `None` if there is no such builtin.
pub(crate) fn call(name: &str, args: &[Value]) -> Option<R> {
    let args = &*super::html::untyped(args);
    Some(match name {
        "not" => count(name, args, 1, false).map(|()| Value::Bool(!args[0].truth())),
        "len" => count(name, args, 1, false).and_then(|()| len(&args[0])),
        "index" => count(name, args, 1, true).and_then(|()| index(&args[0], &args[1..])),
        "slice" => count(name, args, 1, true).and_then(|()| slice(&args[0], &args[1..])),
        "eq" => count(name, args, 1, true).and_then(|()| eq(&args[0], &args[1..]).map(Value::Bool)),
        "ne" => count(name, args, 2, false).and_then(|()| eq(&args[0], &args[1..]).map(|b| Value::Bool(!b))),
        "lt" => count(name, args, 2, false).and_then(|()| lt(&args[0], &args[1]).map(Value::Bool)),
        "le" => count(name, args, 2, false).and_then(|()| le(&args[0], &args[1]).map(Value::Bool)),
        "gt" => count(name, args, 2, false).and_then(|()| le(&args[0], &args[1]).map(|b| Value::Bool(!b))),
        "ge" => count(name, args, 2, false).and_then(|()| lt(&args[0], &args[1]).map(|b| Value::Bool(!b))),
        "print" => Ok(Value::from(sprint(args))),
        "println" => Ok(Value::from(sprintln(args))),
        "printf" => count(name, args, 1, true).and_then(|()| match &args[0] {
            Value::Str(f) => Ok(Value::from(sprintf(f, &args[1..]))),
            v => Err(Error::Plain(format!("wrong type for value; expected string; got {}", v.type_name()))),
        }),
        "html" => Ok(Value::from(html_escape(&eval_args(args)))),
        "js" => Ok(Value::from(js_escape(&eval_args(args)))),
        "urlquery" => Ok(Value::from(query_escape(&eval_args(args)))),
        "call" => Err(call_err("monstack templates have no function values to call")),
        _ => return None,
    })
}

/// Go's `evalArgs`: a lone string as it is, anything else as `fmt.Sprint` prints it.
fn eval_args(args: &[Value]) -> String {
    match args {
        [Value::Str(s)] => s.to_string(),
        _ => sprint(args),
    }
}

fn len(v: &Value) -> R {
    Ok(Value::Int(match v {
        Value::Str(s) => s.len(),
        Value::List(l) => l.len(),
        Value::Map(m) => m.entries.len(),
        Value::Object(o) if o.entries().is_some() => o.entries().map_or(0, |e| e.len()),
        Value::Missing | Value::Nil => return Err(call_err("len of nil pointer")),
        v => return Err(call_err(format!("len of type {}", v.type_name()))),
    } as i64))
}

fn int_index(i: &Value, len: usize, what: &str) -> Result<usize, Error> {
    match i {
        Value::Int(x) if *x < 0 || *x as usize >= len => Err(call_err(format!("index out of range: {x}"))),
        Value::Int(x) => Ok(*x as usize),
        Value::Missing | Value::Nil => Err(call_err(format!("cannot index {what} with nil"))),
        v => Err(call_err(format!("cannot index {what} with type {}", v.type_name()))),
    }
}

fn index(item: &Value, indexes: &[Value]) -> R {
    let mut item = item.clone();
    if matches!(item, Value::Missing | Value::Nil) {
        return Err(call_err("index of untyped nil"));
    }
    for i in indexes {
        item = match &item {
            Value::List(l) => l[int_index(i, l.len(), "slice/array")?].clone(),
            Value::Str(s) => Value::Int(i64::from(s.as_bytes()[int_index(i, s.len(), "slice/array")?])),
            Value::Map(m) => match i {
                Value::Str(k) => m.entries.get(k.as_ref()).cloned().unwrap_or_else(|| m.zero.clone()),
                v => return Err(call_err(format!("value has type {}; should be string", v.type_name()))),
            },
            Value::Object(o) if o.entries().is_some() => {
                let entries = o.entries().unwrap_or_default();
                match entries.into_iter().find(|(k, _)| object_key_eq(k, i)) {
                    Some((_, v)) => v,
                    None if matches!(i, Value::Int(_)) => {
                        return Err(call_err(format!("index out of range: {}", i.print())))
                    }
                    None => Value::from(""),
                }
            }
            Value::Missing | Value::Nil => return Err(call_err("index of nil pointer")),
            v => return Err(call_err(format!("can't index item of type {}", v.type_name()))),
        };
    }
    Ok(item)
}

fn object_key_eq(k: &Value, i: &Value) -> bool {
    match (k, i) {
        (Value::Int(a), Value::Int(b)) => a == b,
        (Value::Str(a), Value::Str(b)) => a == b,
        _ => false,
    }
}

fn slice(item: &Value, indexes: &[Value]) -> R {
    let len = match item {
        Value::Str(s) => s.len(),
        Value::List(l) => l.len(),
        Value::Missing | Value::Nil => return Err(call_err("slice of untyped nil")),
        v => return Err(call_err(format!("can't slice item of type {}", v.type_name()))),
    };
    if indexes.len() > 3 {
        return Err(call_err(format!("too many slice indexes: {}", indexes.len())));
    }
    if matches!(item, Value::Str(_)) && indexes.len() == 3 {
        return Err(call_err("cannot 3-index slice a string"));
    }
    let mut idx = [0usize, len, len];
    for (n, i) in indexes.iter().enumerate() {
        idx[n] = match i {
            Value::Int(x) if *x < 0 || *x as usize > len => return Err(call_err(format!("index out of range: {x}"))),
            Value::Int(x) => *x as usize,
            v => return Err(call_err(format!("cannot index slice/array with type {}", v.type_name()))),
        };
    }
    if idx[0] > idx[1] {
        return Err(call_err(format!("invalid slice index: {} > {}", idx[0], idx[1])));
    }
    Ok(match item {
        Value::Str(s) => Value::from(String::from_utf8_lossy(&s.as_bytes()[idx[0]..idx[1]]).into_owned()),
        Value::List(l) => Value::List(Rc::new(l[idx[0]..idx[1]].to_vec())),
        _ => Value::Missing,
    })
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    Str,
    Other,
}

fn kind(v: &Value) -> Kind {
    match v {
        Value::Missing | Value::Nil => Kind::Invalid,
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::Str(_) => Kind::Str,
        _ => Kind::Other,
    }
}

const INCOMPATIBLE: &str = "incompatible types for comparison";

fn eq(a: &Value, others: &[Value]) -> Result<bool, Error> {
    if others.is_empty() {
        return Err(call_err("missing argument for comparison"));
    }
    let k1 = kind(a);
    for b in others {
        let k2 = kind(b);
        let truth = if k1 != k2 {
            if k1 != Kind::Invalid && k2 != Kind::Invalid {
                return Err(call_err(INCOMPATIBLE));
            }
            false
        } else {
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Int(x), Value::Int(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::Str(x), Value::Str(y)) => x == y,
                (Value::Missing | Value::Nil, Value::Missing | Value::Nil) => true,
                _ => return Err(call_err(format!("non-comparable type {}: {}", a.print(), a.type_name()))),
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn order(a: &Value, b: &Value) -> Result<Ordering, Error> {
    let (k1, k2) = (kind(a), kind(b));
    if matches!(k1, Kind::Invalid | Kind::Other) || matches!(k2, Kind::Invalid | Kind::Other) {
        return Err(call_err("invalid type for comparison"));
    }
    if k1 != k2 {
        return Err(call_err(INCOMPATIBLE));
    }
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => Ok(x.partial_cmp(y).unwrap_or(Ordering::Greater)),
        (Value::Str(x), Value::Str(y)) => Ok(x.cmp(y)),
        _ => Err(call_err("invalid type for comparison")),
    }
}

fn lt(a: &Value, b: &Value) -> Result<bool, Error> {
    // NaN compares false both ways, as in Go.
    if let (Value::Float(x), Value::Float(y)) = (a, b) {
        return Ok(x < y);
    }
    Ok(order(a, b)? == Ordering::Less)
}

fn le(a: &Value, b: &Value) -> Result<bool, Error> {
    if let (Value::Float(x), Value::Float(y)) = (a, b) {
        return Ok(x <= y);
    }
    Ok(order(a, b)? != Ordering::Greater)
}

/// `template.HTMLEscapeString`.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// `template.JSEscapeString`.
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 || c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
