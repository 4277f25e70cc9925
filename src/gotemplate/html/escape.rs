//! Walking templates through the context state machine (Go's `escape.go`): which escapers each
//! action needs, which copies of called templates each start context needs, what literal text
//! loses (comments) or gains (`&lt;`), and whether branches agree.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::context::{join, nudge, Context, Delim, EscError, JsCtx, State, UrlPart};
use super::transition::q;
use crate::gotemplate::ast::{Branch, BranchKind, List, Node, Pipe};
use crate::gotemplate::exec::Set;

/// Contexts at `{{break}}` and `{{continue}}` of the innermost range.
#[derive(Default)]
struct RangeCtx {
    breaks: Vec<Context>,
    continues: Vec<Context>,
}

/// The changes escaping makes, applied once it succeeds (Go's `xxxNodeEdits`), keyed by node
/// address: the trees are not moved between the walk and the commit.
#[derive(Default)]
pub struct Edits {
    pub actions: HashMap<usize, Vec<&'static str>>,
    pub templates: HashMap<usize, String>,
    pub texts: HashMap<usize, String>,
}

/// Whether a scratch escaper's inferences and output context hold.
type Filter<'f, 'a> = dyn Fn(&Escaper<'_, 'a>, &Context) -> bool + 'f;

type Derived<'a> = HashMap<String, (Rc<List<'a>>, usize)>;

pub struct Escaper<'s, 'a> {
    set: &'s Set<'a>,
    pub output: HashMap<String, Context>,
    pub derived: Derived<'a>,
    called: HashSet<String>,
    pub edits: Edits,
    ranges: Vec<RangeCtx>,
    /// Lists replaced or abandoned during the walk, kept so no address is reused.
    graveyard: Vec<Rc<List<'a>>>,
    /// The text (of the set) the template being walked was parsed from.
    text: usize,
}

pub(super) fn addr(n: &Node<'_>) -> usize {
    n as *const Node<'_> as usize
}

impl<'s, 'a> Escaper<'s, 'a> {
    pub fn new(set: &'s Set<'a>, output: HashMap<String, Context>) -> Self {
        Escaper {
            set,
            output,
            derived: HashMap::new(),
            called: HashSet::new(),
            edits: Edits::default(),
            ranges: Vec::new(),
            graveyard: Vec::new(),
            text: 0,
        }
    }

    /// Go's `ErrorContext`: `NAME:LINE:COL` (column 0-based, in bytes) of offset `pos`.
    fn loc(&self, pos: usize) -> Option<String> {
        let (name, text) = self.set.texts.get(self.text)?;
        let before = &text[..pos.min(text.len())];
        let col = before.rfind('\n').map_or(pos, |i| pos - (i + 1));
        Some(format!("{name}:{}:{col}", 1 + before.matches('\n').count()))
    }

    fn line(&self, pos: usize) -> usize {
        self.set.texts.get(self.text).map_or(1, |(_, t)| 1 + t[..pos.min(t.len())].matches('\n').count())
    }

    fn err(&self, pos: usize, line: usize, description: String) -> Context {
        Context::error(EscError::new(self.loc(pos), line, description))
    }

    fn exists(&self, name: &str) -> bool {
        self.set.trees.iter().any(|(n, ..)| n == name) || self.derived.contains_key(name)
    }

    fn set_tree(&self, name: &str) -> Option<&'s List<'a>> {
        self.set.trees.iter().find(|(n, ..)| n == name).map(|(_, l, _)| l)
    }

    /// Escapes template `name` for start context `c`: its output context and the name of the
    /// copy escaped for `c` (Go's `escapeTree`).
    pub fn escape_tree(&mut self, c: Context, pos: usize, name: &str, line: usize) -> (Context, String) {
        let dname = c.mangle(name);
        self.called.insert(dname.clone());
        if let Some(out) = self.output.get(&dname) {
            return (out.clone(), dname);
        }
        if !self.exists(name) {
            return (self.err(pos, line, format!("no such template {}", q(name.as_bytes(), None))), dname);
        }
        let saved = self.text;
        let out = if dname != name {
            if !self.exists(&dname) {
                let (list, text) = match self.set_tree(name) {
                    Some(l) => (l.clone(), self.set.trees.iter().find(|(n, ..)| n == name).map_or(0, |t| t.2)),
                    None => {
                        let (l, t) = &self.derived[name];
                        ((**l).clone(), *t)
                    }
                };
                if let Some((old, _)) = self.derived.insert(dname.clone(), (Rc::new(list), text)) {
                    self.graveyard.push(old);
                }
            }
            self.compute_out_ctx(c, &dname)
        } else {
            self.compute_out_ctx(c, name)
        };
        self.text = saved;
        (out, dname)
    }

    fn compute_out_ctx(&mut self, c: Context, name: &str) -> Context {
        let (mut c1, mut ok) = self.escape_template_body(c, name);
        if !ok {
            let (c2, ok2) = self.escape_template_body(c1.clone(), name);
            if ok2 {
                (c1, ok) = (c2, true);
            }
        }
        if !ok && c1.state != State::Error {
            return self.err(0, 0, format!("cannot compute output context for template {name}"));
        }
        c1
    }

    fn escape_template_body(&mut self, c: Context, name: &str) -> (Context, bool) {
        self.output.insert(name.to_owned(), c.clone());
        let filter =
            |e1: &Escaper<'_, '_>, c1: &Context| c1.state != State::Error && (!e1.called.contains(name) || c == *c1);
        match self.set_tree(name) {
            Some(list) => {
                self.text = self.set.trees.iter().find(|(n, ..)| n == name).map_or(0, |t| t.2);
                self.escape_list_conditionally(c.clone(), list, Some(&filter))
            }
            None => {
                let (rc, text) = self.derived[name].clone();
                self.text = text;
                self.escape_list_conditionally(c.clone(), &rc, Some(&filter))
            }
        }
    }

    /// Escapes `list` with a scratch escaper, keeping its inferences and edits only if `filter`
    /// accepts them.
    fn escape_list_conditionally(
        &mut self,
        c: Context,
        list: &List<'a>,
        filter: Option<&Filter<'_, 'a>>,
    ) -> (Context, bool) {
        let mut e1 = Escaper::new(self.set, self.output.clone());
        e1.text = self.text;
        e1.ranges = std::mem::take(&mut self.ranges);
        let c = e1.escape_list(c, list);
        let ok = filter.is_some_and(|f| f(&e1, &c));
        self.ranges = std::mem::take(&mut e1.ranges);
        self.graveyard.append(&mut e1.graveyard);
        if ok {
            self.output.extend(e1.output);
            for (k, v) in e1.derived {
                if let Some((old, _)) = self.derived.insert(k, v) {
                    self.graveyard.push(old);
                }
            }
            self.called.extend(e1.called);
            self.edits.actions.extend(e1.edits.actions);
            self.edits.templates.extend(e1.edits.templates);
            self.edits.texts.extend(e1.edits.texts);
        } else {
            self.graveyard.extend(e1.derived.into_values().map(|(l, _)| l));
        }
        (c, ok)
    }

    fn escape_list(&mut self, mut c: Context, list: &[Node<'a>]) -> Context {
        for n in list {
            c = self.escape(c, n);
            if c.state == State::Dead {
                break;
            }
        }
        c
    }

    fn escape(&mut self, c: Context, n: &Node<'a>) -> Context {
        match n {
            Node::Text(t) => self.escape_text(c, t.as_bytes(), addr(n)),
            Node::Action(p) => self.escape_action(c, p, addr(n)),
            Node::Branch(b) => self.escape_branch(c, b),
            Node::Template { pos, name, .. } => {
                let line = self.line(*pos);
                let (c, dname) = self.escape_tree(c, *pos, name, line);
                if dname != *name {
                    self.edits.templates.insert(addr(n), dname);
                }
                c
            }
            Node::Break(pos) | Node::Continue(pos) => {
                let mut c = c;
                c.at = Some((self.loc(*pos).unwrap_or_default(), self.line(*pos)));
                if let Some(r) = self.ranges.last_mut() {
                    if matches!(n, Node::Break(_)) {
                        r.breaks.push(c);
                    } else {
                        r.continues.push(c);
                    }
                }
                Context::of(State::Dead)
            }
        }
    }

    fn escape_action(&mut self, c: Context, p: &Pipe<'a>, at: usize) -> Context {
        if !p.decl.is_empty() {
            return c;
        }
        let mut c = nudge(c);
        let last = p.cmds.len().saturating_sub(1);
        for (i, cmd) in p.cmds.iter().enumerate() {
            if let Some(crate::gotemplate::ast::Arg::Identifier(_, ident)) = cmd.args.first() {
                if (*ident == "html" || *ident == "urlquery")
                    && (i < last || c.state == State::Attr && c.delim == Delim::SpaceOrTagEnd && *ident == "html")
                {
                    let d = format!("predefined escaper {} disallowed in template", q(ident.as_bytes(), None));
                    return self.err(p.pos, self.line(p.pos), d);
                }
            }
        }
        let mut s: Vec<&'static str> = Vec::new();
        use State::*;
        match c.state {
            Error => return c,
            Url | CssDqStr | CssSqStr | CssDqUrl | CssSqUrl | CssUrl => match c.url_part {
                UrlPart::None | UrlPart::PreQuery => {
                    if c.url_part == UrlPart::None {
                        s.push("_html_template_urlfilter");
                    }
                    if matches!(c.state, CssDqStr | CssSqStr) {
                        s.push("_html_template_cssescaper");
                    } else {
                        s.push("_html_template_urlnormalizer");
                    }
                }
                UrlPart::QueryOrFrag => s.push("_html_template_urlescaper"),
                UrlPart::Unknown => {
                    let d = format!("{{{{{p}}}}} appears in an ambiguous context within a URL");
                    return self.err(p.pos, self.line(p.pos), d);
                }
            },
            Js => {
                s.push("_html_template_jsvalescaper");
                // A slash after a value is a division.
                c.js_ctx = JsCtx::DivOp;
            }
            JsDqStr | JsSqStr => s.push("_html_template_jsstrescaper"),
            JsTmplLit => s.push("_html_template_jstmpllitescaper"),
            JsRegexp => s.push("_html_template_jsregexpescaper"),
            Css => s.push("_html_template_cssvaluefilter"),
            Text => s.push("_html_template_htmlescaper"),
            Rcdata => s.push("_html_template_rcdataescaper"),
            Attr => {}
            AttrName | Tag => {
                c.state = AttrName;
                s.push("_html_template_htmlnamefilter");
            }
            Srcset => s.push("_html_template_srcsetescaper"),
            MetaContent => {}
            MetaContentUrl => s.push("_html_template_urlfilter"),
            st if st.is_comment() => s.push("_html_template_commentescaper"),
            _ => {}
        }
        match c.delim {
            Delim::None => {}
            Delim::SpaceOrTagEnd => s.push("_html_template_nospaceescaper"),
            _ => s.push("_html_template_attrescaper"),
        }
        self.edits.actions.insert(at, s);
        c
    }

    fn escape_branch(&mut self, c: Context, b: &Branch<'a>) -> Context {
        let name = match b.kind {
            BranchKind::If => "if",
            BranchKind::With => "with",
            BranchKind::Range => "range",
        };
        let loc = self.loc(b.pipe.pos);
        let range = b.kind == BranchKind::Range;
        if range {
            self.ranges.push(RangeCtx::default());
        }
        let mut c0 = self.escape_list(c.clone(), &b.list);
        if range {
            let rc = self.ranges.pop().unwrap_or_default();
            if c0.state != State::Error {
                c0 = join_range(c0, rc);
            }
            if c0.state == State::Error {
                return c0;
            }
            // The body can run again: once more from where it ended must end the same.
            self.ranges.push(RangeCtx::default());
            let (c1, _) = self.escape_list_conditionally(c0.clone(), &b.list, None);
            c0 = join(c0, c1, &loc, name);
            if c0.state == State::Error {
                self.ranges.pop();
                if let Some(e) = c0.err.as_mut() {
                    e.line = self.line(b.pipe.pos);
                    e.description = format!("on range loop re-entry: {}", e.description);
                }
                return c0;
            }
            let rc = self.ranges.pop().unwrap_or_default();
            c0 = join_range(c0, rc);
            if c0.state == State::Error {
                return c0;
            }
        }
        let c1 = match &b.else_list {
            Some(l) => self.escape_list(c, l),
            None => c,
        };
        join(c0, c1, &loc, name)
    }
}

fn join_range(mut c0: Context, rc: RangeCtx) -> Context {
    for (what, list) in [("break", rc.breaks), ("continue", rc.continues)] {
        for c in list {
            let (loc, line) = c.at.clone().unwrap_or_default();
            c0 = join(c0, c, &Some(loc), "range");
            if c0.state == State::Error {
                if let Some(e) = c0.err.as_mut() {
                    e.line = line;
                    e.description = format!("at range loop {what}: {}", e.description);
                }
                return c0;
            }
        }
    }
    c0
}
