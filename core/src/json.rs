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

use crate::ids::{AttributeId, CategoryId, PurposeId};
use crate::model::Action;
use crate::request::{
    MAX_AGE, MAX_LIST_ITEMS, MAX_REQUEST_BYTES, PreparedRequest, ResolvedRequest, check_party,
    finish,
};
use crate::time::Timestamp;
use crate::value::{Value as AttributeValue, ValueType};
use crate::vocab::{AGE, Vocabulary};

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

/// Reads a request for `vocabulary` straight from JSON bytes; `None` when the
/// request is not one [`crate::Request::from_json`] and preparing would accept (or
/// when it is unusual enough that this reader leaves it to them: escapes in
/// strings, numbers with fractions or exponents, unknown attributes given as null).
pub(crate) fn prepare(
    bytes: &[u8],
    vocabulary: &Vocabulary,
    stamp: u64,
    now: fn() -> Timestamp,
) -> Option<PreparedRequest> {
    if bytes.len() > MAX_REQUEST_BYTES {
        return None;
    }
    // Checked once, so every string between two quotes is UTF-8 too.
    let text = std::str::from_utf8(bytes).ok()?;
    let mut scan = Scan { text, pos: 0 };
    let request = scan.request(vocabulary)?;
    scan.skip_space();
    if scan.pos != text.len() {
        return None;
    }
    finish(request, stamp, now).ok()
}

/// A cursor over JSON text that reads only the shapes a request has, and gives
/// up (`None`) on anything else.
struct Scan<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scan<'a> {
    fn skip_space(&mut self) {
        let bytes = self.text.as_bytes();
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next byte after white space, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.text.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// `true`, `false` or `null`.
    fn word(&mut self, word: &str) -> Option<()> {
        self.skip_space();
        let rest = self.text.get(self.pos..)?;
        rest.starts_with(word).then(|| self.pos += word.len())
    }

    /// A string without escapes or control characters, borrowed from the input.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.pos;
        let rest = self.text.as_bytes().get(start..)?;
        let len = string_end(rest)?;
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        self.pos = start + len + 1;
        self.text.get(start..start + len)
    }

    /// A whole number as JSON writes it (no sign, no leading zero, no fraction).
    fn whole(&mut self) -> Option<u64> {
        self.skip_space();
        let bytes = self.text.as_bytes();
        let rest = bytes.get(self.pos..)?;
        let len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let digits = rest.get(..len)?;
        let next = rest.get(len).copied();
        if len == 0
            || (len > 1 && digits.first() == Some(&b'0'))
            || matches!(next, Some(b'.' | b'e' | b'E'))
        {
            return None;
        }
        let value = self.text.get(self.pos..self.pos + len)?.parse().ok()?;
        self.pos += len;
        Some(value)
    }

    /// `{ "key": value, ... }`, calling `field` with each key; it reads the value.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            field(self, key)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// `[ "text", ... ]` with at most [`MAX_LIST_ITEMS`] items.
    fn texts(&mut self, mut item: impl FnMut(&'a str) -> Option<()>) -> Option<usize> {
        self.eat(b'[')?;
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(0);
        }
        let mut count = 0;
        loop {
            count += 1;
            if count > MAX_LIST_ITEMS {
                return None;
            }
            item(self.string()?)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(count);
                }
                _ => return None,
            }
        }
    }

    /// Text, or `null` (`None`).
    fn nullable(&mut self) -> Option<Option<&'a str>> {
        if self.peek()? == b'n' {
            self.word("null")?;
            return Some(None);
        }
        self.string().map(Some)
    }

    fn request(&mut self, v: &Vocabulary) -> Option<ResolvedRequest> {
        let mut action = None;
        let mut subject = None;
        let mut data = None;
        let mut purpose = None;
        let mut party = None;
        let mut at = None;
        let mut collected_at = None;
        self.object(|scan, key| match key {
            "action" => once(&mut action, || match scan.string()? {
                "use" => Some(Action::Use),
                "disclose" => Some(Action::Disclose),
                _ => None,
            }),
            "subject" => once(&mut subject, || scan.subject(v)),
            "data" => once(&mut data, || scan.data(v)),
            "purpose" => once(&mut purpose, || v.purpose(scan.string()?)),
            "party" => once(&mut party, || match scan.nullable()? {
                None => Some(None),
                Some(name) => v.party(name).map(Some),
            }),
            "at" | "collected_at" => {
                let slot = if key == "at" {
                    &mut at
                } else {
                    &mut collected_at
                };
                once(slot, || match scan.nullable()? {
                    None => Some(None),
                    Some(text) => Timestamp::parse(text).ok().map(Some),
                })
            }
            _ => None,
        })?;
        let party = party.flatten();
        let action = action?;
        check_party(action, party.is_some()).ok()?;
        let SubjectParts {
            role,
            age,
            attributes,
            consents,
            revocations,
        } = subject?;
        Some(ResolvedRequest {
            action,
            role,
            data: data?,
            purpose: purpose?,
            party,
            age,
            attributes,
            consents,
            revocations,
            at: at.flatten(),
            collected_at: collected_at.flatten(),
        })
    }

    /// `data`: a category, or a list of 1 to [`MAX_LIST_ITEMS`] of them.
    fn data(&mut self, v: &Vocabulary) -> Option<Vec<CategoryId>> {
        if self.peek()? == b'"' {
            return Some(vec![v.category(self.string()?)?]);
        }
        let mut data = Vec::new();
        self.texts(|name| {
            data.push(v.category(name)?);
            Some(())
        })?;
        (!data.is_empty()).then_some(data)
    }

    fn subject(&mut self, v: &Vocabulary) -> Option<SubjectParts> {
        let mut role = None;
        let mut age: Option<Option<u32>> = None;
        let mut consents = None;
        let mut revocations = None;
        let mut attributes: Vec<(AttributeId, AttributeValue)> = Vec::new();
        // Attributes given as null: not given, but their key still counts once.
        let mut nulls: Vec<AttributeId> = Vec::new();
        self.object(|scan, key| match key {
            "role" => once(&mut role, || v.role(scan.string()?)),
            "age" => once(&mut age, || {
                if scan.peek()? == b'n' {
                    scan.word("null")?;
                    return Some(None);
                }
                let years = u32::try_from(scan.whole()?).ok()?;
                (years <= MAX_AGE).then_some(Some(years))
            }),
            "consents" => once(&mut consents, || scan.times(v)),
            "revocations" => once(&mut revocations, || scan.times(v)),
            name => {
                // Unknown names (even with null) are left to the strict reader.
                let id = v.attribute(name).filter(|id| *id != AGE)?;
                if nulls.contains(&id) || attributes.iter().any(|(a, _)| *a == id) {
                    return None;
                }
                match scan.attribute(v.attribute_type(id))? {
                    Some(value) => attributes.push((id, value)),
                    None => nulls.push(id),
                }
                Some(())
            }
        })?;
        Some(SubjectParts {
            role: role?,
            age: age.flatten(),
            attributes,
            consents: consents.unwrap_or_default(),
            revocations: revocations.unwrap_or_default(),
        })
    }

    /// `consents` or `revocations`: purposes to times, each purpose once, sorted
    /// by name as the strict reader's map holds them.
    fn times(&mut self, v: &Vocabulary) -> Option<Vec<(PurposeId, Timestamp)>> {
        let mut times: Vec<(PurposeId, Timestamp)> = Vec::new();
        self.object(|scan, name| {
            let purpose = v.purpose(name)?;
            // A name given twice resolves to the same id: the strict reader's
            // repeated key.
            if times.len() == MAX_LIST_ITEMS || times.iter().any(|(p, _)| *p == purpose) {
                return None;
            }
            times.push((purpose, Timestamp::parse(scan.string()?).ok()?));
            Some(())
        })?;
        if times.len() > 1 {
            let names = v.purposes().table();
            times.sort_by(|(a, _), (b, _)| names.name(*a).cmp(names.name(*b)));
        }
        Some(times)
    }

    /// A declared attribute's value, conformed to its type (`None` for null).
    fn attribute(&mut self, expected: ValueType) -> Option<Option<AttributeValue>> {
        let value = match (self.peek()?, expected) {
            (b'n', _) => {
                self.word("null")?;
                return Some(None);
            }
            (b't', ValueType::YesNo) => self.word("true").map(|()| AttributeValue::YesNo(true))?,
            (b'f', ValueType::YesNo) => {
                self.word("false").map(|()| AttributeValue::YesNo(false))?
            }
            // Whole numbers only: serde_json reads them exactly, as this does.
            (b'0'..=b'9', ValueType::Number) => AttributeValue::Number(self.whole()? as f64),
            (b'"', ValueType::Text) => AttributeValue::Text(self.string()?.into()),
            (b'"', ValueType::TextSet) => AttributeValue::text_set([self.string()?]),
            (b'[', ValueType::TextSet) => {
                let mut items: Vec<&str> = Vec::new();
                self.texts(|item| {
                    items.push(item);
                    Some(())
                })?;
                AttributeValue::text_set(items)
            }
            _ => return None,
        };
        Some(Some(value))
    }
}

/// Where the first quote, backslash or control character is: eight bytes at a
/// time (a string is most of a request's bytes), then byte by byte.
fn string_end(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte that is zero (exact for the lowest such byte).
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut at = 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let found = zero(word ^ (ONES * u64::from(b'"')))
            | zero(word ^ (ONES * u64::from(b'\\')))
            | (word.wrapping_sub(ONES * 0x20) & !word & HIGH);
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let tail = chunks.remainder();
    tail.iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| at + i)
}

/// Runs `read` once for a field, giving up when the field was seen before.
fn once<T>(slot: &mut Option<T>, read: impl FnOnce() -> Option<T>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(read()?);
    Some(())
}

/// What the subject object says, resolved.
struct SubjectParts {
    role: crate::ids::RoleId,
    age: Option<u32>,
    attributes: Vec<(AttributeId, AttributeValue)>,
    consents: Vec<(PurposeId, Timestamp)>,
    revocations: Vec<(PurposeId, Timestamp)>,
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let read = |json: &str| prepare(json.as_bytes(), &v, 1, Timestamp::now).is_some();
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
    fn strings_end_at_the_first_quote_backslash_or_control_character() {
        for (text, end) in [
            (&b"abc\""[..], Some(3)),
            (b"abcdefghijklmnop\"", Some(16)),
            (b"abcdefgh\\ijk\"", Some(8)),
            (b"abcdefghij\nk\"", Some(10)),
            (b"\xc3\xa9t\xc3\xa9 \xe2\x80\x94 caf\xc3\xa9\"", Some(15)),
            (b"\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x1f", Some(8)),
            (b"no end at all", None),
        ] {
            assert_eq!(string_end(text), end, "{text:?}");
        }
    }

    #[test]
    fn nesting_is_still_limited() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(deep.as_bytes()).is_err());
    }
}
