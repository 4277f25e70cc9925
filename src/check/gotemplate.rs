//! Go template parsing (the `gtmpl` crate) behind three guards: actions must be closed (gtmpl
//! loops forever on an unclosed `{{`), nesting is bounded ([`MAX_DEPTH`]: gtmpl recurses once per
//! level, with frames of up to 25 KB), and a parse that still takes too long is abandoned, so no
//! input makes `check` hang or crash.

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
        rest = &inner[close_of(inner).map_err(str::to_owned)? + 2..];
    }
    Ok(())
}

/// Deepest nesting of blocks (`if`, `range`, `with`, `define`, `block`, each `else` of theirs
/// counting as one more, since `else if` nests) and parentheses checked. Go itself stops at
/// 10,000 parentheses; nesting blocks 1,000 deep is already far beyond any real template.
pub const MAX_DEPTH: usize = 1000;

/// The deepest nesting of blocks and parentheses in `text`, whose actions are closed.
fn depth(text: &str) -> usize {
    // Per open block: 1, plus its `else`s.
    let mut open: Vec<usize> = Vec::new();
    let (mut nested, mut deepest) = (0, 0);
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let inner = &rest[start + 2..];
        let Ok(end) = close_of(inner) else { break };
        let action = inner[..end].trim_start_matches('-').trim_end_matches('-').trim();
        match action.split(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("") {
            "if" | "range" | "with" | "define" | "block" => {
                open.push(1);
                nested += 1;
            }
            "else" => {
                if let Some(top) = open.last_mut() {
                    *top += 1;
                    nested += 1;
                }
            }
            "end" => nested -= open.pop().unwrap_or(0),
            _ => {}
        }
        deepest = deepest.max(nested + parentheses(action));
        rest = &inner[end + 2..];
    }
    deepest
}

/// The deepest nesting of parentheses in an action, outside quotes.
fn parentheses(action: &str) -> usize {
    let (mut depth, mut deepest, mut quote, mut escaped) = (0usize, 0, None, false);
    for c in action.chars() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(q) if c == '\\' && q == '"' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '`' | '\'') => quote = Some(c),
            None if c == '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            None if c == ')' => depth = depth.saturating_sub(1),
            None => {}
        }
    }
    deepest
}

/// Actions closed and nesting within [`MAX_DEPTH`]; else what is wrong, for template `name`.
fn guards(name: &str, text: &str) -> Result<(), String> {
    actions_closed(text).map_err(|e| format!("template: {name}: {e}"))?;
    if text.len() <= MAX_DEPTH {
        // Each level takes a byte at least: nothing to count.
        return Ok(());
    }
    match depth(text) {
        d if d > MAX_DEPTH => Err(format!(
            "template: {name}: blocks and parentheses nested {d} levels deep: monstack checks templates nested up to {MAX_DEPTH} levels"
        )),
        _ => Ok(()),
    }
}

type Job = (String, String, &'static [&'static str]);

/// A parser thread, kept per checking thread: spawning one per template made big rule files
/// spend their time in the kernel.
struct Worker {
    jobs: mpsc::Sender<Job>,
    results: mpsc::Receiver<Result<(), String>>,
}

fn spawn_worker() -> Worker {
    let (jobs, job_rx) = mpsc::channel::<Job>();
    let (result_tx, results) = mpsc::channel();
    // Detached: if gtmpl never returns, the process still exits when check is done. gtmpl
    // recurses once per level of nesting: the thread has a checking thread's stack.
    let thread = std::thread::Builder::new().name("gtmpl".into()).stack_size(super::deep::STACK);
    let spawned = thread.spawn(move || {
        for (name, text, funcs) in job_rx {
            let mut tmpl = gtmpl::Template::with_name(name);
            let table: Vec<(&str, gtmpl::Func)> = funcs.iter().map(|f| (*f, noop as gtmpl::Func)).collect();
            tmpl.add_funcs(&table);
            if result_tx.send(tmpl.parse(text).map_err(|e| e.to_string())).is_err() {
                break;
            }
        }
    });
    spawned.unwrap_or_else(|e| panic!("cannot start the template parser's thread: {e}"));
    Worker { jobs, results }
}

thread_local! {
    static WORKER: std::cell::RefCell<Option<Worker>> = const { std::cell::RefCell::new(None) };
}

/// Go's own template functions.
const BUILTINS: &[&str] = &[
    "and", "or", "not", "len", "index", "slice", "print", "printf", "println", "html", "js", "urlquery", "eq", "ne",
    "lt", "le", "gt", "ge", "call",
];

/// The actions of `text`, trim markers removed; `None` if one is a comment.
fn actions(text: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let inner = &rest[start + 2..];
        let end = close_of(inner).ok()?;
        let action = inner[..end].trim_start_matches('-').trim_end_matches('-').trim();
        if action.starts_with("/*") {
            return None;
        }
        out.push(action);
        rest = &inner[end + 2..];
    }
    Some(out)
}

/// Where the `}}` closing an action starts, quotes skipped.
fn close_of(inner: &str) -> Result<usize, &'static str> {
    let mut quote = None;
    let mut escaped = false;
    let b = inner.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(q) if c == b'\\' && q == b'"' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, b'"' | b'`' | b'\'') => quote = Some(c),
            None if c == b'}' && b.get(i + 1) == Some(&b'}') => return Ok(i),
            None => {}
        }
    }
    Err(if quote.is_some() {
        "unterminated quoted string in action"
    } else {
        "unclosed action: a `{{` has no matching `}}`"
    })
}

/// Splits a pipeline or command at top-level `sep` (outside quotes and parentheses).
fn split_top(s: &str, sep: impl Fn(char) -> bool) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut escaped, mut start) = (0i32, None, false, 0);
    for (i, c) in s.char_indices() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(q) if c == '\\' && q == '"' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '`' | '\'') => quote = Some(c),
            None if c == '(' => depth += 1,
            None if c == ')' => depth -= 1,
            None if depth == 0 && sep(c) => {
                parts.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            None => {}
        }
        if depth < 0 {
            return None;
        }
    }
    (quote.is_none() && depth == 0).then(|| {
        parts.push(&s[start..]);
        parts.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect()
    })
}

fn ident(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Checks one operand; `None` when it is beyond the fast path.
fn operand(op: &str, vars: &[String], funcs: &[&str], first: bool, name: &str) -> Option<Result<(), String>> {
    let fields_ok = |rest: &str| rest.is_empty() || rest.strip_prefix('.').is_some_and(|r| r.split('.').all(ident));
    if let Some(inner) = op.strip_prefix('(').and_then(|o| o.strip_suffix(')')) {
        return pipeline(inner, vars, funcs, name);
    }
    if op.starts_with(['"', '`', '\'']) {
        return Some(Ok(()));
    }
    if op.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') {
        return op[1..].chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_').then_some(Ok(()));
    }
    if op == "true" || op == "false" || op == "nil" || op == "." {
        return Some(Ok(()));
    }
    if let Some(v) = op.strip_prefix('$') {
        let var_len = v.find('.').unwrap_or(v.len());
        let (var, rest) = v.split_at(var_len);
        if !(var.is_empty() || ident(var)) || !fields_ok(rest) {
            return None;
        }
        let full = format!("${var}");
        return Some(if var.is_empty() || vars.contains(&full) {
            Ok(())
        } else {
            Err(format!("template: {name}:1: undefined variable \"{full}\""))
        });
    }
    if let Some(fields) = op.strip_prefix('.') {
        return fields.split('.').all(ident).then_some(Ok(()));
    }
    if ident(op) {
        return Some(if !first {
            // An identifier as an argument is a function call without arguments: Go allows it.
            if funcs.contains(&op) || BUILTINS.contains(&op) {
                Ok(())
            } else {
                return None;
            }
        } else if funcs.contains(&op) || BUILTINS.contains(&op) {
            Ok(())
        } else {
            Err(format!("template: {name}:1: function \"{op}\" not defined"))
        });
    }
    None
}

/// Checks a pipeline (`a | b c | d`); `None` when it is beyond the fast path.
fn pipeline(p: &str, vars: &[String], funcs: &[&str], name: &str) -> Option<Result<(), String>> {
    let commands = split_top(p, |c| c == '|')?;
    if commands.is_empty() {
        return None;
    }
    for command in commands {
        let operands = split_top(command, char::is_whitespace)?;
        for (i, op) in operands.iter().enumerate() {
            match operand(op, vars, funcs, i == 0, name)? {
                Ok(()) => {}
                Err(e) => return Some(Err(e)),
            }
        }
    }
    Some(Ok(()))
}

/// Decides templates made only of simple actions (variables, fields, function pipelines,
/// `$x := …` declarations) without gtmpl, whose lexer starts a thread per parse: rule files repeat
/// such templates thousands of times. `None` sends the template to gtmpl.
fn fast(name: &str, text: &str, funcs: &[&str]) -> Option<Result<(), String>> {
    fast_with(name, text, funcs, vec!["$".to_owned()])
}

/// [`fast`] with `vars` already declared.
fn fast_with(name: &str, text: &str, funcs: &[&str], mut vars: Vec<String>) -> Option<Result<(), String>> {
    const KEYWORDS: &[&str] =
        &["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"];
    for action in actions(text)? {
        let first = action.split_whitespace().next().unwrap_or("");
        if action.is_empty() || KEYWORDS.contains(&first) {
            return None;
        }
        let (declared, pipe) = match action.split_once(":=") {
            Some((lhs, rhs)) if lhs.trim().starts_with('$') && ident(&lhs.trim()[1..]) => (Some(lhs.trim()), rhs),
            Some(_) => return None,
            None if action.contains(" = ") => return None,
            None => (None, action),
        };
        if let Err(e) = pipeline(pipe, &vars, funcs, name)? {
            return Some(Err(e));
        }
        vars.extend(declared.map(str::to_owned));
    }
    Some(Ok(()))
}

/// Parses `text` as template `name` after `header`, a run of `{{$var := …}}` declarations of
/// `vars`, with `funcs` declared; the header is only parsed when the fast path cannot decide.
pub fn parse_after(
    name: &str,
    header: &str,
    vars: &[&str],
    text: &str,
    funcs: &'static [&'static str],
) -> Result<(), String> {
    guards(name, text)?;
    if !text.contains("{{") {
        return Ok(());
    }
    let declared = std::iter::once("$").chain(vars.iter().copied()).map(str::to_owned).collect();
    match fast_with(name, text, funcs, declared) {
        Some(decided) => decided,
        None => parse(name, &format!("{header}{text}"), funcs),
    }
}

/// Parses `text` as template `name` with `funcs` declared.
pub fn parse(name: &str, text: &str, funcs: &'static [&'static str]) -> Result<(), String> {
    guards(name, text)?;
    if !text.contains("{{") {
        // Text without actions is a valid template as it is.
        return Ok(());
    }
    if let Some(decided) = fast(name, text, funcs) {
        return decided;
    }
    WORKER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let worker = slot.get_or_insert_with(spawn_worker);
        let sent = worker.jobs.send((name.to_owned(), text.to_owned(), funcs));
        match sent.ok().and_then(|()| worker.results.recv_timeout(Duration::from_secs(2)).ok()) {
            Some(result) => result,
            None => {
                // The worker is stuck in this text (or gone): leave it, the next parse starts anew.
                *slot = None;
                Err("the template parser gave up on this text (took too long)".into())
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_agrees_with_gtmpl() {
        let funcs: &'static [&'static str] = &["humanize", "printf"];
        let header = "{{$labels := .Labels}}{{$value := .Value}}";
        for text in [
            "{{ $labels.instance }} is {{ $value | humanize }}",
            "{{ printf \"%.2f\" $value }}% on {{ $labels.job }}",
            "{{ $value }}",
            "{{ $label.foo }}",
            "{{ nosuch $value }}",
            "{{ $labels.a | printf \"%s\" | humanize }}",
            "{{ (printf \"%s\" $labels.a) }}",
            "{{- $value -}}",
        ] {
            let full = format!("{header}{text}");
            let fast = fast("t", &full, funcs).expect("decided by the fast path");
            let mut tmpl = gtmpl::Template::with_name("t");
            let table: Vec<(&str, gtmpl::Func)> = funcs.iter().map(|f| (*f, noop as gtmpl::Func)).collect();
            tmpl.add_funcs(&table);
            let slow = tmpl.parse(full.clone()).map_err(|e| e.to_string());
            assert_eq!(fast.is_ok(), slow.is_ok(), "{text}: fast {fast:?}, gtmpl {slow:?}");
        }
        assert!(fast("t", "{{ if .X }}a{{ end }}", funcs).is_none());
        assert!(fast("t", "{{/* c */}}", funcs).is_none());
    }

    #[test]
    fn nesting_is_bounded() {
        let nest = |n: usize, open: &str| format!("{}x{}", open.repeat(n), "{{ end }}".repeat(n));
        assert_eq!(depth(&nest(3, "{{ if .A }}")), 3);
        assert_eq!(depth("{{ if .A }}{{ else if .B }}{{ else }}{{ end }}{{ (((1))) }}"), 3);
        assert!(parse("t", &nest(700, "{{ if true }}"), &[]).is_ok());
        let err = parse("t", &nest(MAX_DEPTH + 1, "{{- with . -}}"), &[]).unwrap_err();
        assert!(err.contains("nested 1001 levels deep"), "{err}");
        let parens = format!("{{{{ {}1{} }}}}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
        assert!(parse("t", &parens, &[]).unwrap_err().contains("levels deep"));
        assert!(parse("t", "{{ \"((((\" }}", &[]).is_ok());
    }

    #[test]
    fn unclosed_actions_are_errors_not_hangs() {
        assert!(parse("t", "{{ .Labels.x ", &["printf"]).unwrap_err().contains("unclosed action"));
        assert!(parse("t", "{{ \"}}\" ", &["printf"]).is_err());
        assert!(parse("t", "a {{ printf \"%s}}\" .x }} b", &["printf"]).is_ok());
        assert!(parse("t", "{{ $x }}", &["printf"]).unwrap_err().contains("undefined"));
    }
}
