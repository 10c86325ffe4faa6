//! The layout: items, blank lines, comments, and wrapping of long lines.

use super::MAX_WIDTH;
use super::comments::blank_before;
use super::doc::{Comment, Doc, Item, Line, Token};
use super::tree::CLAUSE_INDENT;

/// How much further than its clause a wrapped line is indented.
const HANGING_INDENT: usize = 4;

/// The lines written so far.
#[derive(Default)]
struct Out {
    lines: Vec<String>,
}

impl Out {
    fn push(&mut self, indent: usize, text: &str) {
        self.lines.push(format!("{}{text}", " ".repeat(indent)));
    }

    /// A blank line, unless the output is empty or already ends with one.
    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
        }
    }
}

/// Decides the blank lines between what stands on its own line at the top level:
/// the first thing after an item gets one when either side spans several lines,
/// or when the source had one; the rest get one when the source had one.
struct Gaps {
    /// For the next thing: `None` at the start of the file, else whether a blank
    /// line is required.
    required: Option<bool>,
}

impl Gaps {
    fn before(&mut self, out: &mut Out, blank_in_source: bool) {
        // Nothing goes before the first thing of the file.
        if self
            .required
            .take()
            .is_some_and(|required| required || blank_in_source)
        {
            out.blank();
        }
        self.required = Some(false);
    }
}

/// Lays the document out as text.
pub(super) fn render(doc: &Doc, source: &str) -> String {
    let mut out = Out::default();
    let mut gaps = Gaps { required: None };
    let mut previous_multi_line: Option<bool> = None;
    for item in &doc.items {
        let multi_line = item.is_multi_line();
        if let Some(previous) = previous_multi_line {
            gaps.required = Some(previous || multi_line);
        }
        let first = item.lines.first().and_then(|l| l.tokens.first());
        for comment in first.map_or(&[][..], |t| t.leading.as_slice()) {
            gaps.before(&mut out, comment.blank_before);
            out.push(0, &comment.text);
        }
        gaps.before(
            &mut out,
            first.is_some_and(|t| blank_before(source, t.start)),
        );
        render_item(item, &mut out);
        previous_multi_line = Some(multi_line);
    }
    if let Some(previous) = previous_multi_line {
        gaps.required = Some(previous);
    }
    for comment in &doc.end {
        gaps.before(&mut out, comment.blank_before);
        out.push(0, &comment.text);
    }
    let mut text = out.lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    text
}

fn render_item(item: &Item, out: &mut Out) {
    for (index, line) in item.lines.iter().enumerate() {
        render_line(line, index > 0, out);
    }
    push_comments(&item.closing, CLAUSE_INDENT, out);
}

fn push_comments(comments: &[Comment], indent: usize, out: &mut Out) {
    for comment in comments {
        out.push(indent, &comment.text);
    }
}

/// One head or clause: wrapped before a word that starts a part (after a comma,
/// `and`, `or`, a sub-clause keyword) when the part would pass [`MAX_WIDTH`];
/// always after a trailing comment, and before a comment on its own line.
/// `own_leading`: print the first word's own-line comments (an item's first line
/// leaves them to the item, which places them among the blank lines).
fn render_line(line: &Line, own_leading: bool, out: &mut Out) {
    let continued = line.indent + HANGING_INDENT;
    let mut current = String::new();
    let mut indent = line.indent;
    for (index, token) in line.tokens.iter().enumerate() {
        if index == 0 {
            if own_leading {
                push_comments(&token.leading, indent, out);
            }
        } else if !token.leading.is_empty() {
            flush(&mut current, indent, out);
            indent = continued;
            push_comments(&token.leading, indent, out);
        } else if token.brk
            && !current.is_empty()
            && indent + current.chars().count() + 1 + part_width(&line.tokens, index) > MAX_WIDTH
        {
            flush(&mut current, indent, out);
        }
        if current.is_empty() && index > 0 {
            indent = continued;
        } else if !current.is_empty() && token.space {
            current.push(' ');
        }
        current.push_str(&token.text);
        if let Some(comment) = &token.trailing {
            current.push_str("  ");
            current.push_str(&comment.text);
            flush(&mut current, indent, out);
        }
    }
    flush(&mut current, indent, out);
}

fn flush(current: &mut String, indent: usize, out: &mut Out) {
    if !current.is_empty() {
        out.push(indent, current);
        current.clear();
    }
}

/// The width of the words from `from` up to the next place a line may break.
fn part_width(tokens: &[Token], from: usize) -> usize {
    let mut width = 0;
    for (index, token) in tokens.iter().enumerate().skip(from) {
        if index > from {
            if token.brk || !token.leading.is_empty() {
                break;
            }
            width += usize::from(token.space);
        }
        width += token.text.chars().count();
        if token.trailing.is_some() {
            break;
        }
    }
    width
}
