//! The texts a report shows beside the map: each rule's declaration as written,
//! and the sections of the published policy text the rules cite.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::PolicyError;

/// A declaration as its rule file writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Declared {
    /// `rule`, `party`, `revocation`, `children`…
    pub kind: &'static str,
    /// The file.
    pub file: String,
    /// The line it starts on.
    pub line: usize,
    /// Its text, with the comments just above it.
    pub text: String,
}

/// The texts of every version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sources {
    /// By version, then by name or id: the declarations of rules, revocations,
    /// parties and the child rule.
    pub declarations: BTreeMap<String, BTreeMap<String, Declared>>,
    /// By version, then by heading: the sections of the published text.
    pub sections: BTreeMap<String, BTreeMap<String, String>>,
}

/// Why the texts could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SourcesError {
    /// A rule file could not be read or parsed.
    #[error(transparent)]
    Rules(#[from] PolicyError),
    /// The texts folder could not be read.
    #[error("cannot read the policy texts in `{path}`: {message}")]
    Texts {
        /// The folder.
        path: String,
        /// What went wrong.
        message: String,
    },
}

impl Sources {
    /// Reads the rule files under `rules` and, when `texts` is given, the policy
    /// texts in it: for each version, the Markdown file whose name holds the
    /// version's name.
    pub fn read(rules: &Path, texts: Option<&Path>) -> Result<Sources, SourcesError> {
        let mut sources = Sources::default();
        let files = lawful_dsl::load::rule_files(rules).map_err(PolicyError::from)?;
        for file in files {
            let source = lawful_dsl::load::read_source(&file).map_err(PolicyError::from)?;
            let outline = lawful_dsl::excerpts::excerpts(&source).map_err(PolicyError::from)?;
            let declarations = sources
                .declarations
                .entry(outline.version.clone())
                .or_default();
            for item in outline.items {
                if matches!(item.kind, "rule" | "revocation" | "children" | "party") {
                    declarations.insert(
                        item.name,
                        Declared {
                            kind: item.kind,
                            file: source.name.clone(),
                            line: item.line,
                            text: item.text,
                        },
                    );
                }
            }
        }
        if let Some(dir) = texts {
            let failed = |e: std::io::Error| SourcesError::Texts {
                path: dir.display().to_string(),
                message: e.to_string(),
            };
            let mut entries: Vec<_> = std::fs::read_dir(dir)
                .map_err(failed)?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .collect();
            entries.sort();
            let versions: Vec<String> = sources.declarations.keys().cloned().collect();
            for version in versions {
                let found = entries.iter().find(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().contains(&version))
                });
                if let Some(path) = found {
                    let text = std::fs::read_to_string(path).map_err(failed)?;
                    sources.sections.insert(version, sections(&text));
                }
            }
        }
        Ok(sources)
    }
}

/// The sections of a Markdown text, by heading: each runs from its heading to
/// the next heading of the same or a higher level.
pub fn sections(text: &str) -> BTreeMap<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    let level = |line: &str| {
        let hashes = line.len() - line.trim_start_matches('#').len();
        (hashes > 0 && line.get(hashes..).is_some_and(|r| r.starts_with(' '))).then_some(hashes)
    };
    let mut out = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(depth) = level(line) else {
            continue;
        };
        let heading = line.trim_start_matches('#').trim().to_owned();
        let end = lines
            .iter()
            .enumerate()
            .skip(i + 1)
            .find(|(_, l)| level(l).is_some_and(|d| d <= depth))
            .map_or(lines.len(), |(j, _)| j);
        let body = lines.get(i..end).unwrap_or_default().join("\n");
        out.entry(heading)
            .or_insert_with(|| body.trim_end().to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_section_holds_its_subsections() {
        let text = "# A\nintro\n#### A1\none\n# B\ntwo\n";
        let s = super::sections(text);
        assert_eq!(
            s.get("A").map(String::as_str),
            Some("# A\nintro\n#### A1\none")
        );
        assert_eq!(s.get("A1").map(String::as_str), Some("#### A1\none"));
        assert_eq!(s.get("B").map(String::as_str), Some("# B\ntwo"));
    }
}
