//! `lawful lsp`: the language server, for editors.

use std::ffi::OsString;

use super::{BAD_INPUT, FAILED, OK};

const HELP: &str = "\
Start the language server: an editor runs it and speaks the Language Server
Protocol with it over stdin and stdout. It checks each rule file as you type,
with the other rule and test files of its folder, and answers hover, go to
definition, completion and formatting. Setup for VS Code, Neovim and Helix:
docs/editors.md.

Usage: lawful lsp [--stdio]

  --stdio  accepted for editors that pass it; stdio is the only transport

Exit: 0 after the editor's `shutdown` and `exit`, 1 on `exit` without
`shutdown`, 2 when the conversation breaks.

Example (what an editor runs):
  lawful lsp
";

pub(crate) fn run(raw: &[OsString]) -> u8 {
    let args = match super::args::read(raw, &[], &["stdio"], HELP) {
        Ok(a) => a,
        Err(code) => return code,
    };
    if !args.positionals.is_empty() {
        eprintln!("error: `lawful lsp` takes no paths: the editor names its documents\n\n{HELP}");
        return BAD_INPUT;
    }
    serve()
}

/// Serves one editor over stdio.
pub(crate) fn serve() -> u8 {
    match crate::lsp::serve_stdio() {
        Ok(true) => OK,
        Ok(false) => FAILED,
        Err(message) => {
            eprintln!("error: {message}");
            BAD_INPUT
        }
    }
}
