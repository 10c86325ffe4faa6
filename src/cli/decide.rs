//! `lawful decide --policy PATH [FILE]`: JSON requests in, JSON decisions out.

use std::ffi::OsString;
use std::io::{BufWriter, Write};

use super::input;

use lawful::{Policy, Request, RequestError};

use super::{BAD_INPUT, OK};

const HELP: &str = "\
Decide requests against a policy. Input is JSON Lines (one request per line)
from FILE or standard input: one answer per line, in order, whatever a line
holds; a bad line yields an error object on its line and the rest go on; blank
lines are skipped. Input that is, as a whole, one JSON request spread over
several lines (a pretty-printed file) gets one answer.

Usage: lawful decide --policy PATH [--explain] [FILE]

  --policy PATH  a rule file, or a directory with one rule file per version
  --explain      add a `trace` of the rules considered and why
  FILE           the requests (default: standard input; `-` also means it)

Exit: 0 every request decided, 2 a request or the policy was bad.

Example:
  echo '{\"action\": \"use\", \"subject\": {\"role\": \"visitor\"},
         \"data\": \"device.ip_address\", \"purpose\": \"operate_website\"}' |
    lawful decide --policy rules/filestack
";

/// The line written for a request that cannot be decided: `{"error": {...}}`.
#[derive(serde::Serialize)]
struct ErrorLine<'a> {
    error: &'a RequestError,
}

fn error_line(error: &RequestError) -> String {
    serde_json::to_string(&ErrorLine { error }).unwrap_or_else(|_| {
        r#"{"error":{"kind":"request","message":"the request cannot be decided"}}"#.to_owned()
    })
}

fn decide_line(policy: &Policy, line: &[u8], explain: bool) -> Result<String, RequestError> {
    let request = Request::from_json(line).map_err(|mut e| {
        if is_unfinished(line) {
            e.message.push_str(
                "; each line must hold one whole request (JSON Lines), or the input must be one request alone",
            );
        }
        e
    })?;
    let text = if explain {
        let (decision, trace) = policy.explain(&request)?;
        serde_json::to_string(&decision.with_trace(&trace))
    } else {
        serde_json::to_string(&policy.decide(&request)?)
    };
    text.map_err(|e| RequestError::field("request", format!("cannot write the decision: {e}")))
}

pub(crate) fn run(raw: &[OsString]) -> u8 {
    let args = match super::args::read(raw, &["policy"], &["explain"], HELP) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let Some(policy_path) = args.value("policy") else {
        eprintln!("error: `--policy PATH` is required\n\n{HELP}");
        return BAD_INPUT;
    };
    if args.positionals.len() > 1 {
        eprintln!("error: give at most one FILE of requests\n\n{HELP}");
        return BAD_INPUT;
    }
    let policy = match super::load_policy(policy_path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut reader = match input::open(args.positionals.first()) {
        Ok(r) => r,
        Err(message) => {
            eprintln!("error: {}", lawful::terminal_safe(&message));
            return BAD_INPUT;
        }
    };
    let explain = args.flag("explain");
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut bad = 0usize;
    let mut first = true;
    loop {
        let line = match input::next_line(&mut reader) {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(e) => {
                eprintln!("error: cannot read the requests: {e}");
                return BAD_INPUT;
            }
        };
        let result = match line {
            input::Line::TooLong => Err(input::too_long()),
            input::Line::Text(text) if text.trim_ascii().is_empty() => continue,
            input::Line::Text(text) => {
                let mut answer = None;
                // Input that begins with an unfinished request may be one request
                // spread over lines: it is, if the input as a whole is one JSON
                // value. Otherwise every line is read again, one by one.
                if first && is_unfinished(&text) {
                    match input::whole_document(reader, text.clone()) {
                        (rest, Some(document)) => {
                            reader = rest;
                            answer = Some(decide_line(&policy, &document, explain));
                        }
                        (rest, None) => reader = rest,
                    }
                }
                answer.unwrap_or_else(|| decide_line(&policy, &text, explain))
            }
        };
        first = false;
        let text = terminal_safe_json(result.unwrap_or_else(|error| {
            bad += 1;
            error_line(&error)
        }));
        if writeln!(out, "{text}").is_err() {
            // The reader went away (a closed pipe): nothing more to say.
            return OK;
        }
        // Answer at once when no more input is waiting (a live pipe).
        if reader.buffer().is_empty() && out.flush().is_err() {
            return OK;
        }
    }
    if out.flush().is_err() {
        return OK;
    }
    if bad > 0 { BAD_INPUT } else { OK }
}

/// A line of JSON with the characters a terminal may act on (DEL, C1 controls,
/// bidi marks; serde already escapes C0) written as JSON escapes such as
/// `\u009b`: the same JSON to a program, inert on a terminal.
fn terminal_safe_json(line: String) -> String {
    if !line.chars().any(lawful::is_terminal_control) {
        return line;
    }
    let mut safe = String::with_capacity(line.len() + 16);
    for c in line.chars() {
        if lawful::is_terminal_control(c) {
            // Every such character is in the Basic Multilingual Plane: one escape.
            safe.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            safe.push(c);
        }
    }
    safe
}

/// True when a line starts JSON it does not finish (an object or a list cut short).
fn is_unfinished(line: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(line).is_err_and(|e| e.is_eof())
}
