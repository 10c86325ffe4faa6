//! Python objects to the JSON a request is read from.
//!
//! A request dict becomes a `serde_json::Value` and is then read by
//! [`lawful::Request::from_value`], the same reader the CLI uses, so every check
//! and every message is the same in Python as on the command line. Only what JSON
//! cannot say is handled here: `datetime` and `date` objects become RFC 3339 text
//! (a naive datetime is taken as UTC), tuples and sets become lists (a set sorted,
//! so the order is stable), and a Python value JSON has no form for is a request
//! error naming the field.
//!
//! The keyword arguments of `may_use` and `may_disclose` become the JSON of the
//! request dict they stand for ([`read_keywords`]), so their errors name fields as
//! the dict would (`subject.age`, `data`).
//!
//! The walk is bounded: nesting deeper than [`MAX_DEPTH`] (which also catches a
//! list that contains itself) and requests larger than the JSON reader's limit are
//! refused, so no input can exhaust the stack or memory.

use std::borrow::Cow;

use lawful::{Request, RequestError, RequestErrorKind};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDate, PyDateAccess, PyDateTime, PyDict, PyFloat, PyFrozenSet, PyInt, PyList,
    PyMapping, PySet, PyString, PyTimeAccess, PyTuple, PyTzInfo, PyTzInfoAccess,
};
use serde_json::{Map, Number, Value};

use crate::errors::Failure;
use crate::keywords::{Keywords, given};
use crate::size::{self, Size};

/// Reads a request dict (or any mapping) by the reader the command line uses.
pub(crate) fn read(object: &Bound<'_, PyAny>) -> Result<Request, Failure> {
    let json = Converter::new().value(object, &Path::TOP, 0)?;
    Ok(Request::from_value(&json)?)
}

/// Reads the arguments of `may_use` or `may_disclose` by the reader the command
/// line uses, as the request dict they stand for.
pub(crate) fn read_keywords(keywords: &Keywords<'_, '_>) -> Result<Request, Failure> {
    let json = Converter::new().keywords(keywords)?;
    Ok(Request::from_value(&json)?)
}

/// How deeply a request may nest. A valid request nests four levels at most.
pub(crate) const MAX_DEPTH: usize = 32;

/// Where in the request a value sits, as a chain back to the top. Rendered only
/// when an error needs it, so walking a request allocates nothing for paths.
#[derive(Clone, Copy)]
pub(crate) struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    step: Step<'a>,
}

#[derive(Clone, Copy)]
enum Step<'a> {
    Top,
    Key(&'a str),
    Index(usize),
}

impl<'a> Path<'a> {
    /// The request itself.
    pub(crate) const TOP: Path<'static> = Path {
        parent: None,
        step: Step::Top,
    };

    /// The value under `key` of the object at this path.
    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            step: Step::Key(key),
        }
    }

    fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            step: Step::Index(index),
        }
    }

    /// The field as the request reader names fields: `subject.consents.sale`,
    /// `data[2]`; `None` for the request itself.
    fn field(&self) -> Option<String> {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(path) = at {
            steps.push(path.step);
            at = path.parent;
        }
        let mut out = String::new();
        for step in steps.iter().rev() {
            match step {
                Step::Top => {}
                Step::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Step::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// A request error about the value at this path.
    fn error(&self, message: impl FnOnce(&str) -> String) -> Failure {
        let field = self.field();
        let message = match &field {
            Some(f) => message(&format!("`{f}`")),
            None => message("the request"),
        };
        Failure::Request(RequestError {
            kind: RequestErrorKind::Request,
            field,
            message,
            suggestion: None,
        })
    }
}

/// Converts Python values to JSON, keeping count of the request's size
/// ([`crate::size`]) and refusing it past the JSON reader's limit.
pub(crate) struct Converter {
    size: Size,
}

impl Converter {
    /// A converter for one request.
    pub(crate) fn new() -> Converter {
        Converter {
            size: Size::default(),
        }
    }

    fn weigh(&mut self, units: usize) -> Result<(), Failure> {
        if self.size.add(units) {
            Ok(())
        } else {
            Err(Failure::Request(Size::too_large()))
        }
    }

    /// The JSON form of `object`, found at `path` of the request.
    pub(crate) fn value(
        &mut self,
        object: &Bound<'_, PyAny>,
        path: &Path<'_>,
        depth: usize,
    ) -> Result<Value, Failure> {
        if depth > MAX_DEPTH {
            return Err(
                path.error(|f| format!("{f} is nested too deeply: the most is {MAX_DEPTH} levels"))
            );
        }
        self.weigh(1)?;
        // The common types first; `bool` before `int`, of which it is a subtype,
        // and `datetime` before `date`.
        if let Ok(text) = object.cast::<PyString>() {
            let text = self.text(text, path)?;
            return Ok(Value::String(text.into_owned()));
        }
        if let Ok(dict) = object.cast::<PyDict>() {
            // Taken out first: converting a value can run Python code (a tzinfo's
            // methods), which must not find the dict half-iterated.
            let items: Vec<_> = dict.iter().collect();
            return self.object(items, path, depth);
        }
        if let Ok(list) = object.cast::<PyList>() {
            return self.array(list.iter(), list.len(), path, depth, false);
        }
        if object.is_none() {
            return Ok(Value::Null);
        }
        if let Ok(b) = object.cast::<PyBool>() {
            return Ok(Value::Bool(b.is_true()));
        }
        if let Ok(int) = object.cast::<PyInt>() {
            return number_from_int(int).ok_or_else(|| unusable_number(path));
        }
        if let Ok(float) = object.cast::<PyFloat>() {
            return Number::from_f64(float.value())
                .map(Value::Number)
                .ok_or_else(|| unusable_number(path));
        }
        if let Ok(tuple) = object.cast::<PyTuple>() {
            return self.array(tuple.iter(), tuple.len(), path, depth, false);
        }
        if let Ok(set) = object.cast::<PySet>() {
            let items: Vec<_> = set.iter().collect();
            return self.array(items.into_iter(), set.len(), path, depth, true);
        }
        if let Ok(set) = object.cast::<PyFrozenSet>() {
            return self.array(set.iter(), set.len(), path, depth, true);
        }
        if let Ok(datetime) = object.cast::<PyDateTime>() {
            let text = datetime_text(datetime).map_err(|e| {
                path.error(|f| format!("{f}: the datetime cannot be put in UTC: {e}"))
            })?;
            self.weigh(text.len())?;
            return Ok(Value::String(text));
        }
        if let Ok(date) = object.cast::<PyDate>() {
            self.weigh(size::DATE)?;
            return Ok(Value::String(date_text(date)));
        }
        if let Ok(mapping) = object.cast::<PyMapping>() {
            let items = mapping
                .items()?
                .iter()
                .map(|item| item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>())
                .collect::<PyResult<Vec<_>>>()?;
            return self.object(items, path, depth);
        }
        let type_name = object
            .get_type()
            .name()
            .map_or_else(|_| "object".to_owned(), |n| n.to_string());
        Err(path.error(|f| {
            format!(
                "{f} cannot be a Python `{type_name}`: give text, a number, true or false, \
                 a list, a dict, a datetime or None"
            )
        }))
    }

    /// The request dict that keyword arguments stand for, as JSON. Arguments
    /// given as None are left out.
    fn keywords(&mut self, keywords: &Keywords<'_, '_>) -> Result<Value, Failure> {
        let top = Path::TOP;
        let subject_path = top.key("subject");
        let mut request = Map::new();
        let mut subject = Map::new();
        subject.insert(
            "role".to_owned(),
            self.value(keywords.role, &subject_path.key("role"), 2)?,
        );
        for (name, value) in [
            ("age", keywords.age),
            ("consents", keywords.consents),
            ("revocations", keywords.revocations),
        ] {
            if let Some(value) = given(value) {
                let json = self.value(value, &subject_path.key(name), 2)?;
                subject.insert(name.to_owned(), json);
            }
        }
        let mut party = None;
        if let Some(attributes) = keywords.attributes {
            for (name, value) in attributes.iter() {
                if value.is_none() {
                    continue;
                }
                let name: String = name.extract()?;
                if name == "party" {
                    // `may_use(party=...)`: let the reader say a use has no party.
                    party = Some(value);
                    continue;
                }
                let json = self.value(&value, &subject_path.key(&name), 2)?;
                subject.insert(name, json);
            }
        }
        if let Some(party) = party {
            let json = self.value(&party, &top.key("party"), 1)?;
            request.insert("party".to_owned(), json);
        }
        request.insert("action".to_owned(), Value::from(keywords.action.as_str()));
        request.insert("subject".to_owned(), Value::Object(subject));
        for (name, value) in [
            ("data", Some(keywords.data)),
            ("purpose", Some(keywords.purpose)),
            ("party", keywords.party),
            ("at", keywords.at),
            ("collected_at", keywords.collected_at),
        ] {
            if let Some(value) = given(value) {
                let json = self.value(value, &top.key(name), 1)?;
                request.insert(name.to_owned(), json);
            }
        }
        Ok(Value::Object(request))
    }

    fn text<'s>(
        &mut self,
        text: &'s Bound<'_, PyString>,
        path: &Path<'_>,
    ) -> Result<Cow<'s, str>, Failure> {
        let text = text.to_cow().map_err(|_| {
            path.error(|f| format!("{f} is not valid text (it holds a lone surrogate)"))
        })?;
        self.weigh(text.len())?;
        Ok(text)
    }

    fn object(
        &mut self,
        items: Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>)>,
        path: &Path<'_>,
        depth: usize,
    ) -> Result<Value, Failure> {
        self.weigh(items.len())?;
        let mut map = Map::new();
        for (key, value) in items {
            let key = key.cast_into::<PyString>().map_err(|e| {
                let type_name = e
                    .into_inner()
                    .get_type()
                    .name()
                    .map_or_else(|_| "object".to_owned(), |n| n.to_string());
                path.error(|f| format!("the keys of {f} must be text, not a Python `{type_name}`"))
            })?;
            let key = self.text(&key, path)?;
            let value = self.value(&value, &path.key(&key), depth + 1)?;
            map.insert(key.into_owned(), value);
        }
        Ok(Value::Object(map))
    }

    fn array<'py>(
        &mut self,
        items: impl Iterator<Item = Bound<'py, PyAny>>,
        len: usize,
        path: &Path<'_>,
        depth: usize,
        sort: bool,
    ) -> Result<Value, Failure> {
        self.weigh(len)?;
        let mut values = Vec::with_capacity(len);
        for (i, item) in items.enumerate() {
            values.push(self.value(&item, &path.index(i), depth + 1)?);
        }
        if sort {
            // A set has no order; sorted texts make the request the same every run.
            values.sort_by(|a, b| match (a, b) {
                (Value::String(a), Value::String(b)) => a.cmp(b),
                _ => std::cmp::Ordering::Equal,
            });
        }
        Ok(Value::Array(values))
    }
}

fn unusable_number(path: &Path<'_>) -> Failure {
    path.error(|f| format!("{f} is not a usable number"))
}

/// A Python int as a JSON number: exact when it fits 64 bits, as a float when
/// larger (as the JSON reader reads large integers), `None` when beyond a float.
fn number_from_int(int: &Bound<'_, PyInt>) -> Option<Value> {
    if let Ok(i) = int.extract::<i64>() {
        return Some(Value::Number(Number::from(i)));
    }
    if let Ok(u) = int.extract::<u64>() {
        return Some(Value::Number(Number::from(u)));
    }
    int.extract::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
}

/// A date as `YYYY-MM-DD`, which requests read as midnight UTC.
pub(crate) fn date_text(date: &Bound<'_, PyDate>) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.get_year(),
        date.get_month(),
        date.get_day()
    )
}

/// A datetime as RFC 3339 text in UTC. A naive datetime (no tzinfo, or one whose
/// `utcoffset()` is `None`) is taken to be UTC already.
pub(crate) fn datetime_text(datetime: &Bound<'_, PyDateTime>) -> PyResult<String> {
    let py = datetime.py();
    if datetime.get_tzinfo().is_some() && !datetime.call_method0("utcoffset")?.is_none() {
        let utc = datetime
            .call_method1("astimezone", (PyTzInfo::utc(py)?,))?
            .cast_into::<PyDateTime>()?;
        return Ok(utc_text(&utc));
    }
    Ok(utc_text(datetime))
}

/// The fields of a datetime already in UTC (or naive), as RFC 3339 text.
fn utc_text(utc: &Bound<'_, PyDateTime>) -> String {
    let mut text = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        utc.get_year(),
        utc.get_month(),
        utc.get_day(),
        utc.get_hour(),
        utc.get_minute(),
        utc.get_second()
    );
    let micros = utc.get_microsecond();
    if micros != 0 {
        text.push_str(&format!(".{micros:06}"));
    }
    text.push('Z');
    text
}
