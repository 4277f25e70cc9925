//! The parser state html/template tracks through a template's literal text (Go's `context.go`):
//! where in HTML, an attribute, a URL, JS or CSS an action's output lands.

use std::fmt;

/// Go's `state`, in Go's order (the names print as Go's stringer prints them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum State {
    #[default]
    Text,
    Tag,
    AttrName,
    AfterName,
    BeforeValue,
    HtmlCmt,
    Rcdata,
    Attr,
    Url,
    Srcset,
    MetaContent,
    MetaContentUrl,
    Js,
    JsDqStr,
    JsSqStr,
    JsTmplLit,
    JsRegexp,
    JsBlockCmt,
    JsLineCmt,
    JsHtmlOpenCmt,
    JsHtmlCloseCmt,
    Css,
    CssDqStr,
    CssSqStr,
    CssDqUrl,
    CssSqUrl,
    CssUrl,
    CssBlockCmt,
    CssLineCmt,
    Error,
    Dead,
}

impl State {
    pub fn name(self) -> &'static str {
        use State::*;
        match self {
            Text => "stateText",
            Tag => "stateTag",
            AttrName => "stateAttrName",
            AfterName => "stateAfterName",
            BeforeValue => "stateBeforeValue",
            HtmlCmt => "stateHTMLCmt",
            Rcdata => "stateRCDATA",
            Attr => "stateAttr",
            Url => "stateURL",
            Srcset => "stateSrcset",
            MetaContent => "stateMetaContent",
            MetaContentUrl => "stateMetaContentURL",
            Js => "stateJS",
            JsDqStr => "stateJSDqStr",
            JsSqStr => "stateJSSqStr",
            JsTmplLit => "stateJSTmplLit",
            JsRegexp => "stateJSRegexp",
            JsBlockCmt => "stateJSBlockCmt",
            JsLineCmt => "stateJSLineCmt",
            JsHtmlOpenCmt => "stateJSHTMLOpenCmt",
            JsHtmlCloseCmt => "stateJSHTMLCloseCmt",
            Css => "stateCSS",
            CssDqStr => "stateCSSDqStr",
            CssSqStr => "stateCSSSqStr",
            CssDqUrl => "stateCSSDqURL",
            CssSqUrl => "stateCSSSqURL",
            CssUrl => "stateCSSURL",
            CssBlockCmt => "stateCSSBlockCmt",
            CssLineCmt => "stateCSSLineCmt",
            Error => "stateError",
            Dead => "stateDead",
        }
    }

    /// Content meant for template authors, never for users or machines.
    pub fn is_comment(self) -> bool {
        use State::*;
        matches!(self, HtmlCmt | JsBlockCmt | JsLineCmt | JsHtmlOpenCmt | JsHtmlCloseCmt | CssBlockCmt | CssLineCmt)
    }

    pub fn is_in_tag(self) -> bool {
        matches!(self, State::Tag | State::AttrName | State::AfterName | State::BeforeValue | State::Attr)
    }

    /// Literals in which `<script`, `</script` and `<!--` must not appear unescaped.
    pub fn is_in_script_literal(self) -> bool {
        matches!(self, State::JsDqStr | State::JsSqStr | State::JsTmplLit | State::JsRegexp)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Delim {
    #[default]
    None,
    DoubleQuote,
    SingleQuote,
    SpaceOrTagEnd,
}

impl Delim {
    pub fn name(self) -> &'static str {
        match self {
            Delim::None => "delimNone",
            Delim::DoubleQuote => "delimDoubleQuote",
            Delim::SingleQuote => "delimSingleQuote",
            Delim::SpaceOrTagEnd => "delimSpaceOrTagEnd",
        }
    }

    /// The bytes that end an attribute value with this delimiter.
    pub fn ends(self) -> &'static [u8] {
        match self {
            Delim::None => b"",
            Delim::DoubleQuote => b"\"",
            Delim::SingleQuote => b"'",
            Delim::SpaceOrTagEnd => b" \t\n\x0c\r>",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UrlPart {
    #[default]
    None,
    PreQuery,
    QueryOrFrag,
    Unknown,
}

impl UrlPart {
    pub fn name(self) -> &'static str {
        match self {
            UrlPart::None => "urlPartNone",
            UrlPart::PreQuery => "urlPartPreQuery",
            UrlPart::QueryOrFrag => "urlPartQueryOrFrag",
            UrlPart::Unknown => "urlPartUnknown",
        }
    }
}

/// Whether a `/` starts a regexp or a division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JsCtx {
    #[default]
    Regexp,
    DivOp,
    Unknown,
}

impl JsCtx {
    pub fn name(self) -> &'static str {
        match self {
            JsCtx::Regexp => "jsCtxRegexp",
            JsCtx::DivOp => "jsCtxDivOp",
            JsCtx::Unknown => "jsCtxUnknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Attr {
    #[default]
    None,
    Script,
    ScriptType,
    Style,
    Url,
    Srcset,
    MetaContent,
}

impl Attr {
    pub fn name(self) -> &'static str {
        match self {
            Attr::None => "attrNone",
            Attr::Script => "attrScript",
            Attr::ScriptType => "attrScriptType",
            Attr::Style => "attrStyle",
            Attr::Url => "attrURL",
            Attr::Srcset => "attrSrcset",
            Attr::MetaContent => "attrMetaContent",
        }
    }

    /// The state an attribute value of this kind starts in.
    pub fn start_state(self) -> State {
        match self {
            Attr::None | Attr::ScriptType => State::Attr,
            Attr::Script => State::Js,
            Attr::Style => State::Css,
            Attr::Url => State::Url,
            Attr::Srcset => State::Srcset,
            Attr::MetaContent => State::MetaContent,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Element {
    #[default]
    None,
    Script,
    Style,
    Textarea,
    Title,
    Meta,
}

impl Element {
    pub fn name(self) -> &'static str {
        match self {
            Element::None => "elementNone",
            Element::Script => "elementScript",
            Element::Style => "elementStyle",
            Element::Textarea => "elementTextarea",
            Element::Title => "elementTitle",
            Element::Meta => "elementMeta",
        }
    }

    /// The state of the element's body.
    pub fn content_state(self) -> State {
        match self {
            Element::None | Element::Meta => State::Text,
            Element::Script => State::Js,
            Element::Style => State::Css,
            Element::Textarea | Element::Title => State::Rcdata,
        }
    }
}

/// An escaping error, as Go's `html/template.Error` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EscError {
    /// `NAME:LINE:COL` of the node it is about, if any (Go's `ErrorContext`).
    pub loc: Option<String>,
    /// The template being escaped.
    pub name: String,
    pub line: usize,
    pub description: String,
}

impl EscError {
    pub fn new(loc: Option<String>, line: usize, description: String) -> Box<Self> {
        Box::new(EscError { loc, name: String::new(), line, description })
    }
}

impl fmt::Display for EscError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.loc {
            write!(f, "html/template:{loc}: {}", self.description)
        } else if self.line != 0 {
            write!(f, "html/template:{}:{}: {}", self.name, self.line, self.description)
        } else if !self.name.is_empty() {
            write!(f, "html/template:{}: {}", self.name, self.description)
        } else {
            write!(f, "html/template: {}", self.description)
        }
    }
}

/// Go's `context`. `brace` is the brace depth in each enclosing `${` of a JS template literal.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub state: State,
    pub delim: Delim,
    pub url_part: UrlPart,
    pub js_ctx: JsCtx,
    pub brace: Vec<i32>,
    pub attr: Attr,
    pub element: Element,
    pub err: Option<Box<EscError>>,
    /// Where a `{{break}}`/`{{continue}}` was (its location text and line), for messages.
    pub at: Option<(String, usize)>,
}

impl PartialEq for Context {
    fn eq(&self, d: &Self) -> bool {
        self.state == d.state
            && self.delim == d.delim
            && self.url_part == d.url_part
            && self.js_ctx == d.js_ctx
            && self.brace == d.brace
            && self.attr == d.attr
            && self.element == d.element
            && self.err == d.err
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{{} {} {} {} {} {} ",
            self.state.name(),
            self.delim.name(),
            self.url_part.name(),
            self.js_ctx.name(),
            self.attr.name(),
            self.element.name()
        )?;
        match &self.err {
            Some(e) => write!(f, "{e}}}"),
            None => f.write_str("<nil>}"),
        }
    }
}

impl Context {
    pub fn of(state: State) -> Self {
        Context { state, ..Context::default() }
    }

    pub fn error(err: Box<EscError>) -> Self {
        Context { state: State::Error, err: Some(err), ..Context::default() }
    }

    /// The name of the copy of `name` escaped for this start context (Go's `mangle`).
    pub fn mangle(&self, name: &str) -> String {
        if self.state == State::Text {
            return name.to_owned();
        }
        let mut s = format!("{name}$htmltemplate_{}", self.state.name());
        if self.delim != Delim::None {
            s = s + "_" + self.delim.name();
        }
        if self.url_part != UrlPart::None {
            s = s + "_" + self.url_part.name();
        }
        if self.js_ctx != JsCtx::Regexp {
            s = s + "_" + self.js_ctx.name();
        }
        if self.attr != Attr::None {
            s = s + "_" + self.attr.name();
        }
        if self.element != Element::None {
            s = s + "_" + self.element.name();
        }
        s
    }
}

/// The context after the empty-string transitions an action starts with (`<a href={{.}}` is an
/// unquoted URL value, `<a {{.}}` an attribute name).
pub fn nudge(mut c: Context) -> Context {
    match c.state {
        State::Tag => c.state = State::AttrName,
        State::BeforeValue => {
            c.state = c.attr.start_state();
            c.delim = Delim::SpaceOrTagEnd;
            c.attr = Attr::None;
        }
        State::AfterName => {
            c.state = State::AttrName;
            c.attr = Attr::None;
        }
        _ => {}
    }
    c
}

/// The context after two branches: the same, or one that differs only in URL part or JS
/// context (made unknown), else Go's `{{if}} branches end in different contexts` error.
pub fn join(a: Context, b: Context, loc: &Option<String>, node_name: &str) -> Context {
    if a.state == State::Error {
        return a;
    }
    if b.state == State::Error {
        return b;
    }
    if a.state == State::Dead {
        return b;
    }
    if b.state == State::Dead {
        return a;
    }
    if a == b {
        return a;
    }
    let mut c = a.clone();
    c.url_part = b.url_part;
    if c == b {
        c.url_part = UrlPart::Unknown;
        return c;
    }
    let mut c = a.clone();
    c.js_ctx = b.js_ctx;
    if c == b {
        c.js_ctx = JsCtx::Unknown;
        return c;
    }
    let (na, nb) = (nudge(a.clone()), nudge(b.clone()));
    if !(na == a && nb == b) {
        let e = join(na, nb, loc, node_name);
        if e.state != State::Error {
            return e;
        }
    }
    Context::error(EscError::new(
        loc.clone(),
        0,
        format!("{{{{{node_name}}}}} branches end in different contexts: {a}, {b}"),
    ))
}
