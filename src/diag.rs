//! Source-located diagnostics: `file:line:col`, the offending line with a caret, and a help line.
//!
//! Used for spec errors, template errors and (later) check findings, so every message that points
//! into a user's file looks the same.

use std::fmt;
use std::path::{Path, PathBuf};

/// A 1-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
}

impl Pos {
    /// A position from a serde-saphyr location.
    pub fn from_location(loc: &serde_saphyr::Location) -> Self {
        Pos { line: loc.line().max(1), column: loc.column().max(1) }
    }
}

/// One error pointing into a source file, rendered with an excerpt of that file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// File the position refers to, as the user named it.
    pub file: PathBuf,
    /// Where in the file; `None` when the problem concerns the whole file.
    pub pos: Option<Pos>,
    /// What is wrong (lowercase, no trailing period).
    pub message: String,
    /// What is expected instead, if there is something useful to say.
    pub help: Option<String>,
    /// The offending source line, captured when the diagnostic was made.
    pub excerpt: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `pos` in `file`, whose text is `source`.
    pub fn new(file: &Path, source: &str, pos: Option<Pos>, message: impl Into<String>) -> Self {
        let excerpt = pos.and_then(|p| source.lines().nth(p.line.saturating_sub(1) as usize)).map(str::to_owned);
        Diagnostic { file: file.to_owned(), pos, message: message.into(), help: None, excerpt }
    }

    /// A diagnostic at `pos` in `file` whose line at `pos` is `excerpt`.
    pub fn with_excerpt(file: &Path, excerpt: Option<&str>, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_owned(),
            pos,
            message: message.into(),
            help: None,
            excerpt: excerpt.map(str::to_owned),
        }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(pos) = self.pos {
            write!(f, ":{}:{}", pos.line, pos.column)?;
        }
        write!(f, ": {}", self.message)?;
        if let (Some(pos), Some(line)) = (self.pos, &self.excerpt) {
            let number = pos.line.to_string();
            let pad = " ".repeat(number.len());
            let line = line.replace('\t', " ");
            let caret_at = (pos.column.saturating_sub(1) as usize).min(line.chars().count());
            write!(f, "\n{pad} |\n{number} | {line}\n{pad} | {}^", " ".repeat(caret_at))?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// Several diagnostics about one input, reported together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                // The first diagnostic gets its `error: ` from the error printer.
                write!(f, "\nerror: ")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1) + 1;
    candidates.into_iter().map(|c| (levenshtein(word, c), c)).filter(|(d, _)| *d <= limit).min().map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb { prev } else { 1 + prev.min(row[j]).min(row[j + 1]) };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_and_ignores_unrelated_words() {
        assert_eq!(nearest("prot", ["port", "image", "enabled"]), Some("port"));
        assert_eq!(nearest("scrape_intervall", ["scrape_interval", "scrape_timeout"]), Some("scrape_interval"));
        assert_eq!(nearest("zzzzzz", ["port", "image"]), None);
    }

    #[test]
    fn display_points_at_the_column() {
        let src = "a: 1\nprometheus:\n  prot: 9090\n";
        let d =
            Diagnostic::new(Path::new("monstack.yaml"), src, Some(Pos { line: 3, column: 3 }), "unknown field `prot`")
                .with_help("did you mean `port`?");
        assert_eq!(
            d.to_string(),
            "monstack.yaml:3:3: unknown field `prot`\n  |\n3 |   prot: 9090\n  |   ^\n  = help: did you mean `port`?"
        );
    }
}
