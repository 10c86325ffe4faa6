//! A small argument reader: options (`--name value`, `--flag`) and positionals.
//! Every command declares what it accepts, so a typo is an error with a hint.

use std::ffi::OsString;
use std::path::PathBuf;

/// The parsed arguments of one command.
pub(crate) struct Args {
    pub(crate) positionals: Vec<PathBuf>,
    options: Vec<(&'static str, Option<PathBuf>)>,
    pub(crate) help: bool,
}

impl Args {
    /// Reads `raw`, accepting the given valued options and flags.
    pub(crate) fn parse(
        raw: &[OsString],
        valued: &[&'static str],
        flags: &[&'static str],
    ) -> Result<Args, String> {
        let mut args = Args {
            positionals: Vec::new(),
            options: Vec::new(),
            help: false,
        };
        let mut items = raw.iter();
        while let Some(item) = items.next() {
            let text = item.to_string_lossy();
            if text == "-h" || text == "--help" {
                args.help = true;
            } else if let Some(name) = text.strip_prefix("--") {
                let (name, inline) = match name.split_once('=') {
                    Some((n, v)) => (n, Some(PathBuf::from(v))),
                    None => (name, None),
                };
                if let Some(known) = valued.iter().find(|v| **v == name) {
                    let value = inline
                        .or_else(|| items.next().map(PathBuf::from))
                        .ok_or_else(|| format!("`--{name}` needs a value"))?;
                    args.options.push((known, Some(value)));
                } else if let Some(known) = flags.iter().find(|f| **f == name) {
                    args.options.push((known, None));
                } else {
                    let all = valued.iter().chain(flags).copied();
                    let hint = lawful_core::suggest::suggest(name, all)
                        .map(|s| format!(" (did you mean `--{s}`?)"))
                        .unwrap_or_default();
                    return Err(format!("unknown option `--{name}`{hint}"));
                }
            } else {
                args.positionals.push(PathBuf::from(item));
            }
        }
        Ok(args)
    }

    /// The value of a valued option.
    pub(crate) fn value(&self, name: &str) -> Option<&PathBuf> {
        self.options
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.as_ref())
    }

    /// Whether a flag was given.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| *n == name)
    }
}

/// Reads a command's arguments, printing help or a usage error as needed.
/// `Err` carries the exit code to return.
pub(crate) fn read(
    raw: &[OsString],
    valued: &[&'static str],
    flags: &[&'static str],
    help: &str,
) -> Result<Args, u8> {
    match Args::parse(raw, valued, flags) {
        Ok(args) if args.help => {
            print!("{help}");
            Err(super::OK)
        }
        Ok(args) => Ok(args),
        Err(message) => {
            eprintln!("error: {}\n\n{help}", lawful::terminal_safe(&message));
            Err(super::BAD_INPUT)
        }
    }
}
