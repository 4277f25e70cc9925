//! Sets of templates (what one text defines, or several files) and running one of them.

use std::borrow::Cow;

use super::super::ast::List;
use super::super::lex::go_quote;
use super::super::value::Value;
use super::super::Parsed;
use super::{At, Flow, Funcs, State};

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
#[derive(Default, Clone)]
pub struct Set<'a> {
    pub(crate) texts: Vec<(String, &'a str)>,
    pub(crate) trees: Vec<(Cow<'a, str>, List<'a>, usize)>,
    /// What html/template's escaping learnt and did (see [`Set::execute_html`]).
    pub(crate) html: super::super::html::Memo,
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
        self.html.added_after_escape |= self.html.started();
        self.texts.push((parse_name.to_owned(), text));
        for (name, list) in parsed.trees {
            match self.trees.iter_mut().find(|(n, ..)| *n == name) {
                Some(slot) if !super::super::is_empty(&list) || super::super::is_empty(&slot.1) => {
                    *slot = (name, list, t)
                }
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
