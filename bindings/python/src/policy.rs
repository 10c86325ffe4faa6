//! `lawful.Policy`: a loaded policy, and the ways to ask it.

use std::collections::hash_map::Entry;
use std::sync::Arc;

use lawful::{Action, Request};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyInt, PyIterator, PyList, PyString, PyTuple};
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

use crate::batch;
use crate::convert::{Converter, Path};
use crate::decision::{Parts, PyDecision};
use crate::direct;
use crate::errors::{Failure, PyDiagnostic, request_error};
use crate::fast;

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
}

/// The arguments of the keyword helpers `may_use` and `may_disclose`.
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

impl Keywords<'_, '_> {
    /// The request, read by the direct reader or else, through JSON, by the
    /// reader a request dict goes through. Arguments given as None are left out.
    pub(crate) fn read(&self) -> Result<Request, Failure> {
        if let Some(request) = direct::read_keywords(self) {
            return Ok(request);
        }
        Ok(Request::from_value(&self.to_json()?)?)
    }

    /// The request as JSON, as a request dict would give it.
    fn to_json(&self) -> Result<Value, Failure> {
        let mut converter = Converter::new();
        let top = Path::TOP;
        let subject_path = top.key("subject");
        let mut request = Map::new();
        let mut subject = Map::new();
        subject.insert(
            "role".to_owned(),
            converter.value(self.role, &subject_path.key("role"), 2)?,
        );
        for (name, value) in [
            ("age", self.age),
            ("consents", self.consents),
            ("revocations", self.revocations),
        ] {
            if let Some(value) = value.filter(|v| !v.is_none()) {
                let json = converter.value(value, &subject_path.key(name), 2)?;
                subject.insert(name.to_owned(), json);
            }
        }
        if let Some(attributes) = self.attributes {
            for (name, value) in attributes.iter() {
                if value.is_none() {
                    continue;
                }
                let name: String = name.extract()?;
                if name == "party" {
                    // `may_use(party=...)`: let the reader say a use has no party.
                    let json = converter.value(&value, &top.key("party"), 1)?;
                    request.insert(name, json);
                    continue;
                }
                let json = converter.value(&value, &subject_path.key(&name), 2)?;
                subject.insert(name, json);
            }
        }
        request.insert("action".to_owned(), Value::from(self.action.as_str()));
        request.insert("subject".to_owned(), Value::Object(subject));
        for (name, value) in [
            ("data", Some(self.data)),
            ("purpose", Some(self.purpose)),
            ("party", self.party),
            ("at", self.at),
            ("collected_at", self.collected_at),
        ] {
            if let Some(value) = value.filter(|v| !v.is_none()) {
                let json = converter.value(value, &top.key(name), 1)?;
                request.insert(name.to_owned(), json);
            }
        }
        Ok(Value::Object(request))
    }
}

/// Reads a request dict: by the direct reader when it can, or else through JSON
/// by the reader the CLI uses, which gives the same request or the error.
pub(crate) fn read(object: &Bound<'_, PyAny>) -> Result<Request, Failure> {
    if let Some(request) = direct::read(object) {
        return Ok(request);
    }
    let json = Converter::new().value(object, &Path::TOP, 0)?;
    Ok(Request::from_value(&json)?)
}

/// The requests of a batch, read from a Python iterable.
struct BatchReader<'py, 'p> {
    fast: fast::Reader<'p, 'py>,
    items: Bound<'py, PyIterator>,
    index: usize,
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
            // The fast path prepares plain dicts at once; anything else is read
            // the way `decide` reads it, so results and errors are the same.
            let pending = match self.fast.read(&item) {
                Some(prepared) => batch::Pending::Prepared(prepared),
                None => batch::Pending::Read(Box::new(read(&item).map_err(|f| (index, f))?)),
            };
            chunk.push(pending);
        }
        Ok(true)
    }
}

impl PyPolicy {
    pub(crate) fn new(policy: lawful::Policy) -> PyPolicy {
        PyPolicy { policy }
    }

    /// Decides a request read from Python.
    fn decide_request(
        &self,
        py: Python<'_>,
        request: Result<Request, Failure>,
    ) -> PyResult<PyDecision> {
        let request = request.map_err(|f| f.into_pyerr(py, None))?;
        match self.policy.decide(&request) {
            Ok(decision) => Ok(PyDecision::new(&decision, None)),
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
        // A plain dict takes the batch's fast path; anything else the usual reader.
        if let Some(prepared) = fast::Reader::single(py, &self.policy).read(request) {
            if let Ok(decision) = self.policy.decide_prepared(&prepared) {
                return Ok(PyDecision::new(&decision, None));
            }
        }
        self.decide_request(py, read(request))
    }

    /// For tests: `decide` by the usual reader alone, without the fast path.
    fn _decide_usual(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<PyDecision> {
        self.decide_request(py, read(request))
    }

    /// Decides a request and records every rule considered and why: the
    /// decision's `trace` is a list of dicts with `rule`, `applies` and `why`.
    /// Slower than `decide`; for review and debugging.
    fn explain(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<PyDecision> {
        let request = read(request).map_err(|f| f.into_pyerr(py, None))?;
        match self.policy.explain(&request) {
            Ok((decision, trace)) => Ok(PyDecision::new(&decision, Some(trace))),
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
        self.decide_request(py, keywords.read())
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
        self.decide_request(py, keywords.read())
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
        let threads = threads
            .filter(|t| !t.is_none())
            .map(thread_count)
            .transpose()?;
        if requests.is_instance_of::<PyDict>() || requests.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(
                "decide_many takes a list (or other iterable) of request dicts; use decide for one request",
            ));
        }
        let mut reader = BatchReader {
            fast: fast::Reader::batch(py, &self.policy),
            items: requests.try_iter()?,
            index: 0,
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
        let decision = self
            .policy
            .decide_json(bytes)
            .map_err(|e| request_error(py, &e, None))?;
        serde_json::to_string(&decision).map_err(|e| {
            let error =
                lawful::RequestError::field("request", format!("cannot write the decision: {e}"));
            request_error(py, &error, None)
        })
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

/// `decide_many`'s `threads`: a whole number from 1 to [`batch::MAX_THREADS`].
fn thread_count(threads: &Bound<'_, PyAny>) -> PyResult<usize> {
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
