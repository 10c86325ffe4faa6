//! `lawful.watch(path)`: a policy that follows its rule files, keeping the last
//! good version when an edit does not load (`lawful::Watcher` underneath).
//!
//! The watch thread calls the Python callback with the interpreter attached;
//! every call here that may wait for that thread (a reload, closing) detaches
//! first, so a callback waiting for the interpreter never waits on a thread
//! that holds it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, UNIX_EPOCH};

use lawful::watch::{Outcome, Reload, WatchError, WatchOptions};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

use crate::errors::{PyDiagnostic, policy_error};
use crate::policy::PyPolicy;

/// The report of one reload of a watched policy.
///
/// `ok` is False when the rule files did not load; the policy served before goes
/// on, and `diagnostics` say what is wrong. `changed` is True when a new policy
/// was swapped in. `str(report)` is the line lawful logs.
#[pyclass(frozen, module = "lawful", name = "Reload")]
pub(crate) struct PyReload {
    /// True when the rule files loaded (changed or not).
    #[pyo3(get)]
    ok: bool,
    /// True when a new policy was swapped in.
    #[pyo3(get)]
    changed: bool,
    /// What started it: `"start"`, `"change"` or `"manual"`.
    #[pyo3(get)]
    trigger: &'static str,
    /// The digest of the policy served after the reload.
    #[pyo3(get)]
    digest: String,
    /// The digest of the policy it replaced, when `changed` (None for the first load).
    #[pyo3(get)]
    previous: Option<String>,
    /// The problems of a failed reload, as `lawful.Diagnostic` objects.
    #[pyo3(get)]
    diagnostics: Vec<PyDiagnostic>,
    /// When it finished, in seconds since the epoch (as `time.time()`).
    #[pyo3(get)]
    at: f64,
    text: String,
}

impl From<&Reload> for PyReload {
    fn from(reload: &Reload) -> Self {
        PyReload {
            ok: reload.ok(),
            changed: reload.changed(),
            trigger: reload.trigger.as_str(),
            digest: reload.serving.clone(),
            previous: match &reload.outcome {
                Outcome::Loaded { previous } => previous.clone(),
                _ => None,
            },
            diagnostics: reload
                .diagnostics()
                .iter()
                .map(PyDiagnostic::from_diagnostic)
                .collect(),
            at: reload
                .at
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs_f64(),
            text: reload.to_string(),
        }
    }
}

#[pymethods]
impl PyReload {
    fn __bool__(&self) -> bool {
        self.ok
    }

    fn __str__(&self) -> &str {
        &self.text
    }

    fn __repr__(&self) -> String {
        format!(
            "<Reload ok={} changed={} trigger='{}' digest='{}' diagnostics={}>",
            py_bool(self.ok),
            py_bool(self.changed),
            self.trigger,
            self.digest,
            self.diagnostics.len()
        )
    }
}

fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// A policy that follows its rule files. Made by `lawful.watch(path)`.
///
/// `policy` is the policy served now: ask for it per request (or per batch) and
/// keep using that one object for it; it never blocks. An edit that does not
/// load replaces nothing. `reload()` reloads at once; `close()` (or leaving a
/// `with` block) stops watching. Safe to share between threads.
#[pyclass(frozen, weakref, module = "lawful", name = "Watcher")]
pub(crate) struct PyWatcher {
    inner: Mutex<Option<Arc<lawful::Watcher>>>,
    path: PathBuf,
    /// The `lawful.Policy` last handed out, with the policy it wraps: while the
    /// policy is the same, so is the object.
    handed_out: Mutex<Option<(Arc<lawful::Policy>, Py<PyPolicy>)>>,
}

impl PyWatcher {
    fn inner(&self) -> MutexGuard<'_, Option<Arc<lawful::Watcher>>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn open(&self) -> PyResult<Arc<lawful::Watcher>> {
        self.inner().clone().ok_or_else(closed)
    }
}

fn closed() -> PyErr {
    PyValueError::new_err("the watcher is closed")
}

/// Drops a watcher with the interpreter detached: its thread may be waiting to
/// attach, to call the callback.
fn drop_detached(py: Python<'_>, watcher: Arc<lawful::Watcher>) {
    py.detach(move || drop(watcher));
}

#[pymethods]
impl PyWatcher {
    /// The policy served now (a `lawful.Policy`). Raises ValueError once closed.
    #[getter]
    fn policy(&self, py: Python<'_>) -> PyResult<Py<PyPolicy>> {
        // The lock is held only to read the current policy, which never waits.
        let current = self.inner().as_ref().ok_or_else(closed)?.policy();
        let mut handed_out = self.handed_out.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((policy, object)) = handed_out.as_ref() {
            if Arc::ptr_eq(policy, &current) {
                return Ok(object.clone_ref(py));
            }
        }
        let object = Py::new(py, PyPolicy::new(lawful::Policy::clone(&current)))?;
        *handed_out = Some((current, object.clone_ref(py)));
        Ok(object)
    }

    /// Reloads now and returns the report (a `lawful.Reload`), which the
    /// callback also receives. Called from the callback, it returns the report
    /// being delivered without reloading.
    fn reload(&self, py: Python<'_>) -> PyResult<PyReload> {
        let watcher = self.open()?;
        let report = py.detach(move || {
            let report = watcher.reload_now();
            drop(watcher);
            report
        });
        Ok(PyReload::from(&report))
    }

    /// The report of the latest reload (the first load when there was none since).
    #[getter]
    fn last_reload(&self) -> PyResult<PyReload> {
        Ok(PyReload::from(&self.open()?.last_reload()))
    }

    /// The path watched, as given.
    #[getter]
    fn path(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }

    /// True once `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner().is_none()
    }

    /// Stops watching and waits for the watch thread to finish. Calling it again
    /// does nothing. The policies already handed out go on working.
    fn close(&self, py: Python<'_>) {
        let taken = self.inner().take();
        if let Some(watcher) = taken {
            drop_detached(py, watcher);
        }
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.close(py);
        false
    }

    fn __repr__(&self) -> String {
        let guard = self.inner();
        match guard.as_ref() {
            Some(watcher) => format!(
                "<Watcher path='{}' digest='{}'>",
                self.path.display(),
                watcher.policy().digest()
            ),
            None => format!("<Watcher path='{}' closed>", self.path.display()),
        }
    }
}

impl Drop for PyWatcher {
    fn drop(&mut self) {
        let taken = self
            .inner
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(watcher) = taken {
            Python::attach(|py| drop_detached(py, watcher));
        }
    }
}

/// Loads the policy at `path` and watches it: see `lawful.Watcher`.
///
///     with lawful.watch("rules/filestack", on_reload=print) as watcher:
///         decision = watcher.policy.decide(request)
///
/// `on_reload(report)` is called with a `lawful.Reload` for every load, this
/// first one included, from the watch thread (or the thread that called
/// `reload()`); an exception it raises is reported through
/// `sys.unraisablehook` and does not stop the watching. `debounce` is how long,
/// in seconds, the files must be quiet after a change before they are
/// reloaded. Raises `lawful.PolicyError` when the policy does not load at first,
/// and OSError when the path cannot be watched.
#[pyfunction]
#[pyo3(signature = (path, on_reload = None, *, debounce = 0.15))]
pub(crate) fn watch(
    py: Python<'_>,
    path: PathBuf,
    on_reload: Option<Py<PyAny>>,
    debounce: f64,
) -> PyResult<PyWatcher> {
    if !(debounce.is_finite() && (0.0..=60.0).contains(&debounce)) {
        return Err(PyValueError::new_err(
            "debounce must be a number of seconds from 0 to 60",
        ));
    }
    let options = WatchOptions {
        debounce: Duration::from_secs_f64(debounce),
    };
    let callback = move |reload: &Reload| {
        let Some(callback) = &on_reload else {
            return;
        };
        // Never during the interpreter's shutdown.
        Python::try_attach(|py| {
            let report = PyReload::from(reload);
            if let Err(e) = callback.call1(py, (report,)) {
                e.write_unraisable(py, Some(callback.bind(py)));
            }
        });
    };
    let started = py.detach(|| lawful::Watcher::with_options(&path, options, callback));
    match started {
        Ok(watcher) => Ok(PyWatcher {
            inner: Mutex::new(Some(Arc::new(watcher))),
            path,
            handed_out: Mutex::new(None),
        }),
        Err(WatchError::Policy(error)) => Err(policy_error(py, &error)),
        Err(error @ WatchError::Watch { .. }) => Err(PyOSError::new_err(error.to_string())),
    }
}
