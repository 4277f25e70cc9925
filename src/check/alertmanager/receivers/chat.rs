//! Chat integrations: each row of the table with its required and exclusive fields below it.

use super::{either, integration, Integration, Rx};
use crate::check::node::{pos, SourceNode};
use crate::check::Check;

pub(super) const SLACK: Integration = integration(
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
    slack,
);

fn slack(rx: &mut Rx<'_, '_>) {
    let c = rx.n();
    rx.exclusive("api_url");
    rx.exclusive("app_token");
    let local_url = either(c, "api_url");
    let local_token = either(c, "app_token");
    if local_url && local_token {
        rx.err("at most one of api_url/api_url_file & app_token/app_token_file must be configured");
    }
    let auth = c.get("http_config").is_some_and(|h| h.value.is_set("authorization"));
    let token = local_token || (!local_url && !auth && either(rx.global, "slack_app_token"));
    let url = local_url || either(rx.global, "slack_api_url");
    if !url && !token {
        rx.err("no Slack API URL nor App token set either inline or in a file");
    }
    if token && auth {
        rx.err("http authorization can't be set when using Slack App tokens");
    }
    if c.get("update_message").is_some_and(|v| v.value == SourceNode::Bool(true)) && !token {
        rx.cx
            .err(
                Check::AlertmanagerReceiver,
                c.get("update_message").map(pos),
                "update_message requires a Slack App token, not a webhook URL",
            )
            .help("updating messages uses chat.update, which incoming webhooks cannot call");
    }
}

pub(super) const WECHAT: Integration = integration(
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
    wechat,
);

fn wechat(rx: &mut Rx<'_, '_>) {
    rx.exclusive("api_secret");
    if !either(rx.n(), "api_secret") && !either(rx.global, "wechat_api_secret") {
        rx.err("no global Wechat Api Secret set either inline or in a file");
    }
    if !rx.n().is_set("corp_id") && !rx.global.is_set("wechat_api_corp_id") {
        rx.err("no global Wechat CorpID set");
    }
}

pub(super) const TELEGRAM: Integration = integration(
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
    telegram,
);

fn telegram(rx: &mut Rx<'_, '_>) {
    rx.exclusive("bot_token");
    if !either(rx.n(), "bot_token") && !either(rx.global, "telegram_bot_token") {
        rx.err("missing bot_token or bot_token_file on telegram_config");
    }
    if !rx.n().is_set("chat_id") {
        rx.err("missing chat_id on telegram_config");
    }
}

pub(super) const ROCKETCHAT: Integration = integration(
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
    rocketchat,
);

fn rocketchat(rx: &mut Rx<'_, '_>) {
    rx.exclusive("token");
    rx.exclusive("token_id");
    if !either(rx.n(), "token_id") && !either(rx.global, "rocketchat_token_id") {
        rx.err("no global Rocketchat TokenID set either inline or in a file");
    }
    if !either(rx.n(), "token") && !either(rx.global, "rocketchat_token") {
        rx.err("no global Rocketchat Token set either inline or in a file");
    }
}

pub(super) const MATTERMOST: Integration = integration(
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
    mattermost,
);

fn mattermost(rx: &mut Rx<'_, '_>) {
    rx.exclusive("webhook_url");
    if !either(rx.n(), "webhook_url") && !either(rx.global, "mattermost_webhook_url") {
        rx.err("missing webhook_url or webhook_url_file on mattermost_config");
    }
}

pub(super) const DISCORD: Integration = integration(
    "discord_configs",
    &["webhook_url", "webhook_url_file", "title", "message", "content", "username", "avatar_url"],
    |rx| webhook_url(rx, "discord"),
);
pub(super) const MSTEAMS: Integration =
    integration("msteams_configs", &["webhook_url", "webhook_url_file", "title", "summary", "text"], |rx| {
        webhook_url(rx, "msteams")
    });
pub(super) const MSTEAMSV2: Integration =
    integration("msteamsv2_configs", &["webhook_url", "webhook_url_file", "title", "text"], |rx| {
        webhook_url(rx, "msteamsv2")
    });

/// Discord and Teams post to a webhook URL, inline or from a file, with no global fallback.
fn webhook_url(rx: &mut Rx<'_, '_>, name: &str) {
    rx.exclusive("webhook_url");
    if !either(rx.n(), "webhook_url") {
        rx.err(format!("no {name} webhook URL or URLFile provided"));
    }
}

pub(super) const WEBEX: Integration = integration("webex_configs", &["api_url", "room_id", "message"], |rx| {
    if !rx.n().is_set("room_id") {
        rx.err("missing room_id on webex_config");
    }
});
