//! The `lawful` command: check, test, decide and explain privacy policies.

mod cli;
mod lsp;

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(cli::run(std::env::args_os().skip(1)))
}
