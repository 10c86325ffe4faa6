//! The direct reader: a well-formed request dict straight to a [`Request`].
//!
//! Going through JSON ([`crate::convert`]) allocates every name twice and builds
//! a map per object; this reader takes the names straight from the Python
//! strings. It accepts only what it can read exactly as
//! [`Request::from_value`] would, and gives up (`None`) at anything else —
//! an unknown field, a wrong type, a bad time, a limit reached — leaving the
//! request to the JSON path, whose reader produces the result or the error. So
//! errors always come from the one reader the CLI uses, and a request it does
//! accept is the request that reader would have made; the test suite checks
//! the two agree (`_lawful._read_both`).

use lawful::{
    Action, MAX_AGE, MAX_LIST_ITEMS, MAX_REQUEST_BYTES, Request, Subject, Timestamp, Value,
};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString,
    PyTuple,
};

use crate::convert::{date_text, datetime_text};
use crate::policy::Keywords;

/// Reads a request dict, or `None` when it is not one this reader can read
/// exactly as the JSON reader would.
pub(crate) fn read(object: &Bound<'_, PyAny>) -> Option<Request> {
    let mut reader = Reader { weight: 0 };
    let request = reader.request(object.cast::<PyDict>().ok()?)?;
    // INVARIANT: `weight` is at least the JSON path's count for the same request,
    // so a request within the limit here is within it there too.
    (reader.weight <= MAX_REQUEST_BYTES).then_some(request)
}

/// Reads the arguments of `may_use` or `may_disclose`, or `None` when the
/// JSON path must (see [`read`]). An argument given as None is left out.
pub(crate) fn read_keywords(keywords: &Keywords<'_, '_>) -> Option<Request> {
    let mut reader = Reader { weight: 0 };
    let mut subject = Subject {
        role: reader.text(keywords.role)?,
        ..Subject::default()
    };
    if subject.role.is_empty() {
        return None;
    }
    if let Some(age) = given(keywords.age) {
        subject.age = reader.age(age)?;
    }
    if let Some(consents) = given(keywords.consents) {
        subject.consents = reader.times(consents)?;
    }
    if let Some(revocations) = given(keywords.revocations) {
        subject.revocations = reader.times(revocations)?;
    }
    if let Some(attributes) = keywords.attributes {
        for (name, value) in attributes.iter() {
            if value.is_none() {
                continue;
            }
            let name = name.cast::<PyString>().ok()?.to_str().ok()?;
            if name == "party" {
                return None;
            }
            reader.weight += name.len();
            let value = reader.attribute(&value)?;
            subject.attributes.insert(name.to_owned(), value);
        }
    }
    let party = match given(keywords.party) {
        Some(party) => Some(reader.text(party)?),
        None => None,
    };
    match (keywords.action, &party) {
        (Action::Use, Some(_)) | (Action::Disclose, None) => return None,
        _ => {}
    }
    let at = match given(keywords.at) {
        Some(at) => Some(reader.time(at)?),
        None => None,
    };
    let collected_at = match given(keywords.collected_at) {
        Some(at) => Some(reader.time(at)?),
        None => None,
    };
    let request = Request {
        action: keywords.action,
        subject,
        data: reader.data(keywords.data)?,
        purpose: reader.text(keywords.purpose)?,
        party,
        at,
        collected_at,
        request_id: None,
    };
    (reader.weight <= MAX_REQUEST_BYTES).then_some(request)
}

/// A keyword argument, unless it was not given or given as None.
fn given<'a, 'py>(value: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    value.filter(|v| !v.is_none())
}

struct Reader {
    weight: usize,
}

impl Reader {
    fn text(&mut self, object: &Bound<'_, PyAny>) -> Option<String> {
        let text = object.cast::<PyString>().ok()?.to_str().ok()?;
        self.weight += 1 + text.len();
        Some(text.to_owned())
    }

    fn request(&mut self, dict: &Bound<'_, PyDict>) -> Option<Request> {
        self.weight += 1 + dict.len();
        let mut action = None;
        let mut subject = None;
        let mut data = None;
        let mut purpose = None;
        let mut party = None;
        let mut at = None;
        let mut collected_at = None;
        // Taken out first: reading a datetime can run Python code (its tzinfo),
        // which must not find the dict half-iterated.
        let items: Vec<_> = dict.iter().collect();
        for (key, value) in &items {
            let key = key.cast::<PyString>().ok()?.to_str().ok()?;
            self.weight += key.len();
            match key {
                "action" => {
                    action = Some(match value.cast::<PyString>().ok()?.to_str().ok()? {
                        "use" => Action::Use,
                        "disclose" => Action::Disclose,
                        _ => return None,
                    });
                    self.weight += 1 + 8;
                }
                "subject" => subject = Some(self.subject(value.cast::<PyDict>().ok()?)?),
                "data" => data = Some(self.data(value)?),
                "purpose" => purpose = Some(self.text(value)?),
                "party" if value.is_none() => self.weight += 1,
                "party" => party = Some(self.text(value)?),
                "at" => at = self.optional_time(value)?,
                "collected_at" => collected_at = self.optional_time(value)?,
                _ => return None,
            }
        }
        let action = action?;
        match (action, &party) {
            (Action::Use, Some(_)) | (Action::Disclose, None) => return None,
            _ => {}
        }
        Some(Request {
            action,
            subject: subject?,
            data: data?,
            purpose: purpose?,
            party,
            at,
            collected_at,
            request_id: None,
        })
    }

    fn subject(&mut self, dict: &Bound<'_, PyDict>) -> Option<Subject> {
        self.weight += 1 + dict.len();
        let mut subject = Subject::default();
        let items: Vec<_> = dict.iter().collect();
        for (key, value) in &items {
            let key = key.cast::<PyString>().ok()?.to_str().ok()?;
            self.weight += key.len();
            match key {
                "role" => subject.role = self.text(value)?,
                "age" => subject.age = self.age(value)?,
                "consents" => subject.consents = self.times(value)?,
                "revocations" => subject.revocations = self.times(value)?,
                // An attribute given as None is an attribute not given.
                _ if value.is_none() => self.weight += 1,
                _ => {
                    let value = self.attribute(value)?;
                    subject.attributes.insert(key.to_owned(), value);
                }
            }
        }
        (!subject.role.is_empty()).then_some(subject)
    }

    /// `Some(None)` for an unknown age (None), `None` for anything not a whole
    /// number of years in range.
    fn age(&mut self, value: &Bound<'_, PyAny>) -> Option<Option<u32>> {
        self.weight += 1;
        if value.is_none() {
            return Some(None);
        }
        if value.is_instance_of::<PyBool>() {
            return None;
        }
        let age = value.cast::<PyInt>().ok()?.extract::<u32>().ok()?;
        (age <= MAX_AGE).then_some(Some(age))
    }

    fn data(&mut self, value: &Bound<'_, PyAny>) -> Option<Vec<String>> {
        if value.is_instance_of::<PyString>() {
            return Some(vec![self.text(value)?]);
        }
        let items = self.texts(value)?;
        (!items.is_empty()).then_some(items)
    }

    /// A list, tuple or set of texts, at most [`MAX_LIST_ITEMS`]; a set sorted,
    /// as the JSON path sorts it.
    fn texts(&mut self, value: &Bound<'_, PyAny>) -> Option<Vec<String>> {
        self.weight += 1;
        let (items, sort): (Vec<Bound<'_, PyAny>>, bool) = if let Ok(list) = value.cast::<PyList>()
        {
            (list.iter().collect(), false)
        } else if let Ok(tuple) = value.cast::<PyTuple>() {
            (tuple.iter().collect(), false)
        } else if let Ok(set) = value.cast::<PySet>() {
            (set.iter().collect(), true)
        } else if let Ok(set) = value.cast::<PyFrozenSet>() {
            (set.iter().collect(), true)
        } else {
            return None;
        };
        if items.len() > MAX_LIST_ITEMS {
            return None;
        }
        self.weight += items.len();
        let mut texts = items
            .iter()
            .map(|item| self.text(item))
            .collect::<Option<Vec<_>>>()?;
        if sort {
            texts.sort();
        }
        Some(texts)
    }

    fn attribute(&mut self, value: &Bound<'_, PyAny>) -> Option<Value> {
        if let Ok(text) = value.cast::<PyString>() {
            let text = text.to_str().ok()?;
            self.weight += 1 + text.len();
            return Some(Value::Text(text.into()));
        }
        if let Ok(b) = value.cast::<PyBool>() {
            self.weight += 1;
            return Some(Value::YesNo(b.is_true()));
        }
        if let Ok(int) = value.cast::<PyInt>() {
            self.weight += 1;
            // The JSON reader reads every number as a float.
            let n = int.extract::<i64>().ok()? as f64;
            return Some(Value::Number(n));
        }
        if let Ok(float) = value.cast::<PyFloat>() {
            self.weight += 1;
            let n = float.value();
            return n.is_finite().then_some(Value::Number(n));
        }
        Some(Value::text_set(self.texts(value)?))
    }

    fn times(
        &mut self,
        value: &Bound<'_, PyAny>,
    ) -> Option<std::collections::BTreeMap<String, Timestamp>> {
        let dict = value.cast::<PyDict>().ok()?;
        if dict.len() > MAX_LIST_ITEMS {
            return None;
        }
        self.weight += 1 + dict.len();
        let items: Vec<_> = dict.iter().collect();
        let mut times = std::collections::BTreeMap::new();
        for (purpose, time) in &items {
            let purpose = purpose.cast::<PyString>().ok()?.to_str().ok()?;
            self.weight += purpose.len();
            times.insert(purpose.to_owned(), self.time(time)?);
        }
        Some(times)
    }

    /// `Some(None)` for None, `None` for what is not a time.
    fn optional_time(&mut self, value: &Bound<'_, PyAny>) -> Option<Option<Timestamp>> {
        if value.is_none() {
            self.weight += 1;
            return Some(None);
        }
        self.time(value).map(Some)
    }

    fn time(&mut self, value: &Bound<'_, PyAny>) -> Option<Timestamp> {
        self.weight += 1;
        let text;
        let text: &str = if let Ok(s) = value.cast::<PyString>() {
            s.to_str().ok()?
        } else if let Ok(datetime) = value.cast::<PyDateTime>() {
            text = datetime_text(datetime).ok()?;
            &text
        } else if let Ok(date) = value.cast::<PyDate>() {
            text = date_text(date);
            &text
        } else {
            return None;
        };
        self.weight += text.len();
        Timestamp::parse(text).ok()
    }
}
