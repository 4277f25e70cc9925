//! Alertmanager matchers: `label="value"`, `label!="value"`, `label=~"re"`, `label!~"re"`
//! (values may be unquoted; a quoted value takes Go escapes).

/// Checks one matcher; `Err` says what is wrong.
pub fn parse(text: &str) -> Result<(), String> {
    let t = text.trim();
    let t = t.strip_prefix('{').and_then(|x| x.strip_suffix('}')).unwrap_or(t).trim();
    let (name, rest) = if let Some(quoted) = t.strip_prefix('"') {
        let end = quoted.find('"').ok_or("unterminated quoted label name")?;
        (&quoted[..end], quoted[end + 1..].trim_start())
    } else {
        let end = t.find(['=', '!']).ok_or("no operator (=, !=, =~, !~)")?;
        (t[..end].trim(), &t[end..])
    };
    if name.is_empty() {
        return Err("the label name is empty".into());
    }
    let (op, value) = ["=~", "!~", "!=", "="]
        .iter()
        .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v.trim())))
        .ok_or("no operator (=, !=, =~, !~)")?;
    let value = if let Some(q) = value.strip_prefix('"') {
        let inner = q.strip_suffix('"').ok_or("unterminated quoted value")?;
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some(e @ ('"' | '\\')) => out.push(e),
                    Some(other) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => return Err("a trailing backslash".into()),
                },
                '"' => return Err("an unescaped quote inside the value".into()),
                c => out.push(c),
            }
        }
        out
    } else {
        value.to_owned()
    };
    if op.ends_with('~') {
        super::regex::compile(&value).map_err(|e| format!("error parsing regexp: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn matchers() {
        for ok in
            ["severity=\"critical\"", "severity=~\"warning|info\"", "foo!=bar", "{a=\"b\"}", "\"utf8 name\"=\"x\""]
        {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        for bad in ["severity", "=x", "a=~\"(\"", "a=\"unterminated"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
