//! Values of subject attributes and their types.

use std::fmt;

/// The type of a subject attribute, as a policy declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// `yes/no`: JSON `true` or `false`.
    YesNo,
    /// `number`: a JSON number.
    Number,
    /// `text`: a JSON string.
    Text,
    /// `set of text`: a JSON list of strings.
    TextSet,
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValueType::YesNo => "yes/no",
            ValueType::Number => "number",
            ValueType::Text => "text",
            ValueType::TextSet => "set of text",
        })
    }
}

impl ValueType {
    /// The type with an article, for messages: "a number", "text", "a yes/no value".
    pub fn described(self) -> &'static str {
        match self {
            ValueType::YesNo => "a yes/no value",
            ValueType::Number => "a number",
            ValueType::Text => "text",
            ValueType::TextSet => "a set of text",
        }
    }
}

/// A value of a subject attribute.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `yes` or `no`.
    YesNo(bool),
    /// A finite number.
    Number(f64),
    /// A piece of text.
    Text(Box<str>),
    /// A set of texts, kept sorted and without repeats.
    TextSet(Box<[Box<str>]>),
}

impl Value {
    /// The type of this value.
    pub fn value_type(&self) -> ValueType {
        match self {
            Value::YesNo(_) => ValueType::YesNo,
            Value::Number(_) => ValueType::Number,
            Value::Text(_) => ValueType::Text,
            Value::TextSet(_) => ValueType::TextSet,
        }
    }

    /// A set value from any texts: sorted, repeats removed.
    pub fn text_set<I: IntoIterator<Item = S>, S: Into<Box<str>>>(items: I) -> Value {
        let mut items: Vec<Box<str>> = items.into_iter().map(Into::into).collect();
        items.sort_unstable();
        items.dedup();
        Value::TextSet(items.into_boxed_slice())
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::YesNo(true) => f.write_str("yes"),
            Value::YesNo(false) => f.write_str("no"),
            Value::Number(n) => write!(f, "{n}"),
            Value::Text(t) => write!(f, "{t:?}"),
            Value::TextSet(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item:?}")?;
                }
                f.write_str("]")
            }
        }
    }
}
