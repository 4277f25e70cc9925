//! Integrations that page, mail, open tickets or call webhooks: each row of the table with its
//! required and exclusive fields below it.

use super::{either, fields_only, integration, Integration, Rx};

pub(super) const EMAIL: Integration = integration(
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
    email,
);

fn email(rx: &mut Rx<'_, '_>) {
    rx.exclusive("auth_password");
    rx.exclusive("auth_secret");
    if !rx.n().is_set("to") {
        rx.err("missing to address in email config");
    }
    if !rx.n().is_set("smarthost") && !rx.global.is_set("smtp_smarthost") {
        rx.err("no global SMTP smarthost set");
    }
    if !rx.n().is_set("from") && !rx.global.is_set("smtp_from") {
        rx.err("no global SMTP from set");
    }
}

pub(super) const PAGERDUTY: Integration = integration(
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
    pagerduty,
);

fn pagerduty(rx: &mut Rx<'_, '_>) {
    rx.exclusive("routing_key");
    rx.exclusive("service_key");
    if !either(rx.n(), "routing_key") && !either(rx.n(), "service_key") {
        rx.err("missing service or routing key in PagerDuty config");
    }
}

pub(super) const OPSGENIE: Integration = integration(
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
    opsgenie,
);

fn opsgenie(rx: &mut Rx<'_, '_>) {
    rx.exclusive("api_key");
    if !either(rx.n(), "api_key") && !either(rx.global, "opsgenie_api_key") {
        rx.err("no global OpsGenie API Key set either inline or in a file");
    }
}

pub(super) const VICTOROPS: Integration = integration(
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
    victorops,
);

fn victorops(rx: &mut Rx<'_, '_>) {
    rx.exclusive("api_key");
    if !either(rx.n(), "api_key") && !either(rx.global, "victorops_api_key") {
        rx.err("no global VictorOps API Key set");
    }
    if !rx.n().is_set("routing_key") {
        rx.err("missing Routing key in VictorOps config");
    }
}

pub(super) const SNS: Integration = integration(
    "sns_configs",
    &["api_url", "sigv4", "topic_arn", "phone_number", "target_arn", "subject", "message", "attributes"],
    |rx| {
        let targets = ["topic_arn", "phone_number", "target_arn"].iter().filter(|k| rx.n().is_set(k)).count();
        if targets != 1 {
            rx.err("must provide either a Target ARN, Topic ARN, or Phone Number for SNS config");
        }
    },
);

pub(super) const WEBHOOK: Integration =
    integration("webhook_configs", &["url", "url_file", "max_alerts", "timeout"], url_or_file);

pub(super) const PUSHOVER: Integration = integration(
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
    pushover,
);

fn pushover(rx: &mut Rx<'_, '_>) {
    rx.exclusive("user_key");
    rx.exclusive("token");
    if !either(rx.n(), "user_key") {
        rx.err("one of user_key or user_key_file must be configured");
    }
    if !either(rx.n(), "token") {
        rx.err("one of token or token_file must be configured");
    }
}

pub(super) const JIRA: Integration = integration(
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
    fields_only,
);

pub(super) const INCIDENTIO: Integration = integration(
    "incidentio_configs",
    &["url", "url_file", "alert_source_token", "alert_source_token_file", "max_alerts", "timeout"],
    url_or_file,
);

/// Webhooks and incident.io need exactly one of an inline URL and a URL file.
fn url_or_file(rx: &mut Rx<'_, '_>) {
    if rx.n().is_set("url") == rx.n().is_set("url_file") {
        rx.err("one of url or url_file must be configured");
    }
}
