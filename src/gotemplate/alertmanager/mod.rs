//! Alertmanager's template functions as an executable table (`DefaultFuncs` in
//! `template/template.go`, prometheus/alertmanager v0.28.1). Notification data (alerts, KV
//! pairs) is the caller's to build, as [`super::Value`]s and [`super::Object`]s.

use std::collections::BTreeMap;

pub mod model;

use super::html::{ContentType, Typed};
use super::prometheus::{add_strings, humanize_duration};
use super::time::{Duration, Time};
use super::value::Value;
use super::{Funcs, Param};

/// What the functions need from outside: the clock `since` reads.
pub struct Context {
    /// Now, in seconds since the epoch.
    pub now: f64,
}

fn str_arg(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// `cases.Title(language.AmericanEnglish)`: each word's first letter upper-cased, the rest
/// lower-cased.
pub fn title(s: &str) -> String {
    let mut prev_letter = false;
    s.chars()
        .flat_map(|c| {
            let out: Vec<char> = if prev_letter { c.to_lowercase().collect() } else { c.to_uppercase().collect() };
            prev_letter = c.is_alphanumeric() || c == '\'';
            out
        })
        .collect()
}

fn time_of(v: &Value) -> Result<Time, String> {
    if let Value::Object(o) = v {
        if let Some(t) = o.as_any().and_then(|a| a.downcast_ref::<Time>()) {
            return Ok(t.clone());
        }
    }
    Err(format!("wrong type for value; expected time.Time; got {}", v.type_name()))
}

/// `url.QueryUnescape`.
fn query_unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3).filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()));
                let Some(hex) = hex else {
                    let bad = s.get(i..(i + 3).min(s.len())).unwrap_or("%");
                    return Err(format!("invalid URL escape {:?}", bad));
                };
                out.push(u8::from_str_radix(hex, 16).map_err(|e| e.to_string())?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// A value as JSON (`encoding/json`), for `toJson`.
fn json(v: &Value) -> String {
    match v {
        Value::Missing | Value::Nil => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => serde_json::to_string(f).unwrap_or_else(|_| "null".into()),
        Value::Str(s) => serde_json::to_string(s.as_ref()).unwrap_or_default(),
        Value::List(l) => format!("[{}]", l.iter().map(json).collect::<Vec<_>>().join(",")),
        Value::Map(m) => {
            let items: Vec<String> = m
                .entries
                .iter()
                .map(|(k, v)| format!("{}:{}", serde_json::to_string(k).unwrap_or_default(), json(v)))
                .collect();
            format!("{{{}}}", items.join(","))
        }
        Value::Object(o) => serde_json::to_string(&o.print()).unwrap_or_default(),
    }
}

/// Alertmanager's function map for notification templates, executable.
pub fn funcs(cx: &Context) -> Funcs<'static> {
    let mut f = Funcs::new();
    add_strings(&mut f);
    f.add("title", &[Param::Str], None, |a| Ok(Value::from(title(str_arg(&a[0])))));
    f.add("trimSpace", &[Param::Str], None, |a| Ok(Value::from(str_arg(&a[0]).trim())));
    f.add("join", &[Param::Str, Param::Any], None, |a| match &a[1] {
        Value::List(l) => {
            let parts: Vec<String> = l.iter().map(Value::print).collect();
            Ok(Value::from(parts.join(str_arg(&a[0]))))
        }
        v => Err(format!("wrong type for value; expected []string; got {}", v.type_name())),
    });
    f.add("safeUrl", &[Param::Str], None, |a| Ok(Typed::value(ContentType::Url, a[0].as_str().unwrap_or(""))));
    f.add("urlUnescape", &[Param::Str], None, |a| query_unescape(str_arg(&a[0])).map(Value::from));
    f.add("stringSlice", &[], Some(Param::Str), |a| Ok(Value::from(a.to_vec())));
    f.add("date", &[Param::Str, Param::Any], None, |a| Ok(Value::from(time_of(&a[1])?.format(str_arg(&a[0])))));
    f.add("tz", &[Param::Str, Param::Any], None, |a| {
        let t = time_of(&a[1])?;
        match str_arg(&a[0]) {
            "UTC" | "" => Ok(Time { offset: 0, zone: "UTC".into(), ..t }.value()),
            name => Err(format!("unknown time zone {name}: monstack knows UTC only")),
        }
    });
    let now = cx.now;
    f.add("since", &[Param::Any], None, move |a| {
        let t = time_of(&a[0])?;
        let then = t.secs as f64 + f64::from(t.nanos) / 1e9;
        Ok(Duration(((now - then) * 1e9) as i64).value())
    });
    f.add("humanizeDuration", &[Param::Any], None, |a| {
        let secs = match &a[0] {
            Value::Float(f) => *f,
            Value::Int(i) => *i as f64,
            Value::Object(o) if o.type_name() == "time.Duration" => match o.call("Seconds", &[]) {
                Some(Ok(Value::Float(f))) => f,
                _ => 0.0,
            },
            v => return Err(format!("can't convert {} to float", v.type_name())),
        };
        Ok(Value::from(humanize_duration(secs)))
    });
    f.add("toJson", &[Param::Any], None, |a| Ok(Value::from(json(&a[0]))));
    f.add("list", &[], Some(Param::Any), |a| Ok(Value::from(a.to_vec())));
    f.add("append", &[Param::Any], Some(Param::Any), |a| match &a[0] {
        Value::List(l) => {
            let mut items = l.as_ref().clone();
            items.extend_from_slice(&a[1..]);
            Ok(Value::from(items))
        }
        v => Err(format!("cannot append to {}", v.type_name())),
    });
    f.add("dict", &[], Some(Param::Any), |a| {
        if a.len() % 2 != 0 {
            return Err("dict requires an even number of arguments".into());
        }
        let mut m = BTreeMap::new();
        for pair in a.chunks(2) {
            let Value::Str(k) = &pair[0] else { return Err("dict keys must be strings".into()) };
            m.insert(k.to_string(), pair[1].clone());
        }
        Ok(Value::map(m))
    });
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gotemplate::{execute, funcs::ALERTMANAGER, MissingKey};

    #[test]
    fn notification_functions_behave_as_alertmanager_s() {
        let f = funcs(&Context { now: 1_700_000_090.0 });
        let mut data = BTreeMap::new();
        data.insert("StartsAt".to_owned(), Time::from_unix_f64(1_700_000_000.0).value());
        data.insert("CommonLabels".to_owned(), Value::labels([("alertname", "Down"), ("job", "api")]));
        let data = Value::map(data);
        let run = |t: &str| execute("t", t, &data, &[ALERTMANAGER], &f, MissingKey::Zero);
        assert_eq!(
            run("{{ .CommonLabels.alertname | toUpper }} {{ title \"hELLO wORLD\" }}").unwrap(),
            "DOWN Hello World"
        );
        assert_eq!(run("{{ stringSlice \"a\" \"b\" | join \", \" }}").unwrap(), "a, b");
        assert_eq!(run("{{ .StartsAt | date \"2006-01-02 15:04\" }}").unwrap(), "2023-11-14 22:13");
        assert_eq!(run("{{ since .StartsAt }} {{ since .StartsAt | humanizeDuration }}").unwrap(), "1m30s 1m 30s");
        assert_eq!(run("{{ \"a%20b+c\" | urlUnescape }} {{ trimSpace \"  x \" }}").unwrap(), "a b c x");
        assert_eq!(run("{{ dict \"a\" 1 | toJson }} {{ .CommonLabels.missing }}|").unwrap(), "{\"a\":1} |");
        assert_eq!(run("{{ reReplaceAll \"^(.)\" \"<$1>\" \"xy\" }}").unwrap(), "<x>y");
        assert!(run("{{ urlUnescape \"%zz\" }}")
            .unwrap_err()
            .contains("error calling urlUnescape: invalid URL escape"));
    }
}

#[cfg(test)]
mod default_tmpl {
    use std::collections::BTreeMap;
    use std::rc::Rc;

    use super::model::{Alerts, Kv};
    use super::*;
    use crate::gotemplate::{funcs as names, parse, MissingKey, Options, Set, Struct};

    const DEFAULT_TMPL: &str = include_str!("../../../tests/upstream/alertmanager-config/default.tmpl");

    fn kv(pairs: &[(&str, &str)]) -> Value {
        Kv::value(pairs.iter().copied())
    }

    #[test]
    fn upstream_default_templates_parse_and_render() {
        let opts = Options { funcs: &[names::BUILTINS, names::ALERTMANAGER], ..Options::default() };
        let parsed = parse("default.tmpl", DEFAULT_TMPL, &opts).expect("Alertmanager's default.tmpl parses");
        assert!(parsed.trees.len() > 50, "{} templates", parsed.trees.len());
        let mut set = Set::new();
        set.add("default.tmpl", DEFAULT_TMPL, parsed);
        let labels = [("alertname", "Down"), ("job", "api"), ("instance", "x")];
        let alert = Struct::value(
            "template.Alert",
            vec![
                ("Status", Value::from("firing")),
                ("Labels", kv(&labels)),
                ("Annotations", kv(&[("summary", "api is down")])),
                ("GeneratorURL", Value::from("http://prom/graph")),
            ],
        );
        let mut data = BTreeMap::new();
        data.insert("Status".to_owned(), Value::from("firing"));
        data.insert("Receiver".to_owned(), Value::from("team chat"));
        data.insert("ExternalURL".to_owned(), Value::from("http://am:9093"));
        let alerts = Value::Object(Rc::new(Alerts(vec![alert], vec![true])));
        data.insert("Alerts".to_owned(), alerts.clone());
        data.insert("GroupLabels".to_owned(), kv(&[("alertname", "Down")]));
        data.insert("CommonLabels".to_owned(), kv(&labels));
        data.insert("CommonAnnotations".to_owned(), kv(&[("summary", "api is down")]));
        let data = Value::map(data);
        let f = funcs(&Context { now: 0.0 });
        let run = |name: &str| set.execute(name, &data, &f, MissingKey::Zero).unwrap();
        // What Go's text/template makes of these definitions for this data, step by step: the
        // group's values, then the common labels the group does not have, sorted by name.
        assert_eq!(run("slack.default.title"), "[FIRING:1] Down (x api)");
        assert_eq!(run("slack.default.titlelink"), "http://am:9093/#/alerts?receiver=team+chat");
        assert_eq!(run("slack.default.color"), "danger");
        // As `{{ template "__text_alert_list" .Alerts.Firing }}` calls it.
        let list = set.execute("__text_alert_list", &alerts, &f, MissingKey::Zero).unwrap();
        assert_eq!(
            list.trim_end(),
            "Labels:\n - alertname = Down\n - instance = x\n - job = api\nAnnotations:\n - summary = api is down\nSource: http://prom/graph"
        );
    }
}
