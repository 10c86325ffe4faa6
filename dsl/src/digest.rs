//! The digest of a policy's sources: which exact text a decision came from.
//!
//! SHA-256 over the rule files in the byte order of their names, each written as
//! its name (relative to the policy's folder), a zero byte, the length of its text
//! as 8 bytes big-endian, then the text in its layout-free form: comments dropped
//! and every run of spaces and line breaks written as one space (quoted text kept
//! as written). So a change of layout alone — `lawful fmt`, re-indenting, moving or
//! editing a comment — keeps the digest, and any change of a word changes it. Names cannot hold a zero byte and every
//! text carries its length, so no two different sets of files hash the same
//! input. Test files do not take part: they decide nothing.

use sha2::{Digest as _, Sha256};

use crate::diagnostic::Source;

/// The text without its layout: comments dropped, each run of whitespace one space,
/// none at the ends; quoted text (which may hold `#` and spaces) kept as written.
///
/// Read byte by byte, copying runs of plain characters whole: every character
/// that matters is ASCII, and a longer UTF-8 character is looked at only to tell
/// whether it is a space.
fn layout_free(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'#' => {
                // A comment runs to the end of its line (a lone CR ends a line too).
                at = bytes
                    .get(at..)
                    .and_then(|rest| rest.iter().position(|c| *c == b'\n' || *c == b'\r'))
                    .map_or(bytes.len(), |p| at + p + 1);
                space = true;
            }
            b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => {
                space = true;
                at += 1;
            }
            b'"' => {
                let mut end = at + 1;
                let mut escaped = false;
                while let Some(&c) = bytes.get(end) {
                    end += 1;
                    match c {
                        b'\\' if !escaped => escaped = true,
                        b'"' if !escaped => break,
                        b'\n' => break,
                        _ => escaped = false,
                    }
                }
                word(&mut out, &mut space, text.get(at..end).unwrap_or_default());
                at = end;
            }
            0x80.. => {
                let c = text.get(at..).and_then(|t| t.chars().next()).unwrap_or(' ');
                if c.is_whitespace() || c == '\u{feff}' {
                    space = true;
                } else {
                    let mut buf = [0; 4];
                    word(&mut out, &mut space, c.encode_utf8(&mut buf));
                }
                at += c.len_utf8();
            }
            _ => {
                let special = |c: &u8| {
                    matches!(
                        c,
                        b'#' | b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b'"' | 0x80..
                    )
                };
                let mut end = at;
                loop {
                    end = bytes
                        .get(end..)
                        .and_then(|rest| rest.iter().position(special))
                        .map_or(bytes.len(), |p| end + p);
                    // A lone space between two plain characters is written as it
                    // is: the run goes on over it.
                    if bytes.get(end) == Some(&b' ')
                        && bytes.get(end + 1).is_some_and(|c| !special(c))
                    {
                        end += 1;
                        continue;
                    }
                    break;
                }
                word(&mut out, &mut space, text.get(at..end).unwrap_or_default());
                at = end;
            }
        }
    }
    out
}

/// Writes `piece` after the text so far, with one space before it when blank
/// space or a comment came between them.
fn word(out: &mut String, space: &mut bool, piece: &str) {
    if *space && !out.is_empty() {
        out.push(' ');
    }
    *space = false;
    out.push_str(piece);
}

/// The SHA-256 of a policy's sources, each given as `(name, text)`.
///
/// `name` is the file's name relative to the policy's folder (for a policy of
/// one file, its file name), so the same files hash the same wherever the
/// folder is.
pub fn digest<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> [u8; 32] {
    let mut files: Vec<(&str, &str)> = files.into_iter().collect();
    files.sort_unstable();
    let mut hasher = Sha256::new();
    for (name, text) in files {
        let text = layout_free(text);
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update((text.len() as u64).to_be_bytes());
        hasher.update(text.as_bytes());
    }
    hasher.finalize().into()
}

/// The digest of sources named as [`digest`] expects.
pub fn of_sources(sources: &[Source]) -> [u8; 32] {
    digest(sources.iter().map(|s| (s.name.as_str(), s.text.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout-free form as first written, one character at a time: the
    /// faster reader must give the same text.
    fn layout_free_by_chars(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars();
        let mut space = false;
        while let Some(c) = chars.next() {
            match c {
                '#' => {
                    // A comment runs to the end of its line (a lone CR ends a line too).
                    for c in chars.by_ref() {
                        if c == '\n' || c == '\r' {
                            break;
                        }
                    }
                    space = true;
                }
                c if c.is_whitespace() || c == '\u{feff}' => space = true,
                '"' => {
                    if space && !out.is_empty() {
                        out.push(' ');
                    }
                    space = false;
                    out.push('"');
                    let mut escaped = false;
                    for c in chars.by_ref() {
                        out.push(c);
                        match c {
                            '\\' if !escaped => escaped = true,
                            '"' if !escaped => break,
                            '\n' => break,
                            _ => escaped = false,
                        }
                    }
                }
                c => {
                    if space && !out.is_empty() {
                        out.push(' ');
                    }
                    space = false;
                    out.push(c);
                }
            }
        }
        out
    }

    #[test]
    fn the_layout_free_text_is_the_one_read_a_character_at_a_time() {
        let cases = [
            "",
            "   ",
            "# only a comment",
            "a  b\tc\r\nd\re",
            "x # c\ny",
            "x #c\r\ny",
            "cite \"A  #1\", \"B \\\" q\\\\\" z",
            "\"open\nnext line",
            "\"\\\\\" after",
            "caf\u{e9} na\u{ef}ve\u{a0}nbsp\u{2028}ls\u{feff}bom \u{1f600}",
            "\u{feff}policy \"P\" version 2024-01-01\n",
            "a\u{b}b\u{c}c\u{85}d",
            "trailing   ",
            "a b  c d\te f #g\nh \"i\" j \u{e9}",
            " lead b",
            "\"unterminated \\",
        ];
        for text in cases {
            assert_eq!(layout_free(text), layout_free_by_chars(text), "{text:?}");
        }
        for file in ["2017-11-08.lawful", "2021-11-11.lawful"] {
            let path = format!("{}/../rules/filestack/{file}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(text.len() > 1000, "{path}");
            assert_eq!(layout_free(&text), layout_free_by_chars(&text), "{file}");
        }
    }

    fn hex(bytes: [u8; 32]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn the_encoding_is_the_documented_one() {
        // One file "a.lawful" holding "x": computed independently with
        // `printf 'a.lawful\0\0\0\0\0\0\0\0\1x' | sha256sum`.
        assert_eq!(
            hex(digest([("a.lawful", "x")])),
            "8ccf4ea8c196de0ec50bd67b1981160f2cdf2efed67d84f54e0ecb88aedfb070"
        );
    }

    #[test]
    fn layout_and_comments_do_not_count_but_words_and_quoted_text_do() {
        let one = |text: &str| digest([("a.lawful", text)]);
        let written = "rule r\n  allow use of d   # why\n  about v\n  cite \"A  #1\"\n";
        let laid_out = "# a new comment\nrule r allow use of d\r\n\tabout v cite \"A  #1\"";
        assert_eq!(one(written), one(laid_out));
        assert_ne!(one(written), one(&written.replace("about v", "about w")));
        assert_ne!(one(written), one(&written.replace("A  #1", "A #1")));
        assert_ne!(one("allow use"), one("allowuse"));
    }

    #[test]
    fn formatting_a_file_keeps_its_digest() {
        let messy = "policy \"P\"   version 2024-01-01\nrole v \"v\" # who\ncategory d \"d\"\npurpose p \"p\"\nrule r allow use of d about v for p basis contract cite \"A\", \"B\"\n";
        let formatted = crate::format::format_file("a.lawful", messy).unwrap_or_default();
        assert_ne!(formatted, messy);
        assert_eq!(
            digest([("a.lawful", messy)]),
            digest([("a.lawful", formatted.as_str())])
        );
    }

    #[test]
    fn order_of_files_does_not_matter_but_names_and_texts_do() {
        let one = digest([("a.lawful", "x"), ("b.lawful", "y")]);
        assert_eq!(one, digest([("b.lawful", "y"), ("a.lawful", "x")]));
        assert_ne!(one, digest([("a.lawful", "y"), ("b.lawful", "x")]));
        assert_ne!(one, digest([("a.lawful", "x"), ("c.lawful", "y")]));
        // Moving a byte from one file's end to the next file's start changes it.
        assert_ne!(
            digest([("a", "xy"), ("b", "z")]),
            digest([("a", "x"), ("b", "yz")])
        );
    }
}
