//! Requests: the question a service asks, in its JSON form and its prepared form.
//!
//! A [`Request`] names things with strings, as JSON does. Preparing it against a
//! policy resolves every name to its id once ([`PreparedRequest`]); deciding a
//! prepared request allocates nothing.

use std::collections::BTreeMap;

use serde::Serialize;
use smallvec::SmallVec;

use crate::ids::{AttributeId, CategoryId, NameId, PartyId, PurposeId, RoleId};
use crate::model::Action;
use crate::suggest::suggest;
use crate::time::Timestamp;
use crate::value::{Value, ValueType};
use crate::vocab::{AGE, Vocabulary};

/// The largest request, in bytes, the JSON reader accepts.
pub const MAX_REQUEST_BYTES: usize = 1 << 20;
/// The most data categories, consents or revocations one request may list.
pub const MAX_LIST_ITEMS: usize = 1024;
/// The oldest age a request may give.
pub const MAX_AGE: u32 = 200;
/// The longest `request_id`, in bytes.
pub const MAX_REQUEST_ID_BYTES: usize = 256;

/// A request, naming everything with strings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Request {
    /// `use` or `disclose`.
    pub action: Action,
    /// Who the data is about.
    pub subject: Subject,
    /// The data categories; all must be allowed.
    pub data: Vec<String>,
    /// The purpose.
    pub purpose: String,
    /// The party, for a disclosure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// When the use or disclosure happens; now when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
    /// When the data was collected; selects the policy version. The newest when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<Timestamp>,
    /// The caller's id for this request, echoed in the answer and the audit log;
    /// it plays no part in the decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The person the data is about.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Subject {
    /// Their role, such as `visitor`.
    pub role: String,
    /// Their age in whole years, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    /// When they consented, per purpose.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub consents: BTreeMap<String, Timestamp>,
    /// When they revoked consent, per purpose.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub revocations: BTreeMap<String, Timestamp>,
    /// Other attributes the policy declares.
    #[serde(flatten, serialize_with = "serialize_attributes")]
    pub attributes: BTreeMap<String, Value>,
}

fn serialize_attributes<S: serde::Serializer>(
    attributes: &BTreeMap<String, Value>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(attributes.len()))?;
    for (name, value) in attributes {
        match value {
            Value::YesNo(b) => map.serialize_entry(name, b)?,
            Value::Number(n) => map.serialize_entry(name, n)?,
            Value::Text(t) => map.serialize_entry(name, t)?,
            Value::TextSet(items) => map.serialize_entry(name, items)?,
        }
    }
    map.end()
}

impl serde::Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What kind of mistake a request has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestErrorKind {
    /// The text is not JSON.
    Json,
    /// The JSON is not a valid request for this policy.
    Request,
}

/// A request the policy cannot decide. Never an allow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
pub struct RequestError {
    /// `json` or `request`.
    pub kind: RequestErrorKind,
    /// What is wrong, in plain English.
    pub message: String,
    /// The field at fault, such as `subject.age`, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The nearest valid value, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl RequestError {
    /// A mistake in a field.
    pub fn field(field: &str, message: impl Into<String>) -> RequestError {
        RequestError {
            kind: RequestErrorKind::Request,
            field: Some(field.to_owned()),
            message: message.into(),
            suggestion: None,
        }
    }

    fn with_suggestion(mut self, suggestion: Option<&str>) -> RequestError {
        self.suggestion = suggestion.map(str::to_owned);
        self
    }
}

const TOP_FIELDS: [&str; 8] = [
    "action",
    "subject",
    "data",
    "purpose",
    "party",
    "at",
    "collected_at",
    "request_id",
];

impl Request {
    /// Reads a request from JSON text, checking its shape (not yet its names).
    pub fn from_json(text: &[u8]) -> Result<Request, RequestError> {
        if text.len() > MAX_REQUEST_BYTES {
            return Err(RequestError {
                kind: RequestErrorKind::Json,
                field: None,
                message: format!(
                    "the request is {} bytes; the most a request may be is {MAX_REQUEST_BYTES}",
                    text.len()
                ),
                suggestion: None,
            });
        }
        let value: serde_json::Value = crate::json::parse(text).map_err(|e| RequestError {
            kind: RequestErrorKind::Json,
            field: None,
            message: if text.starts_with("\u{feff}".as_bytes()) {
                "not valid JSON: the text starts with a byte-order mark (U+FEFF), which JSON does not allow; save or send the request as UTF-8 without one".to_owned()
            } else {
                format!("not valid JSON: {e}")
            },
            suggestion: None,
        })?;
        Request::from_value(&value)
    }

    /// Reads a request from a parsed JSON value.
    pub fn from_value(value: &serde_json::Value) -> Result<Request, RequestError> {
        let object = value.as_object().ok_or_else(|| RequestError {
            kind: RequestErrorKind::Request,
            field: None,
            message: format!("a request must be a JSON object, not {}", kind_of(value)),
            suggestion: None,
        })?;
        for key in object.keys() {
            if !TOP_FIELDS.contains(&key.as_str()) {
                return Err(RequestError::field(
                    &shown(key),
                    format!("unknown field `{}`", shown(key)),
                )
                .with_suggestion(suggest(key, TOP_FIELDS)));
            }
        }
        let action = match required_str(object, "action")? {
            "use" => Action::Use,
            "disclose" => Action::Disclose,
            other => {
                return Err(RequestError::field(
                    "action",
                    format!(
                        "`action` must be `use` or `disclose`, not `{}`",
                        shown(other)
                    ),
                )
                .with_suggestion(suggest(other, ["use", "disclose"])));
            }
        };
        let subject = object.get("subject").ok_or_else(|| {
            RequestError::field(
                "subject",
                "missing `subject`: say who the data is about, e.g. {\"role\": \"visitor\"}",
            )
        })?;
        let subject = Subject::from_value(subject)?;
        let data = read_data(object.get("data"))?;
        let purpose = required_str(object, "purpose")?.to_owned();
        let party = match object.get("party") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(other) => {
                return Err(RequestError::field(
                    "party",
                    format!("`party` must be a party's name, not {}", kind_of(other)),
                ));
            }
        };
        check_party(action, party.is_some())?;
        Ok(Request {
            action,
            subject,
            data,
            purpose,
            party,
            at: optional_time(object.get("at"), "at")?,
            collected_at: optional_time(object.get("collected_at"), "collected_at")?,
            request_id: read_request_id(object.get("request_id"))?,
        })
    }
}

/// `request_id`: absent or null, or non-empty text of at most [`MAX_REQUEST_ID_BYTES`].
fn read_request_id(value: Option<&serde_json::Value>) -> Result<Option<String>, RequestError> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(id)) if id.is_empty() => Err(RequestError::field(
            "request_id",
            "`request_id` is empty: give your id for the request, or leave the field out",
        )),
        Some(serde_json::Value::String(id)) if id.len() > MAX_REQUEST_ID_BYTES => {
            Err(RequestError::field(
                "request_id",
                format!(
                    "`request_id` is {} bytes; the most is {MAX_REQUEST_ID_BYTES}",
                    id.len()
                ),
            ))
        }
        Some(serde_json::Value::String(id)) => Ok(Some(id.clone())),
        Some(other) => Err(RequestError::field(
            "request_id",
            format!("`request_id` must be text, not {}", kind_of(other)),
        )),
    }
}

impl Subject {
    fn from_value(value: &serde_json::Value) -> Result<Subject, RequestError> {
        let object = value.as_object().ok_or_else(|| {
            RequestError::field(
                "subject",
                format!("`subject` must be an object, not {}", kind_of(value)),
            )
        })?;
        let mut subject = Subject::default();
        for (key, value) in object {
            match key.as_str() {
                "role" => {
                    subject.role = value
                        .as_str()
                        .ok_or_else(|| {
                            RequestError::field(
                                "subject.role",
                                "`subject.role` must be a role's name",
                            )
                        })?
                        .to_owned();
                }
                "age" => subject.age = read_age(value)?,
                "consents" => subject.consents = read_times(value, "subject.consents")?,
                "revocations" => subject.revocations = read_times(value, "subject.revocations")?,
                // An attribute given as null is an attribute not given.
                _ if value.is_null() => {}
                _ => {
                    let field = format!("subject.{key}");
                    subject
                        .attributes
                        .insert(key.clone(), read_value(value, &field)?);
                }
            }
        }
        if subject.role.is_empty() {
            return Err(RequestError::field(
                "subject.role",
                "missing `subject.role`: say the person's role, e.g. \"visitor\"",
            ));
        }
        Ok(subject)
    }
}

/// A name from a request as a message shows it: at most 64 characters.
fn shown(name: &str) -> String {
    let mut chars = name.chars();
    let head: String = chars.by_ref().take(64).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "true or false",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "text",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

fn required_str<'a>(
    object: &'a serde_json::Map<String, serde_json::Value>,
    field: &str,
) -> Result<&'a str, RequestError> {
    match object.get(field) {
        Some(serde_json::Value::String(s)) => Ok(s),
        Some(other) => Err(RequestError::field(
            field,
            format!("`{field}` must be text, not {}", kind_of(other)),
        )),
        None => Err(RequestError::field(field, format!("missing `{field}`"))),
    }
}

fn read_data(value: Option<&serde_json::Value>) -> Result<Vec<String>, RequestError> {
    let must = "`data` must be a category's name or a list of them";
    match value {
        None => Err(RequestError::field(
            "data",
            "missing `data`: name the data categories",
        )),
        Some(serde_json::Value::String(s)) => Ok(vec![s.clone()]),
        Some(serde_json::Value::Array(items)) => {
            if items.is_empty() {
                return Err(RequestError::field("data", "`data` lists no categories"));
            }
            if items.len() > MAX_LIST_ITEMS {
                return Err(RequestError::field(
                    "data",
                    format!(
                        "`data` lists {} categories; the most is {MAX_LIST_ITEMS}",
                        items.len()
                    ),
                ));
            }
            items
                .iter()
                .map(|item| {
                    item.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| RequestError::field("data", must))
                })
                .collect()
        }
        Some(_) => Err(RequestError::field("data", must)),
    }
}

/// The error for an age that is not a whole number from 0 to [`MAX_AGE`].
fn age_error() -> RequestError {
    RequestError::field(
        "subject.age",
        format!(
            "`subject.age` must be a whole number of years from 0 to {MAX_AGE}, or null when unknown"
        ),
    )
}

fn read_age(value: &serde_json::Value) -> Result<Option<u32>, RequestError> {
    let problem = age_error;
    match value {
        serde_json::Value::Null => Ok(None),
        // Only integers: 17.99999999999999999 reads as 18.0 and must not pass for 18.
        serde_json::Value::Number(n) => n
            .as_u64()
            .filter(|age| *age <= u64::from(MAX_AGE))
            .and_then(|age| u32::try_from(age).ok())
            .map(Some)
            .ok_or_else(problem),
        _ => Err(problem()),
    }
}

fn read_times(
    value: &serde_json::Value,
    field: &str,
) -> Result<BTreeMap<String, Timestamp>, RequestError> {
    let object = value.as_object().ok_or_else(|| {
        RequestError::field(
            field,
            format!("`{field}` must map purposes to times, e.g. {{\"marketing.communications\": \"2026-01-05\"}}"),
        )
    })?;
    if object.len() > MAX_LIST_ITEMS {
        return Err(RequestError::field(
            field,
            format!(
                "`{field}` has {} entries; the most is {MAX_LIST_ITEMS}",
                object.len()
            ),
        ));
    }
    object
        .iter()
        .map(|(purpose, time)| {
            let inner = format!("{field}.{purpose}");
            let text = time.as_str().ok_or_else(|| {
                RequestError::field(&inner, format!("`{inner}` must be a date or time as text"))
            })?;
            let time = Timestamp::parse(text)
                .map_err(|e| RequestError::field(&inner, format!("`{inner}`: {e}")))?;
            Ok((purpose.clone(), time))
        })
        .collect()
}

fn optional_time(
    value: Option<&serde_json::Value>,
    field: &str,
) -> Result<Option<Timestamp>, RequestError> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(text)) => Timestamp::parse(text)
            .map(Some)
            .map_err(|e| RequestError::field(field, format!("`{field}`: {e}"))),
        Some(other) => Err(RequestError::field(
            field,
            format!(
                "`{field}` must be a date or time as text, not {}",
                kind_of(other)
            ),
        )),
    }
}

fn read_value(value: &serde_json::Value, field: &str) -> Result<Value, RequestError> {
    match value {
        serde_json::Value::Bool(b) => Ok(Value::YesNo(*b)),
        serde_json::Value::Number(n) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .map(Value::Number)
            .ok_or_else(|| RequestError::field(field, format!("`{field}` is not a usable number"))),
        serde_json::Value::String(s) => Ok(Value::Text(s.as_str().into())),
        serde_json::Value::Array(items) if items.len() <= MAX_LIST_ITEMS => {
            let texts: Option<Vec<&str>> = items.iter().map(serde_json::Value::as_str).collect();
            texts.map(Value::text_set).ok_or_else(|| {
                RequestError::field(field, format!("`{field}` must be a list of texts"))
            })
        }
        _ => Err(RequestError::field(
            field,
            format!("`{field}` must be true/false, a number, text or a list of texts"),
        )),
    }
}

/// A prepared request's data categories: a few, kept inline.
pub(crate) type Categories = SmallVec<[CategoryId; 4]>;
/// A prepared request's attribute values.
pub(crate) type Attributes = SmallVec<[(AttributeId, Value); 6]>;
/// A prepared request's consents or revocations.
pub(crate) type Events = SmallVec<[(PurposeId, Timestamp); 4]>;

/// A request whose names are resolved against one policy: decide it with
/// [`crate::Policy::decide_prepared`], which allocates nothing.
///
/// Its lists hold their first few items inline, so a typical request read from
/// JSON is prepared without allocating either.
#[derive(Clone, Debug, PartialEq)]
pub struct PreparedRequest {
    pub(crate) stamp: u64,
    pub(crate) action: Action,
    pub(crate) role: RoleId,
    pub(crate) data: Categories,
    pub(crate) purpose: PurposeId,
    pub(crate) party: Option<PartyId>,
    pub(crate) age: Option<u32>,
    /// The attribute values the request gives, sorted by attribute id, each id
    /// once (a request gives few, so a sorted list beats a table per request).
    pub(crate) attributes: Attributes,
    /// Sorted by purpose (see `finish`).
    pub(crate) consents: Events,
    /// In the order of the purposes' names (as a map by name holds them).
    pub(crate) revocations: Events,
    pub(crate) at: Timestamp,
    pub(crate) collected_at: Option<Timestamp>,
}

impl PreparedRequest {
    /// A request with nothing in it yet, for a reader to fill in.
    pub(crate) fn empty(stamp: u64) -> PreparedRequest {
        PreparedRequest {
            stamp,
            action: Action::Use,
            role: RoleId::default(),
            data: Categories::new(),
            purpose: PurposeId::default(),
            party: None,
            age: None,
            attributes: Attributes::new(),
            consents: Events::new(),
            revocations: Events::new(),
            at: Timestamp::from_unix(0, 0).unwrap_or_else(Timestamp::now),
            collected_at: None,
        }
    }

    /// The action asked for.
    pub fn action(&self) -> Action {
        self.action
    }
    /// The instant the decision is about.
    pub fn at(&self) -> Timestamp {
        self.at
    }
    /// The attribute value the request gives, if any.
    pub(crate) fn attribute(&self, id: AttributeId) -> Option<&Value> {
        let found = self.attributes.binary_search_by_key(&id, |(id, _)| *id);
        found
            .ok()
            .and_then(|i| self.attributes.get(i))
            .map(|(_, value)| value)
    }

    /// Empties the request and hands back its lists, so that a reader deciding
    /// many requests fills the next [`ResolvedRequest`] without allocating.
    /// A list held inline (a short one) comes back as a new, empty list.
    pub fn into_lists(self) -> RequestLists {
        fn emptied<T, const N: usize>(list: smallvec::SmallVec<[T; N]>) -> Vec<T> {
            let mut list = list.into_vec();
            list.clear();
            list
        }
        RequestLists {
            data: emptied(self.data),
            attributes: emptied(self.attributes),
            consents: emptied(self.consents),
            revocations: emptied(self.revocations),
        }
    }
}

/// The (empty) lists of a decided request, to be filled again:
/// [`PreparedRequest::into_lists`].
#[derive(Debug, Default)]
pub struct RequestLists {
    /// For [`ResolvedRequest::data`].
    pub data: Vec<CategoryId>,
    /// For [`ResolvedRequest::attributes`].
    pub attributes: Vec<(AttributeId, Value)>,
    /// For [`ResolvedRequest::consents`].
    pub consents: Vec<(PurposeId, Timestamp)>,
    /// For [`ResolvedRequest::revocations`].
    pub revocations: Vec<(PurposeId, Timestamp)>,
}

fn unknown<Id: NameId>(
    field: &str,
    what: &str,
    name: &str,
    known: &crate::vocab::NameTable<Id>,
) -> RequestError {
    RequestError::field(field, format!("unknown {what} `{}`", shown(name)))
        .with_suggestion(suggest(name, known.names()))
}

/// Resolves a request's names against a vocabulary. `now` is asked only when the request
/// gives no `at`.
pub(crate) fn prepare(
    request: &Request,
    vocabulary: &Vocabulary,
    stamp: u64,
    now: fn() -> Timestamp,
) -> Result<PreparedRequest, RequestError> {
    let role = vocabulary.role(&request.subject.role).ok_or_else(|| {
        unknown(
            "subject.role",
            "role",
            &request.subject.role,
            vocabulary.roles(),
        )
    })?;
    if request.data.is_empty() {
        return Err(RequestError::field("data", "`data` lists no categories"));
    }
    let data = request
        .data
        .iter()
        .map(|name| {
            vocabulary.category(name).ok_or_else(|| {
                unknown(
                    "data",
                    "data category",
                    name,
                    vocabulary.categories().table(),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let purpose = resolve_purpose(vocabulary, &request.purpose, "purpose")?;
    check_party(request.action, request.party.is_some())?;
    let party = match &request.party {
        Some(name) => Some(
            vocabulary
                .party(name)
                .ok_or_else(|| unknown("party", "party", name, vocabulary.parties()))?,
        ),
        None => None,
    };
    let mut attributes = Vec::with_capacity(request.subject.attributes.len());
    for (name, value) in &request.subject.attributes {
        // The field's name is only spelt out when there is something to say about it.
        let field = || format!("subject.{}", shown(name));
        let id = vocabulary
            .attribute(name)
            .filter(|id| *id != AGE)
            .ok_or_else(|| {
                RequestError::field(
                    &field(),
                    format!("unknown subject attribute `{}`", shown(name)),
                )
                .with_suggestion(suggest(
                    name,
                    vocabulary.attributes().names().chain([
                        "role",
                        "age",
                        "consents",
                        "revocations",
                    ]),
                ))
            })?;
        let expected = vocabulary.attribute_type(id);
        let value = conform(value, expected)
            .ok_or_else(|| RequestError::field(&field(), type_message(&field(), expected)))?;
        attributes.push((id, value));
    }
    let consents = resolve_times(vocabulary, &request.subject.consents, "subject.consents")?;
    let revocations = resolve_times(
        vocabulary,
        &request.subject.revocations,
        "subject.revocations",
    )?;
    let resolved = ResolvedRequest {
        action: request.action,
        role,
        data,
        purpose,
        party,
        age: request.subject.age,
        attributes,
        consents,
        revocations,
        at: request.at,
        collected_at: request.collected_at,
    };
    finish(resolved, stamp, now)
}

/// `party` is given exactly when the action is a disclosure.
pub(crate) fn check_party(action: Action, party_given: bool) -> Result<(), RequestError> {
    match (action, party_given) {
        (Action::Use, true) => Err(RequestError::field(
            "party",
            "`party` is only for `disclose`: a use has no recipient",
        )),
        (Action::Disclose, false) => Err(RequestError::field(
            "party",
            "missing `party`: a disclosure must say who receives the data",
        )),
        _ => Ok(()),
    }
}

/// Builds the prepared request from checked parts: attribute values of the
/// declared types, ids of this vocabulary.
pub(crate) fn finish(
    request: ResolvedRequest,
    stamp: u64,
    now: fn() -> Timestamp,
) -> Result<PreparedRequest, RequestError> {
    // A request built in code is held to what the JSON reader allows.
    if request.age.is_some_and(|age| age > MAX_AGE) {
        return Err(age_error());
    }
    let at = request.at.unwrap_or_else(now);
    if request.collected_at.is_some_and(|collected| collected > at) {
        return Err(RequestError::field(
            "collected_at",
            "`collected_at` is later than `at`: data cannot be used before it is collected",
        ));
    }
    let mut attributes = Attributes::from_vec(request.attributes);
    attributes.extend(request.age.map(|age| (AGE, Value::Number(f64::from(age)))));
    // Sorted by id, keeping the last value given where an id repeats.
    attributes.reverse();
    attributes.sort_by_key(|(id, _)| *id);
    attributes.dedup_by_key(|(id, _)| *id);
    // INVARIANT: consents are sorted by purpose, so that deciding looks each up
    // by binary search (`consent::consent_state_sorted`).
    let mut consents = Events::from_vec(request.consents);
    consents.sort_by_key(|(purpose, _)| *purpose);
    Ok(PreparedRequest {
        stamp,
        action: request.action,
        role: request.role,
        data: Categories::from_vec(request.data),
        purpose: request.purpose,
        party: request.party,
        age: request.age,
        attributes,
        consents,
        revocations: Events::from_vec(request.revocations),
        at,
        collected_at: request.collected_at,
    })
}

fn resolve_purpose(
    vocabulary: &Vocabulary,
    name: &str,
    field: &str,
) -> Result<PurposeId, RequestError> {
    vocabulary
        .purpose(name)
        .ok_or_else(|| unknown(field, "purpose", name, vocabulary.purposes().table()))
}

fn resolve_times(
    vocabulary: &Vocabulary,
    times: &BTreeMap<String, Timestamp>,
    field: &str,
) -> Result<Vec<(PurposeId, Timestamp)>, RequestError> {
    times
        .iter()
        .map(|(name, time)| Ok((resolve_purpose(vocabulary, name, field)?, *time)))
        .collect()
}

/// A value of the expected type, converting a whole number given for a number and
/// a single text given for a set.
fn conform(value: &Value, expected: ValueType) -> Option<Value> {
    conform_owned(value.clone(), expected)
}

/// [`conform`], taking the value.
fn conform_owned(value: Value, expected: ValueType) -> Option<Value> {
    match (value, expected) {
        (Value::Text(t), ValueType::TextSet) => Some(Value::text_set([t])),
        (Value::TextSet(items), ValueType::TextSet) => Some(Value::text_set(items.into_vec())),
        (v, t) if v.value_type() == t => Some(v),
        _ => None,
    }
}

fn type_message(field: &str, expected: ValueType) -> String {
    match expected {
        ValueType::YesNo => format!("`{field}` is yes/no: give true or false"),
        ValueType::Number => format!("`{field}` is a number"),
        ValueType::Text => format!("`{field}` is text: give a string"),
        ValueType::TextSet => format!("`{field}` is a set of text: give a list of strings"),
    }
}

/// A request whose names a caller has already resolved to this policy's ids, for
/// readers that take names straight from their own strings (the Python bindings'
/// batch reader). [`crate::Policy::prepare_resolved`] checks it as
/// [`crate::Policy::prepare`] checks a [`Request`].
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedRequest {
    /// `use` or `disclose`.
    pub action: Action,
    /// The subject's role.
    pub role: RoleId,
    /// The data categories.
    pub data: Vec<CategoryId>,
    /// The purpose.
    pub purpose: PurposeId,
    /// The recipient, for a disclosure.
    pub party: Option<PartyId>,
    /// The subject's age.
    pub age: Option<u32>,
    /// Declared attributes and their values (not `age`).
    pub attributes: Vec<(AttributeId, Value)>,
    /// Consents, per purpose.
    pub consents: Vec<(PurposeId, Timestamp)>,
    /// Revocations, per purpose.
    pub revocations: Vec<(PurposeId, Timestamp)>,
    /// When; now when absent.
    pub at: Option<Timestamp>,
    /// When the data was collected.
    pub collected_at: Option<Timestamp>,
}

/// Checks a resolved request as [`prepare`] checks a [`Request`]. The error says
/// what is wrong; callers that want [`prepare`]'s exact wording re-read the
/// request as a [`Request`].
pub(crate) fn prepare_resolved(
    request: ResolvedRequest,
    vocabulary: &Vocabulary,
    stamp: u64,
    now: fn() -> Timestamp,
) -> Result<PreparedRequest, RequestError> {
    let bad =
        |field: &str| RequestError::field(field, format!("`{field}` is not valid for this policy"));
    let in_range = |index: usize, len: usize| index < len;
    if !in_range(request.role.index(), vocabulary.roles().len()) {
        return Err(bad("subject.role"));
    }
    let categories = vocabulary.categories().table().len();
    if request.data.is_empty()
        || request.data.len() > MAX_LIST_ITEMS
        || !request.data.iter().all(|c| in_range(c.index(), categories))
    {
        return Err(bad("data"));
    }
    let purposes = vocabulary.purposes().table().len();
    let purposes_ok = |list: &[(PurposeId, Timestamp)]| {
        list.len() <= MAX_LIST_ITEMS && list.iter().all(|(p, _)| in_range(p.index(), purposes))
    };
    if !in_range(request.purpose.index(), purposes) {
        return Err(bad("purpose"));
    }
    if !purposes_ok(&request.consents) || !purposes_ok(&request.revocations) {
        return Err(bad("subject.consents"));
    }
    check_party(request.action, request.party.is_some())?;
    if request
        .party
        .is_some_and(|p| !in_range(p.index(), vocabulary.parties().len()))
    {
        return Err(bad("party"));
    }
    if request.age.is_some_and(|age| age > MAX_AGE) {
        return Err(bad("subject.age"));
    }
    let attributes = request
        .attributes
        .into_iter()
        .map(|(id, value)| {
            let in_vocabulary = id != AGE && in_range(id.index(), vocabulary.attributes().len());
            let value = conform_owned(value, vocabulary.attribute_type(id));
            let value = value
                .filter(|_| in_vocabulary)
                .ok_or_else(|| bad("subject"))?;
            Ok((id, value))
        })
        .collect::<Result<Vec<_>, RequestError>>()?;
    finish(
        ResolvedRequest {
            attributes,
            ..request
        },
        stamp,
        now,
    )
}
