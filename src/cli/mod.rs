//! The command-line interface. Each command has its own module; this one reads
//! the arguments and dispatches. Exit codes: 0 success, 1 a check or test
//! failure, 2 bad input or usage.

mod args;
mod check;
mod decide;
mod explain;
mod input;
mod test;

use std::ffi::OsString;

pub(crate) use args::Args;

/// Success.
pub(crate) const OK: u8 = 0;
/// A check or test found problems.
pub(crate) const FAILED: u8 = 1;
/// Bad input or usage.
pub(crate) const BAD_INPUT: u8 = 2;

const HELP: &str = "\
lawful — privacy policies as code

Usage: lawful <COMMAND> [OPTIONS]

Commands:
  check    Parse, validate and lint rule files
  test     Run the expected decisions written beside the rules
  decide   Decide JSON requests (one, or JSON Lines) against a policy
  explain  Explain one decision in plain English

Run `lawful <COMMAND> --help` for a command's options and an example.

Example:
  lawful explain --policy rules/filestack examples/revoked-marketing.json
";

pub(crate) fn run(raw: &[OsString]) -> u8 {
    let Some(command) = raw.first().and_then(|c| c.to_str()) else {
        eprint!("{HELP}");
        return BAD_INPUT;
    };
    let rest = raw.get(1..).unwrap_or_default();
    match command {
        "-h" | "--help" | "help" => {
            print!("{HELP}");
            OK
        }
        "-V" | "--version" => {
            println!("lawful {}", env!("CARGO_PKG_VERSION"));
            OK
        }
        "check" => check::run(rest),
        "test" => test::run(rest),
        "decide" => decide::run(rest),
        "explain" => explain::run(rest),
        other => {
            let hint = lawful_core::suggest::suggest(other, ["check", "test", "decide", "explain"])
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            let other = lawful::terminal_safe(other);
            eprintln!("error: unknown command `{other}`{hint}\n\n{HELP}");
            BAD_INPUT
        }
    }
}

/// Loads a policy, printing its diagnostics to stderr when it fails.
pub(crate) fn load_policy(path: &std::path::Path) -> Result<lawful::Policy, u8> {
    lawful::Policy::load(path).map_err(|e| {
        eprintln!("{e}");
        BAD_INPUT
    })
}
