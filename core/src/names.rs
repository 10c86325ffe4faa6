//! Every name a JSON request may hold, found by one pre-hashed lookup.
//!
//! The fast JSON reader ([`crate::json`]) hashes each string while it looks for the
//! string's end, eight bytes at a time; one probe of this table then says what the
//! string names in every role it can play: a request key (`action`, `subject.role`,
//! …), a role, a category, a purpose, a party or a subject attribute. The table is
//! built once per policy from its vocabulary; requests never add to it, so no input
//! can lengthen a probe, and every hit is confirmed by comparing the bytes.

use crate::ids::{AttributeId, CategoryId, PartyId, PurposeId, RoleId};
use crate::model::Action;
use crate::value::ValueType;
use crate::vocab::Vocabulary;

/// What a string means as a key of the request object or of `subject`. The two
/// sets of keys are disjoint, so one field holds both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    /// Not a key the reader knows (perhaps an attribute's name).
    Other,
    Action,
    Subject,
    Data,
    Purpose,
    Party,
    At,
    CollectedAt,
    RequestId,
    Role,
    Age,
    Consents,
    Revocations,
}

const KEYS: [(&str, Key); 12] = [
    ("action", Key::Action),
    ("subject", Key::Subject),
    ("data", Key::Data),
    ("purpose", Key::Purpose),
    ("party", Key::Party),
    ("at", Key::At),
    ("collected_at", Key::CollectedAt),
    ("request_id", Key::RequestId),
    ("role", Key::Role),
    ("age", Key::Age),
    ("consents", Key::Consents),
    ("revocations", Key::Revocations),
];

/// Everything one string names.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// The name's hash, as [`Scanned`] holds it.
    hash: u64,
    /// The name's length in bytes; [`EMPTY`] in an empty slot of the table.
    len: usize,
    /// The name's bytes after its last multiple of eight, as [`Scanned`] holds
    /// them.
    last: u64,
    /// Its first eight bytes, when it has eight or more, as [`Scanned`] holds
    /// them.
    first: u64,
    /// Its other whole words of eight bytes, after the first.
    rest: Box<[u64]>,
    pub(crate) key: Key,
    /// The action this string names as the value of `action`.
    pub(crate) action: Option<Action>,
    pub(crate) role: Option<RoleId>,
    pub(crate) category: Option<CategoryId>,
    pub(crate) purpose: Option<PurposeId>,
    pub(crate) party: Option<PartyId>,
    /// A declared attribute other than `age`, with its type.
    pub(crate) attribute: Option<(AttributeId, ValueType)>,
}

/// The most names whose table is kept at most a quarter full (see
/// `NameIndex::from_entries`).
const QUARTER_FULL_UP_TO: usize = 1 << 16;

/// The length that marks an empty slot: no string is this long.
const EMPTY: usize = usize::MAX;

/// The table: open addressing, linear probing, at most a quarter full (half for
/// the largest vocabularies), each slot an entry (one load finds it: no second
/// table to look in).
#[derive(Clone, Debug)]
pub(crate) struct NameIndex {
    slots: Box<[Entry]>,
    /// How far to shift a hash right to get its home slot.
    shift: u32,
    /// Each purpose's place among the purposes sorted by name (by purpose id),
    /// for keeping revocations in the order of their names.
    ranks: Box<[u32]>,
}

impl Default for NameIndex {
    fn default() -> NameIndex {
        NameIndex::from_entries(Vec::new(), Box::default())
    }
}

impl NameIndex {
    /// Indexes every name of `vocabulary` and the request's keys.
    pub(crate) fn new(vocabulary: &Vocabulary) -> NameIndex {
        let mut builder = Builder::default();
        for (name, key) in KEYS {
            builder.entry(name, |e| e.key = key);
        }
        for action in [Action::Use, Action::Disclose] {
            builder.entry(action.as_str(), |e| e.action = Some(action));
        }
        let roles = vocabulary.roles();
        for id in roles.ids() {
            builder.entry(roles.name(id), |e| e.role = Some(id));
        }
        let categories = vocabulary.categories().table();
        for id in categories.ids() {
            builder.entry(categories.name(id), |e| e.category = Some(id));
        }
        let purposes = vocabulary.purposes().table();
        let mut by_name: Vec<PurposeId> = purposes.ids().collect();
        by_name.sort_by(|a, b| purposes.name(*a).cmp(purposes.name(*b)));
        let mut ranks = vec![u32::MAX; by_name.len()];
        for (rank, id) in by_name.into_iter().enumerate() {
            if let Some(slot) = ranks.get_mut(id.index()) {
                *slot = u32::try_from(rank).unwrap_or(u32::MAX);
            }
            builder.entry(purposes.name(id), |e| e.purpose = Some(id));
        }
        let parties = vocabulary.parties();
        for id in parties.ids() {
            builder.entry(parties.name(id), |e| e.party = Some(id));
        }
        let attributes = vocabulary.attributes();
        for id in attributes.ids().filter(|id| *id != crate::vocab::AGE) {
            let kind = vocabulary.attribute_type(id);
            builder.entry(attributes.name(id), |e| e.attribute = Some((id, kind)));
        }
        NameIndex::from_entries(builder.entries, ranks.into())
    }

    /// `purpose`'s place among the policy's purposes sorted by name.
    #[inline]
    pub(crate) fn purpose_rank(&self, purpose: PurposeId) -> u32 {
        self.ranks.get(purpose.index()).copied().unwrap_or(u32::MAX)
    }

    fn from_entries(entries: Vec<Entry>, ranks: Box<[u32]>) -> NameIndex {
        // At most a quarter full: a power of two at least four times the
        // entries (half full, a search looks at 1.5 slots on average; a quarter,
        // at about 1.17). Past `QUARTER_FULL_UP_TO` names, at most half full: a
        // slot holds a whole entry (about 100 bytes), and a million names would
        // otherwise take 400 MB of slots.
        let per_name = if entries.len() <= QUARTER_FULL_UP_TO {
            4
        } else {
            2
        };
        let size = (entries.len() * per_name).next_power_of_two().max(16);
        let mut slots = vec![Entry::empty(); size].into_boxed_slice();
        let shift = 64 - size.trailing_zeros();
        let mask = size - 1;
        for entry in entries {
            let mut slot = home(entry.hash, shift);
            while slots.get(slot).is_some_and(|e| e.len != EMPTY) {
                slot = (slot + 1) & mask;
            }
            if let Some(free) = slots.get_mut(slot) {
                *free = entry;
            }
        }
        NameIndex {
            slots,
            shift,
            ranks,
        }
    }

    /// What the string `scanned` found in `bytes` at `start` names, if anything.
    #[inline(always)]
    pub(crate) fn find(&self, bytes: &[u8], start: usize, scanned: &Scanned) -> Option<&Entry> {
        let mask = self.slots.len().wrapping_sub(1);
        let mut slot = home(scanned.hash, self.shift);
        loop {
            let entry = self.slots.get(slot)?;
            if entry.hash == scanned.hash && entry.is(bytes, start, scanned) {
                return Some(entry);
            }
            if entry.len == EMPTY {
                return None;
            }
            slot = slot.wrapping_add(1) & mask;
        }
    }
}

impl Entry {
    fn new(name: &[u8], scanned: &Scanned) -> Entry {
        Entry {
            hash: scanned.hash,
            len: name.len(),
            last: scanned.last,
            first: scanned.first,
            rest: name
                .chunks_exact(8)
                .skip(1)
                .filter_map(|w| word(w, 0))
                .collect(),
            ..Entry::empty()
        }
    }

    fn empty() -> Entry {
        Entry {
            hash: 0,
            len: EMPTY,
            last: 0,
            first: 0,
            rest: Box::default(),
            key: Key::Other,
            action: None,
            role: None,
            category: None,
            purpose: None,
            party: None,
            attribute: None,
        }
    }

    /// True when the string `scanned` found at `start` (whose hash is this
    /// name's) is this name, byte for byte.
    #[inline(always)]
    fn is(&self, bytes: &[u8], start: usize, scanned: &Scanned) -> bool {
        let len = scanned.end.wrapping_sub(start);
        if self.len != len || self.last != scanned.last {
            return false;
        }
        // A name shorter than eight bytes is all in `last`; one shorter than
        // sixteen is in `first` and `last`.
        len < 8 || (self.first == scanned.first && (len < 16 || self.same_rest(bytes, start)))
    }

    /// True when the whole words after the first of the string at `start` of
    /// `bytes` are this name's.
    #[inline]
    fn same_rest(&self, bytes: &[u8], start: usize) -> bool {
        self.rest
            .iter()
            .enumerate()
            .all(|(at, expected)| word(bytes, start.wrapping_add(8 * (at + 1))) == Some(*expected))
    }
}

/// The eight bytes at `at` of `bytes` as a word (`None` past the end).
#[inline(always)]
fn word(bytes: &[u8], at: usize) -> Option<u64> {
    match bytes.get(at..at.wrapping_add(8))? {
        &[a, b, c, d, e, f, g, h] => Some(u64::from_le_bytes([a, b, c, d, e, f, g, h])),
        _ => None,
    }
}

/// Entries as they are gathered, one per distinct name (names borrowed from the
/// vocabulary).
#[derive(Default)]
struct Builder<'v> {
    entries: Vec<Entry>,
    at: rustc_hash::FxHashMap<&'v str, usize>,
    /// The name being scanned, as a JSON string holds it (reused).
    quoted: Vec<u8>,
}

impl<'v> Builder<'v> {
    /// Fills in the entry of `name`, made on first sight. A name the fast reader
    /// cannot meet without an escape is left out: it only ever reaches the strict
    /// reader.
    fn entry(&mut self, name: &'v str, fill: impl FnOnce(&mut Entry)) {
        let Some(scanned) = scan_name(&mut self.quoted, name.as_bytes()) else {
            return;
        };
        let entries = &mut self.entries;
        let at = *self.at.entry(name).or_insert_with(|| {
            entries.push(Entry::new(name.as_bytes(), &scanned));
            entries.len() - 1
        });
        if let Some(entry) = entries.get_mut(at) {
            fill(entry);
        }
    }
}

#[inline(always)]
fn home(hash: u64, shift: u32) -> usize {
    // The high bits of the hash are its best mixed. (`shift` is below 64.)
    hash.wrapping_shr(shift) as usize
}

/// What [`scan_string`] makes of `name` standing in a JSON string, when one can
/// hold it without escapes. `quoted` is room to write the string in.
fn scan_name(quoted: &mut Vec<u8>, name: &[u8]) -> Option<Scanned> {
    quoted.clear();
    quoted.extend_from_slice(name);
    quoted.push(b'"');
    scan_string(quoted, 0).filter(|scanned| scanned.end == name.len())
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;
/// rustc-hash's multiplier.
const K: u64 = 0xf135_7aea_2e62_a9c5;

#[inline]
fn mix(hash: u64, word: u64) -> u64 {
    (hash ^ word).wrapping_mul(K)
}

/// The high bit of each byte that is zero (exact for the lowest such byte).
#[inline(always)]
fn zero(v: u64) -> u64 {
    v.wrapping_sub(ONES) & !v & HIGH
}

/// The high bit of each byte of `word` that is a quote, a backslash or a control
/// character (exact for the lowest such byte; those above it may be wrong).
#[inline(always)]
fn specials(word: u64) -> u64 {
    zero(word ^ (ONES * u64::from(b'"')))
        | zero(word ^ (ONES * u64::from(b'\\')))
        | (word.wrapping_sub(ONES * 0x20) & !word & HIGH)
}

/// The high bit of each byte of `word` that is a quote (exact for the lowest).
#[inline(always)]
fn quotes(word: u64) -> u64 {
    zero(word ^ (ONES * u64::from(b'"')))
}

/// A JSON string as [`scan_string`] read it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scanned {
    /// Where its closing quote is.
    pub(crate) end: usize,
    /// The hash of its text.
    pub(crate) hash: u64,
    /// Its last bytes (after its last multiple of eight), zeros after them: the
    /// whole text when it is shorter than eight bytes.
    last: u64,
    /// Its first eight bytes when it has eight or more (otherwise whatever
    /// followed it).
    first: u64,
}

/// Reads the JSON string whose text starts at `start` (just after its opening
/// quote), eight bytes at a time: where its closing quote is, the hash of its
/// text and its last bytes. `None` when an escape or a control character comes
/// first, or no quote ends it.
#[inline(always)]
pub(crate) fn scan_string(bytes: &[u8], start: usize) -> Option<Scanned> {
    scan::<true, true>(bytes, start)
}

/// [`scan_string`] for a string that is only of use if it is a name the index
/// holds: it looks for the closing quote alone. A backslash or control character
/// before it leaves a text no name has (names hold neither), so
/// [`NameIndex::find`] finds nothing and the string is refused all the same.
#[inline(always)]
pub(crate) fn scan_name_string(bytes: &[u8], start: usize) -> Option<Scanned> {
    scan::<true, false>(bytes, start)
}

/// What the key of the request object whose text starts at `start` of `bytes`
/// (just after its opening quote) is, and where its closing quote is. The
/// request's keys are fixed, so they are told apart by their length and words,
/// without hashing: [`Key::Other`] for any other text (escapes included, as
/// [`scan_name_string`] has them).
#[inline(always)]
pub(crate) fn scan_request_key(bytes: &[u8], start: usize) -> Option<(Key, usize)> {
    let scanned = scan::<false, false>(bytes, start)?;
    let len = scanned.end.wrapping_sub(start);
    let key = match (len, scanned.last) {
        (2, AT) => Key::At,
        (4, DATA) => Key::Data,
        (5, PARTY) => Key::Party,
        (6, ACTION) => Key::Action,
        (7, PURPOSE) => Key::Purpose,
        (7, SUBJECT) => Key::Subject,
        (10, ID) if scanned.first == REQUEST_ => Key::RequestId,
        (12, D_AT) if scanned.first == COLLECTE => Key::CollectedAt,
        _ => Key::Other,
    };
    Some((key, scanned.end))
}

// Words of the request's keys, as [`Scanned`] holds them (zeros after the text).
const AT: u64 = u64::from_le_bytes(*b"at\0\0\0\0\0\0");
const DATA: u64 = u64::from_le_bytes(*b"data\0\0\0\0");
const PARTY: u64 = u64::from_le_bytes(*b"party\0\0\0");
const ACTION: u64 = u64::from_le_bytes(*b"action\0\0");
const PURPOSE: u64 = u64::from_le_bytes(*b"purpose\0");
const SUBJECT: u64 = u64::from_le_bytes(*b"subject\0");
const REQUEST_: u64 = u64::from_le_bytes(*b"request_");
const ID: u64 = u64::from_le_bytes(*b"id\0\0\0\0\0\0");
const COLLECTE: u64 = u64::from_le_bytes(*b"collecte");
const D_AT: u64 = u64::from_le_bytes(*b"d_at\0\0\0\0");

/// The scan behind [`scan_string`] and the others: it stops at any special byte
/// when `ANY_SPECIAL`, else at quotes; `HASH` false leaves the hash out (zero),
/// for strings told apart by their words alone.
#[inline(always)]
fn scan<const HASH: bool, const ANY_SPECIAL: bool>(bytes: &[u8], start: usize) -> Option<Scanned> {
    let stops = |word| {
        if ANY_SPECIAL {
            specials(word)
        } else {
            quotes(word)
        }
    };
    let rest = bytes.get(start..)?;
    let mut hash = 0u64;
    let mut done = 0usize;
    let mut first = None;
    let mut chunks = rest.chunks_exact(8);
    for chunk in chunks.by_ref() {
        let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).ok()?);
        let first = *first.get_or_insert(word);
        let found = stops(word);
        if found != 0 {
            return string_end::<HASH, ANY_SPECIAL>(word, found, hash, start, done, 8, first);
        }
        if HASH {
            hash = mix(hash, word);
        }
        // INVARIANT: `done` counts bytes of `bytes`: it cannot overflow.
        done = done.wrapping_add(8);
    }
    // The last few bytes, padded with quotes: the end is always found, and
    // refused when it lies in the padding.
    let tail = chunks.remainder();
    let mut padded = [b'"'; 8];
    padded.iter_mut().zip(tail).for_each(|(p, b)| *p = *b);
    let word = u64::from_le_bytes(padded);
    let first = first.unwrap_or(word);
    string_end::<HASH, ANY_SPECIAL>(word, stops(word), hash, start, done, tail.len(), first)
}

/// The end of a string: `word` holds the first special byte (`found` marks it),
/// the first `available` bytes of `word` are the input's, `done` bytes of text
/// (hashed into `hash`) came before it, and `first` is the string's first word.
#[inline(always)]
fn string_end<const HASH: bool, const ANY_SPECIAL: bool>(
    word: u64,
    found: u64,
    hash: u64,
    start: usize,
    done: usize,
    available: usize,
    first: u64,
) -> Option<Scanned> {
    let index = (found.trailing_zeros() / 8) as usize;
    // INVARIANT: `index` < 8 once it is below `available` (at most 8), so the
    // shifts below stay within the word. The lowest byte `quotes` finds is a
    // quote; the lowest `specials` finds may be another special byte.
    if index >= available || (ANY_SPECIAL && (word >> (index * 8)) as u8 != b'"') {
        return None;
    }
    let last = word & (1u64 << (index * 8)).wrapping_sub(1);
    // INVARIANT: the string lies within the input, so neither sum overflows.
    let len = done.wrapping_add(index);
    Some(Scanned {
        end: start.wrapping_add(len),
        // The bytes before the quote (at most seven, the rest zero), with the
        // length in the top byte: one step for both.
        hash: if HASH {
            mix(hash, last ^ ((len as u64) << 56))
        } else {
            0
        },
        last,
        first,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_end_at_the_first_quote_backslash_or_control_character() {
        for (text, end) in [
            (&b"abc\""[..], Some(3)),
            (b"\"", Some(0)),
            (b"abcdefgh\"", Some(8)),
            (b"abcdefghijklmnop\"", Some(16)),
            (b"abcdefgh\\ijk\"", None),
            (b"abcdefghij\nk\"", None),
            (b"\xc3\xa9t\xc3\xa9 \xe2\x80\x94 caf\xc3\xa9\"", Some(15)),
            (b"\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\"", Some(8)),
            (b"no end at all", None),
            (b"abc", None),
            (b"", None),
        ] {
            assert_eq!(scan_string(text, 0).map(|s| s.end), end, "{text:?}");
        }
    }

    #[test]
    fn the_hash_depends_on_the_text_alone() {
        // The same text hashes alike wherever it stands and whatever follows it.
        let hash = |s: Option<Scanned>| s.map(|s| s.hash);
        let scan_name = |name: &[u8]| scan_name(&mut Vec::new(), name);
        let a = scan_string(b"xx\"device.ip_address\"}", 3);
        let b = scan_string(b"\"device.ip_address\", \"x\": 1, \"yyyyyyyy\"}", 1);
        assert_eq!(hash(a), hash(b));
        assert_eq!(hash(a), hash(scan_name(b"device.ip_address")));
        // A text and the same text with zeros after it differ.
        assert_ne!(hash(scan_name(b"abcdefgh")), hash(scan_name(b"abcdefgh\0")));
        assert_ne!(hash(scan_name(b"")), hash(scan_name(b"\0")));
    }

    #[test]
    fn every_name_is_found_in_every_role_and_nothing_else_is() {
        let mut v = Vocabulary::new();
        let _ = v.add_role("visitor", "");
        let _ = v.add_category("device", "");
        let _ = v.add_category("device.ip_address", "");
        let _ = v.add_purpose("sale", "");
        let _ = v.add_purpose("device", "");
        let _ = v.add_purpose("ads", "");
        let _ = v.add_party("aws", "");
        let _ = v.add_attribute("dnt", "", ValueType::YesNo);
        let index = NameIndex::new(&v);
        let find = |name: &str| {
            let quoted = format!("{name}\"");
            let scanned = scan_string(quoted.as_bytes(), 0)?;
            index.find(quoted.as_bytes(), 0, &scanned)
        };
        let device = find("device").map(|e| (e.category.is_some(), e.purpose.is_some()));
        assert_eq!(device, Some((true, true)));
        assert_eq!(find("subject").map(|e| e.key), Some(Key::Subject));
        assert_eq!(find("revocations").map(|e| e.key), Some(Key::Revocations));
        assert!(find("visitor").is_some_and(|e| e.role.is_some() && e.key == Key::Other));
        assert!(find("aws").is_some_and(|e| e.party.is_some()));
        assert!(find("dnt").is_some_and(|e| e.attribute.is_some()));
        // `age` is a key, not an attribute the reader sets by name.
        assert!(find("age").is_some_and(|e| e.attribute.is_none() && e.key == Key::Age));
        // Ranks follow the names' order: ads < device < sale.
        let rank = |name| {
            find(name)
                .and_then(|e| e.purpose)
                .map(|p| index.purpose_rank(p))
        };
        assert_eq!(
            (rank("ads"), rank("device"), rank("sale")),
            (Some(0), Some(1), Some(2))
        );
        for absent in ["", "visitors", "visito", "Visitor", "device.", "devicf"] {
            assert!(find(absent).is_none(), "{absent}");
        }
    }

    #[test]
    fn names_of_every_length_are_told_apart_byte_for_byte() {
        let mut v = Vocabulary::new();
        let long = "abcdefghijklmnopqrstuvwxyz0123456789";
        for len in 1..=long.len() {
            let _ = v.add_party(long.get(..len).unwrap_or_default(), "");
        }
        let index = NameIndex::new(&v);
        let find = |name: &str| {
            let quoted = format!("{name}\"");
            let scanned = scan_string(quoted.as_bytes(), 0)?;
            index.find(quoted.as_bytes(), 0, &scanned)?.party
        };
        for len in 1..=long.len() {
            let name = long.get(..len).unwrap_or_default();
            assert_eq!(find(name).map(|p| p.index()), Some(len - 1), "{name}");
            // One byte changed, wherever it is, is another name.
            for at in 0..len {
                let mut other = name.as_bytes().to_vec();
                if let Some(b) = other.get_mut(at) {
                    *b = b'_';
                }
                let other = String::from_utf8(other).unwrap_or_default();
                assert_eq!(find(&other), None, "{other}");
            }
        }
    }

    #[test]
    fn names_are_found_wherever_they_stand_in_the_input() {
        let mut v = Vocabulary::new();
        let names = [
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "abcdefghijklmno",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "abcdefghijklmnopqrstuvwx",
            "abcdefghijklmnopqrstuvwxy",
        ];
        for name in names {
            let _ = v.add_party(name, "");
        }
        let index = NameIndex::new(&v);
        for (expected, name) in names.iter().enumerate() {
            for offset in 0..9 {
                for after in ["\"", "\"}", "\", \"xxxxxxxxxxxxxxxxxxxx\""] {
                    let text = format!("{}{name}{after}", "x".repeat(offset));
                    let found = scan_name_string(text.as_bytes(), offset)
                        .and_then(|s| index.find(text.as_bytes(), offset, &s))
                        .and_then(|e| e.party);
                    assert_eq!(found.map(|p| p.index()), Some(expected), "{text}");
                    // The same name with its last whole word changed is not found.
                    if name.len() >= 16 {
                        let mut other = text.clone().into_bytes();
                        if let Some(b) = other.get_mut(offset + name.len() / 8 * 8 - 1) {
                            *b = b'_';
                        }
                        let found = scan_name_string(&other, offset)
                            .and_then(|s| index.find(&other, offset, &s));
                        assert!(found.is_none(), "{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_request_keys_are_told_apart_without_the_table() {
        let key = |text: &str| {
            let quoted = format!("{text}\"");
            scan_request_key(quoted.as_bytes(), 0).map(|(key, end)| {
                assert_eq!(end, text.len(), "{text}");
                key
            })
        };
        for (text, expected) in KEYS
            .iter()
            .filter(|(_, k)| !matches!(k, Key::Role | Key::Age | Key::Consents | Key::Revocations))
        {
            assert_eq!(key(text), Some(*expected), "{text}");
            // Cut short, run on, or one byte changed: not a key.
            let cut = text.get(..text.len() - 1).unwrap_or_default();
            assert_eq!(key(cut), Some(Key::Other), "{cut}");
            assert_eq!(key(&format!("{text}s")), Some(Key::Other), "{text}s");
            for at in 0..text.len() {
                let mut other = text.as_bytes().to_vec();
                if let Some(b) = other.get_mut(at) {
                    *b ^= 0x20;
                }
                let other = String::from_utf8(other).unwrap_or_default();
                assert_eq!(key(&other), Some(Key::Other), "{other}");
            }
        }
        for other in [
            "",
            "role",
            "consents",
            "age",
            "revocations",
            r"request\u005fid",
            "at\0",
        ] {
            assert_eq!(key(other), Some(Key::Other), "{other}");
        }
        // No closing quote: not a string at all.
        assert_eq!(scan_request_key(b"action", 0), None);
    }
}
