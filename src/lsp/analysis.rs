//! Checking a document the way `lawful check` checks its folder: every `*.lawful`
//! file beside it (open buffers instead of what is on disk) is compiled into one
//! policy, the `*.test.lawful` files are checked against it, and each problem is
//! filed under the document it points at.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use lawful_dsl::outline::is_test_file;
use lawful_dsl::{Outline, Source};
use lsp_types::{DiagnosticSeverity, NumberOrString, Range, Uri};

use super::text::Text;
use super::uri;

/// What is checked together: the rule files of one folder, or one document that is
/// not a file on disk (an unsaved buffer).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum FolderKey {
    /// A folder of rule files.
    Dir(PathBuf),
    /// A document on its own, by its URI.
    Alone(String),
}

impl FolderKey {
    /// The folder a document belongs to, and its path when it is a rule file on disk.
    pub(crate) fn of(uri: &Uri) -> (FolderKey, Option<PathBuf>) {
        if let Some(path) = uri::to_path(uri) {
            let is_rule_file = path.file_name().is_some_and(|n| {
                n.to_string_lossy()
                    .ends_with(lawful_dsl::load::RULE_EXTENSION)
            });
            if let (true, Some(dir)) = (is_rule_file, path.parent()) {
                return (FolderKey::Dir(dir.to_path_buf()), Some(path));
            }
        }
        (FolderKey::Alone(uri.as_str().to_owned()), None)
    }
}

/// A document the editor has open.
#[derive(Clone, Debug)]
pub(crate) struct OpenDocument {
    /// The URI as the editor spelt it (diagnostics go back under the same spelling).
    pub(crate) uri: Uri,
    /// The file behind it, when it is a rule file on disk.
    pub(crate) path: Option<PathBuf>,
    /// Its folder.
    pub(crate) folder: FolderKey,
    /// The editor's text.
    pub(crate) text: Text,
    /// The editor's version of the text.
    pub(crate) version: i32,
}

/// One file of a checked folder.
#[derive(Debug)]
pub(crate) struct FileState {
    /// Where diagnostics for it go.
    pub(crate) uri: Uri,
    /// The name its diagnostics carry (its path, as the CLI shows it).
    pub(crate) name: String,
    /// Its text as the editor has it (with a byte-order mark, if any).
    pub(crate) text: Text,
    /// Bytes before the text the parser sees: 3 for a byte-order mark, else 0.
    pub(crate) bom: usize,
    /// A `*.test.lawful` file.
    pub(crate) is_test: bool,
    /// The editor's version, when it is open.
    pub(crate) version: Option<i32>,
    /// Its outline: from this text, or (when `stale`) from the last text that parsed.
    outline: Option<Outline>,
    stale: bool,
    /// Whether it could be read.
    readable: bool,
    /// A test file's cases, or the problems reading them.
    cases: Option<Result<Vec<lawful::TestCase>, Vec<lawful::Diagnostic>>>,
    /// The problems in it.
    pub(crate) diagnostics: Vec<lsp_types::Diagnostic>,
}

impl FileState {
    /// The outline of the current text, when it parses.
    pub(crate) fn outline(&self) -> Option<&Outline> {
        self.outline.as_ref().filter(|_| !self.stale)
    }

    /// The names the file declares: from the current text, or from the last one
    /// that parsed while the current one does not (for completion while typing).
    pub(crate) fn names(&self) -> Option<&Outline> {
        self.outline.as_ref()
    }

    /// The range of a span of the parser's byte offsets.
    pub(crate) fn range(&self, span: lawful_dsl::ast::Span) -> Range {
        self.text.range(span.start + self.bom, span.end + self.bom)
    }

    /// The parser's byte offset of an editor position (`None` inside a byte-order mark).
    pub(crate) fn parser_offset(&self, position: lsp_types::Position) -> Option<usize> {
        self.text.offset(position).checked_sub(self.bom)
    }

    /// The file's name without its folder, for messages.
    pub(crate) fn short_name(&self) -> &str {
        Path::new(&self.name)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(&self.name)
    }
}

/// A checked folder: its files, rule files first (in name order, so the newest
/// dated version last), then test files.
#[derive(Debug, Default)]
pub(crate) struct Folder {
    pub(crate) files: Vec<FileState>,
    /// The last compilation, kept while the rule files do not change.
    compiled: Option<Compiled>,
}

impl Folder {
    /// The file a URI names (by its path, when the editor spells it differently).
    pub(crate) fn file(&self, uri: &Uri) -> Option<&FileState> {
        self.files.iter().find(|f| f.uri == *uri).or_else(|| {
            let path = uri::to_path(uri)?;
            self.files
                .iter()
                .find(|f| uri::to_path(&f.uri).as_ref() == Some(&path))
        })
    }

    /// The version files, newest (by name) first.
    pub(crate) fn versions_newest_first(&self) -> impl Iterator<Item = &FileState> {
        self.files.iter().rev().filter(|f| !f.is_test)
    }

    /// Checks a folder: reads its files (open documents from the editor, the rest
    /// from disk), compiles the rule files, checks the test files, and files every
    /// problem under its document. What did not change since `previous` is not
    /// parsed or compiled again.
    pub(crate) fn check(
        key: &FolderKey,
        open: &HashMap<String, OpenDocument>,
        previous: Option<&Folder>,
    ) -> Folder {
        let mut problems = Vec::new();
        let mut files = gather(key, open, &mut problems);
        let mut versions_changed = false;
        for file in &mut files {
            let old = previous.and_then(|p| p.files.iter().find(|f| f.name == file.name));
            let unchanged = file.parse(old);
            versions_changed |= !unchanged && !file.is_test;
        }
        let versions = files.iter().filter(|f| !f.is_test && f.readable);
        // Compiled again unless the same version files hold the same text.
        let compiled = match previous.and_then(|p| p.compiled.as_ref()) {
            Some(compiled)
                if !versions_changed
                    && previous
                        .is_some_and(|p| p.versions().count() == versions.clone().count()) =>
            {
                compiled.clone()
            }
            _ => Compiled::new(versions),
        };
        problems.extend(compiled.problems.iter().cloned());
        for file in &files {
            match &file.cases {
                Some(Ok(cases)) => {
                    if let Some(policy) = &compiled.policy {
                        problems.extend(policy.check_tests(cases));
                    }
                }
                Some(Err(parse_problems)) => problems.extend(parse_problems.iter().cloned()),
                None => {}
            }
        }
        file_problems(&mut files, &problems);
        Folder {
            files,
            compiled: Some(compiled),
        }
    }

    fn versions(&self) -> impl Iterator<Item = &FileState> {
        self.files.iter().filter(|f| !f.is_test && f.readable)
    }
}

impl FileState {
    /// Outlines the file, and reads a test file's cases: from `old`, the same file
    /// at the last check, when its text is the same (then `true`); else by parsing.
    /// A file that no longer parses keeps its last outline, marked stale, for
    /// completion.
    fn parse(&mut self, old: Option<&FileState>) -> bool {
        if let Some(old) = old.filter(|o| o.text == self.text && o.readable == self.readable) {
            (self.outline, self.stale) = (old.outline.clone(), old.stale);
            self.cases = old.cases.clone();
            return true;
        }
        let source = self.source();
        match lawful_dsl::outline(&source) {
            Ok(outline) => self.outline = Some(outline),
            Err(_) => (self.outline, self.stale) = (old.and_then(|o| o.outline.clone()), true),
        }
        if self.is_test && self.readable {
            let cases = lawful_dsl::load_test_sources(std::slice::from_ref(&source));
            self.cases = Some(cases.map_err(|e| e.diagnostics));
        }
        false
    }

    /// The file as the parser reads it.
    fn source(&self) -> Source {
        let text = self.text.as_str().get(self.bom..).unwrap_or_default();
        Source::new(self.name.clone(), text)
    }
}

/// The policy the rule files of a folder compiled to, and the problems they have.
#[derive(Clone, Debug, Default)]
struct Compiled {
    policy: Option<lawful::Policy>,
    problems: Vec<lawful::Diagnostic>,
}

impl Compiled {
    /// Compiles version files into one policy. A folder of tests alone has no policy
    /// to check them against: they are only parsed.
    fn new<'f>(versions: impl Iterator<Item = &'f FileState>) -> Compiled {
        let sources: Vec<(String, String)> = versions
            .map(|f| {
                let source = f.source();
                (source.name, source.text)
            })
            .collect();
        if sources.is_empty() {
            return Compiled::default();
        }
        match lawful::Policy::from_sources(sources) {
            Ok(policy) => Compiled {
                problems: policy.warnings().to_vec(),
                policy: Some(policy),
            },
            Err(e) => Compiled {
                policy: None,
                problems: e.diagnostics,
            },
        }
    }
}

/// The files of a folder. A file that cannot be read is kept, not readable and with
/// its problem in `problems`, so the problem can be shown.
fn gather(
    key: &FolderKey,
    open: &HashMap<String, OpenDocument>,
    problems: &mut Vec<lawful::Diagnostic>,
) -> Vec<FileState> {
    let open_here = open.values().filter(|d| d.folder == *key);
    let dir = match key {
        FolderKey::Alone(_) => {
            return open_here
                .map(|d| FileState::open(d, d.uri.as_str().to_owned()))
                .collect();
        }
        FolderKey::Dir(dir) => dir,
    };
    let mut paths: BTreeMap<PathBuf, Option<&OpenDocument>> = rule_files_on_disk(dir)
        .into_iter()
        .map(|p| (p, None))
        .collect();
    for document in open_here {
        if let Some(path) = &document.path {
            paths.insert(path.clone(), Some(document));
        }
    }
    let mut files = Vec::new();
    for (path, document) in paths {
        let name = path.display().to_string();
        if let Some(d) = document {
            files.push(FileState::open(d, name));
            continue;
        }
        let Some(uri) = uri::from_path(&path) else {
            continue;
        };
        match lawful_dsl::load::read_source(&path) {
            Ok(source) => files.push(FileState::new(uri, name, Some(source.text), None)),
            Err(problem) => {
                problems.push(problem_in(problem, &name));
                files.push(FileState::new(uri, name, None, None));
            }
        }
    }
    files
}

impl FileState {
    /// A file with its text (`None`: it could not be read), and its version when
    /// the editor has it open.
    fn new(uri: Uri, name: String, text: Option<String>, version: Option<i32>) -> FileState {
        let readable = text.is_some();
        let text = text.unwrap_or_default();
        let bom = if text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        FileState {
            is_test: is_test_file(&name),
            uri,
            name,
            text: Text::new(text),
            bom,
            version,
            outline: None,
            stale: false,
            readable,
            cases: None,
            diagnostics: Vec::new(),
        }
    }

    fn open(document: &OpenDocument, name: String) -> FileState {
        let text = document.text.as_str().to_owned();
        FileState::new(
            document.uri.clone(),
            name,
            Some(text),
            Some(document.version),
        )
    }
}

/// The `*.lawful` files directly in a folder, as the loader reads them.
fn rule_files_on_disk(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name().is_some_and(|n| {
                    n.to_string_lossy()
                        .ends_with(lawful_dsl::load::RULE_EXTENSION)
                })
        })
        .collect()
}

/// Places a problem about a whole file (it cannot be read) at its start.
fn problem_in(problem: lawful::Diagnostic, name: &str) -> lawful::Diagnostic {
    let source = Source::new(name, "");
    source.at(lawful_dsl::ast::Span::default(), problem)
}

/// Files each problem under the document it points at; a problem that points at no
/// document (the policy as a whole) goes to every open document of the folder.
fn file_problems(files: &mut [FileState], problems: &[lawful::Diagnostic]) {
    let index: HashMap<String, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.clone(), i))
        .collect();
    for problem in problems {
        let at = problem.location.as_ref().and_then(|l| index.get(&l.file));
        match at.and_then(|&i| files.get_mut(i)) {
            Some(file) => {
                let converted = to_lsp(problem, file);
                file.diagnostics.push(converted);
            }
            None => {
                for file in files.iter_mut().filter(|f| f.version.is_some()) {
                    let converted = to_lsp(problem, file);
                    file.diagnostics.push(converted);
                }
            }
        }
    }
}

/// A diagnostic as the protocol has it: a range in UTF-16 columns, the severity,
/// the code, and the hint after the message.
fn to_lsp(problem: &lawful::Diagnostic, file: &FileState) -> lsp_types::Diagnostic {
    let range = match &problem.location {
        Some(l) if l.file == file.name => {
            // The parser never sees a byte-order mark; the editor's line 1 starts with it.
            let shift = usize::from(l.line == 1 && file.bom > 0);
            let column = l.column + shift;
            Range::new(
                file.text.position_of_column(l.line, column),
                file.text.position_of_column(l.line, column + l.width),
            )
        }
        _ => Range::default(),
    };
    let severity = match problem.severity {
        lawful::Severity::Error => DiagnosticSeverity::ERROR,
        lawful::Severity::Warning => DiagnosticSeverity::WARNING,
    };
    let message = match &problem.help {
        Some(help) => format!("{}\nhelp: {help}", problem.message),
        None => problem.message.clone(),
    };
    lsp_types::Diagnostic::new(
        range,
        Some(severity),
        Some(NumberOrString::String(problem.code.to_string())),
        Some("lawful".to_owned()),
        message,
        None,
        None,
    )
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn check_alone(text: &str) -> Folder {
        let uri = Uri::from_str("untitled:Untitled-1").unwrap();
        let (folder, path) = FolderKey::of(&uri);
        let document = OpenDocument {
            uri: uri.clone(),
            path,
            folder: folder.clone(),
            text: Text::new(text.to_owned()),
            version: 3,
        };
        let open = HashMap::from([(uri.as_str().to_owned(), document)]);
        Folder::check(&folder, &open, None)
    }

    #[test]
    fn an_unsaved_buffer_is_checked_alone_and_a_byte_order_mark_does_not_shift_columns() {
        let text = "\u{feff}policy \"P\" version 2024-01-01 role visitor \"é\" rule r allow use of any data about vistor for any purpose basis consent cite \"x\"";
        let folder = check_alone(text);
        let [file] = folder.files.as_slice() else {
            panic!("one file: {:?}", folder.files);
        };
        assert_eq!(file.version, Some(3));
        let [d] = file.diagnostics.as_slice() else {
            panic!("one problem: {:?}", file.diagnostics);
        };
        assert_eq!(d.code, Some(NumberOrString::String("L010".to_owned())));
        let at = text.find("vistor").unwrap();
        let units = |s: &str| s.encode_utf16().count() as u32;
        assert_eq!(d.range.start.line, 0);
        assert_eq!(d.range.start.character, units(&text[..at]));
        assert_eq!(d.range.end.character, units(&text[..at + "vistor".len()]));
        // The outline's spans land on the same place.
        let outline = file.outline().unwrap();
        let role = outline
            .references
            .iter()
            .find(|r| r.name == "vistor")
            .unwrap();
        assert_eq!(file.range(role.span), d.range);
    }

    #[test]
    fn a_file_that_stops_parsing_keeps_its_names_for_completion_only() {
        let good = "policy \"P\" version 2024-01-01\nrole visitor \"v\"\n";
        let first = check_alone(good);
        let uri = Uri::from_str("untitled:Untitled-1").unwrap();
        let (key, path) = FolderKey::of(&uri);
        let broken = OpenDocument {
            uri: uri.clone(),
            path,
            folder: key.clone(),
            text: Text::new(format!("{good}rule\n")),
            version: 4,
        };
        let open = HashMap::from([(uri.as_str().to_owned(), broken)]);
        let second = Folder::check(&key, &open, Some(&first));
        let file = second.file(&uri).unwrap();
        assert!(file.outline().is_none());
        let names = file.names().unwrap();
        assert!(
            names
                .declaration(lawful_dsl::NameKind::Role, "visitor")
                .is_some()
        );
        assert_eq!(
            file.diagnostics.first().map(|d| d.range.start.line),
            Some(3)
        );
    }
}
