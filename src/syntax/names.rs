//! Label, annotation and metric name rules, in both of Prometheus' validation schemes.

/// Which names are valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum NameValidation {
    /// Any non-empty UTF-8 name (Prometheus 3's default).
    #[default]
    Utf8,
    /// `[a-zA-Z_][a-zA-Z0-9_]*` for labels, plus `:` for metrics (the pre-3.0 scheme).
    Legacy,
}

/// Whether `name` is a valid label name.
pub fn label_name_ok(name: &str, scheme: NameValidation) -> bool {
    match scheme {
        NameValidation::Utf8 => !name.is_empty(),
        NameValidation::Legacy => {
            let mut c = name.chars();
            matches!(c.next(), Some(f) if f.is_ascii_alphabetic() || f == '_')
                && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
        }
    }
}

/// Whether `name` is a valid metric name.
pub fn metric_name_ok(name: &str, scheme: NameValidation) -> bool {
    match scheme {
        NameValidation::Utf8 => !name.is_empty(),
        NameValidation::Legacy => {
            let mut c = name.chars();
            matches!(c.next(), Some(f) if f.is_ascii_alphabetic() || f == '_' || f == ':')
                && c.all(|x| x.is_ascii_alphanumeric() || x == '_' || x == ':')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert!(label_name_ok("ins-tance", NameValidation::Utf8));
        assert!(!label_name_ok("ins-tance", NameValidation::Legacy));
        assert!(!label_name_ok("", NameValidation::Utf8));
        assert!(metric_name_ok("job:rate5m", NameValidation::Legacy));
        assert!(!metric_name_ok("1abc", NameValidation::Legacy));
    }
}
