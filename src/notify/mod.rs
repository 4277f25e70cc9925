//! Notification previews: what each integration of a receiver would send for a group of alerts,
//! by executing Alertmanager's templates (its `default.tmpl` of 0.25, bundled, then the config's
//! `templates:` files) on Alertmanager's data model ([`data`]), with each integration's default
//! field templates ([`fields`]) unless the config sets a field. Nothing here prints.

pub mod alerts;
pub mod data;
pub mod fields;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::check::node::{SourceNode, Tree};
use crate::gotemplate::alertmanager::{funcs, Context};
use crate::gotemplate::{funcs as names, parse, MissingKey, Options, Set};
use crate::routing::{Config, Labels};
pub use data::{fingerprint, Group};

/// Alertmanager 0.25's `template/default.tmpl`, as Debian's prometheus-alertmanager 0.25.0 ships it
/// (provenance in `tests/upstream/PROVENANCE.md`).
pub const DEFAULT_TMPL: &str = include_str!("../../assets/alertmanager/default.tmpl");

/// Its `email.tmpl` (`email.default.subject`, `email.default.html`), which Debian ships apart
/// rather than inlined into `default.tmpl` as upstream's build does.
pub const EMAIL_TMPL: &str = include_str!("../../assets/alertmanager/email.tmpl");

const OPTIONS: Options<'static> = Options {
    funcs: &[names::BUILTINS, names::ALERTMANAGER],
    vars: &[],
    max_depth: crate::gotemplate::MAX_DEPTH,
    skip_func_check: false,
};

/// A set holding the bundled templates.
fn bundled<'a>() -> Result<Set<'a>, String> {
    let mut set = Set::new();
    for (name, text) in [("default.tmpl", DEFAULT_TMPL), ("email.tmpl", EMAIL_TMPL)] {
        set.add(name, text, parse(name, text, &OPTIONS).map_err(|e| format!("{name}: {e}"))?);
    }
    Ok(set)
}

/// An alert as Alertmanager's API takes it.
#[derive(Debug, Clone, Default)]
pub struct Alert {
    /// Its labels.
    pub labels: Labels,
    /// Its annotations.
    pub annotations: Labels,
    /// `startsAt`, seconds since the epoch.
    pub starts_at: f64,
    /// `endsAt`: resolved once it has passed.
    pub ends_at: Option<f64>,
    /// `generatorURL`.
    pub generator_url: String,
}

/// What is previewed: a group of alerts notified together to one receiver.
#[derive(Debug, Clone)]
pub struct Request {
    /// The receiver.
    pub receiver: String,
    /// The alerts, in any order.
    pub alerts: Vec<Alert>,
    /// The instant of the notification (seconds since the epoch): alerts whose end has passed
    /// are resolved, and templates' `now` is this.
    pub now: f64,
    /// `ExternalURL` of the Alertmanager.
    pub external_url: String,
}

/// An Alertmanager config to preview with.
#[derive(Debug, Clone)]
pub struct Source {
    /// Its path (template globs are relative to its folder).
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// A render in memory holding it, by absolute path: its `templates:` files are read from
    /// here (a project's render may not be written yet); `None`: from the file system.
    pub files: Option<BTreeMap<PathBuf, String>>,
}

/// One integration entry of the receiver and what it would send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// `slack`, `pagerduty`, … (`webhook` sends its JSON body as the field `payload`).
    pub integration: String,
    /// Index among the receiver's entries of that integration.
    pub index: usize,
    /// Field name and what it renders to, or the template's error; empty when nothing is sent.
    pub fields: Vec<(String, Result<String, String>)>,
    /// Why nothing is sent, when nothing is.
    pub silent: Option<String>,
}

/// A preview: the group the alerts form and what each integration sends.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The group.
    pub group: Group,
    /// Whether the alerts' labels reach the receiver through the route tree (when they do not,
    /// the preview shows what it would send if they did).
    pub routed: bool,
    /// Per integration entry, in the config's order of integrations.
    pub notifications: Vec<Notification>,
}

/// Why a preview cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    /// The receiver is not in the config.
    #[error("no receiver `{name}` in the config\n  = help: {near}receivers: `{}`", known.join("`, `"))]
    UnknownReceiver {
        /// The name asked for.
        name: String,
        /// `did you mean …? `, or empty.
        near: String,
        /// The config's receivers.
        known: Vec<String>,
    },
    /// Alerts that Alertmanager would not notify together.
    #[error("alerts {first} and {other} are not notified together: {why}\n  = help: preview each group apart")]
    NotOneGroup {
        /// The first alert's labels.
        first: String,
        /// The other alert's labels.
        other: String,
        /// Which route or grouping labels differ.
        why: String,
    },
    /// No alert to preview.
    #[error("no alert to preview")]
    NoAlerts,
    /// A template file that cannot be read or parsed.
    #[error("{0}")]
    Template(String),
}

/// The group `req`'s alerts form at `req.receiver`: the first route to it that the first alert
/// reaches (else the root, and `routed` false); every other alert must reach the same route with
/// the same grouping labels.
fn group(config: &Config, req: &Request) -> Result<(Group, bool), PreviewError> {
    let place = |labels: &Labels| {
        let d = config.decide(labels, &[], None);
        let route = d.routes.iter().find(|r| r.opts.receiver == req.receiver).copied();
        let routed = route.is_some();
        let route = route.unwrap_or(&config.route);
        let grouped: Labels = match route.group_by() {
            None => labels.clone(),
            Some(names) => {
                labels.iter().filter(|(k, _)| names.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
            }
        };
        (crate::routing::route::key(&config.route, &route.path), grouped, routed)
    };
    let first = req.alerts.first().ok_or(PreviewError::NoAlerts)?;
    let (route_key, labels, routed) = place(&first.labels);
    for a in &req.alerts[1..] {
        let (key, grouped, _) = place(&a.labels);
        let why = if key != route_key {
            format!("they reach `{}` by the routes {route_key} and {key}", req.receiver)
        } else if grouped != labels {
            format!(
                "their grouping labels differ: {} and {}",
                data::label_set_text(&labels),
                data::label_set_text(&grouped)
            )
        } else {
            continue;
        };
        return Err(PreviewError::NotOneGroup {
            first: data::label_set_text(&first.labels),
            other: data::label_set_text(&a.labels),
            why,
        });
    }
    let mut alerts: Vec<(Alert, bool)> =
        req.alerts.iter().map(|a| (a.clone(), a.ends_at.is_none_or(|t| t > req.now))).collect();
    alerts.sort_by(|a, b| data::alert_order(&a.0.labels, &b.0.labels));
    let group =
        Group { receiver: req.receiver.clone(), route_key, labels, alerts, external_url: req.external_url.clone() };
    Ok((group, routed))
}

/// Executes `text` with the bundled definitions on the data `group` gives every alert of it
/// (for comparing with `amtool template render`).
pub fn render_text(text: &str, group: &Group, now: f64) -> Result<String, String> {
    let mut set = bundled()?;
    set.add("text", text, parse("text", text, &OPTIONS).map_err(|e| e.to_string())?);
    let all: Vec<&(Alert, bool)> = group.alerts.iter().collect();
    set.execute("text", &data::template_data(group, &all), &funcs(&Context { now }), MissingKey::Zero)
}

/// The config's `templates:` files (globs relative to the config's folder): path and text.
fn template_files(
    config_path: &Path,
    root: &Tree,
    files: Option<&BTreeMap<PathBuf, String>>,
) -> Result<Vec<(PathBuf, String)>, PreviewError> {
    let base = config_path.parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    let Some(SourceNode::Seq(globs)) = root.value.get("templates").map(|t| &t.value) else { return Ok(out) };
    for g in globs.iter().filter_map(|g| g.value.as_str()) {
        let full = if Path::new(&g).is_absolute() { PathBuf::from(&g) } else { base.join(&g) };
        let bad = |e: glob::PatternError| PreviewError::Template(format!("bad template glob `{g}`: {e}"));
        match files {
            Some(rendered) => {
                let pattern = glob::Pattern::new(&full.to_string_lossy()).map_err(bad)?;
                out.extend(
                    rendered.iter().filter(|(p, _)| pattern.matches_path(p)).map(|(p, t)| (p.clone(), t.clone())),
                );
            }
            None => {
                let paths = glob::glob(&full.to_string_lossy()).map_err(bad)?;
                for p in paths.flatten() {
                    let text = crate::fsutil::read_regular(&p).map_err(|e| {
                        PreviewError::Template(format!("cannot read template file `{}`: {e}", p.display()))
                    })?;
                    out.push((p, text));
                }
            }
        }
    }
    Ok(out)
}

/// A field the config sets: `key` or `parent.key` (as `details.firing`, `headers.Subject`).
fn configured(entry: &Tree, key: &str) -> Option<String> {
    let mut node = entry;
    for part in key.split('.') {
        node = node.value.get(part)?;
    }
    node.value.as_str()
}

/// One integration entry: its name, index, whether it sends resolved alerts, its webhook
/// `max_alerts`, and its fields' templates.
struct Entry {
    integration: &'static str,
    index: usize,
    send_resolved: bool,
    max_alerts: usize,
    fields: Vec<(&'static str, String)>,
}

fn entries(receiver: &Tree) -> Vec<Entry> {
    let mut out = Vec::new();
    for integration in fields::INTEGRATIONS {
        let Some(SourceNode::Seq(items)) = receiver.value.get(integration.key).map(|e| &e.value) else { continue };
        for (index, e) in items.iter().enumerate() {
            let send_resolved = configured(e, "send_resolved").map_or(integration.send_resolved, |v| v == "true");
            let max_alerts = configured(e, "max_alerts").and_then(|v| v.parse().ok()).unwrap_or(0);
            let fields = integration
                .fields
                .iter()
                .map(|(field, default)| (*field, configured(e, field).unwrap_or_else(|| (*default).to_owned())))
                .collect();
            out.push(Entry { integration: integration.name, index, send_resolved, max_alerts, fields });
        }
    }
    out
}

/// Fields Alertmanager executes with `html/template` (escaping for HTML) rather than
/// `text/template`.
pub const HTML_FIELDS: &[(&str, &str)] = &[("email", "html")];

/// What each integration of `req.receiver` would send for `req.alerts`, from the config `source`.
pub fn preview(source: &Source, req: &Request) -> Result<Preview, anyhow::Error> {
    let (config_path, config_text) = (source.path.as_path(), source.text.as_str());
    let config = Config::parse(config_path, config_text)?;
    if config.receiver(&req.receiver).is_none() {
        let known: Vec<String> = config.receivers.iter().map(|r| r.name.clone()).collect();
        let near = crate::diag::nearest(&req.receiver, known.iter().map(String::as_str))
            .map(|n| format!("did you mean `{n}`? "))
            .unwrap_or_default();
        return Err(PreviewError::UnknownReceiver { name: req.receiver.clone(), near, known }.into());
    }
    let (group, routed) = group(&config, req)?;
    let root = crate::check::node::parse(config_text.strip_prefix('\u{feff}').unwrap_or(config_text))
        .map_err(|e| anyhow::anyhow!("`{}`: {e}", config_path.display()))?;
    let template_files = template_files(config_path, &root, source.files.as_ref())?;
    let receiver =
        root.value
            .get("receivers")
            .and_then(|r| {
                r.value.as_seq().iter().find(|i| {
                    i.value.get("name").and_then(|n| n.value.as_str()).as_deref() == Some(req.receiver.as_str())
                })
            })
            .ok_or_else(|| anyhow::anyhow!("no receiver `{}` in `{}`", req.receiver, config_path.display()))?;
    let entries = entries(receiver);
    let mut base = bundled().map_err(|e| anyhow::anyhow!(e))?;
    for (path, text) in &template_files {
        let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let parsed = parse(&name, text, &OPTIONS).map_err(|e| {
            let (line, col) = e.position(text);
            PreviewError::Template(format!("{}:{line}:{col}: {e}", path.display()))
        })?;
        base.add(&name, text, parsed);
    }
    let mut set = base.clone();
    // Every field's template is added first: the set borrows their texts.
    let names: Vec<Vec<String>> = entries
        .iter()
        .map(|e| e.fields.iter().map(|(f, _)| format!("preview {}[{}].{f}", e.integration, e.index)).collect())
        .collect();
    let mut parse_errors: BTreeMap<String, String> = BTreeMap::new();
    for (e, names) in entries.iter().zip(&names) {
        for ((_, text), name) in e.fields.iter().zip(names) {
            match parse(name, text, &OPTIONS) {
                Ok(parsed) => set.add(name, text, parsed),
                Err(err) => {
                    parse_errors.insert(name.clone(), err.to_string());
                }
            }
        }
    }
    let f = funcs(&Context { now: req.now });
    let mut notifications = Vec::new();
    for (e, names) in entries.iter().zip(&names) {
        let mut n =
            Notification { integration: e.integration.to_owned(), index: e.index, fields: Vec::new(), silent: None };
        let Some(sent) = data::sent(&group, e.send_resolved) else {
            n.silent = Some("every alert is resolved and `send_resolved` is false: nothing is sent".to_owned());
            notifications.push(n);
            continue;
        };
        if e.fields.is_empty() {
            n.fields.push(("payload".to_owned(), Ok(data::webhook_payload(&group, &sent, e.max_alerts))));
        }
        let template_data = data::template_data(&group, &sent);
        for ((field, text), name) in e.fields.iter().zip(names) {
            let value = match parse_errors.get(name) {
                Some(err) => Err(err.clone()),
                None if text.is_empty() => Ok(String::new()),
                // As Alertmanager's `ExecuteHTMLString`: the field in a copy of the unescaped set.
                None if HTML_FIELDS.contains(&(e.integration, *field)) => {
                    let mut html = base.clone();
                    match parse(name, text, &OPTIONS) {
                        Ok(parsed) => {
                            html.add(name, text, parsed);
                            html.execute_html(name, &template_data, &f, MissingKey::Zero)
                        }
                        Err(err) => Err(err.to_string()),
                    }
                }
                None => set.execute(name, &template_data, &f, MissingKey::Zero),
            };
            n.fields.push(((*field).to_owned(), value));
        }
        notifications.push(n);
    }
    Ok(Preview { group, routed, notifications })
}

#[cfg(test)]
mod tests;
