//! The two sides of a diff, as a user names them: a rule file or folder, a
//! version inside one (`rules/filestack@2020-04-17`), or a git revision of a
//! path (`main:rules/filestack`, `HEAD~1:rules/filestack@2021-11-11`), read
//! through `git cat-file` and `git ls-tree` into memory.

use std::path::Path;
use std::process::Command;

use super::DiffError;
use crate::Policy;

/// The largest rule file read from git, as on disk.
const MAX_FILE_BYTES: usize = lawful_dsl::parser::MAX_FILE_BYTES;

/// One side of a diff: the policy, the version named (if any), and how the
/// user wrote it.
#[derive(Clone, Debug)]
pub struct Input {
    /// The policy.
    pub policy: Policy,
    /// The version named after `@`.
    pub version: Option<String>,
    /// The side as the user wrote it.
    pub label: String,
}

/// Reads one side of a diff.
///
/// - a path that exists: a rule file, or a folder of versions;
/// - `PATH@VERSION` where `PATH` exists: that version of it;
/// - `REV:PATH` (as `git show` reads it, from the current directory's
///   repository): the file or folder at that revision; `REV:PATH@VERSION` too.
pub fn load(spec: &str) -> Result<Input, DiffError> {
    let input = |policy, version: Option<&str>| Input {
        policy,
        version: version.map(str::to_owned),
        label: spec.to_owned(),
    };
    if Path::new(spec).exists() {
        return Ok(input(Policy::load(spec)?, None));
    }
    if let Some((path, version)) = spec.rsplit_once('@') {
        if !path.is_empty() && Path::new(path).exists() {
            return Ok(input(Policy::load(path)?, Some(version)));
        }
    }
    if let Some((revision, path)) = spec.split_once(':') {
        if revision.starts_with('-') {
            return Err(DiffError::Input(format!(
                "`{spec}` does not exist, and a git revision cannot start with `-`"
            )));
        }
        if !revision.is_empty() {
            if object_type(revision, path).is_ok() {
                return Ok(input(from_git(revision, path)?, None));
            }
            if let Some((path, version)) = path.rsplit_once('@') {
                if object_type(revision, path).is_ok() {
                    return Ok(input(from_git(revision, path)?, Some(version)));
                }
            }
            // Say what git says about the whole.
            let reason = object_type(revision, path).err().unwrap_or_default();
            return Err(DiffError::Input(format!(
                "`{spec}` is not a path here, and git cannot read it as a revision and path: {reason}"
            )));
        }
    }
    Err(DiffError::Input(format!(
        "`{spec}` does not exist: give a rule file or folder, a version in one (`PATH@VERSION`), or a git revision and path (`REV:PATH`)"
    )))
}

fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

/// `blob` or `tree`, for `REV:PATH`.
fn object_type(revision: &str, path: &str) -> Result<String, String> {
    let object = format!("{revision}:{path}");
    let out = git(&["cat-file", "-t", &object])?;
    Ok(String::from_utf8_lossy(&out).trim().to_owned())
}

fn read_blob(object: &str, name: &str) -> Result<String, DiffError> {
    let size = git(&["cat-file", "-s", object]).map_err(DiffError::Input)?;
    let size: usize = String::from_utf8_lossy(&size)
        .trim()
        .parse()
        .unwrap_or(usize::MAX);
    if size > MAX_FILE_BYTES {
        return Err(DiffError::Input(format!(
            "`{name}` is larger than {MAX_FILE_BYTES} bytes, the most a rule file may be"
        )));
    }
    let bytes = git(&["cat-file", "blob", object]).map_err(DiffError::Input)?;
    String::from_utf8(bytes).map_err(|_| DiffError::Input(format!("`{name}` is not UTF-8 text")))
}

/// The rule files at `REV:PATH`: the file itself, or the `*.lawful` files
/// directly in the folder (not `*.test.lawful`), as `Policy::load` reads a folder.
fn from_git(revision: &str, path: &str) -> Result<Policy, DiffError> {
    let object = format!("{revision}:{path}");
    let kind = object_type(revision, path).map_err(DiffError::Input)?;
    let mut sources = Vec::new();
    if kind == "tree" {
        let listing = git(&["ls-tree", "-z", &object]).map_err(DiffError::Input)?;
        let mut entries: Vec<(String, String)> = Vec::new();
        for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
            let entry = String::from_utf8_lossy(entry);
            let Some((meta, name)) = entry.split_once('\t') else {
                continue;
            };
            let mut fields = meta.split(' ');
            let (_, kind, id) = (fields.next(), fields.next(), fields.next());
            if kind == Some("blob") && name.ends_with(".lawful") && !name.ends_with(".test.lawful")
            {
                if let Some(id) = id {
                    entries.push((name.to_owned(), id.to_owned()));
                }
            }
        }
        entries.sort();
        for (name, id) in entries {
            let shown = format!("{object}/{name}");
            let text = read_blob(&id, &shown)?;
            sources.push((shown, text));
        }
        if sources.is_empty() {
            return Err(DiffError::Input(format!(
                "`{object}` holds no rule files (`*.lawful`)"
            )));
        }
    } else {
        sources.push((object.clone(), read_blob(&object, &object)?));
    }
    Ok(Policy::from_sources(sources)?)
}
