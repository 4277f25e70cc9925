//! Each integration's notification fields and their default templates, as Alertmanager 0.25's
//! config defaults give them (`config/notifiers.go`): what a field says unless the receiver's
//! config sets it. A field set in the config (a string) is a template too.

/// A field: its config key (`parent.key` for nested ones) and its default template.
pub type Field = (&'static str, &'static str);

/// An integration's `*_configs` key, its short name, and its fields.
pub const INTEGRATIONS: &[(&str, &str, &[Field])] = &[
    (
        "slack_configs",
        "slack",
        &[
            ("username", r#"{{ template "slack.default.username" . }}"#),
            ("color", r#"{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}"#),
            ("title", r#"{{ template "slack.default.title" . }}"#),
            ("title_link", r#"{{ template "slack.default.titlelink" . }}"#),
            ("pretext", r#"{{ template "slack.default.pretext" . }}"#),
            ("text", r#"{{ template "slack.default.text" . }}"#),
            ("fallback", r#"{{ template "slack.default.fallback" . }}"#),
            ("callback_id", r#"{{ template "slack.default.callbackid" . }}"#),
            ("icon_emoji", r#"{{ template "slack.default.iconemoji" . }}"#),
            ("icon_url", r#"{{ template "slack.default.iconurl" . }}"#),
            ("footer", r#"{{ template "slack.default.footer" . }}"#),
        ],
    ),
    (
        "pagerduty_configs",
        "pagerduty",
        &[
            ("description", r#"{{ template "pagerduty.default.description" .}}"#),
            ("client", r#"{{ template "pagerduty.default.client" . }}"#),
            ("client_url", r#"{{ template "pagerduty.default.clientURL" . }}"#),
            ("details.firing", r#"{{ template "pagerduty.default.instances" .Alerts.Firing }}"#),
            ("details.resolved", r#"{{ template "pagerduty.default.instances" .Alerts.Resolved }}"#),
            ("details.num_firing", r#"{{ .Alerts.Firing | len }}"#),
            ("details.num_resolved", r#"{{ .Alerts.Resolved | len }}"#),
        ],
    ),
    (
        "email_configs",
        "email",
        &[
            ("headers.Subject", r#"{{ template "email.default.subject" . }}"#),
            ("html", r#"{{ template "email.default.html" . }}"#),
            ("text", ""),
        ],
    ),
    (
        "opsgenie_configs",
        "opsgenie",
        &[
            ("message", r#"{{ template "opsgenie.default.message" . }}"#),
            ("description", r#"{{ template "opsgenie.default.description" . }}"#),
            ("source", r#"{{ template "opsgenie.default.source" . }}"#),
        ],
    ),
    (
        "victorops_configs",
        "victorops",
        &[
            ("message_type", "CRITICAL"),
            ("state_message", r#"{{ template "victorops.default.state_message" . }}"#),
            ("entity_display_name", r#"{{ template "victorops.default.entity_display_name" . }}"#),
            ("monitoring_tool", r#"{{ template "victorops.default.monitoring_tool" . }}"#),
        ],
    ),
    (
        "pushover_configs",
        "pushover",
        &[
            ("title", r#"{{ template "pushover.default.title" . }}"#),
            ("message", r#"{{ template "pushover.default.message" . }}"#),
            ("url", r#"{{ template "pushover.default.url" . }}"#),
        ],
    ),
    (
        "wechat_configs",
        "wechat",
        &[
            ("message", r#"{{ template "wechat.default.message" . }}"#),
            ("to_user", r#"{{ template "wechat.default.to_user" . }}"#),
            ("to_party", r#"{{ template "wechat.default.to_party" . }}"#),
            ("to_tag", r#"{{ template "wechat.default.to_tag" . }}"#),
            ("agent_id", r#"{{ template "wechat.default.agent_id" . }}"#),
        ],
    ),
    (
        "sns_configs",
        "sns",
        &[
            ("subject", r#"{{ template "sns.default.subject" . }}"#),
            ("message", r#"{{ template "sns.default.message" . }}"#),
        ],
    ),
    ("telegram_configs", "telegram", &[("message", r#"{{ template "telegram.default.message" . }}"#)]),
    (
        "discord_configs",
        "discord",
        &[
            ("title", r#"{{ template "discord.default.title" . }}"#),
            ("message", r#"{{ template "discord.default.message" . }}"#),
        ],
    ),
    ("webex_configs", "webex", &[("message", r#"{{ template "webex.default.message" . }}"#)]),
    // The webhook sends no template: its body is the JSON payload.
    ("webhook_configs", "webhook", &[]),
];
