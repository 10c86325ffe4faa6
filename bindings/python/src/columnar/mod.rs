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
mod memo;
mod output;

use std::sync::atomic::{AtomicUsize, Ordering};

use arrow_array::RecordBatch;
use lawful::{Request, RequestError, RequestLists, ResolvedRequest, Timestamp};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3_arrow::input::AnyRecordBatch;
use pyo3_arrow::{PyRecordBatch, PyTable};

use crate::errors::request_error;
use columns::{ColumnError, Columns};
use memo::{Memo, ReadMemo};
use output::Decided;

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

/// What a worker decided: the decision columns of each of its tasks, by task.
type Done = Vec<(usize, RecordBatch)>;

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
    let done: Vec<Done> = std::thread::scope(|scope| {
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
    assemble(batches, &tasks, done).ok_or(Failed::Lost)
}

/// The decision columns of each input batch: its tasks' pieces, in order, end
/// to end. `None` if a piece is missing, which would be a bug.
fn assemble(batches: &[RecordBatch], tasks: &[Task], done: Vec<Done>) -> Option<Vec<RecordBatch>> {
    let mut pieces: Vec<(usize, RecordBatch)> = done.into_iter().flatten().collect();
    pieces.sort_unstable_by_key(|(task, _)| *task);
    if pieces.len() != tasks.len() {
        return None;
    }
    let mut pieces = pieces.into_iter().zip(tasks).peekable();
    let mut out = Vec::with_capacity(batches.len());
    for (index, batch) in batches.iter().enumerate() {
        let mut mine = Vec::new();
        while let Some(((_, piece), _)) = pieces.next_if(|(_, task)| task.batch == index) {
            mine.push(piece);
        }
        let decided = match mine.len() {
            1 => mine.pop()?,
            _ => arrow_select::concat::concat_batches(&output::schema(), &mine).ok()?,
        };
        if decided.num_rows() != batch.num_rows() {
            return None;
        }
        out.push(decided);
    }
    Some(out)
}

/// A worker: takes tasks until none are left, decides their rows, and builds
/// their decision columns.
fn work_on(
    policy: &lawful::Policy,
    columns: &[Columns<'_>],
    tasks: &[Task],
    next: &AtomicUsize,
    now: Timestamp,
) -> Done {
    let mut work = Worker {
        policy,
        now,
        decided: Decided::default(),
        memo: Memo::default(),
        read: ReadMemo::default(),
        lists: RequestLists::default(),
    };
    let mut done = Vec::new();
    let mut rows = Vec::with_capacity(ROWS_PER_TASK);
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let (Some(task), Some(columns)) = (
            tasks.get(index),
            tasks.get(index).and_then(|t| columns.get(t.batch)),
        ) else {
            return done;
        };
        rows.clear();
        for row in task.start..task.end {
            rows.push(
                work.decide_row(columns, row)
                    .map_err(|error| error.to_string().into()),
            );
        }
        // A piece that cannot be built is missing from the result, which is reported.
        if let Some(batch) = work.decided.batch(&rows) {
            done.push((index, batch));
        }
    }
}

/// What a worker keeps from row to row.
struct Worker<'p> {
    policy: &'p lawful::Policy,
    /// The instant of requests without `at`.
    now: Timestamp,
    /// The distinct decisions made, and their texts.
    decided: Decided<'p>,
    memo: Memo,
    /// What the rows left to the JSON-value reader gave.
    read: ReadMemo<Result<u32, RequestError>>,
    /// The lists of the last request read, for the next to fill.
    lists: RequestLists,
}

impl Worker<'_> {
    /// Decides one row, giving the id of its decision in `decided`: by the fast
    /// path (or the memory of a row decided alike), or else through the JSON
    /// value the row stands for.
    fn decide_row(&mut self, columns: &Columns<'_>, row: usize) -> Result<u32, RequestError> {
        let policy = self.policy;
        if let Some(mut resolved) = columns.resolve(row, std::mem::take(&mut self.lists)) {
            let at = *resolved.at.get_or_insert(self.now);
            if let Some(id) = self.memo.recall(&resolved, at) {
                self.lists = lists_of(resolved);
                return Ok(id);
            }
            if let Ok(prepared) = policy.prepare_resolved(resolved) {
                let decided = policy.decide_prepared(&prepared);
                self.lists = prepared.into_lists();
                if let Ok(decision) = decided {
                    let id = self.decided.id(&decision);
                    self.memo.remember(id);
                    return Ok(id);
                }
            }
        }
        let json = columns.json(row)?;
        if let Some(outcome) = self.read.recall(&json, self.now) {
            return outcome;
        }
        let outcome = Request::from_value(&json).and_then(|mut request| {
            request.at.get_or_insert(self.now);
            Ok(self.decided.id(&policy.decide(&request)?))
        });
        self.read.remember(&outcome);
        outcome
    }
}

/// A resolved request's lists, emptied, for the next request to fill.
fn lists_of(request: ResolvedRequest) -> RequestLists {
    let ResolvedRequest {
        mut data,
        mut attributes,
        mut consents,
        mut revocations,
        ..
    } = request;
    data.clear();
    attributes.clear();
    consents.clear();
    revocations.clear();
    RequestLists {
        data,
        attributes,
        consents,
        revocations,
    }
}
