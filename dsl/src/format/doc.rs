//! The layout model: a file is items, an item is lines, a line is tokens.

/// A word of the output (or a word with the punctuation glued to it, like
/// `contact.email,`), and where it came from.
#[derive(Clone, Debug)]
pub(super) struct Token {
    /// The canonical text.
    pub(super) text: String,
    /// The source byte where the word starts; comments are placed by it.
    pub(super) start: usize,
    /// One past the source byte where the word ends.
    pub(super) end: usize,
    /// True when a space separates it from the word before on the same line.
    pub(super) space: bool,
    /// True when a long line is best broken before it (after a comma, before
    /// `and`/`or`, before a sub-clause keyword).
    pub(super) brk: bool,
    /// Comments on their own lines just before it.
    pub(super) leading: Vec<Comment>,
    /// The comment after it on its line.
    pub(super) trailing: Option<Comment>,
}

impl Token {
    pub(super) fn new(text: String, start: usize, end: usize) -> Token {
        Token {
            text,
            start,
            end,
            space: true,
            brk: false,
            leading: Vec::new(),
            trailing: None,
        }
    }
}

/// One output line before wrapping: a head (`rule ID`) or a clause.
#[derive(Clone, Debug)]
pub(super) struct Line {
    /// Spaces before it.
    pub(super) indent: usize,
    /// Its words.
    pub(super) tokens: Vec<Token>,
}

/// The header, one declaration or one test case.
#[derive(Clone, Debug, Default)]
pub(super) struct Item {
    /// Its lines: the first is the head.
    pub(super) lines: Vec<Line>,
    /// True when its lines after the first are indented (rules, parties with
    /// clauses, revocations, the child rule, tests): comments indented under its
    /// last line, with no blank line before them, stay inside it.
    pub(super) indented_body: bool,
    /// Those comments.
    pub(super) closing: Vec<Comment>,
    /// True for a role, category or purpose declared with its `fides` key on a
    /// line of its own: it stays grouped with its neighbours as written, like the
    /// one-line declarations it sits among.
    pub(super) grouped: bool,
}

impl Item {
    /// Items of more than one line get a blank line before and after them,
    /// unless they are grouped.
    pub(super) fn is_multi_line(&self) -> bool {
        self.lines.len() > 1 && !self.grouped
    }
}

/// A comment as written, and how it sat in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Comment {
    /// Its first byte (the `#`).
    pub(super) start: usize,
    /// The text from `#` to the end of the line, trailing spaces dropped.
    pub(super) text: String,
    /// True when nothing but spaces comes before it on its line.
    pub(super) own_line: bool,
    /// True when a blank line separates it from what comes before.
    pub(super) blank_before: bool,
    /// Its column, from 0.
    pub(super) column: usize,
}

/// A whole file, ready to lay out.
#[derive(Clone, Debug, Default)]
pub(super) struct Doc {
    /// The header and declarations, or the test cases, in the file's order.
    pub(super) items: Vec<Item>,
    /// Comments after the last item.
    pub(super) end: Vec<Comment>,
}
