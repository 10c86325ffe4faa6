//! `lawful map PATH [--version V] [--format F]`: the data map, and the reports made
//! from it.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use lawful::report::{self, Format};

use super::{BAD_INPUT, OK};

const HELP: &str = "\
The data map of a policy version, computed from its rules: every use of a role's
data category for a purpose that the rules allow, with its basis, rule, sections,
conditions and recipients; and the reports made from it.

Usage: lawful map PATH [--version V] [--format F] [--texts DIR]

  PATH          a rule file, or a directory with one rule file per version
  --version V   the version to map (default: the newest)
  --format F    markdown (default)  tables to read
                json                {\"version\", \"uses\": [...]}, one use per leaf
                csv                 one row per use and recipient
                html                one self-contained page: a filterable matrix of
                                    every version, with the rules, the policy text
                                    and what each revision changed
                ropa, ropa-json     the record of processing activities (GDPR
                                    Art. 30) and the CCPA lists
                ccpa, ccpa-json     the CCPA lists alone
                fides               a Fides system manifest (YAML)
  --texts DIR   for html: the published policy texts, one Markdown file per version
                whose name holds the version's name (default: PATH/text when it
                exists), so each section a rule cites can be read beside it

Exit: 0 written, 2 the policy, the version or an option was bad.

Example:
  lawful map rules/filestack --format ropa
";

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

pub(crate) fn run(raw: &[OsString]) -> u8 {
    let args = match super::args::read(raw, &["version", "format", "texts"], &[], HELP) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let [path] = args.positionals.as_slice() else {
        eprintln!("error: give one PATH to map\n\n{HELP}");
        return BAD_INPUT;
    };
    let format = match args.value("format").map(|f| f.to_string_lossy()) {
        None => Format::Markdown,
        Some(name) => match Format::from_name(&name) {
            Ok(f) => f,
            Err(message) => {
                eprintln!("error: {message}\n\n{HELP}");
                return BAD_INPUT;
            }
        },
    };
    let options = MapOptions {
        path: path.clone(),
        version: args
            .value("version")
            .map(|v| v.to_string_lossy().into_owned()),
        format,
        texts: args.value("texts").cloned(),
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
