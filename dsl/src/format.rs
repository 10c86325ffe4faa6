//! `lawful fmt`: one canonical layout for rule files and test files.
//!
//! The formatter reads pest's concrete tree, not the AST, because the AST forgets
//! what a layout must keep: where each word was written (to put comments back) and
//! whether `any party` or `anyone` was said. It works in four steps, each in its
//! own module:
//!
//! 1. [`tree`]: the parse tree → [`doc::Doc`], items (the header, declarations, test
//!    cases) made of lines (a head and one line per clause) made of tokens, each
//!    token with its canonical text and the byte range it came from.
//!    [`condition`] prints conditions with canonical brackets.
//! 2. [`comments`]: pest drops comments, so they are found in the source text (a
//!    `#` outside quoted text) and attached to the token they follow on its line
//!    (trailing) or to the token they stand before (own line).
//! 3. [`render`]: the layout — two-space clauses, long lists wrapped at
//!    [`MAX_WIDTH`] with a four-space hanging indent, blank lines between
//!    multi-line declarations, single-line declarations grouped as written.
//! 4. [`verify`]: the output is parsed again and must give the same syntax tree
//!    (spans aside) and the same comments; if not, the file is refused with an
//!    internal error rather than rewritten. Formatting never changes meaning.
//!
//! The layout itself is described for users in `docs/fmt.md`.

mod comments;
mod condition;
mod doc;
mod render;
mod tree;
mod verify;

use crate::diagnostic::{Diagnostic, Source};
use crate::load::TEST_SUFFIX;
use crate::parser::{Rule, parse};

/// The widest a wrapped line may be, in characters. Lines longer than this are
/// only those with a single word or quoted text too long to break.
pub const MAX_WIDTH: usize = 90;

/// The name diagnostics give a text formatted without a file name.
const UNNAMED: &str = "<input>";

/// Formats a policy version file (`*.lawful`). A file that does not parse is not
/// formatted: its diagnostics are returned instead.
pub fn format_policy(source: &str) -> Result<String, Vec<Diagnostic>> {
    format_source(&Source::new(UNNAMED, source), Kind::Policy)
}

/// Formats a test file (`*.test.lawful`). A file that does not parse is not
/// formatted: its diagnostics are returned instead.
pub fn format_tests(source: &str) -> Result<String, Vec<Diagnostic>> {
    format_source(&Source::new(UNNAMED, source), Kind::Tests)
}

/// Formats a file, as a test file when its name ends in `.test.lawful` and as a
/// policy version otherwise; diagnostics name the file `name`.
pub fn format_file(name: &str, source: &str) -> Result<String, Vec<Diagnostic>> {
    let kind = if name.ends_with(TEST_SUFFIX) {
        Kind::Tests
    } else {
        Kind::Policy
    };
    format_source(&Source::new(name, source), kind)
}

/// Which grammar a file follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Policy,
    Tests,
}

impl Kind {
    fn entry(self) -> Rule {
        match self {
            Kind::Policy => Rule::policy_file,
            Kind::Tests => Rule::test_file,
        }
    }
}

fn format_source(source: &Source, kind: Kind) -> Result<String, Vec<Diagnostic>> {
    let pair = parse(source, kind.entry()).map_err(|d| vec![d])?;
    // Lowering catches what the grammar lets through (a number too large, an
    // exception saying `for` twice): such a file is not formatted either.
    let before = verify::Meaning::read(source, pair.clone(), kind)?;
    let found = comments::scan(&source.text, &comments::string_spans(&pair));
    let mut doc = tree::build(pair);
    comments::attach(&mut doc, found, &source.text);
    let formatted = render::render(&doc, &source.text);
    verify::same_meaning(source, &before, &formatted, kind)?;
    Ok(formatted)
}

#[cfg(test)]
mod tests;
