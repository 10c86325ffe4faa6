//! `lawful.Decision`: the answer, owned by Python.
//!
//! The engine's decision borrows the policy and reads its parts (rule, cites,
//! summary…) from it when asked. A Python decision must outlive that borrow, so
//! its parts are copied out when it is made, into a [`Parts`] shared behind an
//! `Arc`: a batch gives identical decisions one copy.

use std::sync::Arc;

use lawful::{Basis, TraceStep};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// An obligation the caller must now meet.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Obligation {
    kind: Box<str>,
    purpose: Option<Box<str>>,
    within_days: Option<u32>,
}

/// Everything a decision says, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Parts {
    allowed: bool,
    rule: Option<Box<str>>,
    cites: Vec<Box<str>>,
    basis: Option<Basis>,
    obligations: Vec<Obligation>,
    version: Option<Box<str>>,
    /// The digest of the policy's sources, shared by every decision of the policy.
    digest: Arc<str>,
    summary: String,
    trace: Option<Vec<TraceStep>>,
}

impl Parts {
    /// Copies out the parts of an engine decision, with its trace when explained;
    /// `digest` is the deciding policy's.
    pub(crate) fn new(
        decision: &lawful::Decision<'_>,
        trace: Option<Vec<TraceStep>>,
        digest: &Arc<str>,
    ) -> Parts {
        Parts {
            allowed: decision.allowed(),
            rule: decision.rule().map(Into::into),
            cites: decision.cites().map(Into::into).collect(),
            basis: decision.basis(),
            obligations: decision
                .obligations()
                .map(|o| Obligation {
                    kind: o.kind.into(),
                    purpose: o.purpose.map(Into::into),
                    within_days: o.within_days,
                })
                .collect(),
            version: decision.version().map(Into::into),
            digest: Arc::clone(digest),
            summary: decision.summary(),
            trace,
        }
    }
}

impl std::hash::Hash for Parts {
    /// Hashes all but the trace (the engine's trace steps are not `Hash`), which
    /// keeps equal parts hashing equal.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.allowed.hash(state);
        self.rule.hash(state);
        self.cites.hash(state);
        self.basis.hash(state);
        self.obligations.hash(state);
        self.version.hash(state);
        self.digest.hash(state);
        self.summary.hash(state);
    }
}

/// The answer to a request: yes or no, which rule decided, the policy sections
/// it rests on, the lawful basis, what must be done next, and the version.
///
/// `bool(decision)` is `decision.allowed`. `to_dict()` gives the decision in the
/// JSON shape the command line prints. Decisions compare equal when every part
/// is equal. A decision is immutable; its list attributes are fresh copies.
#[pyclass(frozen, eq, module = "lawful", name = "Decision")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PyDecision {
    parts: Arc<Parts>,
}

impl From<Arc<Parts>> for PyDecision {
    fn from(parts: Arc<Parts>) -> Self {
        PyDecision { parts }
    }
}

impl PyDecision {
    /// A decision made now, with its trace when explained.
    pub(crate) fn new(
        decision: &lawful::Decision<'_>,
        trace: Option<Vec<TraceStep>>,
        digest: &Arc<str>,
    ) -> Self {
        Arc::new(Parts::new(decision, trace, digest)).into()
    }

    fn obligations_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for o in &self.parts.obligations {
            let dict = PyDict::new(py);
            dict.set_item("kind", &*o.kind)?;
            if let Some(purpose) = &o.purpose {
                dict.set_item("purpose", &**purpose)?;
            }
            if let Some(days) = o.within_days {
                dict.set_item("within_days", days)?;
            }
            list.append(dict)?;
        }
        Ok(list)
    }

    fn trace_list<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        let Some(trace) = &self.parts.trace else {
            return Ok(None);
        };
        let list = PyList::empty(py);
        for step in trace {
            let dict = PyDict::new(py);
            dict.set_item("rule", &step.rule)?;
            dict.set_item("applies", step.applies)?;
            dict.set_item("why", &step.why)?;
            list.append(dict)?;
        }
        Ok(Some(list))
    }
}

#[pymethods]
impl PyDecision {
    /// Whether the request is allowed.
    #[getter]
    fn allowed(&self) -> bool {
        self.parts.allowed
    }

    /// The id of the rule that decided, or None when no rule allowed the request
    /// (the default deny).
    #[getter]
    fn rule(&self) -> Option<&str> {
        self.parts.rule.as_deref()
    }

    /// The sections of the policy text the decision rests on.
    #[getter]
    fn cites(&self) -> Vec<&str> {
        self.parts.cites.iter().map(|c| &**c).collect()
    }

    /// The lawful basis (GDPR Art. 6) of the allowing rule, such as `"consent"`;
    /// None when the request is denied.
    #[getter]
    fn basis(&self) -> Option<&'static str> {
        self.parts.basis.map(Basis::as_str)
    }

    /// What the caller must now do: dicts with `kind` (such as `"delete"` or
    /// `"notify_recipients"`), and `purpose` and `within_days` where they apply.
    #[getter]
    fn obligations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.obligations_list(py)
    }

    /// The name of the policy version that decided, or None when the data was
    /// collected before the first version.
    #[getter]
    fn version(&self) -> Option<&str> {
        self.parts.version.as_deref()
    }

    /// The SHA-256 of the rule files of the policy that decided, as 64 hex
    /// digits: which exact text produced this decision (`Policy.digest`).
    #[getter]
    fn digest(&self) -> &str {
        &self.parts.digest
    }

    /// One sentence saying why, in plain English.
    #[getter]
    fn summary(&self) -> &str {
        &self.parts.summary
    }

    /// The rules considered and why each did or did not apply, as dicts with
    /// `rule`, `applies` and `why`; None unless the decision came from `explain`.
    #[getter]
    fn trace<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        self.trace_list(py)
    }

    /// The decision as `lawful decide` prints it: a dict with
    /// `allowed`, `rule`, `cites`, `basis`, `obligations`, `version` and
    /// `digest`, and `trace` when the decision was explained.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("allowed", self.parts.allowed)?;
        dict.set_item("rule", self.rule())?;
        dict.set_item("cites", self.cites())?;
        dict.set_item("basis", self.basis())?;
        dict.set_item("obligations", self.obligations_list(py)?)?;
        dict.set_item("version", self.version())?;
        dict.set_item("digest", self.digest())?;
        if let Some(trace) = self.trace_list(py)? {
            dict.set_item("trace", trace)?;
        }
        Ok(dict)
    }

    fn __bool__(&self) -> bool {
        self.parts.allowed
    }

    fn __repr__(&self) -> String {
        let parts = &self.parts;
        let mut out = format!(
            "<Decision allowed={} rule={} version={}",
            if parts.allowed { "True" } else { "False" },
            py_str(parts.rule.as_deref()),
            py_str(parts.version.as_deref()),
        );
        if let Some(basis) = parts.basis {
            out.push_str(&format!(" basis='{}'", basis.as_str()));
        }
        if !parts.obligations.is_empty() {
            let kinds: Vec<String> = parts
                .obligations
                .iter()
                .map(|o| format!("'{}'", o.kind))
                .collect();
            out.push_str(&format!(" obligations=[{}]", kinds.join(", ")));
        }
        out.push('>');
        out
    }
}

/// A string as Python's `repr` shows it, for ids that hold no quotes.
fn py_str(text: Option<&str>) -> String {
    text.map_or_else(|| "None".to_owned(), |t| format!("{t:?}").replace('"', "'"))
}
