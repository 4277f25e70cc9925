//! Each integration's notification fields and their default templates, as Alertmanager 0.25's
//! config defaults give them (`config/notifiers.go`): what a field says unless the receiver's
//! config sets it. A field set in the config (a string) is a template too.

/// A field: its config key (`parent.key` for nested ones) and its default template.
pub type Field = (&'static str, &'static str);

/// An integration: its `*_configs` key, its short name, whether it sends resolved alerts by
/// default (`send_resolved`), and its fields.
pub struct Integration {
    /// The receiver's key (`slack_configs`).
    pub key: &'static str,
    /// Its short name (`slack`).
    pub name: &'static str,
    /// `send_resolved` unless the entry sets it.
    pub send_resolved: bool,
    /// Its template fields.
    pub fields: &'static [Field],
}

/// Every integration, in the order previews list them.
pub const INTEGRATIONS: &[Integration] = &[
    Integration {
        key: "slack_configs",
        name: "slack",
        send_resolved: false,
        fields: &[
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
    },
    Integration {
        key: "pagerduty_configs",
        name: "pagerduty",
        send_resolved: true,
        fields: &[
            ("description", r#"{{ template "pagerduty.default.description" .}}"#),
            ("client", r#"{{ template "pagerduty.default.client" . }}"#),
            ("client_url", r#"{{ template "pagerduty.default.clientURL" . }}"#),
            ("details.firing", r#"{{ template "pagerduty.default.instances" .Alerts.Firing }}"#),
            ("details.resolved", r#"{{ template "pagerduty.default.instances" .Alerts.Resolved }}"#),
            ("details.num_firing", r#"{{ .Alerts.Firing | len }}"#),
            ("details.num_resolved", r#"{{ .Alerts.Resolved | len }}"#),
        ],
    },
    Integration {
        key: "email_configs",
        name: "email",
        send_resolved: false,
        fields: &[
            ("headers.Subject", r#"{{ template "email.default.subject" . }}"#),
            ("html", r#"{{ template "email.default.html" . }}"#),
            ("text", ""),
        ],
    },
    Integration {
        key: "opsgenie_configs",
        name: "opsgenie",
        send_resolved: true,
        fields: &[
            ("message", r#"{{ template "opsgenie.default.message" . }}"#),
            ("description", r#"{{ template "opsgenie.default.description" . }}"#),
            ("source", r#"{{ template "opsgenie.default.source" . }}"#),
        ],
    },
    Integration {
        key: "victorops_configs",
        name: "victorops",
        send_resolved: true,
        fields: &[
            ("message_type", "CRITICAL"),
            ("state_message", r#"{{ template "victorops.default.state_message" . }}"#),
            ("entity_display_name", r#"{{ template "victorops.default.entity_display_name" . }}"#),
            ("monitoring_tool", r#"{{ template "victorops.default.monitoring_tool" . }}"#),
        ],
    },
    Integration {
        key: "pushover_configs",
        name: "pushover",
        send_resolved: true,
        fields: &[
            ("title", r#"{{ template "pushover.default.title" . }}"#),
            ("message", r#"{{ template "pushover.default.message" . }}"#),
            ("url", r#"{{ template "pushover.default.url" . }}"#),
        ],
    },
    Integration {
        key: "wechat_configs",
        name: "wechat",
        send_resolved: false,
        fields: &[
            ("message", r#"{{ template "wechat.default.message" . }}"#),
            ("to_user", r#"{{ template "wechat.default.to_user" . }}"#),
            ("to_party", r#"{{ template "wechat.default.to_party" . }}"#),
            ("to_tag", r#"{{ template "wechat.default.to_tag" . }}"#),
            ("agent_id", r#"{{ template "wechat.default.agent_id" . }}"#),
        ],
    },
    Integration {
        key: "sns_configs",
        name: "sns",
        send_resolved: true,
        fields: &[
            ("subject", r#"{{ template "sns.default.subject" . }}"#),
            ("message", r#"{{ template "sns.default.message" . }}"#),
        ],
    },
    Integration {
        key: "telegram_configs",
        name: "telegram",
        send_resolved: true,
        fields: &[("message", r#"{{ template "telegram.default.message" . }}"#)],
    },
    Integration {
        key: "discord_configs",
        name: "discord",
        send_resolved: true,
        fields: &[
            ("title", r#"{{ template "discord.default.title" . }}"#),
            ("message", r#"{{ template "discord.default.message" . }}"#),
        ],
    },
    Integration {
        key: "webex_configs",
        name: "webex",
        send_resolved: true,
        fields: &[("message", r#"{{ template "webex.default.message" . }}"#)],
    },
    // The webhook sends no template: its body is the JSON payload.
    Integration { key: "webhook_configs", name: "webhook", send_resolved: true, fields: &[] },
];
