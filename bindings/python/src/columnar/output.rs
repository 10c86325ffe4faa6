//! The decisions as Arrow columns, one row per request:
//!
//! - `allowed` (bool; null for a request that could not be decided),
//! - `rule`, `basis`, `version` (dictionary-encoded text; null where the
//!   decision has none),
//! - `obligations` (list of text: the kinds of what must now be done),
//! - `error` (text: why the request could not be decided; null when decided).
//!
//! A request with an error is never an allow: its `allowed` is null. Each worker
//! builds the columns of the rows it decided, with its own dictionaries; the
//! pieces of one input batch are then put end to end.

use std::sync::{Arc, LazyLock};

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, DictionaryArray, Int32Array, RecordBatch, StringArray,
    UInt32Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use arrow_select::take::TakeOptions;
use lawful::{Decision, DecisionKey};
use rustc_hash::FxHashMap;

fn text_dictionary() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// The schema of the decisions.
pub(super) fn schema() -> SchemaRef {
    static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
        Arc::new(Schema::new(vec![
            Field::new("allowed", DataType::Boolean, true),
            Field::new("rule", text_dictionary(), true),
            Field::new("basis", text_dictionary(), true),
            Field::new("version", text_dictionary(), true),
            Field::new(
                "obligations",
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
                true,
            ),
            Field::new("error", DataType::Utf8, true),
        ]))
    });
    Arc::clone(&SCHEMA)
}

/// What became of one row: the position of its decision among the worker's
/// distinct ones, or the request error as `str(RequestError)` words it.
pub(super) type Row = Result<u32, Box<str>>;

/// The parts of a distinct decision the columns show.
struct Shown<'p> {
    allowed: bool,
    rule: Option<i32>,
    basis: Option<i32>,
    version: Option<i32>,
    obligations: Vec<&'p str>,
}

/// The distinct texts of a dictionary column, each with its key.
#[derive(Default)]
struct Texts<'p> {
    keys: FxHashMap<&'p str, i32>,
    values: Vec<&'p str>,
}

impl<'p> Texts<'p> {
    fn key(&mut self, text: Option<&'p str>) -> Option<i32> {
        let text = text?;
        let next = i32::try_from(self.values.len()).ok()?;
        let key = *self.keys.entry(text).or_insert_with(|| {
            self.values.push(text);
            next
        });
        Some(key)
    }

    fn column(&self, keys: Int32Array) -> Option<ArrayRef> {
        let values: ArrayRef = Arc::new(StringArray::from(self.values.clone()));
        let array = DictionaryArray::<Int32Type>::try_new(keys, values).ok()?;
        Some(Arc::new(array))
    }
}

/// A worker's decisions: each distinct one once, with the texts it shows.
#[derive(Default)]
pub(super) struct Decided<'p> {
    ids: FxHashMap<DecisionKey, u32>,
    shown: Vec<Shown<'p>>,
    rules: Texts<'p>,
    bases: Texts<'p>,
    versions: Texts<'p>,
}

impl<'p> Decided<'p> {
    /// The position of `decision` among the distinct ones.
    pub(super) fn id(&mut self, decision: &Decision<'p>) -> u32 {
        let next = u32::try_from(self.shown.len()).unwrap_or(u32::MAX);
        if let Some(id) = self.ids.get(&decision.key()) {
            return *id;
        }
        let shown = Shown {
            allowed: decision.allowed(),
            rule: self.rules.key(decision.rule()),
            basis: self.bases.key(decision.basis().map(lawful::Basis::as_str)),
            version: self.versions.key(decision.version()),
            obligations: decision.obligations().map(|o| o.kind).collect(),
        };
        self.shown.push(shown);
        self.ids.insert(decision.key(), next);
        next
    }

    /// The decision columns of `rows`; `None` only if a row names no decision,
    /// which would be a bug. Each column is taken, by the rows' decision ids,
    /// from a column of the distinct decisions: no per-row texts or lists.
    pub(super) fn batch(&self, rows: &[Row]) -> Option<RecordBatch> {
        let ids: UInt32Array = rows.iter().map(|r| r.as_ref().ok().copied()).collect();
        let take = |values: &dyn Array| {
            let options = TakeOptions { check_bounds: true };
            arrow_select::take::take(values, &ids, Some(options)).ok()
        };
        let allowed: BooleanArray = self.shown.iter().map(|s| Some(s.allowed)).collect();
        let keys = |key: fn(&Shown<'p>) -> Option<i32>| -> Option<Int32Array> {
            let all: Int32Array = self.shown.iter().map(key).collect();
            take(&all)?.as_primitive_opt::<Int32Type>().cloned()
        };
        let mut obligations = ListBuilder::new(StringBuilder::new());
        for shown in &self.shown {
            for kind in &shown.obligations {
                obligations.values().append_value(kind);
            }
            obligations.append(true);
        }
        let errors: StringArray = rows.iter().map(|r| r.as_ref().err()).collect();
        let columns: Vec<ArrayRef> = vec![
            take(&allowed)?,
            self.rules.column(keys(|s| s.rule)?)?,
            self.bases.column(keys(|s| s.basis)?)?,
            self.versions.column(keys(|s| s.version)?)?,
            take(&obligations.finish())?,
            Arc::new(errors),
        ];
        RecordBatch::try_new(schema(), columns).ok()
    }
}
