//! The data map from Python: the map and the reverse questions as plain dicts and
//! lists (the JSON shape `lawful map --format json` prints), and the reports.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// Anything serialisable, as plain Python objects (through Python's own JSON
/// reader, which keeps the order of the keys); a map error as `ValueError`.
pub(crate) fn answer<'py, T: serde::Serialize>(
    py: Python<'py>,
    result: Result<T, lawful::map::MapError>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = result.map_err(|e| PyValueError::new_err(e.to_string()))?;
    let text = serde_json::to_string(&value).map_err(|e| PyValueError::new_err(e.to_string()))?;
    py.import("json")?.call_method1("loads", (text,))
}
