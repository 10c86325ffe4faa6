//! `lawful lsp`: the language server, for editors.

use super::{BAD_INPUT, FAILED, OK};

/// Start the language server: an editor runs it and speaks the Language Server
/// Protocol with it over stdin and stdout. It checks each rule file as you type,
/// with the other rule and test files of its folder, and answers hover, go to
/// definition, completion and formatting. Setup for VS Code, Neovim and Helix:
/// docs/editors.md.
#[derive(clap::Args)]
#[command(
    after_help = "Exit: 0 after the editor's `shutdown` and `exit`, 1 on `exit` without\n`shutdown`, 2 when the conversation breaks.\n\nExample (what an editor runs):\n  lawful lsp"
)]
pub(crate) struct LspArgs {
    /// Accepted for editors that pass it; stdio is the only transport
    #[arg(long)]
    stdio: bool,
}

pub(crate) fn run(_args: &LspArgs) -> u8 {
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
