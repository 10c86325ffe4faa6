//! Reading request JSON strictly: a key given twice is an error, not "the last one
//! wins" (`{"age": 12, "age": null}` must not quietly lose the child's age).
//! serde_json's own nesting limit still applies.
//!
//! Two readers share that strictness. [`parse`] reads any JSON into a value, from
//! which [`crate::Request::from_value`] writes every error message. [`prepare`] is
//! the fast one: it reads a request straight into a [`PreparedRequest`], borrowing
//! strings from the input, resolving names as it meets them and parsing times in
//! place, with no tree of values in between. It accepts only what the first reader
//! accepts and prepares it the same way; on anything else it gives up (`None`), and
//! the caller asks the first reader, whose error is then the one reported.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
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
/// when it is unusual enough that this reader leaves it to them).
pub(crate) fn prepare(
    bytes: &[u8],
    vocabulary: &Vocabulary,
    stamp: u64,
    now: fn() -> Timestamp,
) -> Option<PreparedRequest> {
    if bytes.len() > MAX_REQUEST_BYTES {
        return None;
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let request = RequestSeed(vocabulary)
        .deserialize(&mut deserializer)
        .ok()?;
    deserializer.end().ok()?;
    finish(request, stamp, now).ok()
}

/// Gives up: the message is never shown, the slow reader writes the real one.
fn give_up<E: de::Error>() -> E {
    E::custom("")
}

/// Text from the input, borrowed when it holds no escapes.
struct Text<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("text")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// Text, or `null` (`None`).
struct NullableText<'de>(Option<Cow<'de, str>>);

impl<'de> Deserialize<'de> for NullableText<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<Text<'de>>::deserialize(deserializer).map(|t| NullableText(t.map(|t| t.0)))
    }
}

fn time<E: de::Error>(text: &str) -> Result<Timestamp, E> {
    Timestamp::parse(text).map_err(|_| give_up())
}

/// Runs `read` once for a field, giving up when the field was seen before.
fn once<T, E: de::Error>(
    slot: &mut Option<T>,
    read: impl FnOnce() -> Result<T, E>,
) -> Result<(), E> {
    if slot.is_some() {
        return Err(give_up());
    }
    *slot = Some(read()?);
    Ok(())
}

/// The top-level request object.
struct RequestSeed<'v>(&'v Vocabulary);

impl<'de> DeserializeSeed<'de> for RequestSeed<'_> {
    type Value = ResolvedRequest;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RequestSeed<'_> {
    type Value = ResolvedRequest;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a request")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ResolvedRequest, A::Error> {
        let v = self.0;
        let mut action = None;
        let mut subject = None;
        let mut data = None;
        let mut purpose = None;
        let mut party = None;
        let mut at = None;
        let mut collected_at = None;
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            match &*key {
                "action" => once(&mut action, || match &*map.next_value::<Text<'de>>()?.0 {
                    "use" => Ok(Action::Use),
                    "disclose" => Ok(Action::Disclose),
                    _ => Err(give_up()),
                })?,
                "subject" => once(&mut subject, || map.next_value_seed(SubjectSeed(v)))?,
                "data" => once(&mut data, || map.next_value_seed(DataSeed(v)))?,
                "purpose" => once(&mut purpose, || {
                    v.purpose(&map.next_value::<Text<'de>>()?.0)
                        .ok_or_else(give_up)
                })?,
                "party" => once(&mut party, || {
                    match map.next_value::<NullableText<'de>>()?.0 {
                        None => Ok(None),
                        Some(name) => v.party(&name).map(Some).ok_or_else(give_up),
                    }
                })?,
                "at" | "collected_at" => {
                    let slot = if key == "at" {
                        &mut at
                    } else {
                        &mut collected_at
                    };
                    once(slot, || match map.next_value::<NullableText<'de>>()?.0 {
                        None => Ok(None),
                        Some(text) => time(&text).map(Some),
                    })?
                }
                _ => return Err(give_up()),
            }
        }
        let (Some(action), Some(subject), Some(data), Some(purpose)) =
            (action, subject, data, purpose)
        else {
            return Err(give_up());
        };
        let party = party.flatten();
        check_party(action, party.is_some()).map_err(|_| give_up())?;
        let SubjectParts {
            role,
            age,
            attributes,
            consents,
            revocations,
        } = subject;
        Ok(ResolvedRequest {
            action,
            role,
            data,
            purpose,
            party,
            age,
            attributes,
            consents,
            revocations,
            at: at.flatten(),
            collected_at: collected_at.flatten(),
        })
    }
}

/// `data`: a category, or a list of 1 to [`MAX_LIST_ITEMS`] of them.
struct DataSeed<'v>(&'v Vocabulary);

impl<'de> DeserializeSeed<'de> for DataSeed<'_> {
    type Value = Vec<CategoryId>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DataSeed<'_> {
    type Value = Vec<CategoryId>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("data categories")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Self::Value, E> {
        self.0.category(name).map(|c| vec![c]).ok_or_else(give_up)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut data = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(8));
        while let Some(Text(name)) = seq.next_element::<Text<'de>>()? {
            if data.len() == MAX_LIST_ITEMS {
                return Err(give_up());
            }
            data.push(self.0.category(&name).ok_or_else(give_up)?);
        }
        if data.is_empty() {
            return Err(give_up());
        }
        Ok(data)
    }
}

/// What the subject object says, resolved.
struct SubjectParts {
    role: crate::ids::RoleId,
    age: Option<u32>,
    attributes: Vec<(AttributeId, AttributeValue)>,
    consents: Vec<(PurposeId, Timestamp)>,
    revocations: Vec<(PurposeId, Timestamp)>,
}

struct SubjectSeed<'v>(&'v Vocabulary);

impl<'de> DeserializeSeed<'de> for SubjectSeed<'_> {
    type Value = SubjectParts;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SubjectSeed<'_> {
    type Value = SubjectParts;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a subject")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SubjectParts, A::Error> {
        let v = self.0;
        let mut role = None;
        let mut age: Option<Option<u32>> = None;
        let mut consents = None;
        let mut revocations = None;
        let mut attributes: Vec<(AttributeId, AttributeValue)> = Vec::new();
        // Attributes given as null: not given, but their key still counts once.
        let mut nulls: Vec<AttributeId> = Vec::new();
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            match &*key {
                "role" => once(&mut role, || {
                    v.role(&map.next_value::<Text<'de>>()?.0)
                        .ok_or_else(give_up)
                })?,
                "age" => once(&mut age, || map.next_value::<Age>().map(|a| a.0))?,
                "consents" => once(&mut consents, || map.next_value_seed(TimesSeed(v)))?,
                "revocations" => once(&mut revocations, || map.next_value_seed(TimesSeed(v)))?,
                name => {
                    // Unknown names (even with null) are left to the slow reader.
                    let id = v
                        .attribute(name)
                        .filter(|id| *id != AGE)
                        .ok_or_else(give_up)?;
                    if nulls.contains(&id) || attributes.iter().any(|(a, _)| *a == id) {
                        return Err(give_up());
                    }
                    match map.next_value_seed(AttributeSeed(v.attribute_type(id)))? {
                        Some(value) => attributes.push((id, value)),
                        None => nulls.push(id),
                    }
                }
            }
        }
        Ok(SubjectParts {
            role: role.ok_or_else(give_up)?,
            age: age.flatten(),
            attributes,
            consents: consents.unwrap_or_default(),
            revocations: revocations.unwrap_or_default(),
        })
    }
}

/// `age`: a whole number from 0 to [`MAX_AGE`], or null.
struct Age(Option<u32>);

impl<'de> Deserialize<'de> for Age {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AgeVisitor;
        impl Visitor<'_> for AgeVisitor {
            type Value = Age;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an age")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Age, E> {
                u32::try_from(v)
                    .ok()
                    .filter(|age| *age <= MAX_AGE)
                    .map(|age| Age(Some(age)))
                    .ok_or_else(give_up)
            }
            fn visit_unit<E>(self) -> Result<Age, E> {
                Ok(Age(None))
            }
        }
        deserializer.deserialize_any(AgeVisitor)
    }
}

/// `consents` or `revocations`: purposes to times, each purpose once.
struct TimesSeed<'v>(&'v Vocabulary);

impl<'de> DeserializeSeed<'de> for TimesSeed<'_> {
    type Value = Vec<(PurposeId, Timestamp)>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TimesSeed<'_> {
    type Value = Vec<(PurposeId, Timestamp)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("purposes and times")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut times: Vec<(PurposeId, Timestamp)> = Vec::new();
        while let Some(Text(name)) = map.next_key::<Text<'de>>()? {
            let purpose = self.0.purpose(&name).ok_or_else(give_up)?;
            // A name given twice resolves to the same id, so this is the strict
            // reader's check for a repeated key.
            if times.len() == MAX_LIST_ITEMS || times.iter().any(|(p, _)| *p == purpose) {
                return Err(give_up());
            }
            let when = time(&map.next_value::<Text<'de>>()?.0)?;
            times.push((purpose, when));
        }
        // The slow reader holds them in a map sorted by name.
        times.sort_by(|(a, _), (b, _)| {
            let names = self.0.purposes().table();
            names.name(*a).cmp(names.name(*b))
        });
        Ok(times)
    }
}

/// A declared attribute's value, conformed to its type (`None` for null).
struct AttributeSeed(ValueType);

impl<'de> DeserializeSeed<'de> for AttributeSeed {
    type Value = Option<AttributeValue>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AttributeSeed {
    type Value = Option<AttributeValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an attribute's value")
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        match self.0 {
            ValueType::YesNo => Ok(Some(AttributeValue::YesNo(v))),
            _ => Err(give_up()),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.number(v as f64)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.number(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.number(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match self.0 {
            ValueType::Text => Ok(Some(AttributeValue::Text(v.into()))),
            ValueType::TextSet => Ok(Some(AttributeValue::text_set([v]))),
            _ => Err(give_up()),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if self.0 != ValueType::TextSet {
            return Err(give_up());
        }
        let mut items: Vec<Box<str>> = Vec::new();
        while let Some(Text(item)) = seq.next_element::<Text<'de>>()? {
            if items.len() == MAX_LIST_ITEMS {
                return Err(give_up());
            }
            items.push(item.into());
        }
        Ok(Some(AttributeValue::text_set(items)))
    }
}

impl AttributeSeed {
    fn number<E: de::Error>(self, n: f64) -> Result<Option<AttributeValue>, E> {
        match self.0 {
            ValueType::Number if n.is_finite() => Ok(Some(AttributeValue::Number(n))),
            _ => Err(give_up()),
        }
    }
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
    fn nesting_is_still_limited() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(deep.as_bytes()).is_err());
    }
}
