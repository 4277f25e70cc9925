//! Function maps: the functions a template may call, with their parameter types.

use std::collections::HashMap;

use super::super::value::Value;

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
    pub(super) fn go(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Str => "string",
            Param::Float => "float64",
            Param::Int => "int",
            Param::Bool => "bool",
        }
    }

    pub(super) fn accepts(self, v: &Value) -> bool {
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

pub(super) struct Func<'f> {
    pub(super) params: Vec<Param>,
    pub(super) variadic: Option<Param>,
    pub(super) call: Box<Callback<'f>>,
}

/// A function map (Go's `template.FuncMap`), built once and used for many executions.
#[derive(Default)]
pub struct Funcs<'f> {
    pub(super) map: HashMap<String, Func<'f>>,
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
