//! Comments: pest skips them, so they are found in the source text and put back
//! beside the words they were written beside.
//!
//! - A comment after a word on the same line trails that word, and stays at the
//!   end of the line the word ends up on.
//! - A comment on its own line stands before the next word, and is printed
//!   before it at its indentation.
//! - Comments indented under the last clause of a rule, party, revocation, child
//!   rule or test, with no blank line before them, stay at the end of it.
//! - Comments after everything else end the file.

use pest::iterators::Pair;

use super::doc::{Comment, Doc, Token};
use crate::parser::Rule;

/// The byte ranges of a parsed file's quoted texts, in order: a `#` inside them
/// is not a comment.
pub(super) fn string_spans(file: &Pair<'_, Rule>) -> Vec<(usize, usize)> {
    file.clone()
        .into_inner()
        .flatten()
        .filter(|p| p.as_rule() == Rule::string)
        .map(|p| (p.as_span().start(), p.as_span().end()))
        .collect()
}

/// Every comment of a file that parsed: a `#` outside quoted text, to the end of
/// its line. `strings` are the byte ranges of the quoted texts, in order.
pub(super) fn scan(text: &str, strings: &[(usize, usize)]) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut strings = strings.iter().peekable();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        while strings.next_if(|(_, end)| *end <= i).is_some() {}
        if let Some(&&(start, end)) = strings.peek()
            && start <= i
        {
            i = end;
            continue;
        }
        if byte != b'#' {
            i += 1;
            continue;
        }
        let end = text
            .get(i..)
            .and_then(|rest| rest.find('\n'))
            .map_or(text.len(), |n| i + n);
        comments.push(comment(text, i, end));
        i = end;
    }
    comments
}

fn comment(text: &str, start: usize, end: usize) -> Comment {
    let before = text.get(..start).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let indent = before.get(line_start..).unwrap_or_default();
    Comment {
        start,
        text: text
            .get(start..end)
            .unwrap_or_default()
            .trim_end()
            .to_owned(),
        own_line: indent.chars().all(|c| c == ' ' || c == '\t'),
        blank_before: blank_before(text, start),
        column: indent.chars().count(),
    }
}

/// Whether an empty line comes between `pos` and the text before it.
pub(super) fn blank_before(text: &str, pos: usize) -> bool {
    let before = text.get(..pos).unwrap_or_default();
    let gap = before.len() - before.trim_end_matches([' ', '\t', '\r', '\n']).len();
    before
        .get(before.len() - gap..)
        .is_some_and(|ws| ws.matches('\n').count() >= 2)
}

/// Where a token sits: its source range and its place in the document.
struct Place {
    start: usize,
    end: usize,
    item: usize,
    line: usize,
    token: usize,
}

fn places(doc: &Doc) -> Vec<Place> {
    let mut places = Vec::new();
    for (item, it) in doc.items.iter().enumerate() {
        for (line, l) in it.lines.iter().enumerate() {
            for (token, t) in l.tokens.iter().enumerate() {
                places.push(Place {
                    start: t.start,
                    end: t.end,
                    item,
                    line,
                    token,
                });
            }
        }
    }
    places.sort_by_key(|p| p.start);
    places
}

fn token_at<'d>(doc: &'d mut Doc, place: &Place) -> Option<&'d mut Token> {
    doc.items
        .get_mut(place.item)?
        .lines
        .get_mut(place.line)?
        .tokens
        .get_mut(place.token)
}

/// Attaches each comment to the token it belongs with (see the module's notes).
pub(super) fn attach(doc: &mut Doc, comments: Vec<Comment>, text: &str) {
    let places = places(doc);
    // The index in `places` of each item's last word.
    let mut last_of_item = vec![None; doc.items.len()];
    for (index, place) in places.iter().enumerate() {
        if let Some(slot) = last_of_item.get_mut(place.item) {
            *slot = Some(index);
        }
    }
    // The word before the last own-line comment, and whether that comment closed
    // the item the word ends.
    let mut run: Option<(usize, bool)> = None;
    for comment in comments {
        let next = places.partition_point(|p| p.end <= comment.start);
        let previous = next.checked_sub(1);
        let prev_place = previous.and_then(|i| places.get(i));
        let same_line = prev_place.is_some_and(|p| {
            text.get(p.end..comment.start)
                .is_some_and(|gap| !gap.contains('\n'))
        });
        if !comment.own_line
            && same_line
            && let Some(token) = prev_place.and_then(|p| token_at(doc, p))
            && token.trailing.is_none()
        {
            token.trailing = Some(comment);
            continue;
        }
        let closes = previous.is_some_and(|index| {
            let ends_item = prev_place.is_some_and(|p| {
                last_of_item.get(p.item).copied().flatten() == Some(index)
                    && doc.items.get(p.item).is_some_and(|i| i.indented_body)
            });
            let continues = match run {
                Some((word, closing)) if word == index => closing,
                _ => true,
            };
            ends_item && continues && comment.column > 0 && !comment.blank_before
        });
        run = previous.map(|index| (index, closes));
        if closes {
            if let Some(item) = prev_place.and_then(|p| doc.items.get_mut(p.item)) {
                item.closing.push(comment);
            }
        } else if let Some(token) = places.get(next).and_then(|p| token_at(doc, p)) {
            token.leading.push(comment);
        } else {
            doc.end.push(comment);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_in_quoted_text_is_not_a_comment() {
        let text = "role a \"x # y\" # real\n# own\n";
        let found: Vec<_> = scan(text, &[(7, 14)])
            .into_iter()
            .map(|c| (c.text, c.own_line, c.column))
            .collect();
        assert_eq!(
            found,
            [
                ("# real".to_owned(), false, 15),
                ("# own".to_owned(), true, 0)
            ]
        );
    }

    #[test]
    fn blank_lines_are_seen_through_spaces_and_carriage_returns() {
        assert!(blank_before("a\r\n \r\n# c", 6));
        assert!(!blank_before("a\r\n  # c", 5));
        assert!(!blank_before("# c", 0));
    }
}
