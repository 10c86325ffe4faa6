//! todo
use super::{ReportError, Sources};
use crate::Policy;

pub(super) fn page(
    _policy: &Policy,
    _selected: &str,
    _sources: Option<&Sources>,
) -> Result<String, ReportError> {
    Ok(String::new())
}
