//! Terminal colour: the one place that decides whether output is coloured and how each kind of
//! text looks. Colour is on for a stream that is a terminal, off with `NO_COLOR` set (any
//! non-empty value, <https://no-color.org>) or `--color never`, and forced by `--color always`
//! for CI logs that render ANSI.

use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicU8, Ordering};

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always, even into a pipe or file.
    Always,
    /// Never.
    Never,
}

const UNSET: u8 = 0;
const ON: u8 = 1;
const OFF: u8 = 2;

static STDOUT: AtomicU8 = AtomicU8::new(UNSET);
static STDERR: AtomicU8 = AtomicU8::new(UNSET);

/// Decides colour for both streams; called once, before any command prints.
pub fn set(choice: ColorChoice) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let decide = |tty: bool| match choice {
        ColorChoice::Always => ON,
        ColorChoice::Never => OFF,
        ColorChoice::Auto if tty && !no_color => ON,
        ColorChoice::Auto => OFF,
    };
    STDOUT.store(decide(std::io::stdout().is_terminal()), Ordering::Relaxed);
    STDERR.store(decide(std::io::stderr().is_terminal()), Ordering::Relaxed);
}

/// Whether standard output is coloured (never before [`set`]: library callers get plain text).
pub fn stdout() -> bool {
    STDOUT.load(Ordering::Relaxed) == ON
}

/// Whether standard error is coloured.
pub fn stderr() -> bool {
    STDERR.load(Ordering::Relaxed) == ON
}

/// How a kind of text looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Errors, unhealthy things.
    Error,
    /// Warnings.
    Warning,
    /// Healthy, done.
    Ok,
    /// Secondary text: carets, help, notes.
    Dim,
    /// Headings and names.
    Bold,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Error => "1;31",
            Style::Warning => "1;33",
            Style::Ok => "32",
            Style::Dim => "2",
            Style::Bold => "1",
        }
    }
}

/// `text` in `style` when `on`; unchanged otherwise.
pub fn paint(on: bool, style: Style, text: &str) -> String {
    if on && !text.is_empty() {
        format!("\x1b[{}m{text}\x1b[0m", style.code())
    } else {
        text.to_owned()
    }
}

/// A progress bar on stderr (`targets up 3/5`), drawn only when stderr is a terminal, so logs and
/// pipes never see it; cleared when dropped.
pub struct Progress(indicatif::ProgressBar);

impl Progress {
    /// A bar counting `what` (`targets up`).
    pub fn new(what: &str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress(indicatif::ProgressBar::hidden());
        }
        let style = indicatif::ProgressStyle::with_template("{spinner} {prefix} {pos}/{len} {bar:30} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        let bar = indicatif::ProgressBar::new(0).with_style(style).with_prefix(what.to_owned());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress(bar)
    }

    /// `done` of `total`.
    pub fn set(&self, done: usize, total: usize) {
        self.0.set_length(total as u64);
        self.0.set_position(done.min(total) as u64);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paint_only_when_on() {
        assert_eq!(paint(false, Style::Error, "error"), "error");
        assert_eq!(paint(true, Style::Error, "error"), "\x1b[1;31merror\x1b[0m");
        assert_eq!(paint(true, Style::Dim, ""), "");
    }
}
