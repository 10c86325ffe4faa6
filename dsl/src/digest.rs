//! The digest of a policy's sources: which exact text a decision came from.
//!
//! SHA-256 over the rule files in the byte order of their names, each written as
//! its name (relative to the policy's folder), a zero byte, the length of its text
//! as 8 bytes big-endian, then the text. Names cannot hold a zero byte and every
//! text carries its length, so no two different sets of files hash the same
//! input. Test files do not take part: they decide nothing.

use sha2::{Digest as _, Sha256};

use crate::diagnostic::Source;

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
        // INTEGRATE: once `lawful_dsl::format::format_file(name, text)` exists, hash
        // its output (falling back to `text` when it reports diagnostics), so a
        // change of layout alone keeps the digest.
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
