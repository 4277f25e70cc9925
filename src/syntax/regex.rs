//! Regular expressions as Prometheus and Alertmanager compile them: RE2 syntax, fully anchored.

/// Compiles `pattern` anchored (`^(?:pattern)$`), as relabel configs and matchers use it.
pub fn compile(pattern: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
        // The regex crate's message spans several lines; the last one says what is wrong.
        let text = e.to_string();
        text.lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or(&text)
            .trim()
            .trim_start_matches("error: ")
            .to_owned()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn anchored_re2() {
        assert!(super::compile("foo|bar").unwrap().is_match("bar"));
        assert!(!super::compile("foo").unwrap().is_match("food"));
        assert!(super::compile("(").is_err());
    }
}
