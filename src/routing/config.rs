//! What the router reads of an Alertmanager config: the route tree, inhibit rules, named time
//! intervals and receivers (names and integrations), with the positions errors point at.
//! Other fields are left to `check` (`alertmanager/*`), which knows every one of them.

use std::collections::BTreeMap;
use std::path::Path;

use super::interval::TimeInterval;
use super::route::{Opts, Route};
use crate::check::node::{pos, Located, SourceNode, Tree};
use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::syntax::matcher::{parse_matchers, Matcher};

/// A receiver: its name and the integrations it notifies through.
#[derive(Debug, Clone, PartialEq)]
pub struct Receiver {
    /// `name`.
    pub name: String,
    /// Integration kinds with at least one entry (`slack`, `webhook`, …), in file order.
    pub integrations: Vec<String>,
}

/// One inhibit rule.
#[derive(Debug, Clone)]
pub struct InhibitRule {
    /// Matchers of the alerts that inhibit.
    pub source: Vec<Matcher>,
    /// Matchers of the alerts that are inhibited.
    pub target: Vec<Matcher>,
    /// Labels whose values must be equal in source and target (a missing one equals an empty one).
    pub equal: Vec<String>,
    /// `name`, when given.
    pub name: Option<String>,
}

/// The parts of an Alertmanager config routing depends on.
#[derive(Debug, Clone)]
pub struct Config {
    /// The root route.
    pub route: Route,
    /// `inhibit_rules`, in order.
    pub inhibit_rules: Vec<InhibitRule>,
    /// `time_intervals` and `mute_time_intervals` by name.
    pub intervals: BTreeMap<String, Vec<TimeInterval>>,
    /// `receivers`, in order.
    pub receivers: Vec<Receiver>,
}

/// Collects errors with their positions in one file.
pub(super) struct Loader<'a> {
    file: &'a Path,
    source: &'a str,
    errors: Vec<Diagnostic>,
    /// Zones by name: a config may name one in thousands of intervals.
    zones: std::collections::HashMap<String, Result<super::tz::Zone, String>>,
}

impl<'a> Loader<'a> {
    pub(super) fn new(file: &'a Path, source: &'a str) -> Self {
        Loader { file, source, errors: Vec::new(), zones: std::collections::HashMap::new() }
    }

    /// The zone `name`, read once per config.
    pub(super) fn zone(&mut self, name: &str) -> Result<super::tz::Zone, String> {
        self.zones.entry(name.to_owned()).or_insert_with(|| super::tz::Zone::load(name)).clone()
    }

    pub(super) fn err(&mut self, at: &Tree, message: impl Into<String>) {
        self.errors.push(Diagnostic::new(self.file, self.source, Some(pos(at)), message));
    }

    pub(super) fn err_at(&mut self, at: Pos, message: impl Into<String>, help: impl Into<String>) {
        self.errors.push(Diagnostic::new(self.file, self.source, Some(at), message).with_help(help));
    }

    pub(super) fn err_help(&mut self, at: &Tree, message: impl Into<String>, help: impl Into<String>) {
        self.errors.push(Diagnostic::new(self.file, self.source, Some(pos(at)), message).with_help(help));
    }

    /// An unknown key, named as upstream names it, with the nearest known one.
    pub(super) fn unknown(&mut self, key: &Located<String>, name: &str, known: &[&str], type_name: &str) {
        let near = crate::diag::nearest(name, known.iter().copied());
        let help = match near {
            Some(n) => format!("did you mean `{n}`? valid keys here: `{}`", known.join("`, `")),
            None => format!("valid keys here: `{}`", known.join("`, `")),
        };
        let d = Diagnostic::new(
            self.file,
            self.source,
            Some(pos(key)),
            format!("field {name} not found in type {type_name}"),
        );
        self.errors.push(d.with_help(help));
    }

    /// The items of a list (null is empty); anything else is an error.
    pub(super) fn list<'t>(&mut self, at: &'t Tree, what: &str) -> &'t [Tree] {
        match &at.value {
            SourceNode::Seq(items) => items,
            SourceNode::Null => &[],
            other => {
                self.err(at, format!("`{what}` must be a list, not {}", other.kind()));
                &[]
            }
        }
    }

    /// The entries of a mapping (null is empty); anything else is an error.
    pub(super) fn map<'t>(&mut self, at: &'t Tree, what: &str) -> &'t [(Located<String>, Tree)] {
        match &at.value {
            SourceNode::Map(entries) => entries,
            SourceNode::Null => &[],
            other => {
                self.err(at, format!("`{what}` must be a mapping, not {}", other.kind()));
                &[]
            }
        }
    }

    /// A scalar as text, or an error.
    /// A scalar as text, `None` for null, or an error. As Go's yaml.v2 fills a string field, a plain scalar that
    /// reads as a number or boolean keeps its text as written (`1.10`, `yes`, `0x1F`).
    pub(super) fn text(&mut self, at: &Tree, what: &str) -> Option<String> {
        match &at.value {
            SourceNode::Number(_) | SourceNode::Bool(_) => {
                Some(self.written(at).unwrap_or_else(|| at.value.as_str().unwrap_or_default()))
            }
            SourceNode::Str(s) => Some(s.clone()),
            // As Go's yaml.v2: null leaves the field as if absent.
            SourceNode::Null => None,
            other => {
                self.err(at, format!("`{what}` must be a string, not {}", other.kind()));
                None
            }
        }
    }

    /// A label value: as [`Loader::text`], and null (`a:` or `a: ~`) is the empty value.
    pub(super) fn label_value(&mut self, at: &Tree, what: &str) -> Option<String> {
        if matches!(at.value, SourceNode::Null) {
            return Some(String::new());
        }
        self.text(at, what)
    }

    /// The text of a plain number or boolean scalar where it is written in the source.
    fn written(&self, at: &Tree) -> Option<String> {
        if at.at.line == 0 {
            return None;
        }
        let line = self.source.lines().nth(usize::try_from(at.at.line - 1).ok()?)?;
        let rest: String = line.chars().skip(usize::try_from(at.at.column.saturating_sub(1)).ok()?).collect();
        let end = rest.find([',', ']', '}', ' ', '\t', '#']).unwrap_or(rest.len());
        let text = &rest[..end];
        // Only what reads back as the same value: a position that is off gives no text.
        let same = match &at.value {
            SourceNode::Bool(b) => {
                let t = text.to_ascii_lowercase();
                matches!(t.as_str(), "true" | "yes" | "y" | "on") == *b
                    && matches!(t.as_str(), "true" | "yes" | "y" | "on" | "false" | "no" | "n" | "off")
            }
            SourceNode::Number(_) => !text.is_empty() && text.chars().any(|c| c.is_ascii_digit() || c == '.'),
            _ => false,
        };
        same.then(|| text.to_owned())
    }

    /// Matchers from `match`/`match_re` maps and `matchers` lists of an object.
    pub(super) fn matchers(&mut self, obj: &SourceNode, keys: [&str; 3]) -> Vec<Matcher> {
        let mut out = Vec::new();
        for (key, regex) in [(keys[0], false), (keys[1], true)] {
            let Some(m) = obj.get(key) else { continue };
            for (k, v) in self.map(m, key) {
                let Some(mut value) = self.label_value(v, key) else { continue };
                if regex {
                    // Upstream keeps the anchored form as the matcher's value (it shows in
                    // amtool's tree); anchoring twice matches the same.
                    value = format!("^(?:{value})$");
                }
                match Matcher::new(&k.value, &value, regex) {
                    Ok(m) => out.push(m),
                    Err(e) => self.err(v, format!("error parsing regexp: {e}")),
                }
            }
        }
        if let Some(list) = obj.get(keys[2]) {
            for m in self.list(list, keys[2]) {
                let Some(text) = self.text(m, keys[2]) else { continue };
                match parse_matchers(&text) {
                    Ok(ms) => out.extend(ms),
                    Err(e) => self.err_help(
                        m,
                        format!("bad matcher format: {text}: {e}"),
                        "expected `label=\"value\"`, `label!=\"value\"`, `label=~\"regex\"` or `label!~\"regex\"`",
                    ),
                }
            }
        }
        out
    }

    /// `Ok` when nothing was reported.
    pub(super) fn finish(self) -> Result<(), Diagnostics> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Diagnostics(self.errors))
        }
    }
}

/// The keys of an inhibit rule, as Alertmanager's `config.InhibitRule` reads them.
pub const INHIBIT: &[&str] = &[
    "name",
    "source_match",
    "source_match_re",
    "source_matchers",
    "target_match",
    "target_match_re",
    "target_matchers",
    "equal",
];

impl Config {
    /// Reads the config `file` whose text is `source`.
    pub fn parse(file: &Path, source: &str) -> Result<Config, Diagnostics> {
        let source = source.strip_prefix('\u{feff}').unwrap_or(source);
        let tree = crate::check::node::parse(source)
            .map_err(|e| Diagnostics(vec![crate::syntax::yaml::error(file, source, &e)]))?;
        Config::from_tree(file, source, &tree)
    }

    /// Reads an already parsed config.
    pub fn from_tree(file: &Path, source: &str, doc: &Tree) -> Result<Config, Diagnostics> {
        let mut cx = Loader::new(file, source);
        let mut receivers = Vec::new();
        let mut intervals = BTreeMap::new();
        let mut inhibit_rules = Vec::new();
        if !matches!(doc.value, SourceNode::Map(_)) {
            cx.err(doc, "an Alertmanager config must be a mapping with a `route` and `receivers`");
            return Err(cx.finish().expect_err("an error was just reported"));
        }
        for r in doc.value.get("receivers").map(|r| cx.list(r, "receivers")).unwrap_or_default() {
            let name = r.value.text("name");
            if name.is_empty() {
                cx.err(r, "missing name in receiver");
                continue;
            }
            if receivers.iter().any(|x: &Receiver| x.name == name) {
                cx.err(r, format!("notification config name {name:?} is not unique"));
            }
            let integrations = match &r.value {
                SourceNode::Map(entries) => entries
                    .iter()
                    .filter(|(k, v)| k.value.ends_with("_configs") && !v.value.as_seq().is_empty())
                    .map(|(k, _)| k.value.trim_end_matches("_configs").to_owned())
                    .collect(),
                _ => Vec::new(),
            };
            receivers.push(Receiver { name, integrations });
        }
        for key in ["mute_time_intervals", "time_intervals"] {
            for ti in doc.value.get(key).map(|t| cx.list(t, key)).unwrap_or_default() {
                let name = ti.value.text("name");
                if name.is_empty() {
                    cx.err(ti, "missing name in time interval");
                    continue;
                }
                if intervals.contains_key(&name) {
                    cx.err(ti, format!("time interval {name:?} is not unique"));
                }
                let mut parsed = Vec::new();
                if let Some(list) = ti.value.get("time_intervals") {
                    for entry in cx.list(list, "time_intervals") {
                        parsed.push(TimeInterval::load(entry, &mut cx));
                    }
                }
                intervals.insert(name, parsed);
            }
        }
        for rule in doc.value.get("inhibit_rules").map(|r| cx.list(r, "inhibit_rules")).unwrap_or_default() {
            for (k, _) in cx.map(rule, "inhibit_rules") {
                if !INHIBIT.contains(&k.value.as_str()) {
                    cx.unknown(k, &k.value, INHIBIT, "config.InhibitRule");
                }
            }
            let source = cx.matchers(&rule.value, ["source_match", "source_match_re", "source_matchers"]);
            let target = cx.matchers(&rule.value, ["target_match", "target_match_re", "target_matchers"]);
            let equal = rule
                .value
                .get("equal")
                .map(|e| cx.list(e, "equal"))
                .unwrap_or_default()
                .iter()
                .filter_map(|e| e.value.as_str())
                .collect();
            let name = rule.value.get("name").and_then(|n| n.value.as_str());
            inhibit_rules.push(InhibitRule { source, target, equal, name });
        }
        let route = match doc.value.get("route") {
            Some(r @ Tree { value: SourceNode::Map(_), .. }) => {
                if r.value.text("receiver").is_empty() {
                    cx.err(r, "root route must specify a default receiver");
                }
                for key in ["match", "match_re", "matchers", "mute_time_intervals", "active_time_intervals"] {
                    if let Some(v) = r.value.get(key).filter(|_| r.value.is_set(key)) {
                        cx.err(v, format!("root route must not have any {}", key.replace('_', " ")));
                    }
                }
                let known = Known { receivers: &receivers, intervals: &intervals };
                Route::load(r, &Opts::default(), &known, &mut cx, Vec::new())
            }
            Some(r) => {
                cx.err(r, "`route` must be a mapping");
                Route::placeholder()
            }
            None => {
                cx.err_help(doc, "no routes provided", "add a `route:` with a default `receiver`");
                Route::placeholder()
            }
        };
        cx.finish()?;
        Ok(Config { route, inhibit_rules, intervals, receivers })
    }

    /// The receiver called `name`.
    pub fn receiver(&self, name: &str) -> Option<&Receiver> {
        self.receivers.iter().find(|r| r.name == name)
    }
}

/// What routes may refer to.
pub(super) struct Known<'a> {
    pub(super) receivers: &'a [Receiver],
    pub(super) intervals: &'a BTreeMap<String, Vec<TimeInterval>>,
}
