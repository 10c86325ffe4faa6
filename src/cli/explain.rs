//! `lawful explain --policy PATH FILE`: one decision, as prose.

use std::path::PathBuf;

use lawful::Request;

use super::{BAD_INPUT, OK};

/// Explain one decision in plain English: the answer, the rule that decided, the
/// policy sections it rests on, what must be done now, and every rule considered.
#[derive(clap::Args)]
#[command(
    after_help = "Exit: 0 explained, 2 the request or the policy was bad.\n\nExample:\n  lawful explain --policy rules/filestack examples/revoked-marketing.json"
)]
pub(crate) struct ExplainArgs {
    /// A rule file, or a directory with one rule file per version
    #[arg(long, value_name = "PATH")]
    policy: PathBuf,
    /// One JSON request (default: standard input; `-` also means it)
    file: Option<PathBuf>,
}

pub(crate) fn run(args: &ExplainArgs) -> u8 {
    let policy_path = &args.policy;
    let policy = match super::load_policy(policy_path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let input = match super::input::read_one(args.file.as_ref()) {
        Ok(i) => i,
        Err(message) => {
            eprintln!("error: {}", lawful::terminal_safe(&message));
            return BAD_INPUT;
        }
    };
    let explained = Request::from_json(input.trim_ascii()).and_then(|request| {
        let (decision, trace) = policy.explain(&request)?;
        Ok(lawful::explain::prose(&policy, &request, &decision, &trace))
    });
    match explained {
        // Labels, cites and the request's own names are printed as text: control
        // characters in them are shown escaped, never sent to the terminal.
        Ok(text) => {
            print!("{}", lawful::terminal_safe(&text));
            OK
        }
        Err(error) => {
            let message = error.to_string();
            eprintln!(
                "error: the request cannot be decided: {}",
                lawful::terminal_safe(&message)
            );
            BAD_INPUT
        }
    }
}
