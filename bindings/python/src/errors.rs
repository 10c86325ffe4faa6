//! The exceptions: `LawfulError`, and under it `PolicyError` and `RequestError`,
//! each carrying the attributes a caller needs to act on it.

use lawful::{Diagnostic, RequestErrorKind, Severity};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyList;

create_exception!(
    lawful,
    LawfulError,
    PyException,
    "The base of every error lawful raises."
);
create_exception!(
    lawful,
    PolicyError,
    LawfulError,
    "A policy that cannot load: its rule files have errors, or the path holds none.

`diagnostics` lists the problems found (errors first, at most 100), each a
`lawful.Diagnostic` with `file`, `line`, `column`, `code`, `severity`, `message`
and `help`; `omitted` counts those found beyond them.
`file`, `line`, `column` and `message` repeat those of the first problem, for
the common case of one. `str(error)` is the report `lawful check` prints."
);
create_exception!(
    lawful,
    RequestError,
    LawfulError,
    "A request the policy cannot decide. It is never an allow.

Attributes: `kind` (`\"request\"`, or `\"json\"` for text that is not JSON),
`field` (the field at fault, such as `\"purpose\"` or `\"subject.age\"`, or None),
`message` (what is wrong), `suggestion` (the nearest valid value, or None) and
`index` (the position of the request in a `decide_many` batch, or None)."
);

/// Why a request could not be decided: a request error, or a Python error met
/// while reading it (such as a mapping whose `items()` raised).
pub(crate) enum Failure {
    Request(lawful::RequestError),
    Python(PyErr),
}

impl From<lawful::RequestError> for Failure {
    fn from(e: lawful::RequestError) -> Self {
        Failure::Request(e)
    }
}

impl From<PyErr> for Failure {
    fn from(e: PyErr) -> Self {
        Failure::Python(e)
    }
}

impl Failure {
    /// The exception to raise; `index` is the request's position in a batch.
    pub(crate) fn into_pyerr(self, py: Python<'_>, index: Option<usize>) -> PyErr {
        match self {
            Failure::Request(e) => request_error(py, &e, index),
            Failure::Python(e) => e,
        }
    }
}

/// A `lawful.RequestError` with its attributes set.
pub(crate) fn request_error(
    py: Python<'_>,
    error: &lawful::RequestError,
    index: Option<usize>,
) -> PyErr {
    let text = match index {
        Some(i) => format!("request {i}: {error}"),
        None => error.to_string(),
    };
    let exception = RequestError::new_err(text);
    let kind = match error.kind {
        RequestErrorKind::Json => "json",
        RequestErrorKind::Request => "request",
    };
    let value = exception.value(py);
    let set = value
        .setattr("kind", kind)
        .and_then(|()| value.setattr("field", error.field.as_deref()))
        .and_then(|()| value.setattr("message", &error.message))
        .and_then(|()| value.setattr("suggestion", error.suggestion.as_deref()))
        .and_then(|()| value.setattr("index", index));
    match set {
        Ok(()) => exception,
        Err(e) => e,
    }
}

/// A `lawful.PolicyError` with its diagnostics.
pub(crate) fn policy_error(py: Python<'_>, error: &lawful::PolicyError) -> PyErr {
    let exception = PolicyError::new_err(error.to_string());
    let value = exception.value(py);
    let first = error.diagnostics.first();
    let location = first.and_then(|d| d.location.as_ref());
    let set = PyList::new(
        py,
        error.diagnostics.iter().map(PyDiagnostic::from_diagnostic),
    )
    .and_then(|list| value.setattr("diagnostics", list))
    .and_then(|()| value.setattr("omitted", error.omitted.total()))
    .and_then(|()| value.setattr("file", location.map(|l| l.file.as_str())))
    .and_then(|()| value.setattr("line", location.map(|l| l.line)))
    .and_then(|()| value.setattr("column", location.map(|l| l.column)))
    .and_then(|()| value.setattr("message", first.map(|d| d.message.as_str())));
    match set {
        Ok(()) => exception,
        Err(e) => e,
    }
}

/// Gives the exception classes their attributes, as None, so an instance raised
/// by hand has them too.
pub(crate) fn add_class_defaults(py: Python<'_>) -> PyResult<()> {
    let request = py.get_type::<RequestError>();
    for name in ["kind", "field", "message", "suggestion", "index"] {
        request.setattr(name, py.None())?;
    }
    let policy = py.get_type::<PolicyError>();
    policy.setattr("diagnostics", PyList::empty(py))?;
    policy.setattr("omitted", 0)?;
    for name in ["file", "line", "column", "message"] {
        policy.setattr(name, py.None())?;
    }
    Ok(())
}

/// One problem found in a rule file: where it is, what is wrong, how to fix it.
///
/// `str(diagnostic)` renders it as `lawful check` does, with the source line and
/// a caret under the problem.
#[pyclass(frozen, eq, module = "lawful", name = "Diagnostic")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PyDiagnostic {
    /// `"error"` (the policy cannot load) or `"warning"` (it loads regardless).
    #[pyo3(get)]
    severity: &'static str,
    /// A stable code such as `"L010"`, explained in the documentation.
    #[pyo3(get)]
    code: &'static str,
    /// What is wrong, in plain English.
    #[pyo3(get)]
    message: String,
    /// The file, as it was named when loaded; None when the problem is in no file.
    #[pyo3(get)]
    file: Option<String>,
    /// The line, from 1; None when the problem is in no file.
    #[pyo3(get)]
    line: Option<usize>,
    /// The column in characters, from 1; None when the problem is in no file.
    #[pyo3(get)]
    column: Option<usize>,
    /// The source line the problem is on (for a line over 120 characters, the
    /// part around the problem); None when the problem is in no file.
    #[pyo3(get)]
    source_line: Option<String>,
    /// How to fix it, when there is a hint.
    #[pyo3(get)]
    help: Option<String>,
    rendered: String,
}

impl PyDiagnostic {
    pub(crate) fn from_diagnostic(d: &Diagnostic) -> PyDiagnostic {
        let location = d.location.as_ref();
        PyDiagnostic {
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            code: d.code,
            message: d.message.clone(),
            file: location.map(|l| l.file.clone()),
            line: location.map(|l| l.line),
            column: location.map(|l| l.column),
            source_line: location.map(|l| l.source_line.clone()),
            help: d.help.clone(),
            rendered: d.to_string(),
        }
    }
}

#[pymethods]
impl PyDiagnostic {
    fn __str__(&self) -> &str {
        self.rendered.trim_end()
    }

    fn __repr__(&self) -> String {
        let place = match (&self.file, self.line, self.column) {
            (Some(file), Some(line), Some(column)) => format!(" at {file}:{line}:{column}"),
            _ => String::new(),
        };
        format!(
            "<Diagnostic {}[{}]{place}: {}>",
            self.severity, self.code, self.message
        )
    }
}
