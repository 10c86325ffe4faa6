//! Reading requests: files or standard input, line by line, with a size cap, so a
//! long stream is answered as it arrives and no line can exhaust memory.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use lawful::{RequestError, RequestErrorKind};
use lawful_core::request::MAX_REQUEST_BYTES;

/// Opens FILE, or standard input when it is absent or `-`.
pub(crate) fn open(file: Option<&PathBuf>) -> Result<Input, String> {
    let source: Box<dyn Read> = match file {
        Some(path) if path.as_os_str() != "-" => Box::new(
            std::fs::File::open(path)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?,
        ),
        _ => Box::new(std::io::stdin()),
    };
    Ok(BufReader::with_capacity(1 << 16, source))
}

/// Buffered input from a file or standard input.
pub(crate) type Input = BufReader<Box<dyn Read>>;

/// One line of input.
pub(crate) enum Line {
    /// The line, without its line ending.
    Text(Vec<u8>),
    /// A line longer than a request may be (its bytes were skipped).
    TooLong,
}

/// The error for a line longer than a request may be.
pub(crate) fn too_long() -> RequestError {
    RequestError {
        kind: RequestErrorKind::Json,
        message: format!(
            "the line is longer than {MAX_REQUEST_BYTES} bytes, the most a request may be"
        ),
        field: None,
        suggestion: None,
    }
}

/// Reads the next line, keeping at most [`MAX_REQUEST_BYTES`] of it.
pub(crate) fn next_line(reader: &mut dyn BufRead) -> std::io::Result<Option<Line>> {
    let mut line = Vec::new();
    let mut seen_any = false;
    let mut overflow = false;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            break;
        }
        seen_any = true;
        let (chunk, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (available.get(..i).unwrap_or_default(), Some(i + 1)),
            None => (available, None),
        };
        if line.len() + chunk.len() > MAX_REQUEST_BYTES {
            overflow = true;
        } else {
            line.extend_from_slice(chunk);
        }
        let used = done.unwrap_or(available.len());
        reader.consume(used);
        if done.is_some() {
            break;
        }
    }
    if !seen_any {
        return Ok(None);
    }
    if overflow {
        return Ok(Some(Line::TooLong));
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(Line::Text(line)))
}

/// Reads the rest of a multi-line document into `document`, up to the size cap.
pub(crate) fn read_rest(
    reader: &mut dyn BufRead,
    document: &mut Vec<u8>,
) -> Result<(), RequestError> {
    let room = (MAX_REQUEST_BYTES + 1).saturating_sub(document.len());
    reader
        .take(room as u64)
        .read_to_end(document)
        .map_err(|e| RequestError {
            kind: RequestErrorKind::Json,
            message: format!("cannot read the input: {e}"),
            field: None,
            suggestion: None,
        })?;
    if document.len() > MAX_REQUEST_BYTES {
        return Err(too_long());
    }
    Ok(())
}

/// Decides whether the input, starting with `first_line` (already read), is one
/// JSON document as a whole: reads the rest, up to the size of a request. Gives
/// back the input still to read and, when it is one document, the document; when
/// it is not, the input given back starts again just after `first_line`.
pub(crate) fn whole_document(mut reader: Input, first_line: Vec<u8>) -> (Input, Option<Vec<u8>>) {
    let line_length = first_line.len();
    let mut document = first_line;
    document.push(b'\n');
    // `read_rest` succeeds only when it met the end of the input within the limit.
    let complete = read_rest(&mut reader, &mut document).is_ok();
    if complete && serde_json::from_slice::<serde::de::IgnoredAny>(&document).is_ok() {
        return (reader, Some(document));
    }
    // Not one document: read what was taken again, line by line, then the rest.
    let taken = document.split_off(line_length + 1);
    let again: Box<dyn Read> = Box::new(std::io::Cursor::new(taken).chain(reader));
    (BufReader::with_capacity(1 << 16, again), None)
}

/// Reads one whole request from FILE or standard input, refusing more than a
/// request may be.
pub(crate) fn read_one(file: Option<&PathBuf>) -> Result<Vec<u8>, String> {
    let mut reader = open(file)?;
    let mut bytes = Vec::new();
    read_rest(&mut reader, &mut bytes).map_err(|e| e.message)?;
    Ok(bytes)
}
