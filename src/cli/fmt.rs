//! `lawful fmt [--check | --diff] PATH…`: lay rule and test files out canonically.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use lawful::format::format_file;

use super::{BAD_INPUT, FAILED, OK};

/// Lay rule files (*.lawful) and test files (*.test.lawful) out in the one canonical
/// layout: clauses on their own lines, indented two spaces, long lists wrapped, one
/// blank line between rules, comments kept where they were. Formatting never
/// changes what a file means. Without --check or --diff, files are rewritten in place.
#[derive(clap::Args)]
#[command(
    after_help = "Exit: 0 formatted (or, with --check or --diff, nothing to change), 1 a file is\nnot formatted (--check, --diff), 2 a file cannot be read or does not parse.\n\nExample:\n  lawful fmt --check rules/filestack"
)]
pub(crate) struct FmtArgs {
    /// Rule or test files, or directories: every *.lawful file in them and their subdirectories
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Change nothing; name each file that is not formatted
    #[arg(long, conflicts_with = "diff")]
    check: bool,
    /// Change nothing; print what formatting would change, as a unified diff
    #[arg(long)]
    diff: bool,
}

/// What `lawful fmt` should do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FmtOptions {
    /// Files and directories to format.
    pub(crate) paths: Vec<PathBuf>,
    /// Change nothing; name the files that would change.
    pub(crate) check: bool,
    /// Change nothing; print a unified diff of what would change.
    pub(crate) diff: bool,
}

pub(crate) fn run(args: &FmtArgs) -> u8 {
    let options = FmtOptions {
        paths: args.paths.clone(),
        check: args.check,
        diff: args.diff,
    };
    fmt(
        &options,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )
}

/// Formats every file `options` names: rewrites them, or with `--check`/`--diff`
/// reports them. Reports go to `out`, diagnostics to `err`; returns the exit code.
pub(crate) fn fmt(options: &FmtOptions, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let mut files = Vec::new();
    let mut broken = false;
    for path in &options.paths {
        if let Err(message) = collect(path, &mut files) {
            let _ = writeln!(err, "error: {message}");
            broken = true;
        }
    }
    let report_only = options.check || options.diff;
    let (mut changed, mut unchanged) = (0usize, 0usize);
    for file in &files {
        let (original, formatted) = match format_one(file) {
            Ok(pair) => pair,
            Err(rendered) => {
                let _ = write!(err, "{rendered}");
                broken = true;
                continue;
            }
        };
        if original == formatted {
            unchanged += 1;
            continue;
        }
        changed += 1;
        if options.diff {
            let _ = write!(out, "{}", unified_diff(file, &original, &formatted));
        }
        if report_only {
            if options.check {
                let _ = writeln!(out, "would reformat {}", file.display());
            }
        } else if let Err(e) = write_in_place(file, &formatted) {
            let _ = writeln!(err, "error: cannot write `{}`: {e}", file.display());
            broken = true;
        } else {
            let _ = writeln!(out, "formatted {}", file.display());
        }
    }
    let _ = writeln!(err, "{}", summary(changed, unchanged, report_only));
    if broken {
        BAD_INPUT
    } else if report_only && changed > 0 {
        FAILED
    } else {
        OK
    }
}

fn summary(changed: usize, unchanged: usize, report_only: bool) -> String {
    let files = |n: usize| format!("{n} file{}", if n == 1 { "" } else { "s" });
    let verb = if report_only {
        "would be reformatted"
    } else {
        "reformatted"
    };
    format!(
        "{} {verb}, {} already formatted",
        files(changed),
        files(unchanged)
    )
}

/// The `*.lawful` files of `path`: the file itself, or those in a directory and
/// its subdirectories (hidden ones left out), sorted.
fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let metadata =
        std::fs::metadata(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if !metadata.is_dir() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries = Vec::new();
    for entry in
        std::fs::read_dir(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?
    {
        let entry = entry.map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        entries.push(entry.path());
    }
    entries.sort();
    for entry in entries {
        let name = entry
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if entry.is_dir() {
            if !name.starts_with('.') {
                collect(&entry, files)?;
            }
        } else if name.ends_with(".lawful") {
            files.push(entry);
        }
    }
    Ok(())
}

/// A file's text as it is, and as formatted; or its rendered diagnostics.
fn format_one(path: &Path) -> Result<(String, String), String> {
    let source = lawful::read_source(path).map_err(|d| lawful::render_diagnostics(&[d]))?;
    let formatted =
        format_file(&source.name, &source.text).map_err(|d| lawful::render_diagnostics(&d))?;
    // The reader drops a byte-order mark; formatting drops it from the file too.
    let mut original = source.text;
    if starts_with_byte_order_mark(path) {
        original.insert(0, '\u{feff}');
    }
    Ok((original, formatted))
}

fn starts_with_byte_order_mark(path: &Path) -> bool {
    let mut start = [0u8; 3];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut start))
        .is_ok()
        && start == [0xef, 0xbb, 0xbf]
}

/// Writes beside the file, then renames over it, so a failure never leaves half a
/// file; the file keeps its permissions, and a symbolic link stays a link (the file
/// it points to is rewritten).
fn write_in_place(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let permissions = std::fs::metadata(&target)?.permissions();
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".fmt-{}", std::process::id()));
    let temporary = target.with_file_name(name);
    let written = std::fs::write(&temporary, text)
        .and_then(|()| std::fs::set_permissions(&temporary, permissions))
        .and_then(|()| std::fs::rename(&temporary, &target));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

fn unified_diff(path: &Path, original: &str, formatted: &str) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(original, formatted)
        .unified_diff()
        .context_radius(3)
        .header(&name, &format!("{name} (formatted)"))
        .to_string()
}
