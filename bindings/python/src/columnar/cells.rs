//! Typed views of Arrow arrays: the cells of a request's columns, read by
//! position without copying, whatever layout the producer chose (three string
//! layouts, dictionary encoding, any integer width, timestamps of any unit).

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrowPrimitiveType, BooleanArray, LargeStringArray, PrimitiveArray, StringArray,
    StringViewArray,
};
use arrow_buffer::{NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, TimeUnit};
use lawful::{Timestamp, Vocabulary};

/// Whether the cell at `index` is null under `nulls` (out of range counts as null).
fn null_at(nulls: Option<&NullBuffer>, index: usize) -> bool {
    nulls.is_some_and(|n| index >= n.len() || n.is_null(index))
}

/// Text, in any of Arrow's three string layouts.
pub(crate) enum Texts<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Texts<'a> {
    pub(crate) fn of(array: &'a dyn Array) -> Option<Texts<'a>> {
        match array.data_type() {
            DataType::Utf8 => array.as_string_opt::<i32>().map(Texts::Utf8),
            DataType::LargeUtf8 => array.as_string_opt::<i64>().map(Texts::Large),
            DataType::Utf8View => array.as_string_view_opt().map(Texts::View),
            _ => None,
        }
    }

    fn len(&self) -> usize {
        match self {
            Texts::Utf8(a) => a.len(),
            Texts::Large(a) => a.len(),
            Texts::View(a) => a.len(),
        }
    }

    /// The text at `index`; `None` when null or out of range.
    pub(crate) fn get(&self, index: usize) -> Option<&'a str> {
        if index >= self.len() {
            return None;
        }
        match self {
            Texts::Utf8(a) => a.is_valid(index).then(|| a.value(index)),
            Texts::Large(a) => a.is_valid(index).then(|| a.value(index)),
            Texts::View(a) => a.is_valid(index).then(|| a.value(index)),
        }
    }
}

/// A cell as the fast path reads it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Cell<T> {
    /// Null: not given.
    Null,
    /// Read and resolved.
    Known(T),
    /// Present but not readable here (an unknown name, text that is no time):
    /// the row is left to the JSON-value reader, which says what is wrong.
    Bad,
}

/// How a text is read: a name resolved against the vocabulary, a time parsed.
pub(crate) type Parse<T> = fn(&Vocabulary, &str) -> Option<T>;

/// A column of text read into values of `T`. A dictionary-encoded column is
/// read once per dictionary entry, not once per row.
pub(crate) struct Parsed<'a, T> {
    texts: Texts<'a>,
    /// Row nulls: of the column, or of its dictionary's keys.
    nulls: Option<&'a NullBuffer>,
    dictionary: Option<Dictionary<T>>,
    vocabulary: &'a Vocabulary,
    parse: Parse<T>,
}

/// A dictionary's keys (row → entry) and its entries, read.
struct Dictionary<T> {
    keys: Vec<usize>,
    entries: Vec<Option<T>>,
}

impl<'a, T: Copy> Parsed<'a, T> {
    /// A view of `array` when it holds text, plain or dictionary-encoded.
    pub(crate) fn of(
        array: &'a dyn Array,
        vocabulary: &'a Vocabulary,
        parse: Parse<T>,
    ) -> Option<Parsed<'a, T>> {
        if let Some(dictionary) = array.as_any_dictionary_opt() {
            let texts = Texts::of(dictionary.values().as_ref())?;
            let entries: Vec<Option<T>> = (0..texts.len())
                .map(|i| texts.get(i).and_then(|t| parse(vocabulary, t)))
                .collect();
            // `normalized_keys` needs at least one entry; with none, every key is null.
            let keys = if entries.is_empty() {
                vec![0; array.len()]
            } else {
                dictionary.normalized_keys()
            };
            return Some(Parsed {
                texts,
                nulls: dictionary.keys().nulls(),
                dictionary: Some(Dictionary { keys, entries }),
                vocabulary,
                parse,
            });
        }
        Some(Parsed {
            texts: Texts::of(array)?,
            nulls: array.nulls(),
            dictionary: None,
            vocabulary,
            parse,
        })
    }

    /// The value at `index`.
    pub(crate) fn get(&self, index: usize) -> Cell<T> {
        if null_at(self.nulls, index) {
            return Cell::Null;
        }
        match &self.dictionary {
            Some(dictionary) => {
                let entry = dictionary
                    .keys
                    .get(index)
                    .and_then(|e| dictionary.entries.get(*e));
                match entry {
                    Some(Some(value)) => Cell::Known(*value),
                    // A null entry reads as null; any other was not read.
                    _ if self.text(index).is_none() => Cell::Null,
                    _ => Cell::Bad,
                }
            }
            None => match self.texts.get(index) {
                Some(text) => (self.parse)(self.vocabulary, text).map_or(Cell::Bad, Cell::Known),
                None => Cell::Null,
            },
        }
    }

    /// The text at `index`; `None` when null.
    pub(crate) fn text(&self, index: usize) -> Option<&'a str> {
        if null_at(self.nulls, index) {
            return None;
        }
        match &self.dictionary {
            Some(dictionary) => self.texts.get(*dictionary.keys.get(index)?),
            None => self.texts.get(index),
        }
    }
}

/// Booleans.
pub(crate) struct Bools<'a>(&'a BooleanArray);

impl<'a> Bools<'a> {
    pub(crate) fn of(array: &'a dyn Array) -> Option<Bools<'a>> {
        array.as_boolean_opt().map(Bools)
    }

    pub(crate) fn get(&self, index: usize) -> Option<bool> {
        (index < self.0.len() && self.0.is_valid(index)).then(|| self.0.value(index))
    }
}

/// Whole numbers of any integer width, read as `i64` (a `u64` past it reads as `None`
/// with [`Numbers::overflow`] set, so the row goes to the JSON-value reader).
pub(crate) enum Integers<'a> {
    I8(&'a PrimitiveArray<Int8Type>),
    I16(&'a PrimitiveArray<Int16Type>),
    I32(&'a PrimitiveArray<Int32Type>),
    I64(&'a PrimitiveArray<Int64Type>),
    U8(&'a PrimitiveArray<UInt8Type>),
    U16(&'a PrimitiveArray<UInt16Type>),
    U32(&'a PrimitiveArray<UInt32Type>),
    U64(&'a PrimitiveArray<UInt64Type>),
}

fn primitive<T: ArrowPrimitiveType>(array: &PrimitiveArray<T>, index: usize) -> Option<T::Native> {
    (index < array.len() && array.is_valid(index)).then(|| array.value(index))
}

impl<'a> Integers<'a> {
    pub(crate) fn of(array: &'a dyn Array) -> Option<Integers<'a>> {
        Some(match array.data_type() {
            DataType::Int8 => Integers::I8(array.as_primitive_opt()?),
            DataType::Int16 => Integers::I16(array.as_primitive_opt()?),
            DataType::Int32 => Integers::I32(array.as_primitive_opt()?),
            DataType::Int64 => Integers::I64(array.as_primitive_opt()?),
            DataType::UInt8 => Integers::U8(array.as_primitive_opt()?),
            DataType::UInt16 => Integers::U16(array.as_primitive_opt()?),
            DataType::UInt32 => Integers::U32(array.as_primitive_opt()?),
            DataType::UInt64 => Integers::U64(array.as_primitive_opt()?),
            _ => return None,
        })
    }

    /// The number at `index`: `Null` when null, `Bad` past `i64`.
    pub(crate) fn get(&self, index: usize) -> Cell<i64> {
        let value = match self {
            Integers::I8(a) => primitive(*a, index).map(i64::from),
            Integers::I16(a) => primitive(*a, index).map(i64::from),
            Integers::I32(a) => primitive(*a, index).map(i64::from),
            Integers::I64(a) => primitive(*a, index),
            Integers::U8(a) => primitive(*a, index).map(i64::from),
            Integers::U16(a) => primitive(*a, index).map(i64::from),
            Integers::U32(a) => primitive(*a, index).map(i64::from),
            Integers::U64(a) => match primitive(*a, index) {
                Some(n) => return i64::try_from(n).map_or(Cell::Bad, Cell::Known),
                None => None,
            },
        };
        value.map_or(Cell::Null, Cell::Known)
    }
}

/// Numbers: integers of any width, or floats.
pub(crate) enum Numbers<'a> {
    Integers(Integers<'a>),
    F32(&'a PrimitiveArray<Float32Type>),
    F64(&'a PrimitiveArray<Float64Type>),
}

impl<'a> Numbers<'a> {
    pub(crate) fn of(array: &'a dyn Array) -> Option<Numbers<'a>> {
        if let Some(integers) = Integers::of(array) {
            return Some(Numbers::Integers(integers));
        }
        match array.data_type() {
            DataType::Float32 => array.as_primitive_opt().map(Numbers::F32),
            DataType::Float64 => array.as_primitive_opt().map(Numbers::F64),
            _ => None,
        }
    }

    /// The number at `index` as the JSON-value reader reads it: a float.
    pub(crate) fn get(&self, index: usize) -> Cell<f64> {
        match self {
            Numbers::Integers(integers) => match integers.get(index) {
                Cell::Known(n) if n.unsigned_abs() < (1 << 53) => {
                    // Below 2^53 the conversion is exact.
                    #[expect(clippy::cast_precision_loss, reason = "exact below 2^53")]
                    Cell::Known(n as f64)
                }
                Cell::Null => Cell::Null,
                _ => Cell::Bad,
            },
            Numbers::F32(a) => finite(primitive(*a, index).map(f64::from)),
            Numbers::F64(a) => finite(primitive(*a, index)),
        }
    }

    /// The number at `index` exactly as the column holds it, for JSON.
    pub(crate) fn json(&self, index: usize) -> Option<serde_json::Value> {
        let number = match self {
            Numbers::Integers(integers) => match integers.get(index) {
                Cell::Known(n) => serde_json::Number::from(n),
                Cell::Null => return None,
                // Only a u64 past i64 is `Bad`.
                Cell::Bad => match integers {
                    Integers::U64(a) => serde_json::Number::from(primitive(*a, index)?),
                    _ => return None,
                },
            },
            Numbers::F32(a) => {
                return Some(float_json(f64::from(primitive(*a, index)?)));
            }
            Numbers::F64(a) => return Some(float_json(primitive(*a, index)?)),
        };
        Some(serde_json::Value::Number(number))
    }
}

/// A float as the fast path takes it: finite (the JSON-value reader says what
/// is wrong with the others).
fn finite(n: Option<f64>) -> Cell<f64> {
    match n {
        None => Cell::Null,
        Some(n) if n.is_finite() => Cell::Known(n),
        Some(_) => Cell::Bad,
    }
}

/// A float as JSON; one JSON cannot hold (NaN, infinite) as text no reader
/// takes for a number, so the JSON-value reader refuses it as the wrong type.
fn float_json(n: f64) -> serde_json::Value {
    serde_json::Number::from_f64(n).map_or_else(
        || serde_json::Value::String(n.to_string()),
        serde_json::Value::Number,
    )
}

/// Instants: timestamps of any unit (with or without a zone: Arrow keeps both
/// as time since the epoch in UTC, and a naive one is taken as UTC), dates
/// (midnight UTC), or RFC 3339 text.
pub(crate) enum Times<'a> {
    Stamps {
        values: &'a ScalarBuffer<i64>,
        nulls: Option<&'a NullBuffer>,
        per_second: i64,
    },
    Date32(&'a PrimitiveArray<Date32Type>),
    Date64(&'a PrimitiveArray<Date64Type>),
    Text(Parsed<'a, Timestamp>),
}

/// Whether an instant is one RFC 3339 text can say (years 0000 to 9999), as
/// every instant given as text or as a Python `datetime` is.
fn in_range(time: Timestamp) -> bool {
    // 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z, in seconds from the epoch.
    const FIRST: i64 = -62_167_219_200;
    const END: i64 = 253_402_300_800;
    (FIRST..END).contains(&time.unix_seconds())
}

fn parse_time(_: &Vocabulary, text: &str) -> Option<Timestamp> {
    Timestamp::parse(text).ok()
}

impl<'a> Times<'a> {
    pub(crate) fn of(array: &'a dyn Array, vocabulary: &'a Vocabulary) -> Option<Times<'a>> {
        fn stamps<T: ArrowPrimitiveType<Native = i64>>(
            array: &dyn Array,
            per_second: i64,
        ) -> Option<Times<'_>> {
            let array = array.as_primitive_opt::<T>()?;
            Some(Times::Stamps {
                values: array.values(),
                nulls: array.nulls(),
                per_second,
            })
        }
        match array.data_type() {
            DataType::Timestamp(TimeUnit::Second, _) => stamps::<TimestampSecondType>(array, 1),
            DataType::Timestamp(TimeUnit::Millisecond, _) => {
                stamps::<TimestampMillisecondType>(array, 1_000)
            }
            DataType::Timestamp(TimeUnit::Microsecond, _) => {
                stamps::<TimestampMicrosecondType>(array, 1_000_000)
            }
            DataType::Timestamp(TimeUnit::Nanosecond, _) => {
                stamps::<TimestampNanosecondType>(array, 1_000_000_000)
            }
            DataType::Date32 => array.as_primitive_opt().map(Times::Date32),
            DataType::Date64 => array.as_primitive_opt().map(Times::Date64),
            _ => Parsed::of(array, vocabulary, parse_time).map(Times::Text),
        }
    }

    /// The instant at `index`.
    pub(crate) fn get(&self, index: usize) -> Cell<Timestamp> {
        let (count, per_second) = match self {
            Times::Text(parsed) => return parsed.get(index),
            Times::Stamps {
                values,
                nulls,
                per_second,
            } => {
                if null_at(*nulls, index) {
                    return Cell::Null;
                }
                match values.get(index) {
                    Some(v) => (*v, *per_second),
                    None => return Cell::Null,
                }
            }
            Times::Date32(a) => match primitive(*a, index) {
                Some(days) => (i64::from(days) * 86_400, 1),
                None => return Cell::Null,
            },
            Times::Date64(a) => match primitive(*a, index) {
                Some(ms) => (ms, 1_000),
                None => return Cell::Null,
            },
        };
        let seconds = count.div_euclid(per_second);
        let fraction = count.rem_euclid(per_second);
        // INVARIANT: `per_second` divides 10^9, and `fraction < per_second`.
        let nanos = u32::try_from(fraction * (1_000_000_000 / per_second)).ok();
        nanos
            .and_then(|n| Timestamp::from_unix(seconds, n))
            .filter(|t| in_range(*t))
            .map_or(Cell::Bad, Cell::Known)
    }

    /// The instant at `index` as JSON: RFC 3339 text (a date as a plain date),
    /// or the column's own text.
    pub(crate) fn json(&self, index: usize) -> Option<serde_json::Value> {
        if let Times::Text(parsed) = self {
            return parsed.text(index).map(serde_json::Value::from);
        }
        let text = match self.get(index) {
            Cell::Known(t) => match self {
                Times::Date32(_) => t.date_string(),
                _ => t.to_string(),
            },
            Cell::Null => return None,
            // Out of the range of instants: text the reader refuses as such.
            Cell::Bad => "a time out of range".to_owned(),
        };
        Some(serde_json::Value::String(text))
    }
}
