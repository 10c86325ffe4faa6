//! Python bindings of lawful: the native module `lawful._lawful`, re-exported by
//! the thin Python package `lawful` (see `python/lawful/__init__.py`).
//!
//! Requests are read in two tiers. The fast reader ([`fast`]) takes a plain
//! request dict, or the keywords of `may_use` and `may_disclose`, straight to a
//! prepared request; anything it does not take is read by the JSON-value
//! reader ([`convert`]): the request becomes the JSON value it stands for and
//! is read by the command line's own reader, so checks and messages are the
//! command line's, word for word. Both count a request's size one way
//! ([`size`]). Decisions are copied into owned Python objects ([`decision`]).
//! A batch is read on the calling thread, with the interpreter held, while
//! worker threads decide what has been read, without it ([`batch`]).
//!
//! Layout: `policy` (the `Policy` class), `decision`, `errors` (exceptions and
//! `Diagnostic`), `fast`, `convert`, `keywords` and `size` (reading requests),
//! `batch`, `columnar` (`decide_arrow`), `map` (the data map), `watch`
//! (`lawful.watch`: hot reload).

use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyMapping, PyString};

mod batch;
mod columnar;
mod convert;
mod decision;
mod errors;
mod fast;
mod keywords;
mod map;
mod policy;
mod size;
mod watch;

use errors::{LawfulError, PolicyError, RequestError, policy_error};
use policy::PyPolicy;

/// Loads a policy from a rule file, or from a directory holding one rule file
/// per version (`*.lawful`; test files `*.test.lawful` are skipped).
///
///     policy = lawful.load("rules/filestack")
///
/// `path` is a str or `os.PathLike`. Raises `lawful.PolicyError` when the path
/// does not exist, holds no rule files, or the rules have errors; its
/// `diagnostics` say where (file, line, column) and how to fix each.
#[pyfunction]
fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyPolicy> {
    py.detach(|| lawful::Policy::load(&path))
        .map(PyPolicy::new)
        .map_err(|e| policy_error(py, &e))
}

/// Compiles a policy from rule text: one version as a str, or several as a
/// mapping from a name (used as the file name in diagnostics) to its text.
///
///     policy = lawful.loads({"2021-11-11.lawful": text})
///
/// Raises `lawful.PolicyError` as `load` does.
#[pyfunction]
fn loads(py: Python<'_>, sources: &Bound<'_, PyAny>) -> PyResult<PyPolicy> {
    let sources: Vec<(String, String)> = if let Ok(text) = sources.cast::<PyString>() {
        vec![("<string>".to_owned(), text.to_cow()?.into_owned())]
    } else {
        sources
            .cast::<PyMapping>()?
            .items()?
            .iter()
            .map(|item| item.extract::<(String, String)>())
            .collect::<PyResult<_>>()?
    };
    py.detach(|| lawful::Policy::from_sources(sources))
        .map(PyPolicy::new)
        .map_err(|e| policy_error(py, &e))
}

/// Writes a report of the policy at `path`, as `lawful map` does: `format` is
/// "markdown", "json", "csv", "html", "ropa", "ropa-json", "ccpa", "ccpa-json" or
/// "fides"; `version`
/// the version (the newest when None); `texts` the folder of published policy
/// texts the HTML page shows (by default `path/text` when it exists).
///
///     print(lawful.report("rules/filestack", "ropa"))
///
/// Raises `lawful.PolicyError` when the rules do not load, `ValueError` for an
/// unknown format or version.
#[pyfunction]
#[pyo3(signature = (path, format="markdown", version=None, texts=None))]
fn report(
    py: Python<'_>,
    path: PathBuf,
    format: &str,
    version: Option<String>,
    texts: Option<PathBuf>,
) -> PyResult<String> {
    let format = lawful::report::Format::from_name(format).map_err(PyValueError::new_err)?;
    let policy = py
        .detach(|| lawful::Policy::load(&path))
        .map_err(|e| policy_error(py, &e))?;
    let sources = if format == lawful::report::Format::Html {
        let texts = texts.or_else(|| Some(path.join("text")).filter(|p| p.is_dir()));
        match lawful::report::Sources::read(&path, texts.as_deref()) {
            Ok(s) => Some(s),
            Err(lawful::report::SourcesError::Rules(e)) => return Err(policy_error(py, &e)),
            Err(e) => return Err(PyValueError::new_err(e.to_string())),
        }
    } else {
        None
    };
    py.detach(|| lawful::report::render(&policy, version.as_deref(), format, sources.as_ref()))
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// lawful: privacy policies as code. Load a policy and ask it whether a
/// person's data may be used for a purpose, or disclosed to a party.
#[pymodule]
fn _lawful(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(loads, m)?)?;
    m.add_function(wrap_pyfunction!(report, m)?)?;
    m.add_function(wrap_pyfunction!(watch::watch, m)?)?;
    m.add_class::<watch::PyWatcher>()?;
    m.add_class::<watch::PyReload>()?;
    m.add_class::<PyPolicy>()?;
    m.add_class::<decision::PyDecision>()?;
    m.add_class::<errors::PyDiagnostic>()?;
    m.add("LawfulError", py.get_type::<LawfulError>())?;
    m.add("PolicyError", py.get_type::<PolicyError>())?;
    m.add("RequestError", py.get_type::<RequestError>())?;
    errors::add_class_defaults(py)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
