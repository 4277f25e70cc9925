//! Receivers: unique names, each integration's fields, its required and mutually exclusive
//! settings with their global fallbacks, and its template fields parsed as Go templates.

use std::collections::BTreeSet;

mod chat;
mod paging;

use super::{list, Ctx};
use crate::check::node::{pos, unplaced, SourceNode, Tree};
use crate::check::Check;

/// Fields every integration has.
const COMMON: &[&str] = &["send_resolved", "http_config"];

/// One integration: its key, its fields besides [`COMMON`], and what Alertmanager checks beyond
/// them.
struct Integration {
    key: &'static str,
    fields: &'static [&'static str],
    check: fn(&mut Rx<'_, '_>),
}

const fn integration(key: &'static str, fields: &'static [&'static str], check: fn(&mut Rx<'_, '_>)) -> Integration {
    Integration { key, fields, check }
}

/// The own checks of an integration that has none beyond its fields.
fn fields_only(_: &mut Rx<'_, '_>) {}

/// Every integration, in the order they are checked; a row lives with its checks in [`chat`] or
/// [`paging`].
const INTEGRATIONS: &[Integration] = &[
    paging::EMAIL,
    chat::SLACK,
    paging::PAGERDUTY,
    paging::OPSGENIE,
    paging::VICTOROPS,
    chat::WECHAT,
    chat::TELEGRAM,
    chat::ROCKETCHAT,
    chat::MATTERMOST,
    paging::SNS,
    paging::WEBHOOK,
    paging::PUSHOVER,
    chat::DISCORD,
    chat::MSTEAMS,
    chat::MSTEAMSV2,
    chat::WEBEX,
    paging::JIRA,
    paging::INCIDENTIO,
];

/// One integration config before its own checks, which report at the config unless they say
/// where.
struct Rx<'a, 'c> {
    at: &'a Tree,
    /// The global section, whose settings some fields fall back to.
    global: &'a SourceNode,
    cx: &'a mut Ctx<'c>,
}

impl<'a> Rx<'a, '_> {
    /// The config.
    fn n(&self) -> &'a SourceNode {
        &self.at.value
    }

    /// Reports `message` at the config.
    fn err(&mut self, message: impl Into<String>) {
        self.cx.err(Check::AlertmanagerReceiver, Some(pos(self.at)), message);
    }

    /// `x` and `x_file` are never both set.
    fn exclusive(&mut self, x: &str) {
        let file = format!("{x}_file");
        let n = self.n();
        if n.is_set(x) && n.is_set(&file) {
            self.cx.err(
                Check::AlertmanagerReceiver,
                n.get(&file).map(pos),
                format!("at most one of {x} & {file} must be configured"),
            );
        }
    }
}

/// Whether `n` sets `x` inline or from `x_file`.
fn either(n: &SourceNode, x: &str) -> bool {
    n.is_set(x) || n.is_set(&format!("{x}_file"))
}

/// Checks every receiver of the config `doc`; returns their names.
pub(super) fn check(doc: &SourceNode, global: &SourceNode, cx: &mut Ctx<'_>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let empty = unplaced(SourceNode::Null);
    for rcv in doc.get("receivers").map(list).unwrap_or_default() {
        let mut allowed: Vec<&str> = vec!["name"];
        allowed.extend(INTEGRATIONS.iter().map(|i| i.key));
        if !cx.fields(rcv, &allowed, &[], "config.Receiver") {
            continue;
        }
        let name = rcv.value.text("name");
        if name.is_empty() {
            cx.err(Check::AlertmanagerReceiver, Some(pos(rcv)), "missing name in receiver");
        } else if !names.insert(name.clone()) {
            cx.err(
                Check::AlertmanagerReceiver,
                rcv.value.get("name").map(pos),
                format!("notification config name {name:?} is not unique"),
            );
        }
        for i in INTEGRATIONS {
            for cfg in rcv.value.get(i.key).map(list).unwrap_or_default() {
                let cfg = if matches!(cfg.value, SourceNode::Null) { &empty } else { cfg };
                if !matches!(cfg.value, SourceNode::Null)
                    && !cx.fields(cfg, i.fields, COMMON, &format!("config.{}", i.key))
                {
                    continue;
                }
                (i.check)(&mut Rx { at: cfg, global, cx });
                if let Some(h) = cfg.value.get("http_config") {
                    crate::check::httpconfig::check(h, "config.HTTPClientConfig", cx.sink);
                }
                templates(&name, cfg, cx);
            }
        }
    }
    names
}

/// Fields of integrations that are Go templates.
const TEMPLATE_FIELDS: &[&str] = &[
    "title",
    "text",
    "pretext",
    "message",
    "description",
    "summary",
    "subject",
    "html",
    "channel",
    "username",
    "footer",
    "fallback",
    "title_link",
    "details",
    "note",
    "entity_display_name",
    "state_message",
    "url_title",
    "content",
    "client",
    "client_url",
    "severity",
    "class",
    "component",
    "group",
    "source",
    "entity",
    "tags",
    "priority",
];

/// Parses every template field of an integration as a Go template.
fn templates(receiver: &str, cfg: &Tree, cx: &mut Ctx<'_>) {
    let SourceNode::Map(entries) = &cfg.value else { return };
    for (k, v) in entries {
        let mut texts: Vec<(&Tree, String)> = Vec::new();
        match &v.value {
            SourceNode::Str(s) if TEMPLATE_FIELDS.contains(&k.value.as_str()) => texts.push((v, s.clone())),
            SourceNode::Map(inner) if k.value == "details" || k.value == "headers" || k.value == "attributes" => {
                texts.extend(inner.iter().filter_map(|(_, iv)| iv.value.as_str().map(|s| (iv, s))));
            }
            _ => {}
        }
        for (at, text) in texts {
            if !text.contains("{{") {
                continue;
            }
            if let Err(e) = crate::gotemplate::parse(&format!("{receiver}.{}", k.value), &text, &AM_OPTIONS) {
                cx.err(
                    Check::AlertmanagerTemplate,
                    Some(pos(at)),
                    format!("receiver {receiver:?}: `{}` is not a valid template: {e}", k.value),
                )
                .help("a broken notification template silently drops notifications (amtool does not check it)");
            }
        }
    }
}

/// Alertmanager parses notification templates with Go's functions and its own.
const AM_OPTIONS: crate::gotemplate::Options<'static> = crate::gotemplate::Options {
    funcs: &[crate::gotemplate::funcs::BUILTINS, crate::gotemplate::funcs::ALERTMANAGER],
    vars: &[],
    max_depth: crate::gotemplate::MAX_DEPTH,
    skip_func_check: false,
};
