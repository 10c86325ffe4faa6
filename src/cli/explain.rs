//! `lawful explain --policy PATH FILE`: one decision, as prose.

use std::ffi::OsString;

use lawful::Request;

use super::{BAD_INPUT, OK};

const HELP: &str = "\
Explain one decision in plain English: the answer, the rule that decided, the
policy sections it rests on, what must be done now, and every rule considered.

Usage: lawful explain --policy PATH [FILE]

  --policy PATH  a rule file, or a directory with one rule file per version
  FILE           one JSON request (default: standard input; `-` also means it)

Exit: 0 explained, 2 the request or the policy was bad.

Example:
  lawful explain --policy rules/filestack examples/revoked-marketing.json
";

pub(crate) fn run(raw: &[OsString]) -> u8 {
    let args = match super::args::read(raw, &["policy"], &[], HELP) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let Some(policy_path) = args.value("policy") else {
        eprintln!("error: `--policy PATH` is required\n\n{HELP}");
        return BAD_INPUT;
    };
    if args.positionals.len() > 1 {
        eprintln!("error: give one FILE holding one request\n\n{HELP}");
        return BAD_INPUT;
    }
    let policy = match super::load_policy(policy_path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let input = match super::input::read_one(args.positionals.first()) {
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
