//! Rows of Prometheus' own template tests (`TestTemplateExpansion` in `template/template_test.go`,
//! prometheus/prometheus, v3 line): text mode, inputs that have a template value here (no
//! `uint64`, no HTML mode), each output or error text agreeing exactly.

use std::collections::BTreeMap;

use super::prometheus::{expand_text, funcs, Context, QuerySample};
use super::tests::say;
use super::Value;

fn floats(v: &[f64]) -> Value {
    Value::from(v.iter().map(|&f| Value::Float(f)).collect::<Vec<_>>())
}

fn ints(v: &[i64]) -> Value {
    Value::from(v.iter().map(|&i| Value::Int(i)).collect::<Vec<_>>())
}

fn strs(v: &[&str]) -> Value {
    Value::from(v.iter().map(|&s| Value::from(s)).collect::<Vec<_>>())
}

fn sample(pairs: &[(&str, &str)], value: f64) -> QuerySample {
    QuerySample { labels: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(), value }
}

#[test]
fn prometheus_template_tests_agree() {
    let metric_a = || vec![sample(&[("__name__", "metric"), ("instance", "a")], 11.0)];
    type Row = (&'static str, Value, Vec<QuerySample>, Result<&'static str, &'static str>);
    let rows: Vec<Row> = vec![
        ("plain text", Value::Nil, vec![], Ok("plain text")),
        ("{{ 1 }}", Value::Nil, vec![], Ok("1")),
        ("{{\u{a0}}}", Value::Nil, vec![], Err("error parsing template test: template: test:1: unrecognized character in action: U+00A0")),
        ("{{ \"<b>\" }}", Value::Nil, vec![], Ok("<b>")),
        ("{{define \"x\"}}{{.arg0}} {{.arg1}}{{end}}{{template \"x\" (args 1 \"2\")}}", Value::Nil, vec![], Ok("1 2")),
        ("{{ query \"1.5\" | first | value }}", Value::Nil, vec![sample(&[], 1.5)], Ok("1.5")),
        ("{{ query \"metric{instance='a'}\" | first | value }}", Value::Nil, metric_a(), Ok("11")),
        ("{{ query \"metric{instance='a'}\" | first | label \"instance\" }}", Value::Nil, metric_a(), Ok("a")),
        ("{{ query \"metric{__value__='a'}\" | first | strvalue }}", Value::Nil, vec![sample(&[("__name__", "metric"), ("__value__", "a")], 11.0)], Ok("a")),
        ("{{ query \"metric{instance='a'}\" | first | label \"foo\" }}", Value::Nil, metric_a(), Ok("")),
        ("{{ $x := query \"metric\" | first }}{{ $x.Labels.foo }}", Value::Nil, metric_a(), Ok("")),
        (
            "{{ range query \"metric\" | sortByLabel \"instance\" }}{{.Labels.instance}}:{{.Value}}: {{end}}",
            Value::Nil,
            vec![sample(&[("__name__", "metric"), ("instance", "b")], 21.0), sample(&[("__name__", "metric"), ("instance", "a")], 11.0)],
            Ok("a:11: b:21: "),
        ),
        ("{{ \"foo.example.com\" | stripPort }}", Value::Nil, vec![], Ok("foo.example.com")),
        ("{{ \"foo.example.com:12345\" | stripPort }}", Value::Nil, vec![], Ok("foo.example.com")),
        ("{{ \"192.0.2.1\" | stripPort }}", Value::Nil, vec![], Ok("192.0.2.1")),
        ("{{ \"192.0.2.1:12345\" | stripPort }}", Value::Nil, vec![], Ok("192.0.2.1")),
        ("{{ \"2001:0DB8::1\" | stripPort }}", Value::Nil, vec![], Ok("2001:0DB8::1")),
        ("{{ \"[2001:0DB8::1]:12345\" | stripPort }}", Value::Nil, vec![], Ok("2001:0DB8::1")),
        ("{{ \"[2001:0DB8::1]::12345\" | stripPort }}", Value::Nil, vec![], Ok("[2001:0DB8::1]::12345")),
        ("{{ .Foo }}", Value::Missing, vec![], Ok("<no value>")),
        ("{{", Value::Nil, vec![], Err("error parsing template test: template: test:1: unclosed action")),
        (
            "{{ query \"missing\" | first }}",
            Value::Nil,
            vec![],
            Err("error executing template test: template: test:1:21: executing \"test\" at <first>: error calling first: first() called on vector with no elements"),
        ),
        ("{{ reReplaceAll \"(a)b\" \"x$1\" \"ab\" }}", Value::Nil, vec![], Ok("xa")),
        ("{{ range . }}{{ humanize . }}:{{ end }}", floats(&[0.0, 1.0, 1234567.0, 0.12]), vec![], Ok("0:1:1.235M:120m:")),
        ("{{ range . }}{{ humanize . }}:{{ end }}", strs(&["0.0", "1.0", "1234567.0", ".12"]), vec![], Ok("0:1:1.235M:120m:")),
        (
            "{{ humanize \"one\" }}",
            Value::Nil,
            vec![],
            Err("error executing template test: template: test:1:3: executing \"test\" at <humanize \"one\">: error calling humanize: strconv.ParseFloat: parsing \"one\": invalid syntax"),
        ),
        ("{{ range . }}{{ humanize . }}:{{ end }}", ints(&[0, -1, 1, 1234567, i64::MAX]), vec![], Ok("0:-1:1:1.235M:9.223E:")),
        ("{{ range . }}{{ humanize1024 . }}:{{ end }}", floats(&[0.0, 1.0, 1048576.0, 0.12]), vec![], Ok("0:1:1Mi:0.12:")),
        ("{{ range . }}{{ humanize1024 . }}:{{ end }}", strs(&["0.0", "1.0", "1048576.0", ".12"]), vec![], Ok("0:1:1Mi:0.12:")),
        ("{{ range . }}{{ humanize1024 . }}:{{ end }}", ints(&[0, -1, 1, 1234567, i64::MAX]), vec![], Ok("0:-1:1:1.177Mi:8Ei:")),
        (
            "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
            floats(&[0.0, 1.0, 60.0, 3600.0, 86400.0, 86400.0 + 3600.0, -(86400.0 * 2.0 + 3600.0 * 3.0 + 60.0 * 4.0 + 5.0), 899.99]),
            vec![],
            Ok("0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:"),
        ),
        ("{{ range . }}{{ humanizeDuration . }}:{{ end }}", strs(&["0", "1", "60", "3600", "86400"]), vec![], Ok("0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:")),
        (
            "{{ range . }}{{ humanizeDuration . }}:{{ end }}",
            floats(&[0.1, 0.0001, 0.12345, 60.1, 60.5, 1.2345, 12.345]),
            vec![],
            Ok("100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:"),
        ),
        ("{{ range . }}{{ humanizeDuration . }}:{{ end }}", ints(&[0, -1, 1, 1234567]), vec![], Ok("0s:-1s:1s:14d 6h 56m 7s:")),
        (
            "{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}",
            floats(&[f64::INFINITY, f64::NEG_INFINITY, f64::NAN]),
            vec![],
            Ok("+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:"),
        ),
        (
            "{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}",
            strs(&["+Inf", "-Inf", "NaN"]),
            vec![],
            Ok("+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:"),
        ),
        (
            "{{ -0.22222 | humanizePercentage }}:{{ 0.0 | humanizePercentage }}:{{ 0.1234567 | humanizePercentage }}:{{ 1.23456 | humanizePercentage }}",
            Value::Nil,
            vec![],
            Ok("-22.22%:0%:12.35%:123.5%"),
        ),
        ("{{ range . }}{{ humanizePercentage . }}:{{ end }}", ints(&[0, -1, 1, 1234567, i64::MAX]), vec![], Ok("0%:-100%:100%:1.235e+08%:9.223e+20%:")),
        (
            "{{ \"one\" | humanizePercentage }}",
            Value::Nil,
            vec![],
            Err("error executing template test: template: test:1:11: executing \"test\" at <humanizePercentage>: error calling humanizePercentage: strconv.ParseFloat: parsing \"one\": invalid syntax"),
        ),
        (
            "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}",
            ints(&[0, -1, 1, 1234567, 9223372036]),
            vec![],
            Ok("1970-01-01 00:00:00 +0000 UTC:1969-12-31 23:59:59 +0000 UTC:1970-01-01 00:00:01 +0000 UTC:1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:"),
        ),
        (
            "{{ range . }}{{ humanizeTimestamp . }}:{{ end }}",
            ints(&[i64::MIN, i64::MAX]),
            vec![],
            Err("error executing template test: template: test:1:16: executing \"test\" at <humanizeTimestamp .>: error calling humanizeTimestamp: -9.223372036854776e+18 cannot be represented as a nanoseconds timestamp since it overflows int64"),
        ),
        ("{{ 1435065584.128 | humanizeTimestamp }}", Value::Nil, vec![], Ok("2015-06-23 13:19:44.128 +0000 UTC")),
        ("{{ \"1435065584.128\" | humanizeTimestamp }}", Value::Nil, vec![], Ok("2015-06-23 13:19:44.128 +0000 UTC")),
        ("{{ (1435065584.128 | toTime).Format \"2006\" }}", Value::Nil, vec![], Ok("2015")),
        ("{{ (\"1435065584.128\" | toTime).Format \"2006\" }}", Value::Nil, vec![], Ok("2015")),
        ("{{ \"aa bb CC\" | title }}", Value::Nil, vec![], Ok("Aa Bb CC")),
        ("{{ \"aa bb CC\" | toUpper }}", Value::Nil, vec![], Ok("AA BB CC")),
        ("{{ \"aA bB CC\" | toLower }}", Value::Nil, vec![], Ok("aa bb cc")),
        ("{{ match \"a+\" \"aa\" }} {{ match \"a+\" \"b\" }}", Value::Nil, vec![], Ok("true false")),
        ("{{ graphLink \"up\" }}", Value::Nil, vec![], Ok("/graph?g0.expr=up&g0.tab=0")),
        ("{{ tableLink \"up\" }}", Value::Nil, vec![], Ok("/graph?g0.expr=up&g0.tab=1")),
        ("{{ pathPrefix }}", Value::Nil, vec![], Ok("/path/prefix")),
        ("{{ externalURL }}", Value::Nil, vec![], Ok("http://testhost:9090/path/prefix")),
        ("{{ printf \"%0.2f\" (parseDuration \"1h2m10ms\") }}", Value::Nil, vec![], Ok("3720.01")),
        ("{{ \"foo.example.com\" | stripDomain }}", Value::Nil, vec![], Ok("foo")),
        ("{{ \"foo.example.com:12345\" | stripDomain }}", Value::Nil, vec![], Ok("foo:12345")),
        ("{{ \"192.0.2.1\" | stripDomain }}", Value::Nil, vec![], Ok("192.0.2.1")),
        ("{{ \"192.0.2.1:12345\" | stripDomain }}", Value::Nil, vec![], Ok("192.0.2.1:12345")),
        ("{{ \"2001:0DB8::1\" | stripDomain }}", Value::Nil, vec![], Ok("2001:0DB8::1")),
        ("{{ \"[2001:0DB8::1]:12345\" | stripDomain }}", Value::Nil, vec![], Ok("[2001:0DB8::1]:12345")),
        ("{{ \"[2001:0DB8::1]::12345\" | stripDomain }}", Value::Nil, vec![], Ok("[2001:0DB8::1]::12345")),
    ];
    let mut disagree = Vec::new();
    for (text, input, result, want) in &rows {
        let q = |_: &str| Ok(result.clone());
        let f = funcs(&Context { external_url: "http://testhost:9090/path/prefix".into(), now: 0.0, query: Some(&q) });
        let got = expand_text("test", text, input, &f);
        if got.as_deref().map_err(String::as_str) != *want {
            disagree.push(format!("{text}: want {want:?}, got {got:?}"));
        }
    }
    say(&format!("prometheus template expansion: {}/{} rows agree", rows.len() - disagree.len(), rows.len()));
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}
