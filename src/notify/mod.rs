//! Notification previews: what each integration of a receiver would send for an alert, by
//! executing Alertmanager's templates (its `default.tmpl` of 0.25, bundled, then the config's
//! `templates:` files) on Alertmanager's data model (`template.Data`), with each integration's
//! default field templates ([`fields`]) unless the config sets a field. Nothing here prints.

pub mod fields;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::check::node::{SourceNode, Tree};
use crate::gotemplate::alertmanager::model::{Alerts, Kv, Struct};
use crate::gotemplate::alertmanager::{funcs, Context};
use crate::gotemplate::{funcs as names, parse, MissingKey, Options, Set, Time, Value};
use crate::routing::{Config, Labels};

/// Alertmanager 0.25's `template/default.tmpl`, as Debian's prometheus-alertmanager 0.25.0 ships it
/// (provenance in `tests/upstream/PROVENANCE.md`).
pub const DEFAULT_TMPL: &str = include_str!("../../assets/alertmanager/default.tmpl");

/// Its `email.tmpl` (`email.default.subject`, `email.default.html`), which Debian ships apart
/// rather than inlined into `default.tmpl` as upstream's build does.
pub const EMAIL_TMPL: &str = include_str!("../../assets/alertmanager/email.tmpl");

/// A set holding the bundled templates.
fn bundled<'a>(opts: &Options<'_>) -> Result<Set<'a>, String> {
    let mut set = Set::new();
    for (name, text) in [("default.tmpl", DEFAULT_TMPL), ("email.tmpl", EMAIL_TMPL)] {
        set.add(name, text, parse(name, text, opts).map_err(|e| format!("{name}: {e}"))?);
    }
    Ok(set)
}

/// What is previewed: one firing alert sent to one receiver.
#[derive(Debug, Clone)]
pub struct Alert {
    /// Its labels.
    pub labels: Labels,
    /// Its annotations.
    pub annotations: Labels,
    /// `StartsAt`, seconds since the epoch.
    pub starts_at: f64,
    /// `GeneratorURL`.
    pub generator_url: String,
    /// `ExternalURL` of the Alertmanager.
    pub external_url: String,
}

/// One integration entry of the receiver and what it would send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// `slack`, `pagerduty`, … (`webhook` sends its JSON payload as the field `payload`).
    pub integration: String,
    /// Index among the receiver's entries of that integration.
    pub index: usize,
    /// Field name and what it renders to, or the template's error.
    pub fields: Vec<(String, Result<String, String>)>,
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
    /// A template file that cannot be read or parsed.
    #[error("{0}")]
    Template(String),
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

fn kv(l: &Labels) -> Value {
    Kv::value(l.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// Go's zero `time.Time` (`EndsAt` of a firing alert).
fn zero_time() -> Time {
    Time::from_unix_nanos(-62_135_596_800 * 1_000_000_000)
}

const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

/// The grouping labels the receiver's route gives `labels`: its `group_by`, every label for
/// `['...']`; none when no route to the receiver matches.
fn group_labels(config: &Config, receiver: &str, labels: &Labels) -> Labels {
    let d = config.decide(labels, &[], None);
    let Some(route) = d.routes.iter().find(|r| r.opts.receiver == receiver) else { return Labels::new() };
    match route.group_by() {
        None => labels.clone(),
        Some(names) => labels.iter().filter(|(k, _)| names.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect(),
    }
}

/// `template.Data` for `alert` sent to `receiver`, and the webhook's JSON payload of the same.
fn data(receiver: &str, alert: &Alert, group: &Labels) -> (Value, serde_json::Value) {
    let starts = Time::from_unix_f64(alert.starts_at);
    let fp = fingerprint(&alert.labels);
    let a = Struct::value(
        "template.Alert",
        vec![
            ("Status", Value::from("firing")),
            ("Labels", kv(&alert.labels)),
            ("Annotations", kv(&alert.annotations)),
            ("StartsAt", starts.clone().value()),
            ("EndsAt", zero_time().value()),
            ("GeneratorURL", Value::from(alert.generator_url.as_str())),
            ("Fingerprint", Value::from(fp.as_str())),
        ],
    );
    let mut d = BTreeMap::new();
    d.insert("Receiver".to_owned(), Value::from(receiver));
    d.insert("Status".to_owned(), Value::from("firing"));
    d.insert("Alerts".to_owned(), Value::Object(Rc::new(Alerts(vec![a], vec![true]))));
    d.insert("GroupLabels".to_owned(), kv(group));
    // One alert: the common labels and annotations are its own.
    d.insert("CommonLabels".to_owned(), kv(&alert.labels));
    d.insert("CommonAnnotations".to_owned(), kv(&alert.annotations));
    d.insert("ExternalURL".to_owned(), Value::from(alert.external_url.as_str()));
    let group_text: Vec<String> = group.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    let payload = serde_json::json!({
        "receiver": receiver,
        "status": "firing",
        "alerts": [{
            "status": "firing",
            "labels": alert.labels,
            "annotations": alert.annotations,
            "startsAt": starts.format(RFC3339_NANO),
            "endsAt": zero_time().format(RFC3339_NANO),
            "generatorURL": alert.generator_url,
            "fingerprint": fp,
        }],
        "groupLabels": group,
        "commonLabels": alert.labels,
        "commonAnnotations": alert.annotations,
        "externalURL": alert.external_url,
        "version": "4",
        "groupKey": format!("{{}}:{{{}}}", group_text.join(", ")),
        "truncatedAlerts": 0,
    });
    (Value::map(d), payload)
}

/// Alertmanager's `template.Data` for `alert` sent to `receiver` grouped by `group`, in JSON (as
/// `amtool template render --template.data` reads it, and the webhook's payload holds it).
pub fn data_json(receiver: &str, alert: &Alert, group: &Labels) -> serde_json::Value {
    data(receiver, alert, group).1
}

/// Executes `text` with `default.tmpl`'s definitions on the data of [`data_json`].
pub fn render_text(text: &str, receiver: &str, alert: &Alert, group: &Labels) -> Result<String, String> {
    let opts = Options { funcs: &[names::BUILTINS, names::ALERTMANAGER], ..Options::default() };
    let mut set = bundled(&opts)?;
    set.add("text", text, parse("text", text, &opts).map_err(|e| e.to_string())?);
    let (data, _) = data(receiver, alert, group);
    set.execute("text", &data, &funcs(&Context { now: alert.starts_at }), MissingKey::Zero)
}

/// The config's `templates:` files (globs relative to the config's folder): path and text.
fn template_files(config_path: &Path, root: &Tree) -> Result<Vec<(PathBuf, String)>, PreviewError> {
    let base = config_path.parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    let Some(SourceNode::Seq(globs)) = root.value.get("templates").map(|t| &t.value) else { return Ok(out) };
    for g in globs.iter().filter_map(|g| g.value.as_str()) {
        let full = if Path::new(&g).is_absolute() { PathBuf::from(&g) } else { base.join(&g) };
        let paths = glob::glob(&full.to_string_lossy())
            .map_err(|e| PreviewError::Template(format!("bad template glob `{g}`: {e}")))?;
        for p in paths.flatten() {
            let text = crate::fsutil::read_regular(&p)
                .map_err(|e| PreviewError::Template(format!("cannot read template file `{}`: {e}", p.display())))?;
            out.push((p, text));
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

/// What each integration of `receiver` would send for `alert`, from the config at `config_path`.
pub fn preview(
    config_path: &Path,
    config_text: &str,
    receiver: &str,
    alert: &Alert,
) -> Result<Vec<Notification>, anyhow::Error> {
    let config = Config::parse(config_path, config_text)?;
    if config.receiver(receiver).is_none() {
        let known: Vec<String> = config.receivers.iter().map(|r| r.name.clone()).collect();
        let near = crate::diag::nearest(receiver, known.iter().map(String::as_str))
            .map(|n| format!("did you mean `{n}`? "))
            .unwrap_or_default();
        return Err(PreviewError::UnknownReceiver { name: receiver.to_owned(), near, known }.into());
    }
    let root = crate::check::node::parse(config_text.strip_prefix('\u{feff}').unwrap_or(config_text))
        .map_err(|e| anyhow::anyhow!("`{}`: {e}", config_path.display()))?;
    let files = template_files(config_path, &root)?;
    let entry = root
        .value
        .get("receivers")
        .and_then(|r| match &r.value {
            SourceNode::Seq(items) => {
                items.iter().find(|i| i.value.get("name").and_then(|n| n.value.as_str()).as_deref() == Some(receiver))
            }
            _ => None,
        })
        .ok_or_else(|| anyhow::anyhow!("no receiver `{receiver}` in `{}`", config_path.display()))?;
    // Every field's template text first: the set borrows them.
    let mut wanted: Vec<(&str, usize, &str, String)> = Vec::new();
    for (key, integration, defaults) in fields::INTEGRATIONS {
        let Some(SourceNode::Seq(entries)) = entry.value.get(key).map(|e| &e.value) else { continue };
        for (index, e) in entries.iter().enumerate() {
            if defaults.is_empty() {
                wanted.push((integration, index, "payload", String::new()));
            }
            for (field, default) in *defaults {
                wanted.push((integration, index, field, configured(e, field).unwrap_or_else(|| (*default).to_owned())));
            }
        }
    }
    let opts = Options { funcs: &[names::BUILTINS, names::ALERTMANAGER], ..Options::default() };
    let mut set = bundled(&opts).map_err(|e| anyhow::anyhow!(e))?;
    for (path, text) in &files {
        let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let parsed = parse(&name, text, &opts).map_err(|e| {
            let (line, col) = e.position(text);
            PreviewError::Template(format!("{}:{line}:{col}: {e}", path.display()))
        })?;
        set.add(&name, text, parsed);
    }
    let names: Vec<String> = wanted.iter().map(|(i, n, f, _)| format!("preview {i}[{n}].{f}")).collect();
    let mut parse_errors: BTreeMap<usize, String> = BTreeMap::new();
    for (k, (_, _, _, text)) in wanted.iter().enumerate() {
        match parse(&names[k], text, &opts) {
            Ok(parsed) => set.add(&names[k], text, parsed),
            Err(e) => {
                parse_errors.insert(k, e.to_string());
            }
        }
    }
    let group = group_labels(&config, receiver, &alert.labels);
    let (data, payload) = data(receiver, alert, &group);
    let f = funcs(&Context { now: alert.starts_at });
    let mut out: Vec<Notification> = Vec::new();
    for (k, (integration, index, field, _)) in wanted.iter().enumerate() {
        let value = if *field == "payload" {
            Ok(serde_json::to_string_pretty(&payload).unwrap_or_default())
        } else if let Some(e) = parse_errors.get(&k) {
            Err(e.clone())
        } else {
            set.execute(&names[k], &data, &f, MissingKey::Zero)
        };
        match out.last_mut() {
            Some(n) if n.integration == *integration && n.index == *index => n.fields.push((field.to_string(), value)),
            _ => out.push(Notification {
                integration: integration.to_string(),
                index: *index,
                fields: vec![(field.to_string(), value)],
            }),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn fingerprints_are_alertmanager_s() {
        // Alertmanager's model.LabelSet{}.Fingerprint() of the empty set is FNV-1a's offset basis.
        assert_eq!(fingerprint(&Labels::new()), "cbf29ce484222325");
        let l = Labels::from([("a".to_owned(), "b".to_owned())]);
        assert_ne!(fingerprint(&l), fingerprint(&Labels::from([("a".to_owned(), "c".to_owned())])));
    }
}
