//! The batch reader's fast path: a plain request dict straight to a prepared
//! request, resolving names against the policy's vocabulary from the Python
//! strings themselves, with no `Request` and no owned strings in between.
//!
//! It takes only exact `dict`, `str`, `int`, `float`, `bool`, `list` and `tuple`
//! objects, and returns `None` at anything else (an unknown key or name, a wrong
//! type, a `datetime`, a size near a limit, a request the engine refuses). The
//! batch then reads that request the usual way ([`crate::policy::read`]), so its
//! result or its error is exactly what `decide` gives; the test suite checks the
//! two paths decide alike.

use lawful::ids::{CategoryId, PurposeId, RoleId};
use lawful::{
    Action, MAX_AGE, MAX_LIST_ITEMS, MAX_REQUEST_BYTES, PreparedRequest, ResolvedRequest,
    Timestamp, Value, Vocabulary,
};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// Reads and prepares a request dict, or `None` when the usual reader must.
pub(crate) fn read(policy: &lawful::Policy, object: &Bound<'_, PyAny>) -> Option<PreparedRequest> {
    let mut reader = Reader {
        vocabulary: policy.vocabulary(),
        weight: 0,
    };
    let request = reader.request(object)?;
    if reader.weight > MAX_REQUEST_BYTES / 2 {
        return None;
    }
    policy.prepare_resolved(request).ok()
}

struct Reader<'v> {
    vocabulary: &'v Vocabulary,
    /// Bytes of text read, to leave requests near the size limit to the usual reader.
    weight: usize,
}

/// The text of an exact `str`.
fn text<'a>(object: &'a Bound<'_, PyAny>) -> Option<&'a str> {
    if !object.is_exact_instance_of::<PyString>() {
        return None;
    }
    object.cast::<PyString>().ok()?.to_str().ok()
}

fn exact_dict<'a, 'py>(object: &'a Bound<'py, PyAny>) -> Option<&'a Bound<'py, PyDict>> {
    if !object.is_exact_instance_of::<PyDict>() {
        return None;
    }
    object.cast::<PyDict>().ok()
}

impl Reader<'_> {
    fn name<'a>(&mut self, object: &'a Bound<'_, PyAny>) -> Option<&'a str> {
        let name = text(object)?;
        self.weight += name.len() + 2;
        Some(name)
    }

    fn time(&mut self, object: &Bound<'_, PyAny>) -> Option<Timestamp> {
        Timestamp::parse(self.name(object)?).ok()
    }

    fn request<'py>(&mut self, object: &Bound<'py, PyAny>) -> Option<ResolvedRequest> {
        let dict = exact_dict(object)?;
        let (mut action, mut subject, mut data, mut purpose) = (None, None, None, None);
        let (mut party, mut at, mut collected_at) = (None, None, None);
        // One pass over the dict's items (cheaper than a lookup per known key);
        // a key given as None is a key not given.
        for (key, value) in dict.iter() {
            let slot = match text(&key)? {
                "action" => &mut action,
                "subject" => &mut subject,
                "data" => &mut data,
                "purpose" => &mut purpose,
                "party" => &mut party,
                "at" => &mut at,
                "collected_at" => &mut collected_at,
                // Any other key is for the usual reader to name in its error.
                _ => return None,
            };
            if !value.is_none() {
                *slot = Some(value);
            }
        }
        let (action, subject, data, purpose) = (action?, subject?, data?, purpose?);
        let v = self.vocabulary;
        let action = match text(&action)? {
            "use" => Action::Use,
            "disclose" => Action::Disclose,
            _ => return None,
        };
        let mut request = ResolvedRequest {
            action,
            // Set from the subject below.
            role: RoleId::default(),
            data: self.data(&data)?,
            purpose: v.purpose(self.name(&purpose)?)?,
            party: match &party {
                Some(p) => Some(v.party(self.name(p)?)?),
                None => None,
            },
            age: None,
            attributes: Vec::new(),
            consents: Vec::new(),
            revocations: Vec::new(),
            at: match &at {
                Some(t) => Some(self.time(t)?),
                None => None,
            },
            collected_at: match &collected_at {
                Some(t) => Some(self.time(t)?),
                None => None,
            },
        };
        self.subject(&subject, &mut request)?;
        Some(request)
    }

    fn data(&mut self, object: &Bound<'_, PyAny>) -> Option<Vec<CategoryId>> {
        let v = self.vocabulary;
        if let Some(one) = text(object) {
            self.weight += one.len();
            return Some(vec![v.category(one)?]);
        }
        let items: Vec<Bound<'_, PyAny>> = if object.is_exact_instance_of::<PyList>() {
            object.cast::<PyList>().ok()?.iter().collect()
        } else if object.is_exact_instance_of::<PyTuple>() {
            object.cast::<PyTuple>().ok()?.iter().collect()
        } else {
            return None;
        };
        if items.is_empty() || items.len() > MAX_LIST_ITEMS {
            return None;
        }
        items
            .iter()
            .map(|item| v.category(self.name(item)?))
            .collect()
    }

    fn subject(&mut self, object: &Bound<'_, PyAny>, request: &mut ResolvedRequest) -> Option<()> {
        let dict = exact_dict(object)?;
        let v = self.vocabulary;
        let mut role = None;
        for (key, value) in dict.iter() {
            let key = self.name(&key)?;
            if value.is_none() {
                // An age or attribute given as None is not given; the rest must be
                // given properly, and the usual reader says so.
                if matches!(key, "role" | "consents" | "revocations") {
                    return None;
                }
                continue;
            }
            match key {
                "role" => role = Some(v.role(self.name(&value)?)?),
                "age" => {
                    if !value.is_exact_instance_of::<PyInt>() {
                        return None;
                    }
                    let age: u32 = value.extract().ok()?;
                    request.age = Some(age).filter(|a| *a <= MAX_AGE);
                    request.age?;
                }
                "consents" => request.consents = self.times(&value)?,
                "revocations" => request.revocations = self.times(&value)?,
                _ => {
                    let id = v.attribute(key)?;
                    request.attributes.push((id, self.value(&value)?));
                }
            }
        }
        request.role = role?;
        Some(())
    }

    fn times(&mut self, object: &Bound<'_, PyAny>) -> Option<Vec<(PurposeId, Timestamp)>> {
        let dict = exact_dict(object)?;
        if dict.len() > MAX_LIST_ITEMS {
            return None;
        }
        let v = self.vocabulary;
        dict.iter()
            .map(|(purpose, time)| Some((v.purpose(self.name(&purpose)?)?, self.time(&time)?)))
            .collect()
    }

    fn value(&mut self, object: &Bound<'_, PyAny>) -> Option<Value> {
        if object.is_exact_instance_of::<PyBool>() {
            return Some(Value::YesNo(object.is_truthy().ok()?));
        }
        if object.is_exact_instance_of::<PyInt>() {
            // Whole numbers JSON would carry exactly; others go the usual way.
            let n: i64 = object.extract().ok()?;
            // Below 2^53 the conversion is exact.
            let exact = n as f64;
            return (n.unsigned_abs() < (1 << 53)).then_some(Value::Number(exact));
        }
        if object.is_exact_instance_of::<PyFloat>() {
            let n: f64 = object.extract().ok()?;
            return n.is_finite().then_some(Value::Number(n));
        }
        if let Some(t) = text(object) {
            self.weight += t.len();
            return Some(Value::Text(t.into()));
        }
        if object.is_exact_instance_of::<PyList>() {
            let list = object.cast::<PyList>().ok()?;
            if list.len() > MAX_LIST_ITEMS {
                return None;
            }
            let mut items = Vec::with_capacity(list.len());
            for item in list.iter() {
                items.push(Box::<str>::from(self.name(&item)?));
            }
            return Some(Value::text_set(items));
        }
        None
    }
}
