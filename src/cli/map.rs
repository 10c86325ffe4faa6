//! `lawful map PATH [--version V] [--format F]`: the data map, and the reports made
//! from it.

use std::io::Write;
use std::path::{Path, PathBuf};

use lawful::report::{self, Format};

use super::{BAD_INPUT, OK};

/// The data map of a policy version, computed from its rules: every use of a
/// role's data category for a purpose that the rules allow, with its basis, rule,
/// sections, conditions and recipients; and the reports made from it.
#[derive(clap::Args)]
#[command(
    after_help = "Formats:\n  markdown            tables to read (the default)\n  json                {\"version\", \"uses\": [...]}, one use per leaf\n  csv                 one row per use and recipient\n  html                one self-contained page: a filterable matrix of every version,\n                      with the rules, the policy text and what each revision changed\n  ropa, ropa-json     the record of processing activities (GDPR Art. 30) and the CCPA lists\n  ccpa, ccpa-json     the CCPA lists alone\n  fides               a Fides system manifest (YAML)\n\nExit: 0 written, 2 the policy, the version or an option was bad.\n\nExample:\n  lawful map rules/filestack --format ropa"
)]
pub(crate) struct MapArgs {
    /// A rule file, or a directory with one rule file per version
    path: PathBuf,
    /// The version to map (default: the newest)
    #[arg(long, value_name = "V")]
    version: Option<String>,
    /// What to write: markdown, json, csv, html, ropa, ropa-json, ccpa, ccpa-json, fides
    #[arg(long, value_name = "F", default_value = "markdown")]
    format: String,
    /// For html: the published policy texts, one Markdown file per version whose
    /// name holds the version's name (default: PATH/text when it exists)
    #[arg(long, value_name = "DIR")]
    texts: Option<PathBuf>,
}

/// What `lawful map` was asked for.
pub(crate) struct MapOptions {
    /// The rules.
    pub(crate) path: PathBuf,
    /// The version (the newest when `None`).
    pub(crate) version: Option<String>,
    /// The output.
    pub(crate) format: Format,
    /// Where the published texts are, for the HTML page.
    pub(crate) texts: Option<PathBuf>,
}

pub(crate) fn run(args: &MapArgs) -> u8 {
    let format = match Format::from_name(&args.format) {
        Ok(f) => f,
        Err(message) => {
            eprintln!("error: {message}");
            return BAD_INPUT;
        }
    };
    let options = MapOptions {
        path: args.path.clone(),
        version: args.version.clone(),
        format,
        texts: args.texts.clone(),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    write(&options, &mut out)
}

/// Writes the map or report `options` asks for to `out`; the exit code.
pub(crate) fn write(options: &MapOptions, out: &mut dyn Write) -> u8 {
    let policy = match super::load_policy(&options.path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let texts = options
        .texts
        .clone()
        .or_else(|| texts_beside(&options.path));
    let sources = match options.format {
        Format::Html => match lawful::report::Sources::read(&options.path, texts.as_deref()) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("{e}");
                return BAD_INPUT;
            }
        },
        _ => None,
    };
    let written = report::render(
        &policy,
        options.version.as_deref(),
        options.format,
        sources.as_ref(),
    );
    match written {
        Ok(text) => match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => OK,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => OK,
            Err(e) => {
                eprintln!("error: cannot write the output: {e}");
                BAD_INPUT
            }
        },
        Err(e) => {
            eprintln!("error: {e}");
            BAD_INPUT
        }
    }
}

/// The policy texts folder inside a rules folder, if there is one.
fn texts_beside(path: &Path) -> Option<PathBuf> {
    Some(path.join("text")).filter(|p| p.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filestack_has_its_texts_beside_it() {
        let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/filestack");
        assert!(texts_beside(&rules).is_some());
        assert!(texts_beside(&rules.join("2021-11-11.lawful")).is_none());
    }
}
