//! Go's `text/template`, standalone: the whole grammar with Go's own error messages
//! ([`parse`]), and an executor with Go's semantics for what alert annotations and notification
//! templates use ([`execute`], [`Set`]). It depends on nothing else of monstack, so the checks,
//! the rule unit tests and the notification previews share one implementation.
//!
//! - Checking: [`parse`] with [`Options`] (function names from [`funcs`], predeclared
//!   variables); an [`Error`] is Go's message with the byte offset it is about
//!   ([`Error::position`], [`Error::excerpt`]).
//! - Running: [`Funcs`] (a function table built once: name, [`Param`] types, closure) and
//!   [`Value`] data ([`Object`] for anything with fields or methods, [`Time`], [`Duration`]);
//!   [`execute`] for one text, [`Set`] for several (`define`d templates, template files).
//! - Prometheus: [`prometheus::funcs`] (`query` through a [`prometheus::QueryFn`] callback) and
//!   [`prometheus::expand`], an alert label or annotation expanded as Prometheus does.
//! - Alertmanager: [`alertmanager::funcs`].
//! - html/template: [`Set::execute_html`] escapes a set's templates for the HTML, URL, JS and
//!   CSS contexts their actions are in before running them, as Go's html/template does (what
//!   Alertmanager renders an e-mail's `html` with); [`html`].
//!
//! ```text
//! let parsed = gotemplate::parse("t", "{{ $labels.job | toUpper }}", &Options {
//!     funcs: &[funcs::BUILTINS, funcs::PROMETHEUS], vars: &["$labels"], ..Options::default() })?;
//! let f = prometheus::funcs(&prometheus::Context { external_url, now, query: Some(&run_query) });
//! let text = prometheus::expand("HighLoad", "{{ $value | humanize }}", &alert_data, &f);
//! ```
//!
//! Parsing borrows the text, starts no thread, and recurses at most [`Options::max_depth`]
//! levels (control structures and parentheses together, as Go counts them); execution recurses
//! as deep as what parsed, and [`MAX_EXEC_DEPTH`] `{{template}}` calls.

pub mod alertmanager;
mod ast;
mod builtins;
mod exec;
pub mod fmt;
pub mod funcs;
pub mod html;
mod humanize;
mod lex;
mod number;
mod parse;
pub mod prometheus;
mod show;
mod time;
mod value;

pub use ast::{is_empty, Arg, Branch, BranchKind, Command, List, Node, Pipe};
pub use builtins::{html_escape, js_escape, query_escape};
pub use exec::{Callback, Funcs, MissingKey, Param, Set, MAX_EXEC_DEPTH};
pub use number::{parse_number, Number, NumberKind};
pub use time::{Duration, Time};
pub use value::{format_g, Map, Object, Struct, Value};

use std::borrow::Cow;

/// Deepest nesting of control structures and parentheses [`parse`] accepts by default. Go's is
/// 10,000; a real template nests a handful, and this bound keeps the recursion within any
/// thread's stack.
pub const MAX_DEPTH: usize = 1000;

/// How to parse.
#[derive(Debug, Clone, Copy)]
pub struct Options<'o> {
    /// Function names that exist, as lists (e.g. [`funcs::BUILTINS`] and
    /// [`funcs::PROMETHEUS`]); a call to any other name is Go's `function "x" not defined`.
    pub funcs: &'o [&'o [&'o str]],
    /// Variables declared before the text (with `$`), as a header of `{{$x := …}}` would.
    pub vars: &'o [&'o str],
    /// Deepest nesting of control structures and parentheses.
    pub max_depth: usize,
    /// Go's `SkipFuncCheck` mode: any function name parses.
    pub skip_func_check: bool,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options { funcs: &[funcs::BUILTINS], vars: &[], max_depth: MAX_DEPTH, skip_func_check: false }
    }
}

impl Options<'_> {
    fn has_function(&self, name: &str) -> bool {
        self.funcs.iter().any(|list| list.contains(&name))
    }
}

/// A parse error, as Go reports it (`template: NAME:LINE: MESSAGE`), with the byte offset in
/// the text it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The template's name.
    pub name: String,
    /// Byte offset in the text of the token Go's line number comes from.
    pub offset: usize,
    /// Go's line number (1-based).
    pub line: usize,
    /// Go's message, without the `template: NAME:LINE: ` prefix.
    pub message: String,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "template: {}:{}: {}", self.name, self.line, self.message)
    }
}

impl std::error::Error for Error {}

impl Error {
    /// Line and column (1-based, in characters) of [`Error::offset`] in `text`, the text parsed.
    pub fn position(&self, text: &str) -> (usize, usize) {
        let before = text.get(..self.offset).unwrap_or(text);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (1 + before.matches('\n').count(), 1 + before[line_start..].chars().count())
    }

    /// A short piece of `text` where the error is (up to the next space, 20 characters at most).
    pub fn excerpt<'t>(&self, text: &'t str) -> &'t str {
        let rest = text.get(self.offset..).unwrap_or("");
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let end = rest.char_indices().nth(20).map_or(end, |(i, _)| i.min(end));
        &rest[..end]
    }
}

/// A parsed text: the named template and the ones it defines, in definition order (the named
/// one last), as Go's tree set.
#[derive(Debug, Clone)]
pub struct Parsed<'a> {
    /// Name and body of each template.
    pub trees: Vec<(Cow<'a, str>, List<'a>)>,
}

impl<'a> Parsed<'a> {
    /// The body of template `name`.
    pub fn get(&self, name: &str) -> Option<&List<'a>> {
        self.trees.iter().find(|(n, _)| n == name).map(|(_, l)| l)
    }
}

/// Parses `text` as template `name`, as Go's `template.New(name).Funcs(…).Parse(text)` does.
pub fn parse<'a>(name: &str, text: &'a str, opts: &Options<'_>) -> Result<Parsed<'a>, Error> {
    parse::Parser::new(name, text, opts).parse()
}

/// Parses `text` as template `name` and runs it on `data`, as Go's
/// `template.New(name).Funcs(…).Option(missingkey).Parse(text)` then `Execute`: the output, or
/// Go's parse or execution error as text. `names` are the function names `funcs` has besides Go's
/// builtins (what the parser checks calls against).
pub fn execute(
    name: &str,
    text: &str,
    data: &Value,
    names: &[&[&str]],
    funcs: &Funcs<'_>,
    missing: MissingKey,
) -> Result<String, String> {
    let mut lists: Vec<&[&str]> = vec![funcs::BUILTINS];
    lists.extend_from_slice(names);
    let opts = Options { funcs: &lists, ..Options::default() };
    let parsed = parse(name, text, &opts).map_err(|e| e.to_string())?;
    let mut set = Set::new();
    set.add(name, text, parsed);
    set.execute(name, data, funcs, missing)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod exec_tests;

#[cfg(test)]
mod prometheus_tests;
