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

/// Parses a list of matchers as one `matchers:` entry or amtool argument may hold them:
/// `a="1", b=~"2"`, optionally in braces; commas inside quoted values do not separate. A trailing
/// comma is allowed, an empty matcher between two commas is not.
pub fn parse_matchers(text: &str) -> Result<Vec<Matcher>, String> {
    let t = text.trim();
    let t = t.strip_prefix('{').unwrap_or(t);
    let t = t.strip_suffix('}').unwrap_or(t);
    let (mut quoted, mut escaped, mut start) = (false, false, 0);
    let mut tokens = Vec::new();
    for (i, c) in t.char_indices() {
        match c {
            ',' if !quoted => {
                tokens.push(&t[start..i]);
                start = i + 1;
                continue;
            }
            '"' if !escaped => quoted = !quoted,
            '\\' => {
                escaped = !escaped;
                continue;
            }
            _ => {}
        }
        escaped = false;
    }
    if !t[start..].trim().is_empty() {
        tokens.push(&t[start..]);
    }
    tokens.into_iter().map(parse_matcher).collect()
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
    use super::{parse, parse_matchers};

    #[test]
    fn matcher_lists() {
        let ms = parse_matchers("{a=\"1,2\", b=~\"x|y\",}").unwrap();
        assert_eq!(
            ms.iter().map(|m| (m.name.as_str(), m.op, m.value.as_str())).collect::<Vec<_>>(),
            [("a", "=", "1,2"), ("b", "=~", "x|y")]
        );
        assert_eq!(parse_matchers("a=\"q\\\",\"").unwrap()[0].value, "q\",");
        assert!(parse_matchers("a=1,,b=2").is_err());
        assert!(parse_matchers("").unwrap().is_empty());
    }

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
