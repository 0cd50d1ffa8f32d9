//! An ordered JSON value that keeps numbers exactly as written.
//!
//! Config values (from a BAML block, a JSON options map or the builder) and the Converse body
//! are trees of [`Value`]. Two properties matter on the wire and are why this is not
//! `serde_json::Value`:
//!
//! - **Object keys keep their order** (`serde_json::Map` sorts them unless its
//!   `preserve_order` feature is on, which would change the map type for every crate in the
//!   caller's build). The Converse body's keys come out in a fixed order and
//!   `additional_model_request_fields` comes out as the user wrote it.
//! - **Numbers keep their text.** `temperature 0.7` is sent as `0.7`; BAML sends the
//!   f32-rounded `0.699999988079071`.

mod escape;

use std::fmt;

pub(crate) use escape::{write_json_string, write_json_string_content};

/// A JSON number, kept as its literal text (always valid JSON number syntax).
///
/// ```
/// use bedrock_request::Number;
/// assert_eq!(Number::parse("0.7").unwrap().as_str(), "0.7");
/// assert_eq!(Number::parse("1e3").unwrap().as_f64(), 1000.0);
/// assert!(Number::parse("0x10").is_none());
/// assert!(Number::parse(".5").is_none());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Number(String);

impl Number {
    /// Parses JSON number syntax (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`); anything else is `None`.
    pub fn parse(text: &str) -> Option<Number> {
        is_json_number(text).then(|| Number(text.to_owned()))
    }

    /// A number from a float, printed in the shortest form that reads back as the same `f64`
    /// (`0.7` stays `0.7`). `None` for NaN and infinities, which JSON cannot carry.
    pub fn from_f64(value: f64) -> Option<Number> {
        serde_json::Number::from_f64(value).map(|n| Number(n.to_string()))
    }

    /// The literal text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as an `f64` (may round).
    pub fn as_f64(&self) -> f64 {
        // A JSON number is a Rust float literal too; core's parse is exact (correctly rounded).
        self.0.parse().unwrap_or(f64::NAN)
    }

    /// The value as a `u64`, if it is written as a non-negative integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }

    /// True when written without a fraction or exponent.
    pub fn is_integer(&self) -> bool {
        !self.0.contains(['.', 'e', 'E'])
    }
}

impl From<u64> for Number {
    fn from(value: u64) -> Self {
        Number(value.to_string())
    }
}

impl From<i64> for Number {
    fn from(value: i64) -> Self {
        Number(value.to_string())
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

/// An ordered JSON value that keeps numbers exactly as written.
///
/// Config values and the Converse body are trees of `Value`. Unlike `serde_json::Value`,
/// object keys keep their order (without turning on serde_json's `preserve_order` for the
/// caller's whole build), and numbers keep their text: `temperature 0.7` is sent as `0.7`
/// (BAML sends the f32-rounded `0.699999988079071`).
///
/// ```
/// use bedrock_request::Value;
/// let v = Value::from_json_str(r#"{"z": 1, "a": [0.7, null]}"#).unwrap();
/// assert_eq!(v.to_json(), r#"{"z":1,"a":[0.7,null]}"#);
/// ```
///
/// `Debug` hides the values of object keys that name a secret (`secret_access_key`,
/// `session_token`, `api_key`, `password`, `authorization`...): config options pass through
/// `Value`. [`to_json`](Self::to_json) writes everything.
#[derive(Clone, PartialEq, Eq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, kept as written.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object; keys in insertion order (a later duplicate replaces the earlier value in place).
    Object(Vec<(String, Value)>),
}

impl Value {
    /// An object from `(key, value)` pairs, in order (the crate's own bodies and outputs).
    // Out of line: the builders call it at hundreds of sites.
    #[inline(never)]
    pub(crate) fn object(entries: Vec<(&str, Value)>) -> Value {
        Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    /// A short name of the value's type, for error messages (`"a string"`, `"an array"`...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "a map",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of `key`, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Writes compact JSON (no spaces), keys in order, numbers as written.
    pub fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(n.as_str()),
            Value::String(s) => write_json_string(s, out),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Value::Object(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(k, out);
                    out.push(':');
                    v.write_json(out);
                }
                out.push('}');
            }
        }
    }

    /// About how long the compact JSON is (exact when no string needs escaping).
    fn json_len_hint(&self) -> usize {
        match self {
            Value::Null => 4,
            Value::Bool(_) => 5,
            Value::Number(n) => n.as_str().len(),
            Value::String(s) => s.len() + 2,
            Value::Array(items) => 2 + items.iter().map(|v| v.json_len_hint() + 1).sum::<usize>(),
            Value::Object(entries) => {
                2 + entries
                    .iter()
                    .map(|(k, v)| k.len() + 4 + v.json_len_hint())
                    .sum::<usize>()
            }
        }
    }

    /// Indented JSON text (two spaces), keys in order, numbers as written.
    pub fn to_json_pretty(&self) -> String {
        let mut out = String::new();
        self.write_pretty(&mut out, 0);
        out
    }

    pub(crate) fn write_pretty(&self, out: &mut String, depth: usize) {
        let indent = |out: &mut String, depth: usize| {
            out.push('\n');
            for _ in 0..depth {
                out.push_str("  ");
            }
        };
        let scalar = |v: &Value| !matches!(v, Value::Array(_) | Value::Object(_));
        match self {
            // Short rows of scalars (a header pair, stop sequences) stay on one line.
            Value::Array(items) if items.iter().all(scalar) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Value::Array(items) if !items.is_empty() => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    indent(out, depth + 1);
                    item.write_pretty(out, depth + 1);
                }
                indent(out, depth);
                out.push(']');
            }
            Value::Object(entries) if !entries.is_empty() => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    indent(out, depth + 1);
                    write_json_string(k, out);
                    out.push_str(": ");
                    v.write_pretty(out, depth + 1);
                }
                indent(out, depth);
                out.push('}');
            }
            other => other.write_json(out),
        }
    }

    /// Compact JSON text.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(self.json_len_hint());
        self.write_json(&mut out);
        out
    }

    /// `true` for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as a `u64`, if this is a non-negative integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The entries in order, if this is an object.
    pub fn as_object(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value at a JSON Pointer (RFC 6901: `/output/message/content/0`, `~1` for `/`,
    /// `~0` for `~`); `""` is the value itself.
    ///
    /// ```
    /// use bedrock_request::Value;
    /// let v = Value::from_json_str(r#"{"a/b": [{"c": 7}]}"#)?;
    /// assert_eq!(v.pointer("/a~1b/0/c").and_then(Value::as_u64), Some(7));
    /// assert_eq!(v.pointer("/a~1b/1"), None);
    /// # Ok::<(), bedrock_request::Error>(())
    /// ```
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut at = self;
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = token.replace("~1", "/").replace("~0", "~");
            at = match at {
                Value::Object(_) => at.get(&token)?,
                Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(at)
    }
}

/// From `serde_json` (key order as that value has it; numbers as serde_json prints them).
impl From<&serde_json::Value> for Value {
    fn from(value: &serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(Number(n.to_string())),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => Value::Array(a.iter().map(Value::from).collect()),
            serde_json::Value::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), Value::from(v))).collect())
            }
        }
    }
}

impl From<serde_json::Value> for Value {
    fn from(value: serde_json::Value) -> Self {
        Value::from(&value)
    }
}

/// To `serde_json`. serde_json (without `arbitrary_precision`) holds a number as `u64`, `i64`
/// or `f64`: integers that fit keep every digit, others become the nearest `f64`, and a number
/// beyond `f64`'s range (`1e400`) becomes its text as a JSON string rather than being lost.
/// Key order follows serde_json's map (sorted unless its `preserve_order` feature is on).
impl From<&Value> for serde_json::Value {
    fn from(value: &Value) -> Self {
        match value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::from_str::<serde_json::Number>(n.as_str()).map_or_else(
                |_| serde_json::Value::String(n.as_str().to_owned()),
                serde_json::Value::Number,
            ),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(serde_json::Value::from).collect())
            }
            Value::Object(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<Value> for serde_json::Value {
    fn from(value: Value) -> Self {
        serde_json::Value::from(&value)
    }
}

/// Whether an object key names a secret, for `Debug` (case and `_`/`-` ignored).
fn names_a_secret(key: &str) -> bool {
    let key: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    ["secret", "token", "password", "apikey", "authorization"]
        .iter()
        .any(|word| key.contains(word))
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Redacted;
        impl fmt::Debug for Redacted {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("<redacted>")
            }
        }
        match self {
            Value::Null => f.write_str("Null"),
            Value::Bool(b) => f.debug_tuple("Bool").field(b).finish(),
            Value::Number(n) => f.debug_tuple("Number").field(n).finish(),
            Value::String(s) => f.debug_tuple("String").field(s).finish(),
            Value::Array(items) => f.debug_tuple("Array").field(items).finish(),
            Value::Object(entries) => {
                let mut map = f.debug_map();
                for (k, v) in entries {
                    if names_a_secret(k) && !matches!(v, Value::Object(_) | Value::Array(_)) {
                        map.entry(k, &Redacted);
                    } else {
                        map.entry(k, v);
                    }
                }
                map.finish()
            }
        }
    }
}

static NULL: Value = Value::Null;

/// `value["key"]`: the member, or `null` when this is not an object or has no such key (as
/// `serde_json::Value` indexes).
impl std::ops::Index<&str> for Value {
    type Output = Value;

    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

/// `value[i]`: the item, or `null` when this is not an array or is shorter.
impl std::ops::Index<usize> for Value {
    type Output = Value;

    fn index(&self, i: usize) -> &Value {
        self.as_array().and_then(|a| a.get(i)).unwrap_or(&NULL)
    }
}

/// `value == "text"`: true for a string with that text.
impl PartialEq<str> for Value {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl From<&str> for Value {
    #[inline(never)]
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_json_grammar() {
        for ok in ["0", "-0", "7", "0.7", "1e3", "1E-3", "-12.5e+10", "100"] {
            assert!(Number::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "", "-", "01", ".5", "5.", "1e", "0x1", "1_000", "+1", "NaN", "1.2.3",
        ] {
            assert!(Number::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn strings_escape_like_serde_json() {
        for s in [
            "plain",
            "quote\" back\\slash",
            "nl\n tab\t cr\r",
            "\u{1}\u{1f}\u{7f}",
            "é 中 🎉",
            "\u{8}\u{c}",
        ] {
            let mut ours = String::new();
            write_json_string(s, &mut ours);
            assert_eq!(ours, serde_json::to_string(s).unwrap(), "{s:?}");
        }
        // Every ASCII byte at every offset around the 64- and 8-byte fast paths (two blocks
        // and a tail), next to multi-byte text.
        for b in 0u8..128 {
            for at in 0..150 {
                let mut text: Vec<char> = format!("aé中🎉{}", "a".repeat(146)).chars().collect();
                text[at] = b as char;
                let s: String = text.into_iter().collect();
                let mut ours = String::new();
                write_json_string(&s, &mut ours);
                assert_eq!(ours, serde_json::to_string(&s).unwrap(), "{s:?}");
            }
        }
    }

    #[test]
    fn json_keeps_key_order_and_replaces_duplicates_in_place() {
        let v = Value::from_json_str(r#"{"z":1,"a":{"y":0.7,"b":[true,null]},"z":2}"#).unwrap();
        assert_eq!(v.to_json(), r#"{"z":2,"a":{"y":0.7,"b":[true,null]}}"#);
        let pretty: serde_json::Value = serde_json::from_str(&v.to_json_pretty()).unwrap();
        let compact: serde_json::Value = serde_json::from_str(&v.to_json()).unwrap();
        assert_eq!(pretty, compact);
        assert_eq!(Value::Object(vec![]).to_json_pretty(), "{}");
    }

    #[test]
    fn conversions_to_and_from_serde_json_keep_what_each_can_hold() {
        let text =
            r#"{"z":[1,-2,0.5,1e2,true,null],"a":{"s":"x\u00e9"},"big":18446744073709551615}"#;
        let ours = Value::from_json_str(text).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
        // Ours -> serde_json equals serde_json's own reading of the same text.
        assert_eq!(serde_json::Value::from(&ours), theirs);
        // serde_json -> ours -> serde_json is the identity.
        assert_eq!(serde_json::Value::from(Value::from(&theirs)), theirs);
        // Beyond f64's range: kept as text, not lost or turned into null.
        let huge = Value::from_json_str("1e400").unwrap();
        assert_eq!(serde_json::Value::from(&huge), serde_json::json!("1e400"));
        // Access like serde_json's: pointer, index, comparison with text.
        assert_eq!(ours.pointer("/z/2").map(Value::to_json), Some("0.5".into()));
        assert_eq!(ours["a"]["s"], "x\u{e9}");
        assert!(ours["missing"][3].is_null());
        assert_eq!(ours["big"].as_u64(), Some(u64::MAX));
        assert_eq!(theirs.pointer("/z/2"), Some(&serde_json::json!(0.5)));
    }
}
