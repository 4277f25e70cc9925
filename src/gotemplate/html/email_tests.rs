//! The bundled Alertmanager e-mail template (`email.default.html`) run as Alertmanager's
//! `ExecuteHTMLString` runs it, on data full of HTML and URL specials.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::gotemplate::alertmanager::model::{Alerts, Kv};
use crate::gotemplate::alertmanager::{funcs, Context};
use crate::gotemplate::exec::{MissingKey, Set};
use crate::gotemplate::time::Time;
use crate::gotemplate::value::{Struct, Value};
use crate::gotemplate::{funcs as names, parse, Options};

const DEFAULT_TMPL: &str = include_str!("../../../assets/alertmanager/default.tmpl");
const EMAIL_TMPL: &str = include_str!("../../../assets/alertmanager/email.tmpl");

const GENERATOR_URL: &str = "http://prom:9090/graph?g0.expr=up%3D%3D0&g0.tab=1&x=\"q\"<'>";

fn data() -> Value {
    let labels = Kv::value([("alertname", "Disk <full> & \"x\""), ("team", "O'Reilly")]);
    let annotations = Kv::value([("summary", "1 < 2 && 'a' \"b\"")]);
    let alert = Struct::value(
        "template.Alert",
        vec![
            ("Status", "firing".into()),
            ("Labels", labels.clone()),
            ("Annotations", annotations.clone()),
            ("StartsAt", Time::from_unix_f64(1_700_000_000.0).value()),
            ("EndsAt", Time::from_unix_f64(0.0).value()),
            ("GeneratorURL", GENERATOR_URL.into()),
            ("Fingerprint", "0123456789abcdef".into()),
        ],
    );
    let mut d = BTreeMap::new();
    d.insert("Receiver".to_owned(), Value::from("team <ops> & co"));
    d.insert("Status".to_owned(), Value::from("firing"));
    d.insert("Alerts".to_owned(), Value::Object(Rc::new(Alerts(vec![alert], vec![true]))));
    d.insert("GroupLabels".to_owned(), Kv::value([("alertname", "Disk <full> & \"x\"")]));
    d.insert("CommonLabels".to_owned(), labels);
    d.insert("CommonAnnotations".to_owned(), annotations);
    d.insert("ExternalURL".to_owned(), Value::from("http://am:9093"));
    Value::map(d)
}

/// `email.default.html` rendered as Alertmanager renders an e-mail's `html` field.
fn render(field: &str) -> Result<String, String> {
    let opts = Options { funcs: &[names::BUILTINS, names::ALERTMANAGER], ..Options::default() };
    let mut set = Set::new();
    for (name, text) in [("default.tmpl", DEFAULT_TMPL), ("email.tmpl", EMAIL_TMPL)] {
        set.add(name, text, parse(name, text, &opts).map_err(|e| e.to_string())?);
    }
    set.add("", field, parse("", field, &opts).map_err(|e| e.to_string())?);
    set.execute_html("", &data(), &funcs(&Context { now: 1_700_000_100.0 }), MissingKey::Zero)
}

#[test]
fn email_html_is_escaped_for_its_contexts() {
    let out = render(r#"{{ template "email.default.html" . }}"#).unwrap();
    // The licence comment before the doctype is dropped, as html/template drops comments.
    assert!(!out.contains("<!--") && !out.contains("Mailgun"), "{}", &out[..300.min(out.len())]);
    assert!(out.trim_start().starts_with("<!DOCTYPE html"), "{}", &out[..100]);
    // The subject in <title> is RCDATA: escaped as text, quotes as entities.
    assert!(out.contains("<title>[FIRING:1] Disk &lt;full&gt; &amp; &#34;x&#34; "), "{out}");
    // Text: label values and annotations.
    assert!(out.contains("alertname = Disk &lt;full&gt; &amp; &#34;x&#34;<br"), "{out}");
    assert!(out.contains("team = O&#39;Reilly<br"), "{out}");
    assert!(out.contains("summary = 1 &lt; 2 &amp;&amp; &#39;a&#39; &#34;b&#34;<br"), "{out}");
    // URLs in href: normalized (`"`, `<`, `'`, `>` percent-encoded, `&` kept), then `&` as
    // `&amp;` for the attribute.
    assert!(
        out.contains(
            r#"<a href="http://prom:9090/graph?g0.expr=up%3D%3D0&amp;g0.tab=1&amp;x=%22q%22%3c%27%3e" style="#
        ),
        "{out}"
    );
    // A template called in a URL attribute (`__alertmanagerURL`): the author's `urlquery`
    // stands in for the query escaper (Go's `QueryEscape`: `+` for spaces), and the attribute
    // escaper still runs after it.
    assert!(
        out.contains(r##"<a href="http://am:9093/#/alerts?receiver=team&#43;%3Cops%3E&#43;%26&#43;co" class="##),
        "{out}"
    );
}

#[test]
fn text_template_output_differs_only_by_escaping() {
    // The same field executed as text/template keeps the specials raw (what the preview did).
    let opts = Options { funcs: &[names::BUILTINS, names::ALERTMANAGER], ..Options::default() };
    let field = "<b>{{ .CommonLabels.team }}</b>";
    let mut set = Set::new();
    set.add("", field, parse("", field, &opts).unwrap());
    let f = funcs(&Context { now: 0.0 });
    assert_eq!(set.clone().execute("", &data(), &f, MissingKey::Zero).unwrap(), "<b>O'Reilly</b>");
    assert_eq!(set.execute_html("", &data(), &f, MissingKey::Zero).unwrap(), "<b>O&#39;Reilly</b>");
}

#[test]
fn safe_html_and_safe_url_are_trusted() {
    let out = render(r##"{{ "<i>x</i>" | safeHtml }}<a href="{{ "javascript:x()" | safeUrl }}">{{ "javascript:y()" }}</a><a href="{{ "javascript:z()" }}">"##).unwrap();
    assert_eq!(out, r##"<i>x</i><a href="javascript:x%28%29">javascript:y()</a><a href="#ZgotmplZ">"##);
}

#[test]
fn escaping_errors_are_gos() {
    let err = render(r#"<a href="{{ if .Status }}/x?a={{ else }}/y{{ end }}{{ .Receiver }}">"#).unwrap_err();
    assert_eq!(err, "html/template::1:54: {{.Receiver}} appears in an ambiguous context within a URL");
    // The field template is unnamed, so Go names no template here.
    let err = render("<a b={{ .Receiver }}").unwrap_err();
    assert!(err.starts_with("html/template: ends in a non-text context: {stateAttr delimSpaceOrTagEnd"), "{err}");
}

/// `safeHtml`'s `template.HTML` in text/template: a string to Go's builtins and `fmt`, not to
/// a function taking a `string` (outputs as Go 1.24 gives them).
#[test]
fn typed_content_in_text_template_is_a_named_string() {
    let opts = Options { funcs: &[names::BUILTINS, names::ALERTMANAGER], ..Options::default() };
    let f = funcs(&Context { now: 0.0 });
    for (t, want) in [
        (r#"{{ safeHtml "a" | toUpper }}"#, Err("wrong type for value; expected string; got template.HTML")),
        (r#"{{ eq (safeHtml "a") "a" }}"#, Ok("true")),
        (r#"{{ len (safeHtml "abc") }}"#, Ok("3")),
        (r#"{{ printf "%s|%v|%q" (safeHtml "x") (safeHtml "y") (safeHtml "z") }}"#, Ok(r#"x|y|"z""#)),
        (r#"{{ if safeHtml "" }}yes{{ else }}no{{ end }}"#, Ok("no")),
        (r#"{{ html (safeHtml "<b>") }}"#, Ok("&lt;b&gt;")),
        (r#"{{ print (safeHtml "<b>") 1 }}"#, Ok("<b>1")),
        (r#"{{ safeUrl "javascript:x" }}"#, Ok("javascript:x")),
    ] {
        let mut set = Set::new();
        set.add("t", t, parse("t", t, &opts).unwrap());
        match (set.execute("t", &Value::Nil, &f, MissingKey::Zero), want) {
            (Ok(got), Ok(want)) => assert_eq!(got, want, "{t}"),
            (Err(got), Err(want)) => assert!(got.ends_with(want), "{t}: {got}"),
            (got, want) => panic!("{t}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn values_in_script_are_json() {
    let out = render(
        "<script>var d = {{ .CommonLabels }}, t = {{ (index .Alerts 0).StartsAt }}, n = {{ len .Alerts }};</script>",
    )
    .unwrap();
    assert_eq!(
        out,
        r#"<script>var d = {"alertname":"Disk \u003cfull\u003e \u0026 \"x\"","team":"O'Reilly"}, t = "2023-11-14T22:13:20Z", n =  1 ;</script>"#
    );
}
