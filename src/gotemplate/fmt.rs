//! Go's `fmt` for templates: `Sprint`, `Sprintln` and `Sprintf` with the verbs templates use
//! (`%v %s %d %f %e %g %q %x %X %t %c %%`, flags `-+# 0`, width and precision), and Go's
//! complaints (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA …)`).

use super::lex::go_quote;
use super::value::{decimal_digits, exponent, format_g, special, Value};

/// `fmt.Sprint`: spaces between operands when neither side is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && !matches!(a, Value::Str(_)) && !matches!(args[i - 1], Value::Str(_)) {
            out.push(' ');
        }
        out.push_str(&print_arg(a));
    }
    out
}

/// `fmt.Sprintln`: spaces between all operands, and a newline.
pub fn sprintln(args: &[Value]) -> String {
    let items: Vec<String> = args.iter().map(print_arg).collect();
    format!("{}\n", items.join(" "))
}

/// An operand of `fmt`: a missing value is a nil interface there.
fn print_arg(v: &Value) -> String {
    match v {
        Value::Missing => "<nil>".into(),
        v => v.print(),
    }
}

#[derive(Default, Clone, Copy)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut next = 0;
    let mut chars = format.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&(_, f)) = chars.peek() {
            match f {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '#' => spec.sharp = true,
                ' ' => spec.space = true,
                '0' => spec.zero = !spec.minus,
                _ => break,
            }
            chars.next();
        }
        let number = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>| {
            let mut n: Option<usize> = None;
            while let Some(&(_, d)) = chars.peek() {
                let Some(d) = d.to_digit(10) else { break };
                n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize).min(1 << 20));
                chars.next();
            }
            n
        };
        spec.width = number(&mut chars);
        if chars.peek().is_some_and(|&(_, c)| c == '.') {
            chars.next();
            spec.prec = Some(number(&mut chars).unwrap_or(0));
        }
        let Some((_, verb)) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        out.push_str(&format_one(verb, spec, arg));
    }
    if next < args.len() {
        let extra: Vec<String> = args[next..].iter().map(|a| format!("{}={}", a.type_name(), print_arg(a))).collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

fn bad(verb: char, arg: &Value) -> String {
    match arg {
        Value::Missing | Value::Nil => format!("%!{verb}(<nil>)"),
        a => format!("%!{verb}({}={})", a.type_name(), a.print()),
    }
}

fn pad(s: String, spec: Spec, numeric: bool) -> String {
    let Some(width) = spec.width else { return s };
    let len = s.chars().count();
    if len >= width {
        return s;
    }
    let fill = width - len;
    if spec.minus {
        format!("{s}{}", " ".repeat(fill))
    } else if spec.zero && numeric {
        // Zeros go after the sign.
        let (sign, digits) = match s.strip_prefix(['-', '+', ' ']) {
            Some(rest) => (&s[..1], rest),
            None => ("", s.as_str()),
        };
        format!("{sign}{}{digits}", "0".repeat(fill))
    } else if spec.zero {
        format!("{}{s}", "0".repeat(fill))
    } else {
        format!("{}{s}", " ".repeat(fill))
    }
}

fn signed(s: String, neg: bool, spec: Spec) -> String {
    if neg {
        format!("-{s}")
    } else if spec.plus {
        format!("+{s}")
    } else if spec.space {
        format!(" {s}")
    } else {
        s
    }
}

fn format_one(verb: char, spec: Spec, arg: &Value) -> String {
    match (verb, arg) {
        ('v', Value::Float(f)) | ('g', Value::Float(f)) => float(*f, 'g', spec),
        ('e' | 'E' | 'f' | 'F' | 'G', Value::Float(f)) => float(*f, verb, spec),
        ('v' | 'd', Value::Int(i)) => pad(signed(i.unsigned_abs().to_string(), *i < 0, spec), spec, true),
        ('x' | 'X' | 'o' | 'b', Value::Int(i)) => {
            let digits = match verb {
                'x' => format!("{:x}", i.unsigned_abs()),
                'X' => format!("{:X}", i.unsigned_abs()),
                'o' => format!("{:o}", i.unsigned_abs()),
                _ => format!("{:b}", i.unsigned_abs()),
            };
            let prefixed = if spec.sharp {
                match verb {
                    'x' => format!("0x{digits}"),
                    'X' => format!("0X{digits}"),
                    'o' => format!("0{digits}"),
                    _ => digits,
                }
            } else {
                digits
            };
            pad(signed(prefixed, *i < 0, spec), spec, true)
        }
        ('c', Value::Int(i)) => pad(char::from_u32(*i as u32).unwrap_or('\u{FFFD}').to_string(), spec, false),
        ('q', Value::Int(i)) => {
            let c = char::from_u32(*i as u32).unwrap_or('\u{FFFD}');
            let q = go_quote(&c.to_string());
            let inner = &q[1..q.len() - 1];
            let inner = if inner == "'" { "\\'".to_owned() } else { inner.replace("\\\"", "\"") };
            pad(format!("'{inner}'"), spec, false)
        }
        ('v' | 's', Value::Str(s)) => {
            let s: String = match spec.prec {
                Some(p) => s.chars().take(p).collect(),
                None => s.to_string(),
            };
            pad(s, spec, false)
        }
        ('q', Value::Str(s)) => {
            let q = if spec.sharp && !s.contains('`') { format!("`{s}`") } else { go_quote(s) };
            pad(q, spec, false)
        }
        ('x' | 'X', Value::Str(s)) => {
            let hex: String =
                s.bytes().map(|b| if verb == 'x' { format!("{b:02x}") } else { format!("{b:02X}") }).collect();
            pad(hex, spec, false)
        }
        ('v' | 't', Value::Bool(b)) => pad(b.to_string(), spec, false),
        ('v', Value::Missing | Value::Nil) => pad("<nil>".into(), spec, false),
        ('v' | 's', Value::List(items)) => {
            let parts: Vec<String> = items.iter().map(|v| format_one(verb, Spec::default(), v)).collect();
            pad(format!("[{}]", parts.join(" ")), spec, false)
        }
        ('v', v) => pad(v.print(), spec, false),
        ('s', Value::Object(o)) => pad(o.print(), spec, false),
        _ => bad(verb, arg),
    }
}

fn float(f: f64, verb: char, spec: Spec) -> String {
    if let Some(s) = special(f) {
        return pad(s, Spec { zero: false, ..spec }, true);
    }
    let neg = f.is_sign_negative();
    let a = f.abs();
    let body = match verb {
        'f' | 'F' => format!("{:.*}", spec.prec.unwrap_or(6), a),
        'e' | 'E' => {
            let p = spec.prec.unwrap_or(6);
            let (digits, exp) = decimal_digits(a, Some(p + 1));
            let digits = format!("{digits:0<width$}", width = p + 1);
            let mut s = digits[..1].to_owned();
            if p > 0 {
                s.push('.');
                s.push_str(&digits[1..]);
            }
            s.push_str(&exponent(if a == 0.0 { 0 } else { exp }));
            if verb == 'E' {
                s.to_uppercase()
            } else {
                s
            }
        }
        _ => {
            let s = format_g(a, spec.prec);
            if verb == 'G' {
                s.to_uppercase()
            } else {
                s
            }
        }
    };
    pad(signed(body, neg, spec), spec, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printf_formats_as_go() {
        // Each expected string is what Go's fmt.Sprintf prints for these arguments.
        let s = |v: &str| Value::from(v);
        for (format, args, go) in [
            ("%s is %d", vec![s("a"), Value::Int(3)], "a is 3"),
            ("%.2f%%", vec![Value::Float(99.456)], "99.46%"),
            ("%v", vec![Value::Float(1e6)], "1e+06"),
            ("%q", vec![s("a\"b")], "\"a\\\"b\""),
            ("%x", vec![Value::Int(255)], "ff"),
            ("%x", vec![s("hi")], "6869"),
            ("%g", vec![Value::Float(0.5)], "0.5"),
            ("%e", vec![Value::Float(1234.5678)], "1.234568e+03"),
            ("%5.1f|", vec![Value::Float(12.345)], " 12.3|"),
            ("%-10s|", vec![s("ab")], "ab        |"),
            ("%05d", vec![Value::Int(-42)], "-0042"),
            ("%d", vec![s("x")], "%!d(string=x)"),
            ("%s", vec![Value::Int(5)], "%!s(int=5)"),
            ("%s %s", vec![s("a")], "a %!s(MISSING)"),
            ("%s", vec![s("a"), Value::Int(1)], "a%!(EXTRA int=1)"),
            ("%v", vec![Value::from(vec![s("a"), s("b")])], "[a b]"),
            ("%.3s", vec![s("abcdef")], "abc"),
            ("%+d", vec![Value::Int(5)], "+5"),
            ("%f", vec![Value::Float(f64::NAN)], "NaN"),
        ] {
            assert_eq!(sprintf(format, &args), go, "{format} {args:?}");
        }
        assert_eq!(sprint(&[Value::Int(1), Value::Int(2), s("a"), Value::Int(3), s("b"), s("c")]), "1 2a3bc");
        assert_eq!(sprintln(&[s("a"), Value::Int(1)]), "a 1\n");
    }
}
