//! Loading rule and test files from disk: one file, or a directory of versions
//! (a version may span several files); the files are parsed in parallel.

use std::path::{Path, PathBuf};

use lawful_core::{ModelError, Policy};

use crate::ast::{PolicyFile, TestFile};
use crate::diagnostic::{Diagnostic, Source, render_all};
use crate::parser::{MAX_FILE_BYTES, Rule, parse};
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
    /// Warnings that did not stop loading.
    pub warnings: Vec<Diagnostic>,
    /// The files it was read from.
    pub files: Vec<PathBuf>,
}

/// Why a policy or test file did not load: every problem found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", render_all(diagnostics).trim_end())]
pub struct PolicyError {
    /// The problems, errors first.
    pub diagnostics: Vec<Diagnostic>,
}

impl From<Vec<Diagnostic>> for PolicyError {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        PolicyError { diagnostics }
    }
}

impl From<Diagnostic> for PolicyError {
    fn from(d: Diagnostic) -> Self {
        PolicyError {
            diagnostics: vec![d],
        }
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error("L050", format!("cannot read `{}`: {e}", path.display()))
        .with_help("check that the path exists and is readable")
}

/// Reads a file as a [`Source`], refusing what is not a regular file, files too
/// large, and text that is not UTF-8.
pub fn read_source(path: &Path) -> Result<Source, Diagnostic> {
    use std::io::Read;
    let name = path.display().to_string();
    let metadata = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
    if !metadata.is_file() {
        return Err(
            Diagnostic::error("L050", format!("`{name}` is not a regular file"))
                .with_help("give a rule file, or a directory of rule files"),
        );
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
    // The size may change between the look and the read: read no more than the limit.
    let mut bytes = Vec::new();
    let file = std::fs::File::open(path).map_err(|e| io_error(path, &e))?;
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

/// The rule files (or with `tests`, the test files) under a directory, sorted; or
/// the path itself when it is a file of that kind.
fn files(path: &Path, tests: bool) -> Result<Vec<PathBuf>, Diagnostic> {
    let is_test = |p: &Path| p.to_string_lossy().ends_with(TEST_SUFFIX);
    if !path.is_dir() {
        if !path.exists() {
            return Err(
                Diagnostic::error("L050", format!("`{}` does not exist", path.display()))
                    .with_help("give a rule file or a directory of rule files"),
            );
        }
        if !tests && is_test(path) {
            return Err(Diagnostic::error(
                "L050",
                format!("`{}` is a test file, not a rule file", path.display()),
            )
            .with_help("give the rule file or the directory of versions the tests are about"));
        }
        return Ok(if tests && !is_test(path) {
            Vec::new()
        } else {
            vec![path.to_path_buf()]
        });
    }
    let mut found = Vec::new();
    for entry in std::fs::read_dir(path).map_err(|e| io_error(path, &e))? {
        let entry = entry.map_err(|e| io_error(path, &e))?;
        let entry_path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(RULE_EXTENSION) && is_test(&entry_path) == tests && entry_path.is_file() {
            found.push(entry_path);
        }
    }
    found.sort();
    Ok(found)
}

/// Parses one policy version file.
pub fn parse_policy(source: &Source) -> Result<PolicyFile, Vec<Diagnostic>> {
    let pair = parse(source, Rule::policy_file).map_err(|d| vec![d])?;
    lower::policy_file(source, pair)
}

/// Parses one test file.
pub fn parse_tests(source: &Source) -> Result<TestFile, Vec<Diagnostic>> {
    let pair = parse(source, Rule::test_file).map_err(|d| vec![d])?;
    lower::test_file(source, pair)
}

/// Below this many bytes in all, files are parsed on the calling thread: starting
/// threads would cost more than it saves.
const PARALLEL_BYTES: usize = 64 << 10;

/// Parses every source, each file on one of as many threads as the machine has
/// (the largest files dealt out first, each to the least loaded thread). Results
/// keep the order of the sources.
fn parse_all(sources: Vec<Source>) -> Vec<(Source, Result<PolicyFile, Vec<Diagnostic>>)> {
    let total: usize = sources.iter().map(|s| s.text.len()).sum();
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(sources.len());
    let mut results: Vec<Option<Result<PolicyFile, Vec<Diagnostic>>>> =
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
                                .filter_map(|i| Some((*i, parse_policy(sources.get(*i)?))))
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
            let result = result.unwrap_or_else(|| parse_policy(&source));
            (source, result)
        })
        .collect()
}

/// Compiles policy sources (one per version, or several for a version spread over
/// files) into a policy.
pub fn load_sources(sources: Vec<Source>) -> Result<LoadedPolicy, PolicyError> {
    let mut parsed = Vec::new();
    let mut diagnostics = Vec::new();
    for (source, result) in parse_all(sources) {
        match result {
            Ok(file) => parsed.push((source, file)),
            Err(mut d) => diagnostics.append(&mut d),
        }
    }
    if parsed.is_empty() && diagnostics.is_empty() {
        return Err(Diagnostic::error("L050", "there are no rule files to load")
            .with_help(format!("rule files end in `{RULE_EXTENSION}`"))
            .into());
    }
    // Files that parsed are still compiled, so every problem is reported at once.
    let compiled = compile::compile(&parsed);
    if !diagnostics.is_empty() {
        if let Err(mut more) = compiled {
            diagnostics.append(&mut more);
        }
        return Err(diagnostics.into());
    }
    let compiled = compiled?;
    let policy = Policy::compile(compiled.model).map_err(|e| match e {
        ModelError::TooLarge { .. } => Diagnostic::error("L002", e.to_string()).with_help(
            "name fewer roles, purposes or categories in the rule, or use `anyone`, `any purpose` or `any data`",
        ),
        _ => Diagnostic::error("L099", e.to_string())
            .with_help("please report this to the lawful maintainers"),
    })?;
    Ok(LoadedPolicy {
        policy,
        warnings: compiled.warnings,
        files: Vec::new(),
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
    let mut loaded = load_sources(sources)?;
    loaded.files = paths;
    Ok(loaded)
}

/// Loads the test cases beside a policy: the `*.test.lawful` files of a directory,
/// or one test file.
pub fn load_tests(path: &Path) -> Result<Vec<TestCase>, PolicyError> {
    let mut cases = Vec::new();
    let mut diagnostics = Vec::new();
    for p in files(path, true)? {
        let source = match read_source(&p) {
            Ok(s) => s,
            Err(d) => {
                diagnostics.push(d);
                continue;
            }
        };
        match parse_tests(&source).and_then(|file| testing::cases(&source, file)) {
            Ok(mut c) => cases.append(&mut c),
            Err(mut d) => diagnostics.append(&mut d),
        }
    }
    if diagnostics.is_empty() {
        Ok(cases)
    } else {
        Err(diagnostics.into())
    }
}
