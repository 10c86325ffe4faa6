//! The command-line interface, parsed with clap. Each command has its own module
//! with its options and its `run`; this one dispatches. Exit codes: 0 success,
//! 1 a check or test failure, 2 bad input or usage (clap's own usage errors too).

mod check;
mod decide;
mod diff;
mod explain;
mod fmt;
mod input;
mod lsp;
mod map;
mod report;
#[cfg(feature = "server")]
mod serve;
mod test;

use clap::{Parser, Subcommand};

/// Success.
pub(crate) const OK: u8 = 0;
/// A check or test found problems.
pub(crate) const FAILED: u8 = 1;
/// Bad input or usage.
pub(crate) const BAD_INPUT: u8 = 2;

/// lawful — privacy policies as code
#[derive(Parser)]
#[command(
    name = "lawful",
    version,
    about = "lawful — privacy policies as code",
    after_help = "Example:\n  lawful explain --policy rules/filestack examples/revoked-marketing.json",
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse, validate and lint rule files
    Check(check::CheckArgs),
    /// Run the expected decisions written beside the rules
    Test(test::TestArgs),
    /// Decide JSON requests (one, or JSON Lines) against a policy
    Decide(decide::DecideArgs),
    /// Explain one decision in plain English
    Explain(explain::ExplainArgs),
    /// Lay rule and test files out canonically
    Fmt(fmt::FmtArgs),
    /// Start the language server for editors (stdio)
    Lsp(lsp::LspArgs),
    /// The data map, a record of processing, or a Fides manifest
    Map(map::MapArgs),
    /// Report every decision that changes between two policies
    Diff(diff::DiffCommand),
    /// Serve decisions over HTTP/JSON, reloading the rules as they change
    #[cfg(feature = "server")]
    Serve(serve::ServeArgs),
}

/// Parses the arguments and runs the command; the exit code.
pub(crate) fn run(raw: impl IntoIterator<Item = std::ffi::OsString>) -> u8 {
    let cli = match Cli::try_parse_from(std::iter::once("lawful".into()).chain(raw)) {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version go to stdout with exit 0; usage errors to stderr with 2.
            let _ = error.print();
            return if error.use_stderr() { BAD_INPUT } else { OK };
        }
    };
    match &cli.command {
        Command::Check(args) => check::run(args),
        Command::Test(args) => test::run(args),
        Command::Decide(args) => decide::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Lsp(args) => lsp::run(args),
        Command::Map(args) => map::run(args),
        Command::Diff(args) => diff::run(args),
        #[cfg(feature = "server")]
        Command::Serve(args) => serve::run(args),
    }
}

/// Loads a policy, printing its diagnostics to stderr when it fails.
pub(crate) fn load_policy(path: &std::path::Path) -> Result<lawful::Policy, u8> {
    lawful::Policy::load(path).map_err(|e| {
        eprintln!("{e}");
        BAD_INPUT
    })
}
