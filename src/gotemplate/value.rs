//! The values templates compute with, standing for the Go values Prometheus and Alertmanager
//! pass (`map[string]string`, `float64`, slices, structs with methods), and how Go prints them.

use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// A template value.
#[derive(Clone, Default)]
pub enum Value {
    /// Go's invalid `reflect.Value`: a missing map key or field of nothing; prints `<no value>`.
    #[default]
    Missing,
    /// `nil`; prints `<nil>`.
    Nil,
    /// A `bool`.
    Bool(bool),
    /// An `int`.
    Int(i64),
    /// A `float64`.
    Float(f64),
    /// A `string`.
    Str(Rc<str>),
    /// A slice (`[]interface{}`, `[]string`, …).
    List(Rc<Vec<Value>>),
    /// A map with string keys, iterated in key order as Go's templates do.
    Map(Rc<Map>),
    /// Anything with fields or methods of its own (a sample, an alert, a time).
    Object(Rc<dyn Object>),
}

/// A map with string keys, and what a missing key gives under `missingkey=zero` (the zero of
/// its element type: `""` for `map[string]string`).
#[derive(Debug, Clone, Default)]
pub struct Map {
    /// The entries.
    pub entries: BTreeMap<String, Value>,
    /// The element type's zero value.
    pub zero: Value,
}

/// A value with fields and methods, as a Go struct or named type is to a template.
pub trait Object {
    /// Go's type name, for messages (`*template.sample`).
    fn type_name(&self) -> &str;
    /// Field or method `name` called with `args`; `None` if there is none by that name.
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>>;
    /// How `fmt.Sprint` prints it (`%v`).
    fn print(&self) -> String;
    /// The object itself, for functions that take only their own kind of object.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
    /// For a collection (a named map or slice type, such as Alertmanager's `KV` with its
    /// methods): its index or key and element pairs, in the order `range` visits them; what
    /// `range`, `len`, `index` and truth use.
    fn entries(&self) -> Option<Vec<(Value, Value)>> {
        None
    }
    /// Go's truth of it, where it is not that of a collection (a typed string is false empty).
    fn truth(&self) -> Option<bool> {
        None
    }
    /// Its JSON (`encoding/json`), for html/template's JS escaping; `None`: its printed text as
    /// a JSON string.
    fn json(&self) -> Option<Result<String, String>> {
        None
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "{s:?}"),
            other => write!(f, "{}", other.print()),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s.into())
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::List(Rc::new(v))
    }
}

impl Value {
    /// A `map[string]string` (labels, annotations): a missing key is `""` under `missingkey=zero`.
    pub fn labels<'k>(pairs: impl IntoIterator<Item = (&'k str, &'k str)>) -> Self {
        let entries = pairs.into_iter().map(|(k, v)| (k.to_owned(), Value::from(v))).collect();
        Value::Map(Rc::new(Map { entries, zero: Value::from("") }))
    }

    /// A `map[string]interface{}`.
    pub fn map(entries: BTreeMap<String, Value>) -> Self {
        Value::Map(Rc::new(Map { entries, zero: Value::Nil }))
    }

    /// Go's type name, as messages print it.
    pub fn type_name(&self) -> String {
        match self {
            Value::Missing => "<nil>".into(),
            Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Float(_) => "float64".into(),
            Value::Str(_) => "string".into(),
            Value::List(l) if !l.is_empty() && l.iter().all(|v| matches!(v, Value::Str(_))) => "[]string".into(),
            Value::List(_) => "[]interface {}".into(),
            Value::Map(m) if matches!(m.zero, Value::Str(_)) => "map[string]string".into(),
            Value::Map(_) => "map[string]interface {}".into(),
            Value::Object(o) => o.type_name().into(),
        }
    }

    /// Go's `isTrue`: false, 0, "", empty collections, nil and missing are false.
    pub fn truth(&self) -> bool {
        match self {
            Value::Missing | Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.entries.is_empty(),
            Value::Object(o) => o.truth().unwrap_or_else(|| o.entries().is_none_or(|e| !e.is_empty())),
        }
    }

    /// The string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// How `fmt.Sprint` prints the value (`%v`); a missing value prints as the template
    /// executor prints it, `<no value>`.
    pub fn print(&self) -> String {
        match self {
            Value::Missing => "<no value>".into(),
            Value::Nil => "<nil>".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format_g(*f, None),
            Value::Str(s) => s.to_string(),
            Value::List(l) => {
                let items: Vec<String> = l.iter().map(Value::print_nested).collect();
                format!("[{}]", items.join(" "))
            }
            Value::Map(m) => {
                let items: Vec<String> = m.entries.iter().map(|(k, v)| format!("{k}:{}", v.print_nested())).collect();
                format!("map[{}]", items.join(" "))
            }
            Value::Object(o) => o.print(),
        }
    }

    /// Inside a collection, nothing is `<no value>`: Go prints nil there.
    fn print_nested(&self) -> String {
        match self {
            Value::Missing => "<nil>".into(),
            v => v.print(),
        }
    }
}

/// A Go struct: named fields in order; any other field is Go's `can't evaluate field` error.
pub struct Struct {
    type_name: String,
    fields: Vec<(String, Value)>,
}

impl Struct {
    /// A struct of Go type `type_name` (as messages print it) with `fields`, as a template value.
    pub fn value(type_name: &str, fields: Vec<(&str, Value)>) -> Value {
        let fields = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        Value::Object(Rc::new(Struct { type_name: type_name.to_owned(), fields }))
    }
}

impl Object for Struct {
    fn type_name(&self) -> &str {
        &self.type_name
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let (_, v) = self.fields.iter().find(|(k, _)| k == name)?;
        if !args.is_empty() {
            return Some(Err(format!("{name} has arguments but cannot be invoked as function")));
        }
        Some(Ok(v.clone()))
    }

    /// Go's `encoding/json` of a struct without field tags: its fields by name.
    fn json(&self) -> Option<Result<String, String>> {
        let mut items = Vec::new();
        for (k, v) in &self.fields {
            match super::html::json_marshal(v) {
                Ok(j) => items.push(format!("{}:{j}", super::html::json_string(k))),
                Err(e) => return Some(Err(e)),
            }
        }
        Some(Ok(format!("{{{}}}", items.join(","))))
    }

    /// `{v1 v2 …}`, as `fmt` prints a struct.
    fn print(&self) -> String {
        let parts: Vec<String> = self.fields.iter().map(|(_, v)| v.print()).collect();
        format!("{{{}}}", parts.join(" "))
    }
}

/// `strconv.FormatFloat(f, 'g', prec, 64)` (`prec` `None`: the shortest that reads back, which
/// is `%v`): exponent form below 1e-4 and from 1e21 … as Go decides it.
pub fn format_g(f: f64, prec: Option<usize>) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    let neg = f.is_sign_negative();
    let (digits, exp) = decimal_digits(f.abs(), prec);
    let nd = digits.len() as i64;
    let dp = exp + 1;
    let mut eprec = match prec {
        None => 6,
        Some(p) => {
            let p = p.max(1) as i64;
            if p > nd && nd >= dp {
                nd
            } else {
                p
            }
        }
    };
    if prec.is_none() {
        eprec = 6;
    }
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if exp < -4 || exp >= eprec {
        out.push_str(&digits[..1]);
        if nd > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str(&exponent(exp));
    } else if dp <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-dp) as usize));
        out.push_str(&digits);
    } else if dp >= nd {
        out.push_str(&digits);
        out.push_str(&"0".repeat((dp - nd) as usize));
    } else {
        out.push_str(&digits[..dp as usize]);
        out.push('.');
        out.push_str(&digits[dp as usize..]);
    }
    out
}

/// `NaN`, `+Inf`, `-Inf` as Go prints them.
pub(crate) fn special(f: f64) -> Option<String> {
    if f.is_nan() {
        Some("NaN".into())
    } else if f.is_infinite() {
        Some(if f > 0.0 { "+Inf" } else { "-Inf" }.into())
    } else {
        None
    }
}

/// Go's exponent suffix: `e+06`, `e-10`, `e+100`.
pub(crate) fn exponent(exp: i64) -> String {
    format!("e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// Significant digits of `f` (≥ 0, finite) without trailing zeros, and its decimal exponent:
/// the shortest that reads back, or rounded to `prec` significant digits.
pub(crate) fn decimal_digits(f: f64, prec: Option<usize>) -> (String, i64) {
    if f == 0.0 {
        return ("0".into(), 0);
    }
    let s = match prec {
        None => format!("{f:e}"),
        Some(p) => format!("{:.*e}", p.max(1) - 1, f),
    };
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    (digits, exp.parse().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_prints_float64() {
        // fmt.Sprint of float64, as Go prints these (shortest 'g', exponent from 1e21 and below 1e-4).
        for (f, go) in [
            (3.0, "3"),
            (0.1, "0.1"),
            (1e6, "1e+06"),
            (100000.0, "100000"),
            (123456789.0, "1.23456789e+08"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
            (1e21, "1e+21"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (0.0, "0"),
        ] {
            assert_eq!(format_g(f, None), go, "{f}");
        }
        // %.4g, as humanize uses it.
        for (f, go) in
            [(1.5, "1.5"), (1234.0, "1234"), (12345.0, "1.234e+04"), (0.000123456, "0.0001235"), (100.0, "100")]
        {
            assert_eq!(format_g(f, Some(4)), go, "{f}");
        }
    }
}
