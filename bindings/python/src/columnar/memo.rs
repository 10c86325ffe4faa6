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
use serde_json::Value as Json;

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

/// The most rows read by the JSON-value reader a worker remembers.
const MAX_READ: usize = 4096;
/// The longest JSON key remembered, in bytes.
const MAX_READ_KEY: usize = 4096;

/// A worker's memory of the rows the fast path left to the JSON-value reader:
/// mostly bad rows (an unknown name, which costs a search for the nearest
/// one), repeating as a table repeats its mistakes. The key is the row's JSON
/// value with each time that reads as one replaced by the shape of its text
/// (its digits as 0, so the same length and form) and its rank among the row's
/// times; `collected_at` stays as given. A text that is no time stays as it is,
/// since the error quotes it.
pub(super) struct ReadMemo<T> {
    known: FxHashMap<String, T>,
    key: Option<String>,
}

impl<T> Default for ReadMemo<T> {
    fn default() -> Self {
        ReadMemo {
            known: FxHashMap::default(),
            key: None,
        }
    }
}

impl<T: Clone> ReadMemo<T> {
    /// What was remembered for the row `json` (whose missing `at` is `now`), or
    /// `None`, after which [`ReadMemo::remember`] records what the row gave.
    pub(super) fn recall(&mut self, json: &Json, now: Timestamp) -> Option<T> {
        self.key = read_key(json, now).filter(|k| k.len() <= MAX_READ_KEY);
        self.known.get(self.key.as_ref()?).cloned()
    }

    /// Records what the row [`ReadMemo::recall`] last looked up gave.
    pub(super) fn remember(&mut self, outcome: &T) {
        let Some(key) = self.key.take() else {
            return;
        };
        if self.known.len() >= MAX_READ {
            self.known.clear();
        }
        self.known.insert(key, outcome.clone());
    }
}

/// The key of a row read by the JSON-value reader (see [`ReadMemo`]).
fn read_key(json: &Json, now: Timestamp) -> Option<String> {
    let mut json = json.clone();
    let request = json.as_object_mut()?;
    let mut instants = Vec::new();
    let parsed = |value: &Json| value.as_str().and_then(|t| Timestamp::parse(t).ok());
    let at_given = request.contains_key("at");
    if !at_given {
        instants.push(now);
    }
    instants.extend(request.get("at").and_then(parsed));
    instants.extend(request.get("collected_at").and_then(parsed));
    let lists = ["consents", "revocations"];
    if let Some(subject) = request.get("subject").and_then(Json::as_object) {
        for list in lists {
            if let Some(times) = subject.get(list).and_then(Json::as_object) {
                instants.extend(times.values().filter_map(parsed));
            }
        }
    }
    instants.sort_unstable();
    instants.dedup();
    let ranked = |value: &mut Json| {
        let Some(text) = value.as_str() else {
            return;
        };
        let Some(rank) = Timestamp::parse(text)
            .ok()
            .and_then(|t| instants.binary_search(&t).ok())
        else {
            return;
        };
        let shape: String = text
            .chars()
            .map(|c| if c.is_ascii_digit() { '0' } else { c })
            .collect();
        *value = Json::String(format!("{shape}#{rank}"));
    };
    if let Some(at) = request.get_mut("at") {
        ranked(at);
    }
    // `collected_at` chooses the version: it stays, with its rank beside it.
    if let Some(collected) = request.get("collected_at").cloned() {
        let mut rank = collected.clone();
        ranked(&mut rank);
        request.insert(
            "collected_at".to_owned(),
            Json::Array(vec![collected, rank]),
        );
    }
    if let Some(subject) = request.get_mut("subject").and_then(Json::as_object_mut) {
        for list in lists {
            if let Some(times) = subject.get_mut(list).and_then(Json::as_object_mut) {
                times.values_mut().for_each(&ranked);
            }
        }
    }
    serde_json::to_string(&json).ok()
}
