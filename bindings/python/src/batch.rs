//! Deciding a batch once its requests are read: with the interpreter released,
//! on several threads, with identical decisions sharing one copy of their parts.

use std::num::NonZeroUsize;
use std::sync::{Arc, OnceLock};

use lawful::{Request, RequestError};
use rustc_hash::FxHashSet;

use crate::decision::Parts;

/// Below this many requests a batch is decided on the calling thread alone:
/// starting threads would cost more than it saves.
const MIN_PER_THREAD: usize = 2048;

/// The parts of each request's decision, in order; or the first request the
/// policy cannot decide, with its position. `threads` is the most threads to
/// use; `None` is one per CPU.
pub(crate) fn decide(
    policy: &lawful::Policy,
    requests: &[Request],
    threads: Option<usize>,
) -> Result<Vec<Arc<Parts>>, (usize, RequestError)> {
    let useful = requests.len().div_ceil(MIN_PER_THREAD).max(1);
    let threads = if useful == 1 {
        1
    } else {
        threads.unwrap_or_else(cpus).clamp(1, useful)
    };
    if threads == 1 {
        return decide_chunk(policy, requests, 0);
    }
    let size = requests.len().div_ceil(threads);
    let chunks: Vec<(usize, &[Request])> = requests
        .chunks(size)
        .enumerate()
        .map(|(i, chunk)| (i * size, chunk))
        .collect();
    std::thread::scope(|scope| {
        // Every chunk but the first goes to a new thread; when a thread cannot be
        // started, its chunk is decided here instead. Every thread is joined
        // before any result is looked at.
        let mut rest = Vec::new();
        for &(first, chunk) in chunks.iter().skip(1) {
            let spawned = std::thread::Builder::new()
                .name("lawful-decide".to_owned())
                .spawn_scoped(scope, move || decide_chunk(policy, chunk, first));
            rest.push((first, chunk, spawned.ok()));
        }
        let mut results = Vec::with_capacity(chunks.len());
        if let Some(&(first, chunk)) = chunks.first() {
            results.push(decide_chunk(policy, chunk, first));
        }
        for (first, chunk, handle) in rest {
            results.push(match handle {
                Some(handle) => handle.join().unwrap_or_else(|_| {
                    Err((
                        first,
                        RequestError::field(
                            "request",
                            "deciding this batch failed; please report this to the lawful maintainers",
                        ),
                    ))
                }),
                None => decide_chunk(policy, chunk, first),
            });
        }
        let mut decided = Vec::with_capacity(requests.len());
        for result in results {
            decided.append(&mut result?);
        }
        Ok(decided)
    })
}

/// How many threads can run at once here (asked once: it reads the cgroup files).
fn cpus() -> usize {
    static CPUS: OnceLock<usize> = OnceLock::new();
    *CPUS.get_or_init(|| std::thread::available_parallelism().map_or(1, NonZeroUsize::get))
}

/// Decides requests in order; `first` is the position of the first in the batch.
fn decide_chunk(
    policy: &lawful::Policy,
    requests: &[Request],
    first: usize,
) -> Result<Vec<Arc<Parts>>, (usize, RequestError)> {
    let mut seen: FxHashSet<Arc<Parts>> = FxHashSet::default();
    let mut decided = Vec::with_capacity(requests.len());
    for (i, request) in requests.iter().enumerate() {
        let fail = |e| (first + i, e);
        let prepared = policy.prepare(request).map_err(fail)?;
        let decision = policy.decide_prepared(&prepared).map_err(fail)?;
        let parts = Parts::new(&decision, None);
        let shared = match seen.get(&parts) {
            Some(shared) => Arc::clone(shared),
            None => {
                let shared = Arc::new(parts);
                seen.insert(Arc::clone(&shared));
                shared
            }
        };
        decided.push(shared);
    }
    Ok(decided)
}
