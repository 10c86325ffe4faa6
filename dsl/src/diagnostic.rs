//! Diagnostics a lawyer can act on: where, what, and how to fix it.
//!
//! Each diagnostic carries a stable code (`L0xx`, listed in `docs/diagnostics.md`),
//! the file, line and column, the source line with a caret under the problem, and
//! a hint. Messages are lowercase, plain English, with names in backticks.

use std::fmt;

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
    /// The whole source line.
    pub source_line: String,
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
    /// Where each line starts, worked out when the first span is located, so
    /// locating is a binary search however many diagnostics a large file has.
    line_starts: std::sync::OnceLock<Vec<usize>>,
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
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// The index of the line holding byte `at` (from 0), and where that line starts.
    fn line_of(&self, at: usize) -> (usize, usize) {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let line = starts.partition_point(|s| *s <= at).saturating_sub(1);
        (line, starts.get(line).copied().unwrap_or(0))
    }

    /// The location of a span in this file.
    pub fn locate(&self, span: Span) -> Location {
        let start = floor_char_boundary(&self.text, span.start.min(self.text.len()));
        let (line, line_start) = self.line_of(start);
        let line_end = self
            .text
            .get(start..)
            .and_then(|rest| rest.find('\n'))
            .map_or(self.text.len(), |i| start + i);
        let source_line = self.text.get(line_start..line_end).unwrap_or_default();
        let column = self
            .text
            .get(line_start..start)
            .map_or(0, |s| s.chars().count())
            + 1;
        let end = floor_char_boundary(&self.text, span.end.clamp(start, line_end));
        let width = self
            .text
            .get(start..end)
            .map_or(0, |s| s.chars().count())
            .max(1);
        Location {
            file: self.name.clone(),
            line: line + 1,
            column,
            source_line: source_line.trim_end_matches('\r').to_owned(),
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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{level}[{}]: {}", self.code, self.message)?;
        let gutter = self
            .location
            .as_ref()
            .map_or(1, |l| l.line.to_string().len());
        let pad = " ".repeat(gutter);
        if let Some(l) = &self.location {
            writeln!(f, "{pad}--> {}:{}:{}", l.file, l.line, l.column)?;
            writeln!(f, "{pad} |")?;
            let shown: String = l
                .source_line
                .chars()
                .map(|c| if c == '\t' { ' ' } else { c })
                .collect();
            writeln!(f, "{} | {}", l.line, shown)?;
            writeln!(
                f,
                "{pad} | {}{}",
                " ".repeat(l.column.saturating_sub(1)),
                "^".repeat(l.width)
            )?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "{pad} = help: {help}")?;
        }
        Ok(())
    }
}

/// Renders diagnostics one after another, then a count.
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&d.to_string());
        out.push('\n');
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    if errors > 0 || warnings > 0 {
        out.push_str(&format!(
            "{errors} error{}, {warnings} warning{}\n",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        ));
    }
    out
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

    #[test]
    fn spans_past_the_end_do_not_panic() {
        let source = Source::new("a", "é");
        let l = source.locate(Span { start: 1, end: 99 });
        assert_eq!((l.line, l.column), (1, 1));
    }
}
