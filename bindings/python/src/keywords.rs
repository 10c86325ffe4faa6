//! The arguments of `may_use` and `may_disclose`, as both readers take them.

use lawful::Action;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The keyword arguments of `may_use` or `may_disclose`: the fields of a request
/// dict, flattened. An argument given as None is one not given.
pub(crate) struct Keywords<'a, 'py> {
    pub(crate) action: Action,
    pub(crate) role: &'a Bound<'py, PyAny>,
    pub(crate) data: &'a Bound<'py, PyAny>,
    pub(crate) purpose: &'a Bound<'py, PyAny>,
    pub(crate) party: Option<&'a Bound<'py, PyAny>>,
    pub(crate) at: Option<&'a Bound<'py, PyAny>>,
    pub(crate) collected_at: Option<&'a Bound<'py, PyAny>>,
    pub(crate) age: Option<&'a Bound<'py, PyAny>>,
    pub(crate) consents: Option<&'a Bound<'py, PyAny>>,
    pub(crate) revocations: Option<&'a Bound<'py, PyAny>>,
    /// The other keywords: subject attributes.
    pub(crate) attributes: Option<&'a Bound<'py, PyDict>>,
}

/// A keyword argument, unless it was not given or given as None.
pub(crate) fn given<'a, 'py>(
    value: Option<&'a Bound<'py, PyAny>>,
) -> Option<&'a Bound<'py, PyAny>> {
    value.filter(|v| !v.is_none())
}
