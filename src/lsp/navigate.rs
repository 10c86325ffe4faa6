//! Hover, go to definition and the document outline: what the name under the
//! cursor is, and where it is declared.

use lawful_dsl::NameKind;
use lawful_dsl::outline::Definition;
use lsp_types::{
    DocumentSymbol, GotoDefinitionResponse, Hover, HoverContents, Location, MarkupContent,
    MarkupKind, Position, Range, SymbolKind,
};

use super::analysis::{FileState, Folder};
use super::describe;

/// The name under a position: its kind when the file parses, and where it is.
struct Target {
    kind: Option<NameKind>,
    name: String,
    range: Range,
}

fn target(file: &FileState, position: Position) -> Option<Target> {
    let offset = file.parser_offset(position)?;
    if let Some(outline) = file.outline() {
        let (kind, name, span) = outline.at(offset)?;
        return Some(Target {
            kind: Some(kind),
            name: name.to_owned(),
            range: file.range(span),
        });
    }
    // The file does not parse just now: take the word under the cursor, of any kind.
    let text = file.text.as_str().get(file.bom..)?;
    let is_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    let before = text.get(..offset)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_name(c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text
        .get(offset..)?
        .char_indices()
        .find(|&(_, c)| !is_name(c))
        .map_or(text.len(), |(i, _)| offset + i);
    let name = text.get(start..end)?.trim_matches('.');
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return None;
    }
    Some(Target {
        kind: None,
        name: name.to_owned(),
        range: file.range(lawful_dsl::ast::Span { start, end }),
    })
}

/// Whether a declaration answers a name used as `wanted` (a test's `by ID` names a
/// rule or a revocation alike).
fn fits(wanted: Option<NameKind>, declared: NameKind) -> bool {
    match wanted {
        None => true,
        Some(w) if w.is_rule_like() => declared.is_rule_like(),
        Some(w) => w == declared,
    }
}

/// The declarations a name at a place in `file` refers to: in a rule file, its own
/// (names are declared in the file that uses them), or failing that the other
/// versions'; in a test file, every version's, newest first.
fn declarations<'f>(
    folder: &'f Folder,
    file: &'f FileState,
    kind: Option<NameKind>,
    name: &str,
) -> Vec<(&'f FileState, &'f Definition)> {
    let find = |f: &'f FileState| {
        f.outline()
            .into_iter()
            .flat_map(|o| o.declarations.iter())
            .filter(|d| d.name == name && fits(kind, d.kind))
            .map(move |d| (f, d))
            .collect::<Vec<_>>()
    };
    if !file.is_test {
        let own = find(file);
        if !own.is_empty() {
            return own;
        }
    }
    folder.versions_newest_first().flat_map(find).collect()
}

/// Where the name under a position is declared.
pub(crate) fn definition(
    folder: &Folder,
    file: &FileState,
    position: Position,
) -> Option<GotoDefinitionResponse> {
    let target = target(file, position)?;
    let found: Vec<Location> = declarations(folder, file, target.kind, &target.name)
        .into_iter()
        .map(|(f, d)| Location::new(f.uri.clone(), f.range(d.span)))
        .collect();
    match found.len() {
        0 => None,
        1 => found.into_iter().next().map(GotoDefinitionResponse::Scalar),
        _ => Some(GotoDefinitionResponse::Array(found)),
    }
}

/// What the name under a position is: its label or what it does, and where it is
/// declared.
pub(crate) fn hover(folder: &Folder, file: &FileState, position: Position) -> Option<Hover> {
    let target = target(file, position)?;
    let found = declarations(folder, file, target.kind, &target.name);
    let text = match found.split_first() {
        Some(((first_file, first), rest)) => {
            let mut text = describe::definition(first_file, first);
            text.push_str(&format!(
                "\n\nDeclared in `{}`, line {}",
                first_file.short_name(),
                first_file.range(first.span).start.line + 1
            ));
            if !rest.is_empty() {
                let others: Vec<String> = rest
                    .iter()
                    .map(|(f, d)| {
                        format!("`{}` ({})", f.short_name(), f.range(d.span).start.line + 1)
                    })
                    .collect();
                text.push_str(&format!("; also in {}", others.join(", ")));
            }
            text.push('.');
            text
        }
        None => describe::builtin(target.kind, &target.name)?,
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(target.range),
    })
}

/// The declarations of a file, for the editor's outline view.
pub(crate) fn symbols(file: &FileState) -> Vec<DocumentSymbol> {
    let Some(outline) = file.outline() else {
        return Vec::new();
    };
    outline
        .declarations
        .iter()
        .map(|d| {
            let range = file.range(d.span);
            #[expect(
                deprecated,
                reason = "the protocol's `deprecated` field must still be written"
            )]
            DocumentSymbol {
                name: d.name.clone(),
                detail: Some(
                    d.declared
                        .label()
                        .map_or_else(|| d.kind.word().to_owned(), str::to_owned),
                ),
                kind: symbol_kind(d.kind),
                tags: None,
                deprecated: None,
                range,
                selection_range: range,
                children: None,
            }
        })
        .collect()
}

fn symbol_kind(kind: NameKind) -> SymbolKind {
    match kind {
        NameKind::Role => SymbolKind::CLASS,
        NameKind::Category => SymbolKind::FIELD,
        NameKind::Purpose => SymbolKind::ENUM_MEMBER,
        NameKind::Party => SymbolKind::OBJECT,
        NameKind::Attribute => SymbolKind::PROPERTY,
        NameKind::Obligation => SymbolKind::EVENT,
        NameKind::Rule | NameKind::Revocation => SymbolKind::FUNCTION,
        NameKind::Basis => SymbolKind::CONSTANT,
        NameKind::Version => SymbolKind::MODULE,
    }
}
