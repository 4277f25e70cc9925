//! An alerts file for previews: a list of alerts in Alertmanager's API format (`POST
//! /api/v2/alerts`, JSON or YAML): `labels`, `annotations`, `startsAt`, `endsAt`,
//! `generatorURL`. Every problem is reported at its `file:line:col`.

use std::path::Path;

use super::Alert;
use crate::check::node::{pos, SourceNode, Tree};
use crate::diag::{Diagnostic, Diagnostics};
use crate::routing::{Instant, Labels};

const KEYS: &[&str] = &["labels", "annotations", "startsAt", "endsAt", "generatorURL"];

/// Reads `text` (the file `file`); alerts without `startsAt` start at `now`.
pub fn parse(file: &Path, text: &str, now: f64) -> Result<Vec<Alert>, Diagnostics> {
    let root = crate::check::node::parse(text.strip_prefix('\u{feff}').unwrap_or(text))
        .map_err(|e| Diagnostics(vec![crate::syntax::yaml::error(file, text, &e)]))?;
    let mut errors = Vec::new();
    let mut err = |at: &Tree, message: String, help: &str| {
        let d = Diagnostic::new(file, text, Some(pos(at)), message);
        errors.push(if help.is_empty() { d } else { d.with_help(help) });
    };
    let SourceNode::Seq(items) = &root.value else {
        err(&root, format!("an alerts file is a list of alerts, not {}", root.value.kind()), EXAMPLE);
        return Err(Diagnostics(errors));
    };
    if items.is_empty() {
        err(&root, "the alerts file holds no alert".to_owned(), EXAMPLE);
    }
    let mut out = Vec::new();
    let mut seen: Vec<(Labels, u64)> = Vec::new();
    for item in items {
        let SourceNode::Map(entries) = &item.value else {
            err(item, format!("an alert is a mapping, not {}", item.value.kind()), EXAMPLE);
            continue;
        };
        let mut alert = Alert { starts_at: now, ..Alert::default() };
        for (k, v) in entries {
            let mut instant = |v: &Tree| match v.value.as_str().map(|t| Instant::parse(&t)) {
                Some(Ok(t)) => Some(t.0 as f64),
                Some(Err(e)) => {
                    err(v, e, "");
                    None
                }
                None => {
                    err(v, format!("`{}` must be an RFC 3339 instant, not {}", k.value, v.value.kind()), "");
                    None
                }
            };
            match k.value.as_str() {
                "labels" => alert.labels = map(v, "labels", &mut err),
                "annotations" => alert.annotations = map(v, "annotations", &mut err),
                "startsAt" => alert.starts_at = instant(v).unwrap_or(now),
                "endsAt" => alert.ends_at = instant(v),
                "generatorURL" => alert.generator_url = v.value.as_str().unwrap_or_default(),
                other => {
                    let help = match crate::diag::nearest(other, KEYS.iter().copied()) {
                        Some(n) => format!("did you mean `{n}`? an alert has `{}`", KEYS.join("`, `")),
                        None => format!("an alert has `{}`", KEYS.join("`, `")),
                    };
                    err(
                        &Tree { value: SourceNode::Null, at: k.at },
                        format!("unknown key `{other}` in an alert"),
                        &help,
                    );
                }
            }
        }
        if alert.labels.is_empty() {
            err(item, "an alert needs at least one label".to_owned(), EXAMPLE);
        } else if let Some((_, line)) = seen.iter().find(|(l, _)| *l == alert.labels) {
            err(
                item,
                format!("the alert at line {line} has the same labels: Alertmanager would merge the two into one"),
                "give each alert a label set of its own",
            );
        }
        seen.push((alert.labels.clone(), pos(item).line));
        if alert.ends_at.is_some_and(|e| e < alert.starts_at) {
            err(item, "the alert ends before it starts (`endsAt` < `startsAt`)".to_owned(), "");
        }
        out.push(alert);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Diagnostics(errors))
    }
}

const EXAMPLE: &str = "e.g. `[{labels: {alertname: HostDown, instance: db1}, annotations: {summary: db1 is down}, \
                       startsAt: 2026-11-25T03:00:00Z}]` (Alertmanager's API format)";

fn map(at: &Tree, what: &str, err: &mut impl FnMut(&Tree, String, &str)) -> Labels {
    let mut out = Labels::new();
    match &at.value {
        SourceNode::Map(entries) => {
            for (k, v) in entries {
                match &v.value {
                    SourceNode::Map(_) | SourceNode::Seq(_) => {
                        err(v, format!("`{what}.{}` must be a string, not {}", k.value, v.value.kind()), "")
                    }
                    SourceNode::Null => {
                        out.insert(k.value.clone(), String::new());
                    }
                    value => {
                        out.insert(k.value.clone(), value.as_str().unwrap_or_default());
                    }
                }
            }
        }
        SourceNode::Null => {}
        other => err(at, format!("`{what}` must be a mapping of names to values, not {}", other.kind()), ""),
    }
    out
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn reads_the_api_format() {
        let text = r#"[{"labels": {"alertname": "A", "job": "x"}, "annotations": {"summary": "s"},
            "startsAt": "2026-11-25T03:00:00Z", "endsAt": "2026-11-25T04:00:00Z", "generatorURL": "http://p/"}]"#;
        let alerts = parse(Path::new("a.json"), text, 0.0).unwrap();
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].labels["job"], "x");
        assert_eq!(alerts[0].ends_at, Some(1_795_579_200.0));
        assert_eq!(alerts[0].generator_url, "http://p/");
    }

    #[test]
    fn problems_are_located() {
        let text =
            "- labels: {a: b}\n  startAt: 2026-11-25T03:00:00Z\n- labels: {}\n  endsAt: yesterday\n- labels: {a: b}\n";
        let e = parse(Path::new("a.yml"), text, 0.0).unwrap_err().to_string();
        assert!(e.contains("a.yml:2:3: unknown key `startAt`"), "{e}");
        assert!(e.contains("did you mean `startsAt`?"), "{e}");
        assert!(e.contains("a.yml:3:3: an alert needs at least one label"), "{e}");
        assert!(e.contains("a.yml:4:11:"), "{e}");
        assert!(e.contains("a.yml:5:3: the alert at line 1 has the same labels"), "{e}");
    }
}
