//! Loading rule and test files from disk: one file, or a directory of versions
//! (a version may span several files); the files are parsed in parallel.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lawful_core::{ModelError, Policy};

use crate::ast::{PolicyFile, TestFile};
use crate::diagnostic::{Diagnostic, Diagnostics, Omitted, Source, render_report};
use crate::labels::VersionLabels;
use crate::parser::MAX_FILE_BYTES;
use crate::testing::TestCase;
use crate::{compile, lower, testing};

/// The extension of rule files.
pub const RULE_EXTENSION: &str = ".lawful";
/// The ending of test files.
pub const TEST_SUFFIX: &str = ".test.lawful";

/// A policy that loaded, with the warnings its files raised.
#[derive(Clone, Debug)]
pub struct LoadedPolicy {
    /// The compiled policy.
    pub policy: Policy,
    /// Warnings that did not stop loading (at most
    /// [`crate::diagnostic::MAX_DIAGNOSTICS`]).
    pub warnings: Vec<Diagnostic>,
    /// How many more warnings were found than `warnings` holds.
    pub omitted_warnings: usize,
    /// The labels each version gives that differ from the vocabulary's.
    pub labels: VersionLabels,
    /// The files it was read from.
    pub files: Vec<PathBuf>,
    /// The SHA-256 of its sources ([`crate::digest`]), which decisions name.
    pub digest: [u8; 32],
}

/// Why a policy or test file did not load: the problems found, at most
/// [`crate::diagnostic::MAX_DIAGNOSTICS`] of them, and how many more there were.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", render_report(diagnostics, *omitted).trim_end())]
pub struct PolicyError {
    /// The problems, errors first.
    pub diagnostics: Vec<Diagnostic>,
    /// How many more problems were found than `diagnostics` holds.
    pub omitted: Omitted,
}

impl From<Vec<Diagnostic>> for PolicyError {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        PolicyError {
            diagnostics,
            omitted: Omitted::default(),
        }
    }
}

impl From<Diagnostic> for PolicyError {
    fn from(d: Diagnostic) -> Self {
        PolicyError::from(vec![d])
    }
}

impl From<Diagnostics> for PolicyError {
    fn from(diagnostics: Diagnostics) -> Self {
        let (diagnostics, omitted) = diagnostics.into_parts();
        PolicyError {
            diagnostics,
            omitted,
        }
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error("L050", format!("cannot read `{}`: {e}", path.display()))
        .with_help("check that the path exists and is readable")
}

/// What a path that is not a regular file is, in a message.
fn not_a_file(name: &str, metadata: &std::fs::Metadata) -> Diagnostic {
    let what = if metadata.is_dir() {
        "a directory".to_owned()
    } else {
        special_file(metadata)
            .unwrap_or("not a regular file")
            .to_owned()
    };
    let what = if what.starts_with("not") {
        what
    } else {
        format!("{what}, not a regular file")
    };
    Diagnostic::error("L050", format!("`{name}` is {what}"))
        .with_help("every `*.lawful` file given or in the folder must be a readable rule file: move or rename this one")
}

#[cfg(unix)]
fn special_file(metadata: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = metadata.file_type();
    if t.is_fifo() {
        Some("a named pipe")
    } else if t.is_socket() {
        Some("a socket")
    } else if t.is_block_device() || t.is_char_device() {
        Some("a device")
    } else {
        None
    }
}

#[cfg(not(unix))]
fn special_file(_: &std::fs::Metadata) -> Option<&'static str> {
    None
}

/// Opens a file for reading without waiting: a named pipe put where a rule file
/// was looked at is refused, not waited on.
fn open_for_reading(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Reads a file as a [`Source`], refusing what is not a regular file, files too
/// large, and text that is not UTF-8.
pub fn read_source(path: &Path) -> Result<Source, Diagnostic> {
    use std::io::Read;
    let name = path.display().to_string();
    let metadata = std::fs::metadata(path).map_err(|e| unreadable(path, &e))?;
    if !metadata.is_file() {
        return Err(not_a_file(&name, &metadata));
    }
    let too_large = || {
        Diagnostic::error(
            "L002",
            format!("`{name}` is larger than {MAX_FILE_BYTES} bytes, the most a rule file may be"),
        )
        .with_help("split the policy into smaller files")
    };
    if metadata.len() > MAX_FILE_BYTES as u64 {
        return Err(too_large());
    }
    // The file may change between the look and the read: look again at what was
    // opened, and read no more than the limit.
    let file = open_for_reading(path).map_err(|e| io_error(path, &e))?;
    let opened = file.metadata().map_err(|e| io_error(path, &e))?;
    if !opened.is_file() {
        return Err(not_a_file(&name, &opened));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, &e))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    String::from_utf8(bytes)
        .map(|text| Source::new(name.clone(), text))
        .map_err(|e| {
            Diagnostic::error(
                "L002",
                format!(
                    "`{name}` is not UTF-8 text (byte {} is not)",
                    e.utf8_error().valid_up_to()
                ),
            )
            .with_help("save the file as UTF-8")
        })
}

/// Why a path cannot be looked at: a symbolic link to nothing, a loop of links,
/// or whatever the system says.
fn unreadable(path: &Path, e: &std::io::Error) -> Diagnostic {
    let Ok(target) = std::fs::read_link(path) else {
        return io_error(path, e);
    };
    let message = if e.kind() == std::io::ErrorKind::NotFound {
        format!(
            "`{}` is a symbolic link to `{}`, which does not exist",
            path.display(),
            target.display()
        )
    } else {
        format!(
            "`{}` is a symbolic link that cannot be followed ({e})",
            path.display()
        )
    };
    Diagnostic::error("L050", message).with_help(
        "fix or remove the link: every `*.lawful` file in a policy folder is read, and one that cannot be is an error",
    )
}

/// The rule files (or with `tests`, the test files) under a directory, sorted; or
/// the path itself when it is a file of that kind. Every entry named like a file
/// of that kind must be a readable file: one that is not (a broken link, a pipe,
/// a folder) is an error, never skipped.
fn files(path: &Path, tests: bool) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    let is_test = |p: &Path| p.to_string_lossy().ends_with(TEST_SUFFIX);
    if !path.is_dir() {
        if !path.exists() {
            if std::fs::symlink_metadata(path).is_ok() {
                let e = std::io::Error::from(std::io::ErrorKind::NotFound);
                return Err(vec![unreadable(path, &e)]);
            }
            return Err(vec![
                Diagnostic::error("L050", format!("`{}` does not exist", path.display()))
                    .with_help("give a rule file or a directory of rule files"),
            ]);
        }
        if !tests && is_test(path) {
            return Err(vec![
                Diagnostic::error(
                    "L050",
                    format!("`{}` is a test file, not a rule file", path.display()),
                )
                .with_help("give the rule file or the directory of versions the tests are about"),
            ]);
        }
        return Ok(if tests && !is_test(path) {
            Vec::new()
        } else {
            vec![path.to_path_buf()]
        });
    }
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(path).map_err(|e| vec![io_error(path, &e)])? {
        let entry = entry.map_err(|e| vec![io_error(path, &e)])?;
        let entry_path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(RULE_EXTENSION) || is_test(&entry_path) != tests {
            continue;
        }
        match std::fs::metadata(&entry_path) {
            Ok(metadata) if metadata.is_file() => found.push(entry_path),
            Ok(metadata) => problems.push(not_a_file(&entry_path.display().to_string(), &metadata)),
            Err(e) => problems.push(unreadable(&entry_path, &e)),
        }
    }
    if !problems.is_empty() {
        problems.sort_by(|a, b| a.message.cmp(&b.message));
        return Err(problems);
    }
    found.sort();
    Ok(found)
}

/// The rule files (not test files) a path names: the file itself, or those
/// directly in a directory, sorted.
pub fn rule_files(path: &Path) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    files(path, false)
}

/// Parses one policy version file. At most
/// [`crate::diagnostic::MAX_DIAGNOSTICS`] problems are returned, the last saying
/// how many more there were (`L005`) when there were more.
pub fn parse_policy(source: &Source) -> Result<PolicyFile, Vec<Diagnostic>> {
    let mut diagnostics = Diagnostics::new();
    match lower::policy_file(source, &mut diagnostics) {
        Some(file) if diagnostics.is_empty() => Ok(file),
        _ => Err(diagnostics.into_vec()),
    }
}

/// Parses one test file (problems as [`parse_policy`] gives them).
pub fn parse_tests(source: &Source) -> Result<TestFile, Vec<Diagnostic>> {
    let mut diagnostics = Diagnostics::new();
    match lower::test_file(source, &mut diagnostics) {
        Some(file) if diagnostics.is_empty() => Ok(file),
        _ => Err(diagnostics.into_vec()),
    }
}

/// One policy file parsed, with every problem found in it.
fn parse_one(source: &Source) -> (Option<PolicyFile>, Diagnostics) {
    let mut found = Diagnostics::new();
    let file = lower::policy_file(source, &mut found);
    (file, found)
}

/// Below this many bytes in all, files are parsed on the calling thread: starting
/// threads would cost more than it saves.
const PARALLEL_BYTES: usize = 64 << 10;

/// Parses every source, each file on one of as many threads as the machine has
/// (the largest files dealt out first, each to the least loaded thread). Results
/// keep the order of the sources.
fn parse_all(sources: Vec<Source>) -> Vec<(Source, Option<PolicyFile>, Diagnostics)> {
    let total: usize = sources.iter().map(|s| s.text.len()).sum();
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(sources.len());
    let mut results: Vec<Option<(Option<PolicyFile>, Diagnostics)>> =
        sources.iter().map(|_| None).collect();
    if threads > 1 && total >= PARALLEL_BYTES {
        let mut order: Vec<usize> = (0..sources.len()).collect();
        order.sort_by_key(|i| std::cmp::Reverse(sources.get(*i).map_or(0, |s| s.text.len())));
        let mut shares: Vec<(usize, Vec<usize>)> = vec![(0, Vec::new()); threads];
        for i in order {
            if let Some(share) = shares.iter_mut().min_by_key(|(bytes, _)| *bytes) {
                share.0 += sources.get(i).map_or(0, |s| s.text.len());
                share.1.push(i);
            }
        }
        let sources = &sources;
        std::thread::scope(|scope| {
            let workers: Vec<_> = shares
                .iter()
                .filter_map(|(_, files)| {
                    std::thread::Builder::new()
                        .name("lawful-parse".to_owned())
                        .stack_size(8 << 20)
                        .spawn_scoped(scope, move || {
                            files
                                .iter()
                                .filter_map(|i| Some((*i, parse_one(sources.get(*i)?))))
                                .collect::<Vec<_>>()
                        })
                        .ok()
                })
                .collect();
            for worker in workers {
                for (i, result) in worker.join().unwrap_or_default() {
                    if let Some(slot) = results.get_mut(i) {
                        *slot = Some(result);
                    }
                }
            }
        });
    }
    // Whatever no thread parsed (one thread, small input, a thread that could not
    // start) is parsed here.
    sources
        .into_iter()
        .zip(results)
        .map(|(source, result)| {
            let (file, found) = result.unwrap_or_else(|| parse_one(&source));
            (source, file, found)
        })
        .collect()
}

/// Compiles policy sources (one per version, or several for a version spread over
/// files) into a policy. Its digest is taken over the sources under the names given.
pub fn load_sources(sources: Vec<Source>) -> Result<LoadedPolicy, PolicyError> {
    let names = sources.iter().map(|s| s.name.clone()).collect();
    compile_sources(sources, names)
}

/// The SHA-256 of the sources under the names the digest gives them, taken on a
/// thread of its own while `work` runs when the sources are large enough to be
/// worth a thread (it needs only their text, and compiling uses one core).
fn digest_beside<T>(
    names: &[String],
    sources: &[(Source, crate::ast::PolicyFile)],
    work: impl FnOnce() -> T,
) -> ([u8; 32], T) {
    let total: usize = sources.iter().map(|(s, _)| s.text.len()).sum();
    let digest = || {
        crate::digest::digest(
            names
                .iter()
                .zip(sources)
                .map(|(name, (source, _))| (name.as_str(), source.text.as_str())),
        )
    };
    lawful_core::parallel::beside(total >= PARALLEL_BYTES, digest, work)
}

/// Parses and compiles the sources; `digest_names` are the names the digest
/// gives them, one per source.
fn compile_sources(
    sources: Vec<Source>,
    digest_names: Vec<String>,
) -> Result<LoadedPolicy, PolicyError> {
    let mut parsed = Vec::new();
    let mut diagnostics = Diagnostics::new();
    let mut problems = false;
    for (source, file, found) in parse_all(sources) {
        match file {
            Some(file) if found.is_empty() => parsed.push((source, file)),
            _ => problems = true,
        }
        diagnostics.absorb(found);
    }
    if parsed.is_empty() && !problems {
        return Err(Diagnostic::error("L050", "there are no rule files to load")
            .with_help(format!("rule files end in `{RULE_EXTENSION}`"))
            .into());
    }
    // Files that parsed are still compiled, so every problem is reported at once.
    let mut compile_problems = Diagnostics::new();
    if problems {
        // Compiled for its problems only: warnings are reported only with a
        // policy that loads.
        if compile::compile_with(&parsed, &mut compile_problems).is_none() {
            diagnostics.absorb(compile_problems);
        }
        return Err(diagnostics.into());
    }
    let (digest, model) = digest_beside(&digest_names, &parsed, || {
        compile::compile_with(&parsed, &mut compile_problems)
    });
    let Some((model, labels)) = model else {
        diagnostics.absorb(compile_problems);
        return Err(diagnostics.into());
    };
    diagnostics.absorb(compile_problems);
    let policy = Policy::compile_with_digest(model, digest).map_err(|e| match e {
        ModelError::TooLarge { .. } => Diagnostic::error("L002", e.to_string()).with_help(
            "name fewer roles, purposes or categories in the rule, or use `anyone`, `any purpose` or `any data`",
        ),
        _ => Diagnostic::error("L099", e.to_string())
            .with_help("please report this to the lawful maintainers"),
    })?;
    let mut map_warnings = Vec::new();
    crate::lint::map_lints(&policy, &parsed, &mut map_warnings);
    if !map_warnings.is_empty() {
        diagnostics.extend(map_warnings);
        let mut file_order: HashMap<&str, usize> = HashMap::new();
        for (i, (s, _)) in parsed.iter().enumerate() {
            file_order.entry(s.name.as_str()).or_insert(i);
        }
        diagnostics.sort_by_key(|d| {
            let file = d
                .location
                .as_ref()
                .and_then(|l| file_order.get(l.file.as_str()).copied());
            let place = d.location.as_ref().map(|l| (l.line, l.column));
            (file, place)
        });
    }
    let (warnings, omitted) = diagnostics.into_parts();
    Ok(LoadedPolicy {
        policy,
        warnings,
        omitted_warnings: omitted.warnings,
        labels,
        files: Vec::new(),
        digest,
    })
}

/// Loads a policy from a rule file or a directory holding the files of its versions.
pub fn load_policy(path: &Path) -> Result<LoadedPolicy, PolicyError> {
    let paths = files(path, false)?;
    if paths.is_empty() {
        return Err(
            Diagnostic::error("L050", format!("`{}` holds no rule files", path.display()))
                .with_help(format!(
                    "rule files end in `{RULE_EXTENSION}` (and test files in `{TEST_SUFFIX}`)"
                ))
                .into(),
        );
    }
    let mut sources = Vec::new();
    let mut diagnostics = Vec::new();
    for p in &paths {
        match read_source(p) {
            Ok(s) => sources.push(s),
            Err(d) => diagnostics.push(d),
        }
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics.into());
    }
    // The digest names each file relative to the folder (a lone file by its own
    // name), so the same files hash the same wherever the folder is.
    let relative: Vec<String> = paths
        .iter()
        .map(|p| {
            p.file_name()
                .map_or_else(|| p.to_string_lossy(), |n| n.to_string_lossy())
                .into_owned()
        })
        .collect();
    let mut loaded = compile_sources(sources, relative)?;
    loaded.files = paths;
    Ok(loaded)
}

/// Loads the test cases beside a policy: the `*.test.lawful` files of a directory,
/// or one test file.
pub fn load_tests(path: &Path) -> Result<Vec<TestCase>, PolicyError> {
    let mut cases = Vec::new();
    let mut diagnostics = Diagnostics::new();
    for p in files(path, true)? {
        match read_source(&p) {
            Ok(source) => cases.append(&mut test_cases(&source, &mut diagnostics)),
            Err(d) => diagnostics.push(d),
        }
    }
    if diagnostics.is_empty() {
        Ok(cases)
    } else {
        Err(diagnostics.into())
    }
}

/// Reads test cases from test files held in memory (an editor's open buffers).
pub fn load_test_sources(sources: &[Source]) -> Result<Vec<TestCase>, PolicyError> {
    let mut cases = Vec::new();
    let mut diagnostics = Diagnostics::new();
    for source in sources {
        cases.append(&mut test_cases(source, &mut diagnostics));
    }
    if diagnostics.is_empty() {
        Ok(cases)
    } else {
        Err(diagnostics.into())
    }
}

/// The cases of one test file; its problems go to `diagnostics`.
fn test_cases(source: &Source, diagnostics: &mut Diagnostics) -> Vec<TestCase> {
    let before = diagnostics.len();
    match lower::test_file(source, diagnostics) {
        Some(file) if diagnostics.len() == before => testing::cases(source, file, diagnostics),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A large file whose lines tempt a careless cut: `purpose` and `party` starting
    /// continuation lines, declaration words in comments and text.
    fn large() -> String {
        let mut text = String::from("policy \"Parts\" version 2024-01-01\n# rule in a comment\n");
        text += "role visitor \"a visitor\"\nattribute dnt \"dnt\" is yes/no, default no\n";
        text += "category info \"info\"\npurpose ops \"ops\"\n";
        for i in 0..3000 {
            text += &format!(
                "category info.c{i} \"rule category {i}\"\npurpose ops.p{i} \"purpose {i}\"\n\
                 rule r{i} allow use of info.c{i}\n  about visitor\n  for ops.p{i}\n  basis consent\n  when dnt\n  cite \"role\"\n\
                 rule d{i} deny disclosure of any data for any\npurpose\n  to any\nparty\n  when not dnt # children\n  cite \"S\"\n\
                 party x{i} \"x\"\n  receives for any\npurpose\n  cite \"S\"\n"
            );
        }
        text
    }

    #[test]
    fn a_large_file_parsed_in_parts_is_the_file_parsed_whole() {
        let source = Source::new("large.lawful", large());
        assert!(source.text.len() >= crate::split::SPLIT_BYTES);
        assert_eq!(crate::split::cut_points(&source.text, 0, 4).len(), 3);
        let whole = crate::parser::parse(&source, crate::parser::Rule::policy_file)
            .map_err(|d| vec![d])
            .and_then(|pair| lower::policy_pair(&source, pair));
        // On a machine with several threads, parse_policy reads the file in parts.
        let parts = parse_policy(&source);
        match (&whole, &parts) {
            (Ok(whole), Ok(parts)) => {
                assert_eq!(whole.declarations.len(), 3000 * 5 + 4);
                assert_eq!(whole, parts);
            }
            _ => panic!("{whole:?} {parts:?}"),
        }
    }

    #[test]
    fn a_large_file_with_a_mistake_is_reported_as_a_whole() {
        let text = large().replacen("  for ops.p2000\n", "  for ops.p2000,\n", 1);
        let source = Source::new("large.lawful", text);
        let errors = parse_policy(&source).err().unwrap_or_default();
        let at = errors.first().and_then(|d| d.location.as_ref());
        assert_eq!(at.map(|l| l.line), Some(6 + 2000 * 18 + 5), "{errors:?}");
    }
}
