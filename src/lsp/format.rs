//! Document formatting, through the rule language's formatter (`lawful fmt`).

use lsp_types::{Range, TextEdit};

use super::analysis::FileState;

/// The canonical layout of a document, or `None` when it cannot be formatted (it
/// does not parse: formatting never guesses).
fn format_document(name: &str, text: &str) -> Option<String> {
    lawful_dsl::format::format_file(name, text).ok()
}

/// The edits that format a file: one replacing the whole text, or none when the
/// text is already formatted or cannot be formatted.
pub(crate) fn edits(file: &FileState) -> Vec<TextEdit> {
    let text = file.text.as_str().get(file.bom..).unwrap_or_default();
    match format_document(&file.name, text) {
        Some(formatted) if formatted != text => {
            let whole = Range::new(
                file.text.position(file.bom),
                file.text.position(file.text.as_str().len()),
            );
            vec![TextEdit::new(whole, formatted)]
        }
        _ => Vec::new(),
    }
}
