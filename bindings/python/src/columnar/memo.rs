//! A worker's memory of the decisions it has made, by what decided them.
//!
//! A table of requests repeats itself: a few actions, roles, categories,
//! purposes and parties, a handful of attribute values, consents given on a few
//! days. What differs from row to row is mostly *when*: every event has its
//! own `at`. The engine reads times only by comparing them — `collected_at`
//! against the versions' dates and against `at`, consents and revocations
//! against `at` and against each other — so two requests that are equal in
//! everything else, and whose times are in the same order, are decided alike.
//! A row's key is therefore its resolved request with `collected_at` as it is
//! (it chooses the version) and every time replaced by its rank among the
//! row's times; `at` is left out where nothing compares it (no consents, no
//! revocations, no `collected_at`). The key maps to the row's decision columns
//! (an id of `output::Decided`), so a row whose key was seen is neither
//! prepared nor decided again.
//!
//! A worker gives up its memory when it does not pay: after [`TRIAL`] rows
//! finding fewer than one in [`WORTH`] already known, it decides every row
//! afresh. The memory holds at most [`MAX_KEYS`] keys, of at most
//! [`MAX_WORDS`] words (rows with longer texts are decided afresh); when full
//! it starts again empty.
//!
//! The test suite checks the claim behind this row by row: tables whose times
//! are drawn close together, in every order, are decided as `decide` decides
//! each row.

use lawful::{ResolvedRequest, Timestamp, Value};
use rustc_hash::FxHashMap;

/// Rows looked up before a worker judges whether its memory pays.
const TRIAL: u32 = 4096;
/// The memory pays when at least one row in `WORTH` was already known.
const WORTH: u32 = 4;
/// The most keys a worker remembers.
const MAX_KEYS: usize = 1 << 14;
/// The longest key remembered, in words: with [`MAX_KEYS`], a worker's memory
/// stays under about 10 MB however long the texts of a table are.
const MAX_WORDS: usize = 64;

/// A row's key: its request, with times as ranks, as words.
#[derive(Clone, Default, Hash, PartialEq, Eq)]
struct Key {
    words: Vec<u64>,
    collected_at: Option<Timestamp>,
}

/// One worker's memory (see the module's documentation).
#[derive(Default)]
pub(super) struct Memo {
    known: FxHashMap<Key, u32>,
    /// The key of the row being decided.
    key: Key,
    /// The row's times, sorted, without repeats: their ranks.
    times: Vec<Timestamp>,
    looked: u32,
    found: u32,
    off: bool,
    /// Whether the key of the row being decided is short enough to remember.
    short: bool,
}

impl Memo {
    /// The decision id remembered for `request` (whose `at` is set), or `None`,
    /// after which [`Memo::remember`] records the id decided for it.
    pub(super) fn recall(&mut self, request: &ResolvedRequest, at: Timestamp) -> Option<u32> {
        if self.off {
            return None;
        }
        self.looked = self.looked.saturating_add(1);
        if self.looked == TRIAL && self.found * WORTH < TRIAL {
            self.off = true;
            self.known = FxHashMap::default();
            return None;
        }
        self.encode(request, at);
        self.short = self.key.words.len() <= MAX_WORDS;
        if !self.short {
            return None;
        }
        let id = *self.known.get(&self.key)?;
        self.found += 1;
        Some(id)
    }

    /// Records `id` as the decision of the request [`Memo::recall`] last looked up.
    pub(super) fn remember(&mut self, id: u32) {
        if self.off || !self.short {
            return;
        }
        if self.known.len() >= MAX_KEYS {
            self.known.clear();
        }
        self.known.insert(self.key.clone(), id);
    }

    fn encode(&mut self, request: &ResolvedRequest, at: Timestamp) {
        let words = &mut self.key.words;
        words.clear();
        self.key.collected_at = request.collected_at;
        // The ranks of the times the engine compares with one another.
        self.times.clear();
        let compared = request.collected_at.is_some()
            || !request.consents.is_empty()
            || !request.revocations.is_empty();
        if compared {
            self.times.push(at);
            self.times.extend(request.collected_at);
            self.times.extend(request.consents.iter().map(|(_, t)| *t));
            self.times
                .extend(request.revocations.iter().map(|(_, t)| *t));
            self.times.sort_unstable();
            self.times.dedup();
        }
        let times = &self.times;
        let rank = |t: Timestamp| times.binary_search(&t).map_or(u64::MAX, |i| i as u64);
        let id = |i: usize| i as u64;
        words.extend([
            request.action as u64,
            id(request.role.index()),
            id(request.purpose.index()),
            request.party.map_or(u64::MAX, |p| id(p.index())),
            request.age.map_or(u64::MAX, u64::from),
            if compared { rank(at) } else { u64::MAX },
            request.collected_at.map_or(u64::MAX, rank),
            id(request.data.len()),
        ]);
        words.extend(request.data.iter().map(|c| id(c.index())));
        for list in [&request.consents, &request.revocations] {
            words.push(id(list.len()));
            for (purpose, time) in list {
                words.extend([id(purpose.index()), rank(*time)]);
            }
        }
        words.push(id(request.attributes.len()));
        for (attribute, value) in &request.attributes {
            words.push(id(attribute.index()));
            match value {
                Value::YesNo(yes) => words.extend([1, u64::from(*yes)]),
                Value::Number(n) => words.extend([2, n.to_bits()]),
                Value::Text(text) => {
                    words.push(3);
                    push_text(words, text);
                }
                Value::TextSet(texts) => {
                    words.extend([4, id(texts.len())]);
                    for text in texts {
                        push_text(words, text);
                    }
                }
            }
        }
    }
}

/// A text as words: its length, then its bytes eight to a word.
fn push_text(words: &mut Vec<u64>, text: &str) {
    words.push(text.len() as u64);
    for chunk in text.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        for (to, from) in word.iter_mut().zip(chunk) {
            *to = *from;
        }
        words.push(u64::from_le_bytes(word));
    }
}
