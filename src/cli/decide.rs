//! `lawful decide --policy PATH [FILE]`: JSON requests in, JSON decisions out.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::input;

use lawful::Request;
use lawful::audit::{Answered, AuditLog, Detail, answer, refusal};

use super::{BAD_INPUT, OK};

/// Decide requests against a policy. Input is one JSON request, or JSON Lines (one
/// request per line), from FILE or standard input. Output is one decision per line,
/// in order; a bad line yields an error object on its line and the rest go on.
#[derive(clap::Args)]
#[command(
    after_help = "Exit: 0 every request decided, 2 a request or the policy was bad, or the audit log\ncould not be written.\n\nExample:\n  echo '{\"action\": \"use\", \"subject\": {\"role\": \"visitor\"}, \"data\": \"device.ip_address\", \"purpose\": \"operate_website\"}' |\n    lawful decide --policy rules/filestack"
)]
pub(crate) struct DecideArgs {
    /// A rule file, or a directory with one rule file per version
    #[arg(long, value_name = "PATH")]
    policy: PathBuf,
    /// Add a `trace` of the rules considered and why
    #[arg(long)]
    explain: bool,
    /// Append an audit record (time, request, decision, policy digest) for each
    /// answer to FILE, as JSON Lines
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// The requests (default: standard input; `-` also means it)
    file: Option<PathBuf>,
}

/// Records an answer when a log was asked for. An answer that cannot be recorded
/// is not given: `Err` says why.
fn recorded(answered: Answered, log: Option<&AuditLog>) -> Result<Answered, String> {
    if let (Some(log), Some(record)) = (log, &answered.record) {
        log.append(record).map_err(|e| {
            format!(
                "cannot write to the audit log `{}`: {e}",
                log.path().display()
            )
        })?;
    }
    Ok(answered)
}

pub(crate) fn run(args: &DecideArgs) -> u8 {
    let policy_path = &args.policy;
    let policy = match super::load_policy(policy_path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut reader = match input::open(args.file.as_ref()) {
        Ok(r) => r,
        Err(message) => {
            eprintln!("error: {}", lawful::terminal_safe(&message));
            return BAD_INPUT;
        }
    };
    let detail = if args.explain {
        Detail::Trace
    } else {
        Detail::Decision
    };
    let log = match args.log.as_ref().map(AuditLog::open).transpose() {
        Ok(log) => log,
        Err(e) => {
            eprintln!("error: cannot open the audit log: {e}");
            return BAD_INPUT;
        }
    };
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
        let audit = log.is_some();
        let answered = match line {
            input::Line::TooLong => refusal(&policy, &input::too_long(), audit),
            input::Line::Text(text) if text.trim_ascii().is_empty() => continue,
            input::Line::Text(text) => {
                // Input that begins with an unfinished request may be one request
                // spread over lines: it is, if the input as a whole is one JSON
                // value. Otherwise every line is read again, one by one.
                let mut whole = None;
                if first && is_unfinished(&text) {
                    let (rest, document) = input::whole_document(reader, text.clone());
                    reader = rest;
                    whole = document;
                }
                match whole {
                    Some(document) => answer(&policy, &document, detail, audit),
                    None if is_unfinished(&text) => match Request::from_json(&text) {
                        Err(mut error) => {
                            error.message.push_str(
                                "; each line must hold one whole request (JSON Lines), or the input must be one request alone",
                            );
                            refusal(&policy, &error, audit)
                        }
                        Ok(_) => answer(&policy, &text, detail, audit),
                    },
                    None => answer(&policy, &text, detail, audit),
                }
            }
        };
        first = false;
        let answered = match recorded(answered, log.as_ref()) {
            Ok(answered) => answered,
            Err(message) => {
                let _ = out.flush();
                eprintln!("error: {message}");
                return BAD_INPUT;
            }
        };
        if answered.outcome.is_err() {
            bad += 1;
        }
        if writeln!(out, "{}", terminal_safe_json(answered.json)).is_err() {
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
