//! Deeply nested input, which promtool and amtool accept (Go's stacks grow to 1 GB), must not
//! overflow ours: promql-parser, Go template parsing and serde-saphyr recurse once per level of nesting, and so
//! do the walks over what they build, and dropping it.
//!
//! Two measures together: every check runs on a thread with a [`STACK`]-byte stack (virtual
//! memory: only the pages a deep input touches cost anything), and each recursive reader has an
//! explicit bound that keeps its deepest input well inside that stack — PromQL here
//! ([`promql`]), Go templates in `crate::gotemplate::MAX_DEPTH`, YAML in `syntax::yaml::MAX_DEPTH`.

use std::thread::{Scope, ScopedJoinHandle};

use promql_parser::parser::Expr;

/// Stack size of every checking thread. The bounds below are set so that their deepest input
/// takes under a third of it in a debug build.
pub const STACK: usize = 256 << 20;

/// Deepest nesting of parentheses, brackets and braces an expression may have (promql-parser
/// takes ~0.75 KB of stack per level in a debug build).
pub const PROMQL_MAX_NESTING: usize = 100_000;

/// Most operators an expression may have: a chain of binary operators nests one level each,
/// and promql-parser's time grows with the square of their number (20,000 take 4 s).
pub const PROMQL_MAX_OPERATORS: usize = 20_000;

/// Starts `f` on a checking thread of `scope`, with a [`STACK`]-byte stack.
pub fn spawn<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    f: impl FnOnce() -> T + Send + 'scope,
) -> ScopedJoinHandle<'scope, T> {
    std::thread::Builder::new()
        .name("check".into())
        .stack_size(STACK)
        .spawn_scoped(scope, f)
        .unwrap_or_else(|e| panic!("cannot start a checking thread: {e}"))
}

/// Runs `f` on a checking thread and waits for it; a panic in `f` goes on in the caller.
pub fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| spawn(scope, f).join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
}

/// Parses `expr` as PromQL unless it is nested or chained beyond the bounds, which is said in
/// words (promql-parser's own errors are returned as they are).
pub fn promql(expr: &str) -> Result<Expr, String> {
    promql_bounds(expr)?;
    promql_parser::parser::parse(expr)
}

/// An expression's depth of parentheses, brackets and braces and its number of operators, read
/// without parsing it (outside strings and comments; every operator character counts, so this
/// is an upper bound); an error when either is beyond its bound.
pub fn promql_bounds(expr: &str) -> Result<(), String> {
    if expr.len() <= PROMQL_MAX_OPERATORS.min(PROMQL_MAX_NESTING) {
        // Each level and each operator takes a byte at least: nothing to count.
        return Ok(());
    }
    let (mut depth, mut deepest, mut operators) = (0usize, 0usize, 0usize);
    let mut quote = None;
    let mut escaped = false;
    let mut comment = false;
    let mut word = None;
    for (i, c) in expr.char_indices() {
        if comment {
            comment = c != '\n';
            continue;
        }
        if let Some(q) = quote {
            match c {
                _ if escaped => escaped = false,
                '\\' if q != '`' => escaped = true,
                _ if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        if c.is_alphanumeric() || c == '_' {
            word.get_or_insert(i);
            continue;
        }
        if word.take().is_some_and(|start| matches!(&expr[start..i], "and" | "or" | "unless" | "atan2")) {
            operators += 1;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '#' => comment = true,
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            '+' | '-' | '*' | '/' | '%' | '^' | '=' | '!' | '<' | '>' | '~' => operators += 1,
            _ => {}
        }
    }
    if deepest > PROMQL_MAX_NESTING {
        return Err(format!(
            "expression nested {deepest} levels deep: monstack checks expressions up to {PROMQL_MAX_NESTING} levels of parentheses, brackets and braces"
        ));
    }
    if operators > PROMQL_MAX_OPERATORS {
        return Err(format!(
            "expression of about {operators} operators: monstack checks expressions of up to {PROMQL_MAX_OPERATORS} operators"
        ));
    }
    Ok(())
}

/// Calls `f` on `expr` and every expression inside it, parents before children and children in
/// order, with a stack of its own rather than the thread's.
pub(crate) fn walk<'a>(expr: &'a Expr, f: &mut impl FnMut(&'a Expr)) {
    let mut todo = vec![expr];
    while let Some(e) = todo.pop() {
        f(e);
        let before = todo.len();
        match e {
            Expr::Aggregate(a) => {
                todo.push(&a.expr);
                todo.extend(a.param.as_deref());
            }
            Expr::Unary(u) => todo.push(&u.expr),
            Expr::Binary(b) => todo.extend([&*b.lhs, &*b.rhs]),
            Expr::Paren(p) => todo.push(&p.expr),
            Expr::Subquery(s) => todo.push(&s.expr),
            Expr::Call(c) => todo.extend(c.args.args.iter().map(|a| &**a)),
            Expr::Extension(_)
            | Expr::NumberLiteral(_)
            | Expr::StringLiteral(_)
            | Expr::VectorSelector(_)
            | Expr::MatrixSelector(_) => {}
        }
        // Children were pushed in order: pop them in order.
        todo[before..].reverse();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_count_nesting_and_operators_outside_strings_and_comments() {
        assert!(promql_bounds("sum by (job) (rate(x{a=~\"((((\"}[5m])) > 1 and up").is_ok());
        let deep = format!("{}up{}", "(".repeat(PROMQL_MAX_NESTING + 1), ")".repeat(PROMQL_MAX_NESTING + 1));
        assert!(promql_bounds(&deep).unwrap_err().contains("levels deep"));
        let quoted = format!("x{{a=\"{}\"}}", "(".repeat(PROMQL_MAX_NESTING + 1));
        assert!(promql_bounds(&quoted).is_ok());
        // A comment with a quote in it does not hide what follows.
        let hidden = format!("# it's\n{deep}");
        assert!(promql_bounds(&hidden).is_err());
        let chain = vec!["up"; PROMQL_MAX_OPERATORS + 2].join(" or ");
        assert!(promql_bounds(&chain).unwrap_err().contains("operators"));
        assert!(promql_bounds(&"-".repeat(PROMQL_MAX_OPERATORS + 1)).is_err());
    }

    #[test]
    fn walk_visits_parents_first_and_children_in_order() {
        let e = promql_parser::parser::parse("sum(a) + abs(b - c)").unwrap();
        let mut names = Vec::new();
        walk(&e, &mut |e| {
            if let Expr::VectorSelector(v) = e {
                names.push(v.name.clone().unwrap_or_default());
            }
        });
        assert_eq!(names, ["a", "b", "c"]);
    }
}
