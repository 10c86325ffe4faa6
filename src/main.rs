//! The `lawful` command: check, test, decide and explain privacy policies.

mod cli;
mod lsp;

fn main() -> std::process::ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    std::process::ExitCode::from(cli::run(&args))
}
