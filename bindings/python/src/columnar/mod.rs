//! `Policy.decide_arrow`: a table of requests in, a table of decisions out.
//!
//! The table comes through the Arrow C data interface (pyo3-arrow), from
//! anything that exports it: pyarrow, pandas, Polars, DuckDB, Spark's
//! `mapInArrow`. Its columns are typed once per batch ([`columns`]), then every
//! row is read and decided on all cores without the interpreter: by the fast
//! path, straight from the columns, or — for a row where anything is not plainly
//! valid — through the JSON value the row stands for, by the command line's
//! reader, whose decision or error it takes. The decisions come back as Arrow
//! columns ([`output`]), one row per request, in order.

mod cells;
mod columns;
mod output;

use std::sync::atomic::{AtomicUsize, Ordering};

use arrow_array::RecordBatch;
use lawful::{Decision, DecisionKey, Request, RequestError, Timestamp};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3_arrow::input::AnyRecordBatch;
use pyo3_arrow::{PyRecordBatch, PyTable};
use rustc_hash::FxHashMap;

use crate::errors::request_error;
use columns::{ColumnError, Columns};
use output::Outcome;

/// Rows a worker takes at a time: enough to make taking them cheap, few enough
/// to share a batch out evenly.
const ROWS_PER_TASK: usize = 4096;

/// Decides every row of `table` (a record batch, a table, or anything with
/// `__arrow_c_stream__`), returning the decisions as a pyarrow record batch
/// for a record batch and as a pyarrow table otherwise.
pub(crate) fn decide<'py>(
    py: Python<'py>,
    policy: &lawful::Policy,
    table: &Bound<'py, PyAny>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let single = table.hasattr("__arrow_c_array__")? && !table.hasattr("num_chunks")?;
    let input: AnyRecordBatch = table.extract().map_err(|e| {
        PyTypeError::new_err(format!(
            "decide_arrow takes an Arrow table or record batch (pyarrow, or anything with \
             `__arrow_c_stream__`, such as a Polars or pandas data frame or a DuckDB relation): {e}"
        ))
    })?;
    let reader = input.into_reader()?;
    let batches: Vec<RecordBatch> = reader
        .collect::<Result<_, _>>()
        .map_err(|e| PyTypeError::new_err(format!("the Arrow data cannot be read: {e}")))?;
    let threads = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let decided = py
        .detach(|| decide_batches(policy, &batches, threads))
        .map_err(|e| match e {
            Failed::Column(e) => {
                let error = RequestError {
                    kind: lawful::RequestErrorKind::Request,
                    field: Some(e.column),
                    message: e.message,
                    suggestion: e.suggestion,
                };
                request_error(py, &error, None)
            }
            Failed::Lost => request_error(py, &lost(), None),
        })?;
    if single && decided.len() == 1 {
        if let Some(batch) = decided.into_iter().next() {
            return PyRecordBatch::new(batch).into_pyarrow(py);
        }
        return Err(request_error(py, &lost(), None));
    }
    PyTable::try_new(decided, output::schema())?.into_pyarrow(py)
}

/// Why a table could not be decided.
enum Failed {
    /// A column cannot hold requests.
    Column(ColumnError),
    /// A worker failed, which is a bug.
    Lost,
}

fn lost() -> RequestError {
    RequestError::field(
        "request",
        "deciding this table failed; please report this to the lawful maintainers",
    )
}

/// A share of the work: rows `start..end` of batch `batch`.
#[derive(Clone, Copy)]
struct Task {
    batch: usize,
    start: usize,
    end: usize,
}

/// What a worker decided: for each of its tasks, the outcome of each row, with
/// decisions as positions in its own list of distinct decisions.
struct Done<'p> {
    decisions: Vec<Decision<'p>>,
    tasks: Vec<(usize, Vec<Outcome>)>,
}

fn decide_batches(
    policy: &lawful::Policy,
    batches: &[RecordBatch],
    threads: usize,
) -> Result<Vec<RecordBatch>, Failed> {
    let vocabulary = policy.vocabulary();
    let columns = batches
        .iter()
        .map(|batch| Columns::new(batch, vocabulary))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failed::Column)?;
    let mut tasks = Vec::new();
    for (batch, b) in batches.iter().enumerate() {
        let rows = b.num_rows();
        tasks.extend((0..rows).step_by(ROWS_PER_TASK).map(|start| Task {
            batch,
            start,
            end: (start + ROWS_PER_TASK).min(rows),
        }));
    }
    // Requests without `at` are decided as of one instant: now.
    let now = Timestamp::now();
    let next = AtomicUsize::new(0);
    let work = || work_on(policy, &columns, &tasks, &next, now);
    let threads = threads.min(tasks.len()).max(1);
    let done: Vec<Done<'_>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("lawful-decide".to_owned())
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        // The calling thread works too; every thread is joined, even after one failed.
        let mut done = vec![work()];
        let mut failed = false;
        for handle in handles {
            match handle.join() {
                Ok(d) => done.push(d),
                Err(_) => failed = true,
            }
        }
        if failed { Err(Failed::Lost) } else { Ok(done) }
    })?;
    output::assemble(batches, &tasks, done).ok_or(Failed::Lost)
}

/// A worker: takes tasks until none are left, and decides their rows.
fn work_on<'p>(
    policy: &'p lawful::Policy,
    columns: &[Columns<'_>],
    tasks: &[Task],
    next: &AtomicUsize,
    now: Timestamp,
) -> Done<'p> {
    let mut distinct: FxHashMap<DecisionKey, u32> = FxHashMap::default();
    let mut done = Done {
        decisions: Vec::new(),
        tasks: Vec::new(),
    };
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(task) = tasks.get(index) else {
            return done;
        };
        let Some(columns) = columns.get(task.batch) else {
            return done;
        };
        let mut outcomes = Vec::with_capacity(task.end - task.start);
        for row in task.start..task.end {
            let outcome = match decide_row(policy, columns, row, now) {
                Ok(decision) => {
                    let next_id = u32::try_from(done.decisions.len()).unwrap_or(u32::MAX);
                    let id = *distinct.entry(decision.key()).or_insert_with(|| {
                        done.decisions.push(decision);
                        next_id
                    });
                    Outcome::Decided(id)
                }
                Err(error) => Outcome::Error(error.to_string().into()),
            };
            outcomes.push(outcome);
        }
        done.tasks.push((index, outcomes));
    }
}

/// Decides one row: by the fast path, or through the JSON value the row stands for.
fn decide_row<'p>(
    policy: &'p lawful::Policy,
    columns: &Columns<'_>,
    row: usize,
    now: Timestamp,
) -> Result<Decision<'p>, RequestError> {
    if let Some(mut resolved) = columns.resolve(row) {
        resolved.at.get_or_insert(now);
        if let Ok(decision) = policy
            .prepare_resolved(resolved)
            .and_then(|prepared| policy.decide_prepared(&prepared))
        {
            return Ok(decision);
        }
    }
    let mut request = Request::from_value(&columns.json(row)?)?;
    request.at.get_or_insert(now);
    policy.decide(&request)
}
