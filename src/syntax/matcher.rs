//! Alertmanager matchers: `label="value"`, `label!="value"`, `label=~"re"`, `label!~"re"`
//! (values may be unquoted; a quoted value takes Go escapes).

/// One parsed matcher.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// Label name.
    pub name: String,
    /// `=`, `!=`, `=~` or `!~`.
    pub op: &'static str,
    /// Value, unquoted.
    pub value: String,
    regex: Option<regex::Regex>,
}

impl Matcher {
    /// An equality (`match:`) or regex (`match_re:`) matcher of the older route syntax.
    pub fn new(name: &str, value: &str, regex: bool) -> Result<Matcher, String> {
        let op = if regex { "=~" } else { "=" };
        let compiled = if regex { Some(super::regex::compile(value)?) } else { None };
        Ok(Matcher { name: name.to_owned(), op, value: value.to_owned(), regex: compiled })
    }

    /// Whether a label set matches (a missing label has the empty value, as in Alertmanager).
    pub fn matches(&self, labels: &std::collections::BTreeMap<String, String>) -> bool {
        let v = labels.get(&self.name).map_or("", String::as_str);
        match (self.op, &self.regex) {
            ("=", _) => v == self.value,
            ("!=", _) => v != self.value,
            ("=~", Some(re)) => re.is_match(v),
            ("!~", Some(re)) => !re.is_match(v),
            _ => false,
        }
    }
}

/// Checks one matcher; `Err` says what is wrong.
pub fn parse(text: &str) -> Result<(), String> {
    parse_matcher(text).map(|_| ())
}

/// Parses one matcher; `Err` says what is wrong.
pub fn parse_matcher(text: &str) -> Result<Matcher, String> {
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
    let regex = if op.ends_with('~') {
        Some(super::regex::compile(&value).map_err(|e| format!("error parsing regexp: {e}"))?)
    } else {
        None
    };
    Ok(Matcher { name: name.to_owned(), op, value, regex })
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
