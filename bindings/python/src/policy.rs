//! `lawful.Policy`: a loaded policy, and the ways to ask it.

use std::collections::hash_map::Entry;
use std::sync::Arc;

use lawful::{Action, PreparedRequest, Request, Timestamp};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyInt, PyIterator, PyList, PyString, PyTuple};
use rustc_hash::FxHashMap;

use crate::batch;
use crate::convert;
use crate::decision::{Parts, PyDecision};
use crate::errors::{Failure, PyDiagnostic, request_error};
use crate::fast;
use crate::keywords::Keywords;

/// A compiled privacy policy, with every version of it. Load one with
/// `lawful.load(path)` or `lawful.loads(text)`.
///
/// Ask it with `decide(request)` for a request dict shaped as the JSON the
/// command line reads, with `may_use(...)` and `may_disclose(...)` for keyword
/// arguments, or with `decide_many(requests)` for a batch. Every answer is a
/// `lawful.Decision`; a request the policy cannot decide raises
/// `lawful.RequestError`, never an allow.
///
/// Times (`at`, `collected_at`, and the times in `consents` and `revocations`)
/// may be `datetime` objects (a naive one is taken as UTC), `date` objects, or
/// RFC 3339 text such as "2026-03-01T10:00:00Z" or "2026-03-01". `data` may be
/// one category or a list, tuple or set of them.
///
/// A policy is immutable and safe to share between threads.
#[pyclass(frozen, module = "lawful", name = "Policy")]
pub(crate) struct PyPolicy {
    policy: lawful::Policy,
    /// `policy.digest()`, shared by its decisions.
    digest: Arc<str>,
}

/// The requests of a batch, read from a Python iterable.
struct BatchReader<'py, 'p> {
    fast: fast::Reader<'p, 'py>,
    items: Bound<'py, PyIterator>,
    index: usize,
    /// The instant of the requests that give no `at`.
    now: Timestamp,
}

impl batch::Reader for BatchReader<'_, '_> {
    fn read_chunk(&mut self, chunk: &mut Vec<batch::Pending>) -> Result<bool, batch::BatchError> {
        while chunk.len() < batch::CHUNK {
            let Some(item) = self.items.next() else {
                return Ok(false);
            };
            let index = self.index;
            self.index += 1;
            let item = item.map_err(|e| (index, Failure::Python(e)))?;
            // The fast reader prepares plain dicts at once; anything else is read
            // by the JSON-value reader, so results and errors are `decide`'s.
            let pending = match self.fast.read(&item) {
                Some(prepared) => batch::Pending::Prepared(prepared),
                None => {
                    let mut request = convert::read(&item).map_err(|f| (index, f))?;
                    request.at.get_or_insert(self.now);
                    batch::Pending::Read(Box::new(request))
                }
            };
            chunk.push(pending);
        }
        Ok(true)
    }
}

impl PyPolicy {
    pub(crate) fn new(policy: lawful::Policy) -> PyPolicy {
        let digest = policy.digest().into();
        PyPolicy { policy, digest }
    }

    /// Decides a request the fast reader prepared, or else the request the
    /// JSON-value reader reads (`read`), whose error is the command line's.
    fn decide_read(
        &self,
        py: Python<'_>,
        prepared: Option<PreparedRequest>,
        read: impl FnOnce() -> Result<Request, Failure>,
    ) -> PyResult<PyDecision> {
        if let Some(prepared) = prepared {
            if let Ok(decision) = self.policy.decide_prepared(&prepared) {
                return Ok(PyDecision::new(&decision, None, &self.digest));
            }
        }
        self.decide_request(py, read())
    }

    /// Decides a request read by the JSON-value reader.
    fn decide_request(
        &self,
        py: Python<'_>,
        request: Result<Request, Failure>,
    ) -> PyResult<PyDecision> {
        let request = request.map_err(|f| f.into_pyerr(py, None))?;
        match self.policy.decide(&request) {
            Ok(decision) => Ok(PyDecision::new(&decision, None, &self.digest)),
            Err(e) => Err(request_error(py, &e, None)),
        }
    }
}

#[pymethods]
impl PyPolicy {
    /// Decides one request, given as a dict shaped like the JSON request of the
    /// command line:
    ///
    ///     policy.decide({"action": "use", "subject": {"role": "visitor"},
    ///                    "data": "device.ip_address", "purpose": "operate_website"})
    ///
    /// Returns a `Decision`. Raises `RequestError` when the request is not one
    /// the policy can decide: a missing or unknown field, a wrong type, or a
    /// name the policy does not declare (with a suggestion when one is near).
    fn decide(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<PyDecision> {
        let prepared = fast::Reader::single(py, &self.policy).read(request);
        self.decide_read(py, prepared, || convert::read(request))
    }

    /// For tests: `decide` by the JSON-value reader alone, without the fast one.
    fn _decide_usual(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<PyDecision> {
        self.decide_request(py, convert::read(request))
    }

    /// For tests: a request as the fast reader prepares it (None when it leaves
    /// the request to the other reader) and as the JSON-value reader prepares it
    /// (None when it refuses it), as text, both with `at` defaulting to `now`.
    fn _read_both(
        &self,
        py: Python<'_>,
        request: &Bound<'_, PyAny>,
    ) -> PyResult<(Option<String>, Option<String>)> {
        let now = Timestamp::now();
        let fast = fast::Reader::at(py, &self.policy, now).read(request);
        let by_json = match convert::read(request) {
            Ok(mut read) => {
                read.at.get_or_insert(now);
                self.policy.prepare(&read).ok()
            }
            Err(Failure::Request(_)) => None,
            Err(Failure::Python(e)) => return Err(e),
        };
        let text = |prepared: PreparedRequest| format!("{prepared:?}");
        Ok((fast.map(text), by_json.map(text)))
    }

    /// Decides a request and records every rule considered and why: the
    /// decision's `trace` is a list of dicts with `rule`, `applies` and `why`.
    /// Slower than `decide`; for review and debugging.
    fn explain(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<PyDecision> {
        let request = convert::read(request).map_err(|f| f.into_pyerr(py, None))?;
        match self.policy.explain(&request) {
            Ok((decision, trace)) => Ok(PyDecision::new(&decision, Some(trace), &self.digest)),
            Err(e) => Err(request_error(py, &e, None)),
        }
    }

    /// May this person's data be used for this purpose?
    ///
    ///     policy.may_use(role="visitor", data="device.ip_address",
    ///                    purpose="operate_website", do_not_track=True)
    ///
    /// `data` is one category or a list, tuple or set of them. `at` (default:
    /// now) and `collected_at` (default: the newest version decides) are
    /// datetimes, dates or RFC 3339 text. `consents` and `revocations` map
    /// purposes to times. Any other keyword is a subject attribute the policy
    /// declares, such as `do_not_track` or `jurisdiction`. An argument given as
    /// None is treated as not given. Returns a `Decision`; raises
    /// `RequestError` as `decide` does, naming fields as the request dict would
    /// (`subject.age`, `data`).
    #[pyo3(signature = (*, role, data, purpose, at=None, collected_at=None, age=None,
                        consents=None, revocations=None, **attributes))]
    #[expect(
        clippy::too_many_arguments,
        reason = "each argument is a keyword of the Python method"
    )]
    fn may_use(
        &self,
        py: Python<'_>,
        role: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
        purpose: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        collected_at: Option<&Bound<'_, PyAny>>,
        age: Option<&Bound<'_, PyAny>>,
        consents: Option<&Bound<'_, PyAny>>,
        revocations: Option<&Bound<'_, PyAny>>,
        attributes: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyDecision> {
        let keywords = Keywords {
            action: Action::Use,
            role,
            data,
            purpose,
            party: None,
            at,
            collected_at,
            age,
            consents,
            revocations,
            attributes,
        };
        let prepared = fast::Reader::single(py, &self.policy).read_keywords(&keywords);
        self.decide_read(py, prepared, || convert::read_keywords(&keywords))
    }

    /// May this person's data be disclosed to this party, for this purpose?
    ///
    ///     policy.may_disclose(role="visitor", data="contact.email",
    ///                         purpose="marketing.communications", party="mailgun",
    ///                         consents={"marketing.communications": "2026-01-05"})
    ///
    /// The keywords are those of `may_use`, and `party`, the recipient.
    #[pyo3(signature = (*, role, data, purpose, party, at=None, collected_at=None, age=None,
                        consents=None, revocations=None, **attributes))]
    #[expect(
        clippy::too_many_arguments,
        reason = "each argument is a keyword of the Python method"
    )]
    fn may_disclose(
        &self,
        py: Python<'_>,
        role: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
        purpose: &Bound<'_, PyAny>,
        party: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        collected_at: Option<&Bound<'_, PyAny>>,
        age: Option<&Bound<'_, PyAny>>,
        consents: Option<&Bound<'_, PyAny>>,
        revocations: Option<&Bound<'_, PyAny>>,
        attributes: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyDecision> {
        let keywords = Keywords {
            action: Action::Disclose,
            role,
            data,
            purpose,
            party: Some(party),
            at,
            collected_at,
            age,
            consents,
            revocations,
            attributes,
        };
        let prepared = fast::Reader::single(py, &self.policy).read_keywords(&keywords);
        self.decide_read(py, prepared, || convert::read_keywords(&keywords))
    }

    /// Decides a batch of request dicts, returning their decisions in order.
    ///
    /// Plain request dicts (exact dict, str, int, float, bool, list and tuple
    /// values; times as text, dates, or datetimes naive or in UTC) are read and
    /// prepared straight from their Python objects, each name resolved once
    /// per batch; anything else is read the way `decide` reads it, with the
    /// same result or error. Requests are read with the interpreter held, in
    /// chunks of 1,024, and each chunk is decided without it. With `threads=N`,
    /// N - 1 other threads decide chunks while the calling thread reads the
    /// next; by default (`threads=None`) N is 2 on a machine with two CPUs or
    /// more, and `threads=1` does both on the calling thread. N is at most 64:
    /// another whole number raises `ValueError`, anything else `TypeError`. A request the
    /// policy cannot decide raises `RequestError` with `index` set to its
    /// position in the batch (and `str(error)` starting "request N:"), and no
    /// decisions are returned: a batch is decided whole or not at all. A request
    /// without `at` is decided as of the moment the batch is decided. Equal
    /// decisions in the list may be one and the same (immutable) object.
    #[pyo3(signature = (requests, *, threads=None))]
    fn decide_many<'py>(
        &self,
        py: Python<'py>,
        requests: &Bound<'py, PyAny>,
        threads: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let threads = thread_count(threads)?;
        if requests.is_instance_of::<PyDict>() || requests.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(
                "decide_many takes a list (or other iterable) of request dicts; use decide for one request",
            ));
        }
        let now = Timestamp::now();
        let mut reader = BatchReader {
            fast: fast::Reader::batch(py, &self.policy, now),
            items: requests.try_iter()?,
            index: 0,
            now,
        };
        let known_len = requests.len().ok();
        let decided = batch::decide(py, &self.policy, threads, known_len, &mut reader)
            .map_err(|(index, f)| f.into_pyerr(py, Some(index)))?;
        // Identical decisions share one Python object, as they share their parts:
        // a decision is immutable, and a batch of many makes few distinct ones.
        let mut objects: FxHashMap<*const Parts, Bound<'py, PyDecision>> = FxHashMap::default();
        let mut list = Vec::with_capacity(decided.len());
        for parts in decided {
            let object = match objects.entry(Arc::as_ptr(&parts)) {
                Entry::Occupied(entry) => entry.get().clone(),
                Entry::Vacant(entry) => entry
                    .insert(Bound::new(py, PyDecision::from(parts))?)
                    .clone(),
            };
            list.push(object);
        }
        PyList::new(py, list)
    }

    /// Decides a table of requests, one per row, on every core and without the
    /// interpreter: a pyarrow `Table` or `RecordBatch`, or anything that exports
    /// Arrow data through `__arrow_c_stream__` (a Polars or pandas data frame, a
    /// DuckDB relation).
    ///
    /// Columns are named as the request's fields: `action`, `role`, `data` (text
    /// or a list of text), `purpose`, `party`, `at`, `collected_at` (timestamps,
    /// dates or RFC 3339 text), `age` (whole numbers), `consents` and
    /// `revocations` (a map from purpose to time, or a struct with a field per
    /// purpose), and one column per subject attribute (booleans, numbers, text or
    /// lists of text, as the attribute is declared); the subject's columns may
    /// also sit in a struct column `subject`. A null is a field not given. Text
    /// columns may be dictionary-encoded; each distinct name is then resolved once.
    /// Any other column, a missing `action`, `role`, `data` or `purpose`, or a
    /// column of the wrong type raises `RequestError` naming it.
    ///
    /// Returns a `RecordBatch` for a `RecordBatch`, and a `Table` otherwise, with
    /// one row per request, in order: `allowed`, `rule`, `basis`, `version`,
    /// `obligations` (the kinds, as a list) and `error`. A request the policy
    /// cannot decide has `allowed` null and `error` set to the message `decide`
    /// would raise for it; it is never an allow. Requests without `at` are
    /// decided as of the moment the call began. `threads` (default: every CPU)
    /// is the most threads to decide on, from 1 to 64.
    #[pyo3(signature = (table, *, threads=None))]
    fn decide_arrow<'py>(
        &self,
        py: Python<'py>,
        table: &Bound<'py, PyAny>,
        threads: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let threads = thread_count(threads)?;
        crate::columnar::decide(py, &self.policy, table, threads)
    }

    /// Decides a request given as JSON text (str or bytes) and returns the
    /// decision as JSON text, exactly as `lawful decide` prints it.
    fn decide_json(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<String> {
        let text;
        let bytes = if let Ok(b) = request.cast::<PyBytes>() {
            b.as_bytes()
        } else if let Ok(s) = request.cast::<PyString>() {
            text = s.to_cow().map_err(|_| {
                let error = lawful::RequestError {
                    kind: lawful::RequestErrorKind::Json,
                    message: "not valid JSON: the text holds a lone surrogate (U+D800 to U+DFFF), which is not Unicode".to_owned(),
                    field: None,
                    suggestion: None,
                };
                request_error(py, &error, None)
            })?;
            text.as_bytes()
        } else {
            return Err(PyTypeError::new_err(
                "decide_json takes the request as JSON text, a str or bytes",
            ));
        };
        let written = Request::from_json(bytes).and_then(|request| {
            let decision = self.policy.decide(&request)?;
            serde_json::to_string(&decision.answer(request.request_id.as_deref(), None)).map_err(
                |e| {
                    lawful::RequestError::field(
                        "request",
                        format!("cannot write the decision: {e}"),
                    )
                },
            )
        });
        written.map_err(|e| request_error(py, &e, None))
    }

    /// The SHA-256 of the policy's rule files (named relative to its folder, in
    /// the order of their names; test files do not count), as 64 hex digits.
    /// Every decision carries it as `digest`.
    #[getter]
    fn digest(&self) -> &str {
        &self.digest
    }

    /// The data map of a version (the newest when `version` is None), as the
    /// dict `lawful map --format json` prints: `{"version": ..., "uses": [...]}`,
    /// each use with `role`, `category`, `purpose`, `basis`, `rule`, `cites`,
    /// `conditions` (empty when it holds for anyone) and `recipients`.
    /// Raises `ValueError` for an unknown version.
    #[pyo3(signature = (version=None))]
    fn data_map<'py>(&self, py: Python<'py>, version: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
        crate::map::answer(py, self.policy.data_map(version))
    }

    /// The purposes a role's data category (or the categories inside it) may be
    /// used for: a list of uses, as in `data_map()`. Raises `ValueError` for an
    /// unknown role, category or version.
    #[pyo3(signature = (role, category, version=None))]
    fn purposes_for<'py>(
        &self,
        py: Python<'py>,
        role: &str,
        category: &str,
        version: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::map::answer(py, self.policy.purposes_for(role, category, version))
    }

    /// The parties that may receive a role's data category for a purpose: a
    /// list of dicts with `role`, `category`, `purpose`, `party`, `basis`,
    /// `rule`, `obligations` and `conditions` (everything the disclosure needs).
    #[pyo3(signature = (role, category, purpose, version=None))]
    fn recipients_for<'py>(
        &self,
        py: Python<'py>,
        role: &str,
        category: &str,
        purpose: &str,
        version: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::map::answer(
            py,
            self.policy.recipients_for(role, category, purpose, version),
        )
    }

    /// The uses that serve a purpose (or the purposes inside it): whose data,
    /// which categories, on which basis; a list of uses, as in `data_map()`.
    #[pyo3(signature = (purpose, version=None))]
    fn uses_of_purpose<'py>(
        &self,
        py: Python<'py>,
        purpose: &str,
        version: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::map::answer(py, self.policy.uses_of_purpose(purpose, version))
    }

    /// The names of the policy's versions, oldest first. A decision's `version`
    /// is one of them.
    #[getter]
    fn versions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.policy.versions().into_iter().map(|v| v.name))
    }

    /// Warnings found while loading (the policy loaded despite them), as
    /// `lawful.Diagnostic` objects.
    #[getter]
    fn warnings(&self) -> Vec<PyDiagnostic> {
        self.policy
            .warnings()
            .iter()
            .map(PyDiagnostic::from_diagnostic)
            .collect()
    }

    fn __repr__(&self) -> String {
        let names: Vec<String> = self
            .policy
            .versions()
            .into_iter()
            .map(|v| format!("'{}'", v.name))
            .collect();
        format!("<Policy versions=[{}]>", names.join(", "))
    }
}

/// `decide_many`'s and `decide_arrow`'s `threads`: `None` (every CPU), or a whole
/// number from 1 to [`batch::MAX_THREADS`].
fn thread_count(threads: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    match threads.filter(|t| !t.is_none()) {
        None => Ok(None),
        Some(threads) => given_thread_count(threads).map(Some),
    }
}

fn given_thread_count(threads: &Bound<'_, PyAny>) -> PyResult<usize> {
    let wanted = || {
        format!(
            "threads must be a whole number from 1 to {}",
            batch::MAX_THREADS
        )
    };
    if !threads.is_instance_of::<PyInt>() {
        let type_name = threads.get_type().name()?;
        return Err(PyTypeError::new_err(format!(
            "{}, or None, not {type_name}",
            wanted()
        )));
    }
    threads
        .extract::<i64>()
        .ok()
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| (1..=batch::MAX_THREADS).contains(n))
        .ok_or_else(|| {
            let shown: String = threads
                .str()
                .map(|s| s.to_string())
                .unwrap_or_default()
                .chars()
                .take(24)
                .collect();
            PyValueError::new_err(format!("{}, not {shown}", wanted()))
        })
}
