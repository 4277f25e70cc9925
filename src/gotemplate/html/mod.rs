//! Go's `html/template`: contextual autoescaping on top of the text/template executor.
//!
//! Before a template first runs, [`Set::execute_html`] walks it (and every template it calls)
//! through a state machine over its literal text ([`context`], [`transition`]), appends to each
//! action the escapers its context needs ([`escapers`], [`js`], [`css`]), strips HTML comments
//! from the text, and adds a copy of each template called in a non-initial context, escaped for
//! that context (`x$htmltemplate_stateRCDATA_elementTitle`). Errors are Go's
//! (`html/template:NAME:LINE:COL: …`). Values of [`ContentType`] made with [`Typed::value`]
//! (Go's `template.HTML`, `URL`, …) pass the escapers that trust them.
//!
//! Alertmanager's `ExecuteHTMLString`: the set of `default.tmpl`, `email.tmpl` and the user's
//! files, a copy of it per field with the field's text added as template `""`, then
//! `execute_html("", data, funcs, MissingKey::Zero)`.

mod content;
mod context;
mod css;
mod escape;
mod escapers;
mod js;
mod lang;
mod text;
mod transition;

#[cfg(test)]
mod email_tests;
#[cfg(test)]
mod golit;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

pub use content::{ContentType, Typed};
pub use escapers::call as call_escaper;
pub(crate) use js::{json_marshal, json_string};

use super::ast::{Arg, Command, List, Node, Pipe};
use super::exec::{Funcs, MissingKey, Set};
use super::lex::go_quote;
use super::value::Value;
use context::{Context, EscError, State};
use escape::{Edits, Escaper};

/// What escaping a set has learnt (the output context of each template escaped, per start
/// context) and which templates ran escaped, or failed to.
#[derive(Debug, Default, Clone)]
pub struct Memo {
    output: HashMap<String, Context>,
    escaped: HashSet<String>,
    errors: HashMap<String, String>,
    /// A template was added after escaping began (Go: `cannot Parse after Execute`).
    pub(crate) added_after_escape: bool,
}

impl Memo {
    pub(crate) fn started(&self) -> bool {
        !self.escaped.is_empty() || !self.errors.is_empty()
    }
}

impl Set<'_> {
    /// Runs template `name` on `data` as Go's html/template does (`ExecuteTemplate`): escaped
    /// for its contexts on the first run (the set's trees are rewritten in place), then
    /// executed. The output, or Go's escaping or execution error as text. Add every template
    /// before the first call: a set is escaped once, as Go's is.
    pub fn execute_html(
        &mut self,
        name: &str,
        data: &Value,
        funcs: &Funcs<'_>,
        missing: MissingKey,
    ) -> Result<String, String> {
        self.escape_html(name)?;
        self.execute(name, data, funcs, missing)
    }

    /// Escapes template `name` (and what it calls) for html/template without running it.
    pub fn escape_html(&mut self, name: &str) -> Result<(), String> {
        if let Some(e) = self.html.errors.get(name) {
            return Err(e.clone());
        }
        if self.html.escaped.contains(name) {
            return Ok(());
        }
        if self.html.added_after_escape {
            return Err("html/template: cannot Parse after Execute".into());
        }
        if !self.has(name) {
            return Err(format!("html/template: {} is undefined", go_quote(name)));
        }
        let output = std::mem::take(&mut self.html.output);
        let mut e = Escaper::new(self, output.clone());
        let (c, _) = e.escape_tree(Context::default(), 0, name, 0);
        let err = match c.err {
            Some(mut err) => Some(err_named(&mut err, name)),
            None if c.state != State::Text => {
                let mut err = EscError::new(None, 0, format!("ends in a non-text context: {c}"));
                Some(err_named(&mut err, name))
            }
            None => None,
        };
        if let Some(err) = err {
            self.html.output = output;
            self.html.errors.insert(name.to_owned(), err.clone());
            return Err(err);
        }
        let (out, derived, edits) = (e.output, e.derived, e.edits);
        self.html.output = out;
        for (dname, (list, text)) in derived {
            // The escaper holds no other reference; the list moves without its nodes moving.
            let list = std::rc::Rc::try_unwrap(list).unwrap_or_else(|rc| (*rc).clone());
            self.trees.push((dname.into(), list, text));
        }
        for (_, list, _) in &mut self.trees {
            apply(list, &edits);
        }
        self.html.escaped.insert(name.to_owned());
        Ok(())
    }
}

/// `v` as a plain string if it is typed content: Go's builtins and `fmt` see a named string
/// type as a string (`eq`, `len`, `printf "%q"`, `print`'s spacing).
pub(crate) fn untyped(args: &[Value]) -> std::borrow::Cow<'_, [Value]> {
    if !args.iter().any(|a| content::typed(a).is_some()) {
        return std::borrow::Cow::Borrowed(args);
    }
    let plain = |a: &Value| content::typed(a).map_or_else(|| a.clone(), |t| Value::Str(t.text.clone()));
    std::borrow::Cow::Owned(args.iter().map(plain).collect())
}

fn err_named(err: &mut EscError, name: &str) -> String {
    err.name = name.to_owned();
    err.to_string()
}

fn apply<'a>(list: &mut List<'a>, edits: &Edits) {
    for node in list.iter_mut() {
        let at = &*node as *const Node<'a> as usize;
        match node {
            Node::Text(t) => {
                if let Some(new) = edits.texts.get(&at) {
                    *t = new.clone().into();
                }
            }
            Node::Action(p) => {
                if let Some(s) = edits.actions.get(&at) {
                    ensure_pipeline_contains(p, s);
                }
            }
            Node::Template { name, .. } => {
                if let Some(new) = edits.templates.get(&at) {
                    *name = new.clone().into();
                }
            }
            Node::Branch(b) => {
                apply(&mut b.list, edits);
                if let Some(e) = &mut b.else_list {
                    apply(e, edits);
                }
            }
            Node::Break(_) | Node::Continue(_) => {}
        }
    }
}

/// The escaper html/template considers the same as a predefined one (`html`, `urlquery`).
fn normalize(e: &str) -> &str {
    match e {
        "_html_template_attrescaper" | "_html_template_htmlescaper" | "_html_template_rcdataescaper" => "html",
        "_html_template_urlescaper" | "_html_template_urlnormalizer" => "urlquery",
        e => e,
    }
}

/// Whether `b` after `a` changes nothing (Go's `redundantFuncs`).
fn redundant(a: &str, b: &str) -> bool {
    matches!(
        (a, b),
        (
            "_html_template_commentescaper",
            "_html_template_attrescaper" | "_html_template_nospaceescaper" | "_html_template_htmlescaper"
        ) | ("_html_template_cssescaper", "_html_template_attrescaper")
            | ("_html_template_jsregexpescaper", "_html_template_attrescaper")
            | ("_html_template_jsstrescaper", "_html_template_attrescaper")
            | ("_html_template_urlescaper", "_html_template_urlnormalizer")
    )
}

fn ident<'c>(c: &'c Command<'_>) -> Option<&'c str> {
    match c.args.first() {
        Some(Arg::Identifier(_, name)) => Some(name),
        _ => None,
    }
}

fn append_cmd<'a>(cmds: &mut Vec<Command<'a>>, name: &'a str, pos: usize) {
    if let Some(last) = cmds.last().and_then(ident) {
        if redundant(last, name) {
            return;
        }
    }
    cmds.push(Command { pos, args: vec![Arg::Identifier(pos, name)] });
}

/// The pipeline ending in the escapers `s`, merged with a predefined escaper it ends in (Go's
/// `ensurePipelineContains`).
fn ensure_pipeline_contains<'a>(p: &mut Pipe<'a>, s: &[&'static str]) {
    if s.is_empty() {
        return;
    }
    let mut s: Vec<&'a str> = s.to_vec();
    let mut len = p.cmds.len();
    let last_ident = p.cmds.last().and_then(|c| match c.args.first() {
        Some(Arg::Identifier(pos, name)) => Some((*pos, *name)),
        _ => None,
    });
    if let Some((pos, esc)) = last_ident {
        if esc == "html" || esc == "urlquery" {
            let n_args = p.cmds.last().map_or(0, |c| c.args.len());
            if p.cmds.len() == 1 && n_args > 1 {
                // `{{html a b}}` is `{{_eval_args_ a b | html}}`, so `html` can merge.
                p.cmds[0].args[0] = Arg::Identifier(pos, "_eval_args_");
                append_cmd(&mut p.cmds, esc, p.pos);
                len += 1;
            }
            let mut dup = false;
            for x in s.iter_mut() {
                if normalize(esc) == normalize(x) {
                    *x = esc;
                    dup = true;
                }
            }
            if dup {
                len -= 1;
            }
        }
    }
    let mut cmds: Vec<Command<'a>> = p.cmds.drain(..).take(len).collect();
    let inserted: HashSet<String> = cmds.iter().filter_map(ident).map(|n| normalize(n).to_owned()).collect();
    for name in s {
        if !inserted.contains(normalize(name)) {
            append_cmd(&mut cmds, name, p.pos);
        }
    }
    p.cmds = cmds;
}
