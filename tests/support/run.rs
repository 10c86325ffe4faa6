//! Running the `lawful` binary as a user does.

#![allow(dead_code, reason = "each user takes what it needs")]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs the binary from the repository's root, feeding `stdin` from another
/// thread so that a long answer cannot block a long question.
pub fn lawful(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lawful"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let bytes = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // The binary may stop reading early; that is its business.
        let _ = input.write_all(&bytes);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}
