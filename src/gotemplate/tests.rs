//! The anchor: Go's own parser test tables, copied with their verdicts into
//! `tests/upstream/gotemplate/`, every row agreeing.

use super::number::{parse_complex, unquote};
use super::*;

const PARSE_TESTS: &str = include_str!("../../tests/upstream/gotemplate/parse_tests.txt");
const NUMBER_TESTS: &str = include_str!("../../tests/upstream/gotemplate/number_tests.txt");

/// A line for the test log even when the test passes (the harness captures `eprintln!`).
pub(super) fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).map(|l| l.split('\t').collect())
}

/// Parses on a thread with room for [`MAX_DEPTH`] levels in a debug build.
fn on_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| std::thread::Builder::new().stack_size(64 << 20).spawn_scoped(s, f).unwrap().join().unwrap())
}

#[test]
fn go_parse_tests_agree() {
    let mut disagree = Vec::new();
    let mut total = 0;
    for row in rows(PARSE_TESTS) {
        let [table, verdict, name, input, rest @ ..] = row.as_slice() else { panic!("bad row {row:?}") };
        let input = unquote(input).unwrap_or_else(|| panic!("bad input in {name}"));
        let funcs: &[&[&str]] = if *table == "parse" { &[&["printf", "contains"]] } else { &[] };
        let opts = Options { funcs, vars: &[], max_depth: 3, skip_func_check: false };
        let got = parse(name, &input, &opts);
        total += 1;
        let ok = match (*verdict, &got, rest.first()) {
            ("ok", Ok(_), _) => true,
            ("error", Err(e), None) => !e.message.is_empty(),
            ("error", Err(e), Some(want)) => e.to_string().contains(&unquote(want).unwrap()),
            _ => false,
        };
        if !ok {
            disagree.push(format!("{table}/{name}: {input:?}: want {verdict} {rest:?}, got {got:?}"));
        }
    }
    say(&format!("go template parse: {}/{total} rows agree", total - disagree.len()));
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}

#[test]
fn go_number_tests_agree() {
    let mut disagree = Vec::new();
    let mut total = 0;
    for row in rows(NUMBER_TESTS) {
        let [text, is_int, is_uint, is_float, is_complex, int, uint, float, re, im] = row.as_slice() else {
            panic!("bad row {row:?}")
        };
        let text = unquote(text).unwrap();
        let kind = if text.starts_with('\'') {
            NumberKind::Char
        } else if parse_complex(&text).is_some() {
            NumberKind::Complex
        } else {
            NumberKind::Plain
        };
        let flag = |s: &str| s == "1";
        let want_ok = flag(is_int) || flag(is_uint) || flag(is_float) || flag(is_complex);
        total += 1;
        let got = parse_number(&text, kind);
        let agrees = match &got {
            Err(_) => !want_ok,
            Ok(n) => {
                want_ok
                    && n.is_int == flag(is_int)
                    && n.is_uint == flag(is_uint)
                    && n.is_float == flag(is_float)
                    && n.is_complex == flag(is_complex)
                    && (!n.is_int || n.int == int.parse::<i64>().unwrap())
                    && (!n.is_uint || n.uint == uint.parse::<u64>().unwrap())
                    && (!n.is_float || n.float == float.parse::<f64>().unwrap())
                    && (!n.is_complex || n.complex == (re.parse().unwrap(), im.parse().unwrap()))
            }
        };
        if !agrees {
            disagree.push(format!("{text}: got {got:?}"));
        }
    }
    say(&format!("go template numbers: {}/{total} rows agree", total - disagree.len()));
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}

fn check(text: &str) -> Result<(), String> {
    let opts =
        Options { funcs: &[funcs::BUILTINS, funcs::PROMETHEUS], vars: &["$labels", "$value"], ..Options::default() };
    parse("t", text, &opts).map(|_| ()).map_err(|e| e.to_string())
}

#[test]
fn real_world_annotations_parse() {
    for text in [
        r#"{{ $s := "" }}{{ if gt $value 1.0 }}{{ $s = "s" }}{{ end }}down{{ $s }}"#,
        "{{ range $i, $x := query \"up\" }}{{ if $i }}, {{ end }}{{ $x.Labels.job }}{{ end }}",
        "{{ with query \"up\" }}{{ . | first | value | humanize }}{{ else }}none{{ end }}",
        "{{- /* comment */ -}} {{ $labels.instance }}",
        "{{ range query \"up\" }}{{ if eq .Value 0.0 }}{{ continue }}{{ end }}{{ break }}{{ end }}",
        "{{ (index $labels \"a\").X }}{{ 0x_1p4 }}{{ 1_000 }}{{ 'a' }}",
        "{{ define \"x\" }}in{{ end }}{{ template \"x\" . }}{{ block \"y\" . }}b{{ end }}",
        "{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}{{ with .A }}a{{ else with .B }}b{{ end }}",
    ] {
        assert_eq!(check(text), Ok(()), "{text}");
    }
}

#[test]
fn go_errors_are_reported_with_their_offset() {
    let opts = Options::default();
    let e = parse("t", "ok\n  {{ nosuch 1 }}", &opts).unwrap_err();
    assert_eq!(e.to_string(), "template: t:2: function \"nosuch\" not defined");
    assert_eq!(&"ok\n  {{ nosuch 1 }}"[e.offset..e.offset + 6], "nosuch");
    let e = parse("t", "{{ $x }}", &opts).unwrap_err();
    assert_eq!((e.message.as_str(), e.offset), ("undefined variable \"$x\"", 3));
    assert!(parse("t", "{{ printf \"%d\" 3`x` }}", &opts).unwrap_err().message.contains("in operand"));
    assert!(check("{{ $labels.a }}{{ define \"d\" }}{{ $labels.a }}{{ end }}")
        .unwrap_err()
        .contains("undefined variable"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    on_stack(|| {
        let nest = |n: usize, open: &str| format!("{}x{}", open.repeat(n), "{{ end }}".repeat(n));
        assert!(parse("t", &nest(MAX_DEPTH, "{{ if true }}"), &Options::default()).is_ok());
        let e = parse("t", &nest(MAX_DEPTH + 1, "{{- with . -}}"), &Options::default()).unwrap_err();
        assert_eq!(e.message, "max control structure depth exceeded");
        let parens = format!("{{{{ {}1{} }}}}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
        assert_eq!(parse("t", &parens, &Options::default()).unwrap_err().message, "max expression depth exceeded");
        let huge = format!("{}x{}", "{{ if true }}".repeat(100_000), "{{ end }}".repeat(100_000));
        assert!(parse("t", &huge, &Options::default()).is_err());
        // What parses executes: the executor's recursion follows the parser's bound.
        let deepest = nest(MAX_DEPTH, "{{ with . }}");
        let out = execute("t", &deepest, &Value::Int(1), &[], &Funcs::new(), MissingKey::Zero);
        assert_eq!(out.as_deref(), Ok("x"));
        let parens = format!("{{{{ {}1{} }}}}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(execute("t", &parens, &Value::Nil, &[], &Funcs::new(), MissingKey::Zero).as_deref(), Ok("1"));
    });
}

/// Random texts made of template fragments, parsed and expanded as Prometheus would: results or
/// errors, never a panic (a cheap stand-in for the fuzz target in every test run).
#[test]
fn random_templates_never_panic() {
    use super::prometheus::{self, AlertData, Context, QuerySample};
    use std::collections::BTreeMap;
    const PIECES: &[&str] = &[
        "{{",
        "}}",
        "{{-",
        " -}}",
        " ",
        "\n",
        "$x",
        "$",
        ":=",
        "=",
        "|",
        "(",
        ")",
        ".",
        ".A",
        "$labels",
        "$value",
        "if",
        "else",
        "end",
        "range",
        "with",
        "break",
        "continue",
        "define",
        "template",
        "block",
        "\"s\"",
        "`r`",
        "'c'",
        "1",
        "-2.5",
        "0x_1p4",
        "1e400",
        "nil",
        "true",
        "printf",
        "\"%d %s %v %5.2f\"",
        "index",
        "slice",
        "len",
        "eq",
        "lt",
        "and",
        "or",
        "not",
        "print",
        "html",
        "js",
        "humanize",
        "query",
        "first",
        "value",
        "toTime",
        "humanizeDuration",
        "/*",
        "*/",
        ",",
        "\"x\"",
        "9223372036854775808",
        "reReplaceAll",
        "\"(\"",
    ];
    on_stack(|| {
        let labels: BTreeMap<String, String> = [("a".to_owned(), "b".to_owned())].into();
        let q = |_: &str| Ok(vec![QuerySample { labels: labels.clone(), value: 1.0 }]);
        let f = prometheus::funcs(&Context { external_url: "http://p/".into(), now: 0.0, query: Some(&q) });
        let data = AlertData { labels: &labels, external_labels: &labels, external_url: "", value: 3.0 };
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut parsed_ok = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for _ in 0..(state % 24) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
            }
            let opts = Options { funcs: &[funcs::BUILTINS, funcs::PROMETHEUS], ..Options::default() };
            parsed_ok += usize::from(parse("t", &text, &opts).is_ok());
            let _ = prometheus::expand("A", &text, &data, &f);
        }
        assert!(parsed_ok > 100, "the generator should make some valid templates: {parsed_ok}");
    });
}
