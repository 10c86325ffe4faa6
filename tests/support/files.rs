//! Scratch copies of the Filestack policy, edited as editors save files.

#![allow(dead_code, reason = "each user takes what it needs")]

use std::path::{Path, PathBuf};

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/filestack");

/// The Filestack rule files (no tests) in a fresh folder named for `tag`.
pub fn copy_of_filestack(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lawful-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(RULES).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.ends_with(".lawful") && !name.ends_with(".test.lawful") {
            std::fs::copy(&path, dir.join(name)).unwrap();
        }
    }
    dir
}

/// Replaces a file as editors do: a new file renamed over the old one, so no
/// reader ever sees it half-written.
pub fn replace(path: &Path, text: &str) {
    let temporary = path.with_extension("saving");
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, path).unwrap();
}
