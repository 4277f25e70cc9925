//! Alertmanager configs, with the parity of Alertmanager's own `config` loading (and so of
//! `amtool check-config`): known fields (`alertmanager/field`), the route tree
//! (`alertmanager/route`), receivers and each integration's required and mutually exclusive
//! fields with their global fallbacks (`alertmanager/receiver`), inhibit rules and matchers
//! (`alertmanager/matcher`), durations (`alertmanager/duration`), and every template field of every
//! receiver parsed as a Go template (`alertmanager/template`), which amtool does not do.

use crate::routing::config::INHIBIT;
use crate::routing::route::ROUTE;
use std::collections::BTreeSet;
use std::path::Path;

mod receivers;

use super::node::{self, pos, SourceNode, Tree};
use super::problem::Sink;
use crate::check::Check;
use crate::diag::Pos;
use crate::syntax::Duration;

const TOP: &[&str] =
    &["global", "route", "inhibit_rules", "receivers", "templates", "time_intervals", "mute_time_intervals", "tracing"];
const GLOBAL: &[&str] = &[
    "resolve_timeout",
    "http_config",
    "smtp_from",
    "smtp_hello",
    "smtp_smarthost",
    "smtp_auth_username",
    "smtp_auth_password",
    "smtp_auth_password_file",
    "smtp_auth_secret",
    "smtp_auth_secret_file",
    "smtp_auth_identity",
    "smtp_require_tls",
    "smtp_tls_config",
    "smtp_force_implicit_tls",
    "slack_api_url",
    "slack_api_url_file",
    "slack_app_token",
    "slack_app_token_file",
    "slack_app_url",
    "pagerduty_url",
    "opsgenie_api_url",
    "opsgenie_api_key",
    "opsgenie_api_key_file",
    "wechat_api_url",
    "wechat_api_secret",
    "wechat_api_secret_file",
    "wechat_api_corp_id",
    "victorops_api_url",
    "victorops_api_key",
    "victorops_api_key_file",
    "telegram_api_url",
    "telegram_bot_token",
    "telegram_bot_token_file",
    "webex_api_url",
    "rocketchat_api_url",
    "rocketchat_token",
    "rocketchat_token_file",
    "rocketchat_token_id",
    "rocketchat_token_id_file",
    "mattermost_webhook_url",
    "mattermost_webhook_url_file",
    "jira_api_url",
];

const DEFAULT_SLACK_APP_URL: &str = "https://slack.com/api/chat.postMessage";

pub(super) struct Ctx<'a> {
    sink: &'a mut Sink,
    syntax_only: bool,
    dir: &'a Path,
}

impl Ctx<'_> {
    pub(super) fn err(
        &mut self,
        check: Check,
        at: Option<Pos>,
        message: impl Into<String>,
    ) -> &mut crate::check::Problem {
        self.sink.error(check, at, message)
    }

    pub(super) fn fields(&mut self, at: &Tree, allowed: &[&str], extra: &[&str], type_name: &str) -> bool {
        match &at.value {
            SourceNode::Map(entries) => {
                for (k, _) in entries {
                    if !allowed.contains(&k.value.as_str()) && !extra.contains(&k.value.as_str()) {
                        self.err(
                            Check::AlertmanagerField,
                            Some(pos(k)),
                            format!("field {} not found in type {type_name}", k.value),
                        );
                    }
                }
                true
            }
            SourceNode::Null => false,
            other => {
                self.err(
                    Check::AlertmanagerField,
                    Some(pos(at)),
                    format!("{type_name} must be a mapping, not {}", other.kind()),
                );
                false
            }
        }
    }

    fn duration(&mut self, at: Option<&Tree>, what: &str) -> Option<u64> {
        let at = at?;
        let text = at.value.as_str()?;
        match text.parse::<Duration>() {
            Ok(d) => Some(d.millis()),
            Err(_) => {
                self.err(
                    Check::AlertmanagerDuration,
                    Some(pos(at)),
                    format!("not a valid duration string: {text:?} in `{what}`"),
                );
                None
            }
        }
    }
}

/// Checks the Alertmanager config `file` whose text is `source`; returns its tree if it parses.
pub fn check(file: &Path, source: &str, syntax_only: bool, sink: &mut Sink) -> Option<Tree> {
    let doc = node::parse_checked(file, source, sink, node::yaml_syntax)?;
    check_tree(file, &doc, syntax_only, sink);
    Some(doc)
}

fn check_tree(file: &Path, doc: &Tree, syntax_only: bool, sink: &mut Sink) {
    let dir = file.parent().unwrap_or(Path::new("."));
    let mut cx = Ctx { sink, syntax_only, dir };
    if !cx.fields(doc, TOP, &[], "config.Config") {
        cx.err(Check::AlertmanagerRoute, Some(pos(doc)), "no routes provided")
            .help("an Alertmanager config needs a `route:` with a `receiver`");
        return;
    }
    let empty = crate::check::node::unplaced(SourceNode::Null);
    let global = doc.value.get("global").unwrap_or(&empty);
    check_global(global, &mut cx);
    let receivers = receivers::check(&doc.value, &global.value, &mut cx);
    let mut intervals = BTreeSet::new();
    for key in ["mute_time_intervals", "time_intervals"] {
        for ti in doc.value.get(key).map(list).unwrap_or_default() {
            cx.fields(ti, &["name", "time_intervals"], &[], "config.TimeInterval");
            for entry in ti.value.items("time_intervals") {
                for d in crate::routing::interval::refusals(entry) {
                    let check = if d.message.contains(" not found in type ") {
                        Check::AlertmanagerField
                    } else {
                        Check::AlertmanagerRoute
                    };
                    let p = cx.err(check, d.pos, d.message);
                    if let Some(h) = d.help {
                        p.help(h);
                    }
                }
            }
            let name = ti.value.text("name");
            if name.is_empty() {
                cx.err(Check::AlertmanagerRoute, Some(pos(ti)), "missing name in time interval");
            } else if !intervals.insert(name.clone()) {
                cx.err(Check::AlertmanagerRoute, Some(pos(ti)), format!("time interval {name:?} is not unique"));
            }
        }
    }
    match doc.value.get("route") {
        None | Some(Tree { value: SourceNode::Null, .. }) => {
            cx.err(Check::AlertmanagerRoute, Some(pos(doc)), "no routes provided")
                .help("add a `route:` with a default `receiver`");
        }
        Some(route) => {
            if route.value.text("receiver").is_empty() {
                cx.err(Check::AlertmanagerRoute, Some(pos(route)), "root route must specify a default receiver");
            }
            for key in ["match", "match_re", "matchers"] {
                if route.value.is_set(key) {
                    cx.err(
                        Check::AlertmanagerRoute,
                        route.value.get(key).map(pos),
                        "root route must not have any matchers",
                    );
                }
            }
            for key in ["mute_time_intervals", "active_time_intervals"] {
                if route.value.is_set(key) {
                    cx.err(
                        Check::AlertmanagerRoute,
                        route.value.get(key).map(pos),
                        format!("root route must not have any {}", key.replace('_', " ")),
                    );
                }
            }
            check_route(route, &receivers, &intervals, &mut cx);
        }
    }
    for rule in doc.value.get("inhibit_rules").map(list).unwrap_or_default() {
        if cx.fields(rule, INHIBIT, &[], "config.InhibitRule") {
            for key in ["source_match", "target_match", "source_match_re", "target_match_re"] {
                label_map(rule.value.get(key), key.ends_with("_re"), &mut cx);
            }
            for key in ["source_matchers", "target_matchers"] {
                matchers(rule.value.get(key), &mut cx);
            }
        }
    }
    for t in doc.value.get("templates").map(list).unwrap_or_default() {
        let pattern = t.value.as_str().unwrap_or_default();
        if !cx.syntax_only && !pattern.contains(['*', '?', '[']) && !cx.dir.join(&pattern).exists() {
            cx.err(Check::AlertmanagerTemplate, Some(pos(t)), format!("template file {pattern:?} does not exist"))
                .help("paths are relative to the config's folder; `--syntax-only` skips this check");
        } else if !cx.syntax_only {
            template_files(t, &pattern, &mut cx);
        }
    }
}

/// Parses a notification template file as Alertmanager loads it (with its functions); a parse
/// error is an `alertmanager/template` finding at its line and column.
pub fn template_file(file: &Path, text: &str, sink: &mut Sink) {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if let Err(e) = crate::gotemplate::parse(&name, text, &receivers::AM_OPTIONS) {
        let (line, column) = e.position(text);
        sink.error(Check::AlertmanagerTemplate, Some(Pos { line: line as u64, column: column as u64 }), e.to_string())
            .help(format!("in `{}`; Alertmanager would not start with it", e.excerpt(text)));
    }
}

/// Parses the template files `pattern` names, as Alertmanager does when it loads them (amtool
/// reports their parse errors too).
fn template_files(at: &Tree, pattern: &str, cx: &mut Ctx<'_>) {
    let full = cx.dir.join(pattern);
    let Ok(paths) = glob::glob(&full.to_string_lossy()) else { return };
    for path in paths.flatten() {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if let Err(e) = crate::gotemplate::parse(&name, &text, &receivers::AM_OPTIONS) {
            let (line, column) = e.position(&text);
            cx.err(Check::AlertmanagerTemplate, Some(pos(at)), e.to_string()).help(format!(
                "in {}:{line}:{column} (`{}`)",
                path.display(),
                e.excerpt(&text)
            ));
        }
    }
}

fn list(at: &Tree) -> &[Tree] {
    at.value.as_seq()
}

fn check_global(global: &Tree, cx: &mut Ctx<'_>) {
    if !cx.fields(global, GLOBAL, &[], "config.GlobalConfig") {
        return;
    }
    let g = &global.value;
    for base in [
        "slack_api_url",
        "slack_app_token",
        "opsgenie_api_key",
        "victorops_api_key",
        "telegram_bot_token",
        "smtp_auth_password",
        "rocketchat_token",
        "rocketchat_token_id",
        "smtp_auth_secret",
        "wechat_api_secret",
        "mattermost_webhook_url",
    ] {
        let file = format!("{base}_file");
        if g.is_set(base) && g.is_set(&file) {
            cx.err(
                Check::AlertmanagerReceiver,
                g.get(&file).map(pos),
                format!("at most one of {base} & {file} must be configured"),
            );
        }
    }
    let token = g.is_set("slack_app_token") || g.is_set("slack_app_token_file");
    let url = g.is_set("slack_api_url") || g.is_set("slack_api_url_file");
    let app_url = if g.is_set("slack_app_url") { g.text("slack_app_url") } else { DEFAULT_SLACK_APP_URL.to_owned() };
    if token && url && g.text("slack_api_url") != app_url {
        cx.err(
            Check::AlertmanagerReceiver,
            g.get("slack_api_url").or(g.get("slack_api_url_file")).map(pos),
            "at most one of slack_app_token/slack_app_token_file & slack_api_url/slack_api_url_file must be configured",
        );
    }
    cx.duration(g.get("resolve_timeout"), "resolve_timeout");
    if let Some(h) = g.get("http_config") {
        crate::check::httpconfig::check(h, "config.HTTPClientConfig", cx.sink);
    }
}

fn check_route(route: &Tree, receivers: &BTreeSet<String>, intervals: &BTreeSet<String>, cx: &mut Ctx<'_>) {
    if !cx.fields(route, ROUTE, &[], "config.Route") {
        return;
    }
    let r = &route.value;
    let receiver = r.text("receiver");
    if !receiver.is_empty() && !receivers.contains(&receiver) {
        let help = crate::diag::nearest(&receiver, receivers.iter().map(String::as_str))
            .map(|n| format!("did you mean {n:?}?"));
        let p = cx.err(
            Check::AlertmanagerRoute,
            r.get("receiver").map(pos),
            format!("undefined receiver {receiver:?} used in route"),
        );
        if let Some(h) = help {
            p.help(h);
        }
    }
    label_map(r.get("match"), false, cx);
    label_map(r.get("match_re"), true, cx);
    matchers(r.get("matchers"), cx);
    let group_by: &[Tree] = r.get("group_by").map(list).unwrap_or_default();
    let mut seen = BTreeSet::new();
    let all = group_by.iter().any(|g| g.value.as_str().as_deref() == Some("..."));
    for g in group_by {
        let l = g.value.as_str().unwrap_or_default();
        if l == "..." {
            continue;
        }
        if all {
            cx.err(
                Check::AlertmanagerRoute,
                Some(pos(g)),
                "cannot have wildcard group_by (`...`) and other labels at the same time",
            );
        } else if l.is_empty() {
            cx.err(Check::AlertmanagerRoute, Some(pos(g)), format!("invalid label name {l:?} in group_by list"));
        } else if !seen.insert(l.clone()) {
            cx.err(Check::AlertmanagerRoute, Some(pos(g)), format!("duplicated label {l:?} in group_by"));
        }
    }
    cx.duration(r.get("group_wait"), "group_wait");
    for key in ["group_interval", "repeat_interval"] {
        if cx.duration(r.get(key), key) == Some(0) {
            cx.err(Check::AlertmanagerRoute, r.get(key).map(pos), format!("{key} cannot be zero"));
        }
    }
    for key in ["mute_time_intervals", "active_time_intervals"] {
        for ti in r.get(key).map(list).unwrap_or_default() {
            let name = ti.value.as_str().unwrap_or_default();
            if !intervals.contains(&name) {
                cx.err(
                    Check::AlertmanagerRoute,
                    Some(pos(ti)),
                    format!("undefined time interval {name:?} used in route"),
                );
            }
        }
    }
    for child in r.get("routes").map(list).unwrap_or_default() {
        check_route(child, receivers, intervals, cx);
    }
}

/// `match`/`match_re` style maps: label names valid; regexes compile.
fn label_map(map: Option<&Tree>, regex: bool, cx: &mut Ctx<'_>) {
    let Some(SourceNode::Map(entries)) = map.map(|m| &m.value) else { return };
    for (k, v) in entries {
        if !crate::syntax::names::label_name_ok(&k.value, crate::syntax::names::NameValidation::Legacy) {
            cx.err(Check::AlertmanagerMatcher, Some(pos(k)), format!("invalid label name {:?}", k.value));
        }
        if regex {
            let pattern = v.value.as_str().unwrap_or_default();
            if let Err(e) = crate::syntax::regex::compile(&pattern) {
                cx.err(Check::AlertmanagerMatcher, Some(pos(v)), format!("error parsing regexp: {e}"));
            }
        }
    }
}

/// Matcher strings: `label op "value"`, several in one string separated by commas, as upstream
/// reads each entry.
fn matchers(list_at: Option<&Tree>, cx: &mut Ctx<'_>) {
    for m in list_at.map(list).unwrap_or_default() {
        let text = m.value.as_str().unwrap_or_default();
        if let Err(why) = crate::syntax::matcher::parse_matchers(&text) {
            cx.err(Check::AlertmanagerMatcher, Some(pos(m)), format!("bad matcher format: {text}: {why}"))
                .help("expected `label=\"value\"`, `label!=\"value\"`, `label=~\"regex\"` or `label!~\"regex\"`");
        }
    }
}
