//! Loading rule and test files from disk: one file, or a directory of versions.

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

/// Reads a file as a [`Source`], refusing files too large or not UTF-8.
pub fn read_source(path: &Path) -> Result<Source, Diagnostic> {
    let name = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|e| io_error(path, &e))?
        .len();
    if size > MAX_FILE_BYTES as u64 {
        return Err(Diagnostic::error(
            "L002",
            format!("`{name}` is {size} bytes; a rule file may be at most {MAX_FILE_BYTES}"),
        )
        .with_help("split the policy into smaller files"));
    }
    let bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
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

/// The files under `path` whose names end in `suffix` (skipping test files when
/// looking for rule files), sorted; or `path` itself when it is a file.
fn files(path: &Path, tests: bool) -> Result<Vec<PathBuf>, Diagnostic> {
    if !path.is_dir() {
        if !path.exists() {
            return Err(
                Diagnostic::error("L050", format!("`{}` does not exist", path.display()))
                    .with_help("give a rule file or a directory of rule files"),
            );
        }
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    for entry in std::fs::read_dir(path).map_err(|e| io_error(path, &e))? {
        let entry = entry.map_err(|e| io_error(path, &e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_test = name.ends_with(TEST_SUFFIX);
        if name.ends_with(RULE_EXTENSION) && is_test == tests && entry.path().is_file() {
            found.push(entry.path());
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

/// Compiles policy sources (one per version) into a policy.
pub fn load_sources(sources: Vec<Source>) -> Result<LoadedPolicy, PolicyError> {
    let mut parsed = Vec::new();
    let mut diagnostics = Vec::new();
    for source in sources {
        match parse_policy(&source) {
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

/// Loads a policy from a rule file or a directory holding one file per version.
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
