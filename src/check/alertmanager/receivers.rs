//! Receivers: each integration's fields, its required and mutually exclusive settings with their
//! global fallbacks, and its template fields parsed as Go templates.

use super::Ctx;
use crate::check::node::{pos, At, Node};

/// Fields of each integration, besides `send_resolved` and `http_config`.
pub(super) const INTEGRATIONS: &[(&str, &[&str])] = &[
    (
        "email_configs",
        &[
            "to",
            "from",
            "smarthost",
            "hello",
            "auth_username",
            "auth_password",
            "auth_password_file",
            "auth_secret",
            "auth_secret_file",
            "auth_identity",
            "headers",
            "html",
            "text",
            "require_tls",
            "tls_config",
            "force_implicit_tls",
            "threading",
        ],
    ),
    (
        "slack_configs",
        &[
            "api_url",
            "api_url_file",
            "app_token",
            "app_token_file",
            "app_url",
            "channel",
            "username",
            "color",
            "title",
            "title_link",
            "pretext",
            "text",
            "fields",
            "short_fields",
            "footer",
            "fallback",
            "callback_id",
            "icon_emoji",
            "icon_url",
            "image_url",
            "thumb_url",
            "link_names",
            "mrkdwn_in",
            "actions",
            "update_message",
            "timeout",
            "message_text",
        ],
    ),
    (
        "pagerduty_configs",
        &[
            "routing_key",
            "routing_key_file",
            "service_key",
            "service_key_file",
            "url",
            "client",
            "client_url",
            "description",
            "details",
            "images",
            "links",
            "source",
            "severity",
            "class",
            "component",
            "group",
            "timeout",
        ],
    ),
    (
        "opsgenie_configs",
        &[
            "api_key",
            "api_key_file",
            "api_url",
            "message",
            "description",
            "source",
            "details",
            "entity",
            "responders",
            "actions",
            "tags",
            "note",
            "priority",
            "update_alerts",
        ],
    ),
    (
        "victorops_configs",
        &[
            "api_key",
            "api_key_file",
            "api_url",
            "routing_key",
            "message_type",
            "entity_display_name",
            "state_message",
            "monitoring_tool",
            "custom_fields",
        ],
    ),
    (
        "wechat_configs",
        &[
            "api_secret",
            "api_secret_file",
            "api_url",
            "corp_id",
            "message",
            "message_type",
            "agent_id",
            "to_user",
            "to_party",
            "to_tag",
        ],
    ),
    (
        "telegram_configs",
        &[
            "api_url",
            "bot_token",
            "bot_token_file",
            "chat_id",
            "message_thread_id",
            "message",
            "disable_notifications",
            "parse_mode",
        ],
    ),
    (
        "rocketchat_configs",
        &[
            "api_url",
            "channel",
            "token",
            "token_file",
            "token_id",
            "token_id_file",
            "color",
            "emoji",
            "icon_url",
            "text",
            "title",
            "title_link",
            "fields",
            "short_fields",
            "image_url",
            "thumb_url",
            "link_names",
            "actions",
        ],
    ),
    (
        "mattermost_configs",
        &[
            "webhook_url",
            "webhook_url_file",
            "channel",
            "username",
            "text",
            "title",
            "title_link",
            "icon_url",
            "icon_emoji",
            "attachments",
            "props",
            "priority",
        ],
    ),
    (
        "sns_configs",
        &["api_url", "sigv4", "topic_arn", "phone_number", "target_arn", "subject", "message", "attributes"],
    ),
    ("webhook_configs", &["url", "url_file", "max_alerts", "timeout"]),
    (
        "pushover_configs",
        &[
            "user_key",
            "user_key_file",
            "token",
            "token_file",
            "title",
            "message",
            "url",
            "url_title",
            "device",
            "sound",
            "priority",
            "retry",
            "expire",
            "ttl",
            "html",
            "monospace",
        ],
    ),
    ("discord_configs", &["webhook_url", "webhook_url_file", "title", "message", "content", "username", "avatar_url"]),
    ("msteams_configs", &["webhook_url", "webhook_url_file", "title", "summary", "text"]),
    ("msteamsv2_configs", &["webhook_url", "webhook_url_file", "title", "text"]),
    ("webex_configs", &["api_url", "room_id", "message"]),
    (
        "jira_configs",
        &[
            "api_url",
            "project",
            "summary",
            "description",
            "labels",
            "priority",
            "issue_type",
            "reopen_transition",
            "resolve_transition",
            "wont_fix_resolution",
            "reopen_duration",
            "fields",
        ],
    ),
    (
        "incidentio_configs",
        &["url", "url_file", "alert_source_token", "alert_source_token_file", "max_alerts", "timeout"],
    ),
];

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

/// Required fields and exclusions of one integration, with the global fallbacks.
pub(super) fn integration(kind: &str, cfg: &At, g: &Node, cx: &mut Ctx<'_>) {
    let c = &cfg.value;
    let at = Some(pos(cfg));
    let either = |c: &Node, a: &str| c.is_set(a) || c.is_set(&format!("{a}_file"));
    let exclusive = |cx: &mut Ctx<'_>, a: &str| {
        let file = format!("{a}_file");
        if c.is_set(a) && c.is_set(&file) {
            cx.err(
                "alertmanager/receiver",
                c.get(&file).map(pos),
                format!("at most one of {a} & {file} must be configured"),
            );
        }
    };
    match kind {
        "email_configs" => {
            exclusive(cx, "auth_password");
            exclusive(cx, "auth_secret");
            if !c.is_set("to") {
                cx.err("alertmanager/receiver", at, "missing to address in email config");
            }
            if !c.is_set("smarthost") && !g.is_set("smtp_smarthost") {
                cx.err("alertmanager/receiver", at, "no global SMTP smarthost set");
            }
            if !c.is_set("from") && !g.is_set("smtp_from") {
                cx.err("alertmanager/receiver", at, "no global SMTP from set");
            }
        }
        "slack_configs" => {
            exclusive(cx, "api_url");
            exclusive(cx, "app_token");
            let local_url = either(c, "api_url");
            let local_token = either(c, "app_token");
            if local_url && local_token {
                cx.err(
                    "alertmanager/receiver",
                    at,
                    "at most one of api_url/api_url_file & app_token/app_token_file must be configured",
                );
            }
            let auth = c.get("http_config").is_some_and(|h| h.value.is_set("authorization"));
            let token = local_token || (!local_url && !auth && either(g, "slack_app_token"));
            let url = local_url || either(g, "slack_api_url");
            if !url && !token {
                cx.err("alertmanager/receiver", at, "no Slack API URL nor App token set either inline or in a file");
            }
            if token && auth {
                cx.err("alertmanager/receiver", at, "http authorization can't be set when using Slack App tokens");
            }
            if c.get("update_message").is_some_and(|v| v.value == Node::Bool(true)) && !token {
                cx.err(
                    "alertmanager/receiver",
                    c.get("update_message").map(pos),
                    "update_message requires a Slack App token, not a webhook URL",
                )
                .help("updating messages uses chat.update, which incoming webhooks cannot call");
            }
        }
        "pagerduty_configs" => {
            exclusive(cx, "routing_key");
            exclusive(cx, "service_key");
            if !either(c, "routing_key") && !either(c, "service_key") {
                cx.err("alertmanager/receiver", at, "missing service or routing key in PagerDuty config");
            }
        }
        "opsgenie_configs" => {
            exclusive(cx, "api_key");
            if !either(c, "api_key") && !either(g, "opsgenie_api_key") {
                cx.err("alertmanager/receiver", at, "no global OpsGenie API Key set either inline or in a file");
            }
        }
        "victorops_configs" => {
            exclusive(cx, "api_key");
            if !either(c, "api_key") && !either(g, "victorops_api_key") {
                cx.err("alertmanager/receiver", at, "no global VictorOps API Key set");
            }
            if !c.is_set("routing_key") {
                cx.err("alertmanager/receiver", at, "missing Routing key in VictorOps config");
            }
        }
        "wechat_configs" => {
            exclusive(cx, "api_secret");
            if !either(c, "api_secret") && !either(g, "wechat_api_secret") {
                cx.err("alertmanager/receiver", at, "no global Wechat Api Secret set either inline or in a file");
            }
            if !c.is_set("corp_id") && !g.is_set("wechat_api_corp_id") {
                cx.err("alertmanager/receiver", at, "no global Wechat CorpID set");
            }
        }
        "telegram_configs" => {
            exclusive(cx, "bot_token");
            if !either(c, "bot_token") && !either(g, "telegram_bot_token") {
                cx.err("alertmanager/receiver", at, "missing bot_token or bot_token_file on telegram_config");
            }
            if !c.is_set("chat_id") {
                cx.err("alertmanager/receiver", at, "missing chat_id on telegram_config");
            }
        }
        "rocketchat_configs" => {
            exclusive(cx, "token");
            exclusive(cx, "token_id");
            if !either(c, "token_id") && !either(g, "rocketchat_token_id") {
                cx.err("alertmanager/receiver", at, "no global Rocketchat TokenID set either inline or in a file");
            }
            if !either(c, "token") && !either(g, "rocketchat_token") {
                cx.err("alertmanager/receiver", at, "no global Rocketchat Token set either inline or in a file");
            }
        }
        "mattermost_configs" => {
            exclusive(cx, "webhook_url");
            if !either(c, "webhook_url") && !either(g, "mattermost_webhook_url") {
                cx.err("alertmanager/receiver", at, "missing webhook_url or webhook_url_file on mattermost_config");
            }
        }
        "sns_configs" => {
            let targets = ["topic_arn", "phone_number", "target_arn"].iter().filter(|k| c.is_set(k)).count();
            if targets != 1 {
                cx.err(
                    "alertmanager/receiver",
                    at,
                    "must provide either a Target ARN, Topic ARN, or Phone Number for SNS config",
                );
            }
        }
        "webhook_configs" | "incidentio_configs" if c.is_set("url") == c.is_set("url_file") => {
            cx.err("alertmanager/receiver", at, "one of url or url_file must be configured");
        }
        "pushover_configs" => {
            exclusive(cx, "user_key");
            exclusive(cx, "token");
            if !either(c, "user_key") {
                cx.err("alertmanager/receiver", at, "one of user_key or user_key_file must be configured");
            }
            if !either(c, "token") {
                cx.err("alertmanager/receiver", at, "one of token or token_file must be configured");
            }
        }
        "discord_configs" | "msteams_configs" | "msteamsv2_configs" => {
            exclusive(cx, "webhook_url");
            if !either(c, "webhook_url") {
                cx.err(
                    "alertmanager/receiver",
                    at,
                    format!("no {} webhook URL or URLFile provided", kind.trim_end_matches("_configs")),
                );
            }
        }
        "webex_configs" if !c.is_set("room_id") => {
            cx.err("alertmanager/receiver", at, "missing room_id on webex_config");
        }
        _ => {}
    }
}

/// Parses every template field of an integration as a Go template.
pub(super) fn templates(receiver: &str, cfg: &At, cx: &mut Ctx<'_>) {
    let Node::Map(entries) = &cfg.value else { return };
    for (k, v) in entries {
        let mut texts: Vec<(&At, String)> = Vec::new();
        match &v.value {
            Node::Str(s) if TEMPLATE_FIELDS.contains(&k.value.as_str()) => texts.push((v, s.clone())),
            Node::Map(inner) if k.value == "details" || k.value == "headers" || k.value == "attributes" => {
                texts.extend(inner.iter().filter_map(|(_, iv)| iv.value.as_str().map(|s| (iv, s))));
            }
            _ => {}
        }
        for (at, text) in texts {
            if !text.contains("{{") {
                continue;
            }
            if let Err(e) = crate::check::gotemplate::parse(&format!("{receiver}.{}", k.value), &text, AM_FUNCS) {
                cx.err(
                    "alertmanager/template",
                    Some(pos(at)),
                    format!("receiver {receiver:?}: `{}` is not a valid template: {e}", k.value),
                )
                .help("a broken notification template silently drops notifications (amtool does not check it)");
            }
        }
    }
}

/// Functions Alertmanager's templates have besides Go's (which come with gtmpl).
const AM_FUNCS: &[&str] = &[
    "toUpper",
    "toLower",
    "title",
    "trimSpace",
    "join",
    "match",
    "safeHtml",
    "safeUrl",
    "urlUnescape",
    "reReplaceAll",
    "stringSlice",
    "date",
    "tz",
    "since",
    "humanizeDuration",
    "toJson",
    "list",
    "append",
    "dict",
    "template",
];
