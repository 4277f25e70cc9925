//! Grafana dashboards, against Grafana's documented JSON model: valid JSON (`dashboard/json`), a
//! `uid` (`dashboard/uid`, a warning when missing) and a title (`dashboard/title`), each unique
//! across the set, unique panel ids (`dashboard/panel-id`), panels that do not overlap
//! (`dashboard/grid`, a warning), datasource references that resolve to a provisioned uid or a
//! template variable (`dashboard/datasource`), no `${DS_…}` inputs of an exported dashboard
//! (`dashboard/inputs`), and PromQL in Prometheus targets that parses once Grafana's variables are
//! substituted (`dashboard/expr`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod panel_type;
pub(crate) mod promql;
mod targets;

use super::node::{self, pos, SourceNode, Tree};
use super::problem::{Problem, Severity, Sink};
use crate::check::Check;
use crate::diag::Pos;

/// Datasource uids that need no provisioning: Grafana's own and the mixed pseudo-datasource.
const BUILTIN_UIDS: [&str; 5] = ["grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --", "__expr__"];

/// What the dashboards may refer to.
#[derive(Debug, Clone, Default)]
pub struct Datasources {
    /// Provisioned datasource uids; `None` when no provisioning file was given, so references
    /// to concrete uids cannot be judged.
    pub uids: Option<BTreeSet<String>>,
    /// Plugin type (`prometheus`, `loki`) of each provisioned datasource, by uid and by name.
    pub types: BTreeMap<String, String>,
    /// Plugin type of the provisioned default datasource (`isDefault: true`).
    pub default_type: Option<String>,
}

impl Datasources {
    /// Reads the uids of a Grafana datasource provisioning file (`datasources: [{uid: …}]`).
    pub fn add_provisioning(&mut self, text: &str) {
        let Ok(doc) = node::parse(text) else { return };
        let Some(SourceNode::Seq(items)) = doc.value.get("datasources").map(|d| &d.value) else { return };
        let uids = self.uids.get_or_insert_with(BTreeSet::new);
        uids.extend(items.iter().filter_map(|i| i.value.get("uid")?.value.as_str()));
        for item in items {
            let ty = item.value.text("type");
            if ty.is_empty() {
                continue;
            }
            for key in ["uid", "name"] {
                let name = item.value.text(key);
                if !name.is_empty() {
                    self.types.insert(name, ty.clone());
                }
            }
            if matches!(item.value.get("isDefault").map(|d| &d.value), Some(SourceNode::Bool(true))) {
                self.default_type = Some(ty);
            }
        }
    }
}

/// Whether `text` is a Grafana datasource provisioning file.
pub fn is_provisioning(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("datasources:"))
}

fn parse(file: &Path, text: &str, sink: &mut Sink) -> Option<Tree> {
    if let Some(doc) = node::json::parse(text) {
        return Some(doc);
    }
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        let at = Pos { line: e.line() as u64, column: e.column() as u64 };
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        sink.error(Check::DashboardJson, Some(at), format!("invalid JSON: {message}"));
        return None;
    }
    match node::parse(text) {
        Ok(doc) => Some(doc),
        Err(err) => {
            let d = crate::syntax::yaml::error(file, text, &err);
            sink.error(Check::DashboardJson, d.pos, d.message);
            None
        }
    }
}

fn text(n: &SourceNode, key: &str) -> Option<String> {
    n.get(key).and_then(|v| v.value.as_str())
}

/// Checks the dashboard `file` whose text is `source`; returns its tree if it parses.
pub fn check(file: &Path, source: &str, ds: &Datasources, sink: &mut Sink) -> Option<Tree> {
    let doc = parse(file, source, sink)?;
    check_tree(&doc, ds, sink);
    Some(doc)
}

fn check_tree(doc: &Tree, ds: &Datasources, sink: &mut Sink) {
    let d = &doc.value;
    if !matches!(d, SourceNode::Map(_)) {
        sink.error(Check::DashboardJson, Some(pos(doc)), "a dashboard is a JSON object");
        return;
    }
    if text(d, "uid").is_none_or(|u| u.is_empty()) {
        sink.warning(Check::DashboardUid, Some(pos(doc)), "dashboard has no `uid`")
            .help("without a uid Grafana makes one up on every provisioning, breaking links to the dashboard");
    }
    if text(d, "title").is_none_or(|t| t.trim().is_empty()) {
        sink.error(Check::DashboardTitle, Some(pos(doc)), "dashboard has no `title`")
            .help("Grafana refuses a dashboard without a title");
    }
    let templating = d.get("templating").map(|t| t.value.items("list")).unwrap_or_default();
    let variables: BTreeSet<String> = templating.iter().filter_map(|v| text(&v.value, "name")).collect();
    if let Some(inputs) = d.get("__inputs") {
        sink.error(Check::DashboardInputs, Some(pos(inputs)), "dashboard still has the `__inputs` of a Grafana export")
            .help("provisioning does not fill in `${DS_…}` inputs: refer to the datasource by uid instead");
    }
    for v in templating {
        datasource(v.value.get("datasource"), &format!("variable `{}`", v.value.text("name")), &variables, ds, sink);
    }
    let scope = targets::Scope::of(d);
    let ctx = Ctx { variables: &variables, ds, scope: &scope };
    let mut ids = BTreeMap::new();
    let top = d.items("panels");
    panels(top, &ctx, &mut ids, sink);
    for row in d.items("rows") {
        panels(row.value.items("panels"), &ctx, &mut ids, sink);
    }
}

/// What the panels of one dashboard are checked against.
struct Ctx<'a> {
    /// Its template variables.
    variables: &'a BTreeSet<String>,
    /// The datasources provisioned.
    ds: &'a Datasources,
    /// Its datasource variables and export inputs.
    scope: &'a targets::Scope,
}

fn panels(list: &[Tree], ctx: &Ctx<'_>, ids: &mut BTreeMap<i64, Pos>, sink: &mut Sink) {
    let (variables, ds) = (ctx.variables, ctx.ds);
    let mut placed: Vec<(i64, i64, i64, i64, Pos)> = Vec::new();
    for panel in list {
        let p = &panel.value;
        if let Some(id) = p.get("id") {
            if let SourceNode::Number(n) = id.value {
                let n = n as i64;
                if let Some(first) = ids.get(&n) {
                    sink.error(
                        Check::DashboardPanelId,
                        Some(pos(id)),
                        format!("panel id {n} is already used at line {}", first.line),
                    )
                    .help("panel ids must be unique in a dashboard: links and `viewPanel` use them");
                } else {
                    ids.insert(n, pos(id));
                }
            }
        }
        if let Some(g) = p.get("gridPos") {
            let num = |k: &str| match g.value.get(k).map(|v| &v.value) {
                Some(SourceNode::Number(n)) => *n as i64,
                _ => 0,
            };
            let (x, y, w, h) = (num("x"), num("y"), num("w"), num("h"));
            if let Some(other) =
                placed.iter().find(|(ox, oy, ow, oh, _)| x < ox + ow && *ox < x + w && y < oy + oh && *oy < y + h)
            {
                sink.warning(
                    Check::DashboardGrid,
                    Some(pos(g)),
                    format!("panel overlaps the panel at line {}", other.4.line),
                )
                .help("Grafana pushes overlapping panels down, so the layout is not the one written");
            }
            placed.push((x, y, w, h, pos(g)));
        }
        let place = panel_name(p);
        if let Some(ty) = p.get("type") {
            if let Some((message, help)) = ty.value.as_str().and_then(|t| panel_type::removed_type(&t)) {
                sink.warning(Check::DashboardPanelType, Some(pos(ty)), message)
                    .cause(p.text("type"), &place, "panels")
                    .help(help);
            }
        }
        let panel_ds = p.get("datasource");
        datasource(panel_ds, &place, variables, ds, sink);
        // Grafana's order: the target's datasource, the panel's, then the default one.
        let panel_ds_type = targets::reference_type(panel_ds, ctx.scope, ds);
        for target in p.items("targets") {
            let t = &target.value;
            datasource(t.get("datasource"), &place, variables, ds, sink);
            let ty = targets::reference_type(t.get("datasource"), ctx.scope, ds)
                .or_else(|| panel_ds_type.clone())
                .or_else(|| ctx.default_type());
            if !targets::is_prometheus(ty.as_deref()) {
                continue;
            }
            if let Some(expr) = t.get("expr") {
                query(expr, &place, ctx, sink);
            }
        }
        // Collapsed rows carry their panels inside.
        panels(p.items("panels"), ctx, ids, sink);
    }
}

/// The PromQL a dashboard sends to Prometheus, with where each query is: the `expr` of every
/// target and annotation whose datasource resolves to Prometheus (see [`targets`]), in rows and
/// collapsed rows too. Queries of other datasources (LogQL, …) are left out.
pub fn prometheus_queries(doc: &Tree, ds: &Datasources) -> Vec<(Pos, String)> {
    fn walk(list: &[Tree], ctx: &Ctx<'_>, out: &mut Vec<(Pos, String)>) {
        for panel in list {
            let p = &panel.value;
            let panel_ds_type = targets::reference_type(p.get("datasource"), ctx.scope, ctx.ds);
            for target in p.items("targets") {
                let t = &target.value;
                let ty = targets::reference_type(t.get("datasource"), ctx.scope, ctx.ds)
                    .or_else(|| panel_ds_type.clone())
                    .or_else(|| ctx.default_type());
                match t.get("expr") {
                    Some(e) if targets::is_prometheus(ty.as_deref()) => {
                        out.extend(e.value.as_str().map(|text| (pos(e), text)));
                    }
                    _ => {}
                }
            }
            walk(p.items("panels"), ctx, out);
        }
    }
    let d = &doc.value;
    let variables = BTreeSet::new();
    let scope = targets::Scope::of(d);
    let ctx = Ctx { variables: &variables, ds, scope: &scope };
    let mut out = Vec::new();
    walk(d.items("panels"), &ctx, &mut out);
    for row in d.items("rows") {
        walk(row.value.items("panels"), &ctx, &mut out);
    }
    // Annotations are queries too (firing alerts over a graph), each with its own datasource.
    for a in d.get("annotations").map(|a| a.value.items("list")).unwrap_or_default() {
        let ty = targets::reference_type(a.value.get("datasource"), &scope, ds).or_else(|| ctx.default_type());
        match a.value.get("expr") {
            Some(e) if targets::is_prometheus(ty.as_deref()) => out.extend(e.value.as_str().map(|text| (pos(e), text))),
            _ => {}
        }
    }
    out
}

impl Ctx<'_> {
    /// The datasource type of a target that names none, nor its panel: the provisioned default,
    /// else the one type all the dashboard's datasource variables offer.
    fn default_type(&self) -> Option<String> {
        self.ds.default_type.clone().or_else(|| self.scope.only_variable_type())
    }
}

/// How a panel is named in lists of places: its title, else its id.
fn panel_name(p: &SourceNode) -> String {
    match text(p, "title").filter(|t| !t.trim().is_empty()) {
        Some(title) => format!("{title:?}"),
        None => match p.get("id").map(|i| &i.value) {
            Some(SourceNode::Number(n)) => format!("panel {n}"),
            _ => "a panel".into(),
        },
    }
}

/// The PromQL of one Prometheus target.
fn query(expr: &Tree, place: &str, ctx: &Ctx<'_>, sink: &mut Sink) {
    let text = expr.value.as_str().unwrap_or_default();
    if text.trim().is_empty() {
        // Grafana's "no query yet": the panel shows nothing, and nothing fails.
        sink.warning(Check::DashboardExpr, Some(pos(expr)), "target has an empty `expr`")
            .cause("empty expr", place, "panels")
            .help("write its query, or remove the target");
        return;
    }
    let found = promql::check(&text, ctx.variables);
    if found.is_empty() {
        for m in promql::parse(&text).as_ref().map(crate::check::lint::le::integer_matchers).unwrap_or_default() {
            let (message, help) = crate::check::lint::le::describe(&m, &format!("the query of {place}"));
            sink.warning(Check::PromqlLeInteger, Some(pos(expr)), message)
                .cause("integer le", place, "panels")
                .help(help);
        }
    }
    for f in found {
        let p = match f.severity {
            Severity::Error => sink.error(Check::DashboardExpr, Some(pos(expr)), f.message),
            Severity::Warning => sink.warning(Check::DashboardExpr, Some(pos(expr)), f.message),
        };
        if let Some(help) = f.help {
            p.help(help);
        }
        if let Some(cause) = f.cause {
            p.cause(cause, place, "panels");
        }
    }
}

/// A datasource reference: a legacy name string or `{type, uid}`. `place` names what holds it
/// (a panel, a variable) in lists of places: an exported dashboard repeats the same reference
/// in every panel, one cause.
fn datasource(at: Option<&Tree>, place: &str, variables: &BTreeSet<String>, ds: &Datasources, sink: &mut Sink) {
    let Some(at) = at else { return };
    let uid = match &at.value {
        SourceNode::Str(s) => s.clone(),
        SourceNode::Map(_) => match text(&at.value, "uid") {
            Some(u) => u,
            None => return,
        },
        _ => return,
    };
    let here = Some(at.value.get("uid").map_or(pos(at), pos));
    if let Some(input) = uid.strip_prefix("${DS_") {
        sink.error(Check::DashboardInputs, here, format!("datasource refers to the export input `${{DS_{input}`"))
            .cause(&uid, place, "places")
            .help("provisioning does not fill in `${DS_…}` inputs: refer to the datasource by its provisioned uid");
        return;
    }
    let var = uid.strip_prefix("${").and_then(|v| v.strip_suffix('}')).or_else(|| uid.strip_prefix('$'));
    if let Some(var) = var {
        let name = var.split(':').next().unwrap_or(var);
        if !variables.contains(name) {
            sink.error(
                Check::DashboardDatasource,
                here,
                format!("datasource refers to `${name}`, which is not a template variable"),
            )
            .cause(name, place, "places");
        }
        return;
    }
    if BUILTIN_UIDS.contains(&uid.as_str()) {
        return;
    }
    if let Some(uids) = &ds.uids {
        if !uids.contains(&uid) {
            let p = sink.error(Check::DashboardDatasource, here, format!("datasource uid {uid:?} is not provisioned"));
            p.cause(&uid, place, "places");
            match crate::diag::nearest(&uid, uids.iter().map(String::as_str)) {
                Some(best) => p.help(format!("did you mean {best:?}? provisioned: {}", list(uids))),
                None => p.help(format!("provisioned: {}", list(uids))),
            }
        }
    }
}

fn list(uids: &BTreeSet<String>) -> String {
    uids.iter().map(|u| format!("{u:?}")).collect::<Vec<_>>().join(", ")
}

/// Checks what must be unique across a set of dashboards: uids and titles.
pub fn across(files: &[(&PathBuf, &Tree)]) -> Vec<Problem> {
    let mut seen: BTreeMap<(&str, String), (PathBuf, Pos)> = BTreeMap::new();
    let mut problems = Vec::new();
    for (path, doc) in files {
        for (key, check) in [("uid", Check::DashboardUid), ("title", Check::DashboardTitle)] {
            let Some(at) = doc.value.get(key) else { continue };
            let Some(value) = at.value.as_str().filter(|v| !v.is_empty()) else { continue };
            match seen.get(&(key, value.clone())) {
                Some((first, first_pos)) => {
                    let message = format!("dashboard {key} {value:?} is also used by `{}`", first.display());
                    let mut problem = Problem::new(check, Severity::Error, *path, Some(pos(at)), message);
                    problem.help(format!(
                        "{key}s must be unique among provisioned dashboards; the first is at {}:{}",
                        first.display(),
                        first_pos.line
                    ));
                    problems.push(problem);
                }
                None => {
                    seen.insert((key, value), ((*path).clone(), pos(at)));
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests;
