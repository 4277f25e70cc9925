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
        write!(f, "{}", printable(&self.file.display().to_string()))?;
        if let Some(pos) = self.pos {
            write!(f, ":{}:{}", pos.line, pos.column)?;
        }
        write!(f, ": {}", printable_lines(&self.message))?;
        if let (Some(pos), Some(line)) = (self.pos, &self.excerpt) {
            let number = pos.line.to_string();
            let pad = " ".repeat(number.len());
            let (line, caret_at) = excerpt(line, pos.column);
            write!(f, "\n{pad} |\n{number} | {line}\n{pad} | {}^", " ".repeat(caret_at))?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {}", printable_lines(help))?;
        }
        Ok(())
    }
}

/// Characters of a source line shown around the column of a finding.
pub const EXCERPT_WIDTH: usize = 120;

/// Whether `c` would act on a terminal rather than show: control characters (escape sequences
/// start with one) and the invisible marks that reorder or hide text. Tabs are harmless.
fn acts(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

fn escape(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// `s` with the characters that would act on a terminal written as escapes (`\u{1b}`, `\n`),
/// so text quoted from a file shows as text.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(acts) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if acts(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// [`printable`], line by line: a message of several lines keeps them.
fn printable_lines(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && acts(c)) {
        return s.into();
    }
    s.split('\n').map(printable).collect::<Vec<_>>().join("\n").into()
}

/// What an excerpt shows of `line`, and where its caret goes for 1-based `column`: at most
/// [`EXCERPT_WIDTH`] characters around the column, `…` where the line is cut, tabs as spaces,
/// [`printable`].
pub fn excerpt(line: &str, column: u64) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    let at = (column.saturating_sub(1) as usize).min(chars.len());
    let (start, end) = if chars.len() <= EXCERPT_WIDTH {
        (0, chars.len())
    } else {
        let start = at.saturating_sub(EXCERPT_WIDTH / 2).min(chars.len() - EXCERPT_WIDTH);
        (start, start + EXCERPT_WIDTH)
    };
    let mut out = String::new();
    let mut caret = None;
    if start > 0 {
        out.push('…');
    }
    for (i, &c) in chars.iter().enumerate().take(end).skip(start) {
        if i == at {
            caret = Some(out.chars().count());
        }
        match c {
            '\t' => out.push(' '),
            c if acts(c) => escape(c, &mut out),
            c => out.push(c),
        }
    }
    let caret = caret.unwrap_or_else(|| out.chars().count());
    if end < chars.len() {
        out.push('…');
    }
    (out, caret)
}

/// `s` cut to about `max` characters, keeping its start and its end around a `…`.
pub fn clip(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let count = s.chars().count();
    if count <= max {
        return s.into();
    }
    let head: String = s.chars().take(max * 2 / 3).collect();
    let tail: String = s.chars().skip(count - max / 3).collect();
    format!("{head}…{tail}").into()
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
    fn terminal_controls_are_escaped_and_long_lines_cut() {
        assert_eq!(printable("a\u{1b}]0;x\u{7}b\tc"), "a\\u{1b}]0;x\\u{7}b\tc");
        assert_eq!(printable("plain"), "plain");
        let (shown, caret) = excerpt("\u{1b}[2Jkey: 1", 5);
        assert_eq!(shown, "\\u{1b}[2Jkey: 1");
        assert_eq!(&shown[caret..caret + 3], "key");
        let long = format!("{}X{}", "a".repeat(1_000_000), "b".repeat(1_000_000));
        let (shown, caret) = excerpt(&long, 1_000_001);
        assert_eq!(shown.chars().count(), EXCERPT_WIDTH + 2);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert_eq!(shown.chars().nth(caret), Some('X'));
        let (shown, caret) = excerpt(&long, 2_000_002);
        assert_eq!((shown.chars().count(), caret), (EXCERPT_WIDTH + 1, EXCERPT_WIDTH + 1));
        assert_eq!(excerpt("short\tline", 7), ("short line".to_owned(), 6));
        assert_eq!(clip(&"x".repeat(50), 60), "x".repeat(50));
        assert_eq!(clip(&format!("{}{}", "a".repeat(100), "b".repeat(100)), 30).chars().count(), 31);
        let d = Diagnostic::new(
            Path::new("r\u{1b}.yml"),
            "k: \u{1b}]0;t\u{7}\n",
            Some(Pos { line: 1, column: 4 }),
            "bad \u{1b}",
        )
        .with_help("x\u{7}");
        assert!(!d.to_string().contains(['\u{1b}', '\u{7}']), "{d}");
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
