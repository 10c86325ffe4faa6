//! The columns of a batch of requests, and one row of them read as a request.
//!
//! A column is named as the request's field is: `action`, `data`, `purpose`,
//! `party`, `at`, `collected_at`, `request_id`, and the subject's `role`, `age`, `consents`,
//! `revocations` and attributes — flat, or inside a struct column `subject` as
//! JSON nests them. Types are checked once per batch ([`ColumnError`]); a row is
//! then read by the fast path ([`Columns::resolve`]) straight into a resolved
//! request, or, when anything in it is not plainly valid, as the JSON value it
//! stands for ([`Columns::json`]) by the command line's reader, which decides
//! it or says what is wrong in its own words.

use std::ops::Range;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch, StructArray};
use arrow_buffer::NullBuffer;
use arrow_schema::DataType;
use lawful::ids::{AttributeId, CategoryId, PartyId, PurposeId, RoleId};
use lawful::{
    Action, MAX_AGE, MAX_LIST_ITEMS, MAX_REQUEST_ID_BYTES, RequestLists, ResolvedRequest, Value,
    ValueType, Vocabulary,
};
use serde_json::{Map, Value as Json};

use super::cells::{Bools, Cell, Integers, Numbers, Parsed, Times};

/// A column the requests cannot be read from: unknown, missing, or of a type
/// that cannot hold its field.
#[derive(Debug)]
pub(crate) struct ColumnError {
    pub(crate) column: String,
    pub(crate) message: String,
    pub(crate) suggestion: Option<String>,
}

impl ColumnError {
    fn new(column: &str, message: String) -> ColumnError {
        ColumnError {
            column: column.to_owned(),
            message,
            suggestion: None,
        }
    }

    fn wrong_type(column: &str, data_type: &DataType, wanted: &str) -> ColumnError {
        ColumnError::new(
            column,
            format!("column `{column}` holds {data_type}; it must hold {wanted}"),
        )
    }
}

/// The fields of the request itself, outside the subject.
const REQUEST_COLUMNS: [&str; 8] = [
    "action",
    "data",
    "purpose",
    "party",
    "at",
    "collected_at",
    "request_id",
    "subject",
];

/// The subject's fields other than its attributes.
const SUBJECT_COLUMNS: [&str; 4] = ["role", "age", "consents", "revocations"];

const TEXT: &str = "text (string, large_string, string_view, or a dictionary of them)";
const TIMES: &str = "timestamps, dates, or RFC 3339 text";
const INTEGERS: &str = "whole numbers (int8 to uint64)";
const TIMES_BY_PURPOSE: &str = "a map from purposes to times, or a struct with a field per purpose";

/// The data categories: one per row, or a list per row.
enum Data<'a> {
    One(Parsed<'a, CategoryId>),
    List {
        offsets: Offsets<'a>,
        nulls: Option<&'a NullBuffer>,
        items: Parsed<'a, CategoryId>,
    },
}

/// The offsets of a list or map column, either width.
#[derive(Clone, Copy)]
enum Offsets<'a> {
    Small(&'a [i32]),
    Large(&'a [i64]),
}

impl Offsets<'_> {
    /// The positions of row `row`'s items in the values.
    fn range(self, row: usize) -> Option<Range<usize>> {
        let (start, end) = match self {
            Offsets::Small(o) => (
                usize::try_from(*o.get(row)?).ok()?,
                usize::try_from(*o.get(row + 1)?).ok()?,
            ),
            Offsets::Large(o) => (
                usize::try_from(*o.get(row)?).ok()?,
                usize::try_from(*o.get(row + 1)?).ok()?,
            ),
        };
        (start <= end).then_some(start..end)
    }
}

/// Purposes with a time each: consents or revocations.
enum TimesByPurpose<'a> {
    Map {
        offsets: Offsets<'a>,
        nulls: Option<&'a NullBuffer>,
        purposes: Parsed<'a, PurposeId>,
        times: Times<'a>,
    },
    Struct {
        nulls: Option<&'a NullBuffer>,
        /// Each field: the purpose it names (None when the policy has none such), and its times.
        fields: Vec<(&'a str, Option<PurposeId>, Times<'a>)>,
    },
}

/// The values of an attribute column, of the attribute's declared type.
enum AttributeValues<'a> {
    YesNo(Bools<'a>),
    Number(Numbers<'a>),
    Text(Parsed<'a, ()>),
    TextSet {
        offsets: Offsets<'a>,
        nulls: Option<&'a NullBuffer>,
        items: Parsed<'a, ()>,
    },
}

struct Attribute<'a> {
    name: &'a str,
    id: AttributeId,
    values: AttributeValues<'a>,
}

/// The columns of one batch, typed.
pub(crate) struct Columns<'a> {
    action: Parsed<'a, Action>,
    role: Parsed<'a, RoleId>,
    data: Data<'a>,
    purpose: Parsed<'a, PurposeId>,
    party: Option<Parsed<'a, PartyId>>,
    at: Option<Times<'a>>,
    collected_at: Option<Times<'a>>,
    /// The caller's id of each request: not part of the decision, but checked
    /// as `decide` checks it.
    request_id: Option<Parsed<'a, ()>>,
    age: Option<Integers<'a>>,
    consents: Option<TimesByPurpose<'a>>,
    revocations: Option<TimesByPurpose<'a>>,
    attributes: Vec<Attribute<'a>>,
    /// The rows where the `subject` struct column is null.
    subject_nulls: Option<&'a NullBuffer>,
}

fn null_at(nulls: Option<&NullBuffer>, row: usize) -> bool {
    nulls.is_some_and(|n| row >= n.len() || n.is_null(row))
}

/// Row `row` of a list column of texts as a JSON array (a null text as `null`);
/// `None` when the row is null.
fn text_list_json<T: Copy>(
    offsets: Offsets<'_>,
    nulls: Option<&NullBuffer>,
    items: &Parsed<'_, T>,
    row: usize,
) -> Option<Json> {
    if null_at(nulls, row) {
        return None;
    }
    let items = offsets
        .range(row)?
        .map(|i| items.text(i).map_or(Json::Null, Json::from));
    Some(Json::Array(items.collect()))
}

fn action(_: &Vocabulary, text: &str) -> Option<Action> {
    match text {
        "use" => Some(Action::Use),
        "disclose" => Some(Action::Disclose),
        _ => None,
    }
}

fn any_text(_: &Vocabulary, _: &str) -> Option<()> {
    Some(())
}

/// A list column's offsets, nulls and items, either width.
fn list_parts(array: &dyn Array) -> Option<(Offsets<'_>, Option<&NullBuffer>, &dyn Array)> {
    if let Some(list) = array.as_list_opt::<i32>() {
        return Some((
            Offsets::Small(list.value_offsets()),
            list.nulls(),
            list.values().as_ref(),
        ));
    }
    let list = array.as_list_opt::<i64>()?;
    Some((
        Offsets::Large(list.value_offsets()),
        list.nulls(),
        list.values().as_ref(),
    ))
}

/// The columns found so far, by name, before they are typed.
#[derive(Default)]
struct Found<'a> {
    request: [Option<&'a dyn Array>; 7],
    subject: [Option<&'a dyn Array>; 4],
    attributes: Vec<(&'a str, AttributeId, &'a dyn Array)>,
    subject_nulls: Option<&'a NullBuffer>,
}

impl<'a> Columns<'a> {
    /// The typed columns of `batch`, or what is wrong with one of them.
    pub(crate) fn new(
        batch: &'a RecordBatch,
        vocabulary: &'a Vocabulary,
    ) -> Result<Columns<'a>, ColumnError> {
        let mut found = Found::default();
        let schema = batch.schema_ref();
        for (field, array) in schema.fields().iter().zip(batch.columns()) {
            let name = field.name().as_str();
            if name == "subject" {
                let Some(subject) = array.as_struct_opt() else {
                    return Err(ColumnError::wrong_type(
                        name,
                        array.data_type(),
                        "a struct of the subject's fields",
                    ));
                };
                found.subject_nulls = subject.nulls();
                found.subject_columns(subject, vocabulary, "subject.")?;
                continue;
            }
            if let Some(i) = REQUEST_COLUMNS.iter().position(|c| *c == name) {
                let slot = found.request.get_mut(i);
                if let Some(slot) = slot {
                    *slot = Some(array.as_ref());
                }
                continue;
            }
            found.subject_column(name, array.as_ref(), vocabulary, "")?;
        }
        found.into_columns(vocabulary)
    }
}

impl<'a> Found<'a> {
    fn subject_columns(
        &mut self,
        subject: &'a StructArray,
        vocabulary: &'a Vocabulary,
        prefix: &str,
    ) -> Result<(), ColumnError> {
        for (field, array) in subject.fields().iter().zip(subject.columns()) {
            self.subject_column(field.name(), array.as_ref(), vocabulary, prefix)?;
        }
        Ok(())
    }

    fn subject_column(
        &mut self,
        name: &'a str,
        array: &'a dyn Array,
        vocabulary: &'a Vocabulary,
        prefix: &str,
    ) -> Result<(), ColumnError> {
        if let Some(i) = SUBJECT_COLUMNS.iter().position(|c| *c == name) {
            let slot = self.subject.get_mut(i);
            match slot {
                Some(slot @ None) => *slot = Some(array),
                _ => {
                    return Err(ColumnError::new(
                        name,
                        format!(
                            "the subject's `{name}` is given twice (as a column and inside `subject`)"
                        ),
                    ));
                }
            }
            return Ok(());
        }
        // `age` is one of the subject's columns above, never an attribute here.
        match vocabulary.attribute(name) {
            Some(id) => {
                if self.attributes.iter().any(|(n, _, _)| *n == name) {
                    return Err(ColumnError::new(
                        name,
                        format!(
                            "the subject's `{name}` is given twice (as a column and inside `subject`)"
                        ),
                    ));
                }
                self.attributes.push((name, id, array));
                Ok(())
            }
            None => {
                let column = format!("{prefix}{name}");
                let known = REQUEST_COLUMNS
                    .iter()
                    .chain(SUBJECT_COLUMNS.iter())
                    .copied()
                    .chain(vocabulary.attributes().names().filter(|n| *n != "age"));
                let mut error = ColumnError::new(
                    &column,
                    format!(
                        "unknown column `{column}`: a column is a field of the request, or a subject attribute the policy declares; select only those columns"
                    ),
                );
                error.suggestion = lawful::suggest(name, known).map(str::to_owned);
                Err(error)
            }
        }
    }

    fn into_columns(self, vocabulary: &'a Vocabulary) -> Result<Columns<'a>, ColumnError> {
        let [action, data, purpose, party, at, collected_at, request_id] = self.request;
        let [role, age, consents, revocations] = self.subject;
        let data = data_column(required(data, "data")?, vocabulary)?;
        let party = match party {
            Some(_) => Some(names(party, "party", vocabulary, Vocabulary::party)?),
            None => None,
        };
        let times = |array: Option<&'a dyn Array>, name: &str| match array {
            Some(array) => Times::of(array, vocabulary)
                .map(Some)
                .ok_or_else(|| ColumnError::wrong_type(name, array.data_type(), TIMES)),
            None => Ok(None),
        };
        let request_id =
            match request_id {
                Some(array) => Some(Parsed::of(array, vocabulary, any_text).ok_or_else(|| {
                    ColumnError::wrong_type("request_id", array.data_type(), TEXT)
                })?),
                None => None,
            };
        let age = match age {
            Some(array) => Some(
                Integers::of(array)
                    .ok_or_else(|| ColumnError::wrong_type("age", array.data_type(), INTEGERS))?,
            ),
            None => None,
        };
        let attributes = self
            .attributes
            .into_iter()
            .map(|(name, id, array)| attribute_column(name, id, array, vocabulary))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Columns {
            action: names(action, "action", vocabulary, self::action)?,
            role: names(role, "role", vocabulary, Vocabulary::role)?,
            data,
            purpose: names(purpose, "purpose", vocabulary, Vocabulary::purpose)?,
            party,
            at: times(at, "at")?,
            collected_at: times(collected_at, "collected_at")?,
            request_id,
            age,
            consents: times_by_purpose(consents, "consents", vocabulary)?,
            revocations: times_by_purpose(revocations, "revocations", vocabulary)?,
            attributes,
            subject_nulls: self.subject_nulls,
        })
    }
}

/// A column every request needs.
fn required<'a>(array: Option<&'a dyn Array>, name: &str) -> Result<&'a dyn Array, ColumnError> {
    array.ok_or_else(|| {
        ColumnError::new(
            name,
            format!("the requests have no `{name}` column; every request needs one"),
        )
    })
}

/// A column of names (or words), read against the vocabulary.
fn names<'a, T: Copy>(
    array: Option<&'a dyn Array>,
    name: &str,
    vocabulary: &'a Vocabulary,
    parse: super::cells::Parse<T>,
) -> Result<Parsed<'a, T>, ColumnError> {
    let array = required(array, name)?;
    Parsed::of(array, vocabulary, parse)
        .ok_or_else(|| ColumnError::wrong_type(name, array.data_type(), TEXT))
}

fn data_column<'a>(
    array: &'a dyn Array,
    vocabulary: &'a Vocabulary,
) -> Result<Data<'a>, ColumnError> {
    const WANTED: &str = "text, or lists of text";
    if let Some(one) = Parsed::of(array, vocabulary, Vocabulary::category) {
        return Ok(Data::One(one));
    }
    let (offsets, nulls, items) = list_parts(array)
        .ok_or_else(|| ColumnError::wrong_type("data", array.data_type(), WANTED))?;
    let items = Parsed::of(items, vocabulary, Vocabulary::category)
        .ok_or_else(|| ColumnError::wrong_type("data", array.data_type(), WANTED))?;
    Ok(Data::List {
        offsets,
        nulls,
        items,
    })
}

fn times_by_purpose<'a>(
    array: Option<&'a dyn Array>,
    name: &str,
    vocabulary: &'a Vocabulary,
) -> Result<Option<TimesByPurpose<'a>>, ColumnError> {
    let Some(array) = array else {
        return Ok(None);
    };
    let wrong = || ColumnError::wrong_type(name, array.data_type(), TIMES_BY_PURPOSE);
    if let Some(map) = array.as_map_opt() {
        let purposes =
            Parsed::of(map.keys().as_ref(), vocabulary, Vocabulary::purpose).ok_or_else(wrong)?;
        let times = Times::of(map.values().as_ref(), vocabulary).ok_or_else(wrong)?;
        return Ok(Some(TimesByPurpose::Map {
            offsets: Offsets::Small(map.value_offsets()),
            nulls: map.nulls(),
            purposes,
            times,
        }));
    }
    let structure = array.as_struct_opt().ok_or_else(wrong)?;
    let mut fields = Vec::with_capacity(structure.num_columns());
    for (field, child) in structure.fields().iter().zip(structure.columns()) {
        let times = Times::of(child.as_ref(), vocabulary).ok_or_else(wrong)?;
        fields.push((
            field.name().as_str(),
            vocabulary.purpose(field.name()),
            times,
        ));
    }
    Ok(Some(TimesByPurpose::Struct {
        nulls: structure.nulls(),
        fields,
    }))
}

fn attribute_column<'a>(
    name: &'a str,
    id: AttributeId,
    array: &'a dyn Array,
    vocabulary: &'a Vocabulary,
) -> Result<Attribute<'a>, ColumnError> {
    let declared = vocabulary.attribute_type(id);
    let wrong = |wanted: &str| {
        ColumnError::new(
            name,
            format!(
                "column `{name}` holds {}; the attribute `{name}` is {}, so it must hold {wanted}",
                array.data_type(),
                declared.described()
            ),
        )
    };
    let values = match declared {
        ValueType::YesNo => {
            AttributeValues::YesNo(Bools::of(array).ok_or_else(|| wrong("booleans"))?)
        }
        ValueType::Number => {
            AttributeValues::Number(Numbers::of(array).ok_or_else(|| wrong("numbers"))?)
        }
        ValueType::Text => AttributeValues::Text(
            Parsed::of(array, vocabulary, any_text).ok_or_else(|| wrong(TEXT))?,
        ),
        ValueType::TextSet => {
            const SETS: &str = "lists of text, or text";
            if let Some(one) = Parsed::of(array, vocabulary, any_text) {
                AttributeValues::Text(one)
            } else {
                let (offsets, nulls, items) = list_parts(array).ok_or_else(|| wrong(SETS))?;
                let items = Parsed::of(items, vocabulary, any_text).ok_or_else(|| wrong(SETS))?;
                AttributeValues::TextSet {
                    offsets,
                    nulls,
                    items,
                }
            }
        }
    };
    Ok(Attribute { name, id, values })
}

/// A cell the fast path needs: `None` when null or not plainly valid.
fn known<T>(cell: Cell<T>) -> Option<T> {
    match cell {
        Cell::Known(value) => Some(value),
        Cell::Null | Cell::Bad => None,
    }
}

/// A cell the fast path may do without: `Some(None)` when null, `None` when
/// not plainly valid.
fn optional<T>(cell: Option<Cell<T>>) -> Option<Option<T>> {
    match cell {
        None | Some(Cell::Null) => Some(None),
        Some(Cell::Known(value)) => Some(Some(value)),
        Some(Cell::Bad) => None,
    }
}

impl Columns<'_> {
    /// Row `row` as a resolved request, or `None` when anything in it is not
    /// plainly valid (the JSON-value reader then reads the row). Its lists are
    /// `lists`, filled: a worker hands back those of the request it decided last.
    pub(crate) fn resolve(&self, row: usize, lists: RequestLists) -> Option<ResolvedRequest> {
        if null_at(self.subject_nulls, row) {
            return None;
        }
        // An empty or too long id is for the JSON-value reader to refuse.
        if let Some(id) = self.request_id.as_ref().and_then(|ids| ids.text(row)) {
            if id.is_empty() || id.len() > MAX_REQUEST_ID_BYTES {
                return None;
            }
        }
        let RequestLists {
            mut data,
            mut attributes,
            mut consents,
            mut revocations,
        } = lists;
        let age = match self.age.as_ref().map(|a| a.get(row)) {
            None | Some(Cell::Null) => None,
            Some(Cell::Known(age)) => Some(u32::try_from(age).ok().filter(|a| *a <= MAX_AGE)?),
            Some(Cell::Bad) => return None,
        };
        for attribute in &self.attributes {
            if let Some(value) = attribute.resolve(row)? {
                attributes.push((attribute.id, value));
            }
        }
        self.data(row, &mut data)?;
        times_by_purpose_row(self.consents.as_ref(), row, &mut consents)?;
        times_by_purpose_row(self.revocations.as_ref(), row, &mut revocations)?;
        Some(ResolvedRequest {
            action: known(self.action.get(row))?,
            role: known(self.role.get(row))?,
            data,
            purpose: known(self.purpose.get(row))?,
            party: optional(self.party.as_ref().map(|p| p.get(row)))?,
            age,
            attributes,
            consents,
            revocations,
            at: optional(self.at.as_ref().map(|t| t.get(row)))?,
            collected_at: optional(self.collected_at.as_ref().map(|t| t.get(row)))?,
        })
    }

    fn data(&self, row: usize, data: &mut Vec<CategoryId>) -> Option<()> {
        match &self.data {
            Data::One(one) => data.push(known(one.get(row))?),
            Data::List {
                offsets,
                nulls,
                items,
            } => {
                if null_at(*nulls, row) {
                    return None;
                }
                let range = offsets.range(row)?;
                if range.is_empty() || range.len() > MAX_LIST_ITEMS {
                    return None;
                }
                for i in range {
                    data.push(known(items.get(i))?);
                }
            }
        }
        Some(())
    }

    /// Row `row` as the request dict it stands for, as JSON: nulls left out,
    /// times as RFC 3339 text.
    pub(crate) fn json(&self, row: usize) -> Result<Json, lawful::RequestError> {
        let mut request = Map::new();
        let put = |map: &mut Map<String, Json>, name: &str, value: Option<Json>| {
            if let Some(value) = value {
                map.insert(name.to_owned(), value);
            }
        };
        put(
            &mut request,
            "action",
            self.action.text(row).map(Json::from),
        );
        put(&mut request, "data", self.data_json(row));
        put(
            &mut request,
            "purpose",
            self.purpose.text(row).map(Json::from),
        );
        put(
            &mut request,
            "party",
            self.party
                .as_ref()
                .and_then(|p| p.text(row))
                .map(Json::from),
        );
        put(
            &mut request,
            "at",
            self.at.as_ref().and_then(|t| t.json(row)),
        );
        put(
            &mut request,
            "collected_at",
            self.collected_at.as_ref().and_then(|t| t.json(row)),
        );
        put(
            &mut request,
            "request_id",
            self.request_id
                .as_ref()
                .and_then(|ids| ids.text(row))
                .map(Json::from),
        );
        if null_at(self.subject_nulls, row) {
            return Ok(Json::Object(request));
        }
        let mut subject = Map::new();
        put(&mut subject, "role", self.role.text(row).map(Json::from));
        put(
            &mut subject,
            "age",
            self.age.as_ref().and_then(|a| match a.get(row) {
                Cell::Known(age) => Some(Json::from(age)),
                Cell::Null => None,
                Cell::Bad => Some(Json::from(u64::MAX)),
            }),
        );
        for (name, column) in [
            ("consents", &self.consents),
            ("revocations", &self.revocations),
        ] {
            let value = match column {
                Some(column) => times_by_purpose_json(column, row, name)?,
                None => None,
            };
            put(&mut subject, name, value);
        }
        for attribute in &self.attributes {
            put(&mut subject, attribute.name, attribute.json(row));
        }
        request.insert("subject".to_owned(), Json::Object(subject));
        Ok(Json::Object(request))
    }

    fn data_json(&self, row: usize) -> Option<Json> {
        match &self.data {
            Data::One(one) => one.text(row).map(Json::from),
            Data::List {
                offsets,
                nulls,
                items,
            } => text_list_json(*offsets, *nulls, items, row),
        }
    }
}

impl Attribute<'_> {
    /// The attribute's value in row `row`: `Some(None)` when null, `None` when
    /// not plainly valid.
    fn resolve(&self, row: usize) -> Option<Option<Value>> {
        let value = match &self.values {
            AttributeValues::YesNo(bools) => bools.get(row).map(Value::YesNo),
            AttributeValues::Number(numbers) => {
                optional(Some(numbers.get(row)))?.map(Value::Number)
            }
            AttributeValues::Text(texts) => texts.text(row).map(|t| Value::Text(t.into())),
            AttributeValues::TextSet {
                offsets,
                nulls,
                items,
            } => {
                if null_at(*nulls, row) {
                    return Some(None);
                }
                let range = offsets.range(row)?;
                if range.len() > MAX_LIST_ITEMS {
                    return None;
                }
                let texts: Option<Vec<&str>> = range.map(|i| items.text(i)).collect();
                Some(Value::text_set(texts?))
            }
        };
        Some(value)
    }

    fn json(&self, row: usize) -> Option<Json> {
        match &self.values {
            AttributeValues::YesNo(bools) => bools.get(row).map(Json::from),
            AttributeValues::Number(numbers) => numbers.json(row),
            AttributeValues::Text(texts) => texts.text(row).map(Json::from),
            AttributeValues::TextSet {
                offsets,
                nulls,
                items,
            } => text_list_json(*offsets, *nulls, items, row),
        }
    }
}

/// Row `row`'s purposes and times, added to `times` (nothing when null);
/// `None` when not plainly valid (an unknown purpose, a null or bad time, a
/// purpose twice).
fn times_by_purpose_row(
    column: Option<&TimesByPurpose<'_>>,
    row: usize,
    times: &mut Vec<(PurposeId, lawful::Timestamp)>,
) -> Option<()> {
    match column {
        None => {}
        Some(TimesByPurpose::Map {
            offsets,
            nulls,
            purposes,
            times: values,
        }) => {
            if null_at(*nulls, row) {
                return Some(());
            }
            let range = offsets.range(row)?;
            if range.len() > MAX_LIST_ITEMS {
                return None;
            }
            for i in range {
                times.push((known(purposes.get(i))?, known(values.get(i))?));
            }
            // A purpose given twice is for the JSON-value reader to refuse
            // (lists are short: comparing each pair allocates nothing).
            let twice = times
                .iter()
                .enumerate()
                .any(|(i, (p, _))| times.iter().skip(i + 1).any(|(q, _)| p == q));
            if twice {
                return None;
            }
        }
        Some(TimesByPurpose::Struct { nulls, fields }) => {
            if null_at(*nulls, row) {
                return Some(());
            }
            for (_, purpose, values) in fields {
                match values.get(row) {
                    Cell::Null => {}
                    Cell::Known(time) => times.push(((*purpose)?, time)),
                    Cell::Bad => return None,
                }
            }
        }
    }
    Some(())
}

fn times_by_purpose_json(
    column: &TimesByPurpose<'_>,
    row: usize,
    name: &str,
) -> Result<Option<Json>, lawful::RequestError> {
    let mut object = Map::new();
    match column {
        TimesByPurpose::Map {
            offsets,
            nulls,
            purposes,
            times,
        } => {
            if null_at(*nulls, row) {
                return Ok(None);
            }
            for i in offsets.range(row).into_iter().flatten() {
                let purpose = purposes.text(i).unwrap_or_default();
                if object.contains_key(purpose) {
                    let shown: String = purpose.chars().take(64).collect();
                    return Err(lawful::RequestError::field(
                        &format!("subject.{name}"),
                        format!("`subject.{name}` gives `{shown}` twice; give it once"),
                    ));
                }
                object.insert(purpose.to_owned(), times.json(i).unwrap_or(Json::Null));
            }
        }
        TimesByPurpose::Struct { nulls, fields } => {
            if null_at(*nulls, row) {
                return Ok(None);
            }
            for (purpose, _, times) in fields {
                if let Some(time) = times.json(row) {
                    object.insert((*purpose).to_owned(), time);
                }
            }
        }
    }
    Ok(Some(Json::Object(object)))
}
