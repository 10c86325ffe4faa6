//! The fast reader: a plain request dict, or the arguments of `may_use` and
//! `may_disclose`, straight to a prepared request, resolving names against the
//! policy's vocabulary from the Python strings themselves, with no `Request`
//! and no owned strings in between. A batch's reader remembers the strings it
//! has resolved, so a name repeated across the batch as the same string object
//! is resolved once.
//!
//! It takes only exact `dict`, `str`, `int`, `float`, `bool`, `list` and `tuple`
//! objects, and `date`s and `datetime`s naive or in UTC, and returns `None` at
//! anything else (an unknown key or name, a wrong type, another time zone, a
//! request at the size limit, a request the engine refuses). The request is then
//! read by the JSON-value reader ([`crate::convert`]), so its result or its
//! error is exactly what the command line gives; the test suite checks the two
//! readers agree on tens of thousands of mutated requests.

use lawful::ids::{AttributeId, CategoryId, PartyId, PurposeId, RoleId};
use lawful::{
    Action, MAX_AGE, MAX_LIST_ITEMS, PreparedRequest, ResolvedRequest, Timestamp, Value, Vocabulary,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyDate, PyDateTime, PyDelta, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
    PyTzInfo, PyTzInfoAccess,
};
use rustc_hash::FxHashMap;

use crate::convert::date_text;
use crate::keywords::{Keywords, given};
use crate::size::{self, Size};

/// Reads request dicts and keyword arguments into prepared requests. A batch
/// keeps one reader for all its requests, so each name and time is read once
/// per object (up to a limit), and a request without `at` is decided as of the
/// moment the batch started.
pub(crate) struct Reader<'p, 'py> {
    policy: &'p lawful::Policy,
    memo: Option<Memo<'py>>,
    /// The instant for requests that give no `at`; `None`: the clock's, each time.
    now: Option<Timestamp>,
}

impl<'p, 'py> Reader<'p, 'py> {
    /// A reader for a single request: nothing to remember between requests.
    pub(crate) fn single(py: Python<'py>, policy: &'p lawful::Policy) -> Self {
        warm_up(py);
        Reader {
            policy,
            memo: None,
            now: None,
        }
    }

    /// A reader for a batch, remembering the names it resolves; `now` is the
    /// instant of requests that give no `at`.
    pub(crate) fn batch(py: Python<'py>, policy: &'p lawful::Policy, now: Timestamp) -> Self {
        warm_up(py);
        Reader {
            policy,
            memo: Some(Memo::default()),
            now: Some(now),
        }
    }

    /// A reader for one request whose missing `at` is `now` (for the tests).
    pub(crate) fn at(py: Python<'py>, policy: &'p lawful::Policy, now: Timestamp) -> Self {
        warm_up(py);
        Reader {
            policy,
            memo: None,
            now: Some(now),
        }
    }

    /// Reads and prepares a request dict, or `None` when the JSON-value reader must.
    pub(crate) fn read(&mut self, object: &Bound<'py, PyAny>) -> Option<PreparedRequest> {
        let request = self.request_reader().request(object)?;
        self.prepare(request)
    }

    /// Reads and prepares the arguments of `may_use` or `may_disclose`, or
    /// `None` when the JSON-value reader must.
    pub(crate) fn read_keywords(
        &mut self,
        keywords: &Keywords<'_, 'py>,
    ) -> Option<PreparedRequest> {
        let request = self.request_reader().keywords(keywords)?;
        self.prepare(request)
    }

    fn request_reader(&mut self) -> RequestReader<'_, 'py> {
        RequestReader {
            vocabulary: self.policy.vocabulary(),
            memo: self.memo.as_mut(),
            size: Size::default(),
        }
    }

    fn prepare(&self, mut request: ResolvedRequest) -> Option<PreparedRequest> {
        if request.at.is_none() {
            request.at = Some(self.now.unwrap_or_else(Timestamp::now));
        }
        self.policy.prepare_resolved(request).ok()
    }
}

/// Initialises, once and before any dict is iterated, everything the reader
/// looks up lazily (interned keys, the epochs, the `datetime` types): a first
/// initialisation may let other threads run, and a dict changed by one of them
/// in the middle of its iteration would make the iteration panic.
fn warm_up(py: Python<'_>) {
    static WARM: PyOnceLock<()> = PyOnceLock::new();
    WARM.get_or_init(py, || {
        let word = PyString::new(py, "role").into_any();
        FIELDS.find(&word);
        SUBJECT_FIELDS.find(&word);
        ACTIONS.find(&word);
        let utc = PyTzInfo::utc(py).ok();
        for zone in [None, utc.as_deref()] {
            if let Ok(datetime) = PyDateTime::new(py, 2026, 3, 1, 0, 0, 0, 0, zone) {
                datetime_instant(&datetime);
                let _ = datetime.into_any().cast_exact::<PyDate>();
            }
        }
    });
}

/// How many objects of each kind a batch remembers: past this, they are read
/// anew each time.
const MEMO_LIMIT: usize = 4096;

/// The most text remembered: names and times are short, and a long text is
/// not worth holding to the end of the batch.
const MEMO_MOST_BYTES: usize = 256;

/// How many lookups the memo gets before it must show it pays: at least one
/// in [`MEMO_LEAST_HITS`] must have found something.
const MEMO_TRIAL: usize = 4096;
const MEMO_LEAST_HITS: usize = 4;

/// What a batch has read, by the identity (address) of the Python object: a
/// service's requests repeat a few objects — string literals, interned names,
/// values shared between requests, one `datetime` for now — so most names
/// resolve by one integer lookup instead of a text lookup. Only immutable
/// objects are remembered (exact `str`, `datetime` and `date`), each with the
/// units it counts for ([`crate::size`]).
///
/// Every object remembered is held in `held`, so it stays alive to the end of
/// the batch and its address cannot be taken by another object meanwhile.
///
/// Requests read from JSON share no string objects: where few lookups find
/// anything, the memo stops looking ([`MEMO_TRIAL`]), and names go straight to
/// the vocabulary's own table.
#[derive(Default)]
struct Memo<'py> {
    held: Vec<Bound<'py, PyAny>>,
    /// Lookups so far, and how many found something.
    lookups: usize,
    hits: usize,
    /// Set once the memo has shown it finds too little to pay for itself.
    off: bool,
    roles: FxHashMap<usize, (RoleId, usize)>,
    categories: FxHashMap<usize, (CategoryId, usize)>,
    purposes: FxHashMap<usize, (PurposeId, usize)>,
    parties: FxHashMap<usize, (PartyId, usize)>,
    attributes: FxHashMap<usize, (AttributeId, usize)>,
    times: FxHashMap<usize, (Timestamp, usize)>,
}

/// A fixed set of words a request uses (its keys, its actions), matched first
/// by identity with their interned strings — keys written in Python source are
/// interned, so a request built in Python matches by one comparison each — and
/// otherwise by text.
struct Words<T: 'static> {
    words: &'static [(&'static str, T)],
    interned: PyOnceLock<Vec<Py<PyString>>>,
}

impl<T: Copy> Words<T> {
    const fn new(words: &'static [(&'static str, T)]) -> Self {
        Words {
            words,
            interned: PyOnceLock::new(),
        }
    }

    /// The value of the word `object` is, and the length of the word.
    fn find(&self, object: &Bound<'_, PyAny>) -> Option<(T, usize)> {
        let py = object.py();
        let interned = self.interned.get_or_init(py, || {
            self.words
                .iter()
                .map(|(word, _)| PyString::intern(py, word).unbind())
                .collect()
        });
        let by_identity = interned.iter().zip(self.words).find(|(s, _)| object.is(s));
        if let Some((_, (word, value))) = by_identity {
            return Some((*value, word.len()));
        }
        let text = text(object)?;
        let by_text = self.words.iter().find(|(word, _)| *word == text);
        by_text.map(|(word, value)| (*value, word.len()))
    }
}

#[derive(Clone, Copy)]
enum Field {
    Action,
    Subject,
    Data,
    Purpose,
    Party,
    At,
    CollectedAt,
}

static FIELDS: Words<Field> = Words::new(&[
    ("action", Field::Action),
    ("subject", Field::Subject),
    ("data", Field::Data),
    ("purpose", Field::Purpose),
    ("party", Field::Party),
    ("at", Field::At),
    ("collected_at", Field::CollectedAt),
]);

/// The subject's fields other than attributes.
#[derive(Clone, Copy)]
enum SubjectField {
    Role,
    Age,
    Consents,
    Revocations,
}

static SUBJECT_FIELDS: Words<SubjectField> = Words::new(&[
    ("role", SubjectField::Role),
    ("age", SubjectField::Age),
    ("consents", SubjectField::Consents),
    ("revocations", SubjectField::Revocations),
]);

static ACTIONS: Words<Action> = Words::new(&[("use", Action::Use), ("disclose", Action::Disclose)]);

/// Reads one request.
struct RequestReader<'r, 'py> {
    vocabulary: &'r Vocabulary,
    memo: Option<&'r mut Memo<'py>>,
    /// What has been read, to leave a request at the size limit to the JSON-value reader.
    size: Size,
}

/// The instant of an exact `datetime` that is naive (taken as UTC) or in UTC,
/// as the JSON-value reader makes it. Other time zones are left to that
/// reader: converting them calls their `utcoffset`, which may run Python code.
fn datetime_instant(datetime: &Bound<'_, PyDateTime>) -> Option<Timestamp> {
    static NAIVE_EPOCH: PyOnceLock<Py<PyDateTime>> = PyOnceLock::new();
    static UTC_EPOCH: PyOnceLock<Py<PyDateTime>> = PyOnceLock::new();
    let py = datetime.py();
    let epoch = match datetime.get_tzinfo() {
        None => NAIVE_EPOCH.get_or_try_init(py, || epoch(py, None)),
        Some(zone) => {
            let utc = PyTzInfo::utc(py).ok()?;
            if !zone.is(&*utc) {
                return None;
            }
            UTC_EPOCH.get_or_try_init(py, || epoch(py, Some(&utc)))
        }
    };
    // The difference from the epoch with the same (or no) zone is exact and
    // calls no `utcoffset`; divided by one microsecond, it is a whole number:
    // two operations instead of seven field reads (each a Python call under the
    // stable ABI).
    let since = datetime.sub(epoch.ok()?.bind(py)).ok()?;
    let micros: i64 = since.floor_div(one_microsecond(py)?).ok()?.extract().ok()?;
    let nanos = u32::try_from(micros.rem_euclid(1_000_000) * 1_000).ok()?;
    Timestamp::from_unix(micros.div_euclid(1_000_000), nanos)
}

fn one_microsecond(py: Python<'_>) -> Option<&Bound<'_, PyDelta>> {
    static ONE: PyOnceLock<Py<PyDelta>> = PyOnceLock::new();
    let one = ONE.get_or_try_init(py, || {
        Ok::<_, PyErr>(PyDelta::new(py, 0, 0, 1, false)?.unbind())
    });
    one.ok().map(|one| one.bind(py))
}

fn epoch(py: Python<'_>, zone: Option<&Bound<'_, PyTzInfo>>) -> PyResult<Py<PyDateTime>> {
    Ok(PyDateTime::new(py, 1970, 1, 1, 0, 0, 0, 0, zone)?.unbind())
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

impl<'py> RequestReader<'_, 'py> {
    /// Counts what was read ([`crate::size`]); `None` at the size limit.
    fn count(&mut self, units: usize) -> Option<()> {
        self.size.add(units).then_some(())
    }

    /// Resolves an exact `str` through `parse`, by its identity when the batch
    /// has met this string before. `map` picks the memo's table for the kind of
    /// name, since one text may name a purpose in one place and a category in
    /// another.
    fn resolve<T: Copy>(
        &mut self,
        object: &Bound<'py, PyAny>,
        map: for<'m> fn(&'m mut Memo<'py>) -> &'m mut FxHashMap<usize, (T, usize)>,
        parse: impl FnOnce(&Vocabulary, &str) -> Option<T>,
    ) -> Option<T> {
        let vocabulary = self.vocabulary;
        self.remember(object, map, |object| {
            let text = text(object)?;
            Some((parse(vocabulary, text)?, 1 + text.len()))
        })
    }

    /// Reads an immutable object through `read` (its value and the units it
    /// counts for), or takes what was read from it before in this batch.
    fn remember<T: Copy>(
        &mut self,
        object: &Bound<'py, PyAny>,
        map: for<'m> fn(&'m mut Memo<'py>) -> &'m mut FxHashMap<usize, (T, usize)>,
        read: impl FnOnce(&Bound<'py, PyAny>) -> Option<(T, usize)>,
    ) -> Option<T> {
        let address = object.as_ptr().addr();
        let memo = self.memo.as_deref_mut().filter(|m| !m.off);
        let memo = match memo {
            Some(memo) => {
                memo.lookups += 1;
                if let Some(&(value, units)) = map(memo).get(&address) {
                    memo.hits += 1;
                    self.count(units)?;
                    return Some(value);
                }
                if memo.lookups == MEMO_TRIAL && memo.hits * MEMO_LEAST_HITS < memo.lookups {
                    memo.off = true;
                }
                true
            }
            None => false,
        };
        let (value, units) = read(object)?;
        self.count(units)?;
        if let Some(memo) = self.memo.as_deref_mut().filter(|_| memo) {
            let table = map(memo);
            if table.len() < MEMO_LIMIT && units <= MEMO_MOST_BYTES {
                table.insert(address, (value, units));
                memo.held.push(object.clone());
            }
        }
        Some(value)
    }

    fn role(&mut self, object: &Bound<'py, PyAny>) -> Option<RoleId> {
        self.resolve(object, |m| &mut m.roles, Vocabulary::role)
    }

    fn category(&mut self, object: &Bound<'py, PyAny>) -> Option<CategoryId> {
        self.resolve(object, |m| &mut m.categories, Vocabulary::category)
    }

    fn purpose(&mut self, object: &Bound<'py, PyAny>) -> Option<PurposeId> {
        self.resolve(object, |m| &mut m.purposes, Vocabulary::purpose)
    }

    fn party(&mut self, object: &Bound<'py, PyAny>) -> Option<PartyId> {
        self.resolve(object, |m| &mut m.parties, Vocabulary::party)
    }

    fn attribute(&mut self, object: &Bound<'py, PyAny>) -> Option<AttributeId> {
        self.resolve(object, |m| &mut m.attributes, Vocabulary::attribute)
    }

    /// A time given as text, a `datetime` (naive, or in UTC) or a `date`.
    fn time(&mut self, object: &Bound<'py, PyAny>) -> Option<Timestamp> {
        self.remember(
            object,
            |m| &mut m.times,
            |object| {
                if let Some(text) = text(object) {
                    return Some((Timestamp::parse(text).ok()?, 1 + text.len()));
                }
                if let Ok(datetime) = object.cast_exact::<PyDateTime>() {
                    return Some((datetime_instant(datetime)?, 1 + size::DATETIME));
                }
                let date = date_text(object.cast_exact::<PyDate>().ok()?);
                Some((Timestamp::parse(&date).ok()?, 1 + size::DATE))
            },
        )
    }

    fn optional_time(&mut self, object: Option<&Bound<'py, PyAny>>) -> Option<Option<Timestamp>> {
        match object {
            Some(t) => Some(Some(self.time(t)?)),
            None => Some(None),
        }
    }

    fn request(&mut self, object: &Bound<'py, PyAny>) -> Option<ResolvedRequest> {
        let dict = exact_dict(object)?;
        self.count(1 + dict.len())?;
        let (mut action, mut subject, mut data, mut purpose) = (None, None, None, None);
        let (mut party, mut at, mut collected_at) = (None, None, None);
        // One pass over the dict's items (cheaper than a lookup per known key);
        // a key given as None is a key not given. Any other key is for the
        // JSON-value reader to name in its error.
        for (key, value) in dict.iter() {
            let (field, len) = FIELDS.find(&key)?;
            self.count(len)?;
            let slot = match field {
                Field::Action => &mut action,
                Field::Subject => &mut subject,
                Field::Data => &mut data,
                Field::Purpose => &mut purpose,
                Field::Party => &mut party,
                Field::At => &mut at,
                Field::CollectedAt => &mut collected_at,
            };
            if value.is_none() {
                self.count(1)?;
            } else {
                *slot = Some(value);
            }
        }
        let (action, len) = ACTIONS.find(&action?)?;
        self.count(1 + len)?;
        let mut request = ResolvedRequest {
            action,
            // Set from the subject below.
            role: RoleId::default(),
            data: self.data(&data?)?,
            purpose: self.purpose(&purpose?)?,
            party: match &party {
                Some(p) => Some(self.party(p)?),
                None => None,
            },
            age: None,
            attributes: Vec::new(),
            consents: Vec::new(),
            revocations: Vec::new(),
            at: self.optional_time(at.as_ref())?,
            collected_at: self.optional_time(collected_at.as_ref())?,
        };
        self.subject(&subject?, &mut request)?;
        Some(request)
    }

    /// The request `may_use` or `may_disclose` was asked, as [`Self::request`]
    /// reads the dict the keywords stand for.
    fn keywords(&mut self, keywords: &Keywords<'_, 'py>) -> Option<ResolvedRequest> {
        let mut request = ResolvedRequest {
            action: keywords.action,
            role: self.role(keywords.role)?,
            data: self.data(keywords.data)?,
            purpose: self.purpose(keywords.purpose)?,
            party: match given(keywords.party) {
                Some(p) => Some(self.party(p)?),
                None => None,
            },
            age: None,
            attributes: Vec::new(),
            consents: Vec::new(),
            revocations: Vec::new(),
            at: self.optional_time(given(keywords.at))?,
            collected_at: self.optional_time(given(keywords.collected_at))?,
        };
        if let Some(age) = given(keywords.age) {
            request.age = Some(self.age(age)?);
        }
        if let Some(consents) = given(keywords.consents) {
            request.consents = self.times(consents)?;
        }
        if let Some(revocations) = given(keywords.revocations) {
            request.revocations = self.times(revocations)?;
        }
        for (name, value) in keywords.attributes.into_iter().flatten() {
            if value.is_none() {
                continue;
            }
            // `may_use(party=...)`: the JSON-value reader says a use has no party.
            if text(&name)? == "party" {
                return None;
            }
            let id = self.attribute(&name)?;
            request.attributes.push((id, self.value(&value)?));
        }
        Some(request)
    }

    fn data(&mut self, object: &Bound<'py, PyAny>) -> Option<Vec<CategoryId>> {
        if object.is_exact_instance_of::<PyString>() {
            return Some(vec![self.category(object)?]);
        }
        let len = match object.cast_exact::<PyList>() {
            Ok(list) => list.len(),
            Err(_) => object.cast_exact::<PyTuple>().ok()?.len(),
        };
        if len == 0 || len > MAX_LIST_ITEMS {
            return None;
        }
        self.count(1 + len)?;
        let mut categories = Vec::with_capacity(len);
        for item in object.try_iter().ok()? {
            categories.push(self.category(&item.ok()?)?);
        }
        Some(categories)
    }

    fn subject(&mut self, object: &Bound<'py, PyAny>, request: &mut ResolvedRequest) -> Option<()> {
        let dict = exact_dict(object)?;
        self.count(1 + dict.len())?;
        let mut role = None;
        for (key, value) in dict.iter() {
            let field = SUBJECT_FIELDS.find(&key);
            if let Some((_, len)) = field {
                self.count(len)?;
            }
            let field = field.map(|(field, _)| field);
            if value.is_none() {
                self.count(1)?;
                // An age or attribute given as None is not given; the rest must be
                // given properly, and the JSON-value reader says so.
                match field {
                    Some(
                        SubjectField::Role | SubjectField::Consents | SubjectField::Revocations,
                    ) => {
                        return None;
                    }
                    Some(SubjectField::Age) => continue,
                    None => {
                        self.free_text(&key)?;
                        continue;
                    }
                }
            }
            match field {
                Some(SubjectField::Role) => role = Some(self.role(&value)?),
                Some(SubjectField::Age) => request.age = Some(self.age(&value)?),
                Some(SubjectField::Consents) => request.consents = self.times(&value)?,
                Some(SubjectField::Revocations) => request.revocations = self.times(&value)?,
                None => {
                    let id = self.attribute(&key)?;
                    request.attributes.push((id, self.value(&value)?));
                }
            }
        }
        request.role = role?;
        Some(())
    }

    /// An age: an exact `int` from 0 to [`MAX_AGE`].
    fn age(&mut self, object: &Bound<'py, PyAny>) -> Option<u32> {
        if !object.is_exact_instance_of::<PyInt>() {
            return None;
        }
        self.count(1)?;
        let age: u32 = object.extract().ok()?;
        (age <= MAX_AGE).then_some(age)
    }

    fn times(&mut self, object: &Bound<'py, PyAny>) -> Option<Vec<(PurposeId, Timestamp)>> {
        let dict = exact_dict(object)?;
        if dict.len() > MAX_LIST_ITEMS {
            return None;
        }
        self.count(1 + dict.len())?;
        let mut times = Vec::with_capacity(dict.len());
        for (purpose, time) in dict.iter() {
            times.push((self.purpose(&purpose)?, self.time(&time)?));
        }
        Some(times)
    }

    /// The text of an exact `str` that is not a name, counted.
    fn free_text<'a>(&mut self, object: &'a Bound<'py, PyAny>) -> Option<&'a str> {
        let text = text(object)?;
        self.count(1 + text.len())?;
        Some(text)
    }

    fn value(&mut self, object: &Bound<'py, PyAny>) -> Option<Value> {
        if object.is_exact_instance_of::<PyBool>() {
            self.count(1)?;
            return Some(Value::YesNo(object.is_truthy().ok()?));
        }
        if object.is_exact_instance_of::<PyInt>() {
            self.count(1)?;
            // Whole numbers JSON would carry exactly; others go the JSON way.
            let n: i64 = object.extract().ok()?;
            // Below 2^53 the conversion is exact.
            let exact = n as f64;
            return (n.unsigned_abs() < (1 << 53)).then_some(Value::Number(exact));
        }
        if object.is_exact_instance_of::<PyFloat>() {
            self.count(1)?;
            let n: f64 = object.extract().ok()?;
            return n.is_finite().then_some(Value::Number(n));
        }
        if let Some(t) = self.free_text(object) {
            return Some(Value::Text(t.into()));
        }
        if object.is_exact_instance_of::<PyList>() {
            let list = object.cast::<PyList>().ok()?;
            if list.len() > MAX_LIST_ITEMS {
                return None;
            }
            self.count(1 + list.len())?;
            let mut items = Vec::with_capacity(list.len());
            for item in list.iter() {
                items.push(Box::<str>::from(self.free_text(&item)?));
            }
            return Some(Value::text_set(items));
        }
        None
    }
}
