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
fn layout_free(text: &str) -> String {
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
