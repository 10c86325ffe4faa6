//! The decisions as Arrow columns, one row per request:
//!
//! - `allowed` (bool; null for a request that could not be decided),
//! - `rule`, `basis`, `version` (dictionary-encoded text; null where the
//!   decision has none),
//! - `obligations` (list of text: the kinds of what must now be done),
//! - `error` (text: why the request could not be decided; null when decided).
//!
//! A request with an error is never an allow: its `allowed` is null.

use std::sync::{Arc, LazyLock};

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, BooleanArray, DictionaryArray, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use lawful::Decision;
use rustc_hash::FxHashMap;

use super::{Done, Task};

/// What became of one row.
pub(super) enum Outcome {
    /// Decided: the position of its decision among its worker's distinct ones.
    Decided(u32),
    /// Not decided: the request error, as `str(RequestError)` words it.
    Error(Box<str>),
}

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

/// The decisions of every batch, in order: one output batch per input batch.
/// `None` if a row is missing, which would be a bug.
pub(super) fn assemble(
    batches: &[RecordBatch],
    tasks: &[Task],
    done: Vec<Done<'_>>,
) -> Option<Vec<RecordBatch>> {
    let (mut rules, mut bases, mut versions) =
        (Texts::default(), Texts::default(), Texts::default());
    // Each row's outcome by task, with decisions shown once per worker.
    let mut by_task: Vec<Option<(usize, Vec<Outcome>)>> = (0..tasks.len()).map(|_| None).collect();
    let mut shown: Vec<Vec<Shown<'_>>> = Vec::with_capacity(done.len());
    for (worker, done) in done.into_iter().enumerate() {
        shown.push(
            done.decisions
                .iter()
                .map(|d| show(d, &mut rules, &mut bases, &mut versions))
                .collect(),
        );
        for (task, outcomes) in done.tasks {
            *by_task.get_mut(task)? = Some((worker, outcomes));
        }
    }
    let mut by_task = by_task.into_iter();
    let mut out = Vec::with_capacity(batches.len());
    for batch in batches {
        let mut rows: Vec<(&Vec<Shown<'_>>, Outcome)> = Vec::with_capacity(batch.num_rows());
        while rows.len() < batch.num_rows() {
            let (worker, outcomes) = by_task.next()??;
            let shown = shown.get(worker)?;
            rows.extend(outcomes.into_iter().map(|o| (shown, o)));
        }
        if rows.len() != batch.num_rows() {
            return None;
        }
        out.push(columns(&rows, &rules, &bases, &versions)?);
    }
    Some(out)
}

fn show<'p>(
    decision: &Decision<'p>,
    rules: &mut Texts<'p>,
    bases: &mut Texts<'p>,
    versions: &mut Texts<'p>,
) -> Shown<'p> {
    Shown {
        allowed: decision.allowed(),
        rule: rules.key(decision.rule()),
        basis: bases.key(decision.basis().map(lawful::Basis::as_str)),
        version: versions.key(decision.version()),
        obligations: decision.obligations().map(|o| o.kind).collect(),
    }
}

/// The decision a row shows, unless it is an error.
fn decided<'s, 'p>((shown, outcome): &(&'s Vec<Shown<'p>>, Outcome)) -> Option<&'s Shown<'p>> {
    match outcome {
        Outcome::Decided(id) => shown.get(*id as usize),
        Outcome::Error(_) => None,
    }
}

fn columns(
    rows: &[(&Vec<Shown<'_>>, Outcome)],
    rules: &Texts<'_>,
    bases: &Texts<'_>,
    versions: &Texts<'_>,
) -> Option<RecordBatch> {
    let allowed: BooleanArray = rows.iter().map(|r| decided(r).map(|s| s.allowed)).collect();
    let keys = |pick: fn(&Shown<'_>) -> Option<i32>| -> Int32Array {
        rows.iter().map(|r| decided(r).and_then(pick)).collect()
    };
    let mut obligations = ListBuilder::new(StringBuilder::new());
    for row in rows {
        match decided(row) {
            Some(shown) => {
                for kind in &shown.obligations {
                    obligations.values().append_value(kind);
                }
                obligations.append(true);
            }
            None => obligations.append(false),
        }
    }
    let errors: StringArray = rows
        .iter()
        .map(|(_, outcome)| match outcome {
            Outcome::Error(message) => Some(&**message),
            Outcome::Decided(_) => None,
        })
        .collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(allowed),
        rules.column(keys(|s| s.rule))?,
        bases.column(keys(|s| s.basis))?,
        versions.column(keys(|s| s.version))?,
        Arc::new(obligations.finish()),
        Arc::new(errors),
    ];
    RecordBatch::try_new(schema(), columns).ok()
}
