//! Go template parsing (the `gtmpl` crate) behind two guards: actions must be closed (gtmpl loops
//! forever on an unclosed `{{`), and a parse that still takes too long is abandoned, so no input
//! makes `check` hang.

use std::sync::mpsc;
use std::time::Duration;

fn noop(_: &[gtmpl::Value]) -> Result<gtmpl::Value, gtmpl::FuncError> {
    Ok(gtmpl::Value::Nil)
}

/// Every `{{` has its `}}`, outside of quoted strings inside actions.
fn actions_closed(text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let inner = &rest[start + 2..];
        let mut quote: Option<char> = None;
        let mut escaped = false;
        let mut end = None;
        let bytes: Vec<(usize, char)> = inner.char_indices().collect();
        for (i, (idx, c)) in bytes.iter().enumerate() {
            match quote {
                Some(q) => {
                    if escaped {
                        escaped = false;
                    } else if *c == '\\' && q == '"' {
                        escaped = true;
                    } else if *c == q {
                        quote = None;
                    }
                }
                None if matches!(c, '"' | '`' | '\'') => quote = Some(*c),
                None if *c == '}' && bytes.get(i + 1).is_some_and(|(_, n)| *n == '}') => {
                    end = Some(*idx);
                    break;
                }
                None => {}
            }
        }
        match end {
            Some(e) => rest = &inner[e + 2..],
            None if quote.is_some() => return Err("unterminated quoted string in action".into()),
            None => return Err("unclosed action: a `{{` has no matching `}}`".into()),
        }
    }
    Ok(())
}

/// Parses `text` as template `name` with `funcs` declared.
pub fn parse(name: &str, text: &str, funcs: &'static [&'static str]) -> Result<(), String> {
    actions_closed(text).map_err(|e| format!("template: {name}: {e}"))?;
    let (tx, rx) = mpsc::channel();
    let (name, text) = (name.to_owned(), text.to_owned());
    // A detached thread: if gtmpl never returns, the process still exits when check is done.
    std::thread::spawn(move || {
        let mut tmpl = gtmpl::Template::with_name(name);
        let table: Vec<(&str, gtmpl::Func)> = funcs.iter().map(|f| (*f, noop as gtmpl::Func)).collect();
        tmpl.add_funcs(&table);
        let _ = tx.send(tmpl.parse(text).map_err(|e| e.to_string()));
    });
    match rx.recv_timeout(Duration::from_secs(2)) {
        Ok(result) => result,
        Err(_) => Err("the template parser gave up on this text (took too long)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unclosed_actions_are_errors_not_hangs() {
        assert!(parse("t", "{{ .Labels.x ", &["printf"]).unwrap_err().contains("unclosed action"));
        assert!(parse("t", "{{ \"}}\" ", &["printf"]).is_err());
        assert!(parse("t", "a {{ printf \"%s}}\" .x }} b", &["printf"]).is_ok());
        assert!(parse("t", "{{ $x }}", &["printf"]).unwrap_err().contains("undefined"));
    }
}
