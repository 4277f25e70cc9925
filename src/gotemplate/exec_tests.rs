//! Rows of Go's executor tests (`execTests` in `src/text/template/exec_test.go`, golang/go
//! commit 00b6a902), run on a data value shaped like the test's `tVal` (the fields these rows
//! read) with the test's helper functions: each output, or the fact that Go fails, agrees.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::tests::say;
use super::*;

fn ints(v: &[i64]) -> Value {
    Value::from(v.iter().map(|&i| Value::Int(i)).collect::<Vec<_>>())
}

fn int_map(pairs: &[(&str, i64)]) -> Value {
    let entries = pairs.iter().map(|(k, v)| (k.to_string(), Value::Int(*v))).collect();
    Value::Map(Rc::new(Map { entries, zero: Value::Int(0) }))
}

fn t_val() -> Value {
    let mut m = BTreeMap::new();
    m.insert("X".into(), Value::from("x"));
    m.insert("I".into(), Value::Int(17));
    m.insert("True".into(), Value::Bool(true));
    m.insert("FloatZero".into(), Value::Float(0.0));
    m.insert("SI".into(), ints(&[3, 4, 5]));
    m.insert("SIEmpty".into(), ints(&[]));
    m.insert("SB".into(), Value::from(vec![Value::Bool(true), Value::Bool(false)]));
    m.insert("PSI".into(), ints(&[21, 22, 23]));
    m.insert("MSI".into(), int_map(&[("one", 1), ("two", 2), ("three", 3)]));
    m.insert("MSIone".into(), int_map(&[("one", 1)]));
    m.insert("MSIEmpty".into(), int_map(&[]));
    m.insert(
        "SMSI".into(),
        Value::from(vec![int_map(&[("one", 1), ("two", 2)]), int_map(&[("eleven", 11), ("twelve", 12)])]),
    );
    m.insert("MXI".into(), Value::map(BTreeMap::new()));
    m.insert("Empty0".into(), Value::Nil);
    m.insert("Empty3".into(), ints(&[7, 8]));
    m.insert("U".into(), Value::map([("V".to_owned(), Value::from("v"))].into_iter().collect()));
    Value::map(m)
}

fn helpers() -> Funcs<'static> {
    let mut f = Funcs::new();
    f.add("zeroArgs", &[], None, |_| Ok(Value::from("zeroArgs")));
    f.add("oneArg", &[Param::Str], None, |a| Ok(Value::from(format!("oneArg={}", a[0].print()))));
    f.add("twoArgs", &[Param::Str, Param::Str], None, |a| {
        Ok(Value::from(format!("twoArgs={}{}", a[0].print(), a[1].print())))
    });
    f.add("dddArg", &[Param::Int], Some(Param::Str), |a| Ok(Value::from(fmt::sprintln(a))));
    f.add("echo", &[Param::Any], None, |a| Ok(a[0].clone()));
    f.add("add", &[Param::Int, Param::Int], None, |a| match (&a[0], &a[1]) {
        (Value::Int(x), Value::Int(y)) => Ok(Value::Int(x + y)),
        _ => Err("not ints".into()),
    });
    f.add("mapOfThree", &[], None, |_| Ok(int_map(&[("three", 3)])));
    f
}

const NAMES: &[&str] = &["zeroArgs", "oneArg", "twoArgs", "dddArg", "echo", "add", "mapOfThree"];

#[test]
fn go_exec_tests_agree() {
    // (name, template, Go's output, or None where Go's Execute fails)
    let rows: &[(&str, &str, Option<&str>)] = &[
        ("parens in pipeline", "{{printf `%d %d %d` (1) (2 | add 3) (add 4 (add 5 6))}}", Some("1 5 15")),
        ("parens: $ in paren", "{{($).X}}", Some("x")),
        ("parens: $ in paren in pipe", "{{($ | echo).X}}", Some("x")),
        ("if true", "{{if true}}TRUE{{end}}", Some("TRUE")),
        ("if false", "{{if false}}TRUE{{else}}FALSE{{end}}", Some("FALSE")),
        ("if 1", "{{if 1}}NON-ZERO{{else}}ZERO{{end}}", Some("NON-ZERO")),
        ("if 0", "{{if 0}}NON-ZERO{{else}}ZERO{{end}}", Some("ZERO")),
        ("if 1.5", "{{if 1.5}}NON-ZERO{{else}}ZERO{{end}}", Some("NON-ZERO")),
        ("if 0.0", "{{if .FloatZero}}NON-ZERO{{else}}ZERO{{end}}", Some("ZERO")),
        ("if emptystring", "{{if ``}}NON-EMPTY{{else}}EMPTY{{end}}", Some("EMPTY")),
        ("if string", "{{if `notempty`}}NON-EMPTY{{else}}EMPTY{{end}}", Some("NON-EMPTY")),
        ("if emptyslice", "{{if .SIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}", Some("EMPTY")),
        ("if slice", "{{if .SI}}NON-EMPTY{{else}}EMPTY{{end}}", Some("NON-EMPTY")),
        ("if emptymap", "{{if .MSIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}", Some("EMPTY")),
        ("if map", "{{if .MSI}}NON-EMPTY{{else}}EMPTY{{end}}", Some("NON-EMPTY")),
        ("if map unset", "{{if .MXI.none}}NON-ZERO{{else}}ZERO{{end}}", Some("ZERO")),
        ("if map not unset", "{{if not .MXI.none}}ZERO{{else}}NON-ZERO{{end}}", Some("ZERO")),
        ("if $x with $y int", "{{if $x := true}}{{with $y := .I}}{{$x}},{{$y}}{{end}}{{end}}", Some("true,17")),
        ("if $x with $x int", "{{if $x := true}}{{with $x := .I}}{{$x}},{{end}}{{$x}}{{end}}", Some("17,true")),
        ("if else if", "{{if false}}FALSE{{else if true}}TRUE{{end}}", Some("TRUE")),
        ("if else chain", "{{if eq 1 3}}1{{else if eq 2 3}}2{{else if eq 3 3}}3{{end}}", Some("3")),
        ("print", "{{print \"hello, print\"}}", Some("hello, print")),
        ("print 123", "{{print 1 2 3}}", Some("1 2 3")),
        ("print nil", "{{print nil}}", Some("<nil>")),
        ("println", "{{println 1 2 3}}", Some("1 2 3\n")),
        ("printf int", "{{printf \"%04x\" 127}}", Some("007f")),
        ("printf float", "{{printf \"%g\" 3.5}}", Some("3.5")),
        ("printf string", "{{printf \"%s\" \"hello\"}}", Some("hello")),
        ("printf function", "{{printf \"%#q\" zeroArgs}}", Some("`zeroArgs`")),
        ("printf field", "{{printf \"%s\" .U.V}}", Some("v")),
        ("printf dot", "{{with .I}}{{printf \"%d\" .}}{{end}}", Some("17")),
        ("printf var", "{{with $x := .I}}{{printf \"%d\" $x}}{{end}}", Some("17")),
        (
            "html",
            "{{html \"<script>alert(\\\"XSS\\\");</script>\"}}",
            Some("&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;"),
        ),
        (
            "html pipeline",
            "{{printf \"<script>alert(\\\"XSS\\\");</script>\" | html}}",
            Some("&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;"),
        ),
        ("js", "{{js `It'd be nice.`}}", Some("It\\'d be nice.")),
        ("urlquery", "{{\"http://www.example.org/\"|urlquery}}", Some("http%3A%2F%2Fwww.example.org%2F")),
        ("not", "{{not true}} {{not false}}", Some("false true")),
        ("and", "{{and false 0}} {{and 1 0}} {{and 0 true}} {{and 1 1}}", Some("false 0 0 1")),
        ("or", "{{or 0 0}} {{or 1 0}} {{or 0 true}} {{or 1 1}}", Some("0 1 true 1")),
        ("boolean if", "{{if and true 1 `hi`}}TRUE{{else}}FALSE{{end}}", Some("TRUE")),
        ("boolean if not", "{{if and true 1 `hi` | not}}TRUE{{else}}FALSE{{end}}", Some("FALSE")),
        ("slice[0]", "{{index .SI 0}}", Some("3")),
        ("slice[1]", "{{index .SI 1}}", Some("4")),
        ("slice[HUGE]", "{{index .SI 10}}", None),
        ("slice[WRONG]", "{{index .SI `hello`}}", None),
        ("slice[nil]", "{{index .SI nil}}", None),
        ("map[one]", "{{index .MSI `one`}}", Some("1")),
        ("map[two]", "{{index .MSI `two`}}", Some("2")),
        ("map[NO]", "{{index .MSI `XXX`}}", Some("0")),
        ("map[nil]", "{{index .MSI nil}}", None),
        ("map[``]", "{{index .MSI ``}}", Some("0")),
        ("map[WRONG]", "{{index .MSI 10}}", None),
        ("double index", "{{index .SMSI 1 `eleven`}}", Some("11")),
        ("nil[1]", "{{index nil 1}}", None),
        ("slice", "{{len .SI}}", Some("3")),
        ("map", "{{len .MSI }}", Some("3")),
        ("len of int", "{{len 3}}", None),
        ("len of nothing", "{{len .Empty0}}", None),
        ("with true", "{{with true}}{{.}}{{end}}", Some("true")),
        ("with false", "{{with false}}{{.}}{{else}}FALSE{{end}}", Some("FALSE")),
        ("with 1", "{{with 1}}{{.}}{{else}}ZERO{{end}}", Some("1")),
        ("with 0", "{{with 0}}{{.}}{{else}}ZERO{{end}}", Some("ZERO")),
        ("with 1.5", "{{with 1.5}}{{.}}{{else}}ZERO{{end}}", Some("1.5")),
        ("with 0.0", "{{with .FloatZero}}{{.}}{{else}}ZERO{{end}}", Some("ZERO")),
        ("with emptystring", "{{with ``}}{{.}}{{else}}EMPTY{{end}}", Some("EMPTY")),
        ("with string", "{{with `notempty`}}{{.}}{{else}}EMPTY{{end}}", Some("notempty")),
        ("with emptyslice", "{{with .SIEmpty}}{{.}}{{else}}EMPTY{{end}}", Some("EMPTY")),
        ("with slice", "{{with .SI}}{{.}}{{else}}EMPTY{{end}}", Some("[3 4 5]")),
        ("with emptymap", "{{with .MSIEmpty}}{{.}}{{else}}EMPTY{{end}}", Some("EMPTY")),
        ("with map", "{{with .MSIone}}{{.}}{{else}}EMPTY{{end}}", Some("map[one:1]")),
        ("with $x int", "{{with $x := .I}}{{$x}}{{end}}", Some("17")),
        ("with $x struct.U.V", "{{with $x := $}}{{$x.U.V}}{{end}}", Some("v")),
        ("with variable and action", "{{with $x := $}}{{$y := $.U.V}}{{$y}}{{end}}", Some("v")),
        ("range []int", "{{range .SI}}-{{.}}-{{end}}", Some("-3--4--5-")),
        ("range empty no else", "{{range .SIEmpty}}-{{.}}-{{end}}", Some("")),
        ("range []int else", "{{range .SI}}-{{.}}-{{else}}EMPTY{{end}}", Some("-3--4--5-")),
        ("range empty else", "{{range .SIEmpty}}-{{.}}-{{else}}EMPTY{{end}}", Some("EMPTY")),
        ("range []bool", "{{range .SB}}-{{.}}-{{end}}", Some("-true--false-")),
        ("range map", "{{range .MSI}}-{{.}}-{{end}}", Some("-1--3--2-")),
        ("range empty map no else", "{{range .MSIEmpty}}-{{.}}-{{end}}", Some("")),
        ("range map else", "{{range .MSI}}-{{.}}-{{else}}EMPTY{{end}}", Some("-1--3--2-")),
        ("range empty map else", "{{range .MSIEmpty}}-{{.}}-{{else}}EMPTY{{end}}", Some("EMPTY")),
        ("range empty interface", "{{range .Empty3}}-{{.}}-{{else}}EMPTY{{end}}", Some("-7--8-")),
        ("range empty nil", "{{range .Empty0}}-{{.}}-{{end}}", Some("")),
        ("range $x SI", "{{range $x := .SI}}<{{$x}}>{{end}}", Some("<3><4><5>")),
        ("range $x $y SI", "{{range $x, $y := .SI}}<{{$x}}={{$y}}>{{end}}", Some("<0=3><1=4><2=5>")),
        ("range $x MSIone", "{{range $x := .MSIone}}<{{$x}}>{{end}}", Some("<1>")),
        ("range $x $y MSIone", "{{range $x, $y := .MSIone}}<{{$x}}={{$y}}>{{end}}", Some("<one=1>")),
        ("range $x PSI", "{{range $x := .PSI}}<{{$x}}>{{end}}", Some("<21><22><23>")),
        ("declare in range", "{{range $x := .PSI}}<{{$foo:=$x}}{{$x}}>{{end}}", Some("<21><22><23>")),
        ("or as if true", "{{or .SI \"slice is empty\"}}", Some("[3 4 5]")),
        ("or as if false", "{{or .SIEmpty \"slice is empty\"}}", Some("slice is empty")),
        ("bug7a", "{{3 2}}", None),
        ("bug7b", "{{$x := 1}}{{$x 2}}", None),
        ("bug7c", "{{$x := 1}}{{3 | $x}}", None),
        ("bug8a", "{{3|oneArg}}", None),
        ("bug8b", "{{4|dddArg 3}}", None),
        ("bug10", "{{mapOfThree.three}}-{{(mapOfThree).three}}", Some("3-3")),
        ("bug14a", "{{(nil).True}}", None),
        ("bug14b", "{{$x := nil}}{{$x.anything}}", None),
        ("bug14c", "{{$x := (1.0)}}{{$y := (\"hello\")}}{{$x.anything}}{{$y.true}}", None),
        ("bug16a", "{{true|printf}}", None),
        ("bug16b", "{{1|printf}}", None),
        ("bug16c", "{{1.1|printf}}", None),
        ("bug16d", "{{'x'|printf}}", None),
        ("bug16f", "{{true|twoArgs \"xxx\"}}", None),
        ("bug16g", "{{\"aaa\" |twoArgs \"bbb\"}}", Some("twoArgs=bbbaaa")),
        ("bug16h", "{{1|oneArg}}", None),
        ("bug16i", "{{\"aaa\"|oneArg}}", Some("oneArg=aaa")),
        ("bug16k", "{{\"aaa\"|printf }}", Some("aaa")),
    ];
    let data = t_val();
    let funcs = helpers();
    let mut disagree = Vec::new();
    for (name, text, want) in rows {
        let got = execute(name, text, &data, &[NAMES], &funcs, MissingKey::Invalid);
        let agrees = match (want, &got) {
            (Some(w), Ok(g)) => w == g,
            (None, Err(_)) => true,
            _ => false,
        };
        if !agrees {
            disagree.push(format!("{name}: {text}: want {want:?}, got {got:?}"));
        }
    }
    say(&format!("go template exec: {}/{} rows agree", rows.len() - disagree.len(), rows.len()));
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}

#[test]
fn break_continue_templates_and_scoping() {
    let data = t_val();
    let funcs = Funcs::new();
    let run = |t: &str| execute("t", t, &data, &[], &funcs, MissingKey::Invalid);
    assert_eq!(run("{{range .SI}}{{if eq . 4}}{{continue}}{{end}}{{.}}{{end}}").unwrap(), "35");
    assert_eq!(run("{{range .SI}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}").unwrap(), "3");
    assert_eq!(run("{{range 3}}{{.}}{{end}}").unwrap(), "012");
    assert_eq!(
        run("{{define \"x\"}}[{{.}}]{{end}}{{template \"x\" .I}}{{block \"y\" .X}}<{{.}}>{{end}}").unwrap(),
        "[17]<x>"
    );
    assert_eq!(run(r#"{{ $s := "" }}{{ if gt .I 1 }}{{ $s = "s" }}{{ end }}{{ $s }}"#).unwrap(), "s");
    assert_eq!(run("{{ $x := 1 }}{{ range $i, $e := .SI }}{{ $x = $e }}{{ end }}{{ $x }}").unwrap(), "5");
    assert_eq!(run("{{ .MXI.missing }}").unwrap(), "<no value>");
    let e = run("{{ define \"r\" }}{{ template \"r\" }}{{ end }}{{ template \"r\" }}").unwrap_err();
    assert!(e.contains("exceeded maximum template depth (100)"), "{e}");
    let e = run("x\n  {{ lt .I 1.5 }}").unwrap_err();
    assert_eq!(
        e,
        "template: t:2:5: executing \"t\" at <lt .I 1.5>: error calling lt: incompatible types for comparison"
    );
    assert_eq!(run("{{ eq .I 1 17 }}").unwrap(), "true");
    let labels = Value::map([("Labels".to_owned(), Value::labels([("a", "1")]))].into_iter().collect());
    let zero = execute("t", "[{{ .Labels.b }}]", &labels, &[], &funcs, MissingKey::Zero).unwrap();
    assert_eq!(zero, "[]");
}
