//! `lawful diff OLD NEW`: every decision that changes between two policies.

use std::io::Write;

use lawful::diff::{self, Format};

use super::{BAD_INPUT, FAILED, OK};

/// Report every decision that changes between two policies, exactly: each change
/// with the requests it holds and a witness request the two decide differently.
/// Two folders of several versions are compared for every collection date; a
/// version named on one side (or a single file) is compared with the other side's
/// version of the same name.
#[derive(clap::Args)]
#[command(
    after_help = "Exit: 0 nothing changes, 1 something does, 2 bad input.\n\nExample:\n  lawful diff rules/filestack@2020-04-06 rules/filestack@2020-04-17\n  lawful diff --format markdown main:rules/filestack rules/filestack"
)]
pub(crate) struct DiffCommand {
    /// The policy before: a rule file or a folder of versions, a version inside one
    /// (rules/filestack@2020-04-17), or a git revision of either (main:rules/filestack)
    old: String,
    /// The policy after, written the same ways
    new: String,
    /// text (default), markdown (for a pull request's comment) or json
    #[arg(long, default_value = "text", value_parser = ["text", "markdown", "json"])]
    format: String,
}

/// What `lawful diff` was asked.
pub(crate) struct DiffArgs {
    pub(crate) old: String,
    pub(crate) new: String,
    pub(crate) format: Format,
}

pub(crate) fn run(args: &DiffCommand) -> u8 {
    let Some(format) = Format::from_name(&args.format) else {
        eprintln!("error: `--format` must be text, markdown or json");
        return BAD_INPUT;
    };
    let options = DiffArgs {
        old: args.old.clone(),
        new: args.new.clone(),
        format,
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    compare(&options, &mut stdout.lock(), &mut stderr.lock())
}

/// Loads both sides, compares them and prints the diff: 0 when nothing
/// changes, 1 when something does, 2 when a side cannot be read or compared.
pub(crate) fn compare(options: &DiffArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let result = diff::load(&options.old).and_then(|old| {
        let new = diff::load(&options.new)?;
        let compared = diff::diff(
            &old.policy,
            old.version.as_deref(),
            &new.policy,
            new.version.as_deref(),
        )?;
        Ok(compared.with_labels(&old.label, &new.label))
    });
    match result {
        Ok(compared) => {
            // A reader that stops early (`| head`) changes nothing about the answer.
            let written = out.write_all(diff::render(&compared, options.format).as_bytes());
            if let Err(e) = written {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    let _ = writeln!(err, "error: cannot write the diff: {e}");
                    return BAD_INPUT;
                }
            }
            if compared.is_empty() { OK } else { FAILED }
        }
        Err(error) => {
            let _ = writeln!(err, "error: {error}");
            BAD_INPUT
        }
    }
}
