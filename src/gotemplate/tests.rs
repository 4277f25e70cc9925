//! The anchor: Go's own parser test tables, copied with their verdicts into
//! `tests/upstream/gotemplate/`, every row agreeing.

use super::number::{parse_complex, unquote};
use super::*;

const PARSE_TESTS: &str = include_str!("../../tests/upstream/gotemplate/parse_tests.txt");
const NUMBER_TESTS: &str = include_str!("../../tests/upstream/gotemplate/number_tests.txt");

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
    eprintln!("go template parse: {}/{total} rows agree", total - disagree.len());
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
    eprintln!("go template numbers: {}/{total} rows agree", total - disagree.len());
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
    });
}
