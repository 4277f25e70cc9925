//! Alertmanager's notification data for one aggregation group, as its dispatcher and notifier
//! build it (`dispatch/dispatch.go`, `template/template.go`, `notify/webhook`): the alerts sorted
//! by `job`, `instance`, then label set; a firing alert's `EndsAt` zero; `Receiver` regexp-quoted;
//! common labels and annotations; the group key `<route key>:<group labels>`; and the webhook's
//! JSON body in Go's encoding.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde::Serialize;

use super::Alert;
use crate::gotemplate::alertmanager::model::{Alerts, Kv, Struct};
use crate::gotemplate::{Time, Value};
use crate::routing::Labels;

/// The alerts one notification carries, and what they share.
#[derive(Debug, Clone)]
pub struct Group {
    /// The receiver's name as configured.
    pub receiver: String,
    /// The route's key (`{}/{severity="critical"}`), which prefixes the group key.
    pub route_key: String,
    /// The grouping labels.
    pub labels: Labels,
    /// The alerts, in Alertmanager's order, each with whether it fires at the notification's
    /// instant.
    pub alerts: Vec<(Alert, bool)>,
    /// The Alertmanager's external URL.
    pub external_url: String,
}

impl Group {
    /// The group key Alertmanager gives it: the route's key, `:`, the group labels.
    pub fn key(&self) -> String {
        format!("{}:{}", self.route_key, label_set_text(&self.labels))
    }
}

/// `types.AlertSlice`'s order: `job`, then `instance` (an alert lacking one comes after those
/// having it), then `LabelSet.Before` (fewer labels first, then the first differing label of the
/// sorted union of names).
pub fn alert_order(a: &Labels, b: &Labels) -> Ordering {
    for key in ["job", "instance"] {
        match (a.get(key), b.get(key)) {
            (None, None) => continue,
            (None, Some(_)) => return Ordering::Greater,
            (Some(_), None) => return Ordering::Less,
            (Some(x), Some(y)) if x != y => return x.cmp(y),
            _ => {}
        }
    }
    if a.len() != b.len() {
        return a.len().cmp(&b.len());
    }
    let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
    names.sort();
    for name in names {
        match (a.get(name), b.get(name)) {
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(x), Some(y)) if x != y => return x.cmp(y),
            _ => {}
        }
    }
    Ordering::Equal
}

/// Go's `regexp.QuoteMeta`, which Alertmanager applies to `Receiver` so that links filtering
/// by it (`receiver=…`) match it literally.
pub fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Alertmanager's label set fingerprint (FNV-1a 64 over the sorted names and values, each
/// followed by the 0xff separator), as `%016x`.
pub fn fingerprint(labels: &Labels) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (k, v) in labels {
        for b in k.bytes().chain([0xff]).chain(v.bytes()).chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// `model.LabelSet.String()`: `{a="1", b="2"}`, values quoted as Go's `%q` quotes them.
pub fn label_set_text(labels: &Labels) -> String {
    let parts: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={}", crate::syntax::quote::quote(v))).collect();
    format!("{{{}}}", parts.join(", "))
}

/// Labels (or annotations) every one of `sets` has with the same value.
fn common<'a>(mut sets: impl Iterator<Item = &'a Labels>) -> Labels {
    let Some(first) = sets.next() else { return Labels::new() };
    let mut out = first.clone();
    for s in sets {
        out.retain(|k, v| s.get(k) == Some(v));
    }
    out
}

fn kv(l: &Labels) -> Value {
    Kv::value(l.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// Go's zero `time.Time`.
fn zero_time() -> Time {
    Time::from_unix_nanos(-62_135_596_800 * 1_000_000_000)
}

const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

/// What an integration is sent: the group's alerts, or only its firing ones when the integration
/// does not send resolved notifications; `None` when that leaves nothing to send.
pub fn sent(group: &Group, send_resolved: bool) -> Option<Vec<&(Alert, bool)>> {
    let alerts: Vec<&(Alert, bool)> = group.alerts.iter().filter(|(_, firing)| send_resolved || *firing).collect();
    // Alertmanager sends nothing when every alert is resolved and resolved ones are not sent.
    (!alerts.is_empty()).then_some(alerts)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AlertJson<'a> {
    status: &'static str,
    labels: &'a Labels,
    annotations: &'a Labels,
    starts_at: String,
    ends_at: String,
    #[serde(rename = "generatorURL")]
    generator_url: &'a str,
    fingerprint: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DataJson<'a> {
    receiver: String,
    status: &'static str,
    alerts: Vec<AlertJson<'a>>,
    group_labels: &'a Labels,
    common_labels: Labels,
    common_annotations: Labels,
    #[serde(rename = "externalURL")]
    external_url: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Payload<'a> {
    #[serde(flatten)]
    data: DataJson<'a>,
    version: &'static str,
    group_key: String,
    truncated_alerts: usize,
}

fn status(firing: bool) -> &'static str {
    if firing {
        "firing"
    } else {
        "resolved"
    }
}

fn times(alert: &Alert, firing: bool) -> (Time, Time) {
    let starts = Time::from_unix_f64(alert.starts_at);
    // The dispatcher zeroes the end of every alert not resolved when it flushes.
    let ends = match alert.ends_at {
        Some(t) if !firing => Time::from_unix_f64(t),
        _ => zero_time(),
    };
    (starts, ends)
}

fn data_json<'a>(group: &'a Group, alerts: &[&'a (Alert, bool)]) -> DataJson<'a> {
    DataJson {
        receiver: quote_meta(&group.receiver),
        status: status(alerts.iter().any(|(_, f)| *f)),
        alerts: alerts
            .iter()
            .map(|(a, firing)| {
                let (starts, ends) = times(a, *firing);
                AlertJson {
                    status: status(*firing),
                    labels: &a.labels,
                    annotations: &a.annotations,
                    starts_at: starts.format(RFC3339_NANO),
                    ends_at: ends.format(RFC3339_NANO),
                    generator_url: &a.generator_url,
                    fingerprint: fingerprint(&a.labels),
                }
            })
            .collect(),
        group_labels: &group.labels,
        common_labels: common(alerts.iter().map(|(a, _)| &a.labels)),
        common_annotations: common(alerts.iter().map(|(a, _)| &a.annotations)),
        external_url: &group.external_url,
    }
}

/// `template.Data` for `alerts` of `group`, as templates see it.
pub fn template_data(group: &Group, alerts: &[&(Alert, bool)]) -> Value {
    let json = data_json(group, alerts);
    let items: Vec<Value> = alerts
        .iter()
        .zip(&json.alerts)
        .map(|((a, firing), j)| {
            let (starts, ends) = times(a, *firing);
            Struct::value(
                "template.Alert",
                vec![
                    ("Status", Value::from(j.status)),
                    ("Labels", kv(&a.labels)),
                    ("Annotations", kv(&a.annotations)),
                    ("StartsAt", starts.value()),
                    ("EndsAt", ends.value()),
                    ("GeneratorURL", Value::from(a.generator_url.as_str())),
                    ("Fingerprint", Value::from(j.fingerprint.as_str())),
                ],
            )
        })
        .collect();
    let firing: Vec<bool> = alerts.iter().map(|(_, f)| *f).collect();
    let mut d = BTreeMap::new();
    d.insert("Receiver".to_owned(), Value::from(json.receiver.as_str()));
    d.insert("Status".to_owned(), Value::from(json.status));
    d.insert("Alerts".to_owned(), Value::Object(Rc::new(Alerts(items, firing))));
    d.insert("GroupLabels".to_owned(), kv(&group.labels));
    d.insert("CommonLabels".to_owned(), kv(&json.common_labels));
    d.insert("CommonAnnotations".to_owned(), kv(&json.common_annotations));
    d.insert("ExternalURL".to_owned(), Value::from(group.external_url.as_str()));
    Value::map(d)
}

/// `template.Data` in JSON, as `amtool template render --template.data` reads it.
pub fn data_value(group: &Group, alerts: &[&(Alert, bool)]) -> serde_json::Value {
    serde_json::to_value(data_json(group, alerts)).unwrap_or_default()
}

/// The webhook's body (version 4) for `alerts`, `max_alerts` of them at most (0: all), as Go's
/// `encoding/json` writes it.
pub fn webhook_payload(group: &Group, alerts: &[&(Alert, bool)], max_alerts: usize) -> String {
    let kept = if max_alerts > 0 && alerts.len() > max_alerts { &alerts[..max_alerts] } else { alerts };
    // As Alertmanager, the data describe the alerts kept, not the whole group.
    let payload = Payload {
        data: data_json(group, kept),
        version: "4",
        group_key: group.key(),
        truncated_alerts: alerts.len() - kept.len(),
    };
    go_json(&serde_json::to_string(&payload).unwrap_or_default())
}

/// serde_json's compact text as Go's `encoding/json` writes it: `<`, `>`, `&`, U+2028 and U+2029
/// escaped. They only occur inside strings, so replacing them anywhere is exact.
fn go_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod unit {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn fingerprints_are_alertmanager_s() {
        // Alertmanager's model.LabelSet{}.Fingerprint() of the empty set is FNV-1a's offset basis.
        assert_eq!(fingerprint(&Labels::new()), "cbf29ce484222325");
        assert_eq!(fingerprint(&labels(&[("alertname", "x")])), fingerprint(&labels(&[("alertname", "x")])));
        assert_ne!(fingerprint(&labels(&[("a", "b")])), fingerprint(&labels(&[("a", "c")])));
    }

    #[test]
    fn alerts_sort_by_job_instance_then_labels() {
        let a = labels(&[("job", "b")]);
        let b = labels(&[("job", "a"), ("x", "1")]);
        let c = labels(&[("instance", "z")]);
        let d = labels(&[("alertname", "y")]);
        let e = labels(&[("alertname", "x"), ("z", "1")]);
        let mut all = vec![&e, &d, &c, &a, &b];
        all.sort_by(|x, y| alert_order(x, y));
        assert_eq!(all, vec![&b, &a, &c, &d, &e]);
    }

    #[test]
    fn receivers_are_regexp_quoted() {
        assert_eq!(quote_meta("team-a.ops (24/7)"), r"team-a\.ops \(24/7\)");
    }

    #[test]
    fn json_escapes_html_characters_as_go() {
        assert_eq!(go_json(r#"{"a":"<b>&"}"#), r#"{"a":"\u003cb\u003e\u0026"}"#);
    }

    #[test]
    fn common_labels_are_those_all_share() {
        let a = labels(&[("a", "1"), ("b", "2")]);
        let b = labels(&[("a", "1"), ("b", "3")]);
        assert_eq!(common([&a, &b].into_iter()), labels(&[("a", "1")]));
    }
}
