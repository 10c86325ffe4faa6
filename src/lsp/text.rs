//! A document's text and its lines, converting between byte offsets (what the
//! parser's spans are) and LSP positions (a line, and a column counted in UTF-16
//! code units, which is what every LSP client speaks by default).
//!
//! Lines end at `\n` (a `\r` before it belongs to the line ending), as they do for
//! the rule language's own diagnostics.

use lsp_types::{Position, Range};

/// Text with the byte offset at which each line starts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Text {
    content: String,
    // INVARIANT: starts with 0, increasing, each a char boundary of `content` (just after a `\n`).
    line_starts: Vec<usize>,
}

impl Text {
    /// Indexes a text.
    pub(crate) fn new(content: String) -> Text {
        let line_starts = std::iter::once(0)
            .chain(content.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Text {
            content,
            line_starts,
        }
    }

    /// The whole text.
    pub(crate) fn as_str(&self) -> &str {
        &self.content
    }

    /// The text of a line (from 0), without its line ending; empty past the end.
    pub(crate) fn line(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.content.len(), |next| next - 1);
        let text = self.content.get(start..end).unwrap_or_default();
        text.strip_suffix('\r').unwrap_or(text)
    }

    /// The position of a byte offset (clamped to the text, and to a char boundary).
    pub(crate) fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.content.len());
        while !self.content.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let before = self.content.get(start..offset).unwrap_or_default();
        Position::new(to_u32(line), utf16_len(before))
    }

    /// The range of a span of byte offsets.
    pub(crate) fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The byte offset of a position. A column past the end of its line means the
    /// end of the line, and a line past the end of the text the end of the text, as
    /// the protocol asks; a column inside a character's UTF-16 pair means the
    /// character's end.
    pub(crate) fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.line_starts.get(position.line as usize) else {
            return self.content.len();
        };
        let line = self.line(position.line as usize);
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= position.character {
                return start + i;
            }
            units += to_u32(c.len_utf16());
        }
        start + line.len()
    }

    /// The position of a location given as a line (from 1) and a column counted in
    /// characters (from 1), as diagnostics give them.
    pub(crate) fn position_of_column(&self, line: usize, column: usize) -> Position {
        let line = line.saturating_sub(1);
        let text = self.line(line);
        let chars = column.saturating_sub(1);
        let prefix = text
            .char_indices()
            .nth(chars)
            .map_or(text, |(i, _)| text.get(..i).unwrap_or_default());
        Position::new(to_u32(line), utf16_len(prefix))
    }

    /// Replaces a range with new text (an editor's incremental change).
    pub(crate) fn edit(&mut self, range: Range, new_text: &str) {
        let start = self.offset(range.start);
        let end = self.offset(range.end).max(start);
        self.content.replace_range(start..end, new_text);
        *self = Text::new(std::mem::take(&mut self.content));
    }
}

/// How many UTF-16 code units a text takes.
pub(crate) fn utf16_len(text: &str) -> u32 {
    to_u32(text.chars().map(char::len_utf16).sum())
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn offsets_and_positions_agree_on_ascii() {
        let text = Text::new("role a \"x\"\nrole b \"y\"\n".to_owned());
        assert_eq!(text.position(0), pos(0, 0));
        assert_eq!(text.position(5), pos(0, 5));
        assert_eq!(text.position(11), pos(1, 0));
        assert_eq!(text.position(16), pos(1, 5));
        assert_eq!(text.offset(pos(1, 5)), 16);
        assert_eq!(text.position(text.as_str().len()), pos(2, 0));
    }

    #[test]
    fn columns_count_utf16_units_not_bytes_or_chars() {
        // `é` is 2 bytes and 1 unit; `𝄞` is 4 bytes and 2 units.
        let text = Text::new("# é𝄞 x\nrule\n".to_owned());
        let x = text.as_str().find('x').unwrap();
        assert_eq!(text.position(x), pos(0, 6));
        assert_eq!(text.offset(pos(0, 6)), x);
        // Inside the surrogate pair: the character's end.
        assert_eq!(text.offset(pos(0, 5)), x - 1);
        assert_eq!(text.position_of_column(1, 6), pos(0, 6));
    }

    #[test]
    fn positions_past_the_end_clamp() {
        let text = Text::new("ab\r\ncd".to_owned());
        assert_eq!(text.line(0), "ab");
        assert_eq!(text.offset(pos(0, 99)), 2);
        assert_eq!(text.offset(pos(9, 0)), 6);
        assert_eq!(text.position(99), pos(1, 2));
        assert_eq!(text.position_of_column(7, 3), pos(6, 0));
        assert_eq!(text.position_of_column(2, 99), pos(1, 2));
    }

    #[test]
    fn an_offset_inside_a_character_rounds_down() {
        let text = Text::new("é".to_owned());
        assert_eq!(text.position(1), pos(0, 0));
    }

    #[test]
    fn edits_apply_at_utf16_positions() {
        let mut text = Text::new("for 𝄞 marketing\nnext".to_owned());
        text.edit(Range::new(pos(0, 7), pos(0, 16)), "sales");
        assert_eq!(text.as_str(), "for 𝄞 sales\nnext");
        text.edit(Range::new(pos(1, 4), pos(1, 4)), "\nmore");
        assert_eq!(text.line(2), "more");
        assert_eq!(text.position(text.as_str().len()), pos(2, 4));
    }
}
