//! `file:` URIs ↔ paths. The server reads the other files of a document's folder
//! from disk, so it needs the path behind a URI, and a URI for each file it
//! reports on.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::Uri;

/// The path a `file:` URI names; `None` for other schemes, for a host other than
/// the local one, and for a path that is not UTF-8 once decoded.
pub(crate) fn to_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let scheme = text.get(..7)?;
    if !scheme.eq_ignore_ascii_case("file://") {
        return None;
    }
    let rest = text.get(7..)?;
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let slash = rest.find('/')?;
    let (host, path) = rest.split_at(slash);
    if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
        return None;
    }
    let decoded = String::from_utf8(percent_decode(path)?).ok()?;
    Some(native(decoded))
}

#[cfg(windows)]
fn native(path: String) -> PathBuf {
    // `/c:/rules/x.lawful` → `c:\rules\x.lawful`.
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 3 && bytes.get(2) == Some(&b':');
    let path = if drive {
        path.get(1..).unwrap_or_default()
    } else {
        path.as_str()
    };
    PathBuf::from(path.replace('/', "\\"))
}

#[cfg(not(windows))]
fn native(path: String) -> PathBuf {
    PathBuf::from(path)
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let high = hex(bytes.next()?)?;
            let low = hex(bytes.next()?)?;
            out.push(high << 4 | low);
        } else {
            out.push(b);
        }
    }
    Some(out)
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// The `file:` URI of an absolute path (`None` for a relative one).
pub(crate) fn from_path(path: &Path) -> Option<Uri> {
    if !path.is_absolute() {
        return None;
    }
    let text = path.to_str()?;
    #[cfg(windows)]
    let text = format!("/{}", text.replace('\\', "/"));
    let mut encoded = String::from("file://");
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&encoded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> Uri {
        Uri::from_str(text).unwrap()
    }

    #[cfg(not(windows))]
    #[test]
    fn file_uris_become_paths_and_back() {
        let path = to_path(&uri("file:///tmp/my%20rules/2021-11-11.lawful")).unwrap();
        assert_eq!(path, PathBuf::from("/tmp/my rules/2021-11-11.lawful"));
        let back = from_path(&path).unwrap();
        assert_eq!(back.as_str(), "file:///tmp/my%20rules/2021-11-11.lawful");
        assert_eq!(to_path(&back), Some(path));
        let accented = from_path(Path::new("/tmp/règles/a.lawful")).unwrap();
        assert_eq!(accented.as_str(), "file:///tmp/r%C3%A8gles/a.lawful");
        assert_eq!(
            to_path(&accented),
            Some(PathBuf::from("/tmp/règles/a.lawful"))
        );
        assert_eq!(
            to_path(&uri("file://localhost/tmp/a.lawful")),
            Some(PathBuf::from("/tmp/a.lawful"))
        );
    }

    #[test]
    fn other_uris_have_no_path() {
        assert_eq!(to_path(&uri("untitled:Untitled-1")), None);
        assert_eq!(to_path(&uri("file://server/share/a.lawful")), None);
        assert_eq!(to_path(&uri("file:///bad%FF")), None);
        assert_eq!(from_path(Path::new("relative/a.lawful")), None);
    }
}
