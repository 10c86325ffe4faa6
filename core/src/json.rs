//! Reading request JSON strictly: a key given twice is an error, not "the last one
//! wins" (`{"age": 12, "age": null}` must not quietly lose the child's age).
//! serde_json's own nesting limit still applies.
//!
//! Two readers share that strictness. [`parse`] reads any JSON into a value, from
//! which [`crate::Request::from_value`] writes every error message. [`prepare`] is
//! the fast one: a scanner for the shapes a request has, which reads it straight
//! into a [`PreparedRequest`], borrowing strings from the input, resolving names as
//! it meets them and parsing times in place, with no tree of values in between. It
//! accepts only what the first reader accepts and prepares it the same way; on
//! anything else (including what it does not bother with, such as escapes) it gives
//! up (`None`), and the caller asks the first reader, whose error is then the one
//! reported, or whose answer is the same.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use smallvec::SmallVec;

use crate::ids::{AttributeId, PurposeId};
use crate::names::{
    Entry, Key, NameIndex, Scanned, scan_name_string, scan_request_key, scan_string,
};
use crate::request::{
    Categories, Events, MAX_AGE, MAX_LIST_ITEMS, MAX_REQUEST_BYTES, MAX_REQUEST_ID_BYTES,
    PreparedRequest, check_party,
};
use crate::time::Timestamp;
use crate::value::{Value as AttributeValue, ValueType};
use crate::vocab::AGE;

struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number that is not finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                let shown: String = key.chars().take(64).collect();
                return Err(de::Error::custom(format!(
                    "the key `{shown}` appears twice in one object; give it once"
                )));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// Parses JSON text, refusing objects that repeat a key.
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice::<Strict>(bytes).map(|s| s.0)
}

/// Reads a request straight from JSON bytes, resolving names through `names` (the
/// policy's [`NameIndex`]); `None` when the request is not one
/// [`crate::Request::from_json`] and preparing would accept (or when it is unusual
/// enough that this reader leaves it to them: escapes in strings, numbers with
/// signs, fractions or exponents, unknown attributes given as null).
pub(crate) fn prepare(
    bytes: &[u8],
    names: &NameIndex,
    stamp: u64,
    now: fn() -> Timestamp,
) -> Option<PreparedRequest> {
    let mut prepared = PreparedRequest::empty(stamp);
    read(bytes, names, &mut prepared, now)?;
    Some(prepared)
}

/// [`prepare`] into `out` (a request just made with [`PreparedRequest::empty`]),
/// giving the request's `request_id` (`Some(None)` when it has none).
pub(crate) fn read<'a>(
    bytes: &'a [u8],
    names: &NameIndex,
    out: &mut PreparedRequest,
    now: fn() -> Timestamp,
) -> Option<Option<&'a str>> {
    if bytes.len() > MAX_REQUEST_BYTES {
        return None;
    }
    let mut scan = Scan {
        bytes,
        pos: 0,
        names,
    };
    let (at, request_id) = scan.request(out)?;
    if scan.peek().is_some() {
        return None;
    }
    // As `request::finish` completes a request the strict reader read.
    if let Some(age) = out.age {
        let value = AttributeValue::Number(f64::from(age));
        out.attributes.insert(0, (AGE, value));
    }
    out.at = at.unwrap_or_else(now);
    if out.collected_at.is_some_and(|c| c > out.at) {
        return None;
    }
    Some(request_id)
}

/// A set of keys seen in one object, to refuse a key given twice.
#[derive(Default)]
struct Seen(u32);

impl Seen {
    /// Marks `key`; `None` when it was marked before.
    #[inline]
    fn first(&mut self, key: Key) -> Option<()> {
        let bit = 1u32 << (key as u32);
        let fresh = self.0 & bit == 0;
        self.0 |= bit;
        fresh.then_some(())
    }

    fn has(&self, key: Key) -> bool {
        self.0 & (1u32 << (key as u32)) != 0
    }
}

/// Appends `item` to a list kept sorted by `key` (items arrive mostly in
/// order, so it rarely moves far).
#[inline]
fn push_sorted<A: smallvec::Array>(
    list: &mut SmallVec<A>,
    item: A::Item,
    key: impl Fn(&A::Item) -> u32,
) {
    list.push(item);
    let mut at = list.len() - 1;
    while at > 0 {
        let (Some(before), Some(this)) = (list.get(at - 1), list.get(at)) else {
            break;
        };
        if key(before) <= key(this) {
            break;
        }
        list.swap(at - 1, at);
        at -= 1;
    }
}

/// A cursor over JSON bytes that reads only the shapes a request has, and gives
/// up (`None`) on anything else. Every string it accepts is valid UTF-8: names
/// match the policy's, times are ASCII, and other text is checked.
struct Scan<'a, 'n> {
    bytes: &'a [u8],
    pos: usize,
    names: &'n NameIndex,
}

impl<'a, 'n> Scan<'a, 'n> {
    /// Moves on `count` bytes, which the caller has seen. (A request is at most
    /// [`MAX_REQUEST_BYTES`] long, so the position cannot overflow.)
    #[inline(always)]
    fn skip(&mut self, count: usize) {
        self.pos = self.pos.wrapping_add(count);
    }

    /// The next byte after white space, not consumed.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.pos)?;
        // Every byte that can start a token is above the space.
        if byte > b' ' {
            return Some(byte);
        }
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.skip(1);
        }
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.skip(1))
    }

    /// `true`, `false` or `null`, whose first byte was peeked.
    fn word(&mut self, word: &[u8]) -> Option<()> {
        let rest = self.bytes.get(self.pos..)?;
        rest.starts_with(word).then(|| self.pos += word.len())
    }

    /// A string without escapes or control characters: where its text starts,
    /// and what scanning it found.
    #[inline(always)]
    fn string(&mut self) -> Option<(usize, Scanned)> {
        self.eat(b'"')?;
        let start = self.pos;
        let scanned = scan_string(self.bytes, start)?;
        self.pos = scanned.end.wrapping_add(1);
        Some((start, scanned))
    }

    /// A string's text as bytes.
    fn raw(&mut self) -> Option<&'a [u8]> {
        let (start, scanned) = self.string()?;
        self.bytes.get(start..scanned.end)
    }

    /// A string that is valid UTF-8, borrowed from the input.
    fn text(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.raw()?).ok()
    }

    /// A key of the request object (its keys are fixed: no lookup).
    #[inline(always)]
    fn request_key(&mut self) -> Option<Key> {
        self.eat(b'"')?;
        let (key, end) = scan_request_key(self.bytes, self.pos)?;
        self.pos = end.wrapping_add(1);
        Some(key)
    }

    /// A string naming something the policy declares.
    #[inline(always)]
    fn name(&mut self) -> Option<&'n Entry> {
        self.eat(b'"')?;
        let start = self.pos;
        let scanned = scan_name_string(self.bytes, start)?;
        self.pos = scanned.end.wrapping_add(1);
        self.names.find(self.bytes, start, &scanned)
    }

    /// `null` (`Some(None)`) or what `read` reads.
    #[inline(always)]
    fn nullable<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.peek()? == b'n' {
            self.word(b"null")?;
            return Some(None);
        }
        read(self).map(Some)
    }

    /// A whole number as JSON writes it (no sign, no leading zero, no fraction,
    /// no exponent), exactly.
    fn whole(&mut self) -> Option<u64> {
        self.peek()?;
        let rest = self.bytes.get(self.pos..)?;
        let len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let digits = rest.get(..len)?;
        if len == 0
            || (len > 1 && digits.first() == Some(&b'0'))
            || matches!(rest.get(len), Some(b'.' | b'e' | b'E'))
        {
            return None;
        }
        let value = digits.iter().try_fold(0u64, |n, d| {
            n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })?;
        self.skip(len);
        Some(value)
    }

    /// `{ "key": value, ... }`, calling `field` with what each key names; it
    /// reads the value. A key the policy does not know ends the reading.
    #[inline(always)]
    fn object(&mut self, field: impl FnMut(&mut Self, &'n Entry) -> Option<()>) -> Option<()> {
        self.object_of(Scan::name, field)
    }

    /// [`Scan::object`] with keys read by `key`.
    #[inline(always)]
    fn object_of<K>(
        &mut self,
        key: impl Fn(&mut Self) -> Option<K>,
        mut field: impl FnMut(&mut Self, K) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.skip(1);
            return Some(());
        }
        loop {
            let key = key(self)?;
            self.eat(b':')?;
            field(self, key)?;
            match self.peek()? {
                b',' => self.skip(1),
                b'}' => {
                    self.skip(1);
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// `[ item, ... ]` with at most [`MAX_LIST_ITEMS`] items, each read by `item`;
    /// how many there were.
    #[inline(always)]
    fn list(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<usize> {
        self.eat(b'[')?;
        if self.peek()? == b']' {
            self.skip(1);
            return Some(0);
        }
        let mut count = 0;
        loop {
            count += 1;
            if count > MAX_LIST_ITEMS {
                return None;
            }
            item(self)?;
            match self.peek()? {
                b',' => self.skip(1),
                b']' => {
                    self.skip(1);
                    return Some(count);
                }
                _ => return None,
            }
        }
    }

    /// A date or time as text: the common forms (`2026-03-01`,
    /// `2026-03-01T10:00:00Z`) read in place, any other through
    /// [`Timestamp::parse`].
    #[inline(always)]
    fn time(&mut self) -> Option<Timestamp> {
        self.eat(b'"')?;
        let rest = self.bytes.get(self.pos..)?;
        if let Some((time, len)) = plain_time(rest) {
            self.skip(len + 1);
            return Some(time);
        }
        self.other_time()
    }

    /// [`Scan::time`] for any other text, just after its opening quote.
    #[cold]
    #[inline(never)]
    fn other_time(&mut self) -> Option<Timestamp> {
        let end = scan_string(self.bytes, self.pos)?.end;
        let text = std::str::from_utf8(self.bytes.get(self.pos..end)?).ok()?;
        self.pos = end.wrapping_add(1);
        Timestamp::parse(text).ok()
    }

    /// The request object into `out`; gives back its `at` and `request_id`.
    fn request(
        &mut self,
        out: &mut PreparedRequest,
    ) -> Option<(Option<Timestamp>, Option<&'a str>)> {
        let mut seen = Seen::default();
        let mut at = None;
        let mut request_id = None;
        self.object_of(Scan::request_key, |scan, key| {
            seen.first(key)?;
            match key {
                Key::Action => {
                    out.action = scan.name()?.action?;
                }
                Key::Subject => scan.subject(out)?,
                Key::Data => scan.data(&mut out.data)?,
                Key::Purpose => out.purpose = scan.name()?.purpose?,
                Key::Party => out.party = scan.nullable(|s| s.name()?.party)?,
                Key::At => at = scan.nullable(Scan::time)?,
                Key::CollectedAt => out.collected_at = scan.nullable(Scan::time)?,
                Key::RequestId => {
                    request_id = scan.nullable(Scan::text)?;
                    let fits = |id: &str| (1..=MAX_REQUEST_ID_BYTES).contains(&id.len());
                    if !request_id.is_none_or(fits) {
                        return None;
                    }
                }
                _ => return None,
            }
            Some(())
        })?;
        let required = [Key::Action, Key::Subject, Key::Data, Key::Purpose];
        if !required.iter().all(|key| seen.has(*key)) {
            return None;
        }
        check_party(out.action, out.party.is_some()).ok()?;
        Some((at, request_id))
    }

    /// `data`: a category, or a list of 1 to [`MAX_LIST_ITEMS`] of them.
    // Each part a request has once is a function of its own, so that the
    // reading of the request's keys stays small enough to be inlined.
    #[inline(never)]
    fn data(&mut self, data: &mut Categories) -> Option<()> {
        if self.peek()? == b'"' {
            data.push(self.name()?.category?);
            return Some(());
        }
        // A list of 1 to MAX_LIST_ITEMS names (read as names: a backslash or
        // control character makes a text no name matches).
        let count = self.list(|scan| {
            data.push(scan.name()?.category?);
            Some(())
        })?;
        (count > 0).then_some(())
    }

    #[inline(never)]
    fn subject(&mut self, out: &mut PreparedRequest) -> Option<()> {
        let mut seen = Seen::default();
        // Attributes given as null: not given, but their key still counts once.
        let mut nulls: SmallVec<[AttributeId; 4]> = SmallVec::new();
        self.object(|scan, entry| {
            match entry.key {
                Key::Role => {
                    seen.first(Key::Role)?;
                    out.role = scan.name()?.role?;
                }
                Key::Age => {
                    seen.first(Key::Age)?;
                    out.age = scan.nullable(|s| {
                        let years = u32::try_from(s.whole()?).ok()?;
                        (years <= MAX_AGE).then_some(years)
                    })?;
                }
                Key::Consents => {
                    seen.first(Key::Consents)?;
                    scan.times(&mut out.consents, PurposeId::raw)?;
                }
                Key::Revocations => {
                    seen.first(Key::Revocations)?;
                    let names = scan.names;
                    scan.times(&mut out.revocations, |p| names.purpose_rank(p))?;
                }
                // Any other key is an attribute's name; unknown names (even
                // with null) are left to the strict reader.
                _ => {
                    let (id, kind) = entry.attribute?;
                    if out.attributes.iter().any(|(a, _)| *a == id) || nulls.contains(&id) {
                        return None;
                    }
                    match scan.attribute(kind)? {
                        Some(value) => {
                            push_sorted(&mut out.attributes, (id, value), |(a, _)| a.raw())
                        }
                        None => nulls.push(id),
                    }
                }
            }
            Some(())
        })?;
        seen.has(Key::Role).then_some(())
    }

    /// `consents` or `revocations`: purposes to times, each purpose once, kept
    /// in the order `rank` gives (purpose ids for consents, as `finish` sorts
    /// them; names for revocations, as the strict reader's map holds them).
    #[inline]
    fn times(&mut self, times: &mut Events, rank: impl Fn(PurposeId) -> u32) -> Option<()> {
        self.object(|scan, entry| {
            let purpose = entry.purpose?;
            // A name given twice is one purpose twice: the strict reader's
            // repeated key.
            if times.len() == MAX_LIST_ITEMS || times.iter().any(|(p, _)| *p == purpose) {
                return None;
            }
            let time = scan.time()?;
            push_sorted(times, (purpose, time), |(p, _)| rank(*p));
            Some(())
        })
    }

    /// A declared attribute's value, conformed to its type (`None` for null).
    fn attribute(&mut self, expected: ValueType) -> Option<Option<AttributeValue>> {
        let value = match (self.peek()?, expected) {
            (b'n', _) => {
                self.word(b"null")?;
                return Some(None);
            }
            (b't', ValueType::YesNo) => self.word(b"true").map(|()| AttributeValue::YesNo(true))?,
            (b'f', ValueType::YesNo) => {
                self.word(b"false").map(|()| AttributeValue::YesNo(false))?
            }
            // Whole numbers only: serde_json reads them exactly, as this does.
            (b'0'..=b'9', ValueType::Number) => AttributeValue::Number(self.whole()? as f64),
            (b'"', ValueType::Text) => AttributeValue::Text(self.text()?.into()),
            (b'"', ValueType::TextSet) => AttributeValue::text_set([self.text()?]),
            (b'[', ValueType::TextSet) => {
                let mut items: Vec<&str> = Vec::new();
                self.list(|scan| {
                    items.push(scan.text()?);
                    Some(())
                })?;
                AttributeValue::text_set(items)
            }
            _ => return None,
        };
        Some(Some(value))
    }
}

/// `YYYY-MM-DD"` or `YYYY-MM-DDTHH:MM:SSZ"` at the start of `text`: the instant
/// (as [`Timestamp::parse`] reads it) and the length before the quote. `None`
/// for anything else, which `Timestamp::parse` then reads or refuses.
///
/// Each part is read a word at a time: XOR with the form's own bytes turns
/// every digit into its value and every separator into zero, so one test
/// checks them all, and one multiplication joins each pair of digits.
#[inline(always)]
fn plain_time(text: &[u8]) -> Option<(Timestamp, usize)> {
    // `YYYY-MM-`, then `DD`, the byte after and one more.
    let date =
        u64::from_le_bytes(text.get(..8)?.try_into().ok()?) ^ u64::from_le_bytes(*b"0000-00-");
    let day = u32::from_le_bytes(text.get(8..12)?.try_into().ok()?);
    let day_digits = u64::from(day & 0xffff) ^ 0x3030;
    // Separators must be zero now, digits at most 9.
    const DATE_MASK: u64 = 0xff00_00ff_0000_0000;
    if !values(date, DATE_MASK) || !values(day_digits, 0) {
        return None;
    }
    let pairs = join_pairs(date);
    let year = (pairs & 0xff) as u32 * 100 + ((pairs >> 16) & 0xff) as u32;
    let month = ((pairs >> 40) & 0xff) as u32;
    let day_of_month = (join_pairs(day_digits) & 0xff) as u32;
    let (in_day, len) = match (day >> 16) as u8 {
        b'"' => (0, 10),
        b'T' => {
            // `HH:MM:SS`, then `Z"`.
            let time = u64::from_le_bytes(text.get(11..19)?.try_into().ok()?)
                ^ u64::from_le_bytes(*b"00:00:00");
            const TIME_MASK: u64 = 0x0000_ff00_00ff_0000;
            if !values(time, TIME_MASK) || text.get(19..21) != Some(b"Z\"") {
                return None;
            }
            let pairs = join_pairs(time);
            let hour = (pairs & 0xff) as u32;
            let minute = ((pairs >> 24) & 0xff) as u32;
            let second = ((pairs >> 48) & 0xff) as u32;
            // A leap second (:60) is left to `Timestamp::parse`, which knows when
            // one may fall.
            if hour > 23 || minute > 59 || second > 59 {
                return None;
            }
            (hour * 3600 + minute * 60 + second, 20)
        }
        _ => return None,
    };
    let time = Timestamp::from_day_and_second(year, month, day_of_month, in_day)?;
    Some((time, len))
}

/// True when every byte of `word` (text XOR the form's digits and separators)
/// is a digit's value, 0 to 9, except those `separators` selects, which must be
/// zero. Adding 6 to a byte of at most 15 carries into its high half only when
/// it is above 9, and never into the next byte.
#[inline(always)]
fn values(word: u64, separators: u64) -> bool {
    const HIGH_HALVES: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    word & (HIGH_HALVES | separators) == 0
        && word.wrapping_add(0x0606_0606_0606_0606) & HIGH_HALVES == 0
}

/// Each byte of `word` (digit values, 0 to 9) times ten plus the next byte: the
/// two-digit number starting at each byte, at most 99, so no byte carries.
#[inline(always)]
fn join_pairs(word: u64) -> u64 {
    word.wrapping_mul(10).wrapping_add(word >> 8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Vocabulary;

    #[test]
    fn repeated_keys_are_refused_at_any_depth() {
        assert!(parse(br#"{"a": 1, "b": [1, {"c": null}]}"#).is_ok());
        assert!(parse(br#"{"a": 1, "a": 2}"#).is_err());
        assert!(parse(br#"{"s": {"age": 12, "age": null}}"#).is_err());
        assert!(parse(br#"[{"x": 1}, {"x": 1, "x": 1}]"#).is_err());
    }

    #[test]
    fn the_scanner_reads_plain_requests_and_leaves_the_rest() {
        let mut v = Vocabulary::new();
        let _ = v.add_role("visitor", "");
        let _ = v.add_category("device", "");
        let _ = v.add_purpose("ops", "");
        let _ = v.add_attribute("dnt", "", ValueType::YesNo);
        let names = NameIndex::new(&v);
        let read = |json: &str| prepare(json.as_bytes(), &names, 1, Timestamp::now).is_some();
        let plain = r#"{"action": "use", "subject": {"role": "visitor", "dnt": true, "age": 30,
            "consents": {"ops": "2026-01-01"}}, "data": ["device"], "purpose": "ops", "at": "2026-03-01"}"#;
        assert!(read(plain));
        // Left to the strict reader: escapes, fractions, repeats, unknown names, trailing text.
        for other in [
            plain.replace("\"visitor\"", "\"vis\\u0069tor\""),
            plain.replace("30", "30.0"),
            plain.replace("\"dnt\": true", "\"dnt\": true, \"dnt\": true"),
            plain.replace("\"dnt\": true", "\"other\": null"),
            format!("{plain} x"),
            plain.replace("\"use\"", "\"uses\""),
        ] {
            assert!(!read(&other), "{other}");
        }
    }

    #[test]
    fn times_read_in_place_are_the_times_the_parser_reads() {
        let mut texts: Vec<String> = Vec::new();
        for year in [
            "0000", "1900", "1969", "1970", "2000", "2024", "2025", "9999", "20a6",
        ] {
            for month in ["00", "01", "02", "03", "12", "13", "1-"] {
                for day in ["00", "01", "28", "29", "30", "31", "32", "3x"] {
                    let date = format!("{year}-{month}-{day}");
                    for time in [
                        "",
                        "T00:00:00Z",
                        "T23:59:59Z",
                        "T24:00:00Z",
                        "T23:60:00Z",
                        "T23:59:60Z",
                        "T10:00:00z",
                        "t10:00:00Z",
                        "T10:00:00+02:00",
                        "T10:00:00.5Z",
                        "T10:00Z",
                        "T1a:00:00Z",
                        "T10:00:00",
                    ] {
                        texts.push(format!("{date}{time}"));
                    }
                }
            }
        }
        texts.extend(
            ["2026-3-01", "2026/03/01", "", "2026-03-01 ", "+2026-03-01"].map(String::from),
        );
        let mut read_in_place = 0;
        for text in texts {
            let quoted = format!("{text}\"");
            let parsed = Timestamp::parse(&text).ok();
            if let Some((time, len)) = plain_time(quoted.as_bytes()) {
                assert_eq!(Some(time), parsed, "{text}");
                assert_eq!(len, text.len(), "{text}");
                read_in_place += 1;
            }
            // Whichever way it is read, the scanner's answer is the parser's.
            let mut scan = Scan {
                bytes: quoted.as_bytes(),
                pos: 0,
                names: &NameIndex::default(),
            };
            let quoted_again = format!("\"{quoted}");
            scan.bytes = quoted_again.as_bytes();
            assert_eq!(scan.time(), parsed, "{text}");
        }
        assert!(read_in_place > 100, "{read_in_place}");
    }

    #[test]
    fn nesting_is_still_limited() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(deep.as_bytes()).is_err());
    }
}
