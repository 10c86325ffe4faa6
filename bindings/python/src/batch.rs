//! Deciding a batch: reading and deciding at the same time.
//!
//! Reading a request dict needs the interpreter; resolving and deciding it does
//! not. So the calling thread reads the batch in chunks, with the interpreter
//! held, and hands each chunk to worker threads that decide it without the
//! interpreter while the next chunk is read; at the end the calling thread
//! releases the interpreter while the workers finish. A batch takes about the
//! longer of the two halves, not their sum, and the decided half spreads over
//! the workers. Chunks are small, so a chunk's requests are still in the cache
//! when they are decided.
//!
//! Each worker keeps one copy of each distinct decision's parts, so a batch of
//! many decisions holds few copies.

use std::sync::mpsc::{self, TrySendError};
use std::sync::{Arc, Mutex};

use lawful::{DecisionKey, PreparedRequest, Request, RequestError};
use pyo3::Python;
use rustc_hash::FxHashMap;

use crate::decision::Parts;
use crate::errors::Failure;

/// How many requests are read before they are handed on to be decided.
pub(crate) const CHUNK: usize = 1024;

/// The most threads a batch may use (`decide_many(threads=N)`): more cannot
/// help when one thread reads, and an unbounded count could exhaust memory.
pub(crate) const MAX_THREADS: usize = 64;

/// A bad request of the batch, with its position.
pub(crate) type BatchError = (usize, Failure);

/// A request of a batch as read: already prepared (the fast path), or to be
/// prepared when it is decided.
#[expect(
    clippy::large_enum_variant,
    reason = "the prepared request, the common case, keeps its lists inline so that it needs no allocation; boxing it would add one per request"
)]
pub(crate) enum Pending {
    Prepared(PreparedRequest),
    /// Boxed: rarer.
    Read(Box<Request>),
}

/// Reads the next requests of a batch into the vector (up to [`CHUNK`]), saying
/// whether more may follow; or the position of a request it could not read.
pub(crate) trait Reader {
    fn read_chunk(&mut self, chunk: &mut Vec<Pending>) -> Result<bool, BatchError>;
}

/// The parts of each request's decision, in order; or the first request in the
/// batch's order that could not be read or decided. `threads` is the most
/// threads to use (`None`: two where the machine has two CPUs); `known_len`, the batch's length
/// when known, so a small batch is decided without starting threads.
pub(crate) fn decide(
    py: Python<'_>,
    policy: &lawful::Policy,
    threads: Option<usize>,
    known_len: Option<usize>,
    reader: &mut impl Reader,
) -> Result<Vec<Arc<Parts>>, BatchError> {
    // Reading, on the calling thread, takes most of the time; a second thread
    // deciding meanwhile saves the rest (about a tenth on plain dicts). More
    // help only batches that need the slower reader.
    let threads = threads
        .unwrap_or_else(default_threads)
        .clamp(1, MAX_THREADS);
    if threads == 1 || known_len.is_some_and(|n| n <= CHUNK) {
        return decide_here(py, policy, reader);
    }
    // The calling thread reads; the others decide.
    let workers = threads - 1;
    let (work, jobs) = mpsc::sync_channel::<Job>(2 * workers);
    let jobs = &Mutex::new(jobs);
    let (done, results) = mpsc::channel::<Done>();
    std::thread::scope(move |scope| {
        let mut handles = Vec::with_capacity(workers);
        for _ in 0..workers {
            let done = done.clone();
            let spawned = std::thread::Builder::new()
                .name("lawful-decide".to_owned())
                .spawn_scoped(scope, move || work_on(policy, jobs, &done));
            if let Ok(handle) = spawned {
                handles.push(handle);
            }
        }
        drop(done);
        if handles.is_empty() {
            // No thread could be started: decide here after all.
            drop(work);
            return decide_here(py, policy, reader);
        }
        let mut sent = 0;
        let mut first = 0;
        let mut read_error = None;
        let mut decided = Vec::new();
        let mut failed = false;
        loop {
            let mut chunk = Vec::with_capacity(CHUNK);
            let more = match reader.read_chunk(&mut chunk) {
                Ok(more) => more,
                Err(e) => {
                    read_error = Some(e);
                    false
                }
            };
            if !chunk.is_empty() {
                let job = Job {
                    seq: sent,
                    first,
                    requests: chunk,
                };
                first += job.requests.len();
                sent += 1;
                // When the workers are behind, wait for them without the interpreter.
                if let Err(TrySendError::Full(job)) = work.try_send(job) {
                    let _ = py.detach(|| work.send(job));
                }
            }
            // A request the workers could not decide ends the batch: read no more.
            for done in results.try_iter() {
                failed |= done.1.is_err();
                decided.push(done);
            }
            if !more || failed {
                break;
            }
        }
        drop(work);
        let (decided, joined) = py.detach(move || {
            decided.extend(results.iter());
            // Every thread is joined, even after one that failed.
            let joined: Vec<bool> = handles.into_iter().map(|h| h.join().is_ok()).collect();
            let joined = !joined.contains(&false);
            (decided, joined)
        });
        assemble(decided, sent, joined, read_error)
    })
}

/// One thread reading and one deciding, where there are two CPUs.
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(2))
}

/// A chunk to decide: its place among the chunks, and the position of its first
/// request in the batch.
struct Job {
    seq: usize,
    first: usize,
    requests: Vec<Pending>,
}

/// A decided chunk: its place among the chunks, and its parts or first error.
type Done = (usize, Result<Vec<Arc<Parts>>, (usize, RequestError)>);

/// A worker: decides chunks until there are no more.
fn work_on(policy: &lawful::Policy, jobs: &Mutex<mpsc::Receiver<Job>>, done: &mpsc::Sender<Done>) {
    let mut seen = FxHashMap::default();
    loop {
        let job = match jobs.lock() {
            Ok(jobs) => jobs.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let result = decide_chunk(policy, &job.requests, job.first, &mut seen);
        drop(job.requests);
        if done.send((job.seq, result)).is_err() {
            return;
        }
    }
}

/// The chunks' parts in order, or the first error in the batch's order.
fn assemble(
    mut decided: Vec<Done>,
    sent: usize,
    joined: bool,
    read_error: Option<BatchError>,
) -> Result<Vec<Arc<Parts>>, BatchError> {
    decided.sort_unstable_by_key(|(seq, _)| *seq);
    let received = decided.len();
    let mut first_error = read_error;
    let mut parts = Vec::new();
    for (_, result) in decided {
        match result {
            Ok(mut chunk) => parts.append(&mut chunk),
            Err((index, e)) => {
                if first_error.as_ref().is_none_or(|(i, _)| index < *i) {
                    first_error = Some((index, Failure::Request(e)));
                }
            }
        }
    }
    if let Some(error) = first_error {
        return Err(error);
    }
    if !joined || received != sent {
        return Err((0, Failure::Request(lost())));
    }
    Ok(parts)
}

/// The error for a batch a worker failed to decide, which is a bug.
fn lost() -> RequestError {
    RequestError::field(
        "request",
        "deciding this batch failed; please report this to the lawful maintainers",
    )
}

/// Reads and decides chunk after chunk on the calling thread, releasing the
/// interpreter while each is decided.
fn decide_here(
    py: Python<'_>,
    policy: &lawful::Policy,
    reader: &mut impl Reader,
) -> Result<Vec<Arc<Parts>>, BatchError> {
    let mut seen = FxHashMap::default();
    let mut parts = Vec::new();
    let mut chunk = Vec::with_capacity(CHUNK);
    loop {
        let more = reader.read_chunk(&mut chunk);
        let first = parts.len();
        let mut decided = py
            .detach(|| {
                let decided = decide_chunk(policy, &chunk, first, &mut seen);
                chunk.clear();
                decided
            })
            .map_err(|(index, e)| (index, Failure::Request(e)))?;
        parts.append(&mut decided);
        if !more? {
            return Ok(parts);
        }
    }
}

/// Decides requests in order; `first` is the position of the first in the
/// batch. Equal decisions share their parts through `seen`.
fn decide_chunk(
    policy: &lawful::Policy,
    requests: &[Pending],
    first: usize,
    seen: &mut FxHashMap<DecisionKey, Arc<Parts>>,
) -> Result<Vec<Arc<Parts>>, (usize, RequestError)> {
    let mut decided = Vec::with_capacity(requests.len());
    let digest: Arc<str> = policy.digest().into();
    for (i, request) in requests.iter().enumerate() {
        let fail = |e| (first + i, e);
        let read;
        let prepared = match request {
            Pending::Prepared(prepared) => prepared,
            Pending::Read(request) => {
                read = policy.prepare(request).map_err(fail)?;
                &read
            }
        };
        let decision = policy.decide_prepared(prepared).map_err(fail)?;
        // Equal keys read the same: build each distinct decision's parts once.
        let shared = seen
            .entry(decision.key())
            .or_insert_with(|| Arc::new(Parts::new(&decision, None, &digest)));
        decided.push(Arc::clone(shared));
    }
    Ok(decided)
}
