//! Typed content (Go's `template.HTML`, `URL`, …): strings a template trusts, which some
//! escapers pass unchanged, and how escapers print their arguments (Go's `stringify`).

use std::rc::Rc;

use crate::gotemplate::fmt::sprint;
use crate::gotemplate::value::{Object, Value};

/// What html/template emits in place of an unsafe value.
pub const FILTER_FAILSAFE: &str = "ZgotmplZ";

/// Go's `contentType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentType {
    /// A plain string: every escaper escapes it.
    Plain,
    /// `template.CSS`.
    Css,
    /// `template.HTML`.
    Html,
    /// `template.HTMLAttr`.
    HtmlAttr,
    /// `template.JS`.
    Js,
    /// `template.JSStr`.
    JsStr,
    /// `template.URL`.
    Url,
    /// `template.Srcset`.
    Srcset,
    /// An attribute whose value changes how other content is read (`type`, `rel`, …).
    Unsafe,
}

impl ContentType {
    fn go_type(self) -> &'static str {
        match self {
            ContentType::Css => "template.CSS",
            ContentType::Html => "template.HTML",
            ContentType::HtmlAttr => "template.HTMLAttr",
            ContentType::Js => "template.JS",
            ContentType::JsStr => "template.JSStr",
            ContentType::Url => "template.URL",
            ContentType::Srcset => "template.Srcset",
            ContentType::Plain | ContentType::Unsafe => "string",
        }
    }
}

/// A string of trusted content: prints as the string (as it does in text/template), and the
/// escapers of html/template recognise its type.
#[derive(Debug)]
pub struct Typed {
    /// Which Go type.
    pub kind: ContentType,
    /// The string.
    pub text: Rc<str>,
}

impl Typed {
    /// The template value of `text` typed as `kind`.
    pub fn value(kind: ContentType, text: &str) -> Value {
        Value::Object(Rc::new(Typed { kind, text: text.into() }))
    }
}

impl Object for Typed {
    fn type_name(&self) -> &str {
        self.kind.go_type()
    }

    fn call(&self, _name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }

    fn print(&self) -> String {
        self.text.to_string()
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn truth(&self) -> Option<bool> {
        Some(!self.text.is_empty())
    }
}

/// The typed content `v` is, if it is.
pub fn typed(v: &Value) -> Option<&Typed> {
    match v {
        Value::Object(o) => o.as_any()?.downcast_ref::<Typed>(),
        _ => None,
    }
}

/// Go's `stringify`: one typed argument keeps its type; otherwise `fmt.Sprint` of the
/// arguments without the nil ones (a missing value reaches an escaper as a nil interface).
pub fn stringify(args: &[Value]) -> (String, ContentType) {
    if let [one] = args {
        if let Value::Str(s) = one {
            return (s.to_string(), ContentType::Plain);
        }
        if let Some(t) = typed(one) {
            return (t.text.to_string(), t.kind);
        }
    }
    let args = super::untyped(args);
    let kept: Vec<Value> = args.iter().filter(|a| !matches!(a, Value::Missing | Value::Nil)).cloned().collect();
    (sprint(&kept), ContentType::Plain)
}

/// Go's `attrType`: what an attribute's value holds, from its (lower case) name.
pub fn attr_type(name: &str) -> ContentType {
    let mut name = name;
    if let Some(rest) = name.strip_prefix("data-") {
        name = rest;
    } else if let Some(colon) = name.find(':') {
        if &name[..colon] == "xmlns" {
            return ContentType::Url;
        }
        name = &name[colon + 1..];
    }
    use ContentType::*;
    let known = match name {
        "accept" | "alt" | "autocomplete" | "autofocus" | "autoplay" | "border" | "checked" | "class" | "cols"
        | "colspan" | "contenteditable" | "contextmenu" | "controls" | "coords" | "datetime" | "default" | "dir"
        | "dirname" | "disabled" | "draggable" | "dropzone" | "for" | "formtarget" | "headers" | "height"
        | "hidden" | "high" | "hreflang" | "id" | "ismap" | "kind" | "label" | "lang" | "list" | "loop" | "low"
        | "max" | "maxlength" | "media" | "mediagroup" | "min" | "multiple" | "name" | "open" | "optimum"
        | "placeholder" | "preload" | "pubdate" | "radiogroup" | "readonly" | "required" | "reversed" | "rows"
        | "rowspan" | "spellcheck" | "scope" | "scoped" | "seamless" | "selected" | "shape" | "size" | "sizes"
        | "span" | "srclang" | "start" | "step" | "tabindex" | "target" | "title" | "width" | "wrap" => Some(Plain),
        "accept-charset" | "async" | "challenge" | "charset" | "content" | "crossorigin" | "defer" | "enctype"
        | "form" | "formenctype" | "formmethod" | "formnovalidate" | "http-equiv" | "keytype" | "language"
        | "method" | "novalidate" | "pattern" | "rel" | "sandbox" | "type" | "value" => Some(Unsafe),
        "action" | "archive" | "background" | "cite" | "classid" | "codebase" | "data" | "formaction" | "href"
        | "icon" | "longdesc" | "manifest" | "poster" | "profile" | "src" | "usemap" | "xmlns" => Some(Url),
        "srcdoc" => Some(Html),
        "srcset" => Some(Srcset),
        "style" => Some(Css),
        _ => None,
    };
    if let Some(t) = known {
        return t;
    }
    if name.starts_with("on") {
        return Js;
    }
    if name.contains("src") || name.contains("uri") || name.contains("url") {
        return Url;
    }
    Plain
}
