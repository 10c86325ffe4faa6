//! Diagnostics a lawyer can act on: where, what, and how to fix it.
//!
//! Each diagnostic carries a stable code (`L0xx`, listed in `docs/diagnostics.md`),
//! the file, line and column, the source line with a caret under the problem, and
//! a hint. Messages are lowercase, plain English, with names in backticks.
//!
//! Hostile files must not make diagnostics costly: a load keeps at most
//! [`MAX_DIAGNOSTICS`] of them and counts the rest ([`Diagnostics`]), a long line
//! is shown as an excerpt of at most [`MAX_EXCERPT`] characters around the
//! problem, locating a span costs a binary search (not a scan from the start of
//! the file), and control characters are shown escaped, never sent to a terminal.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use crate::ast::Span;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth a look; the policy still loads.
    Warning,
    /// The policy cannot load until it is fixed.
    Error,
}

/// Where in a file a diagnostic points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file, as it was named when loaded.
    pub file: String,
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
    /// The source line; for a line longer than [`MAX_EXCERPT`] characters, the
    /// part of it around the problem, starting at column `excerpt_column`.
    pub source_line: String,
    /// The column (from 1) at which `source_line` starts: 1 for a whole line.
    pub excerpt_column: usize,
    /// True when the line goes on after `source_line`.
    pub excerpt_cut: bool,
    /// How many characters the caret underlines (at least 1).
    pub width: usize,
}

/// One problem found in a rule or test file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code such as `L010`.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// Where, when the problem is in a file.
    pub location: Option<Box<Location>>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with no location yet.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            location: None,
            help: None,
        }
    }

    /// A warning with no location yet.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds a hint when there is one.
    pub fn with_optional_help(mut self, help: Option<String>) -> Diagnostic {
        self.help = help;
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A source file: its name and text, for locating spans.
#[derive(Clone, Debug)]
pub struct Source {
    /// The file's name, as shown in diagnostics.
    pub name: String,
    /// Its text.
    pub text: String,
    /// Where its lines start, built the first time a span is located.
    lines: OnceLock<LineIndex>,
}

/// Where each line of a text starts, and how many characters come before each
/// [`CHECKPOINT`] bytes, so that a span's line and column are found without
/// reading the text from its start.
#[derive(Clone, Debug)]
struct LineIndex {
    /// The byte at which each line starts. A line ends at `\n`, `\r\n` or a `\r`
    /// alone.
    starts: Vec<usize>,
    /// Characters before byte `i * CHECKPOINT`.
    chars_before: Vec<usize>,
}

/// Bytes between the character counts a [`LineIndex`] keeps.
const CHECKPOINT: usize = 1024;

/// The most characters of a source line a diagnostic shows.
pub const MAX_EXCERPT: usize = 120;

/// How many characters of an excerpt come before the problem, when the line is cut.
const EXCERPT_LEAD: usize = 40;

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut chars_before = Vec::with_capacity(bytes.len() / CHECKPOINT + 1);
        let mut chars = 0usize;
        for (i, &b) in bytes.iter().enumerate() {
            if i % CHECKPOINT == 0 {
                chars_before.push(chars);
            }
            // A byte that does not continue a UTF-8 sequence starts a character.
            if b & 0xC0 != 0x80 {
                chars += 1;
            }
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                starts.push(i + 1);
            }
        }
        if bytes.len().is_multiple_of(CHECKPOINT) {
            // So that the end of the text has its checkpoint too.
            chars_before.push(chars);
        }
        LineIndex {
            starts,
            chars_before,
        }
    }

    /// The line (from 0) holding byte `at`, and the byte where it starts.
    fn line_of(&self, at: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|s| *s <= at).saturating_sub(1);
        (line, self.starts.get(line).copied().unwrap_or(0))
    }

    /// How many characters of `text` come before byte `at` (a character boundary).
    fn chars_to(&self, text: &str, at: usize) -> usize {
        let checkpoint = at / CHECKPOINT;
        let from = checkpoint * CHECKPOINT;
        let counted = self.chars_before.get(checkpoint).copied().unwrap_or(0);
        let rest = text
            .as_bytes()
            .get(from..at)
            .unwrap_or_default()
            .iter()
            .filter(|b| **b & 0xC0 != 0x80)
            .count();
        counted + rest
    }
}

impl Source {
    /// A named source. A byte-order mark at the start is dropped: it is invisible
    /// and means nothing to the language.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        let mut text = text.into();
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        Source {
            name: name.into(),
            text,
            lines: OnceLock::new(),
        }
    }

    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// The location of a span in this file: its line and column, and the line (or,
    /// for a long line, an excerpt around the span) to show.
    pub fn locate(&self, span: Span) -> Location {
        let index = self.lines();
        let text = self.text.as_str();
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let (line, line_start) = index.line_of(start);
        let line_end = index
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(text.len())
            .max(line_start);
        // The line without its ending.
        let line_text = text
            .get(line_start..line_end)
            .unwrap_or_default()
            .trim_end_matches(['\n', '\r']);
        let line_end = line_start + line_text.len();
        let column = index.chars_to(text, start) - index.chars_to(text, line_start) + 1;
        // A span may start on the line's ending itself.
        let end = floor_char_boundary(text, span.end.clamp(start, line_end.max(start)));
        let width = text.get(start..end).map_or(0, |s| s.chars().count()).max(1);
        let line_length = index.chars_to(text, line_end) - index.chars_to(text, line_start);
        let (excerpt_column, source_line, excerpt_cut) = if line_length <= MAX_EXCERPT {
            (1, line_text.to_owned(), false)
        } else {
            let first = column
                .saturating_sub(EXCERPT_LEAD)
                .max(1)
                .min(line_length + 1 - MAX_EXCERPT);
            // Walk back from the span to the excerpt's first character (at most
            // MAX_EXCERPT characters, never from the start of the line).
            let before = text.get(line_start..start).unwrap_or_default();
            let from = match (column - first).checked_sub(1) {
                None => start,
                Some(back) => before
                    .char_indices()
                    .rev()
                    .nth(back)
                    .map_or(start, |(i, _)| line_start + i),
            };
            let excerpt: String = text
                .get(from..line_end)
                .unwrap_or_default()
                .chars()
                .take(MAX_EXCERPT)
                .collect();
            let cut = first - 1 + excerpt.chars().count() < line_length;
            (first, excerpt, cut)
        };
        Location {
            file: self.name.clone(),
            line: line + 1,
            column,
            source_line,
            excerpt_column,
            excerpt_cut,
            width,
        }
    }

    /// Places a diagnostic at a span of this file.
    pub fn at(&self, span: Span, diagnostic: Diagnostic) -> Diagnostic {
        Diagnostic {
            location: Some(Box::new(self.locate(span))),
            ..diagnostic
        }
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

impl fmt::Display for Diagnostic {
    /// Renders the diagnostic as the CLI prints it:
    ///
    /// ```text
    /// error[L010]: unknown purpose `marketting`
    ///   --> rules/filestack/2021-11-11.lawful:88:7
    ///    |
    /// 88 |   for marketting
    ///    |       ^^^^^^^^^^
    ///    = help: did you mean `marketing`?
    /// ```
    ///
    /// A long line is shown as an excerpt between `…`; control characters in it
    /// (and in the message) are shown escaped, such as `\u{1b}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(
            f,
            "{level}[{}]: {}",
            self.code,
            terminal_safe(&self.message)
        )?;
        let gutter = self
            .location
            .as_ref()
            .map_or(1, |l| l.line.to_string().len());
        let pad = " ".repeat(gutter);
        if let Some(l) = &self.location {
            writeln!(
                f,
                "{pad}--> {}:{}:{}",
                terminal_safe(&l.file),
                l.line,
                l.column
            )?;
            writeln!(f, "{pad} |")?;
            let (shown, caret_at, caret_width) = excerpt(l);
            writeln!(f, "{} | {shown}", l.line)?;
            writeln!(
                f,
                "{pad} | {}{}",
                " ".repeat(caret_at),
                "^".repeat(caret_width.max(1))
            )?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "{pad} = help: {}", terminal_safe(help))?;
        }
        Ok(())
    }
}

/// The source line as shown (tabs as spaces, control characters escaped, `…`
/// where an excerpt cuts the line), with where the caret starts and how wide it is.
fn excerpt(l: &Location) -> (String, usize, usize) {
    let mut shown = String::new();
    if l.excerpt_column > 1 {
        shown.push('…');
    }
    let caret_first = l.column.saturating_sub(l.excerpt_column);
    let mut caret_at = shown.chars().count();
    let mut caret_width = 0;
    for (i, c) in l.source_line.chars().enumerate() {
        let before = shown.chars().count();
        match c {
            '\t' => shown.push(' '),
            c if is_terminal_control(c) => shown.push_str(&c.escape_unicode().to_string()),
            c => shown.push(c),
        }
        let drawn = shown.chars().count() - before;
        if i < caret_first {
            caret_at += drawn;
        } else if i < caret_first + l.width {
            caret_width += drawn;
        }
    }
    if l.excerpt_cut {
        shown.push('…');
    }
    (shown, caret_at, caret_width)
}

/// Characters a terminal may act on rather than show: C0 controls (but tab and
/// line breaks), DEL, C1 controls, and the marks that reorder text (bidi).
pub fn is_terminal_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n'))
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text made safe to print to a terminal: control characters that could move
/// the cursor, change colours or reorder text are shown escaped (`\u{1b}`);
/// tabs and line breaks stay.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_terminal_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_terminal_control(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The most diagnostics one load keeps (errors before warnings); past it they
/// are counted, and the report says how many more there were.
pub const MAX_DIAGNOSTICS: usize = 100;

/// How many problems were found beyond those kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Omitted {
    /// Errors found but not kept.
    pub errors: usize,
    /// Warnings found but not kept.
    pub warnings: usize,
}

impl Omitted {
    /// How many in all.
    pub fn total(self) -> usize {
        self.errors + self.warnings
    }
}

/// The diagnostics of one load: at most [`MAX_DIAGNOSTICS`] kept, errors
/// preferred to warnings, and the rest counted.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    kept: Vec<Diagnostic>,
    kept_warnings: usize,
    omitted: Omitted,
}

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Adds a diagnostic: kept while there is room (an error takes a warning's
    /// place), otherwise counted.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        if self.kept.len() < MAX_DIAGNOSTICS {
            self.kept_warnings += usize::from(!diagnostic.is_error());
            self.kept.push(diagnostic);
            return;
        }
        if !diagnostic.is_error() {
            self.omitted.warnings += 1;
            return;
        }
        match self.kept.iter().rposition(|d| !d.is_error()) {
            Some(warning) => {
                self.kept.remove(warning);
                self.kept_warnings -= 1;
                self.omitted.warnings += 1;
                self.kept.push(diagnostic);
            }
            None => self.omitted.errors += 1,
        }
    }

    /// Adds the diagnostics another collection kept, and counts those it did not.
    pub fn absorb(&mut self, other: Diagnostics) {
        let (kept, omitted) = other.into_parts();
        self.extend(kept);
        self.omitted.errors += omitted.errors;
        self.omitted.warnings += omitted.warnings;
    }

    /// Adds each of `diagnostics`.
    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        for d in diagnostics {
            self.push(d);
        }
    }

    /// Whether a diagnostic of this severity would be kept; when not, a caller
    /// may skip work that only improves its words (a "did you mean").
    pub fn keeps(&self, severity: Severity) -> bool {
        self.kept.len() < MAX_DIAGNOSTICS || (severity == Severity::Error && self.kept_warnings > 0)
    }

    /// How many diagnostics were added, kept or not.
    pub fn len(&self) -> usize {
        self.kept.len() + self.omitted.total()
    }

    /// True when none were added.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when an error was added.
    pub fn has_errors(&self) -> bool {
        self.omitted.errors > 0 || self.kept.len() > self.kept_warnings
    }

    /// The diagnostics kept, in the order added.
    pub fn kept(&self) -> &[Diagnostic] {
        &self.kept
    }

    /// Sorts the kept diagnostics.
    pub fn sort_by_key<K: Ord>(&mut self, key: impl FnMut(&Diagnostic) -> K) {
        self.kept.sort_by_key(key);
    }

    /// The diagnostics kept, and how many were not.
    pub fn into_parts(self) -> (Vec<Diagnostic>, Omitted) {
        (self.kept, self.omitted)
    }

    /// The diagnostics kept, followed, when some were not, by one (`L005`)
    /// saying how many more there were.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        let (mut kept, omitted) = self.into_parts();
        if omitted.total() > 0 {
            let message = format!(
                "{} more problem{} ({} error{}, {} warning{}) not shown: only the first {MAX_DIAGNOSTICS} are kept",
                omitted.total(),
                plural(omitted.total()),
                omitted.errors,
                plural(omitted.errors),
                omitted.warnings,
                plural(omitted.warnings)
            );
            let note = if omitted.errors > 0 {
                Diagnostic::error("L005", message)
            } else {
                Diagnostic::warning("L005", message)
            };
            kept.push(note.with_help("fix the problems shown and check again"));
        }
        kept
    }
}

/// Renders diagnostics one after another (at most [`MAX_DIAGNOSTICS`] of them),
/// then a count.
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    render_report(diagnostics, Omitted::default())
}

/// Renders at most [`MAX_DIAGNOSTICS`] diagnostics, then how many more there
/// were (`omitted`, and any in `diagnostics` past the limit), then the count of
/// all of them.
pub fn render_report(diagnostics: &[Diagnostic], omitted: Omitted) -> String {
    let mut out = String::new();
    let (shown, rest) = diagnostics.split_at(diagnostics.len().min(MAX_DIAGNOSTICS));
    for d in shown {
        out.push_str(&d.to_string());
        out.push('\n');
    }
    let rest_errors = rest.iter().filter(|d| d.is_error()).count();
    let not_shown = Omitted {
        errors: omitted.errors + rest_errors,
        warnings: omitted.warnings + rest.len() - rest_errors,
    };
    if not_shown.total() > 0 {
        out.push_str(&format!(
            "… and {} more not shown ({} error{}, {} warning{}): only the first {MAX_DIAGNOSTICS} are; fix these and check again\n",
            not_shown.total(),
            not_shown.errors,
            plural(not_shown.errors),
            not_shown.warnings,
            plural(not_shown.warnings),
        ));
    }
    let shown_errors = shown.iter().filter(|d| d.is_error()).count();
    let errors = shown_errors + not_shown.errors;
    let warnings = shown.len() - shown_errors + not_shown.warnings;
    if errors > 0 || warnings > 0 {
        out.push_str(&format!(
            "{errors} error{}, {warnings} warning{}\n",
            plural(errors),
            plural(warnings)
        ));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_spans_and_renders_a_caret() {
        let source = Source::new("a.lawful", "role visitor \"v\"\nrole vistor x\n");
        let d = source.at(
            Span { start: 22, end: 28 },
            Diagnostic::error("L001", "something is wrong").with_help("fix it"),
        );
        let shown = d.to_string();
        assert_eq!(
            shown,
            "error[L001]: something is wrong\n --> a.lawful:2:6\n  |\n2 | role vistor x\n  |      ^^^^^^\n  = help: fix it\n"
        );
    }

    /// Line and column found by reading from the start of the text, as a check.
    fn slow_locate(text: &str, at: usize) -> (usize, usize) {
        let at = floor_char_boundary(text, at.min(text.len()));
        let before = &text[..at];
        let mut line = 1;
        let mut line_start = 0;
        let bytes = text.as_bytes();
        for (i, b) in before.bytes().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                line += 1;
                line_start = i + 1;
            }
        }
        (line, text[line_start..at].chars().count() + 1)
    }

    #[test]
    fn lines_and_columns_agree_with_reading_from_the_start() {
        let long_accented = "é€x".repeat(700);
        let texts = [
            String::new(),
            "a\r\nbc\rd\ne\r\r\nf\r".to_owned(),
            "x".repeat(CHECKPOINT),
            "y".repeat(2 * CHECKPOINT - 1) + "\n",
            format!("{long_accented}\n{long_accented}\r{long_accented}"),
            "é".repeat(CHECKPOINT),
        ];
        for text in &texts {
            let source = Source::new("t", text.as_str());
            for at in 0..=text.len() + 1 {
                let l = source.locate(Span {
                    start: at,
                    end: at + 3,
                });
                assert_eq!(
                    (l.line, l.column),
                    slow_locate(text, at),
                    "at {at} of {text:?}"
                );
                assert!(l.source_line.chars().count() <= MAX_EXCERPT);
            }
        }
    }

    #[test]
    fn a_long_line_is_shown_as_an_excerpt_around_the_problem() {
        let line = format!("{} target {}", "a".repeat(5000), "b".repeat(5000));
        let source = Source::new("t", format!("first\n{line}\nlast"));
        let start = 6 + 5001;
        let d = source.at(
            Span {
                start,
                end: start + 6,
            },
            Diagnostic::error("L001", "here"),
        );
        let l = d.location.as_deref().unwrap();
        assert_eq!((l.line, l.column), (2, 5002));
        assert!(l.source_line.contains("target"), "{}", l.source_line);
        assert!(l.excerpt_column > 1 && l.excerpt_cut);
        let shown = d.to_string();
        assert!(shown.len() < 600, "{shown}");
        let lines: Vec<Vec<char>> = shown.lines().map(|l| l.chars().collect()).collect();
        let (source_row, caret_row) = (&lines[3], &lines[4]);
        let caret = caret_row.iter().position(|c| *c == '^').unwrap();
        let under: String = source_row[caret..caret + 6].iter().collect();
        assert_eq!(under, "target", "{shown}");
        assert_eq!(caret_row.iter().filter(|c| **c == '^').count(), 6);
        assert!(source_row.contains(&'…'));
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        let source = Source::new("t", "rule x \u{1b}[2J\u{9b}31m\u{202e}y");
        let d = source.at(
            Span { start: 7, end: 8 },
            Diagnostic::error("L001", "label \u{1b}]0;owned\u{7}").with_help("\u{85}"),
        );
        let shown = d.to_string();
        for c in ['\u{1b}', '\u{9b}', '\u{202e}', '\u{7}', '\u{85}'] {
            assert!(!shown.contains(c), "{shown:?}");
        }
        assert!(shown.contains("\\u{1b}[2J"), "{shown}");
        let lines: Vec<&str> = shown.lines().collect();
        let caret = lines[4].find('^').unwrap();
        assert_eq!(&lines[3][caret..caret + 6], "\\u{1b}");
        assert_eq!(lines[4].matches('^').count(), 6);
        assert_eq!(terminal_safe("a\tb\nc"), "a\tb\nc");
    }

    #[test]
    fn a_load_keeps_so_many_diagnostics_and_counts_the_rest() {
        let mut all = Diagnostics::new();
        for i in 0..150 {
            all.push(Diagnostic::warning("L030", format!("w{i}")));
        }
        for i in 0..10 {
            all.push(Diagnostic::error("L010", format!("e{i}")));
        }
        assert!(all.has_errors());
        assert_eq!(all.len(), 160);
        assert!(!all.keeps(Severity::Warning));
        assert!(all.keeps(Severity::Error));
        let report = render_report(
            all.kept(),
            Omitted {
                errors: 0,
                warnings: 60,
            },
        );
        let (kept, omitted) = all.into_parts();
        assert_eq!(kept.len(), MAX_DIAGNOSTICS);
        assert_eq!(kept.iter().filter(|d| d.is_error()).count(), 10);
        assert_eq!(
            omitted,
            Omitted {
                errors: 0,
                warnings: 60
            }
        );
        assert!(
            report.contains("… and 60 more not shown (0 errors, 60 warnings)"),
            "{report}"
        );
        assert!(report.ends_with("10 errors, 150 warnings\n"), "{report}");
    }

    #[test]
    fn spans_past_the_end_do_not_panic() {
        let source = Source::new("a", "é");
        let l = source.locate(Span { start: 1, end: 99 });
        assert_eq!((l.line, l.column), (1, 1));
    }
}
