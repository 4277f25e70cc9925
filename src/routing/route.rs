//! The route tree as Alertmanager's dispatcher builds and walks it (`dispatch/route.go`): options
//! inherited from the parent, a depth-first left-to-right match that stops at the first matching
//! child unless it has `continue`, and a node that matches with no matching child is itself the
//! result.

use std::collections::{BTreeMap, BTreeSet};

use super::config::{Known, Loader};
use crate::check::node::{pos, SourceNode, Tree};
use crate::diag::Pos;
use crate::syntax::matcher::Matcher;
use crate::syntax::Duration;

/// A label set.
pub type Labels = BTreeMap<String, String>;

/// A route's effective options, after inheritance.
#[derive(Debug, Clone, PartialEq)]
pub struct Opts {
    /// The receiver.
    pub receiver: String,
    /// `group_by` labels.
    pub group_by: BTreeSet<String>,
    /// `group_by: ['...']`: every label.
    pub group_by_all: bool,
    /// Milliseconds.
    pub group_wait: u64,
    /// Milliseconds.
    pub group_interval: u64,
    /// Milliseconds.
    pub repeat_interval: u64,
    /// This route's own `mute_time_intervals` (upstream does not inherit them).
    pub mute_time_intervals: Vec<String>,
    /// This route's own `active_time_intervals` (not inherited either).
    pub active_time_intervals: Vec<String>,
}

impl Default for Opts {
    /// Upstream's `DefaultRouteOpts`, what the root starts from.
    fn default() -> Self {
        Opts {
            receiver: String::new(),
            group_by: BTreeSet::new(),
            group_by_all: false,
            group_wait: 30_000,
            group_interval: 300_000,
            repeat_interval: 4 * 3_600_000,
            mute_time_intervals: Vec::new(),
            active_time_intervals: Vec::new(),
        }
    }
}

/// One node of the tree.
#[derive(Debug, Clone)]
pub struct Route {
    /// Matchers an alert must satisfy, sorted as upstream sorts them.
    pub matchers: Vec<Matcher>,
    /// `continue`.
    pub cont: bool,
    /// Effective options.
    pub opts: Opts,
    /// Children.
    pub routes: Vec<Route>,
    /// Where it is in the config.
    pub at: Pos,
    /// Child indices from the root (empty for the root).
    pub path: Vec<usize>,
}

/// The keys of a route, as Alertmanager's `config.Route` reads them; check reports any other.
pub const ROUTE: &[&str] = &[
    "receiver",
    "group_by",
    "continue",
    "match",
    "match_re",
    "matchers",
    "mute_time_intervals",
    "active_time_intervals",
    "routes",
    "group_wait",
    "group_interval",
    "repeat_interval",
];

impl Route {
    pub(super) fn placeholder() -> Route {
        Route {
            matchers: Vec::new(),
            cont: false,
            opts: Opts::default(),
            routes: Vec::new(),
            at: Pos::default(),
            path: Vec::new(),
        }
    }

    pub(super) fn load(at: &Tree, parent: &Opts, known: &Known<'_>, cx: &mut Loader, path: Vec<usize>) -> Route {
        let mut opts = parent.clone();
        let n = &at.value;
        for (k, _) in cx.map(at, "route") {
            if !ROUTE.contains(&k.value.as_str()) {
                cx.unknown(k, &k.value, ROUTE, "config.Route");
            }
        }
        if let Some(r) = n.get("receiver").and_then(|r| cx.text(r, "receiver")).filter(|r| !r.is_empty()) {
            if !known.receivers.iter().any(|x| x.name == r) {
                let near = crate::diag::nearest(&r, known.receivers.iter().map(|x| x.name.as_str()));
                let help = near.map_or_else(
                    || "receivers are defined under `receivers:`".into(),
                    |n| format!("did you mean {n:?}?"),
                );
                cx.err_help(n.get("receiver").unwrap_or(at), format!("undefined receiver {r:?} used in route"), help);
            }
            opts.receiver = r;
        }
        // As upstream: an absent or empty `group_by` inherits; `['...']` groups by every label
        // yet keeps the inherited list, which then no longer matters.
        let mut group_by = Vec::new();
        let mut all = false;
        for g in n.get("group_by").map(|g| cx.list(g, "group_by")).unwrap_or_default() {
            match g.value.as_str() {
                Some(l) if l == "..." => all = true,
                Some(l) if !l.is_empty() => {
                    if group_by.contains(&l) {
                        cx.err(g, format!("duplicated label {l:?} in group_by"));
                    }
                    group_by.push(l);
                }
                _ => {
                    cx.err(g, format!("invalid label name {:?} in group_by list", g.value.as_str().unwrap_or_default()))
                }
            }
        }
        if all && !group_by.is_empty() {
            cx.err(
                n.get("group_by").unwrap_or(at),
                "cannot have wildcard group_by (`...`) and other labels at the same time",
            );
        }
        if !group_by.is_empty() {
            opts.group_by = group_by.into_iter().collect();
            opts.group_by_all = false;
        } else if all {
            opts.group_by_all = true;
        }
        for (key, slot) in [
            ("group_wait", &mut opts.group_wait),
            ("group_interval", &mut opts.group_interval),
            ("repeat_interval", &mut opts.repeat_interval),
        ] {
            let Some(v) = n.get(key) else { continue };
            let Some(text) = cx.text(v, key) else { continue };
            match text.parse::<Duration>() {
                Ok(d) if d.millis() == 0 && key != "group_wait" => cx.err(v, format!("{key} cannot be zero")),
                Ok(d) => *slot = d.millis(),
                Err(_) => cx.err(v, format!("not a valid duration string: {text:?}")),
            }
        }
        let names = |key: &str, cx: &mut Loader| -> Vec<String> {
            let mut out = Vec::new();
            for t in n.get(key).map(|t| cx.list(t, key)).unwrap_or_default() {
                let Some(name) = cx.text(t, key) else { continue };
                if !known.intervals.contains_key(&name) {
                    cx.err(t, format!("undefined time interval {name:?} used in route"));
                }
                out.push(name);
            }
            out
        };
        opts.mute_time_intervals = names("mute_time_intervals", cx);
        opts.active_time_intervals = names("active_time_intervals", cx);
        let mut matchers = cx.matchers(n, ["match", "match_re", "matchers"]);
        // Upstream's order: name, value, then the operator in its enum's order.
        let rank = |op: &str| ["=", "!=", "=~", "!~"].iter().position(|o| *o == op);
        matchers.sort_by(|a, b| (&a.name, &a.value, rank(a.op)).cmp(&(&b.name, &b.value, rank(b.op))));
        let cont = match n.get("continue").map(|c| &c.value) {
            None | Some(SourceNode::Null) => false,
            Some(SourceNode::Bool(b)) => *b,
            Some(_) => {
                cx.err(n.get("continue").unwrap_or(at), "`continue` must be true or false");
                false
            }
        };
        let routes = n
            .get("routes")
            .map(|r| cx.list(r, "routes"))
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, child)| {
                let mut p = path.clone();
                p.push(i);
                Route::load(child, &opts, known, cx, p)
            })
            .collect();
        Route { matchers, cont, opts, routes, at: pos(at), path }
    }

    /// Whether this node's own matchers hold for `labels` (a missing label is empty).
    pub fn matches(&self, labels: &Labels) -> bool {
        self.matchers.iter().all(|m| m.matches(labels))
    }

    /// The routes `labels` end at, in tree order, as upstream's `Route.Match`.
    pub fn walk(&self, labels: &Labels) -> Vec<&Route> {
        let mut out = Vec::new();
        self.walk_into(labels, &mut out);
        out
    }

    fn walk_into<'a>(&'a self, labels: &Labels, out: &mut Vec<&'a Route>) -> bool {
        if !self.matches(labels) {
            return false;
        }
        let before = out.len();
        for child in &self.routes {
            if child.walk_into(labels, out) && !child.cont {
                break;
            }
        }
        if out.len() == before {
            out.push(self);
        }
        true
    }

    /// The node at child indices `path` below this one.
    pub fn at_path(&self, path: &[usize]) -> Option<&Route> {
        path.iter().try_fold(self, |r, &i| r.routes.get(i))
    }

    /// The nodes from this one down to the node at `path`.
    pub fn chain(&self, path: &[usize]) -> Vec<&Route> {
        let mut out = vec![self];
        let mut r = self;
        for &i in path {
            match r.routes.get(i) {
                Some(c) => {
                    out.push(c);
                    r = c;
                }
                None => break,
            }
        }
        out
    }

    /// The matchers as amtool shows them: `{name="value",…}`, or `default-route` for none.
    pub fn slug(&self) -> String {
        if self.matchers.is_empty() {
            return "default-route".into();
        }
        let parts: Vec<String> = self.matchers.iter().map(matcher_text).collect();
        format!("{{{}}}", parts.join(","))
    }

    /// The group labels an alert gets here: `None` for all of them (`...`).
    pub fn group_by(&self) -> Option<Vec<String>> {
        (!self.opts.group_by_all).then(|| self.opts.group_by.iter().cloned().collect())
    }
}

/// One matcher in the config's syntax, its value quoted.
pub fn matcher_text(m: &Matcher) -> String {
    let value = m.value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    format!("{}{}\"{value}\"", m.name, m.op)
}

/// The key Alertmanager gives the route at `path` (`Route.Key`): each node's matchers from the
/// root down, `{…}` each, joined by `/`; a notification's group key starts with it.
pub fn key(root: &Route, path: &[usize]) -> String {
    let nodes: Vec<String> = root
        .chain(path)
        .iter()
        .map(|r| format!("{{{}}}", r.matchers.iter().map(matcher_text).collect::<Vec<_>>().join(",")))
        .collect();
    nodes.join("/")
}

/// A path down the tree in words: `default-route → {severity="critical"} → {team="db"}`.
pub fn describe(root: &Route, path: &[usize]) -> String {
    root.chain(path).iter().map(|r| r.slug()).collect::<Vec<_>>().join(" → ")
}

/// The routes `labels` match, drawn as amtool's `--tree` draws them: every matching node, the
/// final ones with their receiver; `muted` marks final routes muted at the instant asked about.
pub fn matching_tree(root: &Route, labels: &Labels, muted: &dyn Fn(&Route) -> bool) -> String {
    fn node(r: &Route, labels: &Labels, muted: &dyn Fn(&Route) -> bool, prefix: &str, last: bool, out: &mut String) {
        let children: Vec<&Route> = {
            let mut v = Vec::new();
            for c in &r.routes {
                if c.matches(labels) {
                    v.push(c);
                    if !c.cont {
                        break;
                    }
                }
            }
            v
        };
        let mut slug = r.slug();
        if children.is_empty() {
            slug.push_str(&format!("  receiver: {}", r.opts.receiver));
            if muted(r) {
                slug.push_str("  (muted)");
            }
        }
        out.push_str(&format!("{prefix}{}{slug}\n", if last { "└── " } else { "├── " }));
        // treeprint, which amtool draws with, pads the bar with two no-break spaces.
        let inner = format!("{prefix}{}", if last { "    " } else { "│\u{a0}\u{a0} " });
        for (i, c) in children.iter().enumerate() {
            node(c, labels, muted, &inner, i + 1 == children.len(), out);
        }
    }
    let mut out = String::from(".\n");
    if root.matches(labels) {
        node(root, labels, muted, "", true, &mut out);
    }
    out
}
