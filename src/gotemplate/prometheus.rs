//! Prometheus' template functions as an executable table, and alert label/annotation expansion
//! as Prometheus does it (`template/template.go` and `rules/alerting.go` in
//! prometheus/prometheus v3.5.0). Queries go through a callback, so this module needs no engine.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::html::{ContentType, Typed};
use super::humanize::g4;
pub use super::humanize::{go_title, humanize, humanize1024, humanize_duration};
use super::time::{Duration, Time};
use super::value::{format_g, Object, Struct, Value};
use super::{funcs, Funcs, MissingKey, Param, Set};

/// One sample of a `query` result.
#[derive(Debug, Clone, PartialEq)]
pub struct QuerySample {
    /// Its labels, `__name__` included.
    pub labels: BTreeMap<String, String>,
    /// Its value.
    pub value: f64,
}

/// Runs a PromQL query at the evaluation time: its instant vector, or the error text.
pub type QueryFn<'q> = dyn Fn(&str) -> Result<Vec<QuerySample>, String> + 'q;

/// What the functions need from the evaluation.
pub struct Context<'q> {
    /// `--web.external-url` (what `externalURL` and `pathPrefix` read).
    pub external_url: String,
    /// The evaluation time in seconds since the epoch (`now`).
    pub now: f64,
    /// Where `query` goes; without one, `query` fails with Prometheus' message.
    pub query: Option<&'q QueryFn<'q>>,
}

#[derive(Debug)]
struct Sample(QuerySample);

impl Object for Sample {
    fn type_name(&self) -> &str {
        "*template.sample"
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if !args.is_empty() {
            return None;
        }
        match name {
            "Labels" => Some(Ok(Value::labels(self.0.labels.iter().map(|(k, v)| (k.as_str(), v.as_str()))))),
            "Value" => Some(Ok(Value::Float(self.0.value))),
            _ => None,
        }
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn print(&self) -> String {
        let labels: Vec<String> = self.0.labels.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        format!("{{map[{}] {}}}", labels.join(" "), format_g(self.0.value, None))
    }
}

fn sample_of(v: &Value) -> Result<&QuerySample, String> {
    if let Value::Object(o) = v {
        if let Some(s) = o.as_any().and_then(|a| a.downcast_ref::<Sample>()) {
            return Ok(&s.0);
        }
    }
    Err(format!("wrong type for value; expected *template.sample; got {}", v.type_name()))
}

/// Prometheus' `convertToFloat`.
fn to_float(v: &Value) -> Result<f64, String> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(*i as f64),
        Value::Str(s) => match s.to_ascii_lowercase().trim_start_matches('+') {
            "inf" | "infinity" => Ok(f64::INFINITY),
            "-inf" | "-infinity" => Ok(f64::NEG_INFINITY),
            "nan" => Ok(f64::NAN),
            _ => super::number::parse_float(s)
                .ok_or_else(|| format!("strconv.ParseFloat: parsing {s:?}: invalid syntax")),
        },
        Value::Object(o) if o.type_name() == "time.Duration" => match o.call("Seconds", &[]) {
            Some(Ok(Value::Float(f))) => Ok(f),
            _ => Err("can't convert time.Duration to float".into()),
        },
        v => Err(format!("can't convert {} to float", v.type_name())),
    }
}

pub(crate) fn regex(pattern: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(pattern).map_err(|e| format!("error parsing regexp: {e}"))
}

fn str_arg(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// Prometheus' `floatToTime`: seconds to a time, through nanoseconds (which must fit an int64)
/// and `model.Time`'s milliseconds.
fn float_to_time(v: f64) -> Result<Time, String> {
    let ns = v * 1e9;
    if ns > i64::MAX as f64 || ns < i64::MIN as f64 {
        return Err(format!(
            "{} cannot be represented as a nanoseconds timestamp since it overflows int64",
            format_g(v, None)
        ));
    }
    let ms = (ns as i64) / 1_000_000;
    Ok(Time::from_unix_nanos(i128::from(ms) * 1_000_000))
}

/// `net.SplitHostPort`, loosely: host and port of `host:port` or `[v6]:port`.
fn split_host_port(s: &str) -> Option<(&str, &str)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, port) = rest.split_once("]:")?;
        return (!port.contains(':')).then_some((host, port));
    }
    let (host, port) = s.rsplit_once(':')?;
    (!host.contains(':')).then_some((host, port))
}

/// The string functions both maps share.
pub(crate) fn add_strings(f: &mut Funcs<'_>) {
    f.add("toUpper", &[Param::Str], None, |a| Ok(Value::from(str_arg(&a[0]).to_uppercase())));
    f.add("toLower", &[Param::Str], None, |a| Ok(Value::from(str_arg(&a[0]).to_lowercase())));
    f.add("match", &[Param::Str, Param::Str], None, |a| {
        Ok(Value::Bool(regex(str_arg(&a[0]))?.is_match(str_arg(&a[1]))))
    });
    f.add("reReplaceAll", &[Param::Str, Param::Str, Param::Str], None, |a| {
        let re = regex(str_arg(&a[0])).map_err(|e| format!("regexp: Compile({:?}): {e}", str_arg(&a[0])))?;
        Ok(Value::from(re.replace_all(str_arg(&a[2]), str_arg(&a[1])).into_owned()))
    });
    f.add("safeHtml", &[Param::Str], None, |a| Ok(Typed::value(ContentType::Html, a[0].as_str().unwrap_or(""))));
}

/// Prometheus' function map for alert templates, executable; `query` runs through `cx.query`.
pub fn funcs<'q>(cx: &Context<'q>) -> Funcs<'q> {
    let mut f = Funcs::new();
    add_strings(&mut f);
    let query = cx.query;
    f.add("query", &[Param::Str], None, move |a| {
        let q = str_arg(&a[0]);
        let Some(run) = query else { return Err(format!("cannot execute query {q:?}: no query engine")) };
        let samples = run(q)?;
        Ok(Value::from(samples.into_iter().map(|s| Value::Object(Rc::new(Sample(s)))).collect::<Vec<_>>()))
    });
    f.add("first", &[Param::Any], None, |a| match &a[0] {
        Value::List(l) if !l.is_empty() => Ok(l[0].clone()),
        Value::List(_) => Err("first() called on vector with no elements".into()),
        v => Err(format!("wrong type for value; expected template.queryResult; got {}", v.type_name())),
    });
    f.add("label", &[Param::Str, Param::Any], None, |a| {
        let s = sample_of(&a[1])?;
        Ok(Value::from(s.labels.get(str_arg(&a[0])).map_or("", String::as_str)))
    });
    f.add("value", &[Param::Any], None, |a| Ok(Value::Float(sample_of(&a[0])?.value)));
    f.add("strvalue", &[Param::Any], None, |a| {
        Ok(Value::from(sample_of(&a[0])?.labels.get("__value__").map_or("", String::as_str)))
    });
    f.add("args", &[], Some(Param::Any), |a| {
        Ok(Value::map(a.iter().enumerate().map(|(i, v)| (format!("arg{i}"), v.clone())).collect()))
    });
    f.add("title", &[Param::Str], None, |a| Ok(Value::from(go_title(str_arg(&a[0])))));
    f.add("graphLink", &[Param::Str], None, |a| Ok(Value::from(link(str_arg(&a[0]), 0))));
    f.add("tableLink", &[Param::Str], None, |a| Ok(Value::from(link(str_arg(&a[0]), 1))));
    f.add("sortByLabel", &[Param::Str, Param::Any], None, |a| {
        let Value::List(l) = &a[1] else { return Err("sortByLabel of a non-vector".into()) };
        let mut items: Vec<Value> = l.as_ref().clone();
        let key = |v: &Value| sample_of(v).map(|s| s.labels.get(str_arg(&a[0])).cloned().unwrap_or_default());
        let mut keyed = Vec::with_capacity(items.len());
        for v in items.drain(..) {
            keyed.push((key(&v)?, v));
        }
        keyed.sort_by(|x, y| x.0.cmp(&y.0));
        Ok(Value::from(keyed.into_iter().map(|(_, v)| v).collect::<Vec<_>>()))
    });
    f.add("humanize", &[Param::Any], None, |a| Ok(Value::from(humanize(to_float(&a[0])?))));
    f.add("humanize1024", &[Param::Any], None, |a| Ok(Value::from(humanize1024(to_float(&a[0])?))));
    f.add("humanizeDuration", &[Param::Any], None, |a| Ok(Value::from(humanize_duration(to_float(&a[0])?))));
    f.add("humanizePercentage", &[Param::Any], None, |a| Ok(Value::from(format!("{}%", g4(to_float(&a[0])? * 100.0)))));
    f.add("humanizeTimestamp", &[Param::Any], None, |a| {
        let v = to_float(&a[0])?;
        if v.is_nan() || v.is_infinite() {
            return Ok(Value::from(g4(v)));
        }
        Ok(Value::from(float_to_time(v)?.print()))
    });
    f.add("toTime", &[Param::Any], None, |a| {
        let v = to_float(&a[0])?;
        if v.is_nan() || v.is_infinite() {
            return Err("value is NaN or Inf".into());
        }
        Ok(float_to_time(v)?.value())
    });
    f.add("toDuration", &[Param::Any], None, |a| Ok(Duration((to_float(&a[0])? * 1e9) as i64).value()));
    let url = cx.external_url.clone();
    let path = url_path(&url).to_owned();
    f.add("pathPrefix", &[], None, move |_| Ok(Value::from(path.as_str())));
    f.add("externalURL", &[], None, move |_| Ok(Value::from(url.as_str())));
    f.add("parseDuration", &[Param::Str], None, |a| {
        parse_duration(str_arg(&a[0]))
            .map(Value::Float)
            .ok_or_else(|| format!("not a valid duration string: {:?}", str_arg(&a[0])))
    });
    let now = cx.now;
    f.add("now", &[], None, move |_| Ok(Value::Float(now)));
    f.add("stripPort", &[Param::Str], None, |a| {
        let s = str_arg(&a[0]);
        Ok(Value::from(split_host_port(s).map_or(s, |(h, _)| h)))
    });
    f.add("stripDomain", &[Param::Str], None, |a| {
        let s = str_arg(&a[0]);
        let (host, port) = split_host_port(s).unwrap_or((s, ""));
        if host.parse::<std::net::IpAddr>().is_ok() {
            return Ok(Value::from(s));
        }
        let short = host.split('.').next().unwrap_or(host);
        Ok(Value::from(if port.is_empty() { short.to_owned() } else { format!("{short}:{port}") }))
    });
    f.add("urlQueryEscape", &[Param::Str], None, |a| Ok(Value::from(super::query_escape(str_arg(&a[0])))));
    f
}

/// The path of a URL (`http://h:9090/prom/` → `/prom/`).
fn url_path(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, r)| r);
    after_scheme.find('/').map_or("", |i| &after_scheme[i..])
}

/// `strutil.GraphLinkForExpression` / `TableLinkForExpression`.
fn link(expr: &str, tab: u8) -> String {
    let escaped = super::query_escape(expr);
    format!("/graph?g0.expr={escaped}&g0.tab={tab}")
}

/// `model.ParseDuration` in seconds: `1h30m`, `5m`, `1d`, `2w`, `1y`, `100ms`.
fn parse_duration(s: &str) -> Option<f64> {
    if s == "0" {
        return Some(0.0);
    }
    let mut rest = s;
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let n = rest.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let num: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let units = [
            ("ms", 0.001),
            ("s", 1.0),
            ("m", 60.0),
            ("h", 3600.0),
            ("d", 86_400.0),
            ("w", 604_800.0),
            ("y", 31_536_000.0),
        ];
        let (unit, scale) = units.iter().find(|(u, _)| rest.starts_with(u))?;
        rest = &rest[unit.len()..];
        total += num * scale;
    }
    Some(total)
}

/// What a rule's labels and annotations are expanded with.
pub struct AlertData<'d> {
    /// The alert's labels (the series' labels and the rule's).
    pub labels: &'d BTreeMap<String, String>,
    /// The configured external labels.
    pub external_labels: &'d BTreeMap<String, String>,
    /// The external URL.
    pub external_url: &'d str,
    /// The sample's value.
    pub value: f64,
}

/// Prometheus' `Expander.Expand` of `text` as template `name` on `data`, with `missingkey=zero`
/// (its default): the output, or `error parsing template NAME: …` / `error executing template
/// NAME: …`.
pub fn expand_text(name: &str, text: &str, data: &Value, funcs: &Funcs<'_>) -> Result<String, String> {
    let opts = super::Options { funcs: &[funcs::BUILTINS, funcs::PROMETHEUS], ..super::Options::default() };
    let parsed = super::parse(name, text, &opts).map_err(|e| format!("error parsing template {name}: {e}"))?;
    let mut set = Set::new();
    set.add(name, text, parsed);
    set.execute(name, data, funcs, MissingKey::Zero).map_err(|e| format!("error executing template {name}: {e}"))
}

/// The header Prometheus puts before each label and annotation template (`rules/alerting.go`).
pub const HEADER: &str =
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";

/// Expands one label or annotation of alert `alert` as Prometheus does: the header, then the
/// text, parsed as `__alert_NAME` with `missingkey=zero`; on failure the error as Prometheus
/// writes it into the annotation (`<error expanding template: …>`).
pub fn expand(alert: &str, text: &str, data: &AlertData<'_>, funcs: &Funcs<'_>) -> String {
    expand_checked(alert, text, data, funcs).unwrap_or_else(|e| format!("<error expanding template: {e}>"))
}

/// [`expand`], the error apart (`error parsing template …` / `error executing template …`).
pub fn expand_checked(alert: &str, text: &str, data: &AlertData<'_>, funcs: &Funcs<'_>) -> Result<String, String> {
    let name = format!("__alert_{alert}");
    let full = format!("{HEADER}{text}");
    let labels = |m: &BTreeMap<String, String>| Value::labels(m.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    // `template.AlertTemplateData`: a struct, so an unknown field is an error, not a missing key.
    let root = Struct::value(
        "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }",
        vec![
            ("Labels", labels(data.labels)),
            ("ExternalLabels", labels(data.external_labels)),
            ("ExternalURL", Value::from(data.external_url)),
            ("Value", Value::Float(data.value)),
        ],
    );
    expand_text(&name, &full, &root, funcs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_expand_as_prometheus() {
        let labels: BTreeMap<String, String> =
            [("instance".into(), "db1:9100".into()), ("job".into(), "node".into())].into();
        let none = BTreeMap::new();
        let data =
            AlertData { labels: &labels, external_labels: &none, external_url: "http://prom:9090/p", value: 1234567.0 };
        let q = |_: &str| Ok(vec![QuerySample { labels: [("x".to_owned(), "y".to_owned())].into(), value: 0.5 }]);
        let f = funcs(&Context { external_url: "http://prom:9090/p".into(), now: 0.0, query: Some(&q) });
        let exp = |t: &str| expand("A", t, &data, &f);
        assert_eq!(exp("{{ $labels.instance | stripPort }} at {{ $value | humanize }}"), "db1 at 1.235M");
        assert_eq!(exp("{{ $value }}"), "1.234567e+06");
        assert_eq!(exp("[{{ $labels.missing }}]"), "[]");
        assert_eq!(exp(r#"{{ $s := "" }}{{ if gt $value 1.0 }}{{ $s = "s" }}{{ end }}target{{ $s }}"#), "targets");
        assert_eq!(exp(r#"{{ with query "up" }}{{ . | first | value | humanizePercentage }}{{ end }}"#), "50%");
        assert_eq!(exp(r#"{{ range query "up" }}{{ .Labels.x }}={{ .Value }}{{ end }}"#), "y=0.5");
        assert_eq!(exp("{{ pathPrefix }} {{ externalURL }}"), "/p http://prom:9090/p");
        assert_eq!(exp("{{ reReplaceAll \"(.*):.*\" \"$1\" $labels.instance }}"), "db1");
        assert_eq!(
            exp("{{ if eq $value 0 }}x{{ end }}"),
            "<error expanding template: error executing template __alert_A: template: __alert_A:1:118: executing \"__alert_A\" at <eq $value 0>: error calling eq: incompatible types for comparison>"
        );
        assert!(exp("{{ nosuch }}").starts_with("<error expanding template: error parsing template __alert_A: template: __alert_A:1: function \"nosuch\" not defined"));
        assert_eq!(exp("{{ 1700000000 | humanizeTimestamp }}"), "2023-11-14 22:13:20 +0000 UTC");
        assert_eq!(exp("{{ \"1h30m\" | parseDuration }}"), "5400");
        assert_eq!(exp("{{ toDuration 90 }}"), "1m30s");
        assert!(exp("{{ .Nope }}").contains("can't evaluate field Nope in type struct {"));
    }
}
